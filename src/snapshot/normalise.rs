//! Normalisation: a JSON value → the same value with object keys sorted, members a
//! client cannot tell from absent (`[]`, `null`, as `absent` says) left out, and the
//! values the rules select replaced by placeholders. Error answers are normalised the
//! way the contract reads them (one `__type`, one `message`).
//!
//! Only values at keys, pointers or name/value pairs that a rule names are touched,
//! and only as a whole or through their parsed parts (ARN fields, named regex groups):
//! there is no text replace over the document. Identity placeholders (`<task:1>`)
//! are numbered per case by [`Identities`], in a traversal order that does not depend
//! on the order of keys in the response.

use super::rules::{Kind, Normalisers, Parser};
use crate::client::Exchange;
use crate::contract::error_of;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Placeholder numbering for one case, so that `<task:1>` is the same task
/// everywhere in that case and `<task:2>` another. One per case keeps numbering
/// deterministic when cases run concurrently.
#[derive(Default, Debug, Clone)]
pub struct Identities {
    seen: HashMap<(String, String), usize>,
    next: HashMap<String, usize>,
}

impl Identities {
    pub fn new() -> Identities {
        Identities::default()
    }

    /// `<label:N>`: the same value under the same label always gets the same N.
    pub fn placeholder(&mut self, label: &str, value: &str) -> String {
        let key = (label.to_owned(), value.to_owned());
        let n = match self.seen.get(&key) {
            Some(n) => *n,
            None => {
                let counter = self.next.entry(label.to_owned()).or_insert(0);
                *counter += 1;
                self.seen.insert(key, *counter);
                *counter
            }
        };
        format!("<{label}:{n}>")
    }
}

/// The normalised form of a JSON value: keys sorted, selected values replaced.
pub fn normalise(value: &Value, rules: &Normalisers, ids: &mut Identities) -> Value {
    let mut path = Vec::new();
    walk(value, rules, ids, &mut path)
}

/// What a snapshot holds for one exchange: `{"status": …, "body": …}` with the body
/// normalised. A body that is not JSON is kept as text under `body_text`. Headers
/// are left out: they are volatile (request ids, dates) and not part of the contract
/// snapshots check, except the error type a client reads from `X-Amzn-ErrorType`.
///
/// An error answer (not 2xx) is read as the contract reads it
/// ([`error_of`](crate::contract::error_of)): its type, from the header, `__type` or
/// `code` and without a namespace or URI suffix, becomes the one member `__type`;
/// `message` or `Message` becomes `message`. Other body members stay.
pub fn normalise_exchange(exchange: &Exchange, rules: &Normalisers, ids: &mut Identities) -> Value {
    let response = &exchange.response;
    let mut out = Map::new();
    out.insert("status".into(), Value::from(response.status));
    let error = error_of(response);
    let body = match (&response.body, &error) {
        (Some(Value::Object(map)), Some(_)) => {
            let mut rest = map.clone();
            for key in ["__type", "code", "message", "Message"] {
                rest.shift_remove(key);
            }
            Some(Value::Object(rest))
        }
        (None, Some(e)) if !e.error_type.is_empty() => Some(Value::Object(Map::new())),
        (body, _) => body.clone(),
    };
    match body {
        Some(body) => {
            let mut body = normalise(&body, rules, ids);
            if let (Some(e), Value::Object(map)) = (&error, &mut body) {
                if !e.error_type.is_empty() {
                    map.insert("__type".into(), Value::String(e.error_type.clone()));
                }
                if let Some(m) = &e.message {
                    map.insert("message".into(), Value::String(m.clone()));
                }
                map.sort_keys();
            }
            out.insert("body".into(), body);
        }
        None => {
            out.insert("body".into(), Value::Null);
        }
    }
    if response.body.is_none() && !response.body_text.is_empty() {
        out.insert(
            "body_text".into(),
            Value::String(response.body_text.clone()),
        );
    }
    Value::Object(out)
}

/// A recorded snapshot value read back, brought up to the current normalisation where
/// that is safe to repeat: absent forms left out, set members and typed values
/// (timestamps, `type` rules) replaced. (ARN and id placeholders cannot be normalised
/// twice.)
pub(crate) fn renormalise_recorded(value: &Value, rules: &Normalisers) -> Value {
    let mut path = Vec::new();
    recorded_walk(value, rules, &mut path)
}

fn recorded_walk(value: &Value, rules: &Normalisers, path: &mut Vec<String>) -> Value {
    match value {
        Value::Object(map) => {
            let pair_name = map.get("name").and_then(Value::as_str);
            let mut out = Map::new();
            for (key, child) in map {
                if is_absent(child, rules) {
                    continue;
                }
                path.push(key.clone());
                let pair = if key == "value" { pair_name } else { None };
                let v = match rules.rule_for(path, Some(key), pair).map(|r| &r.kind) {
                    Some(kind) if repeatable(kind) => recorded_rule(kind, child, rules, path),
                    _ => recorded_walk(child, rules, path),
                };
                path.pop();
                out.insert(key.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                let v = match rules.rule_for(path, None, None).map(|r| &r.kind) {
                    Some(kind) if repeatable(kind) => recorded_rule(kind, item, rules, path),
                    _ => recorded_walk(item, rules, path),
                };
                path.pop();
                out.push(v);
            }
            Value::Array(out)
        }
        scalar => scalar.clone(),
    }
}

/// Kinds whose placeholders a second normalisation leaves alone: sets, and types
/// (timestamps) once a value is already a placeholder.
fn repeatable(kind: &Kind) -> bool {
    matches!(kind, Kind::Set { .. } | Kind::Type { .. } | Kind::Timestamp)
}

/// `<label:kind>`: something a normaliser wrote.
fn is_placeholder(s: &str) -> bool {
    s.starts_with('<') && s.ends_with('>') && s.contains(':')
}

/// A repeatable rule on a recorded value: scalars (also in arrays) replaced unless
/// they are placeholders already, the rest walked.
fn recorded_rule(kind: &Kind, value: &Value, rules: &Normalisers, path: &mut Vec<String>) -> Value {
    match value {
        Value::String(s) if is_placeholder(s) => value.clone(),
        Value::String(_) | Value::Number(_) | Value::Bool(_) => {
            apply_scalar(kind, value, rules, &mut Identities::new())
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    path.push(i.to_string());
                    let v = recorded_rule(kind, item, rules, path);
                    path.pop();
                    v
                })
                .collect(),
        ),
        other => recorded_walk(other, rules, path),
    }
}

/// A member value a client cannot tell from no member, as the `absent` setting says.
fn is_absent(value: &Value, rules: &Normalisers) -> bool {
    match value {
        Value::Null => rules.absent_null,
        Value::Array(items) => rules.absent_empty_list && items.is_empty(),
        _ => false,
    }
}

fn walk(value: &Value, rules: &Normalisers, ids: &mut Identities, path: &mut Vec<String>) -> Value {
    match value {
        Value::Object(map) => {
            let pair_name = map.get("name").and_then(Value::as_str);
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                let child = &map[key];
                if is_absent(child, rules) {
                    continue;
                }
                path.push(key.clone());
                let pair = if key == "value" { pair_name } else { None };
                let normalised = match rules.rule_for(path, Some(key), pair) {
                    Some(rule) => apply(&rule.kind, child, rules, ids, path),
                    None => walk(child, rules, ids, path),
                };
                path.pop();
                out.insert(key.clone(), normalised);
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                let normalised = match rules.rule_for(path, None, None) {
                    Some(rule) => apply(&rule.kind, item, rules, ids, path),
                    None => walk(item, rules, ids, path),
                };
                path.pop();
                out.push(normalised);
            }
            Value::Array(out)
        }
        scalar => scalar.clone(),
    }
}

/// Applies a rule to the value it selected. Arrays get it per element; objects are
/// walked as usual (a rule is about scalars).
fn apply(
    kind: &Kind,
    value: &Value,
    rules: &Normalisers,
    ids: &mut Identities,
    path: &mut Vec<String>,
) -> Value {
    match value {
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                out.push(apply(kind, item, rules, ids, path));
                path.pop();
            }
            Value::Array(out)
        }
        Value::Object(_) => walk(value, rules, ids, path),
        scalar => apply_scalar(kind, scalar, rules, ids),
    }
}

fn apply_scalar(kind: &Kind, value: &Value, rules: &Normalisers, ids: &mut Identities) -> Value {
    match (kind, value) {
        (Kind::Timestamp, Value::Number(_)) => Value::String("<timestamp:number>".into()),
        (Kind::Timestamp, Value::String(_)) => Value::String("<timestamp:string>".into()),
        (Kind::Arn, Value::String(s)) => match normalise_arn(s, rules, ids) {
            Some(n) => Value::String(n),
            None => value.clone(),
        },
        (Kind::Id { label, patterns }, Value::String(s)) if !s.is_empty() => {
            let parsed = patterns.iter().find_map(|p| substitute(p, s, ids));
            Value::String(parsed.unwrap_or_else(|| ids.placeholder(label, s)))
        }
        (Kind::Set { label, members }, Value::String(s)) => match members.get(s) {
            Some(set) => Value::String(format!("<{label}:{set}>")),
            None => value.clone(),
        },
        (Kind::Type { label }, Value::Number(_)) => Value::String(format!("<{label}:number>")),
        (Kind::Type { label }, Value::String(_)) => Value::String(format!("<{label}:string>")),
        (Kind::Type { label }, Value::Bool(_)) => Value::String(format!("<{label}:boolean>")),
        // A value of another type than the rule expects stays visible as it is, so
        // a type change shows in the snapshot.
        _ => value.clone(),
    }
}

/// `arn:<partition>:<service>:<region>:<account>:<type>/<id parts>`; `None` when the
/// string is not an ARN (it is then kept as it is).
fn normalise_arn(s: &str, rules: &Normalisers, ids: &mut Identities) -> Option<String> {
    let [prefix, partition, service, region, account, resource] = crate::contract::split_arn(s)?;
    if prefix != "arn" || partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let region = if region.is_empty() { "" } else { "<region>" };
    let account = if account.is_empty() { "" } else { "<account>" };
    let resource = match resource.find(['/', ':']) {
        None => resource.to_owned(),
        Some(i) => {
            let (rtype, sep, id) = (&resource[..i], &resource[i..=i], &resource[i + 1..]);
            let id = rules
                .arn_resources
                .get(rtype)
                .and_then(|p| substitute(p, id, ids))
                .unwrap_or_else(|| ids.placeholder(&fallback_label(rtype), id));
            format!("{rtype}{sep}{id}")
        }
    };
    Some(format!(
        "arn:<partition>:{service}:{region}:{account}:{resource}"
    ))
}

fn fallback_label(rtype: &str) -> String {
    let label: String = rtype
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if label.is_empty() {
        "resource".into()
    } else {
        label
    }
}

/// Replaces each named group of a whole-value match with `<group:N>`, keeping the
/// text between groups; `None` when the parser does not match the whole value.
fn substitute(parser: &Parser, s: &str, ids: &mut Identities) -> Option<String> {
    let caps = parser.regex.captures(s)?;
    let mut groups: Vec<(usize, usize, &str)> = parser
        .regex
        .capture_names()
        .enumerate()
        .filter_map(|(i, name)| {
            let name = name?;
            let m = caps.get(i)?;
            Some((m.start(), m.end(), name))
        })
        .collect();
    groups.sort_by_key(|(start, end, _)| (*start, std::cmp::Reverse(*end)));
    let mut out = String::new();
    let mut cursor = 0;
    for (start, end, name) in groups {
        if start < cursor {
            continue; // nested inside a group already replaced
        }
        out.push_str(&s[cursor..start]);
        out.push_str(&ids.placeholder(name, &s[start..end]));
        cursor = end;
    }
    out.push_str(&s[cursor..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::Path;

    fn rules() -> Normalisers {
        Normalisers::parse(
            r#"
arn_resources:
  task: '(?:(?P<cluster>[^/]+)/)?(?P<task>[^/]+)'
  task-definition: '(?P<family>[^:]+):(?P<revision>[0-9]+)'
rules:
  - kind: arn
    keys: [taskArn, taskArns, taskDefinitionArn, weird]
  - kind: timestamp
    keys: [createdAt]
  - kind: id
    label: eni
    pairs: [networkInterfaceId]
  - kind: id
    label: runtime
    keys: [runtimeId]
    patterns: ['(?P<task>[0-9a-f]{32})-(?P<n>[0-9]+)']
  - kind: id
    label: family
    keys: [group]
    patterns: ['family:(?P<family>.+)']
"#,
            Path::new("t.yaml"),
        )
        .unwrap()
    }

    fn norm(v: Value) -> Value {
        normalise(&v, &rules(), &mut Identities::new())
    }

    #[test]
    fn arns_are_split_into_parts_with_identities() {
        let v = norm(json!({
            "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/c1/0123456789abcdef0123456789abcdef",
            "taskArns": ["arn:aws:ecs:us-east-1:123456789012:task/c1/ffff", "arn:aws:ecs:us-east-1:123456789012:task/old"],
            "taskDefinitionArn": "arn:aws-cn:ecs:cn-north-1:1:task-definition/fam:7",
            "group": "family:fam",
            "runtimeId": "0123456789abcdef0123456789abcdef-2531612879",
        }));
        assert_eq!(
            v,
            json!({
                "group": "family:<family:1>",
                "runtimeId": "<task:1>-<n:1>",
                "taskArn": "arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:1>",
                "taskArns": [
                    "arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:2>",
                    "arn:<partition>:ecs:<region>:<account>:task/<task:3>"
                ],
                "taskDefinitionArn": "arn:<partition>:ecs:<region>:<account>:task-definition/<family:1>:<revision:1>",
            })
        );
    }

    #[test]
    fn values_of_other_types_or_shapes_stay_visible() {
        let v = norm(json!({
            "taskArn": "not-an-arn",
            "weird": "arn:aws:iam::123:role/x/y",
            "createdAt": [1.5, "2024-01-01T00:00:00Z", null],
            "runtimeId": 42,
        }));
        assert_eq!(
            v,
            json!({
                "createdAt": ["<timestamp:number>", "<timestamp:string>", null],
                "runtimeId": 42,
                "taskArn": "not-an-arn",
                "weird": "arn:<partition>:iam::<account>:role/<role:1>",
            })
        );
    }

    #[test]
    fn pairs_select_the_value_by_the_name_beside_it() {
        let v = norm(json!({"details": [
            {"name": "networkInterfaceId", "value": "eni-1"},
            {"name": "subnetId", "value": "eni-1"},
            {"name": "networkInterfaceId", "value": "eni-1"},
        ]}));
        assert_eq!(
            v,
            json!({"details": [
                {"name": "networkInterfaceId", "value": "<eni:1>"},
                {"name": "subnetId", "value": "eni-1"},
                {"name": "networkInterfaceId", "value": "<eni:1>"},
            ]})
        );
    }
}
