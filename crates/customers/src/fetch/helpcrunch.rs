//! HelpCrunch: `GET /customers?offset&limit&sort&order`; with an email or external id,
//! `POST /customers/search`; `GET /customers/{id}` for one customer.

use std::num::NonZeroU32;

use helpcrunch_client::Client;
use helpcrunch_client::types::{SearchFilter, SearchRequest, SortField, SortOrder as HcOrder};

use super::{Cursor, Page, success_json};
use crate::decode;
use crate::transport::send;
use crate::{Customer, Error, ErrorKind, Query, SortOrder, Vendor, vendors};

pub(super) async fn page(
    client: &Client,
    query: &Query,
    cursor: Cursor,
    size: NonZeroU32,
) -> Result<Page, Error> {
    let offset = cursor.offset_i32(Vendor::HelpCrunch)?;
    let order = query.sort.map(|order| match order {
        SortOrder::Ascending => HcOrder::Asc,
        SortOrder::Descending => HcOrder::Desc,
    });
    let filters = search_filters(query);
    let captured = if filters.is_empty() {
        let mut request = client.get_customers().offset(offset).limit(size);
        if let Some(order) = order {
            request = request.sort(SortField::CustomersFirstSeen).order(order);
        }
        send(Vendor::HelpCrunch, request.send()).await?
    } else {
        let body = SearchRequest {
            filter: filters,
            limit: Some(size),
            offset: Some(offset),
            order,
            sort: order.map(|_| SortField::CustomersFirstSeen.to_string()),
        };
        send(
            Vendor::HelpCrunch,
            client.search_customers().body(body).send(),
        )
        .await?
    };
    let body = success_json(Vendor::HelpCrunch, &captured)?;
    Ok(Page {
        customers: vendors::helpcrunch::customers_from_page(&body)?,
        total: body.get("total").and_then(serde_json::Value::as_u64),
    })
}

fn search_filters(query: &Query) -> Vec<SearchFilter> {
    let filter = |field: &str, value: &str| SearchFilter {
        field: field.to_owned(),
        operator: "=".to_owned(),
        value: value.trim().into(),
    };
    let mut filters = Vec::new();
    if let Some(email) = &query.email {
        filters.push(filter("customers.email", email));
    }
    if let Some(external_id) = &query.external_id {
        filters.push(filter("customers.userId", external_id));
    }
    filters
}

pub(super) async fn get(client: &Client, id: &str) -> Result<Option<Customer>, Error> {
    let Ok(number) = id.trim().parse::<i64>() else {
        return Err(Error::new(Vendor::HelpCrunch, ErrorKind::NotFound)
            .with_message(format!("`{id}` is not a HelpCrunch customer id (a number)")));
    };
    let captured = send(Vendor::HelpCrunch, client.get_customer().id(number).send()).await?;
    let body = success_json(Vendor::HelpCrunch, &captured)?;
    let record = decode::record(Vendor::HelpCrunch, &body, "$")?;
    Ok(Some(vendors::helpcrunch::to_customer(&record, body)))
}
