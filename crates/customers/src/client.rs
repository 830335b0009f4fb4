//! [`CustomersClient`]: one entry point over the five vendor clients.

use std::num::NonZeroU32;
use std::sync::Arc;

use client_runtime::{AuthError, Transport};
use futures::{Stream, StreamExt};

use crate::credentials::{CareCloudAuth, Credentials};
use crate::events::{Event, Observer};
use crate::fetch::{self, Api, CareCloudSession};
use crate::retry::RetryPolicy;
use crate::transport::Resilience;
use crate::{ConvertOptions, Customer, Error, ErrorKind, Query, Vendor};

/// The largest page each vendor allows, and the default page size: Hoko 10000, Gleantap
/// 1000, HelpCrunch 100; CareCloud documents no maximum (1000 is used); BotPenguin's page
/// size is the vendor's own and cannot be set.
pub fn max_page_size(vendor: Vendor) -> Option<NonZeroU32> {
    let size = match vendor {
        Vendor::Hoko => 10_000,
        Vendor::CareCloud | Vendor::Gleantap => 1_000,
        Vendor::HelpCrunch => 100,
        Vendor::BotPenguin => return None,
    };
    NonZeroU32::new(size)
}

/// The client-side rate limit each vendor gets unless set: HelpCrunch's documented 120
/// requests a minute; none for the others, which document no limit.
pub fn default_rate_limit(vendor: Vendor) -> Option<u32> {
    match vendor {
        Vendor::HelpCrunch => Some(120),
        _ => None,
    }
}

/// Builds a [`CustomersClient`].
pub struct ClientBuilder {
    credentials: Credentials,
    base_url: Option<String>,
    page_size: Option<u32>,
    rate_limit_per_minute: Option<Option<u32>>,
    retry: RetryPolicy,
    options: ConvertOptions,
    observer: Option<Observer>,
}

impl ClientBuilder {
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

    /// Retries of 429, 503 and connection failures.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
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

    /// The client. Fails with [`ErrorKind::Configuration`] on a missing CareCloud base URL,
    /// a page size out of range, or a credential that cannot be sent.
    pub fn build(self) -> Result<CustomersClient, Error> {
        let vendor = self.credentials.vendor();
        let config =
            |message: String| Error::new(vendor, ErrorKind::Configuration).with_message(message);
        let auth = |err: AuthError| config(err.to_string());

        let page_size = match (self.page_size, max_page_size(vendor)) {
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
            .unwrap_or_else(|| default_rate_limit(vendor));
        let transport = Transport::new(Arc::new(Resilience {
            vendor,
            policy: self.retry,
            limiter: Resilience::limiter(limit),
            body_hint: fetch::body_hint(vendor),
            observer: self.observer.clone(),
        }));
        let base = self.base_url.as_deref();
        let api = match self.credentials {
            Credentials::Hoko { api_key } => Api::Hoko(
                hoko_client::Client::with_credentials(
                    base.unwrap_or(hoko_client::SERVER_URL),
                    &hoko_client::Credentials::new(api_key),
                )
                .map_err(auth)?
                .with_transport(transport),
            ),
            Credentials::CareCloud(care) => {
                let base = base.ok_or_else(|| {
                    config(
                        "CareCloud needs the tenant's base URL, up to and including /v1.0".into(),
                    )
                })?;
                if let CareCloudAuth::Token(token) = &care {
                    // Fail now, not at the first request, on a token that cannot be sent.
                    carecloud_client::Client::with_credentials(
                        base,
                        &carecloud_client::Credentials::new(token.clone()),
                    )
                    .map_err(auth)?;
                }
                Api::CareCloud(CareCloudSession::new(base.to_owned(), care, transport))
            }
            Credentials::BotPenguin { token } => Api::BotPenguin(
                botpenguin_client::Client::with_credentials(
                    base.unwrap_or(botpenguin_client::SERVER_URL),
                    &botpenguin_client::Credentials::new(token),
                )
                .map_err(auth)?
                .with_transport(transport),
            ),
            Credentials::Gleantap {
                api_key,
                secret_key,
                app_id,
            } => Api::Gleantap {
                client: gleantap_client::Client::with_credentials(
                    base.unwrap_or(gleantap_client::SERVER_URL),
                    &gleantap_client::Credentials::new(api_key, secret_key),
                )
                .map_err(auth)?
                .with_transport(transport),
                app_id,
            },
            Credentials::HelpCrunch { api_key } => Api::HelpCrunch(
                helpcrunch_client::Client::with_credentials(
                    base.unwrap_or(helpcrunch_client::SERVER_URL),
                    &helpcrunch_client::Credentials::new(api_key),
                )
                .map_err(auth)?
                .with_transport(transport),
            ),
        };
        Ok(CustomersClient {
            shared: Arc::new(Shared {
                vendor,
                api,
                page_size,
                options: self.options,
                observer: self.observer,
            }),
        })
    }
}

/// What every listing of one client shares.
pub(crate) struct Shared {
    pub vendor: Vendor,
    pub api: Api,
    pub page_size: NonZeroU32,
    pub options: ConvertOptions,
    pub observer: Option<Observer>,
}

impl Shared {
    pub fn emit(&self, event: Event) {
        if let Some(observer) = &self.observer {
            observer(&event);
        }
    }
}

/// Lists and looks up the customers of one vendor in common terms. Cheap to clone.
///
/// ```no_run
/// use customers::{CustomersClient, Credentials, Query};
/// use futures::TryStreamExt;
///
/// # async fn demo() -> Result<(), customers::Error> {
/// let client = CustomersClient::builder(Credentials::HelpCrunch {
///     api_key: std::env::var("HELPCRUNCH_API_KEY").unwrap_or_default().into(),
/// })
/// .build()?;
/// let mut customers = std::pin::pin!(client.list(Query::new().email("john@example.com")));
/// while let Some(customer) = customers.try_next().await? {
///     println!("{} {:?}", customer.id, customer.name);
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
            retry: RetryPolicy::default(),
            options: ConvertOptions::default(),
            observer: None,
        }
    }

    /// The vendor this client talks to.
    pub fn vendor(&self) -> Vendor {
        self.shared.vendor
    }

    /// Every customer matching `query`, fetched page by page as the stream is polled. A
    /// filter the vendor cannot apply yields one [`ErrorKind::InvalidQuery`] error before any
    /// request; any other error ends the stream after it is yielded.
    pub fn list(
        &self,
        query: Query,
    ) -> impl Stream<Item = Result<Customer, Error>> + Send + 'static {
        crate::paging::list(self.shared.clone(), query)
    }

    /// The customer with the vendor's id `id`: Hoko `?id=`, CareCloud and HelpCrunch by
    /// path, Gleantap by its `_id` filter, BotPenguin (which has no lookup) by listing until
    /// found. A missing customer is [`ErrorKind::NotFound`].
    pub async fn get(&self, id: &str) -> Result<Customer, Error> {
        let vendor = self.shared.vendor;
        let found = if vendor == Vendor::BotPenguin {
            let mut all = std::pin::pin!(self.list(Query::new()));
            let mut found = None;
            while let Some(customer) = all.next().await {
                let customer = customer?;
                if customer.id == id {
                    found = Some(customer);
                    break;
                }
            }
            found
        } else {
            self.shared.api.get(id, &self.shared.options).await?
        };
        found.ok_or_else(|| {
            Error::new(vendor, ErrorKind::NotFound)
                .with_message(format!("no customer has id `{id}`"))
        })
    }
}

impl std::fmt::Debug for CustomersClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomersClient")
            .field("vendor", &self.shared.vendor)
            .field("page_size", &self.shared.page_size)
            .finish_non_exhaustive()
    }
}
