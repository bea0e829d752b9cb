//! libtest-style lines: `running N tests`, a line (pretty) or a character (terse) per
//! case as it finishes, then `failures:` with each failure's text and the
//! `test result:` summary, as `cargo test` prints them. In pretty mode a case still
//! running after the slow threshold gets `SLOW [>30s] case-id` (and again at every
//! multiple), as nextest marks slow tests.

use ecs_conform::report::libtest::{shown, Shown};
use ecs_conform::report::profile::TargetProfile;
use ecs_conform::run::{Reporter, RunEvent};
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts and failures gathered for the summary.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    ignored: usize,
    filtered_out: usize,
    /// Case id and failure text, in the order the cases finished.
    failures: Vec<(String, String)>,
    started: Option<Instant>,
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

    /// Prints the failures and the `test result:` line (after the run returned).
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
        let elapsed = tally.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
        let _ = writeln!(
            out,
            "\ntest result: {}. {} passed; {} failed; {} ignored; 0 measured; {} filtered out; finished in {elapsed:.2}s\n",
            if tally.failed == 0 { "ok" } else { "FAILED" },
            tally.passed,
            tally.failed,
            tally.ignored,
            tally.filtered_out,
        );
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
                    t.started = Some(Instant::now());
                }
                let _ = writeln!(
                    std::io::stdout(),
                    "\nrunning {n} test{}",
                    if n == 1 { "" } else { "s" }
                );
            }
            RunEvent::CaseFinished { result } => {
                let shown = shown(result, &self.expectations, &self.region);
                let Ok(mut tally) = self.tally.lock() else {
                    return;
                };
                let line = match &shown {
                    Shown::Ok => {
                        tally.passed += 1;
                        ("ok".to_owned(), '.')
                    }
                    Shown::Failed(text) => {
                        tally.failed += 1;
                        tally.failures.push((result.id.clone(), text.clone()));
                        ("FAILED".to_owned(), 'F')
                    }
                    Shown::Ignored(reason) if reason.is_empty() => {
                        tally.ignored += 1;
                        ("ignored".to_owned(), 'i')
                    }
                    Shown::Ignored(reason) => {
                        tally.ignored += 1;
                        (format!("ignored, {reason}"), 'i')
                    }
                };
                // Under the lock: lines of concurrent cases never interleave.
                let mut out = std::io::stdout().lock();
                let _ = if self.terse {
                    write!(out, "{}", line.1).and_then(|()| out.flush())
                } else {
                    writeln!(out, "test {} ... {}", result.id, line.0)
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
