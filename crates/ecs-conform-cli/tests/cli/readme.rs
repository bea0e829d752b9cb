//! The README stays true to the code: its rules table is exactly what `rules --markdown`
//! prints (`ECS_CONFORM_UPDATE_README=1 cargo test -p ecs-conform-cli --test cli readme` rewrites it), and the
//! quick start is the two documented commands.

use std::path::Path;

use crate::readme_support;

#[test]
fn the_readme_rules_table_matches_the_rules() {
    let table = ecs_conform::report::text::rules_table(true);
    readme_support::check_section("rules", &table, "readme");
    let readme =
        std::fs::read_to_string(Path::new(crate::cli_support::REPO).join("README.md")).unwrap();
    for rule in ecs_conform::rules::all() {
        assert!(
            readme.contains(&format!("| `{}` |", rule.id)),
            "{} is not in the README",
            rule.id
        );
    }
}

#[test]
fn the_quick_start_is_the_two_commands() {
    let readme =
        std::fs::read_to_string(Path::new(crate::cli_support::REPO).join("README.md")).unwrap();
    let quick = &readme[readme.find("## Quick start").unwrap()..];
    let block = &quick[quick.find("```sh").unwrap()..];
    let block = &block[..block[3..].find("```").unwrap() + 3];
    let commands: Vec<&str> = block
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with("```"))
        .map(|l| l.split('#').next().unwrap().trim())
        .collect();
    assert_eq!(commands, vec!["cargo run --release -- run", "cargo test"]);
}
