//! The deviations that break what a task must agree with itself on (ARN shapes and
//! regions, container states, version, timestamp order, launch type, group, echoed
//! members): each bends one rendered task, after the clean rendering.

use serde_json::{json, Map, Value};

use super::deviation::{Deviation, Deviations};

/// A region that is not `region`, for short-arns-wrong-region.
fn other_region(region: &str) -> &'static str {
    if region == "eu-west-1" {
        "us-east-1"
    } else {
        "eu-west-1"
    }
}

/// Applies the task deviations of `devs` to one rendered task object.
pub(crate) fn bend(devs: &Deviations, t: &mut Map<String, Value>) {
    use Deviation as D;
    let get =
        |t: &Map<String, Value>, k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
    let task_status = get(t, "lastStatus");
    let task_def = get(t, "taskDefinitionArn");
    let cluster_arn = get(t, "clusterArn");
    if let Some(Value::Array(containers)) = t.get_mut("containers") {
        for c in containers.iter_mut().filter_map(Value::as_object_mut) {
            let arn = c
                .get("containerArn")
                .and_then(Value::as_str)
                .map(str::to_string);
            if let (true, Some(arn)) = (devs.has(D::ShortArnsWrongRegion), &arn) {
                let parts: Vec<&str> = arn.splitn(6, ':').collect();
                if let [_, partition, _, region, account, resource] = parts[..] {
                    let id = resource.rsplit('/').next().unwrap_or(resource);
                    let region = other_region(region);
                    c.insert(
                        "containerArn".into(),
                        json!(format!(
                            "arn:{partition}:ecs:{region}:{account}:container/{id}"
                        )),
                    );
                }
            }
            if let (true, Some(arn), Some(def)) = (
                devs.has(D::ContainerArnsFromTaskDefinition),
                &arn,
                &task_def,
            ) {
                let id = arn.rsplit('/').next().unwrap_or(arn);
                c.insert("containerArn".into(), json!(format!("{def}/{id}")));
            }
            let status = c
                .get("lastStatus")
                .and_then(Value::as_str)
                .map(str::to_string);
            if devs.has(D::StoppedWithRunningContainer) && task_status.as_deref() == Some("STOPPED")
            {
                c.insert("lastStatus".into(), json!("RUNNING"));
                c.remove("exitCode");
            }
            if devs.has(D::ExitCodeWhileRunning) && status.as_deref() != Some("STOPPED") {
                c.insert("exitCode".into(), json!(0));
            }
        }
    }
    if devs.has(D::VersionGoesBack) && t.contains_key("version") {
        // One less than the last task rendered: every later answer shows a lower version.
        let n = devs
            .renders
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        t.insert("version".into(), json!(1_000_000 - n));
    }
    if devs.has(D::StoppingBeforeCreated) {
        if let Some(created) = t.get("createdAt").and_then(Value::as_f64) {
            if t.contains_key("stoppingAt") {
                t.insert("stoppingAt".into(), json!(created - 5.0));
            }
        }
    }
    if devs.has(D::StoppedDesiredRunning) && task_status.as_deref() == Some("STOPPED") {
        t.insert("desiredStatus".into(), json!("RUNNING"));
    }
    let fargate = t.get("launchType") == Some(&json!("FARGATE"));
    if let (true, true, Some(cluster)) = (
        devs.has(D::FargateWithContainerInstance),
        fargate,
        &cluster_arn,
    ) {
        if let Some((prefix, name)) = cluster.rsplit_once(":cluster/") {
            t.insert(
                "containerInstanceArn".into(),
                json!(format!(
                    "{prefix}:container-instance/{name}/{}",
                    "0".repeat(32)
                )),
            );
        }
    }
    if devs.has(D::EniNeverDeleted) {
        if let Some(Value::Array(attachments)) = t.get_mut("attachments") {
            for a in attachments.iter_mut().filter_map(Value::as_object_mut) {
                a.insert("status".into(), json!("ATTACHED"));
            }
        }
    }
    if devs.has(D::GroupNotDefaulted) {
        if let Some(family) =
            get(t, "group").and_then(|g| g.strip_prefix("family:").map(str::to_string))
        {
            t.insert("group".into(), json!(family));
        }
    }
    if devs.has(D::StartedByDropped) {
        t.remove("startedBy");
    }
}
