//! The badge is well-formed SVG for a clean, a known-only and a failing run, with the
//! score and the colour of each.

use super::*;
use crate::report::fixtures::{clean, failing, known_only};
use quick_xml::events::Event;
use quick_xml::Reader;

/// The texts of the SVG's elements, after checking that it parses as XML whose root
/// is an `svg` element (every start tag closed by its own end tag).
fn parse_svg(svg: &str) -> Vec<String> {
    let mut reader = Reader::from_str(svg);
    let mut texts = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                root.get_or_insert_with(|| String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Ok(Event::Text(t)) => {
                let text = t.decode().unwrap().into_owned();
                let text = quick_xml::escape::unescape(&text).unwrap().into_owned();
                if !text.trim().is_empty() {
                    texts.push(text);
                }
            }
            Ok(_) => {}
            Err(e) => panic!("not XML at {}: {e}\n{svg}", reader.error_position()),
        }
    }
    assert_eq!(root.as_deref(), Some("svg"));
    texts
}

#[test]
fn a_clean_run_is_a_green_100() {
    let svg = render(&clean()).unwrap();
    let texts = parse_svg(&svg);
    assert!(texts.contains(&"100 %".to_owned()), "{texts:?}");
    assert!(texts.contains(&"ecs conformance".to_owned()));
    assert!(svg.contains("#4c1"));
}

#[test]
fn a_known_only_run_is_yellow_and_known_cases_do_not_count_as_passed() {
    let svg = render(&known_only()).unwrap();
    let texts = parse_svg(&svg);
    assert!(texts.contains(&"50 %".to_owned()), "{texts:?}");
    assert!(svg.contains("#dfb317"));
}

#[test]
fn a_failing_run_is_red() {
    // 1 of 5 passed.
    let svg = render(&failing()).unwrap();
    let texts = parse_svg(&svg);
    assert!(texts.contains(&"20 %".to_owned()), "{texts:?}");
    assert!(svg.contains("#e05d44"));
    assert!(texts.iter().any(|t| t.contains("not conformant")));
}

#[test]
fn a_run_without_judged_cases_says_so() {
    let doc = crate::report::fixtures::document(Vec::new());
    let texts = parse_svg(&render(&doc).unwrap());
    assert!(texts.contains(&"no cases".to_owned()));
}

#[test]
fn the_score_rounds_down() {
    let s = crate::report::score::Score {
        passed: 199,
        total: 200,
    };
    assert_eq!(s.label(), "99 %");
}
