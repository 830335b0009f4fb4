//! BotPenguin: `GET /customer/list?page=N&sort=createdAt`; the page size is the vendor's.

use std::num::NonZeroU32;

use botpenguin_client::Client;

use super::{Cursor, Page, success_json};
use crate::transport::send;
use crate::{Error, Vendor, vendors};

pub(super) async fn page(client: &Client, cursor: Cursor) -> Result<Page, Error> {
    let page = NonZeroU32::new(cursor.page).unwrap_or(NonZeroU32::MIN);
    let request = client.get_customers().page(page).sort("createdAt");
    let captured = send(Vendor::BotPenguin, request.send()).await?;
    let body = success_json(Vendor::BotPenguin, &captured)?;
    Ok(Page {
        customers: vendors::botpenguin::customers_from_page(&body)?,
        total: None,
    })
}
