//! The steps of a case as the run document keeps them (`CaseEntry::steps`): what was
//! sent and answered, the curl command that reproduces it and the lastStatus values a
//! poll saw, already scrubbed of secrets (an `Exchange` never holds them), for the
//! HTML report (its lastStatus timelines) and the operation × rule matrix.

use crate::run::{Phase, Poll, StepResult};
use serde::{Deserialize, Serialize};

/// One step of a case in the run document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepEntry {
    /// `step`, `teardown`, `fixture`, `fixture_teardown`.
    pub phase: String,
    pub index: usize,
    pub call: String,
    pub line: usize,
    /// Calls the step made (polls and pages included).
    pub calls: usize,
    /// HTTP status of the last answer, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The request body as pretty JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Status line, headers (secrets redacted) and the body, trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// A curl command that sends the same request (signed from the caller's environment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The rules of what the step states that were judged on its answer (its
    /// expectations, `until`, `save`, `paginate`, snapshot rules when compared).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stated: Vec<crate::rules::Rule>,
    /// What each poll of an `until` step saw: when, and every task's lastStatus.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub polls: Vec<Poll>,
}

/// The phase name the run document writes.
pub fn phase_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::Step => "step",
        Phase::Teardown => "teardown",
        Phase::Fixture(_) => "fixture",
        Phase::FixtureTeardown(_) => "fixture_teardown",
    }
}

impl StepEntry {
    /// The document's form of a step; `region` signs the curl command.
    pub fn from_result(step: &StepResult, region: &str) -> StepEntry {
        let ex = step.exchange.as_deref();
        StepEntry {
            phase: phase_name(&step.phase).into(),
            index: step.index,
            call: step.call.clone(),
            line: step.line,
            calls: step.calls,
            status: ex.map(|e| e.response.status).or(step.status),
            request: ex.map(|e| serde_json::to_string_pretty(&e.request.body).unwrap_or_default()),
            response: ex.map(super::text::response),
            curl: ex.map(|e| super::text::curl(e, region)),
            target_error: step.target_error.clone(),
            note: step.note.clone(),
            polls: step.polls.clone(),
            stated: step.stated.clone(),
        }
    }

    /// The step got an answer from the target (its exchange may not be kept: a run
    /// keeps the exchanges of failing steps only, unless it writes `--report-html`).
    pub fn answered(&self) -> bool {
        self.status.is_some() || (self.calls > 0 && self.target_error.is_none())
    }
}
