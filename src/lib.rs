//! ecs-conform: a contract-conformance harness for the Amazon ECS task API.
//!
//! One case travels through the modules in this order:
//! `loader` (every data file, problems at their exact place) → `suite` (case files) →
//! `run` (steps, variables, polling) → `client` (HTTP, SigV4,
//! `Exchange`) → `contract` + `judge` (findings) → `snapshot` → `report`.
//! Every finding names its rule from the one typed table in `rules`.
//! The built-in ECS task API the suite certifies against is the separate crate
//! `ecs-reference`, which depends on no harness crate; this library does not depend on
//! it either (only its tests do), so the compiler keeps the oracle independent.

#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod app;
pub mod client;
pub mod contract;
pub mod coverage;
pub mod embed;
pub mod excerpt;
pub mod files;
pub mod finding;
pub mod generate;
pub mod judge;
pub mod loader;
pub mod pointer;
pub mod report;
pub mod rules;
pub mod run;
pub mod snapshot;

pub use client::Exchange;
pub use finding::{Finding, Severity};
pub use rules::Rule;
pub mod suite;
