//! The snapshot store: `<dir>/<name>.snap` files compared with normalised exchanges,
//! pending `.snap.new` files beside them, and accept / reject / review for users of
//! the binary (`cargo insta review` only works inside a cargo package).

use super::diff::{changes, unified, Change};
use super::file::{self, SnapFile};
use super::normalise::{normalise_exchange, Identities};
use super::pointer::{drop_matching, PointerPattern};
use super::rules::Normalisers;
use super::{Provenance, SnapshotError, UpdateMode};
use crate::finding::{Finding, Severity};
use crate::target::Exchange;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const NEW_SUFFIX: &str = ".snap.new";

/// Compares exchanges with the snapshots in one folder. `Send + Sync`: share one
/// across concurrent cases (each case brings its own [`Identities`]).
#[derive(Debug)]
pub struct SnapshotStore {
    pub(super) dir: PathBuf,
    normalisers: Normalisers,
    mode: UpdateMode,
    provenance: Provenance,
    pub(super) force: bool,
    /// Patterns over the snapshot document (`/body…`), with the pattern as the user
    /// wrote it and the reason.
    ignored: Vec<(PointerPattern, String, String)>,
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
            normalisers,
            mode,
            provenance,
            force,
            ignored: Vec::new(),
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
    /// Different: a `snapshot.mismatch` finding with the changed JSON paths and a
    /// unified diff, and a `.snap.new` beside it (Update: the `.snap` is overwritten
    /// instead; NoWrite: nothing is written). A golden recorded against `aws` is not
    /// replaced from another kind of target unless `force` (a `snapshot.provenance`
    /// finding says so).
    pub fn check(&self, name: &str, exchange: &Exchange, ids: &mut Identities) -> Vec<Finding> {
        if !is_valid_name(name) {
            return vec![Finding::new("snapshot.name", Severity::Fail, "").message(format!(
                "`{name}` cannot be a snapshot name: use ASCII letters, digits, `-`, `_` and `.`, not starting with `.`"
            ))];
        }
        let value = normalise_exchange(exchange, &self.normalisers, ids);
        let text = pretty(&value);
        let snap = self.path_of(name);
        let pending = pending_path(&snap);
        let expression = format!(
            "{} response: status and body, normalised",
            exchange.operation()
        );
        let rendered = file::render(&expression, &self.provenance, &text);

        if !snap.exists() {
            if self.mode == UpdateMode::NoWrite {
                return vec![Finding::new("snapshot.missing", Severity::Fail, "")
                    .expected(format!("a snapshot at {}", snap.display()))
                    .actual("none")
                    .message(format!(
                        "there is no snapshot {} and this run may not write one (CI or INSTA_UPDATE=no); record it with a run outside CI",
                        snap.display()
                    ))];
            }
            return self.write_golden(&snap, &pending, &rendered);
        }

        let golden = match file::read(&snap) {
            Ok(g) => g,
            Err(e) => {
                if self.mode == UpdateMode::Update {
                    return self.write_golden(&snap, &pending, &rendered);
                }
                let mut findings = vec![Finding::new("snapshot.unreadable", Severity::Fail, "")
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
            UpdateMode::Update if !refused => return self.write_golden(&snap, &pending, &rendered),
            UpdateMode::Compare if !refused => {
                findings.push(self.mismatch(&golden, &changes, &diff, Some(&pending)));
                findings.extend(self.write_pending(&pending, &rendered));
            }
            UpdateMode::Update | UpdateMode::Compare => {
                findings.push(self.mismatch(&golden, &changes, &diff, None));
                findings.push(self.provenance_finding(&snap, golden.provenance.as_ref()));
            }
            UpdateMode::NoWrite => findings.push(self.mismatch(&golden, &changes, &diff, None)),
        }
        findings
    }

    fn compare(&self, golden: &SnapFile, value: &Value, text: &str) -> Compared {
        let old_value: Option<Value> = serde_json::from_str(&golden.contents).ok();
        let patterns: Vec<PointerPattern> =
            self.ignored.iter().map(|(p, _, _)| p.clone()).collect();
        let (old_text, new_text, old_value, new_value) = match (old_value, patterns.is_empty()) {
            (old, true) => (golden.contents.clone(), text.to_owned(), old, value.clone()),
            (Some(mut old), false) => {
                let mut new = value.clone();
                drop_matching(&mut old, &patterns);
                drop_matching(&mut new, &patterns);
                (pretty(&old), pretty(&new), Some(old), new)
            }
            (None, false) => (
                golden.contents.clone(),
                text.to_owned(),
                None,
                value.clone(),
            ),
        };
        if file::same_text(&old_text, &new_text) {
            return Compared::Same;
        }
        let changes = old_value
            .map(|old| changes(&old, &new_value))
            .unwrap_or_default();
        let diff = unified(
            &format!("{}\n", old_text.trim_end()),
            &format!("{}\n", new_text.trim_end()),
            &golden.path.display().to_string(),
            "response",
        );
        Compared::Differs { changes, diff }
    }

    fn refuses_over(&self, golden: Option<&Provenance>) -> bool {
        !self.force
            && golden.is_some_and(|g| g.target_kind == "aws")
            && self.provenance.target_kind != "aws"
    }

    fn mismatch(
        &self,
        golden: &SnapFile,
        changes: &[Change],
        diff: &str,
        pending: Option<&Path>,
    ) -> Finding {
        let first = changes.first();
        let pointer = first.map_or(String::new(), |c| body_pointer(&c.pointer));
        let show = |v: Option<&Value>| v.map_or("(absent)".to_owned(), Value::to_string);
        let mut message = format!(
            "the response differs from snapshot {}{}",
            golden.path.display(),
            recorded_by(golden.provenance.as_ref())
        );
        if changes.is_empty() {
            message.push_str(":\n");
        } else {
            message.push_str(&format!(" at {} path(s):\n", changes.len()));
            for c in changes {
                message.push_str(&format!("  {}\n", c.render("the snapshot", "the response")));
            }
        }
        if !self.ignored.is_empty() {
            message.push_str("ignored for this target:\n");
            for (_, pattern, reason) in &self.ignored {
                message.push_str(&format!("  {pattern} ({reason})\n"));
            }
        }
        message.push('\n');
        message.push_str(diff);
        if let Some(p) = pending {
            message.push_str(&format!(
                "\nthe new response is in {}: accept it to make it the snapshot, or reject it",
                p.display()
            ));
        }
        Finding::new("snapshot.mismatch", Severity::Fail, pointer)
            .expected(
                first.map_or(format!("the content of {}", golden.path.display()), |c| {
                    show(c.a.as_ref())
                }),
            )
            .actual(first.map_or("different text".to_owned(), |c| show(c.b.as_ref())))
            .message(message.trim_end().to_owned())
    }

    fn provenance_finding(&self, snap: &Path, golden: Option<&Provenance>) -> Finding {
        let golden_kind = golden.map_or("?", |g| g.target_kind.as_str());
        Finding::new("snapshot.provenance", Severity::Warn, "")
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
                vec![Finding::new("snapshot.write", Severity::Fail, "").message(e.to_string())]
            }
        }
    }

    fn write_pending(&self, pending: &Path, rendered: &str) -> Vec<Finding> {
        match file::write(pending, rendered) {
            Ok(()) => Vec::new(),
            Err(e) => {
                vec![Finding::new("snapshot.write", Severity::Fail, "").message(e.to_string())]
            }
        }
    }
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
