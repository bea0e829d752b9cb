//! The HTML report: well-formed (every element closed, attributes parse), one matrix
//! cell per column × rule, every case a `<details>` with its steps, values escaped,
//! snapshot diffs coloured, for a failing and a clean run.

use super::*;
use crate::report::fixtures::{case, clean, document, failing};
use crate::rules::Rule;
use quick_xml::events::Event;
use quick_xml::Reader;

/// What the parse found: elements by name with their attributes.
struct Parsed {
    elements: Vec<(String, Vec<(String, String)>)>,
    /// Every text node, unescaped; a line break where an element starts.
    text: String,
}

impl Parsed {
    fn with_class(&self, name: &str, class: &str) -> usize {
        self.elements
            .iter()
            .filter(|(n, attrs)| {
                n == name
                    && attrs
                        .iter()
                        .any(|(k, v)| k == "class" && v.split(' ').any(|c| c == class))
            })
            .count()
    }

    /// Some `name` element has `attr="value"` (unescaped).
    fn has(&self, name: &str, attr: &str, value: &str) -> bool {
        self.elements
            .iter()
            .any(|(n, attrs)| n == name && attrs.iter().any(|(k, v)| k == attr && v == value))
    }

    fn attr(&self, name: &str, id: &str, attr: &str) -> Option<String> {
        self.elements
            .iter()
            .find(|(n, attrs)| n == name && attrs.iter().any(|(k, v)| k == "id" && v == id))
            .and_then(|(_, attrs)| attrs.iter().find(|(k, _)| k == attr))
            .map(|(_, v)| v.clone())
    }
}

/// Parses the page as XML (the template writes well-formed HTML: void elements
/// self-closed, the script in CDATA), so an unclosed or crossed element fails.
fn parse(html: &str) -> Parsed {
    let mut reader = Reader::from_str(html);
    let mut elements = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                text.push('\n');
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute parses");
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            quick_xml::escape::unescape(&String::from_utf8_lossy(&a.value))
                                .expect("value unescapes")
                                .into_owned(),
                        )
                    })
                    .collect();
                elements.push((
                    String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    attrs,
                ));
            }
            Ok(Event::Text(t)) => {
                let raw = t.decode().expect("text decodes");
                text.push_str(&quick_xml::escape::unescape(&raw).expect("text unescapes"));
            }
            Ok(Event::GeneralRef(r)) => {
                let name = r.decode().expect("reference decodes");
                let entity = format!("&{name};");
                text.push_str(&quick_xml::escape::unescape(&entity).expect("known entity"));
            }
            Ok(_) => {}
            Err(e) => {
                let at = reader.error_position() as usize;
                let from = at.saturating_sub(200);
                panic!(
                    "not well-formed at {at}: {e}\n{}",
                    &html[from..at.min(html.len())]
                );
            }
        }
    }
    Parsed { elements, text }
}

fn rules() -> usize {
    crate::rules::all().len()
}

#[test]
fn a_failing_run_has_a_cell_per_column_and_rule_and_its_failures_marked() {
    let doc = failing();
    let html = render(&doc, None).unwrap();
    let page = parse(&html);
    let columns = matrix::build(&doc).columns.len();
    assert_eq!(columns, 8, "4 operations and 4 groups");
    assert_eq!(page.with_class("td", "cell"), columns * rules());
    assert_eq!(
        page.attr("table", "matrix", "data-rules"),
        Some(rules().to_string())
    );
    // schema.response fails on DescribeTasks and in the lifecycle group.
    assert_eq!(
        page.attr("td", "m-schema.response-DescribeTasks", "class")
            .as_deref(),
        Some("cell fail")
    );
    assert_eq!(
        page.attr("td", "m-schema.response-lifecycle", "class")
            .as_deref(),
        Some("cell fail")
    );
    assert_eq!(
        page.attr("td", "m-schema.response-RunTask", "class")
            .as_deref(),
        Some("cell pass")
    );
    assert_eq!(
        page.attr("td", "m-schema.response-negative", "class")
            .as_deref(),
        Some("cell not_applicable")
    );
    // The cell links to its findings, which link to the cases.
    assert!(page.has("a", "href", "#f-schema.response-DescribeTasks"));
    assert!(page.has("div", "id", "f-schema.response-DescribeTasks"));
    assert!(page.has("a", "href", "#case-stop-task/a"));
    // One <details> per case, with its steps inside.
    assert_eq!(page.with_class("details", "case"), doc.cases.len());
    assert_eq!(page.with_class("details", "step"), doc.cases.len() * 2);
    assert!(page.attr("details", "case-stop-task/b", "class").is_some());
    // Headline, problems, known deviations, curl; the page's script marks success.
    assert!(page.text.contains("not conformant"));
    assert!(page.text.contains("20 %"));
    assert!(page.text.contains("/tasks/*/stopCode"));
    assert!(page.text.contains("curl -sS -X POST 'http://127.0.0.1:1/'"));
    assert!(
        page.has("body", "data-ok", "0"),
        "the script sets 1 on load"
    );
}

#[test]
fn values_are_escaped() {
    let html = render(&failing(), None).unwrap();
    let page = parse(&html);
    assert!(
        page.text.contains("emulator <x>"),
        "the target's name, as text"
    );
    assert!(!html.contains("emulator <x>"));
    assert!(page
        .text
        .contains("the emulator <b>sends</b> a wrong stopCode"));
    assert!(!html.contains("<b>sends</b>"));
}

#[test]
fn a_snapshot_diff_is_a_coloured_diff() {
    let mismatch = crate::finding::Finding::new(Rule::SnapshotMismatch, "/tasks/0/lastStatus")
        .expected("\"STOPPED\"")
        .actual("\"RUNNING\"")
        .message(
            "an enum value differs from snapshot x.snap here\n@@ -1,3 +1,3 @@\n   \"tasks\": [\n-    \"STOPPED\"\n+    \"RUNNING\"",
        );
    let doc = document(vec![case(
        "stop-task/snap",
        crate::report::verdict::Verdict::Fail,
        vec![mismatch],
    )]);
    let html = render(&doc, None).unwrap();
    let page = parse(&html);
    assert_eq!(page.with_class("pre", "diff"), 1);
    assert_eq!(page.with_class("span", "add"), 1);
    assert_eq!(page.with_class("span", "del"), 1);
    assert_eq!(page.with_class("span", "hunk"), 1);
    // The first line of the message is the finding; the diff is not repeated in it.
    assert!(page
        .text
        .contains("an enum value differs from snapshot x.snap here (expected"));
}

#[test]
fn a_clean_run_renders_green_with_no_failing_or_known_cell() {
    let doc = clean();
    let html = render(&doc, None).unwrap();
    let page = parse(&html);
    let cells = page.with_class("td", "cell");
    assert_eq!(cells, matrix::build(&doc).columns.len() * rules());
    assert_eq!(
        page.with_class("td", "fail") + page.with_class("td", "known"),
        0
    );
    assert_eq!(
        page.with_class("td", "pass")
            + page.with_class("td", "not_exercised")
            + page.with_class("td", "not_applicable"),
        cells
    );
    assert!(page.with_class("td", "not_applicable") > 0);
    assert!(html.contains("class=\"verdict conformant\""));
    assert!(page.text.contains("100 %"));
    assert!(page.text.contains("No failing finding."));
}

#[test]
fn a_polled_step_shows_its_last_status_timeline_and_a_backward_move() {
    use crate::run::Poll;
    let poll = |at_ms: u64, status: &str| Poll {
        at_ms,
        last_status: vec![status.to_owned()],
    };
    let mut polled = case(
        "lifecycle/backwards",
        crate::report::verdict::Verdict::Pass,
        Vec::new(),
    );
    polled.steps[1].polls = vec![
        poll(0, "PENDING"),
        poll(10, "PENDING"),
        poll(20, "RUNNING"),
        poll(30, "PENDING"),
        poll(40, "STOPPED"),
    ];
    let rows = timeline(&polled.steps[1].polls);
    assert_eq!(rows.len(), 1);
    let statuses: Vec<(&str, usize, bool)> = rows[0]
        .iter()
        .map(|s| (s.status.as_str(), s.polls, s.backwards))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("PENDING", 2, false),
            ("RUNNING", 1, false),
            ("PENDING", 1, true),
            ("STOPPED", 1, false)
        ]
    );
    let html = render(&document(vec![polled]), None).unwrap();
    let page = parse(&html);
    assert_eq!(page.with_class("div", "timeline"), 1);
    assert_eq!(page.with_class("span", "status"), 4);
    assert_eq!(page.with_class("span", "backwards"), 1);
    assert!(page.text.contains("lastStatus over time (5 polls)"));
    // Steps without polls show no timeline.
    assert_eq!(
        parse(&render(&clean(), None).unwrap()).with_class("div", "timeline"),
        0
    );
}

#[test]
fn the_coverage_section_counts_what_the_suite_sends_and_names_the_gaps() {
    use crate::coverage::{Coverage, FilterCheck, Item, OperationCoverage};
    let item = |name: &str, exercised: bool, excluded: Option<&str>| Item {
        name: name.into(),
        exercised,
        asserted: exercised,
        excluded: excluded.map(str::to_owned),
    };
    let coverage = Coverage {
        operations: vec![OperationCoverage {
            operation: "ListTasks".into(),
            cases: 7,
            parameters: vec![
                item("cluster", true, None),
                item("family", true, None),
                item("containerInstance", false, Some("EC2 only <needs hosts>")),
            ],
            errors: vec![
                item("ClusterNotFoundException", true, None),
                item("ServerException", false, None),
            ],
            response_fields: vec![item("taskArns", true, None), item("nextToken", false, None)],
            enums: Default::default(),
            negative_classes: vec!["max-results-above-100".into(), "unknown-cluster".into()],
            filters: vec![FilterCheck {
                filter: "family".into(),
                matching_listed: true,
                non_matching_absent: true,
            }],
        }],
    };
    let html = render(&clean(), Some(&coverage)).unwrap();
    assert!(html.contains(
        "<tr><td>ListTasks</td><td>7</td><td>2/3</td><td>1/2</td><td>1/2</td><td>2</td><td>1/1</td></tr>"
    ));
    let page = parse(&html);
    assert_eq!(page.with_class("details", "coverage-gaps"), 1);
    assert!(html.contains("<code>containerInstance</code>: EC2 only &lt;needs hosts&gt;"));
    assert!(html
        .contains("<code>ServerException</code>: <strong>not covered, no reason given</strong>"));
    // A merged report has no case files: the section says so.
    let merged = parse(&render(&clean(), None).unwrap());
    assert!(merged.text.contains("Not computed: a merged report"));
}
