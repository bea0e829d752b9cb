//! The commands, wiring the stages together: load the contract and the suite, reach
//! the target (an endpoint; a caller that starts a local target passes its endpoint and
//! label), set up fixtures,
//! run the cases as trials, tear down and clean up. Returns typed results; `main.rs`
//! turns them into messages and exit codes.

mod cleanup;
mod diff;
mod output;
mod select;
mod session;

pub use cleanup::{cleanup, CleanupScope, CleanupSummary, CleanupTarget};

pub use diff::{diff, DiffReport, StepDifference};
pub use output::{
    coverage, coverage_of, document, expected_snapshots, publish, read_documents, snapshot_store,
    Outputs,
};
pub use select::{choose, Chosen};
pub use session::{list, run, run_quiet, Session, Setup};

use crate::client::{PathStyle, TargetError};
use crate::contract::{Contract, ContractError};
use crate::report::document::SuiteInfo;
use crate::report::profile::TargetProfileError;
use crate::run::{CaseResult, Outcome, SetupIssue};
use crate::snapshot::SnapshotError;
use crate::suite::{Suite, SuiteError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Why a command could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Suite(#[from] SuiteError),
    #[error(transparent)]
    Contract(#[from] ContractError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    TargetProfile(#[from] TargetProfileError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Generate(#[from] crate::generate::GenerateError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cleanup stopped: {0}")]
    Cleanup(String),
    /// A command that would verify nothing (a filter that selects no case).
    #[error("no cases to run: {0}")]
    NoCases(String),
    /// `diff` compared nothing (no step answered on both sides).
    #[error("{0}")]
    Incomplete(String),
    #[error("run id {run_id} is in use on the target: its cluster {cluster} exists; choose another ECS_CONFORM_RUN_ID or run `ecs-conform cleanup --run-id {run_id}`")]
    RunIdInUse { run_id: String, cluster: String },
}

impl AppError {
    /// The message, with the source line and a caret under each located problem (a
    /// case file, the fixtures file, a target file); only the CLI prints it.
    pub fn render(&self) -> String {
        match self {
            AppError::Suite(e) => e.render(),
            AppError::TargetProfile(e) => e.render(),
            AppError::Snapshot(SnapshotError::Normalisers(problem)) => problem.render(),
            other => other.to_string(),
        }
    }
}

/// The normalisers file's name in a snapshots folder.
const NORMALISERS_FILE: &str = "normalisers.yaml";

/// Where the suite and the schemas are.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    pub cases: PathBuf,
    pub schemas: PathBuf,
    /// Where snapshots are read first and where a run writes them.
    pub snapshots: PathBuf,
    /// More folders of case files loaded next to `cases` (`--add-cases`; see
    /// [`crate::suite::Layers`]).
    pub add_cases: Vec<PathBuf>,
    /// The fixtures file used when `cases` has none.
    pub fixtures_fallback: Option<PathBuf>,
    /// A read-only folder beneath `snapshots`: a golden or `normalisers.yaml` that
    /// `snapshots` lacks is read from here; nothing is ever written here.
    pub snapshots_fallback: Option<PathBuf>,
}

impl Paths {
    /// An explicit path, else `./<name>` when it exists, else `<fallback>/<name>` (when
    /// given; the library's callers pass none, the CLI uses [`Paths::layered`]).
    pub fn resolve(
        cases: Option<PathBuf>,
        schemas: Option<PathBuf>,
        fallback: Option<&Path>,
    ) -> Paths {
        let pick = |given: Option<PathBuf>, name: &str| {
            given.unwrap_or_else(|| {
                let local = PathBuf::from(name);
                match fallback {
                    Some(root) if !local.is_dir() => root.join(name),
                    _ => local,
                }
            })
        };
        Paths {
            cases: pick(cases, "cases"),
            schemas: pick(schemas, "schemas"),
            snapshots: pick(None, "snapshots"),
            ..Paths::default()
        }
    }

    /// The folders of a run of the binary, relative to the working directory: a
    /// given folder (flag or environment), else `./cases` and `./schemas` when they
    /// exist, else the built-in suite's (`builtin()` gives the root of its `cases/`,
    /// `schemas/`, `targets/` and `snapshots/`; it is called only when needed).
    /// Snapshots are always read from and written to `./snapshots`; beneath it the
    /// built-in goldens and normalisers are read when the suite is the built-in one
    /// or `./snapshots` has no `normalisers.yaml`. A cases folder without a
    /// `fixtures.yaml` uses the built-in one. `add_cases` are loaded next to the cases.
    pub fn layered<E>(
        cases: Option<PathBuf>,
        schemas: Option<PathBuf>,
        add_cases: Vec<PathBuf>,
        builtin: impl FnOnce() -> Result<PathBuf, E>,
    ) -> Result<Paths, E> {
        let mut builtin = Some(builtin);
        let mut root: Option<PathBuf> = None;
        let mut builtin_root = || -> Result<PathBuf, E> {
            if let Some(r) = &root {
                return Ok(r.clone());
            }
            let r = match builtin.take() {
                Some(make) => make()?,
                None => PathBuf::new(),
            };
            root = Some(r.clone());
            Ok(r)
        };
        let local = |name: &str| Some(PathBuf::from(name)).filter(|p| p.is_dir());
        let (cases, builtin_cases) = match cases.or_else(|| local("cases")) {
            Some(dir) => (dir, false),
            None => (builtin_root()?.join("cases"), true),
        };
        let schemas = match schemas.or_else(|| local("schemas")) {
            Some(dir) => dir,
            None => builtin_root()?.join("schemas"),
        };
        let fixtures_fallback =
            if builtin_cases || cases.join(crate::suite::FIXTURES_FILE).is_file() {
                None
            } else {
                Some(
                    builtin_root()?
                        .join("cases")
                        .join(crate::suite::FIXTURES_FILE),
                )
            };
        let snapshots = PathBuf::from("snapshots");
        let snapshots_fallback = if builtin_cases || !snapshots.join(NORMALISERS_FILE).is_file() {
            Some(builtin_root()?.join("snapshots"))
        } else {
            None
        };
        Ok(Paths {
            cases,
            schemas,
            snapshots,
            add_cases,
            fixtures_fallback,
            snapshots_fallback,
        })
    }

    /// Where the suite's files come from besides `cases`.
    pub fn layers(&self) -> crate::suite::Layers {
        crate::suite::Layers {
            add_cases: self.add_cases.clone(),
            fixtures_fallback: self.fixtures_fallback.clone(),
        }
    }

    /// The normalisers file: `snapshots/normalisers.yaml`, else the fallback's.
    pub fn normalisers(&self) -> PathBuf {
        let own = self.snapshots.join(NORMALISERS_FILE);
        match &self.snapshots_fallback {
            Some(fallback) if !own.is_file() => fallback.join(NORMALISERS_FILE),
            _ => own,
        }
    }
}

/// Loads and checks the contract and the suite without sending anything.
/// A suite whose `generate.yaml` asks for them holds the generated negative cases too
/// (`crate::generate`), added here and in `load_for_run` only.
pub fn load(paths: &Paths) -> Result<(Arc<Contract>, Suite), AppError> {
    let contract = Contract::load(&paths.schemas)?;
    let mut suite =
        Suite::load_layered(&paths.cases, &paths.layers(), &contract.operations(), false)?;
    add_generated(&mut suite, paths)?;
    Ok((Arc::new(contract), suite))
}

/// Like `load`, with the suite loaded lean for running (cases planned as they run).
pub fn load_for_run(paths: &Paths) -> Result<(Arc<Contract>, Suite), AppError> {
    let contract = Contract::load(&paths.schemas)?;
    let mut suite =
        Suite::load_layered(&paths.cases, &paths.layers(), &contract.operations(), true)?;
    add_generated(&mut suite, paths)?;
    Ok((Arc::new(contract), suite))
}

/// Adds the negative cases generated from the contract when the suite asks for them.
fn add_generated(suite: &mut Suite, paths: &Paths) -> Result<(), AppError> {
    if suite.wants_negative_cases {
        suite.add_generated(&crate::generate::negative_cases(&paths.schemas)?)?;
    }
    Ok(())
}

/// Where a run sends its calls.
#[derive(Debug, Clone)]
pub struct TargetChoice {
    /// The endpoint URL calls go to.
    pub endpoint: String,
    /// Set when the caller started the target on this machine for this run (the
    /// built-in reference): its label. Such a target gets dummy credentials, 25 ms
    /// polls and a 10 s cap on `until` deadlines.
    pub local: Option<String>,
    pub path_style: PathStyle,
    pub region: String,
    pub timeout: Duration,
    pub poll_interval: Option<Duration>,
    /// Cap on every `until` deadline (default: 10s on the built-in reference, none elsewhere).
    pub max_within: Option<Duration>,
    /// Overrides of suite variables (`--var name=value`).
    pub vars: Vec<(String, String)>,
    /// Kind of target for snapshot provenance (`aws`, `reference`, `moto`, …); None: guessed.
    pub kind: Option<String>,
    pub snapshots: SnapshotOptions,
    /// Keep the request and response of steps that passed (`diff` compares them,
    /// `--report-html` shows them); otherwise only failing steps keep theirs.
    pub keep_exchanges: bool,
    /// Largest response body read (bytes); None: `client::DEFAULT_MAX_BODY`.
    pub max_body: Option<u64>,
    /// The run id (names of created resources: `ecs-conform-<run id>`); None:
    /// `ECS_CONFORM_RUN_ID`, else a random one. `diff` gives both sides the same one.
    pub run_id: Option<String>,
    /// A case running longer than this is reported slow (`RunEvent::CaseSlow`), and
    /// again at every multiple; None: 30 s.
    pub slow_after: Option<Duration>,
    /// The credentials to sign with (the CLI resolves them as the AWS SDKs do); None:
    /// dummy ones for a local target, else `Credentials::for_endpoint`.
    pub credentials: Option<crate::client::CredentialSource>,
}

impl Default for TargetChoice {
    /// No endpoint yet, us-east-1, every default.
    fn default() -> Self {
        TargetChoice {
            endpoint: String::new(),
            local: None,
            path_style: PathStyle::Root,
            region: "us-east-1".into(),
            timeout: Duration::from_secs(20),
            poll_interval: None,
            max_within: None,
            vars: Vec::new(),
            kind: None,
            snapshots: SnapshotOptions::default(),
            keep_exchanges: false,
            max_body: None,
            run_id: None,
            slow_after: None,
            credentials: None,
        }
    }
}

/// How steps with `snapshot: true` behave.
#[derive(Debug, Clone, Default)]
pub struct SnapshotOptions {
    /// Compare with snapshots/ at all.
    pub disabled: bool,
    /// `--update-snapshots`: overwrite mismatching snapshots.
    pub update: bool,
    /// Allow recording over goldens made on real AWS from another kind of target.
    pub force: bool,
    /// Body paths this target may differ on, with the reason.
    pub ignore: Vec<(String, String)>,
    /// The target's known deviations: steps whose snapshot mismatches they cover
    /// write no `.snap.new`.
    pub known: Vec<crate::report::profile::Known>,
}

impl TargetChoice {
    /// The kind of target: given, else `reference` for a local target, `aws` for
    /// amazonaws.com endpoints, else `emulator`.
    pub fn kind(&self) -> String {
        self.kind.clone().unwrap_or_else(|| {
            if self.local.is_some() {
                "reference".into()
            } else if self.endpoint.contains(".amazonaws.com") {
                "aws".into()
            } else {
                "emulator".into()
            }
        })
    }
}

/// Which cases run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only cases with at least one of these tags (empty: all).
    pub tags: Vec<String>,
    /// Cases with one of these tags get the verdict `skipped`, with the reason.
    pub skip_tags: Vec<(String, String)>,
    /// `(k, n)`: only the k-th of n deterministic shares of the suite (1-based).
    pub partition: Option<(usize, usize)>,
    /// Only cases whose id contains this (equals it with `exact`).
    pub filter: Option<String>,
    /// `filter` and `skip` match whole ids.
    pub exact: bool,
    /// Cases whose id contains (equals, with `exact`) one of these are left out.
    pub skip: Vec<String>,
    /// What happens to cases skipped by tag.
    pub tagged_skips: TaggedSkips,
    /// Messages name libtest's flags (`--ignored`, `--include-ignored`: the embedding
    /// API under `cargo test`) instead of the CLI's (`--only-skipped`, `--include-skipped`).
    pub libtest_terms: bool,
}

impl Selection {
    /// Adds libtest's name filters (`FILTER`, `--exact`, `--skip`, `--ignored`,
    /// `--include-ignored`), as `cargo test` applies them, to this selection.
    pub fn with_libtest(self, args: &libtest_mimic::Arguments) -> Selection {
        Selection {
            filter: args.filter.clone(),
            exact: args.exact,
            skip: args.skip.clone(),
            tagged_skips: if args.ignored {
                TaggedSkips::RunOnly
            } else if args.include_ignored {
                TaggedSkips::Run
            } else {
                TaggedSkips::Report
            },
            libtest_terms: true,
            ..self
        }
    }
}

/// What happens to cases skipped by tag (`skip_tags`, `seed-only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaggedSkips {
    /// They get the verdict `skipped` with the reason, without running.
    #[default]
    Report,
    /// Only they run (`--only-skipped`; libtest's `--ignored`); the others are left out.
    RunOnly,
    /// They run with the others (`--include-skipped`; libtest's `--include-ignored`).
    Run,
}

/// Whether a case belongs to partition `k` of `n` (by a stable hash of its id).
pub fn in_partition(case_id: &str, k: usize, n: usize) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in case_id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    n > 0 && (h % n as u64) as usize == k.saturating_sub(1)
}

/// What a run produced, in memory. Its serialized form (with verdicts under the
/// target's expectations) is [`RunDocument`](crate::report::document::RunDocument).
#[derive(Debug)]
pub struct RunResult {
    /// The endpoint URL the run called.
    pub endpoint: String,
    /// Cases of the whole suite (all partitions) and the suite's content hash.
    pub suite: SuiteInfo,
    pub case_ids: Vec<String>,
    pub started_at: String,
    pub duration: Duration,
    pub target: String,
    pub results: Vec<CaseResult>,
    /// Fixture steps that failed, each reported once: setup errors (the cases that
    /// need the fixture are blocked) and teardown warnings (something may be left).
    pub setup: Vec<SetupIssue>,
    /// The target could not be reached at all (nothing ran).
    pub unreachable: Option<String>,
    /// Interrupted (Ctrl-C, SIGTERM, SIGHUP): cases cut short claim no verdict.
    pub interrupted: bool,
    pub listed_only: bool,
    /// No case was selected to run: which filter selected nothing (nothing ran).
    pub nothing_selected: Option<String>,
}

impl RunResult {
    /// An empty report of a run of `suite` against `target` (results come later).
    pub fn new(suite: &Suite, target: String, endpoint: String) -> RunResult {
        RunResult {
            endpoint,
            suite: output::suite_info(suite),
            case_ids: suite.cases.iter().map(|c| c.id.clone()).collect(),
            started_at: crate::report::document::utc_now(),
            duration: Duration::ZERO,
            target,
            results: Vec::new(),
            setup: Vec::new(),
            unreachable: None,
            interrupted: false,
            listed_only: false,
            nothing_selected: None,
        }
    }

    pub fn has_target_errors(&self) -> bool {
        self.unreachable.is_some()
            || self
                .results
                .iter()
                .any(|r| matches!(r.outcome, Outcome::Error(_)))
    }

    pub fn has_failures(&self) -> bool {
        self.results.iter().any(|r| r.outcome == Outcome::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The tests run in the package root, which holds a whole suite.

    #[test]
    fn a_whole_suite_in_the_working_directory_never_needs_the_built_in_one() {
        let paths = Paths::layered(None, None, Vec::new(), || Err("the built-in suite"))
            .expect("not asked for the built-in suite");
        assert_eq!(paths.cases, PathBuf::from("cases"));
        assert_eq!(paths.schemas, PathBuf::from("schemas"));
        assert_eq!(paths.snapshots, PathBuf::from("snapshots"));
        assert_eq!(paths.fixtures_fallback, None);
        assert_eq!(paths.snapshots_fallback, None);
        assert_eq!(paths.normalisers(), Path::new("snapshots/normalisers.yaml"));
    }

    #[test]
    fn a_cases_folder_without_fixtures_uses_the_built_in_ones_and_the_flags_win() {
        let dir = std::env::temp_dir().join(format!("ecs-conform-layered-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut calls = 0;
        let paths = Paths::layered(
            Some(dir.clone()),
            Some(PathBuf::from("my-schemas")),
            vec![PathBuf::from("mine")],
            || {
                calls += 1;
                Ok::<_, ()>(PathBuf::from("/built-in"))
            },
        )
        .unwrap();
        assert_eq!(calls, 1);
        assert_eq!(paths.cases, dir);
        assert_eq!(paths.schemas, PathBuf::from("my-schemas"));
        assert_eq!(paths.add_cases, vec![PathBuf::from("mine")]);
        assert_eq!(
            paths.fixtures_fallback,
            Some(PathBuf::from("/built-in/cases/fixtures.yaml"))
        );
        // ./snapshots has its normalisers: nothing is read beneath it.
        assert_eq!(paths.snapshots_fallback, None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
