//! The emulator author's workflow: `init` writes a target file that lints and CI
//! examples (never over existing files without `--force`); `run --record` against a
//! deviating reference lists its failures with `reason: TODO` (which `lint` reports),
//! the recorded file runs green, and once the deviation is gone the entries are
//! reported as fixed and dropped (a filtered run drops only its own cases' entries).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

use crate::cli_support;
use cli_support::{bin, text};

/// The cases that catch the `missing-failures` deviation (the README's deviations table).
const CATCHERS: [&str; 4] = [
    "describe-tasks/mixed-known-and-unknown",
    "describe-tasks/unknown-task-missing",
    "errors/request-id-on-every-answer",
    "isolation/describe-in-other-cluster",
];

/// A reference target in its own process, killed when dropped.
struct Served {
    child: Child,
    endpoint: String,
}

impl Served {
    fn start(deviation: Option<&str>) -> Served {
        let mut cmd = bin();
        cmd.args(["serve", "--port", "0"]);
        if let Some(d) = deviation {
            cmd.args(["--deviation", d]);
        }
        let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let endpoint = line.trim().rsplit(' ').next().unwrap().to_owned();
        Served { child, endpoint }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An empty scratch folder of this test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-conform-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn init(dir: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("init")
        .arg("--dir")
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
}

fn lint(targets: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("lint")
        .arg("--targets")
        .arg(targets)
        .args(extra)
        .output()
        .unwrap()
}

/// `run --target emu` from `dir/targets` against `endpoint`, fast polls, no snapshots.
fn run(dir: &Path, endpoint: &str, extra: &[&str]) -> Output {
    bin()
        .args(["run", "--target", "emu", "--targets"])
        .arg(dir.join("targets"))
        .args(["--endpoint", endpoint, "--no-snapshots"])
        .args(["--poll-interval", "25ms", "--max-within", "10s"])
        .args(extra)
        .output()
        .unwrap()
}

/// The text before and after the `known:` block (the settings `init` wrote).
fn outside_known(text: &str) -> (&str, &str) {
    let start = text.find("\nknown:").expect("a known: key") + 1;
    let end = text[start..]
        .find("\n#")
        .or_else(|| text[start..].find("\nstale"))
        .map_or(text.len(), |i| start + i + 1);
    (&text[..start], &text[end..])
}

#[test]
fn init_writes_a_target_file_that_lints_and_ci_examples_and_never_overwrites() {
    let dir = scratch("init");
    let o = init(&dir, &["--target", "emu"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let target = dir.join("targets/emu.yaml");
    let written = std::fs::read_to_string(&target).unwrap();
    for key in [
        "name: \"emu\"",
        "kind: emulator",
        "endpoint: http://127.0.0.1:4566",
        "path_style: root",
        "region: us-east-1",
        "  subnet: ",
        "  security_group: ",
        "max_within: ",
        "poll_interval: ",
        "jobs: ",
        "known: []",
    ] {
        assert!(written.contains(key), "no `{key}` in\n{written}");
    }
    let o = lint(&dir.join("targets"), &["--deny-todo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("1 target file(s)"), "{}", text(&o));
    for ci in ["ci/github-actions.yml", "ci/gitlab-ci.yml"] {
        let ci_text = std::fs::read_to_string(dir.join(ci)).unwrap();
        let parsed: serde_json::Value =
            serde_saphyr::from_str(&ci_text).unwrap_or_else(|e| panic!("{ci} is not YAML: {e}"));
        assert!(parsed.is_object(), "{ci}");
        for needed in [
            "ecs-conform run --target emu",
            "--junit report.xml",
            "services:",
            "--deny-todo",
        ] {
            assert!(ci_text.contains(needed), "no `{needed}` in {ci}");
        }
    }

    // Nothing is overwritten without --force, not even the files that do not exist yet.
    std::fs::write(&target, "name: mine\n").unwrap();
    std::fs::remove_file(dir.join("ci/gitlab-ci.yml")).unwrap();
    let o = init(&dir, &["--target", "emu"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("not overwriting") && text(&o).contains("--force"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "name: mine\n");
    assert!(!dir.join("ci/gitlab-ci.yml").exists());
    let o = init(&dir, &["--target", "emu", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), written);
    assert!(dir.join("ci/gitlab-ci.yml").exists());

    // The default name, and a name that is no file name.
    let fresh = scratch("init-default");
    let o = init(&fresh, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(fresh.join("targets/my-emulator.yaml").is_file());
    let _ = std::fs::remove_dir_all(&fresh);
    let o = init(&dir, &["--target", "../escape"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!dir.join("escape.yaml").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_recorded_target_runs_green_and_a_fixed_target_drops_its_entries() {
    let dir = scratch("record");
    assert_eq!(init(&dir, &["--target", "emu"]).status.code(), Some(0));
    let file = dir.join("targets/emu.yaml");
    let initial = std::fs::read_to_string(&file).unwrap();

    // 1. Record from a run against a reference that drops MISSING failures.
    let deviating = Served::start(Some("missing-failures"));
    let o = run(&dir, &deviating.endpoint, &["--record"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("NOT CONFORMANT") && out.contains("4 failed"),
        "{out}"
    );
    assert!(out.contains("ecs-conform record: "), "{out}");
    let recorded = std::fs::read_to_string(&file).unwrap();
    let entries: Vec<&str> = recorded
        .lines()
        .filter(|l| l.starts_with("  - {"))
        .collect();
    assert!(
        out.contains(&format!(
            "{} added (reason: TODO), 0 removed",
            entries.len()
        )),
        "{out}"
    );
    for case in CATCHERS {
        assert!(
            entries.iter().any(|e| e.contains(&format!(
                "case: {case}, rule: describe.missing-failures, pointer: /failures, reason: TODO"
            ))),
            "no entry for {case}:\n{recorded}"
        );
    }
    assert!(
        entries.iter().all(|e| e.ends_with("reason: TODO }")),
        "{recorded}"
    );
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(entries, sorted, "entries are sorted by case, then rule");
    // Everything outside `known:` is kept byte for byte.
    assert_eq!(outside_known(&recorded), outside_known(&initial));

    // 2. lint reports every TODO reason: a warning, an error with --deny-todo.
    let o = lint(&dir.join("targets"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        text(&o).matches("warning: ").count(),
        entries.len(),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("emu.yaml:"), "{}", text(&o));
    let o = lint(&dir.join("targets"), &["--deny-todo"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    // 3. The recorded file certifies the same target: green, every failure known.
    let o = run(&dir, &deviating.endpoint, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("AS EXPECTED") && out.contains("4 known"),
        "{out}"
    );
    drop(deviating);

    // A reason written by hand (here in the first entry, of CATCHERS[0]).
    let explained_entry = format!(
        "case: {}, rule: describe.missing-failures, pointer: /failures, reason: \"the emulator drops MISSING failures\" }}",
        CATCHERS[0]
    );
    let explained = recorded.replacen(
        "/failures, reason: TODO }",
        "/failures, reason: \"the emulator drops MISSING failures\" }",
        1,
    );
    assert!(explained.contains(&explained_entry), "{explained}");
    std::fs::write(&file, &explained).unwrap();

    // 4. The deviation is gone: a filtered run drops only its own case's entries.
    let clean = Served::start(None);
    let o = run(&dir, &clean.endpoint, &["--record", CATCHERS[1]]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("1 fixed"), "{out}");
    let own = entries.iter().filter(|e| e.contains(CATCHERS[1])).count();
    let others = entries.len() - own;
    assert!(
        out.contains(&format!(
            "0 added (reason: TODO), {own} removed (now passing), 0 kept, {others} left as written"
        )),
        "{out}"
    );
    let partial = std::fs::read_to_string(&file).unwrap();
    assert!(!partial.contains(CATCHERS[1]), "{partial}");
    // Entries of the cases the filter left out stay as written (the reason too).
    assert!(partial.contains(&explained_entry), "{partial}");
    assert_eq!(
        partial.lines().filter(|l| l.starts_with("  - {")).count(),
        others
    );

    // 5. The whole suite on the fixed target: every entry is reported fixed and dropped.
    let o = run(&dir, &clean.endpoint, &["--record"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("STALE EXPECTATIONS") && out.contains("3 fixed"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "0 added (reason: TODO), {others} removed (now passing), 0 kept"
        )),
        "{out}"
    );
    for case in CATCHERS {
        assert!(
            out.contains(&format!("FIXED {case}")) || case == CATCHERS[1],
            "{out}"
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), initial);
    let o = run(&dir, &clean.endpoint, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run that cannot speak for the target writes nothing: no answer at all (a closed
/// port) keeps the run's exit code; `--record` needs `--target`.
#[test]
fn a_run_without_answers_records_nothing() {
    let dir = scratch("record-refused");
    assert_eq!(init(&dir, &["--target", "emu"]).status.code(), Some(0));
    let file = dir.join("targets/emu.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let o = run(&dir, "http://127.0.0.1:1", &["--record", "--timeout", "2s"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("not recorded"), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    let o = bin().args(["run", "--record"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--target"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
