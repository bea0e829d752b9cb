//! `--deny drift` and a target file's `deny: [drift]`: a case whose only finding is
//! drift passes by default and fails when drift is denied (the summary says why);
//! a known entry naming the drift's rule and location covers it.

use crate::cli_support;

use cli_support::{bin, repo, text};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Answers every call with a legal, empty ListTasks page plus one member the
/// documents do not know.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let body = r#"{"taskArns":[],"brandNewMember":true}"#;
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-requestid: 1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    format!("http://{addr}")
}

fn scratch(name: &str, target_file: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-conform-deny-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cases/list")).unwrap();
    std::fs::create_dir_all(dir.join("targets")).unwrap();
    std::fs::write(
        dir.join("cases/list/plain.yaml"),
        "name: ListTasks answers\ncites: test\nsteps:\n  - call: ListTasks\n    with: {}\n",
    )
    .unwrap();
    std::fs::write(dir.join("targets/emu.yaml"), target_file).unwrap();
    dir
}

fn run(dir: &Path, endpoint: &str, extra: &[&str]) -> (Option<i32>, String) {
    let o = bin()
        .arg("run")
        .arg("--cases")
        .arg(dir.join("cases"))
        .arg("--schemas")
        .arg(repo().join("schemas"))
        .arg("--targets")
        .arg(dir.join("targets"))
        .args(["--endpoint", endpoint, "--no-snapshots", "--timeout", "5s"])
        .args(extra)
        .output()
        .unwrap();
    let out = text(&o);
    assert!(!out.contains("panicked"), "{out}");
    (o.status.code(), out)
}

#[test]
fn drift_fails_a_case_only_when_denied() {
    let endpoint = serve();
    let dir = scratch("flag", "name: emu\n");
    let (code, out) = run(&dir, &endpoint, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("CONFORMANT — 1 passed"), "{out}");
    assert!(out.contains("1 drift"), "{out}");

    let (code, out) = run(&dir, &endpoint, &["--deny", "drift"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("NOT CONFORMANT"), "{out}");
    assert!(
        out.contains("FAIL  list/plain: step 1 ListTasks: [drift] schema.drift.field")
            && out.contains("(denied by --deny drift"),
        "{out}"
    );
    // Denying warnings does not deny drift.
    let (code, out) = run(&dir, &endpoint, &["--deny", "warn"]);
    assert_eq!(code, Some(0), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_target_file_denies_drift_and_lists_it_precisely() {
    let endpoint = serve();
    let dir = scratch("file", "name: emu\ndeny: [drift]\n");
    let (code, out) = run(&dir, &endpoint, &["--target", "emu"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("FAIL  list/plain"), "{out}");

    let dir = scratch(
        "listed",
        "name: emu\ndeny: [drift]\nknown:\n  - { case: list/plain, rule: schema.drift.field, pointer: /brandNewMember, reason: a new member }\n",
    );
    let (code, out) = run(&dir, &endpoint, &["--target", "emu"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("1 known"), "{out}");

    // An entry at another location does not cover it.
    let dir = scratch(
        "elsewhere",
        "name: emu\ndeny: [drift]\nknown:\n  - { case: list/plain, rule: schema.drift.field, pointer: /otherMember, reason: another member }\n",
    );
    let (code, out) = run(&dir, &endpoint, &["--target", "emu"]);
    assert_eq!(code, Some(1), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
