//! Hoko: `GET /api/customers?take&skip&sort&externalId`, and `?id=` for one customer.

use std::num::NonZeroU32;

use hoko_client::Client;
use hoko_client::types::SortOrder as HokoSort;

use super::{Cursor, Page, success_json};
use crate::transport::send;
use crate::{Customer, Error, ErrorKind, Query, SortOrder, Vendor, vendors};

pub(super) async fn page(
    client: &Client,
    query: &Query,
    cursor: Cursor,
    size: NonZeroU32,
) -> Result<Page, Error> {
    let mut request = client.get_customers().take(size).skip(cursor.offset);
    if let Some(external_id) = &query.external_id {
        request = request.external_id(external_id.clone());
    }
    if let Some(order) = query.sort {
        request = request.sort(match order {
            SortOrder::Ascending => HokoSort::Asc,
            SortOrder::Descending => HokoSort::Desc,
        });
    }
    let captured = send(Vendor::Hoko, request.send()).await?;
    let body = success_json(Vendor::Hoko, &captured)?;
    Ok(Page {
        customers: vendors::hoko::customers_from_page(&body)?,
        total: None,
    })
}

pub(super) async fn get(client: &Client, id: &str) -> Result<Option<Customer>, Error> {
    let Ok(uuid) = id.trim().parse::<uuid::Uuid>() else {
        return Err(Error::new(Vendor::Hoko, ErrorKind::NotFound)
            .with_message(format!("`{id}` is not a Hoko customer id (a UUID)")));
    };
    let one = NonZeroU32::MIN;
    let request = client.get_customers().id(uuid).take(one);
    let captured = send(Vendor::Hoko, request.send()).await?;
    let body = success_json(Vendor::Hoko, &captured)?;
    Ok(vendors::hoko::customers_from_page(&body)?
        .into_iter()
        .next())
}
