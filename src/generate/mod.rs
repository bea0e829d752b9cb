//! Negative cases generated from the contract: for RunTask, StopTask, DescribeTasks and
//! ListTasks, one case per class of undocumented request (malformed JSON, a body that is
//! not an object, each member of the wrong JSON type, each required member missing or
//! empty, undocumented enum values, numbers out of range, strings and lists over their
//! limits, the reserved tag prefix, unknown resources, an unknown or missing
//! X-Amz-Target, a nextToken no page gave). Read from the request schemas
//! (`schemas/operations/*.request.json`, the enum and shape files they name) and the
//! `negative_cases` section of `schemas/operations.json`; the same files give the same
//! cases, in the same order, with stable ids `negative/<operation>/<class>`.
//!
//! Each case is the text of an ordinary case file ([`GeneratedCase::text`]): the suite
//! loads it like a file (`Suite::add_generated`), and `ecs-conform generate --write`
//! writes it out. What a negative case expects is in `expect`.

mod classes;
mod expect;

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

pub use classes::OPERATIONS;

/// The folder (below the suite root) and id prefix of every generated case.
pub const FOLDER: &str = "negative";
/// The tag every generated case carries (besides its operation's tag).
pub const TAG: &str = "negative";
/// The tag of generated cases that name (or omit) the operation in the X-Amz-Target
/// header alone; a run against a `/v1/<Operation>` target skips them.
pub const TARGET_HEADER_TAG: &str = "x-amz-target";

/// One generated case: its id (`negative/run-task/count-above-10`) and its file text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCase {
    pub id: String,
    pub text: String,
}

impl GeneratedCase {
    /// Where the case lives below a suite root (`negative/run-task/x.yaml`).
    pub fn relative_path(&self) -> PathBuf {
        PathBuf::from(format!("{}.yaml", self.id))
    }
}

/// Why the cases could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not JSON: {source}", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: {message}", path.display())]
    Data { path: PathBuf, message: String },
    #[error("cannot write the case for {id}: {message}")]
    Render { id: String, message: String },
}

/// Every negative case the contract in `schemas` gives, in a stable order.
pub fn negative_cases(schemas: &Path) -> Result<Vec<GeneratedCase>, GenerateError> {
    let reader = Reader;
    let data_path = schemas.join("operations.json");
    let data = reader.json(&data_path)?;
    let Some(section) = data.get("negative_cases").and_then(Value::as_object) else {
        // A contract without the section generates nothing.
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for op in OPERATIONS {
        let Some(spec) = section.get(op.name) else {
            continue;
        };
        let spec = OperationSpec::parse(&data_path, op.name, spec)?;
        let request_path = schemas
            .join("operations")
            .join(format!("{}.request.json", op.name));
        let schema = reader.json(&request_path)?;
        let members = classes::members(&reader, &request_path, &schema)?;
        for case in classes::cases(op, &spec, &members) {
            let id = format!("{FOLDER}/{}/{}", op.folder, case.class);
            let text = expect::render(op, &spec, &case, &id)?;
            out.push(GeneratedCase { id, text });
        }
    }
    Ok(out)
}

/// Writes every case below `dir` (`dir/negative/<operation>/<class>.yaml`); returns the
/// files written.
pub fn write(dir: &Path, cases: &[GeneratedCase]) -> Result<Vec<PathBuf>, GenerateError> {
    let mut written = Vec::new();
    for case in cases {
        let path = dir.join(case.relative_path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| GenerateError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&path, &case.text).map_err(|source| GenerateError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// What `negative_cases.<Operation>` of `operations.json` says.
#[derive(Debug, Clone)]
pub(crate) struct OperationSpec {
    pub fixtures: Vec<String>,
    pub runs_task: bool,
    pub request: Map<String, Value>,
    /// member → (largest length, where it is documented).
    pub limits: Vec<(String, u64, String)>,
}

impl OperationSpec {
    fn parse(path: &Path, op: &str, v: &Value) -> Result<OperationSpec, GenerateError> {
        let bad = |what: &str| GenerateError::Data {
            path: path.to_owned(),
            message: format!("negative_cases.{op}.{what}"),
        };
        let fixtures = v
            .get("fixtures")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("fixtures must be a list of fixture names"))?
            .iter()
            .map(|f| f.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("fixtures must be a list of fixture names"))?;
        let request = v
            .get("request")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| bad("request must be an object (the valid request)"))?;
        let mut limits = Vec::new();
        if let Some(map) = v.get("limits").and_then(Value::as_object) {
            for (member, limit) in map {
                let max = limit
                    .get("max_length")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| bad(&format!("limits.{member}.max_length must be a number")))?;
                let source = limit
                    .get("source")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(&format!("limits.{member}.source must be a string")))?;
                limits.push((member.clone(), max, source.to_owned()));
            }
        }
        Ok(OperationSpec {
            fixtures,
            runs_task: v.get("runs_task").and_then(Value::as_bool).unwrap_or(false),
            request,
            limits,
        })
    }
}

/// Reads the contract's JSON files.
pub(crate) struct Reader;

impl Reader {
    pub fn json(&self, path: &Path) -> Result<Value, GenerateError> {
        let text = crate::files::read_text(path).map_err(|source| GenerateError::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| GenerateError::Json {
            path: path.to_owned(),
            source,
        })
    }
}

#[cfg(test)]
mod tests;
