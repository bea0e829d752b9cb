//! Targets that answer garbage or nothing: a target error (exit 3) with a clear
//! message, never a pass, never a contract failure, never a panic.

use std::io::{Read, Write};
use std::net::TcpListener;
mod cli_support;
use cli_support::{bin, text};
use std::time::{Duration, Instant};

/// Serves every connection with `answer` (None: read the request, then stay silent).
fn serve(answer: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 65536];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = stream.read(&mut buf);
            match answer {
                Some(a) => {
                    let _ = stream.write_all(a.as_bytes());
                }
                None => held.push(stream),
            }
        }
    });
    format!("http://{addr}")
}

fn run(endpoint: &str) -> (Option<i32>, String) {
    let o = bin()
        .args([
            "run",
            "--endpoint",
            endpoint,
            "--timeout",
            "1s",
            "--no-snapshots",
            "--tag",
            "stop-task",
        ])
        .output()
        .unwrap();
    let text = text(&o);
    assert!(!text.contains("panicked"), "{text}");
    (o.status.code(), text)
}

#[test]
fn a_target_answering_html_is_a_target_error() {
    let endpoint = serve(Some(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 13\r\nconnection: close\r\n\r\n<html>hi</html",
    ));
    let (code, text) = run(&endpoint);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("not JSON"), "{text}");
    assert!(!text.contains("CONFORMANT —"), "{text}");
}

#[test]
fn a_target_that_never_answers_times_out_as_unreachable() {
    let endpoint = serve(None);
    let started = Instant::now();
    let (code, text) = run(&endpoint);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("did not answer"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(30));
}
