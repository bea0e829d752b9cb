//! JUnit XML of a run document: one testsuite per case folder, one testcase per case,
//! failures carrying their findings.

use super::document::RunDocument;
use super::verdict::Verdict;
use crate::run::SetupPhase;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::time::Duration;

/// One testcase per fixture step that failed: a setup error is an error (the cases it
/// blocks are errors too); a teardown warning passes with the warning in system-err.
fn setup_suite(doc: &RunDocument) -> TestSuite {
    let mut suite = TestSuite::new("setup");
    for issue in &doc.setup {
        let phase = match issue.phase {
            SetupPhase::Setup => "setup",
            SetupPhase::Teardown => "teardown",
        };
        let status = match issue.phase {
            SetupPhase::Setup => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(issue.problem.clone())
                    .set_type("setup-error")
                    .set_description(format!(
                        "{issue}\nblocks {} case(s)",
                        doc.blocked_by(&issue.fixture)
                    ));
                s
            }
            SetupPhase::Teardown => TestCaseStatus::success(),
        };
        let mut tc = TestCase::new(format!("fixture/{}/{phase}", issue.fixture), status);
        tc.set_classname("setup");
        if issue.phase == SetupPhase::Teardown {
            tc.set_system_err(format!("warning: {issue}"));
        }
        suite.add_test_case(tc);
    }
    suite
}

/// Renders the document as JUnit XML.
pub fn render(doc: &RunDocument) -> Result<String, String> {
    let mut report = Report::new(format!("ecs-conform against {}", doc.target.name));
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for case in &doc.cases {
        let suite = suites
            .entry(case.group())
            .or_insert_with(|| TestSuite::new(case.group().to_owned()));
        let findings: Vec<String> = case
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.place(), f.finding))
            .collect();
        let description = case.details.clone().unwrap_or_else(|| findings.join("\n"));
        let status = match case.verdict {
            Verdict::Pass => TestCaseStatus::success(),
            Verdict::Known => TestCaseStatus::success(),
            Verdict::Skipped => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(case.reason.clone().unwrap_or_default());
                s
            }
            Verdict::Fail => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let first = case
                    .findings
                    .iter()
                    .find(|f| f.finding.severity == crate::finding::Severity::Fail)
                    .map(|f| f.finding.to_string())
                    .unwrap_or_else(|| "contract failure".into());
                s.set_message(first)
                    .set_type("contract")
                    .set_description(description);
                s
            }
            Verdict::Fixed => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(
                    "listed as a known deviation but passed: the expectation entry is stale",
                )
                .set_type("stale-expectation");
                s
            }
            Verdict::Interrupted => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!(
                    "interrupted: {}",
                    case.reason.clone().unwrap_or_default()
                ))
                .set_type("interrupted");
                s
            }
            Verdict::Error => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(case.reason.clone().unwrap_or_else(|| "target error".into()))
                    .set_type("target-error")
                    .set_description(description);
                s
            }
        };
        let mut tc = TestCase::new(case.id.clone(), status);
        tc.set_classname(case.group().to_owned());
        tc.set_time(Duration::from_secs_f64(case.duration_secs.max(0.0)));
        if case.verdict == Verdict::Known {
            tc.set_system_out(format!(
                "known deviation: {}\n{}",
                super::profile::Known::reasons(&case.known),
                findings.join("\n")
            ));
        } else if !findings.is_empty() && case.verdict == Verdict::Pass {
            tc.set_system_out(findings.join("\n"));
        }
        suite.add_test_case(tc);
    }
    if doc.interrupted {
        // The run did not finish: say so where CI systems look (every testsuite).
        for suite in suites.values_mut() {
            suite.add_property(("interrupted", "true"));
        }
    }
    report.add_test_suites(suites.into_values());
    if !doc.setup.is_empty() {
        report.add_test_suite(setup_suite(doc));
    }
    report.set_time(Duration::from_secs_f64(doc.duration_secs.max(0.0)));
    report.to_string().map_err(|e| e.to_string())
}
