//! ecs-conform: a contract-conformance harness for the Amazon ECS task API.
//!
//! One case travels through the modules in this order:
//! `suite` (case files) → `run` (steps, variables, polling) → `target` (HTTP, SigV4,
//! `Exchange`) → `contract` + `judge` (findings) → `snapshot` → `report`.
//! `reference` is the built-in ECS task API the suite certifies against; the harness
//! never depends on it.

pub mod app;
pub mod contract;
pub mod coverage;
pub mod files;
pub mod finding;
pub mod judge;
pub mod reference;
pub mod report;
pub mod run;
pub mod snapshot;
pub mod target;

pub use finding::{Finding, Severity};
pub use target::Exchange;
pub mod suite;
