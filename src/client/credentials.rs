//! Signing credentials: the values a run signs with, where they came from and when
//! they expire, and the provider asked for fresh ones before they do. The CLI resolves
//! them as the AWS SDKs do (`aws-config`) and passes them in; a library caller that
//! passes none gets the standard environment variables or the shared credentials file,
//! and dummy credentials only for a loopback endpoint (emulators accept any signature
//! but read the region from it).

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// Credentials are fetched again this long before they expire (as the AWS SDKs do).
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// Credentials used for SigV4. `Debug` never shows the secret or the token.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Where they came from, for messages: `environment`, `profile default`, `dummy`.
    pub source: String,
    /// When they stop working (None: they do not expire).
    pub expires: Option<SystemTime>,
}

/// The credentials of a target: those resolved before the run and, when they expire,
/// the provider asked for fresh ones (its own cache decides when it calls out).
#[derive(Clone, Debug)]
pub struct CredentialSource {
    pub current: Credentials,
    pub refresh: Option<SharedCredentialsProvider>,
}

impl CredentialSource {
    /// Credentials that never change.
    pub fn fixed(credentials: Credentials) -> CredentialSource {
        CredentialSource {
            current: credentials,
            refresh: None,
        }
    }
}

/// Why no credentials could be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CredentialsError {
    #[error("no AWS credentials for {endpoint}: {reason}")]
    NotFound { endpoint: String, reason: String },
    #[error("could not refresh the AWS credentials ({source_name}): {reason}")]
    Refresh { source_name: String, reason: String },
}

/// Whether `endpoint` names this machine (127.0.0.0/8, ::1, localhost): the only
/// endpoints dummy credentials may fall back to.
pub fn is_loopback(endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Fresh credentials from `provider`, described as coming from `source`.
pub async fn provide(
    provider: &SharedCredentialsProvider,
    source: &str,
) -> Result<Credentials, CredentialsError> {
    let c = provider
        .provide_credentials()
        .await
        .map_err(|e| CredentialsError::Refresh {
            source_name: source.to_owned(),
            reason: error_chain(&e),
        })?;
    Ok(Credentials {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: c.secret_access_key().to_owned(),
        session_token: c.session_token().map(str::to_owned),
        source: source.to_owned(),
        expires: c.expiry(),
    })
}

/// An error and its causes, on one line.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(next) = cause {
        let part = next.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = next.source();
    }
    text
}

impl Credentials {
    /// Whether they expire within [`REFRESH_BEFORE_EXPIRY`] of `now`.
    pub fn expiring(&self, now: SystemTime) -> bool {
        self.expires
            .is_some_and(|at| at <= now + REFRESH_BEFORE_EXPIRY)
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &"<redacted>")
            .field("source", &self.source)
            .finish()
    }
}

impl Credentials {
    /// Dummy credentials for emulators.
    pub fn dummy() -> Self {
        Credentials {
            access_key_id: "AKIAECSCONFORMDUMMY0".into(),
            secret_access_key: "ecs-conform-dummy-secret".into(),
            session_token: None,
            source: "dummy".into(),
            expires: None,
        }
    }

    /// For a library caller that passes none: the environment, then the shared
    /// credentials file, else dummy credentials for a loopback `endpoint` only.
    pub fn for_endpoint(
        endpoint: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, CredentialsError> {
        match Self::discover(env) {
            Some(found) => Ok(found),
            None if is_loopback(endpoint) => Ok(Self::dummy()),
            None => Err(CredentialsError::NotFound {
                endpoint: super::strip_user_info(endpoint),
                reason: "none in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the shared credentials file, and dummy credentials are only for loopback endpoints".into(),
            }),
        }
    }

    /// Environment first, then the shared credentials file.
    pub fn discover(env: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        let non_empty = |k: &str| env(k).filter(|v| !v.is_empty());
        if let (Some(id), Some(secret)) = (
            non_empty("AWS_ACCESS_KEY_ID"),
            non_empty("AWS_SECRET_ACCESS_KEY"),
        ) {
            return Some(Credentials {
                access_key_id: id,
                secret_access_key: secret,
                session_token: non_empty("AWS_SESSION_TOKEN"),
                source: "environment".into(),
                expires: None,
            });
        }
        let profile = non_empty("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let file = non_empty("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".aws/credentials")));
        file.and_then(|f| from_file(&f, &profile))
    }
}

fn from_file(path: &std::path::Path, profile: &str) -> Option<Credentials> {
    let text = crate::files::read_text(path).ok()?;
    let ini = ini::Ini::load_from_str(&text).ok()?;
    let section = ini.section(Some(profile))?;
    Some(Credentials {
        access_key_id: section.get("aws_access_key_id")?.to_owned(),
        secret_access_key: section.get("aws_secret_access_key")?.to_owned(),
        session_token: section.get("aws_session_token").map(str::to_owned),
        source: format!("profile {profile} in {}", path.display()),
        expires: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(map: HashMap<&'static str, String>) -> impl Fn(&str) -> Option<String> {
        move |k| map.get(k).cloned()
    }

    #[test]
    fn environment_wins_then_profile_file_then_dummy() {
        let dir = std::env::temp_dir().join(format!("ecs-conform-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("credentials");
        std::fs::write(
            &file,
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = s2\naws_session_token = tok\n",
        )
        .unwrap();
        let path = file.to_string_lossy().to_string();

        let c = Credentials::discover(&env(HashMap::from([
            ("AWS_ACCESS_KEY_ID", "AKIDENV".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "s".to_string()),
            ("AWS_SHARED_CREDENTIALS_FILE", path.clone()),
        ])))
        .unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.source.as_str()),
            ("AKIDENV", "environment")
        );

        let c = Credentials::discover(&env(HashMap::from([
            ("AWS_PROFILE", "ci".to_string()),
            ("AWS_SHARED_CREDENTIALS_FILE", path.clone()),
        ])))
        .unwrap();
        assert_eq!(c.access_key_id, "AKIDCI");
        assert_eq!(c.session_token.as_deref(), Some("tok"));

        let c = Credentials::discover(&env(HashMap::from([("AWS_SHARED_CREDENTIALS_FILE", path)])))
            .unwrap();
        assert_eq!(c.access_key_id, "AKIDDEFAULT");

        assert!(Credentials::discover(&env(HashMap::new())).is_none());
        let c = Credentials::for_endpoint("http://127.0.0.1:5000", &env(HashMap::new())).unwrap();
        assert_eq!(c.source, "dummy");
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn dummy_credentials_only_for_loopback_endpoints() {
        let none = env(HashMap::new());
        for local in [
            "http://127.0.0.1:5000",
            "http://127.1.2.3",
            "http://[::1]:80/",
            "http://LOCALHOST:4566",
        ] {
            assert!(is_loopback(local), "{local}");
            assert_eq!(
                Credentials::for_endpoint(local, &none).unwrap().source,
                "dummy"
            );
        }
        for remote in [
            "https://ecs.us-east-1.amazonaws.com",
            "http://10.0.0.1:5000",
            "http://localhost.example.com",
            "not a url",
        ] {
            assert!(!is_loopback(remote), "{remote}");
            let e = Credentials::for_endpoint(remote, &none).unwrap_err();
            assert!(e.to_string().contains("no AWS credentials"), "{e}");
        }
    }

    #[test]
    fn credentials_expiring_within_five_minutes_are_refreshed() {
        let now = SystemTime::now();
        let mut c = Credentials::dummy();
        assert!(!c.expiring(now));
        c.expires = Some(now + Duration::from_secs(3600));
        assert!(!c.expiring(now));
        c.expires = Some(now + Duration::from_secs(120));
        assert!(c.expiring(now));
    }
}
