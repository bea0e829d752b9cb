//! The contract: `schemas/` loaded and compiled once, which schema and which error
//! types belong to which operation, error-type normalisation, and the domain
//! invariants no schema can express.
//!
//! `Contract::load` reads the directory once; `Contract::observer` hands out a cheap
//! per-case `Observer` whose `observe` runs every built-in check on an exchange without
//! touching the disk or compiling anything.

mod arn;
mod arn_format;
mod body;
mod checks;
mod consistency;
mod data;
mod errors;
mod invariants;
mod nulls;
mod pages;
mod protocol;
mod schema_ref;
mod schemas;
mod spelling;
mod task_cleanup;
mod task_state;

pub(crate) use arn::split_arn;
pub use body::{client_body, is_empty_body};
pub use errors::{error_of, normalise_error_type, ApiError};
pub use invariants::{Observer, LIFECYCLE};
pub use task_cleanup::StartedTask;

use data::{ContractData, OpKind, DATA_FILE};
use schemas::SchemaSet;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Why the schemas directory could not be loaded: the file at fault and a plain sentence.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("{}: cannot read: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not valid JSON: {message}", .path.display())]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: not a usable JSON Schema: {message}", .path.display())]
    Schema { path: PathBuf, message: String },
    #[error("{}: {message}", .path.display())]
    Data { path: PathBuf, message: String },
}

/// The loaded contract. Send + Sync: share it in an `Arc` across cases and threads.
pub struct Contract {
    pub(crate) data: ContractData,
    pub(crate) schemas: SchemaSet,
}

impl Contract {
    /// Loads every schema under `dir` (the repo's `schemas/`) and compiles each validator
    /// exactly once.
    pub fn load(dir: &Path) -> Result<Contract, ContractError> {
        let (schemas, data_doc) = SchemaSet::load(dir)?;
        let data_path = dir.join(DATA_FILE);
        let data = data::parse(&data_doc).map_err(|message| ContractError::Data {
            path: data_path.clone(),
            message,
        })?;
        consistency::check(&data, &schemas).map_err(|message| ContractError::Data {
            path: data_path,
            message,
        })?;
        Ok(Contract { data, schemas })
    }

    /// Operations a case may call: the four task operations plus the setup and teardown
    /// operations listed in `schemas/operations.json`.
    pub fn knows_operation(&self, op: &str) -> bool {
        self.data.operation(op).is_some()
    }

    /// Every known operation, in the data file's order.
    pub fn operations(&self) -> Vec<&str> {
        self.data
            .operations
            .iter()
            .map(|o| o.name.as_str())
            .collect()
    }

    /// True for the four task operations (schemas, error rules and invariants apply).
    pub fn is_task_operation(&self, op: &str) -> bool {
        self.data
            .operation(op)
            .is_some_and(|o| o.kind == OpKind::Task)
    }

    /// Error types documented for an operation (empty for setup ops and unknown ops).
    pub fn documented_errors(&self, op: &str) -> &[String] {
        self.data
            .operation(op)
            .map(|o| o.errors.as_slice())
            .unwrap_or(&[])
    }

    /// The raw JSON of a loaded schema by file name (e.g. `Task.json`) or by path
    /// relative to the schemas directory (e.g. `shapes/Task.json`), for coverage tooling.
    pub fn schema_document(&self, name: &str) -> Option<&Value> {
        self.schemas.document(name)
    }

    /// Problems of a request body against its operation's request schema, as plain
    /// sentences (empty when valid, or when the operation has no request schema).
    /// Cases may send invalid requests on purpose; this is for tools that want to know.
    pub fn request_problems(&self, op: &str, body: &Value) -> Vec<String> {
        self.data
            .operation(op)
            .and_then(|o| o.request.as_deref())
            .map(|rel| self.schemas.problems(rel, body))
            .unwrap_or_default()
    }

    /// Whether a request body breaks its operation's request schema on a JSON type (a
    /// member the service cannot deserialise), the reason for a SerializationException.
    pub(crate) fn request_has_type_errors(&self, op: &str, body: &Value) -> bool {
        self.data
            .operation(op)
            .and_then(|o| o.request.as_deref())
            .is_some_and(|rel| self.schemas.has_type_errors(rel, body))
    }

    /// The directory the contract was loaded from.
    pub fn dir(&self) -> &Path {
        self.schemas.dir()
    }

    /// A fresh observer for one case.
    pub fn observer(&self) -> Observer<'_> {
        Observer::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Contract>();
    }
}
