//! The reference served from a runtime of its own, for callers that are not async (the
//! `ecs-conform` CLI, tests, benchmarks): start it, take its endpoint, stop it (or drop
//! it).

use super::{start, ReferenceError, ReferenceOptions, ReferenceServer};

/// A reference server running on its own two-thread runtime until stopped or dropped.
pub struct Background {
    runtime: tokio::runtime::Runtime,
    server: Option<ReferenceServer>,
}

impl Background {
    /// Starts the reference (on 127.0.0.1) with these options.
    pub fn start(options: ReferenceOptions) -> Result<Background, ReferenceError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ecs-reference")
            .enable_all()
            .build()
            .map_err(ReferenceError::Runtime)?;
        let server = runtime.block_on(start(options))?;
        Ok(Background {
            runtime,
            server: Some(server),
        })
    }

    /// The URL it listens on (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> String {
        self.server
            .as_ref()
            .map(ReferenceServer::endpoint)
            .unwrap_or_default()
    }

    /// Stops the server and waits until it has stopped.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.shutdown();
    }
}
