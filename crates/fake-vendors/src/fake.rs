//! The one trait through which the shared parts of the fakes (the server, the data, the
//! faults) reach a vendor's fake; each `routes/<vendor>.rs` implements it, and the registry
//! in `lib.rs` maps a [`Vendor`](crate::Vendor) to it.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::data::Person;
use crate::routes::SharedState;

/// Everything that differs between the vendors' fakes.
pub(crate) trait Fake: Send + Sync + 'static {
    /// The path part of the vendor's server URL (`""` when it has none).
    fn base_path(&self) -> &'static str;

    /// The vendor's routes, below [`Fake::base_path`].
    fn routes(&self) -> Router<SharedState>;

    /// The credentials the fake accepts, each under its name in the vendor's spec (its
    /// `x-env` entries: `bearer_auth`, `login`, `app_id`, …).
    fn credentials(&self) -> &'static [(&'static str, &'static str)];

    /// Mixed into the seed so each vendor's data differs.
    fn salt(&self) -> u64;

    /// The field of a record that holds the vendor's id.
    fn id_field(&self) -> &'static str {
        "id"
    }

    /// `person` in the vendor's own record shape.
    fn record(&self, person: &Person, rng: &mut fastrand::Rng) -> Value;

    /// 429, the vendor's way (`wait_seconds` until the window frees up, of `limit` a minute).
    fn too_many_requests(&self, wait_seconds: u64, limit: u32) -> Response;

    /// Whether the list serves the newest customers first (so a growing list grows at the
    /// end of creation order); otherwise it serves creation order and grows at its start.
    fn newest_first(&self) -> bool {
        false
    }

    /// 503, the vendor's way.
    fn unavailable(&self) -> Response {
        (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response()
    }
}
