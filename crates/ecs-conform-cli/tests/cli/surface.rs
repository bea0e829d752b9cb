//! Our own command-line surface: `run` has ecs-conform's flags, not libtest's (its help
//! names the program, a typo is answered with our flags only), `--list` prints case
//! ids, and `completions` and `man` describe every subcommand.

use crate::cli_support::{bin, text};

/// Every subcommand, as `--help` lists them.
const SUBCOMMANDS: &[&str] = &[
    "run",
    "lint",
    "serve",
    "rules",
    "merge",
    "coverage",
    "snapshots",
    "diff",
    "cleanup",
    "generate",
    "completions",
    "man",
];

#[test]
fn run_help_names_the_program_and_only_our_flags() {
    let o = bin().args(["run", "--help"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("Usage: ecs-conform run [OPTIONS] [FILTER]"),
        "{help}"
    );
    for ours in [
        "--exact",
        "--skip <PATTERN>",
        "--list",
        "--format <FORMAT>",
        "--quiet",
        "--include-skipped",
        "--only-skipped",
        "--profile <NAME>",
        "--dummy-credentials",
    ] {
        assert!(help.contains(ours), "missing {ours}: {help}");
    }
    for libtest in [
        "--bench",
        "--test-threads",
        "--logfile",
        "--nocapture",
        "--show-output",
        "--ignored",
        "--include-ignored",
        "--color",
        "--force-run-in-process",
        "--report-time",
    ] {
        assert!(!help.contains(libtest), "{libtest} leaks: {help}");
    }
}

#[test]
fn libtest_flags_are_rejected_and_typos_suggest_our_flags_only() {
    for flag in ["--test-threads=2", "--bench", "--nocapture", "--ignored"] {
        let o = bin().args(["run", flag]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{flag}: {}", text(&o));
        assert!(
            text(&o).contains("unexpected argument"),
            "{flag}: {}",
            text(&o)
        );
    }
    let o = bin().args(["run", "--nosuch"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!text(&o).contains("--bench"), "{}", text(&o));
    let o = bin().args(["run", "--skp", "x"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("similar argument exists: '--skip'"),
        "{}",
        text(&o)
    );
}

#[test]
fn list_prints_one_case_id_a_line() {
    let o = bin()
        .args(["run", "--list", "stop-task/"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let ids: Vec<&str> = stdout.lines().collect();
    assert!(ids.len() >= 2, "{stdout}");
    assert!(
        ids.iter()
            .all(|id| id.contains("stop-task/") && !id.contains(' ')),
        "{stdout}"
    );
}

#[test]
fn completions_for_bash_zsh_and_fish_cover_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", text(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains("ecs-conform"), "{shell}: {script}");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
        assert!(script.contains("only-skipped"), "{shell}: {script}");
    }
    let o = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn the_man_page_names_every_subcommand() {
    let o = bin().arg("man").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let roff = String::from_utf8_lossy(&o.stdout);
    assert!(roff.starts_with(".ie") || roff.contains(".TH"), "{roff}");
    assert!(roff.contains(".TH ecs-conform 1"), "{roff}");
    assert!(roff.contains(".SH SUBCOMMANDS"), "{roff}");
    for sub in SUBCOMMANDS {
        assert!(
            roff.contains(&format!("ecs\\-conform\\-{}(1)", sub.replace('-', "\\-"))),
            "the man page lacks {sub}: {roff}"
        );
    }
}

#[test]
fn man_dir_writes_a_page_per_subcommand() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let o = bin().arg("man").arg("--dir").arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let main = std::fs::read_to_string(dir.join("ecs-conform.1")).unwrap();
    assert!(main.contains(".SH SUBCOMMANDS"), "{main}");
    let run = std::fs::read_to_string(dir.join("ecs-conform-run.1")).unwrap();
    assert!(run.contains("only\\-skipped"), "{run}");
    let _ = std::fs::remove_dir_all(&dir);
}
