//! The `compare` data of `snapshots/normalisers.yaml`: complete against the response
//! schemas (every enum member compared by value, every required member required), a
//! required member on one side only fails, a file without `compare` fails every
//! difference, broken sections are reported with line and column, and a golden
//! recorded before sets, types and absent forms still matches.

use crate::snapshot_support;

use ecs_conform::snapshot::{Identities, Normalisers};
use serde_json::{json, Value};
use snapshot_support::*;
use std::path::Path;

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
