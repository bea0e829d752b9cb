//! Record mode (`run --target NAME --record`): a target file's known deviations
//! rewritten from one run's document. Each case the run judged gets exactly the entries
//! its failures need: an entry that still covers a failure is kept as written (reason,
//! link, even its line), a failure no entry covers gets a new entry for its case, rule
//! and location with `reason: TODO` (a case that ended in a target error: for the error
//! only, as the verdict judges it by the error), and an entry that covers no failure any
//! more is removed. Entries of cases the run did not judge (not selected, skipped by tag) are
//! left as they are. A run that cannot speak for the target (interrupted, a fixture
//! that could not be set up, a case the harness or the setup broke, or a target that
//! gave no answer at all) is refused and nothing is written. The text edit itself (only
//! the `known:` block changes) is in `rewrite.rs`.

mod rewrite;

use super::document::{CaseEntry, RunDocument};
use super::profile::{Known, TargetProfile};
use super::verdict::{error_rules, Verdict};
use crate::finding::Finding;
use crate::rules::Rule;
use std::path::{Path, PathBuf};

pub use super::known_check::TODO_REASON;

/// Rules whose failures come from this machine's snapshot files, not from the target.
const LOCAL_RULES: [Rule; 4] = [
    Rule::SnapshotMissing,
    Rule::SnapshotName,
    Rule::SnapshotUnreadable,
    Rule::SnapshotWrite,
];

/// At most this many cases are named in a refusal (the rest are counted).
const NAMED_IN_REFUSAL: usize = 5;

/// What recording made of a target file.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The target file.
    pub file: PathBuf,
    /// Its new text: outside the `known:` block, byte for byte the old one.
    pub text: String,
    /// New entries (`reason: TODO`), sorted by case, rule and location.
    pub added: Vec<Known>,
    /// Entries that cover no failure of their case any more (now passing).
    pub removed: Vec<Known>,
    /// Entries that still cover a failure, kept as written.
    pub kept: usize,
    /// Entries of cases this run did not judge (not selected, skipped), left as written.
    pub untouched: usize,
    /// The text the target file held when the run loaded it.
    pub loaded: String,
}

impl Recorded {
    /// Whether the file's text changes.
    pub fn changes(&self) -> bool {
        self.text != self.loaded
    }
}

/// Why a target file was not recorded (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The run cannot speak for the target.
    #[error("not recorded: {0}")]
    Refused(String),
    /// The target file's layout cannot be rewritten safely.
    #[error("not recorded: {}: {message}", file.display())]
    Layout { file: PathBuf, message: String },
    /// The file no longer holds the text the run loaded (edited meanwhile).
    #[error("not recorded: {} changed since the run loaded it; run again to record over the new text", file.display())]
    Changed { file: PathBuf },
    #[error("not recorded: cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What becomes of one existing entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Its case was not judged by this run.
    Untouched,
    /// It covers a failure of its case.
    Kept,
    /// Its case was judged and it covers no failure.
    Removed,
}

/// The target file's new text and what changed, from `doc` (a run judged with
/// `profile`, the target file as loaded for that run). Refused when the run cannot
/// speak for the target; see the module's documentation.
pub fn record(doc: &RunDocument, profile: &TargetProfile) -> Result<Recorded, RecordError> {
    refuse_unless_recordable(doc, profile)?;
    let mut fates = vec![Fate::Untouched; profile.known.len()];
    let mut added: Vec<Known> = Vec::new();
    for case in doc.cases.iter().filter(|c| judged(c)) {
        let own: Vec<usize> = (0..profile.known.len())
            .filter(|&i| profile.known[i].case == case.id)
            .collect();
        for &i in &own {
            fates[i] = Fate::Removed;
        }
        for failure in failures(case, profile) {
            let covering: Vec<usize> = own
                .iter()
                .copied()
                .filter(|&i| failure.findings.iter().any(|f| profile.known[i].covers(f)))
                .collect();
            if covering.is_empty() && failure.needs_entry {
                let entry = failure.entry(&case.id);
                if !added.contains(&entry) {
                    added.push(entry);
                }
            }
            for i in covering {
                fates[i] = Fate::Kept;
            }
        }
    }
    added.sort_by(|a, b| order(a).cmp(&order(b)));
    let count = |fate| fates.iter().filter(|f| **f == fate).count();
    let removed = (0..profile.known.len())
        .filter(|&i| fates[i] == Fate::Removed)
        .map(|i| profile.known[i].clone())
        .collect();
    let keep: Vec<bool> = fates.iter().map(|f| *f != Fate::Removed).collect();
    let (loaded, text) = rewrite::rewrite(profile, &keep, &added)?;
    Ok(Recorded {
        loaded,
        file: profile.file.clone(),
        text,
        added,
        removed,
        kept: count(Fate::Kept),
        untouched: count(Fate::Untouched),
    })
}

/// Writes `recorded` over its target file when its text changes (through a temporary
/// file next to it, so an interrupted write never leaves half a file). Refused when
/// the file no longer holds the text the run loaded: an edit made meanwhile is never
/// overwritten.
pub fn write(recorded: &Recorded) -> Result<(), RecordError> {
    let file = &recorded.file;
    let failed = |source| RecordError::Write {
        path: file.clone(),
        source,
    };
    let now = crate::files::read_text(file).map_err(failed)?;
    if now != recorded.loaded {
        return Err(RecordError::Changed { file: file.clone() });
    }
    if !recorded.changes() {
        return Ok(());
    }
    let temporary = temporary_path(file);
    std::fs::write(&temporary, &recorded.text).map_err(failed)?;
    std::fs::rename(&temporary, file).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        failed(e)
    })
}

fn temporary_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".record-tmp");
    file.with_file_name(name)
}

/// The sort order of entries: case, then rule, then location.
pub(crate) fn order(k: &Known) -> (&str, Option<&str>, Option<&str>) {
    (&k.case, k.rule.as_deref(), k.pointer.as_deref())
}

/// Whether the run judged this case on the target: it passed, failed (listed or not),
/// or ended in a target error the target's answer explains. Skipped and interrupted
/// cases say nothing.
fn judged(case: &CaseEntry) -> bool {
    match case.verdict {
        Verdict::Pass | Verdict::Fail | Verdict::Fixed | Verdict::Known => true,
        Verdict::Error => case.reason.as_deref().is_some_and(recordable_error),
        Verdict::Skipped | Verdict::Interrupted => false,
    }
}

/// Whether the case ended in an error (its verdict is `error`, or `known` through an
/// entry covering the error): its reason is then set.
fn errored(case: &CaseEntry) -> Option<&str> {
    match case.verdict {
        Verdict::Error | Verdict::Known => case.reason.as_deref(),
        _ => None,
    }
}

/// Whether an error is the target's own answer: a body that is not JSON, or one over
/// the body cap (an error naming its rule). Not a fixture that could not be set up, a
/// harness error, or no answer at all (refused, timed out, cut off): a target that went
/// away mid-run is not a deviation to list.
fn recordable_error(reason: &str) -> bool {
    crate::run::is_unusable_answer(reason) || error_rules(reason).nth(1).is_some()
}

/// One failure of a case and the findings an entry may cover to explain it (a target
/// error is covered by `target.error` or by the rule it names).
struct Failure {
    findings: Vec<Finding>,
    /// The location a new entry names (none for a target error).
    pointer: Option<String>,
    /// Whether the verdict needs it covered (an entry is added when none covers it).
    needs_entry: bool,
}

impl Failure {
    /// The narrowest entry that covers this failure: its rule (the named one for a
    /// target error) and its exact location.
    fn entry(&self, case: &str) -> Known {
        let rule = self.findings.last().map(|f| f.rule.id().to_owned());
        Known {
            case: case.to_owned(),
            rule,
            pointer: self.pointer.clone(),
            reason: TODO_REASON.to_owned(),
            link: None,
        }
    }
}

/// The failures of a judged case. A case that ended in a target error is judged by
/// that error alone: the error needs an entry, and the findings of its earlier steps
/// (and the wire findings of the unusable answer itself) keep the entries that cover
/// them but get no new ones. Any other case: every finding of a severity the target
/// denies needs an entry.
fn failures(case: &CaseEntry, profile: &TargetProfile) -> Vec<Failure> {
    let error = errored(case).map(|reason| Failure {
        findings: error_rules(reason).collect(),
        pointer: None,
        needs_entry: true,
    });
    let needs_entry = error.is_none();
    error
        .into_iter()
        .chain(
            case.findings
                .iter()
                .map(|f| &f.finding)
                .filter(|f| profile.denies(f.severity))
                .map(|f| Failure {
                    findings: vec![f.clone()],
                    pointer: Some(f.pointer.clone()),
                    needs_entry,
                }),
        )
        .collect()
}

/// Refuses a run whose failures may not be the target's: interrupted, a fixture that
/// could not be set up, a case the setup or the harness broke or that got no answer,
/// a failure of this machine's snapshot files.
fn refuse_unless_recordable(doc: &RunDocument, profile: &TargetProfile) -> Result<(), RecordError> {
    let mut why: Vec<String> = Vec::new();
    if doc.interrupted {
        why.push("the run was interrupted, so it claims no verdict".into());
    }
    for issue in doc.setup_errors() {
        let hint = issue
            .hint
            .as_deref()
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        why.push(format!(
            "fixture `{}` could not be set up ({}{hint}): the cases it blocks say nothing about the target",
            issue.fixture,
            crate::excerpt::one_line(&issue.problem, 160)
        ));
    }
    let broken: Vec<String> = doc
        .cases
        .iter()
        .filter_map(|c| {
            let reason = errored(c)?;
            (!recordable_error(reason)).then(|| {
                let cause = if crate::run::is_blocked_reason(reason) {
                    "setup error"
                } else if crate::run::is_harness_error(reason) {
                    "harness error"
                } else {
                    "no usable answer"
                };
                format!(
                    "{} ({cause}: {})",
                    c.id,
                    crate::excerpt::one_line(reason, 120)
                )
            })
        })
        .collect();
    if !broken.is_empty() {
        why.push(format!(
            "{} case(s) ended in an error that is not the target's answer: {}; a failure the harness, the setup or a target that went away caused is never recorded as a deviation (list one by hand with `rule: target.error` if it is the target's)",
            broken.len(),
            named(&broken)
        ));
    }
    let local: Vec<String> = doc
        .cases
        .iter()
        .flat_map(|c| {
            c.findings
                .iter()
                .filter(|f| {
                    LOCAL_RULES.contains(&f.finding.rule) && profile.denies(f.finding.severity)
                })
                .map(move |f| format!("{} ({})", c.id, f.finding.rule.id()))
        })
        .collect();
    if !local.is_empty() {
        why.push(format!(
            "{} failure(s) of this machine's snapshot files, not of the target: {}; fix the snapshots (or pass --no-snapshots) and record again",
            local.len(),
            named(&local)
        ));
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(RecordError::Refused(why.join("; ")))
    }
}

/// The first few of `items`, and how many more there are.
fn named(items: &[String]) -> String {
    let mut text = items
        .iter()
        .take(NAMED_IN_REFUSAL)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > NAMED_IN_REFUSAL {
        text.push_str(&format!(" and {} more", items.len() - NAMED_IN_REFUSAL));
    }
    text
}

#[cfg(test)]
mod tests;
