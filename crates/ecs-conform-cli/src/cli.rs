//! The command-line surface: subcommands, their flags and environment variables,
//! and the parsers of flag values.

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use ecs_conform::client::{ByteSize, PathStyle};
use ecs_conform::report::profile::Deny;
use ecs_conform::suite::model::{parse_bounded_duration, parse_duration};
use std::path::PathBuf;
use std::time::Duration;

/// The exit codes, as `--help` shows them (the README and `main.rs` say the same).
const EXIT_CODES: &str = "Exit codes: 0 all passed, 1 contract failures, 2 bad input or usage (or a run id in use), 3 target unreachable, target errors or setup errors, 4 no cases to run (a filter, tag, partition or folder selected nothing), 130 interrupted (Ctrl-C, SIGTERM or SIGHUP).";

#[derive(Parser)]
#[command(
    name = "ecs-conform",
    version,
    about = "Contract-conformance harness for the Amazon ECS task API",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the suite against a target (the built-in reference target when no endpoint is given).
    #[command(after_help = EXIT_CODES)]
    Run(Box<RunArgs>),
    /// Check every case file, schema and target file without sending anything.
    Lint(LintArgs),
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
    /// Remove what runs left on a target: tasks, clusters and task definitions named ecs-conform-<run id>.
    Cleanup(CleanupArgs),
    /// Write the negative cases generated from the contract as ordinary case files (they run in every `run` anyway).
    Generate(GenerateArgs),
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Folder to write them to, as `DIR/negative/<operation>/<class>.yaml` (a file there is overwritten).
    #[arg(long, value_name = "DIR")]
    pub write: PathBuf,
    /// Folder of the contract's schemas (default: `./schemas`, else the built-in suite).
    #[arg(long, env = "ECS_CONFORM_SCHEMAS", value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("runs").required(true).args(["run_id", "all_runs"])))]
pub struct CleanupArgs {
    /// Remove the resources of this run id (ECS_CONFORM_RUN_ID of the run).
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,
    /// Remove the resources of every run (every ecs-conform-* cluster and task definition).
    #[arg(long)]
    pub all_runs: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// How long to retry DeleteCluster while the cluster's tasks are still stopping (at most a day).
    #[arg(long, default_value = "60s", value_parser = parse_bounded_duration)]
    pub drain: Duration,
    /// Target expectation file `targets/<NAME>.yaml` (its endpoint, region and path style).
    #[arg(long = "target", value_name = "NAME")]
    pub target: Option<String>,
    /// Folder of target expectation files.
    #[arg(long, env = "ECS_CONFORM_TARGETS", value_name = "DIR")]
    pub targets: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum SnapshotAction {
    /// Review pending snapshots one at a time (accept, reject or skip each; a summary
    /// at the end); when stdin is not a terminal, print them all as diffs instead.
    Review {
        filter: Option<String>,
        /// Ask about each one even when stdin is not a terminal (answers read line by line).
        #[arg(long, conflicts_with = "print")]
        interactive: bool,
        /// Only print them as diffs, asking nothing.
        #[arg(long)]
        print: bool,
        /// Accepting may replace a snapshot recorded on another kind of target.
        #[arg(long)]
        force: bool,
    },
    /// Turn pending snapshots into the stored ones.
    Accept {
        filter: Option<String>,
        /// Also replace snapshots recorded on another kind of target (e.g. the reference's from a moto run).
        #[arg(long)]
        force: bool,
    },
    /// Delete pending snapshots.
    Reject { filter: Option<String> },
    /// List snapshots no step of the suite records (a renamed case, a renumbered step).
    Orphans {
        /// Delete them.
        #[arg(long)]
        remove: bool,
    },
}

#[derive(Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// First endpoint (`reference` for the built-in reference target).
    #[arg(long, value_name = "URL")]
    pub endpoint: String,
    /// Second endpoint (`reference` for the built-in reference target).
    #[arg(long, value_name = "URL")]
    pub against: String,
    #[arg(long, default_value = "root", value_parser = path_style_parser())]
    pub path_style: PathStyle,
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Largest response body read, e.g. 16MiB (default 8MiB); a larger one is a target error.
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<ByteSize>,
    /// Only cases whose id contains this.
    pub filter: Option<String>,
}

#[derive(Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Folder of target expectation files to check (default: `targets` next to the cases folder).
    #[arg(long, env = "ECS_CONFORM_TARGETS", value_name = "DIR")]
    pub targets: Option<PathBuf>,
}

#[derive(Args)]
pub struct MergeArgs {
    /// `--report-json` files of the partitions.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub reports: ReportArgs,
}

/// The report files a run or a merge writes.
#[derive(Args)]
pub struct ReportArgs {
    /// Write JUnit XML (one testcase per case, failures with findings).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the run document as JSON (structure described in the README).
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Write the Markdown conformance report.
    #[arg(long, value_name = "FILE")]
    pub report_md: Option<PathBuf>,
    /// Write an SVG badge `ecs conformance | N %` (cases passed / cases judged), coloured by verdict.
    #[arg(long, value_name = "FILE")]
    pub badge: Option<PathBuf>,
    /// Write a self-contained HTML report (score, rule × operation matrix, problems, every case's steps).
    #[arg(long, value_name = "FILE")]
    pub report_html: Option<PathBuf>,
}

impl ReportArgs {
    pub fn outputs(self) -> ecs_conform::app::Outputs {
        ecs_conform::app::Outputs {
            junit: self.junit,
            json: self.report_json,
            markdown: self.report_md,
            badge: self.badge,
            html: self.report_html,
        }
    }
}

#[derive(Args, Clone)]
pub struct SuiteArgs {
    /// Folder of case files (default: `./cases`, else the built-in suite).
    #[arg(long, env = "ECS_CONFORM_CASES", value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Folder of JSON Schemas.
    #[arg(long, env = "ECS_CONFORM_SCHEMAS", value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Also load the case files of this folder, next to the suite (repeatable; ids must not collide).
    #[arg(long = "add-cases", value_name = "DIR")]
    pub add_cases: Vec<PathBuf>,
}

/// How to reach and sign for a target: shared by `run` and `cleanup`.
#[derive(Args)]
pub struct ConnectionArgs {
    /// Endpoint URL of the target (else AWS_ENDPOINT_URL_ECS, else AWS_ENDPOINT_URL, else the target file's; for `run`, none means the built-in reference).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// `root` sends POST /, `v1` sends POST /v1/<Operation>.
    #[arg(long, default_value = "root", value_parser = path_style_parser())]
    pub path_style: PathStyle,
    /// Region to sign for (else AWS_REGION, else AWS_DEFAULT_REGION, else the target file's, else us-east-1).
    #[arg(long)]
    pub region: Option<String>,
    /// Per-request timeout, e.g. 20s (above zero, at most a day).
    #[arg(long, default_value = "20s", value_parser = parse_bounded_duration)]
    pub timeout: Duration,
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Interval between polls of `until` steps (default: 25ms on the reference, 1s elsewhere; at most a day).
    #[arg(long, value_parser = parse_bounded_duration)]
    pub poll_interval: Option<Duration>,
    /// Cap on every `until` deadline, e.g. 10s (default: 10s on the reference, none elsewhere; at most a day).
    #[arg(long, value_parser = parse_bounded_duration)]
    pub max_within: Option<Duration>,
    /// Cases run at once (default: the number of cores).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Run only cases with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Skip cases with this tag (repeatable); they show as ignored.
    #[arg(long = "skip-tag", value_name = "TAG")]
    pub skip_tags: Vec<String>,
    /// Target expectation file `targets/<NAME>.yaml`: endpoint defaults, tags to skip, known deviations.
    #[arg(long = "target", value_name = "NAME")]
    pub target: Option<String>,
    /// Folder of target expectation files.
    #[arg(long, env = "ECS_CONFORM_TARGETS", value_name = "DIR")]
    pub targets: Option<PathBuf>,
    /// Run only share K of N of the suite (deterministic by case id), e.g. 2/4.
    #[arg(long, value_name = "K/N", value_parser = partition)]
    pub partition: Option<(usize, usize)>,
    #[command(flatten)]
    pub reports: ReportArgs,
    /// Overwrite snapshots that differ (as `INSTA_UPDATE=always`).
    #[arg(long)]
    pub update_snapshots: bool,
    /// Allow recording over snapshots recorded on real AWS from another kind of target.
    #[arg(long)]
    pub force_snapshots: bool,
    /// Do not compare `snapshot: true` steps with snapshots/.
    #[arg(long, conflicts_with = "update_snapshots")]
    pub no_snapshots: bool,
    /// Override a suite variable, e.g. `--var subnet=subnet-0abc` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = name_value)]
    pub vars: Vec<(String, String)>,
    /// Break the built-in reference target on purpose (repeatable; see `serve --list-deviations`).
    #[arg(long = "deviation", value_name = "NAME")]
    pub deviations: Vec<String>,
    /// Largest response body read, e.g. 16MiB (default 8MiB, or the target file's `max_body`).
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<ByteSize>,
    /// Let findings of this severity fail a case too: `drift` or `warn` (repeatable).
    #[arg(long, value_name = "SEVERITY", value_parser = deny_parser())]
    pub deny: Vec<Deny>,
    #[command(flatten)]
    pub libtest: libtest_mimic::Arguments,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4566)]
    pub port: u16,
    /// Break one documented rule on purpose (repeatable).
    #[arg(long = "deviation", value_name = "NAME")]
    pub deviations: Vec<String>,
    /// Time a task spends in each transitional state, e.g. 20ms.
    #[arg(long, default_value = "20ms", value_parser = duration)]
    pub pace: Duration,
    /// List the deviations and exit.
    #[arg(long)]
    pub list_deviations: bool,
}

pub fn duration(text: &str) -> Result<Duration, String> {
    parse_duration(text)
        .ok_or_else(|| format!("`{text}` is not a duration: write e.g. 500ms, 20s or 2m"))
}

pub fn partition(text: &str) -> Result<(usize, usize), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(format!("`{text}` is not K/N with 1 <= K <= N, e.g. 1/4")),
    }
}

pub fn name_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

/// `--path-style`: the library's names, listed in `--help`.
fn path_style_parser() -> impl TypedValueParser<Value = PathStyle> {
    clap::builder::PossibleValuesParser::new(PathStyle::ALL.map(|(name, _)| name))
        .try_map(|s| s.parse::<PathStyle>())
}

/// `--deny`: the severities below `fail` a target may promote.
fn deny_parser() -> impl TypedValueParser<Value = Deny> {
    clap::builder::PossibleValuesParser::new(["drift", "warn"]).try_map(|s| s.parse::<Deny>())
}
