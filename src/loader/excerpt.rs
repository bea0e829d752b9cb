//! A problem rendered with its source line and a caret under the place it is about
//! (annotate-snippets), below the `file:line:column: message` line.

use super::Problem;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

impl Problem {
    /// `file:line:column: message`, then (when the problem has its source) the line
    /// it is about with a caret under the exact place.
    pub fn render(&self) -> String {
        let head = self.to_string();
        let Some(text) = &self.text else {
            return head;
        };
        let Some(start) = byte_offset(text, self.line, self.column) else {
            return head;
        };
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let mut end = (start + self.span.len).min(line_end);
        if end == start && start < line_end {
            end = start + text[start..].chars().next().map_or(0, char::len_utf8);
        }
        end = crate::excerpt::byte_boundary(text, end);
        let report = [Group::with_level(Level::ERROR).element(
            Snippet::source(&**text)
                .line_start(1)
                .fold(true)
                .annotation(AnnotationKind::Primary.span(start..end)),
        )];
        let excerpt = Renderer::plain().render(&report);
        format!("{head}\n{excerpt}")
    }
}

/// `head`, then every problem rendered with its excerpt.
pub fn render_all(head: &str, problems: &[Problem]) -> String {
    let mut out = head.to_owned();
    for problem in problems {
        out.push('\n');
        out.push_str(&problem.render());
    }
    out
}

/// The byte offset of 1-based `line` and `column` (in characters) in `text`; None
/// when the text has no such line.
pub(crate) fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut line_start = 0;
    for _ in 1..line.max(1) {
        line_start += text[line_start..].find('\n')? + 1;
    }
    let rest = &text[line_start..];
    let line_text = rest.split('\n').next().unwrap_or_default();
    let in_line: usize = line_text
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    Some(line_start + in_line)
}
