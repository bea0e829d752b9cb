//! The matrix cells: pass only where an answer the rule judges came, not applicable
//! outside the rule's scope, not exercised inside it without such an answer, and a
//! finding shown wherever it is.

use super::{build, CellStatus, Matrix};
use crate::finding::Finding;
use crate::report::fixtures::{case, document, failing};
use crate::report::verdict::Verdict;
use crate::rules::Rule;

fn status(m: &Matrix, rule: Rule, column: &str) -> CellStatus {
    let col = m
        .columns
        .iter()
        .position(|c| c.name == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let row = m
        .rows
        .iter()
        .find(|r| r.rule == rule.id())
        .unwrap_or_else(|| panic!("no row {rule}"));
    row.cells[col].status
}

#[test]
fn a_rule_is_not_applicable_to_an_operation_it_never_judges() {
    let m = build(&failing());
    assert_eq!(status(&m, Rule::RunEcho, "RunTask"), CellStatus::Pass);
    assert_eq!(
        status(&m, Rule::RunEcho, "DescribeTasks"),
        CellStatus::NotApplicable
    );
    assert_eq!(
        status(&m, Rule::RunEcho, "ListTasks"),
        CellStatus::NotApplicable
    );
    assert_eq!(
        status(&m, Rule::ListNoRepeat, "ListTasks"),
        CellStatus::NotExercised
    );
    assert_eq!(
        status(&m, Rule::ListNoRepeat, "RunTask"),
        CellStatus::NotApplicable
    );
    // The wire rules judge any operation; no case here calls ListTasks.
    assert_eq!(status(&m, Rule::WireStatus, "RunTask"), CellStatus::Pass);
    assert_eq!(
        status(&m, Rule::WireStatus, "ListTasks"),
        CellStatus::NotExercised
    );
    // A group: its cases call RunTask (run.echo applies) or no case is in it.
    assert_eq!(status(&m, Rule::RunEcho, "lifecycle"), CellStatus::Pass);
    assert_eq!(
        status(&m, Rule::RunEcho, "negative"),
        CellStatus::NotApplicable
    );
}

#[test]
fn an_error_rule_passes_only_where_an_error_answer_came() {
    let doc = failing();
    let m = build(&doc);
    // Every step of the fixture answered 200: no error answer was judged.
    assert_eq!(
        status(&m, Rule::ErrorType, "DescribeTasks"),
        CellStatus::NotExercised
    );
    assert_eq!(
        status(&m, Rule::SchemaError, "RunTask"),
        CellStatus::NotExercised
    );
    assert_eq!(
        status(&m, Rule::ErrorType, "isolation"),
        CellStatus::NotApplicable
    );

    let mut refused = case("errors/refused", Verdict::Pass, Vec::new());
    refused.steps[1].status = Some(400);
    let m = build(&document(vec![refused]));
    assert_eq!(
        status(&m, Rule::ErrorType, "DescribeTasks"),
        CellStatus::Pass
    );
    assert_eq!(status(&m, Rule::ErrorType, "errors"), CellStatus::Pass);
    // schema.response judges success answers: DescribeTasks had none.
    assert_eq!(
        status(&m, Rule::SchemaResponse, "DescribeTasks"),
        CellStatus::NotExercised
    );
    assert_eq!(
        status(&m, Rule::SchemaResponse, "RunTask"),
        CellStatus::Pass
    );
}

#[test]
fn a_finding_shows_even_outside_the_scope() {
    // run.echo never judges DescribeTasks; a finding there still colours the cell.
    let stray = Finding::new(Rule::RunEcho, "/tasks/0/group").actual("x");
    let m = build(&document(vec![case(
        "describe-tasks/x",
        Verdict::Fail,
        vec![stray],
    )]));
    assert_eq!(status(&m, Rule::RunEcho, "DescribeTasks"), CellStatus::Fail);
    let row = m.rows.iter().find(|r| r.rule == "run.echo").unwrap();
    assert!(row.cells.iter().any(|c| c.findings.len() == 1));
}

#[test]
fn a_step_without_a_known_status_counts_only_for_rules_of_any_answer() {
    // A run document written before steps kept their status.
    let mut old = case("describe-tasks/old", Verdict::Pass, Vec::new());
    for step in &mut old.steps {
        step.status = None;
    }
    let m = build(&document(vec![old]));
    assert_eq!(
        status(&m, Rule::WireStatus, "DescribeTasks"),
        CellStatus::Pass
    );
    assert_eq!(
        status(&m, Rule::SchemaResponse, "DescribeTasks"),
        CellStatus::NotExercised
    );
}

#[test]
fn rules_a_case_states_pass_only_where_a_step_states_them() {
    // No step states headers or a status: those cells claim nothing.
    let mut stated = case("run-task/stated", Verdict::Pass, Vec::new());
    stated.steps[0].stated = vec![Rule::ExpectSuccess, Rule::SaveMissing];
    stated.steps[1].stated = vec![Rule::ExpectBody];
    let m = build(&document(vec![stated]));
    assert_eq!(status(&m, Rule::ExpectSuccess, "RunTask"), CellStatus::Pass);
    assert_eq!(status(&m, Rule::SaveMissing, "RunTask"), CellStatus::Pass);
    assert_eq!(
        status(&m, Rule::ExpectBody, "RunTask"),
        CellStatus::NotExercised
    );
    assert_eq!(
        status(&m, Rule::ExpectBody, "DescribeTasks"),
        CellStatus::Pass
    );
    assert_eq!(
        status(&m, Rule::ExpectHeaders, "DescribeTasks"),
        CellStatus::NotExercised
    );
    assert_eq!(
        status(&m, Rule::UntilTimeout, "DescribeTasks"),
        CellStatus::NotExercised
    );
}

#[test]
fn snapshot_rules_pass_only_where_an_answer_was_compared_with_its_snapshot() {
    // A run with --no-snapshots compared nothing: no snapshot rule claims a pass.
    let m = build(&failing());
    assert_eq!(
        status(&m, Rule::SnapshotMismatch, "RunTask"),
        CellStatus::NotExercised
    );
    assert_eq!(
        status(&m, Rule::SnapshotMissing, "lifecycle"),
        CellStatus::NotExercised
    );

    let mut compared = case("run-task/snap", Verdict::Pass, Vec::new());
    compared.steps[0].stated = vec![Rule::SnapshotMismatch];
    let m = build(&document(vec![compared]));
    assert_eq!(
        status(&m, Rule::SnapshotMismatch, "RunTask"),
        CellStatus::Pass
    );
    assert_eq!(
        status(&m, Rule::SnapshotMismatch, "DescribeTasks"),
        CellStatus::NotExercised
    );
}

#[test]
fn a_target_error_fails_its_rules_in_its_operation() {
    let mut refused = case("list-tasks/huge", Verdict::Error, Vec::new());
    refused.steps[1].call = "ListTasks".into();
    refused.steps[1].status = None;
    refused.steps[1].target_error =
        Some("wire.body-too-large: the answer to ListTasks exceeded the 8 MiB cap".into());
    let mut known = case("describe-tasks/html", Verdict::Known, Vec::new());
    known.steps[1].status = None;
    known.steps[1].target_error = Some("the target answered HTML".into());
    let m = build(&document(vec![refused, known]));
    assert_eq!(status(&m, Rule::TargetError, "ListTasks"), CellStatus::Fail);
    assert_eq!(
        status(&m, Rule::WireBodyTooLarge, "ListTasks"),
        CellStatus::Fail
    );
    assert_eq!(
        status(&m, Rule::TargetError, "DescribeTasks"),
        CellStatus::Known
    );
    assert_eq!(
        status(&m, Rule::WireBodyTooLarge, "DescribeTasks"),
        CellStatus::Pass
    );
    assert_eq!(status(&m, Rule::TargetError, "RunTask"), CellStatus::Pass);
    let row = m.rows.iter().find(|r| r.rule == "target.error").unwrap();
    let listed = &row.cells[3].findings;
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0].text.contains("exceeded the 8 MiB cap"),
        "{}",
        listed[0].text
    );
}
