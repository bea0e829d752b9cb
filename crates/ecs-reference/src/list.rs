//! ListTasks: filters (`containerInstance` names the cluster's simulated instance,
//! `serviceName` one of its services, whose tasks carry the service's startedBy), the
//! default desiredStatus RUNNING, and paging in creation order with opaque nextTokens
//! bound to the filters they were issued for.

use serde_json::{json, Value};

use super::deviation::Deviation;
use super::error::{ApiError, ApiResult, ErrorKind};
use super::input::{cluster_name, Input};
use super::ops::{one_of, require_cluster, App, LAUNCH_TYPES};
use super::state::Task;

pub(crate) fn list_tasks(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    let family = input.str("family")?;
    let started_by = input.str("startedBy")?;
    let group = input.str("group")?;
    let launch_type = input.str("launchType")?;
    one_of("launchType", launch_type, LAUNCH_TYPES)?;
    let desired = input.str("desiredStatus")?;
    one_of("desiredStatus", desired, &["RUNNING", "PENDING", "STOPPED"])?;
    let service = input.str("serviceName")?;
    let instance = input.str("containerInstance")?;
    input.str("daemonName")?;
    let max = input.int("maxResults")?.unwrap_or(100);
    if !(1..=100).contains(&max) {
        return Err(ApiError::invalid(format!(
            "maxResults must be between 1 and 100, got {max}."
        )));
    }
    let token = input.str("nextToken")?;
    let cluster = cluster_name(input)?;
    let mut store = app.store();
    let region = require_cluster(store.region(region_name), &cluster)?;
    // A service of this cluster, by name or ARN: only the tasks it started.
    let service = match service {
        None => None,
        Some(text) => match region.find_service(&cluster, text) {
            Some(s) => Some(s.started_by.clone()),
            None => {
                return Err(ApiError::new(
                    ErrorKind::ServiceNotFound,
                    "Service not found.",
                ))
            }
        },
    };
    // The cluster's one simulated container instance, by ARN or id.
    let instance = match instance {
        None => None,
        Some(text) => {
            let own = &region.clusters[&cluster].instance;
            if !own.is_named_by(text) {
                return Err(ApiError::invalid(
                    "The referenced container instance was not found.",
                ));
            }
            Some(own.arn.clone())
        }
    };
    let scope = format!(
        "{region_name}|{cluster}|{family:?}|{started_by:?}|{group:?}|{launch_type:?}|{desired:?}|{instance:?}|{service:?}"
    );
    let after = match token {
        None => None,
        Some(t) => Some(decode_token(app, &scope, t)?),
    };
    // DEVIATION: list-includes-stopped drops the default RUNNING filter.
    // DEVIATION: ignore-desired-status-filter drops an explicit desiredStatus.
    let desired = match desired {
        Some(_) if app.devs.has(Deviation::IgnoreDesiredStatusFilter) => None,
        None if app.devs.has(Deviation::ListIncludesStopped) => None,
        None => Some("RUNNING"),
        Some(d) => Some(d),
    };
    // DEVIATION: repeat-page starts a page at the previous page's last task.
    let repeat = app.devs.has(Deviation::RepeatPage) && max >= 2;
    // DEVIATION: ignore-max-results sends everything at once.
    let page_size = if app.devs.has(Deviation::IgnoreMaxResults) {
        usize::MAX
    } else {
        max as usize
    };
    // DEVIATION: list-other-clusters and the ignore-*-filter deviations drop a filter.
    let every_cluster = app.devs.has(Deviation::ListOtherClusters);
    let family = family.filter(|_| !app.devs.has(Deviation::IgnoreFamilyFilter));
    let started_by = started_by.filter(|_| !app.devs.has(Deviation::IgnoreStartedByFilter));
    let launch_type = launch_type.filter(|_| !app.devs.has(Deviation::IgnoreLaunchTypeFilter));
    let instance = instance.filter(|_| !app.devs.has(Deviation::IgnoreContainerInstanceFilter));
    // DEVIATION: ignore-service-name-filter accepts a known service's name but drops the filter.
    let service = service.filter(|_| !app.devs.has(Deviation::IgnoreServiceNameFilter));
    let matching: Vec<&Task> = region
        .tasks
        .values()
        .filter(|t| match after {
            Some(seq) if repeat => t.seq >= seq,
            Some(seq) => t.seq > seq,
            None => true,
        })
        .filter(|t| every_cluster || t.cluster == cluster)
        .filter(|t| family.is_none_or(|f| t.family == f))
        .filter(|t| started_by.is_none_or(|s| t.started_by.as_deref() == Some(s)))
        .filter(|t| group.is_none_or(|g| t.group == g))
        .filter(|t| {
            service
                .as_ref()
                .is_none_or(|s| t.started_by.as_deref() == Some(s.as_str()))
        })
        .filter(|t| launch_type.is_none_or(|l| t.launch_type == l))
        .filter(|t| {
            instance
                .as_ref()
                .is_none_or(|i| t.container_instance.as_ref() == Some(i))
        })
        .filter(|t| match desired {
            Some("PENDING") => false,
            Some(d) => t.desired_status() == d,
            None => true,
        })
        .collect();
    let page: Vec<&Task> = matching.iter().take(page_size).copied().collect();
    let mut out = json!({"taskArns": page.iter().map(|t| &t.arn).collect::<Vec<_>>()});
    if matching.len() > page.len() {
        if let Some(last) = page.last() {
            out["nextToken"] = json!(encode_token(app, &scope, last.seq));
        }
    }
    Ok(out)
}

fn encode_token(app: &App, scope: &str, seq: u64) -> String {
    format!("{seq:x}.{}", app.ids.mac(&format!("{scope}|{seq}")))
}

fn decode_token(app: &App, scope: &str, token: &str) -> ApiResult<u64> {
    let bad = || ApiError::invalid("Invalid nextToken.");
    let (seq, mac) = token.split_once('.').ok_or_else(bad)?;
    let seq = u64::from_str_radix(seq, 16).map_err(|_| bad())?;
    if app.ids.mac(&format!("{scope}|{seq}")) != mac {
        return Err(bad());
    }
    Ok(seq)
}
