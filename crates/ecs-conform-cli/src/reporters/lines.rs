//! The terminal lines of a run: `running N cases`, a line (pretty: `ID ... VERDICT`) or
//! a character (terse) per case as it finishes, then `failures:` with each failure's
//! text. Verdicts are named as everywhere else (pass, fail, known, fixed, skipped,
//! error, interrupted); the summary line comes from the run document. In pretty mode a
//! case still running after the slow threshold gets `SLOW [>30s] case-id` (and again at
//! every multiple), as nextest marks slow tests.

use ecs_conform::report::profile::TargetProfile;
use ecs_conform::report::verdict::{verdict, Verdict};
use ecs_conform::run::{Reporter, RunEvent};
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Counts and failures gathered for the summary.
#[derive(Default)]
struct Tally {
    filtered_out: usize,
    /// Case id and failure text, in the order the cases finished.
    failures: Vec<(String, String)>,
}

/// Prints to standard output; write errors (a closed pipe) are ignored, never a panic.
pub struct Lines {
    terse: bool,
    expectations: TargetProfile,
    region: String,
    tally: Mutex<Tally>,
}

impl Lines {
    pub fn new(terse: bool, expectations: TargetProfile, region: String) -> Lines {
        Lines {
            terse,
            expectations,
            region,
            tally: Mutex::new(Tally::default()),
        }
    }

    /// Prints the failures and how many cases the name filters left out (after the
    /// run returned; the summary line follows).
    pub fn finish(&self) {
        let Ok(tally) = self.tally.lock() else {
            return;
        };
        let mut out = std::io::stdout().lock();
        if self.terse {
            let _ = writeln!(out);
        }
        if !tally.failures.is_empty() {
            let _ = writeln!(out, "\nfailures:\n");
            for (id, text) in &tally.failures {
                let _ = writeln!(out, "---- {id} ----\n{text}\n");
            }
            let _ = writeln!(out, "\nfailures:");
            for (id, _) in &tally.failures {
                let _ = writeln!(out, "    {id}");
            }
        }
        if tally.filtered_out > 0 {
            let _ = writeln!(
                out,
                "\n{} case(s) left out by the name filters",
                tally.filtered_out
            );
        }
    }
}

/// How a finished case shows: its verdict's word and character, the detail after it
/// (a reason), and the text shown under `failures:` when it fails the run.
fn shown(
    result: &ecs_conform::run::CaseResult,
    expectations: &TargetProfile,
    region: &str,
) -> (&'static str, char, Option<String>, Option<String>) {
    use ecs_conform::run::Outcome;
    let (v, known) = verdict(result, expectations);
    let reasons = ecs_conform::report::profile::Known::reasons(&known);
    let reason = match &result.outcome {
        Outcome::Skipped(r) | Outcome::Interrupted(r) | Outcome::Error(r) => Some(r.clone()),
        _ => None,
    };
    let failure = || Some(ecs_conform::report::text::failure(result, region));
    match v {
        Verdict::Pass => ("pass", '.', None, None),
        Verdict::Fail => ("fail", 'F', None, failure()),
        Verdict::Error => ("error", 'E', reason, failure()),
        Verdict::Known => ("known", 'k', Some(reasons), None),
        Verdict::Fixed => {
            let stale = format!(
                "listed as a known deviation ({reasons}) but passed: remove the entry from {}",
                expectations.file.display()
            );
            let fails = expectations.stale_fails.then(|| stale.clone());
            ("fixed", 'x', Some(stale), fails)
        }
        Verdict::Skipped => ("skipped", 's', reason, None),
        Verdict::Interrupted => ("interrupted", 'i', reason, None),
    }
}

impl Reporter for Lines {
    fn report(&self, event: &RunEvent<'_>) {
        match event {
            RunEvent::Started {
                to_run,
                skipped,
                filtered_out,
                ..
            } => {
                let n = to_run + skipped;
                if let Ok(mut t) = self.tally.lock() {
                    t.filtered_out = *filtered_out;
                }
                let _ = writeln!(
                    std::io::stdout(),
                    "\nrunning {n} case{}",
                    if n == 1 { "" } else { "s" }
                );
            }
            RunEvent::CaseFinished { result } => {
                let (word, character, detail, failure) =
                    shown(result, &self.expectations, &self.region);
                let Ok(mut tally) = self.tally.lock() else {
                    return;
                };
                if let Some(text) = failure {
                    tally.failures.push((result.id.clone(), text));
                }
                // "skipped, by tag `x`: …", not "skipped, skipped by tag `x`: …".
                let line = match detail.filter(|d| !d.is_empty()) {
                    Some(detail) => {
                        let detail = detail.strip_prefix(word).map_or(&*detail, str::trim_start);
                        format!("{word}, {detail}")
                    }
                    None => word.to_owned(),
                };
                // Under the lock: lines of concurrent cases never interleave.
                let mut out = std::io::stdout().lock();
                let _ = if self.terse {
                    write!(out, "{character}").and_then(|()| out.flush())
                } else {
                    writeln!(out, "{} ... {line}", result.id)
                };
            }
            RunEvent::CaseSlow { case, running_for } if !self.terse => {
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "{}",
                    slow_line(case, *running_for)
                );
            }
            RunEvent::Interrupted { reason } => {
                // Not eprintln!: after SIGHUP the terminal may be gone, and a failed
                // write must not panic.
                let _ = writeln!(
                    std::io::stderr(),
                    "\ninterrupted ({reason}): finishing the current steps, then tearing down and stopping started tasks (a second signal quits at once)"
                );
            }
            _ => {}
        }
    }
}

/// `SLOW [>30s] case-id`: a case still running after `running_for`.
fn slow_line(case: &str, running_for: Duration) -> String {
    let after = if running_for.subsec_nanos() == 0 {
        format!("{}s", running_for.as_secs())
    } else if running_for.subsec_nanos().is_multiple_of(1_000_000) && running_for.as_secs() == 0 {
        format!("{}ms", running_for.as_millis())
    } else {
        format!("{:.3}s", running_for.as_secs_f64())
    };
    format!("SLOW [>{after}] {case}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_lines_say_how_long_the_case_has_been_running() {
        let line = |d| slow_line("lifecycle/x", d);
        assert_eq!(line(Duration::from_secs(30)), "SLOW [>30s] lifecycle/x");
        assert_eq!(line(Duration::from_secs(90)), "SLOW [>90s] lifecycle/x");
        assert_eq!(line(Duration::from_millis(5)), "SLOW [>5ms] lifecycle/x");
        assert_eq!(
            line(Duration::from_millis(1500)),
            "SLOW [>1.500s] lifecycle/x"
        );
    }
}
