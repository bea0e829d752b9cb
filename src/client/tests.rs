//! Throttling, redaction, body parsing, redirects and endpoint checks of the target.

use super::*;

fn response(status: u16, header: Option<&str>, body: &str) -> ReceivedResponse {
    ReceivedResponse {
        status,
        headers: header
            .map(|h| vec![("x-amzn-errortype".to_string(), h.to_string())])
            .unwrap_or_default(),
        body_text: body.into(),
        body: serde_json::from_str(body).ok(),
    }
}

#[test]
fn throttling_is_recognised_by_status_header_or_type_only() {
    assert!(is_throttled(&response(429, None, "")));
    assert!(is_throttled(&response(503, None, "")));
    assert!(is_throttled(&response(
        400,
        None,
        r#"{"__type":"com.amazonaws.ecs#ThrottlingException"}"#
    )));
    assert!(is_throttled(&response(
        400,
        Some("ThrottlingException:http://x"),
        "{}"
    )));
    assert!(!is_throttled(&response(
        400,
        None,
        r#"{"__type":"ClusterNotFoundException"}"#
    )));
    assert!(!is_throttled(&response(
        500,
        None,
        r#"{"__type":"ServerException"}"#
    )));
    assert!(!is_throttled(&response(
        200,
        None,
        r#"{"__type":"ThrottlingException"}"#
    )));
}

#[test]
fn secrets_are_redacted_and_the_rest_kept() {
    let h = redact(vec![
        (
            "authorization".into(),
            "AWS4-HMAC-SHA256 Credential=AKID/...".into(),
        ),
        ("X-Amz-Security-Token".into(), "tok".into()),
        ("x-amz-target".into(), "T.Op".into()),
    ]);
    assert_eq!(h[0].1, "<redacted>");
    assert_eq!(h[1].1, "<redacted>");
    assert_eq!(h[2].1, "T.Op");
}

/// Answers one connection with a 200 whose body is `body`.
fn answer_once(body: &'static [u8]) -> String {
    answer_once_with("200 OK", "", body)
}

/// Answers one connection with `status`, the extra header lines `headers` and `body`.
fn answer_once_with(status: &'static str, headers: &'static str, body: &'static [u8]) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Some(Ok(mut stream)) = listener.incoming().next() {
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.1\r\n\
                 {headers}content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn bodies_are_parsed_only_when_they_are_json_in_valid_utf8() {
    let good = answer_once("{\"startedBy\":\"caf\u{e9}\"}".as_bytes());
    let target = Target::new(TargetConfig::new(good, "us-east-1")).unwrap();
    let ex = target
        .call("ListTasks", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(ex.response.body_text, "{\"startedBy\":\"caf\u{e9}\"}");
    assert_eq!(
        ex.response.body,
        Some(serde_json::json!({"startedBy": "caf\u{e9}"}))
    );

    // Latin-1 é inside a string: not UTF-8, so not JSON; the text shows U+FFFD.
    let bad = answer_once(b"{\"startedBy\":\"caf\xe9\"}");
    let target = Target::new(TargetConfig::new(bad, "us-east-1")).unwrap();
    let ex = target
        .call("ListTasks", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(ex.response.body, None);
    assert_eq!(ex.response.body_text, "{\"startedBy\":\"caf\u{fffd}\"}");
}

#[tokio::test]
async fn redirects_are_answers_not_hops() {
    // The Location points at a server that would answer 200; it must not be asked.
    let elsewhere = answer_once(b"{}");
    let location: &'static str = Box::leak(format!("location: {elsewhere}/\r\n").into());
    let redirecting = answer_once_with("307 Temporary Redirect", location, b"{}");
    let target = Target::new(TargetConfig::new(redirecting, "us-east-1")).unwrap();
    let ex = target
        .call("ListTasks", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(ex.response.status, 307);
    assert!(ex.response.header("location").is_some());
}

#[test]
fn endpoints_are_checked_and_paths_follow_the_style() {
    assert!(Target::new(TargetConfig::new("not a url", "us-east-1")).is_err());
    assert!(Target::new(TargetConfig::new("ftp://127.0.0.1", "us-east-1")).is_err());
    let mut config = TargetConfig::new("http://127.0.0.1:1/", "us-east-1");
    let t = Target::new(config.clone()).unwrap();
    assert_eq!(t.url("RunTask"), "http://127.0.0.1:1/");
    config.path_style = PathStyle::V1;
    let t = Target::new(config).unwrap();
    assert_eq!(t.url("RunTask"), "http://127.0.0.1:1/v1/RunTask");
}

#[tokio::test]
async fn a_body_at_the_cap_is_read_and_one_byte_more_is_refused() {
    let body: &'static [u8] = b"{\"taskArns\":[]}";
    let mut config = TargetConfig::new(answer_once(body), "us-east-1");
    config.max_body = body.len() as u64;
    let ex = Target::new(config)
        .unwrap()
        .call("ListTasks", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(ex.response.body_text.as_bytes(), body);

    let mut config = TargetConfig::new(answer_once(body), "us-east-1");
    config.max_body = body.len() as u64 - 1;
    let err = Target::new(config)
        .unwrap()
        .call("ListTasks", serde_json::json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TargetError::BodyTooLargeDeclared {
                declared: 15,
                cap: 14,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("wire.body-too-large: "),
        "{err}"
    );
}

#[test]
fn endpoints_are_shown_without_user_info() {
    let t = Target::new(TargetConfig::new(
        "http://u:hunter22@127.0.0.1:1/",
        "us-east-1",
    ))
    .unwrap();
    assert_eq!(t.label(), "http://127.0.0.1:1/");
    let err = Target::new(TargetConfig::new("ftp://u:hunter22@h", "us-east-1")).unwrap_err();
    assert!(!err.to_string().contains("hunter22"), "{err}");
}

/// Answers one connection with `{}` and hands back the raw request it read.
fn capture_once() -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Some(Ok(mut stream)) = listener.incoming().next() {
            let mut got = Vec::new();
            let mut buf = [0u8; 65536];
            // Read the head, then as many body bytes as content-length says.
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length: ")
                                .map(str::to_owned)
                        })
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if got.len() >= end + 4 + len || n == 0 {
                        break;
                    }
                } else if n == 0 {
                    break;
                }
            }
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
            let _ = tx.send(String::from_utf8_lossy(&got).into_owned());
        }
    });
    (format!("http://{addr}"), rx)
}

#[tokio::test]
async fn a_raw_body_is_sent_byte_for_byte_and_a_target_replaces_or_drops_the_header() {
    let (url, seen) = capture_once();
    let target = Target::new(TargetConfig::new(url, "us-east-1")).unwrap();
    let wire = WireOverrides {
        raw_body: Some("{\"cluster\": ".into()),
        target: Some("AmazonEC2ContainerServiceV20141113.NoSuchOperation".into()),
    };
    let ex = target
        .call_with("RunTask", serde_json::json!({"ignored": true}), &wire)
        .await
        .unwrap();
    let request = seen.recv().unwrap();
    assert!(request.ends_with("\r\n\r\n{\"cluster\": "), "{request}");
    assert!(request
        .to_ascii_lowercase()
        .contains("x-amz-target: amazonec2containerservicev20141113.nosuchoperation\r\n"));
    // Recorded as its text (not JSON), so the contract sees a body that is no object.
    assert_eq!(ex.request.body, serde_json::json!("{\"cluster\": "));

    let (url, seen) = capture_once();
    let target = Target::new(TargetConfig::new(url, "us-east-1")).unwrap();
    let wire = WireOverrides {
        raw_body: Some("[1]".into()),
        target: Some(String::new()),
    };
    let ex = target
        .call_with("ListTasks", serde_json::json!({}), &wire)
        .await
        .unwrap();
    let request = seen.recv().unwrap();
    assert!(
        !request.to_ascii_lowercase().contains("x-amz-target"),
        "{request}"
    );
    assert!(request.ends_with("\r\n\r\n[1]"));
    assert_eq!(ex.request.body, serde_json::json!([1]));

    // Without overrides: the JSON body and the operation's own target.
    let (url, seen) = capture_once();
    let target = Target::new(TargetConfig::new(url, "us-east-1")).unwrap();
    target
        .call("ListTasks", serde_json::json!({"cluster": "c"}))
        .await
        .unwrap();
    let request = seen.recv().unwrap().to_ascii_lowercase();
    assert!(request.contains("x-amz-target: amazonec2containerservicev20141113.listtasks\r\n"));
    assert!(request.ends_with("{\"cluster\":\"c\"}"));
}

/// Credentials that expire are replaced by the provider's before a call is signed, and
/// the secrets of both the old and the new ones stay scrubbed from what is recorded.
#[test]
fn expiring_credentials_are_refreshed_and_every_secret_stays_scrubbed() {
    use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::SystemTime;

    #[derive(Debug)]
    struct Rotating(Arc<AtomicUsize>);
    impl ProvideCredentials for Rotating {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            future::ProvideCredentials::ready(Ok(aws_credential_types::Credentials::new(
                format!("AKIDREFRESHED{n}"),
                format!("refreshed-secret-{n}"),
                Some(format!("refreshed-token-{n}")),
                Some(SystemTime::now() + Duration::from_secs(3600)),
                "test",
            )))
        }
    }

    // Answers with every request head it got, and the initial secret: a target that
    // echoes what it should not.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let signed_with = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&signed_with);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let mut buf = [0u8; 65536];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            if let Some((_, rest)) = head.split_once("Credential=") {
                let key = rest.split('/').next().unwrap_or_default().to_owned();
                seen.lock().unwrap().push(key);
            }
            let body = serde_json::json!({"echo": head, "old": "initial-secret-value initial-token-value"})
                .to_string();
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    let calls = Arc::new(AtomicUsize::new(0));
    let mut config = TargetConfig::new(format!("http://{addr}"), "us-east-1");
    config.credentials = Credentials {
        access_key_id: "AKIDINITIAL".into(),
        secret_access_key: "initial-secret-value".into(),
        session_token: Some("initial-token-value".into()),
        source: "test".into(),
        // Within five minutes of expiring: replaced before the first call.
        expires: Some(SystemTime::now() + Duration::from_secs(60)),
    };
    config.refresh = Some(SharedCredentialsProvider::new(Rotating(Arc::clone(&calls))));
    let target = Target::new(config).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..2 {
        let exchange = runtime
            .block_on(target.call("ListTasks", serde_json::json!({})))
            .unwrap();
        let echoed = &exchange.response.body_text;
        assert!(echoed.contains("authorization: <redacted>"), "{echoed}");
        for secret in [
            "initial-secret-value",
            "initial-token-value",
            "refreshed-secret-1",
            "refreshed-token-1",
        ] {
            assert!(!echoed.contains(secret), "{secret} in {echoed}");
        }
    }
    // Fresh for an hour: asked once, not per call.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        *signed_with.lock().unwrap(),
        vec!["AKIDREFRESHED1".to_owned(), "AKIDREFRESHED1".to_owned()]
    );
}
