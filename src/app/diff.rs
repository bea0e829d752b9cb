//! Live differences between two targets (`ecs-conform diff`): the same cases run on
//! both, with the same run id (so names such as `ecs-conform-<run id>` match) and the
//! same settings, and each case step's answers are normalised by the snapshot
//! normalisers and compared. What remains is a difference between the targets, not
//! between the two runs.

use super::{run_quiet, AppError, Paths, Selection, TargetChoice};
use crate::client::Exchange;
use crate::run::{CaseResult, Outcome, Phase, StepResult};
use crate::snapshot::{diff_values, normalise_exchange, Identities, Normalisers};
use serde_json::Value;
use std::collections::HashSet;

/// The differences of one case step between the two targets, or a case one side gave
/// no usable answer to (`step` None: it cannot be compared, which is never "no
/// difference").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDifference {
    pub case: String,
    /// The step (1-based, among the case's `steps`); None: the case as a whole.
    pub step: Option<usize>,
    /// The step's operation (empty for the case as a whole).
    pub call: String,
    /// One line per JSON path (`/body/task/lastStatus: "RUNNING" → "PENDING"`), or
    /// why the case could not be compared.
    pub lines: Vec<String>,
}

/// What `diff` found: the differences, and how many steps both sides answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffReport {
    pub differences: Vec<StepDifference>,
    /// Steps answered on both sides and compared (with or without a difference).
    pub compared: usize,
    /// Differences left out because they did not happen again when their cases ran a
    /// second time on both sides (they depend on timing, not on the targets).
    pub unconfirmed: usize,
}

/// Runs the selected cases on `a`, then on `b`, at most `jobs` at once on each, and
/// returns their normalised differences per case step, in suite order. With more than
/// one job, answers can differ by timing alone (a listing of a shared cluster while
/// other cases start tasks, a task caught in another transitional state), so the CLI
/// runs one case at a time unless asked otherwise.
///
/// Both runs get the same run id: `a`'s when it names one, else `ECS_CONFORM_RUN_ID`,
/// else a random one. The cases that differ run a second time on both sides (same run
/// id), and a difference is kept only when the second pass shows it too. Only the steps of a case are compared, not its teardown (whose
/// answers say in which state the case left its tasks, which depends on when it ended).
/// Err when the selection runs no case or no step answered on both sides.
pub fn diff(
    paths: &Paths,
    a: &TargetChoice,
    b: &TargetChoice,
    selection: &Selection,
    jobs: usize,
) -> Result<DiffReport, AppError> {
    let normalisers = Normalisers::load(&paths.normalisers())?;
    let run_id = a
        .run_id
        .clone()
        .unwrap_or_else(|| crate::run::RunSettings::default().run_id);
    let sides = [a, b].map(|choice| TargetChoice {
        run_id: Some(run_id.clone()),
        keep_exchanges: true,
        ..choice.clone()
    });
    let (suite, first, compared) = pass(paths, &sides, selection, jobs, &normalisers)?;
    if compared == 0 && first.is_empty() {
        return Err(AppError::Incomplete(
            "no step answered on both sides, so nothing was compared".into(),
        ));
    }
    // A difference must happen again: the cases that differed run once more on both
    // sides, and only the differences both passes saw are kept.
    let differing: Vec<&str> = first
        .iter()
        .filter(|d| d.step.is_some())
        .map(|d| d.case.as_str())
        .collect();
    if differing.is_empty() {
        return Ok(DiffReport {
            differences: first,
            compared,
            unconfirmed: 0,
        });
    }
    // Exactly those cases: every other case of the suite is skipped by its whole id.
    let again = Selection {
        filter: None,
        exact: true,
        skip: suite
            .into_iter()
            .filter(|id| !differing.contains(&id.as_str()))
            .collect(),
        ..selection.clone()
    };
    let (_, second, _) = pass(paths, &sides, &again, jobs, &normalisers)?;
    let mut unconfirmed = 0;
    let mut differences = Vec::new();
    for mut d in first {
        if d.step.is_some() {
            let seen_again = second
                .iter()
                .find(|s| s.case == d.case && s.step == d.step)
                .map_or(&[][..], |s| s.lines.as_slice());
            let before = d.lines.len();
            d.lines.retain(|l| seen_again.contains(l));
            unconfirmed += before - d.lines.len();
        }
        if !d.lines.is_empty() {
            differences.push(d);
        }
    }
    Ok(DiffReport {
        differences,
        compared,
        unconfirmed,
    })
}

/// One pass: the selection on both sides, then their differences. Returns the ids of
/// every case of the suite, the differences and how many steps were compared.
fn pass(
    paths: &Paths,
    sides: &[TargetChoice; 2],
    selection: &Selection,
    jobs: usize,
    normalisers: &Normalisers,
) -> Result<(Vec<String>, Vec<StepDifference>, usize), AppError> {
    let mut runs = Vec::new();
    let mut suite = Vec::new();
    for choice in sides {
        let report = run_quiet(paths, choice, selection, jobs)?;
        if let Some(reason) = report.unreachable {
            return Err(AppError::Target(crate::client::TargetError::Unreachable {
                // The label the run showed: without the URL's user info.
                endpoint: report.endpoint,
                reason,
            }));
        }
        if report.results.is_empty() {
            return Err(AppError::NoCases(match &report.nothing_selected {
                Some(why) => why.clone(),
                None => match &selection.filter {
                    Some(f) => format!("the filter `{f}` matches no case"),
                    None => format!("the cases folder {} holds no case", paths.cases.display()),
                },
            }));
        }
        suite = report.case_ids;
        runs.push(report.results);
    }
    let mut out = Vec::new();
    let mut compared = 0;
    for left in &runs[0] {
        let Some(right) = runs[1].iter().find(|r| r.id == left.id) else {
            continue;
        };
        compared += compare_case(left, right, normalisers, &mut out);
    }
    Ok((suite, out, compared))
}

/// Adds the differences of one case to `out`; returns how many steps were compared.
fn compare_case(
    left: &CaseResult,
    right: &CaseResult,
    normalisers: &Normalisers,
    out: &mut Vec<StepDifference>,
) -> usize {
    // A case that got no usable answer on a side cannot be compared: it is a
    // difference in itself, never a silent "no difference".
    let unusable: Vec<String> = [(left, "first"), (right, "second")]
        .iter()
        .filter_map(|(r, side)| match &r.outcome {
            Outcome::Error(why) => {
                Some(format!("the {side} endpoint gave no usable answer: {why}"))
            }
            _ => None,
        })
        .collect();
    if !unusable.is_empty() {
        out.push(StepDifference {
            case: left.id.clone(),
            step: None,
            call: String::new(),
            lines: unusable,
        });
        return 0;
    }
    let (steps_a, steps_b) = (case_steps(left), case_steps(right));
    let (mut ids_a, mut ids_b) = (Identities::default(), Identities::default());
    let mut compared = 0;
    let mut indices: Vec<(usize, &str)> = steps_a
        .iter()
        .chain(&steps_b)
        .map(|s| (s.index, s.call.as_str()))
        .collect();
    indices.sort_unstable();
    indices.dedup_by_key(|(index, _)| *index);
    for (index, call) in indices {
        let (ea, eb) = match (answer(&steps_a, index), answer(&steps_b, index)) {
            (Some(ea), Some(eb)) => (ea, eb),
            (None, None) => continue,
            // The case went on further on one side (it stopped at a failing step
            // on the other, or a variable the step needs got no value there).
            (one, _) => {
                let (answered, not) = if one.is_some() {
                    ("first", "second")
                } else {
                    ("second", "first")
                };
                out.push(StepDifference {
                    case: left.id.clone(),
                    step: Some(index),
                    call: call.to_owned(),
                    lines: vec![format!(
                        "only the {answered} endpoint answered this step (the case stopped earlier or did not send it on the {not})"
                    )],
                });
                continue;
            }
        };
        compared += 1;
        let mut na = normalise_exchange(ea, normalisers, &mut ids_a);
        let mut nb = normalise_exchange(eb, normalisers, &mut ids_b);
        settle(&mut na, &mut nb, &normalisers.transitional, false);
        let lines = diff_values(&na, &nb);
        if !lines.is_empty() {
            out.push(StepDifference {
                case: left.id.clone(),
                step: Some(index),
                call: call.to_owned(),
                lines,
            });
        }
    }
    compared
}

/// The answer a side got to the step at `index`.
fn answer<'a>(steps: &[&'a StepResult], index: usize) -> Option<&'a Exchange> {
    steps
        .iter()
        .find(|s| s.index == index)
        .and_then(|s| s.exchange.as_deref())
}

/// The steps of a case (not its teardown).
fn case_steps(result: &CaseResult) -> Vec<&StepResult> {
    result
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Step)
        .collect()
}

/// Leaves out the `transitional` members of the normalisers (`snapshots/normalisers.yaml`)
/// from each object both sides caught in the same transitional state (the same
/// `lastStatus` placeholder, such as `<status:starting>`) and from everything in it
/// (its containers follow the task): which of them it has depends on when the call
/// landed, not on the target. Objects in a stable state (RUNNING, STOPPED) keep them.
fn settle(a: &mut Value, b: &mut Value, transitional: &HashSet<String>, caught: bool) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let caught = caught
                || match (a.get("lastStatus"), b.get("lastStatus")) {
                    (Some(Value::String(x)), Some(Value::String(y))) => {
                        x == y && x.starts_with('<')
                    }
                    _ => false,
                };
            if caught {
                for key in transitional {
                    a.shift_remove(key);
                    b.shift_remove(key);
                }
            }
            for (key, va) in a.iter_mut() {
                if let Some(vb) = b.get_mut(key) {
                    settle(va, vb, transitional, caught);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (va, vb) in a.iter_mut().zip(b.iter_mut()) {
                settle(va, vb, transitional, caught);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_that_depend_on_the_moment_are_left_out_only_where_both_sides_are_caught_mid_transition(
    ) {
        let keys: HashSet<String> = ["pullStartedAt", "lastStatus", "runtimeId"]
            .map(String::from)
            .into();
        let mut a = json!({"tasks": [
            {"lastStatus": "<status:starting>", "pullStartedAt": 1, "cpu": "256",
             "containers": [{"lastStatus": "RUNNING", "runtimeId": "x"}]},
            {"lastStatus": "RUNNING", "pullStartedAt": 1},
            {"lastStatus": "<status:starting>", "pullStartedAt": 1}]});
        let mut b = json!({"tasks": [
            {"lastStatus": "<status:starting>", "cpu": "512",
             "containers": [{"lastStatus": "<status:starting>"}]},
            {"lastStatus": "RUNNING"},
            {"lastStatus": "<status:stopping>"}]});
        settle(&mut a, &mut b, &keys, false);
        let lines = diff_values(&a, &b);
        // Caught mid-transition on both sides: only the member that does not depend on
        // the moment differs.
        assert!(
            lines.iter().any(|l| l.starts_with("/tasks/0/cpu")),
            "{lines:?}"
        );
        assert!(
            !lines
                .iter()
                .any(|l| l.starts_with("/tasks/0/") && !l.starts_with("/tasks/0/cpu")),
            "{lines:?}"
        );
        // A stable state, or two different states: everything stays compared.
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("/tasks/1/pullStartedAt")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("/tasks/2/pullStartedAt")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("/tasks/2/lastStatus")),
            "{lines:?}"
        );
    }
}
