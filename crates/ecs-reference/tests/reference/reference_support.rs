//! Shared helpers for the reference target's integration tests: a tiny AWS JSON 1.1
//! client over reqwest, fixtures, and polling with deadlines.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use ecs_reference::{self as reference, Deviation, ReferenceOptions, ReferenceServer};
use serde_json::{json, Value};

pub const TARGET_PREFIX: &str = "AmazonEC2ContainerServiceV20141113.";
pub const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000";
pub const STATES: [&str; 8] = [
    "PROVISIONING",
    "PENDING",
    "ACTIVATING",
    "RUNNING",
    "DEACTIVATING",
    "STOPPING",
    "DEPROVISIONING",
    "STOPPED",
];

pub fn state_index(s: &str) -> usize {
    STATES
        .iter()
        .position(|x| *x == s)
        .unwrap_or_else(|| panic!("unknown state {s}"))
}

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub raw: String,
    /// The body as JSON, or `Value::Null` when it is not JSON.
    pub body: Value,
}

impl Resp {
    pub fn error_type(&self) -> Option<&str> {
        self.body.get("__type").and_then(Value::as_str)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Panics with the whole answer unless it is a 200.
    pub fn ok(self) -> Value {
        assert_eq!(self.status, 200, "expected success, got {self:?}");
        self.body
    }
}

/// Path style for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Root,
    V1,
}

pub struct Client {
    pub http: reqwest::Client,
    pub endpoint: String,
    pub auth: String,
}

impl Client {
    pub fn new(server: &ReferenceServer) -> Self {
        Client {
            http: reqwest::Client::new(),
            endpoint: server.endpoint(),
            auth: AUTH.to_string(),
        }
    }

    pub fn with_region(server: &ReferenceServer, region: &str) -> Self {
        let mut c = Self::new(server);
        c.auth = AUTH.replace("us-east-1", region);
        c
    }

    pub async fn raw(&self, path: &str, target: Option<&str>, body: &str) -> Resp {
        let mut req = self
            .http
            .post(format!("{}{}", self.endpoint, path))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("Authorization", &self.auth)
            .body(body.to_string());
        if let Some(t) = target {
            req = req.header("X-Amz-Target", t);
        }
        let r = req.send().await.expect("the reference answers");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let raw = r.text().await.expect("a readable body");
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            raw,
            body,
        }
    }

    pub async fn call_as(&self, style: Style, op: &str, body: Value) -> Resp {
        let target = format!("{TARGET_PREFIX}{op}");
        let path = match style {
            Style::Root => "/".to_string(),
            Style::V1 => format!("/v1/{op}"),
        };
        self.raw(&path, Some(&target), &body.to_string()).await
    }

    pub async fn call(&self, op: &str, body: Value) -> Resp {
        self.call_as(Style::Root, op, body).await
    }

    pub async fn describe(&self, cluster: &str, task: &str) -> Value {
        self.call(
            "DescribeTasks",
            json!({"cluster": cluster, "tasks": [task]}),
        )
        .await
        .ok()
    }

    /// Polls DescribeTasks until the task's lastStatus is `want` (or a deadline of five
    /// seconds passes); returns every lastStatus seen, in order, and the last task.
    pub async fn wait_for(&self, cluster: &str, task: &str, want: &str) -> (Vec<String>, Value) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut seen = vec![];
        loop {
            let body = self.describe(cluster, task).await;
            let t = body["tasks"][0].clone();
            let status = t["lastStatus"].as_str().unwrap_or("(none)").to_string();
            seen.push(status.clone());
            if status == want {
                return (seen, t);
            }
            assert!(
                Instant::now() < deadline,
                "task never reached {want}; seen {seen:?}, last answer {body}"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// A cluster `cluster`, an EC2 family `web` (two containers, bridge), and a Fargate
    /// family `fg` (awsvpc, task-level cpu/memory, one tag).
    pub async fn fixtures(&self, cluster: &str) {
        self.call("CreateCluster", json!({"clusterName": cluster}))
            .await
            .ok();
        self.call(
            "RegisterTaskDefinition",
            json!({
                "family": "web",
                "containerDefinitions": [
                    {"name": "app", "image": "nginx:latest", "cpu": 128, "memory": 256, "essential": true},
                    {"name": "sidecar", "image": "busybox", "memory": 64, "essential": false}
                ]
            }),
        )
        .await
        .ok();
        self.call(
            "RegisterTaskDefinition",
            json!({
                "family": "fg",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "256",
                "memory": "512",
                "containerDefinitions": [{"name": "app", "image": "nginx"}],
                "tags": [{"key": "team", "value": "core"}]
            }),
        )
        .await
        .ok();
    }

    /// Runs `count` tasks of family `web` on `cluster`; returns their ARNs.
    pub async fn run(&self, cluster: &str, extra: Value) -> Vec<String> {
        let mut body = json!({"cluster": cluster, "taskDefinition": "web"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let out = self.call("RunTask", body).await.ok();
        out["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .map(|t| t["taskArn"].as_str().expect("taskArn").to_string())
            .collect()
    }
}

pub async fn server(deviations: &[Deviation]) -> ReferenceServer {
    server_paced(deviations, Duration::from_millis(5)).await
}

/// A reference server whose tasks spend `pace` in each transitional state.
pub async fn server_paced(deviations: &[Deviation], pace: Duration) -> ReferenceServer {
    reference::start(ReferenceOptions {
        deviations: deviations.to_vec(),
        pace,
        ..ReferenceOptions::default()
    })
    .await
    .expect("the reference starts")
}
