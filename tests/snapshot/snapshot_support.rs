//! What the snapshot classification tests share: a store in a temporary folder with
//! the suite's own normalisers, a DescribeTasks answer to vary, and a comparison.

#![allow(dead_code)]

use ecs_conform::snapshot::{Identities, Normalisers, Provenance, SnapshotStore, UpdateMode};
use ecs_conform::{Exchange, Finding, Severity};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const NAME: &str = "describe-tasks__case__step-2";
pub const TASK: &str = "0123456789abcdef0123456789abcdef";

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ecs-conform-classify-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn rules() -> Normalisers {
    Normalisers::load(&Normalisers::default_path(repo())).unwrap()
}

pub fn store(dir: &TempDir, rules: Normalisers) -> SnapshotStore {
    let prov = Provenance {
        target_kind: "reference".into(),
        region: "us-east-1".into(),
        tool_version: "0.1.0".into(),
    };
    SnapshotStore::new(dir.0.clone(), rules, UpdateMode::Compare, prov, false)
}

pub fn arn(kind: &str, rest: &str) -> String {
    format!("arn:aws:ecs:us-east-1:123456789012:{kind}/{rest}")
}

/// A DescribeTasks answer as the reference gives it for a task that just started.
pub fn task_body() -> Value {
    json!({
        "failures": [],
        "tasks": [{
            "attachments": [{
                "id": "a1", "type": "ElasticNetworkInterface", "status": "PRECREATED",
                "details": [{"name": "networkInterfaceId", "value": "eni-1"}],
            }],
            "clusterArn": arn("cluster", "c1"),
            "containers": [{
                "containerArn": arn("container", &format!("c1/{TASK}/k1")),
                "taskArn": arn("task", &format!("c1/{TASK}")),
                "name": "app",
                "lastStatus": "PENDING",
                "healthStatus": "UNKNOWN",
                "networkBindings": [],
            }],
            "cpu": "256",
            "createdAt": 1700000000.5,
            "desiredStatus": "RUNNING",
            "group": "family:f1",
            "healthStatus": "UNKNOWN",
            "lastStatus": "PROVISIONING",
            "launchType": "FARGATE",
            "overrides": {"containerOverrides": []},
            "platformFamily": "Linux",
            "tags": [],
            "taskArn": arn("task", &format!("c1/{TASK}")),
            "taskDefinitionArn": arn("task-definition", "f1:1"),
            "version": 1,
        }],
    })
}

pub fn exchange(status: u16, headers: &[(&str, &str)], body: &Value) -> Exchange {
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    Exchange::from_parts("DescribeTasks", json!({}), status, headers, &text)
}

/// Records `golden`, then compares `changed` with it; the findings of the comparison.
pub fn compare_with(rules: Normalisers, golden: &Exchange, changed: &Exchange) -> Vec<Finding> {
    let dir = TempDir::new("cmp");
    let s = store(&dir, rules);
    assert!(s.check(NAME, golden, &mut Identities::new()).is_empty());
    s.check(NAME, changed, &mut Identities::new())
}

pub fn compare(golden: &Value, changed: &Value) -> Vec<Finding> {
    compare_with(
        rules(),
        &exchange(200, &[], golden),
        &exchange(200, &[], changed),
    )
}

pub fn fails(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Fail)
        .collect()
}

/// The body with one change made by `edit`.
pub fn edited(edit: impl FnOnce(&mut Value)) -> Value {
    let mut b = task_body();
    edit(&mut b);
    b
}

pub fn t(b: &mut Value) -> &mut serde_json::Map<String, Value> {
    b["tasks"][0].as_object_mut().unwrap()
}
