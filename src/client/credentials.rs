//! Where signing credentials and the region come from: the standard AWS environment
//! variables, then the shared credentials file and `AWS_PROFILE`, else dummy
//! credentials (emulators accept any signature but read the region from it).

use std::path::PathBuf;

/// Credentials used for SigV4. `Debug` never shows the secret or the token.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Where they came from, for messages: `environment`, `profile default`, `dummy`.
    pub source: String,
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
        }
    }

    /// Environment first, then the shared credentials file, else dummy.
    pub fn discover(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let non_empty = |k: &str| env(k).filter(|v| !v.is_empty());
        if let (Some(id), Some(secret)) = (
            non_empty("AWS_ACCESS_KEY_ID"),
            non_empty("AWS_SECRET_ACCESS_KEY"),
        ) {
            return Credentials {
                access_key_id: id,
                secret_access_key: secret,
                session_token: non_empty("AWS_SESSION_TOKEN"),
                source: "environment".into(),
            };
        }
        let profile = non_empty("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let file = non_empty("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".aws/credentials")));
        if let Some(creds) = file.and_then(|f| from_file(&f, &profile)) {
            return creds;
        }
        Self::dummy()
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
        ])));
        assert_eq!(
            (c.access_key_id.as_str(), c.source.as_str()),
            ("AKIDENV", "environment")
        );

        let c = Credentials::discover(&env(HashMap::from([
            ("AWS_PROFILE", "ci".to_string()),
            ("AWS_SHARED_CREDENTIALS_FILE", path.clone()),
        ])));
        assert_eq!(c.access_key_id, "AKIDCI");
        assert_eq!(c.session_token.as_deref(), Some("tok"));

        let c = Credentials::discover(&env(HashMap::from([("AWS_SHARED_CREDENTIALS_FILE", path)])));
        assert_eq!(c.access_key_id, "AKIDDEFAULT");

        let c = Credentials::discover(&env(HashMap::new()));
        assert_eq!(c.source, "dummy");
        assert!(!format!("{c:?}").contains("secret"));
    }
}
