//! Tests that run the `ecs-conform` binary, in one test binary (one link instead of fourteen).

mod body_cap;
mod cleanup;
mod cli;
mod cli_support;
mod credentials;
mod deny_drift;
mod deviations;
mod diff;
mod garbage_target;
mod interrupt;
mod lint_targets;
mod negative;
mod pace;
mod portable;
mod readme;
mod readme_support;
mod record;
mod reporters;
mod reports;
mod rules;
mod secrets;
mod seed_only;
mod setup_errors;
mod snapshot_review;
mod surface;
