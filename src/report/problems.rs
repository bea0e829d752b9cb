//! Distinct problems: the failing findings of a run grouped by (rule, JSON path with
//! list indexes generalised, observed value), each with the cases it appears in, so
//! one broken enum value that fails seventy cases reads as one problem to fix.

use super::document::CaseEntry;
use super::verdict::Verdict;
use crate::finding::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest observed value kept in a problem's key (longer values are cut, so a
/// whole response body does not make every problem distinct).
const OBSERVED_LIMIT: usize = 120;

/// One distinct problem: a rule broken at a path with an observed value, in one or
/// more cases. `known` says every case it appears in is a listed known deviation
/// (it does not fail the run); a problem in any failing case is not known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub rule: String,
    pub severity: Severity,
    /// The finding's JSON pointer with list indexes replaced by `*`
    /// (`/tasks/*/stopCode`); `status`, `header:<name>` or "" as findings say.
    pub path: String,
    /// What the target sent (one line, cut to 120 characters).
    pub observed: String,
    /// What was expected, from the first finding of the group.
    pub expected: String,
    /// Every case it appears in is `known` (none fails the run).
    pub known: bool,
    /// The ids of the cases it appears in, sorted.
    pub cases: Vec<String>,
}

/// The distinct problems of a run's cases: findings that fail their case (severity
/// `fail`) in cases whose verdict is `fail` or `known`, grouped by rule, generalised
/// path and observed value; most cases first, then by rule and path.
pub fn distinct(cases: &[CaseEntry]) -> Vec<Problem> {
    let mut groups: BTreeMap<(String, String, String), Problem> = BTreeMap::new();
    for case in cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Known))
    {
        for f in case
            .findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Fail)
        {
            let rule = f.finding.rule.id().to_owned();
            let path = generalise(&f.finding.pointer);
            let observed =
                generic_ids(&crate::excerpt::one_line(&f.finding.actual, OBSERVED_LIMIT));
            let problem = groups
                .entry((rule.clone(), path.clone(), observed.clone()))
                .or_insert_with(|| Problem {
                    rule,
                    severity: f.finding.severity,
                    path,
                    observed,
                    expected: crate::excerpt::one_line(&f.finding.expected, OBSERVED_LIMIT),
                    known: true,
                    cases: Vec::new(),
                });
            if !problem.cases.contains(&case.id) {
                problem.cases.push(case.id.clone());
            }
            problem.known &= case.verdict == Verdict::Known;
        }
    }
    let mut problems: Vec<Problem> = groups.into_values().collect();
    for p in &mut problems {
        p.cases.sort();
    }
    problems.sort_by(|a, b| {
        b.cases
            .len()
            .cmp(&a.cases.len())
            .then(a.known.cmp(&b.known))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.observed.cmp(&b.observed))
    });
    problems
}

/// Cases named in one line of a problem before the rest are counted.
const CASES_SHOWN: usize = 3;

/// `schema.response at /tasks/*/stopCode: "Stopped" in 3 cases (a, b, c)`, with
/// `(known)` when every case is a listed deviation.
pub fn one_line(p: &Problem) -> String {
    let at = if p.path.is_empty() {
        String::new()
    } else {
        format!(" at {}", p.path)
    };
    let observed = if p.observed.is_empty() {
        String::new()
    } else {
        format!(": {}", p.observed)
    };
    let n = p.cases.len();
    let mut cases = p
        .cases
        .iter()
        .take(CASES_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if n > CASES_SHOWN {
        cases.push_str(&format!(", … {} more", n - CASES_SHOWN));
    }
    format!(
        "{}{at}{observed} in {n} case{} ({cases}){}",
        p.rule,
        if n == 1 { "" } else { "s" },
        if p.known { " (known)" } else { "" }
    )
}

/// Hex or decimal runs of 8 characters and more (task ids, UUIDs, run ids in
/// resource names, account ids): they differ per run and per case.
static ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|[0-9a-f]{8,}")
        .unwrap_or_else(|e| unreachable!("a literal pattern: {e}"))
});

/// An observed value with its per-run identifiers replaced by `<id>`, so the same
/// wrong ARN shape in seventy cases (each with its own task id) is one problem.
pub fn generic_ids(observed: &str) -> String {
    ID.replace_all(observed, "<id>").into_owned()
}

/// `/tasks/0/containers/12/name` → `/tasks/*/containers/*/name`: every segment that
/// is a list index becomes `*`. Pseudo-locations (`status`, `header:…`) are kept.
pub fn generalise(pointer: &str) -> String {
    if !pointer.starts_with('/') {
        return pointer.to_owned();
    }
    pointer
        .split('/')
        .map(|segment| {
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests;
