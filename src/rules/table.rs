//! The data of the rule table: one line per rule (variant = id, severity, stage,
//! source, summary). Contract rules first, then the rules of case expectations, the
//! runner, snapshots and target errors; `ecs-conform rules` and the README keep this order.

use super::{RuleInfo, Severity, Stage};

rule_table! {
    // The contract (`contract`): every response, without a case asking.
    WireStatus = "wire.status", Fail, Contract,
        "docs/contract.md, Wire protocol",
        "A response is HTTP 200 (success) or 4xx/5xx (error); any other status is not the AWS JSON 1.1 protocol.";
    WireContentType = "wire.content-type", Fail, Contract,
        "docs/contract.md, Wire protocol",
        "Content-Type is application/x-amz-json-1.1 (application/json is tolerated); an empty body declares none.";
    WireJson = "wire.json", Fail, Contract,
        "docs/contract.md, Wire protocol",
        "The body parses as a JSON object (success and error alike); an empty body is `{}` to a client (an empty output, or an error named by its X-Amzn-ErrorType header).";
    WireRequestId = "wire.request-id", Warn, Contract,
        "docs/contract.md, Wire protocol",
        "An x-amzn-RequestId header is present. Warn, not fail: SDKs parse the answer without it, but it is how a call is traced and real endpoints always send it.";
    ErrorType = "error.type", Fail, Contract,
        "docs/contract.md, Errors",
        "An error names its type in the X-Amzn-ErrorType header, __type or code; without one no SDK can map it to an exception.";
    ErrorDocumented = "error.documented", Fail, Contract,
        "docs/contract.md, Errors; docs/contract.md, Protocol errors; schemas/operations.json, protocol_errors",
        "The normalised error type is one the operation documents, or an AWS JSON 1.1 protocol error whose reason the request gives (SerializationException for a body of the wrong shape, UnknownOperationException for a wrong X-Amz-Target, the authentication errors, ThrottlingException); setup operations are not judged.";
    ErrorStatus = "error.status", Fail, Contract,
        "docs/contract.md, Errors",
        "Client faults answer 4xx, ServerException answers 5xx.";
    SchemaResponse = "schema.response", Fail, Contract,
        "docs/contract.md, Shapes and limits; schemas/operations",
        "A success body matches its operation's response schema: types, closed enums, members the AWS model requires, limits.";
    SchemaError = "schema.error", Fail, Contract,
        "docs/contract.md, Errors; schemas/errors",
        "An error body matches its error type's schema: __type/code naming the same type as the header; message or Message, when sent, is a string (the model makes it optional).";
    SchemaDriftField = "schema.drift.field", Drift, Contract,
        "docs/contract.md, Shapes and limits",
        "A member the documents do not know (AWS adds members over time): drift, not a broken contract.";
    SchemaDriftEnum = "schema.drift.enum", Drift, Contract,
        "docs/contract.md, Shapes and limits; schemas/operations.json, enums",
        "A value outside an open enum (launchType, stopCode, lastStatus, ...): a newer value, drift.";
    SchemaEnumMisspelling = "schema.enum-misspelling", Fail, Contract,
        "docs/contract.md, Shapes and limits; schemas/enums",
        "A value outside an open enum that differs from a documented value only by letter case or by a small edit distance (1 below 6 characters, 2 from 6; case only up to 3; never as close as two documented values are to each other) is a misspelling, not a newer value.";
    SchemaNullMember = "schema.null-member", Warn, Contract,
        "docs/contract.md, Shapes and limits",
        "A member sent as JSON null is judged as absent (a null for a required member still fails). Warn, not fail: SDKs accept it, but a real endpoint leaves the member out.";
    SchemaProseLimit = "schema.prose-limit", Warn, Contract,
        "docs/contract.md, Shapes and limits",
        "A length or number limit that the documentation states only in prose, not the AWS model (marked `x-limit: prose` in the schema; Attribute name and value 1-128, Container.reason up to 1024): warn, not fail, since no SDK enforces it.";
    TimestampEpochNumber = "timestamp.epoch-number", Fail, Contract,
        "docs/contract.md, Timestamps",
        "Timestamps are epoch seconds as JSON numbers; strings are tolerated by botocore but rejected by the Rust and Go SDKs.";
    ShouldTaskField = "should.task-field", Warn, Contract,
        "docs/contract.md, MUST and SHOULD; schemas/operations.json, task_should_fields",
        "A task carries the members a real endpoint always sends (taskArn, clusterArn, taskDefinitionArn, lastStatus, desiredStatus, createdAt, version, containers, overrides, launchType).";
    LifecycleMonotonic = "lifecycle.monotonic", Fail, Contract,
        "docs/contract.md, Task lifecycle",
        "A task's lastStatus never moves backwards (PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED); unknown statuses are not judged.";
    StopDesiredStatus = "stop.desired-status", Fail, Contract,
        "docs/contract.md, Task lifecycle",
        "After a successful StopTask the task's desiredStatus is STOPPED, in the StopTask answer and in every later observation.";
    StopStoppedFields = "stop.stopped-fields", Fail, Contract,
        "docs/contract.md, Task lifecycle",
        "A task whose lastStatus is STOPPED has stoppedAt and a stopCode.";
    StopUserInitiated = "stop.user-initiated", Fail, Contract,
        "docs/contract.md, Task lifecycle",
        "After a caller's StopTask stops a task, stopCode (once present) is UserInitiated and stoppedReason echoes the request's reason (up to 255 characters); a task that had already stopped on its own (seen so before the call, or dated at least 2 s before it with another stopCode) keeps its own.";
    TaskContainerArn = "task.container-arn", Fail, Contract,
        "docs/contract.md, Operations",
        "containers[].taskArn is the ARN of the task that holds the container.";
    TaskClusterArn = "task.cluster-arn", Fail, Contract,
        "docs/contract.md, Operations",
        "A task's clusterArn names the requested cluster (name or ARN; no cluster means default).";
    DescribeMissingFailures = "describe.missing-failures", Fail, Contract,
        "docs/contract.md, Operations",
        "DescribeTasks answers every requested task that it does not return with a failure whose reason is MISSING.";
    DescribeTagsOnlyWithInclude = "describe.tags-only-with-include", Fail, Contract,
        "docs/contract.md, Operations",
        "DescribeTasks returns tags only when include: [\"TAGS\"] was sent.";
    RunCount = "run.count", Fail, Contract,
        "docs/contract.md, Operations",
        "RunTask returns count tasks (default 1), or fewer with failures explaining the rest, never more.";
    ArnFormat = "arn.format", Fail, Contract,
        "docs/contract.md, ARNs",
        "taskArn, clusterArn, containerArn, taskDefinitionArn, containerInstanceArn (and ListTasks' taskArns) have their documented shape arn:<partition>:ecs:<region>:<account>:<type>/… (the long format with the cluster name or the older short one). Fail: the API Reference documents these shapes and clients take ids and cluster names out of them.";
    ArnConsistent = "arn.consistent", Fail, Contract,
        "docs/contract.md, ARNs",
        "Every ECS ARN of one answer names the same partition, region and account. Fail: one endpoint answers for one region of one account.";
    TaskStoppedContainers = "task.stopped-containers", Fail, Contract,
        "docs/contract.md, Tasks and containers",
        "A STOPPED task has no container that is PENDING or RUNNING. Fail: the task reaches STOPPED only after its containers stopped (task lifecycle).";
    ContainerExitCode = "container.exit-code", Fail, Contract,
        "docs/contract.md, Tasks and containers",
        "A container has an exitCode only once its lastStatus is STOPPED. Fail: exitCode is what the stopped container returned; a value before it stopped is a false one.";
    TaskRunningContainers = "task.running-containers", Warn, Contract,
        "docs/contract.md, Tasks and containers",
        "A RUNNING task does not have every container still PENDING (its essential ones have started). Warn, not fail: containers do not say which are essential and the documents describe the RUNNING state in prose only.";
    TaskVersion = "task.version", Fail, Contract,
        "docs/contract.md, State over time",
        "Across the observations of one task, version never decreases and grows when lastStatus changes. Fail: the version counter is documented to increase with every state change event, and clients compare it to order events.";
    TaskTimestampOrder = "task.timestamp-order", Fail, Contract,
        "docs/contract.md, State over time",
        "The task timestamps present keep their lifecycle order: createdAt ≤ pullStartedAt ≤ pullStoppedAt ≤ startedAt ≤ stoppingAt ≤ executionStoppedAt ≤ stoppedAt. Fail: each is documented as the moment a later step began.";
    TaskStoppedDesired = "task.stopped-desired", Fail, Contract,
        "docs/contract.md, State over time",
        "A task whose lastStatus is STOPPED has desiredStatus STOPPED (a stopped task is never restarted). Fail.";
    TaskLaunchType = "task.launch-type", Fail, Contract,
        "docs/contract.md, Launch types",
        "A FARGATE task names no container instance; an EC2 task names the container instance it was placed on. Fail.";
    TaskFargateEni = "task.fargate-eni", Fail, Contract,
        "docs/contract.md, Launch types",
        "A FARGATE task (awsvpc, the only mode Fargate has) has an attachment of type ElasticNetworkInterface, whose status is DELETED once the task is STOPPED. Fail: the ENI is documented to be detached and deleted before the task reaches STOPPED.";
    DescribeMissingArn = "describe.missing-arn", Fail, Contract,
        "docs/contract.md, Operations",
        "A MISSING failure for a task the request named by id gives the task's full ARN in failures[].arn. Fail: Failure.arn is documented as the ARN of the failed resource.";
    RunGroupDefault = "run.group-default", Fail, Contract,
        "docs/contract.md, Operations",
        "A task RunTask started without a group has group family:<family of its task definition>, as documented for RunTask's group. Fail.";
    RunEcho = "run.echo", Fail, Contract,
        "docs/contract.md, Operations",
        "The tasks RunTask returns echo the group, startedBy, platformVersion (unless LATEST, which AWS resolves) and enableExecuteCommand the request sent (an absent boolean reads as false). Fail.";
    ListMaxResults = "list.max-results", Fail, Contract,
        "docs/contract.md, Pagination",
        "A ListTasks page holds at most maxResults ARNs (100 when not given).";
    ListNoRepeat = "list.no-repeat", Fail, Contract,
        "docs/contract.md, Pagination",
        "A paginated ListTasks walk never returns the same task ARN twice.";

    // What a case states (`judge`).
    ExpectSuccess = "expect.success", Fail, Expectation,
        "cases/**/*.yaml: a step without `error`/`status`",
        "The call succeeds (HTTP 2xx) unless the case expects an error or a status.";
    ExpectStatus = "expect.status", Fail, Expectation,
        "cases/**/*.yaml: `expect.status`",
        "The HTTP status is one the case lists.";
    ExpectError = "expect.error", Fail, Expectation,
        "cases/**/*.yaml: `expect.error`",
        "The call fails with one of the listed error types (compared after normalisation).";
    ExpectBody = "expect.body", Fail, Expectation,
        "cases/**/*.yaml: `expect.body`",
        "Each matcher holds at its JSON pointer in the response body.";
    ExpectHeaders = "expect.headers", Fail, Expectation,
        "cases/**/*.yaml: `expect.headers`",
        "Each matcher holds on the named response header.";

    // What a case asks the runner to do (`run`).
    UntilTimeout = "until.timeout", Fail, Runner,
        "cases/**/*.yaml: `until` + `within`",
        "A polled condition holds before the deadline.";
    SaveMissing = "save.missing", Fail, Runner,
        "cases/**/*.yaml: `save`",
        "The response has a value where the case saves one.";
    PaginateEndless = "paginate.endless", Fail, Runner,
        "docs/contract.md, Pagination",
        "A paginated walk reaches a page without nextToken within 1000 pages.";

    // Stored snapshots (`snapshot`).
    SnapshotMismatch = "snapshot.mismatch", Fail, Snapshot,
        "snapshots/*.snap; snapshots/normalisers.yaml (compare)",
        "The normalised response agrees with the stored snapshot on what the contract cares about: HTTP status, JSON types, enum and status values, the error type, required members, list elements that are identities and the resource each ARN names (one finding per JSON path).";
    SnapshotDrift = "snapshot.drift", Drift, Snapshot,
        "snapshots/*.snap; snapshots/normalisers.yaml (compare)",
        "Any other difference from the stored snapshot (an optional member on one side only, message text, a free-form value): drift, not a contract failure.";
    SnapshotMissing = "snapshot.missing", Fail, Snapshot,
        "snapshots/*.snap",
        "A snapshot exists for the step when snapshots may not be written (CI).";
    SnapshotProvenance = "snapshot.provenance", Warn, Snapshot,
        "snapshots/*.snap (info)",
        "A golden recorded on real AWS is not overwritten from another kind of target unless forced.";
    SnapshotName = "snapshot.name", Fail, Snapshot,
        "snapshots/*.snap",
        "The case id and step make a usable snapshot file name.";
    SnapshotUnreadable = "snapshot.unreadable", Fail, Snapshot,
        "snapshots/*.snap",
        "The stored snapshot can be read and parsed.";
    SnapshotWrite = "snapshot.write", Fail, Snapshot,
        "snapshots/*.snap",
        "A new or pending snapshot can be written.";

    // Target errors (`client`): no usable answer.
    TargetError = "target.error", Fail, Target,
        "docs/contract.md, Target errors",
        "The target gave a usable answer (not refused, timed out, cut off or not JSON); a known entry with this rule lists a case that errors.";
    WireBodyTooLarge = "wire.body-too-large", Fail, Target,
        "docs/contract.md, Target errors",
        "The response body fits the body cap (8 MiB unless raised); a larger one is a target error, read no further.";
}
