//! Small helpers over JSON values: pointer escaping, wildcard locations (`/tasks/*`),
//! short renderings of values for findings, and ARN pieces.

use serde_json::Value;

/// Escapes one JSON pointer token (RFC 6901).
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Every value matching a pointer whose `*` tokens stand for each element of an array,
/// with its concrete pointer. `/tasks/*` → `[("/tasks/0", t0), ("/tasks/1", t1)]`.
pub(crate) fn select<'v>(root: &'v Value, pattern: &str) -> Vec<(String, &'v Value)> {
    let mut current = vec![(String::new(), root)];
    for token in pattern.split('/').skip(1) {
        // Most tokens need no unescaping: no copy for them.
        let key: std::borrow::Cow<'_, str> = if token.contains('~') {
            token.replace("~1", "/").replace("~0", "~").into()
        } else {
            token.into()
        };
        let mut next = Vec::new();
        for (at, value) in current {
            if token == "*" {
                if let Some(items) = value.as_array() {
                    next.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (child(&at, &i.to_string()), v)),
                    );
                }
            } else if let Some(v) = value.get(key.as_ref()) {
                next.push((child(&at, token), v));
            }
        }
        current = next;
    }
    current
}

/// `at` + `/` + `token`, in one allocation.
fn child(at: &str, token: &str) -> String {
    let mut path = String::with_capacity(at.len() + 1 + token.len());
    path.push_str(at);
    path.push('/');
    path.push_str(token);
    path
}

/// The value at a JSON pointer, as `Value::pointer` finds it, without copying the
/// tokens that need no unescaping (`Value::pointer` allocates twice per token).
pub(crate) fn lookup<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').try_fold(root, |target, token| {
        let token: std::borrow::Cow<'_, str> = if token.contains('~') {
            token.replace("~1", "/").replace("~0", "~").into()
        } else {
            token.into()
        };
        match target {
            Value::Object(map) => map.get(token.as_ref()),
            Value::Array(list) => index(&token).and_then(|i| list.get(i)),
            _ => None,
        }
    })
}

/// An array index token as RFC 6901 writes it: digits, no sign, no leading zero.
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

/// A value rendered as compact JSON, cut to a readable length.
pub(crate) fn truncate_json(v: &Value) -> String {
    const MAX: usize = 120;
    let s = v.to_string();
    if s.chars().count() <= MAX {
        s
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// The id of a task from its ARN or id: the last `/` segment.
pub(crate) fn task_id(arn_or_id: &str) -> &str {
    arn_or_id.rsplit('/').next().unwrap_or(arn_or_id)
}

/// True when `cluster_arn` names the requested cluster (a name or an ARN).
pub(crate) fn cluster_matches(cluster_arn: &str, requested: &str) -> bool {
    if requested.starts_with("arn:") {
        cluster_arn == requested
    } else {
        cluster_arn.starts_with("arn:")
            && cluster_arn
                .rsplit_once(":cluster/")
                .is_some_and(|(_, name)| name == requested)
    }
}

/// Resolves a relative `$ref` (no fragment) from the file `from` to a path relative to
/// the schemas directory: `resolve("shapes/Task.json", "../common/Timestamp.json")`.
pub(crate) fn resolve(from: &str, target: &str) -> String {
    let target = target.split('#').next().unwrap_or(target);
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    #[test]
    fn lookup_finds_what_value_pointer_finds() {
        let v = json!({"tasks": [{"a": 1}, {"a": 2}], "a/b": {"c~d": [true]}, "": {"": 0},
                       "01": "key", "7": "seven"});
        for p in [
            "",
            "/",
            "//",
            "/tasks",
            "/tasks/0",
            "/tasks/1/a",
            "/tasks/2",
            "/tasks/01",
            "/tasks/+1",
            "/tasks/-1",
            "/tasks/a",
            "/a~1b/c~0d/0",
            "/a~1b/c~d",
            "/a/b",
            "/01",
            "/7",
            "tasks",
            "/tasks/0/a/b",
            "/missing",
        ] {
            assert_eq!(lookup(&v, p), v.pointer(p), "{p}");
        }
    }

    #[test]
    fn cluster_names_and_arns() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:cluster/production";
        assert!(cluster_matches(arn, "production"));
        assert!(cluster_matches(arn, arn));
        assert!(!cluster_matches(arn, "prod"));
        assert!(!cluster_matches("production", "production"));
        assert!(!cluster_matches(
            arn,
            "arn:aws:ecs:us-east-1:123456789012:cluster/other"
        ));
    }

    #[test]
    fn ids_and_escapes() {
        assert_eq!(task_id("arn:aws:ecs:r:1:task/c/abc"), "abc");
        assert_eq!(task_id("abc"), "abc");
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert!(truncate_json(&json!("x".repeat(500))).ends_with('…'));
    }
}
