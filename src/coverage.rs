//! Coverage: per operation, which request parameters, response fields, enum values
//! and error types the suite exercises (sends) and asserts (states in `expect` or
//! `until`), computed from the case files and the schemas, plus the items a
//! black-box request cannot reach, with the reason, from `cases/coverage.yaml`; and the
//! negative classes exercised per operation (`negative`) and the ListTasks filters
//! checked both ways (`filters`).

pub mod filters;
pub mod negative;

use crate::contract::Contract;
use crate::suite::{Case, Condition, Matcher, PlannedStep, Suite};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

pub use filters::{FilterCheck, LIST_TASKS_FILTERS};

/// The four operations whose contract the suite certifies.
pub const TASK_OPERATIONS: [&str; 4] = ["RunTask", "StopTask", "DescribeTasks", "ListTasks"];

/// Items a black-box request cannot reach, with the reason (`cases/coverage.yaml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusions {
    /// `Operation.parameter` → reason.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// `Operation.ErrorType` → reason.
    #[serde(default)]
    pub errors: BTreeMap<String, String>,
}

impl Exclusions {
    pub fn load(path: &Path) -> Result<Exclusions, String> {
        if !path.exists() {
            return Ok(Exclusions::default());
        }
        let source = crate::loader::Source::read(path).map_err(|e| e.to_string())?;
        source
            .parse("coverage file")
            .map_err(|problem| problem.to_string())
    }
}

/// One covered-or-not item.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    pub exercised: bool,
    pub asserted: bool,
    /// Why it is not covered, when the exclusions file says.
    pub excluded: Option<String>,
}

/// Coverage of one operation.
#[derive(Debug, Clone, Serialize)]
pub struct OperationCoverage {
    pub operation: String,
    pub cases: usize,
    pub parameters: Vec<Item>,
    pub errors: Vec<Item>,
    pub response_fields: Vec<Item>,
    /// Enum name → values.
    pub enums: BTreeMap<String, Vec<Item>>,
    /// The negative classes exercised (cases tagged `negative` named
    /// `negative/<operation>/<class>`), sorted; empty when there are none.
    pub negative_classes: Vec<String>,
    /// ListTasks only: each filter and the sides of it some case asserts.
    pub filters: Vec<FilterCheck>,
}

/// Coverage of the suite.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub operations: Vec<OperationCoverage>,
}

impl Coverage {
    /// Items the goal requires but the suite does not cover and no exclusion explains:
    /// every request parameter sent, every documented error type asserted.
    pub fn gaps(&self) -> Vec<String> {
        let mut out = Vec::new();
        for op in &self.operations {
            for p in &op.parameters {
                if !p.exercised && p.excluded.is_none() {
                    out.push(format!("{}.{} is never sent", op.operation, p.name));
                }
            }
            for e in &op.errors {
                if !e.asserted && e.excluded.is_none() {
                    out.push(format!("{}.{} is never expected", op.operation, e.name));
                }
            }
        }
        out
    }
}

/// Everything the steps of one operation send and state.
#[derive(Default)]
struct Usage {
    cases: BTreeSet<String>,
    sent_keys: BTreeSet<String>,
    sent_values: BTreeSet<String>,
    asserted_keys: BTreeSet<String>,
    asserted_values: BTreeSet<String>,
    errors: BTreeSet<String>,
}

fn steps(case: &Case) -> impl Iterator<Item = &PlannedStep> {
    case.steps.iter().chain(case.teardown.iter())
}

fn collect_strings(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

fn collect_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect_keys(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.insert(k.clone());
                collect_keys(x, out);
            }
        }
        _ => {}
    }
}

fn note_conditions(conditions: &[Condition], usage: &mut Usage) {
    for c in conditions {
        for seg in crate::pointer::tokens(&c.pointer)
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty() && s.parse::<usize>().is_err())
        {
            usage.asserted_keys.insert(seg.into_owned());
        }
        for m in &c.matchers {
            match m {
                Matcher::Equals(v)
                | Matcher::NotEquals(v)
                | Matcher::Contains(v)
                | Matcher::NotContains(v) => collect_strings(v, &mut usage.asserted_values),
                Matcher::OneOf(vs) => vs
                    .iter()
                    .for_each(|v| collect_strings(v, &mut usage.asserted_values)),
                _ => {}
            }
        }
    }
}

fn usage_by_operation(suite: &Suite) -> BTreeMap<String, Usage> {
    let mut by_op: BTreeMap<String, Usage> = BTreeMap::new();
    for case in &suite.cases {
        for step in steps(case) {
            let usage = by_op.entry(step.step.call.clone()).or_default();
            usage.cases.insert(case.id.clone());
            if let Value::Object(m) = &step.step.request {
                usage.sent_keys.extend(m.keys().cloned());
                collect_keys(&step.step.request, &mut usage.sent_keys);
            }
            collect_strings(&step.step.request, &mut usage.sent_values);
            note_conditions(&step.expect.body, usage);
            if let Some(until) = &step.until {
                note_conditions(until, usage);
            }
            usage.errors.extend(step.expect.errors.iter().cloned());
        }
    }
    by_op
}

/// Top-level property names of a schema document.
fn properties(schema: Option<&Value>) -> Vec<String> {
    schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn enum_values(contract: &Contract, name: &str) -> Vec<String> {
    contract
        .schema_document(&format!("enums/{name}.json"))
        .and_then(|s| s.get("enum"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Enums whose values are worth covering, per operation (sent or asserted).
const ENUMS: &[(&str, &[&str])] = &[
    (
        "RunTask",
        &[
            "LaunchType",
            "PropagateTags",
            "PlacementConstraintType",
            "PlacementStrategyType",
        ],
    ),
    ("StopTask", &["StopCode"]),
    ("DescribeTasks", &["TaskStatus", "StopCode", "LaunchType"]),
    ("ListTasks", &["DesiredStatus", "LaunchType"]),
];

/// Computes the coverage of `suite` against the contract's schemas.
pub fn compute(suite: &Suite, contract: &Contract, exclusions: &Exclusions) -> Coverage {
    let usage = usage_by_operation(suite);
    let empty = Usage::default();
    let task_fields = properties(contract.schema_document("shapes/Task.json"));
    let operations = TASK_OPERATIONS
        .iter()
        .map(|op| {
            let u = usage.get(*op).unwrap_or(&empty);
            let request =
                properties(contract.schema_document(&format!("operations/{op}.request.json")));
            let parameters = request
                .iter()
                .map(|p| Item {
                    name: p.clone(),
                    exercised: u.sent_keys.contains(p),
                    asserted: u.asserted_keys.contains(p),
                    excluded: exclusions.parameters.get(&format!("{op}.{p}")).cloned(),
                })
                .collect();
            let errors = contract
                .documented_errors(op)
                .iter()
                .map(|e| Item {
                    name: e.clone(),
                    exercised: u.errors.contains(e),
                    asserted: u.errors.contains(e),
                    excluded: exclusions.errors.get(&format!("{op}.{e}")).cloned(),
                })
                .collect();
            let mut fields =
                properties(contract.schema_document(&format!("operations/{op}.response.json")));
            if *op != "ListTasks" {
                fields.extend(task_fields.iter().cloned());
            }
            let response_fields = fields
                .iter()
                .map(|f| Item {
                    name: f.clone(),
                    exercised: u.asserted_keys.contains(f),
                    asserted: u.asserted_keys.contains(f),
                    excluded: None,
                })
                .collect();
            let enums = ENUMS
                .iter()
                .find(|(o, _)| o == op)
                .map(|(_, names)| {
                    names
                        .iter()
                        .map(|n| {
                            let values = enum_values(contract, n)
                                .into_iter()
                                .map(|v| Item {
                                    exercised: u.sent_values.contains(&v)
                                        || u.asserted_values.contains(&v),
                                    asserted: u.asserted_values.contains(&v),
                                    name: v,
                                    excluded: None,
                                })
                                .collect();
                            (n.to_string(), values)
                        })
                        .collect()
                })
                .unwrap_or_default();
            OperationCoverage {
                operation: op.to_string(),
                cases: u.cases.len(),
                parameters,
                errors,
                response_fields,
                enums,
                negative_classes: negative::classes(suite, op),
                filters: if *op == "ListTasks" {
                    filters::list_tasks_filters(suite)
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    Coverage { operations }
}

fn mark(i: &Item) -> &'static str {
    match (i.asserted, i.exercised, i.excluded.is_some()) {
        (true, _, _) => "asserted",
        (false, true, _) => "sent",
        (false, false, true) => "out of reach",
        _ => "**not covered**",
    }
}

fn ratio(items: &[Item], f: impl Fn(&Item) -> bool) -> String {
    format!("{}/{}", items.iter().filter(|i| f(i)).count(), items.len())
}

/// The negative classes of one operation, as one Markdown list item.
fn negative_line(op: &OperationCoverage) -> String {
    if op.negative_classes.is_empty() {
        return format!(
            "- negative classes exercised: none (no case tagged `{}` is named `negative/{}/<class>`)",
            negative::NEGATIVE_TAG,
            negative::kebab(&op.operation)
        );
    }
    let classes: Vec<String> = op
        .negative_classes
        .iter()
        .map(|c| format!("`{c}`"))
        .collect();
    format!(
        "- negative classes exercised ({}): {}",
        classes.len(),
        classes.join(", ")
    )
}

/// The ListTasks filters and the sides checked, as one Markdown list item.
fn filters_line(checks: &[FilterCheck]) -> String {
    let both = checks.iter().filter(|c| c.both_ways()).count();
    let items: Vec<String> = checks
        .iter()
        .map(|c| {
            if c.both_ways() {
                format!("`{}` {}", c.filter, c.label())
            } else {
                format!("`{}` **{}**", c.filter, c.label())
            }
        })
        .collect();
    format!(
        "- filters checked both ways ({both}/{}; a task that matches is listed and one that does not is absent): {}",
        checks.len(),
        items.join(", ")
    )
}

/// The coverage as a Markdown section.
pub fn markdown(c: &Coverage) -> String {
    let mut out = String::from("## Coverage\n\n| operation | cases | parameters sent | error types expected | response fields asserted |\n|---|---|---|---|---|\n");
    for op in &c.operations {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            op.operation,
            op.cases,
            ratio(&op.parameters, |i| i.exercised),
            ratio(&op.errors, |i| i.asserted),
            ratio(&op.response_fields, |i| i.asserted)
        );
    }
    for op in &c.operations {
        let _ = writeln!(out, "\n### {}\n", op.operation);
        let list = |items: &[Item]| {
            items
                .iter()
                .map(|i| format!("`{}` {}", i.name, mark(i)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "- parameters: {}", list(&op.parameters));
        let _ = writeln!(out, "- error types: {}", list(&op.errors));
        for (name, values) in &op.enums {
            let _ = writeln!(out, "- {name} values: {}", list(values));
        }
        let _ = writeln!(out, "{}", negative_line(op));
        if !op.filters.is_empty() {
            let _ = writeln!(out, "{}", filters_line(&op.filters));
        }
        let missing: Vec<&str> = op
            .response_fields
            .iter()
            .filter(|i| !i.asserted)
            .map(|i| i.name.as_str())
            .collect();
        if !missing.is_empty() {
            let _ = writeln!(
                out,
                "- response fields checked by the schema only: {}",
                missing.join(", ")
            );
        }
        let reasons: Vec<String> = op
            .parameters
            .iter()
            .chain(&op.errors)
            .filter(|i| !i.exercised)
            .filter_map(|i| {
                i.excluded
                    .as_ref()
                    .map(|r| format!("  - `{}`: {r}", i.name))
            })
            .collect();
        if !reasons.is_empty() {
            let _ = writeln!(
                out,
                "- out of reach of a black-box request:\n{}",
                reasons.join("\n")
            );
        }
    }
    let gaps = c.gaps();
    if gaps.is_empty() {
        out.push_str("\nGoal met: every request parameter is sent and every documented error type a black-box request can trigger is expected by some case.\n");
    } else {
        let _ = writeln!(
            out,
            "\nGoal not met:\n{}",
            gaps.iter()
                .map(|g| format!("- {g}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    out
}
