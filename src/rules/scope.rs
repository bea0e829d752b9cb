//! The scope of each rule (`scope.json`): which operations and which kind of answer it
//! judges. The report matrix uses it so that a cell reads `pass` only where the run saw
//! an answer the rule judges, and `not applicable` where the rule never looks.

use super::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The four task operations (`task` in the file).
pub const TASK_OPERATIONS: [&str; 4] = ["RunTask", "StopTask", "DescribeTasks", "ListTasks"];
/// The task operations whose answers hold Task objects (`tasks` in the file).
pub const TASK_OBJECT_OPERATIONS: [&str; 3] = ["RunTask", "StopTask", "DescribeTasks"];

const SCOPE_JSON: &str = include_str!("scope.json");

/// Which kind of answer a rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answers {
    /// HTTP 2xx.
    Success,
    /// HTTP 4xx or 5xx.
    Error,
    /// Any answer.
    Answer,
    /// Any call made, answered or not (target errors).
    Call,
    /// An answer of a step that states the rule (`StepEntry::stated`): expectations,
    /// `until`, `save`, `paginate`, snapshots.
    Stated,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum Operations {
    /// `any`, `task` or `tasks`.
    Named(String),
    List(Vec<String>),
}

/// Where one rule looks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    operations: Operations,
    pub answers: Answers,
}

impl Scope {
    /// Whether the rule judges answers of `operation`.
    pub fn covers_operation(&self, operation: &str) -> bool {
        match &self.operations {
            Operations::Named(n) if n == "any" => true,
            Operations::Named(n) if n == "task" => TASK_OPERATIONS.contains(&operation),
            Operations::Named(n) if n == "tasks" => TASK_OBJECT_OPERATIONS.contains(&operation),
            Operations::Named(_) => false,
            Operations::List(ops) => ops.iter().any(|o| o == operation),
        }
    }

    /// Whether the rule judges a step of its operation that ended this way: `status` is
    /// the HTTP status of its last answer, `called` whether it made a call at all,
    /// `stated` whether the step states the rule (see [`Answers::Stated`]).
    pub fn covers_answer(&self, status: Option<u16>, called: bool, stated: bool) -> bool {
        match (self.answers, status) {
            (Answers::Call, _) => called,
            (Answers::Stated, s) => s.is_some() && stated,
            (Answers::Answer, s) => s.is_some(),
            (Answers::Success, Some(s)) => (200..300).contains(&s),
            (Answers::Error, Some(s)) => s >= 400,
            (_, None) => false,
        }
    }
}

#[derive(Debug, Deserialize)]
struct ScopeFile {
    #[serde(rename = "$comment")]
    _comment: String,
    rules: BTreeMap<String, Scope>,
}

/// The scopes by rule, or why `scope.json` is not usable (its tests keep it usable).
static SCOPES: LazyLock<Result<BTreeMap<Rule, Scope>, String>> =
    LazyLock::new(|| parse(SCOPE_JSON));

fn parse(text: &str) -> Result<BTreeMap<Rule, Scope>, String> {
    let file: ScopeFile =
        serde_json::from_str(text).map_err(|e| format!("src/rules/scope.json: {e}"))?;
    let mut scopes = BTreeMap::new();
    for (id, scope) in file.rules {
        let rule = Rule::from_id(&id)
            .ok_or_else(|| format!("src/rules/scope.json: no rule `{id}` in the table"))?;
        if let Operations::Named(n) = &scope.operations {
            if !["any", "task", "tasks"].contains(&n.as_str()) {
                return Err(format!(
                    "src/rules/scope.json: `{id}`: operations `{n}` is neither any, task, tasks nor a list"
                ));
            }
        }
        scopes.insert(rule, scope);
    }
    if let Some(missing) = Rule::ALL.iter().find(|r| !scopes.contains_key(r)) {
        return Err(format!("src/rules/scope.json: no scope for `{missing}`"));
    }
    Ok(scopes)
}

/// Where `rule` looks; `None` only if the compiled-in `scope.json` were unusable, which
/// its tests rule out (callers then treat the rule as judging everything).
pub fn of(rule: Rule) -> Option<&'static Scope> {
    SCOPES.as_ref().ok().and_then(|s| s.get(&rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_gives_every_rule_of_the_table_a_scope() {
        let scopes = parse(SCOPE_JSON).expect("scope.json is usable");
        assert_eq!(scopes.len(), Rule::ALL.len());
        assert!(Rule::ALL.iter().all(|r| of(*r).is_some()));
    }

    #[test]
    fn a_missing_rule_an_unknown_rule_and_an_unknown_set_are_refused() {
        let missing = r#"{"$comment": "", "rules": {}}"#;
        assert!(parse(missing)
            .unwrap_err()
            .contains("no scope for `wire.status`"));
        let unknown =
            r#"{"$comment": "", "rules": {"no.such": {"operations": "any", "answers": "call"}}}"#;
        assert!(parse(unknown).unwrap_err().contains("no rule `no.such`"));
        let set = SCOPE_JSON.replacen("\"operations\": \"any\"", "\"operations\": \"all\"", 1);
        assert!(parse(&set).unwrap_err().contains("`all`"));
    }

    #[test]
    fn scopes_say_which_operations_and_answers_a_rule_judges() {
        let run_echo = of(Rule::RunEcho).unwrap();
        assert!(run_echo.covers_operation("RunTask"));
        assert!(!run_echo.covers_operation("ListTasks"));
        assert!(run_echo.covers_answer(Some(200), true, false));
        assert!(!run_echo.covers_answer(Some(400), true, false));
        assert!(!run_echo.covers_answer(None, true, false));

        let error_type = of(Rule::ErrorType).unwrap();
        assert!(error_type.covers_operation("ListTasks"));
        assert!(!error_type.covers_operation("CreateCluster"));
        assert!(error_type.covers_answer(Some(400), true, false));
        assert!(error_type.covers_answer(Some(500), true, false));
        assert!(!error_type.covers_answer(Some(200), true, false));

        let task_version = of(Rule::TaskVersion).unwrap();
        assert!(task_version.covers_operation("StopTask"));
        assert!(!task_version.covers_operation("ListTasks"));

        let target = of(Rule::TargetError).unwrap();
        assert!(target.covers_operation("CreateCluster"));
        assert!(target.covers_answer(None, true, false));
        assert!(!target.covers_answer(None, false, false));

        let mismatch = of(Rule::SnapshotMismatch).unwrap();
        assert!(mismatch.covers_answer(Some(200), true, true));
        assert!(!mismatch.covers_answer(Some(200), true, false));

        let wire = of(Rule::WireStatus).unwrap();
        assert!(wire.covers_answer(Some(503), true, false));
        assert!(!wire.covers_answer(None, true, false));
    }
}
