//! `snapshots review` one at a time (accept / reject / skip, a summary, orphans
//! listed), `snapshots orphans --remove`, and a run that writes no `.snap.new` for a
//! step whose mismatch the target's known deviations cover — on copies of the
//! shipped snapshots in temporary folders.

use crate::cli_support::{bin, repo, text};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const STOP: &str = "stop-task__stop-code-user-initiated__step-4";
const LIST: &str = "list-tasks__started-by-filter__step-3";

fn temp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ecs-conform-review-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(dir.join("snapshots")).unwrap();
    dir
}

/// The shipped snapshots folder copied into `dir/snapshots`.
fn copy_snapshots(dir: &Path) {
    for entry in std::fs::read_dir(repo().join("snapshots")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "snap" || e == "yaml") {
            std::fs::copy(&path, dir.join("snapshots").join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// A pending file for `name`: the golden with `from` replaced by `to` in its text.
fn pending(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let golden = std::fs::read_to_string(dir.join(format!("snapshots/{name}.snap"))).unwrap();
    assert!(golden.contains(from), "{name} lacks {from}");
    let path = dir.join(format!("snapshots/{name}.snap.new"));
    std::fs::write(&path, golden.replacen(from, to, 1)).unwrap();
    path
}

fn review(dir: &Path, answers: &str) -> (String, bool) {
    let mut child = bin()
        .current_dir(dir)
        .env("ECS_CONFORM_CASES", repo().join("cases"))
        .env("ECS_CONFORM_SCHEMAS", repo().join("schemas"))
        .args(["snapshots", "review", "--interactive"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (text(&out), out.status.success())
}

#[test]
fn review_asks_about_each_snapshot_refuses_another_kind_and_lists_orphans() {
    let dir = temp("interactive");
    copy_snapshots(&dir);
    // recorded on moto over the reference's golden; recorded on the reference
    let moto = pending(
        &dir,
        LIST,
        "target_kind: \"reference\"",
        "target_kind: \"moto\"",
    );
    let reference = pending(
        &dir,
        STOP,
        "\"UserInitiated\"",
        "\"EssentialContainerExited\"",
    );
    let orphan = dir.join("snapshots/list-tasks__renamed-case__step-9.snap");
    std::fs::copy(dir.join(format!("snapshots/{STOP}.snap")), &orphan).unwrap();

    // sorted: list-tasks first (accept: refused), then stop-task (accept)
    let (out, ok) = review(&dir, "a\nx\na\n");
    assert!(ok, "{out}");
    assert!(
        out.contains("[1/2] snapshot list-tasks__started-by-filter__step-3"),
        "{out}"
    );
    assert!(
        out.contains("[2/2] snapshot stop-task__stop-code-user-initiated__step-4"),
        "{out}"
    );
    assert!(
        out.contains("not accepted") && out.contains("--force"),
        "{out}"
    );
    assert!(out.contains("`x`: answer a, r, s or q"), "{out}");
    assert!(
        out.contains("review: 1 accepted, 0 rejected, 0 skipped, 1 not accepted"),
        "{out}"
    );
    assert!(
        out.contains("1 orphaned snapshot(s)")
            && out.contains("list-tasks__renamed-case__step-9.snap"),
        "{out}"
    );
    assert!(moto.exists(), "a refused snapshot stays pending");
    assert!(!reference.exists());
    let accepted = std::fs::read_to_string(dir.join(format!("snapshots/{STOP}.snap"))).unwrap();
    assert!(accepted.contains("EssentialContainerExited"), "{accepted}");

    // reject, then quit with nothing left; end of input skips the rest
    let again = pending(
        &dir,
        STOP,
        "\"EssentialContainerExited\"",
        "\"TaskFailedToStart\"",
    );
    let (out, ok) = review(&dir, "s\nr\n");
    assert!(ok, "{out}");
    assert!(
        out.contains("review: 0 accepted, 1 rejected, 1 skipped"),
        "{out}"
    );
    assert!(!again.exists() && moto.exists());
    let (out, _) = review(&dir, "");
    assert!(
        out.contains("review: 0 accepted, 0 rejected, 1 skipped"),
        "{out}"
    );
    let (out, _) = review(&dir, "q\n");
    assert!(
        out.contains("review: 0 accepted, 0 rejected, 1 skipped"),
        "{out}"
    );

    // orphans: listed, then removed; recorded snapshots and normalisers stay
    let orphans = |extra: &[&str]| {
        let out = bin()
            .current_dir(&dir)
            .env("ECS_CONFORM_CASES", repo().join("cases"))
            .env("ECS_CONFORM_SCHEMAS", repo().join("schemas"))
            .args(["snapshots", "orphans"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        text(&out)
    };
    let out = orphans(&[]);
    assert!(
        out.contains("list-tasks__renamed-case__step-9.snap\n1 orphaned snapshot(s)"),
        "{out}"
    );
    assert!(orphans(&["--remove"]).contains("1 orphaned snapshot(s) removed"));
    assert!(!orphan.exists());
    assert!(dir.join(format!("snapshots/{STOP}.snap")).exists());
    assert!(dir.join("snapshots/normalisers.yaml").exists());
    assert!(orphans(&[]).contains("0 orphaned snapshot(s)"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_writes_no_pending_snapshot_for_a_known_deviation() {
    let dir = temp("known");
    copy_snapshots(&dir);
    std::fs::create_dir_all(dir.join("targets")).unwrap();
    let run = |target: Option<&str>| {
        let mut command = bin();
        command
            .current_dir(&dir)
            .args(["run", "--deviation", "no-stopped-at", "--targets"])
            .arg(dir.join("targets"))
            .args(["--cases"])
            .arg(repo().join("cases"))
            .args(["--schemas"])
            .arg(repo().join("schemas"))
            .env_remove("CI")
            .env_remove("INSTA_UPDATE");
        if let Some(t) = target {
            command.args(["--target", t]);
        }
        command.arg("stop-task/stop-code-user-initiated");
        let out = command.output().unwrap();
        text(&out)
    };
    let pending = dir.join(format!("snapshots/{STOP}.snap.new"));

    let out = run(None);
    assert!(
        pending.exists(),
        "an unexplained mismatch leaves its .snap.new\n{out}"
    );
    std::fs::remove_file(&pending).unwrap();

    std::fs::write(
        dir.join("targets/deviating.yaml"),
        "name: deviating reference\nkind: reference\nknown:\n  - { case: stop-task/stop-code-user-initiated, reason: \"the deviation under test\" }\n",
    )
    .unwrap();
    let out = run(Some("deviating"));
    // known, not fixed: the case still has its failing findings, the mismatch among them
    assert!(out.contains("0 failed, 1 known, 0 fixed"), "{out}");
    assert!(
        !pending.exists(),
        "a known deviation wrote a .snap.new\n{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
