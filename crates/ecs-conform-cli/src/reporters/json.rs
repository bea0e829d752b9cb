//! `--format json`: one JSON object per event on standard output, as it happens, for
//! programs that follow a run (editors, dashboards, CI annotations). Every object has
//! `"event"`; case events have `"case"`; finished cases have the verdict as the target's
//! profile makes it. The run document (`--report-json`) stays the complete record.

use ecs_conform::report::{profile::TargetProfile, verdict::verdict};
use ecs_conform::run::{Outcome, Reporter, RunEvent};
use serde_json::{json, Value};
use std::io::Write;
use std::sync::Mutex;

pub struct JsonLines {
    expectations: TargetProfile,
    /// One line at a time.
    out: Mutex<()>,
}

impl JsonLines {
    pub fn new(expectations: TargetProfile) -> JsonLines {
        JsonLines {
            expectations,
            out: Mutex::new(()),
        }
    }

    fn event(&self, event: &RunEvent<'_>) -> Value {
        match event {
            RunEvent::Started {
                target,
                to_run,
                skipped,
                filtered_out,
            } => json!({"event": "started", "target": target, "to_run": to_run,
                "skipped": skipped, "filtered_out": filtered_out}),
            RunEvent::FixtureSetUp {
                fixture,
                steps,
                problem,
            } => json!({"event": "fixture_set_up", "fixture": fixture, "steps": steps.len(),
                "problem": problem.map(|p| p.to_string())}),
            RunEvent::CaseStarted { case } => json!({"event": "case_started", "case": case}),
            RunEvent::StepFinished { case, step } => json!({"event": "step_finished",
                "case": case, "phase": step.phase, "index": step.index, "call": step.call,
                "line": step.line, "calls": step.calls,
                "findings": step.findings.iter().map(|f| f.rule.to_string()).collect::<Vec<_>>(),
                "problem": step.problem()}),
            RunEvent::CaseSlow { case, running_for } => json!({"event": "case_slow",
                "case": case, "running_for_ms": running_for.as_millis() as u64}),
            RunEvent::CaseFinished { result } => {
                let (v, known) = verdict(result, &self.expectations);
                let reason = match &result.outcome {
                    Outcome::Skipped(r) | Outcome::Error(r) | Outcome::Interrupted(r) => {
                        Some(r.clone())
                    }
                    _ => None,
                };
                json!({"event": "case_finished", "case": result.id, "verdict": v,
                    "known": known.iter().map(|k| k.reason.clone()).collect::<Vec<_>>(),
                    "reason": reason, "calls": result.calls,
                    "duration_ms": result.duration.as_millis() as u64})
            }
            RunEvent::Interrupted { reason } => json!({"event": "interrupted", "reason": reason}),
            RunEvent::FixtureTornDown { fixture, problems } => json!({"event": "fixture_torn_down",
                "fixture": fixture,
                "problems": problems.iter().map(ToString::to_string).collect::<Vec<_>>()}),
        }
    }
}

impl Reporter for JsonLines {
    fn report(&self, event: &RunEvent<'_>) {
        let line = self.event(event).to_string();
        let _guard = self.out.lock();
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }
}
