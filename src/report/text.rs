//! Plain-text rendering of results for a terminal: an actionable failure (case, step,
//! findings, a curl command that reproduces the request, the response) and the summary.

use crate::finding::Severity;
use crate::run::{CaseResult, Outcome, Phase, StepReport};
use crate::target::{Exchange, SECRET_HEADERS};
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
    if let Outcome::Error(reason) = &result.outcome {
        let _ = writeln!(out, "target error: {reason}");
    }
    for step in &result.steps {
        let worth = step.target_error.is_some()
            || step.skipped
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
        .map(|(s, f)| format!("  - step {} {}: {f}", s.index, s.call))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "\nalso noted (not failures):\n{}", notes.join("\n"));
    }
    out
}

/// `step 2 StopTask (cases/x.yaml:14)`, with the phase when it is not a plain step.
pub fn step_title(step: &StepReport, file: &str) -> String {
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
/// caller's environment: no secret is printed.
pub fn curl(ex: &Exchange, region: &str) -> String {
    let body = serde_json::to_string(&ex.request.body).unwrap_or_default();
    let mut lines = vec![format!("curl -sS -X POST '{}'", ex.request.url)];
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
    let count = body.chars().count();
    if count > BODY_LIMIT {
        let cut: String = body.chars().take(BODY_LIMIT).collect();
        let _ = write!(out, "\n\n{cut}\n… ({} more characters)", count - BODY_LIMIT);
    } else if !body.is_empty() {
        let _ = write!(out, "\n\n{body}");
    }
    out
}

/// Counts of outcomes and of non-failing findings.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
    pub drift: usize,
    pub warn: usize,
}

impl Tally {
    pub fn of(results: &[CaseResult]) -> Tally {
        let mut t = Tally::default();
        for r in results {
            match r.outcome {
                Outcome::Passed => t.passed += 1,
                Outcome::Failed => t.failed += 1,
                Outcome::Error(_) => t.errors += 1,
                Outcome::Skipped(_) => t.skipped += 1,
            }
            for (_, f) in r.findings() {
                match f.severity {
                    Severity::Drift => t.drift += 1,
                    Severity::Warn => t.warn += 1,
                    Severity::Fail => {}
                }
            }
        }
        t
    }
}

/// The closing summary of a run.
pub fn summary(results: &[CaseResult], target: &str) -> String {
    let t = Tally::of(results);
    let verdict = if t.errors > 0 {
        "TARGET ERRORS"
    } else if t.failed > 0 {
        "NOT CONFORMANT"
    } else {
        "CONFORMANT"
    };
    let mut out = format!(
        "ecs-conform: {verdict} — {} passed, {} failed, {} target errors, {} skipped against {target}",
        t.passed, t.failed, t.errors, t.skipped
    );
    if t.drift + t.warn > 0 {
        let _ = write!(
            out,
            "\n  also noted: {} drift (fields or values the documents do not know), {} warnings (fields real endpoints send were missing)",
            t.drift, t.warn
        );
    }
    let failing: Vec<&CaseResult> = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed | Outcome::Error(_)))
        .collect();
    for r in failing {
        let first = r
            .findings()
            .find(|(_, f)| f.severity == Severity::Fail)
            .map(|(s, f)| format!("step {} {}: {f}", s.index, s.call));
        let why = match (&r.outcome, first) {
            (Outcome::Error(e), _) => format!("target error: {e}"),
            (_, Some(f)) => f,
            _ => String::new(),
        };
        let _ = write!(
            out,
            "\n  {} {}: {}",
            if matches!(r.outcome, Outcome::Failed) {
                "FAIL "
            } else {
                "ERROR"
            },
            r.id,
            why
        );
    }
    out
}
