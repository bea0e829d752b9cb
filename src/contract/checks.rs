//! The stateless checks every exchange gets: the wire checks (status, content type,
//! JSON body, request id) for any operation, and for the four task operations the error
//! rules, the response schema and the always-sent task members. An empty body is read
//! as `{}`, as clients read it (see `body`).

use super::body::{client_body, is_empty_body};
use super::data::{OpKind, OperationSpec};
use super::errors::check_error;
use super::Contract;
use crate::client::{Exchange, ReceivedResponse};
use crate::finding::Finding;
use crate::pointer::select;
use crate::rules::Rule;
use serde_json::Value;

/// Every stateless check on one exchange.
pub(crate) fn check_exchange(contract: &Contract, ex: &Exchange) -> Vec<Finding> {
    let resp = &ex.response;
    let mut out = wire(contract, resp);
    let Some(op) = contract.data.operation(ex.operation()) else {
        return out;
    };
    if op.kind != OpKind::Task {
        return out;
    }
    let body = client_body(resp);
    let object = body.as_deref().filter(|b| b.is_object());
    if resp.is_success() {
        if let Some(body) = object {
            out.extend(success(contract, op, body));
        }
    } else {
        out.extend(check_error(contract, op, &ex.request, resp, object));
    }
    out
}

/// Status, content type, a JSON object body, the request id header.
fn wire(contract: &Contract, resp: &ReceivedResponse) -> Vec<Finding> {
    let wire = &contract.data.wire;
    let mut out = Vec::new();
    if !(resp.status == 200 || (400..600).contains(&resp.status)) {
        out.push(
            Finding::new(Rule::WireStatus, "status")
                .expected("200, or 4xx/5xx for an error")
                .actual(resp.status.to_string())
                .message(format!(
                    "HTTP {} is neither a success (200) nor an error status",
                    resp.status
                )),
        );
    }

    // An empty body has no media type to declare (Smithy's header-only error tests
    // send none), so the content type is judged only when there is a body.
    let content_type = resp.header("content-type").unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let accepted = media == wire.content_type
        || wire
            .tolerated_content_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&media));
    if !accepted && !is_empty_body(resp) {
        out.push(
            Finding::new(Rule::WireContentType, "header:content-type")
                .expected(wire.content_type.clone())
                .actual(if content_type.is_empty() {
                    "no Content-Type".to_string()
                } else {
                    content_type.to_string()
                })
                .message("the response does not declare the AWS JSON 1.1 content type"),
        );
    }

    match &resp.body {
        Some(v) if v.is_object() => {}
        None if is_empty_body(resp) => {}
        Some(v) => out.push(
            Finding::new(Rule::WireJson, "")
                .expected("a JSON object")
                .actual(crate::excerpt::json(v, crate::excerpt::VALUE_CHARS))
                .message("the body is JSON but not an object"),
        ),
        None => {
            let why = match serde_json::from_str::<Value>(&resp.body_text) {
                Err(e) => format!("the body is not JSON ({e})"),
                Ok(_) => "the body was not parsed as JSON".to_string(),
            };
            let (shown, _) = crate::excerpt::head(&resp.body_text, crate::excerpt::VALUE_CHARS);
            out.push(
                Finding::new(Rule::WireJson, "")
                    .expected("a JSON object")
                    .actual(shown)
                    .message(why),
            );
        }
    }

    let has_id = resp
        .header(&wire.request_id_header)
        .is_some_and(|v| !v.trim().is_empty());
    if !has_id {
        out.push(
            Finding::new(
                Rule::WireRequestId,
                format!("header:{}", wire.request_id_header),
            )
            .expected("a request id")
            .actual("absent")
            .message(
                "no x-amzn-RequestId header: calls cannot be traced (SDKs still accept the answer)",
            ),
        );
    }
    out
}

/// Schema of a success body and the members real endpoints always send on tasks.
fn success(contract: &Contract, op: &OperationSpec, body: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(schema) = &op.response {
        out.extend(
            contract
                .schemas
                .judge(&contract.data, schema, body, Rule::SchemaResponse),
        );
    }
    for pattern in &op.task_locations {
        for (at, task) in select(body, pattern) {
            let Some(task) = task.as_object() else {
                continue;
            };
            for field in &contract.data.task_should_fields {
                // A null member is an absent one to the SDKs.
                if task.get(field).is_none_or(Value::is_null) {
                    out.push(
                        Finding::new(Rule::ShouldTaskField, format!("{at}/{field}"))
                            .expected(format!("{field} present"))
                            .actual("absent")
                            .message(format!(
                                "the task at {at} lacks {field}, which real endpoints always send"
                            )),
                    );
                }
            }
        }
    }
    out
}
