//! HelpCrunch: `{"data": [...], "total": N}`; `firstSeen`/`lastSeen` drift between a string
//! of unix seconds, an integer and null.

use helpcrunch_client::types;
use serde_json::Value;

use crate::decode::{self, DecodeError};
use crate::{Customer, Status, Vendor, text, timestamps};

/// The customers of a `GET /customers` or `POST /customers/search` response body.
pub fn customers_from_page(body: &Value) -> Result<Vec<Customer>, DecodeError> {
    Ok(
        decode::records::<types::Customer>(Vendor::HelpCrunch, body, "/data")?
            .into_iter()
            .map(|(record, raw)| to_customer(&record, raw))
            .collect(),
    )
}

/// One HelpCrunch customer in common terms; `raw` is the record as received.
pub fn to_customer(record: &types::Customer, raw: Value) -> Customer {
    let mut customer = Customer::new(Vendor::HelpCrunch, record.id.to_string(), raw);
    customer.external_id = text::non_empty(record.user_id.as_deref());
    customer.name = text::non_empty(record.name.as_deref());
    customer.email = text::email(record.email.as_deref());
    customer.phone = text::non_empty(record.phone.as_deref());
    // HelpCrunch creates a customer on the first visit, so first seen is creation time.
    customer.created_at = record.first_seen.as_ref().and_then(unix_time);
    customer.last_seen_at = record.last_seen.as_ref().and_then(unix_time);
    customer.email_opt_out = record.unsubscribed;
    customer.status = (record.blocked == Some(true)).then_some(Status::Blocked);
    customer.language = text::non_empty(record.locale.as_deref());
    customer.tags = record
        .tags
        .iter()
        .flatten()
        .filter_map(|tag| text::non_empty(tag.name.as_deref()))
        .collect();
    customer
}

fn unix_time(value: &types::UnixTime) -> Option<chrono::DateTime<chrono::Utc>> {
    match value {
        types::UnixTime::String(text) => timestamps::unix_seconds_text(text),
        types::UnixTime::Int64(seconds) => timestamps::unix_seconds(*seconds),
    }
}
