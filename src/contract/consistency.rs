//! Load-time cross-checks between `operations.json` and the schema files, so the data
//! file and the schemas cannot drift apart silently (a listed schema that does not
//! exist, an enum file nobody classified, a timestamp member the data file forgot).

use super::data::ContractData;
use super::schema_ref::resolve;
use super::schemas::SchemaSet;
use serde_json::Value;
use std::collections::BTreeSet;

const TASK_SHAPE: &str = "shapes/Task.json";
const ERROR_BODY: &str = "errors/ErrorBody.json";

/// Every inconsistency becomes one sentence; the first one found is returned.
pub(crate) fn check(data: &ContractData, schemas: &SchemaSet) -> Result<(), String> {
    for op in &data.operations {
        for rel in op.request.iter().chain(op.response.iter()) {
            if !schemas.contains(rel) {
                return Err(format!(
                    "operations.{} names the schema {rel}, which does not exist",
                    op.name
                ));
            }
        }
        if let Some(bad) = op.task_locations.iter().find(|p| !p.starts_with('/')) {
            return Err(format!(
                "operations.{}.task_locations entry {bad:?} is not a JSON pointer",
                op.name
            ));
        }
    }

    if !schemas.contains(ERROR_BODY) {
        return Err(format!("the shared error schema {ERROR_BODY} is missing"));
    }
    for name in data.error_faults.keys() {
        let rel = format!("errors/{name}.json");
        if !schemas.contains(&rel) {
            return Err(format!("error_types lists {name} but {rel} does not exist"));
        }
    }

    let enum_files: BTreeSet<String> = schemas
        .documents()
        .filter_map(|(rel, _)| rel.strip_prefix("enums/"))
        .filter_map(|f| f.strip_suffix(".json"))
        .map(str::to_string)
        .collect();
    let listed: BTreeSet<String> = data.enums.keys().cloned().collect();
    if let Some(f) = enum_files.difference(&listed).next() {
        return Err(format!(
            "enums/{f}.json is not classified as open or closed in enums"
        ));
    }
    if let Some(f) = listed.difference(&enum_files).next() {
        return Err(format!(
            "enums lists {f}, but enums/{f}.json does not exist"
        ));
    }

    let task = schemas
        .document(TASK_SHAPE)
        .ok_or_else(|| format!("the task shape {TASK_SHAPE} is missing"))?;
    if let Some(f) = data
        .task_should_fields
        .iter()
        .find(|f| task.pointer(&format!("/properties/{f}")).is_none())
    {
        return Err(format!(
            "task_should_fields names {f}, which {TASK_SHAPE} does not document"
        ));
    }

    if !schemas.contains(&data.timestamp_schema) {
        return Err(format!(
            "timestamps.schema {} does not exist",
            data.timestamp_schema
        ));
    }
    let mut typed: BTreeSet<String> = BTreeSet::new();
    for (rel, doc) in schemas.documents() {
        let Some(props) = doc.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let shape = rel
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".json"))
            .unwrap_or(rel);
        for (member, schema) in props {
            let target = schema.get("$ref").and_then(Value::as_str);
            if target.is_some_and(|t| resolve(rel, t) == data.timestamp_schema) {
                typed.insert(format!("{shape}.{member}"));
            }
        }
    }
    let listed: BTreeSet<String> = data.timestamp_fields.iter().cloned().collect();
    if let Some(f) = typed.difference(&listed).next() {
        return Err(format!(
            "{f} is typed as {} but timestamps.fields does not list it",
            data.timestamp_schema
        ));
    }
    if let Some(f) = listed.difference(&typed).next() {
        return Err(format!(
            "timestamps.fields lists {f}, which no schema types as {}",
            data.timestamp_schema
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::contract::schema_ref::resolve;

    #[test]
    fn resolves_relative_refs() {
        assert_eq!(
            resolve("shapes/Task.json", "../common/Timestamp.json"),
            "common/Timestamp.json"
        );
        assert_eq!(
            resolve("shapes/Task.json", "Container.json"),
            "shapes/Container.json"
        );
        assert_eq!(resolve("a.json", "./b.json#/x"), "b.json");
    }
}
