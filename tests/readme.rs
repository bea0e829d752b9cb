//! The README stays true to the code: its rules table is exactly what `rules --markdown`
//! prints (`ECS_CONFORM_UPDATE_README=1 cargo test --test readme` rewrites it), and the
//! quick start is the two documented commands.

use std::path::Path;

const START: &str = "<!-- rules:start -->";
const END: &str = "<!-- rules:end -->";

#[test]
fn the_readme_rules_table_matches_the_rules() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let table = ecs_conform::report::text::rules_table(true);
    let body = format!("{START}\n{table}{END}");
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the {START} … {END} markers");
    };
    let current = &readme[a..b + END.len()];
    if current != body {
        if std::env::var("ECS_CONFORM_UPDATE_README").is_ok() {
            std::fs::write(&path, readme.replace(current, &body)).unwrap();
        } else {
            panic!("README.md's rules table is out of date; run ECS_CONFORM_UPDATE_README=1 cargo test --test readme");
        }
    }
    for rule in ecs_conform::contract::rules() {
        assert!(readme.contains(&format!("`{}`", rule.id)) || body.contains(rule.id));
    }
}

#[test]
fn the_quick_start_is_the_two_commands() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
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
