//! `lint` never blocks or loops (a FIFO named `*.yaml`, a symbolic-link loop in the
//! cases folder: skipped with a warning), and it checks target files: an entry naming
//! no rule or no case is an error at file:line:column (exit 2), as it is for `run`.

use crate::cli_support;

use cli_support::{bin, repo, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `command`, killing it after `limit` (a hang fails the test instead of blocking it).
fn finish_within(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {limit:?}:\n{}", text(&out));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A scratch copy of the shipped cases (and an empty targets folder next to it).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-conform-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(&repo().join("cases"), &dir.join("cases"));
    std::fs::create_dir_all(dir.join("targets")).unwrap();
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

fn lint(dir: &Path) -> Command {
    let mut command = bin();
    command
        .arg("lint")
        .arg("--cases")
        .arg(dir.join("cases"))
        .arg("--targets")
        .arg(dir.join("targets"));
    command
}

#[cfg(unix)]
#[test]
fn lint_skips_a_fifo_and_a_link_loop_and_finishes() {
    let dir = scratch("lint-special");
    let made = Command::new("mkfifo")
        .arg(dir.join("cases/errors/pipe.yaml"))
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("..", dir.join("cases/errors/loop")).unwrap();
    let o = finish_within(lint(&dir), Duration::from_secs(60));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    // The 86 case files and the 84 generated negative cases (cases/generate.yaml).
    assert!(out.contains("170 cases"), "{out}");
    assert!(
        out.contains("warning: ")
            && out.contains("pipe.yaml: skipped: not a regular file (a FIFO)"),
        "{out}"
    );
    assert!(
        out.contains("errors/loop: skipped:") && out.contains("already listed"),
        "{out}"
    );
    // A run does not block on it either (--list reads every case file).
    let mut run = bin();
    run.arg("run")
        .arg("--cases")
        .arg(dir.join("cases"))
        .arg("--list");
    let o = finish_within(run, Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

const ENTRIES: &str = "name: emu\nknown:\n  - { case: errors/list-tasks-unknown-cluster, rule: expect.error, reason: r }\n  - { case: errors/list-tasks-unknown-cluster, rule: expect.eror, reason: r }\n  - { case: errors/no-such-case, rule: expect.error, reason: r }\n";

#[test]
fn lint_and_run_refuse_entries_naming_no_rule_or_no_case() {
    let dir = scratch("lint-targets");
    let file = dir.join("targets/emu.yaml");
    std::fs::write(&file, ENTRIES).unwrap();
    let o = finish_within(lint(&dir), Duration::from_secs(60));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    let at = |line: usize| format!("{}:{line}:", file.display());
    assert!(
        out.contains(&at(4)) && out.contains("no rule `expect.eror`: did you mean `expect.error`?"),
        "{out}"
    );
    assert!(
        out.contains(&at(5)) && out.contains("no case `errors/no-such-case`"),
        "{out}"
    );
    assert!(!out.contains(&at(3)), "{out}");
    // Each problem: its own first line, then the entry's line with a caret under the value.
    let lines: Vec<&str> = out.lines().collect();
    let head = lines
        .iter()
        .position(|l| l.starts_with(&at(4)))
        .unwrap_or_else(|| panic!("{out}"));
    let column: usize = lines[head][at(4).len()..]
        .split(':')
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    let source = lines[head + 1..]
        .iter()
        .position(|l| l.starts_with("4 |"))
        .map(|i| head + 1 + i)
        .unwrap_or_else(|| panic!("no excerpt after line {head}: {out}"));
    let code = lines[source]
        .find("  - {")
        .unwrap_or_else(|| panic!("{out}"));
    let caret = lines[source + 1];
    assert_eq!(caret.find('^'), Some(code + column - 1), "{out}");
    assert_eq!(caret.matches('^').count(), "expect.eror".len(), "{out}");

    let mut run = bin();
    run.args(["run", "--target", "emu", "--endpoint", "http://127.0.0.1:9"])
        .arg("--cases")
        .arg(dir.join("cases"))
        .arg("--targets")
        .arg(dir.join("targets"));
    let o = finish_within(run, Duration::from_secs(60));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains(&at(4)) && out.contains(&at(5)), "{out}");

    // Fixed, the file lints clean.
    std::fs::write(
        &file,
        ENTRIES.lines().take(3).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let o = finish_within(lint(&dir), Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("1 target file(s)"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_shipped_target_files_lint_clean() {
    let o = finish_within(
        {
            let mut c = bin();
            c.arg("lint");
            c
        },
        Duration::from_secs(60),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("3 target file(s)"), "{out}");
}

/// The other folders the tool reads never block either: a FIFO and a link loop among
/// the schemas, a FIFO where `coverage.yaml` should be, a FIFO at a snapshot's path.
#[cfg(unix)]
#[test]
fn special_files_in_schemas_coverage_and_snapshots_never_block() {
    let dir = scratch("special-elsewhere");
    copy(&repo().join("schemas"), &dir.join("schemas"));
    let fifo = |p: PathBuf| assert!(Command::new("mkfifo").arg(p).status().unwrap().success());
    fifo(dir.join("schemas/shapes/Pipe.json"));
    std::os::unix::fs::symlink("..", dir.join("schemas/shapes/loop")).unwrap();
    let mut command = lint(&dir);
    command.arg("--schemas").arg(dir.join("schemas"));
    let o = finish_within(command, Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    std::fs::remove_file(dir.join("cases/coverage.yaml")).unwrap();
    fifo(dir.join("cases/coverage.yaml"));
    let mut coverage = bin();
    coverage
        .arg("coverage")
        .arg("--cases")
        .arg(dir.join("cases"));
    let o = finish_within(coverage, Duration::from_secs(60));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("not a regular file (a FIFO)"), "{out}");

    // A snapshot path that is a FIFO: the step fails with a reason instead of hanging.
    let snapshots = dir.join("snapshots");
    copy(&repo().join("snapshots"), &snapshots);
    let snap = snapshots.join("run-task__launch-type-fargate__step-1.snap");
    std::fs::remove_file(&snap).unwrap();
    fifo(snap);
    let mut run = bin();
    run.current_dir(&dir)
        .args(["run", "--exact", "run-task/launch-type-fargate"])
        .arg("--cases")
        .arg(repo().join("cases"))
        .arg("--schemas")
        .arg(repo().join("schemas"))
        .env("CI", "true");
    let o = finish_within(run, Duration::from_secs(60));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("not a regular file (a FIFO)"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
