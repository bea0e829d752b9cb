//! Merging partitions, setup issues and older documents.

use super::*;

fn doc(partition: Option<&str>, ids: &[&str]) -> RunDocument {
    let mut d = RunDocument {
        format: FORMAT.into(),
        tool_version: "0".into(),
        suite: SuiteInfo {
            cases: 3,
            hash: "h".into(),
        },
        target: TargetInfo {
            name: "t".into(),
            kind: "reference".into(),
            endpoint: String::new(),
            region: "us-east-1".into(),
            credentials: None,
        },
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_secs: 1.0,
        partition: partition.map(str::to_owned),
        interrupted: false,
        totals: BTreeMap::new(),
        unknown_expectations: Vec::new(),
        problems: Vec::new(),
        setup: Vec::new(),
        cases: Vec::new(),
    };
    for id in ids {
        d.cases.push(CaseEntry {
            id: (*id).into(),
            name: (*id).into(),
            file: String::new(),
            tags: Vec::new(),
            cites: String::new(),
            verdict: Verdict::Pass,
            reason: None,
            duration_secs: 0.0,
            known: Vec::new(),
            findings: Vec::new(),
            details: None,
            steps: Vec::new(),
        });
    }
    d
}

#[test]
fn merge_needs_every_partition_once_and_nothing_else() {
    let merged = RunDocument::merge(vec![
        doc(Some("2/3"), &["b"]),
        doc(Some("1/3"), &["a"]),
        doc(Some("3/3"), &["c"]),
    ])
    .unwrap();
    assert_eq!(merged.cases.len(), 3);
    assert_eq!(merged.partition, None);
    assert!(!merged.fails(true));
    for (docs, says) in [
        (
            vec![doc(Some("1/3"), &["a"])],
            "partitions 2/3, 3/3 are missing",
        ),
        (
            vec![doc(Some("1/3"), &["a"]), doc(Some("3/3"), &["c"])],
            "partition 2/3 is missing",
        ),
        (
            vec![
                doc(Some("1/2"), &["a"]),
                doc(Some("1/2"), &["a"]),
                doc(Some("2/2"), &["b"]),
            ],
            "partition 1/2 given twice",
        ),
        (
            vec![doc(Some("1/2"), &["a"]), doc(Some("2/3"), &["b"])],
            "different numbers of partitions (2 and 3)",
        ),
        (
            vec![doc(None, &["a", "b"]), doc(Some("1/1"), &["a"])],
            "a whole run",
        ),
        (vec![doc(Some("x"), &["a"])], "`x` is not a partition"),
        (Vec::new(), "nothing to merge"),
    ] {
        let err = RunDocument::merge(docs).unwrap_err();
        assert!(err.contains(says), "{says}: {err}");
    }
    // A whole run alone is itself; an interrupted partition keeps the merge interrupted.
    assert_eq!(
        RunDocument::merge(vec![doc(None, &["a"])])
            .unwrap()
            .cases
            .len(),
        1
    );
    let mut cut = doc(Some("2/2"), &["b"]);
    cut.interrupted = true;
    let merged = RunDocument::merge(vec![doc(Some("1/2"), &["a"]), cut]).unwrap();
    assert!(merged.interrupted && merged.fails(false));
}

fn issue(fixture: &str, phase: SetupPhase) -> SetupIssue {
    SetupIssue {
        fixture: fixture.into(),
        phase,
        step: 1,
        call: "RunTask".into(),
        file: "cases/fixtures.yaml".into(),
        line: 48,
        problem: "refused".into(),
        error: None,
        hint: None,
    }
}

fn setup_doc(setup: Vec<SetupIssue>, blocked: &[&str], partition: Option<&str>) -> RunDocument {
    let cases = blocked
        .iter()
        .map(|id| CaseEntry {
            id: id.to_string(),
            name: id.to_string(),
            file: String::new(),
            tags: Vec::new(),
            cites: String::new(),
            verdict: Verdict::Error,
            reason: Some(crate::run::blocked_reason("network")),
            duration_secs: 0.0,
            known: Vec::new(),
            findings: Vec::new(),
            details: None,
            steps: Vec::new(),
        })
        .collect();
    let mut doc = RunDocument {
        format: FORMAT.into(),
        tool_version: "0".into(),
        suite: SuiteInfo {
            cases: 2,
            hash: "h".into(),
        },
        target: TargetInfo {
            name: "t".into(),
            kind: "emulator".into(),
            endpoint: "http://127.0.0.1:1".into(),
            region: "us-east-1".into(),
            credentials: None,
        },
        started_at: utc_now(),
        duration_secs: 1.0,
        partition: partition.map(str::to_owned),
        interrupted: false,
        totals: BTreeMap::new(),
        unknown_expectations: Vec::new(),
        problems: Vec::new(),
        setup,
        cases,
    };
    doc.recount();
    doc
}

#[test]
fn partitions_report_a_shared_setup_error_once_and_keep_the_others() {
    let a = setup_doc(
        vec![issue("network", SetupPhase::Setup)],
        &["a/x"],
        Some("1/2"),
    );
    let b = setup_doc(
        vec![
            issue("network", SetupPhase::Setup),
            issue("cluster", SetupPhase::Teardown),
        ],
        &["b/y"],
        Some("2/2"),
    );
    let merged = RunDocument::merge(vec![a, b]).unwrap();
    assert_eq!(
        merged.setup,
        vec![
            issue("network", SetupPhase::Setup),
            issue("cluster", SetupPhase::Teardown)
        ]
    );
    assert_eq!(merged.blocked_by("network"), 2);
    assert_eq!(merged.blocked_by("cluster"), 0);
}

#[test]
fn a_setup_error_fails_the_run_and_a_teardown_warning_does_not() {
    assert!(setup_doc(vec![issue("network", SetupPhase::Setup)], &[], None).fails(false));
    assert!(!setup_doc(vec![issue("cluster", SetupPhase::Teardown)], &[], None).fails(true));
    assert!(!setup_doc(Vec::new(), &[], None).fails(true));
}

#[test]
fn a_document_without_a_setup_list_still_reads() {
    let mut value = serde_json::to_value(setup_doc(Vec::new(), &[], None)).unwrap();
    value.as_object_mut().unwrap().remove("setup");
    let back: RunDocument = serde_json::from_value(value).unwrap();
    assert!(back.setup.is_empty());
}

#[test]
fn utc_now_is_rfc3339() {
    let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").unwrap();
    assert!(re.is_match(&utc_now()));
    assert!(utc_now().as_str() > "2024-01-01");
}

#[test]
fn a_finding_says_in_which_phase_and_step_it_was_made() {
    let entry = |phase: &str| FindingEntry {
        phase: phase.into(),
        step: 1,
        call: "StopTask".into(),
        line: 9,
        finding: crate::finding::Finding::new(
            crate::rules::Rule::StopUserInitiated,
            "/task/stopCode",
        ),
    };
    assert_eq!(entry("step").place(), "step 1 StopTask");
    assert_eq!(entry("teardown").place(), "teardown step 1 StopTask");
}
