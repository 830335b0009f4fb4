//! Local stand-ins for the five vendors (wiremock responders that page like the real APIs),
//! and clients pointed at them.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use customers::vendors::CareCloudAuth;
use customers::{Credentials, CustomersClient, Event, RetryPolicy, Vendor};
use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

/// BotPenguin's page size is the vendor's; the stand-in uses 7.
pub const BOTPENGUIN_PAGE: usize = 7;

/// The path of the list operation, below the base URL.
pub fn list_path(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Hoko => "/api/customers",
        Vendor::CareCloud => "/customers",
        Vendor::BotPenguin => "/customer/list",
        Vendor::Gleantap => "/v2/ExternalApi/getCustomers",
        Vendor::HelpCrunch => "/customers",
    }
}

/// The vendor's id of customer number `i`.
pub fn id(vendor: Vendor, i: usize) -> String {
    match vendor {
        Vendor::Hoko => format!("00000000-0000-4000-8000-{i:012}"),
        Vendor::CareCloud => format!("cc{i:024}"),
        Vendor::BotPenguin => format!("bp{i:022}"),
        Vendor::Gleantap => format!("gt{i:022}"),
        Vendor::HelpCrunch => (500_000 + i).to_string(),
    }
}

/// Customer number `i` in the vendor's shape.
pub fn record(vendor: Vendor, i: usize) -> Value {
    let email = format!("customer{i}@example.com");
    match vendor {
        Vendor::Hoko => {
            json!({"id": id(vendor, i), "externalId": format!("ext-{i}"), "name": format!("Customer {i}"), "email": email, "createdAt": format!("2024-01-{:02}T00:00:00Z", i % 28 + 1)})
        }
        Vendor::CareCloud => {
            json!({"customer_id": id(vendor, i), "personal_information": {"first_name": "Customer", "last_name": i.to_string(), "email": email}, "last_change": format!("2024-01-{:02} 10:00:00", i % 28 + 1), "state": 1})
        }
        Vendor::BotPenguin => {
            json!({"_id": id(vendor, i), "name": format!("Customer {i}"), "contact": {"email": email}, "status": "ACTIVE", "createdAt": format!("2024-01-{:02}T00:00:00.000Z", i % 28 + 1)})
        }
        Vendor::Gleantap => {
            json!({"id": id(vendor, i), "firstname": "Customer", "lastname": i.to_string(), "email": email, "email_optout": 0, "sms_optout": 0, "created_date": format!("2024-01-{:02}T00:00:00Z", i % 28 + 1)})
        }
        Vendor::HelpCrunch => {
            json!({"id": 500_000 + i, "name": format!("Customer {i}"), "email": email, "userId": format!("ext-{i}"), "firstSeen": (1_700_000_000 + i * 86_400).to_string()})
        }
    }
}

fn query_u64(request: &Request, name: &str) -> Option<u64> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// Serves `total` customers of `vendor`, paged as the vendor pages.
pub struct Paged {
    pub vendor: Vendor,
    pub total: usize,
}

impl Paged {
    /// The page the request asks for: `(offset, limit)` in the vendor's terms.
    pub fn window(vendor: Vendor, request: &Request) -> (usize, usize) {
        let q = |name| query_u64(request, name).map(|v| v as usize);
        match vendor {
            Vendor::Hoko => (q("skip").unwrap_or(0), q("take").unwrap_or(50)),
            Vendor::CareCloud => (q("offset").unwrap_or(0), q("count").unwrap_or(100)),
            Vendor::BotPenguin => {
                let page = q("page").unwrap_or(1).max(1);
                ((page - 1) * BOTPENGUIN_PAGE, BOTPENGUIN_PAGE)
            }
            Vendor::Gleantap => {
                let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
                let n = |k: &str| body[k].as_u64().map(|v| v as usize);
                (n("offset").unwrap_or(0), n("limit").unwrap_or(1000))
            }
            Vendor::HelpCrunch => {
                if request.url.path().ends_with("/search") {
                    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
                    let n = |k: &str| body[k].as_u64().map(|v| v as usize);
                    (n("offset").unwrap_or(0), n("limit").unwrap_or(100))
                } else {
                    (q("offset").unwrap_or(0), q("limit").unwrap_or(100))
                }
            }
        }
    }

    /// The body for customers `range` of `total`.
    pub fn body(vendor: Vendor, items: Vec<Value>, total: usize) -> Value {
        match vendor {
            Vendor::Hoko => Value::Array(items),
            Vendor::CareCloud => json!({"data": {"customers": items, "total_items": total}}),
            Vendor::BotPenguin => {
                json!({"success": true, "message": "", "data": items, "code": 200})
            }
            Vendor::Gleantap => json!({"members": items}),
            Vendor::HelpCrunch => json!({"data": items, "total": total}),
        }
    }
}

impl Respond for Paged {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let (offset, limit) = Paged::window(self.vendor, request);
        let end = offset.saturating_add(limit).min(self.total);
        let items = (offset.min(end)..end)
            .map(|i| record(self.vendor, i))
            .collect();
        ResponseTemplate::new(200).set_body_json(Paged::body(self.vendor, items, self.total))
    }
}

/// Serves the first page for every request: a server whose paging does not advance.
pub struct Stuck {
    pub vendor: Vendor,
    pub size: usize,
}

impl Respond for Stuck {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let items = (0..self.size).map(|i| record(self.vendor, i)).collect();
        ResponseTemplate::new(200).set_body_json(Paged::body(self.vendor, items, 1_000_000))
    }
}

/// Test credentials of `vendor` (CareCloud with a fixed token).
pub fn credentials(vendor: Vendor) -> Credentials {
    match vendor {
        Vendor::Hoko => Credentials::Hoko {
            api_key: "hk_test".into(),
        },
        Vendor::CareCloud => Credentials::CareCloud(CareCloudAuth::Token("cc_test".into())),
        Vendor::BotPenguin => Credentials::BotPenguin {
            token: "bp_test".into(),
        },
        Vendor::Gleantap => Credentials::Gleantap {
            api_key: "gt_key".into(),
            secret_key: "gt_secret".into(),
            app_id: "app-7".into(),
        },
        Vendor::HelpCrunch => Credentials::HelpCrunch {
            api_key: "hc_test".into(),
        },
    }
}

/// Retries that do not slow tests down.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        budget: Duration::from_secs(10),
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

/// Events seen by a client.
pub type Events = Arc<Mutex<Vec<Event>>>;

/// A client of `vendor` at `base`, page size 10, fast retries, no rate limit, recording
/// events.
pub fn client(vendor: Vendor, base: &str) -> (CustomersClient, Events) {
    client_with(vendor, base, credentials(vendor))
}

pub fn client_with(
    vendor: Vendor,
    base: &str,
    credentials: Credentials,
) -> (CustomersClient, Events) {
    let events: Events = Arc::default();
    let sink = events.clone();
    let mut builder = CustomersClient::builder(credentials)
        .base_url(base)
        .retry(fast_retries())
        .rate_limit_per_minute(None)
        .observer(Arc::new(move |event: &Event| {
            if let Ok(mut events) = sink.lock() {
                events.push(event.clone());
            }
        }));
    if vendor != Vendor::BotPenguin {
        builder = builder.page_size(10);
    }
    (builder.build().expect("client builds"), events)
}

/// Every item of a listing.
pub async fn collect(
    client: &CustomersClient,
    query: customers::Query,
) -> Vec<Result<customers::Customer, customers::Error>> {
    use futures::StreamExt;
    client.list(query).collect().await
}

/// The auth header that identifies `vendor`'s test credentials on a request.
pub fn assert_authenticated(vendor: Vendor, request: &Request) {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    match vendor {
        Vendor::Hoko => assert_eq!(header("authorization").as_deref(), Some("Bearer hk_test")),
        Vendor::CareCloud => assert_eq!(header("authorization").as_deref(), Some("Bearer cc_test")),
        Vendor::BotPenguin => {
            assert_eq!(header("authorization").as_deref(), Some("Bearer bp_test"));
            assert_eq!(header("authtype").as_deref(), Some("Key"));
        }
        Vendor::Gleantap => {
            assert_eq!(header("x-api-key").as_deref(), Some("gt_key"));
            assert_eq!(header("x-secret-key").as_deref(), Some("gt_secret"));
        }
        Vendor::HelpCrunch => {
            assert_eq!(header("authorization").as_deref(), Some("Bearer hc_test"))
        }
    }
}
