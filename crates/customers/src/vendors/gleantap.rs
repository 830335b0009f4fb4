//! Gleantap: `POST /v2/ExternalApi/getCustomers` with filters and `limit`/`offset` in the
//! JSON body answers `{"members": [...]}`; `_id` looks one member up. Pages end with a short
//! page. Opt-outs are 0/1 integers. Gleantap documents no error body.

use std::num::NonZeroU32;

use client_runtime::Transport;
use futures::FutureExt;
use futures::future::BoxFuture;
use gleantap_client::{env, types};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::FieldUse;
use crate::decode::{self, DecodeError, DecodedPage, envelope};
use crate::query::{Filter, Support};
use crate::transport::{Captured, send};
use crate::vendor_api::{Connection, PageRequest, VendorApi, VendorMessage};
use crate::{ConvertOptions, Credentials, Customer, Error, Raw, Vendor, text, timestamps};
use client_runtime::Paging;

/// The vendor's record as its generated crate types it: what
/// [`Customer::native`](crate::Customer::native) decodes into.
pub type Native = gleantap_client::types::Customer;

const VENDOR: Vendor = Vendor::Gleantap;

/// Gleantap's entry in the registry.
pub(crate) struct Gleantap;

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    members: Vec<&'a RawValue>,
}

impl VendorApi for Gleantap {
    fn max_page_size(&self) -> Option<NonZeroU32> {
        NonZeroU32::new(1_000)
    }

    fn paging(&self) -> Paging {
        gleantap_client::GET_CUSTOMERS_PAGING
    }

    fn page_shape(&self) -> client_runtime::PageShape {
        gleantap_client::GET_CUSTOMERS_PAGE_SHAPE
    }

    fn record_fields(&self) -> &'static [(&'static str, FieldUse)] {
        RECORD_FIELDS
    }

    fn support(&self, filter: Filter) -> Support {
        match filter {
            Filter::Email => Support::Server("`email`"),
            Filter::ExternalId => Support::Unsupported("Gleantap reports no external id"),
            Filter::CreatedSince => Support::Client,
            Filter::UpdatedSince => Support::ServerOnly("`updated_since`, to the day"),
            Filter::Sort => Support::Unsupported("Gleantap documents no sort"),
        }
    }

    // `updated_since` is a date (vendors.md), in a zone Gleantap does not name: a day's
    // overlap covers the truncation, and a second day any zone's offset.
    fn updated_since_granularity(&self) -> std::time::Duration {
        std::time::Duration::from_secs(2 * 24 * 3600)
    }

    fn error_message(&self, _body: &Value) -> Option<VendorMessage> {
        None
    }

    fn decode_page(
        &self,
        body: &[u8],
        options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError> {
        let envelope: Envelope = envelope(VENDOR, body)?;
        let mut page = DecodedPage::default();
        page.customers = decode::records(
            VENDOR,
            &envelope.members,
            "$.members[*]",
            "id",
            &mut page.drift,
            |record, raw| to_customer(record, raw, options),
        );
        Ok(page)
    }

    fn connect(
        &self,
        credentials: &Credentials,
        base_url: Option<&str>,
        transport: Transport,
        http: Option<reqwest::Client>,
    ) -> Result<Box<dyn Connection>, Error> {
        let Credentials::Gleantap {
            api_key,
            secret_key,
            app_id,
        } = credentials
        else {
            return Err(crate::client::wrong_credentials(VENDOR, credentials));
        };
        let client = gleantap_client::Client::authenticated(
            base_url.unwrap_or(gleantap_client::SERVER_URL),
            &gleantap_client::Credentials::new(api_key.clone(), secret_key.clone()),
            http,
        )
        .map_err(|err| crate::client::auth_error(VENDOR, err))?
        .with_transport(transport);
        Ok(Box::new(Connected {
            client,
            app_id: app_id.clone(),
        }))
    }

    fn credential_headers(&self) -> &'static [&'static str] {
        &["x-api-key", "x-secret-key"]
    }

    fn env(&self) -> &'static [(&'static str, &'static str)] {
        gleantap_client::env::ALL
    }

    fn credential_vars(&self) -> &'static [&'static [&'static str]] {
        const VARIABLES: [&str; 3] = [env::API_KEY, env::SECRET_KEY, env::APP_ID];
        &[&VARIABLES]
    }

    fn credentials_from(&self, var: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
        Some(Credentials::Gleantap {
            api_key: var(env::API_KEY)?.into(),
            secret_key: var(env::SECRET_KEY)?.into(),
            app_id: var(env::APP_ID)?,
        })
    }
}

struct Connected {
    client: gleantap_client::Client,
    app_id: String,
}

impl Connection for Connected {
    fn page<'a>(&'a self, request: PageRequest<'a>) -> BoxFuture<'a, Result<Captured, Error>> {
        let offset = i64::try_from(request.offset).unwrap_or(i64::MAX);
        let mut body = types::GetCustomersBody::builder()
            .app_id(self.app_id.as_str())
            .limit(Some(i64::from(request.size.get())))
            .offset(Some(offset));
        if let Some(email) = &request.query.email {
            body = body.email(Some(email.trim().to_owned()));
        }
        if let Some(since) = request.query.updated_since {
            body = body.updated_since(Some(since.date_naive()));
        }
        send(VENDOR, self.client.get_customers().body(body).send()).boxed()
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Captured>, Error>> {
        let body = types::GetCustomersBody::builder()
            .app_id(self.app_id.as_str())
            .id(Some(id.to_owned()))
            .limit(Some(1));
        send(VENDOR, self.client.get_customers().body(body).send())
            .map(|r| r.map(Some))
            .boxed()
    }
}

/// One Gleantap member in common terms; `raw` is the record as received.
pub fn to_customer(record: types::Customer, raw: Raw, options: &ConvertOptions) -> Customer {
    let mut customer = Customer::new(VENDOR, record.id, raw);
    customer.name = text::join_name(record.firstname.as_deref(), record.lastname.as_deref());
    customer.first_name = text::non_empty_owned(record.firstname);
    customer.last_name = text::non_empty_owned(record.lastname);
    customer.email = text::email_owned(record.email);
    customer.phone = text::non_empty_owned(record.phone);
    // Reads may carry RFC 3339 or the `YYYY-MM-DD HH:MM:SS` that Gleantap's own
    // create-or-update page writes (no offset: read in the configured local zone).
    let created = record.created_date.as_deref();
    customer.created_at = timestamps::rfc3339(created)
        .or_else(|| timestamps::local_datetime(created, options.local_time_zone));
    customer.email_opt_out = record.email_optout.and_then(flag);
    customer.sms_opt_out = record.sms_optout.and_then(flag);
    customer
}

/// 1 is true and 0 false; any other number is not interpreted.
fn flag(value: i64) -> Option<bool> {
    match value {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// What becomes of each property of the record schema (see [`super::record_fields`]).
const RECORD_FIELDS: &[(&str, FieldUse)] = &[
    ("id", FieldUse::Mapped(&["id"])),
    ("firstname", FieldUse::Mapped(&["first_name", "name"])),
    ("lastname", FieldUse::Mapped(&["last_name", "name"])),
    ("email", FieldUse::Mapped(&["email"])),
    ("phone", FieldUse::Mapped(&["phone"])),
    ("created_date", FieldUse::Mapped(&["created_at"])),
    ("email_optout", FieldUse::Mapped(&["email_opt_out"])),
    ("sms_optout", FieldUse::Mapped(&["sms_opt_out"])),
    // A location name, not a postal address.
    ("last_location", FieldUse::RawOnly),
];
