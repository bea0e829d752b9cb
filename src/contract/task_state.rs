//! What one observed task must agree with itself on, beyond its schema: its containers'
//! states, the order of its timestamps, its desired status once STOPPED, its launch
//! type; and what a RunTask answer owes the request (`group`, the echoed members).

use super::invariants::LIFECYCLE;
use crate::excerpt;
use crate::finding::Finding;
use crate::rules::Rule;
use serde_json::{Map, Value};

/// The task timestamps in the order the lifecycle sets them.
const TIMESTAMP_ORDER: [&str; 7] = [
    "createdAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "stoppingAt",
    "executionStoppedAt",
    "stoppedAt",
];

/// Every stateless consistency rule on the task object `t` at pointer `at`.
pub(crate) fn check(at: &str, t: &Map<String, Value>) -> Vec<Finding> {
    let mut out = containers(at, t);
    out.extend(timestamp_order(at, t));
    out.extend(launch_type(at, t));
    if str_of(t, "lastStatus") == Some("STOPPED") {
        // Another documented value (a misspelt one is schema.enum-misspelling's).
        let desired = str_of(t, "desiredStatus").filter(|d| matches!(*d, "RUNNING" | "PENDING"));
        if let Some(desired) = desired {
            out.push(
                Finding::new(Rule::TaskStoppedDesired, format!("{at}/desiredStatus"))
                    .expected("STOPPED")
                    .actual(desired)
                    .message("a STOPPED task must also desire STOPPED"),
            );
        }
    }
    out
}

fn str_of<'a>(t: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    t.get(k).and_then(Value::as_str)
}

/// Containers against their task: none PENDING or RUNNING in a STOPPED task, no
/// exitCode before STOPPED, not all still PENDING in a RUNNING task.
fn containers(at: &str, t: &Map<String, Value>) -> Vec<Finding> {
    let Some(list) = t.get("containers").and_then(Value::as_array) else {
        return Vec::new();
    };
    let task_status = str_of(t, "lastStatus");
    let mut out = Vec::new();
    let mut all_pending = !list.is_empty();
    for (i, c) in list.iter().enumerate() {
        let status = c.get("lastStatus").and_then(Value::as_str);
        all_pending &= status == Some("PENDING");
        if task_status == Some("STOPPED") && matches!(status, Some("PENDING" | "RUNNING")) {
            out.push(
                Finding::new(
                    Rule::TaskStoppedContainers,
                    format!("{at}/containers/{i}/lastStatus"),
                )
                .expected("STOPPED (the task is STOPPED)")
                .actual(status.unwrap_or_default())
                .message("a STOPPED task still has a container that is not stopped"),
            );
        }
        let exit = c.get("exitCode").filter(|v| !v.is_null());
        // A documented status other than STOPPED (a misspelt one is judged elsewhere).
        let before_stop = status.filter(|s| *s != "STOPPED" && LIFECYCLE.contains(s));
        if let (Some(code), Some(status)) = (exit, before_stop) {
            out.push(
                Finding::new(
                    Rule::ContainerExitCode,
                    format!("{at}/containers/{i}/exitCode"),
                )
                .expected(format!("no exitCode while the container is {status}"))
                .actual(excerpt::json(code, excerpt::VALUE_CHARS))
                .message("a container that has not stopped cannot have exited"),
            );
        }
    }
    if task_status == Some("RUNNING") && all_pending {
        out.push(
            Finding::new(Rule::TaskRunningContainers, format!("{at}/containers"))
                .expected("an essential container started before the task is RUNNING")
                .actual("every container PENDING")
                .message("the task is RUNNING while all its containers (so its essential ones) are PENDING"),
        );
    }
    out
}

/// The present timestamps in lifecycle order: each at or after every earlier one.
fn timestamp_order(at: &str, t: &Map<String, Value>) -> Vec<Finding> {
    let present: Vec<(&str, f64)> = TIMESTAMP_ORDER
        .iter()
        .filter_map(|k| Some((*k, t.get(*k).and_then(Value::as_f64)?)))
        .collect();
    let mut out = Vec::new();
    for (j, (key, v)) in present.iter().enumerate() {
        let later_before = present[..j]
            .iter()
            .filter(|(before, bv)| bv > v && !may_overlap(before, key))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((before, bv)) = later_before {
            out.push(
                Finding::new(Rule::TaskTimestampOrder, format!("{at}/{key}"))
                    .expected(format!("at or after {before} ({bv})"))
                    .actual(v.to_string())
                    .message(format!("{key} is earlier than {before}")),
            );
        }
    }
    out
}

/// A pull in flight when the stop is asked for may end after stoppingAt: the one pair
/// of the order that is not judged.
fn may_overlap(before: &str, after: &str) -> bool {
    (before, after) == ("pullStoppedAt", "stoppingAt")
}

/// FARGATE: no container instance, an ElasticNetworkInterface attachment that is
/// DELETED once STOPPED. EC2: a container instance.
fn launch_type(at: &str, t: &Map<String, Value>) -> Vec<Finding> {
    let instance = str_of(t, "containerInstanceArn").filter(|s| !s.is_empty());
    let mut out = Vec::new();
    match str_of(t, "launchType") {
        Some("FARGATE") => {
            if let Some(arn) = instance {
                out.push(
                    Finding::new(Rule::TaskLaunchType, format!("{at}/containerInstanceArn"))
                        .expected("absent (Fargate runs no container instance of yours)")
                        .actual(arn)
                        .message("a FARGATE task names a container instance"),
                );
            }
            let eni = t
                .get("attachments")
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter().position(|x| {
                        x.get("type").and_then(Value::as_str) == Some("ElasticNetworkInterface")
                    })
                });
            match eni {
                None => out.push(
                    Finding::new(Rule::TaskFargateEni, format!("{at}/attachments"))
                        .expected("an attachment of type ElasticNetworkInterface")
                        .actual("none")
                        .message("a FARGATE task (awsvpc) has no network interface attachment"),
                ),
                Some(i) if str_of(t, "lastStatus") == Some("STOPPED") => {
                    let status = t["attachments"][i].get("status").and_then(Value::as_str);
                    if let Some(s) = status.filter(|s| *s != "DELETED") {
                        out.push(
                            Finding::new(
                                Rule::TaskFargateEni,
                                format!("{at}/attachments/{i}/status"),
                            )
                            .expected("DELETED (the task is STOPPED)")
                            .actual(s)
                            .message("the network interface of a STOPPED task is not deleted"),
                        );
                    }
                }
                Some(_) => {}
            }
        }
        Some("EC2") if instance.is_none() => out.push(
            Finding::new(Rule::TaskLaunchType, format!("{at}/containerInstanceArn"))
                .expected("the ARN of the container instance the task was placed on")
                .actual("absent")
                .message("an EC2 task names no container instance"),
        ),
        _ => {}
    }
    out
}

/// `task.version` between two observations of one task: `(version, lastStatus)` before
/// and now. The version never decreases, and grows when lastStatus changed.
pub(crate) fn version_step(
    at: &str,
    before: (i64, Option<&str>),
    now: (i64, Option<&str>),
) -> Option<Finding> {
    let ((v0, s0), (v1, s1)) = (before, now);
    let message = if v1 < v0 {
        format!("version went back from {v0} to {v1}")
    } else if v1 == v0 && s0.is_some() && s1.is_some() && s0 != s1 {
        format!(
            "lastStatus changed from {} to {} but version stayed {v0}",
            s0.unwrap_or_default(),
            s1.unwrap_or_default()
        )
    } else {
        return None;
    };
    Some(
        Finding::new(Rule::TaskVersion, format!("{at}/version"))
            .expected(if v1 < v0 {
                format!("{v0} or more")
            } else {
                format!("more than {v0}")
            })
            .actual(v1.to_string())
            .message(message),
    )
}

/// DescribeTasks: a MISSING failure for a task requested by bare id names its full ARN.
pub(crate) fn missing_arns(request: &Value, body: &Value) -> Vec<Finding> {
    let Some(requested) = request.get("tasks").and_then(Value::as_array) else {
        return Vec::new();
    };
    let ids: Vec<&str> = requested
        .iter()
        .filter_map(Value::as_str)
        .filter(|r| !r.starts_with("arn:"))
        .collect();
    let Some(failures) = body.get("failures").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, f) in failures.iter().enumerate() {
        let arn = f.get("arn").and_then(Value::as_str).unwrap_or("");
        let missing = f.get("reason").and_then(Value::as_str) == Some("MISSING");
        if missing && ids.contains(&arn) {
            out.push(
                Finding::new(Rule::DescribeMissingArn, format!("/failures/{i}/arn"))
                    .expected(format!("the full task ARN of {arn}"))
                    .actual(arn)
                    .message(
                        "the MISSING failure repeats the bare id instead of naming the task's ARN",
                    ),
            );
        }
    }
    out
}

/// The family of a task definition ARN or `family[:revision]` reference.
fn family(reference: &str) -> &str {
    let tail = reference
        .rsplit_once(":task-definition/")
        .map_or(reference, |(_, t)| t);
    tail.split(':').next().unwrap_or(tail)
}

/// A RunTask answer's task at `at`: `group` is what was sent, else `family:<family>`;
/// `startedBy`, `platformVersion` (unless LATEST) and `enableExecuteCommand` echo the request.
pub(crate) fn run_echo(request: &Value, at: &str, t: &Map<String, Value>) -> Vec<Finding> {
    let mut out = Vec::new();
    let sent = |k: &str| request.get(k).filter(|v| !v.is_null());
    match sent("group") {
        Some(group) => out.extend(echo(at, t, "group", group)),
        None => {
            let def = str_of(t, "taskDefinitionArn")
                .or_else(|| request.get("taskDefinition").and_then(Value::as_str));
            // An absent group is not judged: no member of Task is required.
            if let (Some(def), Some(group)) = (def, t.get("group").filter(|g| !g.is_null())) {
                let want = format!("family:{}", family(def));
                if group.as_str() != Some(want.as_str()) {
                    out.push(
                        Finding::new(Rule::RunGroupDefault, format!("{at}/group"))
                            .expected(want.clone())
                            .actual(excerpt::json(group, excerpt::VALUE_CHARS))
                            .message(format!(
                                "RunTask sent no group, so the task's group is {want}"
                            )),
                    );
                }
            }
        }
    }
    for key in ["startedBy", "enableExecuteCommand"] {
        if let Some(v) = sent(key) {
            out.extend(echo(at, t, key, v));
        }
    }
    if let Some(v) = sent("platformVersion").filter(|v| v.as_str() != Some("LATEST")) {
        out.extend(echo(at, t, "platformVersion", v));
    }
    out
}

fn echo(at: &str, t: &Map<String, Value>, key: &str, sent: &Value) -> Option<Finding> {
    let got = t.get(key).filter(|v| !v.is_null());
    // An absent boolean reads as false, as a client reads it.
    let same = got == Some(sent) || (got.is_none() && *sent == Value::Bool(false));
    (!same).then(|| {
        Finding::new(Rule::RunEcho, format!("{at}/{key}"))
            .expected(excerpt::json(sent, excerpt::VALUE_CHARS))
            .actual(got.map_or("absent".into(), |g| excerpt::json(g, excerpt::VALUE_CHARS)))
            .message(format!("the task does not echo the {key} RunTask sent"))
    })
}

#[cfg(test)]
mod tests {
    use super::family;

    #[test]
    fn families() {
        assert_eq!(
            family("arn:aws:ecs:r:123456789012:task-definition/web:3"),
            "web"
        );
        assert_eq!(family("web:3"), "web");
        assert_eq!(family("web"), "web");
    }
}
