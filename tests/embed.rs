//! The embedding API as an emulator's repository uses it: a `harness = false` test
//! whose `main` certifies a target through `ecs_conform::embed::Conformance` and hands
//! the cases to libtest-mimic. Here the target is the built-in reference (every case
//! must pass), and two more trials check that the API fails a target that deviates and
//! honours a target profile's known deviations.

use ecs_conform::embed::Conformance;
use ecs_conform::report::libtest::Shown;
use ecs_reference::{Background, Deviation, ReferenceOptions};
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::Path;
use std::sync::Arc;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn reference(deviations: Vec<Deviation>) -> Background {
    Background::start(ReferenceOptions {
        deviations,
        ..ReferenceOptions::default()
    })
    .expect("the reference starts")
}

fn conformance(server: &Background) -> Conformance {
    Conformance::new(server.endpoint())
        .suite(repo())
        .local("the built-in reference target")
}

/// The ids and failure texts of the cases that fail on this conformance.
fn failures(conformance: &Conformance) -> Result<Vec<(String, String)>, Failed> {
    let run = conformance
        .run(&conformance.selection(), Arc::new(()))
        .map_err(|e| Failed::from(e.to_string()))?;
    Ok(run
        .results
        .iter()
        .filter_map(|r| match conformance.shown(r) {
            Shown::Failed(text) => Some((r.id.clone(), text)),
            _ => None,
        })
        .collect())
}

/// The suite's catching cases for a deviation fail, naming the broken rule.
fn a_deviating_target_fails() -> Result<(), Failed> {
    let server = reference(vec![Deviation::StringTimestamps]);
    let failed = failures(&conformance(&server))?;
    if failed.is_empty() {
        return Err("a target sending string timestamps passed every case".into());
    }
    if !failed
        .iter()
        .any(|(_, t)| t.contains("timestamp.epoch-number"))
    {
        return Err(format!("no failure names timestamp.epoch-number: {failed:#?}").into());
    }
    Ok(())
}

/// With a profile listing those failures as known deviations, the same cases are
/// ignored (known), and none fails.
fn a_profile_makes_known_deviations_ignored() -> Result<(), Failed> {
    let server = reference(vec![Deviation::StringTimestamps]);
    let failed = failures(&conformance(&server))?;
    let file = std::env::temp_dir().join(format!("ecs-conform-embed-{}.yaml", std::process::id()));
    let known: String = failed
        .iter()
        .map(|(id, _)| format!("  - {{ case: {id}, reason: timestamps are strings here }}\n"))
        .collect();
    std::fs::write(&file, format!("kind: emulator\nknown:\n{known}"))
        .map_err(|e| Failed::from(e.to_string()))?;
    let run = conformance(&server)
        .target_file(&file)
        .and_then(|profiled| {
            let run = profiled.run(&profiled.selection(), Arc::new(()))?;
            Ok((profiled, run))
        });
    let _ = std::fs::remove_file(&file);
    let (profiled, run) = run.map_err(|e| Failed::from(e.to_string()))?;
    let shown: Vec<Shown> = run.results.iter().map(|r| profiled.shown(r)).collect();
    let known = shown
        .iter()
        .filter(|s| matches!(s, Shown::Ignored(r) if r.starts_with("known deviation")))
        .count();
    let still_failed: Vec<&Shown> = shown
        .iter()
        .filter(|s| matches!(s, Shown::Failed(_)))
        .collect();
    if known != failed.len() || !still_failed.is_empty() {
        return Err(format!(
            "{} failed without the profile; with it: known {known}, failed {still_failed:#?}",
            failed.len()
        )
        .into());
    }
    Ok(())
}

/// A suite that selects nothing by itself is an error (that run would verify nothing);
/// a name filter that matches nothing gives no trial, as libtest does for any filter.
fn a_suite_that_selects_nothing_is_an_error() -> Result<(), Failed> {
    let root = std::env::temp_dir().join(format!("ecs-conform-embed-empty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("cases")).map_err(|e| Failed::from(e.to_string()))?;
    std::os::unix::fs::symlink(repo().join("schemas"), root.join("schemas"))
        .map_err(|e| Failed::from(e.to_string()))?;
    let server = reference(Vec::new());
    let empty = Conformance::new(server.endpoint())
        .suite(&root)
        .local("the reference");
    let unfiltered = empty.trials(&Arguments::default());
    let filtered = conformance(&server).trials(&Arguments {
        filter: Some("no-case-is-named-like-this".into()),
        ..Arguments::default()
    });
    let _ = std::fs::remove_dir_all(&root);
    match unfiltered {
        Err(ecs_conform::app::AppError::NoCases(_)) => {}
        Err(e) => return Err(format!("expected no cases to run, got {e}").into()),
        Ok(trials) => return Err(format!("{} trials from an empty suite", trials.len()).into()),
    }
    match filtered {
        Ok(trials) if trials.is_empty() => Ok(()),
        Ok(trials) => {
            Err(format!("{} trials for a filter that matches nothing", trials.len()).into())
        }
        Err(e) => Err(format!("a filter that matches nothing is not an error: {e}").into()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let server = reference(Vec::new());
    let mut trials = conformance(&server)
        .trials(&args)
        .expect("the suite runs against the reference");
    trials.push(Trial::test(
        "embed::a_deviating_target_fails",
        a_deviating_target_fails,
    ));
    trials.push(Trial::test(
        "embed::a_suite_that_selects_nothing_is_an_error",
        a_suite_that_selects_nothing_is_an_error,
    ));
    trials.push(Trial::test(
        "embed::a_profile_makes_known_deviations_ignored",
        a_profile_makes_known_deviations_ignored,
    ));
    libtest_mimic::run(&args, trials).exit();
}
