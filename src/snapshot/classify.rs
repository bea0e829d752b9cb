//! What a difference between a snapshot and a response means: a contract difference
//! (`snapshot.mismatch`, fail) or drift (`snapshot.drift`), declared as data in the
//! `compare` section of `snapshots/normalisers.yaml`.
//!
//! A snapshot is recorded on one target; another target may legally answer a moment
//! earlier or later, send an optional member the first did not, or word a message
//! differently. Only these differences fail:
//!
//! - the HTTP status, or the body being JSON on one side only;
//! - a JSON type (and the type kept by `timestamp`/`type` placeholders:
//!   `<timestamp:number>` against `<timestamp:string>`);
//! - the value of a member listed under `values` (enums, statuses, the error type);
//! - the identity of an ARN: the same resource type, and each identity placeholder
//!   that both sides name is the same (`task/<cluster:1>/<task:1>` against
//!   `task/<cluster:1>/<task:2>` names another task; against the older
//!   `task/<task:1>` it is the same task, drift);
//! - a member listed under `required` present on one side only;
//! - a list listed under `lists` (or one of its elements) present on one side only.
//!
//! Everything else is drift. Without a `compare` section every difference fails.
//!
//! ```yaml
//! compare:
//!   values:   { keys: [lastStatus], pointers: ['/**/attachments/*/status'] }
//!   required: { keys: [__type] }
//!   lists:    ['/tasks', '/taskArns']
//! ```
//! Pointers are JSON pointer patterns into the response body.

use super::diff::Change;
use crate::pointer::PointerPattern;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::{Location, Spanned};
use std::collections::{BTreeMap, HashSet};

/// Members selected by name (at any depth) or by pointer pattern into the body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selector {
    keys: HashSet<String>,
    pointers: Vec<PointerPattern>,
}

impl Selector {
    /// The member at this path, or an element of a list at such a member.
    fn selects(&self, body_path: &[String]) -> bool {
        let key = match body_path {
            [.., key, index] if index.parse::<usize>().is_ok() => Some(key),
            [.., key] => Some(key),
            [] => None,
        };
        key.is_some_and(|k| self.keys.contains(k))
            || self.pointers.iter().any(|p| p.matches(body_path))
    }

    fn from_raw(raw: &RawSelector, what: &str) -> Result<Selector, (Option<Location>, String)> {
        let mut pointers = Vec::new();
        for p in &raw.pointers {
            pointers.push(
                PointerPattern::parse(&p.value)
                    .map_err(|m| (Some(p.referenced), format!("{what}: {m}")))?,
            );
        }
        Ok(Selector {
            keys: raw.keys.iter().cloned().collect(),
            pointers,
        })
    }
}

/// The classification, loaded from the `compare` section.
#[derive(Debug, Clone)]
pub(crate) struct Compare {
    /// No `compare` section: every difference fails.
    strict: bool,
    values: Selector,
    required: Selector,
    lists: Vec<PointerPattern>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSelector {
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    pointers: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCompare {
    #[serde(default)]
    values: RawSelector,
    #[serde(default)]
    required: RawSelector,
    #[serde(default)]
    lists: Vec<Spanned<String>>,
    /// Free text for readers, per section.
    #[serde(default)]
    #[allow(dead_code)]
    why: BTreeMap<String, String>,
}

impl Compare {
    /// Every difference fails (a normalisers file without a `compare` section).
    pub(crate) fn strict() -> Compare {
        Compare {
            strict: true,
            values: Selector::default(),
            required: Selector::default(),
            lists: Vec::new(),
        }
    }

    pub(crate) fn from_raw(raw: &RawCompare) -> Result<Compare, (Option<Location>, String)> {
        let mut lists = Vec::new();
        for p in &raw.lists {
            lists.push(
                PointerPattern::parse(&p.value)
                    .map_err(|m| (Some(p.referenced), format!("lists: {m}")))?,
            );
        }
        Ok(Compare {
            strict: false,
            values: Selector::from_raw(&raw.values, "values")?,
            required: Selector::from_raw(&raw.required, "required")?,
            lists,
        })
    }

    /// Is this member one whose value is compared literally (an enum, a status)?
    pub(crate) fn is_value(&self, body_path: &[String]) -> bool {
        self.values.selects(body_path)
    }

    /// Is this member one the contract requires?
    pub(crate) fn is_required(&self, body_path: &[String]) -> bool {
        self.required.selects(body_path)
    }

    /// `Some(why)` when the change breaks the contract, `None` when it is drift.
    pub(crate) fn contract_difference(&self, change: &Change) -> Option<&'static str> {
        if self.strict {
            return Some("the response differs from the snapshot");
        }
        let Some((root, body_path)) = change.path.split_first() else {
            return Some("the response differs from the snapshot");
        };
        if root != "body" {
            return Some(match root.as_str() {
                "status" => "the HTTP status differs",
                _ => "the body is JSON on one side only",
            });
        }
        match (&change.a, &change.b) {
            (Some(a), Some(b)) => self.both_present(body_path, a, b),
            _ => self.one_side(body_path),
        }
    }

    fn both_present(&self, body_path: &[String], a: &Value, b: &Value) -> Option<&'static str> {
        if type_of(a) != type_of(b) {
            return Some("the JSON type differs");
        }
        if self.is_value(body_path) {
            return Some("the value of an enum, a status or an error type differs");
        }
        if let (Value::String(a), Value::String(b)) = (a, b) {
            if let (Some(a), Some(b)) = (Arn::parse(a), Arn::parse(b)) {
                if !a.same_resource(&b) {
                    return Some("the ARN names another resource");
                }
            }
        }
        None
    }

    fn one_side(&self, body_path: &[String]) -> Option<&'static str> {
        if self.is_required(body_path) {
            return Some("a member the contract requires is present on one side only");
        }
        let in_list = |path: &[String]| self.lists.iter().any(|p| p.matches(path));
        let parent = &body_path[..body_path.len().saturating_sub(1)];
        if in_list(body_path) || (!body_path.is_empty() && in_list(parent)) {
            return Some("an element of a list whose elements are identities is on one side only");
        }
        None
    }
}

/// The JSON type of a normalised value; a `timestamp`/`type` placeholder
/// (`<label:number>`) counts as the type it keeps.
fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::String(s) => typed_placeholder(s).unwrap_or("string"),
    }
}

/// `<label:number>` → `number` (likewise `string`, `boolean`).
fn typed_placeholder(s: &str) -> Option<&'static str> {
    let inner = s.strip_prefix('<')?.strip_suffix('>')?;
    let (label, kind) = inner.split_once(':')?;
    if label.is_empty() || label.contains(['<', '>']) {
        return None;
    }
    ["number", "string", "boolean"]
        .into_iter()
        .find(|k| *k == kind)
}

/// A normalised ARN: `arn:<partition>:<service>:<region>:<account>:<type>/<id parts>`.
struct Arn<'a> {
    service: &'a str,
    rtype: &'a str,
    /// `label → N` of each identity placeholder in the id parts.
    ids: Vec<(&'a str, &'a str)>,
}

impl<'a> Arn<'a> {
    fn parse(s: &'a str) -> Option<Arn<'a>> {
        let rest = s.strip_prefix("arn:<partition>:")?;
        let mut parts = rest.splitn(4, ':');
        let (service, _region, _account, resource) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let (rtype, id) = match resource.find(['/', ':']) {
            Some(i) => (&resource[..i], &resource[i + 1..]),
            None => (resource, ""),
        };
        let mut ids = Vec::new();
        let mut rest = id;
        while let Some(start) = rest.find('<') {
            let Some(len) = rest[start..].find('>') else {
                break;
            };
            if let Some((label, n)) = rest[start + 1..start + len].split_once(':') {
                ids.push((label, n));
            }
            rest = &rest[start + len + 1..];
        }
        Some(Arn {
            service,
            rtype,
            ids,
        })
    }

    /// Same service and resource type, and every placeholder label both name has the
    /// same number (an ARN in the older format names fewer parts: still the same).
    fn same_resource(&self, other: &Arn) -> bool {
        self.service == other.service
            && self.rtype == other.rtype
            && self.ids.iter().all(|(label, n)| {
                other
                    .ids
                    .iter()
                    .filter(|(l, _)| l == label)
                    .all(|(_, m)| m == n)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_are_compared_by_identity() {
        let arn = |s: &'static str| Arn::parse(s).unwrap();
        let new1 = arn("arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:1>");
        let new2 = arn("arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:2>");
        let old1 = arn("arn:<partition>:ecs:<region>:<account>:task/<task:1>");
        let cont = arn(
            "arn:<partition>:ecs:<region>:<account>:container/<cluster:1>/<task:1>/<container:1>",
        );
        assert!(new1.same_resource(&old1));
        assert!(!new1.same_resource(&new2));
        assert!(!new1.same_resource(&cont));
        assert!(Arn::parse("arn:aws:ecs:us-east-1:1:task/x").is_none());
    }

    #[test]
    fn typed_placeholders_keep_their_type() {
        assert_eq!(type_of(&Value::from("<timestamp:number>")), "number");
        assert_eq!(type_of(&Value::from("<version:string>")), "string");
        assert_eq!(type_of(&Value::from("<task:1>")), "string");
        assert_eq!(type_of(&Value::from("<:number>")), "string");
    }
}
