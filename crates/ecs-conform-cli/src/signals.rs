//! The signals that interrupt a run: SIGINT (Ctrl-C), SIGTERM and SIGHUP on Unix
//! (what a terminal and CI systems send on cancel), Ctrl-C elsewhere. The first asks the
//! run to stop through its shared `Interrupt` (current steps finish, teardown and
//! cleanup run, the run reports and exits 130); a second one quits at once with 130.
//! `serve` stops at the first one.

use ecs_conform::run::Interrupt;
use std::sync::Arc;

/// Watches for signals from now on, on a thread of its own. Returns once the handlers
/// are registered, so a signal sent after this call interrupts the run.
pub fn watch(interrupt: Arc<Interrupt>) {
    let (ready, registered) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                let _ = ready.send(());
                return;
            };
            runtime.block_on(async move {
                let mut signals = Signals::new();
                let _ = ready.send(());
                if let Some(name) = signals.next().await {
                    interrupt.interrupt(name);
                    if signals.next().await.is_some() {
                        std::process::exit(130);
                    }
                }
            });
        });
    if spawned.is_ok() {
        let _ = registered.recv();
    }
}

/// The signals `serve` stops on, registered (so one sent from now on is caught).
pub struct StopSignals {
    runtime: tokio::runtime::Runtime,
    signals: Signals,
}

impl StopSignals {
    /// Registers the handlers; None when no runtime can be made.
    pub fn register() -> Option<StopSignals> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        let signals = {
            let _context = runtime.enter();
            Signals::new()
        };
        Some(StopSignals { runtime, signals })
    }

    /// Blocks until one arrives; returns its name (None when none can be received).
    pub fn wait(mut self) -> Option<&'static str> {
        self.runtime.block_on(self.signals.next())
    }
}

struct Signals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Must be called inside a runtime.
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The name of the next signal; None when none can be received.
    async fn next(&mut self) -> Option<&'static str> {
        #[cfg(unix)]
        {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
                match s {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            }
            if self.int.is_none() && self.term.is_none() && self.hup.is_none() {
                return None;
            }
            tokio::select! {
                r = recv(&mut self.int) => r.map(|()| "Ctrl-C"),
                r = recv(&mut self.term) => r.map(|()| "SIGTERM"),
                r = recv(&mut self.hup) => r.map(|()| "SIGHUP"),
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C")
    }
}
