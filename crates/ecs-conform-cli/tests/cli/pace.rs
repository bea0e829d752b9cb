//! How fast a run goes: a target file's `max_within` and `poll_interval` apply to its
//! runs, and the flags win over them (flag > target file > default).

use crate::cli_support::{bin, text};
use std::time::Duration;

/// Against a reference whose tasks take an hour per state, `until` RUNNING never holds:
/// the step fails at the capped deadline, which its message names, and polls at the
/// file's interval (more than one call before a 300 ms cap, where the default 1 s
/// interval would make one).
#[test]
fn a_target_files_max_within_and_poll_interval_apply_and_the_flags_win() {
    let server = ecs_reference::Background::start(ecs_reference::ReferenceOptions {
        pace: Duration::from_secs(3600),
        ..ecs_reference::ReferenceOptions::default()
    })
    .unwrap();
    let dir = std::env::temp_dir().join(format!("ecs-conform-pace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("slow.yaml"),
        format!(
            "name: slow\nendpoint: {}\nmax_within: 300ms\npoll_interval: 10ms\n",
            server.endpoint()
        ),
    )
    .unwrap();
    let run = |flags: &[&str]| {
        let o = bin()
            .args(["run", "--no-snapshots", "--target", "slow", "--targets"])
            .arg(&dir)
            .args(flags)
            .args(["--exact", "lifecycle/tasks-running-waiter"])
            .output()
            .unwrap();
        (o.status.code(), text(&o))
    };
    let (code, out) = run(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("until.timeout"), "{out}");
    assert!(out.contains("did not hold within 300ms after "), "{out}");
    assert!(!out.contains("within 300ms after 1 calls"), "{out}");
    let (code, out) = run(&["--max-within", "200ms", "--poll-interval", "250ms"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("did not hold within 200ms after 1 calls"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
