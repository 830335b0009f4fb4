//! Progress events, for progress bars and logs.

use std::sync::Arc;
use std::time::Duration;

use crate::Vendor;

/// Something worth showing while a listing runs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A page arrived.
    Page {
        /// The vendor.
        vendor: Vendor,
        /// Customers on the page, before client-side filters.
        records: usize,
    },
    /// A request is waiting before its next attempt.
    Retrying {
        /// The vendor.
        vendor: Vendor,
        /// The attempt that failed (1 for the first).
        attempt: u32,
        /// How long it waits.
        wait: Duration,
        /// Why, e.g. `HTTP 429` or `connection failed`.
        reason: String,
    },
    /// Values of a page did not match the vendor's spec (see `CustomersClient::drift`).
    Drift {
        /// The vendor.
        vendor: Vendor,
        /// Drifted values on the page.
        values: u64,
        /// Records of the page without a readable id (kept in the drift report).
        unreadable: usize,
    },
    /// A customer already listed came again on a later page (the vendor's data shifted
    /// while paging): it is skipped, not written twice.
    Repeated {
        /// The vendor.
        vendor: Vendor,
        /// Repeats skipped so far in this client.
        count: u64,
    },
    /// The client-side rate limiter holds a request back.
    Throttled {
        /// The vendor.
        vendor: Vendor,
        /// How long until the request may go.
        wait: Duration,
    },
}

/// Receives [`Event`]s; must be cheap, it runs on the listing's task.
pub type Observer = Arc<dyn Fn(&Event) + Send + Sync>;
