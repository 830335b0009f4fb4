//! BotPenguin: `{"success": true, "data": [...]}`; status is an open set of words.

use botpenguin_client::types;
use serde_json::Value;

use crate::decode::{self, DecodeError};
use crate::{Customer, Status, Vendor, text, timestamps};

/// The customers of a `GET /customer/list` response body.
pub fn customers_from_page(body: &Value) -> Result<Vec<Customer>, DecodeError> {
    Ok(
        decode::records::<types::Customer>(Vendor::BotPenguin, body, "/data")?
            .into_iter()
            .map(|(record, raw)| to_customer(&record, raw))
            .collect(),
    )
}

/// One BotPenguin customer in common terms; `raw` is the record as received.
pub fn to_customer(record: &types::Customer, raw: Value) -> Customer {
    let mut customer = Customer::new(Vendor::BotPenguin, record.id.clone(), raw);
    customer.name = text::non_empty(record.name.as_deref());
    customer.email = text::email(record.contact.as_ref().and_then(|c| c.email.as_deref()));
    customer.status = text::non_empty(record.status.as_deref())
        .as_deref()
        .map(Status::from_vendor_text);
    customer.created_at = timestamps::rfc3339(record.created_at.as_deref());
    customer.updated_at = timestamps::rfc3339(record.updated_at.as_deref());
    customer.last_seen_at = timestamps::rfc3339(record.last_login.as_deref());
    customer
}
