//! Running the suite from a program's own `cargo test` (an emulator's repository, a
//! platform team's regression tests): [`Conformance`] names the target and the suite,
//! runs the selected cases through the same run loop as the CLI, and hands each case
//! to libtest-mimic as a trial, so `cargo test` filters, lists and counts them like any
//! test and fails when the target does not conform. Nothing here prints: the caller's
//! `libtest_mimic::run` does.
//!
//! ```no_run
//! // tests/ecs_conformance.rs, declared in Cargo.toml with
//! // [[test]] name = "ecs_conformance", harness = false
//! fn main() {
//!     let args = libtest_mimic::Arguments::from_args();
//!     let trials = ecs_conform::embed::Conformance::new("http://127.0.0.1:4566")
//!         .suite("vendor/ecs-conform") // holds cases/, schemas/, snapshots/, targets/
//!         .trials(&args)
//!         .expect("the suite loads and the target is reachable");
//!     libtest_mimic::run(&args, trials).exit();
//! }
//! ```

// The example is a test target's whole file, so its `main` is the point.
#![allow(clippy::needless_doctest_main)]

use crate::app::{self, AppError, Paths, RunResult, Selection, SnapshotOptions, TargetChoice};
use crate::report::libtest::{shown, Shown};
use crate::report::profile::TargetProfile;
use crate::run::{Interrupt, Reporter};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A target and the suite to certify it with.
#[derive(Debug, Clone)]
pub struct Conformance {
    paths: Paths,
    choice: TargetChoice,
    expectations: TargetProfile,
    jobs: usize,
    targets: PathBuf,
}

impl Conformance {
    /// The target at `endpoint`, certified with the suite in the working directory
    /// (`cases/`, `schemas/`, `snapshots/`; `cargo test` runs in the package root).
    /// Snapshot comparison is off until [`Conformance::snapshots`] turns it on.
    pub fn new(endpoint: impl Into<String>) -> Conformance {
        Conformance {
            paths: Paths::resolve(None, None, None),
            choice: TargetChoice {
                endpoint: endpoint.into(),
                snapshots: SnapshotOptions {
                    disabled: true,
                    ..SnapshotOptions::default()
                },
                ..TargetChoice::default()
            },
            expectations: TargetProfile::default(),
            jobs: 4,
            targets: PathBuf::from("targets"),
        }
    }

    /// The suite in `root` (`root/cases`, `root/schemas`, `root/snapshots`,
    /// `root/targets`).
    pub fn suite(mut self, root: impl AsRef<Path>) -> Conformance {
        let root = root.as_ref();
        self.paths = Paths {
            cases: root.join("cases"),
            schemas: root.join("schemas"),
            snapshots: root.join("snapshots"),
            ..Paths::default()
        };
        self.targets = root.join("targets");
        self
    }

    /// The target's profile from the suite's `targets/NAME.yaml` (its known deviations,
    /// skips, variables, region and path style).
    pub fn target(self, name: &str) -> Result<Conformance, AppError> {
        let profile = TargetProfile::load(&self.targets, name)?;
        Ok(self.with_profile(profile))
    }

    /// The target's profile from a target file anywhere.
    pub fn target_file(self, path: impl AsRef<Path>) -> Result<Conformance, AppError> {
        let path = path.as_ref();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let profile = TargetProfile::load_file(path, &name)?;
        Ok(self.with_profile(profile))
    }

    fn with_profile(mut self, profile: TargetProfile) -> Conformance {
        if let Some(region) = &profile.region {
            self.choice.region = region.clone();
        }
        if let Some(style) = profile.path_style {
            self.choice.path_style = style;
        }
        self.choice.kind = profile.kind.clone();
        self.choice
            .vars
            .extend(profile.vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.expectations = profile;
        self
    }

    /// The region to sign for (default us-east-1).
    pub fn region(mut self, region: impl Into<String>) -> Conformance {
        self.choice.region = region.into();
        self
    }

    /// Sets a suite variable (as `--var name=value`).
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Conformance {
        self.choice.vars.push((name.into(), value.into()));
        self
    }

    /// At most `jobs` cases at once (default 4).
    pub fn jobs(mut self, jobs: usize) -> Conformance {
        self.jobs = jobs.max(1);
        self
    }

    /// The target runs in this process or on this machine under the caller's control
    /// (an in-process fake): dummy credentials, 25 ms polls, a 10 s cap on `until`.
    pub fn local(mut self, label: impl Into<String>) -> Conformance {
        self.choice.local = Some(label.into());
        self
    }

    /// Compares steps with `snapshot: true` with the suite's snapshots.
    pub fn snapshots(mut self) -> Conformance {
        self.choice.snapshots.disabled = false;
        self
    }

    /// Runs the selected cases (the CLI's run loop, without output) and returns what
    /// happened; `reporter` hears every event.
    pub fn run(
        &self,
        selection: &Selection,
        reporter: Arc<dyn Reporter>,
    ) -> Result<RunResult, AppError> {
        app::run(
            &self.paths,
            &self.choice,
            selection,
            self.jobs,
            &self.expectations,
            reporter,
            Interrupt::new(),
        )
    }

    /// Every case, with the tags the target's profile skips (and `seed-only`).
    pub fn selection(&self) -> Selection {
        Selection {
            skip_tags: self
                .expectations
                .skip
                .iter()
                .map(|s| (s.tag.clone(), s.reason.clone()))
                .collect(),
            ..Selection::default()
        }
    }

    /// How a case of a finished run shows as a test (its verdict with this target's
    /// profile).
    pub fn shown(&self, result: &crate::run::CaseResult) -> Shown {
        shown(result, &self.expectations, &self.choice.region)
    }

    /// One trial per selected case, for `libtest_mimic::run`. Unless `args` only lists
    /// (`--list`), the selected cases run first, all together, as the CLI runs them;
    /// each trial then reports its case's verdict. Cases skipped by tag are ignored
    /// trials (`--ignored`/`--include-ignored` run them). When a name filter selects
    /// nothing, there is no trial (libtest reports 0 tests, as for any filter); when the
    /// suite and the profile select nothing by themselves (an empty cases folder, every
    /// case skipped by tag), it is an error: that run would verify nothing.
    pub fn trials(&self, args: &Arguments) -> Result<Vec<Trial>, AppError> {
        let base = self.selection();
        let selection = base.clone().with_libtest(args);
        if args.list {
            return Ok(app::list(&self.paths, &selection)?
                .into_iter()
                .map(|(id, skipped)| Trial::test(id, || Ok(())).with_ignored_flag(skipped))
                .collect());
        }
        let result = self.run(&selection, Arc::new(()))?;
        if let Some(why) = result.nothing_selected {
            // A name filter that matches nothing here is `cargo test`'s usual way of
            // running other tests (0 trials, as libtest does); without one, the suite
            // itself selected nothing, and a run that verified nothing must not pass.
            let filtered = args.filter.is_some() || !args.skip.is_empty() || args.ignored;
            return if filtered {
                Ok(Vec::new())
            } else {
                Err(AppError::NoCases(why))
            };
        }
        if let Some(reason) = result.unreachable {
            return Err(AppError::Incomplete(format!(
                "the target could not be reached or set up, so no case ran: {reason}"
            )));
        }
        let skipped_by_tag = app::list(&self.paths, &base)?;
        Ok(result
            .results
            .iter()
            .map(|case| {
                let shown = self.shown(case);
                let tagged = skipped_by_tag
                    .iter()
                    .any(|(id, skipped)| *skipped && *id == case.id);
                Trial::ignorable_test(case.id.clone(), move || match shown {
                    Shown::Ok => Ok(Completion::Completed),
                    Shown::Failed(text) => Err(Failed::from(text)),
                    Shown::Ignored(reason) => Ok(Completion::ignored_with(reason)),
                })
                .with_ignored_flag(tagged)
            })
            .collect())
    }
}
