//! Distinct problems: one problem per (rule, generalised path, observed value), with
//! its cases, most cases first.

use super::*;
use crate::report::fixtures::{case, document, failing, wrong_stop_code};

#[test]
fn the_same_wrong_value_in_several_cases_is_one_problem() {
    let doc = failing();
    let first = &doc.problems[0];
    assert_eq!(first.rule, "schema.response");
    assert_eq!(first.path, "/tasks/*/stopCode");
    assert_eq!(first.observed, "\"Stopped\"");
    // Once per case, though stop-task/b has it at two task indexes.
    assert_eq!(
        first.cases,
        vec!["lifecycle/c", "stop-task/a", "stop-task/b"]
    );
    assert!(!first.known);
    // The other value and the other rule are problems of their own.
    assert_eq!(doc.problems.len(), 3);
    let halted = doc
        .problems
        .iter()
        .find(|p| p.observed == "\"Halted\"")
        .unwrap();
    assert!(halted.known, "only in a known case");
    assert_eq!(halted.cases, vec!["stop-task/known"]);
    assert!(doc
        .problems
        .iter()
        .any(|p| p.rule == "lifecycle.monotonic" && p.path == "/tasks/*/lastStatus"));
}

#[test]
fn a_problem_in_a_known_and_a_failing_case_is_not_known() {
    let doc = document(vec![
        case("a", Verdict::Known, vec![wrong_stop_code(0, "\"Stopped\"")]),
        case("b", Verdict::Fail, vec![wrong_stop_code(0, "\"Stopped\"")]),
    ]);
    assert_eq!(doc.problems.len(), 1);
    assert!(!doc.problems[0].known);
    assert_eq!(doc.problems[0].cases, vec!["a", "b"]);
}

#[test]
fn passing_cases_and_findings_that_do_not_fail_make_no_problem() {
    let drift = crate::finding::Finding::new(crate::rules::Rule::SchemaDriftField, "/tasks/0/x")
        .actual("1");
    let doc = document(vec![
        case("a", Verdict::Pass, vec![drift.clone()]),
        case("b", Verdict::Fail, vec![drift]),
    ]);
    assert!(doc.problems.is_empty());
}

#[test]
fn merging_recounts_the_problems() {
    let mut doc = failing();
    doc.problems.clear();
    let merged = crate::report::document::RunDocument::merge(vec![doc]).unwrap();
    assert_eq!(merged.problems[0].cases.len(), 3);
}

#[test]
fn list_indexes_are_generalised_and_pseudo_locations_kept() {
    assert_eq!(
        generalise("/tasks/0/containers/12/name"),
        "/tasks/*/containers/*/name"
    );
    assert_eq!(generalise("/failures/0/arn"), "/failures/*/arn");
    assert_eq!(
        generalise("header:x-amzn-RequestId"),
        "header:x-amzn-RequestId"
    );
    assert_eq!(generalise("status"), "status");
    assert_eq!(generalise(""), "");
}

#[test]
fn the_summary_and_the_markdown_report_list_the_problems() {
    let doc = failing();
    let summary = crate::report::text::summary(&doc);
    assert!(summary.contains("3 distinct problems"), "{summary}");
    assert!(
        summary.contains(
            "schema.response at /tasks/*/stopCode: \"Stopped\" in 3 cases (lifecycle/c, stop-task/a, stop-task/b)"
        ),
        "{summary}"
    );
    assert!(summary.contains("\"Halted\" in 1 case (stop-task/known) (known)"));
    let md = crate::report::markdown::render(&doc, None);
    let section = md.find("## Distinct problems").unwrap();
    assert!(section < md.find("## Results per operation").unwrap());
    assert!(md.contains("| 3 | `schema.response` | `/tasks/*/stopCode` | \"Stopped\" |"));
    // A clean run says nothing about problems.
    let clean = crate::report::fixtures::clean();
    assert!(!crate::report::text::summary(&clean).contains("distinct"));
    assert!(!crate::report::markdown::render(&clean, None).contains("Distinct problems"));
}

#[test]
fn a_run_with_known_deviations_only_has_known_problems_only() {
    let doc = crate::report::fixtures::known_only();
    assert_eq!(doc.problems.len(), 1);
    assert!(doc.problems.iter().all(|p| p.known));
}

#[test]
fn per_run_identifiers_do_not_make_problems_distinct() {
    let arn = |cluster: &str, task: &str| {
        format!("arn:aws:ecs:us-east-1:123456789012:task-definition/ecs-conform-{cluster}:1/{task}")
    };
    let wrong = |id: &str, observed: String| {
        case(
            id,
            Verdict::Fail,
            vec![crate::finding::Finding::new(
                crate::rules::Rule::ArnFormat,
                "/tasks/0/containers/0/taskArn",
            )
            .actual(observed)],
        )
    };
    let doc = document(vec![
        wrong("a", arn("c8185445", "0f1e2d3c4b5a69788796a5b4c3d2e1f0")),
        wrong("b", arn("d91aa2b7", "a90dc906d7550c732276423db304f789")),
    ]);
    assert_eq!(doc.problems.len(), 1, "{:#?}", doc.problems);
    assert_eq!(
        doc.problems[0].observed,
        "arn:aws:ecs:us-east-1:<id>:task-definition/ecs-conform-<id>:1/<id>"
    );
    assert_eq!(generic_ids("\"Stopped\""), "\"Stopped\"");
    assert_eq!(
        generic_ids("x 123e4567-e89b-12d3-a456-426614174000 y"),
        "x <id> y"
    );
    assert_eq!(generic_ids("exitCode 0"), "exitCode 0");
}
