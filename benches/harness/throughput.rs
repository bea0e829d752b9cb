//! The `throughput` and `split` sections: how fast the harness sends and checks
//! requests compared with a bare reqwest loop, and where its client-side time goes.
//!
//! Both run the same request plan ([`super::plan`]) against a reference server set up
//! the same way. `throughput`
//! sends it at a fixed concurrency in three [`Mode`]s, each round against a fresh server,
//! and reports rates and the ratio full / bare; `split` records one pass of exchanges and
//! times each piece of the full path in-process (no network).

use super::plan::{plan, prepare};
use super::{median, quartiles, reference_options, row, runtime, shipped, Config, Summary, REGION};
use ecs_conform::client::{Target, TargetConfig};
use ecs_conform::contract::Contract;
use ecs_conform::finding::Severity;
use ecs_conform::judge::judge_step;
use ecs_reference as reference;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// reqwest only: the same bytes and headers (signed when the plan was made), but
    /// no signing, no parsing, no checks in the loop.
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
    let plan = Arc::new(plan(cfg.requests, &prepare(&target).await, &target));
    let url = target.url("RunTask");
    // The same client settings as `Target::new`, so only the harness's own work differs.
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(64)
        .redirect(reqwest::redirect::Policy::none())
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
                                let mut request = bare.post(&url).body(r.bytes.clone());
                                for (k, v) in &r.headers {
                                    request = request.header(k.as_str(), v.as_str());
                                }
                                let resp = request.send().await.expect("bare send");
                                let ok = resp.status().is_success();
                                let _ = resp.bytes().await.expect("bare body");
                                http_errors += usize::from(!ok);
                            }
                            Mode::Call | Mode::Full => {
                                let ex = target.call(r.op, r.body.clone()).await.expect("call");
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
    let cpu0 = super::cpu_ns();
    let started = Instant::now();
    let (failures, http_errors, observe, judge) = run(None).await;
    let elapsed = started.elapsed();
    let cpu = super::cpu_ns().saturating_sub(cpu0);
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

/// The `throughput` section.
pub(crate) fn throughput(cfg: &Config) -> Summary {
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
    let (low, high) = quartiles(ratios.clone());
    let above = ratios.iter().filter(|r| **r >= 0.8).count();
    let rounds = ratios.len();
    let ratio = median(ratios);
    println!(
        "  median: bare {bare:.0} req/s, Target::call {call:.0} req/s, full {full:.0} req/s; \
         full/bare {ratio:.3} (quartiles {low:.3}–{high:.3}; {above} of {rounds} rounds >= 0.8), \
         call/bare {:.3}",
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
        row(
            "bare reqwest loop (pre-signed)",
            format!("{bare:.0} req/s"),
            "",
        ),
        row("Target::call only", format!("{call:.0} req/s"), ""),
        row(
            "full harness (call+observe+judge)",
            format!("{full:.0} req/s"),
            "",
        ),
        row(
            "client CPU added per request (rough)",
            format!("{:.0} µs", cpu[2] - cpu[0]),
            "",
        ),
        row(
            "ratio full / bare",
            format!("{ratio:.3} (quartiles {low:.3}–{high:.3})"),
            "goal >= 0.8",
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// split: where the harness's client-side time per request goes

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

/// The `split` section.
pub(crate) fn split(cfg: &Config) -> Summary {
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
        let plan = plan(n, &prepare(&target).await, &target);
        let mut exchanges = Vec::with_capacity(n);
        for r in &plan {
            exchanges.push(target.call(r.op, r.body.clone()).await.expect("call"));
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
        ("sign (client::Signer, as Target::call)", {
            let signer =
                ecs_conform::client::Signer::new(ecs_conform::client::Credentials::dummy(), REGION);
            per_item(&plan, rounds, |_, r| {
                // As `Target::call`: the two unsigned headers built, then signed.
                let unsigned = r.headers[..2].to_vec();
                std::hint::black_box(signer.sign(&url, &unsigned, &r.bytes).expect("sign"));
            })
        }),
        (
            "clone the request body into the Exchange",
            per_item(&plan, rounds, |_, r| {
                std::hint::black_box(r.body.clone());
            }),
        ),
        (
            "check UTF-8, keep the text, parse it (as Target::call)",
            per_item(&exchanges, rounds, |_, ex| {
                let bytes = ex.response.body_text.as_bytes().to_vec();
                let text = String::from_utf8(bytes).ok();
                let parsed = text.as_deref().map(ecs_conform::client::parse_body);
                std::hint::black_box((parsed, text));
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
        .map(|(what, us)| row(format!("split: {what}"), format!("{us:.2} µs"), ""))
        .collect()
}
