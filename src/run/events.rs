//! What a run tells its reporters while it goes. The one run loop
//! (`app::session`) and the runner emit these in order; every reporter (the CLI's
//! libtest-style lines, progress bar and JSON lines; a test's collector) consumes them
//! through [`Reporter`]. Events state facts; verdicts (known deviations, stale entries)
//! are the report stage's, which a reporter applies with the target's profile.

use super::{CaseResult, SetupIssue, StepResult};

/// One thing that happened in a run.
#[derive(Debug)]
pub enum RunEvent<'a> {
    /// The cases are chosen: `to_run` will run, `skipped` get a verdict without running
    /// (skipped by tag), `filtered_out` were left out by a name filter.
    Started {
        target: &'a str,
        to_run: usize,
        skipped: usize,
        filtered_out: usize,
    },
    /// A fixture's setup steps ran (`problem`: the step that failed, which blocks the
    /// cases that need the fixture).
    FixtureSetUp {
        fixture: &'a str,
        steps: &'a [StepResult],
        problem: Option<&'a SetupIssue>,
    },
    /// A case began (its slot came up).
    CaseStarted { case: &'a str },
    /// A step of a case, or of a fixture (`case` None), finished.
    StepFinished {
        case: Option<&'a str>,
        step: &'a StepResult,
    },
    /// A case has been running for `running_for` (a multiple of the run's slow
    /// threshold, 30 s unless the caller set another) and goes on: sent once per
    /// multiple, between its `CaseStarted` and `CaseFinished`, as nextest marks slow
    /// tests.
    CaseSlow {
        case: &'a str,
        running_for: std::time::Duration,
    },
    /// A case has its result (also a case skipped by tag, or cut short).
    CaseFinished { result: &'a CaseResult },
    /// The run was asked to stop (a signal, or the embedding program): the current
    /// steps finish, then teardown runs.
    Interrupted { reason: &'a str },
    /// A fixture's teardown steps ran (`problems`: what may be left on the target).
    FixtureTornDown {
        fixture: &'a str,
        problems: &'a [SetupIssue],
    },
}

/// Consumes the events of a run. Called from the run's worker threads, in order within
/// a case (a `CaseSlow` may come while one of the case's steps is being reported).
pub trait Reporter: Send + Sync {
    fn report(&self, event: &RunEvent<'_>);
}

/// Reports nothing (quiet runs).
impl Reporter for () {
    fn report(&self, _: &RunEvent<'_>) {}
}

/// Every reporter in the list, in order.
impl Reporter for Vec<Box<dyn Reporter>> {
    fn report(&self, event: &RunEvent<'_>) {
        for reporter in self {
            reporter.report(event);
        }
    }
}

/// A shared reporter reports like the one it shares (a caller keeps a handle, e.g. to
/// print a summary after the run).
impl<R: Reporter + ?Sized> Reporter for std::sync::Arc<R> {
    fn report(&self, event: &RunEvent<'_>) {
        (**self).report(event);
    }
}
