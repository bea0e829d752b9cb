//! Read-only setup operations that find what exists: ListClusters, DescribeClusters and
//! ListTaskDefinitions. `ecs-conform cleanup` uses them to find what runs left, and a run
//! uses DescribeClusters to see whether its run id is already in use. Paging works as in
//! AWS (maxResults 1..100, an opaque nextToken bound to the request it was issued for).

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::input::Input;
use super::ops::{one_of, App};
use super::setup::counts;
use super::view;

/// `maxResults` (1..100, default 100).
fn page_size(input: &Input) -> ApiResult<usize> {
    let max = input.int("maxResults")?.unwrap_or(100);
    if !(1..=100).contains(&max) {
        return Err(ApiError::invalid(format!(
            "maxResults must be between 1 and 100, got {max}."
        )));
    }
    Ok(max as usize)
}

/// One page of `items` (after the position `nextToken` names) as `{key: [...], nextToken?}`.
fn page(app: &App, scope: &str, input: &Input, key: &str, items: Vec<String>) -> ApiResult<Value> {
    let size = page_size(input)?;
    let start = match input.str("nextToken")? {
        None => 0,
        Some(token) => {
            let bad = || ApiError::invalid("Invalid nextToken.");
            let (pos, mac) = token.split_once('.').ok_or_else(bad)?;
            let pos = usize::from_str_radix(pos, 16).map_err(|_| bad())?;
            if app.ids.mac(&format!("{scope}|{pos}")) != mac {
                return Err(bad());
            }
            pos
        }
    };
    let end = start.saturating_add(size).min(items.len());
    let mut out = json!({ key: items.get(start..end).unwrap_or_default() });
    if end < items.len() {
        out["nextToken"] = json!(format!(
            "{end:x}.{}",
            app.ids.mac(&format!("{scope}|{end}"))
        ));
    }
    Ok(out)
}

pub(crate) fn list_clusters(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    page_size(input)?;
    let arns: Vec<String> = {
        let mut store = app.store();
        store
            .region(region_name)
            .clusters
            .values()
            .map(|c| c.arn.clone())
            .collect()
    };
    page(
        app,
        &format!("clusters|{region_name}"),
        input,
        "clusterArns",
        arns,
    )
}

/// Clusters by name or ARN (default: `default`); unknown ones are `MISSING` failures.
pub(crate) fn describe_clusters(app: &App, region_name: &str, input: &Input) -> ApiResult<Value> {
    let names = input
        .str_list("clusters")?
        .unwrap_or_else(|| vec!["default"]);
    input.str_list("include")?;
    let moment = app.moment();
    let mut store = app.store();
    let region = store.region(region_name);
    let (mut clusters, mut failures) = (Vec::new(), Vec::new());
    for text in names {
        let name = match text.split_once(":cluster/") {
            Some((_, name)) if text.starts_with("arn:") => name,
            _ => text,
        };
        match region.clusters.get(name) {
            Some(c) => {
                let (running, pending) = counts(region, name, &moment);
                clusters.push(view::cluster(c, "ACTIVE", running, pending));
            }
            None => failures.push(json!({
                "arn": if text.starts_with("arn:") {
                    text.to_string()
                } else {
                    super::state::cluster_arn(region_name, text)
                },
                "reason": "MISSING",
            })),
        }
    }
    Ok(json!({"clusters": clusters, "failures": failures}))
}

/// Task definition ARNs, optionally of one family (`familyPrefix` is, despite its
/// name, the full family name, as in AWS), of one status (default ACTIVE), by family
/// and revision (`sort` DESC reverses).
pub(crate) fn list_task_definitions(
    app: &App,
    region_name: &str,
    input: &Input,
) -> ApiResult<Value> {
    let family = input.str("familyPrefix")?;
    let status = input.str("status")?;
    one_of(
        "status",
        status,
        &["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"],
    )?;
    let sort = input.str("sort")?;
    one_of("sort", sort, &["ASC", "DESC"])?;
    page_size(input)?;
    let active = status.unwrap_or("ACTIVE") == "ACTIVE";
    let wanted_inactive = status == Some("INACTIVE");
    let mut arns: Vec<String> = {
        let mut store = app.store();
        store
            .region(region_name)
            .task_defs
            .iter()
            .filter(|(name, _)| family.is_none_or(|f| f == name.as_str()))
            .flat_map(|(_, revisions)| revisions.iter())
            .filter(|td| {
                if active {
                    td.active
                } else {
                    wanted_inactive && !td.active
                }
            })
            .map(|td| td.arn.clone())
            .collect()
    };
    if sort == Some("DESC") {
        arns.reverse();
    }
    let scope = format!("taskdefs|{region_name}|{family:?}|{status:?}|{sort:?}");
    page(app, &scope, input, "taskDefinitionArns", arns)
}
