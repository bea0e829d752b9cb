//! The operation × rule matrix of the HTML report: one row per rule of the table, one
//! column per operation (the four task operations and any other a case called) and
//! per case group (lifecycle, errors, negative, isolation); each cell's status and the
//! findings behind it.

use crate::finding::Finding;
use crate::finding::Severity;
use crate::report::document::CaseEntry;
use crate::report::document::RunDocument;
use crate::report::steps::StepEntry;
use crate::report::verdict::error_rules;
use crate::report::verdict::Verdict;
use crate::rules::scope::{Answers, Scope};
use crate::rules::Rule;
use serde::Serialize;

/// The operations shown first, in this order; other operations follow by name.
pub const OPERATIONS: [&str; 4] = ["RunTask", "StopTask", "DescribeTasks", "ListTasks"];
/// The case groups (folders) shown after the operations.
pub const GROUPS: [&str; 4] = ["lifecycle", "errors", "negative", "isolation"];

/// A column: an operation or a group of cases.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    /// `operation` or `group`.
    pub kind: &'static str,
}

/// How a rule stands in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    /// The rule does not judge this operation (`src/rules/scope.json`), or no case of
    /// the group calls an operation it judges.
    NotApplicable,
    /// The rule judges this operation, but no answer it judges came (for a group: from
    /// the group's cases).
    NotExercised,
    /// An answer the rule judges came, and no finding of the rule failed a case.
    Pass,
    /// Findings of the rule failed only cases that are listed known deviations.
    Known,
    /// A finding of the rule failed a case.
    Fail,
}

/// One finding behind a cell, linking to its case.
#[derive(Debug, Clone, Serialize)]
pub struct CellFinding {
    pub case: String,
    pub step: usize,
    pub call: String,
    pub severity: Severity,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// `m-<rule>-<column>`: the cell's own id.
    pub id: String,
    /// `f-<rule>-<column>`: the list of its findings, when there are any.
    pub target: String,
    pub status: CellStatus,
    pub findings: Vec<CellFinding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub rule: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// What a finding does to its case: fail, known, or nothing (noted only).
fn finding_status(verdict: Verdict, severity: Severity) -> Option<CellStatus> {
    match (verdict, severity) {
        (Verdict::Fail | Verdict::Error, Severity::Fail) => Some(CellStatus::Fail),
        (Verdict::Known, Severity::Fail) => Some(CellStatus::Known),
        _ => None,
    }
}

/// The matrix of a run document.
pub fn build(doc: &RunDocument) -> Matrix {
    let mut operations: Vec<String> = OPERATIONS.iter().map(|s| (*s).to_owned()).collect();
    let mut others: Vec<String> = doc
        .cases
        .iter()
        .flat_map(|c| &c.steps)
        .map(|s| s.call.clone())
        .filter(|call| !operations.contains(call))
        .collect();
    others.sort();
    others.dedup();
    operations.extend(others);
    let mut columns: Vec<Column> = operations
        .into_iter()
        .map(|name| Column {
            name,
            kind: "operation",
        })
        .collect();
    columns.extend(GROUPS.iter().map(|g| Column {
        name: (*g).to_owned(),
        kind: "group",
    }));

    // Every case's findings, target errors included, gathered once for all cells.
    let case_findings: Vec<(&CaseEntry, Vec<Located>)> =
        doc.cases.iter().map(|c| (c, case_findings(c))).collect();
    let rows = crate::rules::all()
        .iter()
        .map(|info| {
            let scope = crate::rules::scope::of(info.rule);
            let cells = columns
                .iter()
                .map(|col| {
                    let mut status = base_status(doc, info.rule, scope, col);
                    let mut findings = Vec::new();
                    for (case, found) in &case_findings {
                        let in_group = col.kind == "group" && case.group() == col.name;
                        for &(step, call, ref finding) in found {
                            if finding.rule != info.rule
                                || !(in_group || (col.kind == "operation" && call == col.name))
                            {
                                continue;
                            }
                            // A finding shows wherever it is, even outside the scope.
                            status = status.max(CellStatus::Pass);
                            if let Some(s) = finding_status(case.verdict, finding.severity) {
                                status = status.max(s);
                            }
                            findings.push(CellFinding {
                                case: case.id.clone(),
                                step,
                                call: call.to_owned(),
                                severity: finding.severity,
                                text: finding.to_string(),
                            });
                        }
                    }
                    Cell {
                        id: format!("m-{}-{}", info.id, col.name),
                        target: format!("f-{}-{}", info.id, col.name),
                        status,
                        findings,
                    }
                })
                .collect();
            Row {
                rule: info.id,
                severity: info.severity,
                summary: info.summary,
                cells,
            }
        })
        .collect();
    Matrix { columns, rows }
}

/// A finding with the index of its step and its operation.
type Located<'a> = (usize, &'a str, Finding);

/// Every finding of a case with its step and operation: the findings of its steps,
/// and for a step that got no usable answer the rules of its target error
/// (`target.error`, and the rule its message names, e.g. `wire.body-too-large`).
fn case_findings(case: &CaseEntry) -> Vec<Located<'_>> {
    let mut out: Vec<Located<'_>> = case
        .findings
        .iter()
        .map(|f| (f.step, f.call.as_str(), f.finding.clone()))
        .collect();
    for step in &case.steps {
        if let Some(reason) = &step.target_error {
            out.extend(
                error_rules(reason)
                    .map(|f| (step.index, step.call.as_str(), f.message(reason.clone()))),
            );
        }
    }
    out
}

/// A cell's status before its findings: not applicable outside the rule's scope,
/// pass when an answer in the scope came, else not exercised. A rule without a scope
/// (never, see `rules::scope`) judges every answer.
fn base_status(doc: &RunDocument, rule: Rule, scope: Option<&Scope>, col: &Column) -> CellStatus {
    let covers_op = |call: &str| scope.is_none_or(|s| s.covers_operation(call));
    let covers_step = |step: &StepEntry| {
        covers_op(&step.call)
            && match scope {
                None => step.answered(),
                // A document written before steps kept their status knows only that
                // an answer came.
                Some(s) => {
                    s.covers_answer(step.status, step.calls > 0, step.stated.contains(&rule))
                        || (step.status.is_none()
                            && step.answered()
                            && s.answers == Answers::Answer)
                }
            }
    };
    let (applicable, exercised) = if col.kind == "operation" {
        let applicable = covers_op(&col.name);
        let exercised = doc
            .cases
            .iter()
            .flat_map(|c| &c.steps)
            .any(|s| s.call == col.name && covers_step(s));
        (applicable, exercised)
    } else {
        let cases = || {
            doc.cases
                .iter()
                .filter(|c| c.group() == col.name && c.verdict != Verdict::Skipped)
        };
        let applicable = doc
            .cases
            .iter()
            .filter(|c| c.group() == col.name)
            .flat_map(|c| &c.steps)
            .any(|s| covers_op(&s.call));
        let exercised = cases().flat_map(|c| &c.steps).any(covers_step);
        (applicable, exercised)
    };
    match (applicable, exercised) {
        (false, _) => CellStatus::NotApplicable,
        (true, true) => CellStatus::Pass,
        (true, false) => CellStatus::NotExercised,
    }
}

#[cfg(test)]
mod tests;
