//! The rules for what schemas cannot say: ARN shapes and regions, containers against
//! their task, state over time, launch types, the MISSING failure's ARN and what RunTask
//! echoes. Each is tested on an answer that breaks it and on the legal variations of
//! one that honours it.

use crate::contract_support;
use contract_support::*;
use ecs_conform::client::Exchange;
use ecs_conform::{Finding, Severity};
use serde_json::{json, Value};

fn describe(task: Value) -> Exchange {
    ok(
        "DescribeTasks",
        json!({"cluster": "production", "tasks": [TASK_ARN]}),
        json!({"tasks": [task], "failures": []}),
    )
}

fn run_task(request: Value, task: Value) -> Exchange {
    ok("RunTask", request, json!({"tasks": [task], "failures": []}))
}

fn walk(exchanges: &[Exchange]) -> Vec<Vec<Finding>> {
    let mut obs = contract().observer();
    exchanges.iter().map(|ex| obs.observe(ex)).collect()
}

/// The findings of `rule` and their pointers, checking every finding's severity.
fn pointers(findings: &[Finding], rule: &str) -> Vec<String> {
    assert_known_rules(findings);
    of(findings, rule)
        .iter()
        .map(|f| f.pointer.clone())
        .collect()
}

/// A RUNNING FARGATE task: no container instance, an attached ENI.
fn fargate_running() -> Value {
    let mut t = running_task();
    t["launchType"] = "FARGATE".into();
    t.as_object_mut().unwrap().remove("containerInstanceArn");
    t
}

// --- ARNs -------------------------------------------------------------------------

#[test]
fn long_and_short_arns_in_any_partition_are_clean() {
    assert_clean(&judge(&describe(running_task())));
    // The older short formats.
    let mut t = running_task();
    t["containerInstanceArn"] =
        "arn:aws:ecs:us-east-1:123456789012:container-instance/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
            .into();
    t["containers"][0]["containerArn"] =
        "arn:aws:ecs:us-east-1:123456789012:container/7c01765b-c588-45b3-8290-4ba38bd6c5a6".into();
    assert_clean(&judge(&describe(t)));
    // Every partition, region and account, as long as the answer agrees with itself.
    for (partition, region) in [("aws-cn", "cn-north-1"), ("aws-us-gov", "us-gov-west-1")] {
        let text = running_task().to_string().replace(
            "arn:aws:ecs:us-east-1:123456789012:",
            &format!("arn:{partition}:ecs:{region}:210987654321:"),
        );
        let t: Value = serde_json::from_str(&text).unwrap();
        let arn = t["taskArn"].clone();
        assert_clean(&judge(&ok(
            "DescribeTasks",
            json!({"cluster": "production", "tasks": [arn]}),
            json!({"tasks": [t], "failures": []}),
        )));
    }
    // ListTasks: long and short task ARNs of one region.
    assert_clean(&judge(&ok(
        "ListTasks",
        json!({"cluster": "production"}),
        json!({"taskArns": [TASK_ARN, "arn:aws:ecs:us-east-1:123456789012:task/0123456789abcdef0123456789abcdef"]}),
    )));
}

#[test]
fn malformed_arns_fail_at_their_member() {
    let cases: [(&str, &str, &str); 4] = [
        // moto's container ARN: the task definition's ARN plus an id.
        (
            "/containers/0/containerArn",
            "arn:aws:ecs:us-east-1:123456789012:task-definition/webapp:1/5c5b8a8e-1c9f-4e0b-9b1a-2f3e4d5c6b7a",
            "containerArn",
        ),
        ("/taskDefinitionArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/webapp", "taskDefinitionArn"),
        ("/containerInstanceArn", "arn:aws:ec2:us-east-1:123456789012:container-instance/c/x", "containerInstanceArn"),
        ("/clusterArn", "arn:aws:ecs:us-east-1:1234:cluster/production", "clusterArn"),
    ];
    for (at, bad, member) in cases {
        let mut t = running_task();
        *t.pointer_mut(at).unwrap() = bad.into();
        let f = judge(&describe(t));
        assert_eq!(
            pointers(&f, "arn.format"),
            [format!("/tasks/0{at}")],
            "{member}: {f:?}"
        );
        let finding = of(&f, "arn.format")[0];
        assert_eq!(finding.severity, Severity::Fail);
        assert_eq!(finding.actual, bad);
    }
    let f = judge(&ok(
        "ListTasks",
        json!({"cluster": "production"}),
        json!({"taskArns": [TASK_ARN, "1234567890abcdef"]}),
    ));
    assert_eq!(pointers(&f, "arn.format"), ["/taskArns/1"]);
}

#[test]
fn arns_of_one_answer_agree_on_region_and_account() {
    let mut t = running_task();
    t["containers"][0]["containerArn"] =
        "arn:aws:ecs:eu-west-1:123456789012:container/7c01765b-c588-45b3-8290-4ba38bd6c5a6".into();
    let f = judge(&describe(t));
    assert_eq!(
        pointers(&f, "arn.consistent"),
        ["/tasks/0/containers/0/containerArn"]
    );
    assert!(of(&f, "arn.consistent")[0].expected.contains("us-east-1"));
    assert!(of(&f, "arn.format").is_empty());

    let mut t = running_task();
    t["taskDefinitionArn"] = "arn:aws:ecs:us-east-1:999999999999:task-definition/webapp:1".into();
    assert_eq!(
        pointers(&judge(&describe(t)), "arn.consistent"),
        ["/tasks/0/taskDefinitionArn"]
    );
}

// --- containers against their task -------------------------------------------------

#[test]
fn a_stopped_task_has_only_stopped_containers() {
    let mut t = full_task();
    t.as_object_mut().unwrap().remove("tags");
    assert_clean(&judge(&describe(t.clone())));
    for status in ["RUNNING", "PENDING"] {
        let mut bad = t.clone();
        bad["containers"][0]["lastStatus"] = status.into();
        bad["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("exitCode");
        let f = judge(&describe(bad));
        assert_eq!(rules(&f), ["task.stopped-containers"], "{status}");
        assert_eq!(f[0].pointer, "/tasks/0/containers/0/lastStatus");
        assert_eq!(f[0].actual, status);
    }
}

#[test]
fn exit_code_only_once_the_container_stopped() {
    // A stopped container with its exit code, a running one without: clean.
    let mut t = full_task();
    t.as_object_mut().unwrap().remove("tags");
    assert_clean(&judge(&describe(t)));
    assert_clean(&judge(&describe(running_task())));
    let mut bad = running_task();
    bad["containers"][0]["exitCode"] = 0.into();
    let f = judge(&describe(bad));
    assert_eq!(rules(&f), ["container.exit-code"]);
    assert_eq!(f[0].pointer, "/tasks/0/containers/0/exitCode");
    // A null exitCode reads as absent (schema.null-member warns, nothing else).
    let mut null = running_task();
    null["containers"][0]["exitCode"] = Value::Null;
    assert!(of(&judge(&describe(null)), "container.exit-code").is_empty());
}

#[test]
fn a_running_task_with_every_container_pending_is_warned() {
    let mut t = running_task();
    t["containers"][0]["lastStatus"] = "PENDING".into();
    let f = judge(&describe(t.clone()));
    assert_eq!(rules(&f), ["task.running-containers"]);
    assert_eq!(f[0].severity, Severity::Warn);
    // One container started (a sidecar may still be PENDING): clean.
    let mut started = t.clone();
    let mut second = started["containers"][0].clone();
    second["lastStatus"] = "RUNNING".into();
    second["name"] = "sidecar".into();
    started["containers"].as_array_mut().unwrap().push(second);
    assert_clean(&judge(&describe(started)));
    // A PENDING task with PENDING containers: clean.
    let mut pending = t;
    pending["lastStatus"] = "PENDING".into();
    assert_clean(&judge(&describe(pending)));
}

// --- state over time ------------------------------------------------------------------

#[test]
fn version_grows_with_each_status_change_and_never_goes_back() {
    // Same status, same version; a jump of more than one; version absent once: clean.
    let mut no_version = task_in("RUNNING");
    no_version.as_object_mut().unwrap().remove("version");
    let mut jump = task_in("RUNNING");
    jump["version"] = 9.into();
    let out = walk(&[
        describe(task_in("PENDING")),
        describe(task_in("RUNNING")),
        describe(task_in("RUNNING")),
        describe(no_version),
        describe(jump),
    ]);
    for (i, f) in out.iter().enumerate() {
        // Step 3 only warns that version is missing (should.task-field).
        let expected: &[&str] = if i == 3 { &["should.task-field"] } else { &[] };
        assert_eq!(rules(f), expected, "step {i}: {f:?}");
    }
    // lastStatus changed, version did not.
    let mut same = task_in("RUNNING");
    same["version"] = 2.into();
    let out = walk(&[describe(task_in("PENDING")), describe(same)]);
    assert_eq!(rules(&out[1]), ["task.version"]);
    assert_eq!(out[1][0].pointer, "/tasks/0/version");
    assert_eq!(out[1][0].expected, "more than 2");
    // The version went back (same status).
    let mut back = task_in("RUNNING");
    back["version"] = 3.into();
    let out = walk(&[describe(task_in("RUNNING")), describe(back)]);
    assert_eq!(rules(&out[1]), ["task.version"]);
    assert_eq!(out[1][0].actual, "3");
}

#[test]
fn present_timestamps_keep_their_lifecycle_order() {
    let mut t = full_task();
    t.as_object_mut().unwrap().remove("tags");
    assert_clean(&judge(&describe(t.clone())));
    // Only some present, some equal: clean.
    let mut sparse = t.clone();
    for k in [
        "pullStartedAt",
        "pullStoppedAt",
        "startedAt",
        "executionStoppedAt",
    ] {
        sparse.as_object_mut().unwrap().remove(k);
    }
    sparse["stoppingAt"] = sparse["createdAt"].clone();
    assert_clean(&judge(&describe(sparse)));
    // startedAt before createdAt.
    let mut bad = t.clone();
    bad["startedAt"] = 1699999999.into();
    let f = judge(&describe(bad));
    assert_eq!(pointers(&f, "task.timestamp-order"), ["/tasks/0/startedAt"]);
    assert!(f[0].expected.contains("pullStoppedAt"), "{f:?}");
    // A pull that ends after the stop was asked for (stopped while PENDING): clean.
    let mut pulling = t.clone();
    pulling.as_object_mut().unwrap().remove("startedAt");
    pulling["stoppingAt"] = 1700000010.into();
    assert_clean(&judge(&describe(pulling)));
    // stoppedAt before executionStoppedAt.
    let mut bad = t;
    bad["stoppedAt"] = 1700003000.into();
    assert_eq!(
        pointers(&judge(&describe(bad)), "task.timestamp-order"),
        ["/tasks/0/stoppedAt"]
    );
}

#[test]
fn a_stopped_task_desires_stopped() {
    let mut t = full_task();
    t.as_object_mut().unwrap().remove("tags");
    t["desiredStatus"] = "RUNNING".into();
    let f = judge(&describe(t.clone()));
    assert_eq!(rules(&f), ["task.stopped-desired"]);
    assert_eq!(f[0].pointer, "/tasks/0/desiredStatus");
    // A RUNNING task desired STOPPED (stopping) or RUNNING: clean.
    let mut stopping = running_task();
    stopping["desiredStatus"] = "STOPPED".into();
    assert_clean(&judge(&describe(stopping)));
}

// --- launch types -----------------------------------------------------------------------

#[test]
fn fargate_tasks_name_no_instance_and_have_an_eni() {
    assert_clean(&judge(&describe(fargate_running())));
    let mut t = fargate_running();
    t["containerInstanceArn"] = running_task()["containerInstanceArn"].clone();
    let f = judge(&describe(t));
    assert_eq!(rules(&f), ["task.launch-type"]);
    assert_eq!(f[0].pointer, "/tasks/0/containerInstanceArn");

    let mut no_eni = fargate_running();
    no_eni["attachments"] = json!([]);
    let f = judge(&describe(no_eni));
    assert_eq!(rules(&f), ["task.fargate-eni"]);
    assert_eq!(f[0].pointer, "/tasks/0/attachments");
}

#[test]
fn a_stopped_fargate_task_has_its_eni_deleted() {
    let mut t = full_task();
    t.as_object_mut().unwrap().remove("tags");
    t["launchType"] = "FARGATE".into();
    t.as_object_mut().unwrap().remove("containerInstanceArn");
    let f = judge(&describe(t.clone()));
    assert_eq!(rules(&f), ["task.fargate-eni"]);
    assert_eq!(f[0].pointer, "/tasks/0/attachments/0/status");
    assert_eq!(f[0].actual, "ATTACHED");
    t["attachments"][0]["status"] = "DELETED".into();
    assert_clean(&judge(&describe(t.clone())));
    // While it stops, the ENI may still be detaching.
    let mut stopping = t;
    stopping["lastStatus"] = "DEPROVISIONING".into();
    stopping["attachments"][0]["status"] = "DETACHING".into();
    stopping.as_object_mut().unwrap().remove("stoppedAt");
    stopping["containers"][0]["lastStatus"] = "STOPPED".into();
    assert!(of(&judge(&describe(stopping)), "task.fargate-eni").is_empty());
}

#[test]
fn an_ec2_task_names_its_container_instance() {
    let mut t = running_task();
    t.as_object_mut().unwrap().remove("containerInstanceArn");
    let f = judge(&describe(t.clone()));
    assert_eq!(rules(&f), ["task.launch-type"]);
    // EXTERNAL or no launch type: not judged.
    t["launchType"] = "EXTERNAL".into();
    assert_clean(&judge(&describe(t)));
}

// --- what RunTask echoes -----------------------------------------------------------------

#[test]
fn group_defaults_to_the_family() {
    let req = json!({"cluster": "production", "taskDefinition": "webapp:1"});
    // running_task has group family:webapp and task definition webapp:1.
    assert_clean(&judge(&run_task(req.clone(), running_task())));
    // No group in the answer: not judged (no member of Task is required).
    let mut absent = running_task();
    absent.as_object_mut().unwrap().remove("group");
    assert_clean(&judge(&run_task(req.clone(), absent)));
    let mut bad = running_task();
    bad["group"] = "webapp".into();
    let f = judge(&run_task(req, bad));
    assert_eq!(rules(&f), ["run.group-default"]);
    assert_eq!(f[0].expected, "family:webapp");
}

#[test]
fn run_task_echoes_what_it_was_sent() {
    let base = json!({"cluster": "production", "taskDefinition": "webapp:1"});
    let with = |extra: Value| {
        let mut r = base.clone();
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        r
    };
    // running_task: startedBy ecs-conform, platformVersion 1.4.0, enableExecuteCommand true.
    let honoured = [
        json!({"startedBy": "ecs-conform", "group": "family:webapp"}),
        json!({"platformVersion": "1.4.0", "enableExecuteCommand": true}),
        // LATEST is resolved to a version.
        json!({"platformVersion": "LATEST"}),
    ];
    for extra in honoured {
        assert_clean(&judge(&run_task(with(extra.clone()), running_task())));
    }
    // An absent boolean reads as false.
    let mut no_exec = running_task();
    no_exec
        .as_object_mut()
        .unwrap()
        .remove("enableExecuteCommand");
    assert_clean(&judge(&run_task(
        with(json!({"enableExecuteCommand": false})),
        no_exec.clone(),
    )));

    let broken = [
        (
            json!({"startedBy": "someone-else"}),
            running_task(),
            "/tasks/0/startedBy",
        ),
        (json!({"group": "batch"}), running_task(), "/tasks/0/group"),
        (
            json!({"platformVersion": "1.3.0"}),
            running_task(),
            "/tasks/0/platformVersion",
        ),
        (
            json!({"enableExecuteCommand": true}),
            no_exec,
            "/tasks/0/enableExecuteCommand",
        ),
    ];
    for (extra, task, at) in broken {
        let f = judge(&run_task(with(extra.clone()), task));
        assert_eq!(pointers(&f, "run.echo"), [at], "{extra}");
        assert_eq!(rules(&f), ["run.echo"], "{extra}");
    }
}
