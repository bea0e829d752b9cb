//! Shared helpers of the contract tests: the real contract loaded once, exchanges built
//! the way a target records them, and the sample responses under tests/data/contract.
#![allow(dead_code)]

use ecs_conform::client::{Exchange, ReceivedResponse, SentRequest};
use ecs_conform::contract::Contract;
use ecs_conform::Finding;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

pub const TASK_ARN: &str =
    "arn:aws:ecs:us-east-1:123456789012:task/production/1234567890abcdef1234567890abcdef";
pub const CLUSTER_ARN: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/production";
pub const CT: &str = "application/x-amz-json-1.1";

pub fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

/// The repository's real contract, loaded once per test binary.
pub fn contract() -> &'static Contract {
    static C: OnceLock<Contract> = OnceLock::new();
    C.get_or_init(|| Contract::load(&schemas_dir()).expect("schemas/ loads"))
}

pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/contract")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The complete stopped task of describe-tasks-full.json.
pub fn full_task() -> Value {
    fixture("describe-tasks-full.json")["tasks"][0].clone()
}

/// A RUNNING task with the members a real endpoint always sends (and a few more).
pub fn running_task() -> Value {
    let mut t = full_task();
    let o = t.as_object_mut().unwrap();
    for k in [
        "stopCode",
        "stoppedAt",
        "stoppedReason",
        "stoppingAt",
        "executionStoppedAt",
        "tags",
    ] {
        o.remove(k);
    }
    o.insert("lastStatus".into(), "RUNNING".into());
    o.insert("desiredStatus".into(), "RUNNING".into());
    o.insert("healthStatus".into(), "HEALTHY".into());
    o.insert("connectivity".into(), "CONNECTED".into());
    t["containers"][0]["lastStatus"] = "RUNNING".into();
    t["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("exitCode");
    t["attachments"][0]["status"] = "ATTACHED".into();
    t["version"] = 4.into();
    t
}

/// The lifecycle statuses in order, as the contract ranks them: a task's `version` in
/// the samples is its status's place in it (1 for PROVISIONING), so it grows with every
/// lastStatus change.
pub use ecs_conform::contract::LIFECYCLE;

/// A task in `status` (lifecycle) with desiredStatus RUNNING, its version following
/// the status (an unknown status gets version 20).
pub fn task_in(status: &str) -> Value {
    let mut t = running_task();
    t["lastStatus"] = status.into();
    t["version"] = LIFECYCLE
        .iter()
        .position(|s| *s == status)
        .map_or(20, |i| i + 1)
        .into();
    t
}

pub fn response(status: u16, headers: &[(&str, &str)], body_text: &str) -> ReceivedResponse {
    ReceivedResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body_text: body_text.to_string(),
        body: serde_json::from_str(body_text).ok(),
    }
}

pub fn exchange(op: &str, request: Value, response: ReceivedResponse) -> Exchange {
    Exchange {
        request: SentRequest {
            operation: op.to_string(),
            method: "POST".into(),
            url: "http://localhost:4566/".into(),
            headers: vec![
                ("content-type".into(), CT.into()),
                (
                    "x-amz-target".into(),
                    format!("AmazonEC2ContainerServiceV20141113.{op}"),
                ),
            ],
            body: request,
        },
        response,
        elapsed: Duration::from_millis(3),
    }
}

/// A 200 with the AWS content type and a request id.
pub fn ok(op: &str, request: Value, body: Value) -> Exchange {
    exchange(
        op,
        request,
        response(
            200,
            &[
                ("Content-Type", CT),
                ("x-amzn-RequestId", "0f0e0d0c-1111-2222-3333-444455556666"),
            ],
            &body.to_string(),
        ),
    )
}

/// An error with `status`, the AWS content type, a request id and `extra` headers.
pub fn err(op: &str, request: Value, status: u16, extra: &[(&str, &str)], body: Value) -> Exchange {
    let mut headers = vec![("Content-Type", CT), ("x-amzn-RequestId", "req-1")];
    headers.extend_from_slice(extra);
    exchange(op, request, response(status, &headers, &body.to_string()))
}

/// Findings of one exchange on a fresh observer.
pub fn judge(ex: &Exchange) -> Vec<Finding> {
    contract().observer().observe(ex)
}

pub fn rules(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

/// The findings of rule `rule`.
pub fn of<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

/// Panics with the findings when there are any.
#[track_caller]
pub fn assert_clean(findings: &[Finding]) {
    assert!(
        findings.is_empty(),
        "expected no findings, got:\n{}",
        findings
            .iter()
            .map(|f| format!("  {f}\n"))
            .collect::<String>()
    );
}

/// Every finding's rule is a contract rule, with the table's severity.
#[track_caller]
pub fn assert_known_rules(findings: &[Finding]) {
    for f in findings {
        assert_eq!(f.rule.stage(), ecs_conform::rules::Stage::Contract, "{f}");
        assert_eq!(f.rule.severity(), f.severity, "{f}");
    }
}
