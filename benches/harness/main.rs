//! The harness benchmark (issue 8): `cargo bench --bench harness`.
//!
//! Against the built-in reference target on 127.0.0.1 (loopback only), in one run:
//!
//! 1. **throughput** ([`throughput`]) — the same N requests (a RunTask / DescribeTasks /
//!    ListTasks mix) sent at the same concurrency three ways, each against a fresh
//!    reference server set up identically: a bare reqwest loop (byte-identical
//!    requests: same URL, body and headers, SigV4 ones included, but signed once when
//!    the plan is made, so the loop does **no signing**, no parsing, no checks),
//!    `Target::call` alone (signing, parsing, `Exchange` building), and the full
//!    harness path `Target::call` + `Observer::observe` + `judge_step`. Prints the
//!    request rates and the ratio full / bare. **split** times each piece of the full
//!    path in-process over recorded exchanges.
//! 2. **startup** ([`startup`]) — `Contract::load` + `Suite::load` of the shipped
//!    `schemas/` and `cases/`: once per fresh child process (what the CLI pays) and
//!    repeated in one process (warm); medians.
//! 3. **scaling** and **memory** ([`scaling`]) — synthetic suites of 1k/5k/10k cases
//!    generated from the templates in `benches/data/synthetic/` into a temp dir, each
//!    loaded and run in a fresh child process against a reference server in this
//!    process (fast pace); wall time split into load / setup / run / finish, and the
//!    child's peak RSS (VmHWM from /proc/self/status).
//!
//! Sections: pass names as arguments (`cargo bench --bench harness -- startup scaling`)
//! or in `BENCH_ONLY`; default all. Sizes and counts come from the environment, see
//! [`Config::from_env`] and `docs/benchmarks.md`. No assertions: it only measures.
//!
//! This file holds the configuration, the entry point (also of the child processes)
//! and the helpers the sections share; `plan.rs` holds the request plan that
//! `throughput` and `split` share.

mod plan;
mod scaling;
mod startup;
mod throughput;

use ecs_conform::app::Paths;
use ecs_reference::ReferenceOptions;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The same allocator as the `ecs-conform` binary (see `src/main.rs` for why), so the
/// numbers are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const REGION: &str = "us-east-1";
/// Set in a child process: which child job to do.
const CHILD_ENV: &str = "ECS_CONFORM_BENCH_CHILD";

/// What to measure and how much, from `BENCH_*` environment variables.
#[derive(Debug, Clone)]
struct Config {
    /// `BENCH_REQUESTS`: requests per throughput loop.
    requests: usize,
    /// `BENCH_CONCURRENCY`: requests in flight in the throughput loops.
    concurrency: usize,
    /// `BENCH_REPEATS`: rounds of the throughput loops (medians over rounds).
    repeats: usize,
    /// `BENCH_STARTUP_RUNS`: fresh processes (and warm in-process loads) for start-up.
    startup_runs: usize,
    /// `BENCH_CASES`: synthetic suite sizes, comma-separated.
    sizes: Vec<usize>,
    /// `BENCH_SCALE_REPEATS`: runs per suite size (medians over runs).
    scale_repeats: usize,
    /// `BENCH_JOBS`: cases in flight when running a synthetic suite.
    jobs: usize,
    /// `BENCH_PACE_MS`: time a reference task spends in each transitional state.
    pace: Duration,
    /// `BENCH_POLL_MS`: poll interval of `until` steps.
    poll: Duration,
    sections: Vec<String>,
}

impl Config {
    fn from_env() -> Config {
        let num = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(default)
        };
        let sizes = std::env::var("BENCH_CASES")
            .ok()
            .map(|v| {
                v.split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .filter(|n| *n > 0)
                    .collect::<Vec<usize>>()
            })
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec![1000, 5000, 10_000]);
        let mut sections: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .collect();
        if sections.is_empty() {
            if let Ok(only) = std::env::var("BENCH_ONLY") {
                sections = only.split(',').map(|s| s.trim().to_owned()).collect();
            }
        }
        sections.retain(|s| !s.is_empty());
        Config {
            requests: num("BENCH_REQUESTS", 3000).max(3),
            concurrency: num("BENCH_CONCURRENCY", 8).max(1),
            repeats: num("BENCH_REPEATS", 15).max(1),
            startup_runs: num("BENCH_STARTUP_RUNS", 11).max(1),
            sizes,
            scale_repeats: num("BENCH_SCALE_REPEATS", 3).max(1),
            jobs: num("BENCH_JOBS", 8).max(1),
            pace: Duration::from_millis(num("BENCH_PACE_MS", 1) as u64),
            poll: Duration::from_millis(num("BENCH_POLL_MS", 5).max(1) as u64),
            sections,
        }
    }

    fn wants(&self, section: &str) -> bool {
        self.sections.is_empty() || self.sections.iter().any(|s| section.starts_with(s))
    }
}

fn main() {
    if let Ok(job) = std::env::var(CHILD_ENV) {
        match job.as_str() {
            "startup" => startup::child(),
            "suite" => scaling::child(),
            other => panic!("unknown child job {other}"),
        }
        return;
    }
    let cfg = Config::from_env();
    println!(
        "ecs-conform harness benchmark ({} cores; release={})",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        !cfg!(debug_assertions)
    );
    println!("config: {cfg:?}\n");
    let mut summary = Vec::new();
    if cfg.wants("throughput") {
        summary.extend(throughput::throughput(&cfg));
    }
    if cfg.wants("split") {
        summary.extend(throughput::split(&cfg));
    }
    if cfg.wants("startup") {
        summary.extend(startup::startup(&cfg));
    }
    if cfg.wants("scaling") || cfg.wants("memory") {
        summary.extend(scaling::scaling(&cfg));
    }
    println!("\n== summary (medians) ==");
    for (what, value, goal) in summary {
        println!("{what:<52} {value:>16}   {goal}");
    }
}

// ---------------------------------------------------------------------------------------
// helpers

fn shipped() -> Paths {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Paths {
        cases: root.join("cases"),
        schemas: root.join("schemas"),
        snapshots: root.join("snapshots"),
        ..Paths::default()
    }
}

/// The lower and upper quartiles (nearest rank), for the spread next to a median.
fn quartiles(mut v: Vec<f64>) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.75))
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A field of /proc/self/status in kB (VmHWM: peak RSS, VmRSS: current RSS).
fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time of this process so far (every thread, ns), from /proc/self/task/*/schedstat.
fn cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        })
        .sum()
}

fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn reference_options(pace: Duration) -> ReferenceOptions {
    ReferenceOptions {
        pace,
        ..ReferenceOptions::default()
    }
}

/// Runs this bench binary again as a child doing `job`; returns its `key=value` result line.
fn run_child(job: &str, envs: &[(&str, String)]) -> Vec<(String, String)> {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = Command::new(exe);
    cmd.env(CHILD_ENV, job)
        // Dummy credentials: never read a developer's real ones.
        .env("AWS_ACCESS_KEY_ID", "AKIAECSCONFORMBENCH0")
        .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
        .env_remove("AWS_SESSION_TOKEN");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("spawn the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        panic!(
            "child `{job}` failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH_RESULT "))
        .unwrap_or_else(|| panic!("child `{job}` printed no result:\n{stdout}"));
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn field(result: &[(String, String)], key: &str) -> f64 {
    result
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Lines of the final summary: (what, median, goal).
type Summary = Vec<(String, String, String)>;

/// One line of the summary.
fn row(what: impl Into<String>, value: String, goal: &str) -> (String, String, String) {
    (what.into(), value, goal.to_owned())
}

/// The benchmark's data files (`benches/data/…`), read at run time.
fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data")
}
