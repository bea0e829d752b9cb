//! The `ecs-conform` command line: subcommands, flags, environment variables and exit
//! codes. Everything else lives in the library.
//!
//! Exit codes: 0 all passed (or known), 1 contract failures, 2 bad input or usage
//! (case file, schema, flag), 3 target unreachable or target errors, 130 interrupted.

use clap::{Args, Parser, Subcommand};
use ecs_conform::app::{self, AppError, Outputs, Paths, Selection, SnapshotOptions, TargetChoice};
use ecs_conform::reference::{Deviation, ReferenceOptions};
use ecs_conform::report;
use ecs_conform::report::document::RunDocument;
use ecs_conform::report::expectations::{Expectations, Verdict};
use ecs_conform::suite::model::parse_duration;
use ecs_conform::target::PathStyle;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const EXIT_FAILURES: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_TARGET: u8 = 3;
const EXIT_INTERRUPTED: u8 = 130;

#[derive(Parser)]
#[command(
    name = "ecs-conform",
    version,
    about = "Contract-conformance harness for the Amazon ECS task API",
    after_help = "Exit codes: 0 all passed, 1 contract failures, 2 bad input or usage, 3 target unreachable or target errors, 130 interrupted."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the suite against a target (the built-in reference target when no endpoint is given).
    Run(Box<RunArgs>),
    /// Check every case file and schema without sending anything.
    Lint(SuiteArgs),
    /// Serve the built-in reference target on 127.0.0.1.
    Serve(ServeArgs),
    /// List every rule with its severity and the document section it comes from.
    Rules {
        /// As a Markdown table.
        #[arg(long)]
        markdown: bool,
    },
    /// Merge run documents of several partitions into one (and render it).
    Merge(MergeArgs),
    /// Show what the suite exercises and asserts per operation; exit 1 if the goal is not met.
    Coverage(SuiteArgs),
    /// Review, accept or reject pending snapshots (`.snap.new` files).
    Snapshots {
        #[command(subcommand)]
        action: SnapshotAction,
    },
    /// Run the same cases on two endpoints and show their normalised differences.
    Diff(Box<DiffArgs>),
}

#[derive(Subcommand)]
enum SnapshotAction {
    /// Show each pending snapshot as a diff against the stored one.
    Review { filter: Option<String> },
    /// Turn pending snapshots into the stored ones.
    Accept {
        filter: Option<String>,
        /// Also over snapshots recorded on real AWS.
        #[arg(long)]
        force: bool,
    },
    /// Delete pending snapshots.
    Reject { filter: Option<String> },
}

#[derive(Args)]
struct DiffArgs {
    #[command(flatten)]
    suite: SuiteArgs,
    /// First endpoint (`reference` for the built-in reference target).
    #[arg(long, value_name = "URL")]
    endpoint: String,
    /// Second endpoint (`reference` for the built-in reference target).
    #[arg(long, value_name = "URL")]
    against: String,
    #[arg(long, value_enum, default_value = "root")]
    path_style: PathStyle,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Only cases whose id contains this.
    filter: Option<String>,
}

#[derive(Args)]
struct MergeArgs {
    /// `--report-json` files of the partitions.
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    report_md: Option<PathBuf>,
}

#[derive(Args, Clone)]
struct SuiteArgs {
    /// Folder of case files.
    #[arg(long, env = "ECS_CONFORM_CASES", value_name = "DIR")]
    cases: Option<PathBuf>,
    /// Folder of JSON Schemas.
    #[arg(long, env = "ECS_CONFORM_SCHEMAS", value_name = "DIR")]
    schemas: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    suite: SuiteArgs,
    /// Endpoint URL of the target (else AWS_ENDPOINT_URL_ECS, else AWS_ENDPOINT_URL; none: the built-in reference).
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// `root` sends POST /, `v1` sends POST /v1/<Operation>.
    #[arg(long, value_enum, default_value = "root")]
    path_style: PathStyle,
    /// Region to sign for (else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// Per-request timeout, e.g. 20s.
    #[arg(long, default_value = "20s", value_parser = duration)]
    timeout: Duration,
    /// Interval between polls of `until` steps (default: 25ms on the reference, 1s elsewhere).
    #[arg(long, value_parser = duration)]
    poll_interval: Option<Duration>,
    /// Cases run at once (default: the number of cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Run only cases with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Skip cases with this tag (repeatable); they show as ignored.
    #[arg(long = "skip-tag", value_name = "TAG")]
    skip_tags: Vec<String>,
    /// Target expectation file `targets/<NAME>.yaml`: endpoint defaults, tags to skip, known deviations.
    #[arg(long = "target", value_name = "NAME")]
    target: Option<String>,
    /// Folder of target expectation files.
    #[arg(long, env = "ECS_CONFORM_TARGETS", value_name = "DIR")]
    targets: Option<PathBuf>,
    /// Run only share K of N of the suite (deterministic by case id), e.g. 2/4.
    #[arg(long, value_name = "K/N", value_parser = partition)]
    partition: Option<(usize, usize)>,
    /// Write JUnit XML (one testcase per case, failures with findings).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write the run document as JSON (structure described in the README).
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,
    /// Write the Markdown conformance report.
    #[arg(long, value_name = "FILE")]
    report_md: Option<PathBuf>,
    /// Overwrite snapshots that differ (as `INSTA_UPDATE=always`).
    #[arg(long)]
    update_snapshots: bool,
    /// Allow recording over snapshots recorded on real AWS from another kind of target.
    #[arg(long)]
    force_snapshots: bool,
    /// Do not compare `snapshot: true` steps with snapshots/.
    #[arg(long, conflicts_with = "update_snapshots")]
    no_snapshots: bool,
    /// Override a suite variable, e.g. `--var subnet=subnet-0abc` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = name_value)]
    vars: Vec<(String, String)>,
    /// Break the built-in reference target on purpose (repeatable; see `serve --list-deviations`).
    #[arg(long = "deviation", value_name = "NAME")]
    deviations: Vec<String>,
    #[command(flatten)]
    libtest: libtest_mimic::Arguments,
}

#[derive(Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4566)]
    port: u16,
    /// Break one documented rule on purpose (repeatable).
    #[arg(long = "deviation", value_name = "NAME")]
    deviations: Vec<String>,
    /// Time a task spends in each transitional state, e.g. 20ms.
    #[arg(long, default_value = "20ms", value_parser = duration)]
    pace: Duration,
    /// List the deviations and exit.
    #[arg(long)]
    list_deviations: bool,
}

fn duration(text: &str) -> Result<Duration, String> {
    parse_duration(text)
        .ok_or_else(|| format!("`{text}` is not a duration: write e.g. 500ms, 20s or 2m"))
}

fn partition(text: &str) -> Result<(usize, usize), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(format!("`{text}` is not K/N with 1 <= K <= N, e.g. 1/4")),
    }
}

fn name_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

fn deviations(names: &[String]) -> Result<Vec<Deviation>, AppError> {
    names
        .iter()
        .map(|n| {
            n.parse::<Deviation>()
                .map_err(|e| AppError::Usage(e.to_string()))
        })
        .collect()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(match e {
                AppError::Target(_) => EXIT_TARGET,
                _ => EXIT_USAGE,
            })
        }
    }
}

fn execute(command: Command) -> Result<u8, AppError> {
    match command {
        Command::Run(args) => run(*args),
        Command::Lint(args) => {
            let paths = Paths::resolve(args.cases, args.schemas);
            let (_, suite) = app::load(&paths)?;
            println!(
                "ecs-conform lint: {} cases and {} fixtures in {} are well-formed",
                suite.cases.len(),
                suite.fixtures.len(),
                paths.cases.display()
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
            app::serve(ReferenceOptions {
                port: args.port,
                deviations: deviations(&args.deviations)?,
                pace: args.pace,
            })?;
            Ok(0)
        }
        Command::Merge(args) => {
            let docs = app::read_documents(&args.inputs)?;
            let merged = RunDocument::merge(docs).map_err(AppError::Usage)?;
            let outputs = Outputs {
                junit: args.junit,
                json: args.report_json,
                markdown: args.report_md,
            };
            app::publish(&merged, &outputs, None)?;
            println!(
                "ecs-conform merge: {} cases from {} documents",
                merged.cases.len(),
                args.inputs.len()
            );
            Ok(if merged.fails(true) { EXIT_FAILURES } else { 0 })
        }
        Command::Coverage(args) => {
            let paths = Paths::resolve(args.cases, args.schemas);
            let (markdown, gaps) = app::coverage(&paths)?;
            println!("{markdown}");
            Ok(if gaps == 0 { 0 } else { EXIT_FAILURES })
        }
        Command::Snapshots { action } => snapshots(action),
        Command::Diff(args) => diff(*args),
        Command::Rules { markdown } => {
            print!("{}", report::text::rules_table(markdown));
            Ok(0)
        }
    }
}

fn run(args: RunArgs) -> Result<u8, AppError> {
    let paths = Paths::resolve(args.suite.cases, args.suite.schemas);
    let expectations = match &args.target {
        Some(name) => {
            let dir = args
                .targets
                .clone()
                .unwrap_or_else(|| paths.cases.with_file_name("targets"));
            Expectations::load(&dir, name)?
        }
        None => Expectations::default(),
    };
    let region = args
        .region
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .or_else(|| expectations.region.clone())
        .unwrap_or_else(|| "us-east-1".into());
    let endpoint = args
        .endpoint
        .or_else(|| env("AWS_ENDPOINT_URL_ECS"))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| {
            // A target file may name the endpoint per region: https://ecs.${region}.amazonaws.com
            expectations
                .endpoint
                .as_ref()
                .map(|e| e.replace("${region}", &region))
        });
    if endpoint.is_some() && !args.deviations.is_empty() {
        return Err(AppError::Usage(
            "--deviation applies to the built-in reference target only; drop --endpoint (and AWS_ENDPOINT_URL*) to use it".into(),
        ));
    }
    let mut vars: Vec<(String, String)> = expectations
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    vars.extend(args.vars);
    let choice = TargetChoice {
        endpoint,
        path_style: expectations.path_style.unwrap_or(args.path_style),
        region,
        timeout: args.timeout,
        deviations: deviations(&args.deviations)?,
        poll_interval: args.poll_interval,
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
    let selection = Selection {
        tags: args.tags,
        skip_tags,
        partition: args.partition,
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let report = app::run(&paths, &choice, &selection, jobs, args.libtest)?;
    if report.listed_only {
        return Ok(0);
    }
    if let Some(reason) = &report.unreachable {
        eprintln!("error: target unreachable: {reason}");
        return Ok(EXIT_TARGET);
    }
    let doc = app::document(&report, &expectations, &choice, args.partition);
    let outputs = Outputs {
        junit: args.junit,
        json: args.report_json,
        markdown: args.report_md,
    };
    let coverage = match &outputs.markdown {
        Some(_) => Some(app::coverage(&paths)?.0),
        None => None,
    };
    app::publish(&doc, &outputs, coverage.as_deref())?;
    println!("\n{}", report::text::summary(&doc));
    Ok(if report.interrupted {
        EXIT_INTERRUPTED
    } else if doc.cases.iter().any(|c| c.verdict == Verdict::Error) {
        EXIT_TARGET
    } else if doc.fails(expectations.stale_fails) {
        EXIT_FAILURES
    } else {
        0
    })
}

fn snapshots(action: SnapshotAction) -> Result<u8, AppError> {
    let paths = Paths::resolve(None, None);
    let choice = TargetChoice {
        endpoint: None,
        path_style: PathStyle::Root,
        region: "us-east-1".into(),
        timeout: Duration::from_secs(1),
        deviations: Vec::new(),
        poll_interval: None,
        vars: Vec::new(),
        kind: Some("review".into()),
        snapshots: SnapshotOptions {
            force: matches!(action, SnapshotAction::Accept { force: true, .. }),
            ..SnapshotOptions::default()
        },
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

fn diff(args: DiffArgs) -> Result<u8, AppError> {
    let paths = Paths::resolve(args.suite.cases, args.suite.schemas);
    let side = |endpoint: &str| TargetChoice {
        endpoint: (endpoint != "reference").then(|| endpoint.to_owned()),
        path_style: args.path_style,
        region: args.region.clone(),
        timeout: Duration::from_secs(20),
        deviations: Vec::new(),
        poll_interval: None,
        vars: Vec::new(),
        kind: None,
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
    };
    let differences = app::diff(
        &paths,
        &side(&args.endpoint),
        &side(&args.against),
        args.filter.as_deref(),
    )?;
    let mut count = 0;
    for (case, step, lines) in &differences {
        println!("{case} step {step}:");
        for l in lines {
            println!("  {l}");
            count += 1;
        }
    }
    println!(
        "ecs-conform diff: {count} difference(s) in {} step(s)",
        differences.len()
    );
    Ok(if differences.is_empty() {
        0
    } else {
        EXIT_FAILURES
    })
}
