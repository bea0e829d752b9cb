//! Misspelt values of open enums. An open enum's unknown value is drift (AWS adds
//! values over time), unless it is so close to a documented value that it is far more
//! likely a typo of it (`RUNNIN`, `fargate`): then it is a broken contract, since no
//! client matches it against the value it means.
//!
//! Closeness: letters compared without case, by edit distance (Levenshtein). A value
//! is a misspelling of a documented one when the distance is at most `allowed(doc)`:
//! 0 (a case difference only) for documented values of up to 3 characters (`EC2`,
//! `GPU`: a new short value is as likely as a typo), 1 below 6 characters, 2 from 6
//! characters on; and always less than the distance from that documented value to
//! every other value of the same enum, so documented values that are close to each
//! other (`ATTACHING`/`DETACHING`) are never taken for each other's misspellings.

/// The documented value `value` looks like a misspelling of, if any. A value equal to a
/// documented value is never a misspelling.
pub(crate) fn misspelling_of<'d>(value: &str, documented: &'d [&'d str]) -> Option<&'d str> {
    if documented.contains(&value) {
        return None;
    }
    let lower = value.to_lowercase();
    documented
        .iter()
        .map(|doc| (doc, distance(&lower, &doc.to_lowercase())))
        .filter(|(doc, d)| *d <= allowed(doc, documented))
        .min_by_key(|(_, d)| *d)
        .map(|(doc, _)| *doc)
}

/// The largest distance at which a value is still taken for a misspelling of `doc`;
/// negative: none (two documented values differ only by case).
fn allowed(doc: &str, documented: &[&str]) -> i64 {
    let by_length = match doc.chars().count() {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    };
    let lower = doc.to_lowercase();
    let gap = documented
        .iter()
        .filter(|other| **other != doc)
        .map(|other| distance(&lower, &other.to_lowercase()))
        .min()
        .unwrap_or(i64::MAX);
    by_length.min(gap - 1)
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> i64 {
    i64::try_from(strsim::levenshtein(a, b)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const STATUS: &[&str] = &crate::contract::invariants::LIFECYCLE;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("running", "running"), 0);
        assert_eq!(distance("runnin", "running"), 1);
        assert_eq!(distance("rnuning", "running"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn typos_and_case_differences_are_misspellings() {
        assert_eq!(misspelling_of("RUNNIN", STATUS), Some("RUNNING"));
        assert_eq!(misspelling_of("running", STATUS), Some("RUNNING"));
        assert_eq!(misspelling_of("RUNING", STATUS), Some("RUNNING"));
        assert_eq!(misspelling_of("STOPED", STATUS), Some("STOPPED"));
        let launch = &["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];
        assert_eq!(misspelling_of("fargate", launch), Some("FARGATE"));
        assert_eq!(misspelling_of("FARGTE", launch), Some("FARGATE"));
        assert_eq!(misspelling_of("ec2", launch), Some("EC2"));
    }

    #[test]
    fn new_values_are_not_misspellings() {
        let launch = &["EC2", "FARGATE", "EXTERNAL"];
        for new in ["MANAGED_INSTANCES", "EC3", "ECS", "FARGATE_SPOT", "QUANTUM"] {
            assert_eq!(misspelling_of(new, launch), None, "{new}");
        }
        assert_eq!(
            misspelling_of("TPU", &["GPU", "InferenceAccelerator"]),
            None
        );
        assert_eq!(misspelling_of("SUSPENDED", STATUS), None);
        assert_eq!(misspelling_of("RUNNING", STATUS), None);
    }

    #[test]
    fn close_documented_values_are_not_confused() {
        let attach = &["ATTACHING", "ATTACHED", "DETACHING", "DETACHED"];
        // ATTACHING and DETACHING are two edits apart: each allows one edit, so a
        // value two edits from both is no misspelling of either.
        assert_eq!(misspelling_of("ATTACHNG", attach), Some("ATTACHING"));
        assert_eq!(misspelling_of("DETACHNG", attach), Some("DETACHING"));
        assert_eq!(misspelling_of("XXTACHING", attach), None);
        assert!(misspelling_of("DTTACHING", attach).is_some());
    }

    /// Every value of every enum in schemas/enums, as documented.
    fn shipped_enums() -> Vec<(String, Vec<String>)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/enums");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let values = doc["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            out.push((path.display().to_string(), values));
        }
        assert!(out.len() >= 10);
        out
    }

    #[test]
    fn no_documented_value_is_a_misspelling_of_another() {
        for (file, values) in shipped_enums() {
            let all: Vec<&str> = values.iter().map(String::as_str).collect();
            for v in &all {
                // Judged against the other values (as a value the list did not hold),
                // with each one's threshold computed over the whole list.
                for doc in all.iter().filter(|d| *d != v) {
                    let d = distance(&v.to_lowercase(), &doc.to_lowercase());
                    assert!(
                        d > allowed(doc, &all),
                        "{file}: {v} would be taken for a misspelling of {doc}"
                    );
                }
                // A one-letter typo of a value that allows one edit is caught.
                if allowed(v, &all) >= 1 {
                    let typo: String = v.chars().skip(1).collect();
                    assert!(
                        misspelling_of(&typo, &all).is_some(),
                        "{file}: {typo} passes as a new value"
                    );
                }
            }
        }
    }
}
