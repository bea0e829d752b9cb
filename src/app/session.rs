//! A session against one target: the runtime, the runner, fixtures, concurrent cases, teardown and cleanup, with
//! libtest-style output (`run`) or without (`run_quiet`).

use super::output::snapshot_store;
use super::select::{nothing_selected, select, will_run};
use super::{load_for_run, AppError, Paths, RunResult, Selection, TargetChoice};
use crate::client::{Credentials, Target, TargetConfig};
use crate::contract::Contract;
use crate::report::profile::TargetProfile;
use crate::report::{self, TrialPlan};
use crate::run::{CaseResult, Outcome, RunSettings, Runner, SetupIssue};
use crate::suite::{Case, PlannedFixture, Suite};
use libtest_mimic::Arguments;
use std::io::Write;
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

/// A target ready to receive the suite: the runtime and the runner.
pub struct Session {
    pub runtime: tokio::runtime::Runtime,
    pub runner: Arc<Runner>,
    /// Human-readable name of the target.
    pub label: String,
    /// The endpoint URL calls go to.
    pub endpoint: String,
}

impl Session {
    /// Starts the runtime and the client of the chosen target.
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
        let local = choice.local.is_some();
        let mut config = TargetConfig::new(choice.endpoint.clone(), choice.region.clone());
        config.path_style = choice.path_style;
        config.timeout = choice.timeout;
        if let Some(cap) = choice.max_body {
            config.max_body = cap;
        }
        config.credentials = if local {
            Credentials::dummy()
        } else {
            Credentials::discover(&|k| std::env::var(k).ok())
        };
        let target = Target::new(config)?;
        // Shown everywhere (labels, reports): without the URL's user info.
        let endpoint = target.label().to_owned();
        let default_poll = if local {
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
                .or_else(|| local.then(|| Duration::from_secs(10))),
            ..RunSettings::default()
        };
        let label = match &choice.local {
            Some(name) => format!("{name} ({endpoint})"),
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
                        r.outcome =
                            Outcome::Error(crate::run::harness_error("its task ended early"));
                        r
                    })
                })
                .collect()
        })
    }

    /// Stops every task the run started and tears fixtures down.
    /// Returns the fixture teardown steps that failed.
    pub fn finish(self, fixtures: &[&PlannedFixture]) -> Vec<SetupIssue> {
        self.runtime.block_on(async {
            self.runner.stop_started_tasks().await;
            self.runner.teardown_fixtures(fixtures).await
        })
    }
}

/// Runs the whole selection without terminal output (tests, `diff`, benchmarks).
pub fn run_quiet(
    paths: &Paths,
    choice: &TargetChoice,
    selection: &Selection,
    jobs: usize,
) -> Result<RunResult, AppError> {
    let clock = std::time::Instant::now();
    let (contract, suite) = load_for_run(paths)?;
    let (cases, ignored) = select(&suite, selection);
    let cases: Vec<&Case> = cases
        .into_iter()
        .filter(|c| !ignored.iter().any(|(id, _)| *id == c.id))
        .collect();
    let session = Session::start(paths, contract, &suite, choice, jobs)?;
    let mut report = RunResult::new(&suite, session.label.clone(), session.endpoint.clone());
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
    expectations: &TargetProfile,
    mut args: Arguments,
) -> Result<RunResult, AppError> {
    let clock = std::time::Instant::now();
    let (contract, suite) = load_for_run(paths)?;
    // A target-file entry naming no case or no rule would silently never match.
    let ids: Vec<&str> = suite.cases.iter().map(|c| c.id.as_str()).collect();
    expectations.check(&ids)?;
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
        let mut report = RunResult::new(&suite, String::new(), String::new());
        report.listed_only = true;
        return Ok(report);
    }
    let running: Vec<&Case> = cases
        .iter()
        .copied()
        .filter(|c| will_run(&args, c, ignored.iter().any(|(id, _)| *id == c.id)))
        .collect();
    if running.is_empty() {
        // A run that verifies nothing must not look green: no target is started.
        let label = choice
            .local
            .clone()
            .unwrap_or_else(|| choice.endpoint.clone());
        let mut report = RunResult::new(&suite, label, choice.endpoint.clone());
        report.nothing_selected = Some(nothing_selected(paths, &suite, selection, &args, &ignored));
        report.duration = clock.elapsed();
        return Ok(report);
    }
    let session = Session::start(paths, contract, &suite, choice, jobs)?;
    let mut report = RunResult::new(&suite, session.label.clone(), session.endpoint.clone());
    watch_interrupts(&session.runtime, &session.runner);
    let setup = session.setup(&suite, &running)?;
    report.setup = setup.issues;
    let fixtures = setup.fixtures;
    if let Some(reason) = setup.unreachable {
        report.unreachable = Some(reason);
        report.setup.extend(session.finish(&[]));
        return Ok(report);
    }
    // Cases skipped by tag (libtest never calls them) still get their verdict and reason.
    let skipped: Vec<CaseResult> = cases
        .iter()
        .filter(|c| will_run(&args, c, false) && !will_run(&args, c, true))
        .filter_map(|c| {
            let (_, why) = ignored.iter().find(|(id, _)| *id == c.id)?;
            Some(CaseResult::skipped(c, why.clone()))
        })
        .collect();
    let handle = session.runtime.handle().clone();
    let exec_runner = Arc::clone(&session.runner);
    let plan_suite = Arc::new(suite.clone());
    let region = choice.region.clone();
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
            result
        },
        move |result| report::text::failure(result, &region),
    );
    report.results = results;
    report.results.extend(skipped);
    report
        .results
        .sort_by_key(|r| suite.cases.iter().position(|c| c.id == r.id));
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

/// The first interrupt (Ctrl-C, SIGTERM or SIGHUP: what a terminal and CI systems
/// send on cancel) finishes the current steps, then tears down and cleans up; the run
/// then reports and exits 130. A second one quits at once.
fn watch_interrupts(runtime: &tokio::runtime::Runtime, runner: &Arc<Runner>) {
    let runner = Arc::clone(runner);
    // Registered now, not when the task first runs: a signal from here on interrupts.
    let mut signals = {
        let _context = runtime.enter();
        Interrupts::new()
    };
    runtime.spawn(async move {
        if let Some(name) = signals.next().await {
            runner.interrupt();
            // Not eprintln!: after SIGHUP the terminal may be gone, and a failed write must not panic.
            let _ = writeln!(std::io::stderr(), "\ninterrupted ({name}): finishing the current steps, then tearing down and stopping started tasks (a second signal quits at once)");
            if signals.next().await.is_some() {
                // Moves to the CLI with the one run loop (issue 13).
                #[allow(clippy::exit)]
                std::process::exit(130);
            }
        }
    });
}

/// The signals that interrupt a run: SIGINT (Ctrl-C), SIGTERM and SIGHUP on Unix,
/// Ctrl-C elsewhere.
struct Interrupts {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    /// Must be called inside the runtime.
    fn new() -> Interrupts {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Interrupts {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// The name of the next interrupting signal; None when none can be received.
    async fn next(&mut self) -> Option<&'static str> {
        #[cfg(unix)]
        {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
                match s {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            }
            if self.int.is_none() && self.term.is_none() && self.hup.is_none() {
                return None;
            }
            tokio::select! {
                r = recv(&mut self.int) => r.map(|()| "Ctrl-C"),
                r = recv(&mut self.term) => r.map(|()| "SIGTERM"),
                r = recv(&mut self.hup) => r.map(|()| "SIGHUP"),
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C")
    }
}
