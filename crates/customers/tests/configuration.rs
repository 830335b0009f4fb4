//! Page sizes default to the largest each vendor allows, can be set within its range, and
//! out-of-range settings fail before any request.

mod support;

use customers::{CustomersClient, ErrorKind, Query, Vendor, default_rate_limit};
use serde_json::Value;
use support::{Paged, collect, credentials, list_path};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer};

/// The page size the first request asked for.
async fn first_page_size(vendor: Vendor, page_size: Option<u32>) -> Option<String> {
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .respond_with(Paged { vendor, total: 0 })
        .mount(&server)
        .await;
    let mut builder = CustomersClient::builder(credentials(vendor)).base_url(server.uri());
    if let Some(size) = page_size {
        builder = builder.page_size(size);
    }
    collect(&builder.build().expect("builds"), Query::new()).await;
    let requests = server.received_requests().await.expect("recorded");
    let request = requests.first()?;
    let param = |name: &str| {
        request
            .url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    match vendor {
        Vendor::Hoko => param("take"),
        Vendor::CareCloud => param("count"),
        Vendor::HelpCrunch => param("limit"),
        Vendor::Gleantap => {
            let body: Value = serde_json::from_slice(&request.body).ok()?;
            Some(body["limit"].to_string())
        }
        Vendor::BotPenguin => param("page"),
    }
}

#[tokio::test]
async fn page_sizes_default_to_each_vendors_largest() {
    assert_eq!(
        first_page_size(Vendor::Hoko, None).await.as_deref(),
        Some("10000")
    );
    assert_eq!(
        first_page_size(Vendor::CareCloud, None).await.as_deref(),
        Some("1000")
    );
    assert_eq!(
        first_page_size(Vendor::Gleantap, None).await.as_deref(),
        Some("1000")
    );
    assert_eq!(
        first_page_size(Vendor::HelpCrunch, None).await.as_deref(),
        Some("100")
    );
    // BotPenguin's page size is the vendor's: only the page number is sent.
    assert_eq!(
        first_page_size(Vendor::BotPenguin, None).await.as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn page_sizes_can_be_set() {
    assert_eq!(
        first_page_size(Vendor::Hoko, Some(250)).await.as_deref(),
        Some("250")
    );
    assert_eq!(
        first_page_size(Vendor::HelpCrunch, Some(20))
            .await
            .as_deref(),
        Some("20")
    );
}

#[test]
fn out_of_range_page_sizes_are_configuration_errors() {
    for (vendor, size) in [
        (Vendor::Hoko, 10_001),
        (Vendor::HelpCrunch, 101),
        (Vendor::Gleantap, 1001),
        (Vendor::Hoko, 0),
    ] {
        let err = CustomersClient::builder(credentials(vendor))
            .base_url("http://127.0.0.1:9")
            .page_size(size)
            .build()
            .expect_err("out of range");
        assert_eq!(err.kind(), &ErrorKind::Configuration, "{vendor} {size}");
    }
}

#[test]
fn helpcrunch_is_rate_limited_by_default_and_others_are_not() {
    assert_eq!(default_rate_limit(Vendor::HelpCrunch), Some(120));
    for vendor in [
        Vendor::Hoko,
        Vendor::CareCloud,
        Vendor::BotPenguin,
        Vendor::Gleantap,
    ] {
        assert_eq!(default_rate_limit(vendor), None);
    }
}

#[test]
fn a_credential_that_cannot_be_sent_fails_at_build_without_showing_it() {
    let err = CustomersClient::builder(customers::Credentials::Hoko {
        api_key: "line\nbreak-secret".into(),
    })
    .build()
    .expect_err("newline");
    assert_eq!(err.kind(), &ErrorKind::Configuration);
    assert!(!err.to_string().contains("break-secret"));
}

#[tokio::test]
async fn default_headers_go_on_every_request_beside_the_credentials() {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    for vendor in Vendor::ALL {
        let server = MockServer::start().await;
        Mock::given(path(list_path(vendor)))
            .respond_with(Paged { vendor, total: 3 })
            .mount(&server)
            .await;
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-request-source"),
            HeaderValue::from_static("nightly-export"),
        );
        let mut builder = CustomersClient::builder(credentials(vendor))
            .base_url(server.uri())
            .default_headers(headers);
        if customers::max_page_size(vendor).is_some() {
            builder = builder.page_size(2);
        }
        let client = builder.build().expect("builds");
        collect(&client, Query::new()).await;
        let requests = server.received_requests().await.expect("recorded");
        assert!(requests.len() >= 2, "{vendor}: paged");
        for request in &requests {
            let sent = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
            assert_eq!(sent("x-request-source"), Some("nightly-export"), "{vendor}");
            for credential in customers::vendors::credential_headers(vendor) {
                assert!(
                    sent(credential).is_some(),
                    "{vendor}: {credential} still sent"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_default_header_that_would_replace_a_credential_is_refused() {
    use reqwest::header::{HeaderMap, HeaderValue};
    for vendor in Vendor::ALL {
        for credential in customers::vendors::credential_headers(vendor) {
            let mut headers = HeaderMap::new();
            let name =
                reqwest::header::HeaderName::from_bytes(credential.to_uppercase().as_bytes())
                    .expect("a header name");
            headers.insert(name, HeaderValue::from_static("attacker"));
            let err = CustomersClient::builder(credentials(vendor))
                .base_url("http://127.0.0.1:9")
                .default_headers(headers)
                .build()
                .expect_err("refused");
            assert_eq!(err.kind(), &ErrorKind::Configuration, "{vendor}");
            assert!(err.to_string().contains(credential), "{err}");
        }
    }
}

#[tokio::test]
async fn an_attempt_longer_than_the_attempt_timeout_fails_as_timed_out() {
    let vendor = Vendor::Hoko;
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_string("[]")
                .set_delay(std::time::Duration::from_millis(800)),
        )
        .mount(&server)
        .await;
    let client = CustomersClient::builder(credentials(vendor))
        .base_url(server.uri())
        .retry(customers::RetryPolicy {
            max_attempts: 1,
            ..customers::RetryPolicy::default()
        })
        .attempt_timeout(std::time::Duration::from_millis(100))
        .build()
        .expect("builds");
    let started = std::time::Instant::now();
    let mut listing = std::pin::pin!(client.list(Query::new()));
    let first = futures::StreamExt::next(&mut listing).await;
    let err = match first {
        Some(Err(err)) => err,
        other => panic!("a timeout, not {other:?}"),
    };
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_millis(700));
}
