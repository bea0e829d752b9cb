//! The Markdown conformance report: target identity, date, per-folder verdict counts,
//! the findings summary, the known deviations with their reasons, and (when given)
//! the coverage section.

use super::document::RunDocument;
use super::verdict::Verdict;
use crate::finding::Severity;
use std::collections::BTreeMap;
use std::fmt::Write;

const VERDICTS: [Verdict; 7] = [
    Verdict::Pass,
    Verdict::Fail,
    Verdict::Known,
    Verdict::Fixed,
    Verdict::Skipped,
    Verdict::Error,
    Verdict::Interrupted,
];

/// Renders the report; `coverage` is an already rendered Markdown section, if any.
pub fn render(doc: &RunDocument, coverage: Option<&str>) -> String {
    let mut out = String::new();
    let known = doc.totals.get(&Verdict::Known).copied().unwrap_or(0);
    let verdict = if doc.interrupted {
        "interrupted: the run did not finish, so no verdict is claimed".to_owned()
    } else if doc.fails(true) {
        "not conformant: new failures, errors or stale expectations".to_owned()
    } else if known > 0 {
        format!("as expected: conformant except {known} known deviation(s) listed below")
    } else {
        "conformant".to_owned()
    };
    let _ = writeln!(
        out,
        "# ECS task API conformance report: {}\n",
        doc.target.name
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| target | {} (kind `{}`) |",
        doc.target.name, doc.target.kind
    );
    let _ = writeln!(out, "| endpoint | `{}` |", doc.target.endpoint);
    let _ = writeln!(out, "| region | `{}` |", doc.target.region);
    if let Some(credentials) = &doc.target.credentials {
        let _ = writeln!(out, "| credentials | {credentials} |");
    }
    let _ = writeln!(out, "| date | {} |", doc.started_at);
    let _ = writeln!(out, "| tool | ecs-conform {} |", doc.tool_version);
    let _ = writeln!(
        out,
        "| suite | {} cases, content hash `{}` |",
        doc.suite.cases,
        short(&doc.suite.hash)
    );
    if let Some(p) = &doc.partition {
        let _ = writeln!(out, "| partition | {p} |");
    }
    if doc.interrupted {
        let _ = writeln!(out, "| interrupted | true |");
    }
    let _ = writeln!(out, "| verdict | **{verdict}** |\n");
    setup_section(doc, &mut out);
    problems_section(doc, &mut out);

    let _ = writeln!(out, "## Results per operation\n");
    let _ = writeln!(
        out,
        "| folder | pass | fail | known | fixed | skipped | error | interrupted |\n|---|---|---|---|---|---|---|---|"
    );
    let mut groups: BTreeMap<&str, BTreeMap<Verdict, usize>> = BTreeMap::new();
    for c in &doc.cases {
        *groups
            .entry(c.group())
            .or_default()
            .entry(c.verdict)
            .or_insert(0) += 1;
    }
    groups.insert("**all**", doc.totals.clone());
    for (group, counts) in &groups {
        let cells: Vec<String> = VERDICTS
            .iter()
            .map(|v| counts.get(v).copied().unwrap_or(0).to_string())
            .collect();
        let _ = writeln!(out, "| {group} | {} |", cells.join(" | "));
    }

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
    } else {
        let _ = writeln!(out, "| severity | rule | findings |\n|---|---|---|");
        let mut rows: Vec<_> = rules.into_iter().collect();
        rows.sort_by(|((sa, ra), na), ((sb, rb), nb)| sb.cmp(sa).then(nb.cmp(na)).then(ra.cmp(rb)));
        for ((severity, rule), n) in rows {
            let _ = writeln!(out, "| {severity} | `{rule}` | {n} |");
        }
    }

    let failing: Vec<_> = doc
        .cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Error | Verdict::Fixed))
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\n## New failures, errors and stale entries\n");
        for c in failing {
            let first = c
                .findings
                .iter()
                .find(|f| f.finding.severity == Severity::Fail)
                .map(|f| format!("step {} {}: {}", f.step, f.call, f.finding))
                .or_else(|| c.reason.clone())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- **{}** `{}` — {}",
                c.verdict.as_str(),
                c.id,
                escape(&first)
            );
        }
    }

    let known: Vec<_> = doc
        .cases
        .iter()
        .filter(|c| c.verdict == Verdict::Known)
        .collect();
    let _ = writeln!(out, "\n## Known deviations\n");
    if known.is_empty() {
        let _ = writeln!(out, "None listed for this target.");
    } else {
        let _ = writeln!(out, "| case | rule | reason | finding |\n|---|---|---|---|");
        for c in known {
            for k in &c.known {
                let finding = c
                    .findings
                    .iter()
                    .filter(|f| f.finding.severity == Severity::Fail)
                    .find(|f| k.rule.as_deref().is_none_or(|r| r == f.finding.rule))
                    .map(|f| f.finding.to_string())
                    .or_else(|| c.reason.clone())
                    .unwrap_or_default();
                let reason = match &k.link {
                    Some(link) => format!("{} ([link]({link}))", k.reason),
                    None => k.reason.clone(),
                };
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    c.id,
                    k.rule.as_deref().map_or("any".into(), |r| format!("`{r}`")),
                    escape(&reason),
                    escape(&finding)
                );
            }
        }
    }
    if !doc.unknown_expectations.is_empty() {
        let _ = writeln!(out, "\n## Expectation entries that name no case\n");
        for k in &doc.unknown_expectations {
            let _ = writeln!(out, "- `{}`: {}", k.case, escape(&k.reason));
        }
    }
    if let Some(section) = coverage {
        let _ = writeln!(out, "\n{section}");
    }
    out
}

/// Distinct problems, most cases first, when there are any.
fn problems_section(doc: &RunDocument, out: &mut String) {
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
        let cases: Vec<String> = p.cases.iter().map(|c| format!("`{c}`")).collect();
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}` | {} | {} | {} | {} |",
            p.cases.len(),
            p.rule,
            escape(&p.path),
            escape(&p.observed),
            escape(&p.expected),
            if p.known { "yes" } else { "no" },
            cases.join(", ")
        );
    }
    out.push('\n');
}

/// Setup errors (with the cases they block) and teardown warnings, when there are any.
fn setup_section(doc: &RunDocument, out: &mut String) {
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
        let _ = writeln!(
            out,
            "| `{}` | {phase} | {} {} | `{}` | {} | {} | {blocked} |",
            s.fixture,
            s.step,
            s.call,
            s.location(),
            escape(&problem),
            escape(s.hint.as_deref().unwrap_or("")),
        );
    }
    out.push('\n');
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
