//! Fixtures that `checks:` suite variables: the loader attaches them to every case that
//! uses one of those variables (so case files need not name them), and lint refuses a
//! check of a variable the fixtures file does not define.

use ecs_conform::suite::{Suite, SuiteError};
use std::path::PathBuf;

const OPS: &[&str] = &["RunTask", "StopTask", "ListTasks", "CreateCluster"];

const FIXTURES: &str = r#"vars:
  subnet: subnet-12345678
  zone: a
fixtures:
  cluster:
    setup:
      - call: CreateCluster
        with: { clusterName: "c-${run_id}" }
        save: { cluster: /cluster/clusterName }
  network:
    needs: [cluster]
    checks: [subnet]
    setup:
      - call: RunTask
        with: { cluster: "${cluster}", taskDefinition: td, networkConfiguration: { awsvpcConfiguration: { subnets: ["${subnet}"] } } }
"#;

fn suite(name: &str, fixtures: &str, cases: &[(&str, &str)]) -> Result<Suite, SuiteError> {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("ecs-conform-checks-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("fixtures.yaml"), fixtures).unwrap();
    for (file, text) in cases {
        std::fs::write(dir.join(file), text).unwrap();
    }
    Suite::load(&dir, OPS)
}

fn fixtures_of<'s>(suite: &'s Suite, id: &str) -> &'s [String] {
    &suite.cases.iter().find(|c| c.id == id).unwrap().fixtures
}

#[test]
fn a_case_that_uses_a_checked_variable_needs_the_checking_fixture() {
    let in_request = "name: a\ncites: x\nsteps:\n  - call: RunTask\n    with: { taskDefinition: td, networkConfiguration: { awsvpcConfiguration: { subnets: [\"${subnet}\"] } } }\n";
    let in_vars = "name: b\ncites: x\nvars: { net: \"${subnet}\" }\nsteps:\n  - call: ListTasks\n    with: { family: \"${net}\" }\n";
    let in_teardown = "name: c\ncites: x\nfixtures: [cluster]\nsteps:\n  - call: ListTasks\nteardown:\n  - call: ListTasks\n    with: { family: \"${subnet}\" }\n";
    let s = suite(
        "uses",
        FIXTURES,
        &[
            ("a.yaml", in_request),
            ("b.yaml", in_vars),
            ("c.yaml", in_teardown),
        ],
    )
    .unwrap();
    assert_eq!(fixtures_of(&s, "a"), ["network"]);
    assert_eq!(fixtures_of(&s, "b"), ["network"]);
    assert_eq!(fixtures_of(&s, "c"), ["cluster", "network"]);
    let a: Vec<_> = s.cases.iter().filter(|c| c.id == "a").collect();
    let planned: Vec<&str> = s.fixtures_for(&a).iter().map(|f| f.name.as_str()).collect();
    assert_eq!(planned, ["cluster", "network"]);
}

#[test]
fn a_case_that_does_not_use_the_variable_or_defines_its_own_is_left_alone() {
    let other_var =
        "name: a\ncites: x\nsteps:\n  - call: ListTasks\n    with: { family: \"${zone}\" }\n";
    let own = "name: b\ncites: x\nvars: { subnet: subnet-mine }\nsteps:\n  - call: ListTasks\n    with: { family: \"${subnet}\" }\n";
    let named = "name: c\ncites: x\nfixtures: [network]\nsteps:\n  - call: ListTasks\n    with: { family: \"${subnet}\" }\n";
    let s = suite(
        "alone",
        FIXTURES,
        &[("a.yaml", other_var), ("b.yaml", own), ("c.yaml", named)],
    )
    .unwrap();
    assert!(fixtures_of(&s, "a").is_empty());
    assert!(fixtures_of(&s, "b").is_empty());
    assert_eq!(fixtures_of(&s, "c"), ["network"]);
}

#[test]
fn a_check_of_an_undefined_suite_variable_is_a_lint_error_with_its_line() {
    let bad = FIXTURES.replace("checks: [subnet]", "checks: [subnet, security_grup]");
    let err = suite("bad", &bad, &[]).unwrap_err().to_string();
    assert!(
        err.contains("fixtures.yaml:12:")
            && err.contains(
                "fixture `network` checks `security_grup`, which is not a suite variable"
            ),
        "{err}"
    );
}
