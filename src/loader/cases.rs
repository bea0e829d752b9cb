//! Loading one case file or the fixtures file and checking what a parser cannot:
//! known operations, defined variables, parseable pointers and matchers, known
//! fixtures. Every problem is at the node it is about (see [`super::steps`]).

use super::spans::Seg;
use super::steps::{check_references, plan_steps, FileCheck};
use super::{Problem, Source};
use crate::suite::model::{RawCase, RawFixtures};
use crate::suite::{Case, PlannedFixture};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Variables every case can use without defining them.
pub const BUILTIN_VARIABLES: &[(&str, &str)] = &[
    (
        "run_id",
        "an id unique to this run (lower-case letters and digits)",
    ),
    ("case_id", "an id unique to this case in this run"),
    ("region", "the target's region"),
    ("uuid", "a fresh random UUID at each use"),
];

/// Loads the fixtures file: the suite's variables and its fixtures in dependency order.
pub fn load_fixtures(
    source: &Source,
    ops: &[&str],
    problems: &mut Vec<Problem>,
) -> (Map<String, Value>, Vec<PlannedFixture>) {
    let raw: RawFixtures = match source.parse("fixtures file") {
        Ok(r) => r,
        Err(p) => {
            problems.push(p);
            return (Map::new(), Vec::new());
        }
    };
    let mut check = FileCheck::new(source, problems);
    let mut planned = Vec::new();
    let names: BTreeSet<&str> = raw.fixtures.keys().map(String::as_str).collect();
    for (name, value) in &raw.vars {
        let mut strings = Vec::new();
        crate::suite::template::strings(value, &mut strings);
        if strings.iter().any(|s| s.contains("${")) {
            let at = check.key(&[Seg::Key("vars")], name);
            check.at(
                at,
                format!("suite variable `{name}` must be a plain value, without `${{...}}`"),
            );
        }
    }
    for (name, fixture) in &raw.fixtures {
        let here = [Seg::Key("fixtures"), Seg::Key(name)];
        let mut defined: BTreeSet<String> = builtins();
        defined.extend(raw.vars.keys().cloned());
        for (i, need) in fixture.needs.iter().enumerate() {
            if !names.contains(need.as_str()) {
                let at = check.node(&[here[0], here[1], Seg::Key("needs"), Seg::Index(i)]);
                check.at(
                    at,
                    format!("fixture `{name}` needs `{need}`, which is not defined in this file"),
                );
            }
            if let Some(f) = raw.fixtures.get(need) {
                defined.extend(f.setup.iter().flat_map(|s| s.save.keys().cloned()));
            }
        }
        let setup = plan_steps(
            &mut check,
            &fixture.setup,
            &[here[0], here[1], Seg::Key("setup")],
            ops,
            &mut defined,
        );
        let teardown = plan_steps(
            &mut check,
            &fixture.teardown,
            &[here[0], here[1], Seg::Key("teardown")],
            ops,
            &mut defined,
        );
        for (i, var) in fixture.checks.iter().enumerate() {
            if !raw.vars.contains_key(var) {
                let at = check.node(&[here[0], here[1], Seg::Key("checks"), Seg::Index(i)]);
                check.at(
                    at,
                    format!("fixture `{name}` checks `{var}`, which is not a suite variable (`vars:` of this file)"),
                );
            }
        }
        planned.push(PlannedFixture {
            name: name.clone(),
            file: source.file.clone(),
            needs: fixture.needs.clone(),
            checks: fixture.checks.clone(),
            setup,
            teardown,
        });
    }
    let ordered = order_fixtures(planned, &mut check);
    (raw.vars, ordered)
}

fn order_fixtures(mut pending: Vec<PlannedFixture>, check: &mut FileCheck) -> Vec<PlannedFixture> {
    let mut ordered: Vec<PlannedFixture> = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|f| {
            f.needs.iter().all(|n| {
                ordered.iter().any(|o| &o.name == n) || !pending.iter().any(|p| &p.name == n)
            })
        });
        match ready {
            Some(i) => ordered.push(pending.remove(i)),
            None => {
                let names: Vec<_> = pending.iter().map(|f| f.name.as_str()).collect();
                let at = check.key(&[Seg::Key("fixtures")], names[0]);
                check.at(
                    at,
                    format!("fixtures {} need each other in a cycle", names.join(", ")),
                );
                break;
            }
        }
    }
    ordered
}

fn builtins() -> BTreeSet<String> {
    BUILTIN_VARIABLES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect()
}

/// Parses and checks one case file.
pub fn load_case(
    source: &Source,
    id: &str,
    ops: &[&str],
    suite_vars: &Map<String, Value>,
    fixtures: &[PlannedFixture],
    problems: &mut Vec<Problem>,
) -> Option<Case> {
    let raw: RawCase = match source.parse("case file") {
        Ok(r) => r,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let before = problems.len();
    let mut check = FileCheck::new(source, problems);
    let mut defined = builtins();
    defined.extend(suite_vars.keys().cloned());
    if raw.name.trim().is_empty() {
        let at = check.node(&[Seg::Key("name")]);
        check.at(at, "the case has an empty `name`".into());
    }
    if raw.steps.is_empty() {
        let at = check.node(&[Seg::Key("steps")]);
        check.at(at, "the case has no steps".into());
    }
    for (i, name) in raw.fixtures.iter().enumerate() {
        match fixtures.iter().find(|f| &f.name == name) {
            None => {
                let at = check.node(&[Seg::Key("fixtures"), Seg::Index(i)]);
                check.at(
                    at,
                    format!(
                        "unknown fixture `{name}`; the fixtures file defines: {}",
                        fixtures
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            }
            Some(_) => defined.extend(fixture_variables(name, fixtures)),
        }
    }
    for (name, value) in &raw.vars {
        check_references(
            &mut check,
            value,
            &defined,
            &[Seg::Key("vars"), Seg::Key(name)],
        );
        defined.insert(name.clone());
    }
    let steps = plan_steps(
        &mut check,
        &raw.steps,
        &[Seg::Key("steps")],
        ops,
        &mut defined,
    );
    let teardown = plan_steps(
        &mut check,
        &raw.teardown,
        &[Seg::Key("teardown")],
        ops,
        &mut defined,
    );
    if problems.len() > before {
        return None;
    }
    let mut case_fixtures = raw.fixtures;
    for name in
        crate::suite::needs::checking_fixtures(&raw.vars, &raw.steps, &raw.teardown, fixtures)
    {
        if !case_fixtures.contains(&name) {
            case_fixtures.push(name);
        }
    }
    Some(Case {
        id: id.to_owned(),
        file: source.file.clone(),
        name: raw.name,
        tags: raw.tags,
        cites: raw.cites,
        description: raw.description,
        fixtures: case_fixtures,
        vars: raw.vars,
        steps,
        teardown,
        lean: false,
    })
}

/// Variables a fixture (and everything it needs) saves.
fn fixture_variables(name: &str, fixtures: &[PlannedFixture]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![name.to_owned()];
    while let Some(n) = stack.pop() {
        if let Some(f) = fixtures.iter().find(|f| f.name == n) {
            out.extend(f.setup.iter().flat_map(|s| s.step.save.keys().cloned()));
            stack.extend(f.needs.iter().cloned());
        }
    }
    out
}
