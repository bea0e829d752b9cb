//! Credentials as the AWS SDKs resolve them: environment variables and profiles of the
//! shared files sign the calls (a 127.0.0.1 endpoint records each Authorization
//! header), an unknown profile is an error, a non-loopback endpoint with nothing
//! resolvable is an error instead of dummy credentials, and a loopback endpoint falls
//! back to dummy credentials and says so (on standard error and in the run document).

use crate::cli_support::{bin, repo, text};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An endpoint that answers every call with an empty ListTasks page and keeps the
/// Authorization header of each.
fn recording_endpoint() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let mut buf = [0u8; 65536];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            if let Some(auth) = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            {
                kept.lock().unwrap().push(auth.1.trim().to_owned());
            }
            let body = r#"{"taskArns":[]}"#;
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-requestid: 1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    (format!("http://{addr}"), seen)
}

/// A folder with one ListTasks case, an empty home, and shared config and credentials
/// files defining the profiles `ci` (in the credentials file) and `dev` (in the config file).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-conform-creds-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cases/list")).unwrap();
    std::fs::create_dir_all(dir.join("home")).unwrap();
    std::fs::write(
        dir.join("cases/list/plain.yaml"),
        "name: ListTasks answers\ncites: test\nsteps:\n  - call: ListTasks\n    with: {}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("credentials"),
        "[ci]\naws_access_key_id = AKIDPROFILECI000000\naws_secret_access_key = ci-secret-value\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("config"),
        "[profile dev]\naws_access_key_id = AKIDPROFILEDEV00000\naws_secret_access_key = dev-secret-value\nregion = eu-west-1\n",
    )
    .unwrap();
    dir
}

/// `ecs-conform run` in `dir` with no credentials from the caller's environment: an
/// empty home, the scratch shared files, no instance or container metadata.
fn run(dir: &Path, endpoint: &str) -> Command {
    let mut command = bin();
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_ECS",
    ] {
        command.env_remove(var);
    }
    command
        .env("HOME", dir.join("home"))
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg("run")
        .arg("--cases")
        .arg(dir.join("cases"))
        .arg("--schemas")
        .arg(repo().join("schemas"))
        .args(["--endpoint", endpoint, "--no-snapshots", "--timeout", "5s"])
        .arg("--report-json")
        .arg(dir.join("run.json"));
    command
}

/// The access key ids the recorded Authorization headers name.
fn key_ids(seen: &Mutex<Vec<String>>) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter_map(|a| a.split_once("Credential="))
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default().to_owned())
        .collect()
}

fn credentials_in_document(dir: &Path) -> String {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    doc["target"]["credentials"]
        .as_str()
        .unwrap_or_else(|| panic!("{doc}"))
        .to_owned()
}

#[test]
fn environment_credentials_sign_the_calls() {
    let (endpoint, seen) = recording_endpoint();
    let dir = scratch("env");
    let o = run(&dir, &endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT")
        .env("AWS_SECRET_ACCESS_KEY", "env-secret-value")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let ids = key_ids(&seen);
    assert!(!ids.is_empty(), "{}", text(&o));
    assert!(ids.iter().all(|id| id == "AKIDFROMENVIRONMENT"), "{ids:?}");
    assert_eq!(credentials_in_document(&dir), "EnvironmentVariable");
    assert!(!text(&o).contains("dummy"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_profile_of_the_shared_files_signs_the_calls() {
    for (how, key) in [
        ("--profile ci", "AKIDPROFILECI000000"),
        ("AWS_PROFILE=dev", "AKIDPROFILEDEV00000"),
    ] {
        let (endpoint, seen) = recording_endpoint();
        let dir = scratch(&format!("profile-{}", &how[..3]));
        let mut command = run(&dir, &endpoint);
        match how.split_once('=') {
            Some((var, value)) => command.env(var, value),
            None => command.args(how.split(' ')),
        };
        let o = command.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{how}: {}", text(&o));
        let ids = key_ids(&seen);
        assert!(!ids.is_empty(), "{how}: {}", text(&o));
        assert!(ids.iter().all(|id| id == key), "{how}: {ids:?}");
        let source = credentials_in_document(&dir);
        assert!(source.contains("profile"), "{how}: {source}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn an_unknown_profile_is_an_error_even_on_a_loopback_endpoint() {
    let (endpoint, seen) = recording_endpoint();
    let dir = scratch("unknown");
    for (how, from) in [
        (&["--profile", "doesnotexist"][..], "--profile"),
        (&[][..], "AWS_PROFILE"),
    ] {
        let o = run(&dir, &endpoint)
            .args(how)
            .env("AWS_PROFILE", "doesnotexist")
            .output()
            .unwrap();
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{out}");
        assert!(
            out.contains(&format!(
                "unknown AWS profile `doesnotexist` (from {from}): the shared config and credentials files define `ci`, `dev`"
            )),
            "{out}"
        );
    }
    assert!(key_ids(&seen).is_empty(), "nothing was sent");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_remote_endpoint_without_credentials_is_an_error_not_dummy_credentials() {
    let dir = scratch("remote");
    std::fs::write(dir.join("credentials"), "").unwrap();
    std::fs::write(dir.join("config"), "").unwrap();
    // Nothing listens there and nothing is sent: the run stops before any call.
    let o = run(&dir, "http://ecs.example.invalid:9").output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("no AWS credentials for http://ecs.example.invalid:9"),
        "{out}"
    );
    assert!(out.contains("--dummy-credentials"), "{out}");
    assert!(!dir.join("run.json").exists(), "no run happened");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_loopback_endpoint_falls_back_to_dummy_credentials_and_says_so() {
    let (endpoint, seen) = recording_endpoint();
    let dir = scratch("loopback");
    std::fs::write(dir.join("credentials"), "").unwrap();
    std::fs::write(dir.join("config"), "").unwrap();
    let o = run(&dir, &endpoint).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("signing with dummy credentials"))
        .collect();
    assert_eq!(notes.len(), 1, "{stderr}");
    assert!(notes[0].contains("loopback endpoint"), "{stderr}");
    assert!(key_ids(&seen).iter().all(|id| id == "AKIAECSCONFORMDUMMY0"));
    assert!(credentials_in_document(&dir).starts_with("dummy (loopback endpoint"));

    // Asked for: dummy credentials even when the environment has some.
    let (endpoint, seen) = recording_endpoint();
    let o = run(&dir, &endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT")
        .env("AWS_SECRET_ACCESS_KEY", "env-secret-value")
        .arg("--dummy-credentials")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("signing with dummy credentials (--dummy-credentials)"),
        "{}",
        text(&o)
    );
    let ids = key_ids(&seen);
    assert!(
        !ids.is_empty() && ids.iter().all(|id| id == "AKIAECSCONFORMDUMMY0"),
        "{ids:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
