//! The subcommands with more than a few lines each: `run` (with how the endpoint and
//! region are found, and the exit code of a run document), `cleanup`, `snapshots`,
//! `diff`. `pace` says how fast `run` and `diff` go (jobs, polls). `main.rs`
//! dispatches to them.

mod cleanup;
mod diff;
mod pace;
pub mod run;
mod snapshots;

pub use cleanup::cleanup;
pub use diff::diff;
pub use run::{exit_code, run};
pub use snapshots::snapshots;
