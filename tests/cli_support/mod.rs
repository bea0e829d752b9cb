//! What the tests that run the `ecs-conform` binary share: the command, started in the
//! repository root, and a finished command's output as one text.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The repository root (the shipped `cases/`, `schemas/` and `targets/`).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `ecs-conform` binary, to be started in the repository root.
pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecs-conform"));
    command.current_dir(repo());
    command
}

/// Standard output, then standard error.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
