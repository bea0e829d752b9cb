//! Variables of one case: built-ins (`run_id`, `case_id`, `region`, `uuid`), values
//! saved by fixtures, the case's own `vars`, and values saved by its steps.

use crate::suite::template::{self, Unbound};
use crate::suite::{Condition, Matcher};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// A variable scope.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: HashMap<String, Value>,
}

impl Vars {
    pub fn new() -> Self {
        Vars::default()
    }

    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        if name == "uuid" {
            return Some(Value::String(uuid()));
        }
        self.values.get(name).cloned()
    }

    pub fn extend(&mut self, other: &Vars) {
        for (k, v) in &other.values {
            self.values.insert(k.clone(), v.clone());
        }
    }

    /// Adds the case's `vars`, each substituted with what is defined before it.
    pub fn define_all(&mut self, vars: &Map<String, Value>) -> Result<(), Unbound> {
        for (name, value) in vars {
            let bound = self.bind(value)?;
            self.set(name.clone(), bound);
        }
        Ok(())
    }

    pub fn bind(&self, value: &Value) -> Result<Value, Unbound> {
        template::substitute(value, &|n| self.get(n))
    }

    /// Conditions with their values bound.
    pub fn bind_conditions(&self, conditions: &[Condition]) -> Result<Vec<Condition>, Unbound> {
        conditions
            .iter()
            .map(|c| {
                Ok(Condition {
                    pointer: c.pointer.clone(),
                    matchers: c
                        .matchers
                        .iter()
                        .map(|m| self.bind_matcher(m))
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect()
    }

    fn bind_matcher(&self, m: &Matcher) -> Result<Matcher, Unbound> {
        let b = |v: &Value| self.bind(v);
        Ok(match m {
            Matcher::Equals(v) => Matcher::Equals(b(v)?),
            Matcher::NotEquals(v) => Matcher::NotEquals(b(v)?),
            Matcher::OneOf(items) => Matcher::OneOf(items.iter().map(b).collect::<Result<_, _>>()?),
            Matcher::Contains(v) => Matcher::Contains(b(v)?),
            Matcher::NotContains(v) => Matcher::NotContains(b(v)?),
            Matcher::Matches(p) => match b(&Value::String(p.clone()))? {
                Value::String(s) => Matcher::Matches(s),
                other => Matcher::Matches(other.to_string()),
            },
            other => other.clone(),
        })
    }
}

/// A random 64-bit number from the standard library's per-process hasher keys.
pub fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// A random (version 4 layout) UUID.
pub fn uuid() -> String {
    let (a, b) = (random_u64(), random_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// A short id for this run: 8 lower-case hex digits.
pub fn new_run_id() -> String {
    format!("{:08x}", random_u64() as u32)
}

/// A short id for one case, unique within the run and stable for its id.
pub fn case_id(run_id: &str, case: &str) -> String {
    // FNV-1a: stable across runs and platforms.
    let mut h: u32 = 0x811c_9dc5;
    for b in case.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{run_id}-{h:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uuids_have_the_v4_layout_and_differ() {
        let re = regex::Regex::new(
            "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        let (a, b) = (uuid(), uuid());
        assert!(re.is_match(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn case_vars_bind_in_order_and_case_ids_are_stable() {
        let mut v = Vars::new();
        v.set("run_id", json!("r1"));
        let vars: Map<String, Value> =
            serde_json::from_value(json!({"cluster": "c-${run_id}", "name": "${cluster}-x"}))
                .unwrap();
        v.define_all(&vars).unwrap();
        assert_eq!(v.get("name"), Some(json!("c-r1-x")));
        assert_eq!(case_id("r", "a/b"), case_id("r", "a/b"));
        assert_ne!(case_id("r", "a/b"), case_id("r", "a/c"));
    }
}
