//! The commands, wiring the stages together: load the contract and the suite, choose
//! the target (the built-in reference when no endpoint is given), set up fixtures,
//! run the cases as trials, tear down and clean up. Returns typed results; `main.rs`
//! turns them into messages and exit codes.

use crate::contract::{Contract, ContractError};
use crate::reference::{self, Deviation, ReferenceError, ReferenceOptions};
use crate::report::{self, TrialPlan};
use crate::run::{CaseResult, Outcome, RunSettings, Runner};
use crate::suite::{Case, Suite, SuiteError};
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
    #[error("{0}")]
    Usage(String),
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Where the suite and the schemas are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub cases: PathBuf,
    pub schemas: PathBuf,
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
}

/// Which cases run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only cases with at least one of these tags (empty: all).
    pub tags: Vec<String>,
    /// Cases with one of these tags are skipped (shown as ignored).
    pub skip_tags: Vec<String>,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunReport {
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

/// Runs the suite against a target with libtest-style output.
pub fn run(
    paths: &Paths,
    choice: &TargetChoice,
    selection: &Selection,
    jobs: usize,
    mut args: Arguments,
) -> Result<RunReport, AppError> {
    let (contract, suite) = load(paths)?;
    let (cases, ignored) = select(&suite, selection);
    args.test_threads = Some(jobs.max(1));
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
    let runner = Arc::new(Runner::new(target, contract, settings));
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
    let mut report = RunReport {
        target: label,
        results: Vec::new(),
        unreachable: None,
        interrupted: false,
        listed_only: args.list,
    };
    if !args.list {
        watch_interrupts(&runtime, &runner);
        let running: Vec<&Case> = cases
            .iter()
            .copied()
            .filter(|c| will_run(&args, c, ignored.iter().any(|(id, _)| *id == c.id)))
            .collect();
        let fixtures = suite.fixtures_for(&running);
        let outcome = runtime.block_on(runner.setup_fixtures(&fixtures));
        if let Some(reason) = outcome.unreachable {
            report.unreachable = Some(reason);
            runtime.block_on(runner.teardown_fixtures(&fixtures));
            return Ok(report);
        }
        for (name, why) in &outcome.failed {
            eprintln!("fixture `{name}` could not be set up: {why}");
        }
        let handle = runtime.handle().clone();
        let exec_runner = Arc::clone(&runner);
        let region = choice.region.clone();
        let (_, results) = report::run_trials(
            &args,
            TrialPlan {
                cases: cases.clone(),
                ignored,
            },
            move |case| handle.block_on(exec_runner.run_case(case)),
            move |result| report::text::failure(result, &region),
        );
        report.results = results;
        runtime.block_on(async {
            runner.stop_started_tasks().await;
            runner.teardown_fixtures(&fixtures).await;
        });
        report.interrupted = runner.is_interrupted();
    } else {
        let _ = report::run_trials(
            &args,
            TrialPlan { cases, ignored },
            |c| CaseResult::skipped(c, "listed only"),
            |_| String::new(),
        );
    }
    if let Some(server) = reference {
        runtime.block_on(server.shutdown());
    }
    Ok(report)
}

/// Cases that match the tag filters, and those skipped by tag with the reason.
fn select<'a>(suite: &'a Suite, selection: &Selection) -> (Vec<&'a Case>, Vec<(String, String)>) {
    let cases: Vec<&Case> = suite
        .cases
        .iter()
        .filter(|c| selection.tags.is_empty() || c.tags.iter().any(|t| selection.tags.contains(t)))
        .collect();
    let ignored = cases
        .iter()
        .filter_map(|c| {
            c.tags
                .iter()
                .find(|t| selection.skip_tags.contains(t))
                .map(|t| (c.id.clone(), format!("skipped by tag `{t}`")))
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
