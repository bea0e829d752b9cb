use super::*;
use crate::finding::Severity;
use crate::suite::matcher::parse_conditions;
use serde_json::json;

fn ex(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
    Exchange::from_parts("RunTask", json!({}), status, headers, body)
}

fn conds(v: Value) -> Vec<Condition> {
    parse_conditions(v.as_object().unwrap()).unwrap()
}

fn rules(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn a_failed_call_fails_a_step_that_expects_success() {
    let e = ex(
        400,
        &[],
        r#"{"__type":"ClusterNotFoundException","message":"x"}"#,
    );
    let f = judge_step(&Expect::default(), &e, e.response.body.as_ref());
    assert_eq!(rules(&f), vec!["expect.success"]);
    assert!(f[0].actual.contains("ClusterNotFoundException"));
    let ok = ex(200, &[], "{}");
    assert!(judge_step(&Expect::default(), &ok, ok.response.body.as_ref()).is_empty());
}

#[test]
fn expected_error_types_match_after_normalisation_in_body_or_header() {
    let expect = Expect {
        errors: vec!["ClusterNotFoundException".into()],
        ..Expect::default()
    };
    for e in [
        ex(
            400,
            &[],
            r#"{"__type":"com.amazonaws.ecs#ClusterNotFoundException","Message":"m"}"#,
        ),
        ex(
            400,
            &[],
            r#"{"__type":"ClusterNotFoundException:http://internal.amazon.com/","message":"m"}"#,
        ),
        ex(
            400,
            &[("X-Amzn-ErrorType", "ClusterNotFoundException")],
            r#"{"message":"m"}"#,
        ),
    ] {
        assert!(judge_step(&expect, &e, e.response.body.as_ref()).is_empty());
    }
    let wrong = ex(
        400,
        &[],
        r#"{"__type":"InvalidParameterException","message":"m"}"#,
    );
    let f = judge_step(&expect, &wrong, wrong.response.body.as_ref());
    assert_eq!(rules(&f), vec!["expect.error"]);
    assert_eq!(f[0].actual, "InvalidParameterException");
    let success = ex(200, &[], "{}");
    assert_eq!(
        rules(&judge_step(
            &expect,
            &success,
            success.response.body.as_ref()
        )),
        vec!["expect.error"]
    );
}

#[test]
fn status_expectations_accept_any_listed_status() {
    let expect = Expect {
        status: vec![400, 404],
        ..Expect::default()
    };
    let e = ex(404, &[], "{}");
    assert!(judge_step(&expect, &e, None).is_empty());
    let e = ex(500, &[], "{}");
    assert_eq!(rules(&judge_step(&expect, &e, None)), vec!["expect.status"]);
}

#[test]
fn every_matcher_fails_on_a_breaking_value_and_holds_on_a_good_one() {
    let body = json!({
        "tasks": [{"lastStatus": "STOPPED", "version": 3, "tags": [{"key": "k", "value": "v"}],
                   "stoppedAt": 1700000000.5, "taskArn": "arn:aws:ecs:us-east-1:123:task/c/abc"}],
        "failures": []
    });
    let holds = conds(json!({
        "/tasks/0/lastStatus": "STOPPED",
        "/tasks/0/version": {"equals": 3.0, "type": "integer", "not_equals": 4},
        "/tasks": {"length": 1, "min_length": 1, "max_length": 1},
        "/tasks/0/stoppedAt": {"present": true, "type": "number"},
        "/tasks/0/stopCode": {"absent": true},
        "/tasks/0/taskArn": {"matches": "^arn:aws:ecs:[a-z0-9-]+:\\d+:task/", "contains": "task/c/"},
        "/tasks/0/tags": {"contains": {"key": "k", "value": "v"}, "not_contains": {"key": "x", "value": "v"}},
        "/tasks/0/lastStatus~1x": {"absent": true},
        "/failures": {"equals": [], "type": "array"},
        "/tasks/0/lastStatus ": {"absent": true}
    }));
    assert!(check_conditions(&holds, &body, Rule::ExpectBody).is_empty());
    let breaks = conds(json!({
        "/tasks/0/lastStatus": {"one_of": ["RUNNING", "PENDING"]},
        "/tasks/0/version": {"type": "string"},
        "/tasks": {"length": 2},
        "/tasks/0/stoppedAt": {"absent": true},
        "/tasks/0/stopCode": {"present": true},
        "/tasks/0/taskArn": {"matches": "^arn:aws-cn:"},
        "/tasks/0/tags": {"not_contains": {"key": "k", "value": "v"}},
        "/failures": {"min_length": 1},
        "/nope": "x"
    }));
    let f = check_conditions(&breaks, &body, Rule::ExpectBody);
    assert_eq!(f.len(), 9, "{f:#?}");
    assert!(f.iter().all(|f| f.severity == Severity::Fail));
    assert_eq!(f[8].actual, "absent");
}

#[test]
fn integers_equal_their_float_form_but_strings_do_not_equal_numbers() {
    let body = json!({"v": 1, "s": "1"});
    assert!(check_conditions(&conds(json!({"/v": 1.0})), &body, Rule::ExpectBody).is_empty());
    assert_eq!(
        check_conditions(&conds(json!({"/s": 1})), &body, Rule::ExpectBody).len(),
        1
    );
}

#[test]
fn header_expectations_ignore_the_header_case() {
    let expect = Expect {
        headers: conds(json!({"/x-amzn-requestid": {"present": true}})),
        ..Expect::default()
    };
    let with = ex(200, &[("X-Amzn-RequestId", "abc")], "{}");
    assert!(judge_step(&expect, &with, None).is_empty());
    let without = ex(200, &[("content-type", "application/x-amz-json-1.1")], "{}");
    assert_eq!(
        rules(&judge_step(&expect, &without, None)),
        vec!["expect.headers"]
    );
}

#[test]
fn a_status_list_with_an_error_means_success_or_that_error() {
    let expect = Expect {
        status: vec![200, 400],
        errors: vec!["ClusterNotFoundException".into()],
        ..Expect::default()
    };
    let ok = ex(200, &[], "{}");
    assert!(judge_step(&expect, &ok, None).is_empty());
    let right = ex(400, &[], r#"{"__type":"ClusterNotFoundException"}"#);
    assert!(judge_step(&expect, &right, None).is_empty());
    let wrong = ex(400, &[], r#"{"__type":"InvalidParameterException"}"#);
    assert_eq!(
        rules(&judge_step(&expect, &wrong, None)),
        vec!["expect.error"]
    );
    let only_error = Expect {
        status: vec![400],
        errors: vec!["ClusterNotFoundException".into()],
        ..Expect::default()
    };
    assert_eq!(
        rules(&judge_step(&only_error, &ok, None)),
        vec!["expect.status", "expect.error"]
    );
}

#[test]
fn an_absent_or_null_list_has_length_zero_but_is_not_present() {
    // Every output member is optional: `{}`, `{"taskArns": null}` and
    // `{"taskArns": []}` are the same empty ListTasks answer to a client.
    let empty = conds(json!({
        "/taskArns": {"length": 0, "max_length": 0, "min_length": 0},
        "/tasks/0/attachments": {"length": 0, "max_length": 3}
    }));
    for body in [
        json!({"tasks": [{}]}),
        json!({"taskArns": null, "tasks": [{"attachments": null}]}),
        json!({"taskArns": [], "tasks": [{"attachments": []}]}),
    ] {
        let f = check_conditions(&empty, &body, Rule::ExpectBody);
        assert!(f.is_empty(), "{body}: {f:#?}");
    }
    // What needs a member still fails when it is absent.
    let needs = conds(json!({
        "/taskArns": {"present": true, "min_length": 1, "length": 1, "contains": "a", "type": "array"}
    }));
    let f = check_conditions(&needs, &json!({}), Rule::ExpectBody);
    assert_eq!(f.len(), 5, "{f:#?}");
    assert!(f.iter().all(|f| f.actual == "absent"), "{f:#?}");
    // A non-empty list is not length 0; a member under a missing parent has no length.
    let zero = conds(json!({"/taskArns": {"length": 0}, "/tasks/1/attachments": {"length": 0}}));
    let f = check_conditions(
        &zero,
        &json!({"taskArns": ["a"], "tasks": [{}]}),
        Rule::ExpectBody,
    );
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].actual, "length 1");
    assert_eq!(f[1].pointer, "/tasks/1/attachments");
    // A value that has no length (a number) is not an absent member either.
    let f = check_conditions(
        &conds(json!({"/n": {"length": 0}})),
        &json!({"n": 0}),
        Rule::ExpectBody,
    );
    assert_eq!(f.len(), 1);
}

#[test]
fn an_error_named_only_by_its_header_with_an_empty_body_is_the_expected_error() {
    let expect = Expect {
        status: vec![400],
        errors: vec!["ClusterNotFoundException".into()],
        ..Expect::default()
    };
    for ty in [
        "ClusterNotFoundException",
        "ClusterNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        "aws.protocoltests.json#ClusterNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
    ] {
        let e = ex(400, &[("X-Amzn-ErrorType", ty)], "");
        assert!(judge_step(&expect, &e, None).is_empty(), "{ty}");
    }
    let typeless = ex(400, &[], "");
    let f = judge_step(&expect, &typeless, None);
    assert_eq!(rules(&f), vec!["expect.error"]);
    assert!(f[0].actual.contains("without a type"), "{}", f[0].actual);
}

#[test]
fn a_step_states_the_rules_of_what_it_says() {
    use crate::judge::stated_rules;
    use crate::suite::{Expect, PlannedStep, Step};
    let step: Step = serde_json::from_value(serde_json::json!({
        "call": "ListTasks",
        "with": {"cluster": "c"},
        "paginate": true,
        "save": {"first": "/taskArns/0"}
    }))
    .unwrap();
    let mut planned = PlannedStep {
        step,
        until: None,
        expect: Expect::default(),
        line: 1,
    };
    assert_eq!(
        stated_rules(&planned),
        vec![
            Rule::ExpectSuccess,
            Rule::SaveMissing,
            Rule::PaginateEndless
        ]
    );
    planned.expect.errors = vec!["ClusterNotFoundException".into()];
    planned.expect.status = vec![400];
    planned.until = Some(Vec::new());
    planned.step.save.clear();
    planned.step.paginate = false;
    assert_eq!(
        stated_rules(&planned),
        vec![Rule::ExpectStatus, Rule::ExpectError, Rule::UntilTimeout]
    );
}
