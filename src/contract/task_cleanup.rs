//! Which operations start tasks a run must stop at its end, and which operation stops
//! one with what request: `starts_tasks` and `stops_task` in `schemas/operations.json`.
//! The runner knows no operation by name; it asks the contract.

use super::arn::task_id;
use super::data::{entries, object, string, ContractData};
use super::Contract;
use crate::pointer;
use serde_json::{Map, Value};

/// Where a successful answer of a task-starting operation lists the tasks it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartsTasks {
    /// Wildcard pointer to each started task in the answer (`/tasks/*`).
    pub tasks: String,
    /// Pointer, below a task, to its ARN (`/taskArn`).
    pub task_arn: String,
    /// Pointer, below a task, to its cluster (`/clusterArn`).
    pub cluster: String,
    /// Pointer into the request to the cluster, when a task names none (`/cluster`).
    pub request_cluster: Option<String>,
}

/// How the task-stopping operation names a task and its cluster in its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StopsTask {
    /// Pointer into the request to the task (`/task`).
    pub task: String,
    /// Pointer into the request to the cluster (`/cluster`).
    pub cluster: Option<String>,
    /// Members the run's own cleanup request adds (`reason`).
    pub cleanup_members: Map<String, Value>,
}

/// A task a call of the run started, to be stopped at the end of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedTask {
    /// Its ARN as the answer gave it.
    pub task: String,
    /// Its cluster (an ARN or a name), when the answer or the request named one.
    pub cluster: Option<String>,
}

impl StartedTask {
    /// Whether `task` (an ARN or an id, as a request names it) is this task.
    pub fn is(&self, task: &str) -> bool {
        task_id(&self.task) == task_id(task)
    }
}

impl Contract {
    /// The tasks a successful call of `operation` started (none when the operation
    /// starts none), read from its answer `body` where the contract says they are.
    pub fn started_tasks(
        &self,
        operation: &str,
        request: &Value,
        body: &Value,
    ) -> Vec<StartedTask> {
        self.data.started_tasks(operation, request, body)
    }

    /// The task (as the request names it) that a successful call of `operation`
    /// stopped, when `operation` is the one that stops tasks.
    pub fn stopped_task<'r>(&self, operation: &str, request: &'r Value) -> Option<&'r str> {
        self.data.stopped_task(operation, request)
    }

    /// The call that stops a started task: the operation and its request. `None` when
    /// the contract names no operation that stops tasks.
    pub fn stop_call(&self, task: &StartedTask) -> Option<(&str, Value)> {
        self.data.stop_call(task)
    }
}

impl ContractData {
    /// The tasks a successful call of `operation` started (none when the operation
    /// starts none), read from its answer `body` where the contract says they are.
    pub(crate) fn started_tasks(
        &self,
        operation: &str,
        request: &Value,
        body: &Value,
    ) -> Vec<StartedTask> {
        let Some(spec) = self
            .operation(operation)
            .and_then(|o| o.starts_tasks.as_ref())
        else {
            return Vec::new();
        };
        let fallback = spec
            .request_cluster
            .as_deref()
            .and_then(|p| pointer::lookup(request, p))
            .and_then(Value::as_str);
        pointer::select(body, &spec.tasks)
            .into_iter()
            .filter_map(|(_, task)| {
                let arn = pointer::lookup(task, &spec.task_arn)?.as_str()?;
                let cluster = pointer::lookup(task, &spec.cluster)
                    .and_then(Value::as_str)
                    .or(fallback);
                Some(StartedTask {
                    task: arn.to_owned(),
                    cluster: cluster.map(str::to_owned),
                })
            })
            .collect()
    }

    /// The task (as the request names it) that a successful call of `operation`
    /// stopped, when `operation` is the one that stops tasks.
    pub(crate) fn stopped_task<'r>(&self, operation: &str, request: &'r Value) -> Option<&'r str> {
        let spec = self.operation(operation)?.stops_task.as_ref()?;
        pointer::lookup(request, &spec.task)?.as_str()
    }

    /// The call that stops a started task: the operation and its request. `None` when
    /// the contract names no operation that stops tasks.
    pub(crate) fn stop_call(&self, task: &StartedTask) -> Option<(&str, Value)> {
        let (name, spec) = self
            .operations
            .iter()
            .find_map(|o| o.stops_task.as_ref().map(|s| (o.name.as_str(), s)))?;
        let mut body = Value::Object(Map::new());
        pointer::insert(&mut body, &spec.task, Value::String(task.task.clone()));
        if let (Some(at), Some(cluster)) = (&spec.cluster, &task.cluster) {
            pointer::insert(&mut body, at, Value::String(cluster.clone()));
        }
        if let Value::Object(map) = &mut body {
            for (k, v) in &spec.cleanup_members {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        Some((name, body))
    }
}

/// Parses an operation's `starts_tasks` member (`at` names it in messages).
pub(crate) fn parse_starts(v: &Value, at: &str) -> Result<StartsTasks, String> {
    let spec = object(v, at)?;
    Ok(StartsTasks {
        tasks: required_pointer(spec, "tasks", at)?,
        task_arn: required_pointer(spec, "task_arn", at)?,
        cluster: required_pointer(spec, "cluster", at)?,
        request_cluster: optional_pointer(spec, "request_cluster", at)?,
    })
}

/// Parses an operation's `stops_task` member (`at` names it in messages).
pub(crate) fn parse_stops(v: &Value, at: &str) -> Result<StopsTask, String> {
    let spec = object(v, at)?;
    let mut cleanup_members = Map::new();
    if let Some(members) = spec.get("cleanup_members") {
        for (k, v) in entries(members, &format!("{at}.cleanup_members"))? {
            cleanup_members.insert(k.to_owned(), v.clone());
        }
    }
    Ok(StopsTask {
        task: required_pointer(spec, "task", at)?,
        cluster: optional_pointer(spec, "cluster", at)?,
        cleanup_members,
    })
}

fn required_pointer(spec: &Map<String, Value>, key: &str, at: &str) -> Result<String, String> {
    optional_pointer(spec, key, at)?.ok_or_else(|| format!("{at} lacks the member {key}"))
}

/// A member that must be a JSON pointer to a member (not the whole document).
fn optional_pointer(
    spec: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<String>, String> {
    let Some(v) = spec.get(key) else {
        return Ok(None);
    };
    let p = string(v, &format!("{at}.{key}"))?;
    if !p.starts_with('/') || pointer::bad_escape(&p).is_some() {
        return Err(format!(
            "{at}.{key} is {p:?}; expected a JSON pointer to a member (`/task`)"
        ));
    }
    Ok(Some(p))
}

#[cfg(test)]
mod tests;
