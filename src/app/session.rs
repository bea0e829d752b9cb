//! A session against one target: the runtime, the runner (with the reference target
//! when no endpoint is given), fixtures, concurrent cases, teardown and cleanup, with
//! libtest-style output (`run`) or without (`run_quiet`).

use super::output::snapshot_store;
use super::{in_partition, load_for_run, AppError, Paths, RunReport, Selection, TargetChoice};
use crate::contract::Contract;
use crate::reference::{self, ReferenceOptions};
use crate::report::expectations::Expectations;
use crate::report::{self, TrialPlan};
use crate::run::{CaseResult, Outcome, RunSettings, Runner, SetupIssue};
use crate::suite::{Case, PlannedFixture, Suite};
use crate::target::{Credentials, Target, TargetConfig};
use libtest_mimic::Arguments;
use std::sync::Arc;
use std::time::Duration;

/// What setting up the fixtures left: the fixtures to tear down at the end, the
/// fixture steps that failed, and whether the target could be reached at all.
pub struct Setup<'s> {
    pub fixtures: Vec<&'s PlannedFixture>,
    pub issues: Vec<SetupIssue>,
    /// The target could not be reached (nothing else runs).
    pub unreachable: Option<String>,
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
            var_defaults: suite.vars.clone(),
            keep_exchanges: choice.keep_exchanges,
            max_within: choice
                .max_within
                .or_else(|| reference.is_some().then(|| Duration::from_secs(10))),
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

    /// Sets up the fixtures these cases need, after making sure no other run uses
    /// this run id on the target (Err: it does; nothing was created).
    pub fn setup<'s>(&self, suite: &'s Suite, cases: &[&Case]) -> Result<Setup<'s>, AppError> {
        let fixtures = suite.fixtures_for(cases);
        let in_use = self
            .runtime
            .block_on(self.runner.clusters_in_use(&fixtures));
        if let Some(cluster) = in_use.into_iter().next() {
            return Err(AppError::RunIdInUse {
                run_id: self.runner.settings().run_id.clone(),
                cluster,
            });
        }
        let outcome = self.runtime.block_on(self.runner.setup_fixtures(&fixtures));
        let mut issues = outcome.issues;
        if let Some(reason) = outcome.unreachable {
            issues.extend(
                self.runtime
                    .block_on(self.runner.teardown_fixtures(&fixtures)),
            );
            return Ok(Setup {
                fixtures: Vec::new(),
                issues,
                unreachable: Some(reason),
            });
        }
        Ok(Setup {
            fixtures,
            issues,
            unreachable: None,
        })
    }

    /// Runs cases concurrently (at most `jobs` at once) without terminal output.
    /// Lean cases are planned from their files when their slot comes up.
    pub fn run_cases(&self, suite: &Suite, cases: &[&Case], jobs: usize) -> Vec<CaseResult> {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
        self.runtime.block_on(async {
            // Results come back over a channel, so a finished task is freed at once
            // (a held JoinHandle would keep each task's whole state until the end).
            let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
            for (index, case) in cases.iter().enumerate() {
                // Wait for a free slot before spawning: only `jobs` cases are in flight.
                let permit = Arc::clone(&semaphore).acquire_owned().await;
                let planned = plan(suite, case);
                let runner = Arc::clone(&self.runner);
                let sender = sender.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    let result = match planned {
                        Ok(case) => runner.run_case(&case).await,
                        Err(result) => *result,
                    };
                    let _ = sender.send((index, result));
                });
            }
            drop(sender);
            let mut results: Vec<Option<CaseResult>> = (0..cases.len()).map(|_| None).collect();
            while let Some((index, result)) = receiver.recv().await {
                results[index] = Some(result);
            }
            results
                .into_iter()
                .zip(cases)
                .map(|(result, case)| {
                    result.unwrap_or_else(|| {
                        let mut r = CaseResult::skipped(case, "");
                        r.outcome = Outcome::Error(
                            "the case could not finish (its task ended early)".into(),
                        );
                        r
                    })
                })
                .collect()
        })
    }

    /// Stops every task the run started, tears fixtures down, stops the reference.
    /// Returns the fixture teardown steps that failed.
    pub fn finish(self, fixtures: &[&PlannedFixture]) -> Vec<SetupIssue> {
        self.runtime.block_on(async {
            self.runner.stop_started_tasks().await;
            let issues = self.runner.teardown_fixtures(fixtures).await;
            if let Some(server) = self.reference {
                server.shutdown().await;
            }
            issues
        })
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
    let (contract, suite) = load_for_run(paths)?;
    let (cases, ignored) = select(&suite, selection);
    let cases: Vec<&Case> = cases
        .into_iter()
        .filter(|c| !ignored.iter().any(|(id, _)| *id == c.id))
        .collect();
    let session = Session::start(paths, contract, &suite, choice, jobs)?;
    let mut report = RunReport::new(&suite, session.label.clone(), session.endpoint.clone());
    let setup = session.setup(&suite, &cases)?;
    report.setup = setup.issues;
    match setup.unreachable {
        Some(reason) => {
            report.unreachable = Some(reason);
            report.setup.extend(session.finish(&[]));
        }
        None => {
            report.results = session.run_cases(&suite, &cases, jobs);
            report.setup.extend(session.finish(&setup.fixtures));
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
    expectations: &Expectations,
    mut args: Arguments,
) -> Result<RunReport, AppError> {
    let clock = std::time::Instant::now();
    let (contract, suite) = load_for_run(paths)?;
    let (cases, ignored) = select(&suite, selection);
    args.test_threads = Some(jobs.max(1));
    if args.list {
        let _ = report::run_trials(
            &args,
            TrialPlan {
                cases,
                ignored,
                expectations: Arc::new(expectations.clone()),
            },
            |c| CaseResult::skipped(c, "listed only"),
            |_| String::new(),
        );
        let mut report = RunReport::new(&suite, String::new(), String::new());
        report.listed_only = true;
        return Ok(report);
    }
    let session = Session::start(paths, contract, &suite, choice, jobs)?;
    let mut report = RunReport::new(&suite, session.label.clone(), session.endpoint.clone());
    watch_interrupts(&session.runtime, &session.runner);
    let running: Vec<&Case> = cases
        .iter()
        .copied()
        .filter(|c| will_run(&args, c, ignored.iter().any(|(id, _)| *id == c.id)))
        .collect();
    let setup = session.setup(&suite, &running)?;
    report.setup = setup.issues;
    let fixtures = setup.fixtures;
    if let Some(reason) = setup.unreachable {
        report.unreachable = Some(reason);
        report.setup.extend(session.finish(&[]));
        return Ok(report);
    }
    let handle = session.runtime.handle().clone();
    let exec_runner = Arc::clone(&session.runner);
    let plan_suite = Arc::new(suite.clone());
    let region = choice.region.clone();
    let bar = report::progress::bar(running.len() as u64);
    let tick = bar.clone();
    let (_, results) = report::run_trials(
        &args,
        TrialPlan {
            cases,
            ignored,
            expectations: Arc::new(expectations.clone()),
        },
        move |case| {
            let result = match plan(&plan_suite, case) {
                Ok(case) => handle.block_on(exec_runner.run_case(&case)),
                Err(result) => *result,
            };
            tick.inc(1);
            result
        },
        move |result| report::text::failure(result, &region),
    );
    bar.finish_and_clear();
    report.results = results;
    report.interrupted = session.runner.is_interrupted();
    report.setup.extend(session.finish(&fixtures));
    report.duration = clock.elapsed();
    Ok(report)
}

/// The case ready to run, or the error result of a case whose file no longer plans
/// (it changed since the suite was checked).
fn plan(suite: &Suite, case: &Case) -> Result<Case, Box<CaseResult>> {
    suite.plan(case).map_err(|e| {
        let mut r = CaseResult::skipped(case, "");
        r.outcome = Outcome::Error(format!("the case file changed since it was checked: {e}"));
        Box::new(r)
    })
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
        .filter(|c| selection.filter.as_deref().is_none_or(|f| c.id.contains(f)))
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
