//! HelpCrunch: `GET /customers?offset&limit&sort&order` answers `{"data": [...], "total": N}`;
//! with an email or external id, `POST /customers/search`; `GET /customers/{id}` answers one
//! record. Documented rate limit: 120 requests a minute. `firstSeen`/`lastSeen` drift between
//! a string of unix seconds, an integer and null.

use std::num::NonZeroU32;

use client_runtime::Transport;
use futures::FutureExt;
use futures::future::BoxFuture;
use helpcrunch_client::types;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::FieldUse;
use crate::decode::{self, DecodeError, DecodedPage, envelope};
use crate::query::{Filter, Support};
use crate::transport::{Captured, send};
use crate::vendor_api::{Connection, PageRequest, VendorApi, VendorMessage};
use crate::{
    ConvertOptions, Credentials, Customer, Error, ErrorKind, Query, Raw, SortOrder, Status, Vendor,
    text, timestamps,
};
use client_runtime::Paging;

/// The vendor's record as its generated crate types it: what
/// [`Customer::native`](crate::Customer::native) decodes into.
pub type Native = helpcrunch_client::types::Customer;

const VENDOR: Vendor = Vendor::HelpCrunch;

/// HelpCrunch's entry in the registry.
pub(crate) struct HelpCrunch;

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Vec<&'a RawValue>,
    #[serde(borrow)]
    total: Option<&'a RawValue>,
}

impl VendorApi for HelpCrunch {
    fn max_page_size(&self) -> Option<NonZeroU32> {
        NonZeroU32::new(100)
    }

    fn default_rate_limit(&self) -> Option<u32> {
        Some(120)
    }

    fn paging(&self) -> Paging {
        helpcrunch_client::GET_CUSTOMERS_PAGING
    }

    fn page_shape(&self) -> client_runtime::PageShape {
        helpcrunch_client::GET_CUSTOMERS_PAGE_SHAPE
    }

    fn record_fields(&self) -> &'static [(&'static str, FieldUse)] {
        RECORD_FIELDS
    }

    fn support(&self, filter: Filter) -> Support {
        match filter {
            Filter::Email | Filter::ExternalId => Support::Server("`POST /customers/search`"),
            Filter::CreatedSince => Support::Client,
            Filter::UpdatedSince => Support::Unsupported("HelpCrunch reports no change time"),
            Filter::Sort => Support::Server("`sort=customers.firstSeen`, `order`"),
        }
    }

    fn error_message(&self, body: &Value) -> Option<VendorMessage> {
        let body = types::Errors::deserialize(body).ok()?;
        Some(VendorMessage {
            messages: body.errors.into_iter().filter_map(|e| e.message).collect(),
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
            "id",
            &mut page.drift,
            to_customer,
        );
        page.total = decode::total(VENDOR, envelope.total, "$.total", &mut page.drift);
        Ok(page)
    }

    fn decode_lookup(
        &self,
        body: &[u8],
        _id: &str,
        _options: &ConvertOptions,
    ) -> Result<DecodedPage, DecodeError> {
        let record: &RawValue = envelope(VENDOR, body)?;
        let mut page = DecodedPage::default();
        page.customers.extend(decode::record(
            VENDOR,
            record,
            "$",
            "id",
            &mut page.drift,
            to_customer,
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
        let Credentials::HelpCrunch { api_key } = credentials else {
            return Err(crate::client::wrong_credentials(VENDOR, credentials));
        };
        let client = helpcrunch_client::Client::authenticated(
            base_url.unwrap_or(helpcrunch_client::SERVER_URL),
            &helpcrunch_client::Credentials::new(api_key.clone()),
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
        helpcrunch_client::env::ALL
    }

    fn credential_vars(&self) -> &'static [&'static [&'static str]] {
        &[helpcrunch_client::Credentials::ENV]
    }

    fn credentials_from(&self, var: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
        Some(Credentials::HelpCrunch {
            api_key: var(helpcrunch_client::env::BEARER_AUTH)?.into(),
        })
    }
}

struct Connected(helpcrunch_client::Client);

impl Connection for Connected {
    fn page<'a>(&'a self, request: PageRequest<'a>) -> BoxFuture<'a, Result<Captured, Error>> {
        async move {
            let offset = crate::paging::offset_i32(VENDOR, request.offset)?;
            let order = request.query.sort.map(|order| match order {
                SortOrder::Ascending => types::SortOrder::Asc,
                SortOrder::Descending => types::SortOrder::Desc,
            });
            let filters = search_filters(request.query);
            if filters.is_empty() {
                let mut call = self.0.get_customers().offset(offset).limit(request.size);
                if let Some(order) = order {
                    call = call.sort(types::SortField::CustomersFirstSeen).order(order);
                }
                send(VENDOR, call.send()).await
            } else {
                let body = types::SearchRequest {
                    // Every filter must hold, as in the facade's `Query`.
                    comparison: Some(types::SearchRequestComparison::And),
                    filter: filters,
                    limit: Some(request.size),
                    offset: Some(offset),
                    order: order.and_then(search_order),
                    sort: order.map(|_| types::SortField::CustomersFirstSeen.to_string()),
                };
                send(VENDOR, self.0.search_customers().body(body).send()).await
            }
        }
        .boxed()
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Captured>, Error>> {
        async move {
            let Ok(number) = id.trim().parse::<i64>() else {
                return Err(Error::new(VENDOR, ErrorKind::NotFound)
                    .with_message(format!("`{id}` is not a HelpCrunch customer id (a number)")));
            };
            send(VENDOR, self.0.get_customer().id(number).send())
                .await
                .map(Some)
        }
        .boxed()
    }
}

fn search_filters(query: &Query) -> Vec<types::SearchFilter> {
    let filter = |field: &str, value: &str| types::SearchFilter {
        field: field.to_owned(),
        operator: "=".to_owned(),
        value: value.trim().into(),
    };
    let mut filters = Vec::new();
    if let Some(email) = &query.email {
        filters.push(filter("customers.email", email));
    }
    if let Some(external_id) = &query.external_id {
        filters.push(filter("customers.userId", external_id));
    }
    filters
}

/// One HelpCrunch customer in common terms; `raw` is the record as received.
pub fn to_customer(record: types::Customer, raw: Raw) -> Customer {
    let mut customer = Customer::new(VENDOR, record.id.to_string(), raw);
    customer.external_id = text::non_empty_owned(record.user_id);
    customer.name = text::non_empty_owned(record.name);
    customer.email = text::email_owned(record.email);
    customer.phone = text::non_empty_owned(record.phone);
    // HelpCrunch creates a customer on the first visit, so first seen is creation time.
    customer.created_at = record.first_seen.as_ref().and_then(unix_time);
    customer.last_seen_at = record.last_seen.as_ref().and_then(unix_time);
    customer.email_opt_out = record.unsubscribed;
    customer.status = (record.blocked == Some(true)).then_some(Status::Blocked);
    customer.language = text::non_empty_owned(record.locale);
    customer.tags = record
        .tags
        .into_iter()
        .flatten()
        .filter_map(|tag| text::non_empty_owned(tag.name))
        .collect();
    customer
}

fn unix_time(value: &types::UnixTime) -> Option<chrono::DateTime<chrono::Utc>> {
    match value {
        types::UnixTime::Text(text) => timestamps::unix_seconds_text(text.as_deref()?),
        types::UnixTime::Seconds(seconds) => timestamps::unix_seconds(*seconds),
    }
}

/// A search's sort direction, written as the vendor's own search examples write it.
fn search_order(order: types::SortOrder) -> Option<types::SearchOrder> {
    let text = match order {
        types::SortOrder::Asc => "ASC",
        types::SortOrder::Desc => "DESC",
    };
    types::SearchOrder::try_from(text).ok()
}

/// What becomes of each property of the record schema (see [`super::record_fields`]).
const RECORD_FIELDS: &[(&str, FieldUse)] = &[
    ("id", FieldUse::Mapped(&["id"])),
    ("userId", FieldUse::Mapped(&["external_id"])),
    ("name", FieldUse::Mapped(&["name"])),
    ("email", FieldUse::Mapped(&["email"])),
    ("phone", FieldUse::Mapped(&["phone"])),
    ("firstSeen", FieldUse::Mapped(&["created_at"])),
    ("lastSeen", FieldUse::Mapped(&["last_seen_at"])),
    ("unsubscribed", FieldUse::Mapped(&["email_opt_out"])),
    ("blocked", FieldUse::Mapped(&["status"])),
    ("locale", FieldUse::Mapped(&["language"])),
    ("tags", FieldUse::RawOnly),
    ("tags[].name", FieldUse::Mapped(&["tags"])),
    ("tags[].color", FieldUse::RawOnly),
    // Chat-widget context with no common field.
    ("company", FieldUse::RawOnly),
    ("createdFrom", FieldUse::RawOnly),
    ("customData.*", FieldUse::RawOnly),
    ("device.*", FieldUse::RawOnly),
    ("location.*", FieldUse::RawOnly),
    ("integrationId", FieldUse::RawOnly),
    ("lastPage", FieldUse::RawOnly),
    ("notes", FieldUse::RawOnly),
    ("referer", FieldUse::RawOnly),
    ("source", FieldUse::RawOnly),
];
