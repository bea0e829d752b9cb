//! The case-file model as written by users: `Case`, `Step`, `Expect` and fixtures,
//! deserialised from YAML or JSON with unknown keys refused.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// One case file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The seed section the case checks, e.g. `ecs-task-api-reference.md#StopTask`.
    pub cites: String,
    /// What the case shows, in a sentence or two.
    #[serde(default)]
    pub description: Option<String>,
    /// Fixtures (from the suite's fixtures file) this case needs.
    #[serde(default)]
    pub fixtures: Vec<String>,
    /// Case-level variables; values may refer to other variables.
    #[serde(default)]
    pub vars: Map<String, Value>,
    #[serde(deserialize_with = "located_steps")]
    pub steps: Vec<Step>,
    /// Steps that always run after `steps`, also after a failure.
    #[serde(default, deserialize_with = "located_steps")]
    pub teardown: Vec<Step>,
}

/// One call of an operation, with what to keep from its answer and what to expect.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Operation name, e.g. `RunTask`.
    pub call: String,
    /// The request body (`{}` when omitted); strings may hold `${variables}`.
    #[serde(default = "empty_object", rename = "with")]
    pub request: Value,
    /// Text sent as the request body byte for byte instead of `with` (malformed JSON,
    /// a body that is not an object); variables are not substituted in it.
    #[serde(default)]
    pub raw_body: Option<String>,
    /// The X-Amz-Target value to send instead of the operation's own; an empty string
    /// sends no X-Amz-Target header. The answer is still judged as `call`'s.
    #[serde(default)]
    pub target: Option<String>,
    /// Variables to save from the response: name → JSON pointer, or
    /// `{pointer, capture}` to keep the first group of a regular expression.
    #[serde(default)]
    pub save: BTreeMap<String, Save>,
    /// Poll until these conditions hold (pointer → matcher).
    #[serde(default)]
    pub until: Option<Map<String, Value>>,
    /// Deadline for `until`, e.g. `60s`.
    #[serde(default, with = "duration_opt")]
    pub within: Option<Duration>,
    /// Interval between polls (default: the target's poll interval).
    #[serde(default, with = "duration_opt")]
    pub every: Option<Duration>,
    /// Follow `nextToken` until the last page; expectations then see
    /// `{"taskArns": [all pages], "pages": N}`.
    #[serde(default)]
    pub paginate: bool,
    #[serde(default)]
    pub expect: Option<RawExpect>,
    /// Compare the normalised response with the stored snapshot.
    #[serde(default)]
    pub snapshot: bool,
    /// 1-based line where the step starts in its file, from the YAML parser's span
    /// (0 when the parser gives none, as for JSON: the loader fills it in then).
    #[serde(skip)]
    pub line: usize,
}

/// Steps with the line each starts on (the parser's span of the sequence item), read
/// in the same pass as the steps themselves.
fn located_steps<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Step>, D::Error> {
    let steps = Vec::<serde_saphyr::Spanned<Step>>::deserialize(d)?;
    Ok(steps
        .into_iter()
        .map(|s| Step {
            line: s.referenced.line() as usize,
            ..s.value
        })
        .collect())
}

/// Where a saved variable comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Save {
    /// The whole value at a JSON pointer.
    Pointer(String),
    /// The first capture group of `capture` matched against the string at `pointer`,
    /// e.g. the task id at the end of a task ARN.
    Capture { pointer: String, capture: String },
}

impl Save {
    pub fn pointer(&self) -> &str {
        match self {
            Save::Pointer(p) | Save::Capture { pointer: p, .. } => p,
        }
    }
}

/// What a step expects, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// HTTP status, or a list of acceptable ones.
    #[serde(default)]
    pub status: Option<Value>,
    /// Error type (normalised), or a list of acceptable ones.
    #[serde(default)]
    pub error: Option<Value>,
    /// pointer → matcher.
    #[serde(default)]
    pub body: Map<String, Value>,
    /// response header name (any case) → matcher.
    #[serde(default)]
    pub headers: Map<String, Value>,
}

/// The suite's shared fixtures file (`cases/fixtures.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFixtures {
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Suite-wide variables with their defaults (a target file or `--var` overrides them),
    /// e.g. the subnet and security group RunTask places tasks in.
    #[serde(default)]
    pub vars: Map<String, Value>,
    pub fixtures: BTreeMap<String, Fixture>,
}

/// A resource created once per run for all cases that name it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    #[serde(default)]
    pub description: Option<String>,
    /// Other fixtures this one needs first.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Suite variables this fixture's setup vouches for (e.g. `subnet`): every case
    /// that uses one of them needs the fixture, without naming it, and a failure of
    /// the fixture says which `--var` to pass.
    #[serde(default)]
    pub checks: Vec<String>,
    #[serde(deserialize_with = "located_steps")]
    pub setup: Vec<Step>,
    #[serde(default, deserialize_with = "located_steps")]
    pub teardown: Vec<Step>,
    /// Filled in by the loader.
    #[serde(skip)]
    pub file: PathBuf,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// Longest `within`, `every`, `--timeout`, `--poll-interval` or `--max-within` accepted:
/// a deadline or an interval beyond a day is a typo, and one large enough overflows
/// the clock.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses `500ms`, `2s`, `1.5s`, `2m`. None for garbage and for values no `Duration`
/// holds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => text.split_at(i),
        None => return None,
    };
    let n: f64 = number.trim().parse().ok()?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}

/// Parses a deadline or an interval: a duration above zero and at most a day
/// ([`MAX_DURATION`]), or a sentence saying why `text` is not one.
pub fn parse_bounded_duration(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text).ok_or_else(|| {
        format!("`{text}` is not a duration: write a number with ms, s or m, e.g. `30s`")
    })?;
    if d.is_zero() {
        return Err(format!(
            "`{text}` is zero: write a duration above zero, e.g. `30s`"
        ));
    }
    if d > MAX_DURATION {
        return Err(format!(
            "`{text}` is more than a day: write at most `1440m`"
        ));
    }
    Ok(d)
}

/// Serde: an optional duration written as `--max-within` takes it (`2s`, `500ms`),
/// above zero and at most a day.
pub(crate) mod duration_opt {
    use serde::{de::Error, Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        match text {
            None => Ok(None),
            Some(t) => super::parse_bounded_duration(&t)
                .map(Some)
                .map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_refuse_garbage() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("60"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("5h"), None);
        // Beyond what a Duration holds: refused, not a panic.
        assert_eq!(parse_duration("1e30s"), None);
        assert_eq!(parse_duration("1e300m"), None);
    }

    #[test]
    fn deadlines_and_intervals_are_above_zero_and_at_most_a_day() {
        assert_eq!(parse_bounded_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_bounded_duration("1440m"), Ok(MAX_DURATION));
        assert_eq!(parse_bounded_duration("1ms"), Ok(Duration::from_millis(1)));
        for (text, why) in [
            ("0s", "zero"),
            ("0ms", "zero"),
            ("1441m", "more than a day"),
            ("86401s", "more than a day"),
            ("9600000000000000000s", "more than a day"),
            ("1e30s", "not a duration"),
            ("soon", "not a duration"),
        ] {
            let err = parse_bounded_duration(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
