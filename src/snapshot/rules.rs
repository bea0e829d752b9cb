//! The normalisers, declared as data in `snapshots/normalisers.yaml` and loaded once.
//!
//! ```yaml
//! version: 1
//! arn_resources:                 # ARN resource type → regex over what follows `type/`;
//!   task: '(?:(?P<cluster>[^/]+)/)?(?P<task>[^/]+)'   # named groups become <name:N>
//! absent: [empty-list, null]     # member values a client cannot tell from no member
//! rules:                         # first rule that selects a value wins
//!   - kind: arn                  # arn | timestamp | id | set | type
//!     keys: [taskArn, clusterArn]          # members with these names, at any depth
//!     pointers: ['/failures/*/arn']        # JSON pointer patterns (`*`, `**`)
//!   - kind: id
//!     label: eni                           # placeholder <eni:N>
//!     pairs: [networkInterfaceId]          # the `value` of {name: networkInterfaceId, value: …}
//!     patterns: ['(?P<task>[0-9a-f]{32})-(?P<runtime>[0-9]+)']  # parsed parts, tried first
//!     why: free text for readers
//!   - kind: set                            # a value in a named set → <label:set name>
//!     label: status
//!     keys: [lastStatus]
//!     sets: { starting: [PROVISIONING, PENDING, ACTIVATING] }
//!   - kind: type                           # only the JSON type stays: <label:number>
//!     label: version
//!     keys: [version]
//! compare: …                     # which differences fail: see [`super::classify`]
//! ```
//!
//! A rule selects values only by where they are (key, pointer or name/value pair),
//! never by what they contain; a selected array has the rule applied to each element.

use super::classify::{Compare, RawCompare};
use super::SnapshotError;
use crate::pointer::PointerPattern;
use regex::Regex;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Normalisers declared as data (`snapshots/normalisers.yaml`), loaded once.
#[derive(Debug, Clone)]
pub struct Normalisers {
    pub(crate) rules: Vec<Rule>,
    /// ARN resource type → parser of the resource id part.
    pub(crate) arn_resources: BTreeMap<String, Parser>,
    /// Members whose value is `[]` are left out (a client cannot tell them from absent).
    pub(crate) absent_empty_list: bool,
    /// Members whose value is `null` are left out (the SDKs treat them as absent).
    pub(crate) absent_null: bool,
    /// Which differences between a snapshot and a response fail (the rest is drift).
    pub(crate) compare: Compare,
    /// Members a task or container gains while it passes through transitional states
    /// (`transitional`): which of them it has depends on when a call lands.
    pub(crate) transitional: HashSet<String>,
}

/// What a rule does to a value it selects.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// Split into partition, service, region, account, resource type and id.
    Arn,
    /// `<timestamp:number>` or `<timestamp:string>`; other types are left alone.
    Timestamp,
    /// `<label:N>`, numbered per case; `patterns` may split the value into parts first.
    Id {
        label: String,
        patterns: Vec<Parser>,
    },
    /// A string in one of the named sets → `<label:set>`; other values are left alone.
    Set {
        label: String,
        /// value → name of its set
        members: HashMap<String, String>,
    },
    /// `<label:number>`, `<label:string>` or `<label:boolean>`: only the type stays.
    Type { label: String },
}

/// A whole-value regex whose named groups become identity placeholders.
#[derive(Debug, Clone)]
pub(crate) struct Parser {
    pub(crate) regex: Regex,
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) kind: Kind,
    pub(crate) keys: HashSet<String>,
    pub(crate) pointers: Vec<PointerPattern>,
    pub(crate) pairs: HashSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    version: Option<Spanned<u32>>,
    #[serde(default)]
    arn_resources: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    absent: Vec<Spanned<String>>,
    rules: Vec<Spanned<RawRule>>,
    #[serde(default)]
    compare: Option<Spanned<RawCompare>>,
    #[serde(default)]
    transitional: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    kind: RawKind,
    #[serde(default)]
    label: Option<Spanned<String>>,
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    pointers: Vec<Spanned<String>>,
    #[serde(default)]
    pairs: Vec<String>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    sets: Option<Spanned<BTreeMap<String, Vec<String>>>>,
    #[serde(default)]
    #[allow(dead_code)]
    why: Option<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RawKind {
    Arn,
    Timestamp,
    Id,
    Set,
    Type,
}

impl Normalisers {
    /// Loads and checks the normalisers file; errors carry `path:line:column`.
    pub fn load(path: &Path) -> Result<Normalisers, SnapshotError> {
        let source = crate::loader::Source::read(path).map_err(|e| SnapshotError::Io {
            path: e.path,
            action: "reading the normalisers file",
            source: e.source,
        })?;
        Normalisers::from_source(&source)
    }

    /// Parses normalisers from text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Normalisers, SnapshotError> {
        Normalisers::from_source(&crate::loader::Source::new(origin, text))
    }

    fn from_source(source: &crate::loader::Source) -> Result<Normalisers, SnapshotError> {
        let at = |loc: serde_saphyr::Location, message: String| {
            SnapshotError::Normalisers(
                source.problem(crate::loader::Span::from_location(loc), message),
            )
        };
        let raw: RawFile = source
            .parse("normalisers file")
            .map_err(SnapshotError::Normalisers)?;
        if let Some(v) = &raw.version {
            if v.value != 1 {
                return Err(at(
                    v.referenced,
                    format!(
                        "version {} is not supported (this build reads version 1)",
                        v.value
                    ),
                ));
            }
        }
        let mut arn_resources = BTreeMap::new();
        for (rtype, pattern) in &raw.arn_resources {
            let parser = compile_parser(&pattern.value)
                .map_err(|m| at(pattern.referenced, format!("arn_resources.{rtype}: {m}")))?;
            arn_resources.insert(rtype.clone(), parser);
        }
        let mut rules = Vec::new();
        for spanned in &raw.rules {
            let r = &spanned.value;
            let here = spanned.referenced;
            if r.keys.is_empty() && r.pointers.is_empty() && r.pairs.is_empty() {
                return Err(at(
                    here,
                    "this rule selects nothing: give it `keys`, `pointers` or `pairs`".into(),
                ));
            }
            if r.kind != RawKind::Id {
                if let Some(p) = r.patterns.first() {
                    return Err(at(
                        p.referenced,
                        "`patterns` only apply to rules of kind `id` (ARN parts are declared in `arn_resources`)".into(),
                    ));
                }
            }
            if r.kind != RawKind::Set {
                if let Some(sets) = &r.sets {
                    return Err(at(
                        sets.referenced,
                        "`sets` only apply to rules of kind `set`".into(),
                    ));
                }
            }
            let kind = match r.kind {
                RawKind::Arn | RawKind::Timestamp => {
                    if let Some(label) = &r.label {
                        return Err(at(
                            label.referenced,
                            "`label` only applies to rules of kind `id`, `set` and `type`".into(),
                        ));
                    }
                    if r.kind == RawKind::Arn {
                        Kind::Arn
                    } else {
                        Kind::Timestamp
                    }
                }
                RawKind::Id | RawKind::Set | RawKind::Type => {
                    let Some(label) = &r.label else {
                        return Err(at(
                            here,
                            "this kind of rule needs a `label` (the placeholder's name)".into(),
                        ));
                    };
                    if !is_label(&label.value) {
                        return Err(at(
                            label.referenced,
                            format!(
                                "label `{}` must be lower-case letters, digits, `-` or `_`",
                                label.value
                            ),
                        ));
                    }
                    let label = label.value.clone();
                    match r.kind {
                        RawKind::Id => {
                            let mut patterns = Vec::new();
                            for p in &r.patterns {
                                patterns.push(
                                    compile_parser(&p.value).map_err(|m| at(p.referenced, m))?,
                                );
                            }
                            Kind::Id { label, patterns }
                        }
                        RawKind::Set => {
                            let members = set_members(r.sets.as_ref())
                                .map_err(|(loc, m)| at(loc.unwrap_or(here), m))?;
                            Kind::Set { label, members }
                        }
                        _ => Kind::Type { label },
                    }
                }
            };
            let mut pointers = Vec::new();
            for p in &r.pointers {
                pointers.push(PointerPattern::parse(&p.value).map_err(|m| at(p.referenced, m))?);
            }
            rules.push(Rule {
                kind,
                keys: r.keys.iter().cloned().collect(),
                pointers,
                pairs: r.pairs.iter().cloned().collect(),
            });
        }
        let (mut absent_empty_list, mut absent_null) = (false, false);
        for form in &raw.absent {
            match form.value.as_str() {
                "empty-list" => absent_empty_list = true,
                "null" => absent_null = true,
                other => {
                    return Err(at(
                        form.referenced,
                        format!("`{other}` in `absent` is not one of empty-list, null"),
                    ))
                }
            }
        }
        let compare = match &raw.compare {
            None => Compare::strict(),
            Some(c) => Compare::from_raw(&c.value)
                .map_err(|(loc, m)| at(loc.unwrap_or(c.referenced), format!("compare: {m}")))?,
        };
        Ok(Normalisers {
            rules,
            arn_resources,
            absent_empty_list,
            absent_null,
            compare,
            transitional: raw.transitional.iter().cloned().collect(),
        })
    }

    /// No rules at all: `normalise` only sorts keys.
    pub fn empty() -> Normalisers {
        Normalisers {
            rules: Vec::new(),
            arn_resources: BTreeMap::new(),
            absent_empty_list: false,
            absent_null: false,
            compare: Compare::strict(),
            transitional: HashSet::new(),
        }
    }

    /// Is the member at this path of a response body compared by value (an enum, a
    /// status, the error type), so that a different value fails?
    pub fn is_compared_value(&self, body_path: &[String]) -> bool {
        self.compare.is_value(body_path)
    }

    /// Is the member at this path of a response body one whose absence on one side
    /// fails?
    pub fn is_required_member(&self, body_path: &[String]) -> bool {
        self.compare.is_required(body_path)
    }

    /// The default location below a suite root: `<root>/snapshots/normalisers.yaml`.
    pub fn default_path(root: &Path) -> PathBuf {
        root.join("snapshots").join("normalisers.yaml")
    }

    /// The first rule that selects the value at `path` (member `key` of its parent;
    /// `pair_name` is the parent's `name` when the key is `value`).
    pub(crate) fn rule_for(
        &self,
        path: &[String],
        key: Option<&str>,
        pair_name: Option<&str>,
    ) -> Option<&Rule> {
        self.rules.iter().find(|r| {
            key.is_some_and(|k| r.keys.contains(k))
                || pair_name.is_some_and(|n| r.pairs.contains(n))
                || r.pointers.iter().any(|p| p.matches(path))
        })
    }
}

fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// value → set name; a value may belong to one set only.
fn set_members(
    sets: Option<&Spanned<BTreeMap<String, Vec<String>>>>,
) -> Result<HashMap<String, String>, (Option<serde_saphyr::Location>, String)> {
    let Some(sets) = sets else {
        return Err((
            None,
            "a rule of kind `set` needs `sets` (set name → values)".into(),
        ));
    };
    let loc = Some(sets.referenced);
    if sets.value.is_empty() {
        return Err((loc, "`sets` is empty".into()));
    }
    let mut members = HashMap::new();
    for (name, values) in &sets.value {
        if !is_label(name) {
            return Err((
                loc,
                format!("set name `{name}` must be lower-case letters, digits, `-` or `_`"),
            ));
        }
        for v in values {
            if let Some(other) = members.insert(v.clone(), name.clone()) {
                return Err((loc, format!("`{v}` is in two sets: `{other}` and `{name}`")));
            }
        }
    }
    Ok(members)
}

fn compile_parser(pattern: &str) -> Result<Parser, String> {
    let regex = Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("`{pattern}` is not a valid regex: {e}"))?;
    if regex.capture_names().flatten().next().is_none() {
        return Err(format!(
            "`{pattern}` has no named group: name each volatile part, e.g. (?P<task>[^/]+)"
        ));
    }
    if let Some(bad) = regex.capture_names().flatten().find(|n| !is_label(n)) {
        return Err(format!(
            "`{pattern}`: group name `{bad}` must be lower-case letters, digits or `_`"
        ));
    }
    Ok(Parser { regex })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Normalisers, SnapshotError> {
        Normalisers::parse(text, Path::new("n.yaml"))
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("rules:\n  - kind: id\n    keys: [a]\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "n.yaml:2:5: this kind of rule needs a `label` (the placeholder's name)"
        );
        let SnapshotError::Normalisers(problem) = &e else {
            panic!("{e}")
        };
        assert_eq!(
            problem.render(),
            format!("{e}\n  |\n2 |   - kind: id\n  |     ^"),
            "{}",
            problem.render()
        );
        let e =
            parse("rules:\n  - kind: id\n    label: x\n    keys: [a]\n    patterns: ['(?P<a>[']\n")
                .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("n.yaml:5:16: `(?P<a>[` is not a valid regex"),
            "{e}"
        );
        let e = parse("rules:\n  - kind: uuid\n    keys: [a]\n").unwrap_err();
        assert!(e.to_string().starts_with("n.yaml:2:"), "{e}");
        assert!(e.to_string().contains("uuid"), "{e}");
        let e = parse("rules:\n  - kind: arn\n    pointers: [tasks/0]\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("n.yaml:3:16: `tasks/0` is not a JSON pointer"),
            "{e}"
        );
        let e = parse("rules:\n  - kind: timestamp\n").unwrap_err();
        assert!(e.to_string().contains("selects nothing"), "{e}");
        let e =
            parse("rules:\n  - kind: id\n    label: x\n    keys: [a]\n    patterns: ['[0-9]+']\n")
                .unwrap_err();
        assert!(e.to_string().contains("no named group"), "{e}");
        let e = parse("rules: []\nextra: 1\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("n.yaml:2:1: not a valid normalisers file"),
            "{e}"
        );
    }

    #[test]
    fn first_matching_rule_wins() {
        let n = parse(
            "rules:\n  - kind: timestamp\n    pointers: ['/a/x']\n  - kind: id\n    label: i\n    keys: [x]\n",
        )
        .unwrap();
        let path = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(matches!(
            n.rule_for(&path(&["a", "x"]), Some("x"), None)
                .unwrap()
                .kind,
            Kind::Timestamp
        ));
        assert!(matches!(
            n.rule_for(&path(&["b", "x"]), Some("x"), None)
                .unwrap()
                .kind,
            Kind::Id { .. }
        ));
        assert!(n.rule_for(&path(&["b", "y"]), Some("y"), None).is_none());
    }
}
