//! The run document: the stable, documented JSON structure of a run's results
//! (`--report-json`), from which JUnit XML and the Markdown report are rendered and
//! which `merge` combines across partitions.

use super::problems::Problem;
use super::profile::{Known, TargetProfile};
use super::steps::StepEntry;
use super::verdict::{verdict, Verdict};
use crate::finding::Finding;
use crate::run::{CaseResult, Outcome, SetupIssue, SetupPhase};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Identifies the format; bumped on any incompatible change.
pub const FORMAT: &str = "ecs-conform-report/1";

/// The serialized form of a run's results: what [`RunResult`](crate::app::RunResult)
/// (the run, in memory) becomes once per-target expectations give each case its verdict
/// (built by [`RunDocument::build`] in `app::output`). This is the `--report-json` file,
/// the input of JUnit, Markdown and `merge`; its field names are the stable format.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunDocument {
    pub format: String,
    pub tool_version: String,
    pub suite: SuiteInfo,
    pub target: TargetInfo,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_secs: f64,
    /// `K/N` when this run is one partition of the suite.
    pub partition: Option<String>,
    /// The run was interrupted (Ctrl-C, SIGTERM, SIGHUP): cases it cut short or never
    /// started have the verdict `interrupted`, and the run claims no verdict.
    #[serde(default)]
    pub interrupted: bool,
    /// Count of cases per verdict.
    pub totals: BTreeMap<Verdict, usize>,
    /// Known-deviation entries that name no case of the suite.
    pub unknown_expectations: Vec<Known>,
    /// The failing findings grouped into distinct problems (rule, path, observed
    /// value) with the cases each appears in, most cases first.
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// Fixture steps that failed, each once: `setup` errors block the cases that need
    /// the fixture; `teardown` warnings say what may be left on the target.
    #[serde(default)]
    pub setup: Vec<SetupIssue>,
    pub cases: Vec<CaseEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuiteInfo {
    /// Cases in the whole suite (all partitions).
    pub cases: usize,
    /// SHA-256 over every case file's path and content.
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    pub name: String,
    pub kind: String,
    pub endpoint: String,
    pub region: String,
    /// Where the credentials the run signed with came from (`Environment`, `ProfileFile
    /// (profile ci)`, `dummy (...)`); never a key, a secret or a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
}

/// The serialized form of one case's result: a
/// [`CaseResult`](crate::run::CaseResult) (the case as the runner recorded it, with
/// its steps) with its verdict under the target's expectations and its findings
/// flattened (built by [`CaseEntry::from_result`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseEntry {
    pub id: String,
    pub name: String,
    pub file: String,
    pub tags: Vec<String>,
    pub cites: String,
    pub verdict: Verdict,
    /// Why a case was skipped or errored.
    pub reason: Option<String>,
    pub duration_secs: f64,
    /// The known-deviation entries that explain a `known` or `fixed` verdict.
    pub known: Vec<Known>,
    pub findings: Vec<FindingEntry>,
    /// The rendered failure text (what the terminal showed), when the case did not pass.
    pub details: Option<String>,
    /// The case's steps: request, answer, curl reproduction (absent in documents of
    /// older versions).
    #[serde(default)]
    pub steps: Vec<StepEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingEntry {
    /// `step`, `teardown`, `fixture`, `fixture_teardown`.
    pub phase: String,
    pub step: usize,
    pub call: String,
    pub line: usize,
    #[serde(flatten)]
    pub finding: Finding,
}

impl FindingEntry {
    /// Where the finding was made: `step 2 DescribeTasks`, `teardown step 1 StopTask`.
    pub fn place(&self) -> String {
        if self.phase == "step" {
            format!("step {} {}", self.step, self.call)
        } else {
            format!("{} step {} {}", self.phase, self.step, self.call)
        }
    }
}

impl CaseEntry {
    /// `region` signs the curl commands of the steps.
    pub fn from_result(
        result: &CaseResult,
        expectations: &TargetProfile,
        details: Option<String>,
        region: &str,
    ) -> CaseEntry {
        let (verdict, known) = verdict(result, expectations);
        let reason = match &result.outcome {
            Outcome::Error(r) | Outcome::Skipped(r) | Outcome::Interrupted(r) => Some(r.clone()),
            _ => None,
        };
        let findings = result
            .findings()
            .map(|(s, f)| FindingEntry {
                phase: super::steps::phase_name(&s.phase).into(),
                step: s.index,
                call: s.call.clone(),
                line: s.line,
                finding: f.clone(),
            })
            .collect();
        CaseEntry {
            id: result.id.clone(),
            name: result.name.clone(),
            file: result.file.clone(),
            tags: result.tags.clone(),
            cites: result.cites.clone(),
            verdict,
            reason,
            duration_secs: result.duration.as_secs_f64(),
            known,
            findings,
            details: if matches!(
                verdict,
                Verdict::Pass | Verdict::Skipped | Verdict::Interrupted
            ) {
                None
            } else {
                details
            },
            steps: result
                .steps
                .iter()
                .map(|s| StepEntry::from_result(s, region))
                .collect(),
        }
    }

    /// The operation folder of the case (`run-task`, `lifecycle`, …).
    pub fn group(&self) -> &str {
        self.id.split('/').next().unwrap_or(&self.id)
    }
}

impl RunDocument {
    /// Fixtures that could not be set up (each blocks the cases that need it).
    pub fn setup_errors(&self) -> impl Iterator<Item = &SetupIssue> {
        self.setup.iter().filter(|s| s.phase == SetupPhase::Setup)
    }

    /// Fixture teardown steps that failed (something may be left on the target).
    pub fn teardown_warnings(&self) -> impl Iterator<Item = &SetupIssue> {
        self.setup
            .iter()
            .filter(|s| s.phase == SetupPhase::Teardown)
    }

    /// How many cases a fixture that could not be set up blocked.
    pub fn blocked_by(&self, fixture: &str) -> usize {
        let reason = crate::run::blocked_reason(fixture);
        self.cases
            .iter()
            .filter(|c| c.reason.as_deref() == Some(reason.as_str()))
            .count()
    }

    /// Recounts the totals per verdict and the distinct problems from the cases.
    pub fn recount(&mut self) {
        self.totals.clear();
        for c in &self.cases {
            *self.totals.entry(c.verdict).or_insert(0) += 1;
        }
        self.problems = super::problems::distinct(&self.cases);
    }

    /// Whether the run fails: setup errors, new failures, errors, an interruption
    /// (nothing is certified), or (when stale entries fail) fixed cases.
    pub fn fails(&self, stale_fails: bool) -> bool {
        self.interrupted
            || self.setup_errors().next().is_some()
            || self.cases.iter().any(|c| match c.verdict {
                Verdict::Fail | Verdict::Error | Verdict::Interrupted => true,
                Verdict::Fixed => stale_fails,
                _ => false,
            })
    }

    /// Combines the documents of every partition of one run into one. Refused (with
    /// a sentence saying why): documents of different formats or suites, partitions
    /// of different counts, a partition missing or given twice, a whole run (no
    /// partition) merged with anything. A single whole run merges to itself.
    pub fn merge(docs: Vec<RunDocument>) -> Result<RunDocument, String> {
        let mut docs = docs.into_iter();
        let Some(mut first) = docs.next() else {
            return Err("nothing to merge".into());
        };
        let rest: Vec<RunDocument> = docs.collect();
        check_partitions(std::iter::once(&first).chain(&rest))?;
        for d in rest {
            if d.format != first.format {
                return Err(format!("cannot merge {} with {}", d.format, first.format));
            }
            if d.suite.hash != first.suite.hash {
                return Err(format!(
                    "the documents come from different suites (hash {} vs {})",
                    d.suite.hash, first.suite.hash
                ));
            }
            first.duration_secs = first.duration_secs.max(d.duration_secs);
            first.started_at = first.started_at.min(d.started_at);
            first.interrupted |= d.interrupted;
            for c in d.cases {
                if !first.cases.iter().any(|x| x.id == c.id) {
                    first.cases.push(c);
                }
            }
            for issue in d.setup {
                if !first.setup.contains(&issue) {
                    first.setup.push(issue);
                }
            }
        }
        first.cases.sort_by(|a, b| a.id.cmp(&b.id));
        first.partition = None;
        first.recount();
        Ok(first)
    }
}

/// Checks that documents are every partition `1/N` … `N/N` of one run exactly once,
/// or a single whole run.
fn check_partitions<'a>(docs: impl Iterator<Item = &'a RunDocument>) -> Result<(), String> {
    let docs: Vec<&RunDocument> = docs.collect();
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    let mut count = None;
    for d in &docs {
        let Some(label) = &d.partition else {
            if docs.len() == 1 {
                return Ok(());
            }
            return Err(format!(
                "a whole run (no partition, {} cases) cannot be merged with other documents: merge the documents of `run --partition K/N`, one per K",
                d.cases.len()
            ));
        };
        let (k, n) = label
            .split_once('/')
            .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
            .filter(|(k, n)| (1..=*n).contains(k))
            .ok_or_else(|| format!("`{label}` is not a partition K/N"))?;
        match count {
            None => count = Some(n),
            Some(m) if m != n => {
                return Err(format!(
                "the documents split the suite into different numbers of partitions ({m} and {n})"
            ))
            }
            Some(_) => {}
        }
        *seen.entry(k).or_insert(0) += 1;
    }
    let n = count.unwrap_or(0);
    let twice: Vec<String> = seen
        .iter()
        .filter(|(_, times)| **times > 1)
        .map(|(k, _)| format!("{k}/{n}"))
        .collect();
    if !twice.is_empty() {
        return Err(format!(
            "partition {} given twice: give each partition's document once",
            twice.join(", ")
        ));
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    match missing.len() {
        0 => Ok(()),
        1 => Err(format!(
            "partition {} is missing: a merge needs the documents of all {n} partitions",
            missing[0]
        )),
        _ => Err(format!(
            "partitions {} are missing: a merge needs the documents of all {n} partitions",
            missing.join(", ")
        )),
    }
}

/// Now as RFC 3339 UTC (seconds precision).
pub fn utc_now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// SHA-256 over every file below `root` that the suite reads (path and content), in
/// path order: two runs with the same hash ran the same suite.
pub fn suite_hash(root: &std::path::Path, files: &[std::path::PathBuf]) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&std::path::PathBuf> = files.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for f in sorted {
        let rel = f.strip_prefix(root).unwrap_or(f);
        hasher.update(rel.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(std::fs::read(f).unwrap_or_default());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Builds the document of a run.
pub struct DocumentInput<'a> {
    pub results: &'a [CaseResult],
    pub expectations: &'a TargetProfile,
    pub target: TargetInfo,
    pub suite: SuiteInfo,
    pub started_at: String,
    pub duration_secs: f64,
    pub partition: Option<String>,
    pub interrupted: bool,
    pub details: &'a dyn Fn(&CaseResult) -> String,
    pub case_ids: &'a [&'a str],
}

impl RunDocument {
    pub fn build(input: DocumentInput<'_>) -> RunDocument {
        let cases = input
            .results
            .iter()
            .map(|r| {
                CaseEntry::from_result(
                    r,
                    input.expectations,
                    Some((input.details)(r)),
                    &input.target.region,
                )
            })
            .collect();
        let mut doc = RunDocument {
            format: FORMAT.into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            suite: input.suite,
            target: input.target,
            started_at: input.started_at,
            duration_secs: input.duration_secs,
            partition: input.partition,
            interrupted: input.interrupted,
            totals: BTreeMap::new(),
            unknown_expectations: super::profile::unknown_entries(
                input.expectations,
                input.case_ids,
            )
            .into_iter()
            .cloned()
            .collect(),
            problems: Vec::new(),
            setup: Vec::new(),
            cases,
        };
        doc.recount();
        doc
    }
}

#[cfg(test)]
mod tests;
