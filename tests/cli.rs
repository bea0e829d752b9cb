//! The command line as a user meets it: exit codes and messages for good and broken
//! suites and for a target that is not there.

use std::path::PathBuf;
use std::time::{Duration, Instant};

mod cli_support;
use cli_support::{bin, repo, text};

/// A scratch suite holding the shipped fixtures plus the given files.
fn scratch_suite(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-conform-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        repo().join("cases/fixtures.yaml"),
        dir.join("fixtures.yaml"),
    )
    .unwrap();
    for (file, body) in files {
        std::fs::write(dir.join(file), body).unwrap();
    }
    dir
}

#[test]
fn the_shipped_suite_lints_clean() {
    let o = bin().arg("lint").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("well-formed"));
}

#[test]
fn a_broken_case_file_exits_2_with_file_line_and_column() {
    let dir = scratch_suite(
        "broken",
        &[
            (
                "syntax.yaml",
                "name: a\ncites: x\nsteps:\n  - call: RunTask\n    with: {cluster: [1, 2}\n",
            ),
            (
                "unknown-key.yaml",
                "name: b\ncites: x\nsteps:\n  - call: RunTask\n    expect: {bodyy: {}}\n",
            ),
            (
                "semantic.yaml",
                "name: c\ncites: x\nsteps:\n  - call: RunTsk\n    with: {cluster: \"${nope}\"}\n",
            ),
            (
                "broken.json",
                "{\"name\": \"d\", \"cites\": \"x\", \"steps\": [],}",
            ),
        ],
    );
    for command in ["lint", "run"] {
        let o = bin().args([command, "--cases"]).arg(&dir).output().unwrap();
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {out}");
        assert!(!out.contains("panicked"), "{out}");
        for expected in [
            "syntax.yaml:5:",
            "unknown-key.yaml:5:",
            "unknown field `bodyy`",
            "semantic.yaml:4:11: unknown operation `RunTsk` (did you mean `RunTask`?)",
            "semantic.yaml:5:",
            "undefined variable `${nope}`",
            "broken.json:1:",
        ] {
            assert!(
                out.contains(expected),
                "{command}: missing {expected:?} in:\n{out}"
            );
        }
    }
}

#[test]
fn a_closed_port_exits_3_quickly_without_panicking() {
    // Bind then drop a listener so the port is known to be closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let o = bin()
        .args(["run", "--endpoint", &format!("http://127.0.0.1:{port}")])
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(out.contains("target unreachable"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn bad_flags_exit_2() {
    let o = bin().args(["run", "--timeout", "soon"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = bin()
        .args(["run", "--endpoint", "not a url"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("not a usable endpoint URL"),
        "{}",
        text(&o)
    );
}

#[test]
fn coverage_meets_the_goal_on_the_shipped_suite_and_names_gaps_elsewhere() {
    let o = bin().arg("coverage").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Goal met"), "{}", text(&o));
    let dir = scratch_suite(
        "coverage",
        &[(
            "one.yaml",
            "name: one\ncites: x\nsteps:\n  - call: ListTasks\n    with: {maxResults: 1}\n",
        )],
    );
    let o = bin()
        .args(["coverage", "--cases"])
        .arg(&dir)
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("RunTask.taskDefinition is never sent"),
        "{out}"
    );
    assert!(
        out.contains("ListTasks.ServiceNotFoundException is never expected"),
        "{out}"
    );
    assert!(!out.contains("ListTasks.maxResults is never sent"), "{out}");
}
