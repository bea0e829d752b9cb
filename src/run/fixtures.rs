//! Fixtures of a run: setting them up once, tearing them down at the end, and turning
//! a fixture step that failed into one [`SetupIssue`] for the run (the fixture, the
//! step, what went wrong and the likely fix) instead of a failure of every case that
//! needs it. Also the probe that refuses a run id whose clusters already exist.

use super::{Phase, RunEvent, Runner, StepResult};
use crate::contract::error_of;
use crate::suite::PlannedFixture;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Whether a fixture step failed while setting up or while tearing down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetupPhase {
    /// The fixture could not be set up: the cases that need it are blocked.
    Setup,
    /// The fixture could not be removed: something may be left on the target. No
    /// verdict changes.
    Teardown,
}

/// A fixture step that failed, reported once for the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetupIssue {
    pub fixture: String,
    pub phase: SetupPhase,
    /// 1-based position of the step within the fixture's setup or teardown.
    pub step: usize,
    pub call: String,
    /// The fixtures file.
    pub file: String,
    pub line: usize,
    /// What went wrong: the failing finding or the target error.
    pub problem: String,
    /// The error the target answered (`Type: message`), when it answered one.
    pub error: Option<String>,
    /// The likely fix (which `--var` to pass) or what may be left on the target.
    pub hint: Option<String>,
}

impl SetupIssue {
    /// `fixtures.yaml:40`
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

impl std::fmt::Display for SetupIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.phase {
            SetupPhase::Setup => "could not be set up",
            SetupPhase::Teardown => "could not be torn down",
        };
        let step = match self.phase {
            SetupPhase::Setup => "step",
            SetupPhase::Teardown => "teardown step",
        };
        write!(
            f,
            "fixture `{}` {what}: {step} {} {} ({}): {}",
            self.fixture,
            self.step,
            self.call,
            self.location(),
            self.problem
        )?;
        if let Some(e) = self.error.as_ref().filter(|e| !self.problem.contains(*e)) {
            write!(f, "\n  target answered: {e}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// What the fixtures left for the cases.
#[derive(Debug, Default)]
pub struct FixtureOutcome {
    /// Fixtures that could not be set up, with the reason.
    pub failed: BTreeMap<String, String>,
    /// One entry per fixture whose own step failed (not those blocked by another).
    pub issues: Vec<SetupIssue>,
    pub reports: Vec<StepResult>,
    /// Set when the target could not be reached at all.
    pub unreachable: Option<String>,
}

/// How the reason of a case blocked by a fixture begins.
const BLOCKED: &str = "blocked by fixture";

/// The reason of a case blocked by a fixture that could not be set up.
pub fn blocked_reason(fixture: &str) -> String {
    format!("{BLOCKED} `{fixture}`, which could not be set up (see the setup errors)")
}

/// Whether an error reason is one `blocked_reason` wrote.
pub fn is_blocked_reason(reason: &str) -> bool {
    reason.starts_with(BLOCKED)
}

impl Runner {
    /// Sets up fixtures in order; what they save becomes visible to every case.
    pub async fn setup_fixtures(&self, fixtures: &[&PlannedFixture]) -> FixtureOutcome {
        let mut outcome = FixtureOutcome::default();
        // Each failed fixture → the fixture whose own step failed (itself or a need).
        let mut roots: BTreeMap<String, String> = BTreeMap::new();
        for fixture in fixtures {
            if let Some(need) = fixture
                .needs
                .iter()
                .find(|n| outcome.failed.contains_key(*n))
            {
                outcome.failed.insert(
                    fixture.name.clone(),
                    format!("it needs `{need}`, which failed"),
                );
                let root = roots.get(need).cloned().unwrap_or_else(|| need.clone());
                roots.insert(fixture.name.clone(), root);
                continue;
            }
            let mut scope = self.scope(self.globals(), None);
            let first = outcome.reports.len();
            let issues_before = outcome.issues.len();
            for (i, planned) in fixture.setup.iter().enumerate() {
                let phase = Phase::Fixture(fixture.name.clone());
                let report = self.exec_step(planned, i + 1, phase, &mut scope).await;
                self.reporter().report(&RunEvent::StepFinished {
                    case: None,
                    step: &report,
                });
                let problem = report.problem();
                if let Some(reason) = &report.target_error {
                    if report.exchange.is_none() {
                        outcome.unreachable = Some(reason.clone());
                    }
                }
                if let Some(problem) = problem {
                    let hint = setup_hint(fixture, &report, &problem, &self.settings);
                    outcome.issues.push(issue(
                        fixture,
                        &report,
                        SetupPhase::Setup,
                        problem.clone(),
                        hint,
                    ));
                    outcome.failed.insert(fixture.name.clone(), problem);
                    roots.insert(fixture.name.clone(), fixture.name.clone());
                    outcome.reports.push(report);
                    break;
                }
                outcome.reports.push(report);
            }
            self.reporter().report(&RunEvent::FixtureSetUp {
                fixture: &fixture.name,
                steps: &outcome.reports[first..],
                problem: outcome.issues.get(issues_before),
            });
            if outcome.unreachable.is_some() {
                break;
            }
            if let Ok(mut g) = self.globals.lock() {
                g.extend(&scope.vars);
            }
        }
        if let Ok(mut f) = self.failed_fixtures.lock() {
            *f = roots;
        }
        outcome
    }

    /// Tears fixtures down in reverse order; steps whose variables were never saved
    /// are skipped. Returns a warning for each teardown step that failed (what it
    /// would have removed may be left on the target).
    pub async fn teardown_fixtures(&self, fixtures: &[&PlannedFixture]) -> Vec<SetupIssue> {
        let mut issues = Vec::new();
        let mut scope = self.scope(self.globals(), None);
        for fixture in fixtures.iter().rev() {
            let before = issues.len();
            for (i, planned) in fixture.teardown.iter().enumerate() {
                let phase = Phase::FixtureTeardown(fixture.name.clone());
                let report = self.exec_step(planned, i + 1, phase, &mut scope).await;
                if report.skipped {
                    continue;
                }
                self.reporter().report(&RunEvent::StepFinished {
                    case: None,
                    step: &report,
                });
                if let Some(problem) = report.problem() {
                    let hint = teardown_hint(&report, &self.settings.run_id);
                    issues.push(issue(fixture, &report, SetupPhase::Teardown, problem, hint));
                }
            }
            if !fixture.teardown.is_empty() {
                self.reporter().report(&RunEvent::FixtureTornDown {
                    fixture: &fixture.name,
                    problems: &issues[before..],
                });
            }
        }
        issues
    }

    /// The clusters these fixtures would create (the bound `clusterName` of their
    /// CreateCluster steps) that already exist on the target: another run with the
    /// same run id is using them. A target that cannot answer DescribeClusters is not
    /// refused (the run goes on as before).
    pub async fn clusters_in_use(&self, fixtures: &[&PlannedFixture]) -> Vec<String> {
        let globals = self.globals();
        let names: Vec<Value> = fixtures
            .iter()
            .flat_map(|f| &f.setup)
            .filter(|s| s.step.call == "CreateCluster")
            .filter_map(|s| s.step.request.get("clusterName"))
            .filter_map(|v| globals.bind(v).ok())
            .filter(Value::is_string)
            .collect();
        if names.is_empty() {
            return Vec::new();
        }
        let Ok(ex) = self
            .target
            .call("DescribeClusters", json!({ "clusters": names }))
            .await
        else {
            return Vec::new();
        };
        let Some(clusters) = ex
            .response
            .is_success()
            .then_some(ex.response.body.as_ref())
            .flatten()
            .and_then(|b| b.get("clusters"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        clusters
            .iter()
            // AWS keeps deleted clusters visible as INACTIVE for a while.
            .filter(|c| c.get("status").and_then(Value::as_str) != Some("INACTIVE"))
            .filter_map(|c| c.get("clusterName").and_then(Value::as_str))
            .map(str::to_owned)
            .collect()
    }
}

fn issue(
    fixture: &PlannedFixture,
    report: &StepResult,
    phase: SetupPhase,
    problem: String,
    hint: Option<String>,
) -> SetupIssue {
    let error = report
        .exchange
        .as_ref()
        .and_then(|ex| error_of(&ex.response))
        .map(|e| match e.message {
            Some(m) => format!("{}: {m}", e.error_type),
            None => e.error_type,
        });
    SetupIssue {
        fixture: fixture.name.clone(),
        phase,
        step: report.index,
        call: report.call.clone(),
        file: fixture.file.display().to_string(),
        line: report.line,
        problem,
        error,
        hint,
    }
}

/// Which `--var` to pass: the suite variables whose value appears in what the target
/// answered (or in the problem), then those the fixture checks, each saying whether
/// its value is the placeholder default of the fixtures file.
fn setup_hint(
    fixture: &PlannedFixture,
    report: &StepResult,
    problem: &str,
    settings: &super::RunSettings,
) -> Option<String> {
    let answer = report
        .exchange
        .as_ref()
        .map(|ex| ex.response.body_text.as_str())
        .unwrap_or_default();
    hint_for(
        &fixture.checks,
        &[answer, problem],
        &settings.vars,
        &settings.var_defaults,
    )
}

/// The hint text for the given variables (see [`setup_hint`]); None when no suite
/// variable is involved.
pub fn hint_for(
    checks: &[String],
    texts: &[&str],
    vars: &Map<String, Value>,
    defaults: &Map<String, Value>,
) -> Option<String> {
    let text_of = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let appears: Vec<&String> = vars
        .iter()
        .filter(|(_, v)| {
            let value = text_of(v);
            // A very short value would be found in almost any text.
            value.len() >= 4 && texts.iter().any(|t| t.contains(&value))
        })
        .map(|(k, _)| k)
        .collect();
    let mut names: Vec<&String> = appears.clone();
    names.extend(checks.iter().filter(|c| !appears.contains(c)));
    let parts: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let value = vars.get(*name)?;
            let shown = text_of(value);
            let placeholder = defaults.get(*name) == Some(value);
            let what = name.replace('_', " ");
            let origin = if placeholder {
                "the placeholder default of the fixtures file"
            } else {
                "as given by --var or the target file"
            };
            let seen = if appears.contains(name) {
                ", appears in the error"
            } else {
                ""
            };
            Some(format!(
                "`{name}` is `{shown}` ({origin}{seen}): pass --var {name}=<a {what} that exists on the target>"
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// What a failed teardown step may have left: the names in its request.
fn teardown_hint(report: &StepResult, run_id: &str) -> Option<String> {
    let request = report.exchange.as_ref().map(|ex| &ex.request.body)?;
    let named: Vec<String> = request
        .as_object()?
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| format!("{k} `{s}`")))
        .collect();
    Some(format!(
        "{} may be left on the target; `ecs-conform cleanup --run-id {run_id}` removes what this run created",
        if named.is_empty() {
            "what it removes".to_owned()
        } else {
            named.join(", ")
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect()
    }

    #[test]
    fn a_placeholder_named_in_the_error_comes_first_with_the_var_to_pass() {
        let defaults = map(&[
            ("subnet", "subnet-12345678"),
            ("security_group", "sg-12345678"),
        ]);
        let hint = hint_for(
            &["subnet".into(), "security_group".into()],
            &["InvalidSubnetID.NotFound: The subnet ID 'subnet-12345678' does not exist"],
            &defaults,
            &defaults,
        )
        .unwrap();
        assert!(hint.starts_with("`subnet` is `subnet-12345678` (the placeholder default of the fixtures file, appears in the error): pass --var subnet=<a subnet that exists on the target>"), "{hint}");
        assert!(
            hint.contains("pass --var security_group=<a security group that exists on the target>"),
            "{hint}"
        );
    }

    #[test]
    fn a_given_value_is_not_called_a_placeholder() {
        let defaults = map(&[("subnet", "subnet-12345678")]);
        let vars = map(&[("subnet", "subnet-0abc")]);
        let hint = hint_for(&[], &["subnet-0abc is gone"], &vars, &defaults).unwrap();
        assert!(
            hint.contains("as given by --var or the target file, appears in the error"),
            "{hint}"
        );
        assert!(!hint.contains("placeholder"), "{hint}");
    }

    #[test]
    fn no_variable_involved_means_no_hint() {
        let vars = map(&[("subnet", "subnet-1")]);
        assert_eq!(
            hint_for(&[], &["ClusterNotFoundException"], &vars, &vars),
            None
        );
    }
}
