//! Per-target expectation files (`targets/<name>.yaml`): endpoint defaults, tags to
//! skip, and known deviations with a reason; and the final verdict of each case once
//! they are applied (pass, fail, known, fixed, skipped, error).

use crate::finding::Severity;
use crate::run::{CaseResult, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A target's settings and known deviations, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Display name, e.g. `moto 5.2.5`.
    #[serde(default)]
    pub name: Option<String>,
    /// Kind of target for snapshot provenance: `aws`, `reference`, `moto`, …
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub path_style: Option<crate::target::PathStyle>,
    #[serde(default)]
    pub region: Option<String>,
    /// Overrides of suite variables (e.g. a subnet that exists on this target).
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Tags whose cases are skipped on this target, with the reason.
    #[serde(default)]
    pub skip: Vec<SkipTag>,
    /// Known deviations: listed failures that do not fail the run.
    #[serde(default)]
    pub known: Vec<Known>,
    /// Whether a listed deviation that now passes fails the run (default true).
    #[serde(default = "yes")]
    pub stale_fails: bool,
    /// Response paths snapshots ignore on this target, with the reason.
    #[serde(default)]
    pub snapshot_ignore: Vec<IgnorePath>,
    #[serde(skip)]
    pub file: PathBuf,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipTag {
    pub tag: String,
    pub reason: String,
}

/// One known deviation: a case (by id), optionally narrowed to one rule.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Known {
    pub case: String,
    /// Only findings of this rule are known (`target.error` for a target error); none: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnorePath {
    pub path: String,
    pub reason: String,
}

/// Why an expectation file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ExpectationsError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not a valid expectation file: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("no expectation file for target `{name}`: expected {}", path.display())]
    Missing { name: String, path: PathBuf },
}

impl Expectations {
    /// Loads `<dir>/<name>.yaml`.
    pub fn load(dir: &Path, name: &str) -> Result<Expectations, ExpectationsError> {
        let path = dir.join(format!("{name}.yaml"));
        if !path.is_file() {
            return Err(ExpectationsError::Missing {
                name: name.to_owned(),
                path,
            });
        }
        let text = std::fs::read_to_string(&path).map_err(|source| ExpectationsError::Io {
            path: path.clone(),
            source,
        })?;
        let options = serde_saphyr::options! { strict_booleans: true };
        let mut parsed: Expectations = serde_saphyr::from_str_with_options(&text, options)
            .map_err(|e| {
                let (line, column) = e
                    .location()
                    .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
                let message = e.without_snippet().to_string();
                ExpectationsError::Parse {
                    path: path.clone(),
                    line,
                    column,
                    message: {
                        let first = message.lines().next().unwrap_or_default();
                        // serde-saphyr appends the location; the error prints its own.
                        first
                            .rsplit_once(" at line ")
                            .map_or(first, |(m, _)| m)
                            .to_owned()
                    },
                }
            })?;
        if parsed.name.is_none() {
            parsed.name = Some(name.to_owned());
        }
        parsed.file = path;
        Ok(parsed)
    }

    fn known_for<'a>(&'a self, case: &'a str) -> impl Iterator<Item = &'a Known> + 'a {
        self.known.iter().filter(move |k| k.case == case)
    }
}

/// The final verdict of one case on one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Failed as a listed known deviation: does not fail the run.
    Known,
    /// Listed as a known deviation but passed: the list is stale.
    Fixed,
    Skipped,
    /// The harness could not get an answer (or the case did not finish normally).
    Error,
    /// The run was interrupted before the case finished: no verdict is claimed.
    Interrupted,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Known => "known",
            Verdict::Fixed => "fixed",
            Verdict::Skipped => "skipped",
            Verdict::Error => "error",
            Verdict::Interrupted => "interrupted",
        }
    }
}

/// The verdict of a case and the known entries that explain it.
pub fn verdict(result: &CaseResult, expectations: &Expectations) -> (Verdict, Vec<Known>) {
    let known: Vec<&Known> = expectations.known_for(&result.id).collect();
    let covers = |rule: &str| {
        known
            .iter()
            .any(|k| k.rule.as_deref().is_none_or(|r| r == rule))
    };
    let listed = || known.iter().map(|k| (*k).clone()).collect::<Vec<_>>();
    match &result.outcome {
        Outcome::Skipped(_) => (Verdict::Skipped, Vec::new()),
        Outcome::Interrupted(_) => (Verdict::Interrupted, Vec::new()),
        Outcome::Passed if known.is_empty() => (Verdict::Pass, Vec::new()),
        Outcome::Passed => (Verdict::Fixed, listed()),
        Outcome::Error(_) if !known.is_empty() && covers("target.error") => {
            (Verdict::Known, listed())
        }
        Outcome::Error(_) => (Verdict::Error, Vec::new()),
        Outcome::Failed => {
            let all_known = result
                .findings()
                .filter(|(_, f)| f.severity == Severity::Fail)
                .all(|(_, f)| covers(&f.rule));
            if !known.is_empty() && all_known {
                (Verdict::Known, listed())
            } else {
                (Verdict::Fail, Vec::new())
            }
        }
    }
}

/// Known entries naming cases the suite does not have (typos, removed cases).
pub fn unknown_entries<'a>(expectations: &'a Expectations, case_ids: &[&str]) -> Vec<&'a Known> {
    expectations
        .known
        .iter()
        .filter(|k| !case_ids.contains(&k.case.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::run::{Phase, StepReport};
    use std::time::Duration;

    fn result(id: &str, outcome: Outcome, rules: &[&str]) -> CaseResult {
        CaseResult {
            id: id.into(),
            name: id.into(),
            file: format!("cases/{id}.yaml"),
            tags: vec![],
            cites: String::new(),
            outcome,
            steps: vec![StepReport {
                phase: Phase::Step,
                index: 1,
                call: "RunTask".into(),
                line: 1,
                calls: 1,
                exchange: None,
                findings: rules
                    .iter()
                    .map(|r| Finding::new(*r, Severity::Fail, ""))
                    .chain([Finding::new("schema.drift.field", Severity::Drift, "/x")])
                    .collect(),
                target_error: None,
                skipped: false,
                note: None,
            }],
            calls: 1,
            duration: Duration::ZERO,
        }
    }

    fn expectations(known: &[(&str, Option<&str>)]) -> Expectations {
        Expectations {
            known: known
                .iter()
                .map(|(c, r)| Known {
                    case: c.to_string(),
                    rule: r.map(str::to_owned),
                    reason: "because".into(),
                    link: None,
                })
                .collect(),
            ..Expectations::default()
        }
    }

    #[test]
    fn listed_failures_are_known_and_unlisted_ones_fail() {
        let e = expectations(&[("a", None), ("b", Some("expect.body"))]);
        assert_eq!(
            verdict(&result("a", Outcome::Failed, &["x"]), &e).0,
            Verdict::Known
        );
        assert_eq!(
            verdict(&result("b", Outcome::Failed, &["expect.body"]), &e).0,
            Verdict::Known
        );
        // A new rule failing in a listed case is a new failure.
        assert_eq!(
            verdict(
                &result("b", Outcome::Failed, &["expect.body", "schema.response"]),
                &e
            )
            .0,
            Verdict::Fail
        );
        assert_eq!(
            verdict(&result("c", Outcome::Failed, &["x"]), &e).0,
            Verdict::Fail
        );
    }

    #[test]
    fn listed_cases_that_pass_are_fixed_and_errors_need_their_own_entry() {
        let e = expectations(&[
            ("a", None),
            ("b", Some("expect.body")),
            ("t", Some("target.error")),
        ]);
        assert_eq!(
            verdict(&result("a", Outcome::Passed, &[]), &e).0,
            Verdict::Fixed
        );
        assert_eq!(
            verdict(&result("z", Outcome::Passed, &[]), &e).0,
            Verdict::Pass
        );
        assert_eq!(
            verdict(&result("b", Outcome::Error("x".into()), &[]), &e).0,
            Verdict::Error
        );
        assert_eq!(
            verdict(&result("t", Outcome::Error("x".into()), &[]), &e).0,
            Verdict::Known
        );
        assert_eq!(
            verdict(&result("a", Outcome::Error("x".into()), &[]), &e).0,
            Verdict::Known
        );
        assert_eq!(
            verdict(&result("q", Outcome::Skipped("tag".into()), &[]), &e).0,
            Verdict::Skipped
        );
    }

    #[test]
    fn expectation_files_load_with_located_errors() {
        let dir = std::env::temp_dir().join(format!("ecs-conform-exp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("emu.yaml"),
            "kind: emu\nskip:\n  - {tag: needs-service, reason: no services}\nknown:\n  - {case: a/b, rule: expect.body, reason: r, link: https://example.invalid/1}\n",
        )
        .unwrap();
        let e = Expectations::load(&dir, "emu").unwrap();
        assert_eq!(e.known.len(), 1);
        assert!(e.stale_fails);
        assert_eq!(e.name.as_deref(), Some("emu"));
        std::fs::write(
            dir.join("bad.yaml"),
            "kind: emu\nknown:\n  - {case: a, reasn: r}\n",
        )
        .unwrap();
        let err = Expectations::load(&dir, "bad").unwrap_err().to_string();
        assert!(err.contains("bad.yaml:3:"), "{err}");
        assert!(matches!(
            Expectations::load(&dir, "none"),
            Err(ExpectationsError::Missing { .. })
        ));
        assert_eq!(unknown_entries(&e, &["x"]).len(), 1);
    }
}
