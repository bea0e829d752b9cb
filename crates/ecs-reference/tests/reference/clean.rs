//! The clean reference target follows the contract: lifecycle, shapes, paging, tags,
//! failures, count, regions, concurrency. Errors are in `reference_errors.rs`.

use crate::reference_support;

use std::collections::HashSet;
use std::time::Duration;

use reference_support::{server, server_paced, state_index, Client};
use serde_json::{json, Value};

fn is_task_arn(s: &str, region: &str, cluster: &str) -> bool {
    let re = regex::Regex::new(&format!(
        r"^arn:aws:ecs:{region}:123456789012:task/{cluster}/[0-9a-f]{{32}}$"
    ))
    .unwrap();
    re.is_match(s)
}

const TIMESTAMPS: [&str; 8] = [
    "createdAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "connectivityAt",
    "stoppingAt",
    "executionStoppedAt",
    "stoppedAt",
];

#[tokio::test]
async fn lifecycle_reaches_running_then_stopped_in_order_with_fixed_timestamps() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("life").await;
    let arn = c.run("life", json!({})).await.remove(0);

    let mut statuses = vec![];
    let mut versions = vec![];
    let mut first_seen: serde_json::Map<String, Value> = Default::default();
    let mut observe = |t: &Value| {
        statuses.push(t["lastStatus"].as_str().unwrap().to_string());
        versions.push(t["version"].as_i64().expect("version is an integer"));
        for key in TIMESTAMPS {
            if let Some(v) = t.get(key) {
                assert!(v.is_number(), "{key} must be a number: {v}");
                let old = first_seen.entry(key).or_insert_with(|| v.clone());
                assert_eq!(old, v, "{key} changed");
            }
        }
    };
    let (seen, running) = c.wait_for("life", &arn, "RUNNING").await;
    observe(&running);
    assert!(running["startedAt"].is_number());
    assert_eq!(running["containers"][0]["lastStatus"], "RUNNING");
    assert_eq!(running["desiredStatus"], "RUNNING");

    let stopped = c
        .call(
            "StopTask",
            json!({"cluster": "life", "task": arn, "reason": "maintenance"}),
        )
        .await
        .ok();
    let t = &stopped["task"];
    observe(t);
    assert_eq!(t["desiredStatus"], "STOPPED");
    assert_eq!(t["stopCode"], "UserInitiated");
    assert_eq!(t["stoppedReason"], "maintenance");
    assert!(t["stoppingAt"].is_number());

    let (seen2, t) = c.wait_for("life", &arn, "STOPPED").await;
    observe(&t);
    assert!(t["stoppedAt"].is_number() && t["executionStoppedAt"].is_number());
    assert_eq!(t["stopCode"], "UserInitiated");
    assert_eq!(t["containers"][0]["lastStatus"], "STOPPED");
    assert_eq!(t["containers"][0]["exitCode"], 0);
    let all: Vec<&String> = seen.iter().chain(seen2.iter()).collect();
    let idx: Vec<usize> = all.iter().map(|s| state_index(s)).collect();
    assert!(
        idx.windows(2).all(|w| w[0] <= w[1]),
        "went backwards: {all:?}"
    );
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(t["stoppedAt"].as_f64() >= t["startedAt"].as_f64());
    s.shutdown().await;
}

#[tokio::test]
async fn run_task_answers_a_complete_task() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("shape").await;
    let r = c
        .call(
            "RunTask",
            json!({"cluster": "shape", "taskDefinition": "web:1", "startedBy": "me",
                   "tags": [{"key": "k", "value": "v"}]}),
        )
        .await;
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert!(r.header("x-amzn-requestid").is_some_and(|v| v.len() == 36));
    let body = r.ok();
    assert_eq!(body["failures"], json!([]));
    let t = &body["tasks"][0];
    let arn = t["taskArn"].as_str().unwrap();
    assert!(is_task_arn(arn, "us-east-1", "shape"), "{arn}");
    assert_eq!(
        t["clusterArn"],
        "arn:aws:ecs:us-east-1:123456789012:cluster/shape"
    );
    assert_eq!(
        t["taskDefinitionArn"],
        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
    );
    assert_eq!(t["lastStatus"], "PROVISIONING");
    assert_eq!(t["desiredStatus"], "RUNNING");
    assert_eq!(t["launchType"], "EC2");
    assert!(t.get("platformVersion").is_none());
    assert_eq!(t["group"], "family:web");
    assert_eq!(t["startedBy"], "me");
    assert_eq!(t["overrides"], json!({"containerOverrides": []}));
    assert_eq!(t["tags"], json!([{"key": "k", "value": "v"}]));
    assert_eq!(t["enableExecuteCommand"], false);
    assert_eq!(t["version"], 1);
    assert!(t["createdAt"].is_number());
    let containers = t["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 2);
    let re = regex::Regex::new(
        r"^arn:aws:ecs:us-east-1:123456789012:container/shape/[0-9a-f]{32}/[0-9a-f-]{36}$",
    )
    .unwrap();
    for ct in containers {
        assert_eq!(ct["taskArn"], t["taskArn"]);
        assert!(re.is_match(ct["containerArn"].as_str().unwrap()), "{ct}");
        assert_eq!(ct["healthStatus"], "UNKNOWN");
        assert_eq!(ct["lastStatus"], "PENDING");
        assert!(ct["cpu"].is_string());
    }
    assert_eq!(containers[0]["cpu"], "128");
    assert_eq!(containers[0]["memory"], "256");
    assert_eq!(containers[1]["name"], "sidecar");
    s.shutdown().await;
}

#[tokio::test]
async fn fargate_tasks_carry_network_platform_and_exec_details() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("fg").await;
    let net =
        json!({"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}});
    let body = c
        .call(
            "RunTask",
            json!({"cluster": "fg", "taskDefinition": "fg", "launchType": "FARGATE",
                   "networkConfiguration": net, "enableExecuteCommand": true,
                   "propagateTags": "TASK_DEFINITION", "platformVersion": "LATEST"}),
        )
        .await
        .ok();
    let t = &body["tasks"][0];
    assert_eq!(t["launchType"], "FARGATE");
    assert_eq!(t["platformVersion"], "1.4.0");
    assert_eq!(t["platformFamily"], "Linux");
    assert_eq!(t["cpu"], "256");
    assert_eq!(t["memory"], "512");
    assert_eq!(t["tags"], json!([{"key": "team", "value": "core"}]));
    let att = &t["attachments"][0];
    assert_eq!(att["type"], "ElasticNetworkInterface");
    let detail = |name: &str| {
        att["details"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .map(|d| d["value"].clone())
    };
    assert_eq!(detail("subnetId"), Some(json!("subnet-1")));
    assert!(detail("networkInterfaceId")
        .unwrap()
        .as_str()
        .unwrap()
        .starts_with("eni-"));
    let ip = detail("privateIPv4Address").unwrap();
    let ct = &t["containers"][0];
    assert_eq!(ct["networkInterfaces"][0]["privateIpv4Address"], ip);
    assert_eq!(ct["networkInterfaces"][0]["attachmentId"], att["id"]);
    assert_eq!(ct["managedAgents"][0]["name"], "ExecuteCommandAgent");
    assert_eq!(t["enableExecuteCommand"], true);

    // A capacity provider strategy names the provider; launchType follows from it.
    let body = c
        .call(
            "RunTask",
            json!({"cluster": "fg", "taskDefinition": "fg", "networkConfiguration": net,
                   "platformVersion": "1.3.0",
                   "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}),
        )
        .await
        .ok();
    let t = &body["tasks"][0];
    assert_eq!(t["capacityProviderName"], "FARGATE_SPOT");
    assert_eq!(t["launchType"], "FARGATE");
    assert_eq!(t["platformVersion"], "1.3.0");

    // awsvpc needs a network configuration.
    let r = c
        .call(
            "RunTask",
            json!({"cluster": "fg", "taskDefinition": "fg", "launchType": "FARGATE"}),
        )
        .await;
    assert_eq!(r.error_type(), Some("InvalidParameterException"));
    s.shutdown().await;
}

#[tokio::test]
async fn list_tasks_pages_in_creation_order_without_repeats_and_filters() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("page").await;
    let arns = c
        .run("page", json!({"count": 7, "startedBy": "pager"}))
        .await;
    let other = c.run("page", json!({"group": "g2"})).await.remove(0);
    let mut all = arns.clone();
    all.push(other.clone());

    let mut got = vec![];
    let mut sizes = vec![];
    let mut token: Option<String> = None;
    loop {
        let mut req = json!({"cluster": "page", "maxResults": 3});
        if let Some(t) = &token {
            req["nextToken"] = json!(t);
        }
        let page = c.call("ListTasks", req).await.ok();
        let items: Vec<String> = serde_json::from_value(page["taskArns"].clone()).unwrap();
        sizes.push(items.len());
        got.extend(items);
        match page.get("nextToken") {
            Some(t) => token = Some(t.as_str().unwrap().to_string()),
            None => break,
        }
    }
    assert_eq!(sizes, vec![3, 3, 2]);
    assert_eq!(got, all, "creation order, each once");

    let list = |body: Value| {
        let c = &c;
        async move {
            let v = c.call("ListTasks", body).await.ok();
            serde_json::from_value::<Vec<String>>(v["taskArns"].clone()).unwrap()
        }
    };
    assert_eq!(
        list(json!({"cluster": "page", "startedBy": "pager"})).await,
        arns
    );
    assert_eq!(
        list(json!({"cluster": "page", "group": "g2"})).await,
        vec![other.clone()]
    );
    assert_eq!(
        list(json!({"cluster": "page", "family": "web"}))
            .await
            .len(),
        8
    );
    assert_eq!(
        list(json!({"cluster": "page", "family": "fg"})).await.len(),
        0
    );
    assert_eq!(
        list(json!({"cluster": "page", "launchType": "EC2"}))
            .await
            .len(),
        8
    );
    assert_eq!(
        list(json!({"cluster": "page", "launchType": "FARGATE"}))
            .await
            .len(),
        0
    );

    c.call("StopTask", json!({"cluster": "page", "task": other}))
        .await
        .ok();
    assert_eq!(list(json!({"cluster": "page"})).await, arns);
    assert_eq!(
        list(json!({"cluster": "page", "desiredStatus": "STOPPED"})).await,
        vec![other]
    );
    assert!(list(json!({"cluster": "page", "desiredStatus": "PENDING"}))
        .await
        .is_empty());
    // A token is bound to the filters it was issued for.
    let first = c
        .call("ListTasks", json!({"cluster": "page", "maxResults": 1}))
        .await
        .ok();
    let r = c
        .call(
            "ListTasks",
            json!({"cluster": "page", "family": "web", "nextToken": first["nextToken"]}),
        )
        .await;
    assert_eq!(r.error_type(), Some("InvalidParameterException"));
    s.shutdown().await;
}

#[tokio::test]
async fn describe_tasks_reports_missing_accepts_ids_and_tags_only_on_request() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("desc").await;
    let arn = c
        .run("desc", json!({"tags": [{"key": "a", "value": "b"}]}))
        .await
        .remove(0);
    let plain = c.run("desc", json!({})).await.remove(0);
    let id = arn.rsplit('/').next().unwrap().to_string();
    let ghost_arn = format!(
        "arn:aws:ecs:us-east-1:123456789012:task/desc/{}",
        "f".repeat(32)
    );
    let body = c
        .call(
            "DescribeTasks",
            json!({"cluster": "desc", "tasks": [id, "0000", ghost_arn]}),
        )
        .await
        .ok();
    assert_eq!(body["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(body["tasks"][0]["taskArn"], arn);
    assert!(body["tasks"][0].get("tags").is_none());
    assert_eq!(
        body["failures"],
        // A task asked for by id is named by its full ARN (describe.missing-arn).
        json!([
            {"arn": "arn:aws:ecs:us-east-1:123456789012:task/desc/0000", "reason": "MISSING"},
            {"arn": ghost_arn, "reason": "MISSING"}
        ])
    );
    let body = c
        .call(
            "DescribeTasks",
            json!({"cluster": "desc", "tasks": [arn, plain], "include": ["TAGS"]}),
        )
        .await
        .ok();
    assert_eq!(
        body["tasks"][0]["tags"],
        json!([{"key": "a", "value": "b"}])
    );
    assert_eq!(body["tasks"][1]["tags"], json!([]));
    assert_eq!(body["failures"], json!([]));
    // Another cluster does not see the task.
    c.call("CreateCluster", json!({"clusterName": "other"}))
        .await
        .ok();
    let body = c
        .call("DescribeTasks", json!({"cluster": "other", "tasks": [arn]}))
        .await
        .ok();
    assert_eq!(body["failures"][0]["reason"], "MISSING");
    s.shutdown().await;
}

#[tokio::test]
async fn stop_task_is_idempotent_and_keeps_the_first_reason() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("stop").await;
    let arn = c.run("stop", json!({})).await.remove(0);
    let id = arn.rsplit('/').next().unwrap();
    let first = c
        .call(
            "StopTask",
            json!({"cluster": "stop", "task": id, "reason": "first"}),
        )
        .await
        .ok();
    let second = c
        .call(
            "StopTask",
            json!({"cluster": "stop", "task": arn, "reason": "second"}),
        )
        .await
        .ok();
    assert_eq!(second["task"]["stoppedReason"], "first");
    assert_eq!(second["task"]["stoppingAt"], first["task"]["stoppingAt"]);
    let (_, t) = c.wait_for("stop", &arn, "STOPPED").await;
    let again = c
        .call("StopTask", json!({"cluster": "stop", "task": arn}))
        .await
        .ok();
    assert_eq!(again["task"]["lastStatus"], "STOPPED");
    assert_eq!(again["task"]["stoppedAt"], t["stoppedAt"]);
    s.shutdown().await;
}

#[tokio::test]
async fn a_task_stopped_before_it_ran_never_reports_running() {
    // A slow pace (RUNNING only after three 200 ms states), so that the StopTask surely
    // comes first even on a loaded machine.
    let s = server_paced(&[], Duration::from_millis(200)).await;
    let c = Client::new(&s);
    c.fixtures("stop").await;
    let early = c.run("stop", json!({})).await.remove(0);
    c.call("StopTask", json!({"cluster": "stop", "task": early}))
        .await
        .ok();
    let (seen, t) = c.wait_for("stop", &early, "STOPPED").await;
    assert!(!seen.iter().any(|s| s == "RUNNING"), "{seen:?}");
    assert!(t.get("startedAt").is_none(), "{t}");
    s.shutdown().await;
}

#[tokio::test]
async fn list_tasks_lists_only_the_named_clusters_tasks() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("one").await;
    c.fixtures("two").await;
    let one = c.run("one", json!({"count": 2})).await;
    let two = c.run("two", json!({})).await;
    for (cluster, want) in [("one", &one), ("two", &two)] {
        let listed = c.call("ListTasks", json!({"cluster": cluster})).await.ok();
        assert_eq!(&listed["taskArns"], &json!(want), "{cluster}");
    }
    s.shutdown().await;
}

#[tokio::test]
async fn count_starts_that_many_tasks() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("count").await;
    let arns = c.run("count", json!({"count": 10})).await;
    assert_eq!(arns.len(), 10);
    assert_eq!(arns.iter().collect::<HashSet<_>>().len(), 10);
    s.shutdown().await;
}

#[tokio::test]
async fn default_cluster_setup_operations_and_regions() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    // No cluster exists at start, not even "default".
    let r = c.call("RunTask", json!({"taskDefinition": "web"})).await;
    assert_eq!(r.error_type(), Some("ClusterNotFoundException"));
    let a = c.call("CreateCluster", json!({})).await.ok();
    let b = c
        .call("CreateCluster", json!({"clusterName": "default"}))
        .await
        .ok();
    assert_eq!(a["cluster"]["clusterArn"], b["cluster"]["clusterArn"]);
    assert_eq!(a["cluster"]["status"], "ACTIVE");
    c.fixtures("default").await;
    let reg = c
        .call(
            "RegisterTaskDefinition",
            json!({"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx:2"}]}),
        )
        .await
        .ok();
    assert_eq!(reg["taskDefinition"]["revision"], 2);
    assert_eq!(reg["taskDefinition"]["status"], "ACTIVE");
    let t = c
        .call("RunTask", json!({"taskDefinition": "web"}))
        .await
        .ok();
    assert!(t["tasks"][0]["taskDefinitionArn"]
        .as_str()
        .unwrap()
        .ends_with("web:2"));
    assert!(is_task_arn(
        t["tasks"][0]["taskArn"].as_str().unwrap(),
        "us-east-1",
        "default"
    ));
    let d = c
        .call(
            "DeregisterTaskDefinition",
            json!({"taskDefinition": "web:2"}),
        )
        .await
        .ok();
    assert_eq!(d["taskDefinition"]["status"], "INACTIVE");
    let t = c
        .call("RunTask", json!({"taskDefinition": "web"}))
        .await
        .ok();
    assert!(t["tasks"][0]["taskDefinitionArn"]
        .as_str()
        .unwrap()
        .ends_with("web:1"));
    let r = c.call("RunTask", json!({"taskDefinition": "web:2"})).await;
    assert_eq!(r.error_type(), Some("ClientException"));
    let td_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
    c.call("RunTask", json!({"taskDefinition": td_arn}))
        .await
        .ok();

    // Regions are separate, and ARNs name the region of the credential scope.
    let eu = Client::with_region(&s, "eu-west-1");
    let r = eu.call("ListTasks", json!({})).await;
    assert_eq!(r.error_type(), Some("ClusterNotFoundException"));
    eu.fixtures("default").await;
    let t = eu
        .call("RunTask", json!({"taskDefinition": "web"}))
        .await
        .ok();
    assert!(is_task_arn(
        t["tasks"][0]["taskArn"].as_str().unwrap(),
        "eu-west-1",
        "default"
    ));

    let del = c
        .call("DeleteCluster", json!({"cluster": "default"}))
        .await
        .ok();
    assert_eq!(del["cluster"]["status"], "INACTIVE");
    let r = c.call("ListTasks", json!({})).await;
    assert_eq!(r.error_type(), Some("ClusterNotFoundException"));
    s.shutdown().await;
}

#[tokio::test]
async fn many_concurrent_callers_share_one_server() {
    let s = server(&[]).await;
    let c = std::sync::Arc::new(Client::new(&s));
    c.fixtures("conc").await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..24 {
        let c = c.clone();
        set.spawn(async move {
            let arn = c
                .run("conc", json!({"startedBy": format!("w{i}")}))
                .await
                .remove(0);
            c.wait_for("conc", &arn, "RUNNING").await;
            arn
        });
    }
    let mut arns = HashSet::new();
    while let Some(r) = set.join_next().await {
        arns.insert(r.unwrap());
    }
    assert_eq!(arns.len(), 24);
    let listed = c.call("ListTasks", json!({"cluster": "conc"})).await.ok();
    assert_eq!(listed["taskArns"].as_array().unwrap().len(), 24);
    s.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_serving_and_binding_a_taken_port_fails() {
    let s = server(&[]).await;
    let addr = s.addr();
    assert!(addr.ip().is_loopback());
    assert_eq!(s.endpoint(), format!("http://127.0.0.1:{}", addr.port()));
    let taken = ecs_reference::start(ecs_reference::ReferenceOptions {
        port: addr.port(),
        ..Default::default()
    })
    .await;
    let err = taken.expect_err("the port is taken");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    let c = Client::new(&s);
    c.call("ListTasks", json!({})).await;
    s.shutdown().await;
    let gone = reqwest::Client::new()
        .post(format!("http://{addr}/"))
        .send()
        .await;
    assert!(gone.is_err(), "still serving after shutdown");
}
