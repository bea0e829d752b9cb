//! The task operations RunTask, StopTask and DescribeTasks as the contract documents
//! them, the dispatch of every operation, and the service state they share. ListTasks
//! lives in `list.rs`, the setup operations (clusters, task definitions) in `setup.rs`,
//! services (CreateService, DeleteService, ListServices) in `service.rs`, placement on the simulated
//! EC2 instance in `placement.rs`.
//!
//! Each operation validates its input first (types, required members, ranges), then
//! looks the cluster up, then acts. Hooks for the few deviations that change what an
//! operation does are marked `DEVIATION:`.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::deviation::{Deviation, Deviations};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::input::{self, cluster_name, Input};
use super::inventory;
use super::list;
use super::placement;
use super::service;
use super::setup;
use super::state::{self, Clock, Eni, Ids, Region, Stop, Store, Task, TaskContainer};
use super::view::{self, Moment};

/// The operations the reference serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    RunTask,
    StopTask,
    DescribeTasks,
    ListTasks,
    CreateCluster,
    DeleteCluster,
    RegisterTaskDefinition,
    DeregisterTaskDefinition,
    ListClusters,
    DescribeClusters,
    ListTaskDefinitions,
    CreateService,
    DeleteService,
    ListServices,
}

impl Op {
    const ALL: [Op; 14] = [
        Op::RunTask,
        Op::StopTask,
        Op::DescribeTasks,
        Op::ListTasks,
        Op::CreateCluster,
        Op::DeleteCluster,
        Op::RegisterTaskDefinition,
        Op::DeregisterTaskDefinition,
        Op::ListClusters,
        Op::DescribeClusters,
        Op::ListTaskDefinitions,
        Op::CreateService,
        Op::DeleteService,
        Op::ListServices,
    ];

    pub(crate) fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| format!("{op:?}") == name)
    }
}

/// The service: state, clock, id source, pace and deviations.
#[derive(Debug)]
pub(crate) struct App {
    store: Mutex<Store>,
    pub(crate) clock: Clock,
    pub(crate) ids: Ids,
    pub(crate) pace: Duration,
    pub(crate) devs: Deviations,
}

impl App {
    pub(crate) fn new(pace: Duration, deviations: &[Deviation]) -> Self {
        App {
            store: Mutex::default(),
            clock: Clock::new(),
            ids: Ids::new(),
            pace,
            devs: Deviations::new(deviations),
        }
    }

    /// The state; a panic elsewhere never makes it unusable.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn moment(&self) -> Moment<'_> {
        Moment {
            clock: &self.clock,
            pace: self.pace,
            now: self.clock.now(),
        }
    }

    fn has(&self, d: Deviation) -> bool {
        self.devs.has(d)
    }
}

/// Runs one operation on a request body (always a JSON object). A panic, which would
/// be a bug, becomes a ServerException rather than a dropped connection.
pub(crate) fn call(app: &App, region: &str, op: Op, body: &Map<String, Value>) -> ApiResult<Value> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        dispatch(app, region, op, body)
    }))
    .unwrap_or_else(|_| {
        Err(ApiError::new(
            ErrorKind::Server,
            "The reference target failed internally.",
        ))
    })
}

fn dispatch(app: &App, region: &str, op: Op, body: &Map<String, Value>) -> ApiResult<Value> {
    let input = Input(body);
    match op {
        Op::RunTask => run_task(app, region, &input),
        Op::StopTask => stop_task(app, region, &input),
        Op::DescribeTasks => describe_tasks(app, region, &input),
        Op::ListTasks => list::list_tasks(app, region, &input),
        Op::CreateCluster => setup::create_cluster(app, region, &input),
        Op::DeleteCluster => setup::delete_cluster(app, region, &input),
        Op::RegisterTaskDefinition => setup::register_task_definition(app, region, &input),
        Op::DeregisterTaskDefinition => setup::deregister_task_definition(app, region, &input),
        Op::ListClusters => inventory::list_clusters(app, region, &input),
        Op::DescribeClusters => inventory::describe_clusters(app, region, &input),
        Op::ListTaskDefinitions => inventory::list_task_definitions(app, region, &input),
        Op::CreateService => service::create_service(app, region, &input),
        Op::DeleteService => service::delete_service(app, region, &input),
        Op::ListServices => service::list_services(app, region, &input),
    }
}

pub(crate) const LAUNCH_TYPES: &[&str] = &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];

/// The Fargate platform versions RunTask knows (`LATEST` runs on 1.4.0).
const PLATFORM_VERSIONS: &[&str] = &["LATEST", "1.4.0", "1.3.0"];

pub(crate) fn one_of(key: &str, value: Option<&str>, allowed: &[&str]) -> ApiResult<()> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(ApiError::invalid(format!(
            "Invalid value for {key}: '{v}'. Valid values: {}.",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn require_cluster<'r>(region: &'r mut Region, name: &str) -> ApiResult<&'r mut Region> {
    if region.clusters.contains_key(name) {
        Ok(region)
    } else {
        Err(ApiError::cluster_not_found())
    }
}

/// What RunTask's awsvpcConfiguration asked for.
struct Awsvpc {
    subnets: Vec<String>,
}

fn awsvpc(input: &Input) -> ApiResult<Option<Awsvpc>> {
    let Some(net) = input.object("networkConfiguration")? else {
        return Ok(None);
    };
    let Some(cfg) = Input(net).object("awsvpcConfiguration")? else {
        return Ok(None);
    };
    let cfg = Input(cfg);
    let subnets = cfg.str_list("subnets")?.unwrap_or_default();
    cfg.str_list("securityGroups")?;
    one_of(
        "assignPublicIp",
        cfg.str("assignPublicIp")?,
        &["ENABLED", "DISABLED"],
    )?;
    if subnets.is_empty() {
        return Err(ApiError::invalid("subnets can not be empty."));
    }
    Ok(Some(Awsvpc {
        subnets: subnets.into_iter().map(str::to_string).collect(),
    }))
}

/// RunTask; CreateService starts its tasks through it too.
pub(crate) fn run_task(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    let td_ref = input.required_str("taskDefinition")?;
    let cluster = cluster_name(input)?;
    let count = input.int("count")?.unwrap_or(1);
    // DEVIATION: count-unchecked lifts the documented upper bound of 10.
    let max_count = if app.has(Deviation::CountUnchecked) {
        100
    } else {
        10
    };
    if !(1..=max_count).contains(&count) {
        return Err(ApiError::invalid(format!(
            "count must be between 1 and 10, got {count}."
        )));
    }
    let launch_type = input.str("launchType")?;
    one_of("launchType", launch_type, LAUNCH_TYPES)?;
    let strategy = input.objects("capacityProviderStrategy")?;
    let mut first_provider = None;
    for item in &strategy {
        let provider = item.required_str("capacityProvider")?;
        item.int("weight")?;
        item.int("base")?;
        first_provider.get_or_insert(provider.to_string());
    }
    if launch_type.is_some() && !strategy.is_empty() {
        return Err(ApiError::invalid(
            "Specifying both a launchType and capacityProviderStrategy is not supported.",
        ));
    }
    let group = input.str("group")?;
    let started_by = input.str("startedBy")?;
    if started_by.is_some_and(|s| s.chars().count() > 128) {
        return Err(ApiError::invalid(
            "startedBy can be at most 128 characters.",
        ));
    }
    let overrides = input.object("overrides")?;
    let override_names = match overrides {
        Some(o) => check_overrides(&Input(o))?,
        None => vec![],
    };
    let network = awsvpc(input)?;
    let platform_version = input.str("platformVersion")?;
    let propagate = input.str("propagateTags")?;
    one_of(
        "propagateTags",
        propagate,
        &["TASK_DEFINITION", "SERVICE", "NONE"],
    )?;
    // DEVIATION: unchecked-tags accepts any number and length of tags.
    let mut tags = input::tags(input, "tags", !app.has(Deviation::UncheckedTags))?;
    let exec = input.bool("enableExecuteCommand")?.unwrap_or(false);
    input.bool("enableECSManagedTags")?;
    input.str("referenceId")?;
    input.str("clientToken")?;
    input.objects("volumeConfigurations")?;
    let placement = placement::parse(input)?;

    let launch_type = match (&launch_type, &first_provider) {
        (Some(lt), _) => lt.to_string(),
        (None, Some(p)) if p.starts_with("FARGATE") => "FARGATE".to_string(),
        _ => "EC2".to_string(),
    };
    let fargate = launch_type == "FARGATE";

    let moment = app.moment();
    let mut store = app.store();
    let seqs: Vec<u64> = (0..count).map(|_| store.next_seq()).collect();
    // DEVIATION: auto-create-cluster creates the cluster RunTask names if it is missing.
    if app.has(Deviation::AutoCreateCluster) {
        setup::ensure_cluster(app, store.region(region_name), region_name, &cluster);
    }
    let region = require_cluster(store.region(region_name), &cluster)?;
    let td = setup::resolve_task_def(region, region_name, td_ref)?.clone();
    if fargate && !td.requires.iter().any(|r| r == "FARGATE") {
        return Err(ApiError::invalid(
            "Task definition does not support launch_type FARGATE.",
        ));
    }
    if !fargate && platform_version.is_some() {
        return Err(ApiError::invalid(
            "The platform version must be null when specifying an EC2 launch type.",
        ));
    }
    if fargate && platform_version.is_some_and(|v| !PLATFORM_VERSIONS.contains(&v)) {
        return Err(ApiError::new(
            ErrorKind::PlatformUnknown,
            "The specified platform version does not exist.",
        ));
    }
    if td.network_mode == "awsvpc" && network.is_none() {
        return Err(ApiError::invalid(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        ));
    }
    if td.network_mode != "awsvpc" && network.is_some() {
        return Err(ApiError::invalid(
            "Network Configuration is not valid for the given networkMode of this task definition.",
        ));
    }
    if let Some(name) = override_names
        .iter()
        .find(|n| !td.containers.iter().any(|c| &c.name == *n))
    {
        return Err(ApiError::invalid(format!(
            "Override for container named {name} is not a container in the TaskDefinition."
        )));
    }
    if propagate == Some("TASK_DEFINITION") {
        for tag in &td.tags {
            if !tags.iter().any(|t| t["key"] == tag["key"]) {
                tags.push(tag.clone());
            }
        }
    }
    let mut overrides = Value::Object(overrides.cloned().unwrap_or_default());
    if overrides.get("containerOverrides").is_none() {
        overrides["containerOverrides"] = json!([]);
    }
    let cpu = overrides["cpu"]
        .as_str()
        .map(str::to_string)
        .or(td.cpu.clone());
    let memory = overrides["memory"]
        .as_str()
        .map(str::to_string)
        .or(td.memory.clone());

    // DEVIATION: count-ignored always starts exactly one task.
    let count = if app.has(Deviation::CountIgnored) {
        1
    } else {
        count as usize
    };
    let cluster_arn = state::cluster_arn(region_name, &cluster);
    // EC2 tasks go on the cluster's simulated instance, as far as placement allows.
    let instance = region.clusters[&cluster].instance.clone();
    let on_ec2 = launch_type == "EC2";
    let (count, failures) = if on_ec2 {
        placement.place(&instance, &cluster_arn, count)
    } else {
        (count, vec![])
    };
    let mut rendered = vec![];
    for (i, seq) in seqs.into_iter().take(count).enumerate() {
        let id = app.ids.hex32();
        let arn = state::task_arn(region_name, &cluster, &id);
        let containers = td
            .containers
            .iter()
            .map(|c| TaskContainer {
                arn: format!(
                    "arn:aws:ecs:{region_name}:{}:container/{cluster}/{id}/{}",
                    state::ACCOUNT,
                    app.ids.uuid()
                ),
                name: c.name.clone(),
                image: c.image.clone(),
                cpu: c.cpu,
                memory: c.memory,
            })
            .collect();
        let eni = network.as_ref().map(|n| {
            let mac = app.ids.hex32();
            Eni {
                attachment_id: app.ids.uuid(),
                eni_id: format!("eni-{}", &app.ids.hex32()[..17]),
                subnet: n.subnets[i % n.subnets.len()].clone(),
                ip: format!("10.0.{}.{}", (seq / 250) % 250, seq % 250 + 4),
                mac: format!(
                    "0a:{}:{}:{}:{}:{}",
                    &mac[0..2],
                    &mac[2..4],
                    &mac[4..6],
                    &mac[6..8],
                    &mac[8..10]
                ),
            }
        });
        let task = Task {
            seq,
            id: id.clone(),
            arn,
            cluster: cluster.clone(),
            cluster_arn: cluster_arn.clone(),
            task_def_arn: td.arn.clone(),
            family: td.family.clone(),
            launch_type: launch_type.clone(),
            capacity_provider: first_provider.clone(),
            group: group.map_or_else(|| format!("family:{}", td.family), str::to_string),
            started_by: started_by.map(str::to_string),
            overrides: overrides.clone(),
            tags: tags.clone(),
            exec,
            platform_version: fargate.then(|| match platform_version {
                None | Some("LATEST") => "1.4.0".to_string(),
                Some(v) => v.to_string(),
            }),
            platform_family: fargate.then(|| "Linux".to_string()),
            cpu: cpu.clone(),
            memory: memory.clone(),
            availability_zone: format!("{region_name}a"),
            container_instance: on_ec2.then(|| instance.arn.clone()),
            eni,
            containers,
            created: moment.now,
            stop: None,
        };
        rendered.push(view::task(&task, &moment, true));
        region.by_id.insert(id, seq);
        region.tasks.insert(seq, task);
    }
    Ok(json!({"tasks": rendered, "failures": failures}))
}

/// Checks the overrides' types; returns the container names they override.
fn check_overrides<'a>(o: &Input<'a>) -> ApiResult<Vec<&'a str>> {
    o.str("cpu")?;
    o.str("memory")?;
    o.str("taskRoleArn")?;
    o.str("executionRoleArn")?;
    o.object("ephemeralStorage")?;
    o.objects("inferenceAcceleratorOverrides")?;
    let mut names = vec![];
    for c in o.objects("containerOverrides")? {
        if let Some(name) = c.str("name")? {
            names.push(name);
        }
        c.str_list("command")?;
        c.objects("environment")?;
        c.objects("environmentFiles")?;
        c.objects("resourceRequirements")?;
        c.int("cpu")?;
        c.int("memory")?;
        c.int("memoryReservation")?;
    }
    Ok(names)
}

fn stop_task(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    let task_ref = input.required_str("task")?;
    let reason = input.str("reason")?;
    if reason.is_some_and(|r| r.chars().count() > 255) {
        return Err(ApiError::invalid("reason can be at most 255 characters."));
    }
    let cluster = cluster_name(input)?;
    let moment = app.moment();
    let mut store = app.store();
    let region = require_cluster(store.region(region_name), &cluster)?;
    // DEVIATION: cross-cluster-lookup finds the task whatever cluster is asked.
    let found = if app.has(Deviation::CrossClusterLookup) {
        region.find_seq_in_any_cluster(task_ref)
    } else {
        region.find_seq(&cluster, task_ref)
    };
    let seq = match found {
        // DEVIATION: stop-on-empty-task stops the cluster's newest live task for `task: ""`.
        None if task_ref.is_empty() && app.has(Deviation::StopOnEmptyTask) => region
            .tasks
            .values()
            .filter(|t| t.cluster == cluster && t.stop.is_none())
            .map(|t| t.seq)
            .max(),
        found => found,
    };
    let Some(seq) = seq else {
        // DEVIATION: undocumented-error answers a type StopTask does not document.
        let kind = if app.has(Deviation::UndocumentedError) {
            ErrorKind::ResourceNotFound
        } else {
            ErrorKind::InvalidParameter
        };
        return Err(ApiError::new(kind, "The referenced task was not found."));
    };
    let Some(task) = region.tasks.get_mut(&seq) else {
        return Err(ApiError::invalid("The referenced task was not found."));
    };
    if task.stop.is_none() {
        task.stop = Some(Stop {
            at: moment.now,
            reason: reason.unwrap_or("Task stopped by user").to_string(),
            code: "UserInitiated",
        });
    }
    Ok(json!({"task": view::task(task, &moment, true)}))
}

fn describe_tasks(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    let refs = input
        .str_list("tasks")?
        .ok_or_else(|| ApiError::invalid("Missing required parameter: tasks."))?;
    // DEVIATION: empty-tasks-accepted lets an empty list through.
    if refs.is_empty() && !app.has(Deviation::EmptyTasksAccepted) {
        return Err(ApiError::invalid("Tasks cannot be empty."));
    }
    if refs.len() > 100 {
        return Err(ApiError::invalid("Tasks can have at most 100 items."));
    }
    let include = input.str_list("include")?.unwrap_or_default();
    for item in &include {
        one_of("include", Some(item), &["TAGS"])?;
    }
    // DEVIATION: tags-always sends tags without include TAGS.
    let with_tags = include.contains(&"TAGS") || app.has(Deviation::TagsAlways);
    let cluster = cluster_name(input)?;
    let moment = app.moment();
    let mut store = app.store();
    let region = require_cluster(store.region(region_name), &cluster)?;
    let mut tasks = vec![];
    let mut failures = vec![];
    for r in refs {
        // DEVIATION: cross-cluster-lookup finds the task whatever cluster is asked.
        let found = if app.has(Deviation::CrossClusterLookup) {
            region
                .find_seq_in_any_cluster(r)
                .and_then(|seq| region.tasks.get(&seq))
        } else {
            region.find_task(&cluster, r)
        };
        match found {
            Some(t) => tasks.push(view::task(t, &moment, with_tags)),
            None => {
                // A task asked for by id is named by its full ARN.
                // DEVIATION: missing-failure-bare-id repeats the id as given.
                let arn = if r.starts_with("arn:") || app.has(Deviation::MissingFailureBareId) {
                    r.to_string()
                } else {
                    super::state::task_arn(region_name, &cluster, r)
                };
                failures.push(json!({"arn": arn, "reason": "MISSING"}))
            }
        }
    }
    Ok(json!({"tasks": tasks, "failures": failures}))
}
