//! The text edit of record mode: only the `known:` block of a target file changes.
//! Everything before its key line and after its last line (the next top-level key, and
//! the blank lines and column-0 comments just before it) is kept byte for byte. Inside
//! the block, entries are written one per line as flow mappings (`- { case: …, rule: …,
//! reason: "…" }`), sorted by case, rule and location; an entry that was already one
//! such line keeps its line verbatim (trailing comment included). A whole-line comment
//! before the first entry stays at the top, one after the last entry at the end, and one
//! between entries moves with the entry that follows it (to the next surviving entry
//! when that one is removed). The new text is read back before it is returned: it must
//! give exactly the entries intended, or nothing is written.

use super::{order, RecordError};
use crate::loader::{Node, NodeKind, Source};
use crate::report::profile::{Known, TargetProfile};

/// One entry of the new block: what it says, the line to write, the comments above it.
struct Item {
    known: Known,
    /// The line as it was written (without its line break), when it can stay.
    verbatim: Option<String>,
    comments: Vec<String>,
}

/// Where the `known:` block is and what it holds.
struct Block {
    /// 0-based index of the `known:` key line.
    key_line: usize,
    /// 0-based index of the first line after the block.
    end: usize,
    /// The comment after `known:` (or after `known: []`), kept on the key line.
    key_comment: Option<String>,
    /// Comments above the first entry; comments below the last one.
    header: Vec<String>,
    footer: Vec<String>,
    /// Per existing entry: its verbatim line, and the comments above it.
    entries: Vec<(Option<String>, Vec<String>)>,
    /// Indentation of the entries' `- `.
    indent: String,
}

/// The target file's text as loaded, and with its known entries replaced: the
/// existing ones where `keep` says so, plus `added`.
pub(super) fn rewrite(
    profile: &TargetProfile,
    keep: &[bool],
    added: &[Known],
) -> Result<(String, String), RecordError> {
    let (source, text) = rewritten(profile, keep, added)?;
    Ok((source.text.to_string(), text))
}

fn rewritten(
    profile: &TargetProfile,
    keep: &[bool],
    added: &[Known],
) -> Result<(Source, String), RecordError> {
    let layout = |message: &str| RecordError::Layout {
        file: profile.file.clone(),
        message: message.to_owned(),
    };
    let source = match &profile.source {
        Some(source) => source.clone(),
        None => Source::read(&profile.file).map_err(|e| RecordError::Write {
            path: e.path,
            source: e.source,
        })?,
    };
    let text: &str = &source.text;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let tree = source
        .tree()
        .ok_or_else(|| layout("the target file is not YAML the loader reads"))?;
    let block = find_block(&tree, &lines, profile.known.len()).map_err(|m| layout(&m))?;
    let newline = lines
        .get(block.as_ref().map_or(0, |b| b.key_line))
        .filter(|l| l.ends_with("\r\n"))
        .map_or("\n", |_| "\r\n");

    let mut items: Vec<Item> = Vec::new();
    let mut carried: Vec<String> = Vec::new();
    for (i, known) in profile.known.iter().enumerate() {
        let (verbatim, comments) = block
            .as_ref()
            .and_then(|b| b.entries.get(i).cloned())
            .unwrap_or_default();
        carried.extend(comments);
        if keep.get(i).copied().unwrap_or(true) {
            items.push(Item {
                known: known.clone(),
                verbatim,
                comments: std::mem::take(&mut carried),
            });
        }
    }
    items.extend(added.iter().map(|k| Item {
        known: k.clone(),
        verbatim: None,
        comments: Vec::new(),
    }));
    // Stable: equal keys keep the file's order, and come before added entries.
    items.sort_by(|a, b| order(&a.known).cmp(&order(&b.known)));

    let Some(block) = block else {
        if items.is_empty() {
            return Ok((source.clone(), text.to_owned()));
        }
        // No `known:` key yet: the block goes at the end of the file.
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
        out.push_str(&render_block(None, &[], &items, &[], "  ", newline));
        return Ok((source.clone(), verified(profile, out, &items)?));
    };
    let mut footer = carried;
    footer.extend(block.footer.iter().cloned());
    let offset = |line: usize| lines[..line].iter().map(|l| l.len()).sum::<usize>();
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..offset(block.key_line)]);
    out.push_str(&render_block(
        block.key_comment.as_deref(),
        &block.header,
        &items,
        &footer,
        &block.indent,
        newline,
    ));
    out.push_str(&text[offset(block.end)..]);
    let out = verified(profile, out, &items)?;
    Ok((source.clone(), out))
}

/// The `known:` key line and its entries, each line ended by `newline`.
fn render_block(
    key_comment: Option<&str>,
    header: &[String],
    items: &[Item],
    footer: &[String],
    indent: &str,
    newline: &str,
) -> String {
    let mut out = String::from(if items.is_empty() {
        "known: []"
    } else {
        "known:"
    });
    if let Some(comment) = key_comment {
        out.push(' ');
        out.push_str(comment);
    }
    out.push_str(newline);
    let mut line = |text: &str| {
        out.push_str(text);
        out.push_str(newline);
    };
    header.iter().for_each(|c| line(c));
    for item in items {
        item.comments.iter().for_each(|c| line(c));
        match &item.verbatim {
            Some(verbatim) => line(verbatim),
            None => line(&format!("{indent}- {}", flow_entry(&item.known))),
        }
    }
    footer.iter().for_each(|c| line(c));
    out
}

/// Reads `text` back as a target file: its entries must be `items`, in order, with
/// well-formed locations.
fn verified(profile: &TargetProfile, text: String, items: &[Item]) -> Result<String, RecordError> {
    let source = Source::new(&profile.file, text.as_str());
    let fail = |why: String| RecordError::Layout {
        file: profile.file.clone(),
        message: format!(
            "the rewritten file would not read back as written ({why}); nothing was written"
        ),
    };
    let parsed: TargetProfile = source
        .parse("target file")
        .map_err(|p| fail(p.to_string()))?;
    crate::report::known_check::check_pointers(&parsed, &source)
        .map_err(|e| fail(e.to_string()))?;
    let intended: Vec<&Known> = items.iter().map(|i| &i.known).collect();
    if parsed.known.iter().collect::<Vec<_>>() != intended {
        return Err(fail("its entries differ from the intended ones".into()));
    }
    Ok(text)
}

/// Finds the `known:` block of a block-style target file (None when it has no `known`
/// key), or says why the file cannot be rewritten.
fn find_block(tree: &Node, lines: &[&str], entries: usize) -> Result<Option<Block>, String> {
    let NodeKind::Map(keys) = &tree.kind else {
        return Err("the target file is not a mapping of settings".into());
    };
    let Some(at) = keys.iter().position(|(k, _, _)| k == "known") else {
        return Ok(None);
    };
    let (_, key, value) = &keys[at];
    if key.column != 1 || key.line == 0 {
        return Err("`known:` is not a top-level key at the start of its line; write the file in block style (one setting per line)".into());
    }
    let key_line = key.line - 1;
    let mut end = keys
        .get(at + 1)
        .map_or(lines.len(), |(_, next, _)| next.line.saturating_sub(1))
        .clamp(key_line + 1, lines.len());
    while end > key_line + 1 && outside(lines[end - 1]) {
        end -= 1;
    }
    let inner = key_line + 1..end;
    let items: Vec<&Node> = match &value.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    if items.len() != entries {
        return Err(format!(
            "`known:` holds {} item(s) where {entries} entries were read",
            items.len()
        ));
    }
    let starts: Vec<usize> = items
        .iter()
        .map(|n| n.span.line.saturating_sub(1))
        .collect();
    let block_style = !items.is_empty()
        && starts.iter().all(|s| inner.contains(s))
        && starts.windows(2).all(|w| w[0] < w[1]);
    let rest = lines[key_line]
        .split_once(':')
        .map_or("", |(_, rest)| rest)
        .trim();
    let rest = if block_style {
        rest
    } else {
        rest.strip_prefix("[]").map_or(rest, str::trim_start)
    };
    let key_comment = rest.starts_with('#').then(|| rest.to_owned());
    let comments = |range: std::ops::Range<usize>| -> Vec<String> {
        lines[range]
            .iter()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(|l| bare(l).to_owned())
            .collect()
    };
    if !block_style {
        // A flow list (`known: [ … ]`) or none: every entry is written anew; the
        // whole-line comments inside it stay at the top.
        return Ok(Some(Block {
            key_line,
            end,
            key_comment,
            header: comments(inner),
            footer: Vec::new(),
            entries: vec![(None, Vec::new()); entries],
            indent: "  ".into(),
        }));
    }
    let first = lines[starts[0]];
    let indent = if first.trim_start().starts_with("- ") {
        first[..first.len() - first.trim_start().len()].to_owned()
    } else {
        "  ".to_owned()
    };
    let mut block = Block {
        key_line,
        end,
        key_comment,
        header: comments(key_line + 1..starts[0]),
        footer: Vec::new(),
        entries: Vec::new(),
        indent,
    };
    let mut above: Vec<String> = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let stop = starts.get(i + 1).copied().unwrap_or(end);
        let content_end = (start..stop)
            .rev()
            .find(|&l| !is_blank_or_comment(lines[l]))
            .map_or(start + 1, |l| l + 1);
        let verbatim = (content_end == start + 1 && lines[start].trim_start().starts_with("- "))
            .then(|| bare(lines[start]).to_owned());
        let mut own = std::mem::take(&mut above);
        // Comments inside a multi-line entry go above it (the entry is written anew).
        own.extend(comments(start + 1..content_end));
        block.entries.push((verbatim, own));
        above = comments(content_end..stop);
    }
    block.footer = above;
    Ok(Some(block))
}

/// A line after the entries that belongs to what follows: blank, or starting at
/// column 0 with anything but a `-` (a comment, `---`, `...`).
fn outside(line: &str) -> bool {
    line.trim().is_empty() || !(line.starts_with(char::is_whitespace) || line.starts_with('-'))
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// A line without its line break.
fn bare(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// One entry as a flow mapping, as the shipped target files write them.
pub(super) fn flow_entry(k: &Known) -> String {
    let mut parts = vec![format!("case: {}", scalar(&k.case))];
    if let Some(rule) = &k.rule {
        parts.push(format!("rule: {}", scalar(rule)));
    }
    if let Some(pointer) = &k.pointer {
        parts.push(format!("pointer: {}", scalar(pointer)));
    }
    parts.push(format!("reason: {}", scalar(&k.reason)));
    if let Some(link) = &k.link {
        parts.push(format!("link: {}", scalar(link)));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// A string as a YAML scalar: plain when it can only be read back as that string
/// (letters, digits, `_`, `.`, `/`, `-`, with a letter, not starting with `-` or `.`,
/// not a YAML boolean or null), else double-quoted.
fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && text.chars().any(|c| c.is_ascii_alphabetic())
        && !text.starts_with(['-', '.'])
        && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"]
            .contains(&text.to_ascii_lowercase().as_str());
    if plain {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{feff}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
