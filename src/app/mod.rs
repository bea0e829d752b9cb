//! The commands, wiring the stages together: load the contract and the suite, reach
//! the target (an endpoint; a caller that starts a local target passes its endpoint and
//! label), set up fixtures,
//! run the cases as trials, tear down and clean up. Returns typed results; `main.rs`
//! turns them into messages and exit codes.

mod cleanup;
mod output;
mod select;
mod session;

pub use cleanup::{cleanup, CleanupScope, CleanupSummary, CleanupTarget};

pub use output::{coverage, diff, document, publish, read_documents, snapshot_store, Outputs};
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

/// Where the suite and the schemas are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub cases: PathBuf,
    pub schemas: PathBuf,
    pub snapshots: PathBuf,
}

impl Paths {
    /// An explicit path, else `./<name>` when it exists, else `<fallback>/<name>` (the
    /// caller's choice: the CLI passes the suite it was built with).
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
        }
    }
}

/// Loads and checks the contract and the suite without sending anything.
/// A suite whose `generate.yaml` asks for them holds the generated negative cases too
/// (`crate::generate`), added here and in `load_for_run` only.
pub fn load(paths: &Paths) -> Result<(Arc<Contract>, Suite), AppError> {
    let contract = Contract::load(&paths.schemas)?;
    let mut suite = Suite::load(&paths.cases, &contract.operations())?;
    add_generated(&mut suite, paths)?;
    Ok((Arc::new(contract), suite))
}

/// Like `load`, with the suite loaded lean for running (cases planned as they run).
pub fn load_for_run(paths: &Paths) -> Result<(Arc<Contract>, Suite), AppError> {
    let contract = Contract::load(&paths.schemas)?;
    let mut suite = Suite::load_lean(&paths.cases, &contract.operations())?;
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
    /// Keep the request and response of steps that passed (`diff` compares them);
    /// otherwise only failing steps keep theirs, which is all reports show.
    pub keep_exchanges: bool,
    /// Largest response body read (bytes); None: `client::DEFAULT_MAX_BODY`.
    pub max_body: Option<u64>,
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
