//! Pieces of ARNs: the six `:`-separated fields of any ARN, and what the invariants
//! compare (a task's id, a cluster's name).

/// The fields of `arn:<partition>:<service>:<region>:<account>:<resource>`, in that
/// order (the resource keeps any further `:`); None with fewer than six fields. Nothing
/// is judged here: the `arn.format` check and the snapshot normaliser decide what they
/// accept.
pub(crate) fn split_arn(s: &str) -> Option<[&str; 6]> {
    let mut parts = s.splitn(6, ':');
    Some([
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ])
}

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
    fn an_arn_has_six_fields_and_its_resource_keeps_colons() {
        assert_eq!(
            split_arn("arn:aws:ecs:us-east-1:123456789012:task-definition/f:3"),
            Some([
                "arn",
                "aws",
                "ecs",
                "us-east-1",
                "123456789012",
                "task-definition/f:3"
            ])
        );
        assert_eq!(split_arn("arn:aws:ecs:us-east-1:123456789012"), None);
    }

    #[test]
    fn task_ids() {
        assert_eq!(task_id("arn:aws:ecs:r:1:task/c/abc"), "abc");
        assert_eq!(task_id("abc"), "abc");
    }
}
