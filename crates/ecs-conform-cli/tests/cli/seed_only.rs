//! Seed-only behaviour (the seeds document it, the AWS model does otherwise) is off by
//! default: a plain run does not fail a target that follows AWS, and `--tag seed-only`
//! (or `--include-skipped`) still runs it.

use crate::cli_support;
use cli_support::{bin, repo, text};

/// The verdict printed for `case` ("pass", "skipped", "fail"), if it ran.
fn outcome<'a>(out: &'a str, case: &str) -> Option<&'a str> {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{case} ")))
        .and_then(|rest| rest.trim_start().strip_prefix("... "))
        .map(|o| o.split([' ', ',']).next().unwrap_or(o))
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    let o = bin()
        .args(["run", "--no-snapshots"])
        .args(args)
        .output()
        .unwrap();
    (o.status.code(), text(&o))
}

#[test]
fn the_group_filter_case_is_seed_only() {
    let case = std::fs::read_to_string(repo().join("cases/list-tasks/group-filter.yaml")).unwrap();
    assert!(case.contains("seed-only"), "{case}");
}

#[test]
fn seed_only_cases_are_skipped_by_default_and_run_on_demand() {
    let (code, out) = run(&["list-tasks/"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        outcome(&out, "list-tasks/group-filter"),
        Some("skipped"),
        "{out}"
    );
    assert_eq!(
        outcome(&out, "list-tasks/family-filter"),
        Some("pass"),
        "{out}"
    );

    for args in [
        &["--tag", "seed-only"][..],
        &["--include-skipped", "list-tasks/group-filter"][..],
    ] {
        let (code, out) = run(args);
        assert_eq!(code, Some(0), "{args:?}: {out}");
        assert_eq!(
            outcome(&out, "list-tasks/group-filter"),
            Some("pass"),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn a_skipped_seed_only_case_is_in_the_run_document_with_its_reason() {
    let path =
        std::env::temp_dir().join(format!("ecs-conform-seed-only-{}.json", std::process::id()));
    let (code, out) = run(&["list-tasks/", "--report-json", path.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "list-tasks/group-filter")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(case["verdict"], "skipped", "{case}");
    assert!(
        case["reason"].as_str().unwrap().contains("--tag seed-only"),
        "{case}"
    );
    assert_eq!(doc["totals"]["skipped"], 1, "{doc}");
    // Only the selected cases are reported: a name filter that excludes it leaves it out.
    let (_, out) = run(&["stop-task/by-id", "--report-json", path.to_str().unwrap()]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(doc["cases"].as_array().unwrap().len(), 1, "{out}");
}
