//! The `ecs-conform` command line: subcommands, flags, environment variables and exit
//! codes. Everything else lives in the library.
//!
//! Exit codes: 0 all passed (or known), 1 contract failures, 2 bad input or usage
//! (case file, schema, target file, flag, a target file without an endpoint, an
//! incomplete set of partitions to merge, a run id already in use on the target),
//! 3 target unreachable, target errors, setup errors (a fixture could not be set up)
//! or a case that did not finish normally, 4 no cases to run (a tag, name filter, `--skip`, partition
//! or empty folder selected nothing, or every selected case is skipped by tag),
//! 130 interrupted (Ctrl-C, SIGTERM or SIGHUP; a second signal quits at once).

mod builtin;
mod cli;
mod reporters;
mod signals;

use builtin::BuiltIn;
use clap::Parser;
use cli::{CleanupArgs, Cli, Command, DiffArgs, RunArgs, SnapshotAction};
use ecs_conform::app::{self, AppError, Paths, Selection, SnapshotOptions, TargetChoice};
use ecs_conform::report;
use ecs_conform::report::document::RunDocument;
use ecs_conform::report::profile::TargetProfile;
use ecs_conform::report::verdict::Verdict;
use ecs_conform::run::{Interrupt, Reporter};
use ecs_reference::ReferenceError;
use ecs_reference::{Deviation, ReferenceOptions};
use libtest_mimic::FormatSetting;
use reporters::{JsonLines, Lines, Progress};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

const EXIT_FAILURES: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_TARGET: u8 = 3;
/// As nextest: the filters selected no case, so nothing was verified.
const EXIT_NO_CASES: u8 = 4;
const EXIT_INTERRUPTED: u8 = 130;

fn deviations(names: &[String]) -> Result<Vec<Deviation>, AppError> {
    names
        .iter()
        .map(|n| {
            n.parse::<Deviation>()
                .map_err(|e| AppError::Usage(e.to_string()))
        })
        .collect()
}

/// Why a command failed: the library's errors, and the built-in target not starting.
#[derive(Debug, thiserror::Error)]
enum Error {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
}

impl From<ecs_conform::report::profile::TargetProfileError> for Error {
    fn from(e: ecs_conform::report::profile::TargetProfileError) -> Error {
        Error::App(e.into())
    }
}

impl From<ecs_conform::snapshot::SnapshotError> for Error {
    fn from(e: ecs_conform::snapshot::SnapshotError) -> Error {
        Error::App(e.into())
    }
}

/// Where the suite is when the working directory has no `cases/` or `schemas/`: the
/// source tree this binary was built from.
fn built_from() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The suite's folders: the flags, else `./cases` and `./schemas`, else the suite this
/// binary was built from.
fn paths(cases: Option<PathBuf>, schemas: Option<PathBuf>) -> Paths {
    Paths::resolve(cases, schemas, Some(&built_from()))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// mimalloc: the run allocates and frees many small values per request (parsed
/// bodies, findings), often on another worker thread; glibc malloc spent about a
/// fifth of the run's CPU on that (see docs/benchmarks.md). Built without transparent
/// huge pages (`no_thp`), which only inflated the resident set.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            match &e {
                Error::App(app) => eprintln!("error: {}", app.render()),
                other => eprintln!("error: {other}"),
            }
            ExitCode::from(match e {
                Error::App(
                    AppError::Target(_) | AppError::Cleanup(_) | AppError::Incomplete(_),
                ) => EXIT_TARGET,
                Error::App(AppError::NoCases(_)) => EXIT_NO_CASES,
                _ => EXIT_USAGE,
            })
        }
    }
}

fn execute(command: Command) -> Result<u8, Error> {
    match command {
        Command::Run(args) => run(*args),
        Command::Lint(args) => {
            let paths = paths(args.suite.cases, args.suite.schemas);
            let (_, suite) = app::load(&paths)?;
            for skipped in &suite.skipped {
                eprintln!("warning: {skipped}");
            }
            let dir = args
                .targets
                .unwrap_or_else(|| paths.cases.with_file_name("targets"));
            let ids: Vec<&str> = suite.cases.iter().map(|c| c.id.as_str()).collect();
            let (targets, skipped) = report::profile::check_dir(&dir, &ids)?;
            for s in &skipped {
                eprintln!("warning: {s}");
            }
            println!(
                "ecs-conform lint: {} cases and {} fixtures in {} and {targets} target file(s) in {} are well-formed",
                suite.cases.len(),
                suite.fixtures.len(),
                paths.cases.display(),
                dir.display()
            );
            Ok(0)
        }
        Command::Serve(args) => {
            if args.list_deviations {
                for d in Deviation::all() {
                    println!("{:<28} {}", d.name(), d.summary());
                }
                return Ok(0);
            }
            // Registered before the server says it listens: a signal sent from then on
            // stops it cleanly.
            let stop = signals::StopSignals::register();
            let server = BuiltIn::start(ReferenceOptions {
                port: args.port,
                deviations: deviations(&args.deviations)?,
                pace: args.pace,
            })?;
            println!(
                "ecs-conform reference target listening on {}",
                server.endpoint()
            );
            server.serve_until(stop);
            Ok(0)
        }
        Command::Merge(args) => {
            let docs = app::read_documents(&args.inputs)?;
            let merged = RunDocument::merge(docs).map_err(AppError::Usage)?;
            app::publish(&merged, &args.reports.outputs(), None)?;
            println!(
                "ecs-conform merge: {} cases from {} documents",
                merged.cases.len(),
                args.inputs.len()
            );
            Ok(exit_code(&merged, true))
        }
        Command::Coverage(args) => {
            let paths = paths(args.cases, args.schemas);
            let (markdown, gaps) = app::coverage(&paths)?;
            println!("{markdown}");
            Ok(if gaps == 0 { 0 } else { EXIT_FAILURES })
        }
        Command::Snapshots { action } => snapshots(action),
        Command::Diff(args) => diff(*args),
        Command::Cleanup(args) => cleanup(args),
        Command::Rules { markdown } => {
            print!("{}", report::text::rules_table(markdown));
            Ok(0)
        }
    }
}

/// The region to sign for: the flag, else AWS_REGION, else AWS_DEFAULT_REGION, else
/// the target file's, else us-east-1.
fn region(flag: Option<String>, expectations: &TargetProfile) -> String {
    flag.or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .or_else(|| expectations.region.clone())
        .unwrap_or_else(|| "us-east-1".into())
}

/// The endpoint: the flag, else AWS_ENDPOINT_URL_ECS, else AWS_ENDPOINT_URL, else the
/// target file's, which may name it per region (https://ecs.${region}.amazonaws.com).
fn endpoint(flag: Option<String>, expectations: &TargetProfile, region: &str) -> Option<String> {
    flag.or_else(|| env("AWS_ENDPOINT_URL_ECS"))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| {
            expectations
                .endpoint
                .as_ref()
                .map(|e| e.replace("${region}", region))
        })
}

fn run(args: RunArgs) -> Result<u8, Error> {
    let paths = paths(args.suite.cases, args.suite.schemas);
    let mut expectations = match &args.target {
        Some(name) => {
            let dir = args
                .targets
                .clone()
                .unwrap_or_else(|| paths.cases.with_file_name("targets"));
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
        },
        keep_exchanges: false,
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
fn exit_code(doc: &RunDocument, stale_fails: bool) -> u8 {
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

/// `cleanup`: the endpoint as `run` finds it (flag, environment, target file); there is
/// nothing to clean on the built-in reference, so an endpoint is required.
fn cleanup(args: CleanupArgs) -> Result<u8, Error> {
    let expectations = match &args.target {
        Some(name) => {
            let paths = paths(None, None);
            let dir = args
                .targets
                .clone()
                .unwrap_or_else(|| paths.cases.with_file_name("targets"));
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
    let target = app::CleanupTarget {
        endpoint: endpoint.clone(),
        path_style: expectations
            .path_style
            .unwrap_or(args.connection.path_style),
        region,
        timeout: args.connection.timeout,
        drain: args.drain,
    };
    let summary = app::cleanup(&target, &scope)?;
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
        "ecs-conform cleanup: stopped {} task(s), deleted {} cluster(s), deregistered {} task definition(s) on {endpoint}{}",
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

fn snapshots(action: SnapshotAction) -> Result<u8, Error> {
    let paths = paths(None, None);
    let choice = TargetChoice {
        kind: Some("review".into()),
        snapshots: SnapshotOptions {
            force: matches!(action, SnapshotAction::Accept { force: true, .. }),
            ..SnapshotOptions::default()
        },
        ..TargetChoice::default()
    };
    let store = app::snapshot_store(&paths, &choice)?;
    match action {
        SnapshotAction::Review { filter } => {
            let pending: Vec<PathBuf> = store
                .pending()
                .into_iter()
                .filter(|p| {
                    filter
                        .as_deref()
                        .is_none_or(|f| p.to_string_lossy().contains(f))
                })
                .collect();
            for p in &pending {
                println!("{}", store.review_text(p)?);
            }
            println!(
                "{} pending snapshot(s); accept with `ecs-conform snapshots accept [FILTER]`",
                pending.len()
            );
        }
        SnapshotAction::Accept { filter, .. } => {
            for p in store.accept(filter.as_deref())? {
                println!("accepted {}", p.display());
            }
        }
        SnapshotAction::Reject { filter } => {
            for p in store.reject(filter.as_deref())? {
                println!("rejected {}", p.display());
            }
        }
    }
    Ok(0)
}

fn diff(args: DiffArgs) -> Result<u8, Error> {
    let paths = paths(args.suite.cases, args.suite.schemas);
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
