//! The clean reference answers bad input with the documented error types and
//! statuses, on both path styles, and never with a 500 or a panic.

use crate::reference_support;

use reference_support::{server, Client, Style, TARGET_PREFIX};
use serde_json::{json, Value};

/// (operation, body, expected error type); all are client faults (400).
#[rustfmt::skip]
fn error_table(task: &str) -> Vec<(&'static str, Value, &'static str)> {
    let long = "x".repeat(256);
    let many: Vec<String> = (0..101).map(|i| format!("t{i}")).collect();
    vec![
        ("RunTask", json!({"cluster": "nope", "taskDefinition": "web"}), "ClusterNotFoundException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "nope"}), "ClientException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web:9"}), "ClientException"),
        ("RunTask", json!({"cluster": "err"}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "count": 0}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "count": 11}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "count": "2"}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "launchType": "EC2", "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "launchType": "MOON"}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": 7, "taskDefinition": "web"}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "fg", "launchType": "FARGATE", "platformVersion": "9.9.9", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}), "PlatformUnknownException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "platformVersion": "9.9.9"}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "placementConstraints": [{"type": "memberOf", "expression": "oops"}]}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "placementConstraints": [{"type": "sameInstance"}]}), "InvalidParameterException"),
        ("RunTask", json!({"cluster": "err", "taskDefinition": "web", "placementStrategy": [{"type": "pack"}]}), "InvalidParameterException"),
        ("StopTask", json!({"cluster": "err", "task": "0123456789abcdef0123456789abcdef"}), "InvalidParameterException"),
        ("StopTask", json!({"cluster": "err"}), "InvalidParameterException"),
        ("StopTask", json!({"cluster": "err", "task": task, "reason": long}), "InvalidParameterException"),
        ("StopTask", json!({"cluster": "nope", "task": task}), "ClusterNotFoundException"),
        ("DescribeTasks", json!({"cluster": "err", "tasks": []}), "InvalidParameterException"),
        ("DescribeTasks", json!({"cluster": "err"}), "InvalidParameterException"),
        ("DescribeTasks", json!({"cluster": "err", "tasks": many}), "InvalidParameterException"),
        ("DescribeTasks", json!({"cluster": "err", "tasks": [task], "include": ["NOPE"]}), "InvalidParameterException"),
        ("DescribeTasks", json!({"cluster": "err", "tasks": task}), "InvalidParameterException"),
        ("DescribeTasks", json!({"cluster": "nope", "tasks": [task]}), "ClusterNotFoundException"),
        ("ListTasks", json!({"cluster": "err", "maxResults": 0}), "InvalidParameterException"),
        ("ListTasks", json!({"cluster": "err", "maxResults": 101}), "InvalidParameterException"),
        ("ListTasks", json!({"cluster": "err", "nextToken": "garbage"}), "InvalidParameterException"),
        ("ListTasks", json!({"cluster": "err", "desiredStatus": "DONE"}), "InvalidParameterException"),
        ("ListTasks", json!({"cluster": "err", "serviceName": "svc"}), "ServiceNotFoundException"),
        ("ListTasks", json!({"cluster": "err", "containerInstance": "ci"}), "InvalidParameterException"),
        ("ListTasks", json!({"cluster": "err", "containerInstance": "0123456789abcdef0123456789abcdef"}), "InvalidParameterException"),
        ("ListTasks", json!({"cluster": "nope"}), "ClusterNotFoundException"),
        ("ListTasks", json!({}), "ClusterNotFoundException"),
        ("DeleteCluster", json!({"cluster": "nope"}), "ClusterNotFoundException"),
        ("CreateTaskSet", json!({}), "UnknownOperationException"),
    ]
}

#[tokio::test]
async fn errors_have_documented_types_and_statuses_on_both_path_styles() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("err").await;
    let task = c.run("err", json!({})).await.remove(0);
    for style in [Style::Root, Style::V1] {
        for (op, body, want) in error_table(&task) {
            let r = c.call_as(style, op, body.clone()).await;
            assert_eq!(r.status, 400, "{style:?} {op} {body}: {r:?}");
            assert_eq!(r.error_type(), Some(want), "{style:?} {op} {body}: {r:?}");
            assert_eq!(r.header("x-amzn-errortype"), Some(want));
            assert!(r.body["message"].is_string(), "{r:?}");
            assert!(r.header("x-amzn-requestid").is_some());
            assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
        }
    }
    // Wire-level errors.
    let target = format!("{TARGET_PREFIX}ListTasks");
    for (path, target, body, want) in [
        (
            "/",
            Some(target.as_str()),
            "{not json",
            "SerializationException",
        ),
        (
            "/",
            Some(target.as_str()),
            "[1, 2]",
            "SerializationException",
        ),
        ("/", None, "{}", "UnknownOperationException"),
        (
            "/",
            Some("Other.ListTasks"),
            "{}",
            "UnknownOperationException",
        ),
        (
            "/v1/RunTask",
            Some(target.as_str()),
            "{}",
            "UnknownOperationException",
        ),
        (
            "/v2/ListTasks",
            Some(target.as_str()),
            "{}",
            "UnknownOperationException",
        ),
    ] {
        let r = c.raw(path, target, body).await;
        assert_eq!(r.status, 400, "{path} {body}: {r:?}");
        assert_eq!(r.error_type(), Some(want), "{path} {body}: {r:?}");
    }
    // The path alone may name the operation.
    let r = c.raw("/v1/ListTasks", None, r#"{"cluster": "err"}"#).await;
    assert_eq!(r.ok()["taskArns"][0], task);
    s.shutdown().await;
}

#[tokio::test]
async fn wrong_types_and_odd_inputs_are_client_errors_never_500() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("odd").await;
    let values = [
        json!(null),
        json!(1),
        json!(1.5),
        json!("s"),
        json!(true),
        json!([]),
        json!({}),
        json!([1]),
        json!(-1),
    ];
    let fields: &[(&str, &[&str])] = &[
        (
            "RunTask",
            &[
                "taskDefinition",
                "count",
                "launchType",
                "overrides",
                "tags",
                "networkConfiguration",
                "capacityProviderStrategy",
                "enableExecuteCommand",
                "group",
                "startedBy",
                "propagateTags",
                "platformVersion",
                "placementConstraints",
                "placementStrategy",
            ],
        ),
        ("StopTask", &["task", "reason", "cluster"]),
        ("DescribeTasks", &["tasks", "include", "cluster"]),
        (
            "ListTasks",
            &[
                "maxResults",
                "nextToken",
                "desiredStatus",
                "family",
                "launchType",
                "containerInstance",
            ],
        ),
        (
            "RegisterTaskDefinition",
            &["family", "containerDefinitions", "cpu", "networkMode"],
        ),
    ];
    for (op, keys) in fields {
        for key in *keys {
            for v in &values {
                let mut body = json!({"cluster": "odd", "taskDefinition": "web", "tasks": ["x"],
                    "task": "x", "family": "odd", "containerDefinitions": [{"name": "a", "image": "b"}]});
                body[*key] = v.clone();
                let r = c.call(op, body.clone()).await;
                assert!(
                    r.status == 200 || (r.status == 400 && r.error_type().is_some()),
                    "{op} {body}: {r:?}"
                );
            }
        }
    }
    s.shutdown().await;
}

/// What the generated negative cases check beyond the types above: every member of a
/// request schema is type-checked, and the reserved tag prefix `aws:` is refused.
#[tokio::test]
async fn every_schema_member_is_type_checked_and_the_aws_tag_prefix_is_reserved() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("neg").await;
    let run = |extra: Value| {
        let mut body = json!({"cluster": "neg", "taskDefinition": "web"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        body
    };
    for (op, body) in [
        ("RunTask", run(json!({"clientToken": 42}))),
        ("RunTask", run(json!({"volumeConfigurations": "abc"}))),
        (
            "RunTask",
            run(json!({"tags": [{"key": "aws:x", "value": "v"}]})),
        ),
        (
            "RunTask",
            run(json!({"tags": [{"key": "AWS:x", "value": "v"}]})),
        ),
        ("ListTasks", json!({"cluster": "neg", "daemonName": 42})),
    ] {
        let r = c.call(op, body.clone()).await;
        assert_eq!(r.status, 400, "{op} {body}: {}", r.raw);
        assert_eq!(
            r.error_type(),
            Some("InvalidParameterException"),
            "{op} {body}"
        );
    }
    // A tag key that merely contains `aws:` later on is fine.
    let r = c
        .call(
            "RunTask",
            run(json!({"tags": [{"key": "x-aws:y", "value": "v"}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    s.shutdown().await;
}
