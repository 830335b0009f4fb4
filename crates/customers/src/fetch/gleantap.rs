//! Gleantap: `POST /v2/ExternalApi/getCustomers` with filters and `limit`/`offset` in the
//! JSON body; `_id` for one customer.

use std::num::NonZeroU32;

use gleantap_client::Client;
use gleantap_client::types::GetCustomersBody;

use super::{Cursor, Page, success_json};
use crate::transport::send;
use crate::{Customer, Error, Query, Vendor, vendors};

pub(super) async fn page(
    client: &Client,
    app_id: &str,
    query: &Query,
    cursor: Cursor,
    size: NonZeroU32,
) -> Result<Page, Error> {
    let offset = i64::try_from(cursor.offset).unwrap_or(i64::MAX);
    let mut body = GetCustomersBody::builder()
        .app_id(app_id)
        .limit(Some(i64::from(size.get())))
        .offset(Some(offset));
    if let Some(email) = &query.email {
        body = body.email(Some(email.trim().to_owned()));
    }
    if let Some(since) = query.updated_since {
        body = body.updated_since(Some(since.date_naive()));
    }
    fetch(client, body).await
}

pub(super) async fn get(
    client: &Client,
    app_id: &str,
    id: &str,
) -> Result<Option<Customer>, Error> {
    let body = GetCustomersBody::builder()
        .app_id(app_id)
        .id(Some(id.to_owned()))
        .limit(Some(1));
    let page = fetch(client, body).await?;
    Ok(page.customers.into_iter().find(|c| c.id == id))
}

async fn fetch(
    client: &Client,
    body: gleantap_client::types::builder::GetCustomersBody,
) -> Result<Page, Error> {
    let request = client.get_customers().body(body);
    let captured = send(Vendor::Gleantap, request.send()).await?;
    let json = success_json(Vendor::Gleantap, &captured)?;
    Ok(Page {
        customers: vendors::gleantap::customers_from_page(&json)?,
        total: None,
    })
}
