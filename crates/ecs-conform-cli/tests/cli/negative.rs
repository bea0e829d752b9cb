//! The negative cases generated from the contract join every run (listed, filtered by
//! name and tag, run), and `generate --write DIR` writes them as ordinary case files
//! that `lint` accepts and that run the same, without doubling the suite.

use crate::cli_support;
use cli_support::{bin, repo, text};
use std::path::Path;

fn listed(args: &[&str]) -> Vec<String> {
    let o = bin().args(["run", "--list"]).args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn generated_cases_are_listed_and_filtered_by_name_and_tag() {
    let all = listed(&[]);
    assert!(all.contains(&"negative/run-task/count-above-10".to_owned()));
    assert!(all.contains(&"stop-task/by-id".to_owned()));
    let tagged = listed(&["--tag", "negative"]);
    assert!(tagged.len() > 40, "{tagged:?}");
    assert!(tagged.iter().all(|id| id.starts_with("negative/")));
    let by_name = listed(&["negative/stop-task/"]);
    assert!(!by_name.is_empty());
    assert!(by_name
        .iter()
        .all(|id| id.starts_with("negative/stop-task/")));
    let both = listed(&["--tag", "list-tasks", "negative/"]);
    assert!(both.contains(&"negative/list-tasks/unknown-next-token".to_owned()));
}

#[test]
fn generate_writes_case_files_that_lint_accepts_and_run_the_same() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cases = dir.join("cases");
    copy_dir(&repo().join("cases"), &cases);
    let o = bin()
        .args(["generate", "--write"])
        .arg(&cases)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("negative case(s)"), "{}", text(&o));
    let file = cases.join("negative/run-task/count-above-10.yaml");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("count: 11"), "{written}");

    let o = bin()
        .arg("lint")
        .arg("--cases")
        .arg(&cases)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // The files stand in for the generated cases: each id once, none lost.
    let cases_arg = cases.to_string_lossy().into_owned();
    let with_files = listed(&["--cases", &cases_arg]);
    assert_eq!(with_files, {
        let mut shipped = listed(&[]);
        shipped.sort_by_key(|id| with_files.iter().position(|w| w == id));
        shipped
    });

    // The written file runs as generated, and an edited one is what runs.
    let run = || {
        let o = bin()
            .args([
                "run",
                "--no-snapshots",
                "--exact",
                "negative/run-task/count-above-10",
            ])
            .arg("--cases")
            .arg(&cases)
            .output()
            .unwrap();
        (o.status.code(), text(&o))
    };
    let (code, out) = run();
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("negative/run-task/count-above-10 ... pass"),
        "{out}"
    );
    assert!(written.contains("status: 400"), "{written}");
    std::fs::write(&file, written.replace("status: 400", "status: 418")).unwrap();
    let (code, out) = run();
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("expected 418"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// On a target that takes the operation from the path (`/v1/<Operation>`), the cases
/// that route by the X-Amz-Target header alone are skipped with the reason, never
/// failed; with the header routing (the default) they run and pass.
#[test]
fn header_routing_cases_are_skipped_on_a_v1_path_style_target() {
    let run = |style: &str| {
        let o = bin()
            .args([
                "run",
                "--no-snapshots",
                "--path-style",
                style,
                "negative/describe-tasks/",
            ])
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            text(&o),
        )
    };
    let (code, stdout, all) = run("v1");
    assert_eq!(code, Some(0), "{all}");
    for class in ["missing-target", "unknown-operation"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("negative/describe-tasks/{class} ")))
            .unwrap_or_else(|| panic!("no line for {class}: {stdout}"));
        assert!(
            line.contains("skipped, by tag `x-amz-target`") && line.contains("v1"),
            "{line}"
        );
    }
    assert!(
        stdout.contains("negative/describe-tasks/malformed-json ... pass"),
        "{stdout}"
    );
    let (code, stdout, all) = run("root");
    assert_eq!(code, Some(0), "{all}");
    assert!(
        stdout.contains("negative/describe-tasks/missing-target ... pass"),
        "{stdout}"
    );
}
