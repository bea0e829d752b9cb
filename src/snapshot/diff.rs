//! Differences between two (normalised) JSON values, for people: first which JSON
//! paths changed, one line each, then a unified line diff of the pretty-printed
//! text. No colours: the text goes into findings, reports and files.

use crate::pointer;
use serde_json::Value;
use similar::TextDiff;
use std::collections::BTreeSet;

/// Normalised differences between two responses of the same step on two targets
/// (`ecs-conform diff --endpoint A --against B`), one line per JSON path, e.g.
/// `/tasks/0/lastStatus: "RUNNING" → "PENDING"` or `/x: only in A`. Empty = same.
///
/// Pass values already normalised (see [`normalise`](super::normalise()), with one
/// `Identities` per target), or placeholders will not line up.
pub fn diff_values(a: &Value, b: &Value) -> Vec<String> {
    changes(a, b).iter().map(|c| c.render("A", "B")).collect()
}

/// One difference: where, and the value on each side (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// JSON pointer (`""` for the whole document).
    pub pointer: String,
    /// The same place as unescaped segments (`["tasks", "0", "lastStatus"]`).
    pub path: Vec<String>,
    pub a: Option<Value>,
    pub b: Option<Value>,
}

impl Change {
    /// `"/p: 1 → 2"`, `"/p: only in <a_name> (1)"`.
    pub fn render(&self, a_name: &str, b_name: &str) -> String {
        let at = if self.pointer.is_empty() {
            "(whole document)"
        } else {
            &self.pointer
        };
        match (&self.a, &self.b) {
            (Some(a), Some(b)) => format!("{at}: {} → {}", short(a), short(b)),
            (Some(a), None) => format!("{at}: only in {a_name} ({})", short(a)),
            (None, Some(b)) => format!("{at}: only in {b_name} ({})", short(b)),
            (None, None) => format!("{at}: absent on both sides"),
        }
    }
}

/// The differences, in a stable order (object keys sorted, array indices ascending).
pub fn changes(a: &Value, b: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(a, b, &mut path, &mut out);
    out
}

/// One member (object key or array index) of both sides: compared further when both
/// have it, else a change of its own.
fn member(
    token: String,
    a: Option<&Value>,
    b: Option<&Value>,
    path: &mut Vec<String>,
    out: &mut Vec<Change>,
) {
    path.push(token);
    match (a, b) {
        (Some(va), Some(vb)) => walk(va, vb, path, out),
        (va, vb) => out.push(Change {
            pointer: pointer::build(path.iter()),
            path: path.clone(),
            a: va.cloned(),
            b: vb.cloned(),
        }),
    }
    path.pop();
}

fn walk(a: &Value, b: &Value, path: &mut Vec<String>, out: &mut Vec<Change>) {
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            let keys: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
            for key in keys {
                member(key.clone(), ma.get(key), mb.get(key), path, out);
            }
        }
        (Value::Array(xa), Value::Array(xb)) => {
            for i in 0..xa.len().max(xb.len()) {
                member(i.to_string(), xa.get(i), xb.get(i), path, out);
            }
        }
        _ if a == b => {}
        _ => out.push(Change {
            pointer: pointer::build(path.iter()),
            path: path.clone(),
            a: Some(a.clone()),
            b: Some(b.clone()),
        }),
    }
}

/// A value on one line, shortened when long.
fn short(v: &Value) -> String {
    crate::excerpt::json(v, crate::excerpt::VALUE_CHARS)
}

/// A unified diff of two texts, headed with their names; empty when equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut text = diff
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_each_change() {
        let a =
            json!({"tasks": [{"lastStatus": "RUNNING", "x": 1, "a/b": true}], "only": 1, "n": 1});
        let b =
            json!({"n": 1.0, "tasks": [{"lastStatus": "PENDING", "a/b": true}, {}], "new": null});
        assert_eq!(
            diff_values(&a, &b),
            vec![
                "/n: 1 → 1.0",
                "/new: only in B (null)",
                "/only: only in A (1)",
                "/tasks/0/lastStatus: \"RUNNING\" → \"PENDING\"",
                "/tasks/0/x: only in A (1)",
                "/tasks/1: only in B ({})",
            ]
        );
        assert!(diff_values(&a, &a.clone()).is_empty());
        assert_eq!(
            diff_values(&json!(1), &json!("1")),
            vec!["(whole document): 1 → \"1\""]
        );
    }

    #[test]
    fn key_order_is_not_a_difference() {
        let a: Value = serde_json::from_str(r#"{"a": 1, "b": {"c": 2, "d": 3}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b": {"d": 3, "c": 2}, "a": 1}"#).unwrap();
        assert!(diff_values(&a, &b).is_empty());
    }

    #[test]
    fn unified_diff_marks_lines() {
        let d = unified("a\nb\nc\n", "a\nB\nc\n", "old.snap", "new");
        assert!(d.starts_with("--- old.snap\n+++ new\n"), "{d}");
        assert!(d.contains("\n-b\n+B\n"), "{d}");
        assert!(unified("x\n", "x\n", "o", "n").is_empty());
    }
}
