//! Reports: libtest-style terminal output driven by libtest-mimic, failure and summary
//! text, target profiles (target files) and verdicts, and the run document with its
//! JSON, JUnit and Markdown renderings. Knows nothing of HTTP beyond recorded
//! `Exchange`s.

pub mod document;
pub mod junit;
mod known_check;
pub mod markdown;
pub mod profile;
pub mod text;
mod trials;
pub mod verdict;

pub use trials::{run_trials, TrialPlan};
