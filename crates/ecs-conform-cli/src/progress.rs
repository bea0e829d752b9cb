//! A progress bar for long runs, on standard error, only where it cannot garble the
//! libtest lines: when standard error is a terminal and standard output is not (the
//! per-case lines go to a file or a pipe). On a terminal for both, the per-case lines
//! are the progress; off a terminal, nothing is drawn.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A bar for `cases` cases, or a hidden one where it must stay silent.
#[allow(dead_code)] // wired to the run events next (issue 13)
pub fn bar(cases: u64) -> ProgressBar {
    let visible = std::io::stderr().is_terminal() && !std::io::stdout().is_terminal();
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(cases), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} cases ({eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
