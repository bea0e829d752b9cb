//! Executing one step: bind its variables, send it (following `nextToken` when it
//! paginates, polling while its `until` does not hold), pass every exchange through
//! the contract observer, judge its expectations and save what it asks for.

use super::{Runner, Vars};
use crate::client::Exchange;
use crate::contract::Observer;
use crate::finding::{Finding, Severity};
use crate::judge::{check_conditions, judge_step, stated_rules};
use crate::rules::{Rule, Stage};
use crate::snapshot::Identities;
use crate::suite::{PlannedStep, Save};
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// Most pages a paginated walk follows before it calls the pagination endless.
pub const MAX_PAGES: usize = 1000;

/// Whether `rule` judges what the case itself states (its expectations, or what it asks
/// the runner to poll, save or page through): a failure of one stops the case.
fn states_of_the_case(rule: Rule) -> bool {
    matches!(rule.stage(), Stage::Expectation | Stage::Runner)
}

/// How the note of a step cut short by an interrupted run begins.
pub const INTERRUPTED_NOTE: &str = "interrupted";

/// How the reason of a target error begins when the target did answer, with a body
/// that is not JSON (an HTML 500 page): the target's behaviour, unlike a connection
/// refused, a timeout or a cut-off answer.
const UNUSABLE_ANSWER: &str = "the target answered";

/// Whether a target error's reason says the target answered with a body that is not
/// JSON (see `UNUSABLE_ANSWER`).
pub fn is_unusable_answer(reason: &str) -> bool {
    reason.starts_with(UNUSABLE_ANSWER)
}

/// Where a step belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", content = "fixture", rename_all = "snake_case")]
pub enum Phase {
    Step,
    Teardown,
    Fixture(String),
    FixtureTeardown(String),
}

/// Polls of one step kept for the timeline (a long wait keeps its first ones).
const MAX_POLLS_KEPT: usize = 500;

/// What happened in one step.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    #[serde(flatten)]
    pub phase: Phase,
    /// 1-based position within its phase.
    pub index: usize,
    pub call: String,
    /// Line of the step in its file (0 when unknown).
    pub line: usize,
    /// How many calls the step made (polls and pages included).
    pub calls: usize,
    /// The last exchange (or the one that failed).
    pub exchange: Option<Box<Exchange>>,
    /// The HTTP status of that exchange, kept when the exchange itself is dropped (the
    /// report matrix tells success answers from error answers by it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The rules of what the step states that were judged on its answer (its
    /// expectations, `until`, `save`, `paginate`, and the snapshot rules when the
    /// answer was compared with its stored snapshot); see `judge::stated_rules`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stated: Vec<Rule>,
    pub findings: Vec<Finding>,
    /// The harness could not get a usable answer.
    pub target_error: Option<String>,
    /// Not sent: a variable it needs has no value.
    pub skipped: bool,
    pub note: Option<String>,
    /// For a step with `until`: what each poll saw, in order (the HTML report's
    /// lastStatus timeline).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub polls: Vec<Poll>,
}

/// One poll of an `until` step: when it answered (since the step started) and the
/// `lastStatus` of every task in the answer, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Poll {
    pub at_ms: u64,
    pub last_status: Vec<String>,
}

impl Poll {
    /// The poll of an answer `body` at `at` since the step started.
    fn of(body: Option<&Value>, at: Duration) -> Poll {
        let statuses = body
            .and_then(|b| b.get("tasks"))
            .and_then(Value::as_array)
            .map(|tasks| {
                tasks
                    .iter()
                    .map(|t| match t.get("lastStatus") {
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => "(none)".to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Poll {
            at_ms: u64::try_from(at.as_millis()).unwrap_or(u64::MAX),
            last_status: statuses,
        }
    }
}

impl StepResult {
    fn new(planned: &PlannedStep, index: usize, phase: Phase) -> Self {
        StepResult {
            phase,
            index,
            call: planned.step.call.clone(),
            line: planned.line,
            calls: 0,
            exchange: None,
            findings: Vec::new(),
            target_error: None,
            skipped: false,
            note: None,
            polls: Vec::new(),
            status: None,
            stated: Vec::new(),
        }
    }

    /// Why the steps after this one should not run, if they should not.
    /// A broken expectation of the case (or no usable answer) stops the case: later
    /// steps build on this one. A contract finding on an otherwise expected answer
    /// does not, so one run shows every contract failure of a target, not the first.
    pub fn problem(&self) -> Option<String> {
        if let Some(e) = &self.target_error {
            return Some(e.clone());
        }
        if self.skipped {
            return self.note.clone();
        }
        self.findings
            .iter()
            .find(|f| f.severity == Severity::Fail && states_of_the_case(f.rule))
            .map(|f| f.to_string())
    }

    /// Whether the run's interruption cut this step short (its `until` was not judged).
    pub fn cut_short(&self) -> bool {
        !self.skipped
            && self
                .note
                .as_deref()
                .is_some_and(|n| n.starts_with(INTERRUPTED_NOTE))
    }

    fn add(&mut self, findings: Vec<Finding>) {
        for f in findings {
            if !self.findings.contains(&f) {
                self.findings.push(f);
            }
        }
    }
}

/// What the steps of one case (or one fixture) share: variables, the contract
/// observer, and snapshot placeholder numbering.
pub struct Scope<'c> {
    pub vars: Vars,
    pub observer: Observer<'c>,
    pub identities: Identities,
    /// The case's id; None for fixtures (which take no snapshots).
    pub case_id: Option<String>,
}

/// One round of a step: the last exchange and the body its expectations look at.
struct Round {
    exchange: Exchange,
    /// The aggregate of a paginated walk; None: the exchange's own body.
    aggregate: Option<Value>,
}

impl Round {
    fn body(&self) -> Option<&Value> {
        self.aggregate
            .as_ref()
            .or(self.exchange.response.body.as_ref())
    }
}

impl Runner {
    pub(super) async fn exec_step(
        &self,
        planned: &PlannedStep,
        index: usize,
        phase: Phase,
        scope: &mut Scope<'_>,
    ) -> StepResult {
        let mut report = StepResult::new(planned, index, phase);
        let (vars, observer) = (&mut scope.vars, &mut scope.observer);
        let step = &planned.step;
        let bound = vars.bind(&step.request).and_then(|request| {
            let until = planned
                .until
                .as_ref()
                .map(|u| vars.bind_conditions(u))
                .transpose()?;
            let body = vars.bind_conditions(&planned.expect.body)?;
            let headers = vars.bind_conditions(&planned.expect.headers)?;
            Ok((request, until, body, headers))
        });
        let (request, until, expect_body, expect_headers) = match bound {
            Ok(b) => b,
            Err(unbound) => {
                report.skipped = true;
                report.note = Some(format!(
                    "not sent: `${{{}}}` has no value (an earlier step did not save it)",
                    unbound.0
                ));
                return report;
            }
        };
        let interval = step.every.unwrap_or(self.settings.poll_interval);
        let within = step.within.unwrap_or(self.settings.default_within);
        let within = self
            .settings
            .max_within
            .map_or(within, |cap| within.min(cap));
        // None: a deadline past what the clock holds, i.e. none.
        let started = Instant::now();
        let deadline = started.checked_add(within);
        let round = loop {
            let round = match self.round(planned, &request, observer, &mut report).await {
                Some(r) => r,
                None => return report,
            };
            let Some(until) = &until else { break round };
            if report.polls.len() < MAX_POLLS_KEPT {
                report.polls.push(Poll::of(round.body(), started.elapsed()));
            }
            let unmet = check_conditions(
                until,
                round.body().unwrap_or(&Value::Null),
                Rule::UntilTimeout,
            );
            if unmet.is_empty() {
                break round;
            }
            if self.is_interrupted() {
                // Cut short: neither a pass nor an `until.timeout`; the case is interrupted.
                report.note = Some(format!(
                    "{INTERRUPTED_NOTE} while polling, after {} calls; `until` was not judged",
                    report.calls
                ));
                report.exchange = Some(Box::new(round.exchange));
                return report;
            }
            // A task or container that is STOPPED stays STOPPED: a condition on its
            // lastStatus that STOPPED does not meet can no longer hold, so polling on
            // would only wait for the deadline (the AWS TasksRunning waiter fails on
            // STOPPED too). The verdict is the one the deadline would give.
            let final_state = unmet.iter().find(|f| {
                f.pointer.ends_with("/lastStatus")
                    && round
                        .body()
                        .and_then(|b| crate::pointer::lookup(b, &f.pointer))
                        .is_some_and(|v| v == "STOPPED")
            });
            let next_poll = Instant::now().checked_add(interval);
            if final_state.is_some()
                || deadline.is_some_and(|d| next_poll.is_none_or(|next| next > d))
            {
                let what: Vec<String> = unmet
                    .iter()
                    .map(|f| format!("{} (last value: {})", f.pointer, f.actual))
                    .collect();
                let why = match final_state {
                    Some(f) => format!(
                        "the condition can no longer hold ({} is STOPPED, a final state) after {} calls",
                        f.pointer, report.calls
                    ),
                    None => format!(
                        "the condition did not hold within {within:?} after {} calls",
                        report.calls
                    ),
                };
                report.add(vec![Finding::new(
                    Rule::UntilTimeout,
                    unmet[0].pointer.clone(),
                )
                .expected(unmet[0].expected.clone())
                .actual(unmet[0].actual.clone())
                .message(format!("{why}: {}", what.join("; ")))]);
                report.exchange = Some(Box::new(round.exchange));
                return report;
            }
            self.pause(interval).await;
        };
        let mut expect = planned.expect.clone();
        expect.body = expect_body;
        expect.headers = expect_headers;
        report.stated = stated_rules(planned);
        report.add(judge_step(&expect, &round.exchange, round.body()));
        if let Some(body) = round.body() {
            for (name, save) in &step.save {
                match saved_value(body, save) {
                    Ok(v) => vars.set(name.clone(), v),
                    Err(why) => report.add(vec![Finding::new(Rule::SaveMissing, save.pointer())
                        .expected("a value to save")
                        .actual("no value")
                        .message(format!("cannot save `{name}`: {why}"))]),
                }
            }
        }
        if step.snapshot {
            if let (Some(store), Some(case_id)) = (&self.snapshots, &scope.case_id) {
                report.stated.extend(
                    crate::rules::all()
                        .iter()
                        .filter(|r| r.stage == Stage::Snapshot)
                        .map(|r| r.rule),
                );
                report.add(store.check_case(
                    case_id,
                    index,
                    &round.exchange,
                    &mut scope.identities,
                ));
            }
        }
        report.exchange = Some(Box::new(round.exchange));
        report
    }

    /// Sleeps `interval` between polls, waking early when the run is interrupted.
    async fn pause(&self, interval: Duration) {
        const SLICE: Duration = Duration::from_millis(100);
        let end = Instant::now().checked_add(interval);
        while !self.is_interrupted() {
            let left = end.map_or(SLICE, |e| e.saturating_duration_since(Instant::now()));
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(left.min(SLICE)).await;
        }
    }

    /// One call, or one full paginated walk. None when the target gave no usable answer
    /// (the report then says why).
    async fn round(
        &self,
        planned: &PlannedStep,
        request: &Value,
        observer: &mut Observer<'_>,
        report: &mut StepResult,
    ) -> Option<Round> {
        let op = &planned.step.call;
        let mut pages: Vec<Exchange> = Vec::new();
        let mut collected: Map<String, Value> = Map::new();
        let mut next = request.clone();
        let wire = crate::client::WireOverrides {
            raw_body: planned.step.raw_body.clone(),
            target: planned.step.target.clone(),
        };
        loop {
            let mut exchange = match self.target.call_with(op, next, &wire).await {
                Ok(e) => e,
                Err(e) => {
                    report.target_error = Some(e.to_string());
                    return None;
                }
            };
            report.calls += 1;
            // An empty body is `{}` to a client (an empty 200, an error named only by
            // its X-Amzn-ErrorType header): judged as such, not a target error.
            if crate::contract::is_empty_body(&exchange.response) {
                exchange.response.body = Some(Value::Object(Map::new()));
            }
            report.add(observer.observe(&exchange));
            let Some(body) = exchange.response.body.as_ref() else {
                report.target_error = Some(format!(
                    "{UNUSABLE_ANSWER} {op} with HTTP {} and a body that is not JSON: {}",
                    exchange.response.status,
                    crate::excerpt::one_line(&exchange.response.body_text, 120)
                ));
                report.exchange = Some(Box::new(exchange));
                return None;
            };
            if exchange.response.is_success() {
                self.note_tasks(op, request, body);
            }
            if !planned.step.paginate || !exchange.response.is_success() {
                return Some(Round {
                    exchange,
                    aggregate: None,
                });
            }
            if let Value::Object(map) = body {
                for (k, v) in map {
                    if let Value::Array(items) = v {
                        let entry = collected
                            .entry(k.clone())
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(all) = entry {
                            all.extend(items.iter().cloned());
                        }
                    }
                }
            }
            let follow = body
                .get("nextToken")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(|t| {
                    let mut follow = exchange.request.body.clone();
                    follow["nextToken"] = Value::String(t.to_owned());
                    follow
                });
            pages.push(exchange);
            match follow {
                Some(follow) if pages.len() < MAX_PAGES => next = follow,
                Some(_) => {
                    report.add(vec![Finding::new(Rule::PaginateEndless, "/nextToken")
                        .expected("the last page within 1000 pages")
                        .actual("a nextToken on page 1000")
                        .message("pagination never ends")]);
                    break;
                }
                None => break,
            }
        }
        report.add(observer.observe_pages(&pages));
        collected.insert("pages".into(), Value::from(pages.len()));
        let exchange = pages.pop()?;
        Some(Round {
            exchange,
            aggregate: Some(Value::Object(collected)),
        })
    }
}

/// The value a `save` entry takes from a body, or why there is none.
fn saved_value(body: &Value, save: &Save) -> Result<Value, String> {
    let pointer = save.pointer();
    let value = body
        .pointer(pointer)
        .ok_or_else(|| format!("the response has nothing at {pointer}"))?;
    match save {
        Save::Pointer(_) => Ok(value.clone()),
        Save::Capture { capture, .. } => {
            let text = value
                .as_str()
                .ok_or_else(|| format!("the value at {pointer} is not a string: {value}"))?;
            let re = regex::Regex::new(capture).map_err(|e| e.to_string())?;
            re.captures(text)
                .and_then(|c| c.get(1))
                .map(|m| Value::String(m.as_str().to_owned()))
                .ok_or_else(|| format!("`{text}` at {pointer} does not match /{capture}/"))
        }
    }
}
