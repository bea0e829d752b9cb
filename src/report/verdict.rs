//! The verdict of each case on one target once its profile is applied (pass, fail,
//! known, fixed, skipped, error, interrupted): which findings fail the case (`deny`),
//! which known entries explain them, and a listed entry that now passes (stale).

use super::profile::{Known, TargetProfile};
use crate::finding::Finding;
use crate::rules::Rule;
use crate::run::{CaseResult, Outcome};
use serde::{Deserialize, Serialize};

/// The final verdict of one case on one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Failed as a listed known deviation: does not fail the run.
    Known,
    /// Listed as a known deviation but passed: the list is stale.
    Fixed,
    Skipped,
    /// The harness could not get an answer (or the case did not finish normally).
    Error,
    /// The run was interrupted before the case finished: no verdict is claimed.
    Interrupted,
}

impl Verdict {
    /// Every verdict, in the order reports count them.
    pub const ALL: [Verdict; 7] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Known,
        Verdict::Fixed,
        Verdict::Skipped,
        Verdict::Error,
        Verdict::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Known => "known",
            Verdict::Fixed => "fixed",
            Verdict::Skipped => "skipped",
            Verdict::Error => "error",
            Verdict::Interrupted => "interrupted",
        }
    }
}

/// The verdict of a case and the known entries that explain it. A finding fails the
/// case when its severity is `fail`, or one the target denies (`deny: [drift]`); the
/// case is `known` only when a listed entry covers every such finding (same rule and,
/// when the entry names one, a matching location).
pub fn verdict(result: &CaseResult, profile: &TargetProfile) -> (Verdict, Vec<Known>) {
    let known: Vec<&Known> = profile.known_for(&result.id).collect();
    let listed = || known.iter().map(|k| (*k).clone()).collect::<Vec<_>>();
    match &result.outcome {
        Outcome::Skipped(_) => (Verdict::Skipped, Vec::new()),
        Outcome::Interrupted(_) => (Verdict::Interrupted, Vec::new()),
        Outcome::Error(reason)
            if known
                .iter()
                .any(|k| error_rules(reason).any(|f| k.covers(&f))) =>
        {
            (Verdict::Known, listed())
        }
        Outcome::Error(_) => (Verdict::Error, Vec::new()),
        Outcome::Passed | Outcome::Failed => {
            let mut failing = result
                .findings()
                .map(|(_, f)| f)
                .filter(|f| profile.denies(f.severity))
                .peekable();
            if failing.peek().is_none() {
                if known.is_empty() {
                    (Verdict::Pass, Vec::new())
                } else {
                    (Verdict::Fixed, listed())
                }
            } else if failing.all(|f| known.iter().any(|k| k.covers(f))) {
                (Verdict::Known, listed())
            } else {
                (Verdict::Fail, Vec::new())
            }
        }
    }
}

/// The rules a target error falls under: `target.error`, and the rule its message
/// starts with when it names one (`wire.body-too-large: …`).
pub(super) fn error_rules(reason: &str) -> impl Iterator<Item = Finding> + '_ {
    let named = reason
        .split_once(": ")
        .and_then(|(rule, _)| Rule::from_id(rule));
    std::iter::once(Rule::TargetError)
        .chain(named)
        .map(|rule| Finding::new(rule, ""))
}

#[cfg(test)]
mod tests;
