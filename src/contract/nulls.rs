//! JSON `null` as an object member: the AWS SDKs read `"platformFamily": null` as an
//! absent member, so the schemas judge a body as if its null members were not there
//! and report each one as a `warn` (`schema.null-member`). Only object members count:
//! a null inside a list is a value, judged by the list's item schema.

use crate::pointer;
use serde_json::{Map, Value};

/// True when some object in `v` (at any depth) has a member whose value is null.
pub(crate) fn has_null_member(v: &Value) -> bool {
    match v {
        Value::Object(map) => map.values().any(|x| x.is_null() || has_null_member(x)),
        Value::Array(items) => items.iter().any(has_null_member),
        _ => false,
    }
}

/// A copy of `v` without its null object members, and their JSON pointers (below `at`).
pub(crate) fn without_null_members(v: &Value, at: &str, nulls: &mut Vec<String>) -> Value {
    match v {
        Value::Object(map) => {
            let mut kept = Map::with_capacity(map.len());
            for (k, x) in map {
                let here = pointer::child(at, k);
                if x.is_null() {
                    nulls.push(here);
                } else {
                    kept.insert(k.clone(), without_null_members(x, &here, nulls));
                }
            }
            Value::Object(kept)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| without_null_members(x, &format!("{at}/{i}"), nulls))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strips_null_members_at_any_depth_but_keeps_null_list_items() {
        let v = json!({"a": null, "b": {"c": null, "d": 1}, "l": [{"e": null}, null], "a/b": null});
        assert!(has_null_member(&v));
        let mut nulls = Vec::new();
        let stripped = without_null_members(&v, "", &mut nulls);
        assert_eq!(stripped, json!({"b": {"d": 1}, "l": [{}, null]}));
        nulls.sort();
        assert_eq!(nulls, ["/a", "/a~1b", "/b/c", "/l/0/e"]);
        assert!(!has_null_member(
            &json!({"l": [null, 1], "o": {"x": [null]}})
        ));
    }

    #[test]
    fn a_null_required_member_still_fails_and_optional_ones_warn() {
        use crate::contract::data::{parse, DATA_FILE};
        use crate::contract::schemas::SchemaSet;
        use crate::finding::Severity;
        let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let dir = std::env::temp_dir().join(format!("ecs-conform-nulls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(real.join(DATA_FILE), dir.join(DATA_FILE)).unwrap();
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"name": {"type": "string"}, "family": {"type": "string"}},
            "required": ["name"],
            "additionalProperties": false
        });
        std::fs::write(dir.join("R.json"), schema.to_string()).unwrap();
        let (set, doc) = SchemaSet::load(&dir).unwrap();
        let data = parse(&doc).unwrap();
        let judge = |v: Value| set.judge(&data, "R.json", &v, crate::rules::Rule::SchemaResponse);

        let f = judge(json!({"name": "n", "family": null}));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].rule.as_str(), f[0].pointer.as_str()),
            ("schema.null-member", "/family")
        );
        assert_eq!(f[0].severity, Severity::Warn);

        let f = judge(json!({"name": null}));
        let fails: Vec<_> = f.iter().filter(|x| x.severity == Severity::Fail).collect();
        assert_eq!(fails.len(), 1, "{f:?}");
        assert_eq!(fails[0].rule, "schema.response");
        assert!(fails[0].message.contains("name"), "{}", fails[0].message);
        // A wrong type next to a null is still judged.
        let f = judge(json!({"name": 5, "family": null}));
        let mut got: Vec<_> = f
            .iter()
            .map(|x| (x.rule.as_str(), x.pointer.as_str()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("schema.null-member", "/family"),
                ("schema.response", "/name")
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
