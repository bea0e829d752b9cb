//! Tests of the contract (schemas, wire rules, errors, invariants, the AWS model check,
//! the rule table's sources), in one test binary.

mod contract_support;

mod case_schema;
mod errors;
mod invariants;
mod load;
mod model;
mod model_check;
mod rule_sources;
mod schema;
mod task_rules;
mod wire;
