//! Reports: libtest terms for verdicts (`libtest`), failure and summary
//! text, per-target expectations and verdicts, and the run document with its JSON,
//! JUnit and Markdown renderings. Knows nothing of HTTP beyond recorded `Exchange`s.

pub mod document;
pub mod expectations;
pub mod junit;
mod known_check;
pub mod libtest;
pub mod markdown;
pub mod text;
