//! Run documents for the unit tests of the reports: a clean run, a run with known
//! deviations only and a run whose failures share problems across cases.

use super::document::{CaseEntry, FindingEntry, RunDocument, SuiteInfo, TargetInfo, FORMAT};
use super::profile::Known;
use super::steps::StepEntry;
use super::verdict::Verdict;
use crate::finding::Finding;
use crate::rules::Rule;
use std::collections::BTreeMap;

/// A case `id` with `verdict`, one RunTask and one DescribeTasks step, and `findings`
/// on its DescribeTasks step.
pub fn case(id: &str, verdict: Verdict, findings: Vec<Finding>) -> CaseEntry {
    let step = |index: usize, call: &str| StepEntry {
        phase: "step".into(),
        index,
        call: call.into(),
        line: index * 5,
        calls: 1,
        status: Some(200),
        request: Some("{\"cluster\": \"c\"}".into()),
        response: Some("HTTP 200 (3 ms)\n\n{\"tasks\": []}".into()),
        curl: Some("curl -sS -X POST 'http://127.0.0.1:1/'".into()),
        target_error: None,
        note: None,
        polls: Vec::new(),
        stated: Vec::new(),
    };
    CaseEntry {
        id: id.into(),
        name: id.into(),
        file: format!("cases/{id}.yaml"),
        tags: Vec::new(),
        cites: String::new(),
        verdict,
        reason: None,
        duration_secs: 0.5,
        known: if verdict == Verdict::Known {
            vec![Known {
                case: id.into(),
                rule: Some("schema.response".into()),
                reason: "the emulator <b>sends</b> a wrong stopCode".into(),
                pointer: None,
                link: Some("https://example.com/issue/1".into()),
            }]
        } else {
            Vec::new()
        },
        findings: findings
            .into_iter()
            .map(|finding| FindingEntry {
                phase: "step".into(),
                step: 2,
                call: "DescribeTasks".into(),
                line: 10,
                finding,
            })
            .collect(),
        details: None,
        steps: vec![step(1, "RunTask"), step(2, "DescribeTasks")],
    }
}

/// A wrong stopCode at task `index`.
pub fn wrong_stop_code(index: usize, observed: &str) -> Finding {
    Finding::new(Rule::SchemaResponse, format!("/tasks/{index}/stopCode"))
        .expected("one of UserInitiated, TaskFailedToStart, EssentialContainerExited")
        .actual(observed)
        .message("a value outside the enum")
}

/// A document of these cases, totals and problems counted.
pub fn document(cases: Vec<CaseEntry>) -> RunDocument {
    let mut doc = RunDocument {
        format: FORMAT.into(),
        tool_version: "0.1.0".into(),
        suite: SuiteInfo {
            cases: cases.len(),
            hash: "0123456789abcdef".into(),
        },
        target: TargetInfo {
            name: "emulator <x>".into(),
            kind: "emulator".into(),
            endpoint: "http://127.0.0.1:4566".into(),
            region: "us-east-1".into(),
            credentials: None,
        },
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_secs: 12.5,
        partition: None,
        interrupted: false,
        totals: BTreeMap::new(),
        unknown_expectations: Vec::new(),
        problems: Vec::new(),
        setup: Vec::new(),
        cases,
    };
    doc.recount();
    doc
}

/// Every case passes.
pub fn clean() -> RunDocument {
    document(vec![
        case("run-task/basic", Verdict::Pass, Vec::new()),
        case("stop-task/stop-code", Verdict::Pass, Vec::new()),
        case("lifecycle/reaches-running", Verdict::Pass, Vec::new()),
    ])
}

/// Passes and known deviations only.
pub fn known_only() -> RunDocument {
    document(vec![
        case("run-task/basic", Verdict::Pass, Vec::new()),
        case(
            "stop-task/stop-code",
            Verdict::Known,
            vec![wrong_stop_code(0, "\"Stopped\"")],
        ),
    ])
}

/// The same wrong stopCode in three failing cases (at different task indexes), once
/// in a known case, and another problem in one case.
pub fn failing() -> RunDocument {
    document(vec![
        case("run-task/basic", Verdict::Pass, Vec::new()),
        case(
            "stop-task/a",
            Verdict::Fail,
            vec![wrong_stop_code(0, "\"Stopped\"")],
        ),
        case(
            "stop-task/b",
            Verdict::Fail,
            vec![
                wrong_stop_code(1, "\"Stopped\""),
                wrong_stop_code(2, "\"Stopped\""),
            ],
        ),
        case(
            "lifecycle/c",
            Verdict::Fail,
            vec![
                wrong_stop_code(0, "\"Stopped\""),
                Finding::new(Rule::LifecycleMonotonic, "/tasks/0/lastStatus")
                    .expected("STOPPED or later")
                    .actual("\"RUNNING\""),
            ],
        ),
        case(
            "stop-task/known",
            Verdict::Known,
            vec![wrong_stop_code(0, "\"Halted\"")],
        ),
    ])
}
