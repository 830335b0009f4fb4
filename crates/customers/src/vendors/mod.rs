//! One module per vendor: its record type to [`Customer`](crate::Customer), and a response
//! body to customers.

pub mod botpenguin;
pub mod carecloud;
pub mod gleantap;
pub mod helpcrunch;
pub mod hoko;

use serde_json::Value;

use crate::{ConvertOptions, Customer, DecodeError, Vendor};

/// The customers in one "list customers" response body of `vendor`, in order.
pub fn customers_from_page(
    vendor: Vendor,
    body: &Value,
    options: &ConvertOptions,
) -> Result<Vec<Customer>, DecodeError> {
    match vendor {
        Vendor::Hoko => hoko::customers_from_page(body),
        Vendor::CareCloud => carecloud::customers_from_page(body, options),
        Vendor::BotPenguin => botpenguin::customers_from_page(body),
        Vendor::Gleantap => gleantap::customers_from_page(body),
        Vendor::HelpCrunch => helpcrunch::customers_from_page(body),
    }
}
