//! What the tests that run the `ecs-conform` binary share: the command, started in the
//! repository root, and a finished command's output as one text.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The repository root (the shipped `cases/`, `schemas/` and `targets/`).
pub const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The repository root as a path.
pub fn repo() -> &'static Path {
    Path::new(REPO)
}

/// The built-in reference target with these deviations, running until the returned
/// server is dropped, and a choice of it for `app::run_quiet`.
pub fn reference(
    deviations: Vec<ecs_reference::Deviation>,
) -> (ecs_reference::Background, ecs_conform::app::TargetChoice) {
    let server = ecs_reference::Background::start(ecs_reference::ReferenceOptions {
        deviations,
        ..ecs_reference::ReferenceOptions::default()
    })
    .unwrap();
    let choice = ecs_conform::app::TargetChoice {
        endpoint: server.endpoint(),
        local: Some("the built-in reference target".into()),
        ..ecs_conform::app::TargetChoice::default()
    };
    (server, choice)
}

/// The `ecs-conform` binary, to be started in the repository root. Its copy of the
/// built-in suite goes to a cache folder of the tests, not the user's.
pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecs-conform"));
    command.current_dir(repo()).env(
        "XDG_CACHE_HOME",
        std::env::temp_dir().join("ecs-conform-cli-tests-cache"),
    );
    // A run against a 127.0.0.1 endpoint resolves credentials first; without instance
    // metadata to ask, it falls back to dummy credentials at once.
    command.env("AWS_EC2_METADATA_DISABLED", "true");
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
