//! The snapshot workflow as insta users know it: accepting one snapshot at a time, a
//! golden never replaced by a recording from another kind of target without force
//! (neither by accept nor by `--update-snapshots`), no `.snap.new` for a step whose
//! mismatches a known deviation covers, and orphaned snapshots found and removed.

use crate::store::{prov, rules, stop_task, store, TempDir};
use ecs_conform::report::profile::Known;
use ecs_conform::snapshot::{snapshot_name, Identities, SnapshotStore, UpdateMode};
use std::collections::BTreeSet;

const CASE: &str = "stop-task/reason-echoed";
const STEP: usize = 2;

fn golden(dir: &TempDir) -> std::path::PathBuf {
    dir.0.join(format!("{}.snap", snapshot_name(CASE, STEP)))
}

fn pending(dir: &TempDir) -> std::path::PathBuf {
    dir.0
        .join(format!("{}.snap.new", snapshot_name(CASE, STEP)))
}

fn known(rule: Option<&str>, pointer: Option<&str>) -> Known {
    Known {
        case: CASE.into(),
        rule: rule.map(str::to_owned),
        pointer: pointer.map(str::to_owned),
        reason: "the target answers otherwise".into(),
        link: None,
    }
}

fn check(s: &SnapshotStore, desired: &str) -> Vec<String> {
    s.check_case(
        CASE,
        STEP,
        &stop_task("aaa", 1.0, desired, 2),
        &mut Identities::new(),
    )
    .iter()
    .map(|f| format!("{} {}", f.rule, f.pointer))
    .collect()
}

/// A golden recorded on the reference, and a moto run that differs from it.
fn reference_golden() -> TempDir {
    let dir = TempDir::new("workflow");
    let reference = store(&dir, UpdateMode::Compare, "reference", false);
    assert!(check(&reference, "STOPPED").is_empty());
    assert!(golden(&dir).exists());
    dir
}

#[test]
fn a_known_mismatch_writes_no_pending_file_but_keeps_its_findings() {
    let dir = reference_golden();
    let covered = store(&dir, UpdateMode::Compare, "moto", false).with_known(&[known(
        Some("snapshot.mismatch"),
        Some("/task/desiredStatus"),
    )]);
    assert_eq!(
        check(&covered, "RUNNING"),
        ["snapshot.mismatch /task/desiredStatus"]
    );
    assert!(
        !pending(&dir).exists(),
        "a known deviation left a .snap.new"
    );

    // an entry for the case without a rule covers it too
    let any_rule = store(&dir, UpdateMode::Compare, "moto", false).with_known(&[known(None, None)]);
    assert_eq!(check(&any_rule, "RUNNING").len(), 1);
    assert!(!pending(&dir).exists());

    // an entry at another location, of another rule or of another case does not
    for entries in [
        vec![known(Some("snapshot.mismatch"), Some("/task/lastStatus"))],
        vec![known(Some("expect.body"), None)],
        vec![Known {
            case: "stop-task/other".into(),
            ..known(None, None)
        }],
    ] {
        let s = store(&dir, UpdateMode::Compare, "moto", false).with_known(&entries);
        assert_eq!(check(&s, "RUNNING").len(), 1);
        assert!(pending(&dir).exists(), "{entries:?} must not hide the diff");
        std::fs::remove_file(pending(&dir)).unwrap();
    }

    // without known entries, the plain name-based check writes one as before
    let plain = store(&dir, UpdateMode::Compare, "moto", false).with_known(&[known(None, None)]);
    let findings = plain.check(
        &snapshot_name(CASE, STEP),
        &stop_task("aaa", 1.0, "RUNNING", 2),
        &mut Identities::new(),
    );
    assert_eq!(findings.len(), 1);
    assert!(pending(&dir).exists());
}

#[test]
fn update_never_replaces_a_golden_from_another_kind_of_target_without_force() {
    let dir = reference_golden();
    let before = std::fs::read_to_string(golden(&dir)).unwrap();
    let moto = store(&dir, UpdateMode::Update, "moto", false);
    assert_eq!(
        check(&moto, "RUNNING"),
        [
            "snapshot.mismatch /task/desiredStatus",
            "snapshot.provenance "
        ]
    );
    assert_eq!(std::fs::read_to_string(golden(&dir)).unwrap(), before);

    // the same kind may update; so may real AWS; so may anyone with force
    for (kind, force) in [("reference", false), ("aws", false), ("moto", true)] {
        let s = store(&dir, UpdateMode::Update, kind, force);
        assert!(check(&s, "RUNNING").is_empty(), "{kind} force={force}");
        let text = std::fs::read_to_string(golden(&dir)).unwrap();
        assert!(text.contains(&format!("target_kind: \"{kind}\"")), "{text}");
        assert!(check(&store(&dir, UpdateMode::Update, kind, true), "STOPPED").is_empty());
    }
}

#[test]
fn accept_refuses_a_recording_from_another_kind_of_target_without_force() {
    let dir = reference_golden();
    let before = std::fs::read_to_string(golden(&dir)).unwrap();
    let moto = store(&dir, UpdateMode::Compare, "moto", false);
    assert_eq!(check(&moto, "RUNNING").len(), 1);
    assert!(pending(&dir).exists());

    let err = moto.accept(None).unwrap_err().to_string();
    assert!(
        err.contains("`reference`") && err.contains("`moto`"),
        "{err}"
    );
    let err = moto.accept_one(&pending(&dir)).unwrap_err().to_string();
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(golden(&dir)).unwrap(), before);
    assert!(
        pending(&dir).exists(),
        "a refused accept keeps the pending file"
    );

    let forced = SnapshotStore::new(
        dir.0.clone(),
        rules(),
        UpdateMode::Compare,
        prov("review"),
        true,
    );
    assert_eq!(forced.accept_one(&pending(&dir)).unwrap(), golden(&dir));
    assert!(std::fs::read_to_string(golden(&dir))
        .unwrap()
        .contains("target_kind: \"moto\""));
    assert!(!pending(&dir).exists());
}

#[test]
fn one_snapshot_at_a_time_accept_and_reject() {
    let dir = reference_golden();
    let reference = store(&dir, UpdateMode::Compare, "reference", false);
    assert_eq!(check(&reference, "RUNNING").len(), 1);
    assert_eq!(reference.pending(), vec![pending(&dir)]);
    reference.reject_one(&pending(&dir)).unwrap();
    assert!(reference.pending().is_empty());
    assert!(
        reference.reject_one(&golden(&dir)).is_err(),
        "a .snap is not pending"
    );

    assert_eq!(check(&reference, "RUNNING").len(), 1);
    assert_eq!(reference.accept_one(&pending(&dir)).unwrap(), golden(&dir));
    assert!(
        check(&reference, "RUNNING").is_empty(),
        "the accepted answer is the golden"
    );
}

#[test]
fn orphans_are_the_snapshots_no_step_records_and_can_be_removed() {
    let dir = reference_golden();
    let reference = store(&dir, UpdateMode::Compare, "reference", false);
    let stale = dir.0.join("stop-task__renamed__step-3.snap");
    let stale_pending = dir.0.join("stop-task__renamed__step-3.snap.new");
    std::fs::copy(golden(&dir), &stale).unwrap();
    std::fs::copy(golden(&dir), &stale_pending).unwrap();
    std::fs::write(dir.0.join("normalisers.yaml"), "{}").unwrap();

    let expected: BTreeSet<String> = [snapshot_name(CASE, STEP)].into();
    assert_eq!(
        reference.orphans(&expected),
        vec![stale.clone(), stale_pending.clone()]
    );
    assert_eq!(
        reference.remove_orphans(&expected).unwrap(),
        vec![stale.clone(), stale_pending]
    );
    assert!(!stale.exists());
    assert!(
        golden(&dir).exists(),
        "a recorded snapshot is not an orphan"
    );
    assert!(dir.0.join("normalisers.yaml").exists());
    assert!(reference.orphans(&expected).is_empty());
}
