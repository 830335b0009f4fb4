//! How long a response may stall and how large it may be, so that neither a server that
//! stops sending nor one that never stops can hang or exhaust an export.

use std::time::Duration;

/// Bounds on every response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest wait for the next bytes of a response (its head, then each piece of its
    /// body). A response that stalls longer fails the attempt as timed out; the attempt is
    /// retried as the [`RetryPolicy`](crate::RetryPolicy) allows. Default 30 s.
    pub idle_timeout: Duration,
    /// Largest response body held in memory. A larger one is an error before it is read
    /// (when it announces its length) or as soon as it passes the cap. Default 256 MiB.
    pub max_body_bytes: u64,
    /// Longest one attempt may take from sending to the body's last byte, however steadily
    /// the server sends (`None`, the default: no total, only the idle timeout). A longer
    /// attempt fails as timed out and is retried as the policy allows.
    pub attempt_timeout: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            idle_timeout: Duration::from_secs(30),
            max_body_bytes: 256 * 1024 * 1024,
            attempt_timeout: None,
        }
    }
}
