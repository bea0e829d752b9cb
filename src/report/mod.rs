//! Reports: verdicts in libtest's terms (`libtest`), failure and summary text, target
//! profiles (target files) and verdicts, and the run document with its JSON, JUnit and
//! Markdown renderings. Knows nothing of HTTP beyond recorded `Exchange`s.

pub mod document;
pub mod junit;
mod known_check;
pub mod libtest;
pub mod markdown;
pub mod problems;
pub mod profile;
pub mod steps;
pub mod text;
pub mod verdict;

#[cfg(test)]
mod fixtures;
