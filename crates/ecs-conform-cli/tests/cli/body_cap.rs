//! Memory stays bounded whatever a target sends: a body larger than the cap
//! (`--max-body`, 8 MiB by default) is a target error (`wire.body-too-large`) read no
//! further, a Content-Length above the cap is refused without reading, and the
//! exchange a failing case keeps holds an excerpt of its body, not megabytes.

use crate::cli_support;

use cli_support::{bin, repo, text};
use ecs_conform::app::{self, Paths, Selection, SnapshotOptions, TargetChoice};
use ecs_conform::client::STORED_BODY_EXCERPT;
use ecs_conform::run::Outcome;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A case without fixtures that expects an error (so a 200 fails it).
const CASE: &str = "errors/list-tasks-unknown-cluster";

/// Reads one request (head and Content-Length body).
fn read_request(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let Ok(n) = stream.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return;
            }
        }
    }
}

/// Serves every connection (one request each) with `answer`.
fn serve(answer: fn(&mut TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                read_request(&mut stream);
                answer(&mut stream);
            });
        }
    });
    format!("http://{addr}")
}

/// A chunked 200 that never ends.
fn endless(stream: &mut TcpStream) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ntransfer-encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let chunk = format!("{:x}\r\n{}\r\n", 65536, "a".repeat(65536));
    while stream.write_all(chunk.as_bytes()).is_ok() {}
}

/// A 200 that announces a gigabyte, sends a few bytes, then holds the connection.
fn announced_gigabyte(stream: &mut TcpStream) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 1073741824\r\n\r\n{\"taskArns\":[";
    let _ = stream.write_all(head.as_bytes());
    std::thread::sleep(Duration::from_secs(30));
}

fn json_200(stream: &mut TcpStream, pad: usize) {
    let body = format!("{{\"taskArns\":[],\"pad\":\"{}\"}}", "a".repeat(pad));
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-requestid: r\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

fn run_cli(endpoint: &str, extra: &[&str]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let o = bin()
        .args([
            "run",
            "--endpoint",
            endpoint,
            "--no-snapshots",
            "--exact",
            CASE,
        ])
        .args(extra)
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    let text = text(&o);
    assert!(!text.contains("panicked"), "{text}");
    (o.status.code(), text, started.elapsed())
}

#[test]
fn a_body_beyond_the_cap_is_a_target_error_read_no_further() {
    let endpoint = serve(endless);
    let (code, text, _) = run_cli(&endpoint, &["--max-body", "256KiB", "--timeout", "20s"]);
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains(
            "wire.body-too-large: the answer to ListTasks exceeded the 256 KiB cap after"
        ),
        "{text}"
    );
    assert!(text.contains("raise --max-body"), "{text}");
    assert!(!text.contains("did not answer"), "{text}");
}

#[test]
fn a_content_length_beyond_the_cap_is_refused_without_reading() {
    let endpoint = serve(announced_gigabyte);
    let (code, text, took) = run_cli(&endpoint, &["--timeout", "20s"]);
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains("announced 1073741824 bytes (Content-Length), more than the 8 MiB cap"),
        "{text}"
    );
    // Reading would have waited for the held connection until the 20s timeout.
    assert!(took < Duration::from_secs(15), "{took:?}: {text}");
}

#[test]
fn a_bad_size_is_a_usage_error() {
    let (code, text, _) = run_cli("http://127.0.0.1:9", &["--max-body", "lots"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not a size"), "{text}");
}

fn run_library(endpoint: String) -> ecs_conform::run::CaseResult {
    let choice = TargetChoice {
        endpoint,
        timeout: Duration::from_secs(10),
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
        ..TargetChoice::default()
    };
    let paths = Paths::resolve(
        Some(repo().join("cases")),
        Some(repo().join("schemas")),
        Some(repo()),
    );
    let selection = Selection {
        filter: Some(CASE.into()),
        ..Selection::default()
    };
    let mut report = app::run_quiet(&paths, &choice, &selection, 1).unwrap();
    assert_eq!(report.results.len(), 1);
    report.results.remove(0)
}

#[test]
fn a_failing_case_keeps_an_excerpt_of_a_large_body_and_all_of_a_small_one() {
    // 2 MiB: under the 8 MiB cap, so read and judged whole, but not kept whole.
    let result = run_library(serve(|s| json_200(s, 2 << 20)));
    assert_eq!(result.outcome, Outcome::Failed, "{result:?}");
    let kept: Vec<_> = result
        .steps
        .iter()
        .filter_map(|s| s.exchange.as_ref())
        .collect();
    assert_eq!(kept.len(), 1);
    let response = &kept[0].response;
    assert!(
        response.body_text.len() <= STORED_BODY_EXCERPT + 64,
        "{} bytes kept",
        response.body_text.len()
    );
    assert!(response.body_text.ends_with("more bytes not kept)"));
    assert!(response.body.is_none(), "the parsed body is dropped");
    let stored = serde_json::to_string(&result).unwrap().len();
    assert!(stored < 2 * STORED_BODY_EXCERPT, "{stored} bytes stored");

    // A body under the excerpt is kept as it came, parsed.
    let result = run_library(serve(|s| json_200(s, 1000)));
    assert_eq!(result.outcome, Outcome::Failed, "{result:?}");
    let response = &result.steps[0].exchange.as_ref().unwrap().response;
    assert!(response.body.is_some());
    assert!(response.body_text.ends_with("\"}"));
}
