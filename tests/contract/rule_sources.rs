//! Every rule cites documents that ship in the repository: each `;`-separated part of a
//! rule's source starts with a path (or a glob such as `cases/**/*.yaml`) that matches at
//! least one file or directory of the repository, and a cited section of
//! docs/contract.md is one of its headings. A user of `ecs-conform rules` can read what
//! each rule's source says. And the table is complete: findings carry a typed rule, and
//! every rule id still written as a string in the harness's sources (target-error
//! messages, the table itself) is one of the table's.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Matches a `/`-separated pattern with `*` (within a name) and `**` (any depth).
fn matches(root: &Path, parts: &[&str]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return root.exists();
    };
    if *first == "**" {
        if matches(root, rest) {
            return true;
        }
        return subdirs(root).iter().any(|d| matches(d, parts));
    }
    if !first.contains('*') {
        return matches(&root.join(first), rest);
    }
    let (prefix, suffix) = first.split_once('*').unwrap_or((first, ""));
    std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.starts_with(prefix) && name.ends_with(suffix) && matches(&e.path(), rest)
        })
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect()
}

fn headings(doc: &str) -> Vec<String> {
    doc.lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim().to_string())
        .collect()
}

/// Problems of one source string; empty when every citation resolves.
fn problems(source: &str, contract_md: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in source.split(';').map(str::trim) {
        let end = part.find([',', ':', ' ']).unwrap_or(part.len());
        let path = &part[..end];
        let parts: Vec<&str> = path.split('/').collect();
        if path.is_empty() || !path.contains(['/', '.']) || !matches(&root(), &parts) {
            out.push(format!(
                "{part:?} does not start with a path that ships in the repository"
            ));
            continue;
        }
        if path == "docs/contract.md" {
            let section = part[end..].trim_start_matches([',', ' ']).trim();
            if !headings(contract_md).iter().any(|h| h == section) {
                out.push(format!("docs/contract.md has no section {section:?}"));
            }
        }
    }
    out
}

#[test]
fn every_rule_cites_a_file_that_ships() {
    let contract_md = std::fs::read_to_string(root().join("docs/contract.md"))
        .expect("docs/contract.md ships with the repository");
    let mut bad = Vec::new();
    for rule in ecs_conform::rules::all() {
        for p in problems(rule.source, &contract_md) {
            bad.push(format!("{}: {p}", rule.id));
        }
    }
    assert!(
        bad.is_empty(),
        "rule sources that cite nothing in the repository:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_source_check_rejects_what_does_not_ship() {
    let md = "# T\n## Wire protocol\n";
    assert!(problems("docs/contract.md, Wire protocol", md).is_empty());
    assert!(problems("cases/**/*.yaml: `save`", md).is_empty());
    assert!(problems("schemas/operations.json, enums; schemas/enums", md).is_empty());
    assert_eq!(problems("CONTRACT.md, Wire protocol", md).len(), 1);
    assert_eq!(
        problems("ecs-task-api-reference.md, ListTasks", md).len(),
        1
    );
    assert_eq!(problems("runner", md).len(), 1);
    assert_eq!(problems("docs/contract.md, No such section", md).len(), 1);
    assert_eq!(
        problems("docs/contract.md, Wire protocol; nowhere/x.md", md).len(),
        1
    );
}

/// The files of `dir` (recursively) whose name ends with `.rs`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// String literals of `code` shaped like a rule id of one of `families` (the part of
/// an id before its first dot): `"family.name"`, lower-case letters, `.` and `-`.
fn rule_like_literals<'a>(code: &'a str, families: &[&str]) -> Vec<&'a str> {
    let shaped = |s: &str| {
        s.split_once('.').is_some_and(|(family, rest)| {
            families.contains(&family)
                && !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '-')
                && !rest.ends_with(['.', '-'])
        })
    };
    code.lines()
        .flat_map(|line| line.split('"').skip(1).step_by(2))
        .filter(|s| shaped(s))
        .collect()
}

/// Code outside unit tests (a `tests.rs` file, or what follows `#[cfg(test)]`), where
/// misspelt ids are written on purpose.
fn non_test_code(path: &Path, text: &str) -> Option<String> {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return None;
    }
    Some(text.split("\n#[cfg(test)]").next().unwrap_or("").to_owned())
}

#[test]
fn every_rule_id_written_in_the_sources_is_in_the_table() {
    let ids: Vec<&str> = ecs_conform::rules::all().iter().map(|r| r.id).collect();
    let mut families: Vec<&str> = ids.iter().filter_map(|id| id.split('.').next()).collect();
    families.sort_unstable();
    families.dedup();
    let mut files = rust_files(&root().join("src"));
    files.extend(rust_files(&root().join("crates/ecs-conform-cli/src")));
    assert!(
        files.len() > 20,
        "the sources were not found under {}",
        root().display()
    );
    let mut unknown = Vec::new();
    let mut seen = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let Some(code) = non_test_code(file, &text) else {
            continue;
        };
        for literal in rule_like_literals(&code, &families) {
            seen += 1;
            if !ids.contains(&literal) {
                unknown.push(format!("{}: \"{literal}\"", file.display()));
            }
        }
    }
    assert!(
        seen >= ids.len(),
        "the table itself was not scanned ({seen} ids)"
    );
    assert!(
        unknown.is_empty(),
        "rule ids written in the sources that the rule table lacks:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn the_id_scan_finds_what_looks_like_a_rule() {
    let families = ["expect", "snapshot", "wire"];
    let code = r#"Finding::new("snapshot.nmae", x); let f = "cases/a.yaml"; "expect.body" "wire" "until.timeout" "wire.body-too-large: cut""#;
    assert_eq!(
        rule_like_literals(code, &families),
        vec!["snapshot.nmae", "expect.body"]
    );
}
