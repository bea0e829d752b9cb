//! Tests of loading and running cases (the loader's locations, lean suites, fixtures,
//! the runner, the run loop, retries, overflowing durations, a latency proxy), in one
//! test binary.

mod fixture_checks;
mod latency_proxy;
mod locations;
mod overflow;
mod retries;
mod run_loop;
mod runner;
mod suite_lean;
