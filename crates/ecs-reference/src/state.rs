//! In-memory state of the reference target (clusters, task definitions and tasks, kept
//! per region) and the task lifecycle.
//!
//! The lifecycle is computed from time, not driven by background work: a task records
//! when it was created and, once stopped, when StopTask was called; its state at any
//! moment follows from those two instants and the configured pace. Every state lasts
//! `pace`, so observed states only move forward and every timestamp, once reached, is
//! fixed.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::service::Service;

/// The account every ARN names.
pub const ACCOUNT: &str = "123456789012";
/// The region used when the request carries no SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A monotonic clock anchored to the wall clock once, at server start, so that epoch
/// timestamps never jump backwards.
#[derive(Debug)]
pub(crate) struct Clock {
    base_epoch: Duration,
    base: Instant,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Clock {
            base_epoch: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
            base: Instant::now(),
        }
    }

    /// Time since the server started.
    pub(crate) fn now(&self) -> Duration {
        self.base.elapsed()
    }

    /// Seconds since the epoch, with millisecond precision, for an instant given as
    /// time since the server started.
    pub(crate) fn epoch(&self, at: Duration) -> f64 {
        let millis = self.base_epoch.saturating_add(at).as_millis();
        millis as f64 / 1000.0
    }
}

/// Unique, unpredictable identifiers: a random per-server seed hashed with a counter.
#[derive(Debug)]
pub(crate) struct Ids {
    seed: [u8; 16],
    counter: AtomicU64,
}

impl Ids {
    pub(crate) fn new() -> Self {
        let s = RandomState::new();
        let a = s.hash_one(0u8).to_le_bytes();
        let b = RandomState::new().hash_one(1u8).to_le_bytes();
        let mut seed = [0u8; 16];
        seed[..8].copy_from_slice(&a);
        seed[8..].copy_from_slice(&b);
        Ids {
            seed,
            counter: AtomicU64::new(0),
        }
    }

    fn bytes(&self) -> [u8; 32] {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(n.to_le_bytes());
        h.finalize().into()
    }

    /// 32 lowercase hex digits, like an ECS task id.
    pub(crate) fn hex32(&self) -> String {
        hex(&self.bytes()[..16])
    }

    /// A version-4 UUID.
    pub(crate) fn uuid(&self) -> String {
        let mut b = self.bytes();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex(&b[..16]);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// A keyed digest (for nextToken integrity), 16 hex digits.
    pub(crate) fn mac(&self, data: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(data.as_bytes());
        hex(&h.finalize()[..8])
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Task states in lifecycle order (the order is the derive order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    Provisioning,
    Pending,
    Activating,
    Running,
    Deactivating,
    Stopping,
    Deprovisioning,
    Stopped,
}

impl Status {
    pub(crate) const ALL: [Status; 8] = [
        Status::Provisioning,
        Status::Pending,
        Status::Activating,
        Status::Running,
        Status::Deactivating,
        Status::Stopping,
        Status::Deprovisioning,
        Status::Stopped,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Provisioning => "PROVISIONING",
            Status::Pending => "PENDING",
            Status::Activating => "ACTIVATING",
            Status::Running => "RUNNING",
            Status::Deactivating => "DEACTIVATING",
            Status::Stopping => "STOPPING",
            Status::Deprovisioning => "DEPROVISIONING",
            Status::Stopped => "STOPPED",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) tags: Vec<Value>,
    /// The cluster's simulated EC2 capacity.
    pub(crate) instance: ContainerInstance,
}

/// The one simulated, registered EC2 container instance every cluster has, from
/// CreateCluster until DeleteCluster. EC2 tasks are placed on it; it never runs out of
/// resources.
#[derive(Debug, Clone)]
pub(crate) struct ContainerInstance {
    pub(crate) id: String,
    /// `arn:aws:ecs:<region>:<account>:container-instance/<cluster>/<id>`
    pub(crate) arn: String,
    pub(crate) availability_zone: String,
}

impl ContainerInstance {
    pub(crate) const INSTANCE_TYPE: &'static str = "t3.medium";

    pub(crate) fn new(region: &str, cluster: &str, id: &str) -> Self {
        ContainerInstance {
            id: id.to_string(),
            arn: format!("arn:aws:ecs:{region}:{ACCOUNT}:container-instance/{cluster}/{id}"),
            availability_zone: format!("{region}a"),
        }
    }

    /// The value of one of its attributes (as `memberOf` expressions name them).
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        match name {
            "ecs.instance-type" => Some(Self::INSTANCE_TYPE),
            "ecs.availability-zone" => Some(&self.availability_zone),
            "ecs.os-type" => Some("linux"),
            "ecs.cpu-architecture" => Some("x86_64"),
            _ => None,
        }
    }

    /// Whether `text` names it: its ARN or its id.
    pub(crate) fn is_named_by(&self, text: &str) -> bool {
        text == self.arn || text == self.id
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ContainerDef {
    pub(crate) name: String,
    pub(crate) image: String,
    pub(crate) cpu: Option<i64>,
    pub(crate) memory: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct TaskDef {
    pub(crate) family: String,
    pub(crate) arn: String,
    pub(crate) active: bool,
    pub(crate) containers: Vec<ContainerDef>,
    pub(crate) cpu: Option<String>,
    pub(crate) memory: Option<String>,
    pub(crate) network_mode: String,
    pub(crate) requires: Vec<String>,
    pub(crate) tags: Vec<Value>,
    /// The `taskDefinition` object as answered by RegisterTaskDefinition (status ACTIVE).
    pub(crate) rendered: Value,
}

/// The elastic network interface of an awsvpc task.
#[derive(Debug, Clone)]
pub(crate) struct Eni {
    pub(crate) attachment_id: String,
    pub(crate) eni_id: String,
    pub(crate) subnet: String,
    pub(crate) ip: String,
    pub(crate) mac: String,
}

#[derive(Debug, Clone)]
pub(crate) struct TaskContainer {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) image: String,
    pub(crate) cpu: Option<i64>,
    pub(crate) memory: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Stop {
    /// When StopTask was called (time since server start).
    pub(crate) at: Duration,
    pub(crate) reason: String,
    pub(crate) code: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct Task {
    /// Creation order within the server; ListTasks pages in this order.
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) arn: String,
    pub(crate) cluster: String,
    pub(crate) cluster_arn: String,
    pub(crate) task_def_arn: String,
    pub(crate) family: String,
    pub(crate) launch_type: String,
    pub(crate) capacity_provider: Option<String>,
    pub(crate) group: String,
    pub(crate) started_by: Option<String>,
    pub(crate) overrides: Value,
    pub(crate) tags: Vec<Value>,
    pub(crate) exec: bool,
    pub(crate) platform_version: Option<String>,
    pub(crate) platform_family: Option<String>,
    pub(crate) cpu: Option<String>,
    pub(crate) memory: Option<String>,
    pub(crate) availability_zone: String,
    /// The container instance an EC2 task was placed on (never set for Fargate).
    pub(crate) container_instance: Option<String>,
    pub(crate) eni: Option<Eni>,
    pub(crate) containers: Vec<TaskContainer>,
    /// When RunTask created it (time since server start).
    pub(crate) created: Duration,
    pub(crate) stop: Option<Stop>,
}

impl Task {
    /// When the task entered `state`, if it has by `now`. States before RUNNING are only
    /// reached if they came before StopTask; the stopping states follow StopTask.
    pub(crate) fn reached(&self, state: Status, now: Duration, pace: Duration) -> Option<Duration> {
        let index = Status::ALL.iter().position(|s| *s == state).unwrap_or(0) as u32;
        let at = if state <= Status::Running {
            let at = self.created.saturating_add(pace.saturating_mul(index));
            if let Some(stop) = &self.stop {
                if state != Status::Provisioning && at >= stop.at {
                    return None;
                }
            }
            at
        } else {
            self.stop
                .as_ref()?
                .at
                .saturating_add(pace.saturating_mul(index - 4))
        };
        (state == Status::Provisioning || at <= now).then_some(at)
    }

    /// The state the task is in at `now`: the last one reached.
    pub(crate) fn status(&self, now: Duration, pace: Duration) -> Status {
        Status::ALL
            .iter()
            .rev()
            .copied()
            .find(|s| self.reached(*s, now, pace).is_some())
            .unwrap_or(Status::Provisioning)
    }

    /// Starts at 1 and grows by one with every state the task has entered since.
    pub(crate) fn version(&self, now: Duration, pace: Duration) -> u64 {
        Status::ALL
            .iter()
            .filter(|s| self.reached(**s, now, pace).is_some())
            .count() as u64
    }

    pub(crate) fn desired_status(&self) -> &'static str {
        if self.stop.is_some() {
            "STOPPED"
        } else {
            "RUNNING"
        }
    }
}

/// Everything one region holds.
#[derive(Debug, Default)]
pub(crate) struct Region {
    pub(crate) clusters: BTreeMap<String, Cluster>,
    /// family → revisions in order (revision n at index n-1).
    pub(crate) task_defs: BTreeMap<String, Vec<TaskDef>>,
    /// seq → task, so iteration is creation order.
    pub(crate) tasks: BTreeMap<u64, Task>,
    /// task id → seq.
    pub(crate) by_id: HashMap<String, u64>,
    /// ACTIVE services, in creation order (`service.rs`).
    pub(crate) services: Vec<Service>,
}

impl Region {
    /// The task with this id or ARN in `cluster`, if any.
    pub(crate) fn find_task(&self, cluster: &str, id_or_arn: &str) -> Option<&Task> {
        let seq = self.find_seq(cluster, id_or_arn)?;
        self.tasks.get(&seq)
    }

    pub(crate) fn find_seq(&self, cluster: &str, id_or_arn: &str) -> Option<u64> {
        let id = if id_or_arn.starts_with("arn:") {
            id_or_arn.rsplit('/').next()?
        } else {
            id_or_arn
        };
        let seq = *self.by_id.get(id)?;
        let task = self.tasks.get(&seq)?;
        let matches =
            task.cluster == cluster && (!id_or_arn.starts_with("arn:") || task.arn == id_or_arn);
        matches.then_some(seq)
    }

    /// The task with this id or ARN in any cluster (the cross-cluster-lookup deviation).
    pub(crate) fn find_seq_in_any_cluster(&self, id_or_arn: &str) -> Option<u64> {
        let id = id_or_arn.rsplit('/').next()?;
        let seq = *self.by_id.get(id)?;
        let task = self.tasks.get(&seq)?;
        (!id_or_arn.starts_with("arn:") || task.arn == id_or_arn).then_some(seq)
    }

    /// Forget a cluster and every task it held.
    pub(crate) fn remove_cluster(&mut self, name: &str) -> Option<Cluster> {
        let cluster = self.clusters.remove(name)?;
        let gone: Vec<u64> = self
            .tasks
            .values()
            .filter(|t| t.cluster == name)
            .map(|t| t.seq)
            .collect();
        for seq in gone {
            if let Some(t) = self.tasks.remove(&seq) {
                self.by_id.remove(&t.id);
            }
        }
        Some(cluster)
    }
}

/// All regions, plus the creation counter shared by all of them.
#[derive(Debug, Default)]
pub(crate) struct Store {
    regions: HashMap<String, Region>,
    next_seq: u64,
}

impl Store {
    pub(crate) fn region(&mut self, name: &str) -> &mut Region {
        self.regions.entry(name.to_string()).or_default()
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }
}

pub(crate) fn cluster_arn(region: &str, name: &str) -> String {
    format!("arn:aws:ecs:{region}:{ACCOUNT}:cluster/{name}")
}

pub(crate) fn task_arn(region: &str, cluster: &str, id: &str) -> String {
    format!("arn:aws:ecs:{region}:{ACCOUNT}:task/{cluster}/{id}")
}

pub(crate) fn task_def_arn(region: &str, family: &str, revision: u64) -> String {
    format!("arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{family}:{revision}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(created_ms: u64) -> Task {
        Task {
            seq: 1,
            id: "x".into(),
            arn: "a".into(),
            cluster: "c".into(),
            cluster_arn: "ca".into(),
            task_def_arn: "td".into(),
            family: "f".into(),
            launch_type: "EC2".into(),
            capacity_provider: None,
            group: "family:f".into(),
            started_by: None,
            overrides: Value::Null,
            tags: vec![],
            exec: false,
            platform_version: None,
            platform_family: None,
            cpu: None,
            memory: None,
            availability_zone: "us-east-1a".into(),
            container_instance: None,
            eni: None,
            containers: vec![],
            created: Duration::from_millis(created_ms),
            stop: None,
        }
    }

    #[test]
    fn lifecycle_moves_forward_with_time_and_version_grows() {
        let pace = Duration::from_millis(10);
        let mut t = task(0);
        let ms = Duration::from_millis;
        assert_eq!(t.status(ms(0), pace), Status::Provisioning);
        assert_eq!(t.version(ms(0), pace), 1);
        assert_eq!(t.status(ms(15), pace), Status::Pending);
        assert_eq!(t.status(ms(25), pace), Status::Activating);
        assert_eq!(t.status(ms(35), pace), Status::Running);
        assert_eq!(t.version(ms(35), pace), 4);
        t.stop = Some(Stop {
            at: ms(40),
            reason: "r".into(),
            code: "UserInitiated",
        });
        assert_eq!(t.status(ms(40), pace), Status::Deactivating);
        assert_eq!(t.status(ms(55), pace), Status::Stopping);
        assert_eq!(t.status(ms(65), pace), Status::Deprovisioning);
        assert_eq!(t.status(ms(75), pace), Status::Stopped);
        assert_eq!(t.version(ms(75), pace), 8);
        assert_eq!(t.reached(Status::Stopped, ms(75), pace), Some(ms(70)));
    }

    #[test]
    fn a_task_stopped_early_never_reaches_running() {
        let pace = Duration::from_millis(10);
        let mut t = task(0);
        let ms = Duration::from_millis;
        t.stop = Some(Stop {
            at: ms(12),
            reason: "r".into(),
            code: "UserInitiated",
        });
        assert_eq!(t.status(ms(12), pace), Status::Deactivating);
        assert!(t.reached(Status::Pending, ms(100), pace).is_some());
        assert!(t.reached(Status::Running, ms(100), pace).is_none());
        assert_eq!(t.status(ms(100), pace), Status::Stopped);
    }

    #[test]
    fn an_enormous_pace_does_not_overflow() {
        let t = task(5);
        assert_eq!(
            t.status(Duration::from_secs(1), Duration::MAX),
            Status::Provisioning
        );
        assert_eq!(t.version(Duration::MAX, Duration::MAX), 4);
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let ids = Ids::new();
        let a = ids.hex32();
        assert_eq!(a.len(), 32);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, ids.hex32());
        let u = ids.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
