//! `${name}` references inside case strings: finding them (for lint) and substituting
//! them (for the runner). A string that is exactly one reference takes the variable's
//! JSON value, type and all; otherwise values are spliced in as text.

use serde_json::{Map, Value};

/// Names referenced by `${...}` in `text`, or the offending fragment when a reference
/// is unterminated or empty.
pub fn references(text: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!(
                "`{}` opens a variable with `${{` but never closes it with `}}`",
                &rest[start..]
            ));
        };
        let name = &after[..end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "`${{{name}}}` is not a variable name: use letters, digits, `_` and `-`"
            ));
        }
        names.push(name);
        rest = &after[end + 1..];
    }
    Ok(names)
}

/// Every string inside `value` (keys included), in document order.
pub fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

/// A reference to a variable that has no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbound(pub String);

/// Substitutes every `${name}` in `value` using `lookup`.
pub fn substitute(value: &Value, lookup: &dyn Fn(&str) -> Option<Value>) -> Result<Value, Unbound> {
    Ok(match value {
        Value::String(s) => substitute_str(s, lookup)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute(v, lookup))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match substitute_str(k, lookup)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(key, substitute(v, lookup)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn substitute_str(s: &str, lookup: &dyn Fn(&str) -> Option<Value>) -> Result<Value, Unbound> {
    if !s.contains("${") {
        return Ok(Value::String(s.to_owned()));
    }
    // A lone reference keeps the variable's JSON type.
    if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        if !name.contains("${") && !name.contains('}') {
            return lookup(name).ok_or_else(|| Unbound(name.to_owned()));
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        match lookup(name).ok_or_else(|| Unbound(name.to_owned()))? {
            Value::String(v) => out.push_str(&v),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(name: &str) -> Option<Value> {
        match name {
            "task" => Some(json!("arn:aws:ecs:us-east-1:1:task/c/abc")),
            "count" => Some(json!(3)),
            "list" => Some(json!(["a", "b"])),
            _ => None,
        }
    }

    #[test]
    fn lone_reference_keeps_json_type_and_spliced_reference_becomes_text() {
        let v = json!({"count": "${count}", "tasks": ["${task}"], "all": "${list}", "name": "n-${count}-x"});
        let out = substitute(&v, &vars).unwrap();
        assert_eq!(
            out,
            json!({"count": 3, "tasks": ["arn:aws:ecs:us-east-1:1:task/c/abc"], "all": ["a", "b"], "name": "n-3-x"})
        );
    }

    #[test]
    fn unbound_reference_is_named() {
        let err = substitute(&json!({"a": "x ${nope} y"}), &vars).unwrap_err();
        assert_eq!(err, Unbound("nope".into()));
    }

    #[test]
    fn references_are_found_and_bad_ones_refused() {
        assert_eq!(references("a ${x} b ${y_1}").unwrap(), vec!["x", "y_1"]);
        assert!(references("a ${x b").is_err());
        assert!(references("a ${} b").is_err());
        assert!(references("a ${x y} b").is_err());
        assert!(references("no refs $ here {}").unwrap().is_empty());
    }
}
