//! Stateful domain invariants across the exchanges of one case.

use crate::contract_support;
use contract_support::*;
use ecs_conform::client::Exchange;
use ecs_conform::{Finding, Severity};
use serde_json::{json, Value};

fn describe_req() -> Value {
    json!({"cluster": "production", "tasks": [TASK_ARN]})
}

fn describe(task: Value) -> Exchange {
    ok(
        "DescribeTasks",
        describe_req(),
        json!({"tasks": [task], "failures": []}),
    )
}

fn stop(reason: Option<&str>, task: Value) -> Exchange {
    let mut req = json!({"cluster": "production", "task": TASK_ARN});
    if let Some(r) = reason {
        req["reason"] = r.into();
    }
    ok("StopTask", req, json!({"task": task}))
}

/// A task after StopTask: desired STOPPED, still RUNNING.
fn stopping_task() -> Value {
    let mut t = running_task();
    t["desiredStatus"] = "STOPPED".into();
    t
}

/// A STOPPED task stopped by the caller with `reason`.
fn stopped_task(reason: &str) -> Value {
    let mut t = full_task();
    t["stoppedReason"] = reason.into();
    t.as_object_mut().unwrap().remove("tags");
    t
}

fn walk(exchanges: &[Exchange]) -> Vec<Vec<Finding>> {
    let mut obs = contract().observer();
    exchanges.iter().map(|ex| obs.observe(ex)).collect()
}

#[test]
fn a_normal_lifecycle_is_clean() {
    let steps = [
        ok(
            "RunTask",
            json!({"cluster": "production", "taskDefinition": "webapp:1"}),
            json!({"tasks": [task_in("PROVISIONING")], "failures": []}),
        ),
        describe(task_in("PENDING")),
        describe(task_in("PENDING")),
        describe(task_in("RUNNING")),
        stop(Some("Manual stop for maintenance"), stopping_task()),
        describe({
            let mut t = stopping_task();
            t["lastStatus"] = "DEACTIVATING".into();
            t["version"] = 5.into();
            t
        }),
        describe(stopped_task("Manual stop for maintenance")),
        describe(stopped_task("Manual stop for maintenance")),
    ];
    for (i, f) in walk(&steps).iter().enumerate() {
        assert!(f.is_empty(), "step {i}: {f:?}");
    }
}

#[test]
fn last_status_moving_backwards_fails() {
    // The version grows (task.version holds): only the lifecycle is broken.
    let mut pending = task_in("PENDING");
    pending["version"] = 5.into();
    let out = walk(&[describe(task_in("RUNNING")), describe(pending)]);
    assert!(out[0].is_empty());
    assert_eq!(rules(&out[1]), ["lifecycle.monotonic"]);
    assert_eq!(out[1][0].pointer, "/tasks/0/lastStatus");
    assert_eq!(out[1][0].expected, "RUNNING or later");
    assert_eq!(out[1][0].actual, "PENDING");
}

#[test]
fn unknown_statuses_are_not_judged_by_the_lifecycle_rule() {
    let mut back = task_in("RUNNING");
    back["version"] = 21.into();
    let out = walk(&[
        describe(task_in("RUNNING")),
        describe(task_in("HIBERNATING")),
        describe(back),
    ]);
    assert!(out[0].is_empty() && out[2].is_empty(), "{out:?}");
    assert_eq!(rules(&out[1]), ["schema.drift.enum"]);
}

#[test]
fn lifecycle_is_tracked_per_task() {
    let mut other = task_in("PENDING");
    other["taskArn"] =
        "arn:aws:ecs:us-east-1:123456789012:task/production/00000000000000000000000000000000"
            .into();
    other["containers"][0]["taskArn"] = other["taskArn"].clone();
    let out = walk(&[
        describe(task_in("RUNNING")),
        ok(
            "DescribeTasks",
            json!({"cluster": "production", "tasks": [other["taskArn"].clone()]}),
            json!({"tasks": [other], "failures": []}),
        ),
    ]);
    assert!(out.iter().all(Vec::is_empty), "{out:?}");
}

#[test]
fn stop_task_answer_and_later_observations_must_desire_stopped() {
    let out = walk(&[stop(None, running_task())]);
    assert_eq!(rules(&out[0]), ["stop.desired-status"]);
    assert_eq!(out[0][0].pointer, "/task/desiredStatus");

    let out = walk(&[stop(None, stopping_task()), describe(running_task())]);
    assert!(out[0].is_empty(), "{:?}", out[0]);
    assert_eq!(rules(&out[1]), ["stop.desired-status"]);
    assert_eq!(out[1][0].pointer, "/tasks/0/desiredStatus");
}

#[test]
fn a_desired_running_task_before_any_stop_is_fine() {
    let out = walk(&[describe(running_task()), describe(running_task())]);
    assert!(out.iter().all(Vec::is_empty));
}

#[test]
fn stopped_task_needs_stopped_at_and_stop_code() {
    let mut t = full_task();
    t.as_object_mut().unwrap().remove("stoppedAt");
    t.as_object_mut().unwrap().remove("stopCode");
    t.as_object_mut().unwrap().remove("tags");
    let f = judge(&describe(t));
    assert_eq!(rules(&f), ["stop.stopped-fields"]);
    assert!(
        f[0].actual.contains("stoppedAt") && f[0].actual.contains("stopCode"),
        "{:?}",
        f[0]
    );

    let mut t = full_task();
    t.as_object_mut().unwrap().remove("stopCode");
    t.as_object_mut().unwrap().remove("tags");
    let f = judge(&describe(t));
    assert_eq!(rules(&f), ["stop.stopped-fields"]);
    assert_eq!(f[0].pointer, "/tasks/0/stopCode");
}

#[test]
fn caller_stop_means_user_initiated_with_the_reason_echoed() {
    // Wrong stop code.
    let mut t = stopped_task("maintenance");
    t["stopCode"] = "EssentialContainerExited".into();
    let out = walk(&[
        describe(running_task()),
        stop(Some("maintenance"), stopping_task()),
        describe(t),
    ]);
    assert_eq!(rules(&out[2]), ["stop.user-initiated"]);
    assert_eq!(out[2][0].pointer, "/tasks/0/stopCode");

    // Reason not echoed.
    let out = walk(&[
        stop(Some("maintenance"), stopping_task()),
        describe(stopped_task("Task stopped by user")),
    ]);
    assert_eq!(rules(&out[1]), ["stop.user-initiated"]);
    assert_eq!(out[1][0].pointer, "/tasks/0/stoppedReason");
    assert_eq!(out[1][0].severity, Severity::Fail);

    // Reason echoed in the StopTask answer itself is fine; a wrong one there fails.
    let mut answer = stopping_task();
    answer["stoppedReason"] = "maintenance".into();
    assert!(walk(&[stop(Some("maintenance"), answer)])[0].is_empty());
    let mut answer = stopping_task();
    answer["stoppedReason"] = "other".into();
    assert_eq!(
        rules(&walk(&[stop(Some("maintenance"), answer)])[0]),
        ["stop.user-initiated"]
    );

    // No reason given: stopCode is still judged, stoppedReason is not.
    let out = walk(&[
        stop(None, stopping_task()),
        describe(stopped_task("Task stopped by user")),
    ]);
    assert!(out[1].is_empty(), "{:?}", out[1]);
}

#[test]
fn long_reasons_may_be_cut_to_255_characters() {
    let long = "r".repeat(300);
    let cut = "r".repeat(255);
    let out = walk(&[
        stop(Some(&long), stopping_task()),
        describe(stopped_task(&cut)),
    ]);
    assert!(out[1].is_empty(), "{:?}", out[1]);
    let out = walk(&[
        stop(Some(&long), stopping_task()),
        describe(stopped_task(&long)),
    ]);
    assert!(out[1].is_empty(), "{:?}", out[1]);
    let out = walk(&[
        stop(Some(&long), stopping_task()),
        describe(stopped_task(&"r".repeat(254))),
    ]);
    assert_eq!(rules(&out[1]), ["stop.user-initiated"]);
}

#[test]
fn a_task_already_stopping_keeps_its_own_stop_code() {
    let mut exited = full_task();
    exited["stopCode"] = "EssentialContainerExited".into();
    exited["stoppedReason"] = "Essential container in task exited".into();
    exited.as_object_mut().unwrap().remove("tags");
    let out = walk(&[
        describe(exited.clone()),
        stop(Some("cleanup"), exited.clone()),
        describe(exited),
    ]);
    assert!(out.iter().all(Vec::is_empty), "{out:?}");
}

#[test]
fn container_task_arn_must_be_its_task() {
    let mut t = running_task();
    t["containers"][0]["taskArn"] =
        "arn:aws:ecs:us-east-1:123456789012:task/production/someoneelse".into();
    let f = judge(&describe(t));
    assert_eq!(rules(&f), ["task.container-arn"]);
    assert_eq!(f[0].pointer, "/tasks/0/containers/0/taskArn");
    // A container without taskArn is not judged by this rule.
    let mut t = running_task();
    t["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("taskArn");
    assert_clean(&judge(&describe(t)));
}

#[test]
fn cluster_arn_must_name_the_requested_cluster() {
    // By name, by ARN.
    assert_clean(&judge(&describe(running_task())));
    assert_clean(&judge(&ok(
        "DescribeTasks",
        json!({"cluster": CLUSTER_ARN, "tasks": [TASK_ARN]}),
        json!({"tasks": [running_task()]}),
    )));
    // Another cluster.
    let f = judge(&ok(
        "DescribeTasks",
        json!({"cluster": "staging", "tasks": [TASK_ARN]}),
        json!({"tasks": [running_task()]}),
    ));
    assert_eq!(rules(&f), ["task.cluster-arn"]);
    assert_eq!(f[0].pointer, "/tasks/0/clusterArn");
    // No cluster means default.
    let f = judge(&ok(
        "RunTask",
        json!({"taskDefinition": "webapp:1"}),
        json!({"tasks": [running_task()]}),
    ));
    assert_eq!(rules(&f), ["task.cluster-arn"]);
    let mut t = running_task();
    t["clusterArn"] = "arn:aws:ecs:us-east-1:123456789012:cluster/default".into();
    assert_clean(&judge(&ok(
        "RunTask",
        json!({"taskDefinition": "webapp:1"}),
        json!({"tasks": [t]}),
    )));
}

#[test]
fn describe_reports_unknown_tasks_as_missing_failures() {
    let unknown_id = "ffffffffffffffffffffffffffffffff";
    let unknown_arn = format!("arn:aws:ecs:us-east-1:123456789012:task/production/{unknown_id}");
    let req = json!({"cluster": "production", "tasks": [TASK_ARN, unknown_id]});
    // The failure names the full ARN of the task requested by id (the long or the
    // older short format).
    let short_arn = format!("arn:aws:ecs:us-east-1:123456789012:task/{unknown_id}");
    for arn in [unknown_arn.as_str(), short_arn.as_str()] {
        assert_clean(&judge(&ok(
            "DescribeTasks",
            req.clone(),
            json!({"tasks": [running_task()], "failures": [{"arn": arn, "reason": "MISSING"}]}),
        )));
    }
    // The bare id repeated: the failure is there (no describe.missing-failures), but it
    // does not name an ARN.
    let f = judge(&ok(
        "DescribeTasks",
        req.clone(),
        json!({"tasks": [running_task()], "failures": [{"arn": unknown_id, "reason": "MISSING"}]}),
    ));
    assert_eq!(rules(&f), ["describe.missing-arn"]);
    assert_eq!(f[0].pointer, "/failures/0/arn");
    // A requested task found by id (the request names the id, the answer the ARN).
    assert_clean(&judge(&ok(
        "DescribeTasks",
        json!({"cluster": "production", "tasks": ["1234567890abcdef1234567890abcdef"]}),
        json!({"tasks": [running_task()], "failures": []}),
    )));
    // Silently dropped.
    let f = judge(&ok(
        "DescribeTasks",
        req.clone(),
        json!({"tasks": [running_task()], "failures": []}),
    ));
    assert_eq!(rules(&f), ["describe.missing-failures"]);
    assert!(f[0].message.contains(unknown_id));
    // Wrong reason.
    let f = judge(&ok(
        "DescribeTasks",
        req,
        json!({"tasks": [running_task()], "failures": [{"arn": unknown_arn, "reason": "NOT_FOUND"}]}),
    ));
    assert_eq!(rules(&f), ["describe.missing-failures"]);
    assert!(f[0].actual.contains("NOT_FOUND"));
}

#[test]
fn tags_come_back_only_when_asked_for() {
    let tagged = full_task();
    let with_include = ok(
        "DescribeTasks",
        json!({"cluster": "production", "tasks": [TASK_ARN], "include": ["TAGS"]}),
        json!({"tasks": [tagged.clone()]}),
    );
    assert_clean(&judge(&with_include));
    let f = judge(&ok(
        "DescribeTasks",
        describe_req(),
        json!({"tasks": [tagged]}),
    ));
    assert_eq!(rules(&f), ["describe.tags-only-with-include"]);
    assert_eq!(f[0].pointer, "/tasks/0/tags");
    // An empty tags list without include is fine.
    let mut t = running_task();
    t["tags"] = json!([]);
    assert_clean(&judge(&describe(t)));
}

#[test]
fn run_task_returns_count_tasks_or_failures() {
    let run = |req: Value, tasks: usize, failures: usize| {
        let body = json!({
            "tasks": vec![running_task(); tasks],
            "failures": vec![json!({"arn": "arn:aws:ecs:us-east-1:123456789012:container-instance/x", "reason": "RESOURCE:MEMORY"}); failures],
        });
        judge(&ok("RunTask", req, body))
    };
    let req = |n: Option<u64>| {
        let mut r = json!({"cluster": "production", "taskDefinition": "webapp:1"});
        if let Some(n) = n {
            r["count"] = n.into();
        }
        r
    };
    assert_clean(&run(req(None), 1, 0));
    assert_clean(&run(req(Some(3)), 3, 0));
    assert_clean(&run(req(Some(3)), 1, 1));
    assert_clean(&run(req(Some(2)), 0, 2));
    assert_eq!(rules(&run(req(None), 0, 0)), ["run.count"]);
    assert_eq!(rules(&run(req(None), 2, 0)), ["run.count"]);
    assert_eq!(rules(&run(req(Some(3)), 2, 0)), ["run.count"]);
}

fn list_page(max: Option<u64>, token: Option<&str>, arns: &[&str], next: Option<&str>) -> Exchange {
    let mut req = json!({"cluster": "production"});
    if let Some(m) = max {
        req["maxResults"] = m.into();
    }
    if let Some(t) = token {
        req["nextToken"] = t.into();
    }
    let mut body = json!({"taskArns": arns});
    if let Some(n) = next {
        body["nextToken"] = n.into();
    }
    ok("ListTasks", req, body)
}

fn arn(n: u32) -> String {
    format!("arn:aws:ecs:us-east-1:123456789012:task/production/{n:032x}")
}

#[test]
fn list_pages_respect_max_results_and_never_repeat() {
    let a: Vec<String> = (0..5).map(arn).collect();
    let pages = [
        list_page(Some(2), None, &[&a[0], &a[1]], Some("t1")),
        list_page(Some(2), Some("t1"), &[&a[2], &a[3]], Some("t2")),
        list_page(Some(2), Some("t2"), &[&a[4]], None),
    ];
    let mut obs = contract().observer();
    for p in &pages {
        assert_clean(&obs.observe(p));
    }
    assert_clean(&obs.observe_pages(&pages));

    let pages = [
        list_page(Some(2), None, &[&a[0], &a[1]], Some("t1")),
        list_page(Some(2), Some("t1"), &[&a[1], &a[2], &a[3]], None),
    ];
    let mut obs = contract().observer();
    let per_page: Vec<_> = pages.iter().map(|p| obs.observe(p)).collect();
    assert!(per_page[0].is_empty());
    assert_eq!(rules(&per_page[1]), ["list.max-results"]);
    let walk = obs.observe_pages(&pages);
    // maxResults was already reported by observe; the walk adds the repeat only.
    assert_eq!(rules(&walk), ["list.no-repeat"]);
    assert_eq!(walk[0].pointer, "/taskArns/0");
    assert!(walk[0].message.contains("page 2"), "{}", walk[0].message);
}

#[test]
fn observe_pages_alone_judges_max_results() {
    let a: Vec<String> = (0..101).map(arn).collect();
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut obs = contract().observer();
    let f = obs.observe_pages(&[list_page(None, None, &refs, None)]);
    assert_eq!(rules(&f), ["list.max-results"]);
    assert_eq!(f[0].expected, "at most 100 ARNs");
    let f = obs.observe_pages(&[list_page(None, None, &refs[..100], None)]);
    assert_clean(&f);
}

#[test]
fn error_answers_do_not_feed_the_invariants() {
    let out = walk(&[
        describe(task_in("RUNNING")),
        err(
            "DescribeTasks",
            describe_req(),
            400,
            &[],
            json!({"__type": "ClusterNotFoundException", "message": "m"}),
        ),
        describe(task_in("RUNNING")),
    ]);
    assert!(out.iter().all(Vec::is_empty), "{out:?}");
}

#[test]
fn every_finding_rule_is_in_the_table() {
    let mut t = full_task();
    t["lastStatus"] = "PENDING".into();
    let out = walk(&[describe(task_in("RUNNING")), describe(t)]);
    assert!(!out[1].is_empty());
    for f in &out {
        assert_known_rules(f);
    }
}

/// Epoch seconds `delta` from now.
fn now_plus(delta: f64) -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        + delta
}

/// A task that stopped on its own `ago` seconds before now with `code`.
fn stopped_on_its_own(code: &str, ago: f64) -> Value {
    let mut t = full_task();
    t.as_object_mut().unwrap().remove("tags");
    t["stopCode"] = code.into();
    t["stoppedReason"] = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref".into();
    t["stoppingAt"] = now_plus(-ago - 1.0).into();
    t["executionStoppedAt"] = now_plus(-ago - 0.5).into();
    t["stoppedAt"] = now_plus(-ago).into();
    t
}

#[test]
fn stopping_a_task_that_already_stopped_on_its_own_owes_no_user_initiated() {
    // AWS's stop-task example: the task failed to start (image pull) before the call;
    // the answer dates its stop before the call, with its own code and reason.
    for code in [
        "TaskFailedToStart",
        "EssentialContainerExited",
        "SpotInterruption",
    ] {
        let before = stopped_on_its_own(code, 30.0);
        let out = walk(&[
            describe(running_task()),
            stop(Some("maintenance"), before.clone()),
            describe(before.clone()),
        ]);
        assert!(out.iter().all(Vec::is_empty), "{code}: {out:?}");
        // Seen only in the StopTask answer (RunTask answered PROVISIONING, no poll since).
        let out = walk(&[stop(Some("maintenance"), before.clone()), describe(before)]);
        assert!(out.iter().all(Vec::is_empty), "{code}: {out:?}");
    }
    // Observed STOPPED (or with a stopCode) before the call: same.
    let mut earlier = stopped_on_its_own("TaskFailedToStart", 30.0);
    let out = walk(&[describe(earlier.clone()), stop(None, earlier.clone())]);
    assert!(out.iter().all(Vec::is_empty), "{out:?}");
    earlier["lastStatus"] = "DEPROVISIONING".into();
    earlier.as_object_mut().unwrap().remove("stoppedAt");
    let out = walk(&[describe(earlier.clone()), stop(Some("x"), earlier)]);
    assert!(out.iter().all(Vec::is_empty), "{out:?}");
}

#[test]
fn a_task_stopped_by_the_call_still_owes_user_initiated() {
    // A RUNNING task, stopped by the call: a stop dated after the call, or not dated
    // at all, is the caller's, whatever code the answer claims.
    let mut after = stopped_on_its_own("EssentialContainerExited", -5.0);
    after["stoppedReason"] = "maintenance".into();
    let out = walk(&[describe(running_task()), stop(Some("maintenance"), after)]);
    assert_eq!(rules(&out[1]), ["stop.user-initiated"], "{out:?}");
    assert_eq!(out[1][0].pointer, "/task/stopCode");
    assert_eq!(out[1][0].severity, Severity::Fail);

    let mut undated = stopped_on_its_own("TaskFailedToStart", 30.0);
    for k in ["stoppedAt", "stoppingAt"] {
        undated.as_object_mut().unwrap().remove(k);
    }
    undated["lastStatus"] = "DEPROVISIONING".into();
    let out = walk(&[describe(running_task()), stop(Some("maintenance"), undated)]);
    let got = rules(&out[1]);
    assert!(
        got.iter().all(|r| *r == "stop.user-initiated") && got.len() == 2,
        "{out:?}"
    );

    // Dated only a moment before the call (rounding, clock skew): still the caller's.
    let mut moment = stopped_on_its_own("EssentialContainerExited", 0.5);
    moment["stoppedReason"] = "maintenance".into();
    let out = walk(&[stop(Some("maintenance"), moment)]);
    assert_eq!(rules(&out[0]), ["stop.user-initiated"], "{out:?}");

    // An earlier stop date with UserInitiated: judged as the caller's (the reason must match).
    let mut user = stopped_on_its_own("UserInitiated", 30.0);
    user["stoppedReason"] = "something else".into();
    let out = walk(&[stop(Some("maintenance"), user)]);
    assert_eq!(rules(&out[0]), ["stop.user-initiated"]);
    assert_eq!(out[0][0].pointer, "/task/stoppedReason");

    // Stopping answer first, then a later observation with another code: still a failure.
    let mut later = stopped_on_its_own("EssentialContainerExited", -5.0);
    later["stoppedReason"] = "maintenance".into();
    let mut answer = running_task();
    answer["desiredStatus"] = "STOPPED".into();
    let out = walk(&[stop(Some("maintenance"), answer), describe(later)]);
    assert_eq!(rules(&out[1]), ["stop.user-initiated"]);
}
