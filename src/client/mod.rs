//! The target client: endpoint, path style, region, SigV4 signing, timeouts and retries of
//! throttled calls; turns one call into an `Exchange`. It knows nothing of
//! expectations: any answer, error or not, is an `Exchange`; only a call that got no
//! HTTP answer at all is a `TargetError`, and so is an answer whose body exceeds the
//! body cap (read no further). Every known secret is scrubbed from each exchange where
//! it is built, and endpoints are shown without user info.

mod body;
mod credentials;
mod exchange;
mod limits;
mod secrets;
mod sigv4;

pub use body::parse as parse_body;
pub use credentials::{error_chain, is_loopback, CredentialSource, Credentials, CredentialsError};
pub use exchange::{Exchange, ReceivedResponse, SentRequest};
pub use limits::{ByteSize, DEFAULT_MAX_BODY, STORED_BODY_EXCERPT};
pub use secrets::{strip_user_info, Secrets, REDACTED};
pub use sigv4::Signer;

use crate::rules::Rule;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The JSON 1.1 target prefix of the ECS service.
pub const TARGET_PREFIX: &str = "AmazonEC2ContainerServiceV20141113";
/// Headers whose values never leave this module.
pub const SECRET_HEADERS: &[&str] = &["authorization", "x-amz-security-token"];

/// `POST /` or `POST /v1/<Operation>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PathStyle {
    Root,
    V1,
}

impl PathStyle {
    /// Every style with its name, as flags and target files spell it.
    pub const ALL: [(&'static str, PathStyle); 2] =
        [("root", PathStyle::Root), ("v1", PathStyle::V1)];
}

impl std::str::FromStr for PathStyle {
    type Err = String;
    fn from_str(s: &str) -> Result<PathStyle, String> {
        PathStyle::ALL
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, style)| *style)
            .ok_or_else(|| format!("unknown path style `{s}`: expected `root` or `v1`"))
    }
}

/// Everything needed to reach one endpoint.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// Base URL, e.g. `http://127.0.0.1:5000` or `https://ecs.eu-west-1.amazonaws.com`.
    pub endpoint: String,
    pub path_style: PathStyle,
    pub region: String,
    pub credentials: Credentials,
    /// Asked for fresh credentials when `credentials` expire (None: they never do).
    pub refresh: Option<aws_credential_types::provider::SharedCredentialsProvider>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries of throttled calls (ThrottlingException, 429, 503).
    pub max_retries: u32,
    /// First backoff; doubles at each retry.
    pub backoff: Duration,
    /// Largest response body read, in bytes; a larger one is a target error.
    pub max_body: u64,
}

impl TargetConfig {
    pub fn new(endpoint: impl Into<String>, region: impl Into<String>) -> Self {
        TargetConfig {
            endpoint: endpoint.into(),
            path_style: PathStyle::Root,
            region: region.into(),
            credentials: Credentials::dummy(),
            refresh: None,
            timeout: Duration::from_secs(20),
            max_retries: 4,
            backoff: Duration::from_millis(200),
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// A call that got no HTTP answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TargetError {
    #[error("`{0}` is not a usable endpoint URL (expected e.g. http://127.0.0.1:5000)")]
    InvalidEndpoint(String),
    #[error("could not connect to {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    #[error("{endpoint} did not answer {operation} within {after:?}")]
    Timeout {
        endpoint: String,
        operation: String,
        after: Duration,
    },
    #[error("the answer to {operation} broke off: {reason}")]
    Broken { operation: String, reason: String },
    #[error("could not sign the request: {0}")]
    Signing(String),
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    #[error("{rule}: the answer to {operation} exceeded the {} cap after {read} bytes; raise --max-body if this is legitimate", ByteSize(*cap), rule = Rule::WireBodyTooLarge)]
    BodyTooLarge {
        operation: String,
        cap: u64,
        read: u64,
    },
    #[error("{rule}: the answer to {operation} announced {declared} bytes (Content-Length), more than the {} cap, and was not read; raise --max-body if this is legitimate", ByteSize(*cap), rule = Rule::WireBodyTooLarge)]
    BodyTooLargeDeclared {
        operation: String,
        cap: u64,
        declared: u64,
    },
}

/// What a call sends other than the usual: a step's `raw_body` (the body text, byte for
/// byte) and `target` (the X-Amz-Target value; empty: no such header).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WireOverrides {
    pub raw_body: Option<String>,
    pub target: Option<String>,
}

/// One endpoint and the HTTP client shared by every call of the run.
#[derive(Debug, Clone)]
pub struct Target {
    client: reqwest::Client,
    config: TargetConfig,
    /// The signer and secrets of the current credentials; shared by clones, so the
    /// signing key is derived once per day (and per set of credentials) for the run.
    signing: std::sync::Arc<std::sync::Mutex<Signing>>,
    /// The URL of every call in the `root` path style, parsed once.
    root: reqwest::Url,
    /// The endpoint without user info, as shown anywhere.
    label: String,
}

impl Target {
    pub fn new(config: TargetConfig) -> Result<Target, TargetError> {
        check_endpoint(&config.endpoint)?;
        let label = strip_user_info(&config.endpoint);
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .pool_max_idle_per_host(64)
            // An ECS endpoint never redirects: a 3xx is an answer to judge (wire.status),
            // not a hop to follow (which would also turn a POST into a GET).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TargetError::Client(e.to_string()))?;
        let signing = Signing::new(config.credentials.clone(), &config, Secrets::default());
        let root = reqwest::Url::parse(&call_url(&config.endpoint, PathStyle::Root, ""))
            .map_err(|_| TargetError::InvalidEndpoint(label.clone()))?;
        Ok(Target {
            client,
            config,
            signing: std::sync::Arc::new(std::sync::Mutex::new(signing)),
            root,
            label,
        })
    }

    /// The signer and secrets to use now: credentials about to expire are replaced
    /// first by the provider's (the secrets of the old ones stay scrubbed). The lock
    /// is never held across the provider's await.
    async fn signing(&self) -> Result<(Arc<Signer>, Arc<Secrets>), TargetError> {
        let lock = || self.signing.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(provider) = &self.config.refresh {
            let stale = {
                let signing = lock();
                signing
                    .credentials
                    .expiring(std::time::SystemTime::now())
                    .then(|| signing.credentials.source.clone())
            };
            if let Some(source) = stale {
                let fresh = credentials::provide(provider, &source).await?;
                let mut signing = lock();
                let earlier = (*signing.secrets).clone();
                *signing = Signing::new(fresh, &self.config, earlier);
            }
        }
        let signing = lock();
        Ok((Arc::clone(&signing.signer), Arc::clone(&signing.secrets)))
    }

    pub fn config(&self) -> &TargetConfig {
        &self.config
    }

    /// The endpoint as shown in labels, reports and messages: without user info.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The secret values this target's calls carry (not those of one call's signature).
    pub fn secrets(&self) -> Arc<Secrets> {
        Arc::clone(
            &self
                .signing
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .secrets,
        )
    }

    /// The URL a call of `operation` goes to.
    pub fn url(&self, operation: &str) -> String {
        call_url(&self.config.endpoint, self.config.path_style, operation)
    }

    /// Sends one call, retrying throttled answers with backoff. The body ends up in
    /// the `Exchange` (moved, not copied).
    pub async fn call(&self, operation: &str, body: Value) -> Result<Exchange, TargetError> {
        self.call_with(operation, body, &WireOverrides::default())
            .await
    }

    /// Like [`Target::call`], with the body text or the X-Amz-Target header replaced
    /// as `wire` says (a step's `raw_body` and `target`). A raw body is recorded in the
    /// `Exchange` as the JSON it parses to, else as a JSON string of its text.
    pub async fn call_with(
        &self,
        operation: &str,
        body: Value,
        wire: &WireOverrides,
    ) -> Result<Exchange, TargetError> {
        let body = match &wire.raw_body {
            Some(raw) => serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.clone())),
            None => body,
        };
        let mut attempt = 0;
        loop {
            let (mut exchange, secrets) = self.call_once(operation, &body, wire).await?;
            if attempt >= self.config.max_retries || !is_throttled(&exchange.response) {
                exchange.request.body = body;
                secrets.scrub_value(&mut exchange.request.body);
                return Ok(exchange);
            }
            tokio::time::sleep(self.config.backoff * 2u32.saturating_pow(attempt)).await;
            attempt += 1;
        }
    }

    async fn call_once(
        &self,
        operation: &str,
        body: &Value,
        wire: &WireOverrides,
    ) -> Result<(Exchange, Arc<Secrets>), TargetError> {
        let url = self.url(operation);
        let payload = match &wire.raw_body {
            Some(raw) => raw.as_bytes().to_vec(),
            None => serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec()),
        };
        let amz_target = match &wire.target {
            Some(target) => target.clone(),
            None => format!("{TARGET_PREFIX}.{operation}"),
        };
        let mut headers: Vec<(String, String)> =
            vec![("content-type".into(), "application/x-amz-json-1.1".into())];
        if !amz_target.is_empty() {
            headers.push(("x-amz-target".into(), amz_target));
        }
        let (signer, target_secrets) = self.signing().await?;
        let signed = signer.sign(&url, &headers, &payload)?;
        // This call's Authorization value and signature are secrets too.
        let secrets = target_secrets.with_signature(&signed);
        headers.extend(signed);
        let mut request = match self.config.path_style {
            PathStyle::Root => self.client.post(self.root.clone()),
            PathStyle::V1 => self.client.post(&url),
        }
        .body(payload);
        for (k, v) in &headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let started = Instant::now();
        let mut response = request
            .send()
            .await
            .map_err(|e| self.describe(operation, e, &secrets))?;
        let status = response.status().as_u16();
        let response_headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = match v.to_str() {
                    Ok(text) => text.to_owned(),
                    Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
                };
                (k.as_str().to_owned(), value)
            })
            .collect();
        let bytes = self
            .read_body(operation, &mut response)
            .await
            .map_err(|e| e.unwrap_or_else(|e| self.describe(operation, e, &secrets)))?;
        let elapsed = started.elapsed();
        // Valid UTF-8 (the norm) is checked once, then parsed as text, which spares the
        // parser checking every string again. Invalid bytes keep the strict byte parse,
        // so a body with bad UTF-8 in a string is not JSON; only the text is lossy.
        let (body_text, parsed) = match String::from_utf8(bytes) {
            Ok(text) => {
                let parsed = body::parse(&text);
                (text, parsed)
            }
            Err(e) => {
                let parsed = serde_json::from_slice(e.as_bytes()).ok();
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), parsed)
            }
        };
        let mut exchange = Exchange {
            request: SentRequest {
                operation: operation.to_owned(),
                method: "POST".into(),
                url: strip_user_info(&url),
                headers: redact(headers),
                // `call` moves the body in.
                body: Value::Null,
            },
            response: ReceivedResponse {
                status,
                headers: response_headers,
                body_text,
                body: parsed,
            },
            elapsed,
        };
        secrets.scrub_exchange(&mut exchange);
        Ok((exchange, target_secrets))
    }

    /// The body, read chunk by chunk up to the cap: a body announced or found larger
    /// is `Err(Ok(BodyTooLarge…))`, read no further; a read that fails is `Err(Err(_))`.
    async fn read_body(
        &self,
        operation: &str,
        response: &mut reqwest::Response,
    ) -> Result<Vec<u8>, Result<TargetError, reqwest::Error>> {
        let cap = self.config.max_body;
        let declared = response.content_length();
        if let Some(declared) = declared.filter(|d| *d > cap) {
            return Err(Ok(TargetError::BodyTooLargeDeclared {
                operation: operation.to_owned(),
                cap,
                declared,
            }));
        }
        let room = usize::try_from(declared.unwrap_or(0)).unwrap_or(0);
        let mut bytes = Vec::with_capacity(room);
        while let Some(chunk) = response.chunk().await.map_err(Err)? {
            let read = bytes.len() as u64 + chunk.len() as u64;
            if read > cap {
                return Err(Ok(TargetError::BodyTooLarge {
                    operation: operation.to_owned(),
                    cap,
                    read,
                }));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    fn describe(&self, operation: &str, e: reqwest::Error, secrets: &Secrets) -> TargetError {
        let endpoint = self.label.clone();
        if e.is_timeout() {
            return TargetError::Timeout {
                endpoint,
                operation: operation.to_owned(),
                after: self.config.timeout,
            };
        }
        if e.is_connect() {
            return TargetError::Unreachable {
                endpoint,
                reason: secrets.scrub(&root_cause(&e)).into_owned(),
            };
        }
        TargetError::Broken {
            operation: operation.to_owned(),
            reason: secrets.scrub(&root_cause(&e)).into_owned(),
        }
    }
}

/// Err unless `endpoint` is an http or https URL with a host.
pub fn check_endpoint(endpoint: &str) -> Result<(), TargetError> {
    let invalid = || TargetError::InvalidEndpoint(strip_user_info(endpoint));
    let parsed = reqwest::Url::parse(endpoint).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid());
    }
    Ok(())
}

/// The signer of one set of credentials, and every secret the target's calls carried
/// so far (those of earlier credentials included).
#[derive(Debug)]
struct Signing {
    credentials: Credentials,
    signer: Arc<Signer>,
    secrets: Arc<Secrets>,
}

impl Signing {
    fn new(credentials: Credentials, config: &TargetConfig, mut earlier: Secrets) -> Signing {
        earlier.extend(&Secrets::of(&credentials, &config.endpoint));
        Signing {
            signer: Arc::new(Signer::new(credentials.clone(), config.region.clone())),
            credentials,
            secrets: Arc::new(earlier),
        }
    }
}

/// The URL a call of `operation` goes to on `endpoint` in `style`.
fn call_url(endpoint: &str, style: PathStyle, operation: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    match style {
        PathStyle::Root => format!("{base}/"),
        PathStyle::V1 => format!("{base}/v1/{operation}"),
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Replaces the values of secret headers.
pub fn redact(mut headers: Vec<(String, String)>) -> Vec<(String, String)> {
    for (k, v) in &mut headers {
        if SECRET_HEADERS.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            *v = "<redacted>".to_owned();
        }
    }
    headers
}

/// Throttling: HTTP 429 or 503, or an error whose type names throttling.
pub fn is_throttled(resp: &ReceivedResponse) -> bool {
    if matches!(resp.status, 429 | 503) {
        return true;
    }
    if resp.is_success() {
        return false;
    }
    let header = resp.header("x-amzn-errortype").unwrap_or_default();
    let body_type = resp
        .body
        .as_ref()
        .and_then(|b| b.get("__type").or_else(|| b.get("code")))
        .and_then(Value::as_str)
        .unwrap_or_default();
    [header, body_type]
        .iter()
        .any(|t| t.contains("ThrottlingException") || t.contains("TooManyRequestsException"))
}

#[cfg(test)]
mod tests;
