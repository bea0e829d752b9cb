//! Wildcard pointers. A [`PointerPattern`] is a pointer whose tokens may be `*` (any
//! one key or index) or `**` (any number of tokens, including none), matched against
//! concrete paths: normaliser rules (`pointers:`), per-target ignored paths and the
//! locations of known deviations. [`select`] expands the `*` tokens of a pointer over
//! the elements of arrays in a value (`/tasks/*` → `/tasks/0`, `/tasks/1`, …).

use super::{bad_escape, unescape};
use serde_json::Value;

/// A compiled pointer pattern, e.g. `/tasks/*/attachments/*/id` or `/**/id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointerPattern {
    source: String,
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Any,
    AnyDepth,
}

impl PointerPattern {
    /// Parses a pattern; it must be empty (the whole document) or start with `/`.
    pub fn parse(source: &str) -> Result<PointerPattern, String> {
        if source.is_empty() {
            return Ok(PointerPattern {
                source: String::new(),
                segments: Vec::new(),
            });
        }
        let Some(rest) = source.strip_prefix('/') else {
            return Err(format!(
                "`{source}` is not a JSON pointer: it must start with `/`"
            ));
        };
        let mut segments = Vec::new();
        for raw in rest.split('/') {
            segments.push(match raw {
                "*" => Segment::Any,
                "**" => Segment::AnyDepth,
                _ => {
                    if let Some(bad) = bad_escape(raw) {
                        return Err(format!(
                            "`{source}`: `~{bad}` is not a JSON pointer escape (use `~0` for `~`, `~1` for `/`)"
                        ));
                    }
                    Segment::Literal(unescape(raw).into_owned())
                }
            });
        }
        Ok(PointerPattern {
            source: source.to_owned(),
            segments,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Does the concrete path (unescaped segments) match this pattern?
    pub fn matches(&self, path: &[String]) -> bool {
        matches_from(&self.segments, path)
    }
}

fn matches_from(pattern: &[Segment], path: &[String]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((Segment::AnyDepth, rest)) => (0..=path.len()).any(|i| matches_from(rest, &path[i..])),
        Some((segment, rest)) => match path.split_first() {
            None => false,
            Some((head, tail)) => {
                let ok = match segment {
                    Segment::Any => true,
                    Segment::Literal(lit) => lit == head,
                    Segment::AnyDepth => unreachable!("handled above"),
                };
                ok && matches_from(rest, tail)
            }
        },
    }
}

/// Removes every member or element whose path matches one of the patterns.
/// Array elements are removed from the end first, so the indices a pattern names
/// are those of the value as given.
pub fn drop_matching(value: &mut Value, patterns: &[PointerPattern]) {
    if patterns.is_empty() {
        return;
    }
    let mut path = Vec::new();
    drop_at(value, patterns, &mut path);
}

fn drop_at(value: &mut Value, patterns: &[PointerPattern], path: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                path.push(key.clone());
                if patterns.iter().any(|p| p.matches(path)) {
                    map.shift_remove(&key);
                } else if let Some(child) = map.get_mut(&key) {
                    drop_at(child, patterns, path);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for i in (0..items.len()).rev() {
                path.push(i.to_string());
                if patterns.iter().any(|p| p.matches(path)) {
                    items.remove(i);
                } else {
                    drop_at(&mut items[i], patterns, path);
                }
                path.pop();
            }
        }
        _ => {}
    }
}

/// Every value matching a pointer whose `*` tokens stand for each element of an array,
/// with its concrete pointer (other tokens kept as written, escaped).
/// `/tasks/*` → `[("/tasks/0", t0), ("/tasks/1", t1)]`.
pub fn select<'v>(root: &'v Value, pattern: &str) -> Vec<(String, &'v Value)> {
    let mut current = vec![(String::new(), root)];
    for token in pattern.split('/').skip(1) {
        let key = unescape(token);
        let mut next = Vec::new();
        for (at, value) in current {
            if token == "*" {
                if let Some(items) = value.as_array() {
                    next.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (raw_child(&at, &i.to_string()), v)),
                    );
                }
            } else if let Some(v) = value.get(key.as_ref()) {
                next.push((raw_child(&at, token), v));
            }
        }
        current = next;
    }
    current
}

/// `at` + `/` + `token` (already escaped), in one allocation.
fn raw_child(at: &str, token: &str) -> String {
    let mut path = String::with_capacity(at.len() + 1 + token.len());
    path.push_str(at);
    path.push('/');
    path.push_str(token);
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pointer::build;
    use serde_json::json;

    fn p(s: &str) -> PointerPattern {
        PointerPattern::parse(s).unwrap()
    }
    fn path(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn wildcards_match_one_or_many_segments() {
        assert!(p("/tasks/*/id").matches(&path(&["tasks", "3", "id"])));
        assert!(!p("/tasks/*/id").matches(&path(&["tasks", "id"])));
        assert!(p("/**/id").matches(&path(&["id"])));
        assert!(p("/**/id").matches(&path(&["a", "b", "id"])));
        assert!(!p("/**/id").matches(&path(&["a", "idx"])));
        assert!(p("/a~1b/c~0d").matches(&path(&["a/b", "c~d"])));
        assert!(p("").matches(&[]));
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(PointerPattern::parse("tasks/0")
            .unwrap_err()
            .contains("must start with `/`"));
        assert!(PointerPattern::parse("/a~2").unwrap_err().contains("~2"));
    }

    #[test]
    fn drop_matching_removes_members_and_elements() {
        let mut v = json!({"tasks": [{"version": 3, "x": 1}, {"version": 4}], "keep": [1, 2, 3]});
        drop_matching(&mut v, &[p("/tasks/*/version"), p("/keep/1")]);
        assert_eq!(v, json!({"tasks": [{"x": 1}, {}], "keep": [1, 3]}));
        assert_eq!(build(path(&["a/b", "0"])), "/a~1b/0");
    }

    #[test]
    fn select_expands_wildcards_and_skips_absent_members() {
        let v = json!({"tasks": [{"a": 1}, {"a": 2}], "task": {"a": 3}});
        let got: Vec<_> = select(&v, "/tasks/*").into_iter().map(|(p, _)| p).collect();
        assert_eq!(got, ["/tasks/0", "/tasks/1"]);
        assert_eq!(select(&v, "/task")[0].1, &json!({"a": 3}));
        assert!(select(&v, "/nothing/*").is_empty());
        // Escaped tokens reach the member they name; the pointer keeps them escaped.
        let odd = json!({"a/b": [{"c~d": 1}]});
        assert_eq!(
            select(&odd, "/a~1b/*/c~0d"),
            vec![("/a~1b/0/c~0d".to_string(), &json!(1))]
        );
    }
}
