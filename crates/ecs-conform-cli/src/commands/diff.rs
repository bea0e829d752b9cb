//! `ecs-conform diff`: the same cases against two targets, answer by answer. The first
//! endpoint is found as `run` finds it (flag, environment, target file, else the
//! built-in reference); both sides get the same region, path style, variables, pace,
//! body cap and run id, so what differs is the targets.

use super::pace::pace;
use super::run::{check_endpoint_named, endpoint, region, target_file};
use crate::builtin::BuiltIn;
use crate::cli::DiffArgs;
use crate::credentials;
use crate::{paths, Error, EXIT_FAILURES, EXIT_TARGET};
use ecs_conform::app::{self, Selection, SnapshotOptions, TargetChoice};
use ecs_reference::{ReferenceError, ReferenceOptions};

pub fn diff(args: DiffArgs) -> Result<u8, Error> {
    let paths = paths(args.suite.cases, args.suite.schemas, args.suite.add_cases)?;
    let expectations = target_file(args.target.as_deref(), args.targets.clone(), &paths)?;
    let region = region(args.connection.region, &expectations);
    let first = endpoint(args.connection.endpoint, &expectations, &region);
    check_endpoint_named(args.target.as_deref(), &expectations, first.as_deref())?;
    let first = first.unwrap_or_else(|| "reference".to_owned());
    // `reference` on either side: a built-in reference target of its own.
    let start = |endpoint: &str| -> Result<Option<BuiltIn>, ReferenceError> {
        match endpoint {
            "reference" => BuiltIn::start(ReferenceOptions::default()).map(Some),
            _ => Ok(None),
        }
    };
    let (left, right) = (start(&first)?, start(&args.against)?);
    // One case at a time unless asked: answers then depend on the target alone, not on
    // what other cases do meanwhile (a target file's `jobs` is for runs).
    let pace = pace(
        Some(args.jobs.unwrap_or(1)),
        args.poll_interval,
        args.max_within,
        &expectations,
    );
    if let Some(note) = &pace.note {
        eprintln!("note: {note}");
    }
    let vars = expectations.vars_with(args.vars);
    // Credentials as `run` resolves them (the AWS SDKs' chain), for each side that is
    // not a built-in reference.
    let credentials = |built_in: &Option<BuiltIn>, endpoint: &str| match built_in {
        Some(_) => Ok(None),
        None => {
            let (source, note) =
                credentials::resolve(endpoint, &region, &args.connection.credentials)?;
            if let Some(note) = note {
                eprintln!("{note}");
            }
            Ok::<_, Error>(Some(source))
        }
    };
    let (left_credentials, right_credentials) = (
        credentials(&left, &first)?,
        credentials(&right, &args.against)?,
    );
    let side = |endpoint: &str, built_in: &Option<BuiltIn>| TargetChoice {
        endpoint: built_in
            .as_ref()
            .map_or_else(|| endpoint.to_owned(), BuiltIn::endpoint),
        local: built_in.as_ref().map(|b| b.label.clone()),
        path_style: expectations
            .path_style
            .unwrap_or(args.connection.path_style),
        region: region.clone(),
        timeout: args.connection.timeout,
        poll_interval: pace.poll_interval,
        max_within: pace.max_within,
        vars: vars.clone(),
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
        keep_exchanges: true,
        max_body: args.max_body.or(expectations.max_body).map(|b| b.bytes()),
        ..TargetChoice::default()
    };
    let selection = Selection {
        filter: args.filter,
        skip_tags: expectations
            .skip
            .iter()
            .map(|s| (s.tag.clone(), s.reason.clone()))
            .collect(),
        ..Selection::default()
    };
    let report = app::diff(
        &paths,
        &TargetChoice {
            kind: expectations.kind.clone(),
            credentials: left_credentials,
            ..side(&first, &left)
        },
        &TargetChoice {
            credentials: right_credentials,
            ..side(&args.against, &right)
        },
        &selection,
        pace.jobs,
    )?;
    let differences = &report.differences;
    let mut count = 0;
    for d in differences {
        match d.step {
            Some(step) => println!("{} step {step} ({}):", d.case, d.call),
            None => println!("{}:", d.case),
        }
        for l in &d.lines {
            println!("  {l}");
            count += 1;
        }
    }
    if report.unconfirmed > 0 {
        println!(
            "({} difference(s) left out: they did not happen again when their cases ran a second time, so they depend on timing, not on the targets)",
            report.unconfirmed
        );
    }
    println!(
        "ecs-conform diff: {count} difference(s) in {} step(s); {} step(s) answered on both sides compared",
        differences.len(),
        report.compared
    );
    Ok(if differences.iter().any(|d| d.step.is_none()) {
        // A case one side gave no usable answer to: a target error, not a difference.
        EXIT_TARGET
    } else if differences.is_empty() {
        0
    } else {
        EXIT_FAILURES
    })
}
