//! Plain-text rendering of results for a terminal: an actionable failure (case, step,
//! findings, a curl command that reproduces the request, the response) and the summary.

use super::document::RunDocument;
use super::verdict::Verdict;
use crate::client::{Exchange, SECRET_HEADERS};
use crate::finding::Severity;
use crate::run::{CaseResult, Outcome, Phase, StepResult};
use std::fmt::Write;

/// Longest body shown in a failure before it is trimmed.
const BODY_LIMIT: usize = 2000;

/// Everything a user needs to act on a case that did not pass.
pub fn failure(result: &CaseResult, region: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "case:  {}", result.name);
    let _ = writeln!(out, "file:  {}", result.file);
    if !result.cites.is_empty() {
        let _ = writeln!(out, "cites: {}", result.cites);
    }
    match &result.outcome {
        Outcome::Error(reason) => {
            // A case blocked by a fixture is the setup's problem, not the target's.
            let label = if crate::run::is_blocked_reason(reason) {
                "setup error"
            } else if crate::run::is_harness_error(reason) {
                "harness error"
            } else {
                "target error"
            };
            let _ = writeln!(out, "{label}: {reason}");
        }
        Outcome::Interrupted(reason) => {
            let _ = writeln!(out, "interrupted: {reason} (no verdict)");
        }
        _ => {}
    }
    for step in &result.steps {
        let worth = step.target_error.is_some()
            || step.skipped
            || step.cut_short()
            || step.findings.iter().any(|f| f.severity == Severity::Fail);
        if !worth {
            continue;
        }
        out.push('\n');
        let _ = writeln!(out, "{}", step_title(step, &result.file));
        if let Some(e) = &step.target_error {
            let _ = writeln!(out, "  target error: {e}");
        }
        if let Some(note) = &step.note {
            let _ = writeln!(out, "  {note}");
        }
        for f in step
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Fail)
        {
            let _ = writeln!(out, "  - {f}");
        }
        if let Some(ex) = &step.exchange {
            let _ = writeln!(
                out,
                "  reproduce:\n    {}",
                curl(ex, region).replace('\n', "\n    ")
            );
            let _ = writeln!(
                out,
                "  response:\n    {}",
                response(ex).replace('\n', "\n    ")
            );
        }
    }
    let notes: Vec<String> = result
        .findings()
        .filter(|(_, f)| f.severity != Severity::Fail)
        .map(|(s, f)| match super::steps::phase_name(&s.phase) {
            "step" => format!("  - step {} {}: {f}", s.index, s.call),
            phase => format!("  - {phase} step {} {}: {f}", s.index, s.call),
        })
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "\nalso noted (not failures):\n{}", notes.join("\n"));
    }
    out
}

/// `step 2 StopTask (cases/x.yaml:14)`, with the phase when it is not a plain step.
pub fn step_title(step: &StepResult, file: &str) -> String {
    let phase = match &step.phase {
        Phase::Step => "step".to_owned(),
        Phase::Teardown => "teardown step".to_owned(),
        Phase::Fixture(n) => format!("fixture `{n}` step"),
        Phase::FixtureTeardown(n) => format!("fixture `{n}` teardown step"),
    };
    let calls = if step.calls > 1 {
        format!(", {} calls", step.calls)
    } else {
        String::new()
    };
    format!(
        "{phase} {} {} ({file}:{}{calls})",
        step.index, step.call, step.line
    )
}

/// A curl command that sends the same request, signed by curl itself from the
/// caller's environment: no secret is printed. A run with temporary credentials sent
/// a session token: curl sends it too, taken from `$AWS_SESSION_TOKEN`.
pub fn curl(ex: &Exchange, region: &str) -> String {
    let body = serde_json::to_string(&ex.request.body).unwrap_or_default();
    let url = crate::client::strip_user_info(&ex.request.url);
    let mut lines = vec![format!("curl -sS -X POST '{}'", url.replace('\'', "'\\''"))];
    let with_token = ex
        .request
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-amz-security-token"));
    for (k, v) in &ex.request.headers {
        let lower = k.to_ascii_lowercase();
        if SECRET_HEADERS.contains(&lower.as_str())
            || lower.starts_with("x-amz-date")
            || lower == "x-amz-content-sha256"
        {
            continue;
        }
        lines.push(format!("-H '{}: {}'", k, v.replace('\'', "'\\''")));
    }
    lines.push(format!(
        "--aws-sigv4 'aws:amz:{region}:ecs' --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\""
    ));
    if with_token {
        lines.push("-H \"x-amz-security-token: $AWS_SESSION_TOKEN\"".to_owned());
    }
    lines.push(format!("--data '{}'", body.replace('\'', "'\\''")));
    lines.join(" \\\n  ")
}

/// Status line, headers and (trimmed) body of the response.
pub fn response(ex: &Exchange) -> String {
    let r = &ex.response;
    let mut out = format!(
        "HTTP {} ({:.0} ms)",
        r.status,
        ex.elapsed.as_secs_f64() * 1000.0
    );
    for (k, v) in &r.headers {
        let shown = if SECRET_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
            "<redacted>"
        } else {
            v.as_str()
        };
        let _ = write!(out, "\n{k}: {shown}");
    }
    let body = match &r.body {
        Some(v) => serde_json::to_string_pretty(v).unwrap_or_else(|_| r.body_text.clone()),
        None => r.body_text.clone(),
    };
    let (kept, more) = crate::excerpt::head(&body, BODY_LIMIT);
    if more > 0 {
        let _ = write!(out, "\n\n{kept}\n… ({more} more characters)");
    } else if !body.is_empty() {
        let _ = write!(out, "\n\n{body}");
    }
    out
}

/// The closing summary of a run, from its document (verdicts with expectations applied).
pub fn summary(doc: &RunDocument) -> String {
    let count = |v: Verdict| doc.totals.get(&v).copied().unwrap_or(0);
    let (drift, warn) =
        doc.cases
            .iter()
            .flat_map(|c| &c.findings)
            .fold((0, 0), |(d, w), f| match f.finding.severity {
                Severity::Drift => (d + 1, w),
                Severity::Warn => (d, w + 1),
                Severity::Fail => (d, w),
            });
    let blocked: Vec<Option<String>> = doc
        .setup_errors()
        .map(|s| Some(crate::run::blocked_reason(&s.fixture)))
        .collect();
    // Errors split by who caused them: a fixture (setup), ecs-conform itself, the target.
    let (mut by_setup, mut by_harness) = (0, 0);
    for c in doc.cases.iter().filter(|c| c.verdict == Verdict::Error) {
        if blocked.contains(&c.reason) {
            by_setup += 1;
        } else if c
            .reason
            .as_deref()
            .is_some_and(crate::run::is_harness_error)
        {
            by_harness += 1;
        }
    }
    let by_target = count(Verdict::Error) - by_setup - by_harness;
    let verdict = if doc.interrupted {
        "INTERRUPTED (no verdict: cases cut short or not run are `interrupted`)"
    } else if doc.setup_errors().next().is_some() {
        "SETUP ERRORS"
    } else if by_target > 0 {
        "TARGET ERRORS"
    } else if by_harness > 0 {
        "HARNESS ERRORS (a bug of ecs-conform, not of the target)"
    } else if count(Verdict::Fail) > 0 {
        "NOT CONFORMANT"
    } else if count(Verdict::Fixed) > 0 {
        "STALE EXPECTATIONS"
    } else if count(Verdict::Known) > 0 {
        "AS EXPECTED (known deviations only)"
    } else {
        "CONFORMANT"
    };
    let mut out = setup_section(doc);
    let _ = write!(
        out,
        "ecs-conform: {verdict} — {} passed, {} failed, {} known, {} fixed, {} skipped, {} target errors against {}",
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Known),
        count(Verdict::Fixed),
        count(Verdict::Skipped),
        by_target,
        doc.target.name
    );
    if by_setup + by_harness > 0 {
        let _ = write!(
            out,
            "\n  errors not caused by the target: {by_setup} cases blocked by setup errors, {by_harness} cases that ecs-conform could not finish (a bug of the harness)"
        );
    }
    if doc.interrupted || count(Verdict::Interrupted) > 0 {
        let _ = write!(
            out,
            "\n  interrupted: {} cases cut short or not run",
            count(Verdict::Interrupted)
        );
    }
    if drift + warn > 0 {
        let _ = write!(
            out,
            "\n  also noted: {drift} drift (fields or values the documents do not know), {warn} warnings (fields real endpoints send were missing)"
        );
    }
    problems_lines(doc, &mut out);
    for c in &doc.cases {
        let why = c
            .findings
            .iter()
            .find(|f| f.finding.severity == Severity::Fail)
            .map(|f| format!("{}: {}", f.place(), f.finding))
            .or_else(|| {
                // A failed case without a `fail` finding failed by `deny` (drift or warn).
                let f = c
                    .findings
                    .iter()
                    .find(|f| f.finding.severity == Severity::Drift)
                    .or_else(|| c.findings.first())?;
                Some(format!(
                    "{}: {} (denied by --deny {} or the target file's `deny`)",
                    f.place(),
                    f.finding,
                    f.finding.severity
                ))
            });
        let line = match c.verdict {
            Verdict::Fail => format!("FAIL  {}: {}", c.id, why.unwrap_or_default()),
            // Counted under the setup error that blocked it, not repeated per case.
            Verdict::Error if blocked.contains(&c.reason) => continue,
            Verdict::Error => format!("ERROR {}: {}", c.id, c.reason.clone().unwrap_or_default()),
            Verdict::Fixed => format!(
                "FIXED {}: listed as a known deviation ({}) but passed: remove the entry",
                c.id,
                super::profile::Known::reasons(&c.known)
            ),
            _ => continue,
        };
        let _ = write!(out, "\n  {line}");
    }
    for k in &doc.unknown_expectations {
        let _ = write!(out, "\n  STALE expectation entry names no case: {}", k.case);
    }
    out
}

/// Distinct problems shown in the summary; the rest are counted.
const SUMMARY_PROBLEMS: usize = 5;

/// `N distinct problems` and the first few (most cases first), when there are any.
fn problems_lines(doc: &RunDocument, out: &mut String) {
    if doc.problems.is_empty() {
        return;
    }
    let n = doc.problems.len();
    let _ = write!(
        out,
        "\n  {n} distinct problem{} (rule, path, observed value; fixing one fixes every case it appears in):",
        if n == 1 { "" } else { "s" }
    );
    for p in doc.problems.iter().take(SUMMARY_PROBLEMS) {
        let _ = write!(out, "\n    {}", super::problems::one_line(p));
    }
    if n > SUMMARY_PROBLEMS {
        let _ = write!(
            out,
            "\n    … and {} more (--report-md or --report-html lists them all)",
            n - SUMMARY_PROBLEMS
        );
    }
}

/// Each setup error and teardown warning once, before the summary line.
fn setup_section(doc: &RunDocument) -> String {
    let mut out = String::new();
    for issue in doc.setup_errors() {
        let blocked = doc.blocked_by(&issue.fixture);
        let _ = writeln!(
            out,
            "SETUP ERROR {issue}
  blocks {blocked} case{} (verdict error: blocked by fixture `{}`)
",
            if blocked == 1 { "" } else { "s" },
            issue.fixture
        );
    }
    for issue in doc.teardown_warnings() {
        let _ = writeln!(
            out,
            "TEARDOWN WARNING {issue}
"
        );
    }
    out
}

/// Every rule (contract and harness) as aligned text or a Markdown table.
pub fn rules_table(markdown: bool) -> String {
    let all = crate::rules::all();
    let mut out = String::new();
    if markdown {
        out.push_str("| rule | severity | source | what it checks |\n|---|---|---|---|\n");
    }
    for r in all {
        if markdown {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                r.id,
                r.severity,
                r.source,
                r.summary.replace('|', "\\|")
            );
        } else {
            let _ = writeln!(
                out,
                "{:<32} {:<5}  {}\n{:<40}{}",
                r.id, r.severity, r.summary, "", r.source
            );
        }
    }
    out
}
