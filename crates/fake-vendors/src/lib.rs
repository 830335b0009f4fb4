//! Local fakes of the five vendors' customer APIs, served with axum on 127.0.0.1.
//!
//! Each fake follows its vendor's real paths, paging, limits, auth check and error bodies,
//! and serves deterministic customers in the vendor's shape ([`records`]). Optionally it
//! rate-limits the vendor's way and injects faults (429, 503, connection resets, truncated
//! bodies, stalls). The `customers` CLI (`customers mock`, `customers demo`), the end-to-end
//! tests and the benchmarks share it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use fake_vendors::{FakeConfig, FakeServer};
//! let fake = FakeServer::start(FakeConfig::new(fake_vendors::Vendor::Hoko).customers(250)).await?;
//! println!("listening at {}", fake.base_url());
//! # Ok(()) }
//! ```

mod data;
mod env;
mod exchanges;
mod fake;
mod faults;
mod routes;

use std::net::SocketAddr;
use std::sync::Arc;

pub use data::records;
pub use env::accepted_credentials;
pub use exchanges::Exchange;
pub use faults::RateWindow;
pub use routes::Vendor;
use tokio::sync::oneshot;

/// The API key every fake that takes one accepts.
pub const API_KEY: &str = "fake-api-key";
/// The secret key of a fake that takes one besides its API key.
pub const SECRET_KEY: &str = "fake-secret-key";
/// The application id of a fake that asks for one (in a body or at login).
pub const APP_ID: &str = "fake-app";
/// The fixed bearer token of a fake whose vendor issues tokens (login issues others).
pub const TOKEN: &str = "fake-token";
/// The login of a fake whose vendor logs users in.
pub const LOGIN: &str = "fake-login";
/// The password that goes with [`LOGIN`].
pub const PASSWORD: &str = "fake-password";

/// What a fake serves and how it misbehaves.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// The vendor to fake.
    pub vendor: Vendor,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// How many customers it serves.
    pub customers: usize,
    /// Seed of the data and of the faults.
    pub seed: u64,
    /// Requests allowed per minute before it answers 429 the vendor's way.
    pub rate_limit_per_minute: Option<u32>,
    /// How the rate limit counts: a sliding minute, fixed minutes, fixed minutes announced.
    pub rate_limit_window: RateWindow,
    /// Share of requests (0.0..=1.0) that get a fault instead of an answer.
    pub fault_rate: f64,
    /// Whether to keep every exchange for [`FakeServer::exchanges`] (tests only: it holds
    /// every body in memory).
    pub record_exchanges: bool,
    /// Multiplies the fakes' clock: the faults' delays (a stall, the wait an injected 429
    /// asks for) and the rate limit's minute, so tests can run long exports fast. 1.0 is
    /// real time.
    pub time_scale: f64,
    /// Customers, by index in creation order, that the fake no longer serves: deleted at
    /// the vendor since an earlier server of the same seed served them.
    pub removed: Vec<usize>,
    /// Customers, by index, that changed when the server started: a server-side change
    /// filter (Gleantap's `updated_since`) lists them as changed today.
    pub changed: Vec<usize>,
    /// Customers added at the head of the list (where it starts as the vendor serves it)
    /// after every list page served: a list that grows while it is paged.
    pub grow_per_page: usize,
    /// Each request waits a random time up to this before it is served, so that requests
    /// sent side by side may be served in either order.
    pub jitter: std::time::Duration,
}

impl FakeConfig {
    /// 100 customers, seed 1, no rate limit, no faults, a free port.
    pub fn new(vendor: Vendor) -> Self {
        FakeConfig {
            vendor,
            port: 0,
            customers: 100,
            seed: 1,
            rate_limit_per_minute: None,
            rate_limit_window: RateWindow::Sliding,
            fault_rate: 0.0,
            record_exchanges: false,
            time_scale: 1.0,
            removed: Vec::new(),
            changed: Vec::new(),
            grow_per_page: 0,
            jitter: std::time::Duration::ZERO,
        }
    }

    /// With `count` customers.
    pub fn customers(mut self, count: usize) -> Self {
        self.customers = count;
        self
    }

    /// With the data and fault seed `seed`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Answering 429 after `per_minute` requests a minute.
    pub fn rate_limit_per_minute(mut self, per_minute: u32) -> Self {
        self.rate_limit_per_minute = Some(per_minute);
        self
    }

    /// Counting the rate limit the `kind` way.
    pub fn rate_limit_window(mut self, kind: RateWindow) -> Self {
        self.rate_limit_window = kind;
        self
    }

    /// Injecting a fault into this share of requests.
    pub fn fault_rate(mut self, rate: f64) -> Self {
        self.fault_rate = rate;
        self
    }

    /// With the faults' delays multiplied by `scale`.
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.time_scale = scale;
        self
    }

    /// Keeping every exchange, for [`FakeServer::exchanges`].
    pub fn record_exchanges(mut self) -> Self {
        self.record_exchanges = true;
        self
    }

    /// Without the customers of these indexes (deleted at the vendor).
    pub fn removed(mut self, indexes: impl IntoIterator<Item = usize>) -> Self {
        self.removed.extend(indexes);
        self
    }

    /// With the customers of these indexes changed when the server starts.
    pub fn changed(mut self, indexes: impl IntoIterator<Item = usize>) -> Self {
        self.changed.extend(indexes);
        self
    }

    /// Adding `count` customers at the head of the list after every list page served.
    pub fn grow_per_page(mut self, count: usize) -> Self {
        self.grow_per_page = count;
        self
    }

    /// Serving each request after a random wait up to `jitter`.
    pub fn jitter(mut self, jitter: std::time::Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// The customers this configuration serves, in creation order.
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.records_with_change_times(chrono::Utc::now())
            .into_iter()
            .map(|(record, _)| record)
            .collect()
    }

    /// [`FakeConfig::records`] with their change times, `now` for the changed ones.
    pub(crate) fn records_with_change_times(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<(serde_json::Value, chrono::DateTime<chrono::Utc>)> {
        data::records_with_change_times(self.vendor, self.customers, self.seed)
            .into_iter()
            .enumerate()
            .filter(|(index, _)| !self.removed.contains(index))
            .map(|(index, (record, updated))| {
                let updated = if self.changed.contains(&index) {
                    now
                } else {
                    updated
                };
                (record, updated)
            })
            .collect()
    }
}

/// The vendor's id of one of a fake's records, as text (a number's digits).
pub fn record_id(vendor: Vendor, record: &serde_json::Value) -> String {
    match &record[vendor.fake().id_field()] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A running fake; stops when dropped.
pub struct FakeServer {
    address: SocketAddr,
    vendor: Vendor,
    state: Arc<routes::State>,
    stop: Option<oneshot::Sender<()>>,
}

impl FakeServer {
    /// Binds 127.0.0.1 and serves in the background.
    pub async fn start(config: FakeConfig) -> std::io::Result<FakeServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let address = listener.local_addr()?;
        let vendor = config.vendor;
        let state = Arc::new(routes::State::new(config));
        let app = routes::router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await;
        });
        Ok(FakeServer {
            address,
            vendor,
            state,
            stop: Some(stop),
        })
    }

    /// The base URL to give a client: the vendor's server URL with this fake's host.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.address, self.vendor.fake().base_path())
    }

    /// How many exchanges [`FakeServer::exchanges`] holds, without copying them.
    pub fn exchange_count(&self) -> usize {
        self.state.exchanges.lock().map_or(0, |log| log.len())
    }

    /// Every exchange served so far, oldest first; empty unless the configuration asked
    /// for [`FakeConfig::record_exchanges`].
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state
            .exchanges
            .lock()
            .map(|log| log.clone())
            .unwrap_or_default()
    }

    /// The socket address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
