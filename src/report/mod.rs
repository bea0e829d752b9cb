//! Reports: verdicts in libtest's terms for `embed`'s trials (`libtest`), failure and
//! summary text, target profiles (target files) and verdicts, the run document with its
//! JSON, JUnit, Markdown, HTML and badge renderings (distinct problems, score), and
//! record mode (a target file's known deviations from a run). Knows nothing of HTTP
//! beyond recorded `Exchange`s.

pub mod badge;
pub mod document;
pub mod html;
pub mod junit;
mod known_check;
pub mod libtest;
pub mod markdown;
pub mod problems;
pub mod profile;
pub mod record;
pub mod score;
pub mod steps;
pub mod templates;
pub mod text;
pub mod verdict;

#[cfg(test)]
mod fixtures;
