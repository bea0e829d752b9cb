//! `Exchange`: one request sent to a target and the answer it gave, as data that the
//! contract, the judge, snapshots and reports read. Secrets never enter it: the
//! headers recorded here are already redacted.

use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// The request as sent (headers redacted).
#[derive(Debug, Clone, Serialize)]
pub struct SentRequest {
    /// Operation name without the service prefix, e.g. `RunTask`.
    pub operation: String,
    pub method: String,
    pub url: String,
    /// Header names in lower case; secret values replaced by `<redacted>`.
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

/// The response as received.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedResponse {
    pub status: u16,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The raw body text (lossy UTF-8).
    pub body_text: String,
    /// The body parsed as JSON, when it is JSON.
    pub body: Option<Value>,
}

impl ReceivedResponse {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// One call and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub request: SentRequest,
    pub response: ReceivedResponse,
    #[serde(with = "duration_ms")]
    pub elapsed: Duration,
}

impl Exchange {
    pub fn operation(&self) -> &str {
        &self.request.operation
    }

    /// Keeps at most `limit` bytes of the body text (cut on a character boundary and
    /// saying how much was dropped) and, when it cut, drops the parsed body: an
    /// exchange kept in a result must not hold megabytes. True when it cut.
    pub fn keep_excerpt(&mut self, limit: usize) -> bool {
        let text = &mut self.response.body_text;
        if text.len() <= limit {
            return false;
        }
        let cut = crate::excerpt::byte_boundary(text, limit);
        let dropped = text.len() - cut;
        text.truncate(cut);
        text.push_str(&format!("\n… ({dropped} more bytes not kept)"));
        text.shrink_to_fit();
        self.response.body = None;
        true
    }
}

mod duration_ms {
    use serde::Serializer;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64() * 1000.0)
    }
}

impl Exchange {
    /// An exchange built from parts, as tests and replays need: `body` is parsed from
    /// `body_text` when it is JSON.
    pub fn from_parts(
        operation: &str,
        request: Value,
        status: u16,
        headers: &[(&str, &str)],
        body_text: &str,
    ) -> Exchange {
        Exchange {
            request: SentRequest {
                operation: operation.to_owned(),
                method: "POST".into(),
                url: "http://127.0.0.1/".into(),
                headers: Vec::new(),
                body: request,
            },
            response: ReceivedResponse {
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned()))
                    .collect(),
                body_text: body_text.to_owned(),
                body: serde_json::from_str(body_text).ok(),
            },
            elapsed: Duration::ZERO,
        }
    }
}
