//! The task-cleanup table: lookups with a table of other operations and paths, load
//! errors, and the shipped table.

use super::*;
use crate::contract::data::parse;
use serde_json::json;

/// A data file whose table names other operations and paths than ECS's.
fn table(starts: Value, stops: Value) -> Value {
    json!({
        "wire": {"content_type": "application/x-amz-json-1.1", "tolerated_content_types": [], "request_id_header": "x-amzn-requestid"},
        "operations": {
            "LaunchJobs": {"kind": "setup", "starts_tasks": starts},
            "HaltJob": {"kind": "setup", "stops_task": stops},
            "RunTask": {"kind": "setup"}
        },
        "error_types": {},
        "task_should_fields": {"fields": []},
        "enums": {},
        "timestamps": {"fields": [], "schema": "common/Timestamp.json"}
    })
}

fn jobs_table() -> ContractData {
    parse(&table(
        json!({"tasks": "/batch/jobs/*", "task_arn": "/id", "cluster": "/pool", "request_cluster": "/in/pool"}),
        json!({"task": "/job/id", "cluster": "/job/pool", "cleanup_members": {"$comment": "skipped", "why": "cleanup"}}),
    ))
    .unwrap()
}

#[test]
fn the_table_says_which_operation_starts_tasks_and_where_they_are() {
    let data = jobs_table();
    let answer = json!({"batch": {"jobs": [
        {"id": "arn:x:job/p/1", "pool": "arn:x:pool/p"},
        {"id": "arn:x:job/q/2"},
        {"no-id": true}
    ]}});
    let request = json!({"in": {"pool": "q"}});
    assert_eq!(
        data.started_tasks("LaunchJobs", &request, &answer),
        [
            StartedTask {
                task: "arn:x:job/p/1".into(),
                cluster: Some("arn:x:pool/p".into())
            },
            StartedTask {
                task: "arn:x:job/q/2".into(),
                cluster: Some("q".into())
            },
        ]
    );
    // Not named by the table: an ECS-looking answer of RunTask starts nothing here.
    let ecs = json!({"tasks": [{"taskArn": "arn:aws:ecs:r:1:task/c/abc"}]});
    assert!(data.started_tasks("RunTask", &json!({}), &ecs).is_empty());
    assert!(data.started_tasks("HaltJob", &request, &answer).is_empty());
}

#[test]
fn the_table_says_which_operation_stops_a_task_and_with_what_request() {
    let data = jobs_table();
    let started = StartedTask {
        task: "arn:x:job/p/1".into(),
        cluster: Some("p".into()),
    };
    let (operation, request) = data.stop_call(&started).unwrap();
    assert_eq!(operation, "HaltJob");
    assert_eq!(
        request,
        json!({"job": {"id": "arn:x:job/p/1", "pool": "p"}, "why": "cleanup"})
    );
    let no_cluster = StartedTask {
        cluster: None,
        ..started.clone()
    };
    assert_eq!(
        data.stop_call(&no_cluster).unwrap().1,
        json!({"job": {"id": "arn:x:job/p/1"}, "why": "cleanup"})
    );
    // A case's own HaltJob of the task (by id) means the run need not stop it.
    let stopped = data.stopped_task("HaltJob", &request).unwrap();
    assert!(started.is(stopped));
    assert!(started.is("1"));
    assert!(!started.is("arn:x:job/p/2"));
    assert_eq!(data.stopped_task("LaunchJobs", &request), None);
}

#[test]
fn a_table_that_starts_tasks_it_cannot_stop_is_refused() {
    let mut doc = table(
        json!({"tasks": "/jobs/*", "task_arn": "/id", "cluster": "/pool"}),
        json!({"task": "/job"}),
    );
    assert!(parse(&doc).is_ok());
    doc["operations"]["HaltJob"] = json!({"kind": "setup"});
    let e = parse(&doc).unwrap_err();
    assert!(
        e.contains("LaunchJobs.starts_tasks") && e.contains("stops_task"),
        "{e}"
    );
    doc["operations"]["HaltJob"] = json!({"kind": "setup", "stops_task": {"task": "/job"}});
    doc["operations"]["RunTask"] = json!({"kind": "setup", "stops_task": {"task": "/task"}});
    let e = parse(&doc).unwrap_err();
    assert!(e.contains("HaltJob, RunTask"), "{e}");
}

#[test]
fn task_cleanup_members_must_be_pointers() {
    for (starts, stops, named) in [
        (
            json!({"tasks": "/jobs/*", "task_arn": "id", "cluster": "/pool"}),
            json!({"task": "/job"}),
            "starts_tasks.task_arn",
        ),
        (
            json!({"tasks": "/jobs/*", "cluster": "/pool"}),
            json!({"task": "/job"}),
            "lacks the member task_arn",
        ),
        (
            json!({"tasks": "/jobs/*", "task_arn": "/id", "cluster": "/pool"}),
            json!({"task": ""}),
            "stops_task.task",
        ),
        (
            json!({"tasks": "/jobs/*", "task_arn": "/id", "cluster": "/p~2"}),
            json!({"task": "/job"}),
            "starts_tasks.cluster",
        ),
        (
            json!({"tasks": "/jobs/*", "task_arn": "/id", "cluster": "/pool"}),
            json!({"task": 7}),
            "stops_task.task must be a string",
        ),
    ] {
        let e = parse(&table(starts, stops)).unwrap_err();
        assert!(e.contains(named), "{named}: {e}");
    }
}

#[test]
fn the_shipped_table_names_run_task_and_stop_task() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/operations.json"),
    )
    .unwrap();
    let data = parse(&serde_json::from_str(&text).unwrap()).unwrap();
    let answer = json!({"tasks": [{"taskArn": "arn:aws:ecs:r:1:task/c/abc", "clusterArn": "arn:aws:ecs:r:1:cluster/c"}, {"taskArn": "arn:aws:ecs:r:1:task/d/def"}]});
    let started = data.started_tasks("RunTask", &json!({"cluster": "d"}), &answer);
    assert_eq!(started.len(), 2);
    assert_eq!(started[1].cluster.as_deref(), Some("d"));
    let (operation, request) = data.stop_call(&started[0]).unwrap();
    assert_eq!(operation, "StopTask");
    assert_eq!(
        request,
        json!({"task": "arn:aws:ecs:r:1:task/c/abc", "cluster": "arn:aws:ecs:r:1:cluster/c", "reason": "ecs-conform cleanup"})
    );
    assert_eq!(
        data.stopped_task("StopTask", &json!({"task": "abc"})),
        Some("abc")
    );
    for op in ["DescribeTasks", "ListTasks", "StopTask"] {
        assert!(
            data.started_tasks(op, &json!({}), &answer).is_empty(),
            "{op}"
        );
    }
}
