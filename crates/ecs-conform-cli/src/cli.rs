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
const EXIT_CODES: &str = "Exit codes: 0 all passed, 1 contract failures, 2 bad input or usage (or a run id in use, an unknown AWS profile, no credentials for an endpoint that is not loopback), 3 target unreachable, target errors or setup errors, 4 no cases to run (a filter, tag, partition or folder selected nothing), 130 interrupted (Ctrl-C, SIGTERM or SIGHUP).";

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
    /// Write a starter target file (targets/NAME.yaml) and CI job examples (ci/github-actions.yml, ci/gitlab-ci.yml); exit 2 if one exists, unless --force.
    Init(InitArgs),
    /// Print the completion script of a shell on standard output, e.g. `ecs-conform completions bash > /etc/bash_completion.d/ecs-conform`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on standard output, e.g. `ecs-conform man > ecs-conform.1`; `--dir` writes one page per subcommand too.
    Man {
        /// Write `ecs-conform.1` and `ecs-conform-<subcommand>.1` into this folder instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct InitArgs {
    /// Name of the target: the file is targets/<NAME>.yaml, run with `run --target NAME`.
    #[arg(long = "target", value_name = "NAME", default_value = "my-emulator")]
    pub target: String,
    /// Folder to write into (its targets/ and ci/ are created when missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite files that exist (without it, nothing is written when one does: exit 2).
    #[arg(long)]
    pub force: bool,
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
    /// First endpoint as `run` finds it (`--endpoint`, else AWS_ENDPOINT_URL_ECS, else AWS_ENDPOINT_URL, else the target file's, else the built-in reference); `reference` names the built-in one.
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Second endpoint (`reference` for the built-in reference target); it gets the same region, path style, variables and pace.
    #[arg(long, value_name = "URL")]
    pub against: String,
    /// Target file `targets/<NAME>.yaml` of the first endpoint: its endpoint, region, path style, variables, tags to skip, pace and largest body apply to both sides.
    #[arg(long = "target", value_name = "NAME")]
    pub target: Option<String>,
    /// Folder of target expectation files.
    #[arg(long, env = "ECS_CONFORM_TARGETS", value_name = "DIR")]
    pub targets: Option<PathBuf>,
    /// Override a suite variable on both sides, e.g. `--var subnet=subnet-0abc` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = name_value)]
    pub vars: Vec<(String, String)>,
    /// Interval between polls of `until` steps (else the target file's, else 25ms on the reference, 1s elsewhere).
    #[arg(long, value_parser = parse_bounded_duration)]
    pub poll_interval: Option<Duration>,
    /// Cap on every `until` deadline (else the target file's, else 10s on the reference, none elsewhere).
    #[arg(long, value_parser = parse_bounded_duration)]
    pub max_within: Option<Duration>,
    /// Cases run at once on each side (default 1: with more, answers can differ by timing alone); the target file's `max_jobs` caps it.
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Largest response body read, e.g. 16MiB (default 8MiB, or the target file's `max_body`); a larger one is a target error.
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
    /// Fail (exit 2) on known deviations whose reason is still `TODO`, instead of warning.
    #[arg(long)]
    pub deny_todo: bool,
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

/// How to reach and sign for a target: shared by `run`, `diff` and `cleanup`.
#[derive(Args)]
pub struct ConnectionArgs {
    /// Endpoint URL of the target (else AWS_ENDPOINT_URL_ECS, else AWS_ENDPOINT_URL, else the target file's; for `run` and `diff`, none means the built-in reference).
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
    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// Which credentials sign the calls (resolved as the AWS SDKs do).
#[derive(Args, Clone)]
pub struct CredentialArgs {
    /// The AWS profile to sign with (else AWS_PROFILE, else `default`); an unknown one is an error.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Sign with dummy credentials, whatever resolves (a loopback endpoint falls back to them when nothing does); the run says so.
    #[arg(long)]
    pub dummy_credentials: bool,
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Interval between polls of `until` steps (else the target file's `poll_interval`, else 25ms on the reference, 1s elsewhere; at most a day).
    #[arg(long, value_parser = parse_bounded_duration)]
    pub poll_interval: Option<Duration>,
    /// Cap on every `until` deadline, e.g. 10s (else the target file's `max_within`, else 10s on the reference, none elsewhere; at most a day).
    #[arg(long, value_parser = parse_bounded_duration)]
    pub max_within: Option<Duration>,
    /// Cases run at once (else the target file's `jobs`, else 8: the work waits on the network, not on the cores); the target file's `max_jobs` caps it.
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Run only cases with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Skip cases with this tag (repeatable); they get the verdict `skipped`.
    #[arg(long = "skip-tag", value_name = "TAG")]
    pub skip_tags: Vec<String>,
    /// Target expectation file `targets/<NAME>.yaml`: endpoint defaults, tags to skip, known deviations.
    #[arg(long = "target", value_name = "NAME")]
    pub target: Option<String>,
    /// Folder of target expectation files.
    #[arg(long, env = "ECS_CONFORM_TARGETS", value_name = "DIR")]
    pub targets: Option<PathBuf>,
    /// After the run, rewrite the target file's known deviations from it: new failures get `reason: TODO`, entries that now pass are removed (only for the cases this run judged).
    #[arg(long, requires = "target")]
    pub record: bool,
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
    /// A case running longer than this is marked `SLOW [>30s]`, and again at every multiple (default 30s; hidden: for tests).
    #[arg(long, hide = true, value_parser = parse_bounded_duration)]
    pub slow_after: Option<Duration>,
    #[command(flatten)]
    pub select: SelectArgs,
}

/// Which cases `run` selects by name, and how it prints them: ours, not libtest's
/// (`embed` keeps libtest's flags for `cargo test`).
#[derive(Args)]
pub struct SelectArgs {
    /// Only cases whose id contains FILTER (equals it with --exact).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
    /// FILTER and --skip match whole case ids.
    #[arg(long)]
    pub exact: bool,
    /// Leave out cases whose id contains PATTERN (equals it with --exact; repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub skip: Vec<String>,
    /// Print the ids of the selected cases and exit.
    #[arg(long)]
    pub list: bool,
    /// How cases show on standard output: a line each, a character each, or JSON lines only.
    #[arg(long, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,
    /// A character per case (as --format terse).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Run the cases skipped by tag (`--skip-tag`, a target file's `skip`, `seed-only`) too.
    #[arg(long, conflicts_with = "only_skipped")]
    pub include_skipped: bool,
    /// Run only the cases skipped by tag.
    #[arg(long)]
    pub only_skipped: bool,
}

/// `run --format`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A line per case: its id and verdict.
    Pretty,
    /// A character per case.
    Terse,
    /// One JSON object per line, the summary included, and nothing else.
    Json,
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
