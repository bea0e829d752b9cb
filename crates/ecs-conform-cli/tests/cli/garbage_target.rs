//! Targets that answer garbage or nothing: a target error (exit 3) with a clear
//! message, never a pass, never a contract failure, never a panic.

use crate::cli_support;
use cli_support::{bin, text};
use std::io::{Read, Write};
use std::net::TcpListener;
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

/// A suite of one fixture-free case (`steps` in YAML) in a fresh directory.
fn one_case(name: &str, steps: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ecs-conform-garbage-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("fixtures.yaml"), "fixtures: {}\n").unwrap();
    std::fs::write(
        dir.join(format!("{name}.yaml")),
        format!("name: {name}\ncites: x\nsteps:\n{steps}"),
    )
    .unwrap();
    dir
}

#[test]
fn an_empty_body_is_an_answer_not_a_target_error() {
    // An empty 200 is `{}` to a client (and an absent list is an empty one); an error
    // named only by its X-Amzn-ErrorType header (Smithy's awsJson1_1 error tests: plain,
    // with a URI suffix, with a namespace) is recognised from the header. Both pass.
    let empty_ok =
        "HTTP/1.1 200 OK\r\nx-amzn-requestid: r\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let list = one_case(
        "empty-list",
        "  - call: ListTasks\n    with: {cluster: c}\n    paginate: true\n    expect: {body: {/taskArns: {length: 0}}}\n",
    );
    let unknown = one_case(
        "header-only-error",
        "  - call: ListTasks\n    with: {cluster: nope}\n    expect: {status: 400, error: ClusterNotFoundException}\n",
    );
    let mut runs = vec![(empty_ok.to_string(), list)];
    for ty in [
        "ClusterNotFoundException",
        "ClusterNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        "aws.protocoltests.json#ClusterNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
    ] {
        runs.push((format!("HTTP/1.1 400 Bad Request\r\nx-amzn-requestid: r\r\nx-amzn-errortype: {ty}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"), unknown.clone()));
    }
    for (answer, cases) in runs {
        let endpoint = serve(Some(Box::leak(answer.into_boxed_str())));
        let o = bin()
            .args([
                "run",
                "--endpoint",
                &endpoint,
                "--timeout",
                "1s",
                "--no-snapshots",
                "--cases",
            ])
            .arg(&cases)
            .output()
            .unwrap();
        let text = text(&o);
        assert_eq!(o.status.code(), Some(0), "{text}");
        assert!(!text.contains("not JSON"), "{text}");
    }
    // An empty error body that names no type anywhere is still not an error a client can map.
    let endpoint = serve(Some(
        "HTTP/1.1 400 Bad Request\r\nx-amzn-requestid: r\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    ));
    let cases = one_case(
        "typeless-error",
        "  - call: ListTasks\n    with: {cluster: nope}\n    expect: {status: 400}\n",
    );
    let o = bin()
        .args([
            "run",
            "--endpoint",
            &endpoint,
            "--timeout",
            "1s",
            "--no-snapshots",
            "--cases",
        ])
        .arg(&cases)
        .output()
        .unwrap();
    let text = text(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("error.type"), "{text}");
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
