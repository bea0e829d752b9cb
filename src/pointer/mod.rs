//! JSON pointers (RFC 6901), in one place: escaping and unescaping a token, parsing a
//! pointer into its tokens, building one from a path, looking a value up or setting
//! one, and the wildcard forms ([`pattern`]): `*`/`**` patterns matched against
//! paths, and `*` selections of array elements (`/tasks/*`).

pub mod pattern;

pub use pattern::{drop_matching, select, PointerPattern};

use serde_json::{Map, Value};
use std::borrow::Cow;

/// Escapes one token: `~` → `~0`, `/` → `~1` (`a/b~c` → `a~1b~0c`).
pub fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1").into()
    } else {
        token.into()
    }
}

/// Unescapes one token: `~1` → `/`, then `~0` → `~` (`a~1b~0c` → `a/b~c`). Most
/// tokens need no unescaping: no copy for them.
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    }
}

/// The unescaped tokens of a pointer, in order: `/tasks/0/a~1b` → `tasks`, `0`, `a/b`;
/// none for `""` (the whole document). `None` when `pointer` is not a pointer (not
/// empty and not starting with `/`).
pub fn tokens(pointer: &str) -> Option<impl Iterator<Item = Cow<'_, str>>> {
    let rest = match pointer {
        "" => None,
        _ => Some(pointer.strip_prefix('/')?),
    };
    Some(rest.into_iter().flat_map(|r| r.split('/')).map(unescape))
}

/// The unescaped tokens of a pointer as owned strings (see [`tokens`]).
pub fn parse(pointer: &str) -> Option<Vec<String>> {
    tokens(pointer).map(|t| t.map(Cow::into_owned).collect())
}

/// A path of unescaped tokens as a pointer: `["tasks", "0", "a/b"]` → `/tasks/0/a~1b`;
/// no tokens → `""`.
pub fn build<I>(path: I) -> String
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut pointer = String::new();
    for token in path {
        push(&mut pointer, token.as_ref());
    }
    pointer
}

/// The pointer to the value holding the one `pointer` names: `/tasks/0/x` →
/// `/tasks/0`, `/tasks` → `""`; `None` for the whole document and for a non-pointer.
pub fn parent(pointer: &str) -> Option<&str> {
    if !pointer.starts_with('/') {
        return None;
    }
    pointer.rsplit_once('/').map(|(parent, _)| parent)
}

/// The pointer to member or element `token` of the value at `at`: `at/token`, with
/// `token` escaped.
pub fn child(at: &str, token: &str) -> String {
    let mut pointer = String::with_capacity(at.len() + 1 + token.len());
    pointer.push_str(at);
    push(&mut pointer, token);
    pointer
}

/// Appends `/` and the escaped `token` to `pointer`.
pub fn push(pointer: &mut String, token: &str) {
    pointer.push('/');
    pointer.push_str(&escape(token));
}

/// Sets the member at `pointer` to `value`, creating the objects on the way; false
/// (nothing changed) when the pointer is not one, is the whole document, or passes
/// through something other than an object.
pub fn insert(root: &mut Value, pointer: &str, value: Value) -> bool {
    let Some(path) = parse(pointer) else {
        return false;
    };
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut at = root;
    for token in parents {
        let Value::Object(map) = at else {
            return false;
        };
        at = map
            .entry(token.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    match at {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            true
        }
        _ => false,
    }
}

/// The value at a pointer, as `Value::pointer` finds it, without copying the tokens
/// that need no unescaping (`Value::pointer` allocates twice per token).
pub fn lookup<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    tokens(pointer)?.try_fold(root, |target, token| match target {
        Value::Object(map) => map.get(token.as_ref()),
        Value::Array(list) => index(&token).and_then(|i| list.get(i)),
        _ => None,
    })
}

/// An array index token as RFC 6901 writes it: digits, no sign, no leading zero.
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

/// The first bad escape in a raw (escaped) token: what follows a `~` that is not `0`
/// or `1` (empty when the token ends with `~`), or `None` when every escape is good.
pub fn bad_escape(raw: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn escapes_round_trip() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(unescape("a~1b~0c"), "a/b~c");
        // `~01` is an escaped `~` followed by `1`, not a `/`.
        assert_eq!(unescape("~01"), "~1");
        for token in ["", "~", "/", "~1", "a/b~c", "~0/~1"] {
            assert_eq!(unescape(&escape(token)), token, "{token}");
        }
    }

    #[test]
    fn pointers_parse_into_tokens_and_build_back() {
        assert_eq!(parse(""), Some(vec![]));
        assert_eq!(parse("/"), Some(vec![String::new()]));
        assert_eq!(
            parse("/tasks/0/a~1b"),
            Some(vec!["tasks".into(), "0".into(), "a/b".into()])
        );
        assert_eq!(parse("tasks/0"), None);
        assert_eq!(build(["a/b", "0"]), "/a~1b/0");
        assert_eq!(build(Vec::<String>::new()), "");
        assert_eq!(child("/tasks/0", "c~d"), "/tasks/0/c~0d");
        assert_eq!(parent("/tasks/0/a~1b"), Some("/tasks/0"));
        assert_eq!(parent("/tasks"), Some(""));
        assert_eq!(parent(""), None);
        assert_eq!(parent("tasks/0"), None);
        for p in ["", "/", "//x", "/tasks/0/a~1b~0"] {
            assert_eq!(build(parse(p).unwrap()), p, "{p}");
        }
    }

    #[test]
    fn insert_sets_members_and_creates_objects_on_the_way() {
        let mut v = json!({"a": {"b": 1}, "n": 3});
        assert!(insert(&mut v, "/a/c~1d", json!(2)));
        assert!(insert(&mut v, "/x/y", json!("z")));
        assert_eq!(v, json!({"a": {"b": 1, "c/d": 2}, "n": 3, "x": {"y": "z"}}));
        assert!(!insert(&mut v, "/n/m", json!(0)), "3 has no members");
        assert!(!insert(&mut v, "", json!(0)), "not the whole document");
        assert!(!insert(&mut v, "a", json!(0)), "not a pointer");
        assert_eq!(v["n"], 3);
    }

    #[test]
    fn bad_escapes_are_named() {
        assert_eq!(bad_escape("a~0b~1"), None);
        assert_eq!(bad_escape("a~2").as_deref(), Some("2"));
        assert_eq!(bad_escape("a~").as_deref(), Some(""));
    }
}
