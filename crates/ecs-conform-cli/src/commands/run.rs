//! `ecs-conform run`: the target (flag, environment, target file, or the built-in
//! reference), the selection (tags, partition, libtest-style name filters), the
//! reporters and signals, then the one run loop of the library; reports and the exit
//! code of the run document.

use crate::builtin::BuiltIn;
use crate::cli::RunArgs;
use crate::reporters::{JsonLines, Lines, Progress};
use crate::{
    deviations, env, paths, signals, targets_dir, Error, EXIT_FAILURES, EXIT_INTERRUPTED,
    EXIT_NO_CASES, EXIT_TARGET,
};
use ecs_conform::app::{self, AppError, Selection, SnapshotOptions, TargetChoice};
use ecs_conform::report;
use ecs_conform::report::document::RunDocument;
use ecs_conform::report::profile::TargetProfile;
use ecs_conform::report::verdict::Verdict;
use ecs_conform::run::{Interrupt, Reporter};
use ecs_reference::ReferenceOptions;
use libtest_mimic::FormatSetting;
use std::io::Write;
use std::sync::Arc;

/// The region to sign for: the flag, else AWS_REGION, else AWS_DEFAULT_REGION, else
/// the target file's, else us-east-1.
pub fn region(flag: Option<String>, expectations: &TargetProfile) -> String {
    flag.or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .or_else(|| expectations.region.clone())
        .unwrap_or_else(|| "us-east-1".into())
}

/// The endpoint: the flag, else AWS_ENDPOINT_URL_ECS, else AWS_ENDPOINT_URL, else the
/// target file's, which may name it per region (https://ecs.${region}.amazonaws.com).
pub fn endpoint(
    flag: Option<String>,
    expectations: &TargetProfile,
    region: &str,
) -> Option<String> {
    flag.or_else(|| env("AWS_ENDPOINT_URL_ECS"))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| {
            expectations
                .endpoint
                .as_ref()
                .map(|e| e.replace("${region}", region))
        })
}

pub fn run(args: RunArgs) -> Result<u8, Error> {
    let paths = paths(args.suite.cases, args.suite.schemas, args.suite.add_cases)?;
    let mut expectations = match &args.target {
        Some(name) => {
            let dir = targets_dir(args.targets.clone(), &paths)?;
            TargetProfile::load(&dir, name)?
        }
        None => TargetProfile::default(),
    };
    expectations.deny.extend(args.deny);
    let region = region(args.connection.region, &expectations);
    let endpoint = endpoint(args.connection.endpoint, &expectations, &region);
    if let (Some(name), None) = (&args.target, &endpoint) {
        // Only a target file of kind `reference` may mean the built-in target: any
        // other would certify the reference under that target's name.
        if expectations.kind.as_deref() != Some("reference") {
            return Err(Error::App(AppError::Usage(format!(
                "target `{name}` ({}) names no endpoint: pass --endpoint URL (or set AWS_ENDPOINT_URL_ECS or AWS_ENDPOINT_URL); only a target file of `kind: reference` runs against the built-in reference target",
                expectations.file.display()
            ))));
        }
    }
    if endpoint.is_some() && !args.deviations.is_empty() {
        return Err(Error::App(AppError::Usage(
            "--deviation applies to the built-in reference target only; drop --endpoint (and AWS_ENDPOINT_URL*) to use it".into(),
        )));
    }
    let mut vars: Vec<(String, String)> = expectations
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    vars.extend(args.vars);
    let deviations = deviations(&args.deviations)?;
    let mut choice = TargetChoice {
        endpoint: endpoint.clone().unwrap_or_default(),
        local: None,
        path_style: expectations
            .path_style
            .unwrap_or(args.connection.path_style),
        region,
        timeout: args.connection.timeout,
        poll_interval: args.poll_interval,
        max_within: args.max_within,
        vars,
        kind: expectations.kind.clone(),
        snapshots: SnapshotOptions {
            disabled: args.no_snapshots,
            update: args.update_snapshots,
            force: args.force_snapshots,
            ignore: expectations
                .snapshot_ignore
                .iter()
                .map(|i| (i.path.clone(), i.reason.clone()))
                .collect(),
            known: expectations.known.clone(),
        },
        // The HTML report shows every step's request and answer.
        keep_exchanges: args.reports.report_html.is_some(),
        max_body: args.max_body.or(expectations.max_body).map(|b| b.bytes()),
    };
    let mut skip_tags: Vec<(String, String)> = expectations
        .skip
        .iter()
        .map(|s| (s.tag.clone(), s.reason.clone()))
        .collect();
    skip_tags.extend(
        args.skip_tags
            .into_iter()
            .map(|t| (t, "--skip-tag".to_owned())),
    );
    let libtest = &args.libtest;
    let selection = Selection {
        tags: args.tags,
        skip_tags,
        partition: args.partition,
        ..Selection::default()
    }
    .with_libtest(libtest);
    if libtest.list {
        // As libtest: every selected case (`--ignored`: only those skipped by tag).
        let mut out = std::io::stdout().lock();
        for (id, _) in app::list(&paths, &selection)? {
            // A closed pipe (`| head`) ends the list, never a panic.
            if writeln!(out, "{id}: test").is_err() {
                break;
            }
        }
        return Ok(0);
    }
    // `--test-threads` is libtest's name for `--jobs`.
    let jobs = args
        .jobs
        .or(libtest.test_threads)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    // A target that is not safe under concurrent calls says so in its target file.
    let jobs = match expectations.max_jobs {
        Some(max) if jobs > max.get() => {
            eprintln!(
                "note: {} runs at most {max} case(s) at a time (max_jobs in {}); --jobs {jobs} lowered to {max}",
                expectations.name.as_deref().unwrap_or("this target"),
                expectations.file.display()
            );
            max.get()
        }
        _ => jobs,
    };
    // No endpoint: the built-in reference target, running until this function returns.
    let built_in = match endpoint {
        Some(_) => None,
        None => Some(BuiltIn::start(ReferenceOptions {
            deviations,
            ..ReferenceOptions::default()
        })?),
    };
    if let Some(b) = &built_in {
        b.choose(&mut choice);
    }
    let interrupt = Interrupt::new();
    signals::watch(Arc::clone(&interrupt));
    let json = matches!(libtest.format, Some(FormatSetting::Json));
    let terse = libtest.quiet || matches!(libtest.format, Some(FormatSetting::Terse));
    let lines = Arc::new(Lines::new(
        terse,
        expectations.clone(),
        choice.region.clone(),
    ));
    let progress = Arc::new(Progress::new());
    let reporters: Vec<Box<dyn Reporter>> = if json {
        vec![Box::new(JsonLines::new(expectations.clone()))]
    } else {
        vec![
            Box::new(Arc::clone(&lines)),
            Box::new(Arc::clone(&progress)),
        ]
    };
    let report = app::run(
        &paths,
        &choice,
        &selection,
        jobs,
        &expectations,
        Arc::new(reporters),
        interrupt,
    )?;
    progress.finish();
    if !json && report.nothing_selected.is_none() && report.unreachable.is_none() {
        lines.finish();
    }
    if let Some(why) = &report.nothing_selected {
        // Reports are still written (an empty partition keeps a merge complete).
        let doc = app::document(&report, &expectations, &choice, args.partition);
        app::publish(&doc, &args.reports.outputs(), None)?;
        eprintln!("error: no cases to run: {why}");
        return Ok(EXIT_NO_CASES);
    }
    if let Some(reason) = &report.unreachable {
        eprintln!("error: target unreachable or unusable during setup, so no case ran: {reason}");
        return Ok(EXIT_TARGET);
    }
    let doc = app::document(&report, &expectations, &choice, args.partition);
    let outputs = args.reports.outputs();
    let coverage = match &outputs.markdown {
        Some(_) => Some(app::coverage(&paths)?.0),
        None => None,
    };
    app::publish(&doc, &outputs, coverage.as_deref())?;
    let summary = report::text::summary(&doc);
    if json {
        // Standard output holds only the JSON lines.
        eprintln!("\n{summary}");
    } else {
        println!("\n{summary}");
    }
    Ok(exit_code(&doc, expectations.stale_fails))
}

/// The exit code of a run document, for `run` and `merge` alike: interrupted, then
/// errors (target, setup or harness), then failures; a document in which no case got a
/// verdict (every case skipped) verified nothing and is never 0.
pub fn exit_code(doc: &RunDocument, stale_fails: bool) -> u8 {
    if doc.interrupted {
        EXIT_INTERRUPTED
    } else if doc.cases.iter().any(|c| c.verdict == Verdict::Error)
        || doc.setup_errors().next().is_some()
    {
        EXIT_TARGET
    } else if doc.fails(stale_fails) {
        EXIT_FAILURES
    } else if !doc.cases.iter().any(|c| {
        matches!(
            c.verdict,
            Verdict::Pass | Verdict::Fail | Verdict::Known | Verdict::Fixed
        )
    }) {
        eprintln!("error: no cases to run: no case of the document(s) got a verdict (every one was skipped)");
        EXIT_NO_CASES
    } else {
        0
    }
}
