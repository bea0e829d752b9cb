//! The wire: AWS JSON 1.1 over HTTP on `POST /` and `POST /v1/{Operation}`.
//!
//! The operation comes from `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`
//! (on `/v1/{Op}` the path may name it instead; if both do, they must agree). The
//! region comes from the SigV4 credential scope of any Authorization header; the
//! signature itself is not checked. Every response, error or not, goes through
//! `deviation::render` and carries `x-amzn-RequestId` (unless a deviation drops it).

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde_json::{Map, Value};

use super::deviation::{self, Reply};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::ops::{self, App, Op};
use super::state::DEFAULT_REGION;

const TARGET_PREFIX: &str = "AmazonEC2ContainerServiceV20141113.";
/// Request bodies larger than this are refused with SerializationException.
const MAX_BODY: usize = 1 << 20;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", post(handle).fallback(no_route))
        .route("/v1/{operation}", post(handle).fallback(no_route))
        .fallback(no_route)
        .with_state(app)
}

async fn handle(State(app): State<Arc<App>>, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    let path_op = uri.path().strip_prefix("/v1/");
    let (op, result) = match operation(path_op, &headers) {
        Err(e) => (None, Err(e)),
        Ok(op) => {
            let region = region(&headers);
            let result = match to_bytes(body, MAX_BODY).await {
                Err(_) => Err(ApiError::new(
                    ErrorKind::Serialization,
                    "The request body could not be read (too large?).",
                )),
                Ok(bytes) => parse_body(&bytes)
                    .or_else(|e| malformed_as_empty(&app, &bytes, e))
                    .and_then(|b| ops::call(&app, &region, op, &b)),
            };
            (Some(op), result)
        }
    };
    respond(&app, deviation::render(&app.devs, op, result))
}

async fn no_route(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let e = ApiError::new(
        ErrorKind::UnknownOperation,
        format!(
            "No operation at {}: use POST / or POST /v1/<Operation>.",
            uri.path()
        ),
    );
    respond(&app, deviation::render(&app.devs, None, Err(e)))
}

/// The operation named by X-Amz-Target and/or the `/v1/{Op}` path.
fn operation(path_op: Option<&str>, headers: &HeaderMap) -> ApiResult<Op> {
    let unknown = |m: String| ApiError::new(ErrorKind::UnknownOperation, m);
    let target = match headers.get("x-amz-target") {
        None => None,
        Some(v) => {
            let v = v
                .to_str()
                .map_err(|_| unknown("Unreadable X-Amz-Target.".into()))?;
            let name = v
                .strip_prefix(TARGET_PREFIX)
                .ok_or_else(|| unknown(format!("Unknown target {v:?}.")))?;
            Some(name)
        }
    };
    let name = match (target, path_op) {
        (Some(t), Some(p)) if t != p => {
            return Err(unknown(format!(
                "X-Amz-Target names {t} but the path names {p}."
            )))
        }
        (Some(t), _) => t,
        (None, Some(p)) => p,
        (None, None) => return Err(unknown("Missing X-Amz-Target header.".into())),
    };
    Op::from_name(name).ok_or_else(|| unknown(format!("Unknown operation {name:?}.")))
}

/// The region of the SigV4 credential scope
/// (`Credential=AKID/20240101/<region>/ecs/aws4_request`), else us-east-1.
fn region(headers: &HeaderMap) -> String {
    let scope = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once("Credential="))
        .map(|(_, rest)| rest.split([',', ' ']).next().unwrap_or(""));
    let region = scope.and_then(|s| s.split('/').nth(2)).unwrap_or("");
    let plausible = !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if plausible {
        region.to_string()
    } else {
        DEFAULT_REGION.to_string()
    }
}

/// DEVIATION: accept-malformed-json reads a body that is not JSON at all as `{}`.
fn malformed_as_empty(app: &App, bytes: &[u8], e: ApiError) -> ApiResult<Map<String, Value>> {
    let not_json = serde_json::from_slice::<Value>(bytes).is_err();
    if not_json && app.devs.has(deviation::Deviation::AcceptMalformedJson) {
        Ok(Map::new())
    } else {
        Err(e)
    }
}

/// A JSON object; an empty body counts as `{}`.
fn parse_body(bytes: &[u8]) -> ApiResult<Map<String, Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(ApiError::new(
            ErrorKind::Serialization,
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::new(
            ErrorKind::Serialization,
            format!("The request body is not valid JSON: {e}."),
        )),
    }
}

fn respond(app: &App, reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, reply.content_type);
    if reply.request_id {
        builder = builder.header("x-amzn-RequestId", app.ids.uuid());
    }
    if let Some(t) = reply.error_type {
        builder = builder.header("X-Amzn-ErrorType", t);
    }
    builder.body(Body::from(reply.body)).unwrap_or_else(|_| {
        let mut r = Response::new(Body::from("{}"));
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn region_comes_from_the_credential_scope() {
        let h = headers(&[(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-3/ecs/aws4_request, SignedHeaders=host, Signature=x",
        )]);
        assert_eq!(region(&h), "eu-west-3");
        assert_eq!(
            region(&headers(&[("authorization", "Bearer x")])),
            "us-east-1"
        );
        assert_eq!(region(&HeaderMap::new()), "us-east-1");
    }

    #[test]
    fn operation_from_target_or_path_and_they_must_agree() {
        let t = |op: &str| headers(&[("x-amz-target", &format!("{TARGET_PREFIX}{op}"))]);
        assert_eq!(operation(None, &t("RunTask")), Ok(Op::RunTask));
        assert_eq!(
            operation(Some("ListTasks"), &HeaderMap::new()),
            Ok(Op::ListTasks)
        );
        assert_eq!(
            operation(Some("ListTasks"), &t("ListTasks")),
            Ok(Op::ListTasks)
        );
        for bad in [
            operation(Some("ListTasks"), &t("RunTask")),
            operation(None, &t("Nope")),
            operation(None, &HeaderMap::new()),
            operation(None, &headers(&[("x-amz-target", "Other.RunTask")])),
        ] {
            assert_eq!(bad.unwrap_err().kind, ErrorKind::UnknownOperation);
        }
    }

    #[test]
    fn bodies_must_be_json_objects() {
        assert!(parse_body(b"").unwrap().is_empty());
        assert_eq!(
            parse_body(b"[]").unwrap_err().kind,
            ErrorKind::Serialization
        );
        assert_eq!(parse_body(b"{").unwrap_err().kind, ErrorKind::Serialization);
        let deep = "[".repeat(10_000);
        assert_eq!(
            parse_body(deep.as_bytes()).unwrap_err().kind,
            ErrorKind::Serialization
        );
    }
}
