//! Tests of the reference target over HTTP, in one test binary.

mod clean;
mod deviations;
mod errors;
mod placement;
mod reference_support;
mod services;
