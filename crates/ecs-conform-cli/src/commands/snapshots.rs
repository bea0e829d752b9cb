//! `ecs-conform snapshots review|accept|reject|orphans`: the pending-snapshot workflow
//! as insta users know it: one snapshot at a time with accept / reject / skip and a
//! summary, bulk accept and reject, and the snapshots no step records any more.

use crate::cli::SnapshotAction;
use crate::{paths, Error};
use ecs_conform::app::{self, SnapshotOptions, TargetChoice};
use ecs_conform::snapshot::SnapshotStore;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

pub fn snapshots(action: SnapshotAction) -> Result<u8, Error> {
    let paths = paths(None, None, Vec::new())?;
    let force = matches!(
        action,
        SnapshotAction::Accept { force: true, .. } | SnapshotAction::Review { force: true, .. }
    );
    let choice = TargetChoice {
        kind: Some("review".into()),
        snapshots: SnapshotOptions {
            force,
            ..SnapshotOptions::default()
        },
        ..TargetChoice::default()
    };
    let store = app::snapshot_store(&paths, &choice)?;
    match action {
        SnapshotAction::Review {
            filter,
            interactive,
            print,
            ..
        } => {
            let pending: Vec<PathBuf> = store
                .pending()
                .into_iter()
                .filter(|p| {
                    filter
                        .as_deref()
                        .is_none_or(|f| p.to_string_lossy().contains(f))
                })
                .collect();
            let orphans = store.orphans(&app::expected_snapshots(&paths)?);
            if interactive || (!print && std::io::stdin().is_terminal()) {
                let stdin = std::io::stdin();
                review_each(&store, &pending, &mut stdin.lock())?;
            } else {
                for p in &pending {
                    println!("{}", store.review_text(p)?);
                }
                println!(
                    "{} pending snapshot(s); accept with `ecs-conform snapshots accept [FILTER]`",
                    pending.len()
                );
            }
            report_orphans(&orphans);
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
        SnapshotAction::Orphans { remove } => {
            let expected = app::expected_snapshots(&paths)?;
            if remove {
                let removed = store.remove_orphans(&expected)?;
                for p in &removed {
                    println!("removed {}", p.display());
                }
                println!("{} orphaned snapshot(s) removed", removed.len());
            } else {
                let orphans = store.orphans(&expected);
                for p in &orphans {
                    println!("{}", p.display());
                }
                println!(
                    "{} orphaned snapshot(s){}",
                    orphans.len(),
                    if orphans.is_empty() {
                        ""
                    } else {
                        "; remove them with `ecs-conform snapshots orphans --remove`"
                    }
                );
            }
        }
    }
    Ok(0)
}

/// What the reviewer decided for each snapshot.
#[derive(Default)]
struct Tally {
    accepted: usize,
    rejected: usize,
    skipped: usize,
    refused: usize,
}

/// Shows each pending snapshot and asks: `a` accept, `r` reject, `s` skip, `q` quit
/// (the rest skipped). End of input skips the rest too. Prints a summary.
fn review_each(
    store: &SnapshotStore,
    pending: &[PathBuf],
    answers: &mut dyn BufRead,
) -> Result<(), Error> {
    let mut tally = Tally::default();
    let total = pending.len();
    for (i, p) in pending.iter().enumerate() {
        println!("[{}/{total}] {}", i + 1, store.review_text(p)?);
        let answer = loop {
            print!("accept (a), reject (r), skip (s), quit (q)? ");
            let _ = std::io::stdout().flush();
            let mut line = String::new();
            match answers.read_line(&mut line) {
                Ok(0) | Err(_) => break 'q',
                Ok(_) => {}
            }
            match line.trim() {
                "a" | "accept" => break 'a',
                "r" | "reject" => break 'r',
                "s" | "skip" | "" => break 's',
                "q" | "quit" => break 'q',
                other => println!("`{other}`: answer a, r, s or q"),
            }
        };
        println!();
        match answer {
            'a' => match store.accept_one(p) {
                Ok(snap) => {
                    println!("accepted {}", snap.display());
                    tally.accepted += 1;
                }
                Err(e) => {
                    println!("not accepted: {e}");
                    tally.refused += 1;
                }
            },
            'r' => {
                store.reject_one(p)?;
                println!("rejected {}", p.display());
                tally.rejected += 1;
            }
            'q' => {
                tally.skipped += total - i;
                break;
            }
            _ => tally.skipped += 1,
        }
    }
    println!(
        "review: {} accepted, {} rejected, {} skipped{}",
        tally.accepted,
        tally.rejected,
        tally.skipped,
        if tally.refused > 0 {
            format!(", {} not accepted (see above)", tally.refused)
        } else {
            String::new()
        }
    );
    Ok(())
}

fn report_orphans(orphans: &[PathBuf]) {
    if orphans.is_empty() {
        return;
    }
    println!(
        "{} orphaned snapshot(s) no step records any more (`ecs-conform snapshots orphans --remove` deletes them):",
        orphans.len()
    );
    for p in orphans {
        println!("  {}", p.display());
    }
}
