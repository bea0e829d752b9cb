//! The score and standing of a run, shared by the badge and the HTML report: cases
//! passed out of cases judged (overall and per operation), and whether the run is
//! conformant, as expected (known deviations only) or failing.

use super::document::{CaseEntry, RunDocument};
use super::verdict::Verdict;
use serde::Serialize;
use std::collections::BTreeMap;

/// Cases that passed out of the cases judged. Skipped cases are not judged; known
/// deviations are judged and do not count as passed (they are departures from ECS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Score {
    pub passed: usize,
    pub total: usize,
}

impl Score {
    fn add(&mut self, verdict: Verdict) {
        if verdict != Verdict::Skipped {
            self.total += 1;
            self.passed += usize::from(verdict == Verdict::Pass);
        }
    }

    /// Whole percent, rounded down (a run with one failure never shows 100 %); none
    /// when no case was judged.
    pub fn percent(&self) -> Option<usize> {
        (self.total > 0).then(|| self.passed * 100 / self.total)
    }

    /// `94 %`, or `no cases`.
    pub fn label(&self) -> String {
        self.percent()
            .map_or_else(|| "no cases".to_owned(), |p| format!("{p} %"))
    }
}

/// Cases passed out of cases judged, over the whole run.
pub fn overall(doc: &RunDocument) -> Score {
    let mut score = Score::default();
    for c in &doc.cases {
        score.add(c.verdict);
    }
    score
}

/// The operations a case exercises: those it calls in a `step`-phase step (teardown
/// and fixture steps excluded), each once, by name.
pub fn operations_of(case: &CaseEntry) -> Vec<&str> {
    let mut calls: Vec<&str> = case
        .steps
        .iter()
        .filter(|s| s.phase == "step")
        .map(|s| s.call.as_str())
        .collect();
    calls.sort_unstable();
    calls.dedup();
    calls
}

/// Per operation: the cases that call it in a step (teardown excluded), so a case
/// counts for each operation it exercises.
pub fn by_operation(doc: &RunDocument) -> BTreeMap<String, Score> {
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    for c in &doc.cases {
        for call in operations_of(c) {
            scores.entry(call.to_owned()).or_default().add(c.verdict);
        }
    }
    scores
}

/// Per operation: how many of the cases that exercise it (see [`operations_of`]) got
/// each verdict, so a case counts once in each operation it calls.
pub fn verdicts_by_operation(doc: &RunDocument) -> BTreeMap<String, BTreeMap<Verdict, usize>> {
    let mut counts: BTreeMap<String, BTreeMap<Verdict, usize>> = BTreeMap::new();
    for c in &doc.cases {
        for call in operations_of(c) {
            *counts
                .entry(call.to_owned())
                .or_default()
                .entry(c.verdict)
                .or_insert(0) += 1;
        }
    }
    counts
}

/// How a run stands, for colours: green, yellow, red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Every judged case passed.
    Conformant,
    /// Failures that are all listed known deviations.
    AsExpected,
    /// New failures, errors, stale entries, setup errors or an interruption.
    Failing,
}

impl Standing {
    pub fn of(doc: &RunDocument) -> Standing {
        if doc.fails(true) {
            Standing::Failing
        } else if doc.totals.get(&Verdict::Known).copied().unwrap_or(0) > 0 {
            Standing::AsExpected
        } else {
            Standing::Conformant
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Conformant => "conformant",
            Standing::AsExpected => "as expected (known deviations only)",
            Standing::Failing => "not conformant",
        }
    }

    /// The badge colour.
    pub fn colour(self) -> &'static str {
        match self {
            Standing::Conformant => "#4c1",
            Standing::AsExpected => "#dfb317",
            Standing::Failing => "#e05d44",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{case, document};

    #[test]
    fn a_case_counts_once_in_each_operation_it_calls_in_a_step_and_never_for_teardown() {
        let mut twice = case("lifecycle/x", Verdict::Fail, Vec::new());
        // A second DescribeTasks step counts once; a teardown StopTask not at all.
        let mut again = twice.steps[1].clone();
        again.index = 3;
        twice.steps.push(again);
        let mut teardown = twice.steps[0].clone();
        teardown.phase = "teardown".into();
        teardown.call = "StopTask".into();
        twice.steps.push(teardown);
        assert_eq!(operations_of(&twice), vec!["DescribeTasks", "RunTask"]);
        let doc = document(vec![
            twice,
            case("run-task/y", Verdict::Pass, Vec::new()),
            case("run-task/z", Verdict::Skipped, Vec::new()),
        ]);
        let counts = verdicts_by_operation(&doc);
        assert_eq!(
            counts.keys().map(String::as_str).collect::<Vec<_>>(),
            vec!["DescribeTasks", "RunTask"]
        );
        for op in ["DescribeTasks", "RunTask"] {
            assert_eq!(counts[op].get(&Verdict::Fail), Some(&1), "{op}");
            assert_eq!(counts[op].get(&Verdict::Pass), Some(&1), "{op}");
            assert_eq!(counts[op].get(&Verdict::Skipped), Some(&1), "{op}");
        }
        assert!(!counts.contains_key("StopTask"));
        // The scores agree: skipped is not judged.
        assert_eq!(
            by_operation(&doc)["RunTask"],
            Score {
                passed: 1,
                total: 2
            }
        );
    }
}
