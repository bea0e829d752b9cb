//! Services on the clean reference: CreateService starts its tasks the way RunTask
//! does, ListTasks `serviceName` lists exactly those (and refuses a service the
//! cluster does not have), DeleteService stops them, and a cluster with a service
//! cannot be deleted.

use crate::reference_support;

use reference_support::{server, Client};
use serde_json::{json, Value};

fn network() -> Value {
    json!({"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"]}})
}

/// CreateService of family `fg` on Fargate with `count` tasks.
async fn create(c: &Client, cluster: &str, name: &str, count: i64) -> reference_support::Resp {
    c.call(
        "CreateService",
        json!({"cluster": cluster, "serviceName": name, "taskDefinition": "fg",
               "desiredCount": count, "launchType": "FARGATE", "networkConfiguration": network()}),
    )
    .await
}

async fn list(c: &Client, body: Value) -> Vec<String> {
    serde_json::from_value(c.call("ListTasks", body).await.ok()["taskArns"].clone())
        .expect("taskArns")
}

#[tokio::test]
async fn a_service_starts_its_tasks_and_list_tasks_lists_only_them_by_name_or_arn() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("svc").await;
    let plain = c.run("svc", json!({"startedBy": "plain"})).await.remove(0);
    let service = create(&c, "svc", "api", 2).await.ok()["service"].clone();
    let arn = "arn:aws:ecs:us-east-1:123456789012:service/svc/api";
    assert_eq!(service["serviceArn"], arn);
    assert_eq!(service["serviceName"], "api");
    assert_eq!(
        service["clusterArn"],
        "arn:aws:ecs:us-east-1:123456789012:cluster/svc"
    );
    assert_eq!(service["status"], "ACTIVE");
    assert_eq!(service["desiredCount"], 2);
    assert_eq!(service["launchType"], "FARGATE");
    assert_eq!(
        service["taskDefinition"],
        "arn:aws:ecs:us-east-1:123456789012:task-definition/fg:1"
    );
    let counted =
        service["runningCount"].as_i64().unwrap() + service["pendingCount"].as_i64().unwrap();
    assert_eq!(counted, 2, "{service}");

    let by_name = list(&c, json!({"cluster": "svc", "serviceName": "api"})).await;
    assert_eq!(by_name.len(), 2, "{by_name:?}");
    assert!(!by_name.contains(&plain));
    assert_eq!(
        list(&c, json!({"cluster": "svc", "serviceName": arn})).await,
        by_name
    );
    let all = list(&c, json!({"cluster": "svc"})).await;
    assert_eq!(all.len(), 3);
    assert!(all.contains(&plain));
    // The service's tasks, as RunTask would have started them for it.
    let described = c
        .call("DescribeTasks", json!({"cluster": "svc", "tasks": by_name}))
        .await
        .ok();
    for t in described["tasks"].as_array().unwrap() {
        assert_eq!(t["group"], "service:api", "{t}");
        assert!(
            t["startedBy"].as_str().unwrap().starts_with("ecs-svc/"),
            "{t}"
        );
        assert_eq!(t["launchType"], "FARGATE");
        assert_eq!(t["attachments"][0]["type"], "ElasticNetworkInterface");
    }
    // Paging keeps the filter.
    let first = c
        .call(
            "ListTasks",
            json!({"cluster": "svc", "serviceName": "api", "maxResults": 1}),
        )
        .await
        .ok();
    let token = first["nextToken"].as_str().unwrap();
    let second = c
        .call(
            "ListTasks",
            json!({"cluster": "svc", "serviceName": "api", "maxResults": 1, "nextToken": token}),
        )
        .await
        .ok();
    assert_eq!(second["taskArns"][0], by_name[1]);
    let listed = c.call("ListServices", json!({"cluster": "svc"})).await.ok();
    assert_eq!(listed["serviceArns"], json!([arn]));
    s.shutdown().await;
}

#[tokio::test]
async fn a_service_name_is_known_only_in_its_own_cluster() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("home").await;
    c.fixtures("away").await;
    create(&c, "home", "api", 1).await.ok();
    for (cluster, name) in [
        ("away", "api"),
        ("home", "nope"),
        (
            "home",
            "arn:aws:ecs:us-east-1:123456789012:service/away/api",
        ),
    ] {
        let r = c
            .call(
                "ListTasks",
                json!({"cluster": cluster, "serviceName": name}),
            )
            .await;
        assert_eq!(r.status, 400, "{cluster} {name}: {r:?}");
        assert_eq!(r.error_type(), Some("ServiceNotFoundException"));
    }
    s.shutdown().await;
}

#[tokio::test]
async fn create_service_is_validated_like_aws_and_a_refusal_leaves_nothing() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("svc").await;
    create(&c, "svc", "api", 1).await.ok();
    #[rustfmt::skip]
    let table = [
        (json!({"cluster": "nope", "serviceName": "x", "taskDefinition": "fg"}), "ClusterNotFoundException"),
        (json!({"cluster": "svc", "serviceName": "x", "taskDefinition": "nope"}), "ClientException"),
        (json!({"cluster": "svc", "serviceName": "api", "taskDefinition": "fg", "desiredCount": 0}), "InvalidParameterException"),
        (json!({"cluster": "svc", "taskDefinition": "fg"}), "InvalidParameterException"),
        (json!({"cluster": "svc", "serviceName": "x"}), "InvalidParameterException"),
        (json!({"cluster": "svc", "serviceName": "x", "taskDefinition": "fg", "desiredCount": -1}), "InvalidParameterException"),
        (json!({"cluster": "svc", "serviceName": "x", "taskDefinition": "fg", "desiredCount": "1"}), "InvalidParameterException"),
        (json!({"cluster": "svc", "serviceName": "x", "taskDefinition": "fg", "launchType": "MOON"}), "InvalidParameterException"),
        // awsvpc without a network configuration: RunTask's own refusal.
        (json!({"cluster": "svc", "serviceName": "x", "taskDefinition": "fg", "desiredCount": 1, "launchType": "FARGATE"}), "InvalidParameterException"),
    ];
    for (body, want) in table {
        let r = c.call("CreateService", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {r:?}");
        assert_eq!(r.error_type(), Some(want), "{body}: {r:?}");
    }
    let r = create(&c, "svc", "api", 1).await;
    assert_eq!(r.body["message"], "Creation of service was not idempotent.");
    // The refused `x` was not remembered and started nothing.
    let r = c
        .call("ListTasks", json!({"cluster": "svc", "serviceName": "x"}))
        .await;
    assert_eq!(r.error_type(), Some("ServiceNotFoundException"));
    assert_eq!(list(&c, json!({"cluster": "svc"})).await.len(), 1);
    s.shutdown().await;
}

#[tokio::test]
async fn delete_service_needs_force_stops_its_tasks_and_frees_the_cluster() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("svc").await;
    let plain = c.run("svc", json!({})).await.remove(0);
    create(&c, "svc", "api", 1).await.ok();
    let task = list(&c, json!({"cluster": "svc", "serviceName": "api"}))
        .await
        .remove(0);

    let r = c
        .call(
            "DeleteService",
            json!({"cluster": "svc", "service": "nope", "force": true}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_type()),
        (400, Some("ServiceNotFoundException"))
    );
    let r = c
        .call("DeleteService", json!({"cluster": "svc", "service": "api"}))
        .await;
    assert_eq!(
        (r.status, r.error_type()),
        (400, Some("InvalidParameterException"))
    );
    let r = c.call("DeleteCluster", json!({"cluster": "svc"})).await;
    assert_eq!(
        (r.status, r.error_type()),
        (400, Some("ClusterContainsServicesException")),
        "{r:?}"
    );

    let deleted = c
        .call("DeleteService", json!({"cluster": "svc", "service": "arn:aws:ecs:us-east-1:123456789012:service/svc/api", "force": true}))
        .await
        .ok();
    assert_eq!(deleted["service"]["status"], "DRAINING");
    assert_eq!(deleted["service"]["serviceName"], "api");
    let (_, stopped) = c.wait_for("svc", &task, "STOPPED").await;
    assert_eq!(
        stopped["stopCode"], "ServiceSchedulerInitiated",
        "{stopped}"
    );
    assert_eq!(
        c.describe("svc", &plain).await["tasks"][0]["desiredStatus"],
        "RUNNING"
    );
    let r = c
        .call("ListTasks", json!({"cluster": "svc", "serviceName": "api"}))
        .await;
    assert_eq!(r.error_type(), Some("ServiceNotFoundException"));
    let r = c
        .call(
            "DeleteService",
            json!({"cluster": "svc", "service": "api", "force": true}),
        )
        .await;
    assert_eq!(r.error_type(), Some("ServiceNotFoundException"));
    // The name is free again; a service scaled to 0 goes without force.
    create(&c, "svc", "api", 0).await.ok();
    c.call("DeleteService", json!({"cluster": "svc", "service": "api"}))
        .await
        .ok();
    c.call("DeleteCluster", json!({"cluster": "svc"}))
        .await
        .ok();
    s.shutdown().await;
}
