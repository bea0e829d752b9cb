//! Rendering of tasks, containers and clusters as the JSON the ECS API answers with.
//!
//! The clean rendering only; deviations that change the shape are applied afterwards
//! in `deviation::render`.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::state::{Clock, Cluster, Status, Task};

/// What a rendering needs besides the task: the clock, the pace and the moment.
pub(crate) struct Moment<'a> {
    pub(crate) clock: &'a Clock,
    pub(crate) pace: Duration,
    pub(crate) now: Duration,
}

impl Moment<'_> {
    fn epoch(&self, at: Duration) -> Value {
        json!(self.clock.epoch(at))
    }
}

/// The `Task` object. `with_tags` adds `tags` (always an array, possibly empty).
pub(crate) fn task(t: &Task, m: &Moment, with_tags: bool) -> Value {
    let status = t.status(m.now, m.pace);
    let reached = |s: Status| t.reached(s, m.now, m.pace);
    let mut o = Map::new();
    if let Some(eni) = &t.eni {
        let eni_status = match status {
            Status::Provisioning => "PRECREATED",
            s if s <= Status::Running => "ATTACHED",
            Status::Deactivating | Status::Stopping => "DETACHING",
            Status::Deprovisioning => "DETACHED",
            _ => "DELETED",
        };
        o.insert(
            "attachments".into(),
            json!([{
                "id": eni.attachment_id,
                "type": "ElasticNetworkInterface",
                "status": eni_status,
                "details": [
                    {"name": "subnetId", "value": eni.subnet},
                    {"name": "networkInterfaceId", "value": eni.eni_id},
                    {"name": "macAddress", "value": eni.mac},
                    {"name": "privateDnsName", "value": format!("ip-{}.ec2.internal", eni.ip.replace('.', "-"))},
                    {"name": "privateIPv4Address", "value": eni.ip},
                ],
            }]),
        );
    } else {
        o.insert("attachments".into(), json!([]));
    }
    o.insert("availabilityZone".into(), json!(t.availability_zone));
    if let Some(cp) = &t.capacity_provider {
        o.insert("capacityProviderName".into(), json!(cp));
    }
    o.insert("clusterArn".into(), json!(t.cluster_arn));
    if let Some(at) = reached(Status::Pending) {
        o.insert("connectivity".into(), json!("CONNECTED"));
        o.insert("connectivityAt".into(), m.epoch(at));
    }
    if let Some(instance) = &t.container_instance {
        o.insert("containerInstanceArn".into(), json!(instance));
    }
    let containers: Vec<Value> = t
        .containers
        .iter()
        .map(|c| container(t, c, status, m))
        .collect();
    o.insert("containers".into(), Value::Array(containers));
    if let Some(cpu) = &t.cpu {
        o.insert("cpu".into(), json!(cpu));
    }
    o.insert("createdAt".into(), m.epoch(t.created));
    o.insert("desiredStatus".into(), json!(t.desired_status()));
    o.insert("enableExecuteCommand".into(), json!(t.exec));
    if let Some(at) = reached(Status::Deprovisioning) {
        o.insert("executionStoppedAt".into(), m.epoch(at));
    }
    o.insert("group".into(), json!(t.group));
    o.insert("healthStatus".into(), json!("UNKNOWN"));
    o.insert("lastStatus".into(), json!(status.as_str()));
    o.insert("launchType".into(), json!(t.launch_type));
    if let Some(mem) = &t.memory {
        o.insert("memory".into(), json!(mem));
    }
    o.insert("overrides".into(), t.overrides.clone());
    if let Some(pv) = &t.platform_version {
        o.insert("platformVersion".into(), json!(pv));
    }
    if let Some(pf) = &t.platform_family {
        o.insert("platformFamily".into(), json!(pf));
    }
    if let Some(at) = reached(Status::Pending) {
        o.insert("pullStartedAt".into(), m.epoch(at));
    }
    if let Some(at) = reached(Status::Activating) {
        o.insert("pullStoppedAt".into(), m.epoch(at));
    }
    if let Some(at) = reached(Status::Running) {
        o.insert("startedAt".into(), m.epoch(at));
    }
    if let Some(by) = &t.started_by {
        o.insert("startedBy".into(), json!(by));
    }
    if let Some(stop) = &t.stop {
        o.insert("stopCode".into(), json!(stop.code));
        if let Some(at) = reached(Status::Stopped) {
            o.insert("stoppedAt".into(), m.epoch(at));
        }
        o.insert("stoppedReason".into(), json!(stop.reason));
        o.insert("stoppingAt".into(), m.epoch(stop.at));
    }
    if with_tags {
        o.insert("tags".into(), Value::Array(t.tags.clone()));
    }
    o.insert("taskArn".into(), json!(t.arn));
    o.insert("taskDefinitionArn".into(), json!(t.task_def_arn));
    o.insert("version".into(), json!(t.version(m.now, m.pace)));
    if t.launch_type == "FARGATE" {
        o.insert("ephemeralStorage".into(), json!({"sizeInGiB": 20}));
    }
    Value::Object(o)
}

fn container(t: &Task, c: &super::state::TaskContainer, status: Status, m: &Moment) -> Value {
    let started = t.reached(Status::Running, m.now, m.pace);
    let (last, stopped) = if status >= Status::Deprovisioning {
        ("STOPPED", true)
    } else if started.is_some() {
        ("RUNNING", false)
    } else {
        ("PENDING", false)
    };
    let mut o = Map::new();
    o.insert("containerArn".into(), json!(c.arn));
    o.insert("taskArn".into(), json!(t.arn));
    o.insert("name".into(), json!(c.name));
    o.insert("image".into(), json!(c.image));
    if let Some(at) = started {
        o.insert(
            "runtimeId".into(),
            json!(format!("{}-{}", t.id, m.clock.epoch(at) as u64)),
        );
    }
    o.insert("lastStatus".into(), json!(last));
    if stopped {
        if started.is_some() {
            o.insert("exitCode".into(), json!(0));
        } else {
            o.insert(
                "reason".into(),
                json!("Task stopped before the container started"),
            );
        }
    }
    o.insert("networkBindings".into(), json!([]));
    let interfaces = match &t.eni {
        Some(eni) => json!([{"attachmentId": eni.attachment_id, "privateIpv4Address": eni.ip}]),
        None => json!([]),
    };
    o.insert("networkInterfaces".into(), interfaces);
    o.insert("healthStatus".into(), json!("UNKNOWN"));
    if t.exec {
        let mut agent = Map::new();
        if let Some(at) = started {
            agent.insert("lastStartedAt".into(), m.epoch(at));
        }
        agent.insert("name".into(), json!("ExecuteCommandAgent"));
        agent.insert("lastStatus".into(), json!(last));
        o.insert("managedAgents".into(), json!([agent]));
    }
    o.insert("cpu".into(), json!(c.cpu.unwrap_or(0).to_string()));
    if let Some(mem) = c.memory {
        o.insert("memory".into(), json!(mem.to_string()));
    }
    Value::Object(o)
}

/// The `Cluster` object with the given status (ACTIVE or INACTIVE). An ACTIVE cluster
/// has its one simulated container instance registered.
pub(crate) fn cluster(c: &Cluster, status: &str, running: usize, pending: usize) -> Value {
    json!({
        "clusterArn": c.arn,
        "clusterName": c.name,
        "status": status,
        "registeredContainerInstancesCount": u8::from(status == "ACTIVE"),
        "runningTasksCount": running,
        "pendingTasksCount": pending,
        "activeServicesCount": 0,
        "statistics": [],
        "tags": c.tags,
        "settings": [{"name": "containerInsights", "value": "disabled"}],
        "capacityProviders": [],
        "defaultCapacityProviderStrategy": [],
    })
}
