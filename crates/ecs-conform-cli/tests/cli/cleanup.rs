//! `ecs-conform cleanup`: what a killed run left on a target (clusters, task
//! definitions, running tasks named after its run id) is found and removed, and the
//! output lists it; other runs' and foreign resources stay unless `--all-runs`.

use ecs_conform::client::{Target, TargetConfig};
use ecs_reference::{ReferenceOptions, ReferenceServer};
use serde_json::{json, Value};

use crate::cli_support;
use cli_support::{bin, text};

struct Reference {
    server: ReferenceServer,
    runtime: tokio::runtime::Runtime,
}

impl Reference {
    fn start() -> Reference {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime
            .block_on(ecs_reference::start(ReferenceOptions::default()))
            .unwrap();
        Reference { server, runtime }
    }

    fn call(&self, operation: &str, body: Value) -> Value {
        let target = Target::new(TargetConfig::new(self.server.endpoint(), "us-east-1")).unwrap();
        let ex = self.runtime.block_on(target.call(operation, body)).unwrap();
        assert!(
            ex.response.is_success(),
            "{operation}: {}",
            ex.response.body_text
        );
        ex.response.body.unwrap()
    }

    /// What a run with this id creates, made with direct calls (as if the run had
    /// been killed before its teardown): two clusters, two task definitions, a task.
    fn leave_run(&self, run_id: &str) -> String {
        for name in [
            format!("ecs-conform-{run_id}"),
            format!("ecs-conform-cp-{run_id}"),
        ] {
            self.call("CreateCluster", json!({ "clusterName": name }));
        }
        self.register(&format!("ecs-conform-{run_id}"));
        self.register(&format!("ecs-conform-ec2-{run_id}"));
        let run = self.call(
            "RunTask",
            json!({"cluster": format!("ecs-conform-{run_id}"), "taskDefinition": format!("ecs-conform-ec2-{run_id}"), "launchType": "EC2"}),
        );
        run["tasks"][0]["taskArn"].as_str().unwrap().to_owned()
    }

    fn register(&self, family: &str) {
        self.call(
            "RegisterTaskDefinition",
            json!({"family": family, "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 128}]}),
        );
    }

    fn clusters(&self) -> Vec<String> {
        let list = self.call("ListClusters", json!({}));
        list["clusterArns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().rsplit('/').next().unwrap().to_owned())
            .collect()
    }

    fn families(&self) -> Vec<String> {
        let list = self.call("ListTaskDefinitions", json!({}));
        list["taskDefinitionArns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let rest = a.as_str().unwrap().rsplit('/').next().unwrap();
                rest.split(':').next().unwrap().to_owned()
            })
            .collect()
    }

    fn cleanup(&self, scope: &[&str]) -> (Option<i32>, String) {
        let out = bin()
            .args(["cleanup", "--endpoint", &self.server.endpoint()])
            .args(scope)
            .output()
            .unwrap();
        (out.status.code(), text(&out))
    }
}

#[test]
fn cleanup_removes_what_one_run_left_and_lists_it() {
    let reference = Reference::start();
    let task = reference.leave_run("dead1");
    reference.leave_run("alive2");
    reference.call("CreateCluster", json!({"clusterName": "someone-else"}));
    reference.register("someone-else");

    let (code, out) = reference.cleanup(&["--run-id", "dead1"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(&format!("stopped task {task}")), "{out}");
    assert!(out.contains("deleted cluster ecs-conform-dead1\n"), "{out}");
    assert!(
        out.contains("deleted cluster ecs-conform-cp-dead1\n"),
        "{out}"
    );
    assert!(
        out.contains(":task-definition/ecs-conform-dead1:1"),
        "{out}"
    );
    assert!(
        out.contains(":task-definition/ecs-conform-ec2-dead1:1"),
        "{out}"
    );
    assert!(
        out.contains("stopped 1 task(s), deleted 2 cluster(s), deregistered 2 task definition(s)"),
        "{out}"
    );

    let mut clusters = reference.clusters();
    clusters.sort();
    assert_eq!(
        clusters,
        [
            "ecs-conform-alive2",
            "ecs-conform-cp-alive2",
            "someone-else"
        ]
    );
    let mut families = reference.families();
    families.sort();
    assert_eq!(
        families,
        [
            "ecs-conform-alive2",
            "ecs-conform-ec2-alive2",
            "someone-else"
        ]
    );

    // Nothing left of that run: a second cleanup removes nothing.
    let (code, out) = reference.cleanup(&["--run-id", "dead1"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("stopped 0 task(s), deleted 0 cluster(s), deregistered 0 task definition(s)"),
        "{out}"
    );
}

#[test]
fn cleanup_deletes_a_leftover_service_before_its_cluster() {
    let reference = Reference::start();
    // What the `service` and `service_cluster` fixtures leave when a run is killed.
    let cluster = "ecs-conform-svc-svc3";
    reference.call("CreateCluster", json!({ "clusterName": cluster }));
    reference.register("ecs-conform-svc3");
    let created = reference.call(
        "CreateService",
        json!({"cluster": cluster, "serviceName": cluster, "taskDefinition": "ecs-conform-svc3", "desiredCount": 1, "launchType": "EC2"}),
    );
    let service = created["service"]["serviceArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = reference.call(
        "ListTasks",
        json!({"cluster": cluster, "serviceName": cluster}),
    );
    assert_eq!(listed["taskArns"].as_array().unwrap().len(), 1, "{listed}");

    let (code, out) = reference.cleanup(&["--run-id", "svc3"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!("deleted service {service}\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("deleted cluster {cluster}\n")),
        "{out}"
    );
    assert!(
        out.contains("deleted 1 service(s), stopped 0 task(s), deleted 1 cluster(s), deregistered 1 task definition(s)"),
        "{out}"
    );
    assert!(!reference.clusters().contains(&cluster.to_owned()));
}

#[test]
fn cleanup_all_runs_removes_every_ecs_conform_resource_only() {
    let reference = Reference::start();
    reference.leave_run("one");
    reference.leave_run("two");
    reference.call("CreateCluster", json!({"clusterName": "someone-else"}));
    reference.register("someone-else");

    let (code, out) = reference.cleanup(&["--all-runs"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("stopped 2 task(s), deleted 4 cluster(s), deregistered 4 task definition(s)"),
        "{out}"
    );
    assert_eq!(reference.clusters(), ["someone-else"]);
    assert_eq!(reference.families(), ["someone-else"]);
}

#[test]
fn cleanup_needs_exactly_one_of_run_id_and_all_runs() {
    let reference = Reference::start();
    reference.leave_run("keep");
    for scope in [
        &[][..],
        &["--run-id", "keep", "--all-runs"][..],
        &["--run-id", "Not-An-Id"][..],
    ] {
        let (code, out) = reference.cleanup(scope);
        assert_eq!(code, Some(2), "{scope:?}: {out}");
    }
    assert_eq!(reference.clusters().len(), 2);
    let out = bin()
        .args(["cleanup", "--run-id", "keep"])
        .env_remove("AWS_ENDPOINT_URL_ECS")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("cleanup needs the target's endpoint"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_reference_lists_and_describes_clusters_and_task_definitions_as_aws_does() {
    let reference = Reference::start();
    for name in ["a1", "a2", "a3"] {
        reference.call("CreateCluster", json!({ "clusterName": name }));
    }
    let first = reference.call("ListClusters", json!({"maxResults": 2}));
    assert_eq!(first["clusterArns"].as_array().unwrap().len(), 2, "{first}");
    let token = first["nextToken"].as_str().unwrap();
    let second = reference.call("ListClusters", json!({"maxResults": 2, "nextToken": token}));
    assert_eq!(
        second["clusterArns"].as_array().unwrap().len(),
        1,
        "{second}"
    );
    assert!(second.get("nextToken").is_none(), "{second}");

    let described = reference.call(
        "DescribeClusters",
        json!({"clusters": ["a1", "arn:aws:ecs:us-east-1:123456789012:cluster/a2", "nope"]}),
    );
    let names: Vec<&str> = described["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clusterName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a1", "a2"]);
    assert_eq!(described["clusters"][0]["status"], "ACTIVE");
    assert_eq!(described["failures"][0]["reason"], "MISSING");
    assert!(described["failures"][0]["arn"]
        .as_str()
        .unwrap()
        .ends_with(":cluster/nope"));

    reference.register("fam");
    reference.register("fam");
    reference.register("family-two");
    // familyPrefix is the whole family name (AWS), not a prefix of it.
    let fam = reference.call("ListTaskDefinitions", json!({"familyPrefix": "fam"}));
    let arns: Vec<&str> = fam["taskDefinitionArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(arns, ["fam:1", "fam:2"]);
    reference.call(
        "DeregisterTaskDefinition",
        json!({"taskDefinition": "fam:1"}),
    );
    let inactive = reference.call("ListTaskDefinitions", json!({"status": "INACTIVE"}));
    assert_eq!(
        inactive["taskDefinitionArns"].as_array().unwrap().len(),
        1,
        "{inactive}"
    );
    assert_eq!(reference.families(), ["fam", "family-two"]);
}
