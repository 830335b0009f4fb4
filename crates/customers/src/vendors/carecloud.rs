//! CareCloud: `{"data": {"customers": [...], "total_items": N}}`; timestamps are local time
//! of the tenant without an offset.

use carecloud_client::types;
use serde_json::Value;

use crate::decode::{self, DecodeError};
use crate::{ConvertOptions, Customer, Status, Vendor, text, timestamps};

/// The customers of a `GET /customers` response body.
pub fn customers_from_page(
    body: &Value,
    options: &ConvertOptions,
) -> Result<Vec<Customer>, DecodeError> {
    Ok(
        decode::records::<types::Customer>(Vendor::CareCloud, body, "/data/customers")?
            .into_iter()
            .map(|(record, raw)| to_customer(&record, raw, options))
            .collect(),
    )
}

/// One CareCloud customer in common terms; `raw` is the record as received.
pub fn to_customer(record: &types::Customer, raw: Value, options: &ConvertOptions) -> Customer {
    let mut customer = Customer::new(Vendor::CareCloud, record.customer_id.clone(), raw);
    if let Some(person) = &record.personal_information {
        customer.first_name = text::non_empty(person.first_name.as_deref());
        customer.last_name = text::non_empty(person.last_name.as_deref());
        customer.name = text::join_name(person.first_name.as_deref(), person.last_name.as_deref());
        customer.email = text::email(person.email.as_deref());
        customer.phone = text::non_empty(person.phone.as_deref());
        customer.language = text::non_empty(person.language_id.as_deref());
        customer.avatar_url = text::non_empty(person.photo_url.as_deref());
    }
    customer.updated_at =
        timestamps::local_datetime(record.last_change.as_deref(), options.carecloud_time_zone);
    customer.status = record.state.map(status);
    customer
}

/// `state`: 0 deleted, 1 active, 2 inactive; any other number is kept as text.
fn status(state: i32) -> Status {
    match state {
        0 => Status::Deleted,
        1 => Status::Active,
        2 => Status::Inactive,
        other => Status::Other(other.to_string()),
    }
}
