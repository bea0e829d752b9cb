//! Named deviations: each breaks one documented rule on purpose, the way real emulators
//! do, so the harness can show it catches them.
//!
//! Most deviations are applied here, in [`render`], the last step before a response
//! goes on the wire: the clean operations produce the documented answer and `render`
//! bends it. The few that change what an operation does (which tasks it creates, lists
//! or finds) are small hooks in `ops.rs`, each marked with a `DEVIATION:` comment.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use super::error::{ApiError, ErrorKind};
use super::ops::Op;

macro_rules! deviations {
    ($($variant:ident = $name:literal : $summary:literal,)+) => {
        /// A documented rule the reference breaks on purpose (see [`Deviation::summary`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Deviation {
            $(#[doc = $summary] $variant,)+
        }

        impl Deviation {
            /// Every deviation, in a stable order.
            pub fn all() -> &'static [Deviation] {
                &[$(Deviation::$variant,)+]
            }

            /// The kebab-case name used on the command line and in expectation files.
            pub fn name(self) -> &'static str {
                match self {
                    $(Deviation::$variant => $name,)+
                }
            }

            /// One line: which documented rule it breaks and how.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Deviation::$variant => $summary,)+
                }
            }
        }
    };
}

deviations! {
    StringTimestamps = "string-timestamps":
        "Timestamps are sent as ISO-8601 strings instead of epoch-second JSON numbers.",
    MissingFailures = "missing-failures":
        "DescribeTasks silently drops unknown tasks instead of listing them in failures with reason MISSING.",
    WrongErrorType = "wrong-error-type":
        "An unknown cluster is answered with InvalidParameterException instead of ClusterNotFoundException.",
    ErrorStatus200 = "error-status-200":
        "Errors are sent with HTTP status 200 instead of 4xx/5xx.",
    NoErrorType = "no-error-type":
        "Error bodies carry only a message: no __type member and no X-Amzn-ErrorType header.",
    Html500 = "html-500":
        "ListTasks answers every call with an HTML 500 page instead of a JSON response.",
    IgnoreMaxResults = "ignore-max-results":
        "ListTasks ignores maxResults and returns every task in one page.",
    RepeatPage = "repeat-page":
        "ListTasks pages overlap: with maxResults of 2 or more, each page after the first repeats the last ARN of the previous page.",
    LifecycleBackwards = "lifecycle-backwards":
        "A RUNNING task is reported PENDING again on every second DescribeTasks (lastStatus moves backwards).",
    WrongStopCode = "wrong-stop-code":
        "A task stopped by StopTask reports stopCode EssentialContainerExited instead of UserInitiated.",
    NoStoppedReason = "no-stopped-reason":
        "The StopTask reason is not echoed: stoppedReason is missing from stopped tasks.",
    NoStoppedAt = "no-stopped-at":
        "STOPPED tasks carry no stoppedAt timestamp.",
    DesiredStatusRunning = "desired-status-running":
        "The StopTask response keeps desiredStatus RUNNING instead of STOPPED.",
    NoRequestId = "no-request-id":
        "Responses carry no x-amzn-RequestId header.",
    VersionAsString = "version-as-string":
        "Task version is sent as a JSON string (\"3\") instead of an integer.",
    NumericCpu = "numeric-cpu":
        "Task and container cpu/memory are sent as JSON numbers instead of strings.",
    ContainerTaskArn = "container-task-arn":
        "containers[].taskArn names a different task than the one that holds the container.",
    TagsAlways = "tags-always":
        "DescribeTasks returns tags even when include TAGS is not requested.",
    CountIgnored = "count-ignored":
        "RunTask ignores count: it always starts exactly one task and reports no failures.",
    CountUnchecked = "count-unchecked":
        "RunTask accepts count above 10 instead of rejecting it with InvalidParameterException.",
    StoppedForgotten = "stopped-forgotten":
        "Stopped tasks vanish at once: DescribeTasks reports them MISSING instead of keeping them visible for an hour.",
    ListIncludesStopped = "list-includes-stopped":
        "ListTasks without desiredStatus also lists stopped tasks instead of only those with desiredStatus RUNNING.",
    UndocumentedError = "undocumented-error":
        "StopTask on an unknown task answers ResourceNotFoundException, an error type not documented for StopTask.",
    EmptyTasksAccepted = "empty-tasks-accepted":
        "DescribeTasks accepts an empty tasks list (200, nothing described) instead of InvalidParameterException.",
    // Isolation and filters (issue 14, part B).
    CrossClusterLookup = "cross-cluster-lookup":
        "DescribeTasks and StopTask find a task by id or ARN whatever cluster is asked, instead of only in that cluster.",
    ListOtherClusters = "list-other-clusters":
        "ListTasks pages include the tasks of every cluster instead of only those of the cluster asked.",
    IgnoreFamilyFilter = "ignore-family-filter":
        "ListTasks ignores the family filter and lists tasks of every family.",
    IgnoreStartedByFilter = "ignore-started-by-filter":
        "ListTasks ignores the startedBy filter and lists tasks whoever started them.",
    IgnoreLaunchTypeFilter = "ignore-launch-type-filter":
        "ListTasks ignores the launchType filter and lists tasks of every launch type.",
    IgnoreContainerInstanceFilter = "ignore-container-instance-filter":
        "ListTasks ignores the containerInstance filter (once the instance is known) and lists tasks wherever they run.",
    IgnoreDesiredStatusFilter = "ignore-desired-status-filter":
        "ListTasks ignores an explicit desiredStatus filter and lists tasks of every desired status.",
    IgnoreServiceNameFilter = "ignore-service-name-filter":
        "ListTasks accepts the name of a service of the cluster but ignores the serviceName filter and lists every task of the cluster.",
    // What a task must agree with itself on (applied in task_deviations.rs).
    ShortArnsWrongRegion = "short-arns-wrong-region":
        "containers[].containerArn uses the older short format with another region than the rest of the answer.",
    ContainerArnsFromTaskDefinition = "container-arns-from-task-definition":
        "containers[].containerArn is the task definition's ARN plus an id (as moto does) instead of a container ARN.",
    StoppedWithRunningContainer = "stopped-with-running-container":
        "A STOPPED task still reports its containers RUNNING.",
    ExitCodeWhileRunning = "exit-code-while-running":
        "Containers carry an exitCode of 0 before they stop (PENDING and RUNNING ones too).",
    VersionGoesBack = "version-goes-back":
        "A task's version counts down with every answer that shows it instead of growing.",
    StoppingBeforeCreated = "stopping-before-created":
        "A stopping task's stoppingAt is earlier than its createdAt.",
    StoppedDesiredRunning = "stopped-desired-running":
        "A STOPPED task reports desiredStatus RUNNING.",
    FargateWithContainerInstance = "fargate-with-container-instance":
        "FARGATE tasks name a container instance (containerInstanceArn).",
    EniNeverDeleted = "eni-never-deleted":
        "The network interface attachment of a FARGATE task stays ATTACHED after the task is STOPPED instead of DELETED.",
    MissingFailureBareId = "missing-failure-bare-id":
        "A DescribeTasks MISSING failure for a task asked for by id repeats the id instead of the task's full ARN.",
    GroupNotDefaulted = "group-not-defaulted":
        "A task started without a group gets the family name as group instead of family:<family>.",
    StartedByDropped = "started-by-dropped":
        "Tasks do not echo the startedBy RunTask was sent.",
    // Negative requests (the generated cases negative/*).
    AcceptMalformedJson = "accept-malformed-json":
        "A request body that is not valid JSON is read as {} instead of being refused with SerializationException.",
    WrongType500 = "wrong-type-500":
        "A member of the wrong JSON type is answered with HTTP 500 and a text/html stack trace instead of a 400 JSON error.",
    UncheckedTags = "unchecked-tags":
        "RunTask accepts more than 50 tags, keys over 128 characters and the reserved aws: prefix instead of InvalidParameterException.",
    AutoCreateCluster = "auto-create-cluster":
        "RunTask on a cluster that does not exist creates it instead of answering ClusterNotFoundException.",
    StopOnEmptyTask = "stop-on-empty-task":
        "StopTask with an empty task stops the cluster's newest task instead of refusing with InvalidParameterException.",
}

impl std::fmt::Display for Deviation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Deviation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Deviation::all()
            .iter()
            .copied()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Deviation::all().iter().map(|d| d.name()).collect();
                format!("unknown deviation `{s}`; valid names: {}", names.join(", "))
            })
    }
}

/// The deviations a server runs with, plus the little memory some of them need.
#[derive(Debug, Default)]
pub(crate) struct Deviations {
    set: HashSet<Deviation>,
    /// lifecycle-backwards: how often each task ARN was described as RUNNING.
    running_seen: Mutex<HashMap<String, u32>>,
    /// version-goes-back: how many tasks were rendered so far.
    pub(crate) renders: std::sync::atomic::AtomicI64,
}

impl Deviations {
    pub(crate) fn new(list: &[Deviation]) -> Self {
        Deviations {
            set: list.iter().copied().collect(),
            running_seen: Mutex::default(),
            renders: Default::default(),
        }
    }

    pub(crate) fn has(&self, d: Deviation) -> bool {
        self.set.contains(&d)
    }
}

/// A response ready for the wire.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: String,
    /// For the X-Amzn-ErrorType header.
    pub(crate) error_type: Option<&'static str>,
    pub(crate) request_id: bool,
}

pub(crate) const JSON: &str = "application/x-amz-json-1.1";

/// The documented response for `result`, then bent by the active deviations.
pub(crate) fn render(devs: &Deviations, op: Option<Op>, result: Result<Value, ApiError>) -> Reply {
    use Deviation as D;
    let mut reply = match result {
        Ok(mut body) => {
            if !devs.set.is_empty() {
                if let Some(op) = op {
                    bend_body(devs, op, &mut body);
                }
            }
            Reply {
                status: 200,
                content_type: JSON,
                body: body.to_string(),
                error_type: None,
                request_id: true,
            }
        }
        Err(mut e) => {
            if devs.has(D::WrongErrorType) && e.kind == ErrorKind::ClusterNotFound {
                e.kind = ErrorKind::InvalidParameter;
            }
            let mut body = Map::new();
            let mut error_type = Some(e.kind.type_name());
            if devs.has(D::NoErrorType) {
                error_type = None;
            } else {
                body.insert("__type".into(), json!(e.kind.type_name()));
            }
            body.insert("message".into(), json!(e.message));
            Reply {
                status: if devs.has(D::ErrorStatus200) {
                    200
                } else {
                    e.kind.status()
                },
                content_type: JSON,
                body: Value::Object(body).to_string(),
                error_type,
                request_id: true,
            }
        }
    };
    if devs.has(D::WrongType500)
        && reply.status == 400
        && reply.body.contains(super::input::WRONG_TYPE)
    {
        reply = Reply {
            status: 500,
            content_type: "text/html; charset=utf-8",
            body: "<html><body><h1>500 Internal Server Error</h1><pre>Traceback (most recent call last):\n  \
                   File \"server.py\", line 42, in dispatch\nTypeError: string indices must be integers</pre></body></html>"
                .into(),
            error_type: None,
            request_id: true,
        };
    }
    if devs.has(D::Html500) && op == Some(Op::ListTasks) {
        reply = Reply {
            status: 500,
            content_type: "text/html; charset=utf-8",
            body: "<html><head><title>500 Internal Server Error</title></head>\
                   <body><h1>Internal Server Error</h1></body></html>"
                .into(),
            error_type: None,
            request_id: true,
        };
    }
    if devs.has(D::NoRequestId) {
        reply.request_id = false;
    }
    reply
}

fn bend_body(devs: &Deviations, op: Op, body: &mut Value) {
    use Deviation as D;
    if op == Op::DescribeTasks {
        if devs.has(D::StoppedForgotten) {
            forget_stopped(body);
        }
        if devs.has(D::MissingFailures) {
            if let Some(f) = body.get_mut("failures") {
                *f = json!([]);
            }
        }
        if devs.has(D::LifecycleBackwards) {
            let mut seen = devs.running_seen.lock().unwrap_or_else(|e| e.into_inner());
            for task in tasks_mut(body) {
                if task["lastStatus"] == "RUNNING" {
                    let arn = task["taskArn"].as_str().unwrap_or_default().to_string();
                    let n = seen.entry(arn).or_insert(0);
                    *n += 1;
                    if n.is_multiple_of(2) {
                        task["lastStatus"] = json!("PENDING");
                    }
                }
            }
        }
    }
    if op == Op::StopTask && devs.has(D::DesiredStatusRunning) {
        if let Some(task) = body.get_mut("task") {
            task["desiredStatus"] = json!("RUNNING");
        }
    }
    for task in tasks_mut(body) {
        bend_task(devs, task);
    }
    if devs.has(D::StringTimestamps) {
        stringify_timestamps(body);
    }
}

/// The task objects of a RunTask/DescribeTasks (`tasks`) or StopTask (`task`) answer.
fn tasks_mut(body: &mut Value) -> Vec<&mut Value> {
    let Some(o) = body.as_object_mut() else {
        return vec![];
    };
    let mut out = vec![];
    for (key, value) in o.iter_mut() {
        match (key.as_str(), value) {
            ("tasks", Value::Array(items)) => out.extend(items.iter_mut()),
            ("task", v @ Value::Object(_)) => out.push(v),
            _ => {}
        }
    }
    out
}

fn bend_task(devs: &Deviations, task: &mut Value) {
    use Deviation as D;
    let Some(t) = task.as_object_mut() else {
        return;
    };
    super::task_deviations::bend(devs, t);
    if devs.has(D::WrongStopCode) && t.get("stopCode") == Some(&json!("UserInitiated")) {
        t.insert("stopCode".into(), json!("EssentialContainerExited"));
    }
    if devs.has(D::NoStoppedReason) {
        t.remove("stoppedReason");
    }
    if devs.has(D::NoStoppedAt) {
        t.remove("stoppedAt");
    }
    if devs.has(D::VersionAsString) {
        if let Some(v) = t.get("version").and_then(Value::as_i64) {
            t.insert("version".into(), json!(v.to_string()));
        }
    }
    if devs.has(D::NumericCpu) {
        numberify(t, &["cpu", "memory"]);
    }
    let task_arn = t.get("taskArn").and_then(Value::as_str).map(str::to_string);
    if let Some(Value::Array(containers)) = t.get_mut("containers") {
        for c in containers.iter_mut().filter_map(Value::as_object_mut) {
            if devs.has(D::NumericCpu) {
                numberify(c, &["cpu", "memory"]);
            }
            if devs.has(D::ContainerTaskArn) {
                if let Some((prefix, _)) = task_arn.as_deref().and_then(|a| a.rsplit_once('/')) {
                    c.insert(
                        "taskArn".into(),
                        json!(format!("{prefix}/{}", "0".repeat(32))),
                    );
                }
            }
        }
    }
}

fn numberify(o: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(n) = o
            .get(*key)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok())
        {
            o.insert((*key).into(), json!(n));
        }
    }
}

/// stopped-forgotten: every STOPPED task becomes a MISSING failure.
fn forget_stopped(body: &mut Value) {
    let Some(Value::Array(tasks)) = body.get_mut("tasks") else {
        return;
    };
    let (stopped, kept): (Vec<Value>, Vec<Value>) = std::mem::take(tasks)
        .into_iter()
        .partition(|t| t["lastStatus"] == "STOPPED");
    *tasks = kept;
    let missing = stopped
        .iter()
        .map(|t| json!({"arn": t["taskArn"], "reason": "MISSING"}));
    if let Some(Value::Array(failures)) = body.get_mut("failures") {
        failures.extend(missing);
    }
}

const TIMESTAMP_KEYS: &[&str] = &[
    "createdAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "connectivityAt",
    "stoppingAt",
    "executionStoppedAt",
    "stoppedAt",
    "lastStartedAt",
    "registeredAt",
    "deregisteredAt",
];

/// string-timestamps: every timestamp number becomes an ISO-8601 string.
fn stringify_timestamps(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, v) in o.iter_mut() {
                match v.as_f64() {
                    Some(secs) if TIMESTAMP_KEYS.contains(&k.as_str()) => *v = json!(iso8601(secs)),
                    _ => stringify_timestamps(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(stringify_timestamps),
        _ => {}
    }
}

/// `2024-01-01T00:00:00.000Z` for seconds since the epoch.
pub(crate) fn iso8601(secs: f64) -> String {
    let millis = Duration::from_millis((secs.max(0.0) * 1000.0).round() as u64);
    humantime::format_rfc3339_millis(UNIX_EPOCH + millis).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for d in Deviation::all() {
            assert!(seen.insert(d.name()), "duplicate name {}", d.name());
            assert!(d
                .name()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()));
            assert_eq!(d.name().parse::<Deviation>(), Ok(*d));
            assert!(!d.summary().is_empty() && !d.summary().contains('\n'));
        }
        assert!(Deviation::all().len() >= 15);
        let err = "nope".parse::<Deviation>().unwrap_err();
        assert!(err.contains("string-timestamps") && err.contains("nope"));
    }

    #[test]
    fn iso8601_formats_known_instants() {
        assert_eq!(iso8601(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_704_067_200.5), "2024-01-01T00:00:00.500Z");
        assert_eq!(iso8601(1_709_208_000.123), "2024-02-29T12:00:00.123Z");
    }
}
