//! The command line as a user meets it: exit codes and messages for good and broken
//! suites and for a target that is not there.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::cli_support;
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
fn each_problem_shows_its_source_line_with_a_caret_under_the_place() {
    let dir = scratch_suite(
        "excerpt",
        &[(
            "semantic.yaml",
            "name: c\ncites: x\nsteps:\n  - call: RunTsk\n    with: {cluster: \"${nope}\"}\n",
        )],
    );
    let o = bin().args(["lint", "--cases"]).arg(&dir).output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    let file = dir.join("semantic.yaml").display().to_string();
    let lines: Vec<&str> = out.lines().collect();
    for (head, source, code, column, width) in [
        (
            format!("{file}:4:11: unknown operation `RunTsk` (did you mean `RunTask`?)"),
            "4 |   - call: RunTsk",
            "  - call",
            11,
            "RunTsk".len(),
        ),
        (
            format!("{file}:5:21: undefined variable `${{nope}}`"),
            "5 |     with: {cluster: \"${nope}\"}",
            "    with",
            21,
            "\"${nope}\"".len(),
        ),
    ] {
        // The first line of each problem stays exactly `file:line:column: message`.
        let at = lines
            .iter()
            .position(|l| l.starts_with(&head))
            .unwrap_or_else(|| panic!("no {head:?} in:\n{out}"));
        let excerpt = lines[at + 1..]
            .iter()
            .position(|l| l.starts_with(source))
            .map(|i| at + 1 + i)
            .unwrap_or_else(|| panic!("no {source:?} after {head:?} in:\n{out}"));
        assert!(excerpt <= at + 3, "{out}");
        let code_at = lines[excerpt].find(code).unwrap();
        let caret = lines[excerpt + 1];
        assert_eq!(caret.find('^'), Some(code_at + column - 1), "{out}");
        assert_eq!(caret.matches('^').count(), width, "{out}");
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

#[test]
fn a_run_that_selects_nothing_exits_4_naming_the_filter() {
    let empty = scratch_suite("empty", &[]);
    std::fs::remove_file(empty.join("fixtures.yaml")).unwrap();
    let one = scratch_suite(
        "one",
        &[(
            "only.yaml",
            "name: one\ncites: x\nsteps:\n  - call: ListTasks\n    with: {maxResults: 1}\n",
        )],
    );
    // The partition of 2 that does not hold `only`.
    let k = if ecs_conform::app::in_partition("only", 1, 2) {
        2
    } else {
        1
    };
    let one = one.to_str().unwrap().to_owned();
    let empty = empty.to_str().unwrap().to_owned();
    let partition = format!("{k}/2");
    let forms: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["--tag", "nonexistent"],
            "no case has tag `nonexistent` (tags in the suite: ".into(),
        ),
        (
            vec!["nosuchfilter"],
            "the name filter `nosuchfilter` matches no case".into(),
        ),
        (
            vec!["--exact", "stop-task"],
            "no case is named exactly `stop-task`".into(),
        ),
        (
            vec!["--skip", "/"],
            "`--skip /` removes every case the other filters selected".into(),
        ),
        (
            vec!["--cases", &empty],
            format!("the cases folder {empty} holds no case files"),
        ),
        (
            vec!["--cases", &one, "--partition", &partition],
            format!("partition {partition} holds none of the 1 cases"),
        ),
        (
            // stop-task/ holds no case skipped by default (seed-only cases are elsewhere).
            vec!["--only-skipped", "stop-task/"],
            "`--only-skipped` runs only cases skipped by tag, and none of the selected cases is"
                .into(),
        ),
        (
            vec!["--tag", "lifecycle", "--skip-tag", "lifecycle"],
            "every selected case is skipped by tag (skipped by tag `lifecycle`".into(),
        ),
        (
            vec!["--tag", "lifecycle", "--skip-tag", "lifecycle"],
            "`--include-skipped` runs them anyway".into(),
        ),
    ];
    for (args, sentence) in forms {
        let o = bin()
            .arg("run")
            .args(&args)
            .arg("--no-snapshots")
            .output()
            .unwrap();
        let out = text(&o);
        assert_eq!(o.status.code(), Some(4), "{args:?}: {out}");
        assert!(out.contains("no cases to run"), "{args:?}: {out}");
        assert!(
            out.contains(&sentence),
            "{args:?}: missing {sentence:?} in {out}"
        );
        assert!(!out.contains("CONFORMANT"), "{args:?}: {out}");
    }
    let help = bin().args(["run", "--help"]).output().unwrap();
    assert!(text(&help).contains("4 no cases to run"), "{}", text(&help));
    // Listing is not running: an empty list is not an error.
    let o = bin()
        .args(["run", "--list", "nosuchfilter"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn zero_overflowing_and_absurd_durations_are_lint_errors_with_file_line_and_column() {
    let poll = |every: &str, within: &str| {
        format!(
            "name: p\ncites: x\nsteps:\n  - call: ListTasks\n    until: {{/taskArns: {{length: 0}}}}\n    every: {every}\n    within: {within}\n"
        )
    };
    for (name, every, within, column, why) in [
        (
            "huge",
            "1s",
            "9600000000000000000s",
            "7:13",
            "more than a day",
        ),
        ("day", "1s", "1441m", "7:13", "more than a day"),
        ("zero-every", "0s", "10s", "6:12", "is zero"),
        ("zero-within", "1s", "0ms", "7:13", "is zero"),
        ("garbage", "1e30s", "10s", "6:12", "not a duration"),
    ] {
        let dir = scratch_suite(&format!("dur-{name}"), &[("p.yaml", &poll(every, within))]);
        for command in ["lint", "run"] {
            let args: &[&str] = if command == "lint" {
                &["lint", "--cases"]
            } else {
                &["run", "--no-snapshots", "--cases"]
            };
            let o = bin().args(args).arg(&dir).output().unwrap();
            let out = text(&o);
            assert_eq!(o.status.code(), Some(2), "{name} {command}: {out}");
            assert!(
                out.contains(&format!("p.yaml:{column}: ")),
                "{name} {command}: {out}"
            );
            assert!(out.contains(why), "{name} {command}: {out}");
            assert!(!out.contains("panicked"), "{name} {command}: {out}");
        }
    }
}

#[test]
fn zero_overflowing_and_absurd_duration_flags_exit_2() {
    for (flag, value, why) in [
        ("--poll-interval", "9600000000000000000s", "more than a day"),
        ("--poll-interval", "0ms", "is zero"),
        ("--timeout", "0s", "is zero"),
        ("--timeout", "1e30s", "not a duration"),
        ("--max-within", "1441m", "more than a day"),
        ("--max-within", "0s", "is zero"),
    ] {
        let o = bin().args(["run", flag, value]).output().unwrap();
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {out}");
        assert!(
            out.contains(flag) && out.contains(why),
            "{flag} {value}: {out}"
        );
        assert!(!out.contains("panicked"), "{flag} {value}: {out}");
    }
}

#[test]
fn a_target_file_without_an_endpoint_needs_one() {
    let o = bin()
        .args(["run", "--target", "moto", "--no-snapshots"])
        .env_remove("AWS_ENDPOINT_URL_ECS")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("target `moto`")
            && out.contains("names no endpoint")
            && out.contains("--endpoint"),
        "{out}"
    );
    assert!(
        !out.contains("CONFORMANT") && !out.contains("known"),
        "{out}"
    );
    // `kind: reference` means the built-in reference target.
    let o = bin()
        .args([
            "run",
            "--target",
            "reference",
            "--no-snapshots",
            "stop-task/stop-twice",
        ])
        .env_remove("AWS_ENDPOINT_URL_ECS")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// A target file's `max_jobs` lowers a higher `--jobs` (a target that is not safe under
/// concurrent calls) and says so; `max_jobs: 0` is refused with its place in the file.
#[test]
fn a_target_files_max_jobs_caps_the_cases_in_flight() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-max-jobs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("serial.yaml"),
        "name: serial\nkind: reference\nmax_jobs: 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("zero.yaml"),
        "name: zero\nkind: reference\nmax_jobs: 0\n",
    )
    .unwrap();
    let run = |target: &str| {
        bin()
            .args([
                "run",
                "--no-snapshots",
                "--jobs",
                "8",
                "--target",
                target,
                "--targets",
            ])
            .arg(&dir)
            .arg("stop-task/stop-twice")
            .output()
            .unwrap()
    };
    let o = run("serial");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("serial runs at most 1 case(s) at a time")
            && out.contains("--jobs 8 lowered to 1"),
        "{out}"
    );
    let o = run("zero");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("zero.yaml:3:"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
