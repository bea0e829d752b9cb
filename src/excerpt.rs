//! Cutting text to a length for messages and stored results: by characters (never
//! inside one) with `…` marking the cut, on one line (whitespace flattened), a JSON
//! value as compact text, or by bytes on a character boundary. Every shortened text
//! the harness shows is cut here.

use serde_json::Value;

/// Marks where a text was cut.
pub const ELLIPSIS: char = '…';

/// How many characters of a JSON value a finding or a diff line shows.
pub const VALUE_CHARS: usize = 120;

/// The first `max` characters of `text` and how many characters follow them
/// (0 when `text` has at most `max`).
pub fn head(text: &str, max: usize) -> (&str, usize) {
    match text.char_indices().nth(max) {
        None => (text, 0),
        Some((end, _)) => (&text[..end], text[end..].chars().count()),
    }
}

/// `text` cut after `max` characters, with `…` when something was cut.
pub fn chars(text: &str, max: usize) -> String {
    match head(text, max) {
        (kept, 0) => kept.to_owned(),
        (kept, _) => format!("{kept}{ELLIPSIS}"),
    }
}

/// `text` on one line (every run of whitespace becomes one space), cut after `max`
/// characters with `…`.
pub fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    chars(&flat, max)
}

/// A JSON value as compact JSON text, cut after `max` characters with `…`.
pub fn json(value: &Value, max: usize) -> String {
    chars(&value.to_string(), max)
}

/// The largest length of at most `max` bytes that ends on a character boundary of
/// `text` (`text.len()` when it is shorter).
pub fn byte_boundary(text: &str, max: usize) -> usize {
    if max >= text.len() {
        return text.len();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cuts_on_characters_not_bytes() {
        // Each `é` is two bytes, each `🦀` four: the cut counts characters.
        assert_eq!(chars("éé🦀x", 3), "éé🦀…");
        assert_eq!(head("éé🦀x", 3), ("éé🦀", 1));
        assert_eq!(head("🦀🦀🦀🦀", 1), ("🦀", 3));
    }

    #[test]
    fn exactly_the_limit_is_not_cut() {
        assert_eq!(chars("abc", 3), "abc");
        assert_eq!(head("abc", 3), ("abc", 0));
        assert_eq!(chars("abcd", 3), "abc…");
        assert_eq!(one_line("a  b", 3), "a b");
        assert_eq!(json(&json!("ab"), 4), "\"ab\"");
        assert_eq!(json(&json!("abc"), 4), "\"abc…");
    }

    #[test]
    fn empty_text_and_zero_limits() {
        assert_eq!(chars("", 5), "");
        assert_eq!(head("", 0), ("", 0));
        assert_eq!(chars("x", 0), "…");
        assert_eq!(one_line(" \n\t ", 5), "");
        assert_eq!(byte_boundary("", 3), 0);
        assert_eq!(byte_boundary("é", 0), 0);
    }

    #[test]
    fn one_line_flattens_whitespace_before_counting() {
        assert_eq!(one_line("  a\n\n b\tc  ", 10), "a b c");
        assert_eq!(one_line("a\n\nbcdef", 4), "a bc…");
    }

    #[test]
    fn bytes_are_cut_on_a_character_boundary() {
        let text = "aé🦀"; // bytes: a(1) é(2) 🦀(4)
        assert_eq!(byte_boundary(text, 1), 1);
        assert_eq!(byte_boundary(text, 2), 1);
        assert_eq!(byte_boundary(text, 3), 3);
        assert_eq!(byte_boundary(text, 6), 3);
        assert_eq!(byte_boundary(text, 7), 7);
        assert_eq!(byte_boundary(text, 100), 7);
    }
}
