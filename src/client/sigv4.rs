//! SigV4 signing of the harness's requests (service `ecs`, signature in headers).
//!
//! aws-sigv4 is the authority: its `sign` signs anything out of the ordinary, and its
//! key derivation and HMAC sign every request. What this module adds is speed on the
//! one request shape the harness sends (a JSON 1.1 `POST` with a few plain headers to a
//! plain URL): the canonical request is written straight into one buffer, the signing
//! key is derived (by aws-sigv4) once per UTC day and kept as a keyed HMAC, and the
//! date stamp is written once per second. Tests check that both paths give the same
//! headers, byte for byte.

use super::{Credentials, TargetError};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

const SERVICE: &str = "ecs";
/// Headers the signer writes itself, or that aws-sigv4 leaves out of the signature:
/// a request carrying one of them takes aws-sigv4's own path.
const RESERVED: &[&str] = &[
    "host",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

/// Signs requests for one set of credentials and one region.
pub struct Signer {
    credentials: Credentials,
    region: String,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    /// The second last signed (UNIX time) and its `YYYYMMDDTHHMMSSZ`.
    stamp: Option<(u64, String)>,
    /// `YYYYMMDD` and an HMAC keyed with the signing key derived for that day.
    key: Option<(String, Hmac<Sha256>)>,
    /// Per URL: its canonical authority and path, or `None` when it is not plain.
    /// A run sends to a handful of URLs, so a list is quicker than a map.
    urls: Vec<(String, Option<Arc<PlainUrl>>)>,
}

/// A URL whose canonical form is its authority and path as written.
struct PlainUrl {
    /// `host` or `host:port` (a default port is left out, as aws-sigv4 does).
    authority: String,
    path: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Signer {
    pub fn new(credentials: Credentials, region: impl Into<String>) -> Signer {
        Signer {
            credentials,
            region: region.into(),
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The SigV4 headers for a POST of `payload` to `url` with `headers`, signed now:
    /// names in lower case, values as they go on the wire.
    pub fn sign(
        &self,
        url: &str,
        headers: &[(String, String)],
        payload: &[u8],
    ) -> Result<Vec<(String, String)>, TargetError> {
        self.sign_at(url, headers, payload, SystemTime::now())
    }

    /// As [`Signer::sign`], at `time`.
    pub fn sign_at(
        &self,
        url: &str,
        headers: &[(String, String)],
        payload: &[u8],
        time: SystemTime,
    ) -> Result<Vec<(String, String)>, TargetError> {
        if !plain_headers(headers) {
            return self.sign_with_aws_sigv4(url, headers, payload, time);
        }
        let (plain, date_time, mac) = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            let Some(plain) = cache.plain_url(url) else {
                drop(cache);
                return self.sign_with_aws_sigv4(url, headers, payload, time);
            };
            let date_time = cache.stamp(time);
            let mac = cache.mac(&date_time[..8], time, &self.credentials, &self.region);
            (plain, date_time, mac)
        };
        Ok(self.sign_plain(&plain, headers, payload, date_time, mac))
    }

    /// aws-sigv4's full signing, for anything the plain path does not cover.
    fn sign_with_aws_sigv4(
        &self,
        url: &str,
        headers: &[(String, String)],
        payload: &[u8],
        time: SystemTime,
    ) -> Result<Vec<(String, String)>, TargetError> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let creds = &self.credentials;
        let identity = aws_credential_types::Credentials::new(
            &creds.access_key_id,
            &creds.secret_access_key,
            creds.session_token.clone(),
            None,
            "ecs-conform",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(SERVICE)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| TargetError::Signing(e.to_string()))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            url,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(payload),
        )
        .map_err(|e| TargetError::Signing(e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| TargetError::Signing(e.to_string()))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect())
    }

    fn sign_plain(
        &self,
        url: &PlainUrl,
        headers: &[(String, String)],
        payload: &[u8],
        date_time: String,
        mut mac: Hmac<Sha256>,
    ) -> Vec<(String, String)> {
        let date = &date_time[..8];
        let token = self.credentials.session_token.as_deref();
        let mut canonical: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain([("host", url.authority.as_str())])
            .chain([("x-amz-date", date_time.as_str())])
            .chain(token.map(|t| ("x-amz-security-token", t)))
            .collect();
        canonical.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut signed = String::with_capacity(64);
        for (i, (k, _)) in canonical.iter().enumerate() {
            if i > 0 {
                signed.push(';');
            }
            signed.push_str(k);
        }

        let mut request = String::with_capacity(320);
        request.push_str("POST\n");
        request.push_str(&url.path);
        request.push_str("\n\n");
        for (k, v) in &canonical {
            request.push_str(k);
            request.push(':');
            request.push_str(v);
            request.push('\n');
        }
        request.push('\n');
        request.push_str(&signed);
        request.push('\n');
        push_hex(&mut request, &Sha256::digest(payload));

        let mut scope = String::with_capacity(48);
        for part in [date, "/", &self.region, "/", SERVICE, "/aws4_request"] {
            scope.push_str(part);
        }
        let mut to_sign = String::with_capacity(160);
        for part in ["AWS4-HMAC-SHA256\n", &date_time, "\n", &scope, "\n"] {
            to_sign.push_str(part);
        }
        push_hex(&mut to_sign, &Sha256::digest(request.as_bytes()));
        mac.update(to_sign.as_bytes());

        let mut authorization = String::with_capacity(256);
        for part in [
            "AWS4-HMAC-SHA256 Credential=",
            &self.credentials.access_key_id,
            "/",
            &scope,
            ", SignedHeaders=",
            &signed,
            ", Signature=",
        ] {
            authorization.push_str(part);
        }
        push_hex(&mut authorization, &mac.finalize().into_bytes());
        let mut out = vec![
            ("x-amz-date".to_owned(), date_time),
            ("authorization".to_owned(), authorization),
        ];
        if let Some(token) = token {
            out.push(("x-amz-security-token".to_owned(), token.to_owned()));
        }
        out
    }
}

impl Cache {
    fn plain_url(&mut self, url: &str) -> Option<Arc<PlainUrl>> {
        if let Some((_, known)) = self.urls.iter().find(|(u, _)| u == url) {
            return known.clone();
        }
        let parsed = PlainUrl::parse(url).map(Arc::new);
        // The bound only guards against misuse.
        if self.urls.len() < 64 {
            self.urls.push((url.to_owned(), parsed.clone()));
        }
        parsed
    }

    /// `YYYYMMDDTHHMMSSZ` of `time`, written once per second.
    fn stamp(&mut self, time: SystemTime) -> String {
        let second = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        match &self.stamp {
            Some((at, text)) if *at == second => text.clone(),
            _ => {
                let text = amz_date_time(time);
                self.stamp = Some((second, text.clone()));
                text
            }
        }
    }

    /// An HMAC keyed with the signing key of `date` (`YYYYMMDD`), derived once a day.
    fn mac(
        &mut self,
        date: &str,
        time: SystemTime,
        credentials: &Credentials,
        region: &str,
    ) -> Hmac<Sha256> {
        if let Some((day, mac)) = &self.key {
            if day == date {
                return mac.clone();
            }
        }
        let key = aws_sigv4::sign::v4::generate_signing_key(
            &credentials.secret_access_key,
            time,
            region,
            SERVICE,
        );
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        self.key = Some((date.to_owned(), mac.clone()));
        mac
    }
}

impl PlainUrl {
    /// `Some` when the URL is http(s) without user info, query or fragment, and its
    /// path is made of non-empty segments of unreserved characters (so that URI
    /// normalisation and encoding leave it as it is).
    fn parse(url: &str) -> Option<PlainUrl> {
        let parsed = reqwest::Url::parse(url).ok()?;
        let plain = matches!(parsed.scheme(), "http" | "https")
            && parsed.username().is_empty()
            && parsed.password().is_none()
            && parsed.query().is_none()
            && parsed.fragment().is_none();
        let host = parsed.host_str()?;
        let path = parsed.path();
        let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
        let last = segments.len() - 1;
        let plain_path = segments.iter().enumerate().all(|(i, s)| {
            (i == last || !s.is_empty())
                && *s != "."
                && *s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        });
        if !plain || !plain_path {
            return None;
        }
        // `port()` is `None` for the scheme's default port, which is not signed.
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Some(PlainUrl {
            authority,
            path: path.to_owned(),
        })
    }
}

/// Headers the plain path signs as they are: each named once, every one plain.
fn plain_headers(headers: &[(String, String)]) -> bool {
    headers.iter().all(|(k, v)| plain_header(k, v))
        && !headers
            .iter()
            .enumerate()
            .any(|(i, (k, _))| headers[..i].iter().any(|(j, _)| j == k))
}

/// A header the plain path signs as it is: a lower-case token name that the signer
/// does not reserve, and a value of visible ASCII with single inner spaces only.
fn plain_header(name: &str, value: &str) -> bool {
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !RESERVED.contains(&name);
    let value_ok = !value.starts_with(' ')
        && !value.ends_with(' ')
        && !value.contains("  ")
        && value.bytes().all(|b| (0x20..0x7f).contains(&b));
    name_ok && value_ok
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
fn amz_date_time(time: SystemTime) -> String {
    let rfc3339 = humantime::format_rfc3339_seconds(time).to_string();
    rfc3339.chars().filter(|c| *c != '-' && *c != ':').collect()
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
}

#[cfg(test)]
mod tests;
