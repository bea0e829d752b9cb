//! The commands, wiring the stages together: load the contract and the suite, choose
//! the target (the built-in reference when no endpoint is given), set up fixtures,
//! run the cases as trials, tear down and clean up. Returns typed results; `main.rs`
//! turns them into messages and exit codes.

use crate::contract::{Contract, ContractError};
use crate::reference::{self, Deviation, ReferenceError, ReferenceOptions};
use crate::report::document::{
    suite_hash, utc_now, DocumentInput, RunDocument, SuiteInfo, TargetInfo,
};
use crate::report::expectations::{Expectations, ExpectationsError};
use crate::report::{self, TrialPlan};
use crate::run::{CaseResult, Outcome, RunSettings, Runner};
use crate::snapshot::{Normalisers, Provenance, SnapshotError, SnapshotStore, UpdateMode};
use crate::suite::{Case, PlannedFixture, Suite, SuiteError};
use crate::target::{Credentials, PathStyle, Target, TargetConfig, TargetError};
use libtest_mimic::Arguments;
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
    #[error("the built-in reference target could not start: {0}")]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Expectations(#[from] ExpectationsError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Where the suite and the schemas are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub cases: PathBuf,
    pub schemas: PathBuf,
    pub snapshots: PathBuf,
}

impl Paths {
    /// An explicit path, else `./<name>` when it exists, else the copy in the source tree.
    pub fn resolve(cases: Option<PathBuf>, schemas: Option<PathBuf>) -> Paths {
        let pick = |given: Option<PathBuf>, name: &str| {
            given.unwrap_or_else(|| {
                let local = PathBuf::from(name);
                if local.is_dir() {
                    local
                } else {
                    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
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
pub fn load(paths: &Paths) -> Result<(Arc<Contract>, Suite), AppError> {
    let contract = Contract::load(&paths.schemas)?;
    let suite = Suite::load(&paths.cases, &contract.operations())?;
    Ok((Arc::new(contract), suite))
}

/// Where a run sends its calls.
#[derive(Debug, Clone)]
pub struct TargetChoice {
    /// None: start the built-in reference target.
    pub endpoint: Option<String>,
    pub path_style: PathStyle,
    pub region: String,
    pub timeout: Duration,
    /// Deviations of the built-in reference (only without an endpoint).
    pub deviations: Vec<Deviation>,
    pub poll_interval: Option<Duration>,
    /// Overrides of suite variables (`--var name=value`).
    pub vars: Vec<(String, String)>,
    /// Kind of target for snapshot provenance (`aws`, `reference`, `moto`, …); None: guessed.
    pub kind: Option<String>,
    pub snapshots: SnapshotOptions,
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
    /// The kind of target: given, else `reference` without an endpoint, `aws` for
    /// amazonaws.com endpoints, else `emulator`.
    pub fn kind(&self) -> String {
        self.kind.clone().unwrap_or_else(|| match &self.endpoint {
            None => "reference".into(),
            Some(e) if e.contains(".amazonaws.com") => "aws".into(),
            Some(_) => "emulator".into(),
        })
    }
}

/// Which cases run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only cases with at least one of these tags (empty: all).
    pub tags: Vec<String>,
    /// Cases with one of these tags are skipped (shown as ignored), with the reason.
    pub skip_tags: Vec<(String, String)>,
    /// `(k, n)`: only the k-th of n deterministic shares of the suite (1-based).
    pub partition: Option<(usize, usize)>,
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

/// What a run produced.
#[derive(Debug)]
pub struct RunReport {
    /// The endpoint URL the run called.
    pub endpoint: String,
    /// Cases of the whole suite (all partitions) and the suite's content hash.
    pub suite: SuiteInfo,
    pub case_ids: Vec<String>,
    pub started_at: String,
    pub duration: Duration,
    pub target: String,
    pub results: Vec<CaseResult>,
    /// The target could not be reached at all (nothing ran).
    pub unreachable: Option<String>,
    pub interrupted: bool,
    pub listed_only: bool,
}

impl RunReport {
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

/// A target ready to receive the suite: the runtime, the runner, and the reference
/// server when the run started one.
pub struct Session {
    pub runtime: tokio::runtime::Runtime,
    pub runner: Arc<Runner>,
    reference: Option<reference::ReferenceServer>,
    /// Human-readable name of the target.
    pub label: String,
    /// The endpoint URL calls go to.
    pub endpoint: String,
}

impl Session {
    /// Starts the runtime (and the reference target when no endpoint is given).
    pub fn start(
        paths: &Paths,
        contract: Arc<Contract>,
        suite: &Suite,
        choice: &TargetChoice,
        jobs: usize,
    ) -> Result<Session, AppError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(jobs.clamp(2, 16))
            .enable_all()
            .build()
            .map_err(AppError::Runtime)?;
        let (endpoint, reference) = match &choice.endpoint {
            Some(e) => (e.clone(), None),
            None => {
                let server = runtime.block_on(reference::start(ReferenceOptions {
                    deviations: choice.deviations.clone(),
                    ..ReferenceOptions::default()
                }))?;
                (server.endpoint(), Some(server))
            }
        };
        let mut config = TargetConfig::new(endpoint.clone(), choice.region.clone());
        config.path_style = choice.path_style;
        config.timeout = choice.timeout;
        config.credentials = if reference.is_some() {
            Credentials::dummy()
        } else {
            Credentials::discover(&|k| std::env::var(k).ok())
        };
        let target = Target::new(config)?;
        let default_poll = if reference.is_some() {
            Duration::from_millis(25)
        } else {
            Duration::from_secs(1)
        };
        let mut vars = suite.vars.clone();
        for (k, v) in &choice.vars {
            vars.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
        let settings = RunSettings {
            poll_interval: choice.poll_interval.unwrap_or(default_poll),
            vars,
            ..RunSettings::default()
        };
        let label = match &reference {
            Some(_) if choice.deviations.is_empty() => {
                format!("the built-in reference target ({endpoint})")
            }
            Some(_) => format!(
                "the built-in reference target with deviations {} ({endpoint})",
                choice
                    .deviations
                    .iter()
                    .map(|d| d.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => endpoint.clone(),
        };
        let mut runner = Runner::new(target, contract, settings);
        if !choice.snapshots.disabled {
            runner = runner.with_snapshots(Arc::new(snapshot_store(paths, choice)?));
        }
        Ok(Session {
            endpoint,
            runtime,
            runner: Arc::new(runner),
            reference,
            label,
        })
    }

    /// Sets up the fixtures these cases need. Err: the target is unreachable.
    pub fn setup<'s>(
        &self,
        suite: &'s Suite,
        cases: &[&Case],
    ) -> Result<Vec<&'s PlannedFixture>, String> {
        let fixtures = suite.fixtures_for(cases);
        let outcome = self.runtime.block_on(self.runner.setup_fixtures(&fixtures));
        if let Some(reason) = outcome.unreachable {
            self.runtime
                .block_on(self.runner.teardown_fixtures(&fixtures));
            return Err(reason);
        }
        for (name, why) in &outcome.failed {
            eprintln!("fixture `{name}` could not be set up: {why}");
        }
        Ok(fixtures)
    }

    /// Runs cases concurrently (at most `jobs` at once) without terminal output.
    pub fn run_cases(&self, cases: &[&Case], jobs: usize) -> Vec<CaseResult> {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
        self.runtime.block_on(async {
            let mut handles = Vec::with_capacity(cases.len());
            for case in cases {
                let case = (*case).clone();
                let runner = Arc::clone(&self.runner);
                let semaphore = Arc::clone(&semaphore);
                handles.push(tokio::spawn(async move {
                    let _permit = semaphore.acquire_owned().await;
                    runner.run_case(&case).await
                }));
            }
            let mut results = Vec::with_capacity(handles.len());
            for (handle, case) in handles.into_iter().zip(cases) {
                results.push(handle.await.unwrap_or_else(|e| {
                    let mut r = CaseResult::skipped(case, "");
                    r.outcome = Outcome::Error(format!("the case could not finish: {e}"));
                    r
                }));
            }
            results
        })
    }

    /// Stops every task the run started, tears fixtures down, stops the reference.
    pub fn finish(self, fixtures: &[&PlannedFixture]) {
        self.runtime.block_on(async {
            self.runner.stop_started_tasks().await;
            self.runner.teardown_fixtures(fixtures).await;
            if let Some(server) = self.reference {
                server.shutdown().await;
            }
        });
    }
}

/// Runs the whole selection without terminal output (tests, `diff`, benchmarks).
pub fn run_quiet(
    paths: &Paths,
    choice: &TargetChoice,
    selection: &Selection,
    jobs: usize,
) -> Result<RunReport, AppError> {
    let clock = std::time::Instant::now();
    let (contract, suite) = load(paths)?;
    let (cases, ignored) = select(&suite, selection);
    let cases: Vec<&Case> = cases
        .into_iter()
        .filter(|c| !ignored.iter().any(|(id, _)| *id == c.id))
        .collect();
    let session = Session::start(paths, contract, &suite, choice, jobs)?;
    let mut report = RunReport {
        endpoint: session.endpoint.clone(),
        suite: suite_info(&suite),
        case_ids: suite.cases.iter().map(|c| c.id.clone()).collect(),
        started_at: utc_now(),
        duration: Duration::ZERO,
        target: session.label.clone(),
        results: Vec::new(),
        unreachable: None,
        interrupted: false,
        listed_only: false,
    };
    match session.setup(&suite, &cases) {
        Err(reason) => {
            report.unreachable = Some(reason);
            session.finish(&[]);
        }
        Ok(fixtures) => {
            report.results = session.run_cases(&cases, jobs);
            session.finish(&fixtures);
        }
    }
    report.duration = clock.elapsed();
    Ok(report)
}

/// Runs the suite against a target with libtest-style output.
pub fn run(
    paths: &Paths,
    choice: &TargetChoice,
    selection: &Selection,
    jobs: usize,
    mut args: Arguments,
) -> Result<RunReport, AppError> {
    let clock = std::time::Instant::now();
    let (contract, suite) = load(paths)?;
    let (cases, ignored) = select(&suite, selection);
    args.test_threads = Some(jobs.max(1));
    if args.list {
        let _ = report::run_trials(
            &args,
            TrialPlan { cases, ignored },
            |c| CaseResult::skipped(c, "listed only"),
            |_| String::new(),
        );
        return Ok(RunReport {
            endpoint: String::new(),
            suite: suite_info(&suite),
            case_ids: Vec::new(),
            started_at: utc_now(),
            duration: Duration::ZERO,
            target: String::new(),
            results: Vec::new(),
            unreachable: None,
            interrupted: false,
            listed_only: true,
        });
    }
    let session = Session::start(paths, contract, &suite, choice, jobs)?;
    let mut report = RunReport {
        endpoint: session.endpoint.clone(),
        suite: suite_info(&suite),
        case_ids: suite.cases.iter().map(|c| c.id.clone()).collect(),
        started_at: utc_now(),
        duration: Duration::ZERO,
        target: session.label.clone(),
        results: Vec::new(),
        unreachable: None,
        interrupted: false,
        listed_only: false,
    };
    watch_interrupts(&session.runtime, &session.runner);
    let running: Vec<&Case> = cases
        .iter()
        .copied()
        .filter(|c| will_run(&args, c, ignored.iter().any(|(id, _)| *id == c.id)))
        .collect();
    let fixtures = match session.setup(&suite, &running) {
        Ok(f) => f,
        Err(reason) => {
            report.unreachable = Some(reason);
            session.finish(&[]);
            return Ok(report);
        }
    };
    let handle = session.runtime.handle().clone();
    let exec_runner = Arc::clone(&session.runner);
    let region = choice.region.clone();
    let (_, results) = report::run_trials(
        &args,
        TrialPlan { cases, ignored },
        move |case| handle.block_on(exec_runner.run_case(case)),
        move |result| report::text::failure(result, &region),
    );
    report.results = results;
    report.interrupted = session.runner.is_interrupted();
    session.finish(&fixtures);
    report.duration = clock.elapsed();
    Ok(report)
}

/// Cases that match the tag filters, and those skipped by tag with the reason.
fn select<'a>(suite: &'a Suite, selection: &Selection) -> (Vec<&'a Case>, Vec<(String, String)>) {
    let cases: Vec<&Case> = suite
        .cases
        .iter()
        .filter(|c| selection.tags.is_empty() || c.tags.iter().any(|t| selection.tags.contains(t)))
        .filter(|c| {
            selection
                .partition
                .is_none_or(|(k, n)| in_partition(&c.id, k, n))
        })
        .collect();
    let ignored = cases
        .iter()
        .filter_map(|c| {
            selection
                .skip_tags
                .iter()
                .find(|(t, _)| c.tags.contains(t))
                .map(|(t, why)| (c.id.clone(), format!("skipped by tag `{t}`: {why}")))
        })
        .collect();
    (cases, ignored)
}

/// Whether libtest-mimic will run this case (its filter rules), so fixtures are set
/// up only for cases that run.
fn will_run(args: &Arguments, case: &Case, ignored: bool) -> bool {
    let name = case.id.as_str();
    let matches = |f: &str| {
        if args.exact {
            name == f
        } else {
            name.contains(f)
        }
    };
    if let Some(filter) = &args.filter {
        if !matches(filter) {
            return false;
        }
    }
    if args.skip.iter().any(|s| matches(s)) {
        return false;
    }
    if args.ignored {
        return ignored;
    }
    args.include_ignored || !ignored
}

/// First Ctrl-C: finish current steps, tear down and clean up. Second: quit at once.
fn watch_interrupts(runtime: &tokio::runtime::Runtime, runner: &Arc<Runner>) {
    let runner = Arc::clone(runner);
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            runner.interrupt();
            eprintln!("\ninterrupted: finishing the current steps, then tearing down and stopping started tasks (Ctrl-C again quits at once)");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

/// Runs the reference target in the foreground until Ctrl-C.
pub fn serve(opts: ReferenceOptions) -> Result<(), AppError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(AppError::Runtime)?;
    runtime.block_on(async {
        let server = reference::start(opts).await?;
        println!(
            "ecs-conform reference target listening on {}",
            server.endpoint()
        );
        let _ = tokio::signal::ctrl_c().await;
        server.shutdown().await;
        Ok(())
    })
}

fn suite_info(suite: &Suite) -> SuiteInfo {
    let mut files: Vec<PathBuf> = suite.cases.iter().map(|c| c.file.clone()).collect();
    let fixtures = suite.root.join(crate::suite::FIXTURES_FILE);
    if fixtures.is_file() {
        files.push(fixtures);
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
}

/// The run document of a finished run, with per-target expectations applied.
pub fn document(
    report: &RunReport,
    expectations: &Expectations,
    choice: &TargetChoice,
    partition: Option<(usize, usize)>,
) -> RunDocument {
    let region = choice.region.clone();
    let details = move |r: &CaseResult| report::text::failure(r, &region);
    let case_ids: Vec<&str> = report.case_ids.iter().map(String::as_str).collect();
    let kind = expectations.kind.clone().unwrap_or_else(|| {
        if choice.endpoint.is_none() {
            "reference".into()
        } else if choice
            .endpoint
            .as_deref()
            .is_some_and(|e| e.contains(".amazonaws.com"))
        {
            "aws".into()
        } else {
            "emulator".into()
        }
    });
    RunDocument::build(DocumentInput {
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
        },
        suite: report.suite.clone(),
        started_at: report.started_at.clone(),
        duration_secs: report.duration.as_secs_f64(),
        partition: partition.map(|(k, n)| format!("{k}/{n}")),
        details: &details,
        case_ids: &case_ids,
    })
}

/// Writes the requested renderings of a document.
pub fn publish(
    doc: &RunDocument,
    outputs: &Outputs,
    coverage: Option<&str>,
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
        write(path, report::markdown::render(doc, coverage))?;
    }
    Ok(())
}

/// Reads run documents (`--report-json` files) for `merge`.
pub fn read_documents(paths: &[PathBuf]) -> Result<Vec<RunDocument>, AppError> {
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
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
    let normalisers = Normalisers::load(&paths.snapshots.join("normalisers.yaml"))?;
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
    Ok(store.with_ignored(&choice.snapshots.ignore)?)
}

/// The coverage report as Markdown, and the number of gaps against the goal.
pub fn coverage(paths: &Paths) -> Result<(String, usize), AppError> {
    let (contract, suite) = load(paths)?;
    let exclusions =
        crate::coverage::Exclusions::load(&paths.cases.join(crate::suite::COVERAGE_FILE))
            .map_err(AppError::Usage)?;
    let coverage = crate::coverage::compute(&suite, &contract, &exclusions);
    Ok((crate::coverage::markdown(&coverage), coverage.gaps().len()))
}

/// Normalised differences per case step between two targets: (case, step, lines).
pub fn diff(
    paths: &Paths,
    a: &TargetChoice,
    b: &TargetChoice,
    filter: Option<&str>,
) -> Result<Vec<(String, usize, Vec<String>)>, AppError> {
    use crate::snapshot::{diff_values, normalise_exchange, Identities};
    let normalisers = Normalisers::load(&paths.snapshots.join("normalisers.yaml"))?;
    let selection = Selection::default();
    let mut runs = Vec::new();
    for choice in [a, b] {
        let mut report = run_quiet(paths, choice, &selection, 4)?;
        if let Some(reason) = report.unreachable {
            return Err(AppError::Target(crate::target::TargetError::Unreachable {
                endpoint: choice
                    .endpoint
                    .clone()
                    .unwrap_or_else(|| "reference".into()),
                reason,
            }));
        }
        report
            .results
            .retain(|r| filter.is_none_or(|f| r.id.contains(f)));
        runs.push(report.results);
    }
    let mut out = Vec::new();
    for left in &runs[0] {
        let Some(right) = runs[1].iter().find(|r| r.id == left.id) else {
            continue;
        };
        let (mut ids_a, mut ids_b) = (Identities::default(), Identities::default());
        for (sa, sb) in left.steps.iter().zip(&right.steps) {
            let (Some(ea), Some(eb)) = (&sa.exchange, &sb.exchange) else {
                continue;
            };
            let na = normalise_exchange(ea, &normalisers, &mut ids_a);
            let nb = normalise_exchange(eb, &normalisers, &mut ids_b);
            let lines = diff_values(&na, &nb);
            if !lines.is_empty() {
                out.push((left.id.clone(), sa.index, lines));
            }
        }
    }
    Ok(out)
}
