//! Parsing one case file (or the fixtures file) and checking what a parser cannot:
//! known operations, defined variables, parseable pointers and matchers, known fixtures.

use super::locate;
use super::matcher::{check_pointer, parse_conditions};
use super::model::{RawCase, RawExpect, RawFixtures, Save, Step};
use super::template;
use super::{Case, Expect, PlannedFixture, PlannedStep, Problem};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

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

/// Collects problems for one file.
struct FileCheck<'a> {
    file: &'a Path,
    text: &'a str,
    problems: &'a mut Vec<Problem>,
}

impl FileCheck<'_> {
    fn at(&mut self, (line, column): (usize, usize), message: String) {
        self.problems.push(Problem {
            file: self.file.to_owned(),
            line,
            column,
            message,
        });
    }

    fn near(&mut self, needle: &str, from_line: usize, message: String) {
        let pos = locate::find(self.text, needle, from_line);
        self.at(pos, message);
    }
}

fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, Problem> {
    let is_json = file.extension().and_then(|e| e.to_str()) == Some("json");
    let (line, column, message) = if is_json {
        match serde_json::from_str(text) {
            Ok(v) => return Ok(v),
            Err(e) => {
                let msg = e.to_string();
                let msg = msg
                    .rsplit_once(" at line ")
                    .map_or(msg.as_str(), |(m, _)| m)
                    .to_owned();
                (e.line().max(1), e.column().max(1), msg)
            }
        }
    } else {
        let options = serde_saphyr::options! {
            strict_booleans: true,
            leading_zero_numbers_as_strings: true,
        };
        match serde_saphyr::from_str_with_options(text, options) {
            Ok(v) => return Ok(v),
            Err(e) => {
                let (line, column) = e
                    .location()
                    .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
                let msg = e.without_snippet().to_string();
                let msg = msg.lines().next().unwrap_or_default().to_owned();
                (line.max(1), column.max(1), strip_location(&msg))
            }
        }
    };
    Err(Problem {
        file: file.to_owned(),
        line,
        column,
        message: format!("not a valid case file: {message}"),
    })
}

/// serde-saphyr appends "at line L, column C" (we print that ourselves).
fn strip_location(msg: &str) -> String {
    let lower = msg.to_ascii_lowercase();
    match lower.rfind(" at line ") {
        Some(i) => msg[..i].trim_end_matches(',').to_owned(),
        None => msg.to_owned(),
    }
}

/// Loads the fixtures file: the suite's variables and its fixtures in dependency order.
pub fn load_fixtures(
    file: &Path,
    text: &str,
    ops: &[&str],
    problems: &mut Vec<Problem>,
) -> (Map<String, Value>, Vec<PlannedFixture>) {
    let raw: RawFixtures = match parse(file, text) {
        Ok(r) => r,
        Err(p) => {
            problems.push(p);
            return (Map::new(), Vec::new());
        }
    };
    let mut check = FileCheck {
        file,
        text,
        problems,
    };
    let lines = locate::call_lines(text);
    let mut next_line = lines.iter().copied();
    let mut planned = Vec::new();
    let names: BTreeSet<&str> = raw.fixtures.keys().map(String::as_str).collect();
    for (name, value) in &raw.vars {
        let mut strings = Vec::new();
        template::strings(value, &mut strings);
        if strings.iter().any(|s| s.contains("${")) {
            check.near(
                name,
                1,
                format!("suite variable `{name}` must be a plain value, without `${{...}}`"),
            );
        }
    }
    for (name, fixture) in &raw.fixtures {
        let mut defined: BTreeSet<String> = builtins();
        defined.extend(raw.vars.keys().cloned());
        for need in &fixture.needs {
            if !names.contains(need.as_str()) {
                check.near(
                    need,
                    1,
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
            &mut next_line,
            ops,
            &mut defined,
        );
        let teardown = plan_steps(
            &mut check,
            &fixture.teardown,
            &mut next_line,
            ops,
            &mut defined,
        );
        for var in &fixture.checks {
            if !raw.vars.contains_key(var) {
                check.near(
                    var,
                    1,
                    format!("fixture `{name}` checks `{var}`, which is not a suite variable (`vars:` of this file)"),
                );
            }
        }
        planned.push(PlannedFixture {
            name: name.clone(),
            file: file.to_owned(),
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
                check.near(
                    names[0],
                    1,
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
    file: &Path,
    id: &str,
    text: &str,
    ops: &[&str],
    suite_vars: &Map<String, Value>,
    fixtures: &[PlannedFixture],
    problems: &mut Vec<Problem>,
) -> Option<Case> {
    let raw: RawCase = match parse(file, text) {
        Ok(r) => r,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let before = problems.len();
    let mut check = FileCheck {
        file,
        text,
        problems,
    };
    let mut defined = builtins();
    defined.extend(suite_vars.keys().cloned());
    if raw.name.trim().is_empty() {
        check.near("name", 1, "the case has an empty `name`".into());
    }
    if raw.steps.is_empty() {
        check.near("steps", 1, "the case has no steps".into());
    }
    for name in &raw.fixtures {
        match fixtures.iter().find(|f| &f.name == name) {
            None => check.near(
                name,
                1,
                format!(
                    "unknown fixture `{name}`; the fixtures file defines: {}",
                    fixtures
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(_) => defined.extend(fixture_variables(name, fixtures)),
        }
    }
    for (name, value) in &raw.vars {
        check_references(&mut check, value, &defined, 1);
        defined.insert(name.clone());
    }
    let lines = locate::call_lines(text);
    let mut next_line = lines.iter().copied();
    let steps = plan_steps(&mut check, &raw.steps, &mut next_line, ops, &mut defined);
    let teardown = plan_steps(&mut check, &raw.teardown, &mut next_line, ops, &mut defined);
    if problems.len() > before {
        return None;
    }
    let mut case_fixtures = raw.fixtures;
    for name in super::needs::checking_fixtures(&raw.vars, &raw.steps, &raw.teardown, fixtures) {
        if !case_fixtures.contains(&name) {
            case_fixtures.push(name);
        }
    }
    Some(Case {
        id: id.to_owned(),
        file: file.to_owned(),
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

fn plan_steps(
    check: &mut FileCheck,
    steps: &[Step],
    lines: &mut impl Iterator<Item = usize>,
    ops: &[&str],
    defined: &mut BTreeSet<String>,
) -> Vec<PlannedStep> {
    steps
        .iter()
        .map(|step| {
            let line = lines.next().unwrap_or(0);
            plan_step(check, step, line, ops, defined)
        })
        .collect()
}

fn plan_step(
    check: &mut FileCheck,
    step: &Step,
    line: usize,
    ops: &[&str],
    defined: &mut BTreeSet<String>,
) -> PlannedStep {
    if !ops.contains(&step.call.as_str()) {
        let hint = closest(&step.call, ops)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        check.near(
            &step.call,
            line,
            format!("unknown operation `{}`{hint}", step.call),
        );
    }
    if !step.request.is_object() {
        check.near(
            "with",
            line,
            format!(
                "`with` must be an object (the request body), not {}",
                step.request
            ),
        );
    }
    check_references(check, &step.request, defined, line);
    for (name, save) in &step.save {
        let pointer = save.pointer();
        if let Err(m) = check_pointer(pointer) {
            check.near(pointer, line, format!("`save: {name}`: {m}"));
        }
        if let Save::Capture { capture, .. } = save {
            match regex::Regex::new(capture) {
                Err(e) => check.near(capture, line, format!("`save: {name}`: `{capture}` is not a valid regular expression: {e}")),
                Ok(re) if re.captures_len() < 2 => check.near(
                    capture,
                    line,
                    format!("`save: {name}`: `{capture}` has no capture group; wrap the part to keep in ( )"),
                ),
                Ok(_) => {}
            }
        }
    }
    let until = step.until.as_ref().map(|map| {
        check_references(check, &Value::Object(map.clone()), defined, line);
        parse_conditions(map).unwrap_or_else(|(pointer, m)| {
            check.near(&pointer, line, format!("`until`: {m}"));
            Vec::new()
        })
    });
    if step.until.is_none() && (step.within.is_some() || step.every.is_some()) {
        check.near(
            "within",
            line,
            "`within` and `every` only make sense with `until`".into(),
        );
    }
    let raw = step.expect.clone().unwrap_or_default();
    let expect = plan_expect(check, &raw, defined, line);
    defined.extend(step.save.keys().cloned());
    PlannedStep {
        // The raw `until` and `expect` live on parsed, in `until` and `expect`.
        step: Step {
            until: None,
            expect: None,
            ..step.clone()
        },
        until,
        expect,
        line,
    }
}

fn plan_expect(
    check: &mut FileCheck,
    raw: &RawExpect,
    defined: &BTreeSet<String>,
    line: usize,
) -> Expect {
    let mut expect = Expect::default();
    if let Some(status) = &raw.status {
        let items = match status {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        for s in items {
            match s.as_u64().filter(|n| (100..600).contains(n)) {
                Some(n) => expect.status.push(n as u16),
                None => check.near(
                    "status",
                    line,
                    format!("`status` takes an HTTP status (100..599) or a list of them, not {s}"),
                ),
            }
        }
    }
    if let Some(error) = &raw.error {
        let items = match error {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        for e in items {
            match e.as_str().filter(|s| !s.is_empty()) {
                Some(s) => expect.errors.push(s.to_owned()),
                None => check.near(
                    "error",
                    line,
                    format!("`error` takes an error type name or a list of them, not {e}"),
                ),
            }
        }
    }
    check_references(check, &Value::Object(raw.body.clone()), defined, line);
    expect.body = parse_conditions(&raw.body).unwrap_or_else(|(pointer, m)| {
        check.near(&pointer, line, format!("`expect.body`: {m}"));
        Vec::new()
    });
    let headers: Map<String, Value> = raw
        .headers
        .iter()
        .map(|(name, spec)| {
            let pointer = crate::pointer::build([name.to_ascii_lowercase()]);
            (pointer, spec.clone())
        })
        .collect();
    check_references(check, &Value::Object(raw.headers.clone()), defined, line);
    expect.headers = parse_conditions(&headers).unwrap_or_else(|(pointer, m)| {
        check.near(
            pointer.trim_start_matches('/'),
            line,
            format!("`expect.headers`: {m}"),
        );
        Vec::new()
    });
    expect
}

fn check_references(check: &mut FileCheck, value: &Value, defined: &BTreeSet<String>, line: usize) {
    let mut strings = Vec::new();
    template::strings(value, &mut strings);
    for s in &strings {
        match template::references(s) {
            Err(m) => check.near(s, line, m),
            Ok(names) => {
                for name in names {
                    if !defined.contains(name) {
                        check.near(
                            &format!("${{{name}}}"),
                            line,
                            format!(
                                "undefined variable `${{{name}}}`: define it in `vars`, save it in an earlier step, or use a fixture that saves it"
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// The known name closest to `name` by edit distance, if it is close.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| {
            (
                strsim::levenshtein(&name.to_lowercase(), &k.to_lowercase()),
                *k,
            )
        })
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}
