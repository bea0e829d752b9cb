//! Record mode: which entries a run adds, keeps and removes, the text outside `known:`
//! kept byte for byte, comments kept, refusals, and files that read back as written.

use super::*;
use crate::loader::Source;
use crate::report::document::{DocumentInput, SuiteInfo, TargetInfo};
use crate::report::verdict::verdict;
use crate::run::{CaseResult, Outcome, Phase, SetupIssue, SetupPhase, StepResult};
use std::time::Duration;

/// A profile parsed from `text` as the loader does (with its source).
fn profile(text: &str) -> TargetProfile {
    let source = Source::new(Path::new("targets/emu.yaml"), text);
    let mut parsed: TargetProfile = source.parse("target file").unwrap();
    parsed.file = PathBuf::from("targets/emu.yaml");
    parsed.source = Some(source);
    parsed
}

fn finding(rule: Rule, pointer: &str) -> Finding {
    Finding::new(rule, pointer)
}

fn case(id: &str, outcome: Outcome, findings: Vec<Finding>) -> CaseResult {
    CaseResult {
        id: id.into(),
        name: id.into(),
        file: format!("cases/{id}.yaml"),
        tags: vec![],
        cites: String::new(),
        outcome,
        steps: vec![StepResult {
            phase: Phase::Step,
            index: 1,
            call: "RunTask".into(),
            line: 1,
            calls: 1,
            exchange: None,
            findings,
            target_error: None,
            skipped: false,
            note: None,
            polls: Vec::new(),
            status: None,
            stated: Vec::new(),
        }],
        calls: 1,
        duration: Duration::ZERO,
    }
}

fn failed(id: &str, findings: Vec<Finding>) -> CaseResult {
    case(id, Outcome::Failed, findings)
}

fn passed(id: &str) -> CaseResult {
    case(id, Outcome::Passed, vec![])
}

fn document(results: &[CaseResult], profile: &TargetProfile) -> RunDocument {
    RunDocument::build(DocumentInput {
        results,
        expectations: profile,
        target: TargetInfo {
            name: "emu".into(),
            kind: "emulator".into(),
            endpoint: "http://127.0.0.1:1".into(),
            region: "us-east-1".into(),
            credentials: None,
        },
        suite: SuiteInfo {
            cases: results.len(),
            hash: String::new(),
        },
        started_at: String::new(),
        duration_secs: 0.0,
        partition: None,
        interrupted: false,
        details: &|_| String::new(),
        case_ids: &[],
    })
}

const FILE: &str = "\
# An emulator: its known deviations.
name: emu
kind: emulator
vars:
  subnet: subnet-1   # the emulator's own
known:   # recorded, then explained
  # Header: stays at the top.
  - { case: b/passes-now, rule: expect.body, reason: \"was broken\" }
  - { case: a/fails, rule: expect.body, reason: \"listed, still broken\", link: \"https://example.invalid/1\" }   # keep me
  # About c/not-run: moves with it.
  - { case: c/not-run, rule: run.count, reason: \"never ran here\" }
  - case: a/fails
    # inside a multi-line entry
    rule: wire.status
    reason: 'two \"lines\"'
  # Footer: stays at the end.

# After the block: kept as it is.
stale_fails: true
";

#[test]
fn a_run_adds_todo_entries_keeps_covering_ones_and_drops_passing_ones() {
    let p = profile(FILE);
    let results = [
        failed(
            "a/fails",
            vec![
                finding(Rule::ExpectBody, "/tasks/0/group"),
                finding(Rule::StopUserInitiated, "/task/stopCode"),
                finding(Rule::StopUserInitiated, "/task/stopCode"),
                finding(Rule::SchemaDriftField, "/task/newField"),
            ],
        ),
        passed("b/passes-now"),
        failed(
            "d/new",
            vec![
                finding(Rule::ExpectStatus, "status"),
                finding(Rule::TaskContainerArn, "/tasks/*/x"),
            ],
        ),
    ];
    let recorded = record(&document(&results, &p), &p).unwrap();
    let expected = "\
# An emulator: its known deviations.
name: emu
kind: emulator
vars:
  subnet: subnet-1   # the emulator's own
known: # recorded, then explained
  # Header: stays at the top.
  - { case: a/fails, rule: expect.body, reason: \"listed, still broken\", link: \"https://example.invalid/1\" }   # keep me
  - { case: a/fails, rule: stop.user-initiated, pointer: /task/stopCode, reason: TODO }
  # About c/not-run: moves with it.
  - { case: c/not-run, rule: run.count, reason: \"never ran here\" }
  - { case: d/new, rule: expect.status, pointer: status, reason: TODO }
  - { case: d/new, rule: task.container-arn, pointer: \"/tasks/*/x\", reason: TODO }
    # inside a multi-line entry
  # Footer: stays at the end.

# After the block: kept as it is.
stale_fails: true
";
    assert_eq!(recorded.text, expected, "{}", recorded.text);
    assert_eq!(recorded.added.len(), 3);
    assert!(recorded.added.iter().all(|k| k.reason == "TODO"));
    let removed: Vec<_> = recorded.removed.iter().map(|k| k.case.as_str()).collect();
    // b/passes-now passed; a/fails' wire.status entry covers no failure any more.
    assert_eq!(removed, ["b/passes-now", "a/fails"]);
    assert_eq!((recorded.kept, recorded.untouched), (1, 1));
}

/// The recorded file judges the same run green: every failure known, nothing fixed.
#[test]
fn the_recorded_file_makes_the_same_run_known_and_a_clean_run_drops_it_all() {
    let p = profile("name: emu\nknown: []\n");
    let results = [
        failed(
            "a/x",
            vec![
                finding(Rule::DescribeMissingFailures, "/failures"),
                finding(Rule::ExpectBody, "/failures/0/reason"),
                finding(Rule::ExpectBody, "/failures/1/reason"),
            ],
        ),
        passed("a/y"),
        failed("b/z", vec![finding(Rule::ExpectError, "")]),
    ];
    let first = record(&document(&results, &p), &p).unwrap();
    assert_eq!(first.added.len(), 4);
    assert!(
        first.text.contains("pointer: \"\", reason: TODO"),
        "{}",
        first.text
    );
    let recorded = profile(&first.text);
    for r in &results {
        let (v, _) = verdict(r, &recorded);
        assert!(
            matches!(v, Verdict::Known | Verdict::Pass),
            "{}: {v:?}",
            r.id
        );
    }
    // Another failure under a recorded rule at another location is not covered.
    let wider = failed("a/x", vec![finding(Rule::ExpectBody, "/failures/2/reason")]);
    assert_eq!(verdict(&wider, &recorded).0, Verdict::Fail);
    // Recording again changes nothing.
    let again = record(&document(&results, &recorded), &recorded).unwrap();
    assert_eq!(again.text, first.text);
    assert_eq!(
        (again.added.len(), again.removed.len(), again.kept),
        (0, 0, 4)
    );
    // The target is fixed: every entry is stale and removed.
    let clean = [passed("a/x"), passed("a/y"), passed("b/z")];
    let doc = document(&clean, &recorded);
    assert!(doc.cases.iter().any(|c| c.verdict == Verdict::Fixed));
    let fixed = record(&doc, &recorded).unwrap();
    assert_eq!(fixed.text, "name: emu\nknown: []\n");
    assert_eq!(fixed.removed.len(), 4);
}

#[test]
fn a_partial_run_changes_only_the_entries_of_the_cases_it_judged() {
    let text = "known:\n  - { case: a/x, rule: expect.body, reason: r }\n  - { case: s/skipped, rule: expect.body, reason: r }\n  - { case: z/not-selected, rule: expect.body, reason: r }\n";
    let p = profile(text);
    let results = [
        passed("a/x"),
        case(
            "s/skipped",
            Outcome::Skipped("tag needs-ec2".into()),
            vec![],
        ),
    ];
    let recorded = record(&document(&results, &p), &p).unwrap();
    assert_eq!(
        recorded.text,
        "known:\n  - { case: s/skipped, rule: expect.body, reason: r }\n  - { case: z/not-selected, rule: expect.body, reason: r }\n"
    );
    assert_eq!((recorded.removed.len(), recorded.untouched), (1, 2));
}

#[test]
fn only_failing_severities_are_recorded_and_deny_adds_drift() {
    let results = [failed(
        "a/x",
        vec![finding(Rule::SchemaDriftField, "/tasks/0/new")],
    )];
    let p = profile("known: []\n");
    let recorded = record(&document(&results, &p), &p).unwrap();
    assert!(recorded.added.is_empty());
    assert_eq!(recorded.text, "known: []\n");
    let denied = profile("deny: [drift]\nknown: []\n");
    let recorded = record(&document(&results, &denied), &denied).unwrap();
    assert_eq!(
        recorded.text,
        "deny: [drift]\nknown:\n  - { case: a/x, rule: schema.drift.field, pointer: /tasks/0/new, reason: TODO }\n"
    );
}

#[test]
fn target_errors_the_target_answered_are_recorded_under_their_rule() {
    let p = profile("name: emu\n");
    let results = [
        case(
            "a/html",
            Outcome::Error("the target answered RunTask with HTTP 500 and a body that is not JSON: <html>".into()),
            vec![],
        ),
        case(
            "a/huge",
            Outcome::Error("wire.body-too-large: the answer to ListTasks exceeded the 8 MiB cap after 9000000 bytes; raise --max-body if this is legitimate".into()),
            vec![],
        ),
    ];
    let recorded = record(&document(&results, &p), &p).unwrap();
    assert_eq!(
        recorded.text,
        "name: emu\nknown:\n  - { case: a/html, rule: target.error, reason: TODO }\n  - { case: a/huge, rule: wire.body-too-large, reason: TODO }\n"
    );
    let listed = profile(&recorded.text);
    for r in &results {
        assert_eq!(verdict(r, &listed).0, Verdict::Known, "{}", r.id);
    }
}

/// A case that ended in a target error is judged by the error: it gets an entry for
/// the error only, while the entries covering the failures its earlier steps showed are
/// kept (they still describe the target) and those covering nothing are removed.
#[test]
fn failures_before_a_target_error_keep_their_entries_but_get_none() {
    let p = profile(
        "known:\n  - { case: a/x, rule: target.error, reason: \"HTML 500\" }\n  - { case: a/x, rule: task.container-arn, reason: \"task definition ARN\" }\n  - { case: a/x, rule: run.count, reason: \"gone\" }\n",
    );
    let results = [case(
        "a/x",
        Outcome::Error(
            "the target answered StopTask with HTTP 500 and a body that is not JSON: <html>".into(),
        ),
        vec![
            finding(Rule::TaskContainerArn, "/tasks/0/containers/0/taskArn"),
            finding(Rule::StopStoppedFields, "/task/stoppedAt"),
        ],
    )];
    let doc = document(&results, &p);
    assert_eq!(doc.cases[0].verdict, Verdict::Known);
    let recorded = record(&doc, &p).unwrap();
    assert_eq!(
        recorded.text,
        "known:\n  - { case: a/x, rule: target.error, reason: \"HTML 500\" }\n  - { case: a/x, rule: task.container-arn, reason: \"task definition ARN\" }\n"
    );
    assert_eq!((recorded.kept, recorded.removed.len()), (2, 1));
    assert!(recorded.added.is_empty());
    // Not listed yet: the error gets its entry, the earlier findings none.
    let unlisted = profile("known: []\n");
    let recorded = record(&document(&results, &unlisted), &unlisted).unwrap();
    assert_eq!(
        recorded.text,
        "known:\n  - { case: a/x, rule: target.error, reason: TODO }\n"
    );
}

#[test]
fn runs_that_cannot_speak_for_the_target_are_refused() {
    let p = profile("known: []\n");
    let refused = |results: &[CaseResult], edit: &dyn Fn(&mut RunDocument)| {
        let mut doc = document(results, &p);
        edit(&mut doc);
        match record(&doc, &p) {
            Err(RecordError::Refused(why)) => why,
            other => panic!("not refused: {other:?}"),
        }
    };
    let none = |_: &mut RunDocument| {};
    let why = refused(&[passed("a/x")], &|d| d.interrupted = true);
    assert!(why.contains("interrupted"), "{why}");
    let why = refused(&[passed("a/x")], &|d| {
        d.setup.push(SetupIssue {
            fixture: "network".into(),
            phase: SetupPhase::Setup,
            step: 1,
            call: "RunTask".into(),
            file: "cases/fixtures.yaml".into(),
            line: 40,
            problem: "InvalidSubnetID.NotFound".into(),
            error: None,
            hint: Some("pass --var subnet=<a subnet that exists on the target>".into()),
        })
    });
    assert!(
        why.contains("fixture `network`") && why.contains("--var subnet"),
        "{why}"
    );
    for (reason, cause) in [
        (crate::run::blocked_reason("cluster"), "setup error"),
        (
            crate::run::harness_error("it panicked (x)"),
            "harness error",
        ),
        (
            "could not connect to http://127.0.0.1:1: refused".into(),
            "no usable answer",
        ),
        (
            "http://127.0.0.1:1 did not answer RunTask within 20s".into(),
            "no usable answer",
        ),
    ] {
        let why = refused(&[case("a/x", Outcome::Error(reason), vec![])], &none);
        assert!(why.contains("a/x (") && why.contains(cause), "{why}");
    }
    let why = refused(
        &[failed("a/x", vec![finding(Rule::SnapshotWrite, "")])],
        &none,
    );
    assert!(why.contains("snapshot.write"), "{why}");
    // An error already listed does not make it recordable either.
    let listed = profile("known:\n  - { case: a/x, rule: target.error, reason: r }\n");
    let doc = document(
        &[case(
            "a/x",
            Outcome::Error("could not connect to h: refused".into()),
            vec![],
        )],
        &listed,
    );
    assert_eq!(doc.cases[0].verdict, Verdict::Known);
    assert!(matches!(
        record(&doc, &listed),
        Err(RecordError::Refused(_))
    ));
}

#[test]
fn flow_lists_empty_lists_and_a_missing_known_key_are_rewritten() {
    let results = [failed("a/x", vec![finding(Rule::ExpectBody, "/x")])];
    for (text, expected) in [
        (
            "name: e\nknown: [ {case: a/x, rule: run.count, reason: r},\n  # a note\n  {case: a/x, rule: expect.body, reason: \"ok\"} ]\nkind: e\n",
            "name: e\nknown:\n  # a note\n  - { case: a/x, rule: expect.body, reason: ok }\nkind: e\n",
        ),
        (
            "name: e\nknown: []  # none yet\n",
            "name: e\nknown: # none yet\n  - { case: a/x, rule: expect.body, pointer: /x, reason: TODO }\n",
        ),
        (
            "name: e",
            "name: e\nknown:\n  - { case: a/x, rule: expect.body, pointer: /x, reason: TODO }\n",
        ),
        (
            "name: e\r\nknown:\r\n  - { case: a/x, rule: run.count, reason: r }\r\nkind: e\r\n",
            "name: e\r\nknown:\r\n  - { case: a/x, rule: expect.body, pointer: /x, reason: TODO }\r\nkind: e\r\n",
        ),
    ] {
        let p = profile(text);
        let recorded = record(&document(&results, &p), &p).unwrap();
        assert_eq!(recorded.text, expected, "from {text:?}");
    }
}

#[test]
fn entries_are_quoted_so_they_read_back_as_written() {
    let odd = Known {
        case: "a/x".into(),
        rule: Some("expect.body".into()),
        pointer: Some("/tasks/*/a b:\"c\"\\d".into()),
        reason: "line one\nline \"two\"\t\u{7}".into(),
        link: Some("true".into()),
    };
    let p = profile("known: []\n");
    let (_, text) = rewrite::rewrite(&p, &[], std::slice::from_ref(&odd)).unwrap();
    assert_eq!(profile(&text).known, vec![odd]);
    assert_eq!(
        rewrite::flow_entry(&Known {
            case: "run-task/x_1.y".into(),
            rule: None,
            pointer: Some("header:x-amzn-requestid".into()),
            reason: "TODO".into(),
            link: None,
        }),
        "{ case: run-task/x_1.y, pointer: \"header:x-amzn-requestid\", reason: TODO }"
    );
}

#[test]
fn a_file_not_written_in_block_style_is_refused_not_mangled() {
    let p = profile("{name: e, known: []}\n");
    let results = [failed("a/x", vec![finding(Rule::ExpectBody, "/x")])];
    assert!(matches!(
        record(&document(&results, &p), &p),
        Err(RecordError::Layout { .. })
    ));
}

#[test]
fn a_recording_is_written_whole() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("emu.yaml");
    std::fs::write(&file, "known: []\n").unwrap();
    let recorded = Recorded {
        file: file.clone(),
        text: "name: emu\nknown: []\n".into(),
        added: vec![],
        removed: vec![],
        kept: 0,
        untouched: 0,
        loaded: "known: []\n".into(),
    };
    write(&recorded).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), recorded.text);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // The file changed since it was loaded: an edit made meanwhile is kept.
    std::fs::write(&file, "name: edited\n").unwrap();
    assert!(matches!(write(&recorded), Err(RecordError::Changed { .. })));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "name: edited\n");
    let _ = std::fs::remove_dir_all(&dir);
}
