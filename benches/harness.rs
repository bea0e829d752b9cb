//! The harness benchmark (issue 8): `cargo bench --bench harness`.
//!
//! Against the built-in reference target on 127.0.0.1 (loopback only), in one run:
//!
//! 1. **throughput** — the same N requests (a RunTask / DescribeTasks / ListTasks mix)
//!    sent at the same concurrency three ways, each against a fresh reference server
//!    set up identically: a bare reqwest loop (same URL, `content-type`,
//!    `x-amz-target` and body bytes, **no SigV4 signing**, no parsing, no checks),
//!    `Target::call` alone (signing, `Exchange` building), and the full harness path
//!    `Target::call` + `Observer::observe` + `judge_step`. Prints the request rates
//!    and the ratio full / bare.
//! 2. **startup** — `Contract::load` + `Suite::load` of the shipped `schemas/` and
//!    `cases/`: once per fresh child process (what the CLI pays) and repeated in one
//!    process (warm); medians.
//! 3. **scaling** and **memory** — synthetic suites of 1k/5k/10k generated cases
//!    (copies of shipped-style cases with unique names) in a temp dir, each loaded and
//!    run in a fresh child process against a reference server in this process (fast
//!    pace); wall time split into load / setup / run / finish, and the child's peak RSS
//!    (VmHWM from /proc/self/status).
//!
//! Sections: pass names as arguments (`cargo bench --bench harness -- startup scaling`)
//! or in `BENCH_ONLY`; default all. Sizes and counts come from the environment, see
//! [`Config::from_env`] and `docs/benchmarks.md`. No assertions: it only measures.

use ecs_conform::app::{Paths, Session, SnapshotOptions, TargetChoice};
use ecs_conform::contract::Contract;
use ecs_conform::finding::Severity;
use ecs_conform::judge::judge_step;
use ecs_conform::reference::{self, ReferenceOptions};
use ecs_conform::suite::matcher::parse_conditions;
use ecs_conform::suite::{Case, Expect, Suite};
use ecs_conform::target::{PathStyle, Target, TargetConfig, TARGET_PREFIX};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
            repeats: num("BENCH_REPEATS", 5).max(1),
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
            "startup" => child_startup(),
            "suite" => child_suite(),
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
        summary.extend(throughput(&cfg));
    }
    if cfg.wants("split") {
        summary.extend(split(&cfg));
    }
    if cfg.wants("startup") {
        summary.extend(startup(&cfg));
    }
    if cfg.wants("scaling") || cfg.wants("memory") {
        summary.extend(scaling(&cfg));
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
    }
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

type Summary = Vec<(String, String, String)>;

// ---------------------------------------------------------------------------------------
// 1. throughput

/// One request of the throughput plan, with everything each mode needs ready.
struct Planned {
    op: &'static str,
    body: Value,
    bytes: Vec<u8>,
    amz_target: String,
    expect: Expect,
}

fn expect(body: Value) -> Expect {
    let Value::Object(map) = body else {
        unreachable!()
    };
    Expect {
        body: parse_conditions(&map).expect("bench conditions parse"),
        ..Expect::default()
    }
}

/// Creates a cluster, a task definition and four tasks; returns (cluster, taskdef, tasks).
async fn prepare(target: &Target) -> (String, String, Vec<String>) {
    let call = |op: &'static str, body: Value| async move {
        let ex = target.call(op, &body).await.expect("setup call");
        assert!(
            ex.response.is_success(),
            "setup {op} failed: {}",
            ex.response.body_text
        );
        ex.response.body.expect("JSON body")
    };
    let c = call("CreateCluster", json!({"clusterName": "bench"})).await;
    let cluster = c["cluster"]["clusterName"].as_str().unwrap().to_owned();
    let td = call(
        "RegisterTaskDefinition",
        json!({
            "family": "bench",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE", "EC2"],
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [{
                "name": "app",
                "image": "public.ecr.aws/docker/library/busybox:latest",
                "essential": true,
                "command": ["sleep", "3600"],
                "cpu": 128,
                "memory": 256
            }]
        }),
    )
    .await;
    let taskdef = td["taskDefinition"]["taskDefinitionArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let run = call(
        "RunTask",
        json!({"cluster": cluster, "taskDefinition": taskdef, "launchType": "FARGATE",
               "count": 4, "networkConfiguration": network()}),
    )
    .await;
    let tasks = run["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["taskArn"].as_str().unwrap().to_owned())
        .collect();
    (cluster, taskdef, tasks)
}

fn network() -> Value {
    json!({"awsvpcConfiguration": {"subnets": ["subnet-12345678"],
           "securityGroups": ["sg-12345678"], "assignPublicIp": "DISABLED"}})
}

/// The N requests: RunTask, DescribeTasks (two known tasks), ListTasks (a page of 10), …
fn plan(n: usize, cluster: &str, taskdef: &str, tasks: &[String]) -> Vec<Planned> {
    (0..n)
        .map(|i| {
            let (op, body, exp) = match i % 3 {
                0 => (
                    "RunTask",
                    json!({"cluster": cluster, "taskDefinition": taskdef,
                           "launchType": "FARGATE", "startedBy": format!("bench-{i}"),
                           "networkConfiguration": network()}),
                    json!({"/tasks": {"length": 1}, "/failures": {"length": 0},
                           "/tasks/0/launchType": "FARGATE",
                           "/tasks/0/startedBy": format!("bench-{i}")}),
                ),
                1 => {
                    let a = &tasks[i % tasks.len()];
                    let b = &tasks[(i + 1) % tasks.len()];
                    (
                        "DescribeTasks",
                        json!({"cluster": cluster, "tasks": [a, b]}),
                        json!({"/tasks": {"length": 2}, "/failures": {"length": 0},
                               "/tasks/0/taskArn": a}),
                    )
                }
                _ => (
                    "ListTasks",
                    json!({"cluster": cluster, "maxResults": 10}),
                    json!({"/taskArns": {"min_length": 1, "max_length": 10}}),
                ),
            };
            Planned {
                op,
                bytes: serde_json::to_vec(&body).unwrap(),
                body,
                amz_target: format!("{TARGET_PREFIX}.{op}"),
                expect: expect(exp),
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// reqwest only: no signing, no parsing, no checks.
    Bare,
    /// `Target::call`: signing, parsing, the `Exchange`.
    Call,
    /// `Target::call` + `Observer::observe` + `judge_step`.
    Full,
}

#[derive(Default, Debug)]
struct LoopResult {
    rate: f64,
    /// CPU of the whole process (client and reference server) per request, µs.
    cpu_us: f64,
    failures: usize,
    http_errors: usize,
    /// Mean time per request spent in observe and in judge (full mode only), µs.
    observe_us: f64,
    judge_us: f64,
}

/// One timed loop of `mode` against a fresh reference server.
async fn one_loop(cfg: &Config, contract: &Arc<Contract>, mode: Mode) -> LoopResult {
    let server = reference::start(reference_options(cfg.pace))
        .await
        .expect("reference");
    let endpoint = server.endpoint();
    let target = Target::new(TargetConfig::new(endpoint.clone(), REGION)).expect("target");
    let (cluster, taskdef, tasks) = prepare(&target).await;
    let plan = Arc::new(plan(cfg.requests, &cluster, &taskdef, &tasks));
    let url = target.url("RunTask");
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    // Warm-up: open the connections (read-only requests, same for every mode).
    let warm: Vec<usize> = (0..cfg.concurrency * 4).map(|i| 1 + 3 * i).collect();
    let warm = Arc::new(warm);
    let run = |indices: Option<Arc<Vec<usize>>>| {
        let next = Arc::new(AtomicUsize::new(0));
        let total = indices.as_ref().map_or(plan.len(), |v| v.len());
        let handles: Vec<_> = (0..cfg.concurrency)
            .map(|_| {
                let (plan, next, indices) = (Arc::clone(&plan), Arc::clone(&next), indices.clone());
                let (target, bare, url, contract) = (
                    target.clone(),
                    bare.clone(),
                    url.clone(),
                    Arc::clone(contract),
                );
                tokio::spawn(async move {
                    let mut failures = 0usize;
                    let mut http_errors = 0usize;
                    let (mut observe, mut judge) = (Duration::ZERO, Duration::ZERO);
                    let mut observer = contract.observer();
                    let mut done = 0usize;
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= total {
                            break;
                        }
                        let r = &plan[indices.as_ref().map_or(k, |v| v[k % v.len()])];
                        match mode {
                            Mode::Bare => {
                                let resp = bare
                                    .post(&url)
                                    .header("content-type", "application/x-amz-json-1.1")
                                    .header("x-amz-target", r.amz_target.as_str())
                                    .body(r.bytes.clone())
                                    .send()
                                    .await
                                    .expect("bare send");
                                let ok = resp.status().is_success();
                                let _ = resp.bytes().await.expect("bare body");
                                http_errors += usize::from(!ok);
                            }
                            Mode::Call | Mode::Full => {
                                let ex = target.call(r.op, &r.body).await.expect("call");
                                http_errors += usize::from(!ex.response.is_success());
                                if mode == Mode::Full {
                                    // A fresh observer per "case" of three calls, as a
                                    // run gives each case its own.
                                    if done.is_multiple_of(3) {
                                        observer = contract.observer();
                                    }
                                    let t0 = Instant::now();
                                    let mut findings = observer.observe(&ex);
                                    let t1 = Instant::now();
                                    findings.extend(judge_step(
                                        &r.expect,
                                        &ex,
                                        ex.response.body.as_ref(),
                                    ));
                                    judge += t1.elapsed();
                                    observe += t1 - t0;
                                    failures += findings
                                        .iter()
                                        .filter(|f| f.severity == Severity::Fail)
                                        .count();
                                }
                            }
                        }
                        done += 1;
                    }
                    (failures, http_errors, observe, judge)
                })
            })
            .collect();
        async move {
            let mut sum = (0, 0, Duration::ZERO, Duration::ZERO);
            for h in handles {
                let (f, e, o, j) = h.await.expect("worker");
                sum = (sum.0 + f, sum.1 + e, sum.2 + o, sum.3 + j);
            }
            sum
        }
    };
    run(Some(warm)).await;
    let cpu0 = cpu_ns();
    let started = Instant::now();
    let (failures, http_errors, observe, judge) = run(None).await;
    let elapsed = started.elapsed();
    let cpu = cpu_ns().saturating_sub(cpu0);
    server.shutdown().await;
    let n = cfg.requests as f64;
    LoopResult {
        rate: n / elapsed.as_secs_f64(),
        cpu_us: cpu as f64 / 1000.0 / n,
        failures,
        http_errors,
        observe_us: observe.as_secs_f64() * 1e6 / n,
        judge_us: judge.as_secs_f64() * 1e6 / n,
    }
}

fn throughput(cfg: &Config) -> Summary {
    println!(
        "== throughput: {} requests (RunTask/DescribeTasks/ListTasks), concurrency {}, {} rounds ==",
        cfg.requests, cfg.concurrency, cfg.repeats
    );
    let contract = Arc::new(Contract::load(&shipped().schemas).expect("contract"));
    // Two workers: the machine's cores, shared by the reference and the client.
    let rt = runtime(2);
    let modes = [Mode::Bare, Mode::Call, Mode::Full];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); 3];
    let mut cpus: Vec<Vec<f64>> = vec![Vec::new(); 3];
    let mut ratios = Vec::new();
    let (mut observe, mut judge) = (Vec::new(), Vec::new());
    let mut failures = 0;
    for round in 0..cfg.repeats {
        // Alternate the order so drift (page cache, CPU clock) hits every mode alike.
        let order: Vec<usize> = if round.is_multiple_of(2) {
            vec![0, 1, 2]
        } else {
            vec![2, 1, 0]
        };
        let mut this = [0.0; 3];
        for i in order {
            let r = rt.block_on(one_loop(cfg, &contract, modes[i]));
            if r.http_errors > 0 {
                println!(
                    "  warning: {:?} got {} non-2xx answers",
                    modes[i], r.http_errors
                );
            }
            if modes[i] == Mode::Full {
                failures += r.failures;
                observe.push(r.observe_us);
                judge.push(r.judge_us);
            }
            this[i] = r.rate;
            rates[i].push(r.rate);
            cpus[i].push(r.cpu_us);
        }
        let ratio = this[2] / this[0];
        ratios.push(ratio);
        println!(
            "  round {}: bare {:>7.0} req/s   call {:>7.0} req/s   full {:>7.0} req/s   full/bare {:.3}",
            round + 1,
            this[0],
            this[1],
            this[2],
            ratio
        );
    }
    let (bare, call, full) = (
        median(rates[0].clone()),
        median(rates[1].clone()),
        median(rates[2].clone()),
    );
    let ratio = median(ratios);
    println!(
        "  median: bare {bare:.0} req/s, Target::call {call:.0} req/s, full {full:.0} req/s; \
         full/bare {ratio:.3}, call/bare {:.3}",
        call / bare
    );
    let cpu: Vec<f64> = cpus.into_iter().map(median).collect();
    println!(
        "  CPU per request (client + reference, all threads; rough: noisy on a shared machine): bare {:.0} µs, call {:.0} µs, full {:.0} µs \
         => the harness adds {:.0} µs (call {:.0} + observe/judge {:.0})",
        cpu[0],
        cpu[1],
        cpu[2],
        cpu[2] - cpu[0],
        cpu[1] - cpu[0],
        cpu[2] - cpu[1]
    );
    println!(
        "  full mode: observe {:.1} µs/request, judge {:.1} µs/request (CPU on the client side); \
         {failures} failing findings (expected 0)",
        median(observe.clone()),
        median(judge.clone())
    );
    vec![
        (
            "bare reqwest loop (no signing)".into(),
            format!("{bare:.0} req/s"),
            String::new(),
        ),
        (
            "Target::call only".into(),
            format!("{call:.0} req/s"),
            String::new(),
        ),
        (
            "full harness (call+observe+judge)".into(),
            format!("{full:.0} req/s"),
            String::new(),
        ),
        (
            "client CPU added per request (rough)".into(),
            format!("{:.0} µs", cpu[2] - cpu[0]),
            String::new(),
        ),
        (
            "ratio full / bare".into(),
            format!("{ratio:.3}"),
            "goal >= 0.8".into(),
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// 1b. split: where the harness's client-side time per request goes

/// What `Target::sign` does for one request (aws-sigv4 with dummy credentials).
fn sign_like_target(url: &str, amz_target: &str, payload: &[u8]) -> usize {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let creds = ecs_conform::target::Credentials::dummy();
    let identity = aws_credential_types::Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        creds.session_token.clone(),
        None,
        "ecs-conform",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("ecs")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", amz_target),
    ];
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(payload),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    instructions
        .headers()
        .map(|(k, v)| k.to_ascii_lowercase().len() + v.len())
        .sum()
}

/// Mean µs per item of `f` over `items`, median of `rounds` passes.
fn per_item<T>(items: &[T], rounds: usize, mut f: impl FnMut(usize, &T)) -> f64 {
    let mut means = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        for (i, item) in items.iter().enumerate() {
            f(i, item);
        }
        means.push(t.elapsed().as_secs_f64() * 1e6 / items.len() as f64);
    }
    median(means)
}

fn split(cfg: &Config) -> Summary {
    let n = cfg.requests.min(3000);
    println!(
        "\n== split: the harness's client-side work per request, in-process on {n} recorded exchanges =="
    );
    let contract = Arc::new(Contract::load(&shipped().schemas).expect("contract"));
    let rt = runtime(2);
    let (plan, exchanges, url) = rt.block_on(async {
        let server = reference::start(reference_options(cfg.pace))
            .await
            .expect("reference");
        let target = Target::new(TargetConfig::new(server.endpoint(), REGION)).expect("target");
        let (cluster, taskdef, tasks) = prepare(&target).await;
        let plan = plan(n, &cluster, &taskdef, &tasks);
        let mut exchanges = Vec::with_capacity(n);
        for r in &plan {
            exchanges.push(target.call(r.op, &r.body).await.expect("call"));
        }
        server.shutdown().await;
        (plan, exchanges, target.url("RunTask"))
    });
    let rounds = cfg.repeats.max(3);
    let rows = [
        (
            "serialize the request body (to_vec)",
            per_item(&plan, rounds, |_, r| {
                std::hint::black_box(serde_json::to_vec(&r.body).unwrap());
            }),
        ),
        (
            "sign (aws-sigv4, as Target::sign)",
            per_item(&plan, rounds, |_, r| {
                std::hint::black_box(sign_like_target(&url, &r.amz_target, &r.bytes));
            }),
        ),
        (
            "clone the request body into the Exchange",
            per_item(&plan, rounds, |_, r| {
                std::hint::black_box(r.body.clone());
            }),
        ),
        (
            "parse the response body (from_slice to Value)",
            per_item(&exchanges, rounds, |_, ex| {
                std::hint::black_box(
                    serde_json::from_slice::<Value>(ex.response.body_text.as_bytes()).ok(),
                );
            }),
        ),
        ("Observer::observe (all built-in checks)", {
            let mut observer = contract.observer();
            per_item(&exchanges, rounds, |i, ex| {
                if i.is_multiple_of(3) {
                    observer = contract.observer();
                }
                std::hint::black_box(observer.observe(ex));
            })
        }),
        (
            "judge_step (the case's expectations)",
            per_item(&exchanges, rounds, |i, ex| {
                std::hint::black_box(judge_step(&plan[i].expect, ex, ex.response.body.as_ref()));
            }),
        ),
        ("drop the Exchange (a clone of it)", {
            let copies: Vec<_> = (0..rounds).map(|_| exchanges.clone()).collect();
            let mut it = copies.into_iter();
            per_item(&[()], 1, |_, _| ()); // warm
            let mut times = Vec::new();
            for _ in 0..rounds {
                let batch = it.next().unwrap();
                let t = Instant::now();
                drop(batch);
                times.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
            }
            median(times)
        }),
    ];
    let by_op = |op: &str| {
        let idx: Vec<usize> = (0..n).filter(|i| plan[*i].op == op).collect();
        let mut observer = contract.observer();
        per_item(&idx, rounds, |k, &i| {
            if k.is_multiple_of(3) {
                observer = contract.observer();
            }
            std::hint::black_box(observer.observe(&exchanges[i]));
        })
    };
    let total: f64 = rows.iter().map(|r| r.1).sum();
    for (what, us) in &rows {
        println!("  {what:<50} {us:>7.2} µs");
    }
    println!("  {:<50} {total:>7.2} µs", "sum");
    let sizes: Vec<String> = ["RunTask", "DescribeTasks", "ListTasks"]
        .iter()
        .map(|op| {
            let (count, bytes) = exchanges
                .iter()
                .filter(|e| e.operation() == *op)
                .fold((0, 0), |(c, b), e| (c + 1, b + e.response.body_text.len()));
            format!(
                "{op}: observe {:.1} µs, response {} bytes",
                by_op(op),
                bytes / count.max(1)
            )
        })
        .collect();
    println!("  by operation: {}", sizes.join("; "));
    rows.iter()
        .map(|(what, us)| {
            (
                format!("split: {what}"),
                format!("{us:.2} µs"),
                String::new(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// 2. startup

fn child_startup() {
    let paths = shipped();
    let t0 = Instant::now();
    let contract = Contract::load(&paths.schemas).expect("contract");
    let t1 = Instant::now();
    let suite = Suite::load(&paths.cases, &contract.operations()).expect("suite");
    let t2 = Instant::now();
    println!(
        "BENCH_RESULT contract_ms={:.3} suite_ms={:.3} total_ms={:.3} cases={}",
        ms(t1 - t0),
        ms(t2 - t1),
        ms(t2 - t0),
        suite.cases.len()
    );
}

fn startup(cfg: &Config) -> Summary {
    println!(
        "\n== startup: Contract::load + Suite::load of the shipped suite, {} runs ==",
        cfg.startup_runs
    );
    let paths = shipped();
    let schema_files = count_files(&paths.schemas, "json");
    let (mut cold_c, mut cold_s, mut cold) = (Vec::new(), Vec::new(), Vec::new());
    let mut cases = 0.0;
    for _ in 0..cfg.startup_runs {
        let r = run_child("startup", &[]);
        cold_c.push(field(&r, "contract_ms"));
        cold_s.push(field(&r, "suite_ms"));
        cold.push(field(&r, "total_ms"));
        cases = field(&r, "cases");
    }
    let (mut warm_c, mut warm_s, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..cfg.startup_runs {
        let t0 = Instant::now();
        let contract = Contract::load(&paths.schemas).expect("contract");
        let t1 = Instant::now();
        let suite = Suite::load(&paths.cases, &contract.operations()).expect("suite");
        let t2 = Instant::now();
        std::hint::black_box(&suite);
        warm_c.push(ms(t1 - t0));
        warm_s.push(ms(t2 - t1));
        warm.push(ms(t2 - t0));
    }
    let cold_total = median(cold);
    println!(
        "  {schema_files} schema files, {cases} cases\n  fresh process: contract {:.1} ms + suite {:.1} ms = {:.1} ms\n  warm (in-process repeat): contract {:.1} ms + suite {:.1} ms = {:.1} ms",
        median(cold_c),
        median(cold_s),
        cold_total,
        median(warm_c),
        median(warm_s),
        median(warm)
    );
    vec![(
        format!("start-up, fresh process ({schema_files} schemas, {cases} cases)"),
        format!("{cold_total:.1} ms"),
        "goal < 50 ms".into(),
    )]
}

fn count_files(dir: &Path, ext: &str) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        count_files(&p, ext)
                    } else {
                        usize::from(p.extension().is_some_and(|x| x == ext))
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// 3. scaling and memory

/// Fixtures of the synthetic suite (as shipped in `cases/fixtures.yaml`).
const FIXTURES: &str = r#"vars:
  subnet: subnet-12345678
  security_group: sg-12345678
fixtures:
  cluster:
    description: A cluster of this run's own.
    setup:
      - call: CreateCluster
        with: { clusterName: "ecs-conform-${run_id}" }
        save: { cluster: /cluster/clusterName, cluster_arn: /cluster/clusterArn }
    teardown:
      - call: DeleteCluster
        with: { cluster: "${cluster}" }
  taskdef:
    description: A small task definition that runs on Fargate and EC2.
    setup:
      - call: RegisterTaskDefinition
        with:
          family: "ecs-conform-${run_id}"
          networkMode: awsvpc
          requiresCompatibilities: [FARGATE, EC2]
          cpu: "256"
          memory: "512"
          tags: [{ key: suite, value: ecs-conform }]
          containerDefinitions:
            - name: app
              image: public.ecr.aws/docker/library/busybox:latest
              essential: true
              command: [sleep, "3600"]
              cpu: 128
              memory: 256
        save: { taskdef: /taskDefinition/taskDefinitionArn, family: /taskDefinition/family }
    teardown:
      - call: DeregisterTaskDefinition
        with: { taskDefinition: "${taskdef}" }
"#;

/// Shipped-style cases (folder, file text with `{N}` for the copy number). Together:
/// 10 steps + 4 teardown steps, every task operation, an error, polling and paging.
const TEMPLATES: [(&str, &str); 4] = [
    (
        "lifecycle",
        r#"name: A task runs until RUNNING, then StopTask takes it to STOPPED with stopCode UserInitiated (copy {N})
tags: [lifecycle, run-task, stop-task, describe-tasks]
cites: "ecs-task-api-reference.md#Task States; CONTRACT.md#Task lifecycle"
fixtures: [cluster, taskdef]
steps:
  - call: RunTask
    with:
      cluster: "${cluster}"
      taskDefinition: "${taskdef}"
      launchType: FARGATE
      networkConfiguration:
        awsvpcConfiguration: { subnets: ["${subnet}"], securityGroups: ["${security_group}"], assignPublicIp: DISABLED }
    save: { task: /tasks/0/taskArn }
    expect:
      body:
        /tasks: { length: 1 }
        /tasks/0/desiredStatus: RUNNING
        /tasks/0/launchType: FARGATE
  - call: DescribeTasks
    with: { cluster: "${cluster}", tasks: ["${task}"] }
    until: { /tasks/0/lastStatus: RUNNING }
    within: 60s
    expect:
      body:
        /tasks/0/taskArn: "${task}"
        /failures: { length: 0 }
  - call: StopTask
    with: { cluster: "${cluster}", task: "${task}", reason: ecs-conform lifecycle check }
    expect:
      body:
        /task/taskArn: "${task}"
        /task/desiredStatus: STOPPED
  - call: DescribeTasks
    with: { cluster: "${cluster}", tasks: ["${task}"] }
    until: { /tasks/0/lastStatus: STOPPED }
    within: 90s
    expect:
      body:
        /tasks/0/stopCode: UserInitiated
        /tasks/0/stoppedReason: ecs-conform lifecycle check
        /tasks/0/stoppedAt: { type: number }
teardown:
  - call: StopTask
    with: { cluster: "${cluster}", task: "${task}", reason: ecs-conform teardown }
"#,
    ),
    (
        "errors",
        r#"name: RunTask on a cluster that does not exist answers ClusterNotFoundException (copy {N})
tags: [errors, run-task]
cites: "ecs-task-api-reference.md#Error Responses (ClusterNotFoundException)"
fixtures: [taskdef]
steps:
  - call: RunTask
    with: { cluster: "ecs-conform-missing-${case_id}", taskDefinition: "${taskdef}", launchType: FARGATE }
    expect:
      status: 400
      error: ClusterNotFoundException
"#,
    ),
    (
        "describe-tasks",
        r#"name: DescribeTasks by task ARN returns that task and no failures (copy {N})
tags: [describe-tasks]
cites: "ecs-task-api-reference.md#DescribeTasks (Request Parameters: tasks)"
fixtures: [cluster, taskdef]
steps:
  - call: RunTask
    with:
      cluster: "${cluster}"
      taskDefinition: "${taskdef}"
      launchType: FARGATE
      networkConfiguration: { awsvpcConfiguration: { subnets: ["${subnet}"], securityGroups: ["${security_group}"], assignPublicIp: DISABLED } }
    save: { task: /tasks/0/taskArn }
  - call: DescribeTasks
    with: { cluster: "${cluster}", tasks: ["${task}"] }
    expect:
      body:
        /tasks: { length: 1 }
        /tasks/0/taskArn: "${task}"
        /tasks/0/clusterArn: "${cluster_arn}"
        /tasks/0/taskDefinitionArn: "${taskdef}"
        /failures: { length: 0 }
teardown:
  - call: StopTask
    with: { cluster: "${cluster}", task: "${task}", reason: ecs-conform teardown }
"#,
    ),
    (
        "list-tasks",
        r#"name: ListTasks filtered by startedBy lists exactly the task started with that value (copy {N})
tags: [list-tasks, started-by]
cites: "ecs-task-api-reference.md#ListTasks (Request Parameters: startedBy)"
fixtures: [cluster, taskdef]
steps:
  - call: RunTask
    with:
      cluster: "${cluster}"
      taskDefinition: "${taskdef}"
      startedBy: "mine-${case_id}"
      launchType: FARGATE
      networkConfiguration: { awsvpcConfiguration: { subnets: ["${subnet}"], securityGroups: ["${security_group}"], assignPublicIp: DISABLED } }
    save: { mine: /tasks/0/taskArn }
    expect:
      body:
        /tasks/0/startedBy: "mine-${case_id}"
  - call: ListTasks
    with: { cluster: "${cluster}", startedBy: "mine-${case_id}" }
    paginate: true
    expect:
      body:
        /taskArns: { equals: ["${mine}"] }
teardown:
  - call: StopTask
    with: { cluster: "${cluster}", task: "${mine}", reason: ecs-conform teardown }
"#,
    ),
];

/// Writes a suite of `n` cases (round-robin over the templates) under `dir`.
fn generate(dir: &Path, n: usize) {
    let _ = std::fs::remove_dir_all(dir);
    for (folder, _) in TEMPLATES {
        std::fs::create_dir_all(dir.join(folder)).expect("create suite dir");
    }
    std::fs::write(dir.join("fixtures.yaml"), FIXTURES).expect("write fixtures");
    for i in 0..n {
        let (folder, text) = TEMPLATES[i % TEMPLATES.len()];
        let file = dir.join(folder).join(format!("case-{i:05}.yaml"));
        std::fs::write(file, text.replace("{N}", &i.to_string())).expect("write case");
    }
}

fn child_suite() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} not set"));
    let cases = PathBuf::from(var("BENCH_CHILD_CASES"));
    let jobs: usize = var("BENCH_CHILD_JOBS").parse().unwrap();
    let poll = Duration::from_millis(var("BENCH_CHILD_POLL_MS").parse().unwrap());
    let paths = Paths {
        snapshots: cases.join("snapshots"),
        cases,
        schemas: shipped().schemas,
    };
    let choice = TargetChoice {
        endpoint: Some(var("BENCH_CHILD_ENDPOINT")),
        path_style: PathStyle::Root,
        region: REGION.into(),
        timeout: Duration::from_secs(20),
        deviations: Vec::new(),
        poll_interval: Some(poll),
        max_within: None,
        vars: Vec::new(),
        kind: Some("reference".into()),
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
        keep_exchanges: false,
    };
    let hwm_start = proc_status_kb("VmHWM:");
    let t0 = Instant::now();
    let contract = Arc::new(Contract::load(&paths.schemas).expect("load the contract"));
    let rss_contract = proc_status_kb("VmRSS:");
    let suite = Suite::load(&paths.cases, &contract.operations()).expect("load the suite");
    let t_load = t0.elapsed();
    let hwm_load = proc_status_kb("VmHWM:");
    let rss_load = proc_status_kb("VmRSS:");
    let cases: Vec<&Case> = suite.cases.iter().collect();
    let session = Session::start(&paths, contract, &suite, &choice, jobs).expect("session");
    let t1 = Instant::now();
    let fixtures = session.setup(&suite, &cases).expect("fixtures");
    let t_setup = t1.elapsed();
    let t2 = Instant::now();
    let results = session.run_cases(&cases, jobs);
    let t_run = t2.elapsed();
    let hwm_run = proc_status_kb("VmHWM:");
    let t3 = Instant::now();
    session.finish(&fixtures);
    let t_finish = t3.elapsed();
    let total = t0.elapsed();
    let passed = results
        .iter()
        .filter(|r| r.outcome == ecs_conform::run::Outcome::Passed)
        .count();
    let steps: usize = results.iter().map(|r| r.steps.len()).sum();
    let calls: usize = results.iter().flat_map(|r| &r.steps).map(|s| s.calls).sum();
    if passed != results.len() {
        if let Some(r) = results
            .iter()
            .find(|r| r.outcome != ecs_conform::run::Outcome::Passed)
        {
            eprintln!("first case not passed: {} {:?}", r.id, r.outcome);
            for (s, f) in r.findings() {
                eprintln!("  step {}: {f}", s.index);
            }
        }
    }
    drop(results);
    println!(
        "BENCH_RESULT cases={} passed={passed} steps={steps} calls={calls} load_ms={:.1} setup_ms={:.1} \
         run_ms={:.1} finish_ms={:.1} total_ms={:.1} hwm_start_kb={hwm_start} rss_contract_kb={rss_contract} \
         hwm_load_kb={hwm_load} rss_load_kb={rss_load} hwm_run_kb={hwm_run} hwm_kb={}",
        cases.len(),
        ms(t_load),
        ms(t_setup),
        ms(t_run),
        ms(t_finish),
        ms(total),
        proc_status_kb("VmHWM:")
    );
}

fn scaling(cfg: &Config) -> Summary {
    println!(
        "\n== scaling and memory: synthetic suites of {:?} cases, {} run(s) each, jobs {}, pace {:?}, poll {:?} ==",
        cfg.sizes, cfg.scale_repeats, cfg.jobs, cfg.pace, cfg.poll
    );
    println!("  each run: a fresh child process (load + run + finish) against a fresh reference server in this process");
    let base = std::env::temp_dir().join(format!("ecs-conform-bench-{}", std::process::id()));
    let rt = runtime(2);
    let mut rows = Vec::new();
    for &n in &cfg.sizes {
        let dir = base.join(format!("suite-{n}"));
        generate(&dir, n);
        let mut runs = Vec::new();
        for _ in 0..cfg.scale_repeats {
            let server = rt
                .block_on(reference::start(reference_options(cfg.pace)))
                .expect("reference");
            let r = run_child(
                "suite",
                &[
                    ("BENCH_CHILD_CASES", dir.display().to_string()),
                    ("BENCH_CHILD_ENDPOINT", server.endpoint()),
                    ("BENCH_CHILD_JOBS", cfg.jobs.to_string()),
                    ("BENCH_CHILD_POLL_MS", cfg.poll.as_millis().to_string()),
                ],
            );
            rt.block_on(server.shutdown());
            if field(&r, "passed") != n as f64 {
                println!("  warning: {} of {n} cases passed", field(&r, "passed"));
            }
            runs.push(r);
        }
        let med = |k: &str| median(runs.iter().map(|r| field(r, k)).collect());
        let row = (
            n,
            med("total_ms"),
            med("load_ms"),
            med("setup_ms"),
            med("run_ms"),
            med("finish_ms"),
            med("hwm_load_kb"),
            med("hwm_kb"),
            med("calls"),
        );
        println!(
            "  {n:>6} cases: total {:>8.0} ms (load {:>6.0}, setup {:>4.0}, run {:>7.0}, finish {:>6.0}) \
             = {:>6.0} µs/case; {:.0} calls",
            row.1,
            row.2,
            row.3,
            row.4,
            row.5,
            row.1 * 1000.0 / n as f64,
            row.8,
        );
        println!(
            "  {:>6}        memory: RSS with the contract {:.1} MiB, after loading the suite {:.1} MiB \
             (peak so far {:.1} MiB), peak over the run {:.1} MiB",
            "",
            med("rss_contract_kb") / 1024.0,
            med("rss_load_kb") / 1024.0,
            row.6 / 1024.0,
            row.7 / 1024.0
        );
        rows.push(row);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&base);
    let mut out = Summary::new();
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        if rows.len() > 1 {
            // Linear: time per case stays flat; report the largest size's per-case time
            // relative to the smallest's, for the total and for the load alone.
            let per = |r: &(usize, f64, f64, f64, f64, f64, f64, f64, f64), t: f64| t / r.0 as f64;
            let growth = per(last, last.1) / per(first, first.1);
            let load_growth = per(last, last.2) / per(first, first.2);
            println!(
                "  time per case at {} vs {} cases: total x{growth:.2}, load x{load_growth:.2} (1.00 = linear)",
                last.0, first.0
            );
            out.push((
                format!("wall time per case, {} vs {} cases", last.0, first.0),
                format!("x{growth:.2}"),
                "goal ~1.0 (linear)".into(),
            ));
        }
        for r in &rows {
            out.push((
                format!("wall time, {} cases", r.0),
                format!("{:.2} s", r.1 / 1000.0),
                String::new(),
            ));
        }
        out.push((
            format!("peak RSS, {} cases", last.0),
            format!("{:.1} MiB", last.7 / 1024.0),
            "goal < 64 MiB".into(),
        ));
    }
    out
}
