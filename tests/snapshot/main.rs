//! Tests of snapshots (normalisers, classification, the store, compare data), in one
//! test binary.

mod snapshot_support;

mod classify;
mod compare_data;
mod normalise;
mod store;
mod workflow;
