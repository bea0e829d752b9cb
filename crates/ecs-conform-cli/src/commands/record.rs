//! `run --record`: once the run is judged, the target file's known deviations are
//! rewritten from it (the library's `report::record`), and what changed is printed.

use crate::EXIT_USAGE;
use ecs_conform::report::document::RunDocument;
use ecs_conform::report::profile::{Known, TargetProfile};
use ecs_conform::report::record;
use std::fmt::Write;

/// Records `doc` into the target file of `profile`; `run_code` is the run's own exit
/// code. 0 once recorded; a refusal writes nothing and keeps the run's code (never 0).
/// The summary goes to standard output, or standard error with `to_stderr` (JSON lines).
pub fn record(doc: &RunDocument, profile: &TargetProfile, run_code: u8, to_stderr: bool) -> u8 {
    let recorded = record::record(doc, profile).and_then(|recorded| {
        record::write(&recorded)?;
        Ok(recorded)
    });
    match recorded {
        Ok(recorded) => {
            let summary = summary(&recorded);
            if to_stderr {
                eprint!("{summary}");
            } else {
                print!("{summary}");
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            if run_code == 0 {
                EXIT_USAGE
            } else {
                run_code
            }
        }
    }
}

/// `ecs-conform record: FILE: N added (reason: TODO), M removed (now passing), K kept`,
/// then one line per entry added (`+`) or removed (`-`).
fn summary(r: &record::Recorded) -> String {
    let mut out = format!(
        "ecs-conform record: {}: {} added (reason: {}), {} removed (now passing), {} kept",
        r.file.display(),
        r.added.len(),
        record::TODO_REASON,
        r.removed.len(),
        r.kept
    );
    if r.untouched > 0 {
        let _ = write!(
            out,
            ", {} left as written (cases this run did not judge)",
            r.untouched
        );
    }
    out.push('\n');
    for (mark, entries) in [('+', &r.added), ('-', &r.removed)] {
        for k in entries {
            let _ = writeln!(out, "  {mark} {}", describe(k));
        }
    }
    if !r.added.is_empty() {
        let _ = writeln!(
            out,
            "  write each new entry's reason (why the target deviates); `ecs-conform lint --deny-todo` fails until then"
        );
    }
    out
}

/// `case rule at pointer` of one entry.
fn describe(k: &Known) -> String {
    let mut text = k.case.clone();
    if let Some(rule) = &k.rule {
        let _ = write!(text, " {rule}");
    }
    if let Some(pointer) = &k.pointer {
        let _ = write!(text, " at `{pointer}`");
    }
    text
}
