//! Waiting for a PostgreSQL server that went away mid-sync (a restart, a failover, the
//! sync's sessions ended), so that the sync can go on from its last committed page instead
//! of ending: with backoff, for as long as [`crate::SyncOptions::reconnect_for`] allows.

use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

use crate::SyncError;
use crate::store::Store;

/// The longest wait between two tries.
const MAX_DELAY: Duration = Duration::from_secs(5);

/// Where a sync stands with a server that goes away.
pub(crate) struct Reconnect {
    /// How long the server may stay away.
    allowed: Duration,
    /// Since when it has been away (the first failure after the last committed page), and
    /// how many times the sync tried to reconnect since.
    away: Option<(Instant, usize)>,
    delays: ExponentialBackoff,
}

/// Waits between tries: from a quarter of a second, doubling to [`MAX_DELAY`], with jitter
/// (the syncs of many accounts do not all come back at the same moment).
fn delays() -> ExponentialBackoff {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(250))
        .with_max_delay(MAX_DELAY)
        .with_jitter()
        .without_max_times()
        .build()
}

impl Reconnect {
    /// A server may stay away for `allowed`.
    pub(crate) fn new(allowed: Duration) -> Self {
        Reconnect {
            allowed,
            away: None,
            delays: delays(),
        }
    }

    /// A page committed since the last failure: the time away counts again from the next.
    pub(crate) fn progressed(&mut self) {
        self.away = None;
        self.delays = delays();
    }

    /// After `failure` ended the server's sessions: waits until `store` takes a connection
    /// again, and gives the failure's text. When the time allowed is spent first, the
    /// failure to end the sync with (naming the tries, if any).
    pub(crate) async fn wait(
        &mut self,
        store: &Store,
        account: &str,
        failure: SyncError,
    ) -> Result<String, SyncError> {
        let (since, tries) = self.away.get_or_insert_with(|| (Instant::now(), 0));
        loop {
            let delay = self.delays.next().unwrap_or(MAX_DELAY);
            if since.elapsed() + delay > self.allowed {
                return Err(match *tries {
                    0 => failure,
                    tries => SyncError::GoneAway {
                        cause: Box::new(failure),
                        tries,
                        waited: since.elapsed(),
                    },
                });
            }
            tracing::warn!(
                account,
                error = %failure,
                "the database went away mid-sync: reconnecting in {} ms to go on from the last committed page",
                delay.as_millis()
            );
            tokio::time::sleep(delay).await;
            *tries += 1;
            if store.reachable().await {
                return Ok(failure.to_string());
            }
        }
    }
}
