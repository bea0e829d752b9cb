//! Reports: verdicts in libtest's terms for `embed`'s trials (`libtest`), failure and
//! summary text, target profiles (target files) and verdicts, the run document with its
//! JSON, JUnit and Markdown renderings, and record mode (a target file's known
//! deviations from a run). Knows nothing of HTTP beyond recorded `Exchange`s.

pub mod document;
pub mod junit;
mod known_check;
pub mod libtest;
pub mod markdown;
pub mod profile;
pub mod record;
pub mod text;
pub mod verdict;
