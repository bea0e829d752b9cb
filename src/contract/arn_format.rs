//! The shapes of the ECS ARNs in one answer (`arn.format`) and the region and account
//! they agree on (`arn.consistent`): what a JSON Schema cannot say about a string.

use crate::finding::Finding;
use crate::rules::Rule;
use serde_json::Value;

/// The members that hold an ECS ARN, and the resource type each must name.
const ARN_MEMBERS: [(&str, &str); 5] = [
    ("taskArn", "task"),
    ("clusterArn", "cluster"),
    ("containerArn", "container"),
    ("taskDefinitionArn", "task-definition"),
    ("containerInstanceArn", "container-instance"),
];

/// The pieces of a well-formed ECS ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EcsArn<'a> {
    pub(crate) partition: &'a str,
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
    pub(crate) kind: &'a str,
    /// What follows `<kind>/`.
    pub(crate) resource: &'a str,
}

/// Splits `arn:<partition>:ecs:<region>:<account>:<kind>/<resource>`; None if it is not
/// that shape (partition `aws` or `aws-…`, a region, a 12-digit account).
pub(crate) fn parse(arn: &str) -> Option<EcsArn<'_>> {
    let [prefix, partition, service, region, account, rest] = super::arn::split_arn(arn)?;
    let lower = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let partition_ok = partition == "aws" || (partition.starts_with("aws-") && lower(partition));
    let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
    if prefix != "arn" || !partition_ok || service != "ecs" || !lower(region) || !account_ok {
        return None;
    }
    let (kind, resource) = rest.split_once('/')?;
    Some(EcsArn {
        partition,
        region,
        account,
        kind,
        resource,
    })
}

/// A cluster name, family or id segment: 1-255 letters, digits, hyphens, underscores.
fn name(s: &str) -> bool {
    (1..=255).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// True when `resource` (after `<kind>/`) has the documented shape for `kind`: the long
/// format with the cluster name or the older short one.
fn resource_ok(kind: &str, resource: &str) -> bool {
    let segs: Vec<&str> = resource.split('/').collect();
    match kind {
        "cluster" => segs.len() == 1 && name(segs[0]),
        "task" | "container-instance" => {
            (1..=2).contains(&segs.len()) && segs.iter().all(|s| name(s))
        }
        "container" => (segs.len() == 1 || segs.len() == 3) && segs.iter().all(|s| name(s)),
        "task-definition" => {
            segs.len() == 1
                && segs[0].rsplit_once(':').is_some_and(|(family, revision)| {
                    name(family)
                        && !revision.is_empty()
                        && revision.chars().all(|c| c.is_ascii_digit())
                        && !revision.starts_with('0')
                })
        }
        _ => false,
    }
}

/// The documented shape, for messages.
fn shape(kind: &str) -> &'static str {
    match kind {
        "task" => "arn:<partition>:ecs:<region>:<account>:task/<cluster>/<id> or …:task/<id>",
        "cluster" => "arn:<partition>:ecs:<region>:<account>:cluster/<name>",
        "container" => "arn:<partition>:ecs:<region>:<account>:container/<cluster>/<task-id>/<id> or …:container/<id>",
        "task-definition" => "arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>",
        _ => "arn:<partition>:ecs:<region>:<account>:container-instance/<cluster>/<id> or …:container-instance/<id>",
    }
}

/// Every ECS ARN of a success body (the five ARN members anywhere, ListTasks'
/// `taskArns`): each has its type's shape, and all agree on partition, region and account.
pub(crate) fn check(body: &Value) -> Vec<Finding> {
    let mut found: Vec<(String, &str, &str)> = Vec::new();
    collect(body, String::new(), &mut found);
    if let Some(arns) = body.get("taskArns").and_then(Value::as_array) {
        for (i, a) in arns.iter().enumerate() {
            if let Some(a) = a.as_str() {
                found.push((format!("/taskArns/{i}"), a, "task"));
            }
        }
    }
    let mut out = Vec::new();
    let mut first: Option<(String, EcsArn)> = None;
    for (at, arn, kind) in found {
        let parsed = parse(arn).filter(|p| p.kind == kind && resource_ok(kind, p.resource));
        let Some(p) = parsed else {
            out.push(
                Finding::new(Rule::ArnFormat, at)
                    .expected(shape(kind))
                    .actual(arn)
                    .message(format!("this is not a well-formed {kind} ARN")),
            );
            continue;
        };
        match &first {
            None => first = Some((at, p)),
            Some((first_at, f)) => {
                let same = (f.partition, f.region, f.account) == (p.partition, p.region, p.account);
                if !same {
                    out.push(
                        Finding::new(Rule::ArnConsistent, at)
                            .expected(format!(
                                "partition {}, region {}, account {} (as at {first_at})",
                                f.partition, f.region, f.account
                            ))
                            .actual(format!(
                                "partition {}, region {}, account {}",
                                p.partition, p.region, p.account
                            ))
                            .message("the ARNs of one answer name different partitions, regions or accounts"),
                    );
                }
            }
        }
    }
    out
}

/// The ARN members under `v` (pointer `at`), in document order.
fn collect<'v>(v: &'v Value, at: String, out: &mut Vec<(String, &'v str, &'static str)>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (ARN_MEMBERS.iter().find(|(m, _)| m == k), child.as_str()) {
                    (Some((_, kind)), Some(s)) => out.push((here, s, kind)),
                    _ => collect(child, here, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_partitions_and_rejects_other_shapes() {
        let p = parse("arn:aws-cn:ecs:cn-north-1:123456789012:task/c/abc").unwrap();
        assert_eq!(
            (p.partition, p.region, p.kind, p.resource),
            ("aws-cn", "cn-north-1", "task", "c/abc")
        );
        assert!(parse("arn:aws:ec2:us-east-1:123456789012:task/abc").is_none());
        assert!(parse("arn:aws:ecs:us-east-1:12345:task/abc").is_none());
        assert!(parse("arn:AWS:ecs:us-east-1:123456789012:task/abc").is_none());
        assert!(parse("task/abc").is_none());
    }

    #[test]
    fn resource_shapes() {
        assert!(resource_ok("task-definition", "web_app-1:12"));
        assert!(!resource_ok("task-definition", "webapp"));
        assert!(!resource_ok("task-definition", "webapp:0"));
        assert!(resource_ok("container", "c/t/x"));
        assert!(!resource_ok("container", "c/t"));
        assert!(!resource_ok("cluster", "a/b"));
        assert!(!resource_ok("task", ""));
    }
}
