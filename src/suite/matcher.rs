//! Conditions a case states about a response: a JSON pointer and the matchers that
//! must hold at it. This module parses them from case files; `judge` evaluates them.

use serde_json::{Map, Value};

/// One test on the value at a pointer. Values may hold `${variables}`, substituted
/// when the step runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    Equals(Value),
    NotEquals(Value),
    /// `present: true` (exists, even null) or `present: false` (same as absent).
    Present(bool),
    Length(usize),
    MinLength(usize),
    MaxLength(usize),
    /// A regular expression the string must match (searched, anchor it yourself).
    Matches(String),
    OneOf(Vec<Value>),
    /// An array containing this element, or a string containing this text.
    Contains(Value),
    NotContains(Value),
    /// JSON type name: string, number, integer, boolean, array, object, null.
    Type(String),
}

/// A pointer and every matcher that must hold there.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub pointer: String,
    pub matchers: Vec<Matcher>,
}

pub const MATCHER_KEYS: &[&str] = &[
    "equals",
    "not_equals",
    "present",
    "absent",
    "length",
    "min_length",
    "max_length",
    "matches",
    "one_of",
    "contains",
    "not_contains",
    "type",
];

const TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// Checks that a pointer is an RFC 6901 JSON pointer.
pub fn check_pointer(pointer: &str) -> Result<(), String> {
    if pointer.is_empty() {
        return Ok(());
    }
    if !pointer.starts_with('/') {
        return Err(format!(
            "`{pointer}` is not a JSON pointer: it must be empty or start with `/` (e.g. `/tasks/0/lastStatus`)"
        ));
    }
    if crate::pointer::bad_escape(pointer).is_some() {
        return Err(format!(
            "`{pointer}` is not a JSON pointer: `~` must be followed by 0 or 1"
        ));
    }
    Ok(())
}

/// Parses `pointer → spec` pairs. A spec that is not an object means equality; an
/// object's keys must all be matcher names.
pub fn parse_conditions(map: &Map<String, Value>) -> Result<Vec<Condition>, (String, String)> {
    map.iter()
        .map(|(pointer, spec)| {
            check_pointer(pointer).map_err(|m| (pointer.clone(), m))?;
            let matchers = parse_spec(spec).map_err(|m| (pointer.clone(), m))?;
            Ok(Condition {
                pointer: pointer.clone(),
                matchers,
            })
        })
        .collect()
}

fn parse_spec(spec: &Value) -> Result<Vec<Matcher>, String> {
    let Value::Object(map) = spec else {
        return Ok(vec![Matcher::Equals(spec.clone())]);
    };
    if map.is_empty() {
        return Err("an empty matcher: write a value, or one of `equals`, `present`, `length`, … (use `equals: {}` for an empty object)".into());
    }
    map.iter().map(|(k, v)| parse_one(k, v)).collect()
}

fn parse_one(key: &str, v: &Value) -> Result<Matcher, String> {
    let count = |v: &Value| {
        v.as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| format!("`{key}` takes a non-negative integer, not {v}"))
    };
    let flag = |v: &Value| {
        v.as_bool()
            .ok_or_else(|| format!("`{key}` takes true or false, not {v}"))
    };
    Ok(match key {
        "equals" => Matcher::Equals(v.clone()),
        "not_equals" => Matcher::NotEquals(v.clone()),
        "present" => Matcher::Present(flag(v)?),
        "absent" => Matcher::Present(!flag(v)?),
        "length" => Matcher::Length(count(v)?),
        "min_length" => Matcher::MinLength(count(v)?),
        "max_length" => Matcher::MaxLength(count(v)?),
        "matches" => {
            let pattern = v
                .as_str()
                .ok_or_else(|| format!("`matches` takes a regular expression string, not {v}"))?;
            // A pattern with variables is compiled once they are substituted.
            if !pattern.contains("${") {
                regex::Regex::new(pattern)
                    .map_err(|e| format!("`{pattern}` is not a valid regular expression: {e}"))?;
            }
            Matcher::Matches(pattern.to_owned())
        }
        "one_of" => Matcher::OneOf(
            v.as_array()
                .filter(|a| !a.is_empty())
                .cloned()
                .ok_or_else(|| format!("`one_of` takes a non-empty list, not {v}"))?,
        ),
        "contains" => Matcher::Contains(v.clone()),
        "not_contains" => Matcher::NotContains(v.clone()),
        "type" => {
            let t = v
                .as_str()
                .filter(|t| TYPES.contains(t))
                .ok_or_else(|| format!("`type` takes one of {}, not {v}", TYPES.join(", ")))?;
            Matcher::Type(t.to_owned())
        }
        other => {
            return Err(format!(
                "`{other}` is not a matcher; use one of {}",
                MATCHER_KEYS.join(", ")
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Vec<Condition>, (String, String)> {
        parse_conditions(v.as_object().unwrap())
    }

    #[test]
    fn scalars_mean_equality_and_objects_list_matchers() {
        let c = parse(json!({"/a": "STOPPED", "/b": {"length": 2, "present": true}})).unwrap();
        assert_eq!(c[0].matchers, vec![Matcher::Equals(json!("STOPPED"))]);
        assert_eq!(
            c[1].matchers,
            vec![Matcher::Length(2), Matcher::Present(true)]
        );
    }

    #[test]
    fn bad_pointers_keys_and_regexes_are_refused_with_the_pointer() {
        assert_eq!(parse(json!({"tasks/0": 1})).unwrap_err().0, "tasks/0");
        assert!(parse(json!({"/a~2": 1})).is_err());
        assert!(parse(json!({"/a": {"lenght": 1}}))
            .unwrap_err()
            .1
            .contains("lenght"));
        assert!(parse(json!({"/a": {"matches": "("}})).is_err());
        assert!(parse(json!({"/a": {"one_of": []}})).is_err());
        assert!(parse(json!({"/a": {"type": "str"}})).is_err());
        assert!(parse(json!({"/a": {}})).is_err());
    }
}
