//! The loader: typed parses with located errors, problems at the node they are about,
//! and excerpts under the `file:line:column: message` line.

use super::*;
use crate::suite::model::RawCase;
use serde_json::Map;

const OPS: &[&str] = &["RunTask", "ListTasks"];

fn problems_of(file: &str, text: &str) -> Vec<Problem> {
    let source = Source::new(Path::new(file), text);
    let mut problems = Vec::new();
    let case = load_case(&source, "c", OPS, &Map::new(), &[], &mut problems);
    assert!(case.is_none() || problems.is_empty());
    problems
}

fn places(problems: &[Problem]) -> Vec<(usize, usize, &str)> {
    problems
        .iter()
        .map(|p| (p.line, p.column, p.message.as_str()))
        .collect()
}

#[test]
fn a_missing_field_is_at_the_mapping_that_lacks_it_not_at_the_end_of_the_file() {
    let text = "# a case\nname: no-cites\nsteps:\n  - call: ListTasks\n\n\n";
    // What the parser itself says (and the old loader reported): the mapping's last
    // key, not where the case is.
    let raw = serde_saphyr::from_str::<RawCase>(text).unwrap_err();
    let parser_line = raw.location().map(|l| l.line()).unwrap_or(0);
    assert_eq!(parser_line, 3);
    let problems = problems_of("c.yaml", text);
    assert_eq!(
        places(&problems),
        [(2, 1, "not a valid case file: missing field `cites`")]
    );
}

#[test]
fn each_problem_of_a_step_is_at_the_node_it_is_about() {
    let text = "\
name: n
cites: x
vars: { late: \"${nowhere}\" }
steps:
  - call: ListTasks
    with: { family: \"fam-${nope}\" }
    save: { arn: taskArns/0, id: { pointer: /taskArns/0, capture: 'x' } }
    within: 10s
    expect:
      status: [200, 99]
      error: [\"\"]
      body: { /ok: 1, bad: 2 }
      headers: { X-Thing: {} }
";
    let problems = problems_of("c.yaml", text);
    let got = places(&problems);
    let expect = |line: usize, column: usize, start: &str| {
        assert!(
            got.iter()
                .any(|(l, c, m)| (*l, *c) == (line, column) && m.starts_with(start)),
            "no {line}:{column} {start:?} in {got:#?}"
        );
    };
    expect(3, 15, "undefined variable `${nowhere}`");
    expect(6, 21, "undefined variable `${nope}`");
    expect(7, 18, "`save: arn`");
    expect(7, 67, "`save: id`: `x` has no capture group");
    expect(8, 5, "`within` and `every` only make sense with `until`");
    expect(10, 21, "`status` takes an HTTP status");
    expect(11, 15, "`error` takes an error type name");
    expect(12, 23, "`expect.body`");
    expect(13, 18, "`expect.headers`");
    assert_eq!(got.len(), 9, "{got:#?}");
}

#[test]
fn json_case_files_are_located_by_the_same_spans() {
    let text = "{\n  \"name\": \"j\",\n  \"cites\": \"x\",\n  \"steps\": [\n    {\"call\": \"RunTsk\"}\n  ]\n}\n";
    let problems = problems_of("c.json", text);
    assert_eq!(
        places(&problems),
        [(
            5,
            14,
            "unknown operation `RunTsk` (did you mean `RunTask`?)"
        )]
    );
    let broken = problems_of("c.json", "{\"name\": \"d\", \"steps\": [],}");
    assert_eq!(broken[0].line, 1);
    assert!(broken[0].message.contains("trailing comma"), "{broken:?}");
}

#[test]
fn a_problem_renders_its_line_with_a_caret_under_the_node() {
    let text = "name: n\ncites: x\nsteps:\n  - call: RunTsk\n";
    let problems = problems_of("dir/c.yaml", text);
    let span = problems[0].span;
    assert_eq!(&text[span.offset..span.offset + span.len], "RunTsk");
    let rendered = problems[0].render();
    let lines: Vec<&str> = rendered.lines().collect();
    assert_eq!(
        lines[0],
        "dir/c.yaml:4:11: unknown operation `RunTsk` (did you mean `RunTask`?)"
    );
    assert_eq!(problems[0].to_string(), lines[0]);
    let source_line = lines
        .iter()
        .position(|l| l.ends_with("- call: RunTsk"))
        .unwrap();
    assert!(lines[source_line].starts_with("4 |"), "{rendered}");
    let caret = lines[source_line + 1];
    let code_start = lines[source_line].find("  - call").unwrap();
    assert_eq!(caret.find('^'), Some(code_start + 10), "{rendered}");
    assert_eq!(caret.matches('^').count(), "RunTsk".len(), "{rendered}");
    // Without its source, a problem is just its first line.
    let bare = Problem::at(Path::new("f.yaml"), 2, 3, "m".into());
    assert_eq!(bare.render(), "f.yaml:2:3: m");
}

#[test]
fn excerpts_survive_wide_characters_and_places_past_the_text() {
    let text = "name: \"é→\"\ncites: x\nsteps:\n  - call: \"ü${nope}\"\n";
    let source = Source::new(Path::new("w.yaml"), text);
    let tree = source.tree().unwrap();
    let node = tree.find_scalar("ü${nope}").unwrap();
    assert_eq!((node.span.line, node.span.column), (4, 11));
    let rendered = source.problem(node.span, "m".into()).render();
    assert!(rendered.starts_with("w.yaml:4:11: m\n"), "{rendered}");
    assert!(rendered.contains('^'), "{rendered}");
    let past = Span {
        line: 99,
        column: 7,
        offset: 0,
        len: 0,
    };
    assert_eq!(source.problem(past, "m".into()).render(), "w.yaml:99:7: m");
    let end_of_line = Span {
        line: 2,
        column: 40,
        offset: 0,
        len: 3,
    };
    assert!(source
        .problem(end_of_line, "m".into())
        .render()
        .starts_with("w.yaml:2:40: m\n"));
}

#[test]
fn problem_at_falls_back_to_the_nearest_node_that_exists() {
    let source = Source::new(Path::new("t.yaml"), "# c\nknown:\n  - case: a\n");
    let at = source.problem_at(
        &[Seg::Key("known"), Seg::Index(0), Seg::Key("rule")],
        "m".into(),
    );
    assert_eq!((at.line, at.column), (3, 5));
    let at = source.problem_at(&[Seg::Key("name")], "m".into());
    assert_eq!((at.line, at.column), (2, 1));
}

#[test]
fn each_step_has_the_line_it_starts_on_in_yaml_and_json() {
    let load = |file: &str, text: &str| {
        let source = Source::new(Path::new(file), text);
        let mut problems = Vec::new();
        let case = load_case(&source, "c", OPS, &Map::new(), &[], &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let case = case.unwrap();
        let lines = |steps: &[crate::suite::PlannedStep]| {
            steps
                .iter()
                .map(|s| (s.line, s.step.line))
                .collect::<Vec<_>>()
        };
        (lines(&case.steps), lines(&case.teardown))
    };
    let yaml = "name: n\ncites: x\nsteps:\n  - call: ListTasks\n\n  - with: {}\n    call: RunTask\nteardown:\n  - {call: ListTasks}\n";
    assert_eq!(load("c.yaml", yaml), (vec![(4, 4), (6, 6)], vec![(9, 9)]));
    let json = "{\"name\": \"n\", \"cites\": \"x\", \"steps\": [\n  {\"call\": \"ListTasks\"},\n\n  {\"with\": {},\n   \"call\": \"RunTask\"}\n]}\n";
    assert_eq!(load("c.json", json), (vec![(2, 2), (4, 4)], vec![]));
}

#[test]
fn a_missing_field_of_a_step_is_at_that_steps_mapping() {
    let block = "name: a\ncites: x\nsteps:\n  - call: ListTasks\n  - with: {}\n    expect: {}\n";
    assert_eq!(
        places(&problems_of("c.yaml", block)),
        [(5, 5, "not a valid case file: missing field `call`")]
    );
    let flow = "name: a\ncites: x\nsteps:\n  - {with: {}, expect: {}}\n";
    assert_eq!(
        places(&problems_of("c.yaml", flow)),
        [(4, 5, "not a valid case file: missing field `call`")]
    );
}

#[test]
fn a_raw_body_and_a_target_are_loaded_and_a_raw_body_beside_with_is_refused() {
    let text = "\
name: n
cites: x
steps:
  - call: RunTask
    raw_body: '{\"cluster\": '
    target: ''
";
    let source = Source::new(Path::new("c.yaml"), text);
    let mut problems = Vec::new();
    let case = load_case(&source, "c", OPS, &Map::new(), &[], &mut problems).unwrap();
    assert!(problems.is_empty());
    let step = &case.steps[0].step;
    assert_eq!(step.raw_body.as_deref(), Some("{\"cluster\": "));
    assert_eq!(step.target.as_deref(), Some(""));

    let both = "\
name: n
cites: x
steps:
  - call: RunTask
    with: { cluster: c }
    raw_body: '[]'
";
    let problems = problems_of("c.yaml", both);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 6);
    assert!(problems[0].message.contains("not both"));
}
