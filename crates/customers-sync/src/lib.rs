//! Sync vendors' customers into SQLite or PostgreSQL, and find the same person across
//! vendors.
//!
//! [`sync`] writes one vendor's customers, listed through a [`customers::CustomersClient`],
//! into the `customers` table of a [`Store`]: one row per (`vendor`, `id`) with the common
//! fields as columns and the vendor's record in `raw`. Each page and the sync's checkpoint
//! are committed in one transaction, so a sync killed at any moment goes on from its last
//! page next time. Where the vendor filters by change time on its server (Gleantap), a
//! later sync asks only for what changed since the last one; elsewhere, and with
//! [`SyncOptions::full`], it sweeps everything, and a completed sweep marks the customers it
//! no longer saw with `deleted_at`.
//!
//! [`people()`] groups the customers of all vendors that share an email or a phone number.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use customers::{Credentials, CustomersClient, Vendor};
//! use customers_sync::{Store, SyncOptions, sync};
//!
//! let store = Store::open("customers.db").await?;
//! let client = CustomersClient::builder(Credentials::from_env(Vendor::Hoko)?).build()?;
//! let report = sync(&store, &client, &SyncOptions::new()).await?;
//! println!("{} customers, {} marked deleted", report.customers, report.marked_deleted);
//! # Ok(()) }
//! ```

mod error;
pub mod people;
mod rows;
pub mod state;
mod store;
mod sync;

use chrono::{DateTime, SubsecRound, Utc};

pub use error::SyncError;
pub use people::{Link, LinkKey, Member, Person, Region, people};
pub use state::SyncState;
pub use store::{Backend, Store};
pub use sync::{PageWritten, SyncMode, SyncOptions, SyncReport, sync, sync_observed};

/// A time as the database keeps it: UTC text with microseconds, whose text order is time
/// order.
pub fn time_text(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Reads [`time_text`]'s form back (any RFC 3339 time is accepted).
pub(crate) fn parse_time_text(text: &str) -> Result<DateTime<Utc>, SyncError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| SyncError::Corrupt {
            what: "a time",
            value: text.to_owned(),
        })
}

pub(crate) fn truncate_to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(6)
}
