//! A case that does not finish normally (the harness panics inside its trial) stays
//! in every report as an `error` verdict and fails the run, instead of disappearing
//! while libtest counts it as failed and the summary says CONFORMANT.

use ecs_conform::contract::Contract;
use ecs_conform::report::document::{DocumentInput, RunDocument, SuiteInfo, TargetInfo};
use ecs_conform::report::profile::TargetProfile;
use ecs_conform::report::verdict::Verdict;
use ecs_conform::report::{junit, markdown, run_trials, TrialPlan};
use ecs_conform::run::{CaseResult, Outcome};
use ecs_conform::suite::Suite;
use std::path::Path;
use std::sync::Arc;

/// Set in the child process that runs the trials (see the test below).
const CHILD: &str = "ECS_CONFORM_TRIALS_CHILD";

/// The trials run in a child process of this test binary, so libtest-mimic's own
/// report of them (with its expected "1 failed") stays out of `cargo test`'s output;
/// the child's exit status and output are checked here.
#[test]
fn a_case_that_panics_is_an_error_in_every_report_and_fails_the_run() {
    if std::env::var_os(CHILD).is_some() {
        return trials_with_a_panicking_case();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_case_that_panics_is_an_error_in_every_report_and_fails_the_run",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("1 failed"),
        "the nested libtest run counts the panic: {text}"
    );
}

fn trials_with_a_panicking_case() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = Contract::load(&repo.join("schemas")).unwrap();
    let suite = Suite::load_lean(&repo.join("cases"), &contract.operations()).unwrap();
    let cases: Vec<_> = suite
        .cases
        .iter()
        .filter(|c| c.id.starts_with("stop-task/"))
        .collect();
    assert!(cases.len() >= 2);
    let doomed = cases[0].id.clone();
    let args = libtest_mimic::Arguments {
        test_threads: Some(1),
        ..libtest_mimic::Arguments::default()
    };
    // libtest-mimic prints its own report of these trials ("1 failed" is expected).
    let panicking = doomed.clone();
    let (conclusion, results) = run_trials(
        &args,
        TrialPlan {
            cases: cases.clone(),
            ignored: Vec::new(),
            expectations: Arc::new(TargetProfile::default()),
        },
        move |case| {
            if case.id == panicking {
                let huge = std::time::Duration::from_secs(u64::MAX);
                let _ = std::time::Instant::now() + huge; // the overflow a huge `within` caused
            }
            let mut r = CaseResult::skipped(case, "");
            r.outcome = Outcome::Passed;
            r
        },
        |r| format!("details of {}", r.id),
    );
    assert_eq!(conclusion.num_failed, 1);
    assert_eq!(results.len(), cases.len(), "every case has a result");
    let failed = results
        .iter()
        .find(|r| r.id == doomed)
        .expect("the case is kept");
    match &failed.outcome {
        Outcome::Error(reason) => assert!(reason.contains("panicked"), "{reason}"),
        other => panic!("expected an error outcome, got {other:?}"),
    }

    let doc = RunDocument::build(DocumentInput {
        results: &results,
        expectations: &TargetProfile::default(),
        target: TargetInfo {
            name: "t".into(),
            kind: "reference".into(),
            endpoint: "http://127.0.0.1:1".into(),
            region: "us-east-1".into(),
        },
        suite: SuiteInfo {
            cases: suite.cases.len(),
            hash: "h".into(),
        },
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_secs: 1.0,
        partition: None,
        interrupted: false,
        details: &|r| format!("details of {}", r.id),
        case_ids: &[],
    });
    assert!(doc.fails(true), "a case that panicked fails the run");
    assert_eq!(doc.totals.get(&Verdict::Error), Some(&1));
    let json = serde_json::to_value(&doc).unwrap();
    let entry = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == doomed.as_str())
        .expect("the case is in the JSON document");
    assert_eq!(entry["verdict"], "error");
    let xml = junit::render(&doc).unwrap();
    let at = xml.find(&format!("name=\"{doomed}\"")).expect("in JUnit");
    assert!(
        xml[at..]
            .find("<error")
            .is_some_and(|e| e < xml[at..].find("</testcase>").unwrap()),
        "{xml}"
    );
    let summary = ecs_conform::report::text::summary(&doc);
    assert!(
        summary.contains("HARNESS ERRORS") && summary.contains("0 target errors"),
        "a panic of the harness is not blamed on the target: {summary}"
    );
    let md = markdown::render(&doc, None);
    assert!(md.contains(&doomed) && md.contains("panicked"), "{md}");
    assert!(md.contains("not conformant"), "{md}");
}
