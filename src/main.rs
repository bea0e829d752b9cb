//! The `ecs-conform` command line: subcommands, flags, environment variables and exit
//! codes. Everything else lives in the library.
//!
//! Exit codes: 0 all passed (or known), 1 contract failures, 2 bad input or usage
//! (case file, schema, flag), 3 target unreachable or target errors, 130 interrupted.

use clap::{Args, Parser, Subcommand};
use ecs_conform::app::{self, AppError, Paths, Selection, TargetChoice};
use ecs_conform::reference::{Deviation, ReferenceOptions};
use ecs_conform::report;
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
    Rules,
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
        Command::Rules => {
            for rule in ecs_conform::contract::rules() {
                println!(
                    "{:<34} {:<6} {:<48} {}",
                    rule.id, rule.severity, rule.source, rule.summary
                );
            }
            Ok(0)
        }
    }
}

fn run(args: RunArgs) -> Result<u8, AppError> {
    let endpoint = args
        .endpoint
        .or_else(|| env("AWS_ENDPOINT_URL_ECS"))
        .or_else(|| env("AWS_ENDPOINT_URL"));
    if endpoint.is_some() && !args.deviations.is_empty() {
        return Err(AppError::Usage(
            "--deviation applies to the built-in reference target only; drop --endpoint (and AWS_ENDPOINT_URL*) to use it".into(),
        ));
    }
    let choice = TargetChoice {
        endpoint,
        path_style: args.path_style,
        region: args
            .region
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".into()),
        timeout: args.timeout,
        deviations: deviations(&args.deviations)?,
        poll_interval: args.poll_interval,
        vars: args.vars,
    };
    let selection = Selection {
        tags: args.tags,
        skip_tags: args.skip_tags,
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let paths = Paths::resolve(args.suite.cases, args.suite.schemas);
    let report = app::run(&paths, &choice, &selection, jobs, args.libtest)?;
    if report.listed_only {
        return Ok(0);
    }
    if let Some(reason) = &report.unreachable {
        eprintln!("error: target unreachable: {reason}");
        return Ok(EXIT_TARGET);
    }
    println!(
        "\n{}",
        report::text::summary(&report.results, &report.target)
    );
    Ok(if report.interrupted {
        EXIT_INTERRUPTED
    } else if report.has_target_errors() {
        EXIT_TARGET
    } else if report.has_failures() {
        EXIT_FAILURES
    } else {
        0
    })
}
