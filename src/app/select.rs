//! Which cases a run selects (tags, partition, name filters, tags skipped) and, when
//! that leaves nothing to run, the sentence naming the filter that selected nothing.

use super::{in_partition, Paths, Selection};
use crate::suite::{Case, Suite};
use libtest_mimic::Arguments;
use std::collections::BTreeSet;

/// Cases that match the tag filters, and those skipped by tag with the reason.
pub(super) fn select<'a>(
    suite: &'a Suite,
    selection: &Selection,
) -> (Vec<&'a Case>, Vec<(String, String)>) {
    let cases: Vec<&Case> = suite
        .cases
        .iter()
        .filter(|c| has_tag(c, selection))
        .filter(|c| {
            selection
                .partition
                .is_none_or(|(k, n)| in_partition(&c.id, k, n))
        })
        .filter(|c| selection.filter.as_deref().is_none_or(|f| c.id.contains(f)))
        .collect();
    let ignored = cases
        .iter()
        .filter_map(|c| {
            selection
                .skip_tags
                .iter()
                .find(|(t, _)| c.tags.contains(t))
                .map(|(t, why)| (c.id.clone(), format!("skipped by tag `{t}`: {why}")))
                .or_else(|| seed_only(c, selection))
        })
        .collect();
    (cases, ignored)
}

/// Cases tagged `seed-only` check what only the seeds document and AWS does otherwise
/// (e.g. a ListTasks `group` filter): off by default, so a target that follows AWS is
/// not failed for it; `--tag seed-only` (or `--include-ignored`) runs them.
fn seed_only(case: &Case, selection: &Selection) -> Option<(String, String)> {
    const TAG: &str = "seed-only";
    (case.tags.iter().any(|t| t == TAG) && !selection.tags.iter().any(|t| t == TAG)).then(|| {
        (
            case.id.clone(),
            format!(
                "tag `{TAG}`: the seeds document this, AWS does otherwise; run it with --tag {TAG}"
            ),
        )
    })
}

fn has_tag(case: &Case, selection: &Selection) -> bool {
    selection.tags.is_empty() || case.tags.iter().any(|t| selection.tags.contains(t))
}

/// Whether the libtest name filter (`FILTER`, `--exact`) selects the case.
fn name_matches(args: &Arguments, name: &str, filter: &str) -> bool {
    if args.exact {
        name == filter
    } else {
        name.contains(filter)
    }
}

/// Whether libtest-mimic will run this case (its filter rules), so fixtures are set
/// up only for cases that run.
pub(super) fn will_run(args: &Arguments, case: &Case, ignored: bool) -> bool {
    let name = case.id.as_str();
    if let Some(filter) = &args.filter {
        if !name_matches(args, name, filter) {
            return false;
        }
    }
    if args.skip.iter().any(|s| name_matches(args, name, s)) {
        return false;
    }
    if args.ignored {
        return ignored;
    }
    args.include_ignored || !ignored
}

/// Why a run selects no case to run: the first filter, in the order they apply, that
/// leaves nothing (the folder, the tags, the partition, the name filter, `--skip`,
/// `--ignored`, tags skipped).
pub(super) fn nothing_selected(
    paths: &Paths,
    suite: &Suite,
    selection: &Selection,
    args: &Arguments,
    ignored: &[(String, String)],
) -> String {
    if suite.cases.is_empty() {
        return format!(
            "the cases folder {} holds no case files",
            paths.cases.display()
        );
    }
    let tagged: Vec<&Case> = suite
        .cases
        .iter()
        .filter(|c| has_tag(c, selection))
        .collect();
    if tagged.is_empty() {
        let asked: Vec<String> = selection.tags.iter().map(|t| format!("`{t}`")).collect();
        let known: BTreeSet<&str> = suite
            .cases
            .iter()
            .flat_map(|c| c.tags.iter().map(String::as_str))
            .collect();
        return format!(
            "no case has tag {} (tags in the suite: {})",
            asked.join(" or "),
            known.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    let context = if selection.tags.is_empty() {
        format!("{} cases", tagged.len())
    } else {
        format!("{} cases selected by tag", tagged.len())
    };
    let parted: Vec<&Case> = tagged
        .into_iter()
        .filter(|c| {
            selection
                .partition
                .is_none_or(|(k, n)| in_partition(&c.id, k, n))
        })
        .collect();
    if let (true, Some((k, n))) = (parted.is_empty(), selection.partition) {
        return format!("partition {k}/{n} holds none of the {context}");
    }
    let named: Vec<&Case> = parted
        .into_iter()
        .filter(|c| {
            args.filter
                .as_deref()
                .is_none_or(|f| name_matches(args, &c.id, f))
        })
        .collect();
    if let (true, Some(f)) = (named.is_empty(), args.filter.as_deref()) {
        return if args.exact {
            format!("no case is named exactly `{f}` (of the {context})")
        } else {
            format!("the name filter `{f}` matches no case (of the {context})")
        };
    }
    let kept: Vec<&Case> = named
        .into_iter()
        .filter(|c| !args.skip.iter().any(|s| name_matches(args, &c.id, s)))
        .collect();
    if kept.is_empty() {
        let skips: Vec<String> = args.skip.iter().map(|s| format!("`--skip {s}`")).collect();
        return format!(
            "{} removes every case the other filters selected",
            skips.join(" with ")
        );
    }
    if args.ignored {
        return "`--ignored` runs only cases skipped by tag, and none of the selected cases is"
            .into();
    }
    let reasons: BTreeSet<&str> = ignored
        .iter()
        .filter(|(id, _)| kept.iter().any(|c| c.id == *id))
        .map(|(_, why)| why.as_str())
        .collect();
    format!(
        "every selected case is skipped by tag ({}), so nothing would be verified; `--include-ignored` runs them anyway",
        reasons.into_iter().collect::<Vec<_>>().join("; ")
    )
}
