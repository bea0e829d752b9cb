//! Response schemas: a complete valid answer is clean; broken types and closed enums
//! fail; undocumented members and newer open-enum values are drift; string timestamps
//! get their own rule, once.

use crate::contract_support;
use contract_support::*;
use ecs_conform::Severity;
use serde_json::{json, Value};

fn describe(body: Value) -> Vec<ecs_conform::Finding> {
    let f = judge(&ok(
        "DescribeTasks",
        json!({"cluster": "production", "tasks": [TASK_ARN, "ffffffffffffffffffffffffffffffff"], "include": ["TAGS"]}),
        body,
    ));
    assert_known_rules(&f);
    f
}

fn with_task(task: Value) -> Value {
    json!({"tasks": [task], "failures": [{"arn": "arn:aws:ecs:us-east-1:123456789012:task/production/ffffffffffffffffffffffffffffffff", "reason": "MISSING"}]})
}

#[test]
fn complete_describe_tasks_response_has_no_findings() {
    let body = fixture("describe-tasks-full.json");
    // Every member Task.json documents is filled in, so this sample exercises them all.
    let documented = contract().schema_document("Task.json").unwrap()["properties"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(body["tasks"][0].as_object().unwrap().len(), documented);
    assert_clean(&describe(body));
}

#[test]
fn reordered_keys_and_minimal_answers_are_clean() {
    let task = full_task();
    let mut reversed = serde_json::Map::new();
    for (k, v) in task.as_object().unwrap().iter().rev() {
        reversed.insert(k.clone(), v.clone());
    }
    assert_clean(&describe(with_task(Value::Object(reversed))));
    // tasks and failures may be empty or absent (nothing formally required).
    assert_clean(&judge(&ok(
        "DescribeTasks",
        json!({"tasks": []}),
        json!({"tasks": [], "failures": []}),
    )));
    assert_clean(&judge(&ok("ListTasks", json!({}), json!({"taskArns": []}))));
}

#[test]
fn fractional_and_integer_timestamps_are_legal() {
    for ts in [json!(1700000000), json!(1700000000.123), json!(1.7e9)] {
        let mut t = full_task();
        t["createdAt"] = ts.clone();
        t["containers"][0]["managedAgents"][0]["lastStartedAt"] = ts;
        assert_clean(&describe(with_task(t)));
    }
}

#[test]
fn string_timestamp_is_one_timestamp_finding_naming_the_sdks() {
    let mut t = full_task();
    t["createdAt"] = json!("2024-01-01T00:00:00.000Z");
    t["containers"][0]["managedAgents"][0]["lastStartedAt"] = json!("2024-01-01T00:00:00.000Z");
    let f = describe(with_task(t));
    assert_eq!(
        rules(&f),
        ["timestamp.epoch-number", "timestamp.epoch-number"],
        "{f:?}"
    );
    let created = f
        .iter()
        .find(|x| x.pointer == "/tasks/0/createdAt")
        .unwrap();
    assert_eq!(created.severity, Severity::Fail);
    assert!(
        created.message.contains("botocore tolerates"),
        "{}",
        created.message
    );
    assert!(
        created.message.contains("Rust and Go SDKs"),
        "{}",
        created.message
    );
    assert!(f
        .iter()
        .any(|x| x.pointer == "/tasks/0/containers/0/managedAgents/0/lastStartedAt"));
}

#[test]
fn wrong_member_types_fail_at_their_pointer() {
    type Break = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Break)> = vec![
        ("/tasks/0/version", Box::new(|t| t["version"] = json!("4"))),
        ("/tasks/0/version", Box::new(|t| t["version"] = json!(4.5))),
        ("/tasks/0/cpu", Box::new(|t| t["cpu"] = json!(512))),
        (
            "/tasks/0/containers/0/memory",
            Box::new(|t| t["containers"][0]["memory"] = json!(512)),
        ),
        (
            "/tasks/0/containers/0/exitCode",
            Box::new(|t| t["containers"][0]["exitCode"] = json!("0")),
        ),
        (
            "/tasks/0/overrides/containerOverrides/0/cpu",
            Box::new(|t| t["overrides"]["containerOverrides"][0]["cpu"] = json!("256")),
        ),
        (
            "/tasks/0/containers/0/networkBindings/0/hostPort",
            Box::new(|t| t["containers"][0]["networkBindings"][0]["hostPort"] = json!("80")),
        ),
        (
            "/tasks/0/enableExecuteCommand",
            Box::new(|t| t["enableExecuteCommand"] = json!("true")),
        ),
        (
            "/tasks/0/ephemeralStorage/sizeInGiB",
            Box::new(|t| t["ephemeralStorage"]["sizeInGiB"] = json!("30")),
        ),
        (
            "/tasks/0/tags/0/key",
            Box::new(|t| t["tags"][0]["key"] = json!("")),
        ),
        (
            "/tasks/0/containers",
            Box::new(|t| t["containers"] = json!({})),
        ),
    ];
    for (pointer, breaks) in cases {
        let mut t = full_task();
        breaks(&mut t);
        let f = describe(with_task(t));
        assert_eq!(rules(&f), ["schema.response"], "{pointer}: {f:?}");
        assert_eq!(f[0].pointer, pointer);
        assert_eq!(f[0].severity, Severity::Fail);
        assert!(
            !f[0].expected.is_empty() && !f[0].actual.is_empty(),
            "{:?}",
            f[0]
        );
    }
}

#[test]
fn a_value_outside_a_response_enum_drifts() {
    let mut t = full_task();
    // Every enum a response carries is open, as AWS enums are (the model check keeps it so).
    t["healthStatus"] = json!("DEGRADED"); // open
    t["containers"][0]["networkBindings"][0]["protocol"] = json!("sctp"); // open
    t["launchType"] = json!("QUANTUM"); // open
    t["stopCode"] = json!("CosmicRay"); // open
    let f = describe(with_task(t));
    let at = |p: &str| {
        f.iter()
            .find(|x| x.pointer == p)
            .unwrap_or_else(|| panic!("{p}: {f:?}"))
    };
    assert_eq!(at("/tasks/0/healthStatus").rule, "schema.drift.enum");
    assert_eq!(
        at("/tasks/0/containers/0/networkBindings/0/protocol").rule,
        "schema.drift.enum"
    );
    assert_eq!(at("/tasks/0/launchType").rule, "schema.drift.enum");
    assert_eq!(at("/tasks/0/launchType").severity, Severity::Drift);
    assert_eq!(at("/tasks/0/stopCode").rule, "schema.drift.enum");
    assert_eq!(f.len(), 4, "{f:?}");
}

#[test]
fn newer_documented_values_are_not_drift() {
    // boto3 page and live-model values: MANAGED_INSTANCES, InfrastructureHealth, NeuronDevice.
    let mut t = full_task();
    t["launchType"] = json!("MANAGED_INSTANCES");
    t["stopCode"] = json!("InfrastructureHealth");
    t["overrides"]["containerOverrides"][0]["resourceRequirements"][0]["type"] =
        json!("NeuronDevice");
    assert_clean(&describe(with_task(t)));
}

#[test]
fn wrongly_typed_open_enum_fails_without_also_drifting() {
    let mut t = full_task();
    t["launchType"] = json!(3);
    let f = describe(with_task(t));
    assert_eq!(rules(&f), ["schema.response"], "{f:?}");
}

#[test]
fn undocumented_members_are_drift_not_fail() {
    let mut t = full_task();
    t["capacityReservation"] = json!({"id": "cr-1"});
    t["containers"][0]["restartCount"] = json!(2);
    let mut body = with_task(t);
    body["nextGen"] = json!(true);
    let f = describe(body);
    let mut pointers: Vec<_> = f
        .iter()
        .map(|x| (x.rule.as_str(), x.pointer.as_str(), x.severity))
        .collect();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            ("schema.drift.field", "/nextGen", Severity::Drift),
            (
                "schema.drift.field",
                "/tasks/0/capacityReservation",
                Severity::Drift
            ),
            (
                "schema.drift.field",
                "/tasks/0/containers/0/restartCount",
                Severity::Drift
            ),
        ]
    );
}

#[test]
fn other_operations_are_judged_against_their_own_schema() {
    let run = judge(&ok(
        "RunTask",
        json!({"taskDefinition": "webapp:1", "cluster": "production"}),
        json!({"tasks": [running_task()], "failures": []}),
    ));
    assert_clean(&run);
    let stop = judge(&ok(
        "StopTask",
        json!({"task": TASK_ARN, "cluster": "production", "reason": "Manual stop for maintenance"}),
        json!({"task": full_task()}),
    ));
    assert_clean(&stop);
    let list = judge(&ok(
        "ListTasks",
        json!({"cluster": "production"}),
        json!({"taskArns": [TASK_ARN], "nextToken": "abc"}),
    ));
    assert_clean(&list);

    let bad = judge(&ok(
        "ListTasks",
        json!({}),
        json!({"taskArns": [1], "nextToken": 5}),
    ));
    let mut ptrs: Vec<_> = bad
        .iter()
        .map(|f| (f.rule.as_str(), f.pointer.as_str()))
        .collect();
    ptrs.sort();
    assert_eq!(
        ptrs,
        [
            ("schema.response", "/nextToken"),
            ("schema.response", "/taskArns/0")
        ]
    );
    let bad = judge(&ok(
        "StopTask",
        json!({"task": TASK_ARN}),
        json!({"task": [full_task()]}),
    ));
    assert_eq!(rules(&bad), ["schema.response"]);
}

#[test]
fn missing_always_sent_task_members_warn() {
    let mut t = running_task();
    t.as_object_mut().unwrap().remove("launchType");
    t.as_object_mut().unwrap().remove("version");
    let f = judge(&ok(
        "RunTask",
        json!({"taskDefinition": "webapp:1", "cluster": "production"}),
        json!({"tasks": [t], "failures": []}),
    ));
    let mut got: Vec<_> = f
        .iter()
        .map(|x| (x.rule.as_str(), x.pointer.as_str(), x.severity))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("should.task-field", "/tasks/0/launchType", Severity::Warn),
            ("should.task-field", "/tasks/0/version", Severity::Warn),
        ]
    );
    // A task with only the always-sent members (and, on EC2, its container instance:
    // task.launch-type) is clean.
    let full = running_task();
    let keep = [
        "containerInstanceArn",
        "taskArn",
        "clusterArn",
        "taskDefinitionArn",
        "lastStatus",
        "desiredStatus",
        "createdAt",
        "version",
        "containers",
        "overrides",
        "launchType",
    ];
    let minimal: serde_json::Map<_, _> = full
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| keep.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let body = json!({"tasks": [Value::Object(minimal)], "failures": []});
    assert_clean(&judge(&ok(
        "RunTask",
        json!({"taskDefinition": "webapp:1", "cluster": "production"}),
        body,
    )));
}

#[test]
fn null_optional_members_are_a_warning_judged_as_absent() {
    // The SDKs read a null member as absent: at most a warn, once per member.
    let mut t = full_task();
    t["platformFamily"] = Value::Null;
    t["containers"][0]["reason"] = Value::Null;
    t["overrides"]["containerOverrides"][0]["command"] = Value::Null;
    let f = describe(with_task(t));
    let mut got: Vec<_> = f
        .iter()
        .map(|x| (x.rule.as_str(), x.pointer.as_str(), x.severity))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "schema.null-member",
                "/tasks/0/containers/0/reason",
                Severity::Warn
            ),
            (
                "schema.null-member",
                "/tasks/0/overrides/containerOverrides/0/command",
                Severity::Warn
            ),
            (
                "schema.null-member",
                "/tasks/0/platformFamily",
                Severity::Warn
            ),
        ]
    );
    // A null always-sent member is as good as missing: the SHOULD warns too.
    let mut t = running_task();
    t["launchType"] = Value::Null;
    let f = judge(&ok(
        "RunTask",
        json!({"taskDefinition": "webapp:1", "cluster": "production"}),
        json!({"tasks": [t], "failures": null}),
    ));
    let mut got: Vec<_> = f
        .iter()
        .map(|x| (x.rule.as_str(), x.pointer.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("schema.null-member", "/failures"),
            ("schema.null-member", "/tasks/0/launchType"),
            ("should.task-field", "/tasks/0/launchType"),
        ]
    );
    assert!(f.iter().all(|x| x.severity == Severity::Warn));
    // The rest of the body is still judged; a null list item is a value, not a member.
    let mut t = full_task();
    t["platformFamily"] = Value::Null;
    t["version"] = json!("4");
    t["containers"] = json!([null]);
    let f = describe(with_task(t));
    let mut got: Vec<_> = f
        .iter()
        .map(|x| (x.rule.as_str(), x.pointer.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("schema.null-member", "/tasks/0/platformFamily"),
            ("schema.response", "/tasks/0/containers/0"),
            ("schema.response", "/tasks/0/version"),
        ]
    );
}

#[test]
fn open_enum_misspellings_fail_and_new_values_drift() {
    type Break = Box<dyn Fn(&mut Value)>;
    let misspelt: Vec<(&str, Break, &str)> = vec![
        (
            "/tasks/0/lastStatus",
            Box::new(|t| t["lastStatus"] = json!("RUNNIN")),
            "RUNNING",
        ),
        (
            "/tasks/0/lastStatus",
            Box::new(|t| t["lastStatus"] = json!("stopped")),
            "STOPPED",
        ),
        (
            "/tasks/0/launchType",
            Box::new(|t| t["launchType"] = json!("fargate")),
            "FARGATE",
        ),
        (
            "/tasks/0/launchType",
            Box::new(|t| t["launchType"] = json!("ec2")),
            "EC2",
        ),
        (
            "/tasks/0/stopCode",
            Box::new(|t| t["stopCode"] = json!("UserInitated")),
            "UserInitiated",
        ),
        (
            "/tasks/0/desiredStatus",
            Box::new(|t| t["desiredStatus"] = json!("STOPPD")),
            "STOPPED",
        ),
        (
            "/tasks/0/containers/0/lastStatus",
            Box::new(|t| t["containers"][0]["lastStatus"] = json!("Stopped")),
            "STOPPED",
        ),
    ];
    for (pointer, breaks, meant) in misspelt {
        let mut t = full_task();
        breaks(&mut t);
        let f = describe(with_task(t));
        assert_eq!(rules(&f), ["schema.enum-misspelling"], "{pointer}: {f:?}");
        assert_eq!(f[0].pointer, pointer);
        assert_eq!(f[0].severity, Severity::Fail);
        assert_eq!(f[0].expected, meant);
        assert!(
            f[0].message
                .contains(&format!("looks like a misspelling of {meant}")),
            "{}",
            f[0].message
        );
    }
    // Genuinely new values (short ones, long ones, far from every documented one) drift.
    for (field, value) in [
        ("launchType", "EC3"),
        ("launchType", "FARGATE_SPOT"),
        ("launchType", "SERVERLESS_INSTANCES"),
        ("stopCode", "CapacityRebalance"),
        ("lastStatus", "SUSPENDED"),
    ] {
        let mut t = full_task();
        t[field] = json!(value);
        let f = describe(with_task(t));
        assert_eq!(rules(&f), ["schema.drift.enum"], "{value}: {f:?}");
        assert_eq!(f[0].severity, Severity::Drift);
    }
    // Every documented value of every open enum member is clean (MANAGED_INSTANCES included).
    for (field, value) in [
        ("launchType", "MANAGED_INSTANCES"),
        ("launchType", "EXTERNAL"),
        ("lastStatus", "DEPROVISIONING"),
        ("lastStatus", "DEACTIVATING"),
        ("stopCode", "TerminationNotice"),
    ] {
        let mut t = full_task();
        t[field] = json!(value);
        assert_clean(&describe(with_task(t)));
    }
}
