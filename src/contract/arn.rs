//! Pieces of ECS ARNs the invariants compare: a task's id, a cluster's name.

/// The id of a task from its ARN or id: the last `/` segment.
pub(crate) fn task_id(arn_or_id: &str) -> &str {
    arn_or_id.rsplit('/').next().unwrap_or(arn_or_id)
}

/// True when `cluster_arn` names the requested cluster (a name or an ARN).
pub(crate) fn cluster_matches(cluster_arn: &str, requested: &str) -> bool {
    if requested.starts_with("arn:") {
        cluster_arn == requested
    } else {
        cluster_arn.starts_with("arn:")
            && cluster_arn
                .rsplit_once(":cluster/")
                .is_some_and(|(_, name)| name == requested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_and_arns() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:cluster/production";
        assert!(cluster_matches(arn, "production"));
        assert!(cluster_matches(arn, arn));
        assert!(!cluster_matches(arn, "prod"));
        assert!(!cluster_matches("production", "production"));
        assert!(!cluster_matches(
            arn,
            "arn:aws:ecs:us-east-1:123456789012:cluster/other"
        ));
    }

    #[test]
    fn task_ids() {
        assert_eq!(task_id("arn:aws:ecs:r:1:task/c/abc"), "abc");
        assert_eq!(task_id("abc"), "abc");
    }
}
