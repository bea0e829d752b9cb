//! What the comparison with the AWS service model changed in the contract: members the
//! model requires fail when missing, response enums are open (a new value is drift),
//! members of the current model are known, limits only the prose states warn, the
//! model's request limits hold, and the AWS JSON 1.1 protocol errors are accepted by
//! error.documented exactly when the request gives their reason.

use crate::contract_support;
use contract_support::*;
use ecs_conform::Severity;
use serde_json::{json, Value};

fn describe(task: Value) -> ecs_conform::Exchange {
    ok(
        "DescribeTasks",
        json!({"cluster": "production", "tasks": [TASK_ARN]}),
        json!({"tasks": [task], "failures": []}),
    )
}

/// The running task with `edit` applied; asserts the unedited task is clean first.
fn judged(edit: impl Fn(&mut Value)) -> Vec<ecs_conform::Finding> {
    let mut t = running_task();
    edit(&mut t);
    let f = judge(&describe(t));
    assert_known_rules(&f);
    f
}

#[test]
fn the_base_task_is_clean() {
    assert_clean(&judge(&describe(running_task())));
}

#[test]
fn a_member_the_model_requires_fails_when_missing_and_passes_when_present() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/attributes",
            json!([{"name": "ecs.os-type", "value": "linux"}]),
            "name",
        ),
        (
            "/overrides/containerOverrides",
            json!([{"name": "web", "environmentFiles": [{"value": "arn:aws:s3:::b/e.env", "type": "s3"}]}]),
            "environmentFiles/0/value",
        ),
        (
            "/overrides/containerOverrides",
            json!([{"name": "web", "environmentFiles": [{"value": "arn:aws:s3:::b/e.env", "type": "s3"}]}]),
            "environmentFiles/0/type",
        ),
        (
            "/overrides/ephemeralStorage",
            json!({"sizeInGiB": 30}),
            "sizeInGiB",
        ),
        (
            "/inferenceAccelerators",
            json!([{"deviceName": "d1", "deviceType": "eia2.medium"}]),
            "deviceName",
        ),
        (
            "/inferenceAccelerators",
            json!([{"deviceName": "d1", "deviceType": "eia2.medium"}]),
            "deviceType",
        ),
        (
            "/overrides/containerOverrides",
            json!([{"name": "web", "resourceRequirements": [{"type": "GPU", "value": "1"}]}]),
            "resourceRequirements/0/type",
        ),
        (
            "/trustedExecutionSummary",
            json!({"isolationMode": "SHARED", "attestationPolicyStatus": "CONFIGURED"}),
            "isolationMode",
        ),
    ];
    for (at, value, required) in cases {
        let set = |t: &mut Value, v: &Value| {
            let (parent, key) = at.rsplit_once('/').unwrap();
            let p = if parent.is_empty() {
                &mut *t
            } else {
                t.pointer_mut(parent).unwrap()
            };
            p[key] = v.clone();
        };
        // present: clean
        assert_clean(&judged(|t| set(t, &value)));
        // missing: fail on the object that lacks it
        let mut without = value.clone();
        let (obj, key) = match required.rsplit_once('/') {
            Some((o, k)) => (format!("/{o}"), k),
            None => (String::new(), required),
        };
        let top = if without.is_array() {
            &mut without[0]
        } else {
            &mut without
        };
        let holder = if obj.is_empty() {
            top
        } else {
            top.pointer_mut(&obj).unwrap()
        };
        holder.as_object_mut().unwrap().remove(key);
        let f = judged(|t| set(t, &without));
        let fails = of(&f, "schema.response");
        assert_eq!(fails.len(), 1, "{at} without {required}: {f:?}");
        assert_eq!(fails[0].severity, Severity::Fail);
        assert!(fails[0].message.contains(key), "{}", fails[0].message);
    }
}

#[test]
fn a_new_value_of_a_response_enum_is_drift_not_failure() {
    let cases: Vec<(&str, Value)> = vec![
        ("/healthStatus", json!("DEGRADED_MODE")),
        ("/containers/0/healthStatus", json!("DEGRADED_MODE")),
        ("/connectivity", json!("PARTIALLY_CONNECTED")),
        (
            "/containers/0/networkBindings",
            json!([{"containerPort": 80, "protocol": "sctp"}]),
        ),
        (
            "/attributes",
            json!([{"name": "a", "targetType": "instance-fleet"}]),
        ),
        (
            "/overrides/containerOverrides",
            json!([{"name": "web", "environmentFiles": [{"value": "v", "type": "efs"}]}]),
        ),
    ];
    for (at, value) in cases {
        let f = judged(|t| {
            let (parent, key) = at.rsplit_once('/').unwrap();
            let p = if parent.is_empty() {
                &mut *t
            } else {
                t.pointer_mut(parent).unwrap()
            };
            p[key] = value.clone();
        });
        assert_eq!(rules(&f), ["schema.drift.enum"], "{at}: {f:?}");
        assert_eq!(f[0].severity, Severity::Drift);
    }
    // A misspelling of a documented value still fails.
    let f = judged(|t| t["healthStatus"] = json!("HEALTHYY"));
    assert_eq!(rules(&f), ["schema.enum-misspelling"], "{f:?}");
}

#[test]
fn members_of_the_current_model_are_known() {
    let f = judged(|t| {
        t["trustedExecutionSummary"] = json!({"isolationMode": "CONFIDENTIAL_SANDBOX"});
        t["containers"][0]["neuronDeviceIds"] = json!(["n0"]);
        t["containers"][0]["gpuSharingStrategy"] =
            json!({"nvidiaMps": {"memory": 2048, "maxComputePercent": 50}});
        t["overrides"]["containerOverrides"] = json!([{"name": "web", "resourceRequirements": [
            {"type": "GPU", "value": "1", "sharingStrategy": {"nvidiaMps": {"memory": 1024}}}
        ]}]);
    });
    assert_clean(&f);
    // ... and typed: a wrong type still fails.
    let f = judged(|t| t["containers"][0]["neuronDeviceIds"] = json!("n0"));
    assert_eq!(rules(&f), ["schema.response"], "{f:?}");
    // ConflictException carries resourceIds.
    let f = judge(&err(
        "RunTask",
        json!({"taskDefinition": "web:1"}),
        400,
        &[],
        json!({"__type": "ConflictException", "message": "m", "resourceIds": ["r-1"]}),
    ));
    assert_clean(&f);
}

#[test]
fn a_limit_only_in_prose_warns_a_model_limit_fails() {
    let long = "a".repeat(129);
    for edit in [
        Box::new(|t: &mut Value| t["attributes"] = json!([{"name": "a".repeat(129)}]))
            as Box<dyn Fn(&mut Value)>,
        Box::new(|t: &mut Value| t["attributes"] = json!([{"name": "n", "value": ""}])),
        Box::new(|t: &mut Value| t["containers"][0]["reason"] = json!("r".repeat(1025))),
    ] {
        let f = judged(edit);
        assert_eq!(rules(&f), ["schema.prose-limit"], "{f:?}");
        assert_eq!(f[0].severity, Severity::Warn);
        assert!(f[0].message.contains("prose"), "{}", f[0].message);
    }
    // At the limit: clean.
    assert_clean(&judged(|t| {
        t["attributes"] = json!([{"name": "a".repeat(128), "value": "v"}])
    }));
    assert_clean(&judged(|t| {
        t["containers"][0]["reason"] = json!("r".repeat(1024))
    }));
    // A tag key over 128 breaks a documented, enforced limit: fail.
    let f = judged(|t| {
        t["tags"] = json!([{"key": long, "value": "v"}]);
    });
    assert!(rules(&f).contains(&"schema.response"), "{f:?}");
}

#[test]
fn the_model_request_limits_and_members_hold() {
    let c = contract();
    let strategy = |w: i64, b: i64| json!({"taskDefinition": "t", "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": w, "base": b}]});
    assert!(c
        .request_problems("RunTask", &strategy(1000, 100000))
        .is_empty());
    assert!(c.request_problems("RunTask", &strategy(0, 0)).is_empty());
    assert_eq!(c.request_problems("RunTask", &strategy(1001, 0)).len(), 1);
    assert_eq!(c.request_problems("RunTask", &strategy(0, 100001)).len(), 1);
    assert_eq!(c.request_problems("RunTask", &strategy(-1, -1)).len(), 2);
    // What SDKs send: clientToken, volumeConfigurations, daemonName.
    assert!(c
        .request_problems(
            "RunTask",
            &json!({"taskDefinition": "t", "clientToken": "8d1f", "volumeConfigurations": [
                {"name": "data", "managedEBSVolume": {"roleArn": "arn:aws:iam::1:role/r", "sizeInGiB": 10, "filesystemType": "xfs"}}
            ]})
        )
        .is_empty());
    assert!(c
        .request_problems("ListTasks", &json!({"daemonName": "d"}))
        .is_empty());
    assert_eq!(
        c.request_problems("RunTask", &json!({"taskDefinition": "t", "volumeConfigurations": [{"managedEBSVolume": {"roleArn": "r"}}]}))
            .len(),
        1
    );
}

fn with_header(
    mut ex: ecs_conform::Exchange,
    name: &str,
    value: Option<&str>,
) -> ecs_conform::Exchange {
    ex.request.headers.retain(|(k, _)| k != name);
    if let Some(v) = value {
        ex.request.headers.push((name.to_string(), v.to_string()));
    }
    ex
}

fn protocol(op: &str, request: Value, ty: &str) -> ecs_conform::Exchange {
    err(op, request, 400, &[], json!({"__type": ty, "message": "m"}))
}

#[test]
fn protocol_errors_are_accepted_only_with_a_reason_in_the_request() {
    let good = json!({"cluster": "c", "tasks": [TASK_ARN]});
    let typed_wrong = json!({"cluster": "c", "tasks": TASK_ARN});
    let signed = |ex| {
        with_header(
            ex,
            "authorization",
            Some("AWS4-HMAC-SHA256 Credential=<redacted>"),
        )
    };
    // SerializationException: a member of the wrong JSON type, or a body that is not an object.
    assert_clean(&judge(&protocol(
        "DescribeTasks",
        typed_wrong,
        "SerializationException",
    )));
    assert_clean(&judge(&protocol(
        "DescribeTasks",
        json!([1, 2]),
        "SerializationException",
    )));
    let f = judge(&protocol(
        "DescribeTasks",
        good.clone(),
        "SerializationException",
    ));
    assert_eq!(rules(&f), ["error.documented"], "{f:?}");
    assert!(f[0].message.contains("protocol error"), "{}", f[0].message);
    // A limit broken is InvalidParameterException's reason, not a serialization one.
    let f = judge(&protocol(
        "RunTask",
        json!({"taskDefinition": "t", "count": 11}),
        "SerializationException",
    ));
    assert_eq!(rules(&f), ["error.documented"], "{f:?}");
    // UnknownOperationException: only when X-Amz-Target does not name the operation.
    let f = judge(&protocol(
        "ListTasks",
        json!({}),
        "UnknownOperationException",
    ));
    assert_eq!(rules(&f), ["error.documented"], "{f:?}");
    for target in [
        None,
        Some("AmazonEC2ContainerServiceV20141113.ListTask"),
        Some("Other.ListTasks"),
    ] {
        let ex = with_header(
            protocol("ListTasks", json!({}), "UnknownOperationException"),
            "x-amz-target",
            target,
        );
        assert_clean(&judge(&ex));
    }
    // Authentication: missing token only when unsigned, the others only when signed.
    assert_clean(&judge(&protocol(
        "StopTask",
        json!({"task": "t"}),
        "MissingAuthenticationTokenException",
    )));
    let f = judge(&signed(protocol(
        "StopTask",
        json!({"task": "t"}),
        "MissingAuthenticationTokenException",
    )));
    assert_eq!(rules(&f), ["error.documented"], "{f:?}");
    for ty in [
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "IncompleteSignatureException",
        "ExpiredTokenException",
    ] {
        assert_clean(&judge(&signed(protocol(
            "StopTask",
            json!({"task": "t"}),
            ty,
        ))));
        let f = judge(&protocol("StopTask", json!({"task": "t"}), ty));
        assert_eq!(rules(&f), ["error.documented"], "{ty}: {f:?}");
    }
    // Throttling: on any request; a client fault, so a 5xx is error.status.
    assert_clean(&judge(&protocol(
        "RunTask",
        json!({"taskDefinition": "t"}),
        "ThrottlingException",
    )));
    let f = judge(&err(
        "RunTask",
        json!({"taskDefinition": "t"}),
        500,
        &[],
        json!({"__type": "ThrottlingException"}),
    ));
    assert_eq!(rules(&f), ["error.status"], "{f:?}");
    // A type that is neither documented nor a protocol error still fails.
    let f = judge(&protocol(
        "RunTask",
        json!({"taskDefinition": "t"}),
        "ResourceNotFoundException",
    ));
    assert_eq!(rules(&f), ["error.documented"], "{f:?}");
}
