//! The subcommands with more than a few lines each: `run` (with how the endpoint and
//! region are found, and the exit code of a run document) and its `--record`,
//! `cleanup`, `snapshots`, `diff`, `init`. `pace` says how fast `run` and `diff` go
//! (jobs, polls). `main.rs` dispatches to them.

mod cleanup;
mod diff;
mod init;
mod pace;
mod record;
pub mod run;
mod snapshots;

pub use cleanup::cleanup;
pub use diff::diff;
pub use init::init;
pub use run::{exit_code, run};
pub use snapshots::snapshots;
