//! The runner: executes cases against a target — variables, captures, polling until a
//! condition holds, paginated walks, teardown that always runs, fixtures set up once
//! per run, and cleanup of every task the run started (also when interrupted). Which
//! operations start and stop tasks is the contract's data (`starts_tasks`,
//! `stops_task` in `schemas/operations.json`), not the runner's.
//! Cases are independent and run concurrently; steps within a case run in order.

mod events;
mod fixtures;
mod interrupt;
mod step;
mod vars;

pub use events::{Reporter, RunEvent};
pub use fixtures::{
    blocked_reason, hint_for, is_blocked_reason, FixtureOutcome, SetupIssue, SetupPhase,
};
pub use interrupt::Interrupt;
pub use step::{is_unusable_answer, Phase, Poll, Scope, StepResult};
pub use vars::{case_id, new_run_id, uuid, Vars};

use crate::client::Target;
use crate::contract::{Contract, StartedTask};
use crate::finding::{Finding, Severity};
use crate::snapshot::{Identities, SnapshotStore};
use crate::suite::Case;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a run behaves, whatever the target.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Interval between polls of an `until` step that names none.
    pub poll_interval: Duration,
    /// Deadline of an `until` step that names none.
    pub default_within: Duration,
    /// Cap on every `until` deadline (a fast target need not wait as long as AWS).
    pub max_within: Option<Duration>,
    pub run_id: String,
    /// Suite variables with target overrides applied (visible to every case).
    pub vars: serde_json::Map<String, Value>,
    /// The suite variables' defaults from the fixtures file (a setup error says when
    /// a value is still the placeholder default).
    pub var_defaults: serde_json::Map<String, Value>,
    /// Keep the exchanges of steps that passed (otherwise dropped to save memory).
    pub keep_exchanges: bool,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            poll_interval: Duration::from_secs(1),
            default_within: Duration::from_secs(60),
            max_within: None,
            run_id: std::env::var("ECS_CONFORM_RUN_ID")
                .ok()
                .filter(|id| {
                    !id.is_empty()
                        && id.len() <= 32
                        && id
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
                .unwrap_or_else(new_run_id),
            vars: serde_json::Map::new(),
            var_defaults: serde_json::Map::new(),
            keep_exchanges: false,
        }
    }
}

/// How the reason of a case the harness itself could not finish begins.
const HARNESS_ERROR: &str = "ecs-conform could not finish the case";

/// The reason of a case the harness could not finish (a panic, a case task that ended
/// early): an `error` verdict that is never the target's fault.
pub fn harness_error(detail: &str) -> String {
    format!("{HARNESS_ERROR}: {detail}; this is a bug of the harness, not of the target")
}

/// Whether an error reason is one `harness_error` wrote.
pub fn is_harness_error(reason: &str) -> bool {
    reason.starts_with(HARNESS_ERROR)
}

/// How one case ended (before per-target expectations are applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// At least one finding of severity `fail`.
    Failed,
    /// The harness could not get a usable answer (refused, timeout, not JSON, a
    /// fixture that could not be set up). Never a pass, never a contract failure.
    Error(String),
    Skipped(String),
    /// The run was interrupted before the case finished (or started): no verdict is
    /// claimed. The text says where it was cut short.
    Interrupted(String),
}

/// Everything that happened in one case. Its serialized form (with its verdict under
/// the target's expectations) is [`CaseEntry`](crate::report::document::CaseEntry).
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub id: String,
    pub name: String,
    pub file: String,
    pub tags: Vec<String>,
    pub cites: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub steps: Vec<StepResult>,
    /// Calls the case made (polls and pages included).
    pub calls: usize,
    #[serde(with = "secs")]
    pub duration: Duration,
}

impl CaseResult {
    /// All findings of all steps, in order.
    pub fn findings(&self) -> impl Iterator<Item = (&StepResult, &Finding)> {
        self.steps
            .iter()
            .flat_map(|s| s.findings.iter().map(move |f| (s, f)))
    }

    pub fn skipped(case: &Case, reason: impl Into<String>) -> Self {
        CaseResult {
            id: case.id.clone(),
            name: case.name.clone(),
            file: case.file.display().to_string(),
            tags: case.tags.clone(),
            cites: case.cites.clone(),
            outcome: Outcome::Skipped(reason.into()),
            steps: Vec::new(),
            calls: 0,
            duration: Duration::ZERO,
        }
    }
}

mod secs {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

/// Runs cases against one target. Shared by all concurrent cases.
pub struct Runner {
    target: Target,
    contract: Arc<Contract>,
    settings: RunSettings,
    globals: Mutex<Vars>,
    /// Each fixture that could not be set up → the fixture whose own step failed
    /// (itself, or one it needs): the one a blocked case names.
    failed_fixtures: Mutex<BTreeMap<String, String>>,
    /// Tasks calls of this run started and no call stopped yet.
    started: Mutex<Vec<StartedTask>>,
    interrupt: Arc<Interrupt>,
    reporter: Arc<dyn Reporter>,
    snapshots: Option<Arc<SnapshotStore>>,
}

impl Runner {
    pub fn new(target: Target, contract: Arc<Contract>, settings: RunSettings) -> Self {
        let mut globals = Vars::new();
        for (k, v) in &settings.vars {
            globals.set(k.clone(), v.clone());
        }
        globals.set("run_id", Value::String(settings.run_id.clone()));
        globals.set("region", Value::String(target.config().region.clone()));
        Runner {
            target,
            contract,
            settings,
            globals: Mutex::new(globals),
            failed_fixtures: Mutex::new(BTreeMap::new()),
            started: Mutex::new(Vec::new()),
            interrupt: Interrupt::new(),
            reporter: Arc::new(()),
            snapshots: None,
        }
    }

    /// Steps with `snapshot: true` compare their answers with this store.
    pub fn with_snapshots(mut self, store: Arc<SnapshotStore>) -> Self {
        self.snapshots = Some(store);
        self
    }

    /// Honours this interrupt (shared with whoever may ask the run to stop).
    pub fn with_interrupt(mut self, interrupt: Arc<Interrupt>) -> Self {
        self.interrupt = interrupt;
        self
    }

    /// Tells this reporter of every step and fixture.
    pub fn with_reporter(mut self, reporter: Arc<dyn Reporter>) -> Self {
        self.reporter = reporter;
        self
    }

    pub fn reporter(&self) -> &dyn Reporter {
        &*self.reporter
    }

    fn scope(&self, vars: Vars, case_id: Option<String>) -> Scope<'_> {
        Scope {
            vars,
            observer: self.contract.observer(),
            identities: Identities::default(),
            case_id,
        }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn contract(&self) -> &Contract {
        &self.contract
    }

    pub fn settings(&self) -> &RunSettings {
        &self.settings
    }

    /// Asks running cases to stop after their current step (teardown still runs).
    pub fn interrupt(&self, reason: &str) {
        self.interrupt.interrupt(reason);
    }

    pub fn is_interrupted(&self) -> bool {
        self.interrupt.is_set()
    }

    /// The interrupt this runner honours.
    pub fn interrupt_handle(&self) -> &Arc<Interrupt> {
        &self.interrupt
    }

    fn globals(&self) -> Vars {
        self.globals.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Stops every task a call of this run started (an operation with `starts_tasks`
    /// in the contract) and no call stopped, with the contract's stopping call.
    pub async fn stop_started_tasks(&self) -> usize {
        let started: Vec<StartedTask> = self
            .started
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        let mut stopped = 0;
        for t in &started {
            let Some((operation, body)) = self.contract.stop_call(t) else {
                continue;
            };
            if self.target.call(operation, body).await.is_ok() {
                stopped += 1;
            }
        }
        stopped
    }

    /// A step report as kept in the results: the exchange of a step that raised no
    /// failing finding is dropped unless the settings keep every exchange, and a kept
    /// one holds at most an excerpt of its body (`STORED_BODY_EXCERPT`).
    fn slim(&self, mut report: StepResult) -> StepResult {
        let failing = report.findings.iter().any(|f| f.severity == Severity::Fail)
            || report.target_error.is_some();
        if let Some(exchange) = &report.exchange {
            report.status = Some(exchange.response.status);
        }
        if !failing && !self.settings.keep_exchanges {
            report.exchange = None;
        }
        if let Some(exchange) = report.exchange.as_mut() {
            if !self.settings.keep_exchanges {
                exchange.keep_excerpt(crate::client::STORED_BODY_EXCERPT);
            }
        }
        report
    }

    /// Records the tasks a successful call started and forgets the one it stopped,
    /// as the contract says for its operation.
    pub(super) fn note_tasks(&self, operation: &str, request: &Value, body: &Value) {
        let new = self.contract.started_tasks(operation, request, body);
        let stopped = self.contract.stopped_task(operation, request);
        if new.is_empty() && stopped.is_none() {
            return;
        }
        if let Ok(mut started) = self.started.lock() {
            started.extend(new);
            if let Some(task) = stopped {
                started.retain(|s| !s.is(task));
            }
        }
    }

    /// Runs one case: its steps in order until one fails, then its teardown.
    pub async fn run_case(&self, case: &Case) -> CaseResult {
        let started = Instant::now();
        let mut result = CaseResult::skipped(case, "");
        let failed_fixture = self.failed_fixtures.lock().ok().and_then(|f| {
            case.fixtures
                .iter()
                .find_map(|n| f.get(n))
                .map(|root| blocked_reason(root))
        });
        if let Some(reason) = failed_fixture {
            result.outcome = Outcome::Error(reason);
            return result;
        }
        let mut vars = self.globals();
        vars.set(
            "case_id",
            Value::String(case_id(&self.settings.run_id, &case.id)),
        );
        if let Err(e) = vars.define_all(&case.vars) {
            result.outcome = Outcome::Error(format!("variable `{}` has no value", e.0));
            return result;
        }
        if self.is_interrupted() {
            result.outcome =
                Outcome::Interrupted("the run was interrupted before this case started".into());
            return result;
        }
        let mut scope = self.scope(vars, Some(case.id.clone()));
        let mut cut_short = None;
        for (i, planned) in case.steps.iter().enumerate() {
            if self.is_interrupted() {
                cut_short = Some(format!(
                    "the run was interrupted before step {} {}",
                    i + 1,
                    planned.step.call
                ));
                break;
            }
            let report = self
                .exec_step(planned, i + 1, Phase::Step, &mut scope)
                .await;
            if report.cut_short() {
                cut_short = Some(format!(
                    "the run was interrupted during step {} {} ({}:{})",
                    i + 1,
                    planned.step.call,
                    result.file,
                    planned.line
                ));
            }
            let stop = report.problem().is_some() || cut_short.is_some();
            self.reporter.report(&RunEvent::StepFinished {
                case: Some(&case.id),
                step: &report,
            });
            result.steps.push(self.slim(report));
            if stop {
                break;
            }
        }
        for (i, planned) in case.teardown.iter().enumerate() {
            let report = self
                .exec_step(planned, i + 1, Phase::Teardown, &mut scope)
                .await;
            self.reporter.report(&RunEvent::StepFinished {
                case: Some(&case.id),
                step: &report,
            });
            result.steps.push(self.slim(report));
        }
        result.outcome = match cut_short {
            Some(reason) => Outcome::Interrupted(reason),
            None => outcome_of(&result.steps),
        };
        result.duration = started.elapsed();
        result.calls = result.steps.iter().map(|s| s.calls).sum();
        // Every step is kept (its exchange only when `slim` keeps it): the reports'
        // score per operation and rule matrix need to know which operations ran.
        result.steps.shrink_to_fit();
        result
    }
}

fn outcome_of(steps: &[StepResult]) -> Outcome {
    if let Some(e) = steps.iter().find_map(|s| s.target_error.clone()) {
        return Outcome::Error(e);
    }
    let failed = steps
        .iter()
        .flat_map(|s| &s.findings)
        .any(|f| f.severity == Severity::Fail);
    if failed {
        return Outcome::Failed;
    }
    if let Some(note) = steps
        .iter()
        .find(|s| s.skipped)
        .and_then(|s| s.note.clone())
    {
        return Outcome::Error(note);
    }
    Outcome::Passed
}
