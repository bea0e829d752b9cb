//! The snapshot store: `<dir>/<name>.snap` files compared with normalised exchanges,
//! pending `.snap.new` files beside them, and accept / reject / review for users of
//! the binary (`cargo insta review` only works inside a cargo package).

use super::diff::{changes, unified, Change};
use super::file::{self, SnapFile};
use super::normalise::{normalise_exchange, renormalise_recorded, Identities};
use super::rules::Normalisers;
use super::{Provenance, SnapshotError, UpdateMode};
use crate::client::Exchange;
use crate::finding::Finding;
use crate::pointer::{drop_matching, PointerPattern};
use crate::report::profile::Known;
use crate::rules::Rule;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const NEW_SUFFIX: &str = ".snap.new";
/// At most this many changed paths are listed in a message (each has its finding).
const MAX_PATHS: usize = 40;
/// At most this many lines of unified diff go into a message.
const MAX_DIFF_LINES: usize = 80;
/// At most this many characters of a value go into a finding's expected or actual.
const MAX_VALUE_CHARS: usize = 500;

/// Compares exchanges with the snapshots in one folder. `Send + Sync`: share one
/// across concurrent cases (each case brings its own [`Identities`]).
#[derive(Debug)]
pub struct SnapshotStore {
    pub(super) dir: PathBuf,
    /// Read-only goldens beneath `dir` (the built-in suite's): read when `dir` has no
    /// snapshot of that name; writes always go to `dir`.
    fallback: Option<PathBuf>,
    pub(super) normalisers: Normalisers,
    mode: UpdateMode,
    provenance: Provenance,
    pub(super) force: bool,
    /// Patterns over the snapshot document (`/body…`), with the pattern as the user
    /// wrote it and the reason.
    ignored: Vec<(PointerPattern, String, String)>,
    /// The target's known entries about snapshots (rule `snapshot.mismatch`,
    /// `snapshot.drift` or none): a step of such a case whose mismatches they all
    /// cover gets no `.snap.new` (its answer is a known deviation, not a snapshot to
    /// review).
    known: Vec<Known>,
    written: Mutex<Vec<PathBuf>>,
}

/// Outcome of comparing one exchange (internal).
enum Compared {
    Same,
    Differs { changes: Vec<Change>, diff: String },
}

impl SnapshotStore {
    pub fn new(
        dir: PathBuf,
        normalisers: Normalisers,
        mode: UpdateMode,
        provenance: Provenance,
        force: bool,
    ) -> SnapshotStore {
        SnapshotStore {
            dir,
            fallback: None,
            normalisers,
            mode,
            provenance,
            force,
            ignored: Vec::new(),
            known: Vec::new(),
            written: Mutex::new(Vec::new()),
        }
    }

    /// Paths this target is allowed to differ on (from its expectation file): JSON
    /// pointer patterns into the response body (`*` one segment, `**` any depth),
    /// each with its reason. They are dropped from both sides before comparing;
    /// recordings keep them.
    pub fn with_ignored(
        mut self,
        ignored: &[(String, String)],
    ) -> Result<SnapshotStore, SnapshotError> {
        for (pattern, reason) in ignored {
            let err = |message: String| SnapshotError::IgnoredPath {
                pattern: pattern.clone(),
                reason: reason.clone(),
                message,
            };
            PointerPattern::parse(pattern).map_err(err)?;
            let doc = PointerPattern::parse(&format!("/body{pattern}")).map_err(err)?;
            self.ignored.push((doc, pattern.clone(), reason.clone()));
        }
        Ok(self)
    }

    /// The target's known deviations (from its expectation file): a step whose
    /// snapshot mismatches they all cover writes no `.snap.new` (see [`check_case`]).
    ///
    /// [`check_case`]: SnapshotStore::check_case
    pub fn with_known(mut self, known: &[Known]) -> SnapshotStore {
        self.known = known
            .iter()
            .filter(|k| {
                k.rule.as_deref().is_none_or(|r| {
                    r == Rule::SnapshotMismatch.id() || r == Rule::SnapshotDrift.id()
                })
            })
            .cloned()
            .collect();
        self
    }

    /// Goldens read when `dir` has none of that name (never written to).
    pub fn with_fallback(mut self, fallback: Option<PathBuf>) -> SnapshotStore {
        self.fallback = fallback;
        self
    }

    /// The golden to compare with: `<dir>/<name>.snap`, else the fallback's when it
    /// has one.
    fn golden_of(&self, name: &str) -> PathBuf {
        let own = self.path_of(name);
        match &self.fallback {
            Some(fallback) if !own.exists() => {
                let theirs = fallback.join(format!("{name}.snap"));
                if theirs.exists() {
                    theirs
                } else {
                    own
                }
            }
            _ => own,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn mode(&self) -> UpdateMode {
        self.mode
    }

    /// `<dir>/<name>.snap`.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.snap"))
    }

    /// `.snap` files recorded or updated through this store, in the order written.
    pub fn written(&self) -> Vec<PathBuf> {
        self.written.lock().map(|w| w.clone()).unwrap_or_default()
    }

    /// Compares the normalised exchange (status and response body; not headers) with
    /// `<dir>/<name>.snap`. Missing: recorded (NoWrite: a `snapshot.missing` finding).
    /// Different: one finding per changed JSON path, `snapshot.mismatch` (fail) where
    /// the contract cares and `snapshot.drift` elsewhere, the first with the changed
    /// paths and a unified diff, and a `.snap.new` beside it (Update: the `.snap` is overwritten
    /// instead; NoWrite: nothing is written). A golden recorded against `aws` is not
    /// replaced from another kind of target unless `force` (a `snapshot.provenance`
    /// finding says so).
    pub fn check(&self, name: &str, exchange: &Exchange, ids: &mut Identities) -> Vec<Finding> {
        self.check_named(name, None, exchange, ids)
    }

    /// [`check`](SnapshotStore::check) for step `step` of case `case_id` (the
    /// snapshot [`snapshot_name`](super::snapshot_name)`(case_id, step)`): when the
    /// target's known entries for the case cover every `snapshot.mismatch` it finds,
    /// the findings stand but no `.snap.new` is written.
    pub fn check_case(
        &self,
        case_id: &str,
        step: usize,
        exchange: &Exchange,
        ids: &mut Identities,
    ) -> Vec<Finding> {
        let name = super::snapshot_name(case_id, step);
        self.check_named(&name, Some(case_id), exchange, ids)
    }

    /// Whether `case_id` has known snapshot entries and they cover every
    /// `snapshot.mismatch` among `findings` (drift alone never fails a case).
    fn known_mismatch(&self, case_id: Option<&str>, findings: &[Finding]) -> bool {
        let Some(case_id) = case_id else {
            return false;
        };
        let known: Vec<&Known> = self.known.iter().filter(|k| k.case == case_id).collect();
        !known.is_empty()
            && findings
                .iter()
                .filter(|f| f.rule == Rule::SnapshotMismatch)
                .all(|f| known.iter().any(|k| k.covers(f)))
    }

    fn check_named(
        &self,
        name: &str,
        case_id: Option<&str>,
        exchange: &Exchange,
        ids: &mut Identities,
    ) -> Vec<Finding> {
        if !is_valid_name(name) {
            return vec![Finding::new(Rule::SnapshotName, "").message(format!(
                "`{name}` cannot be a snapshot name: use ASCII letters, digits, `-`, `_` and `.`, not starting with `.`"
            ))];
        }
        let value = normalise_exchange(exchange, &self.normalisers, ids);
        let text = pretty(&value);
        let snap = self.path_of(name);
        let golden_path = self.golden_of(name);
        let pending = pending_path(&snap);
        let expression = format!(
            "{} response: status and body, normalised",
            exchange.operation()
        );
        let rendered = file::render(&expression, &self.provenance, &text);

        if !golden_path.exists() {
            if self.mode == UpdateMode::NoWrite {
                return vec![Finding::new(Rule::SnapshotMissing, "")
                    .expected(format!("a snapshot at {}", snap.display()))
                    .actual("none")
                    .message(format!(
                        "there is no snapshot {} and this run may not write one (CI or INSTA_UPDATE=no); record it with a run outside CI",
                        snap.display()
                    ))];
            }
            return self.write_golden(&snap, &pending, &rendered);
        }

        let golden = match file::read(&golden_path) {
            Ok(g) => g,
            Err(e) => {
                if self.mode == UpdateMode::Update {
                    return self.write_golden(&snap, &pending, &rendered);
                }
                let mut findings = vec![Finding::new(Rule::SnapshotUnreadable, "")
                    .message(format!("{e}; the response could not be compared"))];
                if self.mode == UpdateMode::Compare {
                    findings.extend(self.write_pending(&pending, &rendered));
                }
                return findings;
            }
        };

        let (changes, diff) = match self.compare(&golden, &value, &text) {
            Compared::Same => {
                if self.mode != UpdateMode::NoWrite {
                    let _ = std::fs::remove_file(&pending); // a stale pending file
                }
                return Vec::new();
            }
            Compared::Differs { changes, diff } => (changes, diff),
        };

        let refused = self.refuses_over(golden.provenance.as_ref());
        let mut findings = Vec::new();
        match self.mode {
            UpdateMode::Update if !self.refuses_update_over(golden.provenance.as_ref()) => {
                return self.write_golden(&snap, &pending, &rendered)
            }
            UpdateMode::Compare if !refused => {
                let found = self.mismatch(&golden, &changes, &diff, None);
                if self.known_mismatch(case_id, &found) {
                    findings.extend(found);
                } else {
                    findings.extend(self.mismatch(&golden, &changes, &diff, Some(&pending)));
                    findings.extend(self.write_pending(&pending, &rendered));
                }
            }
            UpdateMode::Update | UpdateMode::Compare => {
                findings.extend(self.mismatch(&golden, &changes, &diff, None));
                findings.push(self.provenance_finding(&golden_path, golden.provenance.as_ref()));
            }
            UpdateMode::NoWrite => findings.extend(self.mismatch(&golden, &changes, &diff, None)),
        }
        findings
    }

    fn compare(&self, golden: &SnapFile, value: &Value, text: &str) -> Compared {
        let patterns: Vec<PointerPattern> =
            self.ignored.iter().map(|(p, _, _)| p.clone()).collect();
        let old_value: Option<Value> = serde_json::from_str::<Value>(&golden.contents)
            .ok()
            .map(|old| renormalise_recorded(&old, &self.normalisers));
        let (old_text, new_text, changes) = match old_value {
            Some(mut old) => {
                let mut new = value.clone();
                drop_matching(&mut old, &patterns);
                drop_matching(&mut new, &patterns);
                let changes = changes(&old, &new);
                if changes.is_empty() {
                    return Compared::Same;
                }
                (pretty(&old), pretty(&new), changes)
            }
            // not JSON (written by hand?): compared as text
            None if file::same_text(&golden.contents, text) => return Compared::Same,
            None => (golden.contents.clone(), text.to_owned(), Vec::new()),
        };
        let diff = unified(
            &format!("{}\n", old_text.trim_end()),
            &format!("{}\n", new_text.trim_end()),
            &golden.path.display().to_string(),
            "response",
        );
        Compared::Differs { changes, diff }
    }

    /// Updating in place replaces a golden only with a recording from the same kind
    /// of target (a moto run does not overwrite the reference's goldens) or from real
    /// AWS, which the goldens stand for, unless `force`.
    fn refuses_update_over(&self, golden: Option<&Provenance>) -> bool {
        !self.force
            && golden
                .is_some_and(|g| !may_record_over(&g.target_kind, &self.provenance.target_kind))
    }

    fn refuses_over(&self, golden: Option<&Provenance>) -> bool {
        !self.force
            && golden.is_some_and(|g| g.target_kind == "aws")
            && self.provenance.target_kind != "aws"
    }

    /// One finding per changed JSON path: `snapshot.mismatch` (fail) for a difference
    /// the contract cares about, `snapshot.drift` for the rest (see
    /// [`classify`](super::classify)). The first finding also carries the list of
    /// paths and the unified diff (both bounded) and names the pending file.
    fn mismatch(
        &self,
        golden: &SnapFile,
        changes: &[Change],
        diff: &str,
        pending: Option<&Path>,
    ) -> Vec<Finding> {
        let show = |v: Option<&Value>| v.map_or("(absent)".to_owned(), shortened);
        let source = format!(
            "snapshot {}{}",
            golden.path.display(),
            recorded_by(golden.provenance.as_ref())
        );
        let mut findings: Vec<Finding> = changes
            .iter()
            .map(|c| {
                let (rule, why) = match self.normalisers.compare.contract_difference(c) {
                    Some(why) => (Rule::SnapshotMismatch, why),
                    None => (
                        Rule::SnapshotDrift,
                        "a difference the contract does not judge (drift)",
                    ),
                };
                Finding::new(rule, body_pointer(&c.pointer))
                    .expected(show(c.a.as_ref()))
                    .actual(show(c.b.as_ref()))
                    .message(format!("{why}: the response differs from {source} here"))
            })
            .collect();
        if findings.is_empty() {
            findings.push(
                Finding::new(Rule::SnapshotMismatch, "")
                    .expected(format!("the content of {}", golden.path.display()))
                    .actual("different text")
                    .message(format!("the response differs from {source}")),
            );
        }
        let mut detail = String::new();
        if !changes.is_empty() {
            detail.push_str(&format!("\nchanged path(s) ({}):\n", changes.len()));
            for (i, c) in changes.iter().enumerate() {
                if i == MAX_PATHS {
                    detail.push_str(&format!("  … and {} more\n", changes.len() - i));
                    break;
                }
                detail.push_str(&format!("  {}\n", c.render("the snapshot", "the response")));
            }
        }
        if !self.ignored.is_empty() {
            detail.push_str("ignored for this target:\n");
            for (_, pattern, reason) in &self.ignored {
                detail.push_str(&format!("  {pattern} ({reason})\n"));
            }
        }
        detail.push('\n');
        detail.push_str(&bounded(diff, pending));
        if let Some(p) = pending {
            detail.push_str(&format!(
                "\nthe new response is in {}: accept it to make it the snapshot, or reject it",
                p.display()
            ));
        }
        let first = &mut findings[0];
        first.message = format!("{}{}", first.message, detail.trim_end());
        findings
    }

    fn provenance_finding(&self, snap: &Path, golden: Option<&Provenance>) -> Finding {
        let golden_kind = golden.map_or("?", |g| g.target_kind.as_str());
        Finding::new(Rule::SnapshotProvenance, "")
            .expected(format!("a recording against `{golden_kind}`"))
            .actual(format!("a run against `{}`", self.provenance.target_kind))
            .message(format!(
                "not recording over {}: it was recorded against `{golden_kind}` and this run is against `{}`; replace it only with --force",
                snap.display(),
                self.provenance.target_kind
            ))
    }

    fn write_golden(&self, snap: &Path, pending: &Path, rendered: &str) -> Vec<Finding> {
        match file::write(snap, rendered) {
            Ok(()) => {
                let _ = std::fs::remove_file(pending);
                if let Ok(mut w) = self.written.lock() {
                    w.push(snap.to_owned());
                }
                Vec::new()
            }
            Err(e) => {
                vec![Finding::new(Rule::SnapshotWrite, "").message(e.to_string())]
            }
        }
    }

    fn write_pending(&self, pending: &Path, rendered: &str) -> Vec<Finding> {
        match file::write(pending, rendered) {
            Ok(()) => Vec::new(),
            Err(e) => {
                vec![Finding::new(Rule::SnapshotWrite, "").message(e.to_string())]
            }
        }
    }
}

/// A value as JSON text, cut after [`MAX_VALUE_CHARS`] characters.
fn shortened(v: &Value) -> String {
    crate::excerpt::json(v, MAX_VALUE_CHARS)
}

/// The diff, cut after [`MAX_DIFF_LINES`] lines (saying how many were left out and
/// where the whole response is).
fn bounded(diff: &str, pending: Option<&Path>) -> String {
    let total = diff.lines().count();
    if total <= MAX_DIFF_LINES {
        return diff.to_owned();
    }
    let mut out: String = diff
        .lines()
        .take(MAX_DIFF_LINES)
        .map(|l| format!("{l}\n"))
        .collect();
    out.push_str(&format!(
        "… {} more line(s) of diff{}\n",
        total - MAX_DIFF_LINES,
        pending.map_or(String::new(), |p| format!(
            "; the whole response is in {}",
            p.display()
        ))
    ));
    out
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always serialises")
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(super) fn pending_path(snap: &Path) -> PathBuf {
    let mut s = snap.as_os_str().to_owned();
    s.push(".new");
    PathBuf::from(s)
}

pub(super) fn snap_path_of(pending: &Path) -> PathBuf {
    let s = pending.to_string_lossy();
    PathBuf::from(s.strip_suffix(".new").unwrap_or(&s))
}

/// Whether a recording from a target of kind `recorded` may replace a golden recorded
/// on kind `golden` without `--force`: the same kind, or real AWS (the behaviour every
/// golden stands for) over any kind.
pub(super) fn may_record_over(golden: &str, recorded: &str) -> bool {
    golden == recorded || recorded == "aws"
}

pub(super) fn name_of_pending(path: &Path) -> Option<String> {
    let file_name = path.file_name()?.to_str()?;
    let name = file_name.strip_suffix(NEW_SUFFIX)?;
    (!name.is_empty() && !name.starts_with('.')).then(|| name.to_owned())
}

/// A JSON pointer into the snapshot document as a finding's pointer: `/body/x` →
/// `/x` (into the response body), `/status` → `status`.
fn body_pointer(doc_pointer: &str) -> String {
    if let Some(rest) = doc_pointer.strip_prefix("/body") {
        if rest.is_empty() || rest.starts_with('/') {
            return rest.to_owned();
        }
    }
    doc_pointer.trim_start_matches('/').to_owned()
}

pub(super) fn recorded_by(p: Option<&Provenance>) -> String {
    match p {
        Some(p) => format!(
            " (recorded against {}, region {}, ecs-conform {})",
            p.target_kind, p.region, p.tool_version
        ),
        None => " (no provenance recorded)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_and_names() {
        assert_eq!(body_pointer("/body/tasks/0"), "/tasks/0");
        assert_eq!(body_pointer("/body"), "");
        assert_eq!(body_pointer("/status"), "status");
        assert_eq!(body_pointer("/bodyx"), "bodyx");
        assert!(is_valid_name("stop-task__reason-echoed__step-2"));
        assert!(!is_valid_name("../x"));
        assert!(!is_valid_name("a/b"));
        assert!(!is_valid_name(""));
        assert_eq!(
            name_of_pending(Path::new("/d/a.snap.new")).as_deref(),
            Some("a")
        );
        assert_eq!(name_of_pending(Path::new("/d/a.snap")), None);
        assert_eq!(
            snap_path_of(Path::new("/d/a.snap.new")),
            PathBuf::from("/d/a.snap")
        );
        assert_eq!(
            pending_path(Path::new("/d/a.snap")),
            PathBuf::from("/d/a.snap.new")
        );
    }
}
