use super::*;
use crate::contract::Contract;
use std::path::{Path, PathBuf};

const OPS: &[&str] = &["RunTask", "ListTasks"];

/// A suite of these case files (file name, text) in a fresh temporary folder.
fn suite(name: &str, cases: &[(&str, &str)]) -> Suite {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("ecs-conform-filters-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in cases {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let suite = Suite::load(&dir, OPS).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    suite
}

fn case(steps: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("name: case {n}\ntags: [list-tasks]\ncites: test\nsteps:\n{steps}")
}

fn check<'c>(checks: &'c [FilterCheck], filter: &str) -> &'c FilterCheck {
    checks.iter().find(|c| c.filter == filter).unwrap()
}

const RUN: &str = "  - call: RunTask\n    with: { cluster: c, taskDefinition: td }\n    save: { t: /tasks/0/taskArn, o: /tasks/0/taskArn }\n";

#[test]
fn an_empty_suite_checks_no_filter() {
    let checks = list_tasks_filters(&suite("empty", &[]));
    assert_eq!(checks.len(), LIST_TASKS_FILTERS.len());
    assert!(checks.iter().all(|c| c.label() == "not checked"));
}

#[test]
fn a_task_listed_under_one_value_and_absent_under_another_checks_that_filter_both_ways() {
    let text = case(&format!(
        "{RUN}  - call: ListTasks\n    with: {{ cluster: c, family: f, desiredStatus: RUNNING }}\n    expect: {{ body: {{ /taskArns: {{ contains: \"${{t}}\" }} }} }}\n  - call: ListTasks\n    with: {{ cluster: c, family: f, desiredStatus: STOPPED }}\n    expect: {{ body: {{ /taskArns: {{ not_contains: \"${{t}}\" }} }} }}\n"
    ));
    let checks = list_tasks_filters(&suite("status", &[("a.yaml", &text)]));
    assert!(check(&checks, "desiredStatus").both_ways());
    // family has the same value in both steps: the absence is not due to it.
    let family = check(&checks, "family");
    assert!(family.matching_listed && !family.non_matching_absent);
    assert_eq!(family.label(), "matching side only");
    assert_eq!(check(&checks, "startedBy").label(), "not checked");
}

#[test]
fn an_until_listing_counts_as_listing_the_task() {
    let text = case(&format!(
        "{RUN}  - call: ListTasks\n    with: {{ cluster: c, launchType: FARGATE }}\n    until: {{ /taskArns: {{ contains: \"${{t}}\" }} }}\n    within: 5s\n  - call: ListTasks\n    with: {{ cluster: c, launchType: EC2 }}\n    expect: {{ body: {{ /taskArns: {{ not_contains: \"${{t}}\" }} }} }}\n"
    ));
    let checks = list_tasks_filters(&suite("until", &[("a.yaml", &text)]));
    assert!(check(&checks, "launchType").both_ways());
}

#[test]
fn an_absent_task_never_listed_counts_only_for_a_lone_filter() {
    // equals [t] lists t; o is absent under the one filter sent: startedBy both ways.
    let lone = case(&format!(
        "{RUN}  - call: ListTasks\n    with: {{ cluster: c, startedBy: me }}\n    expect: {{ body: {{ /taskArns: {{ equals: [\"${{t}}\"], not_contains: \"${{o}}\" }} }} }}\n"
    ));
    // Two filters and no listing of o anywhere: the absence is due to either, so to neither.
    let pair = case(&format!(
        "{RUN}  - call: ListTasks\n    with: {{ cluster: c, family: f, containerInstance: i }}\n    expect: {{ body: {{ /taskArns: {{ not_contains: \"${{o}}\" }} }} }}\n"
    ));
    let checks = list_tasks_filters(&suite("lone", &[("a.yaml", &lone), ("b.yaml", &pair)]));
    assert!(check(&checks, "startedBy").both_ways());
    assert_eq!(check(&checks, "family").label(), "not checked");
    assert_eq!(check(&checks, "containerInstance").label(), "not checked");
}

#[test]
fn a_negative_side_alone_is_not_both_ways() {
    let text = case(&format!(
        "{RUN}  - call: ListTasks\n    with: {{ cluster: c, serviceName: s }}\n    expect: {{ body: {{ /taskArns: {{ not_contains: \"${{t}}\" }} }} }}\n"
    ));
    let checks = list_tasks_filters(&suite("service", &[("a.yaml", &text)]));
    let service = check(&checks, "serviceName");
    assert!(!service.both_ways());
    assert_eq!(service.label(), "non-matching side only");
}

#[test]
fn the_shipped_suite_checks_every_filter_both_ways() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = Contract::load(&repo.join("schemas")).unwrap();
    let shipped = Suite::load(&repo.join("cases"), &contract.operations()).unwrap();
    let checks = list_tasks_filters(&shipped);
    for filter in [
        "family",
        "startedBy",
        "launchType",
        "containerInstance",
        "desiredStatus",
        "serviceName",
    ] {
        assert!(
            check(&checks, filter).both_ways(),
            "{filter}: {:?}",
            check(&checks, filter)
        );
    }
}

#[test]
fn the_coverage_of_the_shipped_suite_shows_the_filters_under_list_tasks_only() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = Contract::load(&repo.join("schemas")).unwrap();
    let shipped = Suite::load(&repo.join("cases"), &contract.operations()).unwrap();
    let coverage =
        crate::coverage::compute(&shipped, &contract, &crate::coverage::Exclusions::default());
    for op in &coverage.operations {
        let expected = if op.operation == "ListTasks" {
            LIST_TASKS_FILTERS.len()
        } else {
            0
        };
        assert_eq!(op.filters.len(), expected, "{}", op.operation);
    }
    let text = crate::coverage::markdown(&coverage);
    assert_eq!(text.matches("- filters checked both ways (").count(), 1);
    assert!(text.contains("`family` both ways, `startedBy` both ways"));
    assert!(text.contains("- filters checked both ways (6/6;"), "{text}");
    assert!(text.contains("`serviceName` both ways"), "{text}");
    assert_eq!(text.matches("- negative classes exercised").count(), 4);
}
