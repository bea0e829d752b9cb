//! Ctrl-C, SIGTERM or SIGHUP during a run (what a terminal and CI systems send on
//! cancel): the current steps finish, fixtures are torn down (the run's cluster is gone
//! from the target afterwards), the reports say the run was interrupted without
//! claiming a verdict for cases cut short, and the run exits 130.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::cli_support;
use cli_support::{bin, text};

/// A slow reference target in its own process, so tasks are mid-lifecycle when we
/// interrupt; and its endpoint.
fn slow_server() -> (Child, String) {
    let mut server = bin()
        .args(["serve", "--port", "0", "--pace", "3s"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{line}");
    (server, endpoint)
}

/// What an interrupted run left: its output, the run document, the run id.
struct Interrupted {
    out: Output,
    doc: Value,
    run_id: String,
    reports: PathBuf,
}

/// Runs the lifecycle cases against `endpoint` and sends `signal` while they poll.
fn interrupt_run(endpoint: &str, signal: &str) -> Interrupted {
    let run_id = format!("int{}{}", signal.to_lowercase(), std::process::id());
    let reports = std::env::temp_dir().join(format!("ecs-conform-interrupt-{run_id}"));
    let _ = std::fs::remove_dir_all(&reports);
    std::fs::create_dir_all(&reports).unwrap();
    let mut run = bin()
        .args([
            "run",
            "--endpoint",
            endpoint,
            "--tag",
            "lifecycle",
            "--no-snapshots",
            "--jobs",
            "4",
        ])
        .arg("--report-json")
        .arg(reports.join("run.json"))
        .arg("--junit")
        .arg(reports.join("run.xml"))
        .arg("--report-md")
        .arg(reports.join("run.md"))
        .env("ECS_CONFORM_RUN_ID", &run_id)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read standard output aside, noting when the cases start (fixtures are set up).
    let stdout = run.stdout.take().unwrap();
    let (running, cases_started) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("running ") {
                let _ = running.send(());
            }
            all.extend_from_slice(line.as_bytes());
            all.push(b'\n');
        }
        all
    });
    cases_started
        .recv_timeout(Duration::from_secs(60))
        .expect("the cases start");
    // Tasks take 3s per state: the cases are polling now.
    std::thread::sleep(Duration::from_millis(1000));
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &run.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let mut out = run.wait_with_output().unwrap();
    out.stdout = reader.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(60));
    let doc = std::fs::read_to_string(reports.join("run.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    Interrupted {
        out,
        doc,
        run_id,
        reports,
    }
}

/// Whether the run's cluster is gone from the target (the fixture teardown ran).
fn cluster_is_gone(endpoint: &str, run_id: &str) -> Result<(), String> {
    let probe = std::env::temp_dir().join(format!("ecs-conform-probe-{run_id}"));
    std::fs::create_dir_all(&probe).unwrap();
    std::fs::write(probe.join("fixtures.yaml"), "fixtures: {}\n").unwrap();
    std::fs::write(
        probe.join("gone.yaml"),
        format!(
            "name: the interrupted run's cluster is gone\ncites: x\nsteps:\n  - call: ListTasks\n    with: {{cluster: ecs-conform-{run_id}}}\n    expect: {{status: 400, error: ClusterNotFoundException}}\n"
        ),
    )
    .unwrap();
    let check = bin()
        .args(["run", "--endpoint", endpoint, "--no-snapshots", "--cases"])
        .arg(&probe)
        .output()
        .unwrap();
    match check.status.code() {
        Some(0) => Ok(()),
        _ => Err(text(&check)),
    }
}

/// What every interrupted run owes: exit 130, the INTERRUPTED headline, reports that
/// say so, no verdict claimed and no failure made up for cases cut short.
fn assert_reported_as_interrupted(run: &Interrupted) {
    let out = text(&run.out);
    assert_eq!(run.out.status.code(), Some(130), "{out}");
    assert!(out.contains("ecs-conform: INTERRUPTED"), "{out}");
    assert!(!out.contains("TARGET ERRORS"), "{out}");
    assert!(!out.contains("until.timeout"), "{out}");
    assert_eq!(run.doc["interrupted"], true, "{}", run.doc);
    let cases = run.doc["cases"]
        .as_array()
        .expect("cases in the run document");
    assert!(!cases.is_empty());
    for c in cases {
        // Cases cut short (all of them: tasks need 3s per state) claim no verdict.
        assert_eq!(c["verdict"], "interrupted", "{c}");
        let rules: Vec<&str> = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["rule"].as_str())
            .collect();
        assert!(!rules.contains(&"until.timeout"), "{c}");
    }
    let junit = std::fs::read_to_string(run.reports.join("run.xml")).unwrap();
    assert!(
        junit.contains(r#"<property name="interrupted" value="true"/>"#),
        "{junit}"
    );
    assert!(!junit.contains("<failure"), "{junit}");
    let md = std::fs::read_to_string(run.reports.join("run.md")).unwrap();
    assert!(md.contains("| interrupted | true |"), "{md}");
}

#[test]
fn an_interrupted_run_tears_down_reports_interrupted_and_exits_130() {
    let (mut server, endpoint) = slow_server();
    let run = interrupt_run(&endpoint, "INT");
    let gone = cluster_is_gone(&endpoint, &run.run_id);
    let _ = server.kill();
    let _ = server.wait();
    assert_reported_as_interrupted(&run);
    assert!(
        text(&run.out).contains("interrupted (Ctrl-C)"),
        "{}",
        text(&run.out)
    );
    gone.unwrap();
}

#[test]
fn sigterm_and_sighup_interrupt_like_ctrl_c_and_tear_down() {
    let (mut server, endpoint) = slow_server();
    let runs: Vec<(&str, Interrupted)> = ["TERM", "HUP"]
        .into_iter()
        .map(|s| (s, interrupt_run(&endpoint, s)))
        .collect();
    let gone: Vec<Result<(), String>> = runs
        .iter()
        .map(|(_, r)| cluster_is_gone(&endpoint, &r.run_id))
        .collect();
    let _ = server.kill();
    let _ = server.wait();
    for ((signal, run), gone) in runs.iter().zip(gone) {
        assert_reported_as_interrupted(run);
        let said = format!("interrupted (SIG{signal})");
        assert!(text(&run.out).contains(&said), "{}", text(&run.out));
        gone.unwrap_or_else(|e| panic!("SIG{signal}: the run's cluster is still there: {e}"));
    }
}

#[test]
fn a_second_signal_quits_at_once() {
    // A target that accepts calls and never answers: the first signal waits for the
    // call in flight (up to --timeout), the second quits at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let (called, first_call) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
            let _ = called.send(());
        }
    });
    let mut run = bin()
        .args([
            "run",
            "--endpoint",
            &endpoint,
            "--timeout",
            "60s",
            "--no-snapshots",
        ])
        .arg("stop-task/stop-twice")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The run is calling (its fixture setup): the signals are being watched.
    first_call
        .recv_timeout(Duration::from_secs(30))
        .expect("the run calls the target");
    std::thread::sleep(Duration::from_millis(200));
    let pid = run.id().to_string();
    let signal = |s: &str| {
        assert!(Command::new("kill")
            .args([s, &pid])
            .status()
            .unwrap()
            .success())
    };
    signal("-TERM");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        run.try_wait().unwrap().is_none(),
        "the first signal lets the call in flight finish"
    );
    signal("-HUP");
    let started = Instant::now();
    let out = run.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// `serve` stops cleanly (exit 0) on SIGTERM and SIGHUP as on Ctrl-C: the signals are
/// handled in one place, the CLI's, for runs and for the server alike.
#[test]
fn serve_stops_cleanly_on_sigterm_and_sighup() {
    for signal in ["-TERM", "-HUP", "-INT"] {
        let (mut server, _) = slow_server();
        assert!(Command::new("kill")
            .args([signal, &server.id().to_string()])
            .status()
            .unwrap()
            .success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = server.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = server.kill();
                panic!("serve did not stop on {signal}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(0), "{signal}: {status:?}");
    }
}
