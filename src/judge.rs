//! The judge: turns one `Exchange` plus a step's expectations into `Finding`s (what
//! rule, where as a JSON pointer, expected, actual). Built-in contract checks are the
//! contract's; this module judges only what a case states.

use crate::client::Exchange;
use crate::contract::error_of;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::suite::{Condition, Expect, Matcher, PlannedStep};
use serde_json::Value;

/// The rules of what a step itself states, judged on its answer: its expectations
/// (success by default, else status and error type), body and header conditions,
/// `until`, `save` and `paginate`. The report matrix counts a rule × operation cell as
/// exercised only where a step stated the rule.
pub fn stated_rules(planned: &PlannedStep) -> Vec<Rule> {
    let expect = &planned.expect;
    let step = &planned.step;
    [
        (
            Rule::ExpectSuccess,
            expect.status.is_empty() && expect.errors.is_empty(),
        ),
        (Rule::ExpectStatus, !expect.status.is_empty()),
        (Rule::ExpectError, !expect.errors.is_empty()),
        (Rule::ExpectBody, !expect.body.is_empty()),
        (Rule::ExpectHeaders, !expect.headers.is_empty()),
        (Rule::UntilTimeout, planned.until.is_some()),
        (Rule::SaveMissing, !step.save.is_empty()),
        (Rule::PaginateEndless, step.paginate),
    ]
    .into_iter()
    .filter_map(|(rule, stated)| stated.then_some(rule))
    .collect()
}

/// Findings for a step's expectations on its (last) exchange. `body` is what body
/// conditions look at: the response body, or the aggregate of a paginated walk.
pub fn judge_step(expect: &Expect, ex: &Exchange, body: Option<&Value>) -> Vec<Finding> {
    let mut out = Vec::new();
    let status = ex.response.status;
    if !expect.status.is_empty() && !expect.status.contains(&status) {
        out.push(
            Finding::new(Rule::ExpectStatus, "status")
                .expected(list(&expect.status))
                .actual(status.to_string())
                .message("the HTTP status is not the one the case expects"),
        );
    }
    let error = error_of(&ex.response);
    // `error` with a `status` list that admits this success means "success or one of these errors".
    let success_allowed = ex.response.is_success() && expect.status.contains(&status);
    if !expect.errors.is_empty() {
        match &error {
            None if success_allowed => {}
            None => out.push(
                Finding::new(Rule::ExpectError, "")
                    .expected(expect.errors.join(" or "))
                    .actual(format!("success (HTTP {status})"))
                    .message("the call succeeded but the case expects an error"),
            ),
            Some(e) if !expect.errors.contains(&e.error_type) => out.push(
                Finding::new(Rule::ExpectError, "/__type")
                    .expected(expect.errors.join(" or "))
                    .actual(if e.error_type.is_empty() {
                        format!("an error without a type (HTTP {status})")
                    } else {
                        e.error_type.clone()
                    })
                    .message("the error type is not the one the case expects"),
            ),
            Some(_) => {}
        }
    } else if expect.status.is_empty() && !ex.response.is_success() {
        let actual = match &error {
            Some(e) if !e.error_type.is_empty() => {
                format!(
                    "HTTP {status} {}: {}",
                    e.error_type,
                    e.message.clone().unwrap_or_default()
                )
            }
            _ => format!("HTTP {status}"),
        };
        out.push(
            Finding::new(Rule::ExpectSuccess, "status")
                .expected("a successful answer (HTTP 2xx)")
                .actual(actual)
                .message("the call failed but the case expects it to succeed"),
        );
    }
    let null = Value::Null;
    out.extend(check_conditions(
        &expect.body,
        body.unwrap_or(&null),
        Rule::ExpectBody,
    ));
    if !expect.headers.is_empty() {
        let headers: serde_json::Map<String, Value> = ex
            .response
            .headers
            .iter()
            .rev()
            .map(|(k, v)| (k.to_ascii_lowercase(), Value::String(v.clone())))
            .collect();
        out.extend(check_conditions(
            &expect.headers,
            &Value::Object(headers),
            Rule::ExpectHeaders,
        ));
    }
    out
}

/// Findings for every condition that does not hold on `body` (empty: all hold).
pub fn check_conditions(conditions: &[Condition], body: &Value, rule: Rule) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in conditions {
        let actual = crate::pointer::lookup(body, &c.pointer);
        let absent = absent_member(body, &c.pointer, actual);
        for m in &c.matchers {
            if let Err((expected, got)) = check(m, actual, absent) {
                out.push(
                    Finding::new(rule, c.pointer.clone())
                        .expected(expected)
                        .actual(got)
                        .message(format!("`{}` does not hold", describe(m))),
                );
            }
        }
    }
    out
}

fn list(statuses: &[u16]) -> String {
    statuses
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(v) => {
            const MAX: usize = 200;
            let s = v.to_string();
            match crate::excerpt::head(&s, MAX) {
                (_, 0) => s,
                (kept, more) => format!("{kept}… ({} chars)", MAX + more),
            }
        }
    }
}

/// A one-line description of a matcher, for messages.
pub fn describe(m: &Matcher) -> String {
    match m {
        Matcher::Equals(v) => format!("equals {v}"),
        Matcher::NotEquals(v) => format!("not_equals {v}"),
        Matcher::Present(true) => "present".into(),
        Matcher::Present(false) => "absent".into(),
        Matcher::Length(n) => format!("length {n}"),
        Matcher::MinLength(n) => format!("min_length {n}"),
        Matcher::MaxLength(n) => format!("max_length {n}"),
        Matcher::Matches(r) => format!("matches /{r}/"),
        Matcher::OneOf(v) => format!("one_of {}", Value::Array(v.clone())),
        Matcher::Contains(v) => format!("contains {v}"),
        Matcher::NotContains(v) => format!("not_contains {v}"),
        Matcher::Type(t) => format!("type {t}"),
    }
}

fn length(v: &Value) -> Option<usize> {
    match v {
        Value::Array(a) => Some(a.len()),
        Value::String(s) => Some(s.chars().count()),
        Value::Object(o) => Some(o.len()),
        _ => None,
    }
}

/// Numbers compare by value (1 equals 1.0); everything else structurally.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// True when the pointer names a member of an object that the object lacks (or holds
/// as null): an absent list and an empty one mean the same to a client, so length
/// matchers read such a member as length 0. A member whose parent is itself missing
/// (`/tasks/0/x` with no task 0) is not "absent": there is nothing to measure.
fn absent_member(body: &Value, pointer: &str, actual: Option<&Value>) -> bool {
    if !actual.is_none_or(Value::is_null) {
        return false;
    }
    let Some(parent) = crate::pointer::parent(pointer) else {
        return false;
    };
    crate::pointer::lookup(body, parent).is_some_and(Value::is_object)
}

/// Ok, or (expected, actual) as text. `absent`: the member is absent from an object
/// that exists, which length matchers read as length 0.
fn check(m: &Matcher, actual: Option<&Value>, absent: bool) -> Result<(), (String, String)> {
    let fail = |expected: String| Err((expected, show(actual)));
    match m {
        Matcher::Present(want) => {
            if actual.is_some() == *want {
                Ok(())
            } else {
                fail(if *want {
                    "present".into()
                } else {
                    "absent".into()
                })
            }
        }
        Matcher::Equals(v) => match actual {
            Some(a) if same(a, v) => Ok(()),
            _ => fail(v.to_string()),
        },
        Matcher::NotEquals(v) => match actual {
            Some(a) if same(a, v) => fail(format!("anything but {v}")),
            _ => Ok(()),
        },
        Matcher::Length(n) | Matcher::MinLength(n) | Matcher::MaxLength(n) => {
            let len = if absent {
                Some(0)
            } else {
                actual.and_then(length)
            };
            let ok = len.is_some_and(|len| match m {
                Matcher::Length(_) => len == *n,
                Matcher::MinLength(_) => len >= *n,
                _ => len <= *n,
            });
            if ok {
                Ok(())
            } else {
                let got = actual
                    .and_then(length)
                    .map_or_else(|| show(actual), |l| format!("length {l}"));
                Err((describe(m), got))
            }
        }
        Matcher::Matches(pattern) => {
            let re = regex::Regex::new(pattern)
                .map_err(|e| (format!("a valid pattern /{pattern}/"), e.to_string()))?;
            match actual.and_then(Value::as_str) {
                Some(s) if re.is_match(s) => Ok(()),
                _ => fail(format!("a string matching /{pattern}/")),
            }
        }
        Matcher::OneOf(options) => match actual {
            Some(a) if options.iter().any(|o| same(a, o)) => Ok(()),
            _ => fail(format!("one of {}", Value::Array(options.clone()))),
        },
        Matcher::Contains(v) | Matcher::NotContains(v) => {
            let contains = match (actual, v) {
                (Some(Value::Array(items)), _) => items.iter().any(|i| same(i, v)),
                (Some(Value::String(s)), Value::String(needle)) => s.contains(needle.as_str()),
                _ => false,
            };
            let want = matches!(m, Matcher::Contains(_));
            if contains == want {
                Ok(())
            } else if want {
                fail(format!("something containing {v}"))
            } else {
                fail(format!("something not containing {v}"))
            }
        }
        Matcher::Type(t) => match actual {
            Some(a) if type_name(a) == t || (t == "number" && a.is_number()) => Ok(()),
            Some(a) => Err((
                format!("a {t}"),
                format!("a {} ({})", type_name(a), show(Some(a))),
            )),
            None => fail(format!("a {t}")),
        },
    }
}

#[cfg(test)]
mod tests;
