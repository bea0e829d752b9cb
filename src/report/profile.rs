//! A target's profile: what its target file (`targets/<name>.yaml`) says — kind,
//! endpoint, region, path style, variables, tags to skip, known deviations with a
//! reason, `deny`, snapshot ignores, the largest body, how to run on it (`max_jobs`,
//! `max_within`, `poll_interval`, `jobs`) — loaded through
//! [`crate::loader`]. How a profile turns a case result into a verdict is in
//! [`super::verdict`]; the entries' checks against the suite and the rule tables are in
//! `known_check.rs`.

use crate::finding::{Finding, Severity};
use crate::loader::Source;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A target's settings and known deviations, as its target file writes them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetProfile {
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
    /// At most this many cases at once on this target (`max_jobs: 1` for a target that
    /// is not safe under concurrent calls); a higher `--jobs` is lowered to it.
    #[serde(default)]
    pub max_jobs: Option<std::num::NonZeroUsize>,
    /// Cap on every `until` deadline on this target (`max_within: 10s`), parsed as
    /// `--max-within` (above zero, at most a day).
    #[serde(default, with = "bounded_duration")]
    pub max_within: Option<std::time::Duration>,
    /// Interval between polls of `until` steps on this target (`poll_interval: 250ms`),
    /// parsed as `--poll-interval`.
    #[serde(default, with = "bounded_duration")]
    pub poll_interval: Option<std::time::Duration>,
    /// Cases in flight at once on this target (`jobs: 8`, a positive integer), as `--jobs`.
    #[serde(default)]
    pub jobs: Option<std::num::NonZeroUsize>,
    #[serde(skip)]
    pub file: PathBuf,
    /// The text this profile was parsed from: its entries are checked and located
    /// against it, not against the file read again (which may have changed since).
    #[serde(skip)]
    pub(crate) source: Option<Source>,
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
    pub(super) fn covers(self, severity: Severity) -> bool {
        matches!(
            (self, severity),
            (Deny::Drift, Severity::Drift) | (Deny::Warn, Severity::Warn)
        )
    }
}

fn yes() -> bool {
    true
}

/// A target file's durations (`max_within`, `poll_interval`): as their flags, above
/// zero and at most a day.
mod bounded_duration {
    use serde::{de::Error, Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => crate::suite::model::parse_bounded_duration(&text)
                .map(Some)
                .map_err(D::Error::custom),
        }
    }
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

/// Why a target file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TargetProfileError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not YAML, or not a target file (`not a valid target file: …` at its place).
    #[error("{0}")]
    Parse(crate::loader::Problem),
    #[error("no target file for target `{name}`: expected {}", path.display())]
    Missing { name: String, path: PathBuf },
    /// Entries naming a rule, a case or a location that does not exist.
    #[error("{} problem{} in {}:\n{}", .problems.len(), if .problems.len() == 1 { "" } else { "s" }, .path.display(), .problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Entries {
        path: PathBuf,
        problems: Vec<crate::suite::Problem>,
    },
}

impl TargetProfileError {
    /// The message with each problem's source line and a caret (the first line of
    /// each problem stays `file:line:column: message`).
    pub fn render(&self) -> String {
        match self {
            TargetProfileError::Parse(problem) => problem.render(),
            TargetProfileError::Entries { path, problems } => crate::loader::render_all(
                &format!(
                    "{} problem{} in {}:",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" },
                    path.display()
                ),
                problems,
            ),
            other => other.to_string(),
        }
    }
}

impl TargetProfile {
    /// The suite variables of a run: the file's `vars`, then `overrides` (`--var`),
    /// a later value of a name winning when they are applied in order.
    pub fn vars_with(&self, overrides: Vec<(String, String)>) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = self
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        vars.extend(overrides);
        vars
    }

    /// Loads `<dir>/<name>.yaml`.
    pub fn load(dir: &Path, name: &str) -> Result<TargetProfile, TargetProfileError> {
        let path = dir.join(format!("{name}.yaml"));
        if !path.is_file() {
            return Err(TargetProfileError::Missing {
                name: name.to_owned(),
                path,
            });
        }
        TargetProfile::load_file(&path, name)
    }

    /// Loads one target file; `name` is the display name when it names none.
    pub fn load_file(path: &Path, name: &str) -> Result<TargetProfile, TargetProfileError> {
        let source = Source::read(path).map_err(|e| TargetProfileError::Io {
            path: e.path,
            source: e.source,
        })?;
        let mut parsed: TargetProfile = source
            .parse("target file")
            .map_err(TargetProfileError::Parse)?;
        if parsed.name.is_none() {
            parsed.name = Some(name.to_owned());
        }
        parsed.file = path.to_owned();
        super::known_check::check_pointers(&parsed, &source)?;
        parsed.source = Some(source);
        Ok(parsed)
    }

    pub(super) fn known_for<'a>(&'a self, case: &'a str) -> impl Iterator<Item = &'a Known> + 'a {
        self.known.iter().filter(move |k| k.case == case)
    }

    /// Checks every known entry against the suite's `case_ids` and the rule tables:
    /// an entry naming a case or a rule that does not exist is an error at its
    /// file:line:column (it would silently never match).
    pub fn check(&self, case_ids: &[&str]) -> Result<(), TargetProfileError> {
        super::known_check::check_entries(self, case_ids)
    }

    /// Entries whose reason is still `TODO`, each at its reason's file:line:column.
    pub fn todo_reasons(&self) -> Vec<crate::loader::Problem> {
        super::known_check::todo_reasons(self)
    }

    /// Whether findings of this severity fail a case on this target.
    pub fn denies(&self, severity: Severity) -> bool {
        severity == Severity::Fail || self.deny.iter().any(|d| d.covers(severity))
    }
}

impl Known {
    /// The reasons of these entries, each once, in order, `; `-separated: several
    /// entries of one case often share their reason (one per rule or location).
    pub fn reasons<'a>(entries: impl IntoIterator<Item = &'a Known>) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for k in entries {
            if !seen.contains(&k.reason.as_str()) {
                seen.push(&k.reason);
            }
        }
        seen.join("; ")
    }

    /// Whether this entry explains `finding` (its case already matched).
    pub fn covers(&self, finding: &Finding) -> bool {
        self.rule.as_deref().is_none_or(|r| r == finding.rule)
            && self
                .pointer
                .as_deref()
                .is_none_or(|p| super::known_check::pointer_matches(p, &finding.pointer))
    }
}

/// What `check_dir` found in a folder of target files that are well-formed.
#[derive(Debug, Default)]
pub struct DirCheck {
    /// Target files checked.
    pub files: usize,
    /// What was not read (special files).
    pub skipped: Vec<crate::files::Skipped>,
    /// Entries whose reason is still `TODO` (what `run --record` adds), at each
    /// reason's file:line:column: `lint` warns of them, `lint --deny-todo` fails on them.
    pub todo: Vec<crate::loader::Problem>,
}

/// Loads and checks every `*.yaml` target file in `dir` (none when the folder
/// does not exist) against the suite's `case_ids`: how many there are, what was
/// skipped (special files) and which entries still have a `TODO` reason.
pub fn check_dir(dir: &Path, case_ids: &[&str]) -> Result<DirCheck, TargetProfileError> {
    if !dir.is_dir() {
        return Ok(DirCheck::default());
    }
    let listing =
        crate::files::list(dir, &["yaml"], false).map_err(|source| TargetProfileError::Io {
            path: dir.to_owned(),
            source,
        })?;
    let mut files = listing.files;
    files.sort();
    let mut todo = Vec::new();
    for file in &files {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let profile = TargetProfile::load_file(file, &name)?;
        profile.check(case_ids)?;
        todo.extend(profile.todo_reasons());
    }
    Ok(DirCheck {
        files: files.len(),
        skipped: listing.skipped,
        todo,
    })
}

/// Known entries naming cases the suite does not have (typos, removed cases).
pub fn unknown_entries<'a>(profile: &'a TargetProfile, case_ids: &[&str]) -> Vec<&'a Known> {
    profile
        .known
        .iter()
        .filter(|k| !case_ids.contains(&k.case.as_str()))
        .collect()
}

#[cfg(test)]
mod tests;
