//! `ecs-conform cleanup`: finds and removes what runs left on a target (after SIGKILL,
//! an out-of-memory kill or a teardown that failed): clusters and task-definition
//! families named `ecs-conform-<run id>` or `ecs-conform-<kind>-<run id>` (the names
//! `cases/fixtures.yaml` gives them), the services in those clusters (deleted with
//! `force` first: a cluster with a service cannot be deleted), the tasks still running
//! in them, and returns what it removed as a typed summary (`main.rs` prints it).

use super::AppError;
use crate::client::{CredentialSource, Credentials, PathStyle, Target, TargetConfig};
use crate::contract::error_of;
use serde_json::{json, Value};
use std::time::Duration;

/// The prefix of every resource name a run gives (see `cases/fixtures.yaml`).
pub const RESOURCE_PREFIX: &str = "ecs-conform-";

/// Most pages of one listing cleanup follows.
const MAX_PAGES: usize = 1000;

/// Which runs' resources to remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CleanupScope {
    /// Only those of this run id.
    RunId(String),
    /// Every `ecs-conform-*` resource.
    AllRuns,
}

impl CleanupScope {
    /// Whether a cluster or task-definition family name belongs to the scope:
    /// `ecs-conform-<id>` or `ecs-conform-<kind>-<id>` for a run id.
    pub fn owns(&self, name: &str) -> bool {
        let Some(rest) = name.strip_prefix(RESOURCE_PREFIX) else {
            return false;
        };
        match self {
            CleanupScope::AllRuns => !rest.is_empty(),
            CleanupScope::RunId(id) => {
                rest == id
                    || rest
                        .strip_suffix(id.as_str())
                        .and_then(|kind| kind.strip_suffix('-'))
                        .is_some_and(|kind| {
                            !kind.is_empty()
                                && kind
                                    .chars()
                                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                        })
            }
        }
    }
}

/// Where cleanup sends its calls.
#[derive(Debug, Clone)]
pub struct CleanupTarget {
    pub endpoint: String,
    pub path_style: PathStyle,
    pub region: String,
    pub timeout: Duration,
    /// How long to keep retrying DeleteCluster while the cluster's tasks stop
    /// (`ClusterContainsTasksException`); 0 tries once.
    pub drain: Duration,
    /// The credentials to sign with; None: `Credentials::for_endpoint`.
    pub credentials: Option<CredentialSource>,
}

/// What cleanup removed, and what it could not remove.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanupSummary {
    /// ARNs of the services it deleted.
    pub services: Vec<String>,
    /// ARNs of the tasks it stopped.
    pub tasks: Vec<String>,
    /// Names of the clusters it deleted.
    pub clusters: Vec<String>,
    /// ARNs of the task-definition revisions it deregistered.
    pub task_definitions: Vec<String>,
    /// (resource, why) for every removal the target refused.
    pub failed: Vec<(String, String)>,
}

/// Why a cleanup call gave no usable answer.
fn refusal(operation: &str, ex: &crate::client::Exchange) -> String {
    match error_of(&ex.response) {
        Some(e) => format!(
            "{operation} answered HTTP {} {}{}",
            ex.response.status,
            e.error_type,
            e.message.map(|m| format!(": {m}")).unwrap_or_default()
        ),
        None => format!("{operation} answered HTTP {}", ex.response.status),
    }
}

/// Finds and removes the resources of `scope` on the target.
pub fn cleanup(target: &CleanupTarget, scope: &CleanupScope) -> Result<CleanupSummary, AppError> {
    if let CleanupScope::RunId(id) = scope {
        if id.is_empty()
            || id.len() > 32
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            return Err(AppError::Usage(format!(
                "`{id}` is not a run id (1 to 32 lower-case letters and digits)"
            )));
        }
    }
    let mut config = TargetConfig::new(target.endpoint.clone(), target.region.clone());
    config.path_style = target.path_style;
    config.timeout = target.timeout;
    let source = match &target.credentials {
        Some(given) => given.clone(),
        None => CredentialSource::fixed(
            Credentials::for_endpoint(&target.endpoint, &|k| std::env::var(k).ok())
                .map_err(crate::client::TargetError::from)?,
        ),
    };
    config.credentials = source.current;
    config.refresh = source.refresh;
    let client = Target::new(config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(AppError::Runtime)?;
    runtime.block_on(Cleaner { target: &client }.run(scope, target.drain))
}

/// Names of the clusters a DescribeClusters answer shows that still exist: AWS (and
/// moto) keep deleted clusters listed as INACTIVE for a while, with nothing to remove.
fn live_clusters(body: &Value) -> Vec<String> {
    body.get("clusters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| c.get("status").and_then(Value::as_str) != Some("INACTIVE"))
        .filter_map(|c| c.get("clusterName").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

struct Cleaner<'t> {
    target: &'t Target,
}

impl Cleaner<'_> {
    /// One successful answer, or why not (a target error is an Err of the whole run).
    async fn call(&self, operation: &str, body: Value) -> Result<Result<Value, String>, AppError> {
        let ex = self.target.call(operation, body).await?;
        if !ex.response.is_success() {
            return Ok(Err(refusal(operation, &ex)));
        }
        Ok(Ok(ex.response.body.unwrap_or_else(|| json!({}))))
    }

    /// Every item of a paginated listing (`key` holds the page's items).
    async fn list(&self, operation: &str, body: Value, key: &str) -> Result<Vec<String>, AppError> {
        self.list_all(operation, body, key)
            .await?
            .map_err(|why| AppError::Cleanup(format!("cannot list: {why}")))
    }

    /// Every item of a paginated listing, or why the target refused it.
    async fn list_all(
        &self,
        operation: &str,
        body: Value,
        key: &str,
    ) -> Result<Result<Vec<String>, String>, AppError> {
        let mut items = Vec::new();
        let mut request = body;
        for _ in 0..MAX_PAGES {
            let page = match self.call(operation, request.clone()).await? {
                Ok(page) => page,
                Err(why) => return Ok(Err(why)),
            };
            items.extend(
                page.get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned),
            );
            match page.get("nextToken").and_then(Value::as_str) {
                Some(token) if !token.is_empty() => request["nextToken"] = json!(token),
                _ => break,
            }
        }
        Ok(Ok(items))
    }

    async fn run(&self, scope: &CleanupScope, drain: Duration) -> Result<CleanupSummary, AppError> {
        let mut summary = CleanupSummary::default();
        let owned: Vec<String> = self
            .list("ListClusters", json!({}), "clusterArns")
            .await?
            .iter()
            .map(|arn| {
                arn.rsplit_once(":cluster/")
                    .map_or(arn.as_str(), |(_, n)| n)
                    .to_owned()
            })
            .filter(|name| scope.owns(name))
            .collect();
        let mut clusters = Vec::new();
        // DescribeClusters takes at most 100 names per call.
        for batch in owned.chunks(100) {
            match self
                .call("DescribeClusters", json!({ "clusters": batch }))
                .await?
            {
                Ok(body) => clusters.extend(live_clusters(&body)),
                Err(why) => {
                    return Err(AppError::Cleanup(format!(
                        "cannot describe clusters: {why}"
                    )))
                }
            }
        }
        for cluster in &clusters {
            self.delete_services(cluster, &mut summary).await?;
            let tasks = self
                .list("ListTasks", json!({ "cluster": cluster }), "taskArns")
                .await?;
            for task in tasks {
                let body =
                    json!({"cluster": cluster, "task": task, "reason": "ecs-conform cleanup"});
                match self.call("StopTask", body).await? {
                    Ok(_) => summary.tasks.push(task),
                    Err(why) => summary.failed.push((format!("task {task}"), why)),
                }
            }
            self.delete_cluster(cluster, drain, &mut summary).await?;
        }
        // `familyPrefix` takes a whole family name, so every ACTIVE revision is listed.
        let families = self
            .list(
                "ListTaskDefinitions",
                json!({ "status": "ACTIVE" }),
                "taskDefinitionArns",
            )
            .await?;
        for arn in families {
            let family = arn
                .rsplit_once(":task-definition/")
                .map_or(arn.as_str(), |(_, rest)| rest);
            let family = family.rsplit_once(':').map_or(family, |(f, _)| f);
            if !scope.owns(family) {
                continue;
            }
            match self
                .call("DeregisterTaskDefinition", json!({ "taskDefinition": arn }))
                .await?
            {
                Ok(_) => summary.task_definitions.push(arn),
                Err(why) => summary.failed.push((format!("task definition {arn}"), why)),
            }
        }
        Ok(summary)
    }

    /// Deletes (force) every service of the cluster: DeleteCluster refuses a cluster
    /// with one. A target that cannot list services has none to delete (DeleteCluster
    /// would still say so if it had).
    async fn delete_services(
        &self,
        cluster: &str,
        summary: &mut CleanupSummary,
    ) -> Result<(), AppError> {
        let services = match self
            .list_all("ListServices", json!({ "cluster": cluster }), "serviceArns")
            .await?
        {
            Ok(services) => services,
            Err(_) => return Ok(()),
        };
        for service in services {
            let body = json!({"cluster": cluster, "service": service, "force": true});
            match self.call("DeleteService", body).await? {
                Ok(_) => summary.services.push(service),
                Err(why) => summary.failed.push((format!("service {service}"), why)),
            }
        }
        Ok(())
    }

    /// DeleteCluster, retried while the target says tasks are still stopping.
    async fn delete_cluster(
        &self,
        cluster: &str,
        drain: Duration,
        summary: &mut CleanupSummary,
    ) -> Result<(), AppError> {
        let deadline = tokio::time::Instant::now() + drain;
        loop {
            let ex = self
                .target
                .call("DeleteCluster", json!({ "cluster": cluster }))
                .await?;
            if ex.response.is_success() {
                summary.clusters.push(cluster.to_owned());
                return Ok(());
            }
            // Tasks still stopping, or services deleted a moment ago still draining.
            let draining = error_of(&ex.response).is_some_and(|e| {
                e.error_type == "ClusterContainsTasksException"
                    || e.error_type == "ClusterContainsServicesException"
            });
            if !draining || tokio::time::Instant::now() >= deadline {
                summary
                    .failed
                    .push((format!("cluster {cluster}"), refusal("DeleteCluster", &ex)));
                return Ok(());
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_id_owns_its_own_names_only() {
        let scope = CleanupScope::RunId("abc1".into());
        for name in [
            "ecs-conform-abc1",
            "ecs-conform-cp-abc1",
            "ecs-conform-ec2-abc1",
        ] {
            assert!(scope.owns(name), "{name}");
        }
        for name in [
            "ecs-conform-xabc1",
            "ecs-conform-abc12",
            "ecs-conform--abc1",
            "other-abc1",
            "ecs-conform-cp-abc1-x",
            "abc1",
        ] {
            assert!(!scope.owns(name), "{name}");
        }
    }

    #[test]
    fn inactive_clusters_are_already_gone() {
        let body = json!({"clusters": [
            {"clusterName": "ecs-conform-a", "status": "ACTIVE"},
            {"clusterName": "ecs-conform-b", "status": "INACTIVE"},
            {"clusterName": "ecs-conform-c", "status": "PROVISIONING"},
            {"clusterName": "ecs-conform-d"}
        ], "failures": [{"arn": "x", "reason": "MISSING"}]});
        assert_eq!(
            live_clusters(&body),
            ["ecs-conform-a", "ecs-conform-c", "ecs-conform-d"]
        );
    }

    #[test]
    fn all_runs_owns_every_prefixed_name() {
        assert!(CleanupScope::AllRuns.owns("ecs-conform-cp-zz9"));
        assert!(!CleanupScope::AllRuns.owns("ecs-conform-"));
        assert!(!CleanupScope::AllRuns.owns("default"));
    }
}
