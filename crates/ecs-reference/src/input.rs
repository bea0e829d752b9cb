//! Typed access to a request's JSON members. A member of the wrong JSON type is an
//! `InvalidParameterException`, never a panic; `null` counts as absent.

use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};

/// A request body: always a JSON object.
pub(crate) struct Input<'a>(pub(crate) &'a Map<String, Value>);

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// How the message of a wrong-typed member starts (the wrong-type-500 deviation finds it).
pub(crate) const WRONG_TYPE: &str = "Invalid type for parameter";

pub(crate) fn wrong_type(key: &str, expected: &str, v: &Value) -> ApiError {
    ApiError::invalid(format!(
        "{WRONG_TYPE} {key}: expected {expected}, got {}.",
        kind(v)
    ))
}

impl<'a> Input<'a> {
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn str(&self, key: &str) -> ApiResult<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(wrong_type(key, "string", v)),
        }
    }

    pub(crate) fn required_str(&self, key: &str) -> ApiResult<&'a str> {
        self.str(key)?
            .ok_or_else(|| ApiError::invalid(format!("Missing required parameter: {key}.")))
    }

    pub(crate) fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| wrong_type(key, "integer", v)),
        }
    }

    pub(crate) fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(wrong_type(key, "boolean", v)),
        }
    }

    pub(crate) fn array(&self, key: &str) -> ApiResult<Option<&'a Vec<Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(wrong_type(key, "array", v)),
        }
    }

    pub(crate) fn object(&self, key: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(v) => Err(wrong_type(key, "object", v)),
        }
    }

    /// An array whose items must all be strings.
    pub(crate) fn str_list(&self, key: &str) -> ApiResult<Option<Vec<&'a str>>> {
        let Some(items) = self.array(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|v| v.as_str().ok_or_else(|| wrong_type(key, "string items", v)))
            .collect::<ApiResult<Vec<_>>>()
            .map(Some)
    }

    /// An array whose items must all be objects.
    pub(crate) fn objects(&self, key: &str) -> ApiResult<Vec<Input<'a>>> {
        let Some(items) = self.array(key)? else {
            return Ok(vec![]);
        };
        items
            .iter()
            .map(|v| match v {
                Value::Object(o) => Ok(Input(o)),
                v => Err(wrong_type(key, "object items", v)),
            })
            .collect()
    }
}

/// Checks a tag list (at most 50 tags; key 1..128 characters without the reserved
/// prefix `aws:`, value 0..256 characters) and returns
/// it normalised to `{key, value}` objects.
/// With `checked` false (the unchecked-tags deviation) only the types are checked.
pub(crate) fn tags(input: &Input, key: &str, checked: bool) -> ApiResult<Vec<Value>> {
    let items = input.objects(key)?;
    if !checked {
        return items
            .iter()
            .map(|tag| {
                let k = tag.required_str("key")?;
                let v = tag.str("value")?.unwrap_or("");
                Ok(serde_json::json!({"key": k, "value": v}))
            })
            .collect();
    }
    if items.len() > 50 {
        return Err(ApiError::invalid("A resource can have at most 50 tags."));
    }
    items
        .iter()
        .map(|tag| {
            let k = tag.required_str("key")?;
            let v = tag.str("value")?.unwrap_or("");
            if k.is_empty() || k.chars().count() > 128 {
                return Err(ApiError::invalid(
                    "Tag keys must be 1 to 128 characters long.",
                ));
            }
            // The `aws:` prefix (any case) is reserved for AWS's own tags.
            if k.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
                return Err(ApiError::invalid(
                    "Tag keys may not begin with the reserved prefix aws:.",
                ));
            }
            if v.chars().count() > 256 {
                return Err(ApiError::invalid(
                    "Tag values must be at most 256 characters long.",
                ));
            }
            Ok(serde_json::json!({"key": k, "value": v}))
        })
        .collect()
}

/// The cluster a request names: a short name, a cluster ARN, or "default" when absent.
pub(crate) fn cluster_name(input: &Input) -> ApiResult<String> {
    Ok(match input.str("cluster")? {
        None => "default".to_string(),
        Some(s) if s.starts_with("arn:") => match s.split_once(":cluster/") {
            Some((_, name)) => name.to_string(),
            None => s.to_string(),
        },
        Some(s) => s.to_string(),
    })
}

/// ECS names (clusters, families, containers): 1..255 letters, digits, `-` and `_`.
pub(crate) fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
