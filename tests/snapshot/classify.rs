//! Which snapshot differences fail a target and which are drift, with the suite's own
//! `snapshots/normalisers.yaml`: each legal difference (a moment earlier or later, an
//! empty list for an absent one, an optional member, message text, another wording of
//! the error) gives no `fail` finding; each contract difference (type, enum value,
//! status, HTTP status, error type, ARN naming another task) still fails, one finding
//! per changed path.

use crate::snapshot_support;

use ecs_conform::Severity;
use serde_json::{json, Value};
use snapshot_support::*;

#[test]
fn states_seen_a_moment_earlier_or_later_and_absent_forms_are_equal() {
    let legal: Vec<(&str, Value)> = vec![
        (
            "another starting state",
            edited(|b| {
                t(b).insert("lastStatus".into(), json!("ACTIVATING"));
            }),
        ),
        (
            "another attaching state",
            edited(|b| b["tasks"][0]["attachments"][0]["status"] = json!("ATTACHING")),
        ),
        (
            "the version counts other state changes",
            edited(|b| {
                t(b).insert("version".into(), json!(3));
            }),
        ),
        (
            "other timestamps, other ids",
            edited(|b| {
                t(b).insert("createdAt".into(), json!(1800000000));
                b["tasks"][0]["attachments"][0]["id"] = json!("a-other");
            }),
        ),
        (
            "absent lists for empty ones",
            edited(|b| {
                b.as_object_mut().unwrap().remove("failures");
                t(b).remove("tags");
                t(b).insert("overrides".into(), json!({}));
                b["tasks"][0]["containers"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("networkBindings");
            }),
        ),
        (
            "null for absent",
            edited(|b| {
                t(b).insert("startedBy".into(), Value::Null);
            }),
        ),
        (
            "null for an empty list",
            edited(|b| {
                t(b).insert("tags".into(), Value::Null);
            }),
        ),
    ];
    for (what, body) in legal {
        let findings = compare(&task_body(), &body);
        assert!(findings.is_empty(), "{what}: {findings:#?}");
    }
}

#[test]
fn an_optional_member_on_one_side_or_free_text_is_drift_not_failure() {
    let drift: Vec<(&str, Value, &str)> = vec![
        (
            "an optional member the other target does not send",
            edited(|b| {
                t(b).remove("platformFamily");
            }),
            "/tasks/0/platformFamily",
        ),
        (
            "an optional member only the other target sends",
            edited(|b| {
                t(b).insert("capacityProviderName".into(), json!("FARGATE"));
            }),
            "/tasks/0/capacityProviderName",
        ),
        (
            "a free-form value",
            edited(|b| b["tasks"][0]["containers"][0]["name"] = json!("web")),
            "/tasks/0/containers/0/name",
        ),
        (
            "the same task in the older ARN format",
            edited(|b| {
                t(b).insert("taskArn".into(), json!(arn("task", TASK)));
            }),
            "/tasks/0/taskArn",
        ),
    ];
    for (what, body, pointer) in drift {
        let findings = compare(&task_body(), &body);
        assert_eq!(findings.len(), 1, "{what}: {findings:#?}");
        let f = &findings[0];
        assert_eq!(
            (f.rule.as_str(), f.severity, f.pointer.as_str()),
            ("snapshot.drift", Severity::Drift, pointer),
            "{what}: {f:#?}"
        );
    }
}

#[test]
fn contract_differences_still_fail_one_finding_per_path() {
    let other = "fedcba9876543210fedcba9876543210";
    let broken: Vec<(&str, Value, &str, &str, &str)> = vec![
        (
            "a wrong type",
            edited(|b| {
                t(b).insert("cpu".into(), json!(256));
            }),
            "/tasks/0/cpu",
            "\"256\"",
            "256",
        ),
        (
            "a timestamp as a string",
            edited(|b| {
                t(b).insert("createdAt".into(), json!("2024-01-01T00:00:00Z"));
            }),
            "/tasks/0/createdAt",
            "\"<timestamp:number>\"",
            "\"<timestamp:string>\"",
        ),
        (
            "a version as a string",
            edited(|b| {
                t(b).insert("version".into(), json!("1"));
            }),
            "/tasks/0/version",
            "\"<version:number>\"",
            "\"<version:string>\"",
        ),
        (
            "a wrong enum value",
            edited(|b| {
                t(b).insert("launchType".into(), json!("EC2"));
            }),
            "/tasks/0/launchType",
            "\"FARGATE\"",
            "\"EC2\"",
        ),
        (
            "a misspelt enum value",
            edited(|b| {
                t(b).insert("launchType".into(), json!("fargate"));
            }),
            "/tasks/0/launchType",
            "\"FARGATE\"",
            "\"fargate\"",
        ),
        (
            "a stable status for a starting one",
            edited(|b| {
                t(b).insert("lastStatus".into(), json!("RUNNING"));
            }),
            "/tasks/0/lastStatus",
            "\"<status:starting>\"",
            "\"RUNNING\"",
        ),
        (
            "a stopping status for a starting one",
            edited(|b| b["tasks"][0]["containers"][0]["lastStatus"] = json!("DEACTIVATING")),
            "/tasks/0/containers/0/lastStatus",
            "\"<status:starting>\"",
            "\"<status:stopping>\"",
        ),
        (
            "a wrong health status",
            edited(|b| {
                t(b).insert("healthStatus".into(), json!("HEALTHY"));
            }),
            "/tasks/0/healthStatus",
            "\"UNKNOWN\"",
            "\"HEALTHY\"",
        ),
        (
            "an ARN that names another task",
            edited(|b| {
                b["tasks"][0]["containers"][0]["taskArn"] =
                    json!(arn("task", &format!("c1/{other}")))
            }),
            "/tasks/0/containers/0/taskArn",
            "\"arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:1>\"",
            "\"arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:2>\"",
        ),
        (
            "an ARN of another resource type",
            edited(|b| {
                t(b).insert("clusterArn".into(), json!(arn("capacity-provider", "c1")));
            }),
            "/tasks/0/clusterArn",
            "\"arn:<partition>:ecs:<region>:<account>:cluster/<cluster:1>\"",
            "\"arn:<partition>:ecs:<region>:<account>:capacity-provider/<capacity_provider:1>\"",
        ),
        (
            "a task missing",
            edited(|b| b["tasks"] = json!([])),
            "/tasks",
            "(absent)",
            "(absent)",
        ),
        (
            "a failure more",
            edited(|b| b["failures"] = json!([{"arn": other, "reason": "MISSING"}])),
            "/failures",
            "(absent)",
            "",
        ),
    ];
    for (what, body, pointer, expected, actual) in broken {
        let findings = compare(&task_body(), &body);
        let failed = fails(&findings);
        assert_eq!(failed.len(), 1, "{what}: {findings:#?}");
        let f = failed[0];
        assert_eq!(f.rule, "snapshot.mismatch", "{what}");
        assert_eq!(f.pointer, pointer, "{what}: {f:#?}");
        if pointer != "/tasks" && pointer != "/failures" {
            assert_eq!((f.expected.as_str(), f.actual.as_str()), (expected, actual));
        } else if pointer == "/tasks" {
            assert_eq!(f.actual, "(absent)", "{what}");
        } else {
            assert_eq!(f.expected, expected, "{what}");
        }
    }

    // three changes: three findings, each at its path with its two values; the first
    // carries the list of paths and the diff
    let body = edited(|b| {
        t(b).insert("launchType".into(), json!("EC2"));
        t(b).insert("cpu".into(), json!(256));
        t(b).remove("platformFamily");
    });
    let findings = compare(&task_body(), &body);
    let seen: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.pointer.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("snapshot.mismatch", "/tasks/0/cpu"),
            ("snapshot.mismatch", "/tasks/0/launchType"),
            ("snapshot.drift", "/tasks/0/platformFamily"),
        ]
    );
    assert!(
        findings[0].message.contains("changed path(s) (3):"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[0]
            .message
            .contains("+        \"launchType\": \"EC2\","),
        "{}",
        findings[0].message
    );
    assert!(!findings[1].message.contains("changed path(s)"));
}

#[test]
fn a_large_difference_gives_a_finding_per_path_and_a_bounded_message() {
    let many = |status: &str| {
        edited(|b| {
            let containers: Vec<Value> = (0..300)
                .map(|i| json!({"name": format!("c{i}"), "lastStatus": status, "cpu": "1"}))
                .collect();
            t(b).insert("containers".into(), Value::Array(containers));
        })
    };
    let findings = compare(&many("RUNNING"), &many("STOPPED"));
    assert_eq!(fails(&findings).len(), 300);
    assert!(findings
        .iter()
        .all(|f| f.pointer.starts_with("/tasks/0/containers/")));
    let total: usize = findings.iter().map(|f| f.message.len()).sum();
    // a whole list on one side only: its value is cut short in the finding
    let gone = edited(|b| {
        t(b).remove("containers");
    });
    let findings = compare(&many("RUNNING"), &gone);
    assert_eq!(findings[0].pointer, "/tasks/0/containers");
    assert!(
        findings[0].expected.chars().count() <= 501,
        "{}",
        findings[0].expected
    );
    assert!(findings[0].expected.ends_with('…'));
    assert!(
        findings[0].message.len() < 12_000,
        "{}",
        findings[0].message.len()
    );
    assert!(
        findings[0].message.contains("more line(s) of diff"),
        "{}",
        findings[0].message
    );
    assert!(total < 100_000, "{total}");
}

#[test]
fn an_error_is_compared_as_the_contract_reads_it() {
    let golden = exchange(
        400,
        &[],
        &json!({"__type": "ClusterNotFoundException", "message": "Cluster not found."}),
    );
    let legal = [
        exchange(
            400,
            &[],
            &json!({"__type": "com.amazonaws.ecs#ClusterNotFoundException", "message": "Cluster not found."}),
        ),
        exchange(
            400,
            &[],
            &json!({"__type": "ClusterNotFoundException", "Message": "Cluster not found."}),
        ),
        exchange(
            400,
            &[],
            &json!({"__type": "ClusterNotFoundException:http://internal.amazon.com/coral/com.amazonaws.ecs/", "Message": "Cluster not found."}),
        ),
        exchange(
            400,
            &[],
            &json!({"code": "ClusterNotFoundException", "message": "Cluster not found."}),
        ),
        exchange(
            400,
            &[(
                "X-Amzn-ErrorType",
                "ClusterNotFoundException:http://internal.amazon.com/",
            )],
            &json!({"message": "Cluster not found."}),
        ),
    ];
    for changed in &legal {
        let findings = compare_with(rules(), &golden, changed);
        assert!(
            findings.is_empty(),
            "{}: {findings:#?}",
            changed.response.body_text
        );
    }

    // message text and an error without message: drift
    let worded = exchange(
        400,
        &[],
        &json!({"__type": "ClusterNotFoundException", "Message": "The cluster does not exist"}),
    );
    let findings = compare_with(rules(), &golden, &worded);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        (findings[0].rule.as_str(), findings[0].pointer.as_str()),
        ("snapshot.drift", "/message")
    );
    let header_only = exchange(
        400,
        &[(
            "x-amzn-errortype",
            "com.amazonaws.ecs#ClusterNotFoundException",
        )],
        &Value::Null,
    );
    let findings = compare_with(rules(), &golden, &header_only);
    assert!(fails(&findings).is_empty(), "{findings:#?}");

    // another error type, another status, no type at all: failures
    let other_type = exchange(
        400,
        &[],
        &json!({"__type": "com.amazonaws.ecs#InvalidParameterException", "message": "Cluster not found."}),
    );
    let findings = compare_with(rules(), &golden, &other_type);
    assert_eq!(fails(&findings).len(), 1, "{findings:#?}");
    assert_eq!(findings[0].pointer, "/__type");
    assert_eq!(findings[0].actual, "\"InvalidParameterException\"");

    let other_status = exchange(
        404,
        &[],
        &json!({"__type": "ClusterNotFoundException", "message": "Cluster not found."}),
    );
    let findings = compare_with(rules(), &golden, &other_status);
    assert_eq!(fails(&findings).len(), 1, "{findings:#?}");
    assert_eq!(
        (findings[0].pointer.as_str(), findings[0].actual.as_str()),
        ("status", "404")
    );

    let untyped = exchange(400, &[], &json!({"message": "Cluster not found."}));
    let findings = compare_with(rules(), &golden, &untyped);
    assert_eq!(fails(&findings).len(), 1, "{findings:#?}");
    assert_eq!(findings[0].pointer, "/__type");
}
