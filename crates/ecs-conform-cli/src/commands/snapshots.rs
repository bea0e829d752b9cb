//! `ecs-conform snapshots review|accept|reject`: the pending-snapshot workflow.

use crate::cli::SnapshotAction;
use crate::{paths, Error};
use ecs_conform::app::{self, SnapshotOptions, TargetChoice};
use std::path::PathBuf;

pub fn snapshots(action: SnapshotAction) -> Result<u8, Error> {
    let paths = paths(None, None, Vec::new())?;
    let choice = TargetChoice {
        kind: Some("review".into()),
        snapshots: SnapshotOptions {
            force: matches!(action, SnapshotAction::Accept { force: true, .. }),
            ..SnapshotOptions::default()
        },
        ..TargetChoice::default()
    };
    let store = app::snapshot_store(&paths, &choice)?;
    match action {
        SnapshotAction::Review { filter } => {
            let pending: Vec<PathBuf> = store
                .pending()
                .into_iter()
                .filter(|p| {
                    filter
                        .as_deref()
                        .is_none_or(|f| p.to_string_lossy().contains(f))
                })
                .collect();
            for p in &pending {
                println!("{}", store.review_text(p)?);
            }
            println!(
                "{} pending snapshot(s); accept with `ecs-conform snapshots accept [FILTER]`",
                pending.len()
            );
        }
        SnapshotAction::Accept { filter, .. } => {
            for p in store.accept(filter.as_deref())? {
                println!("accepted {}", p.display());
            }
        }
        SnapshotAction::Reject { filter } => {
            for p in store.reject(filter.as_deref())? {
                println!("rejected {}", p.display());
            }
        }
    }
    Ok(0)
}
