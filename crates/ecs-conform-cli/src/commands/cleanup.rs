//! `ecs-conform cleanup`: removes what runs left on a target (found by run id).

use super::run::{endpoint, region};
use crate::cli::CleanupArgs;
use crate::credentials;
use crate::{paths, targets_dir, Error, EXIT_TARGET};
use ecs_conform::app::{self, AppError};
use ecs_conform::report::profile::TargetProfile;

/// `cleanup`: the endpoint as `run` finds it (flag, environment, target file); there is
/// nothing to clean on the built-in reference, so an endpoint is required.
pub fn cleanup(args: CleanupArgs) -> Result<u8, Error> {
    let expectations = match &args.target {
        Some(name) => {
            let paths = paths(None, None, Vec::new())?;
            let dir = targets_dir(args.targets.clone(), &paths)?;
            TargetProfile::load(&dir, name)?
        }
        None => TargetProfile::default(),
    };
    let region = region(args.connection.region, &expectations);
    let endpoint = endpoint(args.connection.endpoint, &expectations, &region).ok_or_else(|| {
            AppError::Usage(
                "cleanup needs the target's endpoint: --endpoint URL, AWS_ENDPOINT_URL_ECS, or --target NAME".into(),
            )
        })?;
    let scope = match args.run_id {
        Some(id) => app::CleanupScope::RunId(id),
        None => app::CleanupScope::AllRuns,
    };
    let (credentials, note) =
        credentials::resolve(&endpoint, &region, &args.connection.credentials)?;
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let target = app::CleanupTarget {
        endpoint: endpoint.clone(),
        path_style: expectations
            .path_style
            .unwrap_or(args.connection.path_style),
        region,
        timeout: args.connection.timeout,
        drain: args.drain,
        credentials: Some(credentials),
    };
    let summary = app::cleanup(&target, &scope)?;
    for service in &summary.services {
        println!("deleted service {service}");
    }
    for task in &summary.tasks {
        println!("stopped task {task}");
    }
    for cluster in &summary.clusters {
        println!("deleted cluster {cluster}");
    }
    for td in &summary.task_definitions {
        println!("deregistered task definition {td}");
    }
    for (resource, why) in &summary.failed {
        println!("could not remove {resource}: {why}");
    }
    println!(
        "ecs-conform cleanup: deleted {} service(s), stopped {} task(s), deleted {} cluster(s), deregistered {} task definition(s) on {endpoint}{}",
        summary.services.len(),
        summary.tasks.len(),
        summary.clusters.len(),
        summary.task_definitions.len(),
        if summary.failed.is_empty() {
            String::new()
        } else {
            format!("; {} could not be removed", summary.failed.len())
        }
    );
    Ok(if summary.failed.is_empty() {
        0
    } else {
        EXIT_TARGET
    })
}
