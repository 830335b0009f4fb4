//! Each filter does what the docs' table (`query::support`) says, vendor by vendor: sent to
//! the vendor, applied on the client, or rejected before any request.

mod support;

use chrono::{DateTime, Utc};
use customers::query::{Filter, Support, support};
use customers::{Customer, ErrorKind, Query, SortOrder, Vendor};
use serde_json::Value;
use support::{Paged, client, collect};
use wiremock::{Mock, MockServer, Request};

const TOTAL: usize = 25;

fn since() -> DateTime<Utc> {
    // Hoko, BotPenguin, Gleantap and CareCloud records are dated 2024-01-(i % 28 + 1);
    // HelpCrunch's first visits are 1_700_000_000 + i days.
    "2024-01-20T00:00:00Z".parse().expect("time")
}

fn query(vendor: Vendor, filter: Filter) -> Query {
    match filter {
        Filter::Email => Query::new().email(" Customer7@Example.com "),
        Filter::ExternalId => Query::new().external_id("ext-7"),
        Filter::CreatedSince if vendor == Vendor::HelpCrunch => Query::new()
            .created_since(DateTime::from_timestamp(1_700_000_000 + 20 * 86_400, 0).expect("time")),
        Filter::CreatedSince => Query::new().created_since(since()),
        Filter::UpdatedSince => Query::new().updated_since(since()),
        Filter::Sort => Query::new().sort(SortOrder::Ascending),
    }
}

/// Whether `request` carries `filter` to the vendor.
fn carries(vendor: Vendor, filter: Filter, request: &Request) -> bool {
    let params: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let searched = |field: &str| {
        request.url.path().ends_with("/customers/search")
            && body["filter"].as_array().is_some_and(|f| {
                f.iter()
                    .any(|item| item["field"] == field && item["operator"] == "=")
            })
    };
    match (vendor, filter) {
        (Vendor::CareCloud, Filter::Email) => {
            param("email").as_deref() == Some("Customer7@Example.com")
        }
        (Vendor::Gleantap, Filter::Email) => body["email"] == "Customer7@Example.com",
        (Vendor::HelpCrunch, Filter::Email) => searched("customers.email"),
        (Vendor::Hoko, Filter::ExternalId) => param("externalId").as_deref() == Some("ext-7"),
        (Vendor::HelpCrunch, Filter::ExternalId) => searched("customers.userId"),
        (Vendor::Gleantap, Filter::UpdatedSince) => body["updated_since"] == "2024-01-20",
        (Vendor::Hoko, Filter::Sort) => param("sort").as_deref() == Some("asc"),
        (Vendor::HelpCrunch, Filter::Sort) => {
            param("sort").as_deref() == Some("customers.firstSeen")
                && param("order").as_deref() == Some("asc")
        }
        _ => {
            let names = [
                "email",
                "externalId",
                "updated_since",
                "sort",
                "order",
                "created_since",
            ];
            // BotPenguin always gets its documented default, `sort=createdAt`.
            let default_sort =
                vendor == Vendor::BotPenguin && param("sort").as_deref() == Some("createdAt");
            !request.url.path().ends_with("/search")
                && !names.iter().any(|n| {
                    (param(n).is_some() && !(default_sort && *n == "sort"))
                        || body.get(*n).is_some()
                })
        }
    }
}

fn ids(items: Vec<Result<Customer, customers::Error>>) -> Vec<Customer> {
    items
        .into_iter()
        .map(|item| item.expect("listed"))
        .collect()
}

#[tokio::test]
async fn every_filter_behaves_as_the_table_says() {
    for vendor in Vendor::ALL {
        for filter in Filter::ALL {
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(Paged {
                    vendor,
                    total: TOTAL,
                })
                .mount(&server)
                .await;
            let (client, _) = client(vendor, &server.uri());
            let query = query(vendor, filter);
            let items = collect(&client, query.clone()).await;
            let requests = server.received_requests().await.expect("recorded");
            let at = format!("{vendor} / {}", filter.name());
            match support(vendor, filter) {
                Support::Unsupported(_) => {
                    assert_eq!(items.len(), 1, "{at}");
                    let err = items[0].as_ref().expect_err("rejected");
                    assert_eq!(err.kind(), &ErrorKind::InvalidQuery, "{at}");
                    assert!(requests.is_empty(), "{at}: rejected before any request");
                    continue;
                }
                Support::Server(_) | Support::ServerOnly(_) => {
                    assert!(
                        requests.iter().all(|r| carries(vendor, filter, r)),
                        "{at}: sent to the vendor"
                    );
                }
                Support::Client => {
                    assert!(
                        requests.iter().all(|r| carries(vendor, filter, r)),
                        "{at}: nothing sent"
                    );
                }
            }
            // The stand-in ignores filters, so what comes back is what the client kept.
            let (everyone, _) = support::client(vendor, &server.uri());
            let all = ids(collect(&everyone, Query::new()).await);
            let kept = ids(items);
            let expected: Vec<&Customer> = all
                .iter()
                .filter(|c| match filter {
                    Filter::Email => c.email.as_deref() == Some("customer7@example.com"),
                    Filter::ExternalId => c.external_id.as_deref() == Some("ext-7"),
                    Filter::CreatedSince => c.created_at >= query.created_since,
                    // Gleantap filters by day on the server and has no change time to check.
                    Filter::UpdatedSince => {
                        vendor == Vendor::Gleantap || c.updated_at >= query.updated_since
                    }
                    Filter::Sort => true,
                })
                .collect();
            let kept_refs: Vec<&Customer> = kept.iter().collect();
            assert_eq!(kept_refs, expected, "{at}: the customers kept");
            if matches!(
                filter,
                Filter::Email | Filter::ExternalId | Filter::CreatedSince
            ) {
                assert!(
                    !kept.is_empty() && kept.len() < TOTAL,
                    "{at}: the filter selects some"
                );
            }
        }
    }
}
