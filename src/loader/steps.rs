//! Checking and planning the steps of a case or fixture: each problem is placed at the
//! node it is about (the `call` value, the `save` entry, the `${variable}` string, the
//! `expect.body` pointer…) from the parser's spans of the file.

use super::spans::{Node, Seg, Span};
use super::{Problem, Source};
use crate::suite::matcher::{check_pointer, parse_conditions};
use crate::suite::model::{RawExpect, Save, Step};
use crate::suite::template;
use crate::suite::{Expect, PlannedStep};
use serde_json::{Map, Value};
use std::cell::OnceCell;
use std::collections::BTreeSet;

/// Collects the problems of one file, each at the node it is about.
pub(super) struct FileCheck<'a> {
    pub(super) source: &'a Source,
    /// The parser's spans of every node, parsed on first use (only a file with a
    /// problem, or a JSON file, needs them); None inside when the parser refuses the
    /// text, which the typed parse reports first.
    tree: OnceCell<Option<Node>>,
    pub(super) problems: &'a mut Vec<Problem>,
}

/// A path into the document, e.g. `steps/2/expect/body`.
pub(super) type NodePath<'p> = Vec<Seg<'p>>;

impl<'a> FileCheck<'a> {
    pub(super) fn new(source: &'a Source, problems: &'a mut Vec<Problem>) -> FileCheck<'a> {
        FileCheck {
            source,
            tree: OnceCell::new(),
            problems,
        }
    }

    fn tree(&self) -> Option<&Node> {
        self.tree.get_or_init(|| self.source.tree()).as_ref()
    }

    pub(super) fn at(&mut self, span: Span, message: String) {
        let problem = self.source.problem(span, message);
        self.problems.push(problem);
    }

    /// Where the node at `path` is written, else its nearest ancestor.
    pub(super) fn node(&self, path: &[Seg]) -> Span {
        self.tree().map_or(Span::START, |root| root.span_at(path))
    }

    /// Where the key `key` of the mapping at `path` is written, else the mapping.
    pub(super) fn key(&self, path: &[Seg], key: &str) -> Span {
        self.tree()
            .and_then(|root| root.key_span(path, key))
            .unwrap_or_else(|| self.node(path))
    }

    /// Where the scalar holding `needle` below `path` is written, else the node.
    pub(super) fn within(&self, path: &[Seg], needle: &str) -> Span {
        self.tree()
            .and_then(|root| root.get(path))
            .and_then(|node| node.find_scalar(needle))
            .map_or_else(|| self.node(path), |node| node.span)
    }
}

fn with<'p>(path: &[Seg<'p>], more: &[Seg<'p>]) -> NodePath<'p> {
    path.iter().chain(more).copied().collect()
}

/// Plans the steps of the sequence at `path` (`steps`, `teardown`, a fixture's
/// `setup`…), checking each.
pub(super) fn plan_steps(
    check: &mut FileCheck,
    steps: &[Step],
    path: &[Seg],
    ops: &[&str],
    defined: &mut BTreeSet<String>,
) -> Vec<PlannedStep> {
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let here = with(path, &[Seg::Index(i)]);
            plan_step(check, step, &here, ops, defined)
        })
        .collect()
}

fn plan_step(
    check: &mut FileCheck,
    step: &Step,
    path: &[Seg],
    ops: &[&str],
    defined: &mut BTreeSet<String>,
) -> PlannedStep {
    // The typed parse's line of the step; a JSON file (whose parser gives none) is
    // located by the spans of the same item.
    let line = match step.line {
        0 if check.tree().is_some() => check.node(path).line,
        line => line,
    };
    if !ops.contains(&step.call.as_str()) {
        let hint = closest(&step.call, ops)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        let at = check.node(&with(path, &[Seg::Key("call")]));
        check.at(at, format!("unknown operation `{}`{hint}", step.call));
    }
    let request = with(path, &[Seg::Key("with")]);
    if !step.request.is_object() {
        let at = check.node(&request);
        check.at(
            at,
            format!(
                "`with` must be an object (the request body), not {}",
                step.request
            ),
        );
    }
    if step.raw_body.is_some() && step.request.as_object().is_some_and(|o| !o.is_empty()) {
        let at = check.node(&with(path, &[Seg::Key("raw_body")]));
        check.at(
            at,
            "give the request as `with` or as `raw_body`, not both: `raw_body` is sent instead of `with`".into(),
        );
    }
    check_references(check, &step.request, defined, &request);
    for (name, save) in &step.save {
        let entry = with(path, &[Seg::Key("save"), Seg::Key(name)]);
        if let Err(m) = check_pointer(save.pointer()) {
            let at = check.within(&entry, save.pointer());
            check.at(at, format!("`save: {name}`: {m}"));
        }
        if let Save::Capture { capture, .. } = save {
            let at = check.node(&with(&entry, &[Seg::Key("capture")]));
            match regex::Regex::new(capture) {
                Err(e) => check.at(at, format!("`save: {name}`: `{capture}` is not a valid regular expression: {e}")),
                Ok(re) if re.captures_len() < 2 => check.at(
                    at,
                    format!("`save: {name}`: `{capture}` has no capture group; wrap the part to keep in ( )"),
                ),
                Ok(_) => {}
            }
        }
    }
    let until_path = with(path, &[Seg::Key("until")]);
    let until = step.until.as_ref().map(|map| {
        check_references(check, &Value::Object(map.clone()), defined, &until_path);
        parse_conditions(map).unwrap_or_else(|(pointer, m)| {
            let at = check.key(&until_path, &pointer);
            check.at(at, format!("`until`: {m}"));
            Vec::new()
        })
    });
    if step.until.is_none() && (step.within.is_some() || step.every.is_some()) {
        let key = if step.within.is_some() {
            "within"
        } else {
            "every"
        };
        let at = check.key(path, key);
        check.at(
            at,
            "`within` and `every` only make sense with `until`".into(),
        );
    }
    let raw = step.expect.clone().unwrap_or_default();
    let expect = plan_expect(check, &raw, defined, &with(path, &[Seg::Key("expect")]));
    defined.extend(step.save.keys().cloned());
    PlannedStep {
        // The raw `until` and `expect` live on parsed, in `until` and `expect`.
        step: Step {
            until: None,
            expect: None,
            line,
            ..step.clone()
        },
        until,
        expect,
        line,
    }
}

/// The items of a value written as one item or a list of them, each with its path.
fn items<'v, 'p>(value: &'v Value, path: &[Seg<'p>]) -> Vec<(&'v Value, NodePath<'p>)> {
    match value {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (v, with(path, &[Seg::Index(i)])))
            .collect(),
        other => vec![(other, path.to_vec())],
    }
}

fn plan_expect(
    check: &mut FileCheck,
    raw: &RawExpect,
    defined: &BTreeSet<String>,
    path: &[Seg],
) -> Expect {
    let mut expect = Expect::default();
    if let Some(status) = &raw.status {
        for (s, at) in items(status, &with(path, &[Seg::Key("status")])) {
            match s.as_u64().filter(|n| (100..600).contains(n)) {
                Some(n) => expect.status.push(n as u16),
                None => {
                    let at = check.node(&at);
                    check.at(
                        at,
                        format!(
                            "`status` takes an HTTP status (100..599) or a list of them, not {s}"
                        ),
                    );
                }
            }
        }
    }
    if let Some(error) = &raw.error {
        for (e, at) in items(error, &with(path, &[Seg::Key("error")])) {
            match e.as_str().filter(|s| !s.is_empty()) {
                Some(s) => expect.errors.push(s.to_owned()),
                None => {
                    let at = check.node(&at);
                    check.at(
                        at,
                        format!("`error` takes an error type name or a list of them, not {e}"),
                    );
                }
            }
        }
    }
    let body = with(path, &[Seg::Key("body")]);
    check_references(check, &Value::Object(raw.body.clone()), defined, &body);
    expect.body = parse_conditions(&raw.body).unwrap_or_else(|(pointer, m)| {
        let at = check.key(&body, &pointer);
        check.at(at, format!("`expect.body`: {m}"));
        Vec::new()
    });
    // A header's pointer: its lower-case name as one token.
    let escape = |name: &str| crate::pointer::child("", &name.to_ascii_lowercase());
    let headers: Map<String, Value> = raw
        .headers
        .iter()
        .map(|(name, spec)| (escape(name), spec.clone()))
        .collect();
    let headers_path = with(path, &[Seg::Key("headers")]);
    check_references(
        check,
        &Value::Object(raw.headers.clone()),
        defined,
        &headers_path,
    );
    expect.headers = parse_conditions(&headers).unwrap_or_else(|(pointer, m)| {
        let written = raw.headers.keys().find(|name| escape(name) == pointer);
        let at = match written {
            Some(name) => check.key(&headers_path, name),
            None => check.node(&headers_path),
        };
        check.at(at, format!("`expect.headers`: {m}"));
        Vec::new()
    });
    expect
}

/// Checks every `${variable}` in the strings of `value` (written at `path`).
pub(super) fn check_references(
    check: &mut FileCheck,
    value: &Value,
    defined: &BTreeSet<String>,
    path: &[Seg],
) {
    let mut strings = Vec::new();
    template::strings(value, &mut strings);
    for s in &strings {
        match template::references(s) {
            Err(m) => {
                let at = check.within(path, s);
                check.at(at, m);
            }
            Ok(names) => {
                for name in names {
                    if !defined.contains(name) {
                        let at = check.within(path, &format!("${{{name}}}"));
                        check.at(
                            at,
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
