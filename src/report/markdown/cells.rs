//! Text in the Markdown report: escaping for table cells and list items (so `|`, HTML
//! and stray backticks in a value neither break a table nor become markup), and long
//! texts (snapshot diffs, bodies, multi-line messages) cut to one short line that links
//! to a collapsible `<details>` block holding the whole text in a fenced code block.

use std::collections::HashMap;
use std::fmt::Write;

/// The most characters of text a table cell shows before it is cut.
pub const CELL_LIMIT: usize = 160;
/// The most characters of text a list item shows before it is cut.
pub const PROSE_LIMIT: usize = 320;

/// Where escaped text goes: table cells need their pipes escaped, list items do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Cell,
    Prose,
}

impl Place {
    /// The most characters of one line shown here.
    pub fn limit(self) -> usize {
        match self {
            Place::Cell => CELL_LIMIT,
            Place::Prose => PROSE_LIMIT,
        }
    }
}

/// Escapes one line of text for `place`. Code spans in the text (backtick runs with a
/// matching closing run, as target files write them) stay code spans; outside them
/// `\`, `<`, `&` and unmatched backticks are escaped, so HTML-looking text stays text.
/// In a cell, `|` is escaped everywhere (GitHub unescapes `\|` inside code spans of a
/// table too). Line breaks become spaces.
pub fn escape(text: &str, place: Place) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = backtick_run(&chars, i);
            match closing_run(&chars, i + run, run) {
                Some(close) => {
                    for &c in &chars[i..close + run] {
                        push_in_code(&mut out, c, place);
                    }
                    i = close + run;
                }
                None => {
                    for _ in 0..run {
                        out.push_str("\\`");
                    }
                    i += run;
                }
            }
            continue;
        }
        match chars[i] {
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '|' if place == Place::Cell => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn push_in_code(out: &mut String, c: char, place: Place) {
    match c {
        '|' if place == Place::Cell => out.push_str("\\|"),
        '\n' | '\r' => out.push(' '),
        c => out.push(c),
    }
}

/// The length of the run of backticks starting at `at`.
fn backtick_run(chars: &[char], at: usize) -> usize {
    chars[at..].iter().take_while(|c| **c == '`').count()
}

/// Where the next run of exactly `run` backticks at or after `from` starts.
fn closing_run(chars: &[char], from: usize, run: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '`' {
            let n = backtick_run(chars, i);
            if n == run {
                return Some(i);
            }
            i += n;
        } else {
            i += 1;
        }
    }
    None
}

/// `text` as a code span for `place`, its delimiters longer than any backtick run in
/// it (no escaping needed inside, but `|` in a cell).
pub fn code(text: &str, place: Place) -> String {
    let fence = "`".repeat(longest_backtick_run(text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    let mut inner = String::new();
    for c in text.chars() {
        push_in_code(&mut inner, c, place);
    }
    format!("{fence}{pad}{inner}{pad}{fence}")
}

/// The first line of `text`, at most `limit` characters, and whether that is less
/// than the whole text.
pub fn head(text: &str, limit: usize) -> (String, bool) {
    let trimmed = text.trim();
    let first = trimmed.lines().next().unwrap_or("").trim_end();
    let mut cut = first.len() < trimmed.len();
    let mut shown: String = first.chars().take(limit).collect();
    if shown.len() < first.len() {
        cut = true;
        shown = shown.trim_end().to_owned();
    }
    (shown, cut)
}

/// Whether a text reads as a unified diff (a snapshot mismatch): a hunk header, or
/// both file headers.
pub fn looks_like_diff(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("@@ "))
        || (text.lines().any(|l| l.starts_with("--- "))
            && text.lines().any(|l| l.starts_with("+++ ")))
}

/// A code fence longer than any run of backticks in `text`, so no line of the text
/// can close it.
pub fn fence_for(text: &str) -> String {
    "`".repeat((longest_backtick_run(text) + 1).max(3))
}

/// The longest run of backticks in `text` (0 when it has none).
fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Text for inside an HTML element (a `<summary>`): one line, entities escaped.
pub fn html_text(text: &str) -> String {
    let (shown, cut) = head(text, CELL_LIMIT);
    let mut out = shown
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if cut {
        out.push('…');
    }
    out
}

/// As many items as code spans as fit in the place's limit (at least one), joined,
/// and how many did not fit.
fn fitting(items: &[String], place: Place) -> (String, usize) {
    let mut shown = Vec::new();
    let mut width = 0;
    for item in items {
        width += item.chars().count() + 4;
        if width > place.limit() && !shown.is_empty() {
            break;
        }
        shown.push(code(item, place));
    }
    (shown.join(", "), items.len() - shown.len())
}

/// A whole text waiting below its section, linked from the cells that cut it.
#[derive(Debug)]
struct Block {
    id: String,
    summary: String,
    text: String,
}

/// The long texts of a report: each whole text gets one anchor (`full-N`; the same
/// text with the same summary, the same anchor) and one `<details>` block, written
/// after the section that first linked to it.
#[derive(Debug, Default)]
pub struct Details {
    ids: HashMap<(String, String), String>,
    pending: Vec<Block>,
}

impl Details {
    /// `text` for `place`: escaped whole when it is one short line, else its first
    /// line cut (`…`) with a link to the block holding all of it; `summary` says what
    /// the text is.
    pub fn text(&mut self, text: &str, summary: &str, place: Place) -> String {
        let (shown, cut) = head(text, place.limit());
        if !cut {
            return escape(&shown, place);
        }
        let id = self.anchor(text, summary);
        format!("{}… [(full text)](#{id})", escape(&shown, place))
    }

    /// Items (case ids) as code spans, as many as fit in the place's limit;
    /// the rest as `… and N more` with a link to the block listing all of them.
    pub fn list(&mut self, items: &[String], summary: &str, place: Place) -> String {
        let (mut out, rest) = fitting(items, place);
        if rest > 0 {
            let id = self.anchor(&items.join("\n"), summary);
            let _ = write!(out, " … [and {rest} more](#{id})");
        }
        out
    }

    /// Items as in [`list`](Self::list), always linked to a block holding `text`
    /// (what the items stand for: every case's finding).
    pub fn list_with_text(
        &mut self,
        items: &[String],
        text: &str,
        summary: &str,
        place: Place,
    ) -> String {
        let (mut out, rest) = fitting(items, place);
        let id = self.anchor(text, summary);
        if rest > 0 {
            let _ = write!(out, " … [and {rest} more, with findings](#{id})");
        } else {
            let _ = write!(out, " ([findings](#{id}))");
        }
        out
    }

    /// The anchor of a whole text, queueing its block when it is new.
    fn anchor(&mut self, text: &str, summary: &str) -> String {
        let key = (summary.to_owned(), text.to_owned());
        if let Some(id) = self.ids.get(&key) {
            return id.clone();
        }
        let id = format!("full-{}", self.ids.len() + 1);
        self.ids.insert(key, id.clone());
        self.pending.push(Block {
            id: id.clone(),
            summary: summary.to_owned(),
            text: text.to_owned(),
        });
        id
    }

    /// Writes the blocks queued since the last flush, each collapsed, its text in a
    /// fenced code block (`diff` when it reads as one).
    pub fn flush(&mut self, out: &mut String) {
        for block in self.pending.drain(..) {
            let fence = fence_for(&block.text);
            let lang = if looks_like_diff(&block.text) {
                "diff"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<details><summary><a id=\"{}\"></a>{}</summary>\n\n{fence}{lang}\n{}\n{fence}\n\n</details>\n",
                block.id,
                html_text(&block.summary),
                block.text.trim_end_matches('\n')
            );
        }
    }
}
