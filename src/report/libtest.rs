//! Verdicts in libtest's terms, for every place that shows cases as tests (the CLI's
//! libtest-style lines, trials in a program's own `cargo test`): known deviations,
//! skips and cases cut short by an interrupt are "ignored" with their reason, so a
//! libtest summary agrees with the verdicts; a stale known deviation fails only when
//! the target's profile says so.

use super::profile::TargetProfile;
use super::verdict::{verdict, Verdict};
use crate::run::{CaseResult, Outcome};

/// How a case shows as a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    Ok,
    /// Failed, with the text shown under `failures:`.
    Failed(String),
    /// Ignored, with the reason (may be empty).
    Ignored(String),
}

/// The case as a test; `region` is the region its reproduction commands name.
pub fn shown(result: &CaseResult, expectations: &TargetProfile, region: &str) -> Shown {
    let (v, known) = verdict(result, expectations);
    let reasons = || super::profile::Known::reasons(&known);
    match v {
        Verdict::Pass => Shown::Ok,
        Verdict::Fixed if !expectations.stale_fails => Shown::Ok,
        Verdict::Fixed => Shown::Failed(format!(
            "listed as a known deviation ({}) but passed: remove the entry from {}",
            reasons(),
            expectations.file.display()
        )),
        Verdict::Fail | Verdict::Error => Shown::Failed(super::text::failure(result, region)),
        Verdict::Known => Shown::Ignored(format!("known deviation: {}", reasons())),
        Verdict::Skipped => Shown::Ignored(match &result.outcome {
            Outcome::Skipped(reason) => reason.clone(),
            _ => String::new(),
        }),
        Verdict::Interrupted => Shown::Ignored(match &result.outcome {
            Outcome::Interrupted(reason) => format!("interrupted: {reason}"),
            _ => "interrupted".to_owned(),
        }),
    }
}
