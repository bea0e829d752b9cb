//! The listing sections of the Markdown report: setup errors and teardown warnings,
//! distinct problems, new failures and stale entries, and expectation entries that
//! name no case. Each writes its long texts' details right after itself.

use super::cells::{code, escape, Details, Place};
use crate::finding::{Finding, Severity};
use crate::report::document::RunDocument;
use crate::report::html::finding_line;
use crate::report::verdict::Verdict;
use std::fmt::Write;

/// A finding's whole text: its line (`[fail] rule at /pointer: message (expected …,
/// got …)`, with the message's first line) then the message's further lines (a
/// snapshot's diff).
pub fn finding_text(f: &Finding) -> String {
    let mut text = finding_line(f);
    for line in f.message.lines().skip(1) {
        text.push('\n');
        text.push_str(line);
    }
    text
}

/// A link target safe in a Markdown link inside a table cell.
pub fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '|' => out.push_str("%7C"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '\\' => out.push_str("%5C"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Setup errors (with the cases they block) and teardown warnings, when there are any.
pub fn setup(doc: &RunDocument, details: &mut Details, out: &mut String) {
    if doc.setup.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Setup errors and teardown warnings\n");
    let _ = writeln!(
        out,
        "| fixture | phase | step | where | problem | hint | blocked cases |\n|---|---|---|---|---|---|---|"
    );
    for s in &doc.setup {
        let (phase, blocked) = match s.phase {
            crate::run::SetupPhase::Setup => {
                ("setup error", doc.blocked_by(&s.fixture).to_string())
            }
            crate::run::SetupPhase::Teardown => ("teardown warning", "—".to_owned()),
        };
        let problem = match &s.error {
            Some(e) if !s.problem.contains(e.as_str()) => {
                format!("{} (target answered {e})", s.problem)
            }
            _ => s.problem.clone(),
        };
        let what = format!("fixture {} step {} {}", s.fixture, s.step, s.call);
        let _ = writeln!(
            out,
            "| {} | {phase} | {} {} | {} | {} | {} | {blocked} |",
            code(&s.fixture, Place::Cell),
            s.step,
            escape(&s.call, Place::Cell),
            code(&s.location(), Place::Cell),
            details.text(&problem, &format!("{what}: problem"), Place::Cell),
            details.text(
                s.hint.as_deref().unwrap_or(""),
                &format!("{what}: hint"),
                Place::Cell
            ),
        );
    }
    out.push('\n');
    details.flush(out);
}

/// Distinct problems, most cases first, when there are any.
pub fn problems(doc: &RunDocument, details: &mut Details, out: &mut String) {
    if doc.problems.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Distinct problems\n\n{} distinct problem(s): a rule broken at a path with an observed value; fixing one fixes every case it appears in.\n",
        doc.problems.len()
    );
    let _ = writeln!(
        out,
        "| cases | rule | path | observed | expected | known | in |\n|---|---|---|---|---|---|---|"
    );
    for p in &doc.problems {
        let what = format!("{} at {}", p.rule, p.path);
        let path = if p.path.chars().count() > super::cells::CELL_LIMIT || p.path.contains('\n') {
            details.text(&p.path, &format!("{what}: path"), Place::Cell)
        } else {
            code(&p.path, Place::Cell)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {path} | {} | {} | {} | {} |",
            p.cases.len(),
            code(&p.rule, Place::Cell),
            details.text(&p.observed, &format!("{what}: observed"), Place::Cell),
            details.text(&p.expected, &format!("{what}: expected"), Place::Cell),
            if p.known { "yes" } else { "no" },
            details.list(
                &p.cases,
                &format!("{what}: the {} cases", p.cases.len()),
                Place::Cell
            ),
        );
    }
    out.push('\n');
    details.flush(out);
}

/// Cases that fail, errored or are stale known deviations (fixed), each with its first
/// failing finding or its reason.
pub fn failures(doc: &RunDocument, details: &mut Details, out: &mut String) {
    let failing: Vec<_> = doc
        .cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Error | Verdict::Fixed))
        .collect();
    if failing.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## New failures, errors and stale entries\n");
    for c in failing {
        let first = c
            .findings
            .iter()
            .find(|f| f.finding.severity == Severity::Fail);
        let (text, summary) = match first {
            Some(f) => (
                format!("{}: {}", f.place(), finding_text(&f.finding)),
                format!("{}: {} at {}", f.place(), f.finding.rule, f.finding.pointer),
            ),
            None if c.verdict == Verdict::Fixed => (
                format!(
                    "listed as a known deviation but passed: remove the entry ({})",
                    crate::report::profile::Known::reasons(&c.known)
                ),
                format!("{}: the stale entry", c.id),
            ),
            None => (
                c.reason.clone().unwrap_or_default(),
                format!("{}: {}", c.id, c.verdict.as_str()),
            ),
        };
        let _ = writeln!(
            out,
            "- **{}** {} — {}",
            c.verdict.as_str(),
            code(&c.id, Place::Prose),
            details.text(&text, &summary, Place::Prose)
        );
    }
    out.push('\n');
    details.flush(out);
}

/// Known-deviation entries of the target file that name no case of the suite.
pub fn unknown_expectations(doc: &RunDocument, details: &mut Details, out: &mut String) {
    if doc.unknown_expectations.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Expectation entries that name no case\n");
    for k in &doc.unknown_expectations {
        let _ = writeln!(
            out,
            "- {}: {}",
            code(&k.case, Place::Prose),
            details.text(&k.reason, &format!("{}: why", k.case), Place::Prose)
        );
    }
    out.push('\n');
    details.flush(out);
}
