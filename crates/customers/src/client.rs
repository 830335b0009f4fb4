//! [`CustomersClient`]: one entry point over every vendor, reaching each through the
//! registry (`vendors/mod.rs`).

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use client_runtime::{AuthError, Resilient, RetryPolicy, Transport};
use futures::{Stream, StreamExt};

use crate::decode::DecodedPage;
use crate::drift::DriftReport;
use crate::events::{Event, Observer};
use crate::transport::Capturing;
use crate::vendor_api::Connection;
use crate::{
    ConvertOptions, Credentials, Customer, Error, ErrorKind, Limits, Page, PageCursor, Query,
    Vendor,
};

/// The largest page `vendor` allows, and the default page size (Hoko 10000, Gleantap 1000,
/// HelpCrunch 100; CareCloud documents no maximum, 1000 is used); `None` where the page size
/// is the vendor's own and cannot be set (BotPenguin).
pub fn max_page_size(vendor: Vendor) -> Option<NonZeroU32> {
    vendor.api().max_page_size()
}

/// The client-side rate limit (requests a minute) `vendor` gets unless set: HelpCrunch's
/// documented 120; none for vendors that document no limit.
pub fn default_rate_limit(vendor: Vendor) -> Option<u32> {
    vendor.api().default_rate_limit()
}

/// Builds a [`CustomersClient`].
pub struct ClientBuilder {
    credentials: Credentials,
    base_url: Option<String>,
    page_size: Option<u32>,
    rate_limit_per_minute: Option<Option<u32>>,
    rate_limit_window: std::time::Duration,
    retry: RetryPolicy,
    limits: Limits,
    options: ConvertOptions,
    observer: Option<Observer>,
    strict: bool,
    max_pages: Option<u32>,
    headers: reqwest::header::HeaderMap,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// Sends requests with the caller's own `reqwest::Client` (its proxy, TLS roots,
    /// timeouts, connection pool) instead of one built for the vendor; the credentials are
    /// still added to every request, as sensitive headers, and only to the base URL's
    /// origin. Build it with `.redirect(client_runtime::same_origin(base_url))` or
    /// `reqwest::redirect::Policy::none()`: reqwest's default policy follows redirects to
    /// other hosts with every header but `Authorization`, a client's policy cannot be read,
    /// and a response from another origin is refused only once it has arrived.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Headers sent on every request (a tracing id, a proxy's routing header), unless the
    /// request sets them itself. A header the vendor's credentials use (`Authorization`,
    /// Gleantap's `X-API-KEY`, …) is refused by [`ClientBuilder::build`], so that no extra
    /// header can replace or leak beside a credential.
    pub fn default_headers(mut self, headers: reqwest::header::HeaderMap) -> Self {
        self.headers.extend(headers);
        self
    }

    /// Longest one attempt may take in all (see [`Limits::attempt_timeout`]); the idle
    /// timeout still applies within it.
    pub fn attempt_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.attempt_timeout = Some(timeout);
        self
    }

    /// Longest a response may send nothing (see [`Limits::idle_timeout`]).
    pub fn idle_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// Replaces the spec's server URL (a tenant, a sandbox, a test server). Required for
    /// CareCloud, whose base URL is per tenant (up to and including `/v1.0`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Customers per page; default and maximum in [`max_page_size`].
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// At most `per_minute` requests a minute (`None`: no client-side limit).
    pub fn rate_limit_per_minute(mut self, per_minute: Option<u32>) -> Self {
        self.rate_limit_per_minute = Some(per_minute);
        self
    }

    /// The window the vendor counts requests over (default a minute, as vendors that
    /// publish a limit count): the client learns how many the vendor accepts in it from
    /// its 429s, whatever the configured rate.
    pub fn rate_limit_window(mut self, window: std::time::Duration) -> Self {
        self.rate_limit_window = window;
        self
    }

    /// Retries of 429, 503 and connection failures.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How long a response may stall and how large it may be.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How records are converted (CareCloud's tenant time zone).
    pub fn convert_options(mut self, options: ConvertOptions) -> Self {
        self.options = options;
        self
    }

    /// Receives progress [`Event`]s.
    pub fn observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// With `true`, the first value that does not match the vendor's spec ends the listing
    /// with an [`ErrorKind::Decode`] naming its path, instead of being recorded in
    /// [`CustomersClient::drift`] while the listing goes on (the default).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Stop with [`ErrorKind::PageLimit`] after `pages` pages, for a server that never
    /// ends (`None`, the default: no limit).
    pub fn max_pages(mut self, pages: Option<u32>) -> Self {
        self.max_pages = pages;
        self
    }

    /// The client. Fails with [`ErrorKind::Configuration`] on a missing CareCloud base URL,
    /// a page size out of range, or a credential that cannot be sent.
    pub fn build(self) -> Result<CustomersClient, Error> {
        let vendor = self.credentials.vendor();
        let api = vendor.api();
        let config =
            |message: String| Error::new(vendor, ErrorKind::Configuration).with_message(message);

        let page_size = match (self.page_size, api.max_page_size()) {
            (Some(_), None) => {
                return Err(config(format!(
                    "{vendor}'s page size is the vendor's own and cannot be set"
                )));
            }
            (None, None) => NonZeroU32::MIN,
            (None, Some(max)) => max,
            (Some(size), Some(max)) => NonZeroU32::new(size)
                .filter(|size| *size <= max)
                .ok_or_else(|| config(format!("page size {size} is outside 1..={max}")))?,
        };
        let limit = self
            .rate_limit_per_minute
            .unwrap_or_else(|| api.default_rate_limit());
        if let Some(name) = self.headers.keys().find(|name| {
            api.credential_headers()
                .iter()
                .any(|credential| name.as_str().eq_ignore_ascii_case(credential))
        }) {
            return Err(config(format!(
                "`{name}` carries {vendor}'s credentials and cannot be a default header"
            )));
        }
        let resilient = Resilient::new(vendor.as_str())
            .retry(self.retry)
            .limits(self.limits)
            .rate_limit_per_minute(limit)
            .rate_limit_window(self.rate_limit_window)
            .default_headers(self.headers);
        let capturing = Arc::new(Capturing::new(vendor, resilient, self.observer.clone()));
        let connection = api.connect(
            &self.credentials,
            self.base_url.as_deref(),
            Transport::new(capturing.clone()),
            self.http,
        )?;
        Ok(CustomersClient {
            shared: Arc::new(Shared {
                vendor,
                connection,
                transport: capturing,
                page_size,
                options: self.options,
                observer: self.observer,
                strict: self.strict,
                drift: Mutex::default(),
                max_pages: self.max_pages,
                repeats: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }
}

/// A configuration error for a credential that cannot be sent.
pub(crate) fn auth_error(vendor: Vendor, err: AuthError) -> Error {
    Error::new(vendor, ErrorKind::Configuration)
        .with_message(err.to_string())
        .with_source(err)
}

/// A configuration error for credentials of another vendor (the registry never does this).
pub(crate) fn wrong_credentials(vendor: Vendor, credentials: &Credentials) -> Error {
    Error::new(vendor, ErrorKind::Configuration).with_message(format!(
        "{} credentials given to the {vendor} client",
        credentials.vendor()
    ))
}

/// What every listing of one client shares.
pub(crate) struct Shared {
    pub vendor: Vendor,
    pub connection: Box<dyn Connection>,
    pub page_size: NonZeroU32,
    pub options: ConvertOptions,
    pub observer: Option<Observer>,
    pub strict: bool,
    pub drift: Mutex<DriftReport>,
    /// Stop with [`ErrorKind::PageLimit`] after this many pages.
    pub max_pages: Option<u32>,
    /// Customers a page repeated after an earlier page had them: skipped.
    pub repeats: std::sync::atomic::AtomicU64,
    /// The transport every request goes through (its rate limiter's state).
    pub transport: Arc<Capturing>,
}

impl Shared {
    /// A customer already written came again: counted, reported, skipped.
    pub fn repeated(&self, id: &str) {
        let count = self
            .repeats
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        tracing::debug!(vendor = %self.vendor, id, count, "repeated customer skipped");
        self.emit(Event::Repeated {
            vendor: self.vendor,
            count,
        });
    }

    /// The listing ended: logged (`-v` shows it) and reported.
    pub fn ended(&self, reason: crate::EndReason, pages: u32) {
        tracing::info!(vendor = %self.vendor, pages, "listing ended: {reason}");
        self.emit(Event::End {
            vendor: self.vendor,
            reason,
            pages,
        });
    }

    pub fn emit(&self, event: Event) {
        if let Some(observer) = &self.observer {
            observer(&event);
        }
    }

    /// Records a decoded page's drift; in strict mode, drift is an error instead.
    pub fn accept(&self, mut page: DecodedPage) -> Result<DecodedPage, Error> {
        if page.drift.is_empty() {
            return Ok(page);
        }
        if self.strict
            && let Some(err) = page.drift.strict_error()
        {
            return Err(err);
        }
        let drift = std::mem::take(&mut page.drift);
        let values = drift.drifts.iter().map(|d| d.count).sum::<u64>();
        let unreadable = drift.unreadable.len();
        for d in &drift.drifts {
            tracing::warn!(vendor = %self.vendor, path = %d.path, count = d.count, expected = %d.expected, observed = %d.observed, "value does not match the spec");
        }
        if let Ok(mut log) = self.drift.lock() {
            log.merge(drift);
        }
        self.emit(Event::Drift {
            vendor: self.vendor,
            values,
            unreadable,
        });
        Ok(page)
    }
}

/// Lists and looks up the customers of one vendor in common terms. Cheap to clone.
///
/// ```no_run
/// use customers::{CustomersClient, Credentials, Query, Vendor};
/// use futures::TryStreamExt;
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = CustomersClient::builder(Credentials::from_env(Vendor::HelpCrunch)?).build()?;
/// let mut customers = std::pin::pin!(client.list(Query::new().email("john@example.com")));
/// while let Some(customer) = customers.try_next().await? {
///     println!("{} {:?}", customer.id, customer.name);
/// }
/// for line in client.drift().summary() {
///     eprintln!("drift: {line}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CustomersClient {
    shared: Arc<Shared>,
}

impl CustomersClient {
    /// A builder for the vendor of `credentials`.
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            credentials,
            base_url: None,
            page_size: None,
            rate_limit_per_minute: None,
            rate_limit_window: client_runtime::DEFAULT_WINDOW,
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            options: ConvertOptions::default(),
            observer: None,
            strict: false,
            max_pages: None,
            headers: reqwest::header::HeaderMap::new(),
            http: None,
        }
    }

    /// The vendor this client talks to.
    pub fn vendor(&self) -> Vendor {
        self.shared.vendor
    }

    /// Every customer matching `query`, fetched page by page, with one page of read-ahead:
    /// inside a Tokio runtime the next page downloads and decodes on its own task while the
    /// caller works through the current one (at most one page waits), and the page after it
    /// is requested while that one decodes. A
    /// filter the vendor cannot apply yields one [`ErrorKind::InvalidQuery`] error before any
    /// request; any other error ends the stream after it is yielded. Values that do not
    /// match the vendor's spec never end it (unless [`ClientBuilder::strict`]): see
    /// [`CustomersClient::drift`].
    pub fn list(
        &self,
        query: Query,
    ) -> impl Stream<Item = Result<Customer, Error>> + Send + 'static {
        crate::paging::list(self.shared.clone(), query)
    }

    /// The pages of the listing of `query`, from `from` on ([`PageCursor::START`] for the
    /// first). Each [`Page`] says where the next one starts, so a listing stopped after any
    /// page (a crash, a killed process) can go on from there with a new client. Within one
    /// stream a customer is yielded once; across a resumed listing, a customer the vendor
    /// shifted across the cut can come twice. Errors end the stream as for
    /// [`CustomersClient::list`]. A page is requested ahead, but decoded only when asked
    /// for: see [`CustomersClient::pages_ahead`] for a caller that is slower than the vendor.
    pub fn pages(
        &self,
        query: Query,
        from: PageCursor,
    ) -> impl Stream<Item = Result<Page, Error>> + Send + 'static {
        crate::paging::pages(self.shared.clone(), query, from)
    }

    /// [`CustomersClient::pages`], with the next page downloaded and decoded on another task
    /// while the caller works through the current one, as [`CustomersClient::list`] does: for
    /// a caller that writes each page out (an export). One decoded page waits at most, and
    /// where the caller is much slower than the vendor (a database sync) that page is only
    /// memory held for nothing.
    pub fn pages_ahead(
        &self,
        query: Query,
        from: PageCursor,
    ) -> impl Stream<Item = Result<Page, Error>> + Send + 'static {
        crate::read_ahead::read_ahead(crate::paging::pages(self.shared.clone(), query, from))
    }

    /// Whether `other` is this client: a clone of it, sharing its connections, rate limit
    /// and drift report.
    pub fn is(&self, other: &CustomersClient) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// The cursor one page before `cursor` (the first page's for the first two). Resuming
    /// there reads the page before the cut again, so that customers the vendor shifted back
    /// across it meanwhile (others deleted ahead of them) are not missed.
    pub fn page_before(&self, cursor: PageCursor) -> PageCursor {
        cursor.back(u64::from(self.shared.page_size.get()))
    }

    /// Everything that drifted from the vendor's spec since this client was built: one
    /// entry per JSON path, and the records that could not be listed for want of an id.
    pub fn drift(&self) -> DriftReport {
        self.shared
            .drift
            .lock()
            .map(|log| log.clone())
            .unwrap_or_default()
    }

    /// Customers skipped since this client was built because an earlier page of the same
    /// listing had them already (the vendor's data shifted while paging).
    pub fn repeats(&self) -> u64 {
        self.shared
            .repeats
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The customer with the vendor's id `id`, through the vendor's documented lookup
    /// (Hoko `?id=`, CareCloud and HelpCrunch by path, Gleantap by its `_id` filter), or by
    /// listing until found where there is none (BotPenguin). A missing customer is
    /// [`ErrorKind::NotFound`].
    pub async fn get(&self, id: &str) -> Result<Customer, Error> {
        let shared = &self.shared;
        let vendor = shared.vendor;
        let not_found = |said: Option<&str>| {
            let said = said.map(|m| format!(" ({m})")).unwrap_or_default();
            Error::new(vendor, ErrorKind::NotFound)
                .with_message(format!("no {vendor} customer has id `{id}`{said}"))
        };
        let Some(captured) = shared.connection.get(id).await? else {
            let mut all = std::pin::pin!(self.list(Query::new()));
            while let Some(customer) = all.next().await {
                let customer = customer?;
                if customer.id == id {
                    return Ok(customer);
                }
            }
            return Err(not_found(None));
        };
        let body = crate::response::success_body(vendor, &captured).map_err(|err| {
            if err.kind() == &ErrorKind::NotFound {
                not_found(err.message()).with_status(404)
            } else {
                err
            }
        })?;
        let page = vendor
            .api()
            .decode_lookup(body, id, &shared.options)
            .map_err(|err| Error::from(err).with_status(captured.status.as_u16()))?;
        let page = shared.accept(page)?;
        shared.ended(crate::EndReason::Lookup, 1);
        page.customers
            .into_iter()
            .next()
            .ok_or_else(|| not_found(None))
    }
}

impl std::fmt::Debug for CustomersClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomersClient")
            .field("vendor", &self.shared.vendor)
            .field("page_size", &self.shared.page_size)
            .field("strict", &self.shared.strict)
            .finish_non_exhaustive()
    }
}
