//! The terminal reporters consume the run's events: `--format json` prints one JSON
//! object per event and nothing else on standard output (the summary is one too);
//! `--quiet` prints a character per case; the default prints a line per case with its
//! verdict (pass, fail, known, fixed, skipped, error), with counts that agree with the
//! summary.

use crate::cli_support::{bin, text};
use serde_json::Value;

#[test]
fn format_json_prints_only_json_lines_one_per_event() {
    let o = bin()
        .args(["run", "--no-snapshots", "--format", "json", "stop-task/"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let of = |kind: &str| events.iter().filter(|e| e["event"] == kind).count();
    assert_eq!(events[0]["event"], "started", "{stdout}");
    let to_run = events[0]["to_run"].as_u64().unwrap() as usize;
    assert!(to_run >= 2, "{stdout}");
    assert_eq!(of("case_started"), to_run);
    assert_eq!(of("case_finished"), to_run);
    assert!(of("step_finished") > to_run, "{stdout}");
    assert!(
        of("fixture_set_up") >= 1 && of("fixture_torn_down") >= 1,
        "{stdout}"
    );
    for e in events.iter().filter(|e| e["event"] == "case_finished") {
        assert_eq!(e["verdict"], "pass", "{e}");
    }
    // The last line is the summary, as JSON too.
    let summary = events.last().unwrap();
    assert_eq!(summary["event"], "summary", "{stdout}");
    assert_eq!(summary["totals"]["pass"].as_u64(), Some(to_run as u64));
    assert_eq!(summary["exit_code"], 0, "{summary}");
    assert!(summary["summary"].as_str().unwrap().contains("CONFORMANT"));
}

#[test]
fn format_json_ends_with_a_json_summary_when_nothing_runs() {
    let o = bin()
        .args(["run", "--format", "json", "no-such-case"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let last = lines
        .last()
        .unwrap_or_else(|| panic!("no line: {}", text(&o)));
    assert_eq!(last["event"], "summary", "{stdout}");
    assert_eq!(last["exit_code"], 4, "{stdout}");
}

#[test]
fn quiet_prints_a_character_per_case_and_the_summary() {
    let o = bin()
        .args(["run", "--no-snapshots", "-q", "stop-task/"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(!stdout.contains("stop-task/"), "{stdout}");
    let dots = stdout
        .lines()
        .find(|l| !l.is_empty() && l.chars().all(|c| c == '.'))
        .unwrap_or_else(|| panic!("no line of dots: {stdout}"));
    let passed: usize = stdout
        .split("CONFORMANT — ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary: {stdout}"));
    assert_eq!(dots.len(), passed, "{stdout}");
}

#[test]
fn lines_count_what_the_verdicts_say() {
    // One deviation: some cases fail, the rest pass, the seed-only case is skipped.
    let o = bin()
        .args([
            "run",
            "--no-snapshots",
            "--deviation",
            "missing-failures",
            "describe-tasks/",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let count = |suffix: &str| {
        stdout
            .lines()
            .filter(|l| l.contains("describe-tasks/") && l.ends_with(suffix))
            .count()
    };
    let (pass, fail) = (count(" ... pass"), count(" ... fail"));
    assert!(fail >= 1 && pass >= 1, "{stdout}");
    assert!(
        stdout.contains(&format!("NOT CONFORMANT — {pass} passed, {fail} failed,")),
        "{stdout}"
    );
    // Every failure is listed under `failures:` with its text.
    assert!(
        stdout.contains("---- describe-tasks/unknown-task-missing ----"),
        "{stdout}"
    );
}

/// A case still running after the slow threshold is marked as nextest marks slow
/// tests, `SLOW [>30s] case-id` by default; the threshold is an internal setting, tiny
/// here, so the lifecycle case (which waits for its task to reach RUNNING) is marked
/// before its `… pass` line. `--format json` has it as a `case_slow` event.
#[test]
fn a_case_running_past_the_slow_threshold_is_marked_slow() {
    let case = "lifecycle/run-until-running-then-stop";
    let o = bin()
        .args([
            "run",
            "--no-snapshots",
            "--slow-after",
            "1ms",
            "--exact",
            case,
        ])
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let slow = out
        .find(&format!("SLOW [>1ms] {case}\n"))
        .unwrap_or_else(|| panic!("no SLOW line: {out}"));
    let done = out
        .find(&format!("{case} ... pass"))
        .unwrap_or_else(|| panic!("no pass line: {out}"));
    assert!(slow < done, "{out}");
    assert!(out.contains(&format!("SLOW [>2ms] {case}\n")), "{out}");

    let o = bin()
        .args([
            "run",
            "--no-snapshots",
            "--slow-after",
            "1ms",
            "--format",
            "json",
        ])
        .args(["--exact", case])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let slow: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["event"] == "case_slow")
        .collect();
    assert!(!slow.is_empty(), "{stdout}");
    assert_eq!(slow[0]["case"], case, "{stdout}");
    assert_eq!(slow[0]["running_for_ms"], 1, "{stdout}");
}
