//! The suite: finding the case files and the shared fixtures file, loading each through
//! [`crate::loader`] (which checks it and places every problem at its exact
//! file:line:column), and the checked cases and fixtures ready to run; nothing here
//! knows HTTP or schemas (the caller says which operations exist).

use crate::files;
use crate::loader::{self, Source};
pub mod matcher;
pub mod model;
pub(crate) mod needs;
pub mod template;

pub use crate::loader::{Problem, BUILTIN_VARIABLES};
pub use matcher::{Condition, Matcher};
pub use model::{Fixture, RawCase, RawExpect, Save, Step};

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The name of the shared fixtures file at the root of a suite.
pub const FIXTURES_FILE: &str = "fixtures.yaml";
/// The coverage exclusions file at the root of a suite (not a case).
pub const COVERAGE_FILE: &str = "coverage.yaml";
/// The file at the root of a suite that asks for generated cases (not a case):
/// `negative: true` adds the negative cases generated from the contract.
pub const GENERATE_FILE: &str = "generate.yaml";

/// What a suite's `generate.yaml` asks for.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGenerate {
    #[serde(rename = "$schema", default)]
    #[allow(dead_code)]
    schema: Option<String>,
    /// Add the negative cases generated from the contract (`crate::generate`).
    #[serde(default)]
    negative: bool,
}

/// Why a suite could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} problem{} in the case files:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, render(.0))]
    Problems(Vec<Problem>),
}

impl SuiteError {
    /// The message with each problem's source line and a caret (the first line of
    /// each problem stays `file:line:column: message`).
    pub fn render(&self) -> String {
        match self {
            SuiteError::Problems(problems) => loader::render_all(
                &format!(
                    "{} problem{} in the case files:",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                ),
                problems,
            ),
            other => other.to_string(),
        }
    }
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a step expects once parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expect {
    /// Acceptable HTTP statuses; empty means "a 2xx unless an error is expected".
    pub status: Vec<u16>,
    /// Acceptable (normalised) error types; empty means "no error".
    pub errors: Vec<String>,
    pub body: Vec<Condition>,
    /// Conditions on response headers; each pointer is `/<lower-case header name>`.
    pub headers: Vec<Condition>,
}

/// A step ready to run: the raw step plus its parsed conditions and where it is.
#[derive(Debug, Clone)]
pub struct PlannedStep {
    pub step: Step,
    pub until: Option<Vec<Condition>>,
    pub expect: Expect,
    /// 1-based line where the step starts in its file (the line of its `- call:` as
    /// usually written), from the parser's span; 0 when unknown.
    pub line: usize,
}

/// One case, checked and ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    /// Path below the suite root without extension, `/`-separated, e.g. `stop-task/reason-echoed`.
    pub id: String,
    pub file: PathBuf,
    pub name: String,
    pub tags: Vec<String>,
    pub cites: String,
    pub description: Option<String>,
    pub fixtures: Vec<String>,
    pub vars: Map<String, Value>,
    pub steps: Vec<PlannedStep>,
    pub teardown: Vec<PlannedStep>,
    /// Loaded lean: `vars`, `steps` and `teardown` are empty until [`Suite::plan`].
    pub lean: bool,
}

impl Case {
    /// The case without what only running it needs.
    fn lean(self) -> Case {
        Case {
            description: None,
            vars: Map::new(),
            steps: Vec::new(),
            teardown: Vec::new(),
            lean: true,
            ..self
        }
    }
}

/// A fixture ready to run.
#[derive(Debug, Clone)]
pub struct PlannedFixture {
    pub name: String,
    /// The fixtures file it comes from (setup errors name it with the step's line).
    pub file: PathBuf,
    pub needs: Vec<String>,
    /// Suite variables its setup vouches for; cases that use one need this fixture.
    pub checks: Vec<String>,
    pub setup: Vec<PlannedStep>,
    pub teardown: Vec<PlannedStep>,
}

/// A checked suite.
#[derive(Debug, Clone)]
pub struct Suite {
    pub root: PathBuf,
    /// Suite-wide variables with their defaults, from the fixtures file.
    pub vars: Map<String, Value>,
    pub cases: Vec<Case>,
    /// In dependency order (a fixture comes after everything it needs).
    pub fixtures: Vec<PlannedFixture>,
    /// The operations steps may call (kept to plan lean cases later).
    operations: Vec<String>,
    /// Paths below the root left out of the suite (special files, link loops), with why.
    pub skipped: Vec<files::Skipped>,
    /// The text of each generated case (no file holds it), by its path below the root.
    generated: BTreeMap<PathBuf, std::sync::Arc<str>>,
    /// `negative: true` in the suite's `generate.yaml`: the generated negative cases
    /// join the suite (the app adds them where it loads a suite).
    pub wants_negative_cases: bool,
    /// Loaded lean (`load_lean`): generated cases are kept lean too.
    lean: bool,
}

/// Where a suite's files come from besides its root folder.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// More folders of case files (`--add-cases`), loaded next to the root's: a case's
    /// id is its path below its own folder, it uses the root's fixtures and variables,
    /// and no id may be used twice. Such a folder holds case files only.
    pub add_cases: Vec<PathBuf>,
    /// The fixtures file used when the root has none (the CLI passes the built-in
    /// suite's, so a folder of a user's own cases can use its `cluster` and `taskdef`).
    pub fixtures_fallback: Option<PathBuf>,
}

impl Suite {
    /// Loads every `*.yaml`, `*.yml` and `*.json` below `root` (the fixtures file
    /// apart) and checks them. `known_operations` lists the operations a step may call.
    pub fn load(root: &Path, known_operations: &[&str]) -> Result<Suite, SuiteError> {
        Suite::load_with(root, &Layers::default(), known_operations, false)
    }

    /// Like `load` (`load_lean` when `lean`), with the case folders and the fixtures
    /// file of `layers` too.
    pub fn load_layered(
        root: &Path,
        layers: &Layers,
        known_operations: &[&str],
        lean: bool,
    ) -> Result<Suite, SuiteError> {
        Suite::load_with(root, layers, known_operations, lean)
    }

    /// Like `load`, every file is checked, but each case keeps only what selection
    /// and reports need (id, name, tags, cites, fixtures): its steps are planned again
    /// by [`Suite::plan`] when it runs. Large suites then cost little memory.
    pub fn load_lean(root: &Path, known_operations: &[&str]) -> Result<Suite, SuiteError> {
        Suite::load_with(root, &Layers::default(), known_operations, true)
    }

    /// The case ready to run: itself when fully loaded, else planned again from its file.
    pub fn plan(&self, case: &Case) -> Result<Case, SuiteError> {
        if !case.lean {
            return Ok(case.clone());
        }
        let source = match self.generated.get(&case.file) {
            Some(text) => Source::new(&case.file, text.clone()),
            None => read(&case.file)?,
        };
        let ops: Vec<&str> = self.operations.iter().map(String::as_str).collect();
        let mut problems = Vec::new();
        loader::load_case(
            &source,
            &case.id,
            &ops,
            &self.vars,
            &self.fixtures,
            &mut problems,
        )
        .ok_or(SuiteError::Problems(problems))
    }

    fn load_with(
        root: &Path,
        layers: &Layers,
        known_operations: &[&str],
        lean: bool,
    ) -> Result<Suite, SuiteError> {
        let (mut files, mut skipped) = collect_files(root)?;
        files.sort();
        let fixtures_path = root.join(FIXTURES_FILE);
        let fixtures_file = if fixtures_path.is_file() {
            Some(fixtures_path.clone())
        } else {
            layers.fixtures_fallback.clone().filter(|f| f.is_file())
        };
        let mut problems = Vec::new();
        let (vars, fixtures) = if let Some(fixtures_file) = &fixtures_file {
            let source = read(fixtures_file)?;
            loader::load_fixtures(&source, known_operations, &mut problems)
        } else {
            (Map::new(), Vec::new())
        };
        let generate_path = root.join(GENERATE_FILE);
        let wants = if generate_path.is_file() {
            let source = read(&generate_path)?;
            match source.parse::<RawGenerate>("generate file") {
                Ok(raw) => raw.negative,
                Err(p) => {
                    problems.push(p);
                    false
                }
            }
        } else {
            false
        };
        let mut cases = Vec::new();
        let coverage_path = root.join(COVERAGE_FILE);
        let mut case_files: Vec<(String, PathBuf)> = files
            .into_iter()
            .filter(|f| *f != fixtures_path && *f != coverage_path && *f != generate_path)
            .map(|f| (case_id(root, &f), f))
            .collect();
        for dir in &layers.add_cases {
            let (mut added, added_skipped) = collect_files(dir)?;
            added.sort();
            skipped.extend(added_skipped);
            for file in added {
                if let Some(name) = [FIXTURES_FILE, GENERATE_FILE, COVERAGE_FILE]
                    .into_iter()
                    .find(|name| file == dir.join(name))
                {
                    problems.push(Problem::at(
                        &file,
                        1,
                        1,
                        format!(
                            "a folder of added cases holds case files only: its {name} would not be used (the suite's fixtures and settings apply to added cases)"
                        ),
                    ));
                    continue;
                }
                case_files.push((case_id(dir, &file), file));
            }
        }
        let mut ids: BTreeMap<&str, &Path> = BTreeMap::new();
        for (id, file) in &case_files {
            if let Some(other) = ids.insert(id, file) {
                problems.push(Problem::at(
                    file,
                    1,
                    1,
                    format!(
                        "the case id `{id}` is also the id of {}: case ids must be unique (rename one of the files)",
                        other.display()
                    ),
                ));
            }
        }
        for (id, file) in &case_files {
            let source = read(file)?;
            if let Some(case) = loader::load_case(
                &source,
                id,
                known_operations,
                &vars,
                &fixtures,
                &mut problems,
            ) {
                cases.push(if lean { case.lean() } else { case });
            }
        }
        let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
        for case in &cases {
            if let Some(other) = seen.insert(&case.name, &case.file) {
                let message = format!(
                    "the case name `{}` is also used by {}: names must be unique",
                    case.name,
                    other.display()
                );
                problems.push(match Source::read(&case.file) {
                    Ok(source) => source.problem_at(&[loader::Seg::Key("name")], message),
                    Err(_) => Problem::at(&case.file, 1, 1, message),
                });
            }
        }
        if problems.is_empty() {
            Ok(Suite {
                root: root.to_owned(),
                vars,
                cases,
                fixtures,
                operations: known_operations.iter().map(|o| o.to_string()).collect(),
                skipped,
                generated: BTreeMap::new(),
                wants_negative_cases: wants,
                lean,
            })
        } else {
            Err(SuiteError::Problems(problems))
        }
    }

    /// Adds generated cases (loaded from their text as if from `<root>/<id>.yaml`), after
    /// the files. A case whose id a file of the suite already has is left out (the
    /// written-out file wins), and so is every case that names a fixture the suite does
    /// not define (a suite without the shipped fixtures gets none). A generated case
    /// that does not load otherwise is a problem, as a broken file is.
    pub fn add_generated(
        &mut self,
        cases: &[crate::generate::GeneratedCase],
    ) -> Result<(), SuiteError> {
        let ops: Vec<&str> = self.operations.iter().map(String::as_str).collect();
        let lean = self.lean;
        let mut problems = Vec::new();
        let mut added = Vec::new();
        for generated in cases {
            if self.cases.iter().any(|c| c.id == generated.id) {
                continue;
            }
            let file = self.root.join(generated.relative_path());
            let source = Source::new(&file, generated.text.as_str());
            let Ok(raw) = source.parse::<RawCase>("case file") else {
                problems.push(Problem::at(
                    &file,
                    1,
                    1,
                    format!("generated case {} does not parse", generated.id),
                ));
                continue;
            };
            if !raw
                .fixtures
                .iter()
                .all(|f| self.fixtures.iter().any(|p| &p.name == f))
            {
                continue;
            }
            if let Some(case) = loader::load_case(
                &source,
                &generated.id,
                &ops,
                &self.vars,
                &self.fixtures,
                &mut problems,
            ) {
                self.generated.insert(file, source.text.clone());
                added.push(if lean { case.lean() } else { case });
            }
        }
        if !problems.is_empty() {
            return Err(SuiteError::Problems(problems));
        }
        self.cases.extend(added);
        Ok(())
    }

    /// The fixtures a set of cases needs, with everything they need, in setup order.
    pub fn fixtures_for<'a>(&'a self, cases: &[&Case]) -> Vec<&'a PlannedFixture> {
        let mut wanted: Vec<&str> = cases
            .iter()
            .flat_map(|c| c.fixtures.iter().map(String::as_str))
            .collect();
        let mut i = 0;
        while i < wanted.len() {
            if let Some(f) = self.fixtures.iter().find(|f| f.name == wanted[i]) {
                for need in &f.needs {
                    if !wanted.contains(&need.as_str()) {
                        wanted.push(need);
                    }
                }
            }
            i += 1;
        }
        self.fixtures
            .iter()
            .filter(|f| wanted.contains(&f.name.as_str()))
            .collect()
    }
}

fn read(path: &Path) -> Result<Source, SuiteError> {
    Source::read(path).map_err(|e| SuiteError::Io {
        path: e.path,
        source: e.source,
    })
}

/// Every case file (`*.yaml`, `*.yml`, `*.json`) below `dir`, and what was skipped:
/// special files (a FIFO would block the reader) and symbolic-link loops.
fn collect_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<files::Skipped>), SuiteError> {
    let listing =
        files::list(dir, &["yaml", "yml", "json"], true).map_err(|source| SuiteError::Io {
            path: dir.to_owned(),
            source,
        })?;
    Ok((listing.files, listing.skipped))
}

fn case_id(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file).with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
