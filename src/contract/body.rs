//! How a client reads a response body: JSON as sent, and an empty body (nothing but
//! whitespace) as `{}`. AWS JSON 1.1 clients parse an empty success body as an output
//! with every member absent, and read an error with an empty body from its
//! `X-Amzn-ErrorType` header (Smithy's awsJson1_1 error protocol tests send exactly that).

use crate::client::ReceivedResponse;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// True when the body has no content at all (empty or whitespace only), whether or not
/// the runner has already put the `{}` a client reads in its place.
pub fn is_empty_body(resp: &ReceivedResponse) -> bool {
    resp.body_text.trim().is_empty()
}

/// The body as a client reads it: the parsed JSON, `{}` for an empty body, `None` when
/// the body is something that is not JSON (an HTML page, broken JSON).
pub fn client_body(resp: &ReceivedResponse) -> Option<Cow<'_, Value>> {
    match &resp.body {
        Some(v) => Some(Cow::Borrowed(v)),
        None if is_empty_body(resp) => Some(Cow::Owned(Value::Object(Map::new()))),
        // Not JSON: nothing a client can read.
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resp(text: &str) -> ReceivedResponse {
        ReceivedResponse {
            status: 200,
            headers: Vec::new(),
            body_text: text.to_string(),
            body: serde_json::from_str(text).ok(),
        }
    }

    #[test]
    fn empty_is_an_empty_object_and_garbage_is_nothing() {
        for text in ["", " ", "\r\n"] {
            assert!(is_empty_body(&resp(text)));
            assert_eq!(client_body(&resp(text)).as_deref(), Some(&json!({})));
        }
        assert_eq!(
            client_body(&resp("{\"a\":1}")).as_deref(),
            Some(&json!({"a": 1}))
        );
        for text in ["<html></html>", "{", "x"] {
            assert!(!is_empty_body(&resp(text)));
            assert!(client_body(&resp(text)).is_none());
        }
    }
}
