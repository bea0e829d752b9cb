//! The `scaling` and `memory` sections: wall time and peak RSS of whole runs of
//! synthetic suites (1k / 5k / 10k cases by default).
//!
//! A suite is generated into a temp dir from `benches/data/synthetic/`: its
//! `fixtures.yaml` as is, and round-robin copies of every other `*.yaml` there (a case
//! template, in file-name order) into a folder named after the template, with `{N}`
//! replaced by the copy number so that every case name is unique. Each run is a fresh
//! child process ([`child`]) that loads and runs the suite as `run_quiet` does
//! (`Session::start` → `setup` → `run_cases` → `finish`, snapshots off) against a fresh
//! reference server in this process, and reports its times and `VmHWM`.

use super::{
    data_dir, field, median, ms, proc_status_kb, reference_options, row, run_child, runtime,
    shipped, Config, Summary,
};
use ecs_conform::app::{Paths, Session, SnapshotOptions, TargetChoice};
use ecs_conform::contract::Contract;
use ecs_conform::run::Outcome;
use ecs_conform::suite::{Case, Suite};
use ecs_reference as reference;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The synthetic suite's data: `fixtures.yaml`, and the case templates as (folder, text),
/// in file-name order, without their leading comment lines (which say what they are for).
fn templates() -> (String, Vec<(String, String)>) {
    let dir = data_dir().join("synthetic");
    let read = |p: &Path| {
        let text =
            std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
        let body = text.lines().skip_while(|l| l.starts_with('#'));
        body.map(|l| format!("{l}\n")).collect::<String>()
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let (fixtures, cases): (Vec<_>, Vec<_>) = files
        .iter()
        .partition(|p| p.file_stem().is_some_and(|s| s == "fixtures"));
    let fixtures = fixtures
        .first()
        .map(|p| read(p))
        .expect("benches/data/synthetic/fixtures.yaml");
    let cases: Vec<(String, String)> = cases
        .iter()
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                read(p),
            )
        })
        .collect();
    assert!(!cases.is_empty(), "no case templates in {}", dir.display());
    (fixtures, cases)
}

/// Writes a suite of `n` cases (round-robin over the templates) under `dir`.
fn generate(dir: &Path, n: usize) {
    let (fixtures, templates) = templates();
    let _ = std::fs::remove_dir_all(dir);
    for (folder, _) in &templates {
        std::fs::create_dir_all(dir.join(folder)).expect("create suite dir");
    }
    std::fs::write(dir.join("fixtures.yaml"), fixtures).expect("write fixtures");
    for i in 0..n {
        let (folder, text) = &templates[i % templates.len()];
        let file = dir.join(folder).join(format!("case-{i:05}.yaml"));
        std::fs::write(file, text.replace("{N}", &i.to_string())).expect("write case");
    }
}

/// The child process of the `scaling` section: loads and runs the suite named by
/// `BENCH_CHILD_*`, prints a result line.
pub(crate) fn child() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} not set"));
    let cases = PathBuf::from(var("BENCH_CHILD_CASES"));
    let jobs: usize = var("BENCH_CHILD_JOBS").parse().unwrap();
    let poll = Duration::from_millis(var("BENCH_CHILD_POLL_MS").parse().unwrap());
    let paths = Paths {
        snapshots: cases.join("snapshots"),
        cases,
        schemas: shipped().schemas,
        ..Paths::default()
    };
    // us-east-1, root path style, 20 s timeout; passed steps drop their exchanges.
    let choice = TargetChoice {
        endpoint: var("BENCH_CHILD_ENDPOINT"),
        poll_interval: Some(poll),
        kind: Some("reference".into()),
        snapshots: SnapshotOptions {
            disabled: true,
            ..SnapshotOptions::default()
        },
        ..TargetChoice::default()
    };
    let hwm_start = proc_status_kb("VmHWM:");
    let t0 = Instant::now();
    let contract = Arc::new(Contract::load(&paths.schemas).expect("load the contract"));
    let rss_contract = proc_status_kb("VmRSS:");
    let suite = Suite::load_lean(&paths.cases, &contract.operations()).expect("load the suite");
    let t_load = t0.elapsed();
    let hwm_load = proc_status_kb("VmHWM:");
    let rss_load = proc_status_kb("VmRSS:");
    let cases: Vec<&Case> = suite.cases.iter().collect();
    let session = Session::start(
        &paths,
        contract,
        &suite,
        &choice,
        jobs,
        Arc::new(()),
        ecs_conform::run::Interrupt::new(),
    )
    .expect("session");
    let t1 = Instant::now();
    let fixtures = session.setup(&suite, &cases).expect("fixtures");
    let t_setup = t1.elapsed();
    let t2 = Instant::now();
    let results = session.run_cases(&suite, &cases, jobs);
    let t_run = t2.elapsed();
    let hwm_run = proc_status_kb("VmHWM:");
    let t3 = Instant::now();
    session.finish(&fixtures.fixtures);
    let t_finish = t3.elapsed();
    let total = t0.elapsed();
    let passed = results
        .iter()
        .filter(|r| r.outcome == Outcome::Passed)
        .count();
    let steps: usize = results.iter().map(|r| r.steps.len()).sum();
    let calls: usize = results.iter().map(|r| r.calls).sum();
    if passed != results.len() {
        if let Some(r) = results.iter().find(|r| r.outcome != Outcome::Passed) {
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

/// The `scaling` and `memory` sections.
pub(crate) fn scaling(cfg: &Config) -> Summary {
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
            let what = format!("wall time per case, {} vs {} cases", last.0, first.0);
            out.push(row(what, format!("x{growth:.2}"), "goal ~1.0 (linear)"));
        }
        for r in &rows {
            let what = format!("wall time, {} cases", r.0);
            out.push(row(what, format!("{:.2} s", r.1 / 1000.0), ""));
        }
        let what = format!("peak RSS, {} cases", last.0);
        out.push(row(
            what,
            format!("{:.1} MiB", last.7 / 1024.0),
            "goal < 64 MiB",
        ));
    }
    out
}
