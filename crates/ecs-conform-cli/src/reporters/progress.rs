//! A progress bar for long runs, on standard error, only where it cannot garble the
//! per-case lines: when standard error is a terminal and standard output is not (the
//! lines go to a file or a pipe). On a terminal for both, the per-case lines are the
//! progress; off a terminal, nothing is drawn.

use ecs_conform::run::{Reporter, RunEvent};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar, hidden where it must stay silent.
    pub fn new() -> Progress {
        let visible = std::io::stderr().is_terminal() && !std::io::stdout().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} cases ({eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar }
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
            RunEvent::CaseFinished { .. } => self.bar.inc(1),
            _ => {}
        }
    }
}
