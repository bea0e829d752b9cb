//! Error answers of task operations: normalisation, documented types, status by fault,
//! the error body schema.

use crate::contract_support;
use contract_support::*;
use ecs_conform::contract::{error_of, normalise_error_type};
use ecs_conform::Severity;
use serde_json::json;

fn run_req() -> serde_json::Value {
    json!({"cluster": "nope", "taskDefinition": "webapp:1"})
}

#[test]
fn legal_error_spellings_are_quiet() {
    let legal = [
        (
            vec![],
            json!({"__type": "ClusterNotFoundException", "message": "The specified cluster could not be found."}),
        ),
        (
            vec![],
            json!({"__type": "com.amazonaws.ecs#ClusterNotFoundException", "message": "m"}),
        ),
        (
            vec![],
            json!({"__type": "ClusterNotFoundException:http://internal.amazon.com/coral/com.amazonaws.ecs/", "message": "m"}),
        ),
        (
            vec![],
            json!({"__type": "ClusterNotFoundException", "Message": "capital M"}),
        ),
        (
            vec![],
            json!({"message": "m", "__type": "ClusterNotFoundException"}),
        ),
        (
            vec![(
                "X-Amzn-ErrorType",
                "ClusterNotFoundException:http://internal.amazon.com/",
            )],
            json!({"message": "type only in the header"}),
        ),
        (
            vec![("X-Amzn-ErrorType", "ClusterNotFoundException")],
            json!({"__type": "com.amazonaws.ecs#ClusterNotFoundException", "message": "both agree"}),
        ),
        (
            vec![],
            json!({"code": "ClusterNotFoundException", "message": "m"}),
        ),
    ];
    for (headers, body) in legal {
        let ex = err("RunTask", run_req(), 400, &headers, body.clone());
        let f = judge(&ex);
        assert_clean(&f);
        assert_eq!(
            error_of(&ex.response).unwrap().error_type,
            "ClusterNotFoundException",
            "{body}"
        );
    }
}

/// An error answer with `headers` (lower-cased names) and a raw body text.
fn raw_err(op: &str, status: u16, headers: &[(&str, &str)], text: &str) -> ecs_conform::Exchange {
    exchange(op, run_req(), response(status, headers, text))
}

#[test]
fn type_only_in_the_header_with_an_empty_body_is_legal() {
    // Smithy awsJson1_1 error tests: the type only in X-Amzn-ErrorType (plain, with a
    // URI suffix, with a namespace and a suffix), no body, often no content type.
    for ty in [
        "ClusterNotFoundException",
        "ClusterNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        "aws.protocoltests.json#ClusterNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        "com.amazonaws.ecs#ClusterNotFoundException",
    ] {
        for headers in [
            vec![("x-amzn-errortype", ty), ("x-amzn-requestid", "r")],
            vec![
                ("x-amzn-errortype", ty),
                ("x-amzn-requestid", "r"),
                ("content-type", CT),
            ],
        ] {
            for text in ["", "  "] {
                let ex = raw_err("RunTask", 400, &headers, text);
                assert_clean(&judge(&ex));
                let e = error_of(&ex.response).unwrap();
                assert_eq!(e.error_type, "ClusterNotFoundException", "{ty}");
                assert_eq!(e.message, None);
            }
        }
    }
    // ... and judged as usual: undocumented for the operation, status by fault.
    let f = judge(&raw_err(
        "StopTask",
        400,
        &[
            ("x-amzn-errortype", "ServiceNotFoundException:http://x/"),
            ("x-amzn-requestid", "r"),
        ],
        "",
    ));
    assert_eq!(rules(&f), ["error.documented"]);
    assert_eq!(f[0].pointer, "header:x-amzn-errortype");
    let f = judge(&raw_err(
        "RunTask",
        500,
        &[
            ("x-amzn-errortype", "ClusterNotFoundException"),
            ("x-amzn-requestid", "r"),
        ],
        "",
    ));
    assert_eq!(rules(&f), ["error.status"]);
}

#[test]
fn an_empty_error_body_without_any_type_fails_error_type() {
    for headers in [
        vec![("x-amzn-requestid", "r")],
        vec![("x-amzn-requestid", "r"), ("content-type", CT)],
        vec![("x-amzn-requestid", "r"), ("x-amzn-errortype", "")],
    ] {
        let f = judge(&raw_err("RunTask", 400, &headers, ""));
        assert_known_rules(&f);
        assert_eq!(rules(&f), ["error.type"], "{headers:?}");
        assert_eq!(f[0].severity, Severity::Fail);
    }
}

#[test]
fn error_of_reads_message_or_message_and_prefers_the_header() {
    let ex = err(
        "RunTask",
        run_req(),
        400,
        &[("x-amzn-errortype", "InvalidParameterException")],
        json!({"__type": "ClientException", "Message": "M"}),
    );
    let e = error_of(&ex.response).unwrap();
    assert_eq!(e.error_type, "InvalidParameterException");
    assert_eq!(e.message.as_deref(), Some("M"));
    assert!(error_of(&ok("ListTasks", json!({}), json!({"taskArns": []})).response).is_none());
    assert_eq!(
        normalise_error_type("com.amazonaws.ecs#ServerException:http://x"),
        "ServerException"
    );
}

#[test]
fn undocumented_type_for_the_operation_fails() {
    // ServiceNotFoundException is documented for ListTasks but not for StopTask.
    let body = json!({"__type": "ServiceNotFoundException", "message": "m"});
    assert_clean(&judge(&err(
        "ListTasks",
        json!({"serviceName": "x"}),
        400,
        &[],
        body.clone(),
    )));
    let f = judge(&err("StopTask", json!({"task": "t"}), 400, &[], body));
    assert_eq!(rules(&f), ["error.documented"]);
    assert_eq!(f[0].pointer, "/__type");
    assert_eq!(f[0].actual, "ServiceNotFoundException");
    // A type no schema knows at all: documented fails, the body is checked against the generic error schema.
    // (ThrottlingException, a protocol error any request may get, is tests/contract_model.rs's.)
    let f = judge(&err(
        "DescribeTasks",
        json!({"tasks": []}),
        400,
        &[("x-amzn-errortype", "ResourceNotFoundException")],
        json!({"message": "slow down"}),
    ));
    assert_eq!(rules(&f), ["error.documented"]);
    assert_eq!(f[0].pointer, "header:x-amzn-errortype");
}

#[test]
fn status_must_match_the_fault() {
    let f = judge(&err(
        "RunTask",
        run_req(),
        500,
        &[],
        json!({"__type": "ClusterNotFoundException", "message": "m"}),
    ));
    assert_eq!(rules(&f), ["error.status"]);
    assert_eq!(f[0].pointer, "status");
    assert_eq!(f[0].severity, Severity::Fail);
    let f = judge(&err(
        "RunTask",
        run_req(),
        400,
        &[],
        json!({"__type": "ServerException", "message": "m"}),
    ));
    assert_eq!(rules(&f), ["error.status"]);
    assert_clean(&judge(&err(
        "RunTask",
        run_req(),
        500,
        &[],
        json!({"__type": "ServerException", "message": "m"}),
    )));
    assert_clean(&judge(&err(
        "RunTask",
        run_req(),
        503,
        &[],
        json!({"__type": "ServerException", "message": "m"}),
    )));
}

#[test]
fn error_without_any_type_fails() {
    let f = judge(&err(
        "StopTask",
        json!({"task": "t"}),
        400,
        &[],
        json!({"message": "who knows"}),
    ));
    assert_eq!(rules(&f), ["error.type"]);
}

#[test]
fn an_error_body_without_a_message_is_legal() {
    // The AWS model makes `message` optional; SDKs build the exception without one.
    for (headers, body) in [
        (vec![], json!({"__type": "InvalidParameterException"})),
        (
            vec![],
            json!({"__type": "com.amazonaws.ecs#InvalidParameterException"}),
        ),
        (vec![], json!({"code": "InvalidParameterException"})),
        (
            vec![("x-amzn-errortype", "InvalidParameterException")],
            json!({}),
        ),
    ] {
        let ex = err(
            "StopTask",
            json!({"task": "t"}),
            400,
            &headers,
            body.clone(),
        );
        assert_clean(&judge(&ex));
        assert_eq!(error_of(&ex.response).unwrap().message, None, "{body}");
    }
    // A message that is there must still be a string.
    let f = judge(&err(
        "StopTask",
        json!({"task": "t"}),
        400,
        &[],
        json!({"__type": "InvalidParameterException", "Message": 5}),
    ));
    assert_eq!(rules(&f), ["schema.error"]);
    assert_eq!(f[0].pointer, "/Message");
}

#[test]
fn error_body_must_match_its_schema() {
    // message of the wrong type.
    let f = judge(&err(
        "StopTask",
        json!({"task": "t"}),
        400,
        &[],
        json!({"__type": "InvalidParameterException", "message": 5}),
    ));
    assert_eq!(rules(&f), ["schema.error"]);
    assert_eq!(f[0].pointer, "/message");
    // Header and body disagree on the type.
    let f = judge(&err(
        "StopTask",
        json!({"task": "t"}),
        400,
        &[("x-amzn-errortype", "ClusterNotFoundException")],
        json!({"__type": "InvalidParameterException", "message": "m"}),
    ));
    assert_eq!(rules(&f), ["schema.error"]);
    assert_eq!(f[0].pointer, "/__type");
    // An extra member in an error body is drift.
    let f = judge(&err(
        "StopTask",
        json!({"task": "t"}),
        400,
        &[],
        json!({"__type": "InvalidParameterException", "message": "m", "requestId": "abc"}),
    ));
    assert_eq!(rules(&f), ["schema.drift.field"]);
    assert_eq!(f[0].pointer, "/requestId");
}

#[test]
fn non_json_error_body_is_reported_once_by_the_wire_rule() {
    let ex = exchange(
        "RunTask",
        run_req(),
        response(
            502,
            &[("content-type", "text/html"), ("x-amzn-requestid", "r")],
            "<html>Bad Gateway</html>",
        ),
    );
    let f = judge(&ex);
    let mut got = rules(&f);
    got.sort();
    assert_eq!(got, ["wire.content-type", "wire.json"]);
}

#[test]
fn every_operation_documents_only_known_error_types_with_schemas() {
    let c = contract();
    for op in c.operations() {
        for e in c.documented_errors(op) {
            assert!(e.ends_with("Exception"), "{e}");
            assert!(c.schema_document(&format!("{e}.json")).is_some(), "{e}");
        }
    }
}
