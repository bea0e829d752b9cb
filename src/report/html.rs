//! The self-contained HTML conformance report (`--report-html`): headline (verdict,
//! score overall and per operation, target, versions, date, duration), the operation ×
//! rule matrix, distinct problems, known deviations and stale entries, the suite's
//! coverage, and every case
//! with its steps (request, response, findings, curl, snapshot diffs). Rendered by
//! minijinja from `templates/report.html.j2` with HTML auto-escaping; everything shown
//! comes from the run document, whose exchanges are already scrubbed of secrets.

pub mod matrix;

use super::document::{CaseEntry, RunDocument};
use super::profile::Known;
use super::score::{self, Score, Standing};
use super::templates::{self, TemplateError};
use super::verdict::Verdict;
use crate::contract::LIFECYCLE;
use crate::coverage::{Coverage, Item, OperationCoverage};
use crate::finding::{Finding, Severity};
use serde::Serialize;

#[derive(Serialize)]
struct Context<'a> {
    doc: &'a RunDocument,
    hash: String,
    duration: String,
    standing: Standing,
    standing_text: &'static str,
    score: Score,
    score_label: String,
    operations: Vec<OperationScore>,
    totals: Vec<(&'static str, usize)>,
    matrix: matrix::Matrix,
    known: Vec<KnownView<'a>>,
    stale: Vec<&'a CaseEntry>,
    cases: Vec<CaseView<'a>>,
    /// The suite's coverage (none for a merged report).
    coverage: Option<Vec<CoverageRow<'a>>>,
}

/// One operation's coverage, counted for the page.
#[derive(Serialize)]
struct CoverageRow<'a> {
    #[serde(flatten)]
    op: &'a OperationCoverage,
    parameters: (usize, usize),
    errors: (usize, usize),
    fields: (usize, usize),
    filters_both_ways: usize,
    /// Parameters never sent and error types never expected, with the reason when
    /// `cases/coverage.yaml` gives one.
    gaps: Vec<(&'a str, Option<&'a str>)>,
}

fn coverage_row(op: &OperationCoverage) -> CoverageRow<'_> {
    let count = |items: &[Item], covered: fn(&Item) -> bool| {
        (items.iter().filter(|i| covered(i)).count(), items.len())
    };
    CoverageRow {
        parameters: count(&op.parameters, |i| i.exercised),
        errors: count(&op.errors, |i| i.asserted),
        fields: count(&op.response_fields, |i| i.asserted),
        filters_both_ways: op.filters.iter().filter(|f| f.both_ways()).count(),
        gaps: op
            .parameters
            .iter()
            .filter(|i| !i.exercised)
            .chain(op.errors.iter().filter(|i| !i.asserted))
            .map(|i| (i.name.as_str(), i.excluded.as_deref()))
            .collect(),
        op,
    }
}

#[derive(Serialize)]
struct OperationScore {
    operation: String,
    passed: usize,
    total: usize,
    label: String,
}

#[derive(Serialize)]
struct KnownView<'a> {
    case: &'a str,
    entry: &'a Known,
}

#[derive(Serialize)]
struct CaseView<'a> {
    #[serde(flatten)]
    case: &'a CaseEntry,
    verdict_name: &'static str,
    duration: String,
    steps: Vec<StepView<'a>>,
}

#[derive(Serialize)]
struct StepView<'a> {
    #[serde(flatten)]
    step: &'a super::steps::StepEntry,
    findings: Vec<FindingView>,
    /// One row per task of a polled step's answers.
    timeline: Vec<Vec<Stretch>>,
}

/// Polls in a row that saw one task in the same lastStatus.
#[derive(Debug, Serialize, PartialEq)]
struct Stretch {
    status: String,
    from_ms: u64,
    to_ms: u64,
    polls: usize,
    /// The status is earlier in the lifecycle than the one before it.
    backwards: bool,
}

/// The lastStatus timeline of a polled step: per task (by position in the answers),
/// the stretches of polls that saw the same status.
fn timeline(polls: &[crate::run::Poll]) -> Vec<Vec<Stretch>> {
    let tasks = polls.iter().map(|p| p.last_status.len()).max().unwrap_or(0);
    // A status earlier in the lifecycle than the one before it went backwards
    // (unknown statuses are not judged).
    let rank = |s: &str| LIFECYCLE.iter().position(|l| *l == s);
    (0..tasks)
        .map(|task| {
            let mut row: Vec<Stretch> = Vec::new();
            for poll in polls {
                let Some(status) = poll.last_status.get(task) else {
                    continue;
                };
                match row.last_mut() {
                    Some(last) if last.status == *status => {
                        last.to_ms = poll.at_ms;
                        last.polls += 1;
                    }
                    last => {
                        let backwards = last
                            .and_then(|l| Some((rank(&l.status)?, rank(status)?)))
                            .is_some_and(|(before, now)| now < before);
                        row.push(Stretch {
                            status: status.clone(),
                            from_ms: poll.at_ms,
                            to_ms: poll.at_ms,
                            polls: 1,
                            backwards,
                        });
                    }
                }
            }
            row
        })
        .collect()
}

#[derive(Serialize)]
struct FindingView {
    rule: String,
    severity: Severity,
    line: String,
    /// Lines after the first of the message (a snapshot's diff), each with its class.
    diff: Vec<DiffLine>,
}

#[derive(Serialize)]
struct DiffLine {
    class: &'static str,
    text: String,
}

/// `[fail] rule at /pointer: first line of the message (expected …, got …)`.
pub fn finding_line(f: &Finding) -> String {
    let first = f.message.lines().next().unwrap_or("");
    Finding {
        message: first.to_owned(),
        ..f.clone()
    }
    .to_string()
}

/// The lines after the first of a finding's message, classed as a diff: `add` (+),
/// `del` (-), `hunk` (@@) or `ctx`.
fn diff_lines(message: &str) -> Vec<DiffLine> {
    message
        .lines()
        .skip(1)
        .map(|line| {
            let trimmed = line.trim_start();
            let class = if trimmed.starts_with("@@") {
                "hunk"
            } else if trimmed.starts_with('+') {
                "add"
            } else if trimmed.starts_with('-') {
                "del"
            } else {
                "ctx"
            };
            DiffLine {
                class,
                text: line.to_owned(),
            }
        })
        .collect()
}

fn case_view(case: &CaseEntry) -> CaseView<'_> {
    let steps = case
        .steps
        .iter()
        .map(|step| StepView {
            step,
            timeline: timeline(&step.polls),
            findings: case
                .findings
                .iter()
                .filter(|f| f.phase == step.phase && f.step == step.index)
                .map(|f| FindingView {
                    rule: f.finding.rule.id().to_owned(),
                    severity: f.finding.severity,
                    line: finding_line(&f.finding),
                    diff: diff_lines(&f.finding.message),
                })
                .collect(),
        })
        .collect();
    CaseView {
        case,
        verdict_name: case.verdict.as_str(),
        duration: format!("{:.2} s", case.duration_secs),
        steps,
    }
}

/// Renders the HTML report of a run document, with the suite's coverage when given.
pub fn render(doc: &RunDocument, coverage: Option<&Coverage>) -> Result<String, TemplateError> {
    let score = score::overall(doc);
    let standing = Standing::of(doc);
    let operations = score::by_operation(doc)
        .into_iter()
        .map(|(operation, s)| OperationScore {
            operation,
            passed: s.passed,
            total: s.total,
            label: s.label(),
        })
        .collect();
    let totals = Verdict::ALL
        .into_iter()
        .map(|v| (v.as_str(), doc.totals.get(&v).copied().unwrap_or(0)))
        .collect();
    let known = doc
        .cases
        .iter()
        .filter(|c| c.verdict == Verdict::Known)
        .flat_map(|c| c.known.iter().map(|entry| KnownView { case: &c.id, entry }))
        .collect();
    let context = Context {
        doc,
        hash: doc.suite.hash.chars().take(12).collect(),
        duration: format!("{:.1} s", doc.duration_secs),
        standing,
        standing_text: if doc.interrupted {
            "interrupted: no verdict"
        } else {
            standing.as_str()
        },
        score_label: score.label(),
        score,
        operations,
        totals,
        matrix: matrix::build(doc),
        known,
        stale: doc
            .cases
            .iter()
            .filter(|c| c.verdict == Verdict::Fixed)
            .collect(),
        cases: doc.cases.iter().map(case_view).collect(),
        coverage: coverage.map(|c| c.operations.iter().map(coverage_row).collect()),
    };
    templates::render(templates::REPORT_HTML, context)
}

#[cfg(test)]
mod tests;
