//! Wire checks every exchange gets, task operation or setup operation alike.

use crate::contract_support;
use contract_support::*;
use ecs_conform::Severity;
use serde_json::json;

fn list_ok_body() -> String {
    json!({"taskArns": [TASK_ARN]}).to_string()
}

#[test]
fn aws_content_type_and_tolerated_json_are_quiet() {
    for ct in [
        CT,
        "application/x-amz-json-1.1; charset=UTF-8",
        "application/json",
        "Application/JSON",
    ] {
        let ex = exchange(
            "ListTasks",
            json!({}),
            response(
                200,
                &[("content-type", ct), ("x-amzn-requestid", "r")],
                &list_ok_body(),
            ),
        );
        assert_clean(&judge(&ex));
    }
}

#[test]
fn other_or_missing_content_type_fails() {
    for headers in [
        vec![("content-type", "text/plain"), ("x-amzn-requestid", "r")],
        vec![("x-amzn-requestid", "r")],
    ] {
        let ex = exchange(
            "ListTasks",
            json!({}),
            response(200, &headers, &list_ok_body()),
        );
        let f = judge(&ex);
        assert_eq!(rules(&f), ["wire.content-type"], "{f:?}");
        assert_eq!(f[0].pointer, "header:content-type");
        assert_eq!(f[0].severity, Severity::Fail);
    }
}

#[test]
fn unparseable_or_non_object_body_fails_once() {
    for text in ["<html>Bad Gateway</html>", "[1,2]", "{\"taskArns\": ["] {
        let ex = exchange(
            "ListTasks",
            json!({}),
            response(
                200,
                &[("content-type", CT), ("x-amzn-requestid", "r")],
                text,
            ),
        );
        let f = judge(&ex);
        assert_known_rules(&f);
        assert_eq!(rules(&f), ["wire.json"], "{text:?}: {f:?}");
        assert_eq!(f[0].severity, Severity::Fail);
    }
}

#[test]
fn an_empty_success_body_is_an_empty_output() {
    // Every output member is optional: an empty 200 body is `{}` to a client, with or
    // without a content type (there is no body to declare one for).
    let headers_with = [("content-type", CT), ("x-amzn-requestid", "r")];
    let headers_without = [("x-amzn-requestid", "r")];
    for (op, request) in [
        ("ListTasks", json!({"cluster": "production"})),
        (
            "DescribeTasks",
            json!({"cluster": "production", "tasks": []}),
        ),
        ("StopTask", json!({"task": TASK_ARN})),
    ] {
        for headers in [&headers_with[..], &headers_without[..]] {
            for text in ["", " ", "\n"] {
                let f = judge(&exchange(op, request.clone(), response(200, headers, text)));
                assert_clean(&f);
            }
        }
    }
    // `{}` for a ListTasks with no results, and an empty list, are the same answer.
    for body in [json!({}), json!({"taskArns": []})] {
        assert_clean(&judge(&ok("ListTasks", json!({}), body)));
    }
}

#[test]
fn an_empty_runtask_body_still_owes_its_tasks() {
    // Read as `{}`, an empty RunTask answer started nothing and explained nothing.
    let f = judge(&exchange(
        "RunTask",
        json!({"taskDefinition": "webapp:1"}),
        response(200, &[("content-type", CT), ("x-amzn-requestid", "r")], ""),
    ));
    assert_eq!(rules(&f), ["run.count"], "{f:?}");
}

#[test]
fn missing_request_id_is_a_warning() {
    let ex = exchange(
        "ListTasks",
        json!({}),
        response(200, &[("content-type", CT)], &list_ok_body()),
    );
    let f = judge(&ex);
    assert_eq!(rules(&f), ["wire.request-id"]);
    assert_eq!(f[0].severity, Severity::Warn);
    assert_eq!(f[0].pointer, "header:x-amzn-requestid");
    // Header names are matched case-insensitively.
    let ex = exchange(
        "ListTasks",
        json!({}),
        response(
            200,
            &[("Content-Type", CT), ("X-Amzn-RequestId", "r")],
            &list_ok_body(),
        ),
    );
    assert_clean(&judge(&ex));
}

#[test]
fn non_protocol_status_fails() {
    let ex = exchange(
        "ListTasks",
        json!({}),
        response(
            302,
            &[("content-type", CT), ("x-amzn-requestid", "r")],
            &list_ok_body(),
        ),
    );
    let f = judge(&ex);
    assert!(rules(&f).contains(&"wire.status"), "{f:?}");
    assert_eq!(of(&f, "wire.status")[0].pointer, "status");
}

#[test]
fn setup_operations_get_wire_checks_only() {
    // Anything JSON goes: no schema, no SHOULD fields, no error list.
    let body = json!({"cluster": {"clusterArn": CLUSTER_ARN, "status": "ACTIVE", "whatever": 1}});
    assert_clean(&judge(&ok(
        "CreateCluster",
        json!({"clusterName": "production"}),
        body,
    )));
    let e = err(
        "DeleteCluster",
        json!({"cluster": "x"}),
        400,
        &[],
        json!({"__type": "ClusterContainsTasksException", "message": "m"}),
    );
    assert_clean(&judge(&e));
    // ... but the wire checks still apply.
    let ex = exchange(
        "RegisterTaskDefinition",
        json!({}),
        response(200, &[("content-type", "text/html")], "<html/>"),
    );
    let f = judge(&ex);
    let mut got = rules(&f);
    got.sort();
    assert_eq!(got, ["wire.content-type", "wire.json", "wire.request-id"]);
}

#[test]
fn operation_catalogue_comes_from_the_data_file() {
    let c = contract();
    for op in [
        "RunTask",
        "StopTask",
        "DescribeTasks",
        "ListTasks",
        "CreateCluster",
        "DeleteCluster",
        "RegisterTaskDefinition",
        "DeregisterTaskDefinition",
    ] {
        assert!(c.knows_operation(op), "{op}");
        assert!(c.operations().contains(&op));
    }
    assert!(!c.knows_operation("DescribeTask"));
    assert!(c.is_task_operation("StopTask") && !c.is_task_operation("CreateCluster"));
    assert!(c.documented_errors("CreateCluster").is_empty());
    assert!(c.documented_errors("Nope").is_empty());
    assert_eq!(c.documented_errors("ListTasks").len(), 6);
    assert!(c
        .documented_errors("ListTasks")
        .iter()
        .any(|e| e == "ServiceNotFoundException"));
    assert!(!c
        .documented_errors("StopTask")
        .iter()
        .any(|e| e == "ServiceNotFoundException"));
    assert_eq!(c.documented_errors("RunTask").len(), 10);
}
