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
    /// The listing reached its end (or a lookup answered): why it decided so.
    End {
        /// The vendor.
        vendor: Vendor,
        /// Why it ended.
        reason: EndReason,
        /// Pages fetched (requests, for a lookup).
        pages: u32,
    },
    /// The client-side rate limiter holds a request back.
    Throttled {
        /// The vendor.
        vendor: Vendor,
        /// How long until the request may go.
        wait: Duration,
    },
}

/// How a listing decided it had reached the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndReason {
    /// A page reached the total the vendor reported with it.
    TotalReached {
        /// The total.
        total: u64,
    },
    /// A page held fewer records than asked for, and the next one, empty, confirmed it was
    /// the last (a short page alone is not trusted: a vendor may cap pages lower).
    ShortPageConfirmed,
    /// An empty page after a full one (or page-number paging's empty page).
    EmptyPage,
    /// A short page held only customers listed before: the end of a list that grew at its
    /// head while it was paged (the same records would come back at every next offset).
    ShortPageOfRepeats,
    /// The page limit (`ClientBuilder::max_pages`) with more pages announced.
    PageLimit {
        /// The limit.
        pages: u32,
    },
    /// A lookup by id: the vendor's answer to one request.
    Lookup,
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EndReason::TotalReached { total } => {
                write!(f, "total reached ({total} reported by the last page)")
            }
            EndReason::ShortPageConfirmed => f.write_str("a short page, confirmed by an empty one"),
            EndReason::EmptyPage => f.write_str("an empty page"),
            EndReason::ShortPageOfRepeats => f.write_str(
                "a short page of customers already listed (the list grew at its head while paged)",
            ),
            EndReason::PageLimit { pages } => write!(
                f,
                "the page limit ({pages} page{})",
                if *pages == 1 { "" } else { "s" }
            ),
            EndReason::Lookup => f.write_str("a lookup by id"),
        }
    }
}

/// Receives [`Event`]s; must be cheap, it runs on the listing's task.
pub type Observer = Arc<dyn Fn(&Event) + Send + Sync>;
