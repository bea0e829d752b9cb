//! `ecs-conform run`: the target (flag, environment, target file, or the built-in
//! reference), its credentials, the selection (tags, partition, name filters), the
//! reporters and signals, then the one run loop of the library; reports, the exit
//! code of the run document, and `--record` (`record.rs`).

use super::pace::pace;
use crate::builtin::BuiltIn;
use crate::cli::{Format, RunArgs};
use crate::credentials;
use crate::reporters::{JsonLines, Lines, Progress};
use crate::{
    deviations, env, paths, signals, targets_dir, Error, EXIT_FAILURES, EXIT_INTERRUPTED,
    EXIT_NO_CASES, EXIT_TARGET,
};
use ecs_conform::app::{self, AppError, Selection, SnapshotOptions, TaggedSkips, TargetChoice};
use ecs_conform::report;
use ecs_conform::report::document::RunDocument;
use ecs_conform::report::profile::TargetProfile;
use ecs_conform::report::verdict::Verdict;
use ecs_conform::run::{Interrupt, Reporter};
use ecs_reference::ReferenceOptions;
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

/// The target file `--target NAME` names (in `--targets`, else beside the cases, else
/// the built-in ones); none: an empty profile.
pub fn target_file(
    name: Option<&str>,
    targets: Option<std::path::PathBuf>,
    paths: &ecs_conform::app::Paths,
) -> Result<TargetProfile, Error> {
    match name {
        Some(name) => Ok(TargetProfile::load(&targets_dir(targets, paths)?, name)?),
        None => Ok(TargetProfile::default()),
    }
}

/// A target file that names no endpoint needs one from the flag or the environment:
/// only a target file of kind `reference` may mean the built-in target (any other
/// would certify the reference under that target's name).
pub fn check_endpoint_named(
    name: Option<&str>,
    expectations: &TargetProfile,
    endpoint: Option<&str>,
) -> Result<(), Error> {
    match (name, endpoint) {
        (Some(name), None) if expectations.kind.as_deref() != Some("reference") => {
            Err(Error::App(AppError::Usage(format!(
                "target `{name}` ({}) names no endpoint: pass --endpoint URL (or set AWS_ENDPOINT_URL_ECS or AWS_ENDPOINT_URL); only a target file of `kind: reference` runs against the built-in reference target",
                expectations.file.display()
            ))))
        }
        _ => Ok(()),
    }
}

pub fn run(args: RunArgs) -> Result<u8, Error> {
    let record = args.record;
    let paths = paths(args.suite.cases, args.suite.schemas, args.suite.add_cases)?;
    let mut expectations = target_file(args.target.as_deref(), args.targets.clone(), &paths)?;
    expectations.deny.extend(args.deny);
    let region = region(args.connection.region, &expectations);
    let endpoint = endpoint(args.connection.endpoint, &expectations, &region);
    check_endpoint_named(args.target.as_deref(), &expectations, endpoint.as_deref())?;
    if endpoint.is_some() && !args.deviations.is_empty() {
        return Err(Error::App(AppError::Usage(
            "--deviation applies to the built-in reference target only; drop --endpoint (and AWS_ENDPOINT_URL*) to use it".into(),
        )));
    }
    let vars = expectations.vars_with(args.vars);
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
        credentials: None,
        ..TargetChoice::default()
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
    let select = &args.select;
    let selection = Selection {
        tags: args.tags,
        skip_tags,
        partition: args.partition,
        filter: select.filter.clone(),
        exact: select.exact,
        skip: select.skip.clone(),
        tagged_skips: if select.only_skipped {
            TaggedSkips::RunOnly
        } else if select.include_skipped {
            TaggedSkips::Run
        } else {
            TaggedSkips::Report
        },
        ..Selection::default()
    };
    if select.list {
        // Every selected case (`--only-skipped`: only those skipped by tag), one id a
        // line; with `--format json`, one object a line.
        let mut out = std::io::stdout().lock();
        for (id, skipped) in app::list(&paths, &selection)? {
            let line = match select.format {
                Format::Json => serde_json::json!({"case": id, "skipped": skipped}).to_string(),
                _ => id,
            };
            // A closed pipe (`| head`) ends the list, never a panic.
            if writeln!(out, "{line}").is_err() {
                break;
            }
        }
        return Ok(0);
    }
    if let Some(endpoint) = &endpoint {
        let (credentials, note) =
            credentials::resolve(endpoint, &choice.region, &args.connection.credentials)?;
        if let Some(note) = note {
            eprintln!("{note}");
        }
        choice.credentials = Some(credentials);
    }
    // A target that is not safe under concurrent calls says so in its target file
    // (`max_jobs`).
    let pace = pace(
        args.jobs,
        args.poll_interval,
        args.max_within,
        &expectations,
    );
    if let Some(note) = &pace.note {
        eprintln!("note: {note}");
    }
    choice.poll_interval = pace.poll_interval;
    choice.max_within = pace.max_within;
    choice.slow_after = args.slow_after;
    let jobs = pace.jobs;
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
    let json = select.format == Format::Json;
    let terse = select.quiet || select.format == Format::Terse;
    let lines = Arc::new(Lines::new(
        terse,
        expectations.clone(),
        choice.region.clone(),
    ));
    let progress = Arc::new(Progress::new(expectations.clone()));
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
        if record {
            eprintln!("error: not recorded: no case ran");
        }
        if json {
            json_summary(&doc, "no cases to run", EXIT_NO_CASES);
        }
        return Ok(EXIT_NO_CASES);
    }
    if let Some(reason) = &report.unreachable {
        eprintln!("error: target unreachable or unusable during setup, so no case ran: {reason}");
        if record {
            eprintln!("error: not recorded: no case ran");
        }
        if json {
            let doc = app::document(&report, &expectations, &choice, args.partition);
            json_summary(&doc, "target unreachable", EXIT_TARGET);
        }
        return Ok(EXIT_TARGET);
    }
    let doc = app::document(&report, &expectations, &choice, args.partition);
    let outputs = args.reports.outputs();
    let coverage = match (&outputs.markdown, &outputs.html) {
        (None, None) => None,
        _ => Some(app::coverage_of(&paths)?),
    };
    app::publish(&doc, &outputs, coverage.as_ref())?;
    let summary = report::text::summary(&doc);
    let code = exit_code(&doc, expectations.stale_fails);
    if json {
        // Standard output holds only JSON lines: the summary is one too.
        let first = summary.lines().last().unwrap_or_default();
        json_summary(&doc, first, code);
    } else {
        println!("\n{summary}");
    }
    if record {
        return Ok(super::record::record(&doc, &expectations, code, json));
    }
    Ok(code)
}

/// `--format json`: the run's last line, a JSON object with the count per verdict.
fn json_summary(doc: &RunDocument, summary: &str, exit_code: u8) {
    let line = serde_json::json!({
        "event": "summary",
        "summary": summary,
        "totals": doc.totals,
        "interrupted": doc.interrupted,
        "target": doc.target,
        "exit_code": exit_code,
    });
    let _ = writeln!(std::io::stdout().lock(), "{line}");
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
