//! Ctrl-C during a run: the current steps finish, fixtures are torn down (the run's
//! cluster is gone from the target afterwards) and the run exits 130.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod cli_support;
use cli_support::{bin, text};

#[test]
fn an_interrupted_run_tears_down_and_exits_130() {
    // A slow reference target in its own process, so tasks are mid-lifecycle when we interrupt.
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

    let run_id = format!("int{}", std::process::id());
    let run = bin()
        .args([
            "run",
            "--endpoint",
            &endpoint,
            "--tag",
            "lifecycle",
            "--no-snapshots",
            "--jobs",
            "4",
        ])
        .env("ECS_CONFORM_RUN_ID", &run_id)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until cases are polling (the fixtures are set up within a second).
    std::thread::sleep(Duration::from_millis(2500));
    let killed = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let out = run.wait_with_output().unwrap();
    let text = text(&out);
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(text.contains("interrupted"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(60));

    // The run's cluster was deleted by the fixture teardown.
    let probe = std::env::temp_dir().join(format!("ecs-conform-interrupt-{}", std::process::id()));
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
        .args(["run", "--endpoint", &endpoint, "--no-snapshots", "--cases"])
        .arg(&probe)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
