//! The one run loop. A session against one target holds the runtime and the runner;
//! [`run`] loads the suite, chooses the cases, sets up fixtures, runs the cases
//! concurrently (at most `jobs` at once) and tears down, telling a [`Reporter`] every
//! event as it happens; [`run_quiet`] is the same loop with no reporter. Interrupts come
//! in through a shared [`Interrupt`] (the CLI's signal handler sets it).

use super::output::snapshot_store;
use super::select::{choose, nothing_selected, Chosen};
use super::{load_for_run, AppError, Paths, RunResult, Selection, TargetChoice};
use crate::client::{CredentialSource, Credentials, Target, TargetConfig};
use crate::contract::Contract;
use crate::report::profile::TargetProfile;
use crate::run::{
    harness_error, CaseResult, Interrupt, Outcome, Reporter, RunEvent, RunSettings, Runner,
    SetupIssue,
};
use crate::suite::{Case, PlannedFixture, Suite};
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
    /// Tells the reporter when the run is interrupted (stopped in `finish`).
    interrupt_watch: tokio::task::JoinHandle<()>,
    /// Human-readable name of the target.
    pub label: String,
    /// The endpoint URL calls go to.
    pub endpoint: String,
    /// A case running longer than this is reported slow, and again at every multiple.
    slow_after: Duration,
}

/// When a case is reported slow unless the caller says otherwise (as nextest).
pub const SLOW_AFTER: Duration = Duration::from_secs(30);

impl Session {
    /// Starts the runtime and the client of the chosen target.
    pub fn start(
        paths: &Paths,
        contract: Arc<Contract>,
        suite: &Suite,
        choice: &TargetChoice,
        jobs: usize,
        reporter: Arc<dyn Reporter>,
        interrupt: Arc<Interrupt>,
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
        let source = match (&choice.credentials, local) {
            (Some(given), _) => given.clone(),
            (None, true) => CredentialSource::fixed(Credentials::dummy()),
            (None, false) => CredentialSource::fixed(
                Credentials::for_endpoint(&choice.endpoint, &|k| std::env::var(k).ok())
                    .map_err(crate::client::TargetError::from)?,
            ),
        };
        config.credentials = source.current;
        config.refresh = source.refresh;
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
        let defaults = RunSettings::default();
        let settings = RunSettings {
            run_id: choice
                .run_id
                .clone()
                .unwrap_or_else(|| defaults.run_id.clone()),
            poll_interval: choice.poll_interval.unwrap_or(default_poll),
            vars,
            var_defaults: suite.vars.clone(),
            keep_exchanges: choice.keep_exchanges,
            max_within: choice
                .max_within
                .or_else(|| local.then(|| Duration::from_secs(10))),
            ..defaults
        };
        let label = match &choice.local {
            Some(name) => format!("{name} ({endpoint})"),
            None => endpoint.clone(),
        };
        let mut runner = Runner::new(target, contract, settings)
            .with_interrupt(Arc::clone(&interrupt))
            .with_reporter(Arc::clone(&reporter));
        if !choice.snapshots.disabled {
            runner = runner.with_snapshots(Arc::new(snapshot_store(paths, choice)?));
        }
        let interrupt_watch = runtime.spawn(async move {
            let reason = interrupt.wait().await;
            reporter.report(&RunEvent::Interrupted { reason: &reason });
        });
        Ok(Session {
            slow_after: choice.slow_after.unwrap_or(SLOW_AFTER),
            endpoint,
            runtime,
            runner: Arc::new(runner),
            interrupt_watch,
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

    /// Runs cases concurrently (at most `jobs` at once), in suite order of their start,
    /// telling the reporter when each starts and finishes. Lean cases are planned from
    /// their files when their slot comes up. A case whose task panics (a bug of the
    /// harness, never of the target) gets an `error` result naming the panic.
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
                let skeleton = CaseResult::skipped(case, "");
                let id = skeleton.id.clone();
                let slow_after = self.slow_after;
                tokio::spawn(async move {
                    let _permit = permit;
                    let (started, has_started) = tokio::sync::oneshot::channel();
                    let execution = {
                        let runner = Arc::clone(&runner);
                        let id = id.clone();
                        tokio::spawn(async move {
                            runner
                                .reporter()
                                .report(&RunEvent::CaseStarted { case: &id });
                            let _ = started.send(());
                            match planned {
                                Ok(case) => runner.run_case(&case).await,
                                Err(result) => *result,
                            }
                        })
                    };
                    let joined = watch_slow(execution, has_started, slow_after, &runner, &id).await;
                    let result = match joined {
                        Ok(result) => result,
                        Err(e) => panicked(skeleton, e),
                    };
                    runner
                        .reporter()
                        .report(&RunEvent::CaseFinished { result: &result });
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
                        r.outcome = Outcome::Error(harness_error("its task ended early"));
                        r
                    })
                })
                .collect()
        })
    }

    /// Stops every task the run started and tears fixtures down.
    /// Returns the fixture teardown steps that failed.
    pub fn finish(self, fixtures: &[&PlannedFixture]) -> Vec<SetupIssue> {
        let issues = self.runtime.block_on(async {
            self.runner.stop_started_tasks().await;
            self.runner.teardown_fixtures(fixtures).await
        });
        self.interrupt_watch.abort();
        issues
    }
}

/// Runs the whole selection with no reporter and no expectations (tests, `diff`,
/// benchmarks): [`run`] with nothing listening. Its results hold only the cases that
/// ran (not those skipped by tag).
pub fn run_quiet(
    paths: &Paths,
    choice: &TargetChoice,
    selection: &Selection,
    jobs: usize,
) -> Result<RunResult, AppError> {
    let mut result = run(
        paths,
        choice,
        selection,
        jobs,
        &TargetProfile::default(),
        Arc::new(()),
        Interrupt::new(),
    )?;
    result
        .results
        .retain(|r| !matches!(r.outcome, Outcome::Skipped(_)));
    Ok(result)
}

/// Runs the selected cases against a target: the one run loop. Every event goes to
/// `reporter` as it happens; `interrupt` stops the run early (current steps finish,
/// teardown and cleanup run, cut-short cases claim no verdict).
pub fn run(
    paths: &Paths,
    choice: &TargetChoice,
    selection: &Selection,
    jobs: usize,
    expectations: &TargetProfile,
    reporter: Arc<dyn Reporter>,
    interrupt: Arc<Interrupt>,
) -> Result<RunResult, AppError> {
    let clock = std::time::Instant::now();
    let (contract, suite) = load_for_run(paths)?;
    // A target-file entry naming no case or no rule would silently never match.
    let ids: Vec<&str> = suite.cases.iter().map(|c| c.id.as_str()).collect();
    expectations.check(&ids)?;
    let selection = &for_path_style(selection, choice);
    let chosen = choose(&suite, selection);
    if chosen.run.is_empty() {
        // A run that verifies nothing must not look green: no target is reached.
        let label = choice
            .local
            .clone()
            .unwrap_or_else(|| choice.endpoint.clone());
        let mut report = RunResult::new(&suite, label, choice.endpoint.clone());
        report.nothing_selected = Some(nothing_selected(paths, &suite, selection, &chosen));
        report.duration = clock.elapsed();
        return Ok(report);
    }
    let session = Session::start(
        paths,
        contract,
        &suite,
        choice,
        jobs,
        Arc::clone(&reporter),
        interrupt,
    )?;
    let mut report = RunResult::new(&suite, session.label.clone(), session.endpoint.clone());
    reporter.report(&RunEvent::Started {
        target: &session.label,
        to_run: chosen.run.len(),
        skipped: chosen.skipped.len(),
        filtered_out: chosen.filtered_out,
    });
    let setup = session.setup(&suite, &chosen.run)?;
    report.setup = setup.issues;
    if let Some(reason) = setup.unreachable {
        report.unreachable = Some(reason);
        report.setup.extend(session.finish(&[]));
        report.duration = clock.elapsed();
        return Ok(report);
    }
    report.results = skipped_results(&chosen, &*reporter);
    report
        .results
        .extend(session.run_cases(&suite, &chosen.run, jobs));
    report
        .results
        .sort_by_key(|r| suite.cases.iter().position(|c| c.id == r.id));
    report.interrupted = session.runner.is_interrupted();
    report.setup.extend(session.finish(&setup.fixtures));
    report.duration = clock.elapsed();
    Ok(report)
}

/// The selection, skipping (with the reason) the cases that route by the X-Amz-Target
/// header alone when the target takes the operation from the path instead.
fn for_path_style(selection: &Selection, choice: &TargetChoice) -> Selection {
    let mut selection = selection.clone();
    if choice.path_style == crate::client::PathStyle::V1 {
        selection.skip_tags.push((
            crate::generate::TARGET_HEADER_TAG.to_owned(),
            "the target takes the operation from the path (`--path-style v1`), so a request without or with a wrong X-Amz-Target is not malformed there".to_owned(),
        ));
    }
    selection
}

/// The ids of the cases a selection would run, each with whether it is skipped by tag
/// (for `--list`), in suite order.
pub fn list(paths: &Paths, selection: &Selection) -> Result<Vec<(String, bool)>, AppError> {
    let (_, suite) = load_for_run(paths)?;
    let chosen = choose(&suite, selection);
    let mut listed: Vec<(String, bool)> = chosen
        .run
        .iter()
        .map(|c| (c.id.clone(), false))
        .chain(chosen.skipped.iter().map(|(c, _)| (c.id.clone(), true)))
        .collect();
    listed.sort_by_key(|(id, _)| suite.cases.iter().position(|c| c.id == *id));
    Ok(listed)
}

/// The verdict-less results of the cases skipped by tag, each reported as finished.
fn skipped_results(chosen: &Chosen<'_>, reporter: &dyn Reporter) -> Vec<CaseResult> {
    chosen
        .skipped
        .iter()
        .map(|(case, why)| {
            let result = CaseResult::skipped(case, why.clone());
            reporter.report(&RunEvent::CaseFinished { result: &result });
            result
        })
        .collect()
}

/// Waits for a case's task, reporting it slow (`RunEvent::CaseSlow`) at every multiple
/// of `slow_after` it keeps running. The clock starts when the case has reported its
/// start, so its slow marks come after that event.
async fn watch_slow(
    mut execution: tokio::task::JoinHandle<CaseResult>,
    has_started: tokio::sync::oneshot::Receiver<()>,
    slow_after: Duration,
    runner: &Runner,
    case: &str,
) -> Result<CaseResult, tokio::task::JoinError> {
    if has_started.await.is_err() {
        // The task ended (panicked) before it reported its start.
        return execution.await;
    }
    let since = tokio::time::Instant::now();
    let mut marks: u32 = 0;
    loop {
        marks = marks.saturating_add(1);
        let running_for = slow_after.saturating_mul(marks);
        let Some(at) = since.checked_add(running_for) else {
            return execution.await;
        };
        tokio::select! {
            joined = &mut execution => return joined,
            () = tokio::time::sleep_until(at) => {
                runner.reporter().report(&RunEvent::CaseSlow { case, running_for });
            }
        }
    }
}

/// The error result of a case whose task panicked.
fn panicked(mut result: CaseResult, error: tokio::task::JoinError) -> CaseResult {
    let message = match error.try_into_panic() {
        Ok(panic) => panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into()),
        Err(e) => e.to_string(),
    };
    result.outcome = Outcome::Error(harness_error(&format!("it panicked ({message})")));
    result
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
