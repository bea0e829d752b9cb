//! Loads every JSON Schema file under `schemas/` into one registry, compiles each exactly
//! once, and turns validation errors into findings: undocumented members and values of
//! open enums become drift (unless the value is a misspelling of a documented one),
//! null members are judged as absent (a warn), string timestamps get their own rule,
//! limits the documentation states only in prose (`x-limit: prose`) warn, the rest fail.

use super::data::{ContractData, EnumKind, DATA_FILE};
use super::nulls::{has_null_member, without_null_members};
use super::schema_ref::resolve;
use super::spelling::misspelling_of;
use super::ContractError;
use crate::excerpt;
use crate::finding::Finding;
use crate::pointer;
use crate::rules::Rule;
use jsonschema::error::ValidationErrorKind;
use jsonschema::{Registry, Retrieve, Uri, ValidationError, Validator};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Synthetic base URI of the schemas directory: refs resolve in memory, never on disk,
/// and locations in errors do not depend on where the repository lives.
const BASE: &str = "file:///ecs-conform/schemas/";

/// Refuses every retrieval: a `$ref` that leaves the loaded files is a schema bug.
struct NoRetrieval;

impl Retrieve for NoRetrieval {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let shown = uri.as_str().strip_prefix(BASE).unwrap_or(uri.as_str());
        Err(format!("{shown} is not a schema file in the schemas directory").into())
    }
}

/// The loaded schema files, keyed by path relative to the schemas directory (`/` separated).
pub(crate) struct SchemaSet {
    dir: PathBuf,
    documents: BTreeMap<String, Value>,
    validators: BTreeMap<String, Validator>,
}

impl SchemaSet {
    /// Reads every `*.json` under `dir` except the data file. Returns the set and the
    /// data file's JSON.
    pub fn load(dir: &Path) -> Result<(SchemaSet, Value), ContractError> {
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        files.sort();
        let data_path = dir.join(DATA_FILE);
        let mut documents = BTreeMap::new();
        let mut names = HashSet::new();
        let mut data = None;
        for rel in files {
            let path = dir.join(&rel);
            let doc = read_json(&path)?;
            if rel == DATA_FILE {
                data = Some(doc);
                continue;
            }
            let name = rel.rsplit('/').next().unwrap_or(&rel).to_string();
            if !names.insert(name.clone()) {
                return Err(ContractError::Data {
                    path,
                    message: format!("a second schema file is named {name}; file names must be unique so tools can look a schema up by name"),
                });
            }
            documents.insert(rel, doc);
        }
        let data = data.ok_or_else(|| ContractError::Data {
            path: data_path,
            message: "the contract's data file is missing".into(),
        })?;

        let validators = compile(dir, &documents)?;
        Ok((
            SchemaSet {
                dir: dir.to_path_buf(),
                documents,
                validators,
            },
            data,
        ))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn contains(&self, rel: &str) -> bool {
        self.documents.contains_key(rel)
    }

    /// A document by relative path (`shapes/Task.json`) or bare file name (`Task.json`).
    pub fn document(&self, name: &str) -> Option<&Value> {
        self.documents.get(name).or_else(|| {
            self.documents
                .iter()
                .find(|(rel, _)| rel.rsplit('/').next() == Some(name))
                .map(|(_, doc)| doc)
        })
    }

    pub fn documents(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.documents.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Validates `instance` against the schema `rel` and classifies every error:
    /// `fail_rule` (schema.response or schema.error) for broken contract, drift for
    /// undocumented members and open-enum values, the timestamp rule for timestamps.
    /// One finding per pointer and rule; a drift finding at a pointer that also fails
    /// is dropped (a wrong type is not also a new enum value).
    pub fn judge(
        &self,
        data: &ContractData,
        rel: &str,
        instance: &Value,
        fail_rule: Rule,
    ) -> Vec<Finding> {
        let Some(validator) = self.validators.get(rel) else {
            return Vec::new();
        };
        // Every finding (drift included) comes from a validation error: a valid body has none.
        if validator.is_valid(instance) {
            return Vec::new();
        }
        let mut out: Vec<Finding> = Vec::new();
        // The SDKs read a null member as absent: judge the body without them (so a null
        // for a required member still fails), and warn about each.
        let stripped;
        let instance = if has_null_member(instance) {
            let mut nulls = Vec::new();
            stripped = without_null_members(instance, "", &mut nulls);
            out.extend(nulls.into_iter().map(|at| {
                Finding::new(Rule::SchemaNullMember, at.clone())
                    .expected("the member left out, or a value of its type")
                    .actual("null")
                    .message(format!(
                        "{at} is null; the SDKs read a null member as absent, so it is judged as absent (leave the member out instead)"
                    ))
            }));
            if validator.is_valid(&stripped) {
                return out;
            }
            &stripped
        } else {
            instance
        };
        for err in validator.iter_errors(instance) {
            for f in self.classify(data, &err, fail_rule) {
                if !out
                    .iter()
                    .any(|o| o.rule == f.rule && o.pointer == f.pointer)
                {
                    out.push(f);
                }
            }
        }
        let failing: HashSet<String> = out
            .iter()
            .filter(|f| f.severity == crate::finding::Severity::Fail)
            .map(|f| f.pointer.clone())
            .collect();
        out.retain(|f| f.rule != Rule::SchemaDriftEnum || !failing.contains(&f.pointer));
        out
    }

    /// Problems of `instance` against schema `rel`, as plain sentences (for requests).
    pub fn problems(&self, rel: &str, instance: &Value) -> Vec<String> {
        self.validators
            .get(rel)
            .map(|v| {
                v.iter_errors(instance)
                    .map(|e| format!("{}: {}", pointer_or_root(e.instance_path().as_str()), e))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `instance` breaks a `type` keyword of schema `rel`.
    pub fn has_type_errors(&self, rel: &str, instance: &Value) -> bool {
        self.validators.get(rel).is_some_and(|v| {
            v.iter_errors(instance)
                .any(|e| matches!(e.kind(), ValidationErrorKind::Type { .. }))
        })
    }

    fn classify(
        &self,
        data: &ContractData,
        err: &ValidationError<'_>,
        fail_rule: Rule,
    ) -> Vec<Finding> {
        let at = err.instance_path().as_str().to_string();
        let location = err
            .absolute_keyword_location()
            .map(|u| strip_base(u.as_str()))
            .unwrap_or_default();
        let (file, fragment) = location.split_once('#').unwrap_or((&location, ""));
        let actual = excerpt::json(err.instance(), excerpt::VALUE_CHARS);
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
                .iter()
                .map(|field| {
                    Finding::new(Rule::SchemaDriftField, pointer::child(&at, field))
                        .expected(format!("a member documented in {file}"))
                        .actual(field.clone())
                        .message(format!(
                            "{field} is not a documented member of {}; AWS adds members over time, so this is drift, not a failure",
                            shape_name(file)
                        ))
                })
                .collect(),
            ValidationErrorKind::Enum { options } => {
                let name = shape_name(file);
                let kind = data.enums.get(name).copied().unwrap_or(EnumKind::Closed);
                if kind == EnumKind::Open {
                    let documented: Vec<&str> = options
                        .as_array()
                        .map(|o| o.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let meant = err
                        .instance()
                        .as_str()
                        .and_then(|v| misspelling_of(v, &documented));
                    if let Some(meant) = meant {
                        return vec![Finding::new(Rule::SchemaEnumMisspelling, at.clone())
                            .expected(meant)
                            .actual(actual.clone())
                            .message(format!(
                                "{} {actual} looks like a misspelling of {meant} (a {name} value); no client matches it against {meant}",
                                pointer_or_root(&at)
                            ))];
                    }
                }
                let (rule, note) = match kind {
                    EnumKind::Open => (
                        Rule::SchemaDriftEnum,
                        "an open enum, so a newer value is drift",
                    ),
                    EnumKind::Closed => (fail_rule, "a closed enum"),
                };
                vec![Finding::new(rule, at.clone())
                    .expected(format!("one of {options}"))
                    .actual(actual.clone())
                    .message(format!(
                        "{} {actual} is not a documented {name} value ({note})",
                        pointer_or_root(&at)
                    ))]
            }
            ValidationErrorKind::Type { .. } if file == data.timestamp_schema => {
                let message = if err.instance().is_string() {
                    format!("{} is a string; timestamps go over the wire as epoch seconds (a JSON number). botocore tolerates strings, but the Rust and Go SDKs reject the response", pointer_or_root(&at))
                } else {
                    format!(
                        "{} must be epoch seconds as a JSON number",
                        pointer_or_root(&at)
                    )
                };
                vec![Finding::new(Rule::TimestampEpochNumber, at)
                    .expected("epoch seconds as a JSON number, e.g. 1700000000.123")
                    .actual(actual)
                    .message(message)]
            }
            kind => {
                let keyword = kind.keyword().to_string();
                let expected = self
                    .document(file)
                    .and_then(|doc| doc.pointer(fragment))
                    .map(|v| format!("{keyword}: {}", excerpt::json(v, excerpt::VALUE_CHARS)))
                    .unwrap_or_else(|| keyword.clone());
                let what = if file.is_empty() {
                    String::new()
                } else {
                    format!(" ({} schema)", shape_name(file))
                };
                let message = match kind {
                    ValidationErrorKind::Pattern { .. } if at == "/__type" || at == "/code" => {
                        format!(
                            "{at} names a different error type than the one this response carries{what}"
                        )
                    }
                    _ => format!("{}: {err}{what}", pointer_or_root(&at)),
                };
                // A limit the documentation states only in prose (marked `x-limit: prose`
                // next to the keyword) is at most a warning: no SDK enforces it.
                let prose = is_limit(&keyword)
                    && self
                        .document(file)
                        .and_then(|doc| doc.pointer(parent_pointer(fragment)))
                        .and_then(|node| node.get(PROSE_MARK))
                        .and_then(Value::as_str)
                        == Some("prose");
                let rule = if prose { Rule::SchemaProseLimit } else { fail_rule };
                let message = if prose {
                    format!("{message}; the limit is stated only in documentation prose, not in the AWS model")
                } else {
                    message
                };
                vec![Finding::new(rule, at)
                    .expected(expected)
                    .actual(actual)
                    .message(message)]
            }
        }
    }
}

/// Keyword next to a limit that says where the limit comes from; `prose` means the
/// documentation states it but the AWS model does not (judged warn, not fail).
const PROSE_MARK: &str = "x-limit";

fn is_limit(keyword: &str) -> bool {
    matches!(
        keyword,
        "minLength" | "maxLength" | "minimum" | "maximum" | "minItems" | "maxItems"
    )
}

/// `/properties/name/maxLength` → `/properties/name`.
fn parent_pointer(fragment: &str) -> &str {
    fragment.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// Puts every document in one registry (refs resolve in memory) and compiles each once.
fn compile(
    dir: &Path,
    documents: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Validator>, ContractError> {
    // Each file against its meta-schema first, so a broken file is named itself rather
    // than through the first schema that refers to it.
    for (rel, doc) in documents {
        let standard = doc.get("$schema").and_then(Value::as_str).is_none_or(|s| {
            s.starts_with("https://json-schema.org/") || s.starts_with("http://json-schema.org/")
        });
        if standard {
            if let Err(e) = jsonschema::meta::validate(doc) {
                let at = e.instance_path().as_str();
                return Err(ContractError::Schema {
                    path: dir.join(rel),
                    message: format!(
                        "{} {e}",
                        if at.is_empty() {
                            "at the root:".to_string()
                        } else {
                            format!("at {at}:")
                        }
                    ),
                });
            }
        }
    }
    for (rel, doc) in documents {
        let mut refs = Vec::new();
        collect_refs(doc, &mut refs);
        for r in refs {
            let file = r.split('#').next().unwrap_or("");
            if file.is_empty() || file.contains(':') {
                continue; // same-document or absolute: the registry judges those
            }
            let target = resolve(rel, file);
            if !documents.contains_key(&target) {
                return Err(ContractError::Schema {
                    path: dir.join(rel),
                    message: format!(
                        "$ref {r:?} points to {target}, which is not a file in the schemas directory"
                    ),
                });
            }
        }
    }
    let registry = Registry::new()
        .retriever(NoRetrieval)
        .extend(
            documents
                .iter()
                .map(|(rel, doc)| (format!("{BASE}{rel}"), doc)),
        )
        .and_then(|b| b.prepare())
        .map_err(|e| ContractError::Schema {
            path: dir.to_path_buf(),
            message: format!(
                "the schema files do not form a consistent set: {}",
                strip_base(&e.to_string())
            ),
        })?;
    let mut validators = BTreeMap::new();
    for (rel, doc) in documents {
        let validator = jsonschema::options()
            .with_registry(&registry)
            .with_retriever(NoRetrieval)
            .with_base_uri(format!("{BASE}{rel}"))
            .build(doc)
            .map_err(|e| ContractError::Schema {
                path: dir.join(rel),
                message: strip_base(&e.to_string()),
            })?;
        validators.insert(rel.clone(), validator);
    }
    Ok(validators)
}

fn pointer_or_root(p: &str) -> &str {
    if p.is_empty() {
        "the body"
    } else {
        p
    }
}

/// `shapes/Task.json` → `Task`; `enums/LaunchType.json` → `LaunchType`.
fn shape_name(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".json").unwrap_or(name)
}

/// Every `$ref` string in a schema document.
fn collect_refs<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r),
                    // enum/const/examples hold data, not subschemas
                    ("enum" | "const" | "examples" | "default", _) => {}
                    _ => collect_refs(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

fn strip_base(s: &str) -> String {
    s.replace(BASE, "")
}

fn read_json(path: &Path) -> Result<Value, ContractError> {
    let text = crate::files::read_text(path).map_err(|source| ContractError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| ContractError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: {
            let m = e.to_string();
            match m.find(" at line ") {
                Some(i) => m[..i].to_string(),
                None => m,
            }
        },
    })
}

/// Relative paths (with `/`) of every `*.json` under `dir`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), ContractError> {
    // Regular files only, symbolic-link loops followed once: a FIFO named *.json or a
    // link back to a parent folder must not hang the loader.
    let listing = crate::files::list(dir, &["json"], true).map_err(|source| ContractError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for path in listing.files {
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel: Vec<_> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        out.push(rel.join("/"));
    }
    Ok(())
}
