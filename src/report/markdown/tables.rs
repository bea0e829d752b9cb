//! The counting tables of the Markdown report: the headline (verdict, score overall and
//! per operation), the rule × operation matrix, results per operation and per group,
//! and findings by rule.

use super::cells::{code, escape, Place};
use super::VERDICTS;
use crate::finding::Severity;
use crate::report::document::RunDocument;
use crate::report::html::matrix::{self, CellStatus};
use crate::report::score;
use crate::report::verdict::Verdict;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The verdict, the score (cases passed out of cases judged) and the score per
/// operation.
pub fn headline(doc: &RunDocument, verdict: &str, out: &mut String) {
    let _ = writeln!(out, "**Verdict: {}**\n", escape(verdict, Place::Prose));
    let overall = score::overall(doc);
    let skipped = doc.totals.get(&Verdict::Skipped).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "**Score: {} of {} judged cases passed ({})**; a known deviation is judged and does not pass, a skipped case ({skipped} here) is not judged.\n",
        overall.passed,
        overall.total,
        overall.label()
    );
    let by_operation = score::by_operation(doc);
    if by_operation.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Score per operation (a case counts for each operation it calls in its steps):\n"
    );
    let _ = writeln!(
        out,
        "| operation | passed | judged | % |\n|---|---|---|---|"
    );
    for (operation, s) in &by_operation {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            escape(operation, Place::Cell),
            s.passed,
            s.total,
            s.label()
        );
    }
    out.push('\n');
}

/// How a matrix cell shows its status; an empty symbol shows nothing.
fn symbol(status: CellStatus) -> &'static str {
    match status {
        CellStatus::NotApplicable => "",
        CellStatus::NotExercised => "·",
        CellStatus::Pass => "✓",
        CellStatus::Known => "K",
        CellStatus::Fail => "✗",
    }
}

/// The matrix of the HTML report, compactly: one row per rule, one column per
/// operation then per case group, each cell a status symbol and the count of the
/// rule's findings there.
pub fn matrix(doc: &RunDocument, out: &mut String) {
    let m = matrix::build(doc);
    let _ = writeln!(out, "## Rules × operations\n");
    let _ = writeln!(
        out,
        "- `✓` pass: the run saw an answer the rule judges there, and no finding of it failed a case\n- `K` fails only in listed known deviations · `✗` fails\n- `·` not exercised: the rule judges the operation but no such answer came\n- blank: not applicable, the rule never judges it (`src/rules/scope.json`)\n\nA number counts the rule's findings there (warnings included). Columns: operations, then the case groups (in italics).\n"
    );
    let headers: Vec<String> = m
        .columns
        .iter()
        .map(|c| {
            let name = escape(&c.name, Place::Cell);
            if c.kind == "group" {
                format!("_{name}_")
            } else {
                name
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "| rule | {} |\n|---|{}",
        headers.join(" | "),
        ":-:|".repeat(m.columns.len())
    );
    for row in &m.rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|cell| {
                let shown = match cell.findings.len() {
                    0 => symbol(cell.status).to_owned(),
                    n => format!("{} {n}", symbol(cell.status)),
                };
                shown.trim().to_owned()
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} |",
            code(row.rule, Place::Cell),
            cells.join(" | ")
        );
    }
    out.push('\n');
}

/// One row of verdict counts.
fn counts_row(name: &str, counts: &BTreeMap<Verdict, usize>) -> String {
    let cells: Vec<String> = VERDICTS
        .iter()
        .map(|v| counts.get(v).copied().unwrap_or(0).to_string())
        .collect();
    format!("| {name} | {} |", cells.join(" | "))
}

fn counts_header(first: &str) -> String {
    let names: Vec<&str> = VERDICTS.iter().map(|v| v.as_str()).collect();
    format!(
        "| {first} | {} |\n|---|{}",
        names.join(" | "),
        "---|".repeat(VERDICTS.len())
    )
}

/// Verdict counts per operation (a case counts in each operation it calls in a step)
/// and per group (the case's folder, each case once).
pub fn results(doc: &RunDocument, out: &mut String) {
    let _ = writeln!(out, "## Results per operation\n");
    let _ = writeln!(
        out,
        "A case counts once in each operation it calls in its steps (fixture and teardown calls excluded), so the rows add up to more than the cases.\n"
    );
    let _ = writeln!(out, "{}", counts_header("operation"));
    for (operation, counts) in score::verdicts_by_operation(doc) {
        let _ = writeln!(
            out,
            "{}",
            counts_row(&escape(&operation, Place::Cell), &counts)
        );
    }
    let mut no_step: BTreeMap<Verdict, usize> = BTreeMap::new();
    for c in doc
        .cases
        .iter()
        .filter(|c| score::operations_of(c).is_empty())
    {
        *no_step.entry(c.verdict).or_insert(0) += 1;
    }
    if !no_step.is_empty() {
        let _ = writeln!(out, "{}", counts_row("(no step ran)", &no_step));
    }

    let _ = writeln!(out, "\n## Results per group\n");
    let _ = writeln!(out, "Each case once, by its folder.\n");
    let _ = writeln!(out, "{}", counts_header("group"));
    let mut groups: BTreeMap<&str, BTreeMap<Verdict, usize>> = BTreeMap::new();
    for c in &doc.cases {
        *groups
            .entry(c.group())
            .or_default()
            .entry(c.verdict)
            .or_insert(0) += 1;
    }
    let _ = writeln!(out, "{}", counts_row("**all**", &doc.totals));
    for (group, counts) in &groups {
        let _ = writeln!(out, "{}", counts_row(&escape(group, Place::Cell), counts));
    }
}

/// Findings per rule and severity, most severe and most frequent first.
pub fn findings_by_rule(doc: &RunDocument, out: &mut String) {
    let _ = writeln!(out, "\n## Findings by rule\n");
    let mut rules: BTreeMap<(Severity, &str), usize> = BTreeMap::new();
    for c in &doc.cases {
        for f in &c.findings {
            *rules
                .entry((f.finding.severity, f.finding.rule.as_str()))
                .or_insert(0) += 1;
        }
    }
    if rules.is_empty() {
        let _ = writeln!(out, "No findings.");
        return;
    }
    let _ = writeln!(out, "| severity | rule | findings |\n|---|---|---|");
    let mut rows: Vec<_> = rules.into_iter().collect();
    rows.sort_by(|((sa, ra), na), ((sb, rb), nb)| sb.cmp(sa).then(nb.cmp(na)).then(ra.cmp(rb)));
    for ((severity, rule), n) in rows {
        let _ = writeln!(out, "| {severity} | {} | {n} |", code(rule, Place::Cell));
    }
}
