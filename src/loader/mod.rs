//! The one loader for every data file the harness reads (case files, the fixtures
//! file, target files, the normalisers, the coverage exclusions): reads a file through
//! [`crate::files`] (bounded to regular files, so a FIFO never blocks), parses it with
//! the YAML parser (JSON for `*.json`), and locates every problem at the exact
//! file:line:column the parser reports, never by searching the text.
//!
//! - [`Source`]: a file's path and text; [`Source::parse`] gives the typed value or a
//!   located [`Problem`]; [`Source::tree`] gives the parser's spans of every node
//!   ([`spans::Node`]) for checks a type cannot express.
//! - [`Problem`]: file, line, column, byte span and message; `Display` prints
//!   `file:line:column: message`, [`Problem::render`] adds the source line and a caret.
//! - `cases`: the checks of case files and the fixtures file (what a parser cannot
//!   check: known operations, defined variables, pointers, matchers, fixtures).

mod cases;
mod excerpt;
pub mod spans;
mod steps;

pub use cases::{load_case, load_fixtures, BUILTIN_VARIABLES};
pub use excerpt::render_all;
pub use spans::{Node, NodeKind, Seg, Span};

use serde::de::DeserializeOwned;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A problem in a data file, at the exact place the parser saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The byte range of the node the problem is about (`len` 0: a point).
    pub span: Span,
    pub message: String,
    /// The file's text, for [`Problem::render`] (None: no excerpt).
    pub text: Option<Arc<str>>,
}

impl Problem {
    /// A problem at line:column of `file`, without an excerpt.
    pub fn at(file: &Path, line: usize, column: usize, message: String) -> Problem {
        Problem {
            file: file.to_owned(),
            line: line.max(1),
            column: column.max(1),
            span: Span {
                line: line.max(1),
                column: column.max(1),
                offset: 0,
                len: 0,
            },
            message,
            text: None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Why a data file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// One data file's path and text.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: PathBuf,
    pub text: Arc<str>,
}

impl Source {
    /// Reads `path` (a regular file only: see [`crate::files::read_text`]).
    pub fn read(path: &Path) -> Result<Source, ReadError> {
        let text = crate::files::read_text(path).map_err(|source| ReadError {
            path: path.to_owned(),
            source,
        })?;
        Ok(Source::new(path, text))
    }

    /// A source from text already in memory; `file` names it in problems.
    pub fn new(file: &Path, text: impl Into<Arc<str>>) -> Source {
        Source {
            file: file.to_owned(),
            text: text.into(),
        }
    }

    fn is_json(&self) -> bool {
        self.file.extension().and_then(|e| e.to_str()) == Some("json")
    }

    /// The typed value, or the parser's problem at its exact place; `what` names the
    /// kind of file in the message (`not a valid {what}: …`). A missing field is
    /// reported where the mapping that lacks it starts (the parser names its last key).
    pub fn parse<T: DeserializeOwned>(&self, what: &str) -> Result<T, Problem> {
        let (span, message) = if self.is_json() {
            match serde_json::from_str(&self.text) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let msg = e.to_string();
                    let msg = msg
                        .rsplit_once(" at line ")
                        .map_or(msg.as_str(), |(m, _)| m)
                        .to_owned();
                    let span = Span {
                        line: e.line().max(1),
                        column: e.column().max(1),
                        offset: 0,
                        len: 0,
                    };
                    (span, msg)
                }
            }
        } else {
            let options = serde_saphyr::options! {
                strict_booleans: true,
                leading_zero_numbers_as_strings: true,
            };
            match serde_saphyr::from_str_with_options(&self.text, options) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let span = e.location().map_or(Span::START, Span::from_location);
                    (span, parser_message(&e))
                }
            }
        };
        let span = if message.starts_with("missing field") {
            self.tree()
                .and_then(|root| {
                    root.mapping_with_key_at(span.line, span.column)
                        .map(|map| map.span)
                })
                .unwrap_or(span)
        } else {
            span
        };
        Err(self.problem(span, format!("not a valid {what}: {message}")))
    }

    /// Where every node of the file is written; None when the parser refuses it.
    pub fn tree(&self) -> Option<Node> {
        Node::parse(&self.text)
    }

    /// A problem at the node at `path` (else its nearest ancestor that exists).
    pub fn problem_at(&self, path: &[Seg], message: String) -> Problem {
        let span = self.tree().map_or(Span::START, |root| root.span_at(path));
        self.problem(span, message)
    }

    /// A problem at `span` of this file, with its source for excerpts (the span's byte
    /// offset is taken from its line and column, which every parser gives).
    pub fn problem(&self, mut span: Span, message: String) -> Problem {
        span.line = span.line.max(1);
        span.column = span.column.max(1);
        span.offset = excerpt::byte_offset(&self.text, span.line, span.column).unwrap_or(0);
        Problem {
            file: self.file.clone(),
            line: span.line.max(1),
            column: span.column.max(1),
            span,
            message,
            text: Some(self.text.clone()),
        }
    }
}

/// The parser's message without the snippet and the "at line L, column C" it appends
/// (a problem prints its own location).
fn parser_message(e: &serde_saphyr::Error) -> String {
    let msg = e.without_snippet().to_string();
    let first = msg.lines().next().unwrap_or_default();
    match first.to_ascii_lowercase().rfind(" at line ") {
        Some(i) => first[..i].trim_end_matches(',').to_owned(),
        None => first.to_owned(),
    }
}

#[cfg(test)]
mod tests;
