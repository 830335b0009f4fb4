//! Errors and retries against local servers: 401 and 403 surface at once with the vendor's
//! message, 429 waits as told, 503 is retried, other 4xx never are.

mod support;

use std::time::Duration;

use customers::{ErrorKind, Event, Query, Vendor};
use serde_json::{Value, json};
use support::{Paged, client, collect, list_path};
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The vendor's error body for `status`, and the message the error must carry.
fn error_body(vendor: Vendor, status: u16) -> (Value, &'static str) {
    let forbidden = status == 403;
    match vendor {
        Vendor::Hoko if forbidden => (
            json!({"error": {"en": "Missing required scopes", "ar": "الصلاحيات المطلوبة مفقودة"}, "missingScopes": ["customersRead"]}),
            "Missing required scopes",
        ),
        Vendor::Hoko => (
            json!({"error": {"en": "Invalid API key", "ar": "مفتاح API غير صالح"}}),
            "Invalid API key",
        ),
        Vendor::CareCloud => (
            json!({"error": {"type": "auth", "exception": "AuthException", "title": "Unauthorized", "detail": "The bearer token is invalid."}}),
            "Unauthorized; The bearer token is invalid.",
        ),
        Vendor::BotPenguin => (
            json!({"success": false, "message": "Invalid token", "code": status}),
            "Invalid token",
        ),
        Vendor::Gleantap => (
            json!({"message": "Invalid API credentials"}),
            "Invalid API credentials",
        ),
        Vendor::HelpCrunch => (
            json!({"errors": [{"code": "invalid_request", "message": "Invalid request"}, {"code": "unauthorized", "message": "Unauthorized"}]}),
            "Invalid request; Unauthorized",
        ),
    }
}

#[tokio::test]
async fn unauthorized_and_forbidden_surface_at_once_with_the_vendors_message() {
    for vendor in Vendor::ALL {
        for status in [401u16, 403] {
            let server = MockServer::start().await;
            let (body, message) = error_body(vendor, status);
            Mock::given(path(list_path(vendor)))
                .respond_with(ResponseTemplate::new(status).set_body_json(&body))
                .mount(&server)
                .await;
            let (client, events) = client(vendor, &server.uri());
            let items = collect(&client, Query::new()).await;
            assert_eq!(items.len(), 1, "{vendor} {status}: one error, then the end");
            let err = items[0].as_ref().expect_err("an error");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.message(), Some(message), "{vendor} {status}");
            assert!(!err.is_retryable());
            match (status, err.kind()) {
                (401, ErrorKind::Unauthorized) => {}
                (403, ErrorKind::Forbidden { missing_scopes }) => {
                    let expected: Vec<String> = if vendor == Vendor::Hoko {
                        vec!["customersRead".into()]
                    } else {
                        vec![]
                    };
                    assert_eq!(missing_scopes, &expected);
                }
                (_, kind) => panic!("{vendor} {status}: unexpected kind {kind:?}"),
            }
            assert!(!err.to_string().contains("_test"), "no credential in {err}");
            assert_eq!(
                server.received_requests().await.expect("recorded").len(),
                1,
                "{vendor}: not retried"
            );
            assert!(
                events
                    .lock()
                    .expect("events")
                    .iter()
                    .all(|e| !matches!(e, Event::Retrying { .. }))
            );
        }
    }
}

fn retry_waits(events: &support::Events) -> Vec<(Duration, String)> {
    events
        .lock()
        .expect("events")
        .iter()
        .filter_map(|event| match event {
            Event::Retrying { wait, reason, .. } => Some((*wait, reason.clone())),
            _ => None,
        })
        .collect()
}

/// A stand-in that answers `first` for the first `times` requests, then pages `total`.
async fn serve_after(
    vendor: Vendor,
    first: ResponseTemplate,
    times: u64,
    total: usize,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(list_path(vendor)))
        .respond_with(Paged { vendor, total })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    for vendor in Vendor::ALL {
        let server = serve_after(
            vendor,
            ResponseTemplate::new(429).insert_header("Retry-After", "1"),
            1,
            3,
        )
        .await;
        let (client, events) = client(vendor, &server.uri());
        let items = collect(&client, Query::new()).await;
        assert_eq!(items.len(), 3, "{vendor}");
        assert!(items.iter().all(Result::is_ok), "{vendor}: {items:?}");
        assert_eq!(
            retry_waits(&events),
            vec![(Duration::from_secs(1), "HTTP 429".to_owned())],
            "{vendor}"
        );
    }
}

#[tokio::test]
async fn hokos_retry_after_body_field_is_honoured() {
    let vendor = Vendor::Hoko;
    let body = json!({"error": {"en": "Rate limit exceeded"}, "retryAfter": 1});
    let server = serve_after(vendor, ResponseTemplate::new(429).set_body_json(body), 1, 2).await;
    let (client, events) = client(vendor, &server.uri());
    assert!(
        collect(&client, Query::new())
            .await
            .iter()
            .all(Result::is_ok)
    );
    assert_eq!(
        retry_waits(&events),
        vec![(Duration::from_secs(1), "HTTP 429".to_owned())]
    );
}

#[tokio::test]
async fn a_503_twice_is_retried_then_succeeds() {
    for vendor in Vendor::ALL {
        let server = serve_after(vendor, ResponseTemplate::new(503), 2, 3).await;
        let (client, events) = client(vendor, &server.uri());
        let items = collect(&client, Query::new()).await;
        assert!(
            items.len() == 3 && items.iter().all(Result::is_ok),
            "{vendor}: {items:?}"
        );
        let waits = retry_waits(&events);
        assert_eq!(waits.len(), 2, "{vendor}");
        assert!(
            waits
                .iter()
                .all(|(wait, reason)| reason == "HTTP 503" && *wait <= Duration::from_millis(20))
        );
    }
}

#[tokio::test]
async fn retries_stop_at_the_attempt_limit() {
    let vendor = Vendor::HelpCrunch;
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .respond_with(ResponseTemplate::new(503).set_body_string("maintenance"))
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    let items = collect(&client, Query::new()).await;
    let err = items[0].as_ref().expect_err("unavailable");
    assert_eq!(err.kind(), &ErrorKind::Unavailable);
    assert!(err.is_retryable());
    assert_eq!(err.message(), Some("maintenance"));
    assert_eq!(server.received_requests().await.expect("recorded").len(), 4);
}

#[tokio::test]
async fn a_wait_longer_than_the_budget_is_not_attempted() {
    let vendor = Vendor::Hoko;
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    let items = collect(&client, Query::new()).await;
    let err = items[0].as_ref().expect_err("rate limited");
    assert_eq!(
        err.kind(),
        &ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(3600))
        }
    );
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
}

#[tokio::test]
async fn a_bad_request_is_never_retried_and_keeps_every_vendor_message() {
    let vendor = Vendor::CareCloud;
    let server = MockServer::start().await;
    let body = json!({"error": {"title": "Invalid parameters", "detail": "Check the query.", "error_data": {"invalid_params": [{"name": "count", "reason": "range", "value": "0", "message": "must be at least 1"}]}}});
    Mock::given(path(list_path(vendor)))
        .respond_with(ResponseTemplate::new(400).set_body_json(body))
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    let items = collect(&client, Query::new()).await;
    let err = items[0].as_ref().expect_err("bad request");
    assert_eq!(
        err.kind(),
        &ErrorKind::BadRequest {
            messages: vec![
                "Invalid parameters".into(),
                "Check the query.".into(),
                "count: must be at least 1".into()
            ]
        }
    );
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
}

#[tokio::test]
async fn connection_failures_are_retried_then_reported_as_transport_errors() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let (client, events) = client(Vendor::Gleantap, &format!("http://127.0.0.1:{port}"));
    let items = collect(&client, Query::new()).await;
    let err = items[0].as_ref().expect_err("nothing listens");
    assert_eq!(err.kind(), &ErrorKind::Transport);
    assert!(err.is_retryable());
    // What happened, on which path, with reqwest's error as the cause.
    assert_eq!(
        err.message(),
        Some("connection refused (/v2/ExternalApi/getCustomers)")
    );
    assert!(std::error::Error::source(err).is_some());
    let waits = retry_waits(&events);
    assert_eq!(waits.len(), 3);
    assert!(
        waits
            .iter()
            .all(|(_, reason)| reason == "connection failed"),
        "{waits:?}"
    );
}

#[tokio::test]
async fn a_record_of_the_wrong_shape_is_listed_and_its_drift_reported() {
    let vendor = Vendor::Hoko;
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .and(query_param("skip", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!([{"id": "not-a-uuid", "name": "Ann"}, support::record(vendor, 1)]),
        ))
        .mount(&server)
        .await;
    // The confirmation that the short page was the last.
    Mock::given(path(list_path(vendor)))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    let items = collect(&client, Query::new()).await;
    let customers: Vec<_> = items.into_iter().map(|c| c.expect("listed")).collect();
    assert_eq!(customers.len(), 2);
    assert_eq!(customers[0].id, "not-a-uuid");
    assert_eq!(customers[0].name.as_deref(), Some("Ann"));
    let drift = client.drift();
    assert_eq!(drift.drifts.len(), 1);
    assert_eq!(drift.drifts[0].path, "$[*].id");
    assert_eq!(
        drift.drifts[0].first_record_id.as_deref(),
        Some("not-a-uuid")
    );

    let strict = customers::CustomersClient::builder(support::credentials(vendor))
        .base_url(server.uri())
        .retry(customers::RetryPolicy::none())
        .strict(true)
        .build()
        .expect("builds");
    let items = collect(&strict, Query::new()).await;
    let err = items[0].as_ref().expect_err("strict mode fails on drift");
    assert_eq!(
        err.kind(),
        &ErrorKind::Decode {
            path: "$[*].id".into()
        }
    );
}

/// CareCloud's seed page showed `doi_email` as a boolean, its official spec as date-time text
/// (which our spec now follows); a boolean must not cost the record, the page or the export.
#[tokio::test]
async fn carecloud_boolean_where_the_spec_says_text_keeps_every_record() {
    let vendor = Vendor::CareCloud;
    let server = MockServer::start().await;
    let mut drifted = support::record(vendor, 0);
    drifted["doi_email"] = json!(true);
    let body =
        json!({"data": {"customers": [drifted, support::record(vendor, 1)], "total_items": 2}});
    Mock::given(path(list_path(vendor)))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    let customers: Vec<_> = collect(&client, Query::new())
        .await
        .into_iter()
        .map(|c| c.expect("listed"))
        .collect();
    assert_eq!(customers.len(), 2);
    assert_eq!(customers[0].email.as_deref(), Some("customer0@example.com"));
    assert_eq!(customers[0].raw.to_value()["doi_email"], true);
    let drift = client.drift();
    assert_eq!(drift.drifts.len(), 1, "{drift:?}");
    let d = &drift.drifts[0];
    assert_eq!(d.path, "$.data.customers[*].doi_email");
    assert_eq!(d.expected, "a string");
    assert_eq!(d.observed, "boolean");
    assert_eq!(d.count, 1);
}

#[tokio::test]
async fn the_rate_limiter_spaces_requests_out() {
    use std::sync::Arc;
    let vendor = Vendor::HelpCrunch;
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .respond_with(Paged { vendor, total: 40 })
        .mount(&server)
        .await;
    let events: support::Events = Arc::default();
    let sink = events.clone();
    let client = customers::CustomersClient::builder(support::credentials(vendor))
        .base_url(server.uri())
        .page_size(10)
        .rate_limit_per_minute(Some(120))
        .observer(Arc::new(move |e: &Event| {
            sink.lock().expect("events").push(e.clone())
        }))
        .build()
        .expect("builds");
    assert_eq!(collect(&client, Query::new()).await.len(), 40);
    let throttled = events
        .lock()
        .expect("events")
        .iter()
        .filter(|e| matches!(e, Event::Throttled { .. }))
        .count();
    // Four requests at one per 500 ms: every request after the first waits its turn.
    assert_eq!(throttled, 3);
}

/// A body shorter than its `Content-Length`: the error says the body was cut off.
#[tokio::test]
async fn a_body_cut_off_is_a_transport_error_that_says_so() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n[{\"id\":")
                .await;
            let _ = socket.shutdown().await;
        }
    });
    let (client, _) = client(Vendor::Hoko, &format!("http://{address}"));
    let items = collect(&client, Query::new()).await;
    let err = items[0].as_ref().expect_err("the body is cut off");
    assert_eq!(err.kind(), &ErrorKind::Transport);
    assert_eq!(
        err.message(),
        Some("the response body was cut off (/api/customers)")
    );
    assert!(std::error::Error::source(err).is_some());
}
