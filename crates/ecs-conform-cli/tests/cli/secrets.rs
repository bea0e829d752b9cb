//! Secrets never leave the target module: the recorded exchange, the curl reproduction
//! and the rendered failure carry no access key secret, session token or signature.

use ecs_conform::client::{Credentials, Target, TargetConfig};
use ecs_conform::report::text;
use ecs_reference::ReferenceOptions;
use serde_json::json;

const SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY";
const TOKEN: &str = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

#[test]
fn recorded_exchanges_and_reproductions_hold_no_secret() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(ecs_reference::start(ReferenceOptions::default()))
        .unwrap();
    let mut config = TargetConfig::new(server.endpoint(), "eu-west-1");
    config.credentials = Credentials {
        access_key_id: "AKIAEXAMPLEKEYID0000".into(),
        secret_access_key: SECRET.into(),
        session_token: Some(TOKEN.into()),
        source: "test".into(),
        expires: None,
    };
    let target = Target::new(config).unwrap();
    let exchange = runtime
        .block_on(target.call("ListTasks", json!({"cluster": "nope"})))
        .unwrap();
    runtime.block_on(server.shutdown());

    let recorded = serde_json::to_string(&exchange).unwrap();
    let curl = text::curl(&exchange, "eu-west-1");
    let response = text::response(&exchange);
    for rendered in [&recorded, &curl, &response] {
        assert!(!rendered.contains(SECRET), "{rendered}");
        assert!(!rendered.contains(TOKEN), "{rendered}");
        assert!(!rendered.contains("Signature="), "{rendered}");
    }
    let auth = exchange
        .request
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        auth,
        Some("<redacted>"),
        "the request was signed, and the signature is not kept"
    );
    assert!(curl.contains("--aws-sigv4 'aws:amz:eu-west-1:ecs'"));
    // The reference read the region from the signature's credential scope.
    assert_eq!(exchange.response.status, 400);
    assert!(exchange
        .response
        .body_text
        .contains("ClusterNotFoundException"));
}

/// An endpoint that echoes every request header and the request body: ListTasks in a
/// success body (and the Authorization value in a response header), every other
/// operation in an error message, as AWS's signature-mismatch errors do.
mod echo {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    fn answer(stream: &mut TcpStream) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut data = Vec::new();
        let mut buf = [0u8; 8192];
        let (head, body) = loop {
            let Ok(n) = stream.read(&mut buf) else { return };
            if n == 0 {
                return;
            }
            data.extend_from_slice(&buf[..n]);
            let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                break (head, String::from_utf8_lossy(&data[end + 4..]).into_owned());
            }
        };
        let echo = format!("{head}\n\n{body}");
        let auth = head
            .lines()
            .filter_map(|l| l.split_once(": "))
            .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.to_owned())
            .collect::<Vec<_>>()
            .join(" | ");
        let (status, payload) = if head.contains("ListTasks") {
            ("200 OK", serde_json::json!({"taskArns": [], "echo": echo}))
        } else {
            (
                "400 Bad Request",
                serde_json::json!({"__type": "InvalidSignatureException", "message": echo}),
            )
        };
        let payload = payload.to_string();
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-requestid: r1\r\nx-echo-authorization: {auth}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{payload}",
            payload.len()
        );
        let _ = stream.write_all(response.as_bytes());
    }

    /// `host:port` of a new echo endpoint.
    pub fn start() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || answer(&mut { stream }));
            }
        });
        addr.to_string()
    }
}

const PASSWORD: &str = "UrlPassw0rdSecret";

#[test]
fn secrets_echoed_by_a_target_appear_in_no_output_or_written_file() {
    let repo = std::path::Path::new(crate::cli_support::REPO);
    let dir = std::env::temp_dir().join(format!("ecs-conform-echo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cases/echo")).unwrap();
    std::fs::create_dir_all(dir.join("snapshots")).unwrap();
    std::fs::copy(
        repo.join("snapshots/normalisers.yaml"),
        dir.join("snapshots/normalisers.yaml"),
    )
    .unwrap();
    // Each step fails (so its answer is shown) and takes a snapshot (so one is written).
    std::fs::write(
        dir.join("cases/echo/success.yaml"),
        "name: echoed in a success body\ncites: test\nsteps:\n  - call: ListTasks\n    snapshot: true\n    with: { cluster: \"c-${case_id}\" }\n    expect: { status: 400 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("cases/echo/error.yaml"),
        "name: echoed in an error message\ncites: test\nsteps:\n  - call: DescribeTasks\n    snapshot: true\n    with: { cluster: \"c\", tasks: [\"t\"] }\n",
    )
    .unwrap();
    let endpoint = format!("http://ecs-user:{PASSWORD}@{}", echo::start());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ecs-conform"))
        .current_dir(&dir)
        .args(["run", "--endpoint", &endpoint, "--timeout", "5s"])
        .arg("--cases")
        .arg(dir.join("cases"))
        .arg("--schemas")
        .arg(repo.join("schemas"))
        .args([
            "--junit",
            "out.xml",
            "--report-json",
            "out.json",
            "--report-md",
            "out.md",
            "--report-html",
            "out.html",
            "--badge",
            "out.svg",
        ])
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID0000")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("AWS_REGION", "eu-west-1")
        .env_remove("CI")
        .env_remove("INSTA_UPDATE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_ECS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    let mut texts = vec![
        ("stdout".to_owned(), stdout.clone()),
        ("stderr".to_owned(), stderr),
    ];
    for file in ["out.xml", "out.json", "out.md", "out.html", "out.svg"] {
        texts.push((
            file.into(),
            std::fs::read_to_string(dir.join(file)).unwrap(),
        ));
    }
    let mut snapshots = 0;
    for entry in std::fs::read_dir(dir.join("snapshots")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains(".snap") {
            snapshots += 1;
            texts.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    assert_eq!(snapshots, 2, "both steps wrote a snapshot");
    // What the target echoed reached the outputs (so the check below checks something).
    assert!(stdout.contains("x-amz-target"), "{stdout}");
    assert!(stdout.contains("<redacted>"), "{stdout}");
    for (name, text) in &texts {
        for secret in [
            SECRET,
            TOKEN,
            PASSWORD,
            "Signature=",
            "Credential=",
            // Basic authorization of ecs-user:PASSWORD, which the client derives from the URL.
            "ZWNzLXVzZXI6VXJsUGFzc3cwcmRTZWNyZXQ",
        ] {
            assert!(!text.contains(secret), "{name} holds `{secret}`:\n{text}");
        }
    }
    // The reproduction works with temporary credentials without printing the token.
    assert!(
        stdout.contains("-H \"x-amz-security-token: $AWS_SESSION_TOKEN\""),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_endpoint_is_named_without_its_password() {
    let endpoint = format!("http://ecs-user:{PASSWORD}@127.0.0.1:9");
    for args in [
        vec!["run", "--endpoint", endpoint.as_str(), "--timeout", "2s"],
        vec![
            "diff",
            "--endpoint",
            endpoint.as_str(),
            "--against",
            "reference",
        ],
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_ecs-conform"))
            .current_dir(crate::cli_support::REPO)
            .args(&args)
            .args(["errors/run-task-unknown-cluster"])
            .output()
            .unwrap();
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.status.code(), Some(3), "{args:?}: {out}");
        assert!(out.contains("127.0.0.1:9"), "{args:?}: {out}");
        assert!(
            !out.contains(PASSWORD) && !out.contains("ecs-user"),
            "{args:?}: {out}"
        );
    }
}
