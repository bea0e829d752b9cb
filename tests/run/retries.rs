//! Throttled calls (429, 503, ThrottlingException) are retried with backoff, a bounded
//! number of times; other errors are never retried.

use ecs_conform::client::{Target, TargetConfig};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// An HTTP/1.1 answer with a JSON body.
fn answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Answers the first `throttled` requests with `first`, the rest with a JSON 200.
fn serve(first: String, throttled: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 65536];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = stream.read(&mut buf);
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let answer = if n < throttled {
                first.clone()
            } else {
                answer("200 OK", "{}")
            };
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (endpoint, count)
}

fn call(endpoint: &str) -> u16 {
    let mut config = TargetConfig::new(endpoint, "us-east-1");
    config.backoff = Duration::from_millis(5);
    let target = Target::new(config).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(target.call("ListTasks", json!({})))
        .unwrap()
        .response
        .status
}

fn too_many() -> String {
    answer("429 Too Many Requests", "")
}

fn throttled() -> String {
    answer(
        "400 Bad Request",
        r#"{"__type":"ThrottlingException","message":"slow down"}"#,
    )
}

fn server_error() -> String {
    answer(
        "500 Internal Server Error",
        r#"{"__type":"ServerException","message":"it broke"}"#,
    )
}

#[test]
fn throttled_answers_are_retried_until_success() {
    let (endpoint, count) = serve(too_many(), 2);
    assert_eq!(call(&endpoint), 200);
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let (endpoint, count) = serve(throttled(), 1);
    assert_eq!(call(&endpoint), 200);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn retries_are_bounded_and_other_errors_are_not_retried() {
    let (endpoint, count) = serve(too_many(), 100);
    assert_eq!(
        call(&endpoint),
        429,
        "the last throttled answer is reported"
    );
    assert_eq!(count.load(Ordering::SeqCst), 5, "one call and four retries");
    let (endpoint, count) = serve(server_error(), 100);
    assert_eq!(call(&endpoint), 500);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
