//! Requests: one module per vendor turns a page request or a lookup into a call of the
//! generated client, and the response into customers or an [`Error`].

mod botpenguin;
mod carecloud;
mod errors;
mod gleantap;
mod helpcrunch;
mod hoko;

use std::num::NonZeroU32;

pub(crate) use carecloud::Session as CareCloudSession;
pub(crate) use errors::body_hint;

use crate::transport::Captured;
use crate::{ConvertOptions, Customer, Error, Query, Vendor};

/// Where the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// Customers already listed (offset paging).
    pub offset: u64,
    /// Page number, from 1 (BotPenguin).
    pub page: u32,
}

impl Cursor {
    pub const START: Cursor = Cursor { offset: 0, page: 1 };

    /// The offset as the 32-bit integer `vendor`'s spec declares.
    pub fn offset_i32(self, vendor: Vendor) -> Result<i32, Error> {
        i32::try_from(self.offset).map_err(|_| {
            Error::new(vendor, crate::ErrorKind::InvalidQuery).with_message(format!(
                "offset {} does not fit {vendor}'s 32-bit offset",
                self.offset
            ))
        })
    }
}

/// One page of customers.
#[derive(Debug)]
pub(crate) struct Page {
    pub customers: Vec<Customer>,
    /// The vendor's total across pages, where it reports one.
    pub total: Option<u64>,
}

/// A generated client of one vendor, ready to call.
pub(crate) enum Api {
    Hoko(hoko_client::Client),
    CareCloud(CareCloudSession),
    BotPenguin(botpenguin_client::Client),
    Gleantap {
        client: gleantap_client::Client,
        app_id: String,
    },
    HelpCrunch(helpcrunch_client::Client),
}

impl Api {
    /// The page at `cursor` of at most `size` customers matching `query` on the server side.
    pub async fn page(
        &self,
        query: &Query,
        cursor: Cursor,
        size: NonZeroU32,
        options: &ConvertOptions,
    ) -> Result<Page, Error> {
        match self {
            Api::Hoko(client) => hoko::page(client, query, cursor, size).await,
            Api::CareCloud(session) => session.page(query, cursor, size, options).await,
            Api::BotPenguin(client) => botpenguin::page(client, cursor).await,
            Api::Gleantap { client, app_id } => {
                gleantap::page(client, app_id, query, cursor, size).await
            }
            Api::HelpCrunch(client) => helpcrunch::page(client, query, cursor, size).await,
        }
    }

    /// The customer with the vendor's id `id`, through the vendor's documented lookup.
    /// BotPenguin has none; the client finds its customers by listing.
    pub async fn get(&self, id: &str, options: &ConvertOptions) -> Result<Option<Customer>, Error> {
        match self {
            Api::Hoko(client) => hoko::get(client, id).await,
            Api::CareCloud(session) => session.get(id, options).await,
            Api::BotPenguin(_) => Ok(None),
            Api::Gleantap { client, app_id } => gleantap::get(client, app_id, id).await,
            Api::HelpCrunch(client) => helpcrunch::get(client, id).await,
        }
    }
}

/// The body of a successful response as JSON, or the error the response stands for.
pub(crate) fn success_json(
    vendor: Vendor,
    captured: &Captured,
) -> Result<serde_json::Value, Error> {
    if !captured.status.is_success() {
        return Err(errors::from_response(vendor, captured));
    }
    serde_json::from_slice(&captured.body).map_err(|err| {
        Error::from(crate::DecodeError {
            vendor,
            path: "$".to_owned(),
            message: format!("the body is not JSON: {err}"),
        })
        .with_status(captured.status.as_u16())
    })
}
