//! The vocabulary of verdicts: a `Finding` is one observed departure from the contract
//! or from a case's expectations, with a `Severity` that says how much it matters.

use crate::rules::Rule;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a finding matters (see ARCHITECTURE.md, "Verdicts a user can trust").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A SHOULD: something real endpoints always send is missing.
    Warn,
    /// The target sends something the documents do not know (a new field, a newer enum value).
    Drift,
    /// The contract is broken: wrong type, wrong error, a documented behaviour not honoured.
    Fail,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warn => "warn",
            Severity::Drift => "drift",
            Severity::Fail => "fail",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One departure: which rule, where (a JSON pointer into the response body, or a
/// pseudo-location such as `header:x-amzn-RequestId`), what was expected and what came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule of the table (written as its id, e.g. `schema.response`, `expect.body`).
    pub rule: Rule,
    pub severity: Severity,
    /// JSON pointer into the response body ("" for the whole body), or `status`, `header:<name>`.
    pub pointer: String,
    pub expected: String,
    pub actual: String,
    /// One plain sentence a user can act on.
    pub message: String,
}

impl Finding {
    /// A finding of `rule` at `pointer`, with the rule's severity from the table.
    pub fn new(rule: Rule, pointer: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity(),
            pointer: pointer.into(),
            expected: String::new(),
            actual: String::new(),
            message: String::new(),
        }
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = expected.into();
        self
    }

    pub fn actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = actual.into();
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
}

/// Whitespace collapsed and at most 160 characters, so a finding stays on one line.
fn one_line(text: &str) -> String {
    crate::excerpt::one_line(text, 160)
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.severity, self.rule)?;
        if !self.pointer.is_empty() {
            write!(f, " at {}", self.pointer)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        match (self.expected.is_empty(), self.actual.is_empty()) {
            (false, false) => write!(
                f,
                " (expected {}, got {})",
                one_line(&self.expected),
                one_line(&self.actual)
            )?,
            (false, true) => write!(f, " (expected {})", one_line(&self.expected))?,
            (true, false) => write!(f, " (got {})", one_line(&self.actual))?,
            (true, true) => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Finding;
    use crate::rules::Rule;

    #[test]
    fn a_finding_says_only_the_sides_it_knows() {
        let both = Finding::new(Rule::ExpectBody, "/x")
            .expected("1")
            .actual("2");
        assert_eq!(
            both.to_string(),
            "[fail] expect.body at /x (expected 1, got 2)"
        );
        let got = Finding::new(Rule::RunEcho, "/tasks/0/group").actual("x");
        assert_eq!(got.to_string(), "[fail] run.echo at /tasks/0/group (got x)");
        let expected = Finding::new(Rule::ExpectBody, "/y").expected("present");
        assert_eq!(
            expected.to_string(),
            "[fail] expect.body at /y (expected present)"
        );
        let neither = Finding::new(Rule::TargetError, "").message("refused");
        assert_eq!(neither.to_string(), "[fail] target.error: refused");
    }
}
