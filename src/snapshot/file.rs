//! `.snap` files in insta's documented format: a YAML header between `---` lines
//! (`source`, `expression`, and `info` carrying the [`Provenance`]), then the
//! snapshot content (pretty JSON here).
//!
//! insta has no public, non-panicking way to build and save a `Snapshot`, so files
//! are written here, exactly in that format; they are read back with insta's own
//! `Snapshot::from_file` (tests prove it reads what is written), so `cargo insta
//! review` and this module agree on what a file says.

use super::{Provenance, SnapshotError};
use insta::internals::{Content, TextSnapshotContents};
use insta::{Snapshot, TextSnapshotKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What is written as the `source` of every snapshot header.
pub const SOURCE: &str = "ecs-conform";

/// A snapshot file read back.
#[derive(Debug, Clone)]
pub struct SnapFile {
    pub path: PathBuf,
    pub expression: Option<String>,
    /// `None` when the header has no `info` with a `target_kind` (e.g. written by hand).
    pub provenance: Option<Provenance>,
    /// The content as insta read it (no trailing newline).
    pub contents: String,
}

impl SnapFile {
    /// Does `new` match this snapshot's content, by insta's own rule?
    pub fn matches(&self, new: &str) -> bool {
        same_text(&self.contents, new)
    }
}

/// Two snapshot contents are the same by insta's rule (trailing whitespace and
/// line endings aside).
pub fn same_text(a: &str, b: &str) -> bool {
    text(a).matches_latest(&text(b))
}

fn text(s: &str) -> TextSnapshotContents {
    TextSnapshotContents::new(s.to_owned(), TextSnapshotKind::File)
}

/// The text of a `.snap` file.
pub fn render(expression: &str, provenance: &Provenance, contents: &str) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!("source: {}\n", quote(SOURCE)));
    out.push_str(&format!("expression: {}\n", quote(expression)));
    out.push_str("info:\n");
    out.push_str(&format!(
        "  target_kind: {}\n",
        quote(&provenance.target_kind)
    ));
    out.push_str(&format!("  region: {}\n", quote(&provenance.region)));
    out.push_str(&format!(
        "  tool_version: {}\n",
        quote(&provenance.tool_version)
    ));
    out.push_str("---\n");
    out.push_str(contents.trim_end());
    out.push('\n');
    out
}

/// A YAML double-quoted scalar. JSON's string escapes (`\"`, `\\`, `\n`, `\uXXXX`, …)
/// are all valid YAML double-quoted escapes.
fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// Writes the file atomically (a temporary file in the same folder, then a rename).
pub fn write(path: &Path, text: &str) -> Result<(), SnapshotError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let io = |action, source| SnapshotError::Io {
        path: path.to_owned(),
        action,
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io("creating the snapshot folder", e))?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(
        ".{file_name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, text).map_err(|e| io("writing the snapshot", e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("writing the snapshot", e)
    })
}

/// Reads a `.snap` or `.snap.new` file with insta's parser.
pub fn read(path: &Path) -> Result<SnapFile, SnapshotError> {
    // A FIFO or device at a snapshot's path would block insta's reader forever.
    if path.exists() {
        crate::files::ensure_regular(path).map_err(|source| SnapshotError::Io {
            path: path.to_owned(),
            action: "reading the snapshot",
            source,
        })?;
    }
    let snapshot = Snapshot::from_file(path).map_err(|e| {
        // insta reports a missing file as an io error inside its own error type.
        if !path.exists() {
            SnapshotError::Io {
                path: path.to_owned(),
                action: "reading the snapshot",
                source: std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string()),
            }
        } else {
            SnapshotError::Format {
                path: path.to_owned(),
                message: e.to_string(),
            }
        }
    })?;
    let contents = match snapshot.as_text() {
        Some(t) => t.to_string(),
        None => {
            return Err(SnapshotError::Format {
                path: path.to_owned(),
                message: "a binary snapshot, not a text one".into(),
            })
        }
    };
    let provenance = snapshot.metadata().private_info().and_then(provenance_of);
    Ok(SnapFile {
        path: path.to_owned(),
        expression: snapshot.metadata().expression().map(str::to_owned),
        provenance,
        contents,
    })
}

fn provenance_of(info: &Content) -> Option<Provenance> {
    let Content::Map(entries) = info.resolve_inner() else {
        return None;
    };
    let get = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(name))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_owned)
    };
    Some(Provenance {
        target_kind: get("target_kind")?,
        region: get("region").unwrap_or_default(),
        tool_version: get("tool_version").unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insta_reads_what_is_written() {
        let dir = std::env::temp_dir().join(format!("ecs-conform-snapfile-{}", std::process::id()));
        let path = dir.join("odd__step-1.snap");
        let prov = Provenance {
            target_kind: "aws".into(),
            region: "eu-west-1: \"quoted\" # not a comment\n\u{7}é".into(),
            tool_version: "0.1.0".into(),
        };
        let contents = "{\n  \"status\": 200,\n  \"body\": \"---\"\n}";
        write(&path, &render("RunTask: 'x' \\ y", &prov, contents)).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.provenance.as_ref(), Some(&prov));
        assert_eq!(back.expression.as_deref(), Some("RunTask: 'x' \\ y"));
        assert_eq!(back.contents, contents);
        assert!(back.matches(&format!("{contents}\n")));
        assert!(!back.matches("{}"));
        // insta's own reader, directly: it recognises the header and the source.
        let insta = Snapshot::from_file(&path).unwrap();
        assert_eq!(insta.metadata().source(), Some(SOURCE));
        // insta's own naming: `<module>__<name>.snap`, i.e. case and step here.
        assert_eq!(insta.module_name(), "odd");
        assert_eq!(insta.snapshot_name(), Some("step-1"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_a_file_as_cargo_insta_rewrites_it_on_accept() {
        // the header as `cargo insta accept` (1.49.0) rewrote one of ours: unquoted
        let dir = std::env::temp_dir().join(format!(
            "ecs-conform-snapfile-accepted-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("stop-task__reason__step-2.snap");
        let body = "{\n  \"status\": 200,\n  \"body\": {}\n}";
        std::fs::write(
            &path,
            format!("---\nsource: ecs-conform\nexpression: \"StopTask response: status and body, normalised\"\ninfo:\n  target_kind: aws\n  region: us-east-1\n  tool_version: 0.1.0\n---\n{body}\n"),
        )
        .unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.provenance.as_ref().unwrap().target_kind, "aws");
        assert!(back.matches(body));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unreadable_and_missing_files_are_told_apart() {
        let dir =
            std::env::temp_dir().join(format!("ecs-conform-snapfile-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.snap");
        std::fs::write(&bad, "---\nsource: [unclosed\n---\n{}\n").unwrap();
        assert!(matches!(read(&bad), Err(SnapshotError::Format { .. })));
        assert!(matches!(
            read(&dir.join("none.snap")),
            Err(SnapshotError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
