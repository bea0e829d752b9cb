//! The snapshot store on real files in temporary folders: record, compare, pending
//! files, accept/reject/review, NoWrite, Update, provenance, ignored paths.

use ecs_conform::snapshot::{Identities, Normalisers, Provenance, SnapshotStore, UpdateMode};
use ecs_conform::{Exchange, Severity};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const NAME: &str = "stop-task__reason-echoed__step-2";

pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "ecs-conform-snapshot-{tag}-{}-{nanos}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn rules() -> Normalisers {
    Normalisers::load(&Normalisers::default_path(Path::new(env!(
        "CARGO_MANIFEST_DIR"
    ))))
    .unwrap()
}

pub(crate) fn prov(kind: &str) -> Provenance {
    Provenance {
        target_kind: kind.into(),
        region: "us-east-1".into(),
        tool_version: "0.1.0".into(),
    }
}

pub(crate) fn store(dir: &TempDir, mode: UpdateMode, kind: &str, force: bool) -> SnapshotStore {
    SnapshotStore::new(dir.0.clone(), rules(), mode, prov(kind), force)
}

/// A StopTask answer; `id` and `stopped_at` vary from run to run like real ones;
/// `version` also numbers the reason (free text: a difference there is drift).
pub(crate) fn stop_task(id: &str, stopped_at: f64, desired: &str, version: u64) -> Exchange {
    let body = json!({"task": {
        "taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/ecs-conform-{id}/{id}"),
        "desiredStatus": desired,
        "lastStatus": "RUNNING",
        "stoppedReason": format!("maintenance #{version}"),
        "stoppingAt": stopped_at,
        "version": version,
    }});
    Exchange::from_parts(
        "StopTask",
        json!({}),
        200,
        &[("x-amzn-requestid", id)],
        &body.to_string(),
    )
}

fn check(s: &SnapshotStore, e: &Exchange) -> Vec<ecs_conform::Finding> {
    s.check(NAME, e, &mut Identities::new())
}

fn snap(dir: &TempDir) -> PathBuf {
    dir.0.join(format!("{NAME}.snap"))
}

fn pending(dir: &TempDir) -> PathBuf {
    dir.0.join(format!("{NAME}.snap.new"))
}

#[test]
fn first_run_records_and_an_identical_run_passes() {
    let dir = TempDir::new("record");
    let s = store(&dir, UpdateMode::Compare, "aws", false);
    assert!(check(&s, &stop_task("aaa", 1.0, "STOPPED", 2)).is_empty());
    assert_eq!(s.written(), vec![snap(&dir)]);

    let text = std::fs::read_to_string(snap(&dir)).unwrap();
    assert!(text.starts_with("---\nsource: \"ecs-conform\"\nexpression: \"StopTask response: status and body, normalised\"\ninfo:\n  target_kind: \"aws\"\n"), "{text}");
    assert!(
        text.contains(
            "\"taskArn\": \"arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:1>\""
        ),
        "{text}"
    );
    assert!(
        !text.contains("aaa"),
        "a volatile value was recorded: {text}"
    );
    // insta's own reader accepts the file
    let insta = insta::Snapshot::from_file(&snap(&dir)).unwrap();
    assert!(insta
        .as_text()
        .unwrap()
        .to_string()
        .starts_with("{\n  \"status\": 200,"));

    // another run: other task id, other time, other request id → same snapshot
    let s2 = store(&dir, UpdateMode::Compare, "aws", false);
    assert!(check(&s2, &stop_task("bbb", 99.0, "STOPPED", 2)).is_empty());
    assert!(s2.written().is_empty());
    assert!(s2.pending().is_empty());
}

#[test]
fn a_changed_response_fails_with_a_diff_naming_its_path_and_leaves_a_pending_file() {
    let dir = TempDir::new("mismatch");
    let s = store(&dir, UpdateMode::Compare, "aws", false);
    assert!(check(&s, &stop_task("aaa", 1.0, "STOPPED", 2)).is_empty());
    let golden = std::fs::read_to_string(snap(&dir)).unwrap();

    let findings = check(&s, &stop_task("bbb", 2.0, "RUNNING", 2));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.rule, "snapshot.mismatch");
    assert_eq!(f.severity, Severity::Fail);
    assert_eq!(f.pointer, "/task/desiredStatus");
    assert_eq!(f.expected, "\"STOPPED\"");
    assert_eq!(f.actual, "\"RUNNING\"");
    assert!(
        f.message.contains(
            "changed path(s) (1):\n  /body/task/desiredStatus: \"STOPPED\" → \"RUNNING\"\n"
        ),
        "{}",
        f.message
    );
    assert!(
        f.message.contains(
            "\n-      \"desiredStatus\": \"STOPPED\",\n+      \"desiredStatus\": \"RUNNING\",\n"
        ),
        "{}",
        f.message
    );
    assert!(f.message.contains("+++ response"), "{}", f.message);
    assert!(!f.message.contains('\u{1b}'), "no colours in findings");
    assert!(f.message.contains(".snap.new"), "{}", f.message);

    // the golden is untouched, the new response is pending
    assert_eq!(std::fs::read_to_string(snap(&dir)).unwrap(), golden);
    assert_eq!(s.pending(), vec![pending(&dir)]);
    let review = s.review_text(&pending(&dir)).unwrap();
    assert!(
        review.starts_with(&format!("snapshot {NAME}\n")),
        "{review}"
    );
    assert!(
        review.contains("/body/task/desiredStatus: \"STOPPED\" → \"RUNNING\" [fail]"),
        "{review}"
    );
    assert!(
        review.contains("+      \"desiredStatus\": \"RUNNING\","),
        "{review}"
    );
    assert!(
        s.review_text(&snap(&dir)).is_err(),
        "a .snap is not pending"
    );

    // accept: the pending file becomes the snapshot, and the new behaviour passes
    assert_eq!(s.accept(Some("reason-echoed")).unwrap(), vec![snap(&dir)]);
    assert!(s.pending().is_empty());
    assert!(std::fs::read_to_string(snap(&dir))
        .unwrap()
        .contains("\"RUNNING\""));
    assert!(check(&s, &stop_task("ccc", 3.0, "RUNNING", 2)).is_empty());
}

#[test]
fn accept_and_reject_follow_the_filter_and_a_match_clears_a_stale_pending_file() {
    let dir = TempDir::new("filter");
    let s = store(&dir, UpdateMode::Compare, "aws", false);
    let e = stop_task("aaa", 1.0, "STOPPED", 2);
    for name in ["a__step-1", "b__step-1"] {
        assert!(s.check(name, &e, &mut Identities::new()).is_empty());
        let changed = stop_task("aaa", 1.0, "RUNNING", 2);
        assert_eq!(s.check(name, &changed, &mut Identities::new()).len(), 1);
    }
    assert_eq!(s.pending().len(), 2);
    assert!(s.accept(Some("zzz")).unwrap().is_empty());
    assert_eq!(
        s.reject(Some("a__")).unwrap(),
        vec![dir.0.join("a__step-1.snap.new")]
    );
    assert_eq!(s.pending(), vec![dir.0.join("b__step-1.snap.new")]);
    // the old behaviour comes back: the pending file is stale and goes
    assert!(s.check("b__step-1", &e, &mut Identities::new()).is_empty());
    assert!(s.pending().is_empty());
}

#[test]
fn no_write_mode_writes_nothing() {
    let dir = TempDir::new("nowrite");
    let s = store(&dir, UpdateMode::NoWrite, "aws", false);
    let findings = check(&s, &stop_task("aaa", 1.0, "STOPPED", 2));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule, "snapshot.missing");
    assert_eq!(findings[0].severity, Severity::Fail);
    assert!(!snap(&dir).exists());

    assert!(check(
        &store(&dir, UpdateMode::Compare, "aws", false),
        &stop_task("aaa", 1.0, "STOPPED", 2)
    )
    .is_empty());
    let golden = std::fs::read_to_string(snap(&dir)).unwrap();
    let findings = check(&s, &stop_task("bbb", 1.0, "RUNNING", 2));
    assert_eq!(
        findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        ["snapshot.mismatch"]
    );
    assert!(
        !findings[0].message.contains(".snap.new"),
        "{}",
        findings[0].message
    );
    assert!(!pending(&dir).exists());
    assert_eq!(std::fs::read_to_string(snap(&dir)).unwrap(), golden);
    assert!(s.written().is_empty());
}

#[test]
fn update_mode_overwrites_a_mismatch() {
    let dir = TempDir::new("update");
    let s = store(&dir, UpdateMode::Update, "aws", false);
    assert!(check(&s, &stop_task("aaa", 1.0, "STOPPED", 2)).is_empty());
    assert!(check(&s, &stop_task("bbb", 1.0, "RUNNING", 2)).is_empty());
    assert!(std::fs::read_to_string(snap(&dir))
        .unwrap()
        .contains("\"RUNNING\""));
    assert!(!pending(&dir).exists());
    assert_eq!(s.written(), vec![snap(&dir), snap(&dir)]);
}

#[test]
fn an_aws_golden_is_not_replaced_from_another_target_unless_forced() {
    let dir = TempDir::new("provenance");
    assert!(check(
        &store(&dir, UpdateMode::Compare, "aws", false),
        &stop_task("aaa", 1.0, "STOPPED", 2)
    )
    .is_empty());
    let golden = std::fs::read_to_string(snap(&dir)).unwrap();
    let deviating = stop_task("bbb", 1.0, "RUNNING", 2);

    // --update-snapshots against the reference: refused, and the mismatch stands
    let reference = store(&dir, UpdateMode::Update, "reference", false);
    let findings = check(&reference, &deviating);
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["snapshot.mismatch", "snapshot.provenance"]);
    assert!(
        findings[1]
            .message
            .contains("recorded against `aws` and this run is against `reference`"),
        "{}",
        findings[1].message
    );
    assert_eq!(std::fs::read_to_string(snap(&dir)).unwrap(), golden);

    // compare mode: no pending file that could later replace the aws golden
    let findings = check(
        &store(&dir, UpdateMode::Compare, "reference", false),
        &deviating,
    );
    assert_eq!(findings.len(), 2);
    assert!(!pending(&dir).exists());

    // a matching reference run passes against the aws golden
    assert!(check(&reference, &stop_task("ccc", 5.0, "STOPPED", 2)).is_empty());

    // with force, a pending file is written; accepting it without force is refused
    let forced = store(&dir, UpdateMode::Compare, "reference", true);
    assert_eq!(check(&forced, &deviating).len(), 1);
    assert!(pending(&dir).exists());
    let err = store(&dir, UpdateMode::Compare, "reference", false)
        .accept(None)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("recorded against `aws` with one recorded against `reference`"),
        "{err}"
    );
    assert!(
        pending(&dir).exists(),
        "a refused accept leaves the pending file"
    );
    assert_eq!(forced.accept(None).unwrap(), vec![snap(&dir)]);
    assert!(std::fs::read_to_string(snap(&dir))
        .unwrap()
        .contains("target_kind: \"reference\""));

    // an aws run may replace a golden of any kind
    let aws = store(&dir, UpdateMode::Update, "aws", false);
    assert!(check(&aws, &stop_task("ddd", 1.0, "STOPPED", 2)).is_empty());
    assert!(std::fs::read_to_string(snap(&dir))
        .unwrap()
        .contains("target_kind: \"aws\""));

    // forced update from the reference overwrites the aws golden
    let forced_update = store(&dir, UpdateMode::Update, "reference", true);
    assert!(check(&forced_update, &deviating).is_empty());
    assert!(std::fs::read_to_string(snap(&dir))
        .unwrap()
        .contains("target_kind: \"reference\""));
}

#[test]
fn ignored_paths_are_dropped_before_comparing() {
    let dir = TempDir::new("ignored");
    // a golden from the reference (over an aws one no pending file would be written)
    assert!(check(
        &store(&dir, UpdateMode::Compare, "reference", false),
        &stop_task("aaa", 1.0, "STOPPED", 2)
    )
    .is_empty());
    let moto = || {
        store(&dir, UpdateMode::Compare, "moto", false)
            .with_ignored(&[(
                "/task/stoppedReason".into(),
                "moto words reasons its own way".into(),
            )])
            .unwrap()
    };
    assert!(check(&moto(), &stop_task("bbb", 1.0, "STOPPED", 7)).is_empty());
    // without the ignore the reason is a difference (drift: free text)
    let plain = store(&dir, UpdateMode::NoWrite, "moto", false);
    let findings = check(&plain, &stop_task("bbb", 1.0, "STOPPED", 7));
    assert_eq!(findings[0].pointer, "/task/stoppedReason");
    assert_eq!(findings[0].rule, "snapshot.drift");
    // other differences still count, and the message names what was ignored
    let findings = check(&moto(), &stop_task("bbb", 1.0, "RUNNING", 7));
    assert_eq!(findings[0].pointer, "/task/desiredStatus");
    assert!(
        findings[0]
            .message
            .contains("/task/stoppedReason (moto words reasons its own way)"),
        "{}",
        findings[0].message
    );
    // the pending file keeps the ignored field: ignores are per target, recordings are not
    assert!(std::fs::read_to_string(pending(&dir))
        .unwrap()
        .contains("\"stoppedReason\": \"maintenance #7\""));

    let bad = store(&dir, UpdateMode::Compare, "moto", false)
        .with_ignored(&[("task/version".into(), "typo".into())]);
    assert!(bad.unwrap_err().to_string().contains("must start with `/`"));
}

#[test]
fn unsafe_names_are_refused_and_the_store_is_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SnapshotStore>();

    let dir = TempDir::new("threads");
    let s = store(&dir, UpdateMode::Compare, "aws", false);
    let findings = s.check(
        "../escape",
        &stop_task("a", 1.0, "STOPPED", 1),
        &mut Identities::new(),
    );
    assert_eq!(findings[0].rule, "snapshot.name");
    assert!(!dir.0.parent().unwrap().join("escape.snap").exists());

    std::thread::scope(|scope| {
        for i in 0..4 {
            let s = &s;
            scope.spawn(move || {
                let e = stop_task(&format!("t{i}"), i as f64, "STOPPED", 1);
                assert!(s
                    .check(&format!("case-{i}__step-1"), &e, &mut Identities::new())
                    .is_empty());
            });
        }
    });
    assert_eq!(s.written().len(), 4);
    let recorded = |file: &str| -> Value {
        let snap = insta::Snapshot::from_file(&dir.0.join(file)).unwrap();
        serde_json::from_str(&snap.as_text().unwrap().to_string()).unwrap()
    };
    let (a, b) = (
        recorded("case-0__step-1.snap"),
        recorded("case-3__step-1.snap"),
    );
    assert_eq!(
        a, b,
        "per-case numbering: concurrent cases record the same placeholders"
    );
}
