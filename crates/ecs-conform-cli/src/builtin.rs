//! The built-in reference target (crate `ecs-reference`), started by the CLI for a run,
//! `diff` or `serve`. The library only sees its endpoint and label
//! (`TargetChoice::local`): it never depends on the oracle.

use ecs_conform::app::TargetChoice;
use ecs_reference::{Background, Deviation, ReferenceError, ReferenceOptions};

/// A running reference target; stopped when dropped.
pub struct BuiltIn {
    server: Background,
    /// What reports call it.
    pub label: String,
}

impl BuiltIn {
    /// Starts the reference on a loopback port with these options.
    pub fn start(options: ReferenceOptions) -> Result<BuiltIn, ReferenceError> {
        let label = label(&options.deviations);
        Ok(BuiltIn {
            server: Background::start(options)?,
            label,
        })
    }

    /// The URL it listens on.
    pub fn endpoint(&self) -> String {
        self.server.endpoint()
    }

    /// Points `choice` at this target.
    pub fn choose(&self, choice: &mut TargetChoice) {
        choice.endpoint = self.endpoint();
        choice.local = Some(self.label.clone());
    }

    /// Serves until one of `signals` (Ctrl-C, SIGTERM, SIGHUP), then stops.
    pub fn serve_until(self, signals: Option<crate::signals::StopSignals>) {
        match signals {
            Some(signals) => {
                signals.wait();
            }
            // No runtime for signals: serve until the process is killed.
            None => loop {
                std::thread::park();
            },
        }
        self.server.stop();
    }
}

/// "the built-in reference target", naming its deviations if any.
fn label(deviations: &[Deviation]) -> String {
    if deviations.is_empty() {
        return "the built-in reference target".into();
    }
    format!(
        "the built-in reference target with deviations {}",
        deviations
            .iter()
            .map(|d| d.name())
            .collect::<Vec<_>>()
            .join(", ")
    )
}
