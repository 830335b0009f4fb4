//! Gleantap: `{"members": [...]}`; opt-outs are 0/1 integers.

use gleantap_client::types;
use serde_json::Value;

use crate::decode::{self, DecodeError};
use crate::{Customer, Vendor, text, timestamps};

/// The customers of a `POST /v2/ExternalApi/getCustomers` response body.
pub fn customers_from_page(body: &Value) -> Result<Vec<Customer>, DecodeError> {
    Ok(
        decode::records::<types::Customer>(Vendor::Gleantap, body, "/members")?
            .into_iter()
            .map(|(record, raw)| to_customer(&record, raw))
            .collect(),
    )
}

/// One Gleantap member in common terms; `raw` is the record as received.
pub fn to_customer(record: &types::Customer, raw: Value) -> Customer {
    let mut customer = Customer::new(Vendor::Gleantap, record.id.clone(), raw);
    customer.first_name = text::non_empty(record.firstname.as_deref());
    customer.last_name = text::non_empty(record.lastname.as_deref());
    customer.name = text::join_name(record.firstname.as_deref(), record.lastname.as_deref());
    customer.email = text::email(record.email.as_deref());
    customer.phone = text::non_empty(record.phone.as_deref());
    customer.created_at = timestamps::rfc3339(record.created_date.as_deref());
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
