//! The negative classes a suite exercises per operation: cases tagged `negative` and
//! named `negative/<operation>/<class>` (the operation in kebab case, e.g. `run-task`).

use crate::suite::Suite;
use std::collections::BTreeSet;

/// The tag every negative case carries.
pub const NEGATIVE_TAG: &str = "negative";

/// `RunTask` → `run-task`: the operation as it appears in a negative case's id.
pub fn kebab(operation: &str) -> String {
    let mut out = String::with_capacity(operation.len() + 4);
    for (i, c) in operation.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The class a negative case's id names for `operation`, if it is one of its
/// negative cases: `negative/run-task/count-above-10` → `count-above-10`.
pub fn class_of<'a>(id: &'a str, tags: &[String], operation: &str) -> Option<&'a str> {
    if !tags.iter().any(|t| t == NEGATIVE_TAG) {
        return None;
    }
    let rest = id.strip_prefix("negative/")?;
    let (op, class) = rest.split_once('/')?;
    (op == kebab(operation) && !class.is_empty()).then_some(class)
}

/// The negative classes of `operation` the suite exercises, sorted and distinct
/// (empty when the suite has no negative case for it).
pub fn classes(suite: &Suite, operation: &str) -> Vec<String> {
    suite
        .cases
        .iter()
        .filter_map(|c| class_of(&c.id, &c.tags, operation))
        .map(str::to_owned)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    /// A suite of these case files in a fresh temporary folder.
    fn suite(name: &str, cases: &[(&str, &str)]) -> Suite {
        let dir = std::env::temp_dir().join(format!(
            "ecs-conform-negative-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (file, text) in cases {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        let suite = Suite::load(&dir, &["RunTask", "StopTask"]).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        suite
    }

    fn case(tags: &str, call: &str) -> String {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("name: case {n}\ntags: [{tags}]\ncites: c\nsteps:\n  - call: {call}\n    expect: {{ status: 400 }}\n")
    }

    #[test]
    fn classes_are_per_operation_distinct_sorted_and_the_markdown_names_them_or_says_none() {
        let suite = suite(
            "classes",
            &[
                (
                    "negative/run-task/count-above-10.yaml",
                    &case("negative", "RunTask"),
                ),
                (
                    "negative/run-task/body-not-object.yaml",
                    &case("negative", "RunTask"),
                ),
                // Not tagged negative: not counted.
                (
                    "negative/run-task/untagged.yaml",
                    &case("errors", "RunTask"),
                ),
                ("errors/stop-task-x.yaml", &case("negative", "StopTask")),
            ],
        );
        assert_eq!(
            classes(&suite, "RunTask"),
            vec!["body-not-object".to_string(), "count-above-10".to_string()]
        );
        assert!(classes(&suite, "StopTask").is_empty());

        let op = |name: &str, negative_classes: Vec<String>| crate::coverage::OperationCoverage {
            operation: name.into(),
            cases: 0,
            parameters: vec![],
            errors: vec![],
            response_fields: vec![],
            enums: Default::default(),
            negative_classes,
            filters: vec![],
        };
        let text = crate::coverage::markdown(&crate::coverage::Coverage {
            operations: vec![
                op("RunTask", classes(&suite, "RunTask")),
                op("StopTask", classes(&suite, "StopTask")),
            ],
        });
        assert!(
            text.contains("- negative classes exercised (2): `body-not-object`, `count-above-10`")
        );
        assert!(text.contains(
            "- negative classes exercised: none (no case tagged `negative` is named `negative/stop-task/<class>`)"
        ));
    }

    #[test]
    fn operations_become_kebab_case() {
        assert_eq!(kebab("RunTask"), "run-task");
        assert_eq!(kebab("DescribeTasks"), "describe-tasks");
        assert_eq!(kebab("ListTasks"), "list-tasks");
    }

    #[test]
    fn the_class_comes_from_the_id_of_a_case_tagged_negative() {
        let negative = tags(&["negative", "run-task"]);
        assert_eq!(
            class_of("negative/run-task/count-above-10", &negative, "RunTask"),
            Some("count-above-10")
        );
        // Another operation's negative case is not this one's.
        assert_eq!(
            class_of("negative/run-task/count-above-10", &negative, "StopTask"),
            None
        );
        // A class may hold a slash (kept whole).
        assert_eq!(
            class_of("negative/list-tasks/filter/bad", &negative, "ListTasks"),
            Some("filter/bad")
        );
        // Without the tag, or outside negative/, or with no class: not a negative case.
        assert_eq!(
            class_of("negative/run-task/x", &tags(&["run-task"]), "RunTask"),
            None
        );
        assert_eq!(class_of("errors/run-task-x", &negative, "RunTask"), None);
        assert_eq!(class_of("negative/run-task/", &negative, "RunTask"), None);
        assert_eq!(class_of("negative/run-task", &negative, "RunTask"), None);
    }
}
