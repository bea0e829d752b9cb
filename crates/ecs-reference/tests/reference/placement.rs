//! The clean reference's simulated EC2 capacity and Fargate platform versions: EC2 tasks
//! land on the cluster's one container instance, placement constraints and strategies
//! are checked against it, ListTasks filters by it, and unknown Fargate platform
//! versions are PlatformUnknownException.

use crate::reference_support;

use reference_support::{server, Client};
use serde_json::{json, Value};

fn net() -> Value {
    json!({"awsvpcConfiguration": {"subnets": ["subnet-1"]}})
}

fn instance_re(region: &str, cluster: &str) -> regex::Regex {
    regex::Regex::new(&format!(
        r"^arn:aws:ecs:{region}:123456789012:container-instance/{cluster}/[0-9a-f]{{32}}$"
    ))
    .unwrap()
}

/// RunTask with `extra` merged into `{cluster, taskDefinition: web}`.
async fn run_task(c: &Client, cluster: &str, extra: Value) -> reference_support::Resp {
    let mut body = json!({"cluster": cluster, "taskDefinition": "web"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    c.call("RunTask", body).await
}

fn instance_of(body: &Value) -> String {
    body["tasks"][0]["containerInstanceArn"]
        .as_str()
        .unwrap_or_else(|| panic!("no containerInstanceArn in {body}"))
        .to_string()
}

fn arns(list: &Value) -> Vec<String> {
    list["taskArns"]
        .as_array()
        .expect("taskArns")
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn unknown_fargate_platform_versions_are_platform_unknown() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("pv").await;
    let fargate = |pv: &str| {
        json!({"cluster": "pv", "taskDefinition": "fg", "launchType": "FARGATE",
               "networkConfiguration": net(), "platformVersion": pv})
    };
    for pv in ["9.9.9", "1.5.0", "latest", "", "1.4"] {
        let r = c.call("RunTask", fargate(pv)).await;
        assert_eq!(r.status, 400, "{pv}: {r:?}");
        assert_eq!(r.error_type(), Some("PlatformUnknownException"), "{pv}");
        assert_eq!(
            r.header("x-amzn-errortype"),
            Some("PlatformUnknownException")
        );
        assert_eq!(
            r.body["message"],
            "The specified platform version does not exist."
        );
    }
    // Through a Fargate capacity provider too.
    let r = c
        .call(
            "RunTask",
            json!({"cluster": "pv", "taskDefinition": "fg", "networkConfiguration": net(),
                   "platformVersion": "2.0.0",
                   "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}),
        )
        .await;
    assert_eq!(r.error_type(), Some("PlatformUnknownException"));
    // The known versions run; LATEST runs on 1.4.0.
    for (pv, runs_on) in [("LATEST", "1.4.0"), ("1.4.0", "1.4.0"), ("1.3.0", "1.3.0")] {
        let body = c.call("RunTask", fargate(pv)).await.ok();
        assert_eq!(body["tasks"][0]["platformVersion"], runs_on, "{pv}");
    }
    // On EC2 any platform version stays an InvalidParameterException.
    for pv in ["1.4.0", "9.9.9"] {
        let r = run_task(&c, "pv", json!({"platformVersion": pv})).await;
        assert_eq!(r.error_type(), Some("InvalidParameterException"), "{pv}");
        let r = run_task(
            &c,
            "pv",
            json!({"launchType": "EC2", "platformVersion": pv}),
        )
        .await;
        assert_eq!(r.error_type(), Some("InvalidParameterException"), "{pv}");
    }
    s.shutdown().await;
}

#[tokio::test]
async fn ec2_tasks_are_placed_on_the_clusters_one_stable_instance() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("cap").await;
    let created = c
        .call("CreateCluster", json!({"clusterName": "cap"}))
        .await
        .ok();
    assert_eq!(created["cluster"]["registeredContainerInstancesCount"], 1);

    // The default launch type is EC2; explicit EC2 and an EC2 capacity provider too.
    let first = run_task(&c, "cap", json!({})).await.ok();
    let instance = instance_of(&first);
    assert!(
        instance_re("us-east-1", "cap").is_match(&instance),
        "{instance}"
    );
    for extra in [
        json!({"launchType": "EC2", "count": 2}),
        json!({"capacityProviderStrategy": [{"capacityProvider": "my-asg"}]}),
    ] {
        let body = run_task(&c, "cap", extra).await.ok();
        for t in body["tasks"].as_array().unwrap() {
            assert_eq!(t["containerInstanceArn"], instance.as_str(), "{t}");
        }
    }
    // DescribeTasks and StopTask show it as well.
    let task = first["tasks"][0]["taskArn"].as_str().unwrap();
    let d = c.describe("cap", task).await;
    assert_eq!(d["tasks"][0]["containerInstanceArn"], instance.as_str());
    let stopped = c
        .call("StopTask", json!({"cluster": "cap", "task": task}))
        .await
        .ok();
    assert_eq!(stopped["task"]["containerInstanceArn"], instance.as_str());

    // Fargate tasks never have one.
    let fg = c
        .call(
            "RunTask",
            json!({"cluster": "cap", "taskDefinition": "fg", "launchType": "FARGATE",
                   "networkConfiguration": net()}),
        )
        .await
        .ok();
    assert!(fg["tasks"][0].get("containerInstanceArn").is_none(), "{fg}");

    // Each cluster has its own; re-creating a cluster keeps it, deleting it ends it.
    c.fixtures("other").await;
    let other = instance_of(&run_task(&c, "other", json!({})).await.ok());
    assert!(
        instance_re("us-east-1", "other").is_match(&other),
        "{other}"
    );
    c.call("CreateCluster", json!({"clusterName": "cap"}))
        .await
        .ok();
    assert_eq!(
        instance_of(&run_task(&c, "cap", json!({})).await.ok()),
        instance
    );
    c.call("DeleteCluster", json!({"cluster": "cap"}))
        .await
        .ok();
    c.fixtures("cap").await;
    let again = instance_of(&run_task(&c, "cap", json!({})).await.ok());
    assert!(instance_re("us-east-1", "cap").is_match(&again));
    assert_ne!(again, instance);

    // The ARN names the region of the request.
    let eu = Client::with_region(&s, "eu-west-1");
    eu.fixtures("cap").await;
    let body = run_task(&eu, "cap", json!({})).await.ok();
    assert!(instance_re("eu-west-1", "cap").is_match(&instance_of(&body)));
    assert_eq!(body["tasks"][0]["availabilityZone"], "eu-west-1a");
    s.shutdown().await;
}

#[tokio::test]
async fn distinct_instance_places_one_task_and_fails_the_rest() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("di").await;
    let distinct = json!([{"type": "distinctInstance"}]);
    let one = run_task(&c, "di", json!({"placementConstraints": distinct}))
        .await
        .ok();
    assert_eq!(one["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(one["failures"], json!([]));
    let instance = instance_of(&one);

    // Each RunTask call may use the instance once more.
    let r = run_task(
        &c,
        "di",
        json!({"launchType": "EC2", "count": 3, "placementConstraints": distinct}),
    )
    .await;
    assert_eq!(r.status, 200);
    let body = r.ok();
    assert_eq!(body["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(instance_of(&body), instance);
    let reason = "DistinctInstance placement constraint unsatisfied.";
    assert_eq!(
        body["failures"],
        json!([{"arn": instance, "reason": reason}, {"arn": instance, "reason": reason}])
    );
    // Without the constraint all of them go on the one instance.
    let body = run_task(&c, "di", json!({"count": 3})).await.ok();
    assert_eq!(body["tasks"].as_array().unwrap().len(), 3);
    assert_eq!(body["failures"], json!([]));
    s.shutdown().await;
}

#[tokio::test]
async fn member_of_matches_the_instance_attributes() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("mo").await;
    let member_of =
        |e: &str| json!({"placementConstraints": [{"type": "memberOf", "expression": e}]});
    for e in [
        "attribute:ecs.instance-type == t3.medium",
        "attribute:ecs.instance-type==t3.medium",
        "attribute:ecs.instance-type != t2.micro",
        "attribute:ecs.availability-zone == us-east-1a",
        "attribute:ecs.availability-zone != us-east-1b",
    ] {
        let body = run_task(&c, "mo", member_of(e)).await.ok();
        assert_eq!(body["tasks"].as_array().unwrap().len(), 1, "{e}: {body}");
        assert_eq!(body["failures"], json!([]), "{e}");
        instance_of(&body);
    }
    // Both constraints together.
    let body = run_task(
        &c,
        "mo",
        json!({"count": 2, "placementConstraints": [
            {"type": "memberOf", "expression": "attribute:ecs.instance-type == t3.medium"},
            {"type": "distinctInstance"}]}),
    )
    .await
    .ok();
    assert_eq!(body["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(body["failures"].as_array().unwrap().len(), 1);

    // Unsatisfiable: no task, a failure per requested task, still a 200.
    let cluster_arn = "arn:aws:ecs:us-east-1:123456789012:cluster/mo";
    let reason = "MemberOf placement constraint unsatisfied.";
    for e in [
        "attribute:ecs.instance-type == ecs-conform.none",
        "attribute:ecs.instance-type != t3.medium",
        "attribute:ecs.availability-zone == us-east-1b",
        "attribute:custom.colour == blue",
    ] {
        let mut extra = member_of(e);
        extra["count"] = json!(2);
        let r = run_task(&c, "mo", extra).await;
        assert_eq!(r.status, 200, "{e}: {r:?}");
        let body = r.ok();
        assert_eq!(body["tasks"], json!([]), "{e}");
        let failure = json!({"arn": cluster_arn, "reason": reason});
        assert_eq!(body["failures"], json!([failure, failure]), "{e}");
    }
    let listed = c
        .call(
            "ListTasks",
            json!({"cluster": "mo", "desiredStatus": "RUNNING"}),
        )
        .await
        .ok();
    assert_eq!(
        arns(&listed).len(),
        6,
        "no task was started for the failures"
    );

    // Expressions the reference cannot parse are InvalidParameterException.
    for e in [
        "",
        "nonsense",
        "attribute:ecs.instance-type",
        "task:group == web",
        "attribute:ecs.instance-type =~ t3.*",
        "attribute:ecs.instance-type in [t3.medium, t3.large]",
    ] {
        let r = run_task(&c, "mo", member_of(e)).await;
        assert_eq!(r.status, 400, "{e}: {r:?}");
        assert_eq!(r.error_type(), Some("InvalidParameterException"), "{e}");
    }
    s.shutdown().await;
}

#[tokio::test]
async fn placement_input_is_validated_and_strategies_place_on_the_instance() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("ps").await;
    for strategy in [
        json!([{"type": "random"}]),
        json!([{"type": "spread", "field": "attribute:ecs.availability-zone"}]),
        json!([{"type": "binpack", "field": "memory"}]),
        json!([{"type": "spread", "field": "instanceId"}, {"type": "binpack", "field": "cpu"}]),
    ] {
        let body = run_task(
            &c,
            "ps",
            json!({"launchType": "EC2", "placementStrategy": strategy}),
        )
        .await
        .ok();
        assert_eq!(body["tasks"].as_array().unwrap().len(), 1, "{strategy}");
        instance_of(&body);
    }
    for bad in [
        json!({"placementStrategy": [{"type": "pack"}]}),
        json!({"placementStrategy": [{"field": "cpu"}]}),
        json!({"placementStrategy": [{"type": "binpack", "field": 3}]}),
        json!({"placementStrategy": {"type": "random"}}),
        json!({"placementConstraints": [{"type": "sameInstance"}]}),
        json!({"placementConstraints": [{"expression": "attribute:a == b"}]}),
        json!({"placementConstraints": [{"type": "memberOf"}]}),
        json!({"placementConstraints": [{"type": "memberOf", "expression": 7}]}),
        json!({"placementConstraints": ["distinctInstance"]}),
    ] {
        let r = run_task(&c, "ps", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {r:?}");
        assert_eq!(r.error_type(), Some("InvalidParameterException"), "{bad}");
    }
    // Fargate tasks are not placed on instances: the constraints do not apply.
    let body = c
        .call(
            "RunTask",
            json!({"cluster": "ps", "taskDefinition": "fg", "launchType": "FARGATE",
                   "networkConfiguration": net(), "count": 2,
                   "placementConstraints": [{"type": "distinctInstance"}]}),
        )
        .await
        .ok();
    assert_eq!(body["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(body["failures"], json!([]));
    s.shutdown().await;
}

#[tokio::test]
async fn list_tasks_filters_by_container_instance_arn_or_id() {
    let s = server(&[]).await;
    let c = Client::new(&s);
    c.fixtures("ci").await;
    c.fixtures("ci2").await;
    let ec2 = run_task(&c, "ci", json!({"count": 3})).await.ok();
    let instance = instance_of(&ec2);
    let ec2: Vec<String> = ec2["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["taskArn"].as_str().unwrap().to_string())
        .collect();
    c.call(
        "RunTask",
        json!({"cluster": "ci", "taskDefinition": "fg", "launchType": "FARGATE",
               "networkConfiguration": net()}),
    )
    .await
    .ok();
    let other = instance_of(&run_task(&c, "ci2", json!({})).await.ok());
    let id = instance.rsplit('/').next().unwrap().to_string();

    for name in [&instance, &id] {
        let listed = c
            .call(
                "ListTasks",
                json!({"cluster": "ci", "containerInstance": name}),
            )
            .await
            .ok();
        assert_eq!(arns(&listed), ec2, "{name}");
    }
    let all = c.call("ListTasks", json!({"cluster": "ci"})).await.ok();
    assert_eq!(
        arns(&all).len(),
        4,
        "the Fargate task is listed without the filter, ci2's task is not: {all}"
    );

    // Paging keeps the filter.
    let mut seen = vec![];
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut req = json!({"cluster": "ci", "containerInstance": id, "maxResults": 1});
        if let Some(t) = &token {
            req["nextToken"] = json!(t);
        }
        let page = c.call("ListTasks", req).await.ok();
        seen.extend(arns(&page));
        token = page["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert!(token.is_none(), "paging never ended: {seen:?}");
    assert_eq!(seen, ec2);
    // A token issued without the filter is not valid with it.
    let unfiltered = c
        .call("ListTasks", json!({"cluster": "ci", "maxResults": 1}))
        .await
        .ok();
    let r = c
        .call(
            "ListTasks",
            json!({"cluster": "ci", "containerInstance": id,
                   "nextToken": unfiltered["nextToken"]}),
        )
        .await;
    assert_eq!(r.error_type(), Some("InvalidParameterException"));

    // Stopped tasks drop out under the default desiredStatus RUNNING.
    c.call("StopTask", json!({"cluster": "ci", "task": ec2[0]}))
        .await
        .ok();
    let listed = c
        .call(
            "ListTasks",
            json!({"cluster": "ci", "containerInstance": instance}),
        )
        .await
        .ok();
    assert_eq!(arns(&listed), ec2[1..].to_vec());
    let stopped = c
        .call(
            "ListTasks",
            json!({"cluster": "ci", "containerInstance": instance, "desiredStatus": "STOPPED"}),
        )
        .await
        .ok();
    assert_eq!(arns(&stopped), vec![ec2[0].clone()]);

    // Unknown instances, and another cluster's, are InvalidParameterException.
    for name in [
        other.as_str(),
        "0123456789abcdef0123456789abcdef",
        "arn:aws:ecs:us-east-1:123456789012:container-instance/ci/0123456789abcdef0123456789abcdef",
        "ci",
    ] {
        let r = c
            .call(
                "ListTasks",
                json!({"cluster": "ci", "containerInstance": name}),
            )
            .await;
        assert_eq!(r.status, 400, "{name}: {r:?}");
        assert_eq!(r.error_type(), Some("InvalidParameterException"), "{name}");
    }
    s.shutdown().await;
}
