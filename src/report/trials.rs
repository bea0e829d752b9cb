//! Cases as libtest-mimic trials: one line per case, name filters, `--list`,
//! `--ignored`, the libtest summary; each trial's result is kept for later reports.

use crate::run::{CaseResult, Outcome};
use crate::suite::Case;
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::sync::{Arc, Mutex};

/// Which cases become trials, and which of those are ignored (skipped by tag).
pub struct TrialPlan<'a> {
    pub cases: Vec<&'a Case>,
    /// Reason per case id for cases ignored unless `--ignored`/`--include-ignored`.
    pub ignored: Vec<(String, String)>,
}

/// Runs the trials; `execute` runs one case to its result. Returns libtest's
/// conclusion and the results of every case that ran, in suite order.
pub fn run_trials<F>(
    args: &Arguments,
    plan: TrialPlan<'_>,
    execute: F,
    describe_failure: impl Fn(&CaseResult) -> String + Send + Sync + 'static,
) -> (libtest_mimic::Conclusion, Vec<CaseResult>)
where
    F: Fn(&Case) -> CaseResult + Send + Sync + 'static,
{
    let execute = Arc::new(execute);
    let describe_failure = Arc::new(describe_failure);
    let results: Arc<Mutex<Vec<CaseResult>>> = Arc::new(Mutex::new(Vec::new()));
    let trials = plan
        .cases
        .iter()
        .map(|case| {
            let case = (*case).clone();
            let ignored = plan.ignored.iter().any(|(id, _)| *id == case.id);
            let execute = Arc::clone(&execute);
            let describe = Arc::clone(&describe_failure);
            let results = Arc::clone(&results);
            let name = case.id.clone();
            Trial::ignorable_test(name, move || {
                let result = execute(&case);
                let verdict = match &result.outcome {
                    Outcome::Passed => Ok(Completion::Completed),
                    Outcome::Skipped(reason) => Ok(Completion::ignored_with(reason)),
                    Outcome::Failed | Outcome::Error(_) => Err(Failed::from(describe(&result))),
                };
                if let Ok(mut r) = results.lock() {
                    r.push(result);
                }
                verdict
            })
            .with_ignored_flag(ignored)
        })
        .collect();
    let conclusion = libtest_mimic::run(args, trials);
    let mut out = results
        .lock()
        .map(|mut r| std::mem::take(&mut *r))
        .unwrap_or_default();
    let order = |id: &str| plan.cases.iter().position(|c| c.id == id);
    out.sort_by_key(|r| order(&r.id));
    (conclusion, out)
}
