//! Fixture problems are the harness's, not the target's: a fixture step that fails is
//! reported once as a setup error (fixture, step, finding, the `--var` to pass) and the
//! cases that need it are `error: blocked by fixture`, never contract failures; a
//! failed fixture teardown is a warning in every report that changes no verdict; and
//! a run id whose cluster already exists on the target is refused (exit 2).
//!
//! The target is the built-in reference behind a small proxy that answers some calls
//! itself the way an emulator does (moto refuses a subnet that does not exist).

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ecs_conform::client::{Target, TargetConfig};
use ecs_reference::{ReferenceOptions, ReferenceServer};
use serde_json::{json, Value};
use std::path::PathBuf;

use crate::cli_support;
use cli_support::{bin, repo, text};

/// Answers a call itself: (operation, request body) → Some((status, JSON body)).
type Rule = fn(&str, &str) -> Option<(u16, String)>;

/// The reference target, reached directly or through a proxy that applies a rule.
struct Fake {
    /// The proxy's endpoint (the reference's when no rule).
    endpoint: String,
    reference: String,
    _server: ReferenceServer,
    runtime: tokio::runtime::Runtime,
}

impl Fake {
    fn start(rule: Option<Rule>) -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime
            .block_on(ecs_reference::start(ReferenceOptions::default()))
            .unwrap();
        let upstream = server.endpoint();
        let endpoint = match rule {
            None => upstream.clone(),
            Some(rule) => runtime.block_on(proxy(upstream.clone(), rule)),
        };
        Fake {
            endpoint,
            reference: upstream,
            _server: server,
            runtime,
        }
    }

    /// A call straight to the reference; the answer's body (panics unless 2xx).
    fn call(&self, operation: &str, body: Value) -> Value {
        let target = Target::new(TargetConfig::new(self.reference.clone(), "us-east-1")).unwrap();
        let ex = self.runtime.block_on(target.call(operation, body)).unwrap();
        assert!(
            ex.response.is_success(),
            "{operation}: {}",
            ex.response.body_text
        );
        ex.response.body.unwrap()
    }
}

async fn proxy(upstream: String, rule: Rule) -> String {
    let client = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let (client, upstream) = (client.clone(), upstream.clone());
        async move { forward(&client, &upstream, rule, headers, body).await }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    endpoint
}

async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    rule: Rule,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or_default()
        .to_owned();
    if let Some((status, answer)) = rule(&operation, &String::from_utf8_lossy(&body)) {
        return (
            StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/x-amz-json-1.1")],
            answer,
        )
            .into_response();
    }
    let mut request = client.post(format!("{upstream}/"));
    for (k, v) in &headers {
        if k != "host" && k != "content-length" {
            request = request.header(k.as_str(), v.as_bytes());
        }
    }
    let answer = request.body(body).send().await.unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let copied: Vec<(String, Vec<u8>)> = answer
        .headers()
        .iter()
        .filter(|(k, _)| *k != "content-length" && *k != "transfer-encoding")
        .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let mut response = (status, answer.bytes().await.unwrap()).into_response();
    for (k, v) in copied {
        response.headers_mut().insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_bytes(&v).unwrap(),
        );
    }
    response
}

/// Like moto: a RunTask naming a subnet that does not exist there is refused.
fn unknown_placeholder_subnet(operation: &str, body: &str) -> Option<(u16, String)> {
    (operation == "RunTask" && body.contains("subnet-12345678")).then(|| {
        (
            400,
            json!({"__type": "InvalidSubnetID.NotFound", "message": "The subnet ID 'subnet-12345678' does not exist"}).to_string(),
        )
    })
}

/// Like AWS while tasks are still stopping: the cluster cannot be deleted.
fn cluster_not_deletable(operation: &str, _: &str) -> Option<(u16, String)> {
    (operation == "DeleteCluster").then(|| {
        (
            400,
            json!({"__type": "ClusterContainsTasksException", "message": "The Cluster cannot be deleted while Tasks are active."}).to_string(),
        )
    })
}

/// Like AWS right after StopTask: the first two DeleteCluster calls are refused while
/// the tasks stop, the third goes through.
fn cluster_deletable_on_the_third_try(operation: &str, _: &str) -> Option<(u16, String)> {
    static REFUSED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    (operation == "DeleteCluster" && REFUSED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2)
        .then(|| cluster_not_deletable(operation, "").unwrap_or_default())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-conform-setup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The shipped cases that use the subnet or security group variables (the generated
/// negative cases too).
fn cases_using_network() -> usize {
    fn walk(dir: &std::path::Path, n: &mut usize) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, n);
            } else if p.file_name().is_some_and(|f| f != "fixtures.yaml") {
                let t = std::fs::read_to_string(&p).unwrap_or_default();
                // Seed-only cases are skipped by default, so they are not blocked.
                let seed_only = t.contains("seed-only");
                if !seed_only && (t.contains("${subnet}") || t.contains("${security_group}")) {
                    *n += 1;
                }
            }
        }
    }
    let mut n = 0;
    walk(&repo().join("cases"), &mut n);
    let generated = ecs_conform::generate::negative_cases(&repo().join("schemas")).unwrap();
    n + generated
        .iter()
        .filter(|c| c.text.contains("${subnet}") || c.text.contains("${security_group}"))
        .count()
}

#[test]
fn a_placeholder_subnet_the_target_lacks_is_one_setup_error_and_blocks_only_its_cases() {
    let fake = Fake::start(Some(unknown_placeholder_subnet));
    let dir = scratch("subnet");
    let (json_path, junit, md) = (
        dir.join("run.json"),
        dir.join("run.xml"),
        dir.join("run.md"),
    );
    let out = bin()
        .args([
            "run",
            "--endpoint",
            &fake.endpoint,
            "--no-snapshots",
            "-j",
            "2",
        ])
        .arg("--report-json")
        .arg(&json_path)
        .arg("--junit")
        .arg(&junit)
        .arg("--report-md")
        .arg(&md)
        .output()
        .unwrap();
    let all = text(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // A setup problem is an error of the run (exit 3), never a contract failure (exit 1).
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(!all.contains("error.documented"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
    // Reported once, with the fixture, the step, the target's error and the fix.
    let count = |needle: &str| stdout.lines().filter(|l| l.contains(needle)).count();
    assert_eq!(count("SETUP ERROR fixture"), 1, "{stdout}");
    assert_eq!(count("InvalidSubnetID.NotFound"), 1, "{stdout}");
    assert_eq!(
        count("pass --var subnet=<a subnet that exists on the target>"),
        1,
        "{stdout}"
    );
    assert!(
        stdout.contains("SETUP ERROR fixture `network` could not be set up: step 1 RunTask ("),
        "{stdout}"
    );
    assert!(stdout.contains("fixtures.yaml:"), "{stdout}");
    assert!(stdout.contains("placeholder default"), "{stdout}");
    assert!(stdout.contains("ecs-conform: SETUP ERRORS —"), "{stdout}");
    assert!(!stdout.contains("target error: blocked"), "{stdout}");
    assert!(
        stdout.contains("setup error: blocked by fixture `network`"),
        "{stdout}"
    );
    // The summary counts the blocked cases under the setup error instead of listing each.
    let summary = &stdout[stdout.find("SETUP ERROR fixture").unwrap()..];
    assert!(
        !summary.contains("ERROR describe-tasks/by-arn"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("blocks {} cases", cases_using_network())),
        "{summary}"
    );

    let doc = read_json(&json_path);
    let setup = doc["setup"].as_array().unwrap();
    assert_eq!(setup.len(), 1, "{setup:?}");
    let issue = &setup[0];
    assert_eq!(issue["fixture"], "network");
    assert_eq!(issue["phase"], "setup");
    assert_eq!(issue["step"], 1);
    assert_eq!(issue["call"], "RunTask");
    assert!(issue["file"].as_str().unwrap().ends_with("fixtures.yaml"));
    assert!(issue["line"].as_u64().unwrap() > 0);
    assert!(issue["error"]
        .as_str()
        .unwrap()
        .starts_with("InvalidSubnetID.NotFound"));
    assert!(issue["hint"].as_str().unwrap().contains("--var subnet="));

    let cases = doc["cases"].as_array().unwrap();
    let blocked: Vec<&Value> = cases
        .iter()
        .filter(|c| {
            c["reason"]
                .as_str()
                .is_some_and(|r| r.contains("blocked by fixture `network`"))
        })
        .collect();
    assert_eq!(blocked.len(), cases_using_network());
    assert!(blocked
        .iter()
        .all(|c| c["verdict"] == "error" && c["findings"].as_array().unwrap().is_empty()));
    // The cases that do not place tasks in the subnet still ran and passed.
    let others: Vec<&Value> = cases.iter().filter(|c| c["reason"].is_null()).collect();
    assert!(!others.is_empty());
    assert!(others.iter().all(|c| c["verdict"] == "pass"), "{others:?}");
    assert!(cases.iter().all(|c| c["verdict"] != "fail"));

    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("fixture/network/setup") && xml.contains("setup-error"),
        "{xml}"
    );
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(
        markdown.contains("## Setup errors and teardown warnings"),
        "{markdown}"
    );
    assert!(markdown.contains("--var subnet="), "{markdown}");
}

#[test]
fn a_subnet_that_exists_on_the_target_passes_the_network_check() {
    let fake = Fake::start(Some(unknown_placeholder_subnet));
    let dir = scratch("goodsubnet");
    let json_path = dir.join("run.json");
    let out = bin()
        .args([
            "run",
            "--endpoint",
            &fake.endpoint,
            "--no-snapshots",
            "-j",
            "2",
            "stop-task",
        ])
        .args(["--var", "subnet=subnet-0abc"])
        .arg("--report-json")
        .arg(&json_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = read_json(&json_path);
    assert_eq!(doc["setup"], json!([]));
    assert!(!text(&out).contains("SETUP ERROR"));
}

#[test]
fn a_failed_fixture_teardown_is_a_warning_in_every_report_and_changes_no_verdict() {
    let fake = Fake::start(Some(cluster_not_deletable));
    let dir = scratch("teardown");
    let (json_path, junit, md) = (
        dir.join("run.json"),
        dir.join("run.xml"),
        dir.join("run.md"),
    );
    let run_id = format!("td{}", std::process::id());
    let out = bin()
        .args([
            "run",
            "--endpoint",
            &fake.endpoint,
            "--no-snapshots",
            "-j",
            "2",
            // The teardown retries DeleteCluster while tasks stop: capped here.
            "--max-within",
            "2s",
            "stop-task",
        ])
        .env("ECS_CONFORM_RUN_ID", &run_id)
        .arg("--report-json")
        .arg(&json_path)
        .arg("--junit")
        .arg(&junit)
        .arg("--report-md")
        .arg(&md)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stdout.contains("CONFORMANT —"), "{stdout}");
    assert!(
        stdout.contains("TEARDOWN WARNING fixture `cluster` could not be torn down: teardown step 1 DeleteCluster"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "cluster `ecs-conform-{run_id}` may be left on the target"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("ecs-conform cleanup --run-id {run_id}")),
        "{stdout}"
    );

    let doc = read_json(&json_path);
    let setup = doc["setup"].as_array().unwrap();
    let teardown: Vec<&Value> = setup.iter().filter(|s| s["phase"] == "teardown").collect();
    assert_eq!(teardown.len(), 1, "{setup:?}");
    assert_eq!(teardown[0]["fixture"], "cluster");
    assert_eq!(teardown[0]["call"], "DeleteCluster");
    assert!(teardown[0]["error"]
        .as_str()
        .unwrap()
        .starts_with("ClusterContainsTasksException"));
    assert!(doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["verdict"] == "pass"));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("fixture/cluster/teardown") && xml.contains("warning: fixture `cluster`"),
        "{xml}"
    );
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(markdown.contains("teardown warning"), "{markdown}");
}

#[test]
fn a_run_id_whose_cluster_exists_is_refused_before_anything_is_created() {
    let fake = Fake::start(None);
    let run_id = format!("busy{}", std::process::id());
    fake.call(
        "CreateCluster",
        json!({"clusterName": format!("ecs-conform-{run_id}")}),
    );
    let out = bin()
        .args([
            "run",
            "--endpoint",
            &fake.endpoint,
            "--no-snapshots",
            "stop-task",
        ])
        .env("ECS_CONFORM_RUN_ID", &run_id)
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!("run id {run_id} is in use on the target: its cluster ecs-conform-{run_id} exists; choose another ECS_CONFORM_RUN_ID or run `ecs-conform cleanup --run-id {run_id}`")),
        "{all}"
    );
    // Nothing of the refused run was created.
    let defs = fake.call("ListTaskDefinitions", json!({}));
    assert_eq!(defs["taskDefinitionArns"], json!([]), "{defs}");

    // Another run id on the same target runs; and a run id whose run finished cleanly
    // (its cluster deleted) may be used again.
    let fresh = format!("free{}", std::process::id());
    for _ in 0..2 {
        let out = bin()
            .args([
                "run",
                "--endpoint",
                &fake.endpoint,
                "--no-snapshots",
                "stop-task/stop-twice",
            ])
            .env("ECS_CONFORM_RUN_ID", &fresh)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
}

#[test]
fn a_target_file_listing_the_blocked_cases_does_not_turn_a_setup_error_green() {
    let fake = Fake::start(Some(unknown_placeholder_subnet));
    let dir = scratch("targetfile");
    std::fs::write(
        dir.join("scratch.yaml"),
        "name: scratch\nknown:\n  - { case: stop-task/stop-twice, reason: \"any failure of this case is known\" }\n",
    )
    .unwrap();
    let out = bin()
        .args([
            "run",
            "--endpoint",
            &fake.endpoint,
            "--no-snapshots",
            "stop-task/stop-twice",
        ])
        .arg("--targets")
        .arg(&dir)
        .args(["--target", "scratch"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stdout.contains("ecs-conform: SETUP ERRORS —"), "{stdout}");
}

#[test]
fn a_cluster_refused_while_its_tasks_stop_is_deleted_on_a_later_try() {
    let fake = Fake::start(Some(cluster_deletable_on_the_third_try));
    let dir = scratch("teardown-retry");
    let json_path = dir.join("run.json");
    let out = bin()
        .args([
            "run",
            "--endpoint",
            &fake.endpoint,
            "--no-snapshots",
            "stop-task/stop-twice",
        ])
        .arg("--report-json")
        .arg(&json_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!stdout.contains("TEARDOWN WARNING"), "{stdout}");
    let doc = read_json(&json_path);
    assert!(doc["setup"].as_array().unwrap().is_empty(), "{doc}");
}
