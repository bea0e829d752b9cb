//! The one run loop (`app::run`): every event reaches the reporter in order, and a case
//! that does not finish normally (the harness panics while running it) stays in every
//! report as an `error` verdict and fails the run, instead of disappearing.

use ecs_conform::app::{self, Paths, Selection, SnapshotOptions, TargetChoice};
use ecs_conform::report::document::{DocumentInput, RunDocument, SuiteInfo, TargetInfo};
use ecs_conform::report::{junit, markdown};
use ecs_conform::report::{profile::TargetProfile, verdict::Verdict};
use ecs_conform::run::{Interrupt, Outcome, Reporter, RunEvent};
use std::path::Path;
use std::sync::{Arc, Mutex};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Records each event as a line; panics when the case `doomed` starts (a harness bug
/// inside a case's task).
#[derive(Default)]
struct Recorder {
    doomed: Option<String>,
    events: Mutex<Vec<String>>,
}

impl Reporter for Recorder {
    fn report(&self, event: &RunEvent<'_>) {
        let line = match event {
            RunEvent::Started { to_run, .. } => format!("started {to_run}"),
            RunEvent::FixtureSetUp { fixture, .. } => format!("fixture {fixture}"),
            RunEvent::CaseStarted { case } => {
                if self.doomed.as_deref() == Some(*case) {
                    panic!("a harness bug in {case}");
                }
                format!("case started {case}")
            }
            RunEvent::StepFinished { case, step } => {
                format!("step {} {} {}", case.unwrap_or("-"), step.index, step.call)
            }
            RunEvent::CaseSlow { case, running_for } => {
                format!("slow {case} {}", running_for.as_millis())
            }
            RunEvent::CaseFinished { result } => format!("case finished {}", result.id),
            RunEvent::Interrupted { reason } => format!("interrupted {reason}"),
            RunEvent::FixtureTornDown { fixture, .. } => format!("torn down {fixture}"),
        };
        self.events.lock().unwrap().push(line);
    }
}

fn run(
    selection: &Selection,
    recorder: Arc<Recorder>,
    interrupt: Arc<Interrupt>,
) -> app::RunResult {
    run_with(selection, recorder, interrupt, None)
}

fn run_with(
    selection: &Selection,
    recorder: Arc<Recorder>,
    interrupt: Arc<Interrupt>,
    slow_after: Option<std::time::Duration>,
) -> app::RunResult {
    let reference = ecs_reference::Background::start(Default::default()).unwrap();
    let choice = TargetChoice {
        endpoint: reference.endpoint(),
        local: Some("the built-in reference target".into()),
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
        slow_after,
        ..TargetChoice::default()
    };
    let paths = Paths::resolve(
        Some(repo().join("cases")),
        Some(repo().join("schemas")),
        None,
    );
    app::run(
        &paths,
        &choice,
        selection,
        2,
        &TargetProfile::default(),
        recorder,
        interrupt,
    )
    .unwrap()
}

#[test]
fn every_event_reaches_the_reporter_in_order() {
    let recorder = Arc::new(Recorder::default());
    let selection = Selection {
        filter: Some("stop-task/".into()),
        ..Selection::default()
    };
    let result = run(&selection, Arc::clone(&recorder), Interrupt::new());
    let events = recorder.events.lock().unwrap().clone();
    let ran: Vec<&str> = result.results.iter().map(|r| r.id.as_str()).collect();
    assert!(ran.len() >= 2, "{ran:?}");
    assert_eq!(events[0], format!("started {}", ran.len()), "{events:#?}");
    for id in &ran {
        let at = |what: &str| {
            events
                .iter()
                .position(|e| e == &format!("{what} {id}"))
                .unwrap_or_else(|| panic!("no `{what} {id}` in {events:#?}"))
        };
        let (started, finished) = (at("case started"), at("case finished"));
        assert!(started < finished);
        let steps: Vec<usize> = (0..events.len())
            .filter(|&i| events[i].starts_with(&format!("step {id} ")))
            .collect();
        assert!(!steps.is_empty(), "{id} reported no step: {events:#?}");
        assert!(steps.iter().all(|&i| started < i && i < finished));
    }
    // Fixtures are reported: set up before any case starts, torn down after all finish.
    let first_case = events
        .iter()
        .position(|e| e.starts_with("case started"))
        .unwrap();
    let last_case = events
        .iter()
        .rposition(|e| e.starts_with("case finished"))
        .unwrap();
    let set_up = events
        .iter()
        .position(|e| e.starts_with("fixture "))
        .expect("a fixture");
    let torn = events
        .iter()
        .position(|e| e.starts_with("torn down "))
        .expect("a teardown");
    assert!(set_up < first_case && last_case < torn, "{events:#?}");
    assert!(
        events.iter().any(|e| e.starts_with("step - ")),
        "fixture steps: {events:#?}"
    );
}

#[test]
fn an_interrupted_run_is_reported_and_cases_claim_no_verdict() {
    let recorder = Arc::new(Recorder::default());
    let interrupt = Interrupt::new();
    interrupt.interrupt("the embedding program");
    let result = run(&Selection::default(), Arc::clone(&recorder), interrupt);
    assert!(result.interrupted);
    assert!(result
        .results
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Skipped(_)))
        .all(|r| matches!(r.outcome, Outcome::Interrupted(_))));
    let events = recorder.events.lock().unwrap();
    assert!(
        events.contains(&"interrupted the embedding program".to_owned()),
        "{events:#?}"
    );
}

#[test]
fn a_case_that_panics_is_an_error_in_every_report_and_fails_the_run() {
    let doomed = "stop-task/stop-twice".to_owned();
    let recorder = Arc::new(Recorder {
        doomed: Some(doomed.clone()),
        ..Recorder::default()
    });
    let selection = Selection {
        filter: Some("stop-task/".into()),
        ..Selection::default()
    };
    let result = run(&selection, recorder, Interrupt::new());
    let results = &result.results;
    assert!(results.len() >= 2);
    let failed = results
        .iter()
        .find(|r| r.id == doomed)
        .expect("the case is kept");
    match &failed.outcome {
        Outcome::Error(reason) => assert!(
            reason.contains("panicked") && reason.contains("a harness bug"),
            "{reason}"
        ),
        other => panic!("expected an error outcome, got {other:?}"),
    }
    assert!(
        results
            .iter()
            .filter(|r| r.id != doomed)
            .all(|r| r.outcome == Outcome::Passed),
        "the other cases still run"
    );

    let doc = RunDocument::build(DocumentInput {
        results,
        expectations: &TargetProfile::default(),
        target: TargetInfo {
            name: "t".into(),
            kind: "reference".into(),
            endpoint: "http://127.0.0.1:1".into(),
            region: "us-east-1".into(),
            credentials: None,
        },
        suite: SuiteInfo {
            cases: result.case_ids.len(),
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

/// A case still running after the slow threshold is reported slow at every multiple of
/// it, between its start and its end (a tiny threshold here: the lifecycle case waits
/// for its task to reach RUNNING, which takes the reference several paces).
#[test]
fn a_case_running_past_the_slow_threshold_is_reported_slow_at_every_multiple() {
    let recorder = Arc::new(Recorder::default());
    let id = "lifecycle/run-until-running-then-stop";
    let selection = Selection {
        filter: Some(id.into()),
        exact: true,
        ..Selection::default()
    };
    let result = run_with(
        &selection,
        Arc::clone(&recorder),
        Interrupt::new(),
        Some(std::time::Duration::from_millis(1)),
    );
    assert_eq!(result.results.len(), 1);
    let events = recorder.events.lock().unwrap().clone();
    let at = |line: &str| events.iter().position(|e| e == line);
    let started = at(&format!("case started {id}")).unwrap();
    let finished = at(&format!("case finished {id}")).unwrap();
    let slow: Vec<usize> = (0..events.len())
        .filter(|&i| events[i].starts_with(&format!("slow {id} ")))
        .collect();
    assert!(slow.len() >= 2, "{events:#?}");
    assert!(
        slow.iter().all(|&i| started < i && i < finished),
        "{events:#?}"
    );
    assert_eq!(events[slow[0]], format!("slow {id} 1"));
    assert_eq!(events[slow[1]], format!("slow {id} 2"));
    // The default threshold (30 s) marks none of these quick cases.
    let recorder = Arc::new(Recorder::default());
    run(&selection, Arc::clone(&recorder), Interrupt::new());
    let events = recorder.events.lock().unwrap().clone();
    assert!(
        !events.iter().any(|e| e.starts_with("slow ")),
        "{events:#?}"
    );
}

/// Why nothing runs names the flags of whoever selected: the CLI's (`--only-skipped`,
/// `--include-skipped`), or libtest's for `embed` (`--ignored`, `--include-ignored`).
#[test]
fn nothing_selected_names_the_callers_flags() {
    for (libtest_terms, only, include) in [
        (false, "`--only-skipped`", "`--include-skipped`"),
        (true, "`--ignored`", "`--include-ignored`"),
    ] {
        let only_skipped = Selection {
            filter: Some("stop-task/".into()),
            tagged_skips: app::TaggedSkips::RunOnly,
            libtest_terms,
            ..Selection::default()
        };
        let result = run(
            &only_skipped,
            Arc::new(Recorder::default()),
            Interrupt::new(),
        );
        let why = result.nothing_selected.unwrap_or_default();
        assert!(why.starts_with(only), "{why}");

        let all_skipped = Selection {
            tags: vec!["lifecycle".into()],
            skip_tags: vec![("lifecycle".into(), "test".into())],
            libtest_terms,
            ..Selection::default()
        };
        let result = run(
            &all_skipped,
            Arc::new(Recorder::default()),
            Interrupt::new(),
        );
        let why = result.nothing_selected.unwrap_or_default();
        assert!(
            why.ends_with(&format!("{include} runs them anyway")),
            "{why}"
        );
    }
}
