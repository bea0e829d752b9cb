//! The runner on small scratch suites against the built-in reference target: teardown
//! after a failure, polling until a condition holds or a deadline passes, paginated
//! walks, regex captures, steps skipped for want of a saved variable, and the tasks
//! the run started stopped at its end as the contract's operation table says.

use ecs_conform::app::{self, Paths, Selection, SnapshotOptions, TargetChoice};
use ecs_conform::client::{Target, TargetConfig};
use ecs_conform::run::{CaseResult, Outcome, Phase};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const RUN: &str = r#"
  - call: RunTask
    with:
      cluster: "${cluster}"
      taskDefinition: "${taskdef}"
      launchType: FARGATE
      count: 3
      startedBy: "runner-${case_id}"
      networkConfiguration: { awsvpcConfiguration: { subnets: ["${subnet}"], securityGroups: ["${security_group}"] } }
    save:
      task: /tasks/0/taskArn
      task_id: { pointer: /tasks/0/taskArn, capture: "/([0-9a-f]+)$" }
"#;

fn run_suite(name: &str, cases: &[(&str, String)]) -> Vec<CaseResult> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = ecs_reference::Background::start(Default::default()).unwrap();
    run_suite_on(name, cases, &repo.join("schemas"), &reference.endpoint())
}

/// Runs scratch cases with the contract in `schemas` against the target at `endpoint`.
fn run_suite_on(
    name: &str,
    cases: &[(&str, String)],
    schemas: &Path,
    endpoint: &str,
) -> Vec<CaseResult> {
    run_suite_keeping(name, cases, schemas, endpoint, true)
}

/// As `run_suite_on`; `keep_exchanges` false keeps only failing steps' exchanges, as a
/// run without `--report-html` does.
fn run_suite_keeping(
    name: &str,
    cases: &[(&str, String)],
    schemas: &Path,
    endpoint: &str,
    keep_exchanges: bool,
) -> Vec<CaseResult> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir =
        std::env::temp_dir().join(format!("ecs-conform-runner-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(repo.join("cases/fixtures.yaml"), dir.join("fixtures.yaml")).unwrap();
    for (file, body) in cases {
        std::fs::write(dir.join(file), body).unwrap();
    }
    let choice = TargetChoice {
        endpoint: endpoint.to_owned(),
        local: Some("the built-in reference target".into()),
        timeout: Duration::from_secs(10),
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
        keep_exchanges,
        ..TargetChoice::default()
    };
    let paths = Paths::resolve(Some(dir), Some(schemas.to_path_buf()), None);
    let mut results = app::run_quiet(&paths, &choice, &Selection::default(), 4)
        .unwrap()
        .results;
    results.sort_by(|a, b| a.id.cmp(&b.id));
    results
}

fn case(name: &str, steps: &str, teardown: &str) -> String {
    format!("name: {name}\ncites: test\nfixtures: [cluster, taskdef]\nsteps:{steps}{teardown}")
}

#[test]
fn teardown_runs_after_a_failed_step_and_later_steps_do_not() {
    let steps = format!(
        "{RUN}  - call: DescribeTasks\n    with: {{ cluster: \"${{cluster}}\", tasks: [\"${{task}}\"] }}\n    expect: {{ body: {{ /tasks: {{ length: 7 }} }} }}\n  - call: ListTasks\n    with: {{ cluster: \"${{cluster}}\" }}\n"
    );
    let teardown = "\nteardown:\n  - call: StopTask\n    with: { cluster: \"${cluster}\", task: \"${task_id}\", reason: done }\n    expect: { body: { /task/desiredStatus: STOPPED, /task/stoppedReason: done } }\n";
    let r = &run_suite("teardown", &[("a.yaml", case("a", &steps, teardown))])[0];
    assert_eq!(r.outcome, Outcome::Failed);
    let phases: Vec<(&Phase, &str)> = r
        .steps
        .iter()
        .map(|s| (&s.phase, s.call.as_str()))
        .collect();
    assert_eq!(
        phases,
        vec![
            (&Phase::Step, "RunTask"),
            (&Phase::Step, "DescribeTasks"),
            (&Phase::Teardown, "StopTask")
        ]
    );
    let teardown = r.steps.last().unwrap();
    assert!(teardown.findings.is_empty(), "{:?}", teardown.findings);
    assert_eq!(teardown.exchange.as_ref().unwrap().response.status, 200);
}

#[test]
fn until_polls_until_the_condition_holds_or_reports_the_deadline() {
    let holds = format!(
        "{RUN}  - call: DescribeTasks\n    with: {{ cluster: \"${{cluster}}\", tasks: [\"${{task}}\"] }}\n    until: {{ /tasks/0/lastStatus: RUNNING }}\n    within: 20s\n    every: 10ms\n"
    );
    let never = format!(
        "{RUN}  - call: DescribeTasks\n    with: {{ cluster: \"${{cluster}}\", tasks: [\"${{task}}\"] }}\n    until: {{ /tasks/0/lastStatus: NEVER }}\n    within: 200ms\n    every: 20ms\n"
    );
    let results = run_suite(
        "until",
        &[
            ("a.yaml", case("a", &holds, "")),
            ("b.yaml", case("b", &never, "")),
        ],
    );
    let (a, b) = (&results[0], &results[1]);
    assert_eq!(
        a.outcome,
        Outcome::Passed,
        "{:?}",
        a.findings().map(|(_, f)| f.to_string()).collect::<Vec<_>>()
    );
    assert!(
        a.steps[1].calls > 1,
        "PROVISIONING → RUNNING takes several polls"
    );
    // Every poll is kept for the timeline: in order, ending on RUNNING, one per call.
    let polls = &a.steps[1].polls;
    assert_eq!(polls.len(), a.steps[1].calls);
    assert!(polls.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    assert_eq!(
        polls.last().unwrap().last_status,
        vec!["RUNNING".to_owned()]
    );
    assert_ne!(polls[0].last_status, vec!["RUNNING".to_owned()]);
    assert!(
        a.steps[0].polls.is_empty(),
        "a step without `until` polls nothing"
    );
    assert_eq!(b.outcome, Outcome::Failed);
    let timeout: Vec<_> = b
        .findings()
        .filter(|(_, f)| f.rule == "until.timeout")
        .collect();
    assert_eq!(timeout.len(), 1);
    assert!(timeout[0].1.message.contains("/tasks/0/lastStatus"));
    assert!(b.steps[1].calls >= 3);
    assert_eq!(b.steps[1].polls.len(), b.steps[1].calls);
}

#[test]
fn paginate_walks_every_page_and_captures_save_parts_of_strings() {
    let steps = format!(
        "{RUN}  - call: ListTasks\n    with: {{ cluster: \"${{cluster}}\", startedBy: \"runner-${{case_id}}\", maxResults: 1 }}\n    paginate: true\n    expect:\n      body:\n        /taskArns: {{ length: 3, contains: \"${{task}}\" }}\n        /pages: 3\n  - call: DescribeTasks\n    with: {{ cluster: \"${{cluster}}\", tasks: [\"${{task_id}}\"] }}\n    expect: {{ body: {{ /tasks/0/taskArn: \"${{task}}\" }} }}\n"
    );
    let r = &run_suite("paginate", &[("a.yaml", case("a", &steps, ""))])[0];
    assert_eq!(
        r.outcome,
        Outcome::Passed,
        "{:?}",
        r.findings().map(|(_, f)| f.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(r.steps[1].calls, 3);
    let last = r.steps[1].exchange.as_ref().unwrap();
    assert_eq!(last.request.body["maxResults"], Value::from(1));
    assert!(
        last.request.body.get("nextToken").is_some(),
        "the last page was asked for with a token"
    );
}

#[test]
fn a_step_whose_variable_was_never_saved_is_skipped_with_a_note() {
    let steps = "\n  - call: ListTasks\n    with: { cluster: \"${cluster}\" }\n    save: { first: /taskArns/0 }\n";
    let teardown = "\nteardown:\n  - call: StopTask\n    with: { cluster: \"${cluster}\", task: \"${first}\" }\n";
    let r = &run_suite("unbound", &[("a.yaml", case("a", steps, teardown))])[0];
    assert_eq!(
        r.outcome,
        Outcome::Failed,
        "the save fails: the cluster has no tasks"
    );
    assert!(r.findings().any(|(_, f)| f.rule == "save.missing"));
    let teardown = r.steps.last().unwrap();
    assert!(teardown.skipped);
    assert!(teardown.note.as_deref().unwrap().contains("${first}"));
    assert!(teardown.exchange.is_none());
}

/// A copy of `schemas/` whose operation table `edit` changed, in a scratch directory.
fn schemas_with(name: &str, edit: impl FnOnce(&mut Value)) -> std::path::PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = std::env::temp_dir().join(format!(
        "ecs-conform-runner-schemas-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"), &dir);
    let file = dir.join("operations.json");
    let mut table: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    edit(&mut table);
    std::fs::write(&file, table.to_string()).unwrap();
    dir
}

/// Runs a case that starts a task and never stops it with the contract in `schemas`,
/// and returns the task as the target describes it after the run.
fn task_left_by_a_run(name: &str, schemas: &Path) -> Value {
    let leaves = "name: starts a task and leaves it\ncites: test\nsteps:\n  - call: CreateCluster\n    with: { clusterName: left }\n  - call: RegisterTaskDefinition\n    with: { family: left, containerDefinitions: [{ name: app, image: busybox, memory: 128 }] }\n  - call: RunTask\n    with: { cluster: left, taskDefinition: left, launchType: EC2 }\n".to_string();
    let reference = ecs_reference::Background::start(Default::default()).unwrap();
    let r = &run_suite_on(name, &[("a.yaml", leaves)], schemas, &reference.endpoint())[0];
    assert_eq!(
        r.outcome,
        Outcome::Passed,
        "{:?}",
        r.findings().map(|(_, f)| f.to_string()).collect::<Vec<_>>()
    );
    let run = r.steps.iter().find(|s| s.call == "RunTask").unwrap();
    let body = run
        .exchange
        .as_ref()
        .unwrap()
        .response
        .body
        .as_ref()
        .unwrap();
    let arn = body["tasks"][0]["taskArn"].as_str().unwrap().to_owned();
    let target = Target::new(TargetConfig::new(reference.endpoint(), "us-east-1")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let described = runtime
        .block_on(target.call("DescribeTasks", json!({"cluster": "left", "tasks": [arn]})))
        .unwrap();
    described.response.body.unwrap()["tasks"][0].clone()
}

#[test]
fn the_runner_stops_started_tasks_as_the_contract_table_says() {
    // The stopping call's request comes from the table (here a reason of its own).
    let custom = schemas_with("reason", |t| {
        t["operations"]["StopTask"]["stops_task"]["cleanup_members"]["reason"] =
            json!("stopped as the table says");
    });
    let task = task_left_by_a_run("table-reason", &custom);
    assert_eq!(task["desiredStatus"], "STOPPED", "{task}");
    assert_eq!(task["stoppedReason"], "stopped as the table says", "{task}");

    // A table in which no operation starts tasks: the runner stops nothing, RunTask
    // or not.
    let none = schemas_with("no-starter", |t| {
        t["operations"]["RunTask"]
            .as_object_mut()
            .unwrap()
            .remove("starts_tasks");
    });
    let task = task_left_by_a_run("table-none", &none);
    assert_eq!(task["desiredStatus"], "RUNNING", "{task}");
    for dir in [custom, none] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A failed rule stops a case exactly when it judges what the case states (its
/// expectations, or what it asks the runner to poll, save or page through): the rule's
/// stage in the table decides, not how its id is spelt.
#[test]
fn a_failed_case_rule_stops_the_case_and_a_contract_or_snapshot_rule_does_not() {
    use ecs_conform::rules::{Rule, Stage};
    use ecs_conform::run::StepResult;
    use ecs_conform::{Finding, Severity};
    let step = |rule: Rule| StepResult {
        phase: Phase::Step,
        index: 1,
        call: "RunTask".into(),
        line: 0,
        calls: 1,
        exchange: None,
        findings: vec![Finding::new(rule, "")],
        target_error: None,
        skipped: false,
        note: None,
        polls: Vec::new(),
        status: None,
        stated: Vec::new(),
    };
    let mut stopping = Vec::new();
    for &rule in Rule::ALL {
        if rule.severity() == Severity::Fail && step(rule).problem().is_some() {
            stopping.push(rule.id());
        }
    }
    assert_eq!(
        stopping,
        vec![
            "expect.success",
            "expect.status",
            "expect.error",
            "expect.body",
            "expect.headers",
            "until.timeout",
            "save.missing",
            "paginate.endless",
        ]
    );
    assert!(Rule::ALL
        .iter()
        .filter(|r| matches!(r.stage(), Stage::Expectation | Stage::Runner))
        .all(|r| r.severity() == Severity::Fail));
    // A finding that is not a failure never stops a case.
    let mut warned = step(Rule::ExpectBody);
    warned.findings[0].severity = Severity::Warn;
    assert!(warned.problem().is_none());
}

/// A task that is STOPPED never runs again: an `until` waiting for RUNNING ends as soon as
/// it sees STOPPED, with the verdict the deadline would give (`until.timeout`) and says
/// why, instead of polling on to its `within` (the AWS TasksRunning waiter fails there too).
#[test]
fn until_ends_when_the_state_it_waits_for_can_no_longer_come() {
    let steps = format!(
        "{RUN}  - call: StopTask\n    with: {{ cluster: \"${{cluster}}\", task: \"${{task}}\", reason: early }}\n  - call: DescribeTasks\n    with: {{ cluster: \"${{cluster}}\", tasks: [\"${{task}}\"] }}\n    until: {{ /tasks/0/lastStatus: RUNNING }}\n    within: 90s\n    every: 10ms\n"
    );
    let results = run_suite("final", &[("a.yaml", case("a", &steps, ""))]);
    let a = &results[0];
    assert_eq!(a.outcome, Outcome::Failed);
    let timeout: Vec<_> = a
        .findings()
        .filter(|(_, f)| f.rule == "until.timeout")
        .collect();
    assert_eq!(timeout.len(), 1, "{timeout:?}");
    assert!(
        timeout[0]
            .1
            .message
            .contains("can no longer hold (/tasks/0/lastStatus is STOPPED, a final state)"),
        "{}",
        timeout[0].1.message
    );
    let polled = a.steps.iter().find(|s| s.call == "DescribeTasks").unwrap();
    assert_eq!(
        polled
            .exchange
            .as_ref()
            .unwrap()
            .response
            .body
            .as_ref()
            .unwrap()["tasks"][0]["lastStatus"],
        "STOPPED"
    );
}

#[test]
fn a_step_keeps_its_answer_status_and_what_it_stated_when_its_exchange_is_dropped() {
    let steps = format!(
        "{RUN}  - call: DescribeTasks\n    with: {{ cluster: \"${{cluster}}\", tasks: [\"${{task}}\"] }}\n  - call: StopTask\n    with: {{ cluster: \"${{cluster}}\", task: \"no-such-task\" }}\n    expect: {{ status: 400, error: [InvalidParameterException, ClientException] }}\n"
    );
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = ecs_reference::Background::start(Default::default()).unwrap();
    let results = run_suite_keeping(
        "status-kept",
        &[("a.yaml", case("a", &steps, ""))],
        &repo.join("schemas"),
        &reference.endpoint(),
        false,
    );
    let r = &results[0];
    assert_eq!(r.outcome, Outcome::Passed, "{:?}", r.steps);
    let kept: Vec<(&str, bool, Option<u16>)> = r
        .steps
        .iter()
        .map(|s| (s.call.as_str(), s.exchange.is_some(), s.status))
        .collect();
    assert_eq!(
        kept,
        vec![
            ("RunTask", false, Some(200)),
            ("DescribeTasks", false, Some(200)),
            ("StopTask", false, Some(400)),
        ]
    );
    // What each step stated, for the report matrix.
    use ecs_conform::rules::Rule;
    let stated: Vec<Vec<Rule>> = r.steps.iter().map(|s| s.stated.clone()).collect();
    assert_eq!(
        stated,
        vec![
            vec![Rule::ExpectSuccess, Rule::SaveMissing],
            vec![Rule::ExpectSuccess],
            vec![Rule::ExpectStatus, Rule::ExpectError],
        ]
    );
}
