//! The `startup` section: what loading the shipped contract (`schemas/`) and suite
//! (`cases/`) costs: `Contract::load` + `Suite::load` in a fresh child process per run
//! (what every CLI run pays, page cache warm) and repeated in this process (warm
//! allocator and code); medians.

use super::{field, median, ms, row, run_child, shipped, Config, Summary};
use ecs_conform::contract::Contract;
use ecs_conform::suite::Suite;
use std::path::Path;
use std::time::Instant;

/// The child process of the `startup` section: one cold load, printed as a result line.
pub(crate) fn child() {
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

/// The `startup` section.
pub(crate) fn startup(cfg: &Config) -> Summary {
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
    let what = format!("start-up, fresh process ({schema_files} schemas, {cases} cases)");
    vec![row(what, format!("{cold_total:.1} ms"), "goal < 50 ms")]
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
