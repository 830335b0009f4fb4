//! The one trait through which shared code (client, paging, filters, retries, errors) reaches
//! a vendor. Each vendor implements it in its own module under `vendors/`; the registry in
//! `vendors/mod.rs` maps a [`Vendor`] to its implementation.

use std::num::NonZeroU32;
use std::time::Duration;

use client_runtime::{PageShape, Paging, Transport};
use futures::future::BoxFuture;
use serde_json::Value;

use crate::decode::{DecodeError, DecodedPage};
use crate::query::{Filter, Support};
use crate::transport::Captured;
use crate::{ConvertOptions, Credentials, Error, Query};

/// Which page to fetch, in the terms every vendor's paging is built from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageRequest<'a> {
    /// Filters to send where the vendor applies them.
    pub query: &'a Query,
    /// Customers already listed (offset paging).
    pub offset: u64,
    /// Page number, from 1 (page-number paging).
    pub page: u32,
    /// Customers per page.
    pub size: NonZeroU32,
}

/// What a vendor's error body says.
#[derive(Debug, Default)]
pub(crate) struct VendorMessage {
    /// Every message, e.g. one per invalid parameter.
    pub messages: Vec<String>,
    /// Permissions the vendor says are missing.
    pub missing_scopes: Vec<String>,
}

/// A generated client of one vendor with its credentials, ready to call. Returns the final
/// response as received; shared code turns it into customers or an [`Error`].
pub(crate) trait Connection: Send + Sync {
    /// The page `request` asks for.
    fn page<'a>(&'a self, request: PageRequest<'a>) -> BoxFuture<'a, Result<Captured, Error>>;

    /// The response of the vendor's lookup of `id`; `None` when the vendor has no lookup
    /// (the client then lists until it finds the id).
    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Captured>, Error>>;
}

/// Everything the facade knows about one vendor.
pub(crate) trait VendorApi: Send + Sync + 'static {
    /// The largest page the vendor allows, and the default; `None` when the page size is
    /// the vendor's own and cannot be set.
    fn max_page_size(&self) -> Option<NonZeroU32>;

    /// The client-side rate limit (requests a minute) unless the user sets one.
    fn default_rate_limit(&self) -> Option<u32> {
        None
    }

    /// How the vendor's list ends.
    fn paging(&self) -> Paging;

    /// Where the records and total sit in a page body: its generated crate's constant, from
    /// the spec's `x-paging`.
    fn page_shape(&self) -> PageShape;

    /// What becomes of each property of the vendor's record schema (a test checks this
    /// against the spec, so a new property asks for a decision).
    fn record_fields(&self) -> &'static [(&'static str, crate::vendors::FieldUse)];

    /// Where the vendor applies `filter`: its row of the filter table.
    fn support(&self, filter: Filter) -> Support;

    /// How coarse the server's change-time filter is ([`crate::Vendor::updated_since_granularity`]).
    fn updated_since_granularity(&self) -> Duration {
        Duration::ZERO
    }

    /// The vendor's wait hint in a 429 or 503 body (e.g. Hoko's `retryAfter`).
    fn wait_hint(&self, _body: &Value) -> Option<Duration> {
        None
    }

    /// The vendor's error body (parsed once by the caller), when it has the documented shape.
    fn error_message(&self, body: &Value) -> Option<VendorMessage>;

    /// The customers of one "list customers" response body, parsed once.
    fn decode_page(
        &self,
        body: &[u8],
        options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError>;

    /// The body of the vendor's lookup of `id` ([`Connection::get`]) as a page holding the
    /// customer (first) or nothing. By default the lookup answers with a list page, of which
    /// only the customer with that id is kept.
    fn decode_lookup(
        &self,
        body: &[u8],
        id: &str,
        options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError> {
        let mut page = self.decode_page(body, options)?;
        page.customers.retain(|customer| customer.id == id);
        Ok(page)
    }

    /// A connection with `credentials` to `base_url` (the spec's server when `None`),
    /// sending through `transport`.
    fn connect(
        &self,
        credentials: &Credentials,
        base_url: Option<&str>,
        transport: Transport,
        http: Option<reqwest::Client>,
    ) -> Result<Box<dyn Connection>, Error>;

    /// The environment variables that hold the vendor's credentials, as alternatives: the
    /// first set whose variables are all present is used.
    fn credential_vars(&self) -> &'static [&'static [&'static str]];

    /// The headers (lower case) the vendor's credentials travel in, as its spec's security
    /// schemes say (a test checks them against the spec).
    fn credential_headers(&self) -> &'static [&'static str];

    /// Credentials from the variables of [`VendorApi::credential_vars`]; `var` reads one
    /// (and returns `None` for a missing or empty one).
    fn credentials_from(&self, var: &dyn Fn(&str) -> Option<String>) -> Option<Credentials>;

    /// Every environment variable the vendor's spec names (its `x-env` extensions), each
    /// with its name there (`bearer_auth`, `login`, `app_id`, …): the client crate's
    /// `env::ALL`.
    fn env(&self) -> &'static [(&'static str, &'static str)];

    /// The environment variable holding the base URL when the vendor has no default one.
    fn base_url_var(&self) -> Option<&'static str> {
        None
    }
}
