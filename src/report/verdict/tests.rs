//! Verdicts with known entries (by case, rule and location) and `deny`.

use super::*;
use crate::finding::Finding;
use crate::report::profile::{Deny, Known, TargetProfile};
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
            polls: Vec::new(),
            status: None,
            stated: Vec::new(),
        }],
        calls: 1,
        duration: Duration::ZERO,
    }
}

fn profile(known: &[(&str, Option<&str>)]) -> TargetProfile {
    TargetProfile {
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
        ..TargetProfile::default()
    }
}

#[test]
fn listed_failures_are_known_and_unlisted_ones_fail() {
    let e = profile(&[("a", None), ("b", Some("expect.body"))]);
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
    let e = profile(&[
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
    let e = TargetProfile {
        known: vec![
            with_pointer("a", "expect.body", "/tasks/0/stopCode"),
            with_pointer("b", "task.container-arn", "/tasks/*/containers/*/taskArn"),
        ],
        ..TargetProfile::default()
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
    let loose = profile(&[("a", Some("expect.body"))]);
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
    let plain = TargetProfile::default();
    assert_eq!(verdict(&drift(), &plain).0, Verdict::Pass);
    let deny_drift = TargetProfile {
        deny: vec![Deny::Drift],
        ..TargetProfile::default()
    };
    assert_eq!(verdict(&drift(), &deny_drift).0, Verdict::Fail);
    assert_eq!(verdict(&warn(), &deny_drift).0, Verdict::Pass);
    let deny_warn = TargetProfile {
        deny: vec![Deny::Warn],
        ..TargetProfile::default()
    };
    assert_eq!(verdict(&warn(), &deny_warn).0, Verdict::Fail);
    assert_eq!(verdict(&drift(), &deny_warn).0, Verdict::Pass);
    // A listed drift is known under deny, and a listed case without it is stale.
    let listed = TargetProfile {
        known: vec![with_pointer("a", "schema.drift.field", "/tasks/*/newField")],
        deny: vec![Deny::Drift],
        ..TargetProfile::default()
    };
    assert_eq!(verdict(&drift(), &listed).0, Verdict::Known);
    assert_eq!(
        verdict(&result_with("a", Outcome::Passed, vec![]), &listed).0,
        Verdict::Fixed
    );
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
    let by_rule = profile(&[("a", Some("wire.body-too-large"))]);
    assert_eq!(verdict(&too_large(), &by_rule).0, Verdict::Known);
    assert_eq!(verdict(&refused(), &by_rule).0, Verdict::Error);
    let any = profile(&[("a", Some("target.error"))]);
    assert_eq!(verdict(&too_large(), &any).0, Verdict::Known);
    assert_eq!(verdict(&refused(), &any).0, Verdict::Known);
    let other = profile(&[("a", Some("expect.body"))]);
    assert_eq!(verdict(&too_large(), &other).0, Verdict::Error);
}
