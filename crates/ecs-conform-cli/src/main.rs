//! The `ecs-conform` command line: parses the flags (`cli.rs`), dispatches to the
//! subcommands (`commands/`), and turns errors into messages and exit codes. Everything
//! else lives in the library.
//!
//! Exit codes: 0 all passed (or known), 1 contract failures, 2 bad input or usage
//! (case file, schema, target file, flag, a target file without an endpoint, an
//! incomplete set of partitions to merge, a run id already in use on the target, a
//! file `init` would overwrite without `--force`, a `TODO` reason under `lint --deny-todo`,
//! an unknown AWS profile, no credentials for an endpoint that is not loopback),
//! 3 target unreachable, target errors, setup errors (a fixture could not be set up)
//! or a case that did not finish normally, 4 no cases to run (a tag, name filter, `--skip`, partition
//! or empty folder selected nothing, or every selected case is skipped by tag),
//! 130 interrupted (Ctrl-C, SIGTERM or SIGHUP; a second signal quits at once).
//! `run --record` exits 0 once the target file is recorded; a refused recording writes
//! nothing and keeps the run's code (2 when the run's own code was 0).

mod builtin;
mod builtin_suite;
mod cli;
mod commands;
mod credentials;
mod reporters;
mod signals;

use builtin::BuiltIn;
use clap::Parser;
use cli::{Cli, Command};
use commands::{cleanup, diff, exit_code, init, run, snapshots};
use ecs_conform::app::{self, AppError, Paths};
use ecs_conform::report;
use ecs_conform::report::document::RunDocument;
use ecs_reference::ReferenceError;
use ecs_reference::{Deviation, ReferenceOptions};
use std::path::PathBuf;
use std::process::ExitCode;

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
    #[error(transparent)]
    BuiltInSuite(#[from] builtin_suite::CacheError),
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

/// The suite's folders: the flags (or `ECS_CONFORM_*`), else `./cases` and
/// `./schemas`, else the suite built into this binary (`builtin_suite`); `add_cases`
/// are loaded next to the cases (see `Paths::layered`).
fn paths(
    cases: Option<PathBuf>,
    schemas: Option<PathBuf>,
    add_cases: Vec<PathBuf>,
) -> Result<Paths, Error> {
    Ok(Paths::layered(
        cases,
        schemas,
        add_cases,
        builtin_suite::root,
    )?)
}

/// The folder of target files: the flag (or `ECS_CONFORM_TARGETS`), else `targets`
/// beside the cases folder, else `./targets`, else the built-in ones.
fn targets_dir(flag: Option<PathBuf>, paths: &Paths) -> Result<PathBuf, Error> {
    if let Some(dir) = flag {
        return Ok(dir);
    }
    let beside = paths.cases.with_file_name("targets");
    if beside.is_dir() {
        return Ok(beside);
    }
    let local = PathBuf::from("targets");
    if local.is_dir() {
        return Ok(local);
    }
    Ok(builtin_suite::root()?.join("targets"))
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
            let paths = paths(args.suite.cases, args.suite.schemas, args.suite.add_cases)?;
            let (_, suite) = app::load(&paths)?;
            for skipped in &suite.skipped {
                eprintln!("warning: {skipped}");
            }
            let dir = targets_dir(args.targets, &paths)?;
            let ids: Vec<&str> = suite.cases.iter().map(|c| c.id.as_str()).collect();
            let checked = report::profile::check_dir(&dir, &ids)?;
            for s in &checked.skipped {
                eprintln!("warning: {s}");
            }
            // An entry `run --record` added and nobody explained yet: a warning, or an
            // error with --deny-todo (an emulator's CI fails until every reason is written).
            let todo_label = if args.deny_todo { "error" } else { "warning" };
            for problem in &checked.todo {
                eprintln!("{todo_label}: {}", problem.render());
            }
            if args.deny_todo && !checked.todo.is_empty() {
                eprintln!(
                    "error: {} known deviation(s) in {} still have `reason: TODO` (--deny-todo)",
                    checked.todo.len(),
                    dir.display()
                );
                return Ok(EXIT_USAGE);
            }
            println!(
                "ecs-conform lint: {} cases and {} fixtures in {} and {} target file(s) in {} are well-formed",
                suite.cases.len(),
                suite.fixtures.len(),
                paths.cases.display(),
                checked.files,
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
            let paths = paths(args.cases, args.schemas, args.add_cases)?;
            let (markdown, gaps) = app::coverage(&paths)?;
            println!("{markdown}");
            Ok(if gaps == 0 { 0 } else { EXIT_FAILURES })
        }
        Command::Snapshots { action } => snapshots(action),
        Command::Diff(args) => diff(*args),
        Command::Cleanup(args) => cleanup(args),
        Command::Init(args) => init(args),
        Command::Generate(args) => {
            let paths = paths(None, args.schemas, Vec::new())?;
            let cases =
                ecs_conform::generate::negative_cases(&paths.schemas).map_err(AppError::from)?;
            let written =
                ecs_conform::generate::write(&args.write, &cases).map_err(AppError::from)?;
            println!(
                "ecs-conform generate: wrote {} negative case(s) to {}",
                written.len(),
                args.write.join(ecs_conform::generate::FOLDER).display()
            );
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "ecs-conform", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man { dir: Some(dir) } => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::generate_to(command, &dir).map_err(|source| AppError::Write {
                path: dir.clone(),
                source,
            })?;
            println!("ecs-conform man: wrote the man pages to {}", dir.display());
            Ok(0)
        }
        Command::Man { dir: None } => {
            let page = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            let mut roff = Vec::new();
            page.render(&mut roff).map_err(|source| AppError::Write {
                path: PathBuf::from("<standard output>"),
                source,
            })?;
            use std::io::Write;
            let _ = std::io::stdout().lock().write_all(&roff);
            Ok(0)
        }
        Command::Rules { markdown } => {
            print!("{}", report::text::rules_table(markdown));
            Ok(0)
        }
    }
}
