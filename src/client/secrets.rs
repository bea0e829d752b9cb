//! Secrets: every value the harness knows to be secret (the secret access key, the
//! session token, each request's Authorization value and signature, the user info of
//! the endpoint URL), and the scrubber that replaces them by `<redacted>` in any text
//! or JSON value, whatever its source: a target that echoes request headers (AWS's
//! signature-mismatch errors do) must not get them printed or written anywhere.

use super::{Credentials, Exchange};
use serde_json::Value;
use std::borrow::Cow;

/// What a secret is replaced by.
pub const REDACTED: &str = "<redacted>";
/// Shorter values are not scrubbed from answers: replacing every `ecs` in a body would
/// change verdicts. Real keys, tokens and signatures are far longer; a URL password
/// this short is only kept out of endpoint labels and messages.
pub const MIN_SECRET_LEN: usize = 6;

/// The secret values of a target (and of one call), longest first.
#[derive(Clone, Default)]
pub struct Secrets {
    values: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values)", self.values.len())
    }
}

impl Secrets {
    /// The secrets of `credentials` and of the user info in `endpoint`.
    pub fn of(credentials: &Credentials, endpoint: &str) -> Secrets {
        let mut secrets = Secrets::default();
        secrets.add(&credentials.secret_access_key);
        if let Some(token) = &credentials.session_token {
            secrets.add(token);
        }
        if let Ok(url) = reqwest::Url::parse(endpoint) {
            let user = url.username();
            let password = url.password().unwrap_or_default();
            for raw in [user, password] {
                secrets.add(raw);
                secrets.add(&percent_decode(raw));
            }
            if !user.is_empty() || !password.is_empty() {
                // What an HTTP client sends as Basic authorization for that user info.
                let pair = format!("{}:{}", percent_decode(user), percent_decode(password));
                secrets.add(&pair);
                secrets.add(&base64(pair.as_bytes()));
            }
        }
        secrets
    }

    /// Adds one secret value (ignored when shorter than [`MIN_SECRET_LEN`]).
    pub fn add(&mut self, value: &str) {
        if value.chars().count() < MIN_SECRET_LEN || self.values.iter().any(|v| v == value) {
            return;
        }
        let at = self
            .values
            .iter()
            .position(|v| v.len() < value.len())
            .unwrap_or(self.values.len());
        self.values.insert(at, value.to_owned());
    }

    /// Adds every secret of `other`.
    pub fn extend(&mut self, other: &Secrets) {
        for value in &other.values {
            self.add(value);
        }
    }

    /// These secrets plus the Authorization value and signature among signed `headers`.
    pub fn with_signature(&self, headers: &[(String, String)]) -> Secrets {
        let mut secrets = self.clone();
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("authorization") {
                secrets.add(v);
                if let Some((_, sig)) = v.split_once("Signature=") {
                    secrets.add(sig.split([',', ' ']).next().unwrap_or(sig));
                }
            } else if k.eq_ignore_ascii_case("x-amz-security-token") {
                secrets.add(v);
            }
        }
        secrets
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every secret replaced by `<redacted>`.
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.values {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
            }
        }
        out
    }

    /// Scrubs a string in place; true when it changed.
    pub fn scrub_string(&self, text: &mut String) -> bool {
        if let Cow::Owned(clean) = self.scrub(text) {
            *text = clean;
            true
        } else {
            false
        }
    }

    /// Scrubs every string (and object key) of a JSON value; true when one changed.
    pub fn scrub_value(&self, value: &mut Value) -> bool {
        match value {
            Value::String(s) => self.scrub_string(s),
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| self.scrub_value(v) | changed),
            Value::Object(map) => {
                let mut changed = false;
                let dirty: Vec<String> = map
                    .keys()
                    .filter(|k| matches!(self.scrub(k), Cow::Owned(_)))
                    .cloned()
                    .collect();
                for key in dirty {
                    if let Some(v) = map.remove(&key) {
                        map.insert(self.scrub(&key).into_owned(), v);
                        changed = true;
                    }
                }
                map.values_mut()
                    .fold(changed, |changed, v| self.scrub_value(v) | changed)
            }
            _ => false,
        }
    }

    /// Scrubs a received answer and the stored request: header values, the body text
    /// and the parsed body, the request body and URL.
    pub fn scrub_exchange(&self, exchange: &mut Exchange) {
        if self.is_empty() {
            return;
        }
        let response = &mut exchange.response;
        for (_, v) in response.headers.iter_mut() {
            self.scrub_string(v);
        }
        let text_changed = self.scrub_string(&mut response.body_text);
        if let Some(body) = response.body.as_mut() {
            // Without a backslash every JSON string is a plain substring of the text,
            // so a clean text means a clean body; escapes (`\/`, `\u0041`) can hide one.
            if text_changed || response.body_text.contains('\\') {
                let body_changed = self.scrub_value(body);
                if body_changed && !text_changed {
                    // The secret was spelled with escapes: the text must not keep it.
                    response.body_text = body.to_string();
                }
            }
        }
        for (_, v) in exchange.request.headers.iter_mut() {
            self.scrub_string(v);
        }
        self.scrub_value(&mut exchange.request.body);
        self.scrub_string(&mut exchange.request.url);
    }
}

/// `url` without user info (`http://user:pass@host/` → `http://host/`), also when it
/// does not parse as a URL.
pub fn strip_user_info(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG".into(),
            session_token: Some("FwoGZXIvYXdzTOKEN".into()),
            source: "test".into(),
            expires: None,
        }
    }

    #[test]
    fn every_secret_is_scrubbed_from_texts_values_and_escaped_json() {
        let s = Secrets::of(&creds(), "http://alice:s3cr%40t-pw@127.0.0.1:5000/");
        assert_eq!(
            s.scrub("key wJalrXUtnFEMI/K7MDENG token FwoGZXIvYXdzTOKEN pw s3cr@t-pw"),
            "key <redacted> token <redacted> pw <redacted>"
        );
        // Basic authorization of alice:s3cr@t-pw.
        assert_eq!(s.scrub("Basic YWxpY2U6czNjckB0LXB3"), "Basic <redacted>");
        let mut v = json!({"m": ["x FwoGZXIvYXdzTOKEN"], "FwoGZXIvYXdzTOKEN": 1, "n": 2});
        assert!(s.scrub_value(&mut v));
        assert_eq!(v, json!({"m": ["x <redacted>"], "<redacted>": 1, "n": 2}));

        let mut ex = Exchange::from_parts(
            "RunTask",
            json!({}),
            400,
            &[("x-echo", "FwoGZXIvYXdzTOKEN")],
            r#"{"message":"wJalrXUtnFEMI\/K7MDENG"}"#,
        );
        s.scrub_exchange(&mut ex);
        assert!(!ex.response.body_text.contains("MDENG"), "{ex:?}");
        assert_eq!(ex.response.body, Some(json!({"message": "<redacted>"})));
        assert_eq!(ex.response.headers[0].1, "<redacted>");
    }

    #[test]
    fn signatures_are_secrets_of_their_call_and_short_values_are_left() {
        let s = Secrets::of(&creds(), "http://127.0.0.1:5000").with_signature(&[(
            "authorization".into(),
            "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x, SignedHeaders=host, Signature=abcdef0123456789".into(),
        )]);
        assert_eq!(s.scrub("sig abcdef0123456789."), "sig <redacted>.");
        assert_eq!(
            s.scrub("Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x, SignedHeaders=host, Signature=abcdef0123456789"),
            "Authorization: <redacted>"
        );
        let short = Secrets::of(&creds(), "http://u:ecs@127.0.0.1");
        assert_eq!(short.scrub("arn:aws:ecs:x"), "arn:aws:ecs:x");
    }

    #[test]
    fn user_info_is_stripped_from_urls() {
        assert_eq!(
            strip_user_info("http://u:p@127.0.0.1:5000/v1"),
            "http://127.0.0.1:5000/v1"
        );
        assert_eq!(strip_user_info("http://h/a@b"), "http://h/a@b");
        assert_eq!(strip_user_info("not a url"), "not a url");
        assert_eq!(strip_user_info("x://u@"), "x://");
        assert_eq!(base64(b"alice:s3cr@t-pw"), "YWxpY2U6czNjckB0LXB3");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(percent_decode("a%40b%4"), "a@b%4");
    }
}
