//! What a run leaves behind and the tools around it: the run document with
//! expectations applied, its JSON/JUnit/Markdown/HTML/badge renderings, merging, the snapshot
//! store, coverage and live diffs between two targets.

use super::{load, AppError, Paths, RunResult, TargetChoice};
use crate::report;
use crate::report::document::{suite_hash, SuiteInfo};
use crate::report::document::{DocumentInput, RunDocument, TargetInfo};
use crate::report::profile::TargetProfile;
use crate::run::CaseResult;
use crate::snapshot::{Normalisers, Provenance, SnapshotStore, UpdateMode};
use crate::suite::Suite;
use std::collections::BTreeSet;
use std::path::PathBuf;

pub(super) fn suite_info(suite: &Suite) -> SuiteInfo {
    let mut files: Vec<PathBuf> = suite.cases.iter().map(|c| c.file.clone()).collect();
    for name in [crate::suite::FIXTURES_FILE, crate::suite::GENERATE_FILE] {
        let path = suite.root.join(name);
        if path.is_file() {
            files.push(path);
        }
    }
    SuiteInfo {
        cases: suite.cases.len(),
        hash: suite_hash(&suite.root, &files),
    }
}

/// Where to write the reports of a run.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    pub junit: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    /// The SVG badge (`ecs conformance | 94 %`).
    pub badge: Option<PathBuf>,
    /// The self-contained HTML report.
    pub html: Option<PathBuf>,
}

/// The run document of a finished run, with per-target expectations applied.
pub fn document(
    report: &RunResult,
    expectations: &TargetProfile,
    choice: &TargetChoice,
    partition: Option<(usize, usize)>,
) -> RunDocument {
    let region = choice.region.clone();
    let details = move |r: &CaseResult| report::text::failure(r, &region);
    let case_ids: Vec<&str> = report.case_ids.iter().map(String::as_str).collect();
    let kind = expectations.kind.clone().unwrap_or_else(|| choice.kind());
    let mut doc = RunDocument::build(DocumentInput {
        results: &report.results,
        expectations,
        target: TargetInfo {
            name: expectations
                .name
                .clone()
                .unwrap_or_else(|| report.target.clone()),
            kind,
            endpoint: report.endpoint.clone(),
            region: choice.region.clone(),
            credentials: match (&choice.credentials, &choice.local) {
                (Some(given), _) => Some(given.current.source.clone()),
                (None, Some(_)) => Some("dummy (a target started for this run)".to_owned()),
                (None, None) => None,
            },
        },
        suite: report.suite.clone(),
        started_at: report.started_at.clone(),
        duration_secs: report.duration.as_secs_f64(),
        partition: partition.map(|(k, n)| format!("{k}/{n}")),
        interrupted: report.interrupted,
        details: &details,
        case_ids: &case_ids,
    });
    doc.setup.clone_from(&report.setup);
    doc
}

/// Writes the requested renderings of a document.
pub fn publish(
    doc: &RunDocument,
    outputs: &Outputs,
    coverage: Option<&crate::coverage::Coverage>,
) -> Result<(), AppError> {
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|source| AppError::Write {
            path: path.clone(),
            source,
        })
    };
    if let Some(path) = &outputs.json {
        write(
            path,
            serde_json::to_string_pretty(doc).unwrap_or_default() + "\n",
        )?;
    }
    if let Some(path) = &outputs.junit {
        let xml = report::junit::render(doc)
            .map_err(|e| AppError::Usage(format!("cannot render JUnit XML: {e}")))?;
        write(path, xml)?;
    }
    if let Some(path) = &outputs.markdown {
        let section = coverage.map(crate::coverage::markdown);
        write(path, report::markdown::render(doc, section.as_deref()))?;
    }
    if let Some(path) = &outputs.badge {
        let svg = report::badge::render(doc).map_err(|e| AppError::Usage(e.to_string()))?;
        write(path, svg)?;
    }
    if let Some(path) = &outputs.html {
        let html =
            report::html::render(doc, coverage).map_err(|e| AppError::Usage(e.to_string()))?;
        write(path, html)?;
    }
    Ok(())
}

/// Reads run documents (`--report-json` files) for `merge`.
pub fn read_documents(paths: &[PathBuf]) -> Result<Vec<RunDocument>, AppError> {
    paths
        .iter()
        .map(|p| {
            let text = crate::files::read_text(p)
                .map_err(|e| AppError::Usage(format!("cannot read {}: {e}", p.display())))?;
            serde_json::from_str(&text).map_err(|e| {
                AppError::Usage(format!(
                    "{}:{}:{}: not a run document: {e}",
                    p.display(),
                    e.line(),
                    e.column()
                ))
            })
        })
        .collect()
}

/// The snapshot store of a run: `snapshots/`, its normalisers, the update mode from
/// the flag and the environment, and the provenance of this target.
pub fn snapshot_store(paths: &Paths, choice: &TargetChoice) -> Result<SnapshotStore, AppError> {
    let normalisers = Normalisers::load(&paths.normalisers())?;
    let mode = UpdateMode::try_from_env(choice.snapshots.update)?;
    let provenance = Provenance {
        target_kind: choice.kind(),
        region: choice.region.clone(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
    };
    let store = SnapshotStore::new(
        paths.snapshots.clone(),
        normalisers,
        mode,
        provenance,
        choice.snapshots.force,
    );
    Ok(store
        .with_fallback(paths.snapshots_fallback.clone())
        .with_ignored(&choice.snapshots.ignore)?
        .with_known(&choice.snapshots.known))
}

/// The snapshot names the suite's `snapshot: true` steps record (see
/// [`snapshot_name`](crate::snapshot::snapshot_name)): a `.snap` named by none is an
/// orphan.
pub fn expected_snapshots(paths: &Paths) -> Result<BTreeSet<String>, AppError> {
    let (_, suite) = load(paths)?;
    let mut names = BTreeSet::new();
    for case in &suite.cases {
        for steps in [&case.steps, &case.teardown] {
            for (i, planned) in steps.iter().enumerate() {
                if planned.step.snapshot {
                    names.insert(crate::snapshot::snapshot_name(&case.id, i + 1));
                }
            }
        }
    }
    Ok(names)
}

/// The coverage report as Markdown, and the number of gaps against the goal.
pub fn coverage(paths: &Paths) -> Result<(String, usize), AppError> {
    let coverage = coverage_of(paths)?;
    Ok((crate::coverage::markdown(&coverage), coverage.gaps().len()))
}

/// The coverage of the suite at `paths`, for the reports.
pub fn coverage_of(paths: &Paths) -> Result<crate::coverage::Coverage, AppError> {
    let (contract, suite) = load(paths)?;
    let exclusions =
        crate::coverage::Exclusions::load(&paths.cases.join(crate::suite::COVERAGE_FILE))
            .map_err(AppError::Usage)?;
    Ok(crate::coverage::compute(&suite, &contract, &exclusions))
}
