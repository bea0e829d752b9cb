//! Checks of known-deviation entries: each names a case of the suite, a rule of the
//! rule table (`crate::rules`) and, when it names one, a
//! well-formed location; a problem is reported at the value's exact file:line:column
//! (the loader's spans). Also how an entry's location matches a finding's pointer.

use super::profile::{TargetProfile, TargetProfileError};
use crate::loader::{Problem, Seg, Source, Span};
use crate::pointer::PointerPattern;

/// Every rule id a finding or a target error can carry (the rule table's).
pub fn rule_ids() -> Vec<&'static str> {
    crate::rules::all().iter().map(|r| r.id).collect()
}

/// Whether a known entry's location (`pattern`) matches a finding's `pointer`.
pub fn pointer_matches(pattern: &str, pointer: &str) -> bool {
    let is_pointer = |p: &str| p.is_empty() || p.starts_with('/');
    if !is_pointer(pattern) || !is_pointer(pointer) {
        // Pseudo-locations: `status`, `header:<name>` (header names ignore case).
        return pattern.eq_ignore_ascii_case(pointer);
    }
    let Ok(compiled) = PointerPattern::parse(pattern) else {
        return false;
    };
    let segments = crate::pointer::parse(pointer).unwrap_or_default();
    compiled.matches(&segments)
}

/// Why `pattern` is not a location a finding can have, if it is not.
fn pointer_problem(pattern: &str) -> Option<String> {
    if pattern.is_empty() || pattern.starts_with('/') {
        return PointerPattern::parse(pattern).err();
    }
    if pattern == "status"
        || pattern
            .strip_prefix("header:")
            .is_some_and(|h| !h.is_empty())
    {
        return None;
    }
    Some(format!(
        "`{pattern}` is not a location: write a JSON pointer (`/tasks/0/stopCode`, `*` for one segment, `**` for any number), `status` or `header:<name>`"
    ))
}

/// Problems at the `field` of the `index`-th known entry, located by the file's spans
/// (parsed only when there is a problem to place).
fn place(source: &Source, found: Vec<(usize, &str, String)>) -> Vec<Problem> {
    if found.is_empty() {
        return Vec::new();
    }
    let tree = source.tree();
    found
        .into_iter()
        .map(|(index, field, message)| {
            let path = [Seg::Key("known"), Seg::Index(index), Seg::Key(field)];
            let span = tree
                .as_ref()
                .map_or(Span::START, |root| root.span_at(&path));
            source.problem(span, message)
        })
        .collect()
}

/// Checks the syntax of every entry's location (done when a file loads).
pub fn check_pointers(profile: &TargetProfile, source: &Source) -> Result<(), TargetProfileError> {
    if profile.known.iter().all(|k| k.pointer.is_none()) {
        return Ok(());
    }
    let found = profile
        .known
        .iter()
        .enumerate()
        .filter_map(|(i, k)| Some((i, "pointer", pointer_problem(k.pointer.as_deref()?)?)))
        .collect();
    finish(&profile.file, place(source, found))
}

/// How the reason of an entry nobody has explained yet begins (what `run --record`
/// writes into the entries it adds).
pub const TODO_REASON: &str = "TODO";

/// Whether `reason` still waits for its explanation: `TODO`, alone or followed by
/// anything that is not a letter or a digit (`TODO: check moto's models.py`).
pub fn is_todo(reason: &str) -> bool {
    reason
        .trim_start()
        .strip_prefix(TODO_REASON)
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric()))
}

/// One problem per entry whose reason is still `TODO`, at the reason's file:line:column.
pub fn todo_reasons(profile: &TargetProfile) -> Vec<Problem> {
    let found: Vec<(usize, &str, String)> = profile
        .known
        .iter()
        .enumerate()
        .filter(|(_, k)| is_todo(&k.reason))
        .map(|(i, k)| {
            let location = match (&k.rule, &k.pointer) {
                (Some(rule), Some(pointer)) => format!(" ({rule} at `{pointer}`)"),
                (Some(rule), None) => format!(" ({rule})"),
                _ => String::new(),
            };
            (
                i,
                "reason",
                format!(
                    "the known deviation of `{}`{location} has no reason yet: replace `TODO` with why the target deviates",
                    k.case
                ),
            )
        })
        .collect();
    match &profile.source {
        Some(source) => place(source, found),
        None => found
            .into_iter()
            .map(|(_, _, message)| Problem::at(&profile.file, 1, 1, message))
            .collect(),
    }
}

/// Checks that every entry names a case of `case_ids` and a rule of the rule table.
pub fn check_entries(profile: &TargetProfile, case_ids: &[&str]) -> Result<(), TargetProfileError> {
    if profile.known.is_empty() {
        return Ok(());
    }
    let source = match &profile.source {
        Some(source) => source.clone(),
        None => Source::read(&profile.file).map_err(|e| TargetProfileError::Io {
            path: e.path,
            source: e.source,
        })?,
    };
    let rules = rule_ids();
    let mut found = Vec::new();
    for (i, k) in profile.known.iter().enumerate() {
        if !case_ids.contains(&k.case.as_str()) {
            let hint = nearest(&k.case, case_ids)
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            found.push((
                i,
                "case",
                format!("no case `{}` in the suite{hint}", k.case),
            ));
        }
        if let Some(rule) = &k.rule {
            if crate::rules::Rule::from_id(rule).is_none() {
                let hint = nearest(rule, &rules)
                    .map(|n| format!("did you mean `{n}`? "))
                    .unwrap_or_default();
                found.push((
                    i,
                    "rule",
                    format!("no rule `{rule}`: {hint}`ecs-conform rules` lists them"),
                ));
            }
        }
    }
    finish(&profile.file, place(&source, found))
}

fn finish(path: &std::path::Path, problems: Vec<Problem>) -> Result<(), TargetProfileError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(TargetProfileError::Entries {
            path: path.to_owned(),
            problems,
        })
    }
}

/// The candidate closest to `word` when it is close (at most 3 edits).
fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_match_exactly_by_pattern_or_as_pseudo_locations() {
        assert!(pointer_matches("/tasks/0/stopCode", "/tasks/0/stopCode"));
        assert!(!pointer_matches("/tasks/0/stopCode", "/tasks/1/stopCode"));
        assert!(!pointer_matches("/tasks/0/stopCode", "/tasks/0/stopCode/x"));
        assert!(pointer_matches(
            "/tasks/*/containers/*/taskArn",
            "/tasks/3/containers/0/taskArn"
        ));
        assert!(!pointer_matches(
            "/tasks/*/containers/*/taskArn",
            "/tasks/3/containers/taskArn"
        ));
        assert!(pointer_matches("/tasks/**", "/tasks/0/overrides/cpu"));
        assert!(pointer_matches("/a~1b", "/a~1b"));
        assert!(pointer_matches("", ""));
        assert!(!pointer_matches("", "/x"));
        assert!(pointer_matches("status", "status"));
        assert!(pointer_matches(
            "header:x-amzn-requestid",
            "header:x-amzn-RequestId"
        ));
        assert!(!pointer_matches("status", "/status"));
        assert!(!pointer_matches("/status", "status"));
    }

    #[test]
    fn todo_reasons_are_the_word_todo_alone_or_before_punctuation() {
        for reason in [
            "TODO",
            " TODO",
            "TODO: read moto's models.py",
            "TODO - later",
        ] {
            assert!(is_todo(reason), "{reason}");
        }
        for reason in ["TODOS", "todo", "moto omits it (TODO link)", "", "TODOx"] {
            assert!(!is_todo(reason), "{reason}");
        }
    }

    #[test]
    fn malformed_locations_are_named() {
        assert!(pointer_problem("/tasks/*/x").is_none());
        assert!(pointer_problem("status").is_none());
        assert!(pointer_problem("header:content-type").is_none());
        assert!(pointer_problem("tasks/0").is_some());
        assert!(pointer_problem("/a~2").is_some());
        assert!(pointer_problem("header:").is_some());
    }

    #[test]
    fn every_rule_id_the_code_emits_is_in_the_table() {
        let ids = rule_ids();
        for id in [
            "snapshot.name",
            "snapshot.unreadable",
            "snapshot.write",
            "snapshot.mismatch",
            "target.error",
            "wire.body-too-large",
            "schema.drift.field",
            "until.timeout",
        ] {
            assert!(ids.contains(&id), "{id} is not in the rule table");
        }
        assert_eq!(nearest("expect.bdy", &ids), Some("expect.body"));
    }
}
