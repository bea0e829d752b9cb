//! `schemas/case.schema.json` describes the case format: every shipped case file
//! validates against it, and a file with a misspelt key does not.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validator(name: &str) -> jsonschema::Validator {
    let path = repo().join("schemas").join(name);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let base = format!("file://{}", path.display());
    jsonschema::options()
        .with_base_uri(base)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            case_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "json")
            && !p.ends_with("fixtures.yaml")
            && !p.ends_with("coverage.yaml")
            && !p.ends_with("generate.yaml")
        {
            out.push(p);
        }
    }
}

#[test]
fn every_shipped_case_validates_against_the_case_schema() {
    let v = validator("case.schema.json");
    let mut files = Vec::new();
    case_files(&repo().join("cases"), &mut files);
    assert!(!files.is_empty());
    for f in files {
        let doc = yaml(&f);
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
}

#[test]
fn the_fixtures_file_validates_and_broken_cases_do_not() {
    let fixtures = validator("fixtures.schema.json");
    assert!(fixtures.is_valid(&yaml(&repo().join("cases/fixtures.yaml"))));
    let case = validator("case.schema.json");
    let broken: Value = serde_json::json!({
        "name": "x", "cites": "y",
        "steps": [{"call": "RunTask", "expect": {"body": {"/a": {"lenght": 1}}}}]
    });
    assert!(!case.is_valid(&broken));
    let bad_pointer: Value = serde_json::json!({"name": "x", "cites": "y", "steps": [{"call": "RunTask", "save": {"t": "tasks/0"}}]});
    assert!(!case.is_valid(&bad_pointer));
    let good: Value = serde_json::json!({"name": "x", "cites": "y", "steps": [{"call": "RunTask", "within": "5s", "until": {"/a": 1}, "expect": {"error": ["A", "B"], "body": {"/a": {"length": 1}, "/b": "x"}}}]});
    assert!(
        case.is_valid(&good),
        "{:?}",
        case.iter_errors(&good)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
}
