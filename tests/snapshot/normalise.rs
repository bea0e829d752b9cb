//! Normalisation with the suite's own `snapshots/normalisers.yaml`: placeholders keep
//! identity within a case, only named values are touched, key order does not matter.

use ecs_conform::snapshot::{diff_values, normalise, normalise_exchange, Identities, Normalisers};
use ecs_conform::Exchange;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn rules() -> Normalisers {
    let path = Normalisers::default_path(Path::new(env!("CARGO_MANIFEST_DIR")));
    Normalisers::load(&path).expect("snapshots/normalisers.yaml loads")
}

const ACCOUNT: &str = "123456789012";

fn task_arn(cluster: &str, id: &str) -> String {
    format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task/{cluster}/{id}")
}

/// A DescribeTasks-like task with the volatile fields real endpoints send.
fn task(cluster: &str, id: &str, eni: &str, started_at: Value) -> Value {
    json!({
        "taskArn": task_arn(cluster, id),
        "clusterArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{cluster}"),
        "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/ecs-conform-r1:3"),
        "group": "family:ecs-conform-r1",
        "lastStatus": "RUNNING",
        "version": 3,
        "createdAt": 1700000000.123,
        "startedAt": started_at,
        "availabilityZone": "us-east-1b",
        "attachments": [{
            "id": "44301234-5678-4abc-9def-012345678443",
            "type": "ElasticNetworkInterface",
            "details": [
                {"name": "subnetId", "value": "subnet-12345678"},
                {"name": "networkInterfaceId", "value": eni},
                {"name": "privateIPv4Address", "value": "10.0.0.443"},
            ],
        }],
        "containers": [{
            "containerArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:container/{cluster}/{id}/0b1e2c3d-1111-2222-3333-444455556666"),
            "taskArn": task_arn(cluster, id),
            "name": "app",
            "runtimeId": format!("{id}-2531612879"),
            "networkBindings": [{"containerPort": 443, "hostPort": 443, "protocol": "tcp"}],
        }],
    })
}

#[test]
fn two_tasks_get_two_placeholders_and_one_task_keeps_its_placeholder_everywhere() {
    let a = "0123456789abcdef0123456789abcdef";
    let b = "fedcba9876543210fedcba9876543210";
    let body = json!({
        "tasks": [task("ecs-conform-r1", a, "eni-aaa", json!(1700000001.5)), task("ecs-conform-r1", b, "eni-bbb", json!(1700000002.5))],
        "failures": [{"arn": task_arn("ecs-conform-r1", a), "reason": "MISSING"}],
    });
    let n = normalise(&body, &rules(), &mut Identities::new());
    let t = |i: usize, p: &str| n.pointer(&format!("/tasks/{i}{p}")).cloned().unwrap();

    assert_eq!(
        t(0, "/taskArn"),
        json!("arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:1>")
    );
    assert_eq!(
        t(1, "/taskArn"),
        json!("arn:<partition>:ecs:<region>:<account>:task/<cluster:1>/<task:2>")
    );
    // the same task seen in its container, its runtime id and in failures
    assert_eq!(t(0, "/containers/0/taskArn"), t(0, "/taskArn"));
    assert_eq!(
        t(0, "/containers/0/runtimeId"),
        json!("<task:1>-<runtime:1>")
    );
    // both runtime ids end in the same number: same value, same placeholder
    assert_eq!(
        t(1, "/containers/0/runtimeId"),
        json!("<task:2>-<runtime:1>")
    );
    assert_eq!(n.pointer("/failures/0/arn").unwrap(), &t(0, "/taskArn"));
    assert_eq!(
        t(0, "/containers/0/containerArn"),
        json!(
            "arn:<partition>:ecs:<region>:<account>:container/<cluster:1>/<task:1>/<container:1>"
        )
    );
    assert_eq!(
        t(0, "/clusterArn"),
        json!("arn:<partition>:ecs:<region>:<account>:cluster/<cluster:1>")
    );
    assert_eq!(
        t(0, "/taskDefinitionArn"),
        json!("arn:<partition>:ecs:<region>:<account>:task-definition/<family:1>:<revision:1>")
    );
    assert_eq!(t(0, "/group"), json!("family:<family:1>"));
    assert_eq!(t(0, "/attachments/0/details/1/value"), json!("<eni:1>"));
    assert_eq!(t(1, "/attachments/0/details/1/value"), json!("<eni:2>"));
    assert_eq!(t(0, "/attachments/0/details/0/value"), json!("<subnet:1>"));
    // kept: not volatile (RUNNING is a state a task stays in)
    assert_eq!(t(0, "/lastStatus"), json!("RUNNING"));
    // the number of state changes is the target's: only the type stays
    assert_eq!(t(0, "/version"), json!("<version:number>"));
    assert_eq!(
        t(0, "/attachments/0/type"),
        json!("ElasticNetworkInterface")
    );
}

#[test]
fn a_port_inside_a_uuid_and_a_number_equal_to_an_id_are_left_alone() {
    let id = "0123456789abcdef0123456789abcdef";
    let body =
        json!({"tasks": [task("c", id, "eni-1", json!(1.0))], "nextToken": "200", "count": 200});
    let exchange = Exchange::from_parts("DescribeTasks", json!({}), 200, &[], &body.to_string());
    let n = normalise_exchange(&exchange, &rules(), &mut Identities::new());

    // the attachment id (with 443 inside it) is replaced whole; the ports stay 443
    assert_eq!(
        n.pointer("/body/tasks/0/attachments/0/id").unwrap(),
        "<attachment:1>"
    );
    let binding = n
        .pointer("/body/tasks/0/containers/0/networkBindings/0")
        .unwrap();
    assert_eq!(
        binding,
        &json!({"containerPort": 443, "hostPort": 443, "protocol": "tcp"})
    );
    assert_eq!(
        n.pointer("/body/tasks/0/attachments/0/details/2/value")
            .unwrap(),
        "<ip:1>"
    );
    // an id equal to "200" is replaced; the status 200 and a count of 200 are not
    assert_eq!(n.pointer("/body/nextToken").unwrap(), "<token:1>");
    assert_eq!(n.pointer("/status").unwrap(), 200);
    assert_eq!(n.pointer("/body/count").unwrap(), 200);
    let text = serde_json::to_string(&n).unwrap();
    assert!(!text.contains(id), "the task id leaked: {text}");
    assert!(text.contains("\"containerPort\":443"), "{text}");
}

#[test]
fn reordered_keys_give_the_same_snapshot_and_the_same_numbering() {
    let forward = r#"{"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:1:task/c/aaa", "containers": [{"taskArn": "arn:aws:ecs:us-east-1:1:task/c/bbb"}]}], "extra": {"x": 1, "y": 2}}"#;
    let backward = r#"{"extra": {"y": 2, "x": 1}, "tasks": [{"containers": [{"taskArn": "arn:aws:ecs:us-east-1:1:task/c/bbb"}], "taskArn": "arn:aws:ecs:us-east-1:1:task/c/aaa"}]}"#;
    let a = normalise(
        &serde_json::from_str(forward).unwrap(),
        &rules(),
        &mut Identities::new(),
    );
    let b = normalise(
        &serde_json::from_str(backward).unwrap(),
        &rules(),
        &mut Identities::new(),
    );
    assert_eq!(
        serde_json::to_string_pretty(&a).unwrap(),
        serde_json::to_string_pretty(&b).unwrap()
    );
    assert!(diff_values(&a, &b).is_empty());
}

#[test]
fn a_timestamp_sent_as_a_string_differs_from_one_sent_as_a_number() {
    let aws = normalise(
        &json!({"task": {"stoppedAt": 1700000000.5}}),
        &rules(),
        &mut Identities::new(),
    );
    let other = normalise(
        &json!({"task": {"stoppedAt": "2023-11-14T22:13:20.5Z"}}),
        &rules(),
        &mut Identities::new(),
    );
    assert_eq!(aws, json!({"task": {"stoppedAt": "<timestamp:number>"}}));
    assert_eq!(
        diff_values(&aws, &other),
        vec!["/task/stoppedAt: \"<timestamp:number>\" → \"<timestamp:string>\""]
    );
}

#[test]
fn two_targets_differ_only_where_their_behaviour_differs() {
    // same step on two targets: different ids, accounts and times, one real difference
    let a =
        json!({"tasks": [task("c-a", "11111111111111111111111111111111", "eni-a", json!(5.0))]});
    let mut b =
        json!({"tasks": [task("c-b", "22222222222222222222222222222222", "eni-b", json!(9.0))]});
    b["tasks"][0]["lastStatus"] = json!("STOPPED");
    b["tasks"][0]
        .as_object_mut()
        .unwrap()
        .remove("availabilityZone");
    b["tasks"][0]["enableExecuteCommand"] = json!(false);
    let na = normalise(&a, &rules(), &mut Identities::new());
    let nb = normalise(&b, &rules(), &mut Identities::new());
    assert_eq!(
        diff_values(&na, &nb),
        vec![
            "/tasks/0/availabilityZone: only in A (\"<az:1>\")",
            "/tasks/0/enableExecuteCommand: only in B (false)",
            "/tasks/0/lastStatus: \"RUNNING\" → \"STOPPED\"",
        ]
    );
}

#[test]
fn a_broken_normalisers_file_is_reported_with_path_line_and_column() {
    let dir = std::env::temp_dir().join(format!("ecs-conform-normalisers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join("normalisers.yaml");
    std::fs::write(
        &path,
        "version: 1\nrules:\n  - kind: id\n    label: Task\n    keys: [x]\n",
    )
    .unwrap();
    let err = Normalisers::load(&path).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}:4:12: label `Task` must be lower-case letters, digits, `-` or `_`",
            path.display()
        )
    );
    let missing = Normalisers::load(&dir.join("none.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("none.yaml: reading the normalisers file failed"),
        "{missing}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_statuses_and_absent_forms_are_normalised_as_a_client_reads_them() {
    let ex = |status: u16, headers: &[(&str, &str)], body: &str| {
        Exchange::from_parts("RunTask", json!({}), status, headers, body)
    };
    let doc = |e: &Exchange| normalise_exchange(e, &rules(), &mut Identities::new());
    let plain =
        json!({"status": 400, "body": {"__type": "ClusterNotFoundException", "message": "m"}});
    for e in [
        ex(
            400,
            &[],
            r#"{"__type": "com.amazonaws.ecs#ClusterNotFoundException", "Message": "m"}"#,
        ),
        ex(
            400,
            &[],
            r#"{"code": "ClusterNotFoundException:http://x/", "message": "m"}"#,
        ),
        ex(
            400,
            &[("X-Amzn-ErrorType", "ClusterNotFoundException")],
            r#"{"Message": "m", "message": "m"}"#,
        ),
    ] {
        assert_eq!(doc(&e), plain, "{}", e.response.body_text);
    }
    // the type only in the header, and no body at all
    assert_eq!(
        doc(&ex(
            400,
            &[("x-amzn-errortype", "ClusterNotFoundException")],
            ""
        )),
        json!({"status": 400, "body": {"__type": "ClusterNotFoundException"}})
    );
    // a success keeps its members as they are; transitional states become their set
    let body = json!({"tasks": [{
        "lastStatus": "ACTIVATING", "desiredStatus": "RUNNING", "tags": [], "startedBy": null,
        "attachments": [{"status": "DETACHED"}],
        "containers": [{"lastStatus": "PENDING"}, {"lastStatus": "RUNNIN"}],
        "version": 7,
    }], "failures": []});
    assert_eq!(
        doc(&ex(200, &[], &body.to_string())),
        json!({"status": 200, "body": {"tasks": [{
            "attachments": [{"status": "<attachment-status:detaching>"}],
            "containers": [{"lastStatus": "<status:starting>"}, {"lastStatus": "RUNNIN"}],
            "desiredStatus": "RUNNING",
            "lastStatus": "<status:starting>",
            "version": "<version:number>",
        }]}})
    );
}
