//! Error responses: how clients read an error's type and message off the wire, and the
//! rules an error answer of a task operation must follow (type present, documented for
//! the operation, status matching its fault, body matching its schema).

use super::data::{Fault, OperationSpec};
use super::Contract;
use crate::client::{ReceivedResponse, SentRequest};
use crate::finding::Finding;
use crate::rules::Rule;
use serde_json::Value;

/// Header that carries the error type; most SDKs prefer it over the body.
const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";

/// Normalised error of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Normalised type, e.g. `ClusterNotFoundException`; empty when the response names
    /// no type at all (rule `error.type`).
    pub error_type: String,
    /// `message` or `Message` of the body.
    pub message: Option<String>,
}

/// Where an error's type was read from, as a finding pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeSource {
    Header,
    Type,
    Code,
    Nowhere,
}

impl TypeSource {
    fn pointer(self) -> &'static str {
        match self {
            TypeSource::Header => "header:x-amzn-errortype",
            TypeSource::Type => "/__type",
            TypeSource::Code => "/code",
            TypeSource::Nowhere => "",
        }
    }
}

/// `com.amazonaws.ecs#ClusterNotFoundException` and
/// `ClusterNotFoundException:http://internal.amazon.com/...` → `ClusterNotFoundException`:
/// as botocore and the Smithy AWS JSON 1.1 spec do it, first cut at the first `:`, then
/// keep what follows the last `#`, trimmed (so a `#` inside the suffix URL is ignored).
pub fn normalise_error_type(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    let after_hash = before_colon.rsplit('#').next().unwrap_or(before_colon);
    after_hash.trim().to_string()
}

/// Normalised error of a response; `None` for a 2xx. The type comes from the
/// `X-Amzn-ErrorType` header when present, else `__type`, else `code`; an error with
/// an empty body (or a body that is not JSON) is recognised from the header alone.
pub fn error_of(resp: &ReceivedResponse) -> Option<ApiError> {
    error_with_source(resp).map(|(e, _)| e)
}

pub(crate) fn error_with_source(resp: &ReceivedResponse) -> Option<(ApiError, TypeSource)> {
    if resp.is_success() {
        return None;
    }
    let body = resp.body.as_ref();
    let field = |name: &str| body.and_then(|b| b.get(name)).and_then(Value::as_str);
    let candidates = [
        (resp.header(ERROR_TYPE_HEADER), TypeSource::Header),
        (field("__type"), TypeSource::Type),
        (field("code"), TypeSource::Code),
    ];
    let (error_type, source) = candidates
        .into_iter()
        .filter_map(|(raw, src)| raw.map(|r| (normalise_error_type(r), src)))
        .find(|(t, _)| !t.is_empty())
        .unwrap_or((String::new(), TypeSource::Nowhere));
    let message = field("message")
        .or_else(|| field("Message"))
        .map(str::to_string);
    Some((
        ApiError {
            error_type,
            message,
        },
        source,
    ))
}

/// The error rules for a non-2xx answer of a task operation. `body` is the body as a
/// client reads it when that is a JSON object (`{}` for an empty body); `None` when it
/// is not (then `wire.json` already reported it and the body-based rules are not judged).
pub(crate) fn check_error(
    contract: &Contract,
    op: &OperationSpec,
    req: &SentRequest,
    resp: &ReceivedResponse,
    body: Option<&Value>,
) -> Vec<Finding> {
    let Some((api, source)) = error_with_source(resp) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if api.error_type.is_empty() {
        if body.is_some() {
            out.push(
                Finding::new(Rule::ErrorType, "")
                    .expected("a type in X-Amzn-ErrorType, __type or code")
                    .actual("none")
                    .message(format!(
                        "HTTP {} names no error type, so no SDK can map it to an exception",
                        resp.status
                    )),
            );
        }
        return out;
    }
    let ty = api.error_type.as_str();
    let protocol = &contract.data.protocol_errors;
    let protocol_error = protocol.get(ty);
    if !op.errors.iter().any(|e| e == ty) {
        // A protocol error is documented for every operation, but only where the
        // request gives its reason (a target that answers a well-formed call with
        // UnknownOperationException does not implement the operation).
        let finding = match protocol_error {
            Some(p) if protocol.request_explains(contract, &op.name, req, p.cause) => None,
            Some(p) => Some(format!(
                "{ty} is an AWS JSON 1.1 protocol error, accepted {}; this request gives no such reason",
                p.cause.describe()
            )),
            None => Some(format!("{} does not document {ty}", op.name)),
        };
        if let Some(message) = finding {
            out.push(
                Finding::new(Rule::ErrorDocumented, source.pointer())
                    .expected(format!("one of {}", op.errors.join(", ")))
                    .actual(ty)
                    .message(message),
            );
        }
    }
    let fault = contract
        .data
        .error_faults
        .get(ty)
        .or(protocol_error.map(|p| &p.fault));
    if let Some(fault) = fault {
        let (ok, expected) = match fault {
            Fault::Client => ((400..500).contains(&resp.status), "4xx (a client fault)"),
            Fault::Server => ((500..600).contains(&resp.status), "5xx (a server fault)"),
        };
        if !ok {
            out.push(
                Finding::new(Rule::ErrorStatus, "status")
                    .expected(expected)
                    .actual(resp.status.to_string())
                    .message(format!(
                        "{ty} came with HTTP {}; expected {expected}",
                        resp.status
                    )),
            );
        }
    }
    if let Some(body) = body {
        let specific = format!("errors/{ty}.json");
        let schema = if contract.schemas.contains(&specific) {
            specific
        } else {
            "errors/ErrorBody.json".to_string()
        };
        out.extend(
            contract
                .schemas
                .judge(&contract.data, &schema, body, Rule::SchemaError),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resp(status: u16, headers: &[(&str, &str)], body: Value) -> ReceivedResponse {
        ReceivedResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body_text: body.to_string(),
            body: Some(body),
        }
    }

    #[test]
    fn normalises_namespaced_and_suffixed_types() {
        for raw in [
            "ClusterNotFoundException",
            "com.amazonaws.ecs#ClusterNotFoundException",
            "ClusterNotFoundException:http://internal.amazon.com/coral/com.amazonaws.ecs/",
            "aws.protocoltests#ns#ClusterNotFoundException:http://x:y",
            "ClusterNotFoundException:http://internal.amazon.com/doc#anchor",
            " ClusterNotFoundException ",
        ] {
            assert_eq!(
                normalise_error_type(raw),
                "ClusterNotFoundException",
                "{raw}"
            );
        }
    }

    #[test]
    fn header_takes_precedence_then_type_then_code() {
        let r = resp(
            400,
            &[("x-amzn-errortype", "InvalidParameterException:http://x")],
            json!({"__type": "ClientException", "message": "m"}),
        );
        let (e, src) = error_with_source(&r).unwrap();
        assert_eq!(e.error_type, "InvalidParameterException");
        assert_eq!(src, TypeSource::Header);

        let r = resp(
            400,
            &[],
            json!({"code": "ClientException", "Message": "big M"}),
        );
        let e = error_of(&r).unwrap();
        assert_eq!(e.error_type, "ClientException");
        assert_eq!(e.message.as_deref(), Some("big M"));
    }

    #[test]
    fn success_has_no_error_and_typeless_error_is_empty() {
        assert!(error_of(&resp(200, &[], json!({}))).is_none());
        let e = error_of(&resp(400, &[], json!({"message": "?"}))).unwrap();
        assert_eq!(e.error_type, "");
    }
}
