//! The `Observer`: the per-case, stateful domain invariants no schema can express
//! (lifecycle order, what StopTask promises, cross-field rules, what DescribeTasks and
//! RunTask owe the request), run after the stateless checks of each exchange.

use super::arn::{cluster_matches, task_id};
use super::checks::check_exchange;
use super::data::OpKind;
use super::Contract;
use crate::client::Exchange;
use crate::excerpt;
use crate::finding::Finding;
use crate::pointer::select;
use crate::rules::Rule;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

/// Task lifecycle in order (seed: Task States).
pub const LIFECYCLE: [&str; 8] = [
    "PROVISIONING",
    "PENDING",
    "ACTIVATING",
    "RUNNING",
    "DEACTIVATING",
    "STOPPING",
    "DEPROVISIONING",
    "STOPPED",
];
const STOPPING_RANK: usize = 5;
/// How much earlier than the StopTask call a stop must be dated to count as one that
/// happened before it: timestamps rounded to the millisecond (or the second) and a
/// small clock skew between target and harness must not pass the caller's own stop
/// off as an earlier one.
const EARLIER_MARGIN_SECS: f64 = 2.0;
/// stoppedReason keeps at most this many characters of the StopTask reason.
const REASON_LIMIT: usize = 255;

/// What a caller's StopTask promised about one task.
#[derive(Debug, Clone)]
struct StopPromise {
    /// The request's reason, if it gave one.
    reason: Option<String>,
    /// False when the task was already stopping before the call (seen so earlier, or
    /// the answer dates its stop before the call): its stopCode and stoppedReason then
    /// come from the earlier cause.
    user_initiated: bool,
}

#[derive(Debug, Default)]
struct TaskMemory {
    /// Highest lifecycle rank seen so far.
    highest: Option<usize>,
    /// The task was seen stopping (desired STOPPED, a stopCode, or lastStatus at or
    /// after STOPPING) before any StopTask of ours.
    stopping_seen: bool,
    stop: Option<StopPromise>,
    /// The last version and lastStatus seen (`task.version`).
    version: Option<(i64, Option<String>)>,
}

/// Per-case stateful checker. Every exchange of a case goes through `observe` in order.
pub struct Observer<'c> {
    pub(super) contract: &'c Contract,
    tasks: HashMap<String, TaskMemory>,
    /// Fingerprints of ListTasks pages whose maxResults `observe` already judged.
    pub(super) judged_pages: HashSet<u64>,
}

impl<'c> Observer<'c> {
    pub(super) fn new(contract: &'c Contract) -> Self {
        Observer {
            contract,
            tasks: HashMap::new(),
            judged_pages: HashSet::new(),
        }
    }

    /// All built-in checks on one exchange + the stateful domain invariants.
    pub fn observe(&mut self, ex: &Exchange) -> Vec<Finding> {
        let mut out = check_exchange(self.contract, ex);
        let is_task_op = self
            .contract
            .data
            .operation(ex.operation())
            .is_some_and(|op| op.kind == OpKind::Task);
        let body = super::body::client_body(&ex.response);
        let Some(body) = body.as_deref().filter(|b| b.is_object()) else {
            return out;
        };
        if !is_task_op || !ex.response.is_success() {
            return out;
        }
        let request = &ex.request.body;
        let cluster = request
            .get("cluster")
            .and_then(Value::as_str)
            .unwrap_or("default");
        out.extend(super::arn_format::check(body));
        match ex.operation() {
            "RunTask" => {
                out.extend(run_count(request, body));
                for (at, task) in select(body, "/tasks/*") {
                    if let Some(t) = task.as_object() {
                        out.extend(super::task_state::run_echo(request, &at, t));
                    }
                    out.extend(self.task(&at, task, cluster));
                }
            }
            "StopTask" => {
                if let Some(task) = body.get("task").filter(|t| t.is_object()) {
                    let key = task
                        .get("taskArn")
                        .and_then(Value::as_str)
                        .or_else(|| request.get("task").and_then(Value::as_str))
                        .map(|s| task_id(s).to_string());
                    if let Some(key) = key {
                        let before_the_call = stopped_before(task, sent_at(ex));
                        let memory = self.tasks.entry(key).or_default();
                        if memory.stop.is_none() {
                            memory.stop = Some(StopPromise {
                                reason: request
                                    .get("reason")
                                    .and_then(Value::as_str)
                                    .map(str::to_string),
                                user_initiated: !memory.stopping_seen && !before_the_call,
                            });
                        }
                    }
                    out.extend(self.task("/task", task, cluster));
                }
            }
            "DescribeTasks" => {
                out.extend(describe_missing(request, body));
                out.extend(super::task_state::missing_arns(request, body));
                out.extend(describe_tags(request, body));
                for (at, task) in select(body, "/tasks/*") {
                    out.extend(self.task(&at, task, cluster));
                }
            }
            "ListTasks" => {
                self.judged_pages.insert(super::pages::fingerprint(ex));
                out.extend(super::pages::max_results(ex, None));
            }
            _ => {}
        }
        out
    }

    /// Invariants of one observed task at pointer `at`, then remembers what was seen.
    fn task(&mut self, at: &str, task: &Value, cluster: &str) -> Vec<Finding> {
        let Some(t) = task.as_object() else {
            return Vec::new();
        };
        let s = |k: &str| t.get(k).and_then(Value::as_str);
        let mut out = Vec::new();

        if let Some(arn) = s("clusterArn") {
            if !cluster_matches(arn, cluster) {
                out.push(
                    Finding::new(Rule::TaskClusterArn, format!("{at}/clusterArn"))
                        .expected(format!("the ARN of cluster {cluster}"))
                        .actual(arn)
                        .message(format!(
                            "the task's clusterArn does not name the requested cluster {cluster}"
                        )),
                );
            }
        }
        if let Some(task_arn) = s("taskArn") {
            for (cat, c) in select(task, "/containers/*") {
                if let Some(carn) = c.get("taskArn").and_then(Value::as_str) {
                    if carn != task_arn {
                        out.push(
                            Finding::new(Rule::TaskContainerArn, format!("{at}{cat}/taskArn"))
                                .expected(task_arn)
                                .actual(carn)
                                .message("a container names another task than the one holding it"),
                        );
                    }
                }
            }
        }

        out.extend(super::task_state::check(at, t));
        let last = s("lastStatus");
        let rank = last.and_then(|l| LIFECYCLE.iter().position(|x| *x == l));
        if last == Some("STOPPED") {
            let missing: Vec<&str> = ["stoppedAt", "stopCode"]
                .into_iter()
                .filter(|k| t.get(*k).is_none_or(Value::is_null))
                .collect();
            if !missing.is_empty() {
                out.push(
                    Finding::new(Rule::StopStoppedFields, format!("{at}/{}", missing[0]))
                        .expected("stoppedAt and stopCode on a STOPPED task")
                        .actual(format!("missing {}", missing.join(" and ")))
                        .message(format!(
                            "the task is STOPPED but lacks {}",
                            missing.join(" and ")
                        )),
                );
            }
        }

        let Some(key) = s("taskArn").map(|a| task_id(a).to_string()) else {
            return out;
        };
        let memory = self.tasks.entry(key).or_default();

        if let (Some(rank), Some(highest)) = (rank, memory.highest) {
            if rank < highest {
                out.push(
                    Finding::new(Rule::LifecycleMonotonic, format!("{at}/lastStatus"))
                        .expected(format!("{} or later", LIFECYCLE[highest]))
                        .actual(last.unwrap_or_default())
                        .message(format!(
                            "lastStatus moved backwards from {} to {}",
                            LIFECYCLE[highest],
                            last.unwrap_or_default()
                        )),
                );
            }
        }

        if let Some(version) = t.get("version").and_then(Value::as_i64) {
            if let Some((before, before_status)) = &memory.version {
                out.extend(super::task_state::version_step(
                    at,
                    (*before, before_status.as_deref()),
                    (version, last),
                ));
            }
            memory.version = Some((version, last.map(str::to_string)));
        }

        if let Some(stop) = memory.stop.clone() {
            out.extend(stop_promises(at, t, &stop));
        } else if s("desiredStatus") == Some("STOPPED")
            || t.get("stopCode").is_some_and(|v| !v.is_null())
            || rank.is_some_and(|r| r >= STOPPING_RANK)
        {
            memory.stopping_seen = true;
        }

        if let Some(rank) = rank {
            memory.highest = Some(memory.highest.map_or(rank, |h| h.max(rank)));
        }
        out
    }
}

/// When the call of `ex` was sent, in epoch seconds: `observe` runs as soon as the
/// answer arrives, so that is `elapsed` before now. None if the clock cannot say.
fn sent_at(ex: &Exchange) -> Option<f64> {
    let sent = SystemTime::now().checked_sub(ex.elapsed)?;
    Some(sent.duration_since(UNIX_EPOCH).ok()?.as_secs_f64())
}

/// The StopTask answer shows a task that had already stopped (or begun stopping) on
/// its own before the call was sent: a stopCode other than UserInitiated, with
/// stoppedAt or stoppingAt clearly earlier than the call (by `EARLIER_MARGIN_SECS`;
/// AWS's own stop-task example: a
/// TaskFailedToStart task after an image pull failure). That stop was not the caller's,
/// so it owes neither UserInitiated nor the caller's reason.
fn stopped_before(task: &Value, sent: Option<f64>) -> bool {
    let Some(sent) = sent else {
        return false;
    };
    let other_code = task
        .get("stopCode")
        .and_then(Value::as_str)
        .is_some_and(|c| c != "UserInitiated");
    let earlier = ["stoppedAt", "stoppingAt"]
        .iter()
        .filter_map(|k| task.get(*k).and_then(Value::as_f64))
        .any(|at| at < sent - EARLIER_MARGIN_SECS);
    other_code && earlier
}

/// desiredStatus STOPPED after our StopTask; stopCode UserInitiated and the reason echoed.
fn stop_promises(at: &str, t: &Map<String, Value>, stop: &StopPromise) -> Vec<Finding> {
    let s = |k: &str| t.get(k).and_then(Value::as_str);
    let mut out = Vec::new();
    if s("desiredStatus") != Some("STOPPED") {
        out.push(
            Finding::new(Rule::StopDesiredStatus, format!("{at}/desiredStatus"))
                .expected("STOPPED")
                .actual(
                    t.get("desiredStatus")
                        .map(|v| excerpt::json(v, excerpt::VALUE_CHARS))
                        .unwrap_or("absent".into()),
                )
                .message("StopTask succeeded for this task, so its desiredStatus must be STOPPED"),
        );
    }
    if !stop.user_initiated {
        return out;
    }
    let code = s("stopCode");
    if let Some(code) = code.filter(|c| *c != "UserInitiated") {
        out.push(
            Finding::new(Rule::StopUserInitiated, format!("{at}/stopCode"))
                .expected("UserInitiated")
                .actual(code)
                .message("the caller stopped this task, so stopCode must be UserInitiated"),
        );
    }
    if let Some(reason) = &stop.reason {
        let truncated = excerpt::head(reason, REASON_LIMIT).0.to_owned();
        let got = s("stoppedReason");
        let echoed = got.is_some_and(|g| g == reason || g == truncated);
        if !echoed && (got.is_some() || code.is_some()) {
            out.push(
                Finding::new(Rule::StopUserInitiated, format!("{at}/stoppedReason"))
                    .expected(excerpt::json(&Value::String(truncated), excerpt::VALUE_CHARS))
                    .actual(got.map_or("absent".into(), |g| excerpt::json(&Value::String(g.into()), excerpt::VALUE_CHARS)))
                    .message("stoppedReason must echo the reason given to StopTask (up to 255 characters)"),
            );
        }
    }
    out
}

/// RunTask returns `count` tasks, or fewer with failures explaining the rest.
fn run_count(request: &Value, body: &Value) -> Vec<Finding> {
    let Some(count) = request.get("count").map_or(Some(1), Value::as_u64) else {
        return Vec::new();
    };
    let len = |k: &str| body.get(k).and_then(Value::as_array).map_or(0, Vec::len) as u64;
    let (tasks, failures) = (len("tasks"), len("failures"));
    let problem = if tasks > count {
        Some(format!(
            "RunTask asked for {count} task(s) but {tasks} came back"
        ))
    } else if tasks < count && failures == 0 {
        Some(format!(
            "RunTask asked for {count} task(s), {tasks} came back and no failure explains the rest"
        ))
    } else {
        None
    };
    problem
        .map(|m| {
            Finding::new(Rule::RunCount, "/tasks")
                .expected(format!("{count} task(s), or fewer plus failures"))
                .actual(format!("{tasks} task(s), {failures} failure(s)"))
                .message(m)
        })
        .into_iter()
        .collect()
}

/// Every requested task not returned is in `failures` with reason MISSING.
fn describe_missing(request: &Value, body: &Value) -> Vec<Finding> {
    let Some(requested) = request.get("tasks").and_then(Value::as_array) else {
        return Vec::new();
    };
    let returned: Vec<&str> = select(body, "/tasks/*")
        .into_iter()
        .filter_map(|(_, t)| t.get("taskArn").and_then(Value::as_str))
        .collect();
    let failures: Vec<(&str, &str)> = select(body, "/failures/*")
        .into_iter()
        .map(|(_, f)| {
            let g = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("");
            (g("arn"), g("reason"))
        })
        .collect();
    let same = |a: &str, b: &str| a == b || task_id(a) == task_id(b);
    let mut out = Vec::new();
    for r in requested.iter().filter_map(Value::as_str) {
        if returned.iter().any(|a| same(a, r)) {
            continue;
        }
        match failures
            .iter()
            .find(|(arn, _)| !arn.is_empty() && same(arn, r))
        {
            Some((_, "MISSING")) => {}
            Some((_, reason)) => out.push(
                Finding::new(Rule::DescribeMissingFailures, "/failures")
                    .expected(format!("reason MISSING for {r}"))
                    .actual(format!("reason {reason:?}"))
                    .message(format!(
                        "the failure for unknown task {r} does not say MISSING"
                    )),
            ),
            None => out.push(
                Finding::new(Rule::DescribeMissingFailures, "/failures")
                    .expected(format!("a failure {{arn: {r}, reason: MISSING}}"))
                    .actual("neither a task nor a failure")
                    .message(format!(
                        "requested task {r} is neither in tasks nor in failures"
                    )),
            ),
        }
    }
    out
}

/// Tags only with `include: ["TAGS"]`.
fn describe_tags(request: &Value, body: &Value) -> Vec<Finding> {
    let asked = request
        .get("include")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v == "TAGS"));
    if asked {
        return Vec::new();
    }
    select(body, "/tasks/*")
        .into_iter()
        .filter(|(_, t)| {
            t.get("tags")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        })
        .map(|(at, t)| {
            Finding::new(Rule::DescribeTagsOnlyWithInclude, format!("{at}/tags"))
                .expected("no tags (include did not ask for TAGS)")
                .actual(excerpt::json(&t["tags"], excerpt::VALUE_CHARS))
                .message("DescribeTasks returned tags although the request did not include TAGS")
        })
        .collect()
}
