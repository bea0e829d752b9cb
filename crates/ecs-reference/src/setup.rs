//! Setup operations a run needs but the contract does not test in depth:
//! CreateCluster, DeleteCluster, RegisterTaskDefinition, DeregisterTaskDefinition.
//! They follow AWS closely enough that case files written against the reference also
//! work against AWS.

use serde_json::{json, Map, Value};

use super::error::{ApiError, ApiResult, ErrorKind};
use super::input::{self, cluster_name, valid_name, Input};
use super::ops::App;
use super::state::{self, Cluster, ContainerDef, ContainerInstance, Region, Status, TaskDef};
use super::view;

pub(crate) fn create_cluster(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    let name = input.str("clusterName")?.unwrap_or("default");
    if !valid_name(name) {
        return Err(ApiError::invalid(
            "Cluster name must be 1 to 255 letters, numbers, hyphens and underscores.",
        ));
    }
    let tags = input::tags(input, "tags", true)?;
    input.objects("settings")?;
    input.object("configuration")?;
    input.str_list("capacityProviders")?;
    input.objects("defaultCapacityProviderStrategy")?;
    let moment = app.moment();
    let mut store = app.store();
    let region = store.region(region_name);
    let cluster = region
        .clusters
        .entry(name.to_string())
        .or_insert_with(|| Cluster {
            name: name.to_string(),
            arn: state::cluster_arn(region_name, name),
            tags,
            instance: ContainerInstance::new(region_name, name, &app.ids.hex32()),
        })
        .clone();
    let (running, pending) = counts(region, name, &moment);
    Ok(json!({"cluster": view::cluster(&cluster, "ACTIVE", running, pending)}))
}

/// Creates the cluster `name` unless it exists (the auto-create-cluster deviation).
pub(crate) fn ensure_cluster(app: &App, region: &mut Region, region_name: &str, name: &str) {
    region
        .clusters
        .entry(name.to_string())
        .or_insert_with(|| Cluster {
            name: name.to_string(),
            arn: state::cluster_arn(region_name, name),
            tags: vec![],
            instance: ContainerInstance::new(region_name, name, &app.ids.hex32()),
        });
}

/// Tasks of a cluster that are RUNNING, and that are on their way there.
pub(crate) fn counts(region: &Region, cluster: &str, m: &view::Moment) -> (usize, usize) {
    let live = region
        .tasks
        .values()
        .filter(|t| t.cluster == cluster && t.stop.is_none());
    let (mut running, mut pending) = (0, 0);
    for t in live {
        if t.status(m.now, m.pace) == Status::Running {
            running += 1;
        } else {
            pending += 1;
        }
    }
    (running, pending)
}

/// Deleting a cluster forgets it, its simulated container instance and every task it
/// held. (AWS refuses to delete a cluster with registered instances; here the instance
/// goes with the cluster.) A cluster with an ACTIVE service is refused, as on AWS:
/// DeleteService first.
pub(crate) fn delete_cluster(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    input.required_str("cluster")?;
    let name = cluster_name(input)?;
    let mut store = app.store();
    let region = store.region(region_name);
    if region.clusters.contains_key(&name) && region.has_services(&name) {
        return Err(ApiError::new(
            ErrorKind::ClusterContainsServices,
            "The Cluster cannot be deleted while Services are active.",
        ));
    }
    let cluster = region
        .remove_cluster(&name)
        .ok_or_else(ApiError::cluster_not_found)?;
    Ok(json!({"cluster": view::cluster(&cluster, "INACTIVE", 0, 0)}))
}

const NETWORK_MODES: &[&str] = &["bridge", "host", "awsvpc", "none"];
const COMPATIBILITIES: &[&str] = &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];

/// Task-level cpu and memory: strings in the model; integers are accepted too.
fn str_or_int(input: &Input, key: &str) -> ApiResult<Option<String>> {
    match input.0.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.is_i64() => Ok(Some(n.to_string())),
        Some(v) => Err(input::wrong_type(key, "string", v)),
    }
}

pub(crate) fn register_task_definition(
    app: &App,
    region_name: &str,
    input: &Input,
) -> ApiResult<Value> {
    let family = input.required_str("family")?;
    if !valid_name(family) {
        return Err(ApiError::client(
            "Family must be 1 to 255 letters, numbers, hyphens and underscores.",
        ));
    }
    if input.array("containerDefinitions")?.is_none() {
        return Err(ApiError::invalid(
            "Missing required parameter: containerDefinitions.",
        ));
    }
    let mut containers = vec![];
    let mut rendered_containers = vec![];
    for c in input.objects("containerDefinitions")? {
        let name = c.required_str("name")?;
        if !valid_name(name) {
            return Err(ApiError::client(format!(
                "Invalid container name '{name}'."
            )));
        }
        if containers.iter().any(|d: &ContainerDef| d.name == name) {
            return Err(ApiError::client(format!(
                "Duplicate container name '{name}'."
            )));
        }
        let image = c.str("image")?.unwrap_or("");
        if image.is_empty() {
            return Err(ApiError::client(
                "Container.image should not be null or empty.",
            ));
        }
        let cpu = c.int("cpu")?;
        let memory = c.int("memory")?;
        c.int("memoryReservation")?;
        let essential = c.bool("essential")?.unwrap_or(true);
        containers.push(ContainerDef {
            name: name.to_string(),
            image: image.to_string(),
            cpu,
            memory,
        });
        let mut echo: Map<String, Value> = c.0.clone();
        echo.insert("cpu".into(), json!(cpu.unwrap_or(0)));
        echo.insert("essential".into(), json!(essential));
        rendered_containers.push(Value::Object(echo));
    }
    if containers.is_empty() {
        return Err(ApiError::client("Container list cannot be empty."));
    }
    let cpu = str_or_int(input, "cpu")?;
    let memory = str_or_int(input, "memory")?;
    let network_mode = input.str("networkMode")?.unwrap_or("bridge");
    if !NETWORK_MODES.contains(&network_mode) {
        return Err(ApiError::invalid(format!(
            "Invalid value for networkMode: '{network_mode}'."
        )));
    }
    let requires: Vec<String> = input
        .str_list("requiresCompatibilities")?
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect();
    if let Some(bad) = requires
        .iter()
        .find(|r| !COMPATIBILITIES.contains(&r.as_str()))
    {
        return Err(ApiError::invalid(format!(
            "Invalid value for requiresCompatibilities: '{bad}'."
        )));
    }
    let fargate = requires.iter().any(|r| r == "FARGATE");
    if fargate && network_mode != "awsvpc" {
        return Err(ApiError::client(
            "Fargate only supports network mode 'awsvpc'.",
        ));
    }
    if fargate && (cpu.is_none() || memory.is_none()) {
        return Err(ApiError::client(
            "Fargate requires that 'cpu' and 'memory' be defined at the task level.",
        ));
    }
    let tags = input::tags(input, "tags", true)?;
    for key in ["taskRoleArn", "executionRoleArn", "pidMode", "ipcMode"] {
        input.str(key)?;
    }
    input.objects("volumes")?;
    input.objects("placementConstraints")?;

    let mut compatibilities = vec!["EC2".to_string()];
    if network_mode == "awsvpc" {
        compatibilities.push("FARGATE".to_string());
    }
    let moment = app.moment();
    let mut store = app.store();
    let revisions = store
        .region(region_name)
        .task_defs
        .entry(family.to_string())
        .or_default();
    let revision = revisions.len() as u64 + 1;
    let arn = state::task_def_arn(region_name, family, revision);
    let mut rendered = json!({
        "taskDefinitionArn": arn,
        "containerDefinitions": rendered_containers,
        "family": family,
        "networkMode": network_mode,
        "revision": revision,
        "volumes": [],
        "status": "ACTIVE",
        "placementConstraints": [],
        "compatibilities": compatibilities,
        "requiresCompatibilities": requires,
        "registeredAt": moment.clock.epoch(moment.now),
    });
    if let Some(cpu) = &cpu {
        rendered["cpu"] = json!(cpu);
    }
    if let Some(memory) = &memory {
        rendered["memory"] = json!(memory);
    }
    revisions.push(TaskDef {
        family: family.to_string(),
        arn,
        active: true,
        containers,
        cpu,
        memory,
        network_mode: network_mode.to_string(),
        requires,
        tags: tags.clone(),
        rendered: rendered.clone(),
    });
    Ok(json!({"taskDefinition": rendered, "tags": tags}))
}

/// Splits `family`, `family:revision` or a task-definition ARN of this region into
/// family and optional revision. `None` when the text cannot name a task definition.
fn parse_task_def_ref<'a>(region_name: &str, text: &'a str) -> Option<(&'a str, Option<u64>)> {
    let rest = if text.starts_with("arn:") {
        let prefix = format!(
            "arn:aws:ecs:{region_name}:{}:task-definition/",
            state::ACCOUNT
        );
        let rest = text.strip_prefix(prefix.as_str())?;
        rest.contains(':').then_some(rest)?
    } else {
        text
    };
    match rest.split_once(':') {
        None => Some((rest, None)),
        Some((family, rev)) => Some((family, Some(rev.parse().ok().filter(|r| *r > 0)?))),
    }
}

/// The task definition RunTask should use: a family's latest ACTIVE revision, or the
/// named revision (which must be ACTIVE).
pub(crate) fn resolve_task_def<'r>(
    region: &'r Region,
    region_name: &str,
    text: &str,
) -> ApiResult<&'r TaskDef> {
    let not_found = || ApiError::client("TaskDefinition not found.");
    let (family, revision) = parse_task_def_ref(region_name, text).ok_or_else(not_found)?;
    let revisions = region.task_defs.get(family).ok_or_else(not_found)?;
    let td = match revision {
        None => revisions.iter().rev().find(|td| td.active),
        Some(r) => revisions.get(r as usize - 1),
    }
    .ok_or_else(not_found)?;
    if !td.active {
        return Err(ApiError::client("TaskDefinition is inactive."));
    }
    Ok(td)
}

pub(crate) fn deregister_task_definition(
    app: &App,
    region_name: &str,
    input: &Input,
) -> ApiResult<Value> {
    let text = input.required_str("taskDefinition")?;
    let (family, revision) = parse_task_def_ref(region_name, text)
        .ok_or_else(|| ApiError::client("The specified task definition does not exist."))?;
    let revision = revision.ok_or_else(|| {
        ApiError::invalid("A revision is required: use family:revision or the full ARN.")
    })?;
    let moment = app.moment();
    let mut store = app.store();
    let td = store
        .region(region_name)
        .task_defs
        .get_mut(family)
        .and_then(|revs| revs.get_mut(revision as usize - 1))
        .ok_or_else(|| ApiError::client("The specified task definition does not exist."))?;
    let mut rendered = td.rendered.clone();
    rendered["status"] = json!("INACTIVE");
    if td.active {
        td.active = false;
        td.rendered["deregisteredAt"] = json!(moment.clock.epoch(moment.now));
    }
    rendered["deregisteredAt"] = td.rendered["deregisteredAt"].clone();
    Ok(json!({"taskDefinition": rendered}))
}
