//! The target: endpoint, path style, region, SigV4 signing, timeouts and retries of
//! throttled calls; turns one call into an `Exchange`.

mod exchange;

pub use exchange::{Exchange, ReceivedResponse, SentRequest};
