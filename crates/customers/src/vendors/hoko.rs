//! Hoko: `GET /api/customers` returns a bare array.

use hoko_client::types;
use serde_json::Value;

use crate::decode::{self, DecodeError};
use crate::{Customer, Vendor, text, timestamps};

/// The customers of a response body (a bare JSON array).
pub fn customers_from_page(body: &Value) -> Result<Vec<Customer>, DecodeError> {
    Ok(decode::records::<types::Customer>(Vendor::Hoko, body, "")?
        .into_iter()
        .map(|(record, raw)| to_customer(&record, raw))
        .collect())
}

/// One Hoko customer in common terms; `raw` is the record as received.
pub fn to_customer(record: &types::Customer, raw: Value) -> Customer {
    let mut customer = Customer::new(Vendor::Hoko, record.id.to_string(), raw);
    customer.external_id = text::non_empty(record.external_id.as_deref());
    customer.name = text::non_empty(record.name.as_deref());
    customer.email = text::email(record.email.as_deref());
    customer.phone = text::non_empty(record.phone.as_deref());
    customer.avatar_url = text::non_empty(record.avatar.as_deref());
    customer.created_at = timestamps::rfc3339(record.created_at.as_deref());
    customer.updated_at = timestamps::rfc3339(record.updated_at.as_deref());
    customer
}
