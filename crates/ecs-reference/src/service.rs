//! Services, as far as the ListTasks `serviceName` filter needs them: CreateService
//! starts `desiredCount` tasks through RunTask's own code path (group
//! `service:<name>`, startedBy `ecs-svc/<deployment id>`) and remembers the service;
//! DeleteService stops its tasks (stopCode ServiceSchedulerInitiated) and forgets it;
//! ListServices lists a cluster's services (for `ecs-conform cleanup`).
//! A service never replaces a task that stops: there is no scheduler.

use serde_json::{json, Map, Value};

use super::error::{ApiError, ApiResult, ErrorKind};
use super::input::{cluster_name, valid_name, Input};
use super::ops::{self, one_of, require_cluster, App, LAUNCH_TYPES};
use super::setup;
use super::state::{self, Region, Status, Stop};

/// RunTask starts at most this many tasks per call.
const RUN_TASK_MAX: i64 = 10;

/// An ACTIVE service of a cluster.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) cluster: String,
    pub(crate) task_def_arn: String,
    pub(crate) desired_count: i64,
    pub(crate) launch_type: String,
    /// `ecs-svc/<deployment id>`: the startedBy of every task the service started.
    pub(crate) started_by: String,
}

impl Service {
    /// Whether `text` names it: its name or its ARN (long or older short format).
    fn is_named_by(&self, text: &str) -> bool {
        text == self.name || text == self.arn || short_arn_name(text) == Some(&self.name)
    }
}

/// The name in an older short-format service ARN, `arn:…:service/<name>`.
fn short_arn_name(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("arn:")?.split_once(":service/")?.1;
    (!rest.contains('/')).then_some(rest)
}

pub(crate) fn service_arn(region: &str, cluster: &str, name: &str) -> String {
    format!(
        "arn:aws:ecs:{region}:{}:service/{cluster}/{name}",
        state::ACCOUNT
    )
}

impl Region {
    /// The ACTIVE service of `cluster` that `text` (a name or an ARN) names.
    pub(crate) fn find_service(&self, cluster: &str, text: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.cluster == cluster && s.is_named_by(text))
    }

    /// Whether `cluster` has an ACTIVE service.
    pub(crate) fn has_services(&self, cluster: &str) -> bool {
        self.services.iter().any(|s| s.cluster == cluster)
    }
}

pub(crate) fn create_service(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    let name = input.required_str("serviceName")?;
    if !valid_name(name) {
        return Err(ApiError::invalid(
            "Service name must be 1 to 255 letters, numbers, hyphens and underscores.",
        ));
    }
    let td_ref = input.required_str("taskDefinition")?;
    let desired = input.int("desiredCount")?.unwrap_or(0);
    if desired < 0 {
        return Err(ApiError::invalid("desiredCount must be 0 or more."));
    }
    let launch_type = input.str("launchType")?;
    one_of("launchType", launch_type, LAUNCH_TYPES)?;
    let network = input.object("networkConfiguration")?;
    let platform_version = input.str("platformVersion")?;
    let cluster = cluster_name(input)?;
    let deployment = format!("ecs-svc/{}", &app.ids.hex32()[..19]);
    let service = {
        let mut store = app.store();
        let region = require_cluster(store.region(region_name), &cluster)?;
        let td = setup::resolve_task_def(region, region_name, td_ref)?;
        if region.find_service(&cluster, name).is_some() {
            return Err(ApiError::invalid("Creation of service was not idempotent."));
        }
        let service = Service {
            name: name.to_string(),
            arn: service_arn(region_name, &cluster, name),
            cluster: cluster.clone(),
            task_def_arn: td.arn.clone(),
            desired_count: desired,
            launch_type: launch_type.unwrap_or("EC2").to_string(),
            started_by: deployment.clone(),
        };
        // Remembered before its tasks start, so a second CreateService of the name
        // is refused even while they do.
        region.services.push(service.clone());
        service
    };
    let mut run = Map::new();
    run.insert("cluster".into(), json!(cluster));
    run.insert("taskDefinition".into(), json!(service.task_def_arn));
    run.insert("group".into(), json!(format!("service:{name}")));
    run.insert("startedBy".into(), json!(deployment));
    run.insert("launchType".into(), json!(service.launch_type));
    if let Some(n) = network {
        run.insert("networkConfiguration".into(), Value::Object(n.clone()));
    }
    if let Some(p) = platform_version {
        run.insert("platformVersion".into(), json!(p));
    }
    let mut left = desired;
    while left > 0 {
        let count = left.min(RUN_TASK_MAX);
        run.insert("count".into(), json!(count));
        if let Err(e) = ops::run_task(app, region_name, &Input(&run)) {
            let mut store = app.store();
            let region = store.region(region_name);
            region.services.retain(|s| s.arn != service.arn);
            stop_tasks(app, region, &service);
            return Err(e);
        }
        left -= count;
    }
    let mut store = app.store();
    Ok(json!({"service": render(app, store.region(region_name), region_name, &service, "ACTIVE")}))
}

pub(crate) fn delete_service(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    let text = input.required_str("service")?;
    let force = input.bool("force")?.unwrap_or(false);
    let cluster = cluster_name(input)?;
    let mut store = app.store();
    let region = require_cluster(store.region(region_name), &cluster)?;
    let Some(service) = region.find_service(&cluster, text).cloned() else {
        return Err(ApiError::new(
            ErrorKind::ServiceNotFound,
            "Service not found.",
        ));
    };
    if service.desired_count > 0 && !force {
        return Err(ApiError::invalid(
            "The service cannot be stopped while it is scaled above 0.",
        ));
    }
    stop_tasks(app, region, &service);
    region.services.retain(|s| s.arn != service.arn);
    let mut rendered = render(app, region, region_name, &service, "DRAINING");
    rendered["desiredCount"] = json!(0);
    Ok(json!({ "service": rendered }))
}

/// ListServices: the ARNs of a cluster's ACTIVE services, in one page.
pub(crate) fn list_services(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    input.str("nextToken")?;
    input.int("maxResults")?;
    let launch_type = input.str("launchType")?;
    one_of("launchType", launch_type, LAUNCH_TYPES)?;
    input.str("schedulingStrategy")?;
    let cluster = cluster_name(input)?;
    let mut store = app.store();
    let region = require_cluster(store.region(region_name), &cluster)?;
    let arns: Vec<&String> = region
        .services
        .iter()
        .filter(|s| s.cluster == cluster)
        .filter(|s| launch_type.is_none_or(|l| s.launch_type == l))
        .map(|s| &s.arn)
        .collect();
    Ok(json!({ "serviceArns": arns }))
}

/// Stops every live task the service started, as its scheduler does.
fn stop_tasks(app: &App, region: &mut Region, service: &Service) {
    let now = app.clock.now();
    for task in region.tasks.values_mut() {
        if task.cluster == service.cluster
            && task.started_by.as_deref() == Some(service.started_by.as_str())
            && task.stop.is_none()
        {
            task.stop = Some(Stop {
                at: now,
                reason: format!(
                    "Scaling activity initiated by (deployment {})",
                    service.started_by
                ),
                code: "ServiceSchedulerInitiated",
            });
        }
    }
}

/// The `Service` object with its live tasks counted.
fn render(app: &App, region: &Region, region_name: &str, s: &Service, status: &str) -> Value {
    let moment = app.moment();
    let (mut running, mut pending) = (0, 0);
    let live = region.tasks.values().filter(|t| {
        t.cluster == s.cluster
            && t.started_by.as_deref() == Some(s.started_by.as_str())
            && t.stop.is_none()
    });
    for t in live {
        if t.status(moment.now, moment.pace) == Status::Running {
            running += 1;
        } else {
            pending += 1;
        }
    }
    json!({
        "serviceArn": s.arn,
        "serviceName": s.name,
        "clusterArn": state::cluster_arn(region_name, &s.cluster),
        "status": status,
        "desiredCount": s.desired_count,
        "runningCount": running,
        "pendingCount": pending,
        "launchType": s.launch_type,
        "taskDefinition": s.task_def_arn,
    })
}
