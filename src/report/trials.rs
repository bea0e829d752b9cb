//! Cases as libtest-mimic trials: one line per case, name filters, `--list`,
//! `--ignored`, the libtest summary; each trial's result is kept for later reports.

use super::profile::TargetProfile;
use super::verdict::{verdict, Verdict};
use crate::run::{CaseResult, Outcome};
use crate::suite::Case;
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::sync::{Arc, Mutex};

/// Which cases become trials, which of those are ignored (skipped by tag), and the
/// target's expectations that turn outcomes into verdicts.
pub struct TrialPlan<'a> {
    pub cases: Vec<&'a Case>,
    /// Reason per case id for cases ignored unless `--ignored`/`--include-ignored`.
    pub ignored: Vec<(String, String)>,
    pub expectations: Arc<TargetProfile>,
}

/// A case's libtest line: known deviations show as ignored with their reason, so the
/// libtest summary agrees with the verdicts.
fn completion(
    result: &CaseResult,
    expectations: &TargetProfile,
    describe: &dyn Fn(&CaseResult) -> String,
) -> Result<Completion, Failed> {
    let (v, known) = verdict(result, expectations);
    let reasons = || {
        known
            .iter()
            .map(|k| k.reason.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    match v {
        Verdict::Pass => Ok(Completion::Completed),
        Verdict::Skipped => Ok(Completion::ignored_with(match &result.outcome {
            Outcome::Skipped(reason) => reason.clone(),
            _ => String::new(),
        })),
        Verdict::Interrupted => Ok(Completion::ignored_with(match &result.outcome {
            Outcome::Interrupted(reason) => format!("interrupted: {reason}"),
            _ => "interrupted".to_owned(),
        })),
        Verdict::Known => Ok(Completion::ignored_with(format!(
            "known deviation: {}",
            reasons()
        ))),
        Verdict::Fixed if !expectations.stale_fails => Ok(Completion::Completed),
        Verdict::Fixed => Err(Failed::from(format!(
            "listed as a known deviation ({}) but passed: remove the entry from {}",
            reasons(),
            expectations.file.display()
        ))),
        Verdict::Fail | Verdict::Error => Err(Failed::from(describe(result))),
    }
}

/// Runs one case to its result; a case that panics (a bug of the harness, never of
/// the target) becomes an `error` result naming the panic, so it stays in every
/// report and fails the run instead of disappearing.
pub fn finish(case: &Case, execute: impl FnOnce() -> CaseResult) -> CaseResult {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(execute)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        let mut result = CaseResult::skipped(case, "");
        result.outcome = Outcome::Error(crate::run::harness_error(&format!(
            "it panicked ({message})"
        )));
        result
    })
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
            let expectations = Arc::clone(&plan.expectations);
            let name = case.id.clone();
            Trial::ignorable_test(name, move || {
                let result = finish(&case, || execute(&case));
                let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    completion(&result, &expectations, &*describe)
                }))
                .unwrap_or_else(|_| {
                    Err(Failed::from(
                        "ecs-conform panicked while describing this case",
                    ))
                });
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
