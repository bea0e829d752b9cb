//! The known deviations of the Markdown report: the target file's entries that explain
//! failing cases, grouped by rule, location, reason and link (one row each, most cases
//! first), each with its cases and, in its details, every case's finding it explains.

use super::cells::{code, Details, Place};
use super::sections::{finding_text, link_target};
use crate::finding::Severity;
use crate::report::document::{CaseEntry, FindingEntry, RunDocument};
use crate::report::profile::Known;
use crate::report::verdict::Verdict;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The entries of one group: the same rule, location, reason and link.
type Key<'a> = (Option<&'a str>, Option<&'a str>, &'a str, Option<&'a str>);

/// The first failing finding an entry explains.
fn explained<'a>(findings: &'a [FindingEntry], entry: &Known) -> Option<&'a FindingEntry> {
    findings
        .iter()
        .filter(|f| f.finding.severity == Severity::Fail)
        .find(|f| entry.covers(&f.finding))
}

/// What an entry explains in a case: `case: step 2 DescribeTasks: [fail] …` and the
/// finding's further lines, or the case's reason when no finding is left (an error).
fn explanation(case: &CaseEntry, entry: &Known) -> String {
    match explained(&case.findings, entry) {
        Some(f) => format!("{}: {}: {}", case.id, f.place(), finding_text(&f.finding)),
        None => format!("{}: {}", case.id, case.reason.as_deref().unwrap_or("")),
    }
}

/// Known deviations: one row per group of entries with the cases it explains.
pub fn section(doc: &RunDocument, details: &mut Details, out: &mut String) {
    let mut groups: BTreeMap<Key<'_>, Vec<(&CaseEntry, &Known)>> = BTreeMap::new();
    for c in doc.cases.iter().filter(|c| c.verdict == Verdict::Known) {
        for k in &c.known {
            let key = (
                k.rule.as_deref(),
                k.pointer.as_deref(),
                k.reason.as_str(),
                k.link.as_deref(),
            );
            groups.entry(key).or_default().push((c, k));
        }
    }
    let _ = writeln!(out, "\n## Known deviations\n");
    if groups.is_empty() {
        let _ = writeln!(out, "None listed for this target.");
        return;
    }
    let cases = doc
        .cases
        .iter()
        .filter(|c| c.verdict == Verdict::Known)
        .count();
    let _ = writeln!(
        out,
        "{} reason(s) of the target file explain the failures of {cases} case(s); each row is one reason with the cases it explains, most cases first; its details hold every case's finding.\n",
        groups.len()
    );
    let _ = writeln!(out, "| cases | rule | reason | in |\n|---|---|---|---|");
    let mut rows: Vec<(Key<'_>, Vec<(&CaseEntry, &Known)>)> = groups.into_iter().collect();
    rows.sort_by(|(ka, a), (kb, b)| b.len().cmp(&a.len()).then(ka.cmp(kb)));
    for ((rule, pointer, reason, link), entries) in rows {
        let what = rule.unwrap_or("any rule");
        let mut rule_cell = rule.map_or("any".to_owned(), |r| code(r, Place::Cell));
        if let Some(p) = pointer {
            let _ = write!(rule_cell, " at {}", code(p, Place::Cell));
        }
        let mut reason_cell = details.text(reason, &format!("why {what} is known"), Place::Cell);
        if let Some(link) = link {
            let _ = write!(reason_cell, " ([link]({}))", link_target(link));
        }
        let ids: Vec<String> = entries.iter().map(|(c, _)| c.id.clone()).collect();
        let findings: Vec<String> = entries.iter().map(|(c, k)| explanation(c, k)).collect();
        let in_cell = details.list_with_text(
            &ids,
            &findings.join("\n"),
            &format!(
                "{what}: the finding in each of the {} case(s)",
                entries.len()
            ),
            Place::Cell,
        );
        let _ = writeln!(
            out,
            "| {} | {rule_cell} | {reason_cell} | {in_cell} |",
            entries.len()
        );
    }
    out.push('\n');
    details.flush(out);
}
