//! The reference target: a small in-memory implementation of the ECS task API
//! (RunTask, StopTask, DescribeTasks, ListTasks, plus the setup operations CreateCluster,
//! DeleteCluster, RegisterTaskDefinition, DeregisterTaskDefinition, CreateService and
//! DeleteService, and ListClusters,
//! DescribeClusters and ListTaskDefinitions to find what exists) that follows the
//! contract in `design/CONTRACT.md`, and named [`Deviation`]s that each break one
//! documented rule on purpose.
//!
//! Simplification: every cluster has exactly one simulated, registered EC2 container
//! instance (`container-instance/<cluster>/<id>`, a `t3.medium` in the region's
//! `<region>a` zone) from CreateCluster until DeleteCluster, with unlimited resources.
//! EC2 tasks are placed on it (they carry its `containerInstanceArn`, and ListTasks
//! filters by it); placement constraints are checked against it, so `distinctInstance`
//! places one task per RunTask call. Fargate tasks have no container instance.
//!
//! The harness certifies its suite against the clean reference (every case must pass)
//! and runs it once per deviation (each must be caught). The reference is a test
//! oracle: it depends on no harness module.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ecs_reference::ReferenceError> {
//! use ecs_reference::{start, Deviation, ReferenceOptions};
//! let server = start(ReferenceOptions {
//!     deviations: vec![Deviation::StringTimestamps],
//!     ..ReferenceOptions::default()
//! })
//! .await?;
//! println!("serving on {}", server.endpoint());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Files: `background` (a server on its own runtime, for callers that are not async), `server` (wire and routing), `ops` (dispatch and the task operations), `list`
//! (ListTasks and paging), `placement` (placement constraints and strategies on the
//! simulated instance), `setup` (clusters and
//! task definitions), `service` (CreateService and DeleteService, for the ListTasks
//! `serviceName` filter), `inventory` (listing and describing them), `state` (data and the time-driven lifecycle), `view` (JSON
//! rendering), `input` (typed request access), `error`, `deviation` (the deviations and
//! the final render step that applies most of them).

mod background;
mod deviation;
mod error;
mod input;
mod inventory;
mod list;
mod ops;
mod placement;
mod server;
mod service;
mod setup;
mod state;
mod task_deviations;
mod view;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use background::Background;
pub use deviation::Deviation;
pub use state::{ACCOUNT, DEFAULT_REGION};

/// How to run a reference server.
#[derive(Debug, Clone)]
pub struct ReferenceOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Documented rules to break on purpose (none: the clean reference).
    pub deviations: Vec<Deviation>,
    /// Time a task spends in each transitional state (PROVISIONING, PENDING, …).
    pub pace: Duration,
}

impl Default for ReferenceOptions {
    fn default() -> Self {
        ReferenceOptions {
            port: 0,
            deviations: Vec::new(),
            pace: Duration::from_millis(20),
        }
    }
}

/// Why a reference server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot bind the reference server to {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the reference server's local address: {0}")]
    LocalAddr(#[source] std::io::Error),
    #[error("cannot start the reference server's runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// A running reference server. Dropping it stops the server too; [`shutdown`]
/// additionally waits until it has stopped.
///
/// [`shutdown`]: ReferenceServer::shutdown
#[derive(Debug)]
pub struct ReferenceServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl ReferenceServer {
    /// The bound address (always on 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits (at most two seconds) for open ones.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds 127.0.0.1:`port` (loopback only) and serves on the current tokio runtime, in a
/// spawned task.
pub async fn start(opts: ReferenceOptions) -> Result<ReferenceServer, ReferenceError> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, opts.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ReferenceError::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(ReferenceError::LocalAddr)?;
    let app = Arc::new(ops::App::new(opts.pace, &opts.deviations));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, server::router(app))
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(ReferenceServer {
        addr,
        stop: Some(stop),
        task,
    })
}
