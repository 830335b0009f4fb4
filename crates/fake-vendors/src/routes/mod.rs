//! The fakes' HTTP routes, one module per vendor, and their shared state.

mod botpenguin;
mod carecloud;
mod gleantap;
mod helpcrunch;
mod hoko;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::HeaderMap;
use serde_json::Value;

use crate::faults::{self, Window};
use crate::{FakeConfig, Vendor};

/// What every request of one fake shares.
pub(crate) struct State {
    pub config: FakeConfig,
    pub records: Vec<Value>,
    pub window: Mutex<Window>,
    rng: Mutex<fastrand::Rng>,
    /// CareCloud tokens issued by login.
    pub tokens: Mutex<HashSet<String>>,
}

pub(crate) type SharedState = Arc<State>;

impl State {
    pub fn new(config: FakeConfig) -> Self {
        State {
            records: config.records(),
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            window: Mutex::default(),
            tokens: Mutex::default(),
            config,
        }
    }

    /// Draws from the fault generator with the configured fault rate.
    pub fn draw<T>(&self, f: impl FnOnce(&mut fastrand::Rng, f64) -> Option<T>) -> Option<T> {
        let rate = self.config.fault_rate;
        if rate <= 0.0 {
            return None;
        }
        self.rng.lock().ok().and_then(|mut rng| f(&mut rng, rate))
    }
}

/// The path part of the vendor's server URL.
pub(crate) fn base_path(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::CareCloud => "/webservice/rest-api/enterprise-interface/v1.0",
        Vendor::HelpCrunch => "/v1",
        Vendor::Hoko | Vendor::BotPenguin | Vendor::Gleantap => "",
    }
}

/// The app for `state`'s vendor, with the rate limit and faults in front.
pub(crate) fn router(state: SharedState) -> Router {
    let vendor = state.config.vendor;
    let routes = match vendor {
        Vendor::Hoko => hoko::routes(),
        Vendor::CareCloud => carecloud::routes(),
        Vendor::BotPenguin => botpenguin::routes(),
        Vendor::Gleantap => gleantap::routes(),
        Vendor::HelpCrunch => helpcrunch::routes(),
    };
    let routes = routes.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        faults::misbehave,
    ));
    let app = match base_path(vendor) {
        "" => routes,
        base => Router::new().nest(base, routes),
    };
    app.with_state(state)
}

/// The bearer token of a request (`Authorization: Bearer <token>`).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The header's value as text.
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

/// Copies of `records[offset..offset + limit]`, clamped; only the page is copied.
pub(crate) fn window<'a>(
    records: impl IntoIterator<Item = &'a Value>,
    offset: usize,
    limit: usize,
) -> Vec<Value> {
    records
        .into_iter()
        .skip(offset)
        .take(limit)
        .cloned()
        .collect()
}
