//! Parses response bodies into `serde_json::Value`, the same values `serde_json::from_str`
//! gives, but with every object's map created with room for a few members: ECS objects
//! mostly have several, and growing each map from empty (rehashing as it goes) was a
//! sixth of the parse time (see docs/benchmarks.md).

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Members an object's map has room for before it first grows.
const MEMBERS: usize = 8;

/// The body as JSON, or `None` when it is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Presized.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(value)
}

/// A JSON value of any kind, objects pre-sized.
struct Presized;

impl<'de> DeserializeSeed<'de> for Presized {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(Presized)
    }
}

impl<'de> Visitor<'de> for Presized {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // As serde_json: a non-finite float (which JSON cannot spell) would be null.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Presized)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::with_capacity(MEMBERS);
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(Presized)?;
            // As serde_json: a repeated member keeps its place and takes the last value.
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_as_serde_json() {
        let texts = [
            "{}",
            "[]",
            "null",
            " true ",
            "0",
            "-0",
            "-12",
            "18446744073709551615",
            "-9223372036854775808",
            "1e400",
            "1.7e9",
            "1732384959.123456",
            "0.1",
            "-1.5E-7",
            r#""caf\u00e9 \ud83d\ude00 \n \"q\" \\ \/""#,
            r#"{"b":1,"a":2,"b":3}"#,
            r#"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:123:task/c/1","containers":[{"name":"app"}],
               "createdAt":1732384959.5,"tags":[],"overrides":{"containerOverrides":[]}}],"failures":[]}"#,
            r#"[[[[[]]]],{"":{"":""}}]"#,
        ];
        for text in texts {
            let expected: Option<Value> = serde_json::from_str(text).ok();
            let got = parse(text);
            assert_eq!(got, expected, "{text}");
            // Same member order too (Value's == ignores it).
            assert_eq!(
                got.map(|v| v.to_string()),
                expected.map(|v| v.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in [
            "",
            "{",
            "{} {}",
            "{}x",
            "[1,]",
            "{\"a\":1,}",
            "NaN",
            "'a'",
            "{\"a\" 1}",
            "<html></html>",
        ] {
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
