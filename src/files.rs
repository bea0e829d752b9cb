//! Listing and reading the files of a folder without blocking or looping: only regular
//! files are listed or read (a FIFO, socket or device named `*.yaml` would block the
//! reader forever), symbolic links are followed once (a link back to a folder already
//! listed is a loop, not a new folder), and everything skipped is reported with the
//! reason. Every file the tool reads from a folder a user gives goes through here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A path left out of a listing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: skipped: {}", self.path.display(), self.reason)
    }
}

/// What a listing found.
#[derive(Debug, Default)]
pub struct Listing {
    /// Regular files whose extension is one of those asked for, in no order.
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

/// Lists the regular files below `dir` (below its subfolders too when `recursive`)
/// whose extension is in `extensions`. Err: `dir` itself cannot be read.
pub fn list(dir: &Path, extensions: &[&str], recursive: bool) -> std::io::Result<Listing> {
    let mut listing = Listing::default();
    let mut seen = BTreeSet::new();
    if let Ok(real) = dir.canonicalize() {
        seen.insert(real);
    }
    walk(dir, extensions, recursive, &mut seen, &mut listing, true)?;
    Ok(listing)
}

fn walk(
    dir: &Path,
    extensions: &[&str],
    recursive: bool,
    seen: &mut BTreeSet<PathBuf>,
    listing: &mut Listing,
    top: bool,
) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if top => return Err(e),
        Err(e) => {
            listing.skipped.push(Skipped {
                path: dir.to_owned(),
                reason: format!("cannot read the folder: {e}"),
            });
            return Ok(());
        }
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e));
        // Follows a symbolic link (to see what it names) without opening anything.
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                if wanted || entry.file_type().is_ok_and(|t| t.is_symlink()) {
                    listing.skipped.push(Skipped {
                        path,
                        reason: format!("cannot follow it: {e}"),
                    });
                }
                continue;
            }
        };
        if meta.is_dir() {
            if !recursive {
                continue;
            }
            let real = path.canonicalize().unwrap_or_else(|_| path.clone());
            if !seen.insert(real.clone()) {
                listing.skipped.push(Skipped {
                    path,
                    reason: format!(
                        "a link to {}, which is already listed (a symbolic-link loop?)",
                        real.display()
                    ),
                });
                continue;
            }
            walk(&path, extensions, recursive, seen, listing, false)?;
        } else if wanted {
            if meta.is_file() {
                listing.files.push(path);
            } else {
                listing.skipped.push(Skipped {
                    path,
                    reason: format!("not a regular file ({})", kind(&meta)),
                });
            }
        }
    }
    Ok(())
}

/// The text of a regular file. A FIFO, socket or device (which would block or never
/// end) is refused with an `InvalidInput` error naming what it is, before it is opened.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a folder, not a file",
        ));
    }
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", kind(&meta)),
        ));
    }
    std::fs::read_to_string(path)
}

/// Refuses what `read_text` refuses, without reading (for readers that open the file
/// themselves, such as insta's snapshot parser).
pub fn ensure_regular(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", kind(&meta)),
        ))
    }
}

/// What kind of special file this is, in words.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn loops_and_fifos_are_skipped_with_a_reason() {
        let dir = std::env::temp_dir().join(format!("ecs-conform-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.yaml"), "x").unwrap();
        std::fs::write(dir.join("b.txt"), "x").unwrap();
        std::os::unix::fs::symlink("..", dir.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink("nowhere.yaml", dir.join("dangling.yaml")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(dir.join("pipe.yaml"))
            .status()
            .is_ok_and(|s| s.success());
        let listing = list(&dir, &["yaml"], true).unwrap();
        assert_eq!(listing.files, vec![dir.join("sub/a.yaml")]);
        let reasons: Vec<String> = listing.skipped.iter().map(|s| s.to_string()).collect();
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("sub/loop") && r.contains("already listed")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("dangling.yaml")),
            "{reasons:?}"
        );
        if fifo {
            assert!(
                reasons
                    .iter()
                    .any(|r| r.contains("pipe.yaml") && r.contains("FIFO")),
                "{reasons:?}"
            );
        }
        let flat = list(&dir, &["yaml"], false).unwrap();
        assert!(flat.files.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
