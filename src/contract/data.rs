//! Reads `schemas/operations.json`, the contract's data file: which schema and which
//! error types belong to which operation, the wire constants, the always-sent task
//! members, which enums are open, which members are timestamps, the protocol errors.

use super::protocol::{self, ProtocolErrors};
use super::task_cleanup::{self, StartsTasks, StopsTask};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Name of the data file inside the schemas directory.
pub(crate) const DATA_FILE: &str = "operations.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    /// One of the four task operations: schemas, error rules and invariants apply.
    Task,
    /// Setup or teardown: wire checks only.
    Setup,
}

#[derive(Debug)]
pub(crate) struct OperationSpec {
    pub name: String,
    pub kind: OpKind,
    pub request: Option<String>,
    pub response: Option<String>,
    pub errors: Vec<String>,
    /// Wildcard pointers (`/tasks/*`, `/task`) to the tasks of a success body.
    pub task_locations: Vec<String>,
    /// A success starts tasks the run must stop at its end: where they are.
    pub starts_tasks: Option<StartsTasks>,
    /// This operation stops a task: how its request names the task.
    pub stops_task: Option<StopsTask>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Client,
    Server,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnumKind {
    Open,
    Closed,
}

#[derive(Debug)]
pub(crate) struct Wire {
    pub content_type: String,
    pub tolerated_content_types: Vec<String>,
    pub request_id_header: String,
}

#[derive(Debug)]
pub(crate) struct ContractData {
    pub wire: Wire,
    /// In file order.
    pub operations: Vec<OperationSpec>,
    pub error_faults: BTreeMap<String, Fault>,
    pub task_should_fields: Vec<String>,
    pub enums: BTreeMap<String, EnumKind>,
    /// `Shape.member` names.
    pub timestamp_fields: Vec<String>,
    /// Schema path of the timestamp shape, e.g. `common/Timestamp.json`.
    pub timestamp_schema: String,
    /// Errors any operation may return, with what in the request explains each.
    pub protocol_errors: ProtocolErrors,
}

impl ContractData {
    pub fn operation(&self, name: &str) -> Option<&OperationSpec> {
        self.operations.iter().find(|o| o.name == name)
    }
}

/// Parses the data file's JSON. Errors are plain sentences naming the member at fault.
pub(crate) fn parse(doc: &Value) -> Result<ContractData, String> {
    let root = object(doc, "the document")?;
    let wire = object(member(root, "wire", "")?, "wire")?;
    let wire = Wire {
        content_type: string(member(wire, "content_type", "wire")?, "wire.content_type")?,
        tolerated_content_types: strings(
            member(wire, "tolerated_content_types", "wire")?,
            "wire.tolerated_content_types",
        )?,
        request_id_header: string(
            member(wire, "request_id_header", "wire")?,
            "wire.request_id_header",
        )?
        .to_ascii_lowercase(),
    };

    let mut operations = Vec::new();
    for (name, spec) in entries(member(root, "operations", "")?, "operations")? {
        let at = format!("operations.{name}");
        let spec = object(spec, &at)?;
        let kind = match string(member(spec, "kind", &at)?, &format!("{at}.kind"))?.as_str() {
            "task" => OpKind::Task,
            "setup" => OpKind::Setup,
            other => {
                return Err(format!(
                    "{at}.kind is {other:?}; expected \"task\" or \"setup\""
                ))
            }
        };
        let optional_string = |key: &str| -> Result<Option<String>, String> {
            spec.get(key)
                .map(|v| string(v, &format!("{at}.{key}")))
                .transpose()
        };
        let optional_strings = |key: &str| -> Result<Vec<String>, String> {
            spec.get(key)
                .map(|v| strings(v, &format!("{at}.{key}")))
                .transpose()
                .map(Option::unwrap_or_default)
        };
        let op = OperationSpec {
            name: name.to_string(),
            kind,
            request: optional_string("request")?,
            response: optional_string("response")?,
            errors: optional_strings("errors")?,
            task_locations: optional_strings("task_locations")?,
            starts_tasks: spec
                .get("starts_tasks")
                .map(|v| task_cleanup::parse_starts(v, &format!("{at}.starts_tasks")))
                .transpose()?,
            stops_task: spec
                .get("stops_task")
                .map(|v| task_cleanup::parse_stops(v, &format!("{at}.stops_task")))
                .transpose()?,
        };
        if kind == OpKind::Task && (op.request.is_none() || op.response.is_none()) {
            return Err(format!(
                "{at} is a task operation but lacks a request or response schema"
            ));
        }
        if kind == OpKind::Setup && !op.errors.is_empty() {
            return Err(format!(
                "{at} is a setup operation; its error types are not judged, so list none"
            ));
        }
        operations.push(op);
    }

    let stoppers: Vec<&str> = operations
        .iter()
        .filter(|o| o.stops_task.is_some())
        .map(|o| o.name.as_str())
        .collect();
    if stoppers.len() > 1 {
        return Err(format!(
            "operations {} all have stops_task; name one operation that stops tasks",
            stoppers.join(", ")
        ));
    }
    if let Some(starter) = operations.iter().find(|o| o.starts_tasks.is_some()) {
        if stoppers.is_empty() {
            return Err(format!(
                "operations.{}.starts_tasks: no operation has stops_task, so the tasks it starts could not be stopped at the end of a run",
                starter.name
            ));
        }
    }

    let mut error_faults = BTreeMap::new();
    for (name, fault) in entries(member(root, "error_types", "")?, "error_types")? {
        let fault = match string(fault, &format!("error_types.{name}"))?.as_str() {
            "client" => Fault::Client,
            "server" => Fault::Server,
            other => {
                return Err(format!(
                    "error_types.{name} is {other:?}; expected \"client\" or \"server\""
                ))
            }
        };
        error_faults.insert(name.to_string(), fault);
    }
    for op in &operations {
        if let Some(unknown) = op.errors.iter().find(|e| !error_faults.contains_key(*e)) {
            return Err(format!(
                "operations.{}.errors names {unknown}, which error_types does not list",
                op.name
            ));
        }
    }

    let should = object(
        member(root, "task_should_fields", "")?,
        "task_should_fields",
    )?;
    let task_should_fields = strings(
        member(should, "fields", "task_should_fields")?,
        "task_should_fields.fields",
    )?;

    let mut enums = BTreeMap::new();
    for (name, kind) in entries(member(root, "enums", "")?, "enums")? {
        let kind = match string(kind, &format!("enums.{name}"))?.as_str() {
            "open" => EnumKind::Open,
            "closed" => EnumKind::Closed,
            other => {
                return Err(format!(
                    "enums.{name} is {other:?}; expected \"open\" or \"closed\""
                ))
            }
        };
        enums.insert(name.to_string(), kind);
    }

    let ts = object(member(root, "timestamps", "")?, "timestamps")?;
    let timestamp_fields = strings(member(ts, "fields", "timestamps")?, "timestamps.fields")?;
    let timestamp_schema = string(member(ts, "schema", "timestamps")?, "timestamps.schema")?;

    Ok(ContractData {
        wire,
        operations,
        error_faults,
        task_should_fields,
        enums,
        timestamp_fields,
        timestamp_schema,
        protocol_errors: protocol::parse(root.get("protocol_errors"))?,
    })
}

pub(super) fn object<'v>(v: &'v Value, what: &str) -> Result<&'v Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} must be a JSON object"))
}

fn member<'v>(obj: &'v Map<String, Value>, key: &str, parent: &str) -> Result<&'v Value, String> {
    obj.get(key).ok_or_else(|| {
        if parent.is_empty() {
            format!("the member {key} is missing")
        } else {
            format!("{parent} lacks the member {key}")
        }
    })
}

/// Members of an object, skipping `$comment`-style keys.
pub(super) fn entries<'v>(v: &'v Value, what: &str) -> Result<Vec<(&'v str, &'v Value)>, String> {
    Ok(object(v, what)?
        .iter()
        .filter(|(k, _)| !k.starts_with('$'))
        .map(|(k, v)| (k.as_str(), v))
        .collect())
}

pub(super) fn string(v: &Value, what: &str) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{what} must be a string"))
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    v.as_array()
        .ok_or_else(|| format!("{what} must be an array of strings"))?
        .iter()
        .map(|s| string(s, &format!("each entry of {what}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn minimal() -> Value {
        json!({
            "wire": {"content_type": "application/x-amz-json-1.1", "tolerated_content_types": [], "request_id_header": "X-Amzn-RequestId"},
            "operations": {
                "RunTask": {"kind": "task", "request": "a.json", "response": "b.json", "errors": ["ServerException"]},
                "CreateCluster": {"kind": "setup"}
            },
            "error_types": {"$comment": "skipped", "ServerException": "server"},
            "task_should_fields": {"fields": ["taskArn"]},
            "enums": {"LaunchType": "open"},
            "timestamps": {"fields": [], "schema": "common/Timestamp.json"}
        })
    }

    #[test]
    fn parses_a_minimal_file_in_order() {
        let d = parse(&minimal()).unwrap();
        assert_eq!(d.operations[0].name, "RunTask");
        assert_eq!(d.operations[1].kind, OpKind::Setup);
        assert_eq!(d.error_faults.len(), 1);
        assert_eq!(d.wire.request_id_header, "x-amzn-requestid");
    }

    #[test]
    fn rejects_an_error_type_not_in_error_types() {
        let mut doc = minimal();
        doc["operations"]["RunTask"]["errors"] = json!(["NopeException"]);
        let e = parse(&doc).unwrap_err();
        assert!(e.contains("NopeException"), "{e}");
    }

    #[test]
    fn rejects_a_bad_kind() {
        let mut doc = minimal();
        doc["enums"]["LaunchType"] = json!("ajar");
        assert!(parse(&doc).unwrap_err().contains("enums.LaunchType"));
    }
}
