//! The suite built into the binary and its copy on disk.
//!
//! The binary embeds `cases/`, `schemas/`, `targets/` and `snapshots/` of the source
//! tree it was built from (`include_dir`; `build.rs` makes a new or removed file
//! rebuild it). The library reads files (schemas refer to each other by path, errors
//! point at file:line), so the first command that needs the built-in suite writes it
//! once into `$XDG_CACHE_HOME/ecs-conform/<version>-<content hash>/` (else
//! `$HOME/.cache/ecs-conform/…`): into a temporary folder renamed into place, so a
//! reader only ever sees a complete copy and two runs starting at once both end up
//! with the same one. Every later use checks the copy against the embedded bytes (a
//! file changed, added or removed by hand is rewritten), so the verdicts always come
//! from the suite this binary ships. A problem in a built-in file is reported at its
//! path in that folder. Nothing is ever written there but the copy itself.

use include_dir::{include_dir, Dir};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The shipped folders, each under its own name.
static FOLDERS: [(&str, Dir<'static>); 4] = [
    ("cases", include_dir!("$CARGO_MANIFEST_DIR/../../cases")),
    ("schemas", include_dir!("$CARGO_MANIFEST_DIR/../../schemas")),
    ("targets", include_dir!("$CARGO_MANIFEST_DIR/../../targets")),
    (
        "snapshots",
        include_dir!("$CARGO_MANIFEST_DIR/../../snapshots"),
    ),
];

/// Attempts at placing a complete copy before giving up (each attempt either places
/// ours or finds another run's).
const ATTEMPTS: usize = 3;

/// Why the built-in suite could not be written to its cache folder.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot write the built-in suite to {}: {source} (set XDG_CACHE_HOME to a writable folder, or pass --cases and --schemas)", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no folder for the built-in suite: neither XDG_CACHE_HOME nor HOME is set (set one, or pass --cases and --schemas)")]
    NoCacheFolder,
    #[error("the copy of the built-in suite in {} keeps changing while it is written; remove the folder and try again", .0.display())]
    Unsettled(PathBuf),
}

/// One embedded file: its path below the suite root (`cases/…`) and its bytes.
pub type EmbeddedFile = (PathBuf, &'static [u8]);

/// Every embedded file, sorted by path (pending `.snap.new` files of the build
/// machine left out).
pub fn files() -> Vec<EmbeddedFile> {
    let mut out = Vec::new();
    for (name, dir) in &FOLDERS {
        collect(dir, Path::new(name), &mut out);
    }
    out.sort();
    out
}

fn collect(dir: &'static Dir<'static>, prefix: &Path, out: &mut Vec<EmbeddedFile>) {
    for file in dir.files() {
        if !file.path().to_string_lossy().ends_with(".snap.new") {
            out.push((prefix.join(file.path()), file.contents()));
        }
    }
    for sub in dir.dirs() {
        collect(sub, prefix, out);
    }
}

/// The first 16 hex digits of the SHA-256 of every path and content.
pub fn content_hash(files: &[EmbeddedFile]) -> String {
    let mut hasher = Sha256::new();
    for (path, bytes) in files {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `$XDG_CACHE_HOME` (when absolute, as the XDG spec asks), else `$HOME/.cache`.
pub fn cache_home() -> Result<PathBuf, CacheError> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(xdg) = var("XDG_CACHE_HOME").map(PathBuf::from) {
        if xdg.is_absolute() {
            return Ok(xdg);
        }
    }
    var("HOME")
        .map(|home| PathBuf::from(home).join(".cache"))
        .ok_or(CacheError::NoCacheFolder)
}

/// The root of the built-in suite on disk (`cases/`, `schemas/`, `targets/`,
/// `snapshots/`), written first when missing or changed.
pub fn root() -> Result<PathBuf, CacheError> {
    materialise(
        &cache_home()?.join("ecs-conform"),
        env!("CARGO_PKG_VERSION"),
        &files(),
    )
}

/// Writes `files` to `<parent>/<version>-<content hash>/` unless an identical copy is
/// there, and returns that folder. Safe when several processes do it at once.
pub fn materialise(
    parent: &Path,
    version: &str,
    files: &[EmbeddedFile],
) -> Result<PathBuf, CacheError> {
    let name = format!("{version}-{}", content_hash(files));
    let dir = parent.join(&name);
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| CacheError::Io { path, source }
    };
    for _ in 0..ATTEMPTS {
        if holds_exactly(&dir, files) {
            return Ok(dir);
        }
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        if dir.exists() {
            // Changed by hand (or half removed): moved aside, then replaced.
            let stale = unique(parent, &name, "stale");
            if std::fs::rename(&dir, &stale).is_ok() {
                let _ = std::fs::remove_dir_all(&stale);
            }
        }
        let tmp = unique(parent, &name, "tmp");
        if let Err(e) = write_all(&tmp, files) {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        if std::fs::rename(&tmp, &dir).is_err() {
            // Another run placed its copy first: ours is not needed.
            let _ = std::fs::remove_dir_all(&tmp);
        }
    }
    if holds_exactly(&dir, files) {
        Ok(dir)
    } else {
        Err(CacheError::Unsettled(dir))
    }
}

/// A fresh sibling name: `.<name>.<what>-<pid>-<counter>`.
fn unique(parent: &Path, name: &str, what: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent.join(format!(".{name}.{what}-{}-{n}", std::process::id()))
}

fn write_all(root: &Path, files: &[EmbeddedFile]) -> Result<(), CacheError> {
    for (path, bytes) in files {
        let target = root.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|source| CacheError::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        std::fs::write(&target, bytes).map_err(|source| CacheError::Io {
            path: target.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Whether `dir` holds exactly `files`: the same paths with the same bytes, nothing more.
fn holds_exactly(dir: &Path, files: &[EmbeddedFile]) -> bool {
    let mut found = Vec::new();
    if !list(dir, Path::new(""), &mut found) {
        return false;
    }
    found.sort();
    found.len() == files.len()
        && found.iter().zip(files).all(|(path, (expected, bytes))| {
            path == expected && std::fs::read(dir.join(path)).is_ok_and(|b| b == *bytes)
        })
}

/// Every file below `dir` (relative paths); false when a folder cannot be read.
fn list(dir: &Path, prefix: &Path, out: &mut Vec<PathBuf>) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    for entry in entries {
        let Ok(entry) = entry else { return false };
        let Ok(kind) = entry.file_type() else {
            return false;
        };
        let rel = prefix.join(entry.file_name());
        if kind.is_dir() {
            if !list(&entry.path(), &rel, out) {
                return false;
            }
        } else {
            out.push(rel);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &'static str) -> Vec<EmbeddedFile> {
        vec![
            (PathBuf::from("cases/a.yaml"), text.as_bytes()),
            (PathBuf::from("schemas/s.json"), b"{}".as_slice()),
        ]
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "ecs-conform-cache-test-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn the_shipped_suite_is_embedded() {
        let files = files();
        for needed in [
            "cases/fixtures.yaml",
            "cases/generate.yaml",
            "cases/coverage.yaml",
            "schemas/operations.json",
            "snapshots/normalisers.yaml",
            "targets/moto.yaml",
            "targets/aws.yaml",
            "targets/reference.yaml",
        ] {
            assert!(
                files.iter().any(|(p, _)| p == Path::new(needed)),
                "{needed} is not embedded"
            );
        }
        assert!(files.iter().any(|(p, _)| p.starts_with("cases/stop-task")));
    }

    #[test]
    fn writes_once_into_a_versioned_folder_named_by_the_content() {
        let parent = temp("once");
        let dir = materialise(&parent, "9.9.9", &tree("a: 1\n")).unwrap();
        assert_eq!(
            dir,
            parent.join(format!("9.9.9-{}", content_hash(&tree("a: 1\n"))))
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("cases/a.yaml")).unwrap(),
            "a: 1\n"
        );
        // Nothing left beside it (no temporary folder).
        let entries: Vec<_> = std::fs::read_dir(&parent).unwrap().collect();
        assert_eq!(entries.len(), 1);
        // Again: the same folder, untouched.
        let modified = std::fs::metadata(dir.join("cases/a.yaml"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(materialise(&parent, "9.9.9", &tree("a: 1\n")).unwrap(), dir);
        assert_eq!(
            std::fs::metadata(dir.join("cases/a.yaml"))
                .unwrap()
                .modified()
                .unwrap(),
            modified
        );
        let _ = std::fs::remove_dir_all(&parent);
    }

    #[test]
    fn other_content_or_version_gets_another_folder() {
        let parent = temp("hash");
        let one = materialise(&parent, "1.0.0", &tree("a: 1\n")).unwrap();
        let two = materialise(&parent, "1.0.0", &tree("a: 2\n")).unwrap();
        let three = materialise(&parent, "1.0.1", &tree("a: 1\n")).unwrap();
        assert_ne!(one, two);
        assert_ne!(one, three);
        assert_ne!(content_hash(&tree("a: 1\n")), content_hash(&tree("a: 2\n")));
        assert_eq!(
            std::fs::read_to_string(two.join("cases/a.yaml")).unwrap(),
            "a: 2\n"
        );
        let _ = std::fs::remove_dir_all(&parent);
    }

    #[test]
    fn a_copy_changed_by_hand_is_rewritten() {
        let parent = temp("changed");
        let dir = materialise(&parent, "1.0.0", &tree("a: 1\n")).unwrap();
        std::fs::write(dir.join("cases/a.yaml"), "a: tampered\n").unwrap();
        std::fs::write(dir.join("cases/extra.yaml"), "b: 1\n").unwrap();
        assert_eq!(materialise(&parent, "1.0.0", &tree("a: 1\n")).unwrap(), dir);
        assert_eq!(
            std::fs::read_to_string(dir.join("cases/a.yaml")).unwrap(),
            "a: 1\n"
        );
        assert!(!dir.join("cases/extra.yaml").exists());
        let _ = std::fs::remove_dir_all(&parent);
    }

    #[test]
    fn runs_starting_at_once_all_get_one_complete_copy() {
        let parent = temp("concurrent");
        let big: Vec<EmbeddedFile> = (0..200)
            .map(|i| {
                (
                    PathBuf::from(format!("cases/c{i:03}.yaml")),
                    b"name: x\n".as_slice(),
                )
            })
            .collect();
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let parent = parent.clone();
                let big = big.clone();
                std::thread::spawn(move || materialise(&parent, "1.0.0", &big).unwrap())
            })
            .collect();
        let dirs: Vec<PathBuf> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(dirs.iter().all(|d| *d == dirs[0]));
        assert!(holds_exactly(&dirs[0], &big));
        // Only the complete copy is left: no temporary or stale folder.
        let names: Vec<String> = std::fs::read_dir(&parent)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let _ = std::fs::remove_dir_all(&parent);
    }
}
