//! Task placement on the simulated EC2 capacity: RunTask's `placementConstraints` and
//! `placementStrategy`, checked against each cluster's one simulated container instance
//! (see [`ContainerInstance`]).
//!
//! - `distinctInstance`: at most one task of the RunTask call per instance, so with one
//!   instance the first task is placed and every further one is a failure.
//! - `memberOf`: a cluster query expression of the form `attribute:<name> == <value>` or
//!   `attribute:<name> != <value>`, matched against the instance's attributes
//!   (`ecs.instance-type`, `ecs.availability-zone`, `ecs.os-type`,
//!   `ecs.cpu-architecture`); an attribute the instance lacks equals no value. Other
//!   forms of the query language (`task:group`, `in`, `=~`, `and`/`or`) are refused with
//!   InvalidParameterException.
//! - Strategies (`random`, `spread`, `binpack`): the type is checked, the field accepted;
//!   with one instance they all place on it.
//!
//! Only EC2 tasks are placed on instances; for Fargate (and the other launch types) the
//! input is still validated but places nothing and fails nothing.

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::input::Input;
use super::ops::one_of;
use super::state::ContainerInstance;

/// A `memberOf` expression: `attribute:<name> == <value>` or `!=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemberOf {
    attribute: String,
    equal: bool,
    value: String,
}

impl MemberOf {
    /// Parses the supported forms; anything else is InvalidParameterException.
    pub(crate) fn parse(expression: &str) -> ApiResult<MemberOf> {
        let bad = || {
            ApiError::invalid(format!(
                "Invalid memberOf expression '{expression}': expected \
                 'attribute:<name> == <value>' or 'attribute:<name> != <value>'."
            ))
        };
        let (left, equal, right) = if let Some((l, r)) = expression.split_once("!=") {
            (l, false, r)
        } else if let Some((l, r)) = expression.split_once("==") {
            (l, true, r)
        } else {
            return Err(bad());
        };
        let attribute = left.trim().strip_prefix("attribute:").ok_or_else(bad)?;
        let value = right.trim();
        // Attribute names and values: 1..128 letters, digits and `-_./@:`.
        let token_ok = |s: &str| {
            (1..=128).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./@:".contains(c))
        };
        if !token_ok(attribute) || !token_ok(value) {
            return Err(bad());
        }
        Ok(MemberOf {
            attribute: attribute.to_string(),
            equal,
            value: value.to_string(),
        })
    }

    pub(crate) fn matches(&self, instance: &ContainerInstance) -> bool {
        let actual = instance.attribute(&self.attribute);
        (actual == Some(self.value.as_str())) == self.equal
    }
}

/// What RunTask asked of placement.
#[derive(Debug, Default)]
pub(crate) struct Placement {
    distinct_instance: bool,
    member_of: Vec<MemberOf>,
}

/// Checks `placementConstraints` and `placementStrategy`.
pub(crate) fn parse(input: &Input) -> ApiResult<Placement> {
    let mut placement = Placement::default();
    for c in input.objects("placementConstraints")? {
        let kind = c.required_str("type")?;
        one_of(
            "placementConstraints.type",
            Some(kind),
            &["distinctInstance", "memberOf"],
        )?;
        let expression = c.str("expression")?;
        if kind == "memberOf" {
            let expression = expression.ok_or_else(|| {
                ApiError::invalid("A memberOf placement constraint requires an expression.")
            })?;
            placement.member_of.push(MemberOf::parse(expression)?);
        } else {
            placement.distinct_instance = true;
        }
    }
    for s in input.objects("placementStrategy")? {
        let kind = s.required_str("type")?;
        one_of(
            "placementStrategy.type",
            Some(kind),
            &["random", "spread", "binpack"],
        )?;
        s.str("field")?;
    }
    Ok(placement)
}

impl Placement {
    /// Places `count` tasks on the cluster's instance: how many were placed, and a
    /// failure for each task that was not.
    pub(crate) fn place(
        &self,
        instance: &ContainerInstance,
        cluster_arn: &str,
        count: usize,
    ) -> (usize, Vec<Value>) {
        let failures = |n: usize, arn: &str, reason: &str| {
            (0..n)
                .map(|_| json!({"arn": arn, "reason": reason}))
                .collect()
        };
        if !self.member_of.iter().all(|m| m.matches(instance)) {
            let reason = "MemberOf placement constraint unsatisfied.";
            return (0, failures(count, cluster_arn, reason));
        }
        if self.distinct_instance && count > 1 {
            let reason = "DistinctInstance placement constraint unsatisfied.";
            return (1, failures(count - 1, &instance.arn, reason));
        }
        (count, vec![])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> ContainerInstance {
        ContainerInstance::new("us-east-1", "c", "0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn member_of_supports_equal_and_not_equal_on_attributes() {
        let i = instance();
        let m = |e: &str| MemberOf::parse(e).unwrap().matches(&i);
        assert!(m("attribute:ecs.instance-type == t3.medium"));
        assert!(m("attribute:ecs.instance-type==t3.medium"));
        assert!(!m("attribute:ecs.instance-type == t2.micro"));
        assert!(m("attribute:ecs.instance-type != t2.micro"));
        assert!(!m("attribute:ecs.instance-type != t3.medium"));
        assert!(m("attribute:ecs.availability-zone == us-east-1a"));
        assert!(!m("attribute:ecs.availability-zone == us-east-1b"));
        assert!(!m("attribute:custom == x"));
        assert!(m("attribute:custom != x"));
    }

    #[test]
    fn other_expressions_are_invalid_parameters() {
        for e in [
            "",
            "attribute:ecs.instance-type",
            "ecs.instance-type == t3.medium",
            "task:group == web",
            "attribute:ecs.instance-type =~ t3.*",
            "attribute:ecs.instance-type in [t3.medium]",
            "attribute:ecs.instance-type == ",
            "attribute: == t3.medium",
            "attribute:ecs.instance-type == t3.medium and attribute:ecs.os-type == linux",
        ] {
            let err = MemberOf::parse(e).expect_err(e);
            assert_eq!(err.kind, crate::error::ErrorKind::InvalidParameter);
        }
    }

    #[test]
    fn distinct_instance_places_one_task_per_instance() {
        let i = instance();
        let p = Placement {
            distinct_instance: true,
            member_of: vec![],
        };
        assert_eq!(p.place(&i, "arn:c", 1), (1, vec![]));
        let (n, failures) = p.place(&i, "arn:c", 3);
        assert_eq!(n, 1);
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[0]["arn"], i.arn.as_str());
    }
}
