//! The reference target: an in-memory ECS task API that follows the contract, plus
//! named deviations that break it on purpose. (Placeholder until issue 4 lands.)

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ReferenceOptions {
    pub port: u16,
    pub deviations: Vec<Deviation>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deviation {
    Placeholder,
}

impl Deviation {
    pub fn all() -> &'static [Deviation] {
        &[Deviation::Placeholder]
    }
    pub fn name(self) -> &'static str {
        "placeholder"
    }
    pub fn summary(self) -> &'static str {
        "placeholder"
    }
}

impl std::str::FromStr for Deviation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Err(format!("unknown deviation {s}"))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot bind {0}")]
    Bind(String),
}

pub struct ReferenceServer {
    addr: SocketAddr,
}

impl ReferenceServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub async fn shutdown(self) {}
}

pub async fn start(_opts: ReferenceOptions) -> Result<ReferenceServer, ReferenceError> {
    Err(ReferenceError::Bind("placeholder".into()))
}
