//! Loading target files: located parse errors, `deny`, pointers, and entries naming no
//! case or no rule.

use super::*;

#[test]
fn target_files_load_with_located_errors() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-exp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("emu.yaml"),
        "kind: emu\nskip:\n  - {tag: needs-service, reason: no services}\nknown:\n  - {case: a/b, rule: expect.body, reason: r, link: https://example.invalid/1}\n",
    )
    .unwrap();
    let e = TargetProfile::load(&dir, "emu").unwrap();
    assert_eq!(e.known.len(), 1);
    assert!(e.stale_fails);
    assert_eq!(e.name.as_deref(), Some("emu"));
    std::fs::write(
        dir.join("bad.yaml"),
        "kind: emu\nknown:\n  - {case: a, reasn: r}\n",
    )
    .unwrap();
    let err = TargetProfile::load(&dir, "bad").unwrap_err();
    let rendered = err.render();
    let err = err.to_string();
    assert!(err.contains("bad.yaml:3:"), "{err}");
    assert!(rendered.starts_with(&format!("{err}\n")), "{rendered}");
    assert!(
        rendered.contains("3 |   - {case: a, reasn: r}") && rendered.contains('^'),
        "{rendered}"
    );
    assert!(matches!(
        TargetProfile::load(&dir, "none"),
        Err(TargetProfileError::Missing { .. })
    ));
    assert_eq!(unknown_entries(&e, &["x"]).len(), 1);
}

#[test]
fn deny_and_pointers_load_from_a_target_file() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-deny-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("emu.yaml"),
        "deny: [drift]\nmax_body: 16MiB\nknown:\n  - {case: a/b, rule: expect.body, pointer: /tasks/*/stopCode, reason: r}\n",
    )
    .unwrap();
    let e = TargetProfile::load(&dir, "emu").unwrap();
    assert_eq!(e.deny, vec![Deny::Drift]);
    assert_eq!(e.max_body.map(|b| b.bytes()), Some(16 << 20));
    assert_eq!(e.known[0].pointer.as_deref(), Some("/tasks/*/stopCode"));
    std::fs::write(
        dir.join("bad.yaml"),
        "known:\n  - {case: a/b, rule: expect.body, reason: r}\n  - {case: a/b, pointer: tasks/0, reason: r}\n",
    )
    .unwrap();
    let err = TargetProfile::load(&dir, "bad").unwrap_err().to_string();
    assert!(err.contains("bad.yaml:3:"), "{err}");
    assert!(err.contains("not a location"), "{err}");
    std::fs::write(dir.join("huge.yaml"), "max_body: 8 parsecs\n").unwrap();
    let err = TargetProfile::load(&dir, "huge").unwrap_err().to_string();
    assert!(
        err.contains("huge.yaml:1:") && err.contains("not a size"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn entries_naming_no_case_or_no_rule_are_located_errors() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-entries-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("emu.yaml"),
        "name: emu\nknown:\n  - {case: a/b, rule: expect.body, reason: r}\n  - {case: a/c, rule: expect.bdy, reason: r}\n  - case: a/x\n    rule: target.error\n    reason: r\n",
    )
    .unwrap();
    let e = TargetProfile::load(&dir, "emu").unwrap();
    let err = e.check(&["a/b", "a/c"]).unwrap_err().to_string();
    assert!(
        err.contains("emu.yaml:4:")
            && err.contains("no rule `expect.bdy`")
            && err.contains("`expect.body`"),
        "{err}"
    );
    assert!(
        err.contains("emu.yaml:5:") && err.contains("no case `a/x`"),
        "{err}"
    );
    assert!(err.starts_with("2 problems"), "{err}");
    assert!(e.check(&["a/b", "a/c", "a/x"]).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Entries are checked against the text the profile was parsed from: the file is read
/// once, so a file changed or removed after loading neither breaks the check nor moves
/// its locations.
#[test]
fn entries_are_checked_against_the_text_that_was_loaded() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-once-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("emu.yaml");
    std::fs::write(
        &file,
        "kind: emu\nknown:\n  - {case: a/b, reason: r}\n  - {case: no/such, reason: r}\n",
    )
    .unwrap();
    let profile = TargetProfile::load(&dir, "emu").unwrap();
    std::fs::remove_file(&file).unwrap();
    let err = profile.check(&["a/b"]).unwrap_err().to_string();
    assert!(
        err.contains("emu.yaml:4:") && err.contains("no case `no/such`"),
        "{err}"
    );
    assert!(profile.check(&["a/b", "no/such"]).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pace_settings_load_from_a_target_file_and_bad_ones_are_located() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-pace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("emu.yaml"),
        "jobs: 4\nmax_jobs: 2\nmax_within: 2s\npoll_interval: 100ms\n",
    )
    .unwrap();
    let e = TargetProfile::load(&dir, "emu").unwrap();
    assert_eq!(e.jobs.map(std::num::NonZeroUsize::get), Some(4));
    assert_eq!(e.max_within, Some(std::time::Duration::from_secs(2)));
    assert_eq!(e.poll_interval, Some(std::time::Duration::from_millis(100)));
    let none = TargetProfile::default();
    assert_eq!(
        (none.jobs, none.max_within, none.poll_interval),
        (None, None, None)
    );
    for (text, line, why) in [
        ("name: x\nmax_within: 0s\n", 2, "is zero"),
        ("name: x\npoll_interval: soon\n", 2, "is not a duration"),
        ("name: x\nmax_within: 2d\n", 2, "is not a duration"),
        ("name: x\nmax_within: 1441m\n", 2, "more than a day"),
        ("name: x\njobs: 0\n", 2, ""),
    ] {
        std::fs::write(dir.join("bad.yaml"), text).unwrap();
        let err = TargetProfile::load(&dir, "bad").unwrap_err().to_string();
        assert!(err.contains(&format!("bad.yaml:{line}:")), "{text}: {err}");
        assert!(err.contains(why), "{text}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `max_within`, `poll_interval` (as their flags: above zero, at most a day) and `jobs`
/// (a positive integer) load from a target file; a bad value is refused at its place.
#[test]
fn run_settings_load_from_a_target_file_and_bad_ones_are_located() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("emu.yaml"),
        "name: emu\nmax_within: 5s\npoll_interval: 250ms\njobs: 8\nknown: []\n",
    )
    .unwrap();
    let e = TargetProfile::load(&dir, "emu").unwrap();
    assert_eq!(e.max_within, Some(std::time::Duration::from_secs(5)));
    assert_eq!(e.poll_interval, Some(std::time::Duration::from_millis(250)));
    assert_eq!(e.jobs.map(|j| j.get()), Some(8));
    std::fs::write(dir.join("plain.yaml"), "name: plain\n").unwrap();
    let plain = TargetProfile::load(&dir, "plain").unwrap();
    assert_eq!(
        (plain.max_within, plain.poll_interval, plain.jobs),
        (None, None, None)
    );
    for (text, line, says) in [
        ("name: e\nmax_within: 0s\n", 2, "zero"),
        ("name: e\npoll_interval: 2000m\n", 2, "more than a day"),
        ("name: e\nmax_within: soon\n", 2, "not a duration"),
        ("name: e\n\njobs: 0\n", 3, "nonzero"),
    ] {
        std::fs::write(dir.join("bad.yaml"), text).unwrap();
        let err = TargetProfile::load(&dir, "bad").unwrap_err().to_string();
        assert!(
            err.contains(&format!("bad.yaml:{line}:")) && err.contains(says),
            "{text:?}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_reasons_of_several_entries_are_said_once_each() {
    let entry = |rule: &str, reason: &str| Known {
        case: "c".into(),
        rule: Some(rule.into()),
        reason: reason.into(),
        pointer: None,
        link: None,
    };
    let entries = [
        entry("wire.json", "answers 404 without a body"),
        entry("expect.error", "answers 404 without a body"),
        entry("arn.format", "puts the task definition's ARN there"),
        entry("expect.status", "answers 404 without a body"),
    ];
    assert_eq!(
        Known::reasons(&entries),
        "answers 404 without a body; puts the task definition's ARN there"
    );
    assert_eq!(Known::reasons(&[]), "");
}

#[test]
fn command_line_variables_come_after_the_target_files() {
    let mut profile = TargetProfile::default();
    profile.vars.insert("subnet".into(), "subnet-file".into());
    profile.vars.insert("region_hint".into(), "eu".into());
    let vars = profile.vars_with(vec![("subnet".into(), "subnet-flag".into())]);
    assert_eq!(
        vars,
        vec![
            ("region_hint".to_owned(), "eu".to_owned()),
            ("subnet".to_owned(), "subnet-file".to_owned()),
            ("subnet".to_owned(), "subnet-flag".to_owned()),
        ]
    );
}
