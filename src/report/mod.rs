//! Reports: libtest-style terminal output driven by libtest-mimic, and the text of
//! failures and summaries. Knows nothing of HTTP beyond the recorded `Exchange`s.

pub mod text;
mod trials;

pub use trials::{run_trials, TrialPlan};
