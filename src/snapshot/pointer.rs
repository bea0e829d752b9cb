//! JSON pointer patterns: an RFC 6901 pointer whose segments may be `*` (any one
//! key or index) or `**` (any number of segments, including none). Used by
//! normaliser rules (`pointers:`) and by per-target ignored paths.

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
                    Segment::Literal(raw.replace("~1", "/").replace("~0", "~"))
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

fn bad_escape(raw: &str) -> Option<String> {
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') | Some('1') => {}
                Some(other) => return Some(other.to_string()),
                None => return Some(String::new()),
            }
        }
    }
    None
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

/// A concrete path as a JSON pointer: `["tasks", "0", "a/b"]` → `/tasks/0/a~1b`.
pub fn to_pointer(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(to_pointer(&path(&["a/b", "0"])), "/a~1b/0");
    }
}
