//! The request to stop a run early, shared by whoever asks (the CLI's signal handler,
//! an embedding program) and the runner that honours it: running cases finish their
//! current step, teardown and cleanup still run, and cut-short cases claim no verdict.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Set once; cannot be cleared.
#[derive(Debug, Default)]
pub struct Interrupt {
    set: AtomicBool,
    reason: Mutex<Option<String>>,
    notify: Notify,
}

impl Interrupt {
    pub fn new() -> Arc<Interrupt> {
        Arc::new(Interrupt::default())
    }

    /// Asks the run to stop, saying why (e.g. `Ctrl-C`). Returns false when it had
    /// already been asked (the first reason stays).
    pub fn interrupt(&self, reason: &str) -> bool {
        if self.set.swap(true, Ordering::SeqCst) {
            return false;
        }
        if let Ok(mut r) = self.reason.lock() {
            *r = Some(reason.to_owned());
        }
        self.notify.notify_waiters();
        true
    }

    pub fn is_set(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }

    /// Why the run was interrupted, once it was.
    pub fn reason(&self) -> Option<String> {
        self.reason.lock().ok().and_then(|r| r.clone())
    }

    /// Waits until the run is interrupted; returns the reason.
    pub async fn wait(&self) -> String {
        loop {
            let notified = self.notify.notified();
            if self.is_set() {
                return self.reason().unwrap_or_default();
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_stays_and_waiters_wake() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let interrupt = Interrupt::new();
        let waiter = {
            let interrupt = Arc::clone(&interrupt);
            runtime.spawn(async move { interrupt.wait().await })
        };
        assert!(!interrupt.is_set());
        assert!(interrupt.interrupt("SIGTERM"));
        assert!(!interrupt.interrupt("Ctrl-C"));
        assert_eq!(runtime.block_on(waiter).unwrap(), "SIGTERM");
        assert_eq!(interrupt.reason().as_deref(), Some("SIGTERM"));
        // A waiter that comes after the interrupt returns at once.
        assert_eq!(runtime.block_on(interrupt.wait()), "SIGTERM");
    }
}
