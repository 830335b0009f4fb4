//! Hoko: `GET /api/customers?take&skip&sort&externalId` returns a bare array; `?id=` looks
//! one customer up. Pages end with a short page (no total).

use std::num::NonZeroU32;
use std::time::Duration;

use client_runtime::Transport;
use futures::FutureExt;
use futures::future::BoxFuture;
use hoko_client::types;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::FieldUse;
use crate::decode::{self, DecodeError, DecodedPage, envelope};
use crate::query::{Filter, Support};
use crate::transport::{Captured, send};
use crate::vendor_api::{Connection, PageRequest, VendorApi, VendorMessage};
use crate::{
    ConvertOptions, Credentials, Customer, Error, ErrorKind, Raw, SortOrder, Vendor, text,
    timestamps,
};
use client_runtime::Paging;

/// The vendor's record as its generated crate types it: what
/// [`Customer::native`](crate::Customer::native) decodes into.
pub type Native = hoko_client::types::Customer;

const VENDOR: Vendor = Vendor::Hoko;

/// Hoko's entry in the registry.
pub(crate) struct Hoko;

impl VendorApi for Hoko {
    fn max_page_size(&self) -> Option<NonZeroU32> {
        NonZeroU32::new(10_000)
    }

    fn paging(&self) -> Paging {
        hoko_client::GET_CUSTOMERS_PAGING
    }

    fn page_shape(&self) -> client_runtime::PageShape {
        hoko_client::GET_CUSTOMERS_PAGE_SHAPE
    }

    fn record_fields(&self) -> &'static [(&'static str, FieldUse)] {
        RECORD_FIELDS
    }

    fn support(&self, filter: Filter) -> Support {
        match filter {
            Filter::ExternalId => Support::Server("`externalId`"),
            Filter::Sort => Support::Server("`sort`"),
            Filter::Email | Filter::CreatedSince | Filter::UpdatedSince => Support::Client,
        }
    }

    fn wait_hint(&self, body: &Value) -> Option<Duration> {
        let body = types::Error::deserialize(body).ok()?;
        body.retry_after
            .and_then(|s| u64::try_from(s).ok())
            .map(Duration::from_secs)
    }

    fn error_message(&self, body: &Value) -> Option<VendorMessage> {
        let body = types::Error::deserialize(body).ok()?;
        Some(VendorMessage {
            messages: body.error.en.into_iter().collect(),
            missing_scopes: body.missing_scopes,
        })
    }

    fn decode_page(
        &self,
        body: &[u8],
        _options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError> {
        let mut page = DecodedPage::default();
        if let Some((customers, drift)) = decode::bare_array(VENDOR, body, "id", to_customer) {
            page.customers = customers;
            page.drift = drift;
            return Ok(page);
        }
        // Not a well-formed array: the two-pass decode says where and why.
        let items: Vec<&RawValue> = envelope(VENDOR, body)?;
        page.customers =
            decode::records(VENDOR, &items, "$[*]", "id", &mut page.drift, to_customer);
        Ok(page)
    }

    fn decode_lookup(
        &self,
        body: &[u8],
        _id: &str,
        options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError> {
        // `?id=` answers with 0 or 1 customers.
        self.decode_page(body, options)
    }

    fn connect(
        &self,
        credentials: &Credentials,
        base_url: Option<&str>,
        transport: Transport,
        http: Option<reqwest::Client>,
    ) -> Result<Box<dyn Connection>, Error> {
        let Credentials::Hoko { api_key } = credentials else {
            return Err(crate::client::wrong_credentials(VENDOR, credentials));
        };
        let client = hoko_client::Client::authenticated(
            base_url.unwrap_or(hoko_client::SERVER_URL),
            &hoko_client::Credentials::new(api_key.clone()),
            http,
        )
        .map_err(|err| crate::client::auth_error(VENDOR, err))?
        .with_transport(transport);
        Ok(Box::new(Connected(client)))
    }

    fn credential_headers(&self) -> &'static [&'static str] {
        &["authorization"]
    }

    fn env(&self) -> &'static [(&'static str, &'static str)] {
        hoko_client::env::ALL
    }

    fn credential_vars(&self) -> &'static [&'static [&'static str]] {
        &[hoko_client::Credentials::ENV]
    }

    fn credentials_from(&self, var: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
        Some(Credentials::Hoko {
            api_key: var(hoko_client::env::BEARER_AUTH)?.into(),
        })
    }
}

struct Connected(hoko_client::Client);

impl Connection for Connected {
    fn page<'a>(&'a self, request: PageRequest<'a>) -> BoxFuture<'a, Result<Captured, Error>> {
        let mut call = self
            .0
            .get_customers()
            .take(request.size)
            .skip(request.offset);
        if let Some(external_id) = &request.query.external_id {
            call = call.external_id(external_id.clone());
        }
        if let Some(order) = request.query.sort {
            call = call.sort(match order {
                SortOrder::Ascending => types::SortOrder::Asc,
                SortOrder::Descending => types::SortOrder::Desc,
            });
        }
        send(VENDOR, call.send()).boxed()
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Captured>, Error>> {
        async move {
            let Ok(uuid) = id.trim().parse::<uuid::Uuid>() else {
                return Err(Error::new(VENDOR, ErrorKind::NotFound)
                    .with_message(format!("`{id}` is not a Hoko customer id (a UUID)")));
            };
            let call = self.0.get_customers().id(uuid).take(NonZeroU32::MIN);
            send(VENDOR, call.send()).await.map(Some)
        }
        .boxed()
    }
}

/// One Hoko customer in common terms; `raw` is the record as received.
pub fn to_customer(record: types::Customer, raw: Raw) -> Customer {
    // As `Display` writes it, without the formatting machinery (3% of an export's instructions).
    let id = record.id.hyphenated();
    let id = id.encode_lower(&mut uuid::Uuid::encode_buffer()).to_owned();
    let mut customer = Customer::new(VENDOR, id, raw);
    customer.external_id = text::non_empty_owned(record.external_id);
    customer.name = text::non_empty_owned(record.name.map(String::from));
    customer.email = text::email_owned(record.email);
    customer.phone = text::non_empty_owned(record.phone);
    customer.avatar_url = text::non_empty_owned(record.avatar);
    customer.created_at = timestamps::rfc3339(record.created_at.as_deref());
    customer.updated_at = timestamps::rfc3339(record.updated_at.as_deref());
    customer
}

/// What becomes of each property of the record schema (see [`super::record_fields`]).
const RECORD_FIELDS: &[(&str, FieldUse)] = &[
    ("id", FieldUse::Mapped(&["id"])),
    ("externalId", FieldUse::Mapped(&["external_id"])),
    ("name", FieldUse::Mapped(&["name"])),
    ("email", FieldUse::Mapped(&["email"])),
    ("phone", FieldUse::Mapped(&["phone"])),
    ("avatar", FieldUse::Mapped(&["avatar_url"])),
    ("createdAt", FieldUse::Mapped(&["created_at"])),
    ("updatedAt", FieldUse::Mapped(&["updated_at"])),
];
