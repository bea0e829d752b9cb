//! Reports and per-target expectations end to end, through the binary against the
//! built-in reference target with a deviation: JUnit XML is well-formed and carries the
//! findings, the JSON document is complete and merges across partitions, and a known
//! deviation entry keeps the run green while removing it fails the run naming the case.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::cli_support;
use cli_support::{bin, text};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ecs-conform-reports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    bin()
        .arg("run")
        .args(args)
        .args(["--no-snapshots", "--jobs", "4"])
        .env("CI", "true")
        .output()
        .unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every element opened is closed, attributes parse: the file is well-formed XML.
fn assert_well_formed(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut testcases = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                for a in e.attributes() {
                    a.expect("attribute parses");
                }
                if e.name().as_ref() == b"testcase" {
                    testcases += 1;
                }
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML at {}: {e}", reader.buffer_position()),
        }
    }
    testcases
}

#[test]
fn junit_json_and_markdown_carry_the_findings_of_a_failing_run() {
    let dir = scratch("outputs");
    let (junit, report, md) = (dir.join("j.xml"), dir.join("r.json"), dir.join("r.md"));
    let badge = dir.join("badge.svg");
    let html = dir.join("r.html");
    let o = run(&[
        "--deviation",
        "wrong-stop-code",
        "--badge",
        badge.to_str().unwrap(),
        "--report-html",
        html.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--report-json",
        report.to_str().unwrap(),
        "--report-md",
        md.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let doc = json(&report);
    assert_eq!(doc["format"], "ecs-conform-report/1");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 1);
    assert!(doc["totals"]["fail"].as_u64().unwrap() >= 1);
    assert_eq!(doc["suite"]["hash"].as_str().unwrap().len(), 64);
    let failing: Vec<&Value> = cases.iter().filter(|c| c["verdict"] == "fail").collect();
    assert!(failing
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap())
        .any(|f| f["rule"] == "stop.user-initiated" && f["severity"] == "fail"));

    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(assert_well_formed(&xml), cases.len());
    assert!(xml.contains("<failure"), "{xml}");
    assert!(xml.contains("stop.user-initiated"));

    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(markdown.contains("## Results per operation"));
    assert!(markdown.contains("`stop.user-initiated`"));
    assert!(markdown.contains("## Distinct problems"));
    assert!(!doc["problems"].as_array().unwrap().is_empty());

    // The badge: well-formed SVG, red, with the score of cases passed / judged.
    let svg = std::fs::read_to_string(&badge).unwrap();
    assert_well_formed(&svg);
    let passed = doc["totals"]["pass"].as_u64().unwrap() as usize;
    let judged = cases.iter().filter(|c| c["verdict"] != "skipped").count();
    assert!(
        svg.contains(&format!(">{} %<", passed * 100 / judged)),
        "{svg}"
    );
    assert!(svg.contains("#e05d44"), "{svg}");

    // The HTML report: well-formed, a matrix cell per column × rule, a failing cell
    // for the deviation's rule, one <details> per case.
    let page = std::fs::read_to_string(&html).unwrap();
    assert_well_formed(&page);
    let rules = page.matches("<tr><th title=").count();
    assert!(rules > 50, "one matrix row per rule");
    let columns: usize = page
        .split("data-columns=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(page.matches("<td class=\"cell ").count(), rules * columns);
    assert!(
        page.contains("<td class=\"cell fail\" id=\"m-stop.user-initiated-"),
        "{page}"
    );
    assert_eq!(page.matches("<details class=\"case\"").count(), cases.len());
}

#[test]
fn known_deviations_keep_the_run_green_and_removing_one_names_the_case() {
    let dir = scratch("known");
    let report = dir.join("r.json");
    let o = run(&[
        "--deviation",
        "wrong-stop-code",
        "--report-json",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let doc = json(&report);
    let failing: Vec<String> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "fail")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!failing.is_empty());
    let entries: String = failing
        .iter()
        .map(|id| format!("  - {{case: {id}, reason: the stop code is wrong on purpose}}\n"))
        .collect();
    std::fs::write(
        dir.join("bent.yaml"),
        format!("kind: reference\nknown:\n{entries}"),
    )
    .unwrap();
    let targets = dir.to_str().unwrap();
    let o = run(&[
        "--deviation",
        "wrong-stop-code",
        "--target",
        "bent",
        "--targets",
        targets,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("{} known", failing.len())),
        "{}",
        text(&o)
    );

    // Drop the first entry: the run fails and says which case.
    let rest: String = entries.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let rest = if rest.is_empty() {
        " []\n".to_owned()
    } else {
        format!("\n{rest}")
    };
    std::fs::write(
        dir.join("bent.yaml"),
        format!("kind: reference\nknown:{rest}"),
    )
    .unwrap();
    let o = run(&[
        "--deviation",
        "wrong-stop-code",
        "--target",
        "bent",
        "--targets",
        targets,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("FAIL  {}", failing[0])),
        "{}",
        text(&o)
    );

    // A listed case that passes on the clean reference is stale: the run says so and fails.
    std::fs::write(
        dir.join("bent.yaml"),
        format!("kind: reference\nknown:\n{entries}"),
    )
    .unwrap();
    let o = run(&["--target", "bent", "--targets", targets]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("FIXED"), "{}", text(&o));
}

#[test]
fn partitions_split_the_suite_and_merge_back_into_the_whole() {
    let dir = scratch("partition");
    let mut parts = Vec::new();
    for k in 1..=3 {
        let path = dir.join(format!("p{k}.json"));
        let o = run(&[
            "--partition",
            &format!("{k}/3"),
            "--report-json",
            path.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        parts.push(path);
    }
    let ids = |p: &Path| -> Vec<String> {
        json(p)["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let total: usize = parts.iter().map(|p| ids(p).len()).sum();
    let whole = json(&parts[0])["suite"]["cases"].as_u64().unwrap() as usize;
    assert_eq!(total, whole, "every case runs in exactly one partition");
    let merged = dir.join("merged.json");
    let junit = dir.join("merged.xml");
    let badge = dir.join("merged.svg");
    let html = dir.join("merged.html");
    let o = Command::new(env!("CARGO_BIN_EXE_ecs-conform"))
        .arg("merge")
        .args(&parts)
        .args([
            "--badge",
            badge.to_str().unwrap(),
            "--report-html",
            html.to_str().unwrap(),
            "--report-json",
            merged.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut all = ids(&merged);
    all.dedup();
    assert_eq!(all.len(), whole);
    assert_eq!(
        assert_well_formed(&std::fs::read_to_string(&junit).unwrap()),
        whole
    );
    // The clean reference: a green 100 % badge from the merged document.
    let svg = std::fs::read_to_string(&badge).unwrap();
    assert_well_formed(&svg);
    assert!(svg.contains(">100 %<") && svg.contains("#4c1"), "{svg}");
    // The merged HTML report holds every case, and no cell fails.
    let page = std::fs::read_to_string(&html).unwrap();
    assert_well_formed(&page);
    assert_eq!(page.matches("<details class=\"case\"").count(), whole);
    assert!(!page.contains("<td class=\"cell fail"));
    assert!(page.contains("class=\"verdict conformant\""));
}

#[test]
fn merge_refuses_missing_duplicated_and_mismatched_partitions() {
    let dir = scratch("merge-partial");
    let part = |k: usize, n: usize| {
        let path = dir.join(format!("p{k}of{n}.json"));
        let o = run(&[
            "--tag",
            "stop-task",
            "--partition",
            &format!("{k}/{n}"),
            "--report-json",
            path.to_str().unwrap(),
        ]);
        // 4: a partition of the tag that holds no case still writes its document.
        assert!(matches!(o.status.code(), Some(0 | 4)), "{}", text(&o));
        path
    };
    let merge = |inputs: &[&PathBuf]| {
        Command::new(env!("CARGO_BIN_EXE_ecs-conform"))
            .arg("merge")
            .args(inputs)
            .output()
            .unwrap()
    };
    let (p1, p2, p3) = (part(1, 3), part(2, 3), part(3, 3));
    for (inputs, sentence) in [
        (vec![&p1], "partitions 2/3, 3/3 are missing"),
        (vec![&p1, &p3], "partition 2/3 is missing"),
        (vec![&p1, &p2, &p2, &p3], "partition 2/3 given twice"),
    ] {
        let o = merge(&inputs);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(sentence), "{sentence}: {}", text(&o));
    }
    let o = merge(&[&p1, &p2, &p3]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Different numbers of partitions, different suites, a whole run with others.
    let other_n = part(1, 2);
    let o = merge(&[&p1, &p2, &p3, &other_n]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("different numbers of partitions"),
        "{}",
        text(&o)
    );
    let mut doc = json(&p3);
    doc["suite"]["hash"] = Value::String("0000".into());
    let foreign = dir.join("foreign.json");
    std::fs::write(&foreign, doc.to_string()).unwrap();
    let o = merge(&[&p1, &p2, &foreign]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("different suites"), "{}", text(&o));
    let mut doc = json(&p1);
    doc["partition"] = Value::Null;
    let whole = dir.join("whole.json");
    std::fs::write(&whole, doc.to_string()).unwrap();
    let o = merge(&[&whole, &p2, &p3]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("a whole run"), "{}", text(&o));
    // A whole run alone merges to itself.
    let o = merge(&[&whole]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // A merge exits as the run would: an error verdict is 3, and a set in which no
    // case got a verdict (every case skipped) verified nothing and is 4, never 0.
    let with_verdict = |verdict: &str, name: &str| {
        let mut doc = json(&whole);
        for case in doc["cases"].as_array_mut().unwrap() {
            case["verdict"] = Value::String(verdict.into());
        }
        let path = dir.join(name);
        std::fs::write(&path, doc.to_string()).unwrap();
        path
    };
    let o = merge(&[&with_verdict("error", "errors.json")]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let o = merge(&[&with_verdict("skipped", "skipped.json")]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("no cases to run"), "{}", text(&o));
}
