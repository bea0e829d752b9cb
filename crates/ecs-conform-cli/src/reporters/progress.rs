//! A progress bar for long runs, on standard error, only where it cannot garble the
//! per-case lines: when standard error is a terminal and standard output is not (the
//! lines go to a file or a pipe). On a terminal for both, the per-case lines are the
//! progress; off a terminal, nothing is drawn. Beside the bar: how many cases got each
//! verdict so far (pass, fail, known; fixed, skipped, error and interrupted once one
//! has), as the target's profile makes them.

use ecs_conform::report::profile::TargetProfile;
use ecs_conform::report::verdict::{verdict, Verdict};
use ecs_conform::run::{Reporter, RunEvent};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

pub struct Progress {
    bar: ProgressBar,
    expectations: TargetProfile,
    counts: Mutex<Counts>,
}

impl Progress {
    /// A bar, hidden where it must stay silent; verdicts under `expectations`.
    pub fn new(expectations: TargetProfile) -> Progress {
        let visible = std::io::stderr().is_terminal() && !std::io::stdout().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} cases: {msg} ({eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(Counts::default().to_string());
        Progress {
            bar,
            expectations,
            counts: Mutex::new(Counts::default()),
        }
    }

    /// Removes the bar (after the run returned).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Reporter for Progress {
    fn report(&self, event: &RunEvent<'_>) {
        match event {
            RunEvent::Started {
                to_run, skipped, ..
            } => self.bar.set_length((to_run + skipped) as u64),
            RunEvent::CaseFinished { result } => {
                let (v, _) = verdict(result, &self.expectations);
                if let Ok(mut counts) = self.counts.lock() {
                    counts.add(v);
                    self.bar.set_message(counts.to_string());
                }
                self.bar.inc(1);
            }
            _ => {}
        }
    }
}

/// How many cases got each verdict.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Counts {
    pass: usize,
    fail: usize,
    known: usize,
    fixed: usize,
    skipped: usize,
    error: usize,
    interrupted: usize,
}

impl Counts {
    fn add(&mut self, v: Verdict) {
        let count = match v {
            Verdict::Pass => &mut self.pass,
            Verdict::Fail => &mut self.fail,
            Verdict::Known => &mut self.known,
            Verdict::Fixed => &mut self.fixed,
            Verdict::Skipped => &mut self.skipped,
            Verdict::Error => &mut self.error,
            Verdict::Interrupted => &mut self.interrupted,
        };
        *count += 1;
    }
}

/// `12 pass, 3 fail, 40 known`, then the rarer verdicts once a case has one.
impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} pass, {} fail, {} known",
            self.pass, self.fail, self.known
        )?;
        for (n, word) in [
            (self.fixed, Verdict::Fixed),
            (self.skipped, Verdict::Skipped),
            (self.error, Verdict::Error),
            (self.interrupted, Verdict::Interrupted),
        ] {
            if n > 0 {
                write!(f, ", {n} {}", word.as_str())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_each_verdict() {
        let mut counts = Counts::default();
        assert_eq!(counts.to_string(), "0 pass, 0 fail, 0 known");
        for v in [
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Known,
            Verdict::Known,
            Verdict::Known,
        ] {
            counts.add(v);
        }
        assert_eq!(counts.to_string(), "2 pass, 1 fail, 3 known");
        for v in [
            Verdict::Error,
            Verdict::Fixed,
            Verdict::Skipped,
            Verdict::Interrupted,
        ] {
            counts.add(v);
        }
        assert_eq!(
            counts.to_string(),
            "2 pass, 1 fail, 3 known, 1 fixed, 1 skipped, 1 error, 1 interrupted"
        );
    }
}
