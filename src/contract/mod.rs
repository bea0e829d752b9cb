//! The contract: `schemas/` loaded and compiled once, which schema and which error
//! types belong to which operation, error-type normalisation, and the domain
//! invariants no schema can express. (Placeholder until issue 3 lands.)

use crate::finding::{Finding, Severity};
use crate::target::{Exchange, ReceivedResponse};
use serde_json::Value;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("{0}")]
    Other(String),
}

pub struct Contract {
    ops: Vec<String>,
}

impl Contract {
    pub fn load(_dir: &Path) -> Result<Contract, ContractError> {
        Ok(Contract {
            ops: [
                "RunTask",
                "StopTask",
                "DescribeTasks",
                "ListTasks",
                "CreateCluster",
                "DeleteCluster",
                "RegisterTaskDefinition",
                "DeregisterTaskDefinition",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        })
    }
    pub fn knows_operation(&self, op: &str) -> bool {
        self.ops.iter().any(|o| o == op)
    }
    pub fn operations(&self) -> Vec<&str> {
        self.ops.iter().map(String::as_str).collect()
    }
    pub fn documented_errors(&self, _op: &str) -> &[String] {
        &[]
    }
    pub fn schema_document(&self, _name: &str) -> Option<&Value> {
        None
    }
    pub fn observer(&self) -> Observer<'_> {
        Observer { _c: self }
    }
}

pub struct ApiError {
    pub error_type: String,
    pub message: Option<String>,
}

pub fn error_of(resp: &ReceivedResponse) -> Option<ApiError> {
    if resp.is_success() {
        return None;
    }
    let raw = resp
        .header("x-amzn-errortype")
        .map(str::to_owned)
        .or_else(|| {
            resp.body
                .as_ref()
                .and_then(|b| b.get("__type"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    Some(ApiError {
        error_type: normalise_error_type(&raw),
        message: None,
    })
}

pub fn normalise_error_type(raw: &str) -> String {
    let after = raw.rsplit('#').next().unwrap_or(raw);
    after.split(':').next().unwrap_or(after).to_owned()
}

pub struct Observer<'c> {
    _c: &'c Contract,
}

impl Observer<'_> {
    pub fn observe(&mut self, ex: &Exchange) -> Vec<Finding> {
        let mut out = Vec::new();
        if ex.response.body.is_none() {
            out.push(Finding::new("wire.json", Severity::Fail, "").message("body is not JSON"));
        }
        out
    }
    pub fn observe_pages(&mut self, _pages: &[Exchange]) -> Vec<Finding> {
        Vec::new()
    }
}

pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub source: &'static str,
    pub summary: &'static str,
}

pub fn rules() -> &'static [RuleInfo] {
    &[]
}
