//! Deadlines and intervals past what the clock holds (possible through the library,
//! which does not go through the flag and lint checks) never panic: an interval too
//! long to wait means the next poll is past the deadline.

use ecs_conform::app::{self, Paths, Selection, SnapshotOptions, TargetChoice};
use ecs_conform::run::Outcome;
use std::path::Path;
use std::time::Duration;

#[test]
fn an_interval_past_the_clock_times_out_instead_of_panicking() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("ecs-conform-overflow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("fixtures.yaml"), "fixtures: {}\n").unwrap();
    // No cluster exists: ListTasks answers ClusterNotFoundException every time.
    let case = |name: &str, matcher: &str| {
        format!(
            "name: {name}\ncites: x\nsteps:\n  - call: ListTasks\n    with: {{cluster: none}}\n    until: {{/__type: {{{matcher}: true}}}}\n    expect: {{status: 400, error: ClusterNotFoundException}}\n"
        )
    };
    std::fs::write(dir.join("never.yaml"), case("never", "absent")).unwrap();
    std::fs::write(dir.join("at-once.yaml"), case("at once", "present")).unwrap();
    let reference = ecs_reference::Background::start(Default::default()).unwrap();
    let choice = TargetChoice {
        endpoint: reference.endpoint(),
        local: Some("the built-in reference target".into()),
        poll_interval: Some(Duration::MAX),
        max_within: Some(Duration::MAX),
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
        ..TargetChoice::default()
    };
    let paths = Paths::resolve(Some(dir), Some(repo.join("schemas")), None);
    let mut results = app::run_quiet(&paths, &choice, &Selection::default(), 2)
        .unwrap()
        .results;
    results.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(results[0].id, "at-once");
    assert_eq!(results[0].outcome, Outcome::Passed, "{:?}", results[0]);
    assert_eq!(results[1].outcome, Outcome::Failed, "{:?}", results[1]);
    assert!(
        results[1]
            .findings()
            .any(|(_, f)| f.rule == "until.timeout"),
        "{:?}",
        results[1]
    );
}
