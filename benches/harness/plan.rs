//! The request plan of the `throughput` and `split` sections: what [`prepare`] sets up
//! on a fresh reference server (one cluster, one task definition and four tasks, as
//! `benches/data/throughput.yaml` says) and the N requests of [`plan`] (RunTask,
//! DescribeTasks of two known tasks, ListTasks of a page of 10, in turn), each with its
//! body, its bytes, its headers as `Target::call` sends them (signed once, here, so
//! that the bare loop sends byte-identical requests without paying for signing) and the
//! expectations `judge_step` checks.

use super::data_dir;
use ecs_conform::client::{Signer, Target, TARGET_PREFIX};
use ecs_conform::suite::matcher::parse_conditions;
use ecs_conform::suite::Expect;
use serde_json::{json, Value};

/// One request of the throughput plan, with everything each mode needs ready.
pub(crate) struct Planned {
    pub(crate) op: &'static str,
    pub(crate) body: Value,
    pub(crate) bytes: Vec<u8>,
    /// Every header `Target::call` sends: content type and target first, then SigV4
    /// (date and authorization), signed when the plan is made.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) expect: Expect,
}

fn expect(body: Value) -> Expect {
    let Value::Object(map) = body else {
        unreachable!()
    };
    Expect {
        body: parse_conditions(&map).expect("bench conditions parse"),
        ..Expect::default()
    }
}

/// What [`prepare`] set up on a reference server.
pub(crate) struct Prepared {
    cluster: String,
    taskdef: String,
    tasks: Vec<String>,
    /// The `networkConfiguration` of every RunTask.
    network: Value,
}

/// Creates a cluster, a task definition and some tasks as `benches/data/throughput.yaml`
/// says.
pub(crate) async fn prepare(target: &Target) -> Prepared {
    let path = data_dir().join("throughput.yaml");
    let text = std::fs::read_to_string(&path).expect("read benches/data/throughput.yaml");
    let data: Value = serde_saphyr::from_str(&text).expect("parse benches/data/throughput.yaml");
    let call = |op: &'static str, body: Value| async move {
        let ex = target.call(op, body).await.expect("setup call");
        let ok = ex.response.is_success();
        assert!(ok, "setup {op} failed: {}", ex.response.body_text);
        ex.response.body.expect("JSON body")
    };
    let text_at = |v: &Value, pointer: &str| {
        v.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    };
    let c = call("CreateCluster", data["cluster"].clone()).await;
    let cluster = text_at(&c, "/cluster/clusterName");
    let td = call("RegisterTaskDefinition", data["task_definition"].clone()).await;
    let taskdef = text_at(&td, "/taskDefinition/taskDefinitionArn");
    let network = data["network"].clone();
    let run = call(
        "RunTask",
        json!({"cluster": cluster, "taskDefinition": taskdef, "launchType": "FARGATE",
               "count": data["count"], "networkConfiguration": network}),
    )
    .await;
    let tasks = run["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| text_at(t, "/taskArn"))
        .collect();
    Prepared {
        cluster,
        taskdef,
        tasks,
        network,
    }
}

/// The N requests: RunTask, DescribeTasks (two known tasks), ListTasks (a page of 10), …,
/// each signed for `target` as `Target::call` signs it.
pub(crate) fn plan(n: usize, setup: &Prepared, target: &Target) -> Vec<Planned> {
    let config = target.config();
    let signer = Signer::new(config.credentials.clone(), config.region.clone());
    let url = target.url("RunTask");
    let Prepared {
        cluster,
        taskdef,
        tasks,
        network,
    } = setup;
    (0..n)
        .map(|i| {
            let (op, body, exp) = match i % 3 {
                0 => (
                    "RunTask",
                    json!({"cluster": cluster, "taskDefinition": taskdef,
                           "launchType": "FARGATE", "startedBy": format!("bench-{i}"),
                           "networkConfiguration": network}),
                    json!({"/tasks": {"length": 1}, "/failures": {"length": 0},
                           "/tasks/0/launchType": "FARGATE",
                           "/tasks/0/startedBy": format!("bench-{i}")}),
                ),
                1 => {
                    let a = &tasks[i % tasks.len()];
                    let b = &tasks[(i + 1) % tasks.len()];
                    (
                        "DescribeTasks",
                        json!({"cluster": cluster, "tasks": [a, b]}),
                        json!({"/tasks": {"length": 2}, "/failures": {"length": 0},
                               "/tasks/0/taskArn": a}),
                    )
                }
                _ => (
                    "ListTasks",
                    json!({"cluster": cluster, "maxResults": 10}),
                    json!({"/taskArns": {"min_length": 1, "max_length": 10}}),
                ),
            };
            let bytes = serde_json::to_vec(&body).unwrap();
            let mut headers = vec![
                (
                    "content-type".to_owned(),
                    "application/x-amz-json-1.1".to_owned(),
                ),
                ("x-amz-target".to_owned(), format!("{TARGET_PREFIX}.{op}")),
            ];
            let signed = signer.sign(&url, &headers, &bytes).expect("sign");
            headers.extend(signed);
            Planned {
                op,
                bytes,
                body,
                headers,
                expect: expect(exp),
            }
        })
        .collect()
}
