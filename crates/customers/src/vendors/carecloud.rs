//! CareCloud: `GET /customers?count&offset&email` answers `{"data": {"customers": [...],
//! "total_items": N}}`; `GET /customers/{id}` answers `{"data": {...}}`. The bearer token is
//! the user's or issued by `POST /users/actions/login`; with login credentials, a request
//! answered 401 logs in again once and is repeated. Timestamps are the tenant's local time
//! without an offset.

use std::num::NonZeroU32;

use carecloud_client::{env, types};
use client_runtime::{Secret, Transport};
use futures::FutureExt;
use futures::future::BoxFuture;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::RwLock;

use super::FieldUse;
use crate::decode::{self, DecodeError, DecodedPage, envelope};
use crate::query::{Filter, Support};
use crate::response::success_body;
use crate::transport::{Captured, send};
use crate::vendor_api::{Connection, PageRequest, VendorApi, VendorMessage};
use crate::{
    ConvertOptions, Credentials, Customer, Error, ErrorKind, Raw, Status, Vendor, text, timestamps,
};
use client_runtime::Paging;

/// The vendor's record as its generated crate types it: what
/// [`Customer::native`](crate::Customer::native) decodes into.
pub type Native = carecloud_client::types::Customer;

const VENDOR: Vendor = Vendor::CareCloud;

/// How to authenticate with CareCloud.
#[derive(Debug, Clone)]
pub enum CareCloudAuth {
    /// A bearer token the user already has.
    Token(Secret),
    /// Enterprise user credentials: the client logs in through `POST /users/actions/login`
    /// and logs in again once when the token is rejected.
    Login {
        /// `user_external_application_id`.
        app_id: String,
        /// The user's login.
        login: String,
        /// The user's password.
        password: Secret,
    },
}

/// CareCloud's entry in the registry.
pub(crate) struct CareCloud;

#[derive(Deserialize)]
struct ListEnvelope<'a> {
    #[serde(borrow)]
    data: ListData<'a>,
}

#[derive(Deserialize)]
struct ListData<'a> {
    #[serde(borrow)]
    customers: Vec<&'a RawValue>,
    #[serde(borrow)]
    total_items: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct OneEnvelope<'a> {
    #[serde(borrow)]
    data: &'a RawValue,
}

impl VendorApi for CareCloud {
    fn max_page_size(&self) -> Option<NonZeroU32> {
        // No maximum is documented.
        NonZeroU32::new(1_000)
    }

    fn paging(&self) -> Paging {
        carecloud_client::GET_CUSTOMERS_PAGING
    }

    fn page_shape(&self) -> client_runtime::PageShape {
        carecloud_client::GET_CUSTOMERS_PAGE_SHAPE
    }

    fn record_fields(&self) -> &'static [(&'static str, FieldUse)] {
        RECORD_FIELDS
    }

    fn support(&self, filter: Filter) -> Support {
        match filter {
            Filter::Email => Support::Server("`email`"),
            Filter::ExternalId => Support::Unsupported("CareCloud reports no external id"),
            Filter::CreatedSince | Filter::Sort => {
                Support::Unsupported("CareCloud reports no creation time")
            }
            Filter::UpdatedSince => Support::Client,
        }
    }

    fn error_message(&self, body: &Value) -> Option<VendorMessage> {
        let error = types::Error::deserialize(body).ok()?.error?;
        let mut messages: Vec<String> = [error.title, error.detail].into_iter().flatten().collect();
        for param in error
            .error_data
            .map(|d| d.invalid_params)
            .unwrap_or_default()
        {
            let text = param.message.or(param.reason).unwrap_or_default();
            messages.push(match param.name.as_ref().map(param_name) {
                Some(name) => format!("{name}: {text}"),
                None => text,
            });
        }
        Some(VendorMessage {
            messages,
            ..VendorMessage::default()
        })
    }

    fn decode_page(
        &self,
        body: &[u8],
        options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError> {
        let envelope: ListEnvelope = envelope(VENDOR, body)?;
        let mut page = DecodedPage::default();
        page.customers = decode::records(
            VENDOR,
            &envelope.data.customers,
            "$.data.customers[*]",
            "customer_id",
            &mut page.drift,
            |record, raw| to_customer(record, raw, options),
        );
        page.total = decode::total(
            VENDOR,
            envelope.data.total_items,
            "$.data.total_items",
            &mut page.drift,
        );
        Ok(page)
    }

    fn decode_lookup(
        &self,
        body: &[u8],
        _id: &str,
        options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError> {
        let envelope: OneEnvelope = envelope(VENDOR, body)?;
        let mut page = DecodedPage::default();
        page.customers.extend(decode::record(
            VENDOR,
            envelope.data,
            "$.data",
            "customer_id",
            &mut page.drift,
            |record, raw| to_customer(record, raw, options),
        ));
        Ok(page)
    }

    fn connect(
        &self,
        credentials: &Credentials,
        base_url: Option<&str>,
        transport: Transport,
        http: Option<reqwest::Client>,
    ) -> Result<Box<dyn Connection>, Error> {
        let Credentials::CareCloud(auth) = credentials else {
            return Err(crate::client::wrong_credentials(VENDOR, credentials));
        };
        let base_url = base_url.ok_or_else(|| {
            Error::new(VENDOR, ErrorKind::Configuration)
                .with_message("CareCloud needs the tenant's base URL, up to and including /v1.0")
        })?;
        let session = Session {
            base_url: base_url.to_owned(),
            auth: auth.clone(),
            transport,
            http,
            current: RwLock::new(None),
        };
        if let CareCloudAuth::Token(token) = auth {
            // Fail now, not at the first request, on a token that cannot be sent.
            session.with_token(token.expose())?;
        }
        Ok(Box::new(session))
    }

    fn credential_headers(&self) -> &'static [&'static str] {
        &["authorization"]
    }

    fn env(&self) -> &'static [(&'static str, &'static str)] {
        carecloud_client::env::ALL
    }

    fn credential_vars(&self) -> &'static [&'static [&'static str]] {
        const LOGIN: [&str; 3] = [env::LOGIN, env::PASSWORD, env::APP_ID];
        &[carecloud_client::Credentials::ENV, &LOGIN]
    }

    fn credentials_from(&self, var: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
        if let Some(token) = var(env::BEARER_AUTH) {
            return Some(Credentials::CareCloud(CareCloudAuth::Token(token.into())));
        }
        Some(Credentials::CareCloud(CareCloudAuth::Login {
            login: var(env::LOGIN)?,
            password: var(env::PASSWORD)?.into(),
            app_id: var(env::APP_ID)?,
        }))
    }

    fn base_url_var(&self) -> Option<&'static str> {
        Some(env::BASE_URL)
    }
}

/// A tenant's base URL, its credentials and the client holding the current token.
struct Session {
    base_url: String,
    auth: CareCloudAuth,
    transport: Transport,
    /// The caller's own HTTP client, if any.
    http: Option<reqwest::Client>,
    current: RwLock<Option<carecloud_client::Client>>,
}

impl Connection for Session {
    fn page<'a>(&'a self, request: PageRequest<'a>) -> BoxFuture<'a, Result<Captured, Error>> {
        async move {
            let offset = crate::paging::offset_i32(VENDOR, request.offset)?;
            self.call(|client| async move {
                let mut call = client.get_customers().count(request.size).offset(offset);
                if let Some(email) = &request.query.email {
                    call = call.email(email.trim().to_owned());
                }
                send(VENDOR, call.send()).await
            })
            .await
        }
        .boxed()
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Captured>, Error>> {
        async move {
            self.call(|client| async move {
                send(
                    VENDOR,
                    client.get_customer().customer_id(id.to_owned()).send(),
                )
                .await
            })
            .await
            .map(Some)
        }
        .boxed()
    }
}

impl Session {
    /// Runs `request` with the current client; on a 401 with login credentials, logs in again
    /// once and repeats it.
    async fn call<F, Fut>(&self, request: F) -> Result<Captured, Error>
    where
        F: Fn(carecloud_client::Client) -> Fut,
        Fut: Future<Output = Result<Captured, Error>>,
    {
        let client = self.client().await?;
        let captured = request(client).await?;
        let expired = captured.status == reqwest::StatusCode::UNAUTHORIZED;
        if expired && matches!(self.auth, CareCloudAuth::Login { .. }) {
            tracing::info!(vendor = %VENDOR, "token rejected; logging in again");
            let client = self.login().await?;
            return request(client).await;
        }
        Ok(captured)
    }

    async fn client(&self) -> Result<carecloud_client::Client, Error> {
        if let Some(client) = self.current.read().await.as_ref() {
            return Ok(client.clone());
        }
        match &self.auth {
            CareCloudAuth::Token(token) => {
                let client = self.with_token(token.expose())?;
                *self.current.write().await = Some(client.clone());
                Ok(client)
            }
            CareCloudAuth::Login { .. } => self.login().await,
        }
    }

    async fn login(&self) -> Result<carecloud_client::Client, Error> {
        let CareCloudAuth::Login {
            app_id,
            login,
            password,
        } = &self.auth
        else {
            return Err(Error::new(VENDOR, ErrorKind::Unauthorized)
                .with_message("the bearer token was rejected and no login credentials are set"));
        };
        let anonymous = match &self.http {
            // No credentials to attach, but the origin check of attached ones: the login
            // body holds the password.
            Some(http) => carecloud_client::Client::new_with_client(
                &client_runtime::normalize_base_url(&self.base_url),
                http.clone(),
                Transport::default().with_credentials(&self.base_url, HeaderMap::new()),
            ),
            None => carecloud_client::Client::without_credentials(&self.base_url)
                .map_err(|err| crate::client::auth_error(VENDOR, err))?,
        }
        .with_transport(self.transport.clone());
        let body = types::LoginRequest {
            user_external_application_id: app_id.clone(),
            login: login.clone(),
            password: password.expose().to_owned(),
        };
        let captured = send(VENDOR, anonymous.login().body(body).send()).await?;
        let body = success_body(VENDOR, &captured)?;
        let token: types::LoginResponse = serde_json::from_slice(body).map_err(|err| {
            Error::from(DecodeError {
                vendor: VENDOR,
                path: "$.data.bearer_token".to_owned(),
                message: format!("the login response has no token: {err}"),
            })
        })?;
        let client = self.with_token(&token.data.bearer_token)?;
        *self.current.write().await = Some(client.clone());
        Ok(client)
    }

    fn with_token(&self, token: &str) -> Result<carecloud_client::Client, Error> {
        Ok(carecloud_client::Client::authenticated(
            &self.base_url,
            &carecloud_client::Credentials::new(token),
            self.http.clone(),
        )
        .map_err(|err| crate::client::auth_error(VENDOR, err))?
        .with_transport(self.transport.clone()))
    }
}

/// One CareCloud customer in common terms; `raw` is the record as received.
pub fn to_customer(record: types::Customer, raw: Raw, options: &ConvertOptions) -> Customer {
    let mut customer = Customer::new(VENDOR, record.customer_id, raw);
    if let Some(person) = record.personal_information {
        customer.name = text::join_name(person.first_name.as_deref(), person.last_name.as_deref());
        customer.first_name = text::non_empty_owned(person.first_name);
        customer.last_name = text::non_empty_owned(person.last_name);
        customer.email = text::email_owned(person.email);
        customer.phone = text::non_empty_owned(person.phone);
        customer.language = text::non_empty_owned(person.language_id);
        customer.avatar_url = text::non_empty_owned(person.photo_url);
    }
    customer.updated_at =
        timestamps::local_datetime(record.last_change.as_deref(), options.local_time_zone);
    customer.status = record.state.map(|state| status(*state));
    customer
}

/// An invalid parameter's name: the vendor documents any JSON type there.
fn param_name(name: &types::InvalidParamName) -> String {
    match name {
        types::InvalidParamName::String(name) => name.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// `state`: 0 deleted, 1 active, 2 inactive; any other number is kept as text.
fn status(state: i64) -> Status {
    match state {
        0 => Status::Deleted,
        1 => Status::Active,
        2 => Status::Inactive,
        other => Status::Other(other.to_string()),
    }
}

/// What becomes of each property of the record schema (see [`super::record_fields`]).
const RECORD_FIELDS: &[(&str, FieldUse)] = &[
    ("customer_id", FieldUse::Mapped(&["id"])),
    ("personal_information", FieldUse::RawOnly),
    (
        "personal_information.first_name",
        FieldUse::Mapped(&["first_name", "name"]),
    ),
    (
        "personal_information.last_name",
        FieldUse::Mapped(&["last_name", "name"]),
    ),
    ("personal_information.email", FieldUse::Mapped(&["email"])),
    ("personal_information.phone", FieldUse::Mapped(&["phone"])),
    (
        "personal_information.language_id",
        FieldUse::Mapped(&["language"]),
    ),
    (
        "personal_information.photo_url",
        FieldUse::Mapped(&["avatar_url"]),
    ),
    // Postal address, consents, agreements and titles have no common field.
    ("personal_information.address.*", FieldUse::RawOnly),
    ("personal_information.agreement.*", FieldUse::RawOnly),
    ("personal_information.consents.*", FieldUse::RawOnly),
    ("personal_information.birthdate", FieldUse::RawOnly),
    ("personal_information.gender", FieldUse::RawOnly),
    ("personal_information.salutation", FieldUse::RawOnly),
    ("personal_information.pre_nominals", FieldUse::RawOnly),
    ("personal_information.post_nominals", FieldUse::RawOnly),
    ("personal_information.store_id", FieldUse::RawOnly),
    // Double opt-in dates, not opt-outs.
    ("doi_email", FieldUse::RawOnly),
    ("doi_phone", FieldUse::RawOnly),
    ("last_change", FieldUse::Mapped(&["updated_at"])),
    ("state", FieldUse::Mapped(&["status"])),
];
