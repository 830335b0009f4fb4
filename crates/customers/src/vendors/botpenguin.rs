//! BotPenguin: `GET /customer/list?page=N&sort=createdAt` answers `{"success": true,
//! "data": [...]}`. The page size is the vendor's own and undocumented, so only an empty page
//! ends the list. There is no lookup by id. Status is an open set of words.

use std::num::NonZeroU32;

use botpenguin_client::types;
use client_runtime::Transport;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::FieldUse;
use crate::decode::{self, DecodeError, DecodedPage, envelope};
use crate::query::{Filter, Support};
use crate::transport::{Captured, send};
use crate::vendor_api::{Connection, PageRequest, VendorApi, VendorMessage};
use crate::{ConvertOptions, Credentials, Customer, Error, Raw, Status, Vendor, text, timestamps};
use client_runtime::Paging;

/// The vendor's record as its generated crate types it: what
/// [`Customer::native`](crate::Customer::native) decodes into.
pub type Native = botpenguin_client::types::Customer;

const VENDOR: Vendor = Vendor::BotPenguin;

/// BotPenguin's entry in the registry.
pub(crate) struct BotPenguin;

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Vec<&'a RawValue>,
}

impl VendorApi for BotPenguin {
    fn max_page_size(&self) -> Option<NonZeroU32> {
        None
    }

    fn paging(&self) -> Paging {
        botpenguin_client::GET_CUSTOMERS_PAGING
    }

    fn page_shape(&self) -> client_runtime::PageShape {
        botpenguin_client::GET_CUSTOMERS_PAGE_SHAPE
    }

    fn record_fields(&self) -> &'static [(&'static str, FieldUse)] {
        RECORD_FIELDS
    }

    fn support(&self, filter: Filter) -> Support {
        match filter {
            Filter::Email | Filter::CreatedSince | Filter::UpdatedSince => Support::Client,
            Filter::ExternalId => Support::Unsupported("BotPenguin reports no external id"),
            Filter::Sort => Support::Unsupported("BotPenguin does not document the sort direction"),
        }
    }

    fn error_message(&self, body: &Value) -> Option<VendorMessage> {
        let body = types::ErrorResponse::deserialize(body).ok()?;
        Some(VendorMessage {
            messages: body.message.into_iter().collect(),
            ..VendorMessage::default()
        })
    }

    fn decode_page(
        &self,
        body: &[u8],
        _options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError> {
        let envelope: Envelope = envelope(VENDOR, body)?;
        let mut page = DecodedPage::default();
        page.customers = decode::records(
            VENDOR,
            &envelope.data,
            "$.data[*]",
            "_id",
            &mut page.drift,
            to_customer,
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
        let Credentials::BotPenguin { token } = credentials else {
            return Err(crate::client::wrong_credentials(VENDOR, credentials));
        };
        let client = botpenguin_client::Client::authenticated(
            base_url.unwrap_or(botpenguin_client::SERVER_URL),
            &botpenguin_client::Credentials::new(token.clone()),
            http,
        )
        .map_err(|err| crate::client::auth_error(VENDOR, err))?
        .with_transport(transport);
        Ok(Box::new(Connected(client)))
    }

    fn credential_headers(&self) -> &'static [&'static str] {
        &["authorization", "authtype"]
    }

    fn env(&self) -> &'static [(&'static str, &'static str)] {
        botpenguin_client::env::ALL
    }

    fn credential_vars(&self) -> &'static [&'static [&'static str]] {
        &[botpenguin_client::Credentials::ENV]
    }

    fn credentials_from(&self, var: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
        Some(Credentials::BotPenguin {
            token: var(botpenguin_client::env::BEARER_AUTH)?.into(),
        })
    }
}

struct Connected(botpenguin_client::Client);

impl Connection for Connected {
    fn page<'a>(&'a self, request: PageRequest<'a>) -> BoxFuture<'a, Result<Captured, Error>> {
        let page = NonZeroU32::new(request.page).unwrap_or(NonZeroU32::MIN);
        let call = self.0.get_customers().page(page).sort("createdAt");
        send(VENDOR, call.send()).boxed()
    }

    fn get<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<Option<Captured>, Error>> {
        // No lookup: the client lists until it finds the id.
        futures::future::ready(Ok(None)).boxed()
    }
}

/// One BotPenguin customer in common terms; `raw` is the record as received.
pub fn to_customer(record: types::Customer, raw: Raw) -> Customer {
    let mut customer = Customer::new(VENDOR, record.id, raw);
    customer.name = text::non_empty_owned(record.name);
    customer.email = text::email(record.contact.as_ref().and_then(|c| c.email.as_deref()));
    customer.status = text::non_empty(record.status.as_deref())
        .as_deref()
        .map(Status::from_vendor_text);
    customer.created_at = timestamps::rfc3339(record.created_at.as_deref());
    customer.updated_at = timestamps::rfc3339(record.updated_at.as_deref());
    customer.last_seen_at = timestamps::rfc3339(record.last_login.as_deref());
    customer
}

/// What becomes of each property of the record schema (see [`super::record_fields`]).
const RECORD_FIELDS: &[(&str, FieldUse)] = &[
    ("_id", FieldUse::Mapped(&["id"])),
    ("name", FieldUse::Mapped(&["name"])),
    ("contact", FieldUse::RawOnly),
    ("contact.email", FieldUse::Mapped(&["email"])),
    ("status", FieldUse::Mapped(&["status"])),
    ("createdAt", FieldUse::Mapped(&["created_at"])),
    ("updatedAt", FieldUse::Mapped(&["updated_at"])),
    ("lastLogin", FieldUse::Mapped(&["last_seen_at"])),
    // The account's plan and e-mail verification: no common field.
    ("verified", FieldUse::RawOnly),
    ("subscriptionType", FieldUse::RawOnly),
];
