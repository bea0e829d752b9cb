//! Verdicts do not depend on timing or on legal wire variations: the whole suite, with
//! the shipped snapshots, through a loopback proxy in front of the reference target
//! that (a) forwards every call unchanged but late, or (b) words every error the way
//! other AWS JSON 1.1 services do (`com.amazonaws.ecs#ClusterNotFoundException`,
//! `Message`). Every case ends as it does on a direct run, and no snapshot step
//! reports anything.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ecs_conform::app::{self, Paths, Selection, TargetChoice};
use ecs_conform::run::{CaseResult, Outcome};
use ecs_reference::ReferenceOptions;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to each call besides forwarding it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// 1–20 ms before forwarding the request and 1–20 ms before answering.
    Late,
    /// Error bodies: `__type` namespaced, `message` renamed `Message`.
    NamespacedErrors,
}

struct Proxy {
    upstream: String,
    client: reqwest::Client,
    mode: Mode,
    /// xorshift64 state: the delays are a fixed sequence (which call gets which one
    /// depends on the order calls arrive).
    rng: Mutex<u64>,
    /// Error bodies rewritten.
    rewritten: AtomicUsize,
    /// Calls delayed.
    delayed: AtomicUsize,
}

impl Proxy {
    fn delay(&self) -> Duration {
        let mut s = self.rng.lock().unwrap();
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        Duration::from_millis(1 + *s % 20)
    }
}

async fn forward(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if proxy.mode == Mode::Late {
        proxy.delayed.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(proxy.delay()).await;
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = proxy
        .client
        .request(method, format!("{}{path}", proxy.upstream))
        .body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let answer = match request.send().await {
        Ok(a) => a,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status();
    let mut out_headers = HeaderMap::new();
    for (name, value) in answer.headers() {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            out_headers.insert(name.clone(), value.clone());
        }
    }
    let mut body = answer.bytes().await.unwrap_or_default().to_vec();
    if proxy.mode == Mode::NamespacedErrors && !status.is_success() {
        let new = namespaced(&body);
        if new != body {
            proxy.rewritten.fetch_add(1, Ordering::Relaxed);
        }
        body = new;
    }
    if proxy.mode == Mode::Late {
        tokio::time::sleep(proxy.delay()).await;
    }
    (status, out_headers, body).into_response()
}

/// `{"__type": "X", "message": "m"}` → `{"__type": "com.amazonaws.ecs#X", "Message": "m"}`.
fn namespaced(body: &[u8]) -> Vec<u8> {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    if let Some(Value::String(t)) = map.get("__type").cloned() {
        map.insert(
            "__type".into(),
            Value::String(format!("com.amazonaws.ecs#{t}")),
        );
    }
    if let Some(m) = map.shift_remove("message") {
        map.insert("Message".into(), m);
    }
    serde_json::to_vec(&Value::Object(map)).unwrap()
}

/// A reference target and a proxy in front of it, on their own runtime (the run under
/// test blocks the calling thread). Returns the runtime (drop it to stop both), the
/// proxy's endpoint and the proxy.
fn proxied_reference(mode: Mode, seed: u64) -> (tokio::runtime::Runtime, String, Arc<Proxy>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (endpoint, proxy) = rt.block_on(async move {
        let server = ecs_reference::start(ReferenceOptions::default())
            .await
            .unwrap();
        let proxy = Arc::new(Proxy {
            upstream: server.endpoint(),
            client: reqwest::Client::new(),
            mode,
            rng: Mutex::new(seed),
            rewritten: AtomicUsize::new(0),
            delayed: AtomicUsize::new(0),
        });
        // the server lives as long as the runtime
        std::mem::forget(server);
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(proxy.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{addr}"), proxy)
    });
    (rt, endpoint, proxy)
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the shipped snapshots, so that nothing a run does reaches the repository.
struct SnapshotCopy(PathBuf);

impl SnapshotCopy {
    fn new(tag: &str) -> SnapshotCopy {
        let dir = std::env::temp_dir().join(format!(
            "ecs-conform-latency-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(repo().join("snapshots")).unwrap() {
            let entry = entry.unwrap();
            // Only what ships: a pending `.snap.new` another run left is not a snapshot.
            if entry.file_name().to_string_lossy().ends_with(".snap.new") {
                continue;
            }
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
        SnapshotCopy(dir)
    }

    /// The files whose contents differ from `before`, or that are new or gone.
    fn changed_since(&self, before: &BTreeMap<String, String>) -> Vec<String> {
        let now = self.contents();
        let names: std::collections::BTreeSet<&String> = now.keys().chain(before.keys()).collect();
        names
            .into_iter()
            .filter(|n| now.get(*n) != before.get(*n))
            .cloned()
            .collect()
    }

    /// File names and contents: a run must leave them as they were.
    fn contents(&self) -> BTreeMap<String, String> {
        std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for SnapshotCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(snapshots: &SnapshotCopy, endpoint: Option<String>) -> Vec<CaseResult> {
    let paths = Paths {
        cases: repo().join("cases"),
        schemas: repo().join("schemas"),
        snapshots: snapshots.0.clone(),
        ..Paths::default()
    };
    // No endpoint: the reference reached directly, as the CLI starts it.
    let direct = endpoint
        .is_none()
        .then(|| ecs_reference::Background::start(ReferenceOptions::default()).unwrap());
    let choice = TargetChoice {
        timeout: Duration::from_secs(10),
        poll_interval: endpoint.as_ref().map(|_| Duration::from_millis(25)),
        max_within: Some(Duration::from_secs(10)),
        local: direct
            .as_ref()
            .map(|_| "the built-in reference target".into()),
        endpoint: endpoint
            .unwrap_or_else(|| direct.as_ref().map(|d| d.endpoint()).unwrap_or_default()),
        ..TargetChoice::default()
    };
    let report = app::run_quiet(&paths, &choice, &Selection::default(), 8).unwrap();
    assert!(report.unreachable.is_none(), "{:?}", report.unreachable);
    report.results
}

fn outcomes(results: &[CaseResult]) -> BTreeMap<String, Outcome> {
    results
        .iter()
        .map(|r| (r.id.clone(), r.outcome.clone()))
        .collect()
}

/// Every finding of a snapshot rule, as text.
fn snapshot_findings(results: &[CaseResult]) -> Vec<String> {
    results
        .iter()
        .flat_map(|r| {
            r.findings()
                .filter(|(_, f)| f.rule.stage() == ecs_conform::rules::Stage::Snapshot)
                .map(move |(s, f)| format!("{} step {}: {f}", r.id, s.index))
        })
        .collect()
}

fn failures(results: &[CaseResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.outcome != Outcome::Passed)
        .map(|r| {
            format!(
                "{}: {:?} {:?}",
                r.id,
                r.outcome,
                r.findings().map(|(_, f)| f.to_string()).collect::<Vec<_>>()
            )
        })
        .collect()
}

#[test]
fn a_proxy_that_adds_latency_changes_no_verdict() {
    let snapshots = SnapshotCopy::new("late");
    let before = snapshots.contents();
    let direct = run(&snapshots, None);
    assert!(direct.len() > 50, "the whole suite runs");
    assert!(
        failures(&direct).is_empty(),
        "the clean reference passes everything:\n{}",
        failures(&direct).join("\n")
    );

    let (rt, endpoint, proxy) = proxied_reference(Mode::Late, 0x9e37_79b9_7f4a_7c15);
    let late = run(&snapshots, Some(endpoint));
    drop(rt);
    assert!(
        proxy.delayed.load(Ordering::Relaxed) > 200,
        "every call went through the proxy"
    );
    assert_eq!(
        outcomes(&late),
        outcomes(&direct),
        "a late answer changed a verdict:\n{}",
        failures(&late).join("\n")
    );
    let noted = snapshot_findings(&late);
    assert!(
        noted.is_empty(),
        "a shipped snapshot depends on timing:\n{}",
        noted.join("\n")
    );
    assert_eq!(
        snapshots.changed_since(&before),
        Vec::<String>::new(),
        "every snapshot existed and none was written"
    );
}

#[test]
fn namespaced_error_types_and_capitalised_messages_pass_every_snapshot_step() {
    let snapshots = SnapshotCopy::new("namespaced");
    let before = snapshots.contents();
    let (rt, endpoint, proxy) = proxied_reference(Mode::NamespacedErrors, 1);
    let results = run(&snapshots, Some(endpoint));
    drop(rt);
    assert!(
        proxy.rewritten.load(Ordering::Relaxed) > 10,
        "errors were rewritten"
    );
    let noted = snapshot_findings(&results);
    assert!(noted.is_empty(), "{}", noted.join("\n"));
    assert_eq!(
        snapshots.changed_since(&before),
        Vec::<String>::new(),
        "no snapshot was written"
    );
    // the error snapshot step ran (on a rewritten answer, as every error was)
    let case = results
        .iter()
        .find(|r| r.id == "errors/run-task-unknown-cluster")
        .expect("the case ran");
    assert_eq!(case.outcome, Outcome::Passed, "{:?}", failures(&results));
}
