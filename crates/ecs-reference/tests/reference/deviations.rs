//! Every deviation breaks the documented rule it names, only when it is switched on,
//! and no other deviation breaks that rule.
//!
//! `breaks(d, client)` is a probe: it looks for evidence that the server breaks the rule
//! deviation `d` is about. The probes are written against the contract (not against
//! the reference's code), so the clean reference must give no evidence for any of them.

use crate::reference_support;

use std::time::{Duration, Instant};

use ecs_reference::Deviation;
use reference_support::{server, state_index, Client};
use serde_json::{json, Value};

const CLUSTER: &str = "probe";

/// RunTask of family `web` with extra members; the answer's body when it is a 200.
async fn run(c: &Client, extra: Value) -> Option<Value> {
    let mut body = json!({"cluster": CLUSTER, "taskDefinition": "web"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = c.call("RunTask", body).await;
    success(&r).then_some(r.body)
}

async fn run_one(c: &Client, extra: Value) -> Option<(String, Value)> {
    let body = run(c, extra).await?;
    let task = body["tasks"].get(0)?.clone();
    Some((task["taskArn"].as_str()?.to_string(), task))
}

async fn stop(c: &Client, arn: &str, reason: &str) -> Option<Value> {
    let r = c
        .call(
            "StopTask",
            json!({"cluster": CLUSTER, "task": arn, "reason": reason}),
        )
        .await;
    success(&r).then(|| r.body["task"].clone())
}

/// Describes `arn` until `done` says so (or two seconds pass); returns every answer.
async fn poll(c: &Client, arn: &str, done: impl Fn(&Value) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut answers = vec![];
    while Instant::now() < deadline {
        let r = c
            .call("DescribeTasks", json!({"cluster": CLUSTER, "tasks": [arn]}))
            .await;
        let finished = !success(&r) || done(&r.body);
        answers.push(r.body);
        if finished {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    answers
}

fn last_status(body: &Value) -> Option<&str> {
    body["tasks"].get(0)?["lastStatus"].as_str()
}

/// The ARNs of a ListTasks answer, if it is a 200, and its nextToken.
async fn list(c: &Client, body: Value) -> Option<(Vec<String>, Option<String>)> {
    let r = c.call("ListTasks", body).await;
    if !success(&r) {
        return None;
    }
    let arns = serde_json::from_value(r.body["taskArns"].clone()).ok()?;
    Some((arns, r.body["nextToken"].as_str().map(str::to_string)))
}

/// A success answer: 200 and no error type in the body.
fn success(r: &reference_support::Resp) -> bool {
    r.status == 200 && r.error_type().is_none()
}

/// Runs three tasks one by one, started by `by`.
async fn three(c: &Client, by: &str) -> Vec<String> {
    let mut arns = vec![];
    for _ in 0..3 {
        if let Some((arn, _)) = run_one(c, json!({"startedBy": by})).await {
            arns.push(arn);
        }
    }
    arns
}

/// Is there evidence that the server breaks the rule `d` is about?
async fn breaks(d: Deviation, c: &Client) -> bool {
    use Deviation as D;
    let unknown_cluster = json!({"cluster": "no-such-cluster", "tasks": ["x"]});
    match d {
        D::StringTimestamps => run_one(c, json!({}))
            .await
            .is_some_and(|(_, t)| t["createdAt"].is_string()),
        D::MissingFailures => {
            let r = c
                .call(
                    "DescribeTasks",
                    json!({"cluster": CLUSTER, "tasks": ["0".repeat(32)]}),
                )
                .await;
            r.status == 200 && r.body["failures"].as_array().is_none_or(Vec::is_empty)
        }
        D::WrongErrorType => {
            let r = c.call("DescribeTasks", unknown_cluster).await;
            r.error_type() == Some("InvalidParameterException")
        }
        D::ErrorStatus200 => c.call("DescribeTasks", unknown_cluster).await.status == 200,
        D::NoErrorType => {
            let r = c.call("DescribeTasks", unknown_cluster).await;
            r.body.get("message").is_some() && r.body.get("__type").is_none()
        }
        D::Html500 => {
            let r = c.call("ListTasks", json!({"cluster": CLUSTER})).await;
            r.status == 500 || r.header("content-type").is_some_and(|t| t.contains("html"))
        }
        D::IgnoreMaxResults => {
            three(c, "imr").await;
            let page = list(
                c,
                json!({"cluster": CLUSTER, "startedBy": "imr", "maxResults": 1}),
            )
            .await;
            page.is_some_and(|(arns, _)| arns.len() > 1)
        }
        D::RepeatPage => {
            three(c, "rp").await;
            let body = json!({"cluster": CLUSTER, "startedBy": "rp", "maxResults": 2});
            let Some((first, Some(token))) = list(c, body.clone()).await else {
                return false;
            };
            let mut next = body;
            next["nextToken"] = json!(token);
            list(c, next)
                .await
                .is_some_and(|(second, _)| second.iter().any(|a| first.contains(a)))
        }
        D::LifecycleBackwards => {
            let Some((arn, _)) = run_one(c, json!({})).await else {
                return false;
            };
            let mut answers = poll(c, &arn, |b| last_status(b) == Some("RUNNING")).await;
            for _ in 0..3 {
                answers.extend(poll(c, &arn, |_| true).await);
            }
            let seen: Vec<usize> = answers
                .iter()
                .filter_map(last_status)
                .map(state_index)
                .collect();
            seen.windows(2).any(|w| w[1] < w[0])
        }
        D::WrongStopCode => stop_fresh(c, "why")
            .await
            .is_some_and(|t| t["stopCode"] != "UserInitiated"),
        D::NoStoppedReason => stop_fresh(c, "why")
            .await
            .is_some_and(|t| t["stoppedReason"] != "why"),
        D::DesiredStatusRunning => stop_fresh(c, "why")
            .await
            .is_some_and(|t| t["desiredStatus"] != "STOPPED"),
        D::NoStoppedAt => {
            let Some((arn, _)) = run_one(c, json!({})).await else {
                return false;
            };
            stop(c, &arn, "x").await;
            let answers = poll(c, &arn, |b| last_status(b) == Some("STOPPED")).await;
            answers.last().is_some_and(|b| {
                last_status(b) == Some("STOPPED") && b["tasks"][0].get("stoppedAt").is_none()
            })
        }
        D::NoRequestId => {
            let r = c
                .call("CreateCluster", json!({"clusterName": CLUSTER}))
                .await;
            r.header("x-amzn-requestid").is_none()
        }
        D::VersionAsString => run_one(c, json!({}))
            .await
            .is_some_and(|(_, t)| t["version"].is_string()),
        D::NumericCpu => run_one(c, json!({}))
            .await
            .is_some_and(|(_, t)| t["containers"][0]["cpu"].is_number()),
        D::ContainerTaskArn => run_one(c, json!({}))
            .await
            .is_some_and(|(arn, t)| t["containers"][0]["taskArn"] != json!(arn)),
        D::TagsAlways => {
            let Some((arn, _)) = run_one(c, json!({"tags": [{"key": "k", "value": "v"}]})).await
            else {
                return false;
            };
            poll(c, &arn, |_| true)
                .await
                .last()
                .is_some_and(|b| b["tasks"][0].get("tags").is_some())
        }
        D::CountIgnored => run(c, json!({"count": 3}))
            .await
            .is_some_and(|b| b["tasks"].as_array().is_some_and(|t| t.len() == 1)),
        D::CountUnchecked => run(c, json!({"count": 11})).await.is_some(),
        D::StoppedForgotten => {
            let Some((arn, _)) = run_one(c, json!({})).await else {
                return false;
            };
            stop(c, &arn, "x").await;
            let answers = poll(c, &arn, |b| {
                last_status(b) == Some("STOPPED")
                    || b["failures"].as_array().is_some_and(|f| !f.is_empty())
            })
            .await;
            answers
                .last()
                .is_some_and(|b| b["failures"][0]["reason"] == "MISSING")
        }
        D::ListIncludesStopped => {
            let Some((arn, _)) = run_one(c, json!({"startedBy": "lis"})).await else {
                return false;
            };
            stop(c, &arn, "x").await;
            list(c, json!({"cluster": CLUSTER, "startedBy": "lis"}))
                .await
                .is_some_and(|(arns, _)| arns.contains(&arn))
        }
        D::UndocumentedError => {
            let r = c
                .call(
                    "StopTask",
                    json!({"cluster": CLUSTER, "task": "0".repeat(32)}),
                )
                .await;
            r.error_type() == Some("ResourceNotFoundException")
        }
        D::EmptyTasksAccepted => {
            let r = c
                .call("DescribeTasks", json!({"cluster": CLUSTER, "tasks": []}))
                .await;
            success(&r)
        }
        // Isolation and filters (issue 14, part B).
        D::CrossClusterLookup => {
            c.call("CreateCluster", json!({"clusterName": "probe-ccl"}))
                .await;
            let Some((arn, _)) = run_one(c, json!({})).await else {
                return false;
            };
            let r = c
                .call(
                    "DescribeTasks",
                    json!({"cluster": "probe-ccl", "tasks": [arn]}),
                )
                .await;
            success(&r) && r.body["tasks"].as_array().is_some_and(|t| !t.is_empty())
        }
        D::ListOtherClusters => {
            c.call("CreateCluster", json!({"clusterName": "probe-loc"}))
                .await;
            let r = c
                .call(
                    "RunTask",
                    json!({"cluster": "probe-loc", "taskDefinition": "web"}),
                )
                .await;
            let Some(arn) = r.body["tasks"][0]["taskArn"].as_str() else {
                return false;
            };
            list(c, json!({"cluster": CLUSTER}))
                .await
                .is_some_and(|(arns, _)| arns.iter().any(|a| a == arn))
        }
        D::IgnoreFamilyFilter => {
            let Some((arn, _)) = run_one(c, json!({})).await else {
                return false;
            };
            list(c, json!({"cluster": CLUSTER, "family": "fg"}))
                .await
                .is_some_and(|(arns, _)| arns.contains(&arn))
        }
        D::IgnoreStartedByFilter => {
            let Some((arn, _)) = run_one(c, json!({"startedBy": "isb-a"})).await else {
                return false;
            };
            list(c, json!({"cluster": CLUSTER, "startedBy": "isb-b"}))
                .await
                .is_some_and(|(arns, _)| arns.contains(&arn))
        }
        D::IgnoreLaunchTypeFilter => {
            let Some((arn, _)) = run_one(c, json!({"launchType": "EC2"})).await else {
                return false;
            };
            list(c, json!({"cluster": CLUSTER, "launchType": "FARGATE"}))
                .await
                .is_some_and(|(arns, _)| arns.contains(&arn))
        }
        D::IgnoreContainerInstanceFilter => {
            let Some((_, ec2)) = run_one(c, json!({"launchType": "EC2"})).await else {
                return false;
            };
            let Some(instance) = ec2["containerInstanceArn"].as_str() else {
                return false;
            };
            let r = c
                .call(
                    "RunTask",
                    json!({
                        "cluster": CLUSTER,
                        "taskDefinition": "fg",
                        "launchType": "FARGATE",
                        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
                    }),
                )
                .await;
            let Some(fargate) = r.body["tasks"][0]["taskArn"].as_str() else {
                return false;
            };
            list(
                c,
                json!({"cluster": CLUSTER, "containerInstance": instance}),
            )
            .await
            .is_some_and(|(arns, _)| arns.iter().any(|a| a == fargate))
        }
        D::IgnoreDesiredStatusFilter => {
            let Some((arn, _)) = run_one(c, json!({"startedBy": "idsf"})).await else {
                return false;
            };
            list(
                c,
                json!({"cluster": CLUSTER, "startedBy": "idsf", "desiredStatus": "STOPPED"}),
            )
            .await
            .is_some_and(|(arns, _)| arns.contains(&arn))
        }
        D::IgnoreServiceNameFilter => {
            let Some((arn, _)) = run_one(c, json!({"startedBy": "isnf"})).await else {
                return false;
            };
            // A service of its own (named after the plain task) with one task.
            let name = format!("isnf-{}", arn.rsplit('/').next().unwrap_or("x"));
            let created = c
                .call(
                    "CreateService",
                    json!({"cluster": CLUSTER, "serviceName": name, "taskDefinition": "web", "desiredCount": 1}),
                )
                .await;
            if !success(&created) {
                return false;
            }
            list(c, json!({"cluster": CLUSTER, "serviceName": name}))
                .await
                .is_some_and(|(arns, _)| arns.contains(&arn))
        }
        // What a task must agree with itself on.
        D::ShortArnsWrongRegion => run_one(c, json!({})).await.is_some_and(|(arn, t)| {
            let region = |a: &str| a.split(':').nth(3).map(str::to_string);
            let container = t["containers"][0]["containerArn"].as_str().unwrap_or("");
            region(container) != region(&arn)
        }),
        D::ContainerArnsFromTaskDefinition => run_one(c, json!({})).await.is_some_and(|(_, t)| {
            let arn = t["containers"][0]["containerArn"].as_str().unwrap_or("");
            !arn.split(':').nth(5).is_some_and(|r| r.starts_with("container/"))
        }),
        D::StoppedWithRunningContainer => stopped_task(c, json!({})).await.is_some_and(|t| {
            t["containers"]
                .as_array()
                .is_some_and(|cs| cs.iter().any(|c| c["lastStatus"] != "STOPPED"))
        }),
        D::ExitCodeWhileRunning => running(c).await.iter().any(|b| {
            b["tasks"][0]["containers"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["lastStatus"] != "STOPPED" && c.get("exitCode").is_some())
            })
        }),
        D::VersionGoesBack => {
            let versions: Vec<i64> = running(c)
                .await
                .iter()
                .filter_map(|b| b["tasks"][0]["version"].as_i64())
                .collect();
            versions.windows(2).any(|w| w[1] < w[0])
        }
        D::StoppingBeforeCreated => stop_fresh(c, "x").await.is_some_and(|t| {
            matches!((t["createdAt"].as_f64(), t["stoppingAt"].as_f64()), (Some(c), Some(s)) if s < c)
        }),
        D::StoppedDesiredRunning => stopped_task(c, json!({}))
            .await
            .is_some_and(|t| t["desiredStatus"] != "STOPPED"),
        D::FargateWithContainerInstance => run_one(c, fargate())
            .await
            .is_some_and(|(_, t)| t.get("containerInstanceArn").is_some()),
        D::EniNeverDeleted => stopped_task(c, fargate())
            .await
            .is_some_and(|t| t["attachments"][0]["status"] != "DELETED"),
        D::MissingFailureBareId => {
            let r = c
                .call(
                    "DescribeTasks",
                    json!({"cluster": CLUSTER, "tasks": ["0".repeat(32)]}),
                )
                .await;
            r.body["failures"][0]["arn"]
                .as_str()
                .is_some_and(|a| !a.starts_with("arn:"))
        }
        D::GroupNotDefaulted => run_one(c, json!({}))
            .await
            .is_some_and(|(_, t)| t["group"] != "family:web"),
        D::StartedByDropped => run_one(c, json!({"startedBy": "sbd"}))
            .await
            .is_some_and(|(_, t)| t["startedBy"] != "sbd"),
        D::AcceptMalformedJson => {
            let target = Some("AmazonEC2ContainerServiceV20141113.RunTask");
            let r = c.raw("/", target, "{\"cluster\": ").await;
            // Read as `{}`: RunTask then misses its taskDefinition.
            r.error_type() == Some("InvalidParameterException")
        }
        D::WrongType500 => {
            let body = json!({"cluster": CLUSTER, "taskDefinition": "web", "count": "1"});
            c.call("RunTask", body).await.status >= 500
        }
        D::UncheckedTags => {
            let tags: Vec<Value> = (0..51)
                .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
                .collect();
            run(c, json!({"tags": tags})).await.is_some()
        }
        D::AutoCreateCluster => {
            let body = json!({"cluster": "auto-created-probe", "taskDefinition": "web"});
            success(&c.call("RunTask", body).await)
        }
        D::StopOnEmptyTask => {
            if run_one(c, json!({})).await.is_none() {
                return false;
            }
            let r = c
                .call("StopTask", json!({"cluster": CLUSTER, "task": ""}))
                .await;
            success(&r)
        }
    }
}

/// RunTask members for a FARGATE task of family `fg` (awsvpc).
fn fargate() -> Value {
    json!({"taskDefinition": "fg", "launchType": "FARGATE",
           "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}})
}

/// Runs a task (with `extra`), stops it, and describes it until STOPPED: the last task seen.
async fn stopped_task(c: &Client, extra: Value) -> Option<Value> {
    let (arn, _) = run_one(c, extra).await?;
    stop(c, &arn, "x").await?;
    let answers = poll(c, &arn, |b| last_status(b) == Some("STOPPED")).await;
    let t = answers.last()?["tasks"].get(0)?.clone();
    (t["lastStatus"] == "STOPPED").then_some(t)
}

/// Runs a task and describes it until RUNNING: the RunTask answer's task (as a
/// DescribeTasks body), then every DescribeTasks answer.
async fn running(c: &Client) -> Vec<Value> {
    let Some((arn, task)) = run_one(c, json!({})).await else {
        return vec![];
    };
    let mut answers = vec![json!({"tasks": [task]})];
    answers.extend(poll(c, &arn, |b| last_status(b) == Some("RUNNING")).await);
    answers
}

/// Runs a task and stops it at once; the StopTask answer's task.
async fn stop_fresh(c: &Client, reason: &str) -> Option<Value> {
    let (arn, _) = run_one(c, json!({})).await?;
    stop(c, &arn, reason).await
}

/// Probes every rule against a server running `deviations`; returns the rules broken.
async fn broken_rules(deviations: &[Deviation]) -> Vec<Deviation> {
    let s = server(deviations).await;
    let c = Client::new(&s);
    c.fixtures(CLUSTER).await;
    let mut broken = vec![];
    for d in Deviation::all() {
        if breaks(*d, &c).await {
            broken.push(*d);
        }
    }
    s.shutdown().await;
    broken
}

async fn assert_caught(d: Deviation) {
    let s = server(&[d]).await;
    let c = Client::new(&s);
    c.fixtures(CLUSTER).await;
    assert!(
        breaks(d, &c).await,
        "{} was not observed: {}",
        d.name(),
        d.summary()
    );
    s.shutdown().await;
    let clean = server(&[]).await;
    let c = Client::new(&clean);
    c.fixtures(CLUSTER).await;
    assert!(
        !breaks(d, &c).await,
        "the clean reference shows {}",
        d.name()
    );
    clean.shutdown().await;
}

macro_rules! caught {
    ($($test:ident => $variant:ident,)+) => {
        $(
            #[tokio::test]
            async fn $test() {
                assert_caught(Deviation::$variant).await;
            }
        )+

        #[test]
        fn every_deviation_has_its_own_test() {
            let tested = [$(Deviation::$variant),+];
            for d in Deviation::all() {
                assert!(tested.contains(d), "no test for {}", d.name());
            }
        }
    };
}

caught! {
    string_timestamps => StringTimestamps,
    missing_failures => MissingFailures,
    wrong_error_type => WrongErrorType,
    error_status_200 => ErrorStatus200,
    no_error_type => NoErrorType,
    html_500 => Html500,
    ignore_max_results => IgnoreMaxResults,
    repeat_page => RepeatPage,
    lifecycle_backwards => LifecycleBackwards,
    wrong_stop_code => WrongStopCode,
    no_stopped_reason => NoStoppedReason,
    no_stopped_at => NoStoppedAt,
    desired_status_running => DesiredStatusRunning,
    no_request_id => NoRequestId,
    version_as_string => VersionAsString,
    numeric_cpu => NumericCpu,
    container_task_arn => ContainerTaskArn,
    tags_always => TagsAlways,
    count_ignored => CountIgnored,
    count_unchecked => CountUnchecked,
    stopped_forgotten => StoppedForgotten,
    list_includes_stopped => ListIncludesStopped,
    undocumented_error => UndocumentedError,
    empty_tasks_accepted => EmptyTasksAccepted,
    cross_cluster_lookup => CrossClusterLookup,
    list_other_clusters => ListOtherClusters,
    ignore_family_filter => IgnoreFamilyFilter,
    ignore_started_by_filter => IgnoreStartedByFilter,
    ignore_launch_type_filter => IgnoreLaunchTypeFilter,
    ignore_container_instance_filter => IgnoreContainerInstanceFilter,
    ignore_desired_status_filter => IgnoreDesiredStatusFilter,
    ignore_service_name_filter => IgnoreServiceNameFilter,
    short_arns_wrong_region => ShortArnsWrongRegion,
    container_arns_from_task_definition => ContainerArnsFromTaskDefinition,
    stopped_with_running_container => StoppedWithRunningContainer,
    exit_code_while_running => ExitCodeWhileRunning,
    version_goes_back => VersionGoesBack,
    stopping_before_created => StoppingBeforeCreated,
    stopped_desired_running => StoppedDesiredRunning,
    fargate_with_container_instance => FargateWithContainerInstance,
    eni_never_deleted => EniNeverDeleted,
    missing_failure_bare_id => MissingFailureBareId,
    group_not_defaulted => GroupNotDefaulted,
    started_by_dropped => StartedByDropped,
    accept_malformed_json => AcceptMalformedJson,
    wrong_type_500 => WrongType500,
    unchecked_tags => UncheckedTags,
    auto_create_cluster => AutoCreateCluster,
    stop_on_empty_task => StopOnEmptyTask,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_deviation_breaks_exactly_its_own_rule() {
    assert!(broken_rules(&[]).await.is_empty());
    let mut set = tokio::task::JoinSet::new();
    for d in Deviation::all() {
        let d = *d;
        set.spawn(async move { (d, broken_rules(&[d]).await) });
    }
    let mut wrong = vec![];
    while let Some(r) = set.join_next().await {
        let (d, broken) = r.expect("probe task");
        if broken != vec![d] {
            let names: Vec<&str> = broken.iter().map(|b| b.name()).collect();
            wrong.push(format!("{} breaks {names:?}", d.name()));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn names_parse_and_unknown_names_list_the_valid_ones() {
    for d in Deviation::all() {
        assert_eq!(d.name().parse::<Deviation>(), Ok(*d));
        assert_eq!(d.to_string(), d.name());
    }
    let err = "no-such-thing".parse::<Deviation>().unwrap_err();
    for d in Deviation::all() {
        assert!(err.contains(d.name()), "{err}");
    }
}
