//! Which cases a run selects (tags, partition, name filters as `cargo test` has them,
//! tags skipped) and, when that leaves nothing to run, the sentence naming the filter
//! that selected nothing. The CLI maps its flags (and `embed` libtest's) onto [`Selection`]; this
//! module alone decides.

use super::{in_partition, Paths, Selection, TaggedSkips};
use crate::suite::{Case, Suite};
use std::collections::BTreeSet;

/// What a selection leaves: the cases to run, in suite order, those that get a verdict
/// without running (skipped by tag, with the reason), and how many a name filter, `skip`
/// or `--only-skipped` left out.
#[derive(Debug, Default)]
pub struct Chosen<'a> {
    pub run: Vec<&'a Case>,
    pub skipped: Vec<(&'a Case, String)>,
    pub filtered_out: usize,
}

/// Applies the selection to the suite: tags, partition, name filters, then what
/// happens to cases skipped by tag.
pub fn choose<'a>(suite: &'a Suite, selection: &Selection) -> Chosen<'a> {
    let mut chosen = Chosen::default();
    for case in &suite.cases {
        if !has_tag(case, selection) || !in_partition_of(case, selection) {
            continue;
        }
        if !named(case, selection) {
            chosen.filtered_out += 1;
            continue;
        }
        let skip_reason = skipped_by_tag(case, selection);
        match (selection.tagged_skips, skip_reason) {
            (TaggedSkips::Report, Some(why)) => chosen.skipped.push((case, why)),
            (TaggedSkips::RunOnly, None) => chosen.filtered_out += 1,
            _ => chosen.run.push(case),
        }
    }
    chosen
}

fn in_partition_of(case: &Case, selection: &Selection) -> bool {
    selection
        .partition
        .is_none_or(|(k, n)| in_partition(&case.id, k, n))
}

/// Whether the name filters keep the case: it matches `filter` (when given) and no
/// `skip` (substring matches, or whole-id matches with `exact`, as `cargo test`).
fn named(case: &Case, selection: &Selection) -> bool {
    let name = case.id.as_str();
    let matches = |pattern: &str| {
        if selection.exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    };
    selection.filter.as_deref().is_none_or(matches) && !selection.skip.iter().any(|s| matches(s))
}

/// The reason a case is skipped by tag (`skip_tags`, or `seed-only` unless asked for).
fn skipped_by_tag(case: &Case, selection: &Selection) -> Option<String> {
    selection
        .skip_tags
        .iter()
        .find(|(t, _)| case.tags.contains(t))
        .map(|(t, why)| format!("skipped by tag `{t}`: {why}"))
        .or_else(|| seed_only(case, selection).map(|(_, why)| why))
}

/// Cases tagged `seed-only` check what only the seeds document and AWS does otherwise
/// (e.g. a ListTasks `group` filter): off by default, so a target that follows AWS is
/// not failed for it; `--tag seed-only` (or `--include-skipped`) runs them.
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

/// Why a run selects no case to run: the first filter, in the order they apply, that
/// leaves nothing (the folder, the tags, the partition, the name filter, `--skip`,
/// `--only-skipped`, tags skipped).
pub(super) fn nothing_selected(
    paths: &Paths,
    suite: &Suite,
    selection: &Selection,
    chosen: &Chosen<'_>,
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
            selection.filter.as_deref().is_none_or(|f| {
                if selection.exact {
                    c.id == f
                } else {
                    c.id.contains(f)
                }
            })
        })
        .collect();
    if let (true, Some(f)) = (named.is_empty(), selection.filter.as_deref()) {
        return if selection.exact {
            format!("no case is named exactly `{f}` (of the {context})")
        } else {
            format!("the name filter `{f}` matches no case (of the {context})")
        };
    }
    let kept: Vec<&Case> = named
        .into_iter()
        .filter(|c| self::named(c, selection))
        .collect();
    if kept.is_empty() {
        let skips: Vec<String> = selection
            .skip
            .iter()
            .map(|s| format!("`--skip {s}`"))
            .collect();
        return format!(
            "{} removes every case the other filters selected",
            skips.join(" with ")
        );
    }
    let (only, include) = if selection.libtest_terms {
        ("--ignored", "--include-ignored")
    } else {
        ("--only-skipped", "--include-skipped")
    };
    if selection.tagged_skips == TaggedSkips::RunOnly {
        return format!(
            "`{only}` runs only cases skipped by tag, and none of the selected cases is"
        );
    }
    let reasons: BTreeSet<&str> = chosen.skipped.iter().map(|(_, why)| why.as_str()).collect();
    format!(
        "every selected case is skipped by tag ({}), so nothing would be verified; `{include}` runs them anyway",
        reasons.into_iter().collect::<Vec<_>>().join("; ")
    )
}
