//! Which ListTasks filters the suite checks both ways: a filter counts as checked on
//! the matching side when some ListTasks step that sends it asserts that a task is
//! listed (`contains`, or `equals` a list that holds it, at `/taskArns`), and on the
//! non-matching side when some step that sends it asserts that a task is absent
//! (`not_contains`) and the absence is due to that filter: the same case lists the
//! task in a step whose value for the filter differs (or that does not send it), or,
//! when no step of the case lists the task, the filter is the only one the step sends.

use crate::suite::{Case, Condition, Matcher, PlannedStep, Suite};
use serde::Serialize;
use serde_json::Value;

/// The ListTasks filters whose both sides the coverage reports.
pub const LIST_TASKS_FILTERS: [&str; 6] = [
    "family",
    "startedBy",
    "launchType",
    "containerInstance",
    "desiredStatus",
    "serviceName",
];

/// One ListTasks filter and the sides of it some case asserts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FilterCheck {
    pub filter: String,
    /// Some case asserts that a task matching the filter is listed.
    pub matching_listed: bool,
    /// Some case asserts that a task not matching the filter is absent.
    pub non_matching_absent: bool,
}

impl FilterCheck {
    pub fn both_ways(&self) -> bool {
        self.matching_listed && self.non_matching_absent
    }

    /// `both ways`, `matching side only`, `non-matching side only` or `not checked`.
    pub fn label(&self) -> &'static str {
        match (self.matching_listed, self.non_matching_absent) {
            (true, true) => "both ways",
            (true, false) => "matching side only",
            (false, true) => "non-matching side only",
            (false, false) => "not checked",
        }
    }
}

/// A ListTasks step's assertions on `/taskArns`: the tasks listed, the tasks absent.
struct Listing<'a> {
    request: &'a Value,
    listed: Vec<&'a Value>,
    absent: Vec<&'a Value>,
}

fn listing(step: &PlannedStep) -> Listing<'_> {
    let mut out = Listing {
        request: &step.step.request,
        listed: vec![],
        absent: vec![],
    };
    let conditions: Vec<&Condition> = step
        .expect
        .body
        .iter()
        .chain(step.until.iter().flatten())
        .filter(|c| c.pointer == "/taskArns")
        .collect();
    for m in conditions.iter().flat_map(|c| &c.matchers) {
        match m {
            Matcher::Contains(v) => out.listed.push(v),
            Matcher::Equals(Value::Array(items)) => out.listed.extend(items),
            Matcher::NotContains(v) => out.absent.push(v),
            _ => {}
        }
    }
    out
}

fn filters_sent(request: &Value) -> Vec<&'static str> {
    LIST_TASKS_FILTERS
        .into_iter()
        .filter(|f| request.get(f).is_some_and(|v| !v.is_null()))
        .collect()
}

/// Marks the sides of each filter one case checks.
fn note_case(case: &Case, checks: &mut [FilterCheck]) {
    let listings: Vec<Listing> = case
        .steps
        .iter()
        .filter(|s| s.step.call == "ListTasks")
        .map(listing)
        .collect();
    let mark = |checks: &mut [FilterCheck], filter: &str, matching: bool| {
        if let Some(c) = checks.iter_mut().find(|c| c.filter == filter) {
            if matching {
                c.matching_listed = true;
            } else {
                c.non_matching_absent = true;
            }
        }
    };
    for l in &listings {
        let sent = filters_sent(l.request);
        if !l.listed.is_empty() {
            for f in &sent {
                mark(checks, f, true);
            }
        }
        for task in &l.absent {
            let listed_elsewhere: Vec<&Listing> = listings
                .iter()
                .filter(|other| other.listed.contains(task))
                .collect();
            for f in &sent {
                let due_to_filter = if listed_elsewhere.is_empty() {
                    sent.len() == 1
                } else {
                    listed_elsewhere
                        .iter()
                        .any(|other| other.request.get(f) != l.request.get(f))
                };
                if due_to_filter {
                    mark(checks, f, false);
                }
            }
        }
    }
}

/// The sides of every ListTasks filter the suite checks.
pub fn list_tasks_filters(suite: &Suite) -> Vec<FilterCheck> {
    let mut checks: Vec<FilterCheck> = LIST_TASKS_FILTERS
        .iter()
        .map(|f| FilterCheck {
            filter: f.to_string(),
            matching_listed: false,
            non_matching_absent: false,
        })
        .collect();
    for case in &suite.cases {
        note_case(case, &mut checks);
    }
    checks
}

#[cfg(test)]
mod tests;
