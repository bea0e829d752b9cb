//! Which snapshot differences fail a target and which are drift, with the suite's own
//! `snapshots/normalisers.yaml`: each legal difference (a moment earlier or later, an
//! empty list for an absent one, an optional member, message text, another wording of
//! the error) gives no `fail` finding; each contract difference (type, enum value,
//! status, HTTP status, error type, required member, an ARN naming another task)
//! still fails, one finding per changed path. The `compare` data is checked against
//! the response schemas.

use ecs_conform::snapshot::{Identities, Normalisers, Provenance, SnapshotStore, UpdateMode};
use ecs_conform::{Exchange, Finding, Severity};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const NAME: &str = "describe-tasks__case__step-2";
const TASK: &str = "0123456789abcdef0123456789abcdef";

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
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

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rules() -> Normalisers {
    Normalisers::load(&Normalisers::default_path(repo())).unwrap()
}

fn store(dir: &TempDir, rules: Normalisers) -> SnapshotStore {
    let prov = Provenance {
        target_kind: "reference".into(),
        region: "us-east-1".into(),
        tool_version: "0.1.0".into(),
    };
    SnapshotStore::new(dir.0.clone(), rules, UpdateMode::Compare, prov, false)
}

fn arn(kind: &str, rest: &str) -> String {
    format!("arn:aws:ecs:us-east-1:123456789012:{kind}/{rest}")
}

/// A DescribeTasks answer as the reference gives it for a task that just started.
fn task_body() -> Value {
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

fn exchange(status: u16, headers: &[(&str, &str)], body: &Value) -> Exchange {
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    Exchange::from_parts("DescribeTasks", json!({}), status, headers, &text)
}

/// Records `golden`, then compares `changed` with it; the findings of the comparison.
fn compare_with(rules: Normalisers, golden: &Exchange, changed: &Exchange) -> Vec<Finding> {
    let dir = TempDir::new("cmp");
    let s = store(&dir, rules);
    assert!(s.check(NAME, golden, &mut Identities::new()).is_empty());
    s.check(NAME, changed, &mut Identities::new())
}

fn compare(golden: &Value, changed: &Value) -> Vec<Finding> {
    compare_with(
        rules(),
        &exchange(200, &[], golden),
        &exchange(200, &[], changed),
    )
}

fn fails(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Fail)
        .collect()
}

/// The body with one change made by `edit`.
fn edited(edit: impl FnOnce(&mut Value)) -> Value {
    let mut b = task_body();
    edit(&mut b);
    b
}

fn t(b: &mut Value) -> &mut serde_json::Map<String, Value> {
    b["tasks"][0].as_object_mut().unwrap()
}

#[test]
fn states_seen_a_moment_earlier_or_later_and_absent_forms_are_equal() {
    let legal: Vec<(&str, Value)> = vec![
        (
            "another starting state",
            edited(|b| {
                t(b).insert("lastStatus".into(), json!("ACTIVATING"));
            }),
        ),
        (
            "another attaching state",
            edited(|b| b["tasks"][0]["attachments"][0]["status"] = json!("ATTACHING")),
        ),
        (
            "the version counts other state changes",
            edited(|b| {
                t(b).insert("version".into(), json!(3));
            }),
        ),
        (
            "other timestamps, other ids",
            edited(|b| {
                t(b).insert("createdAt".into(), json!(1800000000));
                b["tasks"][0]["attachments"][0]["id"] = json!("a-other");
            }),
        ),
        (
            "absent lists for empty ones",
            edited(|b| {
                b.as_object_mut().unwrap().remove("failures");
                t(b).remove("tags");
                t(b).insert("overrides".into(), json!({}));
                b["tasks"][0]["containers"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("networkBindings");
            }),
        ),
        (
            "null for absent",
            edited(|b| {
                t(b).insert("startedBy".into(), Value::Null);
            }),
        ),
        (
            "null for an empty list",
            edited(|b| {
                t(b).insert("tags".into(), Value::Null);
            }),
        ),
    ];
    for (what, body) in legal {
        let findings = compare(&task_body(), &body);
        assert!(findings.is_empty(), "{what}: {findings:#?}");
    }
}

#[test]
fn an_optional_member_on_one_side_or_free_text_is_drift_not_failure() {
    let drift: Vec<(&str, Value, &str)> = vec![
        (
            "an optional member the other target does not send",
            edited(|b| {
                t(b).remove("platformFamily");
            }),
            "/tasks/0/platformFamily",
        ),
        (
            "an optional member only the other target sends",
            edited(|b| {
                t(b).insert("capacityProviderName".into(), json!("FARGATE"));
            }),
            "/tasks/0/capacityProviderName",
        ),
        (
            "a free-form value",
            edited(|b| b["tasks"][0]["containers"][0]["name"] = json!("web")),
            "/tasks/0/containers/0/name",
        ),
        (
            "the same task in the older ARN format",
            edited(|b| {
                t(b).insert("taskArn".into(), json!(arn("task", TASK)));
            }),
            "/tasks/0/taskArn",
        ),
    ];
    for (what, body, pointer) in drift {
        let findings = compare(&task_body(), &body);
        assert_eq!(findings.len(), 1, "{what}: {findings:#?}");
        let f = &findings[0];
        assert_eq!(
            (f.rule.as_str(), f.severity, f.pointer.as_str()),
            ("snapshot.drift", Severity::Drift, pointer),
            "{what}: {f:#?}"
        );
    }
}

#[test]
fn contract_differences_still_fail_one_finding_per_path() {
    let other = "fedcba9876543210fedcba9876543210";
    let broken: Vec<(&str, Value, &str, &str, &str)> = vec![
        (
            "a wrong type",
            edited(|b| {
                t(b).insert("cpu".into(), json!(256));
            }),
            "/tasks/0/cpu",
            "\"256\"",
            "256",
        ),
        (
            "a timestamp as a string",
            edited(|b| {
                t(b).insert("createdAt".into(), json!("2024-01-01T00:00:00Z"));
            }),
            "/tasks/0/createdAt",
            "\"<timestamp:number>\"",
            "\"<timestamp:string>\"",
        ),
        (
            "a version as a string",
            edited(|b| {
                t(b).insert("version".into(), json!("1"));
            }),
            "/tasks/0/version",
            "\"<version:number>\"",
            "\"<version:string>\"",
        ),
        (
            "a wrong enum value",
            edited(|b| {
                t(b).insert("launchType".into(), json!("EC2"));
            }),
            "/tasks/0/launchType",
            "\"FARGATE\"",
            "\"EC2\"",
        ),
        (
            "a misspelt enum value",
            edited(|b| {
                t(b).insert("launchType".into(), json!("fargate"));
            }),
            "/tasks/0/launchType",
            "\"FARGATE\"",
            "\"fargate\"",
        ),
        (
            "a stable status for a starting one",
            edited(|b| {
                t(b).insert("lastStatus".into(), json!("RUNNING"));
            }),
            "/tasks/0/lastStatus",
            "\"<status:starting>\"",
            "\"RUNNING\"",
        ),
        (
            "a stopping status for a starting one",
            edited(|b| b["tasks"][0]["containers"][0]["lastStatus"] = json!("DEACTIVATING")),
            "/tasks/0/containers/0/lastStatus",
            "\"<status:starting>\"",
            "\"<status:stopping>\"",
        ),
        (
            "a wrong health status",
            edited(|b| {
                t(b).insert("healthStatus".into(), json!("HEALTHY"));
            }),
            "/tasks/0/healthStatus",
            "\"UNKNOWN\"",
            "\"HEALTHY\"",
        ),
        (
            "an ARN that names another task",
            edited(|b| {
                b["tasks"][0]["containers"][0]["taskArn"] =
                    json!(arn("task", &format!("c1/{other}")))
            }),
            "/tasks/0/containers/0/taskArn",
            "\"arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:1>\"",
            "\"arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:2>\"",
        ),
        (
            "an ARN of another resource type",
            edited(|b| {
                t(b).insert("clusterArn".into(), json!(arn("capacity-provider", "c1")));
            }),
            "/tasks/0/clusterArn",
            "\"arn:<partition>:ecs:<region>:<account>:cluster/<cluster:1>\"",
            "\"arn:<partition>:ecs:<region>:<account>:capacity-provider/<capacity_provider:1>\"",
        ),
        (
            "a task missing",
            edited(|b| b["tasks"] = json!([])),
            "/tasks",
            "(absent)",
            "(absent)",
        ),
        (
            "a failure more",
            edited(|b| b["failures"] = json!([{"arn": other, "reason": "MISSING"}])),
            "/failures",
            "(absent)",
            "",
        ),
    ];
    for (what, body, pointer, expected, actual) in broken {
        let findings = compare(&task_body(), &body);
        let failed = fails(&findings);
        assert_eq!(failed.len(), 1, "{what}: {findings:#?}");
        let f = failed[0];
        assert_eq!(f.rule, "snapshot.mismatch", "{what}");
        assert_eq!(f.pointer, pointer, "{what}: {f:#?}");
        if pointer != "/tasks" && pointer != "/failures" {
            assert_eq!((f.expected.as_str(), f.actual.as_str()), (expected, actual));
        } else if pointer == "/tasks" {
            assert_eq!(f.actual, "(absent)", "{what}");
        } else {
            assert_eq!(f.expected, expected, "{what}");
        }
    }

    // three changes: three findings, each at its path with its two values; the first
    // carries the list of paths and the diff
    let body = edited(|b| {
        t(b).insert("launchType".into(), json!("EC2"));
        t(b).insert("cpu".into(), json!(256));
        t(b).remove("platformFamily");
    });
    let findings = compare(&task_body(), &body);
    let seen: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.pointer.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("snapshot.mismatch", "/tasks/0/cpu"),
            ("snapshot.mismatch", "/tasks/0/launchType"),
            ("snapshot.drift", "/tasks/0/platformFamily"),
        ]
    );
    assert!(
        findings[0].message.contains("changed path(s) (3):"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[0]
            .message
            .contains("+        \"launchType\": \"EC2\","),
        "{}",
        findings[0].message
    );
    assert!(!findings[1].message.contains("changed path(s)"));
}

#[test]
fn a_large_difference_gives_a_finding_per_path_and_a_bounded_message() {
    let many = |status: &str| {
        edited(|b| {
            let containers: Vec<Value> = (0..300)
                .map(|i| json!({"name": format!("c{i}"), "lastStatus": status, "cpu": "1"}))
                .collect();
            t(b).insert("containers".into(), Value::Array(containers));
        })
    };
    let findings = compare(&many("RUNNING"), &many("STOPPED"));
    assert_eq!(fails(&findings).len(), 300);
    assert!(findings
        .iter()
        .all(|f| f.pointer.starts_with("/tasks/0/containers/")));
    let total: usize = findings.iter().map(|f| f.message.len()).sum();
    // a whole list on one side only: its value is cut short in the finding
    let gone = edited(|b| {
        t(b).remove("containers");
    });
    let findings = compare(&many("RUNNING"), &gone);
    assert_eq!(findings[0].pointer, "/tasks/0/containers");
    assert!(
        findings[0].expected.chars().count() <= 501,
        "{}",
        findings[0].expected
    );
    assert!(findings[0].expected.ends_with('…'));
    assert!(
        findings[0].message.len() < 12_000,
        "{}",
        findings[0].message.len()
    );
    assert!(
        findings[0].message.contains("more line(s) of diff"),
        "{}",
        findings[0].message
    );
    assert!(total < 100_000, "{total}");
}

#[test]
fn an_error_is_compared_as_the_contract_reads_it() {
    let golden = exchange(
        400,
        &[],
        &json!({"__type": "ClusterNotFoundException", "message": "Cluster not found."}),
    );
    let legal = [
        exchange(
            400,
            &[],
            &json!({"__type": "com.amazonaws.ecs#ClusterNotFoundException", "message": "Cluster not found."}),
        ),
        exchange(
            400,
            &[],
            &json!({"__type": "ClusterNotFoundException", "Message": "Cluster not found."}),
        ),
        exchange(
            400,
            &[],
            &json!({"__type": "ClusterNotFoundException:http://internal.amazon.com/coral/com.amazonaws.ecs/", "Message": "Cluster not found."}),
        ),
        exchange(
            400,
            &[],
            &json!({"code": "ClusterNotFoundException", "message": "Cluster not found."}),
        ),
        exchange(
            400,
            &[(
                "X-Amzn-ErrorType",
                "ClusterNotFoundException:http://internal.amazon.com/",
            )],
            &json!({"message": "Cluster not found."}),
        ),
    ];
    for changed in &legal {
        let findings = compare_with(rules(), &golden, changed);
        assert!(
            findings.is_empty(),
            "{}: {findings:#?}",
            changed.response.body_text
        );
    }

    // message text and an error without message: drift
    let worded = exchange(
        400,
        &[],
        &json!({"__type": "ClusterNotFoundException", "Message": "The cluster does not exist"}),
    );
    let findings = compare_with(rules(), &golden, &worded);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        (findings[0].rule.as_str(), findings[0].pointer.as_str()),
        ("snapshot.drift", "/message")
    );
    let header_only = exchange(
        400,
        &[(
            "x-amzn-errortype",
            "com.amazonaws.ecs#ClusterNotFoundException",
        )],
        &Value::Null,
    );
    let findings = compare_with(rules(), &golden, &header_only);
    assert!(fails(&findings).is_empty(), "{findings:#?}");

    // another error type, another status, no type at all: failures
    let other_type = exchange(
        400,
        &[],
        &json!({"__type": "com.amazonaws.ecs#InvalidParameterException", "message": "Cluster not found."}),
    );
    let findings = compare_with(rules(), &golden, &other_type);
    assert_eq!(fails(&findings).len(), 1, "{findings:#?}");
    assert_eq!(findings[0].pointer, "/__type");
    assert_eq!(findings[0].actual, "\"InvalidParameterException\"");

    let other_status = exchange(
        404,
        &[],
        &json!({"__type": "ClusterNotFoundException", "message": "Cluster not found."}),
    );
    let findings = compare_with(rules(), &golden, &other_status);
    assert_eq!(fails(&findings).len(), 1, "{findings:#?}");
    assert_eq!(
        (findings[0].pointer.as_str(), findings[0].actual.as_str()),
        ("status", "404")
    );

    let untyped = exchange(400, &[], &json!({"message": "Cluster not found."}));
    let findings = compare_with(rules(), &golden, &untyped);
    assert_eq!(fails(&findings).len(), 1, "{findings:#?}");
    assert_eq!(findings[0].pointer, "/__type");
}

#[test]
fn a_required_member_on_one_side_only_fails_and_without_compare_everything_fails() {
    let base = std::fs::read_to_string(Normalisers::default_path(repo())).unwrap();
    let with_required = base.replace("    keys: [__type]\n", "    keys: [__type, taskArn]\n");
    assert_ne!(
        base, with_required,
        "the required keys are where this test edits them"
    );
    let rules = Normalisers::parse(&with_required, Path::new("n.yaml")).unwrap();
    let body = edited(|b| {
        t(b).remove("taskArn");
    });
    let findings = compare_with(
        rules,
        &exchange(200, &[], &task_body()),
        &exchange(200, &[], &body),
    );
    assert_eq!(fails(&findings).len(), 1, "{findings:#?}");
    assert_eq!(findings[0].pointer, "/tasks/0/taskArn");

    // a normalisers file without `compare`: every difference fails, as before
    let strict = base[..base.find("\ncompare:").unwrap()].to_owned();
    let rules = Normalisers::parse(&strict, Path::new("n.yaml")).unwrap();
    let body = edited(|b| {
        t(b).remove("platformFamily");
    });
    let findings = compare_with(
        rules,
        &exchange(200, &[], &task_body()),
        &exchange(200, &[], &body),
    );
    assert_eq!(fails(&findings).len(), 1, "{findings:#?}");
}

#[test]
fn bad_compare_and_set_sections_name_line_and_column() {
    let err = |text: &str| {
        Normalisers::parse(text, Path::new("n.yaml"))
            .unwrap_err()
            .to_string()
    };
    let e = err("rules: []\ncompare:\n  lists: ['tasks']\n");
    assert!(e.starts_with("n.yaml:3:"), "{e}");
    assert!(e.contains("must start with `/`"), "{e}");
    let e = err("rules: []\ncompare:\n  values: { key: [a] }\n");
    assert!(e.starts_with("n.yaml:3:"), "{e}");
    let e =
        err("rules:\n  - kind: set\n    label: s\n    keys: [a]\n    sets: { x: [A], y: [A] }\n");
    assert!(e.contains("`A` is in two sets"), "{e}");
    let e = err("rules:\n  - kind: set\n    label: s\n    keys: [a]\n");
    assert!(e.contains("needs `sets`"), "{e}");
    let e = err("rules:\n  - kind: id\n    label: s\n    keys: [a]\n    sets: { x: [A] }\n");
    assert!(e.contains("`sets` only apply"), "{e}");
    let e = err("absent: [empty]\nrules: []\n");
    assert!(e.starts_with("n.yaml:1:"), "{e}");
}

/// Every member of a response whose schema is an enum, with its path in a body
/// (`0` for list elements), and every member a response schema requires.
fn schema_members(
    file: &Path,
    schema: &Value,
    path: &mut Vec<String>,
    enums: &mut Vec<Vec<String>>,
    required: &mut Vec<Vec<String>>,
) {
    if path.len() > 12 {
        return;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = file.parent().unwrap().join(r);
        if r.contains("enums/") {
            enums.push(path.clone());
            return;
        }
        let text = std::fs::read_to_string(&target).unwrap();
        let next: Value = serde_json::from_str(&text).unwrap();
        let target = target.canonicalize().unwrap();
        return schema_members(&target, &next, path, enums, required);
    }
    if let Some(list) = schema.get("required").and_then(Value::as_array) {
        for key in list.iter().filter_map(Value::as_str) {
            let mut p = path.clone();
            p.push(key.to_owned());
            required.push(p);
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (key, sub) in props {
            path.push(key.clone());
            schema_members(file, sub, path, enums, required);
            path.pop();
        }
    }
    if let Some(items) = schema.get("items") {
        path.push("0".into());
        schema_members(file, items, path, enums, required);
        path.pop();
    }
}

#[test]
fn the_compare_data_covers_every_enum_and_required_member_of_the_responses() {
    let rules = rules();
    let (mut enums, mut required) = (Vec::new(), Vec::new());
    for op in ["RunTask", "StopTask", "DescribeTasks", "ListTasks"] {
        let file = repo()
            .join("schemas/operations")
            .join(format!("{op}.response.json"));
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        schema_members(&file, &schema, &mut Vec::new(), &mut enums, &mut required);
    }
    assert!(enums.len() > 10, "{enums:?}");
    let missing: Vec<String> = enums
        .iter()
        .filter(|p| !rules.is_compared_value(p))
        .map(|p| format!("/{}", p.join("/")))
        .collect();
    assert!(
        missing.is_empty(),
        "enum members not listed under compare.values: {missing:?}"
    );
    let missing: Vec<String> = required
        .iter()
        .filter(|p| !rules.is_required_member(p))
        .map(|p| format!("/{}", p.join("/")))
        .collect();
    assert!(
        missing.is_empty(),
        "required members not listed under compare.required: {missing:?}"
    );
    // and the error type of an error answer
    assert!(rules.is_required_member(&["__type".to_owned()]));
    assert!(rules.is_compared_value(&["__type".to_owned()]));
    assert!(!rules.is_compared_value(&["message".to_owned()]));
}

#[test]
fn a_golden_recorded_before_sets_types_and_absent_forms_still_matches() {
    let dir = TempDir::new("old-golden");
    // as an earlier version recorded it: raw transitional states, a version count, []
    let old = json!({"status": 200, "body": {"failures": [], "tasks": [{
        "lastStatus": "PROVISIONING",
        "attachments": [{"status": "PRECREATED"}],
        "createdAt": "<timestamp:number>",
        "tags": [],
        "version": 1,
    }]}});
    let text = format!(
        "---\nsource: \"ecs-conform\"\nexpression: \"DescribeTasks response: status and body, normalised\"\ninfo:\n  target_kind: \"reference\"\n  region: \"us-east-1\"\n  tool_version: \"0.1.0\"\n---\n{}\n",
        serde_json::to_string_pretty(&old).unwrap()
    );
    std::fs::write(dir.0.join(format!("{NAME}.snap")), text).unwrap();
    let now = json!({"tasks": [{
        "lastStatus": "PENDING",
        "attachments": [{"status": "ATTACHING"}],
        "createdAt": 1700000000.25,
        "version": 2,
    }]});
    let s = store(&dir, rules());
    let findings = s.check(NAME, &exchange(200, &[], &now), &mut Identities::new());
    assert!(findings.is_empty(), "{findings:#?}");
    assert!(s.pending().is_empty());
}
