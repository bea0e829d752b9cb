//! Loading `schemas/`: every file compiles, broken files are named precisely, the data
//! file and the schemas are cross-checked, and the loaded contract stands on its own.

use crate::contract_support;
use contract_support::*;
use ecs_conform::contract::{Contract, ContractError};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A private copy of the real schemas directory, removed when dropped.
struct Copy(PathBuf);

impl std::ops::Deref for Copy {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_schemas() -> Copy {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ecs-conform-contract-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&schemas_dir(), &dir);
    Copy(dir)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

fn load_err(dir: &Path) -> ContractError {
    match Contract::load(dir) {
        Ok(_) => panic!("{} loaded although it is broken", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn every_schema_file_is_loaded_and_compiles() {
    let c = contract();
    let mut count = 0;
    for entry in walk(&schemas_dir()) {
        let rel = entry.strip_prefix(schemas_dir()).unwrap();
        let name = entry.file_name().unwrap().to_str().unwrap();
        if name == "operations.json" {
            continue;
        }
        let doc = c
            .schema_document(name)
            .unwrap_or_else(|| panic!("{} not loaded", rel.display()));
        let on_disk: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&entry).unwrap()).unwrap();
        assert_eq!(doc, &on_disk);
        if name != "case.schema.json" {
            assert_eq!(
                doc["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{name}"
            );
        }
        count += 1;
    }
    assert!(count >= 60, "only {count} schema files");
    // Lookup by relative path works too.
    assert!(c.schema_document("shapes/Task.json").is_some());
    assert!(c.schema_document("Nope.json").is_none());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out
}

#[test]
fn shared_shapes_are_referenced_not_copied() {
    // Task.json refers to Container.json; no other file spells out Container's members.
    let c = contract();
    assert_eq!(
        c.schema_document("Task.json").unwrap()["properties"]["containers"]["items"]["$ref"],
        "Container.json"
    );
    assert_eq!(
        c.schema_document("DescribeTasks.response.json").unwrap()["properties"]["tasks"]["items"]
            ["$ref"],
        "../shapes/Task.json"
    );
    for entry in walk(&schemas_dir()) {
        let text = std::fs::read_to_string(&entry).unwrap();
        if !entry.ends_with("shapes/Container.json") {
            assert!(
                !text.contains("\"runtimeId\""),
                "{} copies Container",
                entry.display()
            );
        }
    }
}

#[test]
fn json_syntax_error_names_file_line_and_column() {
    let dir = copy_schemas();
    std::fs::write(
        dir.join("shapes/Tag.json"),
        "{\n  \"type\": \"object\",\n  \"properties\": {,\n}\n",
    )
    .unwrap();
    let e = load_err(&dir);
    assert!(matches!(e, ContractError::Json { line: 3, .. }), "{e:?}");
    let shown = e.to_string();
    assert!(shown.contains("shapes/Tag.json:3:"), "{shown}");
}

#[test]
fn invalid_schema_names_its_file() {
    let dir = copy_schemas();
    std::fs::write(
        dir.join("shapes/Tag.json"),
        json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "strnig"})
            .to_string(),
    )
    .unwrap();
    let e = load_err(&dir);
    assert!(matches!(e, ContractError::Schema { .. }), "{e:?}");
    assert!(e.to_string().contains("Tag.json"), "{e}");
}

#[test]
fn dangling_ref_is_reported_and_never_fetched() {
    let dir = copy_schemas();
    std::fs::write(
        dir.join("shapes/Tag.json"),
        json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "Missing.json"})
            .to_string(),
    )
    .unwrap();
    let e = load_err(&dir);
    let shown = e.to_string();
    assert!(
        shown.contains("shapes/Tag.json:") && shown.contains("Missing.json"),
        "{shown}"
    );
}

#[test]
fn data_file_and_schemas_are_cross_checked() {
    // An enum file nobody classified.
    let dir = copy_schemas();
    std::fs::write(
        dir.join("enums/Colour.json"),
        json!({"type": "string", "enum": ["red"]}).to_string(),
    )
    .unwrap();
    let e = load_err(&dir);
    assert!(
        matches!(e, ContractError::Data { .. }) && e.to_string().contains("Colour"),
        "{e}"
    );

    // A timestamp member the data file does not list.
    let dir = copy_schemas();
    let path = dir.join("shapes/Failure.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["properties"]["at"] = json!({"$ref": "../common/Timestamp.json"});
    std::fs::write(&path, doc.to_string()).unwrap();
    let e = load_err(&dir);
    assert!(e.to_string().contains("Failure.at"), "{e}");

    // A response schema that does not exist.
    let dir = copy_schemas();
    std::fs::remove_file(dir.join("operations/ListTasks.response.json")).unwrap();
    let e = load_err(&dir);
    assert!(e.to_string().contains("ListTasks.response.json"), "{e}");

    // No data file.
    let dir = copy_schemas();
    std::fs::remove_file(dir.join("operations.json")).unwrap();
    let e = load_err(&dir);
    assert!(e.to_string().contains("operations.json"), "{e}");
}

#[test]
fn missing_directory_is_an_io_error_naming_it() {
    let e = load_err(Path::new("/nonexistent/schemas"));
    assert!(matches!(e, ContractError::Io { .. }));
    assert!(e.to_string().starts_with("/nonexistent/schemas"), "{e}");
}

#[test]
fn loaded_contract_needs_no_files_and_is_shared_across_threads() {
    let dir = copy_schemas();
    let c = Arc::new(Contract::load(&dir).unwrap());
    std::fs::remove_dir_all(&*dir).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || {
                let mut t = full_task();
                t["version"] = json!(format!("v{i}"));
                let ex = ok(
                    "StopTask",
                    json!({"task": TASK_ARN, "cluster": "production"}),
                    json!({"task": t}),
                );
                c.observer().observe(&ex)
            })
        })
        .collect();
    for h in handles {
        let f = h.join().unwrap();
        assert_eq!(rules(&f), ["schema.response"], "{f:?}");
    }
}

#[test]
fn request_schemas_know_required_members_and_limits() {
    let c = contract();
    assert!(c
        .request_problems(
            "RunTask",
            &json!({"taskDefinition": "webapp:1", "count": 2})
        )
        .is_empty());
    assert_eq!(
        c.request_problems("RunTask", &json!({"count": 11})).len(),
        2
    );
    assert_eq!(
        c.request_problems("DescribeTasks", &json!({"tasks": vec!["t"; 101]}))
            .len(),
        1
    );
    assert_eq!(
        c.request_problems("ListTasks", &json!({"maxResults": 0}))
            .len(),
        1
    );
    assert_eq!(c.request_problems("StopTask", &json!({})).len(), 1);
    assert!(c
        .request_problems("CreateCluster", &json!({"anything": 1}))
        .is_empty());
}

#[test]
fn rule_table_is_complete() {
    use ecs_conform::rules::{Rule, Stage};
    for id in [
        "wire.json",
        "wire.request-id",
        "schema.response",
        "schema.error",
        "error.documented",
        "error.status",
        "schema.drift.field",
        "schema.drift.enum",
        "should.task-field",
        "timestamp.epoch-number",
        "lifecycle.monotonic",
        "stop.desired-status",
        "stop.stopped-fields",
        "stop.user-initiated",
        "task.container-arn",
        "task.cluster-arn",
        "describe.missing-failures",
        "describe.tags-only-with-include",
        "run.count",
        "list.max-results",
        "list.no-repeat",
    ] {
        assert_eq!(
            Rule::from_id(id).map(Rule::stage),
            Some(Stage::Contract),
            "{id}"
        );
    }
}
