//! The classes of negative request, derived from one operation's request schema: what
//! each member is (its JSON type, enum values, range, length and item limits) and the
//! mutations of the valid request that no documented request makes.

use super::{GenerateError, OperationSpec, Reader};
use serde_json::{json, Map, Value};
use std::path::Path;

/// A task operation the generator covers: its name, folder (= tag) and whether its
/// answer can be judged "no state change" by a ListTasks of its `startedBy`.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    pub name: &'static str,
    pub folder: &'static str,
}

/// The operations in generation order.
pub const OPERATIONS: [Operation; 4] = [
    Operation {
        name: "RunTask",
        folder: "run-task",
    },
    Operation {
        name: "StopTask",
        folder: "stop-task",
    },
    Operation {
        name: "DescribeTasks",
        folder: "describe-tasks",
    },
    Operation {
        name: "ListTasks",
        folder: "list-tasks",
    },
];

/// The service prefix of X-Amz-Target.
const TARGET_PREFIX: &str = "AmazonEC2ContainerServiceV20141113.";
/// A value no enum of the contract documents.
pub(crate) const UNDOCUMENTED: &str = "ECS_CONFORM_UNDOCUMENTED";

/// What one request member is, as its schema says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    String,
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Boolean,
    Enum,
    Object,
    Array {
        max_items: Option<u64>,
        items: Items,
    },
}

/// What an array member holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Items {
    Strings,
    Enum,
    /// Tags: the key and value length limits of the Tag shape.
    Tags {
        key_max: u64,
        value_max: u64,
    },
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub name: String,
    pub kind: Kind,
    pub required: bool,
}

/// How a class departs from the valid request.
#[derive(Debug, Clone)]
pub(crate) enum Request {
    /// The valid request with these members set (`Value::Null`: removed).
    Members(Vec<(String, Value)>),
    /// This text as the body.
    Raw(String),
    /// The valid request with this X-Amz-Target value (empty: none).
    Target(String),
    /// The valid request on a cluster that does not exist.
    UnknownCluster,
}

/// What AWS answers a class with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// SerializationException exactly (the body cannot be read).
    Serialization,
    /// A wrong JSON type: SerializationException, or a documented client fault.
    WrongType,
    /// InvalidParameterException or ClientException.
    Invalid,
    ClusterNotFound,
    ServiceNotFound,
    UnknownOperation,
}

#[derive(Debug, Clone)]
pub(crate) struct NegativeCase {
    pub class: String,
    /// What the request does wrong, completing "<Operation> with …".
    pub what: String,
    pub cites: String,
    pub request: Request,
    pub answer: Answer,
    /// The mutation touches `startedBy`, so a ListTasks by it proves nothing.
    pub touches_started_by: bool,
}

/// The members of a request schema with their kinds, in schema order.
pub(crate) fn members(
    reader: &Reader,
    path: &Path,
    schema: &Value,
) -> Result<Vec<Member>, GenerateError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Err(GenerateError::Data {
            path: path.to_owned(),
            message: "the request schema has no `properties`".into(),
        });
    };
    let mut out = Vec::new();
    for (name, node) in props {
        let kind = kind_of(reader, dir, node)?;
        out.push(Member {
            name: name.clone(),
            kind,
            required: required.contains(&name.as_str()),
        });
    }
    Ok(out)
}

fn referenced(reader: &Reader, dir: &Path, node: &Value) -> Result<Option<Value>, GenerateError> {
    match node.get("$ref").and_then(Value::as_str) {
        Some(rel) => reader.json(&dir.join(rel)).map(Some),
        None => Ok(None),
    }
}

fn kind_of(reader: &Reader, dir: &Path, node: &Value) -> Result<Kind, GenerateError> {
    let resolved = referenced(reader, dir, node)?;
    let node = resolved.as_ref().unwrap_or(node);
    if node.get("enum").is_some() {
        return Ok(Kind::Enum);
    }
    Ok(match node.get("type").and_then(Value::as_str) {
        Some("integer") | Some("number") => Kind::Integer {
            min: node.get("minimum").and_then(Value::as_i64),
            max: node.get("maximum").and_then(Value::as_i64),
        },
        Some("boolean") => Kind::Boolean,
        Some("array") => {
            let items = node.get("items").cloned().unwrap_or(Value::Null);
            let item = referenced(reader, dir, &items)?.unwrap_or(items);
            let length = |key: &str| {
                item.pointer(&format!("/properties/{key}/maxLength"))
                    .and_then(Value::as_u64)
            };
            let items = if item.get("enum").is_some() {
                Items::Enum
            } else if item.get("type").and_then(Value::as_str) == Some("string") {
                Items::Strings
            } else if let (Some(key_max), Some(value_max)) = (length("key"), length("value")) {
                Items::Tags { key_max, value_max }
            } else {
                Items::Other
            };
            Kind::Array {
                max_items: node.get("maxItems").and_then(Value::as_u64),
                items,
            }
        }
        Some("object") => Kind::Object,
        _ => Kind::String,
    })
}

/// `taskDefinition` → `task-definition`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A value of the wrong JSON type for `kind`.
fn wrong_value(kind: &Kind) -> (Value, &'static str) {
    match kind {
        Kind::String | Kind::Enum => (json!(42), "a number"),
        Kind::Integer { .. } => (json!("1"), "a string"),
        Kind::Boolean => (json!("true"), "a string"),
        Kind::Array { .. } => (json!("abc"), "a string"),
        Kind::Object => (json!("abc"), "a string"),
    }
}

/// Every negative case of one operation, in a stable order.
pub(crate) fn cases(op: Operation, spec: &OperationSpec, members: &[Member]) -> Vec<NegativeCase> {
    let schema_cite = format!("schemas/operations/{}.request.json", op.name);
    let protocol = "docs/contract.md#Protocol errors".to_string();
    let reference = format!("ecs-task-api-reference.md#{}", op.name);
    let mut out = vec![
        NegativeCase {
            class: "malformed-json".into(),
            what: "a body that is not valid JSON".into(),
            cites: protocol.clone(),
            request: Request::Raw("{\"cluster\": ".into()),
            answer: Answer::Serialization,
            touches_started_by: false,
        },
        NegativeCase {
            class: "body-not-object".into(),
            what: "a body that is a JSON list, not an object".into(),
            cites: protocol.clone(),
            request: Request::Raw("[\"ecs-conform\", 1]".into()),
            answer: Answer::Serialization,
            touches_started_by: false,
        },
    ];
    let set = |name: &str, v: Value| Request::Members(vec![(name.to_owned(), v)]);
    for m in members {
        let (value, what) = wrong_value(&m.kind);
        out.push(NegativeCase {
            class: format!("wrong-type-{}", kebab(&m.name)),
            what: format!("`{}` of the wrong JSON type ({what})", m.name),
            cites: format!("{schema_cite} ({}); {protocol}", m.name),
            request: set(&m.name, value),
            answer: Answer::WrongType,
            touches_started_by: m.name == "startedBy",
        });
    }
    for m in members.iter().filter(|m| m.required) {
        out.push(NegativeCase {
            class: format!("missing-{}", kebab(&m.name)),
            what: format!("no `{}` (a required member)", m.name),
            cites: format!("{reference} (Request Parameters: {}, required)", m.name),
            request: set(&m.name, Value::Null),
            answer: Answer::Invalid,
            touches_started_by: false,
        });
        let empty = match m.kind {
            Kind::Array { .. } => json!([]),
            _ => json!(""),
        };
        out.push(NegativeCase {
            class: format!("empty-{}", kebab(&m.name)),
            what: format!("an empty `{}` (a required member)", m.name),
            cites: format!("{reference} (Request Parameters: {}, required)", m.name),
            request: set(&m.name, empty),
            answer: Answer::Invalid,
            touches_started_by: false,
        });
    }
    for m in members {
        let value = match &m.kind {
            Kind::Enum => json!(UNDOCUMENTED),
            Kind::Array {
                items: Items::Enum, ..
            } => json!([UNDOCUMENTED]),
            _ => continue,
        };
        out.push(NegativeCase {
            class: format!("undocumented-{}", kebab(&m.name)),
            what: format!("an undocumented `{}` value ({UNDOCUMENTED})", m.name),
            cites: format!("{schema_cite} ({}: enum)", m.name),
            request: set(&m.name, value),
            answer: Answer::Invalid,
            touches_started_by: false,
        });
    }
    for m in members {
        let Kind::Integer { min, max } = m.kind else {
            continue;
        };
        let name = kebab(&m.name);
        let mut push = |class: String, value: i64, bound: String| {
            out.push(NegativeCase {
                class,
                what: format!("`{}` {value} ({bound})", m.name),
                cites: format!("{schema_cite} ({}: {})", m.name, range(min, max)),
                request: set(&m.name, json!(value)),
                answer: Answer::Invalid,
                touches_started_by: false,
            });
        };
        if let Some(min) = min {
            push(
                format!("{name}-below-{min}"),
                min - 1,
                format!("below {min}"),
            );
            if min - 1 > -1 {
                push(format!("{name}-negative"), -1, "negative".into());
            }
        }
        if let Some(max) = max {
            push(
                format!("{name}-above-{max}"),
                max + 1,
                format!("above {max}"),
            );
        }
    }
    for (name, max, source) in &spec.limits {
        let long = "a".repeat(usize::try_from(*max).unwrap_or(0) + 1);
        out.push(NegativeCase {
            class: format!("{}-over-{max}", kebab(name)),
            what: format!("a `{name}` of {} characters", max + 1),
            cites: source.clone(),
            request: set(name, json!(long)),
            answer: Answer::Invalid,
            touches_started_by: name == "startedBy",
        });
    }
    for m in members {
        let Kind::Array { max_items, items } = &m.kind else {
            continue;
        };
        let name = kebab(&m.name);
        if let Some(max) = max_items {
            let n = usize::try_from(*max).unwrap_or(0) + 1;
            let list: Vec<Value> = (0..n).map(|i| item(items, i)).collect();
            out.push(NegativeCase {
                class: format!("{name}-over-{max}"),
                what: format!("{n} items in `{}` (at most {max})", m.name),
                cites: format!("{schema_cite} ({}: maxItems {max})", m.name),
                request: set(&m.name, Value::Array(list)),
                answer: Answer::Invalid,
                touches_started_by: false,
            });
        }
        if let Items::Tags { key_max, value_max } = items {
            let tag = |k: String, v: String| json!([{ "key": k, "value": v }]);
            for (class, what, value) in [
                (
                    format!("tag-key-over-{key_max}"),
                    format!("a tag key of {} characters", key_max + 1),
                    tag("k".repeat(*key_max as usize + 1), "v".into()),
                ),
                (
                    format!("tag-value-over-{value_max}"),
                    format!("a tag value of {} characters", value_max + 1),
                    tag("owner".into(), "v".repeat(*value_max as usize + 1)),
                ),
                (
                    "tag-key-aws-prefix".into(),
                    "a tag key with the reserved prefix `aws:`".into(),
                    tag("aws:ecs-conform".into(), "v".into()),
                ),
            ] {
                out.push(NegativeCase {
                    class,
                    what,
                    cites: format!(
                        "{reference} (Request Parameters: tags); schemas/shapes/Tag.json"
                    ),
                    request: set(&m.name, value),
                    answer: Answer::Invalid,
                    touches_started_by: false,
                });
            }
        }
    }
    out.extend(unknown_resources(op, &reference));
    out.push(NegativeCase {
        class: "unknown-operation".into(),
        what: "an X-Amz-Target that names no operation".into(),
        cites: protocol.clone(),
        request: Request::Target(format!("{TARGET_PREFIX}EcsConformNoSuchOperation")),
        answer: Answer::UnknownOperation,
        touches_started_by: false,
    });
    out.push(NegativeCase {
        class: "missing-target".into(),
        what: "no X-Amz-Target header".into(),
        cites: protocol,
        request: Request::Target(String::new()),
        answer: Answer::UnknownOperation,
        touches_started_by: false,
    });
    out
}

fn range(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{a}..{b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "any".into(),
    }
}

/// The i-th item of a list that is too long.
fn item(items: &Items, i: usize) -> Value {
    match items {
        Items::Tags { .. } => json!({ "key": format!("k{i}"), "value": "v" }),
        Items::Enum => json!("TAGS"),
        _ => json!(format!("{i:032x}")),
    }
}

/// Unknown clusters, task definitions, tasks, services and page tokens.
fn unknown_resources(op: Operation, reference: &str) -> Vec<NegativeCase> {
    let case = |class: &str, what: &str, request: Request, answer: Answer| NegativeCase {
        class: class.into(),
        what: what.into(),
        cites: format!("{reference} (Errors)"),
        request,
        answer,
        touches_started_by: false,
    };
    let set = |name: &str, v: Value| Request::Members(vec![(name.to_owned(), v)]);
    let mut out = vec![case(
        "unknown-cluster",
        "a cluster that does not exist",
        Request::UnknownCluster,
        Answer::ClusterNotFound,
    )];
    match op.name {
        "RunTask" => out.push(case(
            "unknown-task-definition",
            "a task definition that does not exist",
            set("taskDefinition", json!("ecs-conform-missing-${case_id}:1")),
            Answer::Invalid,
        )),
        "StopTask" => out.push(case(
            "unknown-task",
            "a task that does not exist in the cluster",
            set("task", json!("0123456789abcdef0123456789abcdef")),
            Answer::Invalid,
        )),
        "ListTasks" => {
            out.push(case(
                "unknown-service",
                "a service that does not exist",
                set("serviceName", json!("ecs-conform-missing-${case_id}")),
                Answer::ServiceNotFound,
            ));
            out.push(case(
                "unknown-next-token",
                "a nextToken that no page gave",
                set("nextToken", json!("ecs-conform-no-such-token-${case_id}")),
                Answer::Invalid,
            ));
        }
        _ => {}
    }
    out
}

/// The valid request with the case's members set (a `null` removes one).
pub(crate) fn apply(
    request: &Map<String, Value>,
    changes: &[(String, Value)],
) -> Map<String, Value> {
    let mut out = request.clone();
    for (k, v) in changes {
        if v.is_null() {
            out.remove(k);
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}
