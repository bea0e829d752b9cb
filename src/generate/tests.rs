//! The generated negative cases: deterministic, every class on every operation, and
//! each one an ordinary case file the loader accepts.

use super::*;
use crate::suite::Suite;

fn shipped() -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    (root.join("schemas"), root.join("cases"))
}

#[test]
fn generation_is_deterministic_with_stable_ids() {
    let (schemas, _) = shipped();
    let a = negative_cases(&schemas).unwrap();
    let b = negative_cases(&schemas).unwrap();
    assert_eq!(a, b);
    let ids: Vec<&str> = a.iter().map(|c| c.id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids repeat: {ids:?}");
    for id in [
        "negative/run-task/count-above-10",
        "negative/run-task/count-below-1",
        "negative/run-task/count-negative",
        "negative/run-task/malformed-json",
        "negative/run-task/body-not-object",
        "negative/run-task/wrong-type-count",
        "negative/run-task/wrong-type-task-definition",
        "negative/run-task/missing-task-definition",
        "negative/run-task/empty-task-definition",
        "negative/run-task/undocumented-launch-type",
        "negative/run-task/tags-over-50",
        "negative/run-task/tag-key-over-128",
        "negative/run-task/tag-value-over-256",
        "negative/run-task/tag-key-aws-prefix",
        "negative/run-task/started-by-over-128",
        "negative/run-task/unknown-cluster",
        "negative/run-task/unknown-task-definition",
        "negative/run-task/unknown-operation",
        "negative/run-task/missing-target",
        "negative/stop-task/empty-task",
        "negative/stop-task/reason-over-255",
        "negative/stop-task/unknown-task",
        "negative/describe-tasks/tasks-over-100",
        "negative/describe-tasks/empty-tasks",
        "negative/describe-tasks/undocumented-include",
        "negative/list-tasks/max-results-above-100",
        "negative/list-tasks/max-results-below-1",
        "negative/list-tasks/undocumented-desired-status",
        "negative/list-tasks/unknown-service",
        "negative/list-tasks/unknown-next-token",
    ] {
        assert!(ids.contains(&id), "{id} is not generated: {ids:?}");
    }
    // Unknown extra members are ignored by AWS: never a negative case.
    assert!(!a.iter().any(|c| c.id.contains("unknown-member")));
}

#[test]
fn every_generated_case_loads_as_an_ordinary_case_with_what_it_expects() {
    let (schemas, cases) = shipped();
    let generated = negative_cases(&schemas).unwrap();
    let contract = crate::contract::Contract::load(&schemas).unwrap();
    let mut suite = Suite::load(&cases, &contract.operations()).unwrap();
    let before = suite.cases.len();
    suite.add_generated(&generated).unwrap();
    assert_eq!(suite.cases.len(), before + generated.len());
    let case = |id: &str| suite.cases.iter().find(|c| c.id == id).unwrap();

    let count = case("negative/run-task/count-above-10");
    assert_eq!(count.tags, ["negative", "run-task"]);
    let refused = &count.steps[0];
    assert_eq!(refused.step.call, "RunTask");
    assert_eq!(refused.step.request["count"], 11);
    assert_eq!(refused.step.request["taskDefinition"], "${taskdef}");
    assert_eq!(refused.expect.status, [400]);
    assert_eq!(
        refused.expect.errors,
        ["InvalidParameterException", "ClientException"]
    );
    // No task started: ListTasks by the case's startedBy finds none.
    assert_eq!(count.steps[1].step.call, "ListTasks");
    assert_eq!(count.steps[1].step.request["startedBy"], "neg-${case_id}");

    let malformed = case("negative/list-tasks/malformed-json");
    assert_eq!(
        malformed.steps[0].step.raw_body.as_deref(),
        Some("{\"cluster\": ")
    );
    assert_eq!(malformed.steps[0].expect.errors, ["SerializationException"]);

    let missing = case("negative/describe-tasks/missing-target");
    assert_eq!(missing.steps[0].step.target.as_deref(), Some(""));
    assert_eq!(
        missing.steps[0].expect.errors,
        ["UnknownOperationException"]
    );

    // StopTask runs its own task first and checks it still runs after the refusal.
    let empty = case("negative/stop-task/empty-task");
    let calls: Vec<&str> = empty.steps.iter().map(|s| s.step.call.as_str()).collect();
    assert_eq!(calls, ["RunTask", "StopTask", "DescribeTasks"]);
    assert_eq!(empty.steps[1].step.request["task"], "");
    assert_eq!(empty.teardown.len(), 1);

    // An unknown cluster is not created.
    let unknown = case("negative/run-task/unknown-cluster");
    let last = unknown.steps.last().unwrap();
    assert_eq!(last.step.call, "ListTasks");
    assert_eq!(last.expect.errors, ["ClusterNotFoundException"]);

    // A written-out file wins over the generated case of the same id.
    let again = suite.cases.len();
    suite.add_generated(&generated).unwrap();
    assert_eq!(suite.cases.len(), again);
}

#[test]
fn written_cases_are_files_the_suite_loads_the_same() {
    let (schemas, _) = shipped();
    let generated = negative_cases(&schemas).unwrap();
    let dir = std::env::temp_dir().join(format!("ecs-conform-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = write(&dir, &generated).unwrap();
    assert_eq!(written.len(), generated.len());
    let text = std::fs::read_to_string(dir.join("negative/run-task/count-above-10.yaml")).unwrap();
    assert!(text.contains("count: 11"), "{text}");
    let contract = crate::contract::Contract::load(&schemas).unwrap();
    let ops = contract.operations();
    let suite = Suite::load(&shipped().1, &ops).unwrap();
    for (case, path) in generated.iter().zip(&written) {
        let source = crate::loader::Source::read(path).unwrap();
        let mut problems = Vec::new();
        let loaded = crate::loader::load_case(
            &source,
            &case.id,
            &ops,
            &suite.vars,
            &suite.fixtures,
            &mut problems,
        );
        assert!(loaded.is_some(), "{}: {problems:?}", case.id);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_contract_without_the_section_generates_nothing_and_bad_data_is_an_error() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-gen-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("operations.json"), "{}").unwrap();
    assert!(negative_cases(&dir).unwrap().is_empty());
    std::fs::write(
        dir.join("operations.json"),
        r#"{"negative_cases": {"RunTask": {"fixtures": "cluster", "request": {}}}}"#,
    )
    .unwrap();
    let err = negative_cases(&dir).unwrap_err().to_string();
    assert!(err.contains("negative_cases.RunTask.fixtures"), "{err}");
    std::fs::write(dir.join("operations.json"), "{").unwrap();
    assert!(matches!(
        negative_cases(&dir),
        Err(GenerateError::Json { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_suite_asks_for_generated_cases_in_its_generate_file() {
    let (schemas, cases) = shipped();
    let contract = crate::contract::Contract::load(&schemas).unwrap();
    let ops = contract.operations();
    assert!(Suite::load(&cases, &ops).unwrap().wants_negative_cases);
    let dir = std::env::temp_dir().join(format!("ecs-conform-gen-file-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(cases.join("fixtures.yaml"), dir.join("fixtures.yaml")).unwrap();
    // No generate.yaml: none asked for.
    let suite = Suite::load(&dir, &ops).unwrap();
    assert!(!suite.wants_negative_cases);
    assert!(suite.cases.is_empty());
    std::fs::write(dir.join("generate.yaml"), "negative: true\n").unwrap();
    let suite = Suite::load(&dir, &ops).unwrap();
    assert!(suite.wants_negative_cases);
    // Not a case itself.
    assert!(suite.cases.is_empty());
    std::fs::write(
        dir.join("generate.yaml"),
        "negative: true\nnegatives: true\n",
    )
    .unwrap();
    let err = Suite::load(&dir, &ops).unwrap_err().to_string();
    assert!(err.contains("generate.yaml:2:1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_lean_suite_keeps_generated_cases_lean_and_plans_them_from_their_text() {
    let (schemas, cases) = shipped();
    let contract = crate::contract::Contract::load(&schemas).unwrap();
    let mut suite = Suite::load_lean(&cases, &contract.operations()).unwrap();
    suite
        .add_generated(&negative_cases(&schemas).unwrap())
        .unwrap();
    let case = suite
        .cases
        .iter()
        .find(|c| c.id == "negative/list-tasks/malformed-json")
        .unwrap();
    assert!(case.lean && case.steps.is_empty());
    // No file holds it: planned from the generated text.
    assert!(!case.file.exists());
    let planned = suite.plan(case).unwrap();
    assert_eq!(
        planned.steps[0].step.raw_body.as_deref(),
        Some("{\"cluster\": ")
    );
}
