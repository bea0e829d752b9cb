//! `ecs-conform init`: a starter target file and CI job examples, written from the
//! templates in `crates/ecs-conform-cli/templates/` (embedded in the binary) with the
//! target's name filled in. Nothing is overwritten without `--force`.

use crate::cli::InitArgs;
use crate::Error;
use ecs_conform::app::AppError;
use std::path::{Path, PathBuf};

/// What `{{target}}` stands for in the templates.
const NAME_SLOT: &str = "{{target}}";

/// Each file `init` writes (relative to `--dir`; `{{target}}` in the path too) and its
/// template.
const FILES: [(&str, &str); 3] = [
    (
        "targets/{{target}}.yaml",
        include_str!("../../templates/target.yaml"),
    ),
    (
        "ci/github-actions.yml",
        include_str!("../../templates/github-actions.yml"),
    ),
    (
        "ci/gitlab-ci.yml",
        include_str!("../../templates/gitlab-ci.yml"),
    ),
];

/// Why `name` cannot name a target file, if it cannot: it becomes a file name and is
/// written unquoted into shell commands, so letters, digits, `.`, `_` and `-` only.
fn name_problem(name: &str) -> Option<String> {
    let usable = !name.is_empty()
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    (!usable).then(|| {
        format!("`{name}` is not a target name: use letters, digits, `.`, `_` and `-` (not first), e.g. my-emulator")
    })
}

/// The files to write: their paths under `dir` and their text for target `name`.
fn planned(dir: &Path, name: &str) -> Vec<(PathBuf, String)> {
    FILES
        .iter()
        .map(|(path, template)| {
            (
                dir.join(path.replace(NAME_SLOT, name)),
                template.replace(NAME_SLOT, name),
            )
        })
        .collect()
}

/// `init`: refuses (exit 2) a bad name, or files that exist unless `--force`; else
/// writes every file and says what to do next.
pub fn init(args: InitArgs) -> Result<u8, Error> {
    let name = &args.target;
    if let Some(problem) = name_problem(name) {
        return Err(AppError::Usage(problem).into());
    }
    let files = planned(&args.dir, name);
    let existing: Vec<String> = files
        .iter()
        // A dangling link exists too: writing through it would create its target.
        .filter(|(path, _)| path.symlink_metadata().is_ok())
        .map(|(path, _)| path.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(AppError::Usage(format!(
            "not overwriting {} (pass --force to overwrite); nothing was written",
            existing.join(", ")
        ))
        .into());
    }
    for (path, text) in &files {
        let write = || -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)
        };
        write().map_err(|source| AppError::Write {
            path: path.clone(),
            source,
        })?;
    }
    let written: Vec<String> = files
        .iter()
        .map(|(path, _)| path.display().to_string())
        .collect();
    println!("ecs-conform init: wrote {}", written.join(", "));
    let targets = args.dir.join("targets");
    let targets = targets.display();
    let next = [
        (
            format!("ecs-conform run --target {name} --targets {targets} --record"),
            "its failures become known deviations (reason: TODO)",
        ),
        (
            format!("ecs-conform lint --targets {targets} --deny-todo"),
            "fails until every reason is written",
        ),
        (
            format!("ecs-conform run --target {name} --targets {targets}"),
            "green: every failure is a known deviation",
        ),
    ];
    let width = next.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    println!("next: start the emulator (its address is `endpoint:` in the target file), then");
    for (command, why) in next {
        println!("  {command:<width$}   # {why}");
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names_are_file_and_shell_safe() {
        for good in ["my-emulator", "moto_5.2", "kecs"] {
            assert!(name_problem(good).is_none(), "{good}");
        }
        for bad in ["", "../x", "a/b", "-x", ".hidden", "a b", "x;rm", "ü"] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn every_template_names_the_target_and_leaves_no_slot() {
        let files = planned(Path::new("out"), "emu");
        assert_eq!(files[0].0, Path::new("out/targets/emu.yaml"));
        for (path, text) in &files {
            assert!(!text.contains(NAME_SLOT), "{}", path.display());
            assert!(text.contains("emu"), "{}", path.display());
        }
    }
}
