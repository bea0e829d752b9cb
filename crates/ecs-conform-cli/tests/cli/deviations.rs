//! The suite certifies the clean reference target and catches every deviation: run
//! once clean (everything passes) and once per named deviation (at least one case
//! fails with a finding of the rule the deviation breaks). The README's table of
//! deviations and the cases that catch them is checked against what this test sees
//! (`ECS_CONFORM_UPDATE_README=1 cargo test -p ecs-conform-cli --test cli deviations` rewrites it).

use crate::readme_support;

use ecs_conform::app::{self, Paths, Selection, TargetChoice};
use ecs_conform::finding::Severity;
use ecs_conform::run::Outcome;
use ecs_conform::Rule;
use ecs_reference::Deviation;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

fn repo() -> &'static Path {
    Path::new(crate::cli_support::REPO)
}

/// The reference with these deviations (running until the server is dropped).
fn choice(deviations: Vec<Deviation>) -> (ecs_reference::Background, TargetChoice) {
    let (server, choice) = crate::cli_support::reference(deviations);
    let choice = TargetChoice {
        timeout: Duration::from_secs(10),
        ..choice
    };
    (server, choice)
}

fn paths() -> Paths {
    Paths::resolve(
        Some(repo().join("cases")),
        Some(repo().join("schemas")),
        Some(repo()),
    )
}

#[test]
fn the_clean_reference_passes_every_case_and_each_deviation_is_caught() {
    let (_server, clean) = choice(vec![]);
    let clean = app::run_quiet(&paths(), &clean, &Selection::default(), 4).unwrap();
    let not_passed: Vec<String> = clean
        .results
        .iter()
        .filter(|r| r.outcome != Outcome::Passed)
        .map(|r| {
            format!(
                "{}: {:?} {:?}",
                r.id,
                r.outcome,
                r.findings().map(|(_, f)| f.to_string()).collect::<Vec<_>>()
            )
        })
        .collect();
    assert!(clean.results.len() > 1);
    assert!(
        not_passed.is_empty(),
        "the clean reference must pass everything:\n{}",
        not_passed.join("\n")
    );

    let text = std::fs::read_to_string(repo().join("tests/data/deviation-rules.yaml")).unwrap();
    // Typed: a rule id the table does not have is an error here, not a silent miss.
    let expected: BTreeMap<String, Vec<Rule>> = serde_saphyr::from_str(&text).unwrap();
    let mut table = Vec::new();
    let mut missed = Vec::new();
    for deviation in Deviation::all() {
        let rules = expected.get(deviation.name()).unwrap_or_else(|| {
            panic!(
                "tests/data/deviation-rules.yaml lacks `{}`",
                deviation.name()
            )
        });
        let (_server, deviating) = choice(vec![*deviation]);
        let run = app::run_quiet(&paths(), &deviating, &Selection::default(), 4).unwrap();
        let catching = catchers(&run, rules);
        if catching.is_empty() {
            let seen: Vec<String> = run
                .results
                .iter()
                .filter(|r| r.outcome != Outcome::Passed)
                .map(|r| {
                    format!(
                        "{} {:?}",
                        r.id,
                        r.findings().map(|(_, f)| f.rule.id()).collect::<Vec<_>>()
                    )
                })
                .collect();
            let wanted: Vec<&str> = rules.iter().map(|r| r.id()).collect();
            missed.push(format!(
                "{} (wanted {wanted:?}; saw {seen:?})",
                deviation.name()
            ));
        }
        let head = format!(
            "| `{}` | {} | {} |",
            deviation.name(),
            deviation.summary(),
            rules
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        // Which cases see a deviation can depend on timing (a teardown that happens
        // to observe a task already STOPPED): the README's row stays as written while
        // every case it lists still catches the deviation; more catching is fine.
        let listed = readme_row(&head);
        // A listed case the loaded whole-suite run happened to miss is run again alone
        // (what the row promises) before the row is called out of date.
        let holds = listed.as_ref().is_some_and(|cases| {
            !cases.is_empty()
                && cases
                    .iter()
                    .all(|c| catching.contains(c) || catches_alone(&deviating, rules, c))
        });
        table.push(match listed {
            Some(cases) if holds => format!("{head} {} |", cases.join(", ")),
            // Finding which catch alone runs each catcher again: done when rewriting.
            _ if readme_support::updating() => format!(
                "{head} {} |",
                shown_catchers(&catching_alone(&deviating, rules, &catching)).join(", ")
            ),
            _ => format!("{head} {} |", shown_catchers(&catching).join(", ")),
        });
    }
    assert!(
        missed.is_empty(),
        "deviations the suite does not catch:\n{}",
        missed.join("\n")
    );
    check_readme(&table);
}

/// The cases of a run that failed with a failing finding of one of `rules`, as the
/// README writes them.
fn catchers(run: &app::RunResult, rules: &[Rule]) -> Vec<String> {
    run.results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed | Outcome::Error(_)))
        .filter(|r| {
            r.findings()
                .any(|(_, f)| f.severity == Severity::Fail && rules.contains(&f.rule))
        })
        .map(|r| format!("`{}`", r.id))
        .collect()
}

/// Of the cases that caught a deviation in a whole-suite run, those that catch it when
/// run alone: a case that caught it only through tasks other cases happened to have
/// running at that moment (a ListTasks filter ignored while they run) would come and go
/// from the README row from one run to the next. When none catch alone, all of them.
fn catching_alone(deviating: &TargetChoice, rules: &[Rule], catching: &[String]) -> Vec<String> {
    let alone: Vec<String> = catching
        .iter()
        .filter(|case| catches_alone(deviating, rules, case))
        .cloned()
        .collect();
    if alone.is_empty() {
        catching.to_vec()
    } else {
        alone
    }
}

/// Whether `case` (as the README writes it) catches the deviation when it is the only
/// case run.
fn catches_alone(deviating: &TargetChoice, rules: &[Rule], case: &str) -> bool {
    let selection = Selection {
        filter: Some(case.trim_matches('`').to_owned()),
        exact: true,
        ..Selection::default()
    };
    let run = app::run_quiet(&paths(), deviating, &selection, 1).unwrap();
    catchers(&run, rules).iter().any(|c| c == case)
}

/// The catchers a new README row lists: the written cases when some catch (a generated
/// negative case may catch a deviation only through what other cases left on the
/// target at that moment, e.g. a ListTasks filter ignored while other tasks run), else
/// the generated ones (they are the only check of their class).
fn shown_catchers(catching: &[String]) -> Vec<String> {
    let generated = |c: &String| c.starts_with("`negative/");
    let written: Vec<String> = catching.iter().filter(|c| !generated(c)).cloned().collect();
    if written.is_empty() {
        catching.to_vec()
    } else {
        written
    }
}

/// The cases the README's deviations table lists in the row that starts with `head`.
fn readme_row(head: &str) -> Option<Vec<String>> {
    let readme = std::fs::read_to_string(repo().join("README.md")).ok()?;
    let line = readme.lines().find(|l| l.starts_with(head))?;
    let cases = line[head.len()..].trim().trim_end_matches('|').trim();
    Some(
        cases
            .split(", ")
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

fn check_readme(rows: &[String]) {
    let table = format!(
        "| deviation | what it breaks | rule | cases that catch it |\n|---|---|---|---|\n{}\n",
        rows.join("\n")
    );
    readme_support::check_section("deviations", &table, "deviations");
}
