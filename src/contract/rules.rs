//! The rule table: every rule the contract module can report, with its severity, the
//! document it comes from and a one-line summary. Findings are built here, so a rule's
//! severity has exactly one source.

use crate::finding::{Finding, Severity};

/// One rule, as `ecs-conform rules` and the README table show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    /// Files that ship in the repository, `;`-separated, each `path, section` (a
    /// section of docs/contract.md is one of its headings; tests/rule_sources.rs checks).
    pub source: &'static str,
    pub summary: &'static str,
}

pub(crate) const WIRE_STATUS: &str = "wire.status";
pub(crate) const WIRE_CONTENT_TYPE: &str = "wire.content-type";
pub(crate) const WIRE_JSON: &str = "wire.json";
pub(crate) const WIRE_REQUEST_ID: &str = "wire.request-id";
pub(crate) const ERROR_TYPE: &str = "error.type";
pub(crate) const ERROR_DOCUMENTED: &str = "error.documented";
pub(crate) const ERROR_STATUS: &str = "error.status";
pub(crate) const SCHEMA_RESPONSE: &str = "schema.response";
pub(crate) const SCHEMA_ERROR: &str = "schema.error";
pub(crate) const DRIFT_FIELD: &str = "schema.drift.field";
pub(crate) const DRIFT_ENUM: &str = "schema.drift.enum";
pub(crate) const ENUM_MISSPELLING: &str = "schema.enum-misspelling";
pub(crate) const NULL_MEMBER: &str = "schema.null-member";
pub(crate) const PROSE_LIMIT: &str = "schema.prose-limit";
pub(crate) const TIMESTAMP: &str = "timestamp.epoch-number";
pub(crate) const SHOULD_TASK_FIELD: &str = "should.task-field";
pub(crate) const LIFECYCLE: &str = "lifecycle.monotonic";
pub(crate) const STOP_DESIRED: &str = "stop.desired-status";
pub(crate) const STOP_FIELDS: &str = "stop.stopped-fields";
pub(crate) const STOP_USER: &str = "stop.user-initiated";
pub(crate) const CONTAINER_ARN: &str = "task.container-arn";
pub(crate) const CLUSTER_ARN: &str = "task.cluster-arn";
pub(crate) const DESCRIBE_MISSING: &str = "describe.missing-failures";
pub(crate) const DESCRIBE_TAGS: &str = "describe.tags-only-with-include";
pub(crate) const RUN_COUNT: &str = "run.count";
pub(crate) const LIST_MAX: &str = "list.max-results";
pub(crate) const LIST_REPEAT: &str = "list.no-repeat";

const fn rule(
    id: &'static str,
    severity: Severity,
    source: &'static str,
    summary: &'static str,
) -> RuleInfo {
    RuleInfo {
        id,
        severity,
        source,
        summary,
    }
}

static RULES: &[RuleInfo] = &[
    rule(WIRE_STATUS, Severity::Fail, "docs/contract.md, Wire protocol",
        "A response is HTTP 200 (success) or 4xx/5xx (error); any other status is not the AWS JSON 1.1 protocol."),
    rule(WIRE_CONTENT_TYPE, Severity::Fail, "docs/contract.md, Wire protocol",
        "Content-Type is application/x-amz-json-1.1 (application/json is tolerated); an empty body declares none."),
    rule(WIRE_JSON, Severity::Fail, "docs/contract.md, Wire protocol",
        "The body parses as a JSON object (success and error alike); an empty body is `{}` to a client (an empty output, or an error named by its X-Amzn-ErrorType header)."),
    rule(WIRE_REQUEST_ID, Severity::Warn, "docs/contract.md, Wire protocol",
        "An x-amzn-RequestId header is present. Warn, not fail: SDKs parse the answer without it, but it is how a call is traced and real endpoints always send it."),
    rule(ERROR_TYPE, Severity::Fail, "docs/contract.md, Errors",
        "An error names its type in the X-Amzn-ErrorType header, __type or code; without one no SDK can map it to an exception."),
    rule(ERROR_DOCUMENTED, Severity::Fail, "docs/contract.md, Errors; docs/contract.md, Protocol errors; schemas/operations.json, protocol_errors",
        "The normalised error type is one the operation documents, or an AWS JSON 1.1 protocol error whose reason the request gives (SerializationException for a body of the wrong shape, UnknownOperationException for a wrong X-Amz-Target, the authentication errors, ThrottlingException); setup operations are not judged."),
    rule(ERROR_STATUS, Severity::Fail, "docs/contract.md, Errors",
        "Client faults answer 4xx, ServerException answers 5xx."),
    rule(SCHEMA_RESPONSE, Severity::Fail, "docs/contract.md, Shapes and limits; schemas/operations",
        "A success body matches its operation's response schema: types, closed enums, members the AWS model requires, limits."),
    rule(SCHEMA_ERROR, Severity::Fail, "docs/contract.md, Errors; schemas/errors",
        "An error body matches its error type's schema: __type/code naming the same type as the header; message or Message, when sent, is a string (the model makes it optional)."),
    rule(DRIFT_FIELD, Severity::Drift, "docs/contract.md, Shapes and limits",
        "A member the documents do not know (AWS adds members over time): drift, not a broken contract."),
    rule(DRIFT_ENUM, Severity::Drift, "docs/contract.md, Shapes and limits; schemas/operations.json, enums",
        "A value outside an open enum (launchType, stopCode, lastStatus, ...): a newer value, drift."),
    rule(ENUM_MISSPELLING, Severity::Fail, "docs/contract.md, Shapes and limits; schemas/enums",
        "A value outside an open enum that differs from a documented value only by letter case or by a small edit distance (1 below 6 characters, 2 from 6; case only up to 3; never as close as two documented values are to each other) is a misspelling, not a newer value."),
    rule(NULL_MEMBER, Severity::Warn, "docs/contract.md, Shapes and limits",
        "A member sent as JSON null is judged as absent (a null for a required member still fails). Warn, not fail: SDKs accept it, but a real endpoint leaves the member out."),
    rule(PROSE_LIMIT, Severity::Warn, "docs/contract.md, Shapes and limits",
        "A length or number limit that the documentation states only in prose, not the AWS model (marked `x-limit: prose` in the schema; Attribute name and value 1-128, Container.reason up to 1024): warn, not fail, since no SDK enforces it."),
    rule(TIMESTAMP, Severity::Fail, "docs/contract.md, Timestamps",
        "Timestamps are epoch seconds as JSON numbers; strings are tolerated by botocore but rejected by the Rust and Go SDKs."),
    rule(SHOULD_TASK_FIELD, Severity::Warn, "docs/contract.md, MUST and SHOULD; schemas/operations.json, task_should_fields",
        "A task carries the members a real endpoint always sends (taskArn, clusterArn, taskDefinitionArn, lastStatus, desiredStatus, createdAt, version, containers, overrides, launchType)."),
    rule(LIFECYCLE, Severity::Fail, "docs/contract.md, Task lifecycle",
        "A task's lastStatus never moves backwards (PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED); unknown statuses are not judged."),
    rule(STOP_DESIRED, Severity::Fail, "docs/contract.md, Task lifecycle",
        "After a successful StopTask the task's desiredStatus is STOPPED, in the StopTask answer and in every later observation."),
    rule(STOP_FIELDS, Severity::Fail, "docs/contract.md, Task lifecycle",
        "A task whose lastStatus is STOPPED has stoppedAt and a stopCode."),
    rule(STOP_USER, Severity::Fail, "docs/contract.md, Task lifecycle",
        "After a caller's StopTask stops a task, stopCode (once present) is UserInitiated and stoppedReason echoes the request's reason (up to 255 characters); a task that had already stopped on its own (seen so before the call, or dated at least 2 s before it with another stopCode) keeps its own."),
    rule(CONTAINER_ARN, Severity::Fail, "docs/contract.md, Operations",
        "containers[].taskArn is the ARN of the task that holds the container."),
    rule(CLUSTER_ARN, Severity::Fail, "docs/contract.md, Operations",
        "A task's clusterArn names the requested cluster (name or ARN; no cluster means default)."),
    rule(DESCRIBE_MISSING, Severity::Fail, "docs/contract.md, Operations",
        "DescribeTasks answers every requested task that it does not return with a failure whose reason is MISSING."),
    rule(DESCRIBE_TAGS, Severity::Fail, "docs/contract.md, Operations",
        "DescribeTasks returns tags only when include: [\"TAGS\"] was sent."),
    rule(RUN_COUNT, Severity::Fail, "docs/contract.md, Operations",
        "RunTask returns count tasks (default 1), or fewer with failures explaining the rest, never more."),
    rule(LIST_MAX, Severity::Fail, "docs/contract.md, Pagination",
        "A ListTasks page holds at most maxResults ARNs (100 when not given)."),
    rule(LIST_REPEAT, Severity::Fail, "docs/contract.md, Pagination",
        "A paginated ListTasks walk never returns the same task ARN twice."),
];

/// Every rule, for `ecs-conform rules` and the README table.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

/// The table entry of a rule id.
pub(crate) fn info(id: &str) -> &'static RuleInfo {
    RULES
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("rule {id} is not in the rule table"))
}

/// A finding of rule `id` at `pointer`, with the rule's severity.
pub(crate) fn finding(id: &str, pointer: impl Into<String>) -> Finding {
    let r = info(id);
    Finding::new(r.id, r.severity, pointer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_sources_filled() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES
            .iter()
            .all(|r| !r.source.is_empty() && !r.summary.is_empty()));
    }

    #[test]
    fn finding_takes_the_rule_severity() {
        assert_eq!(finding(WIRE_REQUEST_ID, "x").severity, Severity::Warn);
        assert_eq!(finding(DRIFT_ENUM, "x").severity, Severity::Drift);
        assert_eq!(finding(WIRE_JSON, "").severity, Severity::Fail);
        assert_eq!(finding(PROSE_LIMIT, "x").severity, Severity::Warn);
    }
}
