//! `ecs-conform rules` lists every rule of the table in table order, the snapshot rules
//! included, as text and as the Markdown table the README carries.

use crate::cli_support::{bin, text};

fn stdout_of(args: &[&str]) -> String {
    let o = bin().args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn rules_lists_every_rule_of_the_table() {
    let out = stdout_of(&["rules"]);
    // Each rule is a line starting with its id, then an indented line with its source.
    let listed: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let table: Vec<&str> = ecs_conform::rules::all().iter().map(|r| r.id).collect();
    assert_eq!(listed, table);
    for id in ["snapshot.name", "snapshot.unreadable", "snapshot.write"] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("`rules` does not list {id}:\n{out}"));
        assert_eq!(line.split_whitespace().nth(1), Some("fail"), "{line}");
    }
}

#[test]
fn rules_markdown_is_the_readme_table() {
    let out = stdout_of(&["rules", "--markdown"]);
    assert_eq!(out, ecs_conform::report::text::rules_table(true));
    for id in ["snapshot.name", "snapshot.unreadable", "snapshot.write"] {
        assert!(
            out.contains(&format!("| `{id}` | fail | snapshots/*.snap |")),
            "{id} is not in:\n{out}"
        );
    }
    assert_eq!(
        out.lines().filter(|l| l.starts_with("| `")).count(),
        ecs_conform::rules::all().len()
    );
}
