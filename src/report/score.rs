//! The score and standing of a run, shared by the badge and the HTML report: cases
//! passed out of cases judged (overall and per operation), and whether the run is
//! conformant, as expected (known deviations only) or failing.

use super::document::RunDocument;
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

/// Per operation: the cases that call it in a step (teardown excluded), so a case
/// counts for each operation it exercises.
pub fn by_operation(doc: &RunDocument) -> BTreeMap<String, Score> {
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    for c in &doc.cases {
        let mut calls: Vec<&str> = c
            .steps
            .iter()
            .filter(|s| s.phase == "step")
            .map(|s| s.call.as_str())
            .collect();
        calls.sort_unstable();
        calls.dedup();
        for call in calls {
            scores.entry(call.to_owned()).or_default().add(c.verdict);
        }
    }
    scores
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
