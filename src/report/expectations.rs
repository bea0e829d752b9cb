//! Per-target expectation files (`targets/<name>.yaml`): endpoint defaults, tags to
//! skip, and known deviations with a reason; and the final verdict of each case once
//! they are applied (pass, fail, known, fixed, skipped, error). The entries' checks
//! against the suite and the rule tables live in `known_check.rs`.

use crate::finding::{Finding, Severity};
use crate::rules::Rule;
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
    pub path_style: Option<crate::client::PathStyle>,
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
    /// Severities below `fail` that fail a case on this target (`deny: [drift]`);
    /// `--deny` adds to them.
    #[serde(default)]
    pub deny: Vec<Deny>,
    /// Largest response body read from this target (`max_body: 16MiB`); `--max-body` wins.
    #[serde(default)]
    pub max_body: Option<crate::client::ByteSize>,
    #[serde(skip)]
    pub file: PathBuf,
}

/// A severity below `fail` that a target's teams want to fail a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Deny {
    /// Fields or enum values the documents do not know.
    Drift,
    /// SHOULDs: fields real endpoints send were missing.
    Warn,
}

impl std::str::FromStr for Deny {
    type Err = String;
    fn from_str(s: &str) -> Result<Deny, String> {
        match s {
            "drift" => Ok(Deny::Drift),
            "warn" => Ok(Deny::Warn),
            _ => Err(format!(
                "unknown severity `{s}`: expected `drift` or `warn`"
            )),
        }
    }
}

impl Deny {
    fn covers(self, severity: Severity) -> bool {
        matches!(
            (self, severity),
            (Deny::Drift, Severity::Drift) | (Deny::Warn, Severity::Warn)
        )
    }
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

/// One known deviation: a case (by id), optionally narrowed to one rule and to one
/// location (a JSON pointer or pointer pattern).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Known {
    pub case: String,
    /// Only findings of this rule are known (`target.error` for a target error); none: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Only findings at this location are known: a JSON pointer (`/tasks/0/stopCode`),
    /// a pattern whose segments may be `*` (any one key or index) or `**` (any number
    /// of segments), or a pseudo-location (`status`, `header:<name>`); none: anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
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
    /// Entries naming a rule, a case or a location that does not exist.
    #[error("{} problem{} in {}:\n{}", .problems.len(), if .problems.len() == 1 { "" } else { "s" }, .path.display(), .problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Entries {
        path: PathBuf,
        problems: Vec<crate::suite::Problem>,
    },
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
        Expectations::load_file(&path, name)
    }

    /// Loads one expectation file; `name` is the display name when it names none.
    pub fn load_file(path: &Path, name: &str) -> Result<Expectations, ExpectationsError> {
        let path = path.to_owned();
        let text = crate::files::read_text(&path).map_err(|source| ExpectationsError::Io {
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
        super::known_check::check_pointers(&parsed, &text)?;
        Ok(parsed)
    }

    fn known_for<'a>(&'a self, case: &'a str) -> impl Iterator<Item = &'a Known> + 'a {
        self.known.iter().filter(move |k| k.case == case)
    }

    /// Checks every known entry against the suite's `case_ids` and the rule tables:
    /// an entry naming a case or a rule that does not exist is an error at its
    /// file:line:column (it would silently never match).
    pub fn check(&self, case_ids: &[&str]) -> Result<(), ExpectationsError> {
        super::known_check::check_entries(self, case_ids)
    }

    /// Whether findings of this severity fail a case on this target.
    pub fn denies(&self, severity: Severity) -> bool {
        severity == Severity::Fail || self.deny.iter().any(|d| d.covers(severity))
    }
}

impl Known {
    /// Whether this entry explains `finding` (its case already matched).
    pub fn covers(&self, finding: &Finding) -> bool {
        self.rule.as_deref().is_none_or(|r| r == finding.rule)
            && self
                .pointer
                .as_deref()
                .is_none_or(|p| super::known_check::pointer_matches(p, &finding.pointer))
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

/// The verdict of a case and the known entries that explain it. A finding fails the
/// case when its severity is `fail`, or one the target denies (`deny: [drift]`); the
/// case is `known` only when a listed entry covers every such finding (same rule and,
/// when the entry names one, a matching location).
pub fn verdict(result: &CaseResult, expectations: &Expectations) -> (Verdict, Vec<Known>) {
    let known: Vec<&Known> = expectations.known_for(&result.id).collect();
    let listed = || known.iter().map(|k| (*k).clone()).collect::<Vec<_>>();
    match &result.outcome {
        Outcome::Skipped(_) => (Verdict::Skipped, Vec::new()),
        Outcome::Interrupted(_) => (Verdict::Interrupted, Vec::new()),
        Outcome::Error(reason)
            if known
                .iter()
                .any(|k| error_rules(reason).any(|f| k.covers(&f))) =>
        {
            (Verdict::Known, listed())
        }
        Outcome::Error(_) => (Verdict::Error, Vec::new()),
        Outcome::Passed | Outcome::Failed => {
            let mut failing = result
                .findings()
                .map(|(_, f)| f)
                .filter(|f| expectations.denies(f.severity))
                .peekable();
            if failing.peek().is_none() {
                if known.is_empty() {
                    (Verdict::Pass, Vec::new())
                } else {
                    (Verdict::Fixed, listed())
                }
            } else if failing.all(|f| known.iter().any(|k| k.covers(f))) {
                (Verdict::Known, listed())
            } else {
                (Verdict::Fail, Vec::new())
            }
        }
    }
}

/// The rules a target error falls under: `target.error`, and the rule of the table its
/// message names before the first `: ` (`wire.body-too-large: …`).
fn error_rules(reason: &str) -> impl Iterator<Item = Finding> + '_ {
    let named = reason
        .split_once(": ")
        .and_then(|(rule, _)| Rule::from_id(rule));
    std::iter::once(Rule::TargetError)
        .chain(named)
        .map(|rule| Finding::new(rule, ""))
}

/// Loads and checks every `*.yaml` expectation file in `dir` (none when the folder
/// does not exist) against the suite's `case_ids`: how many there are, and what was
/// skipped (special files).
pub fn check_dir(
    dir: &Path,
    case_ids: &[&str],
) -> Result<(usize, Vec<crate::files::Skipped>), ExpectationsError> {
    if !dir.is_dir() {
        return Ok((0, Vec::new()));
    }
    let listing =
        crate::files::list(dir, &["yaml"], false).map_err(|source| ExpectationsError::Io {
            path: dir.to_owned(),
            source,
        })?;
    let mut files = listing.files;
    files.sort();
    for file in &files {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Expectations::load_file(file, &name)?.check(case_ids)?;
    }
    Ok((files.len(), listing.skipped))
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
mod tests;
