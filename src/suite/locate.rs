//! Turning what a parser or a check knows (a byte offset, a token, the n-th step) into
//! a line and column of the source text.

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Line and column of the first occurrence of `needle` at or after line `from_line`
/// (1-based), falling back to the first occurrence anywhere, then to `from_line`:1.
pub fn find(text: &str, needle: &str, from_line: usize) -> (usize, usize) {
    let start = line_start(text, from_line);
    if let Some(i) = text[start..].find(needle) {
        return line_col(text, start + i);
    }
    if let Some(i) = text.find(needle) {
        return line_col(text, i);
    }
    (from_line.max(1), 1)
}

fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// 1-based lines of every `call` key, in document order (YAML `call:` or JSON `"call":`).
pub fn call_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("call") {
            let before = rest[..i].chars().last();
            let after = rest[i + 4..].trim_start_matches('"').trim_start();
            let starts_key = matches!(before, None | Some(' ' | '-' | '{' | ',' | '"' | '\t'));
            if starts_key && after.starts_with(':') {
                lines.push(n + 1);
            }
            rest = &rest[i + 4..];
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let t = "ab\ncde\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 4), (2, 2));
        assert_eq!(line_col(t, 7), (3, 1));
        assert_eq!(find(t, "f", 1), (3, 1));
        assert_eq!(find(t, "zz", 2), (2, 1));
    }

    #[test]
    fn call_keys_are_found_in_yaml_and_json() {
        let yaml =
            "steps:\n  - call: RunTask\n    with: {}\n  - { call: StopTask }\n# recall: no\n";
        assert_eq!(call_lines(yaml), vec![2, 4]);
        let json = "{\"steps\": [\n {\"call\": \"RunTask\"},\n {\"call\" : \"X\"}]}";
        assert_eq!(call_lines(json), vec![2, 3]);
    }
}
