//! `ecs-conform diff`: the same cases against two targets, answer by answer.

use crate::builtin::BuiltIn;
use crate::cli::DiffArgs;
use crate::{paths, Error, EXIT_FAILURES, EXIT_TARGET};
use ecs_conform::app::{self, SnapshotOptions, TargetChoice};
use ecs_reference::{ReferenceError, ReferenceOptions};

pub fn diff(args: DiffArgs) -> Result<u8, Error> {
    let paths = paths(args.suite.cases, args.suite.schemas, args.suite.add_cases)?;
    // `reference` on either side: a built-in reference target of its own.
    let start = |endpoint: &str| -> Result<Option<BuiltIn>, ReferenceError> {
        match endpoint {
            "reference" => BuiltIn::start(ReferenceOptions::default()).map(Some),
            _ => Ok(None),
        }
    };
    let (left, right) = (start(&args.endpoint)?, start(&args.against)?);
    let side = |endpoint: &str, built_in: &Option<BuiltIn>| TargetChoice {
        endpoint: built_in
            .as_ref()
            .map_or_else(|| endpoint.to_owned(), BuiltIn::endpoint),
        local: built_in.as_ref().map(|b| b.label.clone()),
        path_style: args.path_style,
        region: args.region.clone(),
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
        keep_exchanges: true,
        max_body: args.max_body.map(|b| b.bytes()),
        ..TargetChoice::default()
    };
    let differences = app::diff(
        &paths,
        &side(&args.endpoint, &left),
        &side(&args.against, &right),
        args.filter.as_deref(),
    )?;
    let mut count = 0;
    for (case, step, lines) in &differences {
        if *step == 0 {
            println!("{case}:");
        } else {
            println!("{case} step {step}:");
        }
        for l in lines {
            println!("  {l}");
            count += 1;
        }
    }
    println!(
        "ecs-conform diff: {count} difference(s) in {} step(s)",
        differences.len()
    );
    Ok(if differences.iter().any(|(_, step, _)| *step == 0) {
        // A case one side gave no usable answer to: a target error, not a difference.
        EXIT_TARGET
    } else if differences.is_empty() {
        0
    } else {
        EXIT_FAILURES
    })
}
