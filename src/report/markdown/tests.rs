//! The Markdown report: score and per-operation score at the top, the matrix (one row
//! per rule, one column per matrix column, the right symbols), results really per
//! operation, long findings only in collapsible details, and hostile text that breaks
//! neither a table nor a fence.

use super::cells::{self, Place};
use super::render;
use crate::finding::Finding;
use crate::report::fixtures::{case, document, failing, known_only};
use crate::report::html::matrix;
use crate::report::verdict::Verdict;
use crate::rules::Rule;

/// The lines of a section, from its heading to the next `## ` heading.
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    let start = md
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no {heading} in\n{md}"));
    md[start + 1..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .collect()
}

/// The cells of a table row, split at unescaped pipes (a `\|` stays in its cell).
fn cells_of(row: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '|' if !escaped => cells.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    cells.push(current);
    // The text before the first pipe and after the last one is not a cell.
    cells[1..cells.len() - 1]
        .iter()
        .map(|c| c.trim().to_owned())
        .collect()
}

/// The rows of the first table of a section (header and delimiter row excluded).
fn table_rows<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    lines
        .iter()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .copied()
        .collect()
}

/// Fenced code blocks (their opening fence and their text) and the lines outside
/// any fence, as a GitHub-flavoured Markdown reader splits them: a fence opens with
/// three or more backticks and closes with a line of at least as many backticks only.
fn split_fences(md: &str) -> (Vec<(String, String)>, Vec<&str>) {
    let mut blocks = Vec::new();
    let mut outside = Vec::new();
    let mut open: Option<(String, Vec<&str>)> = None;
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match &mut open {
            Some((fence, body)) => {
                if ticks >= fence.len() && line.trim_end().chars().all(|c| c == '`') {
                    let (fence, body) = open.take().unwrap_or_default();
                    blocks.push((fence, body.join("\n")));
                } else {
                    body.push(line);
                }
            }
            None if ticks >= 3 => open = Some(("`".repeat(ticks), Vec::new())),
            None => outside.push(line),
        }
    }
    assert!(open.is_none(), "a fence is never closed");
    (blocks, outside)
}

/// A snapshot mismatch whose message carries a diff of about `size` bytes.
fn long_mismatch(size: usize) -> Finding {
    let mut message = String::from(
        "the value of an enum differs: the response differs from snapshot snapshots/x.snap here\n--- snapshots/x.snap\n+++ response\n@@ -1,400 +1,400 @@",
    );
    let mut i = 0;
    while message.len() < size {
        message.push_str(&format!(
            "\n-    \"lastStatus\": \"STOPPED-{i}\",\n+    \"lastStatus\": \"RUNNING-{i}\","
        ));
        i += 1;
    }
    Finding::new(Rule::SnapshotMismatch, "/tasks/0/lastStatus")
        .expected("\"STOPPED\"")
        .actual("\"RUNNING\"")
        .message(message)
}

#[test]
fn the_score_and_the_score_per_operation_come_before_the_results() {
    let md = render(&failing(), None);
    let identity = md.find("| suite | 5 cases").expect("identity table");
    let verdict = md
        .find("**Verdict: not conformant")
        .expect("the verdict line");
    // 1 pass out of 5 judged cases; every case calls RunTask and DescribeTasks.
    let score = md
        .find("**Score: 1 of 5 judged cases passed (20 %)**")
        .expect("the score line");
    let header = md
        .find("| operation | passed | judged | % |")
        .expect("the per-operation score");
    let run_task = md
        .find("| RunTask | 1 | 5 | 20 % |")
        .expect("RunTask's score");
    let describe = md
        .find("| DescribeTasks | 1 | 5 | 20 % |")
        .expect("DescribeTasks' score");
    let results = md.find("## Results per operation").expect("results");
    let matrix = md.find("## Rules × operations").expect("matrix");
    let problems = md.find("## Distinct problems").expect("problems");
    assert!(identity < verdict && verdict < score && score < header);
    for at in [header, run_task, describe] {
        assert!(
            at < matrix && matrix < problems && problems < results,
            "{md}"
        );
    }
}

#[test]
fn the_matrix_has_a_row_per_rule_and_a_column_per_matrix_column_with_its_symbols() {
    let doc = failing();
    let md = render(&doc, None);
    let columns = matrix::build(&doc).columns;
    let lines = section(&md, "## Rules × operations");
    let header = lines
        .iter()
        .find(|l| l.starts_with("| rule |"))
        .expect("header");
    let names: Vec<String> = cells_of(header)[1..]
        .iter()
        .map(|c| c.trim_matches('_').to_owned())
        .collect();
    assert_eq!(
        names,
        columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
    );
    let rows = table_rows(&lines);
    assert_eq!(rows.len(), crate::rules::all().len());
    for (row, info) in rows.iter().zip(crate::rules::all()) {
        let cells = cells_of(row);
        assert_eq!(cells.len(), columns.len() + 1, "{row}");
        assert_eq!(cells[0], format!("`{}`", info.id));
    }
    let cell = |md: &str, rule: &str, column: &str| -> String {
        let lines = section(md, "## Rules × operations");
        let at = columns.iter().position(|c| c.name == column).unwrap() + 1;
        let row = table_rows(&lines)
            .into_iter()
            .find(|r| r.starts_with(&format!("| `{rule}` |")))
            .unwrap();
        cells_of(row)[at].clone()
    };
    // Five schema.response findings on DescribeTasks, four of them failing cases.
    assert_eq!(cell(&md, "schema.response", "DescribeTasks"), "✗ 5");
    assert_eq!(cell(&md, "schema.response", "lifecycle"), "✗ 1");
    assert_eq!(cell(&md, "lifecycle.monotonic", "DescribeTasks"), "✗ 1");
    assert_eq!(cell(&md, "schema.response", "RunTask"), "✓");
    // No case of the negative group: not applicable, blank; an error rule where only
    // success answers came: not exercised.
    assert_eq!(cell(&md, "schema.response", "negative"), "");
    assert_eq!(cell(&md, "error.type", "DescribeTasks"), "·");
    assert_eq!(cell(&md, "run.echo", "ListTasks"), "");
    // Only a known deviation: K.
    let known = render(&known_only(), None);
    assert_eq!(cell(&known, "schema.response", "DescribeTasks"), "K 1");
    assert!(md.contains("- `✓` pass: "), "a legend");
    assert!(md.contains("- blank: not applicable"), "a legend");
}

#[test]
fn results_per_operation_count_a_case_in_each_operation_it_calls_and_not_teardown() {
    let mut both = case("run-task/both", Verdict::Fail, Vec::new());
    let mut teardown = both.steps[0].clone();
    teardown.phase = "teardown".into();
    teardown.call = "StopTask".into();
    both.steps.push(teardown);
    let mut run_only = case("run-task/run-only", Verdict::Pass, Vec::new());
    run_only.steps.truncate(1);
    let mut skipped = case("list-tasks/skipped", Verdict::Skipped, Vec::new());
    skipped.steps.clear();
    let md = render(&document(vec![both, run_only, skipped]), None);
    let per_operation = section(&md, "## Results per operation");
    let rows: Vec<Vec<String>> = table_rows(&per_operation)
        .iter()
        .map(|r| cells_of(r))
        .collect();
    // operation | pass | fail | known | fixed | skipped | error | interrupted
    let row = |name: &str| rows.iter().find(|r| r[0] == name).cloned();
    assert_eq!(
        row("RunTask"),
        Some(
            vec!["RunTask", "1", "1", "0", "0", "0", "0", "0"]
                .into_iter()
                .map(String::from)
                .collect()
        )
    );
    assert_eq!(
        row("DescribeTasks"),
        Some(
            vec!["DescribeTasks", "0", "1", "0", "0", "0", "0", "0"]
                .into_iter()
                .map(String::from)
                .collect()
        )
    );
    assert_eq!(row("StopTask"), None, "teardown calls do not count");
    assert_eq!(row("(no step ran)").map(|r| r[5].clone()), Some("1".into()));
    // Per group, each case once.
    let per_group = section(&md, "## Results per group");
    let groups: Vec<Vec<String>> = table_rows(&per_group).iter().map(|r| cells_of(r)).collect();
    assert_eq!(groups[0][..3], ["**all**", "1", "1"]);
    assert_eq!(groups[1][..3], ["list-tasks", "0", "0"]);
    assert_eq!(groups[2][..3], ["run-task", "1", "1"]);
}

#[test]
fn a_long_multi_line_finding_is_cut_in_tables_and_whole_in_details() {
    let finding = long_mismatch(5 * 1024);
    let whole = super::sections::finding_text(&finding);
    assert!(whole.len() > 5 * 1024);
    let mut known = case(
        "stop-task/known-snap",
        Verdict::Known,
        vec![finding.clone()],
    );
    known.known[0].rule = Some("snapshot.mismatch".into());
    let doc = document(vec![
        case("stop-task/snap", Verdict::Fail, vec![finding.clone()]),
        known,
    ]);
    let md = render(&doc, None);
    let (blocks, outside) = split_fences(&md);
    for line in &outside {
        assert!(
            line.chars().count() < 400,
            "a line outside the details is {} characters: {line}",
            line.len()
        );
    }
    assert!(!outside.iter().any(|l| l.contains("RUNNING-3")));
    // The list item shows the first line and links to the whole text; the known
    // deviations table links to every case's finding.
    let failures = section(&md, "## New failures, errors and stale entries");
    let item = failures
        .iter()
        .find(|l| l.starts_with("- **fail** `stop-task/snap`"))
        .expect("the failing case");
    assert!(item.contains("[fail] snapshot.mismatch at /tasks/0/lastStatus: the value"));
    assert!(item.contains("… [(full text)](#full-"), "{item}");
    let known_rows = table_rows(&section(&md, "## Known deviations"));
    assert_eq!(known_rows.len(), 1);
    assert!(
        known_rows[0].ends_with("`stop-task/known-snap` ([findings](#full-2)) |"),
        "{}",
        known_rows[0]
    );
    // The whole text is in a diff block inside a <details> that carries the anchor.
    for (text, id) in [
        (format!("step 2 DescribeTasks: {whole}"), "full-1"),
        (
            format!("stop-task/known-snap: step 2 DescribeTasks: {whole}"),
            "full-2",
        ),
    ] {
        assert_eq!(blocks.iter().filter(|(_, t)| *t == text).count(), 1);
        let at = md
            .find(&format!("```diff\n{text}\n```\n"))
            .expect("in a diff block");
        let before = &md[..at];
        let open = before
            .rfind(&format!("<details><summary><a id=\"{id}\"></a>"))
            .expect("its anchor");
        assert!(before.rfind("</details>").is_none_or(|close| close < open));
        assert!(md[at..].find("</details>").is_some());
    }
    // Every link has its anchor.
    for (i, _) in md.match_indices("](#full-") {
        let id: String = md[i + 3..].chars().take_while(|c| *c != ')').collect();
        assert!(md.contains(&format!("<a id=\"{id}\"></a>")), "{id}");
    }
}

#[test]
fn backticks_pipes_and_html_in_a_text_break_neither_the_fence_nor_the_table() {
    let hostile = "look ``` and ```` here | a <script>alert(1)</script> &amp;\n````\n| not a row |\n</details>\n<script>x</script>";
    let finding = Finding::new(Rule::SchemaResponse, "/tasks/0/stopCode")
        .actual("\"a|b<i>\"")
        .message(hostile);
    let mut known = case("stop-task/hostile", Verdict::Known, vec![finding.clone()]);
    known.known[0].reason = "moto <b>says</b> | `a|b<c>` and ``` too".into();
    known.known[0].link = Some("https://example.com/a b|c)".into());
    let doc = document(vec![
        known,
        case(
            "stop-task/hostile-fail",
            Verdict::Fail,
            vec![finding.clone()],
        ),
    ]);
    let md = render(&doc, None);
    let (blocks, outside) = split_fences(&md);
    // Outside fences, no raw HTML of the texts: only the report's own details.
    for line in &outside {
        assert!(
            !line.contains("<script") && !line.contains("<b>") && !line.contains("<i>"),
            "{line}"
        );
    }
    // The whole text sits in fences longer than its longest backtick run.
    let whole = super::sections::finding_text(&finding);
    let fenced: Vec<&(String, String)> = blocks
        .iter()
        .filter(|(_, text)| text.ends_with(&whole))
        .collect();
    assert_eq!(fenced.len(), 2, "in the failures and the known deviations");
    assert!(fenced.iter().all(|(fence, _)| fence.len() == 5));
    // The list item shows the first line, escaped.
    let failures = section(&md, "## New failures, errors and stale entries");
    assert!(
        failures.iter().any(|l| l.contains(
            "look \\`\\`\\` and \\`\\`\\`\\` here | a &lt;script>alert(1)&lt;/script> &amp;amp;"
        )),
        "{failures:?}"
    );
    // The known deviations table keeps its four columns.
    let rows = table_rows(&section(&md, "## Known deviations"));
    assert_eq!(rows.len(), 1);
    let cells = cells_of(rows[0]);
    assert_eq!(cells.len(), 4, "{}", rows[0]);
    assert_eq!(cells[..2], ["1", "`schema.response`"]);
    assert!(
        cells[2].starts_with("moto &lt;b>says&lt;/b> \\| `a\\|b<c>` and \\`\\`\\` too"),
        "{}",
        cells[2]
    );
    assert!(
        cells[2].ends_with("([link](https://example.com/a%20b%7Cc%29))"),
        "{}",
        cells[2]
    );
    assert!(cells[3].starts_with("`stop-task/hostile` ([findings](#full-"));
    // The distinct problems table too.
    for row in table_rows(&section(&md, "## Distinct problems")) {
        assert_eq!(cells_of(row).len(), 7, "{row}");
    }
    assert!(md.contains("\"a\\|b&lt;i>\""));
}

#[test]
fn known_deviations_are_grouped_by_entry_most_cases_first() {
    let known = |id: &str, reason: &str| {
        let mut c = case(
            id,
            Verdict::Known,
            vec![crate::report::fixtures::wrong_stop_code(0, "\"Halted\"")],
        );
        c.known[0].reason = reason.into();
        c
    };
    let doc = document(vec![
        known("stop-task/a", "the emulator halts"),
        known("stop-task/b", "another reason"),
        known("stop-task/c", "another reason"),
    ]);
    let md = render(&doc, None);
    let lines = section(&md, "## Known deviations");
    assert!(
        lines
            .iter()
            .any(|l| l
                .starts_with("2 reason(s) of the target file explain the failures of 3 case(s)"))
    );
    let rows: Vec<Vec<String>> = table_rows(&lines).iter().map(|r| cells_of(r)).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "2");
    assert!(rows[0][2].starts_with("another reason ([link](https://example.com/issue/1))"));
    assert!(rows[0][3].starts_with("`stop-task/b`, `stop-task/c` ([findings](#full-"));
    assert_eq!(rows[1][0], "1");
    // Each case's finding is in the group's details.
    let (blocks, _) = split_fences(&md);
    let finding =
        super::sections::finding_text(&crate::report::fixtures::wrong_stop_code(0, "\"Halted\""));
    assert!(blocks.iter().any(|(_, t)| *t
        == format!("stop-task/b: step 2 DescribeTasks: {finding}\nstop-task/c: step 2 DescribeTasks: {finding}")));
}

#[test]
fn a_stale_entry_says_the_case_passed_and_why_it_was_listed() {
    let mut fixed = case("stop-task/fixed", Verdict::Fixed, Vec::new());
    fixed.known = case("stop-task/fixed", Verdict::Known, Vec::new()).known;
    let mut errored = case("stop-task/errored", Verdict::Error, Vec::new());
    errored.reason = Some("the harness panicked".into());
    let md = render(&document(vec![fixed, errored]), None);
    let lines = section(&md, "## New failures, errors and stale entries");
    assert!(lines.contains(
        &"- **fixed** `stop-task/fixed` — listed as a known deviation but passed: remove the entry (the emulator &lt;b>sends&lt;/b> a wrong stopCode)"
    ), "{lines:?}");
    assert!(lines.contains(&"- **error** `stop-task/errored` — the harness panicked"));
}

#[test]
fn escaping_keeps_code_spans_and_escapes_the_rest() {
    assert_eq!(
        cells::escape("a | `b|c` <d> & \\ `e", Place::Cell),
        "a \\| `b\\|c` &lt;d> &amp; \\\\ \\`e"
    );
    assert_eq!(cells::escape("a | `b|c`", Place::Prose), "a | `b|c`");
    assert_eq!(cells::code("a`b", Place::Cell), "``a`b``");
    assert_eq!(cells::code("`x", Place::Prose), "`` `x ``");
    assert_eq!(cells::fence_for("no ticks"), "```");
    assert_eq!(cells::fence_for("a ```` b"), "`````");
    assert_eq!(cells::head("one\ntwo", 10), ("one".into(), true));
    assert_eq!(cells::head("  short  ", 10), ("short".into(), false));
    assert_eq!(cells::head(&"x".repeat(11), 10), ("x".repeat(10), true));
    assert!(cells::looks_like_diff("x\n@@ -1 +1 @@\n-a\n+b"));
    assert!(!cells::looks_like_diff("x\n- a list\n+ more"));
}
