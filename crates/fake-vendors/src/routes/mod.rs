//! The fakes' registry (the one place that names the vendors), their HTTP routes, one
//! module per vendor, and their shared state.

pub(crate) mod botpenguin;
pub(crate) mod carecloud;
pub(crate) mod gleantap;
pub(crate) mod helpcrunch;
pub(crate) mod hoko;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::http::HeaderMap;
use serde_json::Value;

use crate::FakeConfig;
use crate::faults::{self, Window};

/// A vendor these fakes can stand in for. The fakes depend on nothing they are used to
/// test: this is their own list, and the `customers` CLI maps its vendors onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Hoko.
    Hoko,
    /// CareCloud.
    CareCloud,
    /// BotPenguin.
    BotPenguin,
    /// Gleantap.
    Gleantap,
    /// HelpCrunch.
    HelpCrunch,
}

impl Vendor {
    /// Every fake, in a fixed order.
    pub const ALL: [Vendor; 5] = [
        Vendor::Hoko,
        Vendor::CareCloud,
        Vendor::BotPenguin,
        Vendor::Gleantap,
        Vendor::HelpCrunch,
    ];

    /// The lowercase name (`"helpcrunch"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Hoko => "hoko",
            Vendor::CareCloud => "carecloud",
            Vendor::BotPenguin => "botpenguin",
            Vendor::Gleantap => "gleantap",
            Vendor::HelpCrunch => "helpcrunch",
        }
    }
}

impl Vendor {
    /// This vendor's fake: the registry, the one place that maps a vendor to its module.
    pub(crate) fn fake(self) -> &'static dyn crate::fake::Fake {
        match self {
            Vendor::Hoko => &hoko::FakeHoko,
            Vendor::CareCloud => &carecloud::FakeCareCloud,
            Vendor::BotPenguin => &botpenguin::FakeBotPenguin,
            Vendor::Gleantap => &gleantap::FakeGleantap,
            Vendor::HelpCrunch => &helpcrunch::FakeHelpCrunch,
        }
    }
}

impl std::fmt::Display for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What every request of one fake shares.
pub(crate) struct State {
    pub config: FakeConfig,
    /// The customers served now.
    served: RwLock<Served>,
    /// Customers not served yet, in creation order: a list that grows takes them.
    unborn: Mutex<std::vec::IntoIter<(Value, chrono::DateTime<chrono::Utc>)>>,
    pub window: Mutex<Window>,
    rng: Mutex<fastrand::Rng>,
    jitter_rng: Mutex<fastrand::Rng>,
    /// CareCloud tokens issued by login.
    pub tokens: Mutex<HashSet<String>>,
    /// Every exchange, when the configuration records them.
    pub exchanges: Mutex<Vec<crate::Exchange>>,
}

pub(crate) type SharedState = Arc<State>;

/// The customers a fake serves, in creation order.
#[derive(Default)]
pub(crate) struct Served {
    pub records: Vec<Value>,
    /// When each of `records` last changed, for a server-side change filter.
    pub changed_at: Vec<chrono::DateTime<chrono::Utc>>,
}

/// Customers a growing list can take at most.
const UNBORN_MAX: usize = 100_000;

impl State {
    pub fn new(config: FakeConfig) -> Self {
        let now = chrono::Utc::now();
        let unborn = if config.grow_per_page > 0 {
            let all = crate::data::records_with_change_times(
                config.vendor,
                config.customers + UNBORN_MAX.min(config.grow_per_page * 10_000),
                config.seed,
            );
            all.into_iter().skip(config.customers).collect()
        } else {
            Vec::new()
        };
        let (records, changed_at) = config.records_with_change_times(now).into_iter().unzip();
        State {
            served: RwLock::new(Served {
                records,
                changed_at,
            }),
            unborn: Mutex::new(unborn.into_iter()),
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            jitter_rng: Mutex::new(fastrand::Rng::with_seed(config.seed ^ 0x6a69)),
            window: Mutex::default(),
            tokens: Mutex::default(),
            exchanges: Mutex::default(),
            config,
        }
    }

    /// The customers served now, in creation order.
    pub fn served(&self) -> std::sync::RwLockReadGuard<'_, Served> {
        self.served
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A list page was served: a growing list takes its next customers, at the head of
    /// the list as the vendor serves it.
    pub fn page_served(&self) {
        let grow = self.config.grow_per_page;
        if grow == 0 {
            return;
        }
        let born: Vec<_> = match self.unborn.lock() {
            Ok(mut unborn) => unborn.by_ref().take(grow).collect(),
            Err(_) => return,
        };
        let mut served = self
            .served
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let at_end = self.config.vendor.fake().newest_first();
        for (record, changed) in born {
            if at_end {
                served.records.push(record);
                served.changed_at.push(changed);
            } else {
                served.records.insert(0, record);
                served.changed_at.insert(0, changed);
            }
        }
    }

    /// A random share (0..1) of the jitter, from its own generator (the faults' draws stay
    /// as the seed makes them).
    pub fn jitter(&self) -> f64 {
        self.jitter_rng.lock().map_or(0.0, |mut rng| rng.f64())
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

/// The app for `state`'s vendor, with the rate limit and faults in front.
pub(crate) fn router(state: SharedState) -> Router {
    let fake = state.config.vendor.fake();
    let routes = fake.routes();
    let routes = routes.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        faults::misbehave,
    ));
    let app = match fake.base_path() {
        "" => routes,
        base => Router::new().nest(base, routes),
    };
    // Outermost, so the log sees the full path and the faults' answers too.
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::exchanges::record,
    ))
    .with_state(state)
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
