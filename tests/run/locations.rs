//! Problems in the shipped fixtures file and in case files are placed at the node they
//! are about (the parser's spans), not at the first text that looks like it: the three
//! wrong locations of issue 13 (a comment for `subnet`, another fixture's lines for
//! `fargate_cluster`'s steps, the end of the file for a missing `cites`).

use ecs_conform::suite::{Problem, Suite, SuiteError};
use std::path::{Path, PathBuf};

const OPS: &[&str] = &[
    "CreateCluster",
    "DeleteCluster",
    "RegisterTaskDefinition",
    "DeregisterTaskDefinition",
    "CreateService",
    "DeleteService",
    "RunTask",
    "StopTask",
    "ListTasks",
];

fn shipped_fixtures() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/fixtures.yaml"))
        .unwrap()
}

fn scratch(name: &str, fixtures: &str, cases: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-conform-loc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("fixtures.yaml"), fixtures).unwrap();
    for (file, text) in cases {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn problems(dir: &Path) -> Vec<Problem> {
    match Suite::load(dir, OPS) {
        Err(SuiteError::Problems(p)) => p,
        other => panic!("expected problems, got {:?}", other.map(|s| s.cases.len())),
    }
}

/// 1-based line and column of the first `needle` at or after 1-based line `from`.
fn place(text: &str, from: usize, needle: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .skip(from - 1)
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, l[..c].chars().count() + 1)))
        .unwrap_or_else(|| panic!("no {needle:?} after line {from}"))
}

fn one<'p>(problems: &'p [Problem], start: &str) -> &'p Problem {
    let found: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.message.starts_with(start))
        .collect();
    assert_eq!(found.len(), 1, "{start:?} in {problems:#?}");
    found[0]
}

#[test]
fn a_problem_with_the_subnet_variable_points_at_the_subnet_entry_not_a_comment() {
    let text = shipped_fixtures();
    let comment = place(&text, 1, "subnet");
    assert!(text.lines().nth(comment.0 - 1).unwrap().starts_with('#'));
    // About the variable itself: at its entry in `vars:`.
    let templated = text.replace(
        "  subnet: subnet-12345678",
        "  subnet: \"subnet-${run_id}\"",
    );
    let p = problems(&scratch("subnet-var", &templated, &[]));
    let p = one(&p, "suite variable `subnet` must be a plain value");
    let entry = place(&templated, 1, "  subnet: ");
    assert_eq!((p.line, p.column), (entry.0, entry.1 + 2), "{p}");
    assert_ne!(p.line, comment.0);
    // About a use of it: at the `subnet` of `checks: [subnet, …]`.
    let renamed = text.replace("  subnet: subnet-12345678", "  subnet_id: subnet-12345678");
    let p = problems(&scratch("subnet-check", &renamed, &[]));
    let p = one(
        &p,
        "fixture `network` checks `subnet`, which is not a suite variable",
    );
    let checks = place(&renamed, 1, "checks: [subnet");
    assert_eq!(
        (p.line, p.column),
        (checks.0, checks.1 + "checks: [".len()),
        "{p}"
    );
}

#[test]
fn each_fixture_step_gets_the_line_of_its_own_call() {
    let text = shipped_fixtures();
    let dir = scratch("fixture-lines", &text, &[]);
    let suite = Suite::load(&dir, OPS).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let header = |name: &str| {
        lines
            .iter()
            .position(|l| *l == format!("  {name}:"))
            .unwrap()
    };
    for fixture in &suite.fixtures {
        // The `call:` lines of this fixture's own block, in file order.
        let start = header(&fixture.name);
        let end = (start + 1..lines.len())
            .find(|&i| lines[i].starts_with("  ") && !lines[i].starts_with("   "))
            .unwrap_or(lines.len());
        let own: Vec<usize> = (start..end)
            .filter(|&i| lines[i].trim_start().starts_with("- call:"))
            .map(|i| i + 1)
            .collect();
        let planned: Vec<usize> = fixture
            .setup
            .iter()
            .chain(&fixture.teardown)
            .map(|s| s.line)
            .collect();
        assert_eq!(planned, own, "fixture `{}`", fixture.name);
    }
    let fargate = suite
        .fixtures
        .iter()
        .find(|f| f.name == "fargate_cluster")
        .unwrap();
    let create = place(
        &text,
        header("fargate_cluster") + 1,
        "- call: CreateCluster",
    );
    assert_eq!(fargate.setup[0].line, create.0);
}

#[test]
fn a_missing_cites_is_at_the_cases_mapping_not_the_end_of_the_file() {
    let fixtures = shipped_fixtures();
    let no_cites = "name: no cites\nsteps:\n  - call: ListTasks\n    with: {}\n\n# end\n";
    let commented =
        "# A case without cites.\n\nname: no cites either\nsteps:\n  - call: ListTasks\n";
    let dir = scratch(
        "cites",
        &fixtures,
        &[("a.yaml", no_cites), ("b.yaml", commented)],
    );
    let p = problems(&dir);
    let at = |file: &str| {
        let found: Vec<&Problem> = p.iter().filter(|p| p.file.ends_with(file)).collect();
        assert_eq!(found.len(), 1, "{p:#?}");
        assert!(found[0].message.contains("missing field `cites`"), "{p:#?}");
        (found[0].line, found[0].column)
    };
    assert_eq!(at("a.yaml"), (1, 1));
    assert_eq!(at("b.yaml"), (3, 1));
}

#[test]
fn a_case_name_used_twice_is_at_the_second_files_name() {
    let fixtures = shipped_fixtures();
    let first = "name: same\ncites: x\nsteps:\n  - call: ListTasks\n";
    let second = "# The same name again.\ncites: x\nname: same\nsteps:\n  - call: ListTasks\n";
    let dir = scratch("names", &fixtures, &[("a.yaml", first), ("b.yaml", second)]);
    let p = problems(&dir);
    let p = one(&p, "the case name `same` is also used by");
    assert!(p.file.ends_with("b.yaml"), "{p}");
    assert_eq!((p.line, p.column), (3, 7), "{p}");
}
