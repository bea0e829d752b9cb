//! Verdicts with known entries (by case, rule and location) and `deny`, and loading.

use super::*;
use crate::finding::Finding;
use crate::run::{Phase, StepResult};
use std::time::Duration;

fn result(id: &str, outcome: Outcome, rules: &[&str]) -> CaseResult {
    let findings = rules
        .iter()
        .map(|r| Finding::new(r.parse().unwrap(), ""))
        .chain([Finding::new(Rule::SchemaDriftField, "/x")])
        .collect();
    result_with(id, outcome, findings)
}

fn result_with(id: &str, outcome: Outcome, findings: Vec<Finding>) -> CaseResult {
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
        }],
        calls: 1,
        duration: Duration::ZERO,
    }
}

fn expectations(known: &[(&str, Option<&str>)]) -> Expectations {
    Expectations {
        known: known
            .iter()
            .map(|(c, r)| Known {
                case: c.to_string(),
                rule: r.map(str::to_owned),
                pointer: None,
                reason: "because".into(),
                link: None,
            })
            .collect(),
        ..Expectations::default()
    }
}

#[test]
fn listed_failures_are_known_and_unlisted_ones_fail() {
    let e = expectations(&[("a", None), ("b", Some("expect.body"))]);
    assert_eq!(
        verdict(&result("a", Outcome::Failed, &["wire.json"]), &e).0,
        Verdict::Known
    );
    assert_eq!(
        verdict(&result("b", Outcome::Failed, &["expect.body"]), &e).0,
        Verdict::Known
    );
    // A new rule failing in a listed case is a new failure.
    assert_eq!(
        verdict(
            &result("b", Outcome::Failed, &["expect.body", "schema.response"]),
            &e
        )
        .0,
        Verdict::Fail
    );
    assert_eq!(
        verdict(&result("c", Outcome::Failed, &["wire.json"]), &e).0,
        Verdict::Fail
    );
}

#[test]
fn listed_cases_that_pass_are_fixed_and_errors_need_their_own_entry() {
    let e = expectations(&[
        ("a", None),
        ("b", Some("expect.body")),
        ("t", Some("target.error")),
    ]);
    assert_eq!(
        verdict(&result("a", Outcome::Passed, &[]), &e).0,
        Verdict::Fixed
    );
    assert_eq!(
        verdict(&result("z", Outcome::Passed, &[]), &e).0,
        Verdict::Pass
    );
    assert_eq!(
        verdict(&result("b", Outcome::Error("x".into()), &[]), &e).0,
        Verdict::Error
    );
    assert_eq!(
        verdict(&result("t", Outcome::Error("x".into()), &[]), &e).0,
        Verdict::Known
    );
    assert_eq!(
        verdict(&result("a", Outcome::Error("x".into()), &[]), &e).0,
        Verdict::Known
    );
    assert_eq!(
        verdict(&result("q", Outcome::Skipped("tag".into()), &[]), &e).0,
        Verdict::Skipped
    );
}

#[test]
fn expectation_files_load_with_located_errors() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-exp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("emu.yaml"),
        "kind: emu\nskip:\n  - {tag: needs-service, reason: no services}\nknown:\n  - {case: a/b, rule: expect.body, reason: r, link: https://example.invalid/1}\n",
    )
    .unwrap();
    let e = Expectations::load(&dir, "emu").unwrap();
    assert_eq!(e.known.len(), 1);
    assert!(e.stale_fails);
    assert_eq!(e.name.as_deref(), Some("emu"));
    std::fs::write(
        dir.join("bad.yaml"),
        "kind: emu\nknown:\n  - {case: a, reasn: r}\n",
    )
    .unwrap();
    let err = Expectations::load(&dir, "bad").unwrap_err().to_string();
    assert!(err.contains("bad.yaml:3:"), "{err}");
    assert!(matches!(
        Expectations::load(&dir, "none"),
        Err(ExpectationsError::Missing { .. })
    ));
    assert_eq!(unknown_entries(&e, &["x"]).len(), 1);
}

fn at(rule: &str, pointer: &str) -> Finding {
    Finding::new(rule.parse().unwrap(), pointer)
}

fn with_pointer(case: &str, rule: &str, pointer: &str) -> Known {
    Known {
        case: case.into(),
        rule: Some(rule.into()),
        pointer: Some(pointer.into()),
        reason: "because".into(),
        link: None,
    }
}

#[test]
fn an_entry_with_a_pointer_covers_only_findings_at_that_location() {
    let e = Expectations {
        known: vec![
            with_pointer("a", "expect.body", "/tasks/0/stopCode"),
            with_pointer("b", "task.container-arn", "/tasks/*/containers/*/taskArn"),
        ],
        ..Expectations::default()
    };
    let v = |id: &str, findings: Vec<Finding>| {
        verdict(&result_with(id, Outcome::Failed, findings), &e).0
    };
    assert_eq!(
        v("a", vec![at("expect.body", "/tasks/0/stopCode")]),
        Verdict::Known
    );
    // A new, different failure under the listed rule in the same case is new.
    assert_eq!(
        v(
            "a",
            vec![
                at("expect.body", "/tasks/0/stopCode"),
                at("expect.body", "/tasks/0/lastStatus")
            ]
        ),
        Verdict::Fail
    );
    assert_eq!(
        v("a", vec![at("expect.body", "/tasks/1/stopCode")]),
        Verdict::Fail
    );
    assert_eq!(
        v(
            "b",
            vec![
                at("task.container-arn", "/tasks/0/containers/0/taskArn"),
                at("task.container-arn", "/tasks/3/containers/1/taskArn")
            ]
        ),
        Verdict::Known
    );
    assert_eq!(
        v("b", vec![at("task.container-arn", "/tasks/0/taskArn")]),
        Verdict::Fail
    );
    assert_eq!(
        v(
            "b",
            vec![at("expect.body", "/tasks/0/containers/0/taskArn")]
        ),
        Verdict::Fail
    );
    // Without a pointer an entry still covers its rule anywhere in the case.
    let loose = expectations(&[("a", Some("expect.body"))]);
    let r = result_with(
        "a",
        Outcome::Failed,
        vec![at("expect.body", "/x"), at("expect.body", "/y")],
    );
    assert_eq!(verdict(&r, &loose).0, Verdict::Known);
}

#[test]
fn denied_drift_fails_a_case_unless_listed() {
    let drift = || {
        result_with(
            "a",
            Outcome::Passed,
            vec![Finding::new(Rule::SchemaDriftField, "/tasks/0/newField")],
        )
    };
    let warn = || {
        result_with(
            "a",
            Outcome::Passed,
            vec![Finding::new(Rule::ShouldTaskField, "/tasks/0")],
        )
    };
    let plain = Expectations::default();
    assert_eq!(verdict(&drift(), &plain).0, Verdict::Pass);
    let deny_drift = Expectations {
        deny: vec![Deny::Drift],
        ..Expectations::default()
    };
    assert_eq!(verdict(&drift(), &deny_drift).0, Verdict::Fail);
    assert_eq!(verdict(&warn(), &deny_drift).0, Verdict::Pass);
    let deny_warn = Expectations {
        deny: vec![Deny::Warn],
        ..Expectations::default()
    };
    assert_eq!(verdict(&warn(), &deny_warn).0, Verdict::Fail);
    assert_eq!(verdict(&drift(), &deny_warn).0, Verdict::Pass);
    // A listed drift is known under deny, and a listed case without it is stale.
    let listed = Expectations {
        known: vec![with_pointer("a", "schema.drift.field", "/tasks/*/newField")],
        deny: vec![Deny::Drift],
        ..Expectations::default()
    };
    assert_eq!(verdict(&drift(), &listed).0, Verdict::Known);
    assert_eq!(
        verdict(&result_with("a", Outcome::Passed, vec![]), &listed).0,
        Verdict::Fixed
    );
}

#[test]
fn deny_and_pointers_load_from_a_target_file() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-deny-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("emu.yaml"),
        "deny: [drift]\nmax_body: 16MiB\nknown:\n  - {case: a/b, rule: expect.body, pointer: /tasks/*/stopCode, reason: r}\n",
    )
    .unwrap();
    let e = Expectations::load(&dir, "emu").unwrap();
    assert_eq!(e.deny, vec![Deny::Drift]);
    assert_eq!(e.max_body.map(|b| b.bytes()), Some(16 << 20));
    assert_eq!(e.known[0].pointer.as_deref(), Some("/tasks/*/stopCode"));
    std::fs::write(
        dir.join("bad.yaml"),
        "known:\n  - {case: a/b, rule: expect.body, reason: r}\n  - {case: a/b, pointer: tasks/0, reason: r}\n",
    )
    .unwrap();
    let err = Expectations::load(&dir, "bad").unwrap_err().to_string();
    assert!(err.contains("bad.yaml:3:"), "{err}");
    assert!(err.contains("not a location"), "{err}");
    std::fs::write(dir.join("huge.yaml"), "max_body: 8 parsecs\n").unwrap();
    let err = Expectations::load(&dir, "huge").unwrap_err().to_string();
    assert!(
        err.contains("huge.yaml:1:") && err.contains("not a size"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn entries_naming_no_case_or_no_rule_are_located_errors() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-entries-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("emu.yaml"),
        "name: emu\nknown:\n  - {case: a/b, rule: expect.body, reason: r}\n  - {case: a/c, rule: expect.bdy, reason: r}\n  - case: a/x\n    rule: target.error\n    reason: r\n",
    )
    .unwrap();
    let e = Expectations::load(&dir, "emu").unwrap();
    let err = e.check(&["a/b", "a/c"]).unwrap_err().to_string();
    assert!(
        err.contains("emu.yaml:4:")
            && err.contains("no rule `expect.bdy`")
            && err.contains("`expect.body`"),
        "{err}"
    );
    assert!(
        err.contains("emu.yaml:5:") && err.contains("no case `a/x`"),
        "{err}"
    );
    assert!(err.starts_with("2 problems"), "{err}");
    assert!(e.check(&["a/b", "a/c", "a/x"]).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_target_error_is_known_by_target_error_or_by_the_rule_it_names() {
    let too_large = || {
        result(
            "a",
            Outcome::Error("wire.body-too-large: the answer to ListTasks exceeded the 8 MiB cap after 9000000 bytes; raise --max-body if this is legitimate".into()),
            &[],
        )
    };
    let refused = || {
        result(
            "a",
            Outcome::Error("could not connect to http://h: refused".into()),
            &[],
        )
    };
    let by_rule = expectations(&[("a", Some("wire.body-too-large"))]);
    assert_eq!(verdict(&too_large(), &by_rule).0, Verdict::Known);
    assert_eq!(verdict(&refused(), &by_rule).0, Verdict::Error);
    let any = expectations(&[("a", Some("target.error"))]);
    assert_eq!(verdict(&too_large(), &any).0, Verdict::Known);
    assert_eq!(verdict(&refused(), &any).0, Verdict::Known);
    let other = expectations(&[("a", Some("expect.body"))]);
    assert_eq!(verdict(&too_large(), &other).0, Verdict::Error);
}
