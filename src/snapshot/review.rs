//! Pending snapshots (`.snap.new`) for users of the binary: list, accept, reject,
//! and a readable review of one, since `cargo insta review` only works inside a
//! cargo package.

use super::diff::{changes, unified};
use super::file;
use super::store::{may_record_over, name_of_pending, recorded_by, snap_path_of, SnapshotStore};
use super::SnapshotError;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

impl SnapshotStore {
    /// The pending `.snap.new` files in the folder, sorted.
    pub fn pending(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && name_of_pending(p).is_some())
            .collect();
        out.sort();
        out
    }

    fn pending_matching(&self, filter: Option<&str>) -> Vec<PathBuf> {
        self.pending()
            .into_iter()
            .filter(|p| filter.is_none_or(|f| name_of_pending(p).is_some_and(|n| n.contains(f))))
            .collect()
    }

    /// Turns the pending files whose snapshot name contains `filter` (all when `None`)
    /// into `.snap` files; returns the `.snap` paths written. Nothing is accepted when
    /// one of them would replace an `aws` golden with a recording from another kind
    /// of target, unless the store was made with `force`.
    pub fn accept(&self, filter: Option<&str>) -> Result<Vec<PathBuf>, SnapshotError> {
        let pending = self.pending_matching(filter);
        let mut moves = Vec::new();
        for new_path in pending {
            let snap = snap_path_of(&new_path);
            let new = file::read(&new_path)?;
            self.may_replace(&snap, &new)?;
            moves.push((new_path, snap));
        }
        let mut accepted = Vec::new();
        for (new_path, snap) in moves {
            accepted.push(move_into_place(&new_path, snap)?);
        }
        Ok(accepted)
    }

    /// Accepts one pending file (a path [`pending`](SnapshotStore::pending) gave),
    /// with the same provenance rule as [`accept`](SnapshotStore::accept).
    pub fn accept_one(&self, new_path: &Path) -> Result<PathBuf, SnapshotError> {
        if name_of_pending(new_path).is_none() {
            return Err(SnapshotError::NotPending {
                path: new_path.to_owned(),
            });
        }
        let snap = snap_path_of(new_path);
        self.may_replace(&snap, &file::read(new_path)?)?;
        move_into_place(new_path, snap)
    }

    /// Deletes one pending file.
    pub fn reject_one(&self, new_path: &Path) -> Result<(), SnapshotError> {
        if name_of_pending(new_path).is_none() {
            return Err(SnapshotError::NotPending {
                path: new_path.to_owned(),
            });
        }
        remove(new_path, "rejecting the pending snapshot")
    }

    /// A golden is replaced only by a recording from the same kind of target as the
    /// one that recorded it, or from real AWS (a moto run's answers do not become the
    /// reference's goldens), unless the store was made with `force`. A golden or a
    /// recording that does not say where it was recorded is not refused.
    fn may_replace(&self, snap: &Path, new: &file::SnapFile) -> Result<(), SnapshotError> {
        if self.force || !snap.exists() {
            return Ok(());
        }
        let old = file::read(snap)?;
        let old_kind = old.provenance.as_ref().map(|p| p.target_kind.as_str());
        let new_kind = new.provenance.as_ref().map(|p| p.target_kind.as_str());
        match (old_kind, new_kind) {
            (Some(golden), Some(recorded)) if !may_record_over(golden, recorded) => {
                Err(SnapshotError::Provenance {
                    path: snap.to_owned(),
                    golden: golden.to_owned(),
                    new: recorded.to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    /// The `.snap` and `.snap.new` files in the folder that no snapshot step of the
    /// suite names (`expected` holds the names, see
    /// [`snapshot_name`](super::snapshot_name)): left behind by a renamed case or a
    /// renumbered step. Sorted.
    pub fn orphans(&self, expected: &BTreeSet<String>) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .filter(|p| {
                let name = name_of_pending(p).or_else(|| name_of_golden(p));
                name.is_some_and(|n| !expected.contains(&n))
            })
            .collect();
        out.sort();
        out
    }

    /// Deletes orphaned files ([`orphans`](SnapshotStore::orphans)); returns them.
    pub fn remove_orphans(
        &self,
        expected: &BTreeSet<String>,
    ) -> Result<Vec<PathBuf>, SnapshotError> {
        let orphans = self.orphans(expected);
        for p in &orphans {
            remove(p, "removing the orphaned snapshot")?;
        }
        Ok(orphans)
    }

    /// Deletes the pending files whose snapshot name contains `filter` (all when
    /// `None`); returns the `.snap.new` paths removed.
    pub fn reject(&self, filter: Option<&str>) -> Result<Vec<PathBuf>, SnapshotError> {
        let mut rejected = Vec::new();
        for p in self.pending_matching(filter) {
            remove(&p, "rejecting the pending snapshot")?;
            rejected.push(p);
        }
        Ok(rejected)
    }

    /// A readable account of one pending file: who recorded the old and the new,
    /// the changed JSON paths (each marked `[fail]` or `[drift]`, as a comparison
    /// would judge it), and a unified diff (old → new).
    pub fn review_text(&self, path: &Path) -> Result<String, SnapshotError> {
        let Some(name) = name_of_pending(path) else {
            return Err(SnapshotError::NotPending {
                path: path.to_owned(),
            });
        };
        let new = file::read(path)?;
        let snap = snap_path_of(path);
        let old = if snap.exists() {
            Some(file::read(&snap)?)
        } else {
            None
        };
        let mut out = format!("snapshot {name}\n");
        out.push_str(&format!(
            "  new: {}{}\n",
            path.display(),
            recorded_by(new.provenance.as_ref())
        ));
        match &old {
            Some(o) => out.push_str(&format!(
                "  old: {}{}\n",
                snap.display(),
                recorded_by(o.provenance.as_ref())
            )),
            None => out.push_str("  old: none (this is a new snapshot)\n"),
        }
        let old_text = old
            .as_ref()
            .map_or(String::new(), |o| format!("{}\n", o.contents.trim_end()));
        let new_text = format!("{}\n", new.contents.trim_end());
        if let Some(o) = &old {
            if let (Ok(a), Ok(b)) = (
                serde_json::from_str::<Value>(&o.contents),
                serde_json::from_str::<Value>(&new.contents),
            ) {
                let changes = changes(&a, &b);
                out.push_str(&format!("changed paths ({}):\n", changes.len()));
                for c in &changes {
                    let class = match self.normalisers.compare.contract_difference(c) {
                        Some(_) => "fail",
                        None => "drift",
                    };
                    out.push_str(&format!("  {} [{class}]\n", c.render("the old", "the new")));
                }
            }
        }
        out.push('\n');
        let diff = unified(
            &old_text,
            &new_text,
            &snap.display().to_string(),
            &path.display().to_string(),
        );
        if diff.is_empty() {
            out.push_str("(the contents are the same)\n");
        } else {
            out.push_str(&diff);
        }
        Ok(out)
    }
}

/// The snapshot name of a `<name>.snap` file.
fn name_of_golden(path: &Path) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    file.strip_suffix(".snap").map(str::to_owned)
}

fn move_into_place(new_path: &Path, snap: PathBuf) -> Result<PathBuf, SnapshotError> {
    std::fs::rename(new_path, &snap).map_err(|source| SnapshotError::Io {
        path: new_path.to_owned(),
        action: "accepting the pending snapshot",
        source,
    })?;
    Ok(snap)
}

fn remove(path: &Path, action: &'static str) -> Result<(), SnapshotError> {
    std::fs::remove_file(path).map_err(|source| SnapshotError::Io {
        path: path.to_owned(),
        action,
        source,
    })
}
