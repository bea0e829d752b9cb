//! The terminal reporters: each consumes the run's events (`ecs_conform::run::RunEvent`)
//! as they happen. `lines` prints a line (pretty) or a character (terse) per case with
//! its verdict and then the failures, `json` prints one JSON object per event,
//! `progress` draws a bar on standard error. Which of them a run uses follows `--format`, `--quiet` and the terminal.

mod json;
mod lines;
mod progress;

pub use json::JsonLines;
pub use lines::Lines;
pub use progress::Progress;
