//! Snapshots: a step's response, with its volatile values (ARNs, ids, timestamps)
//! replaced by stable placeholders, compared with a file under `snapshots/`.
//!
//! The module knows nothing of HTTP: it reads an [`Exchange`](crate::client::Exchange)
//! and answers with [`Finding`](crate::finding::Finding)s.
//!
//! - [`rules`]: the normalisers, declared as data in `snapshots/normalisers.yaml`.
//! - [`normalise()`]: a JSON value → its normalised form, numbering identities per case.
//! - [`store`]: `<dir>/<name>.snap` files compared with exchanges; recording, pending files.
//! - [`review`]: pending files for users of the binary: list, accept, reject, review.
//! - [`diff`]: differences as JSON paths, then as a unified line diff.
//! - [`classify`]: which differences break the contract (fail) and which are drift.
//! - [`file`](mod@file): reading (through insta's own parser) and writing `.snap` files.

pub mod classify;
pub mod diff;
pub mod file;
pub mod normalise;
pub mod review;
pub mod rules;
pub mod store;

pub use diff::diff_values;
pub use normalise::{normalise, normalise_exchange, Identities};
pub use rules::Normalisers;
pub use store::SnapshotStore;

use std::path::PathBuf;

/// Which target produced a recording; stored in the `info` of each `.snap` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// `aws`, `reference`, `moto`, …
    pub target_kind: String,
    pub region: String,
    /// Version of ecs-conform that recorded it.
    pub tool_version: String,
}

/// What a comparison may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateMode {
    /// A mismatch is a failure and leaves a `.snap.new` beside the `.snap`;
    /// a missing snapshot is recorded.
    Compare,
    /// A mismatch overwrites the `.snap` (`--update-snapshots`, `INSTA_UPDATE=always`).
    Update,
    /// Never write (`CI=true`, `INSTA_UPDATE=no`): a mismatch or a missing snapshot
    /// is a failure.
    NoWrite,
}

impl UpdateMode {
    /// The mode from the `--update-snapshots` flag, `INSTA_UPDATE` and `CI`, as insta
    /// users expect: the flag wins; `always`/`1`/`force` → Update; `new`/`unseen` →
    /// Compare; `no` → NoWrite; `auto` or unset → NoWrite on CI, else Compare.
    /// An unknown `INSTA_UPDATE` value gives NoWrite (a typo must not rewrite
    /// goldens); [`UpdateMode::try_from_env`] reports it instead.
    pub fn from_env(update_flag: bool) -> UpdateMode {
        UpdateMode::try_from_env(update_flag).unwrap_or(UpdateMode::NoWrite)
    }

    /// Like [`UpdateMode::from_env`], but an unknown `INSTA_UPDATE` value is an error.
    pub fn try_from_env(update_flag: bool) -> Result<UpdateMode, SnapshotError> {
        let insta_update = std::env::var("INSTA_UPDATE").ok();
        let ci = std::env::var("CI").ok();
        let tf_build = std::env::var_os("TF_BUILD").is_some();
        UpdateMode::resolve(
            update_flag,
            insta_update.as_deref(),
            ci.as_deref(),
            tf_build,
        )
    }

    /// The decision itself, from explicit values (testable without touching the
    /// process environment). CI detection is insta's: `CI` set to anything but
    /// `false`, `0` or empty, or `TF_BUILD` set when `CI` is not.
    pub fn resolve(
        update_flag: bool,
        insta_update: Option<&str>,
        ci: Option<&str>,
        tf_build: bool,
    ) -> Result<UpdateMode, SnapshotError> {
        if update_flag {
            return Ok(UpdateMode::Update);
        }
        let is_ci = match ci {
            Some("false") | Some("0") | Some("") => false,
            None => tf_build,
            Some(_) => true,
        };
        match insta_update.unwrap_or("") {
            "always" | "1" | "force" => Ok(UpdateMode::Update),
            "new" | "unseen" => Ok(UpdateMode::Compare),
            "no" => Ok(UpdateMode::NoWrite),
            "" | "auto" if is_ci => Ok(UpdateMode::NoWrite),
            "" | "auto" => Ok(UpdateMode::Compare),
            other => Err(SnapshotError::Env {
                var: "INSTA_UPDATE",
                value: other.to_owned(),
            }),
        }
    }
}

/// The snapshot name of a case's step: `stop-task/reason-echoed`, 2 →
/// `stop-task__reason-echoed__step-2`. Characters other than ASCII letters, digits,
/// `-`, `_` and `.` become `-`.
pub fn snapshot_name(case_id: &str, step: usize) -> String {
    let base: String = case_id
        .split('/')
        .map(|part| {
            part.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("__");
    format!("{base}__step-{step}")
}

/// Something the snapshot module could not do; each names its file and says why.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path}: {action} failed: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A problem in the normalisers file, at its file:line:column.
    #[error("{0}")]
    Normalisers(crate::loader::Problem),
    #[error("{path}: not a snapshot file insta can read: {message}")]
    Format { path: PathBuf, message: String },
    #[error(
        "{path}: refusing to replace a golden recorded against `{golden}` with one recorded against `{new}`; \
         use --force to replace it anyway"
    )]
    Provenance {
        path: PathBuf,
        golden: String,
        new: String,
    },
    #[error("{path}: not a pending snapshot (a `.snap.new` file)")]
    NotPending { path: PathBuf },
    #[error("ignored path `{pattern}` ({reason}): {message}")]
    IgnoredPath {
        pattern: String,
        reason: String,
        message: String,
    },
    #[error("INSTA_UPDATE={value:?} is not one of auto, always, new, unseen, no, force")]
    Env { var: &'static str, value: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_mode_follows_insta_conventions() {
        use UpdateMode::*;
        let r = |flag, upd, ci, tf| UpdateMode::resolve(flag, upd, ci, tf).unwrap();
        assert_eq!(r(false, None, None, false), Compare);
        assert_eq!(r(false, None, Some("true"), false), NoWrite);
        assert_eq!(r(false, None, Some("false"), true), Compare);
        assert_eq!(r(false, None, None, true), NoWrite);
        assert_eq!(r(false, Some("auto"), Some("1"), false), NoWrite);
        assert_eq!(r(false, Some("always"), Some("true"), false), Update);
        assert_eq!(r(false, Some("force"), None, false), Update);
        assert_eq!(r(false, Some("new"), Some("true"), false), Compare);
        assert_eq!(r(false, Some("no"), None, false), NoWrite);
        assert_eq!(r(true, Some("no"), Some("true"), false), Update);
        let err = UpdateMode::resolve(false, Some("alwyas"), None, false).unwrap_err();
        assert!(err.to_string().contains("INSTA_UPDATE=\"alwyas\""), "{err}");
    }

    #[test]
    fn snapshot_names_are_file_safe() {
        assert_eq!(
            snapshot_name("stop-task/reason-echoed", 2),
            "stop-task__reason-echoed__step-2"
        );
        assert_eq!(snapshot_name("a b/c:d", 0), "a-b__c-d__step-0");
    }
}
