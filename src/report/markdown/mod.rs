//! The Markdown conformance report (GitHub-flavoured): the target's identity, then at
//! the top the verdict, the score (overall and per operation) and the rule ×
//! operation matrix; then setup errors, distinct problems, results per operation and
//! per group, findings by rule, new failures, known deviations (grouped by entry, with
//! their reasons, links, cases and findings), stale and unknown expectation entries and (when given) the coverage section. No
//! table cell holds more than one short line: long texts are cut there and shown whole
//! in collapsible details below their table (`cells`). Everything shown comes from the
//! run document, already scrubbed of secrets.

mod cells;
mod known;
mod sections;
mod tables;

use super::document::RunDocument;
use super::verdict::Verdict;
use cells::{code, escape, Details, Place};
use std::fmt::Write;

/// The verdicts in the order the tables count them.
const VERDICTS: [Verdict; 7] = Verdict::ALL;

/// Renders the report; `coverage` is an already rendered Markdown section, if any.
pub fn render(doc: &RunDocument, coverage: Option<&str>) -> String {
    let mut out = String::new();
    let mut details = Details::default();
    identity(doc, &mut details, &mut out);
    tables::headline(doc, &verdict_text(doc), &mut out);
    tables::matrix(doc, &mut out);
    sections::setup(doc, &mut details, &mut out);
    sections::problems(doc, &mut details, &mut out);
    tables::results(doc, &mut out);
    tables::findings_by_rule(doc, &mut out);
    sections::failures(doc, &mut details, &mut out);
    known::section(doc, &mut details, &mut out);
    sections::unknown_expectations(doc, &mut details, &mut out);
    if let Some(section) = coverage {
        let _ = writeln!(out, "\n{section}");
    }
    out
}

/// The verdict in words.
fn verdict_text(doc: &RunDocument) -> String {
    let known = doc.totals.get(&Verdict::Known).copied().unwrap_or(0);
    if doc.interrupted {
        "interrupted: the run did not finish, so no verdict is claimed".to_owned()
    } else if doc.fails(true) {
        "not conformant: new failures, errors or stale expectations".to_owned()
    } else if known > 0 {
        format!("as expected: conformant except {known} known deviation(s) listed below")
    } else {
        "conformant".to_owned()
    }
}

/// The title and the identity table: target, endpoint, region, credentials source,
/// date, tool, suite, partition.
fn identity(doc: &RunDocument, details: &mut Details, out: &mut String) {
    let cell =
        |details: &mut Details, text: &str, what: &str| details.text(text, what, Place::Cell);
    let title = doc.target.name.lines().next().unwrap_or("");
    let _ = writeln!(
        out,
        "# ECS task API conformance report: {}\n",
        escape(title, Place::Prose)
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| target | {} (kind {}) |",
        cell(details, &doc.target.name, "target"),
        code(&doc.target.kind, Place::Cell)
    );
    let _ = writeln!(
        out,
        "| endpoint | {} |",
        code(&doc.target.endpoint, Place::Cell)
    );
    let _ = writeln!(
        out,
        "| region | {} |",
        code(&doc.target.region, Place::Cell)
    );
    if let Some(credentials) = &doc.target.credentials {
        let _ = writeln!(
            out,
            "| credentials | {} |",
            cell(details, credentials, "credentials")
        );
    }
    let _ = writeln!(out, "| date | {} |", escape(&doc.started_at, Place::Cell));
    let _ = writeln!(
        out,
        "| tool | ecs-conform {} |",
        escape(&doc.tool_version, Place::Cell)
    );
    let _ = writeln!(
        out,
        "| suite | {} cases, content hash {} |",
        doc.suite.cases,
        code(&short(&doc.suite.hash), Place::Cell)
    );
    if let Some(p) = &doc.partition {
        let _ = writeln!(out, "| partition | {} |", escape(p, Place::Cell));
    }
    if doc.interrupted {
        let _ = writeln!(out, "| interrupted | true |");
    }
    out.push('\n');
    details.flush(out);
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

#[cfg(test)]
mod tests;
