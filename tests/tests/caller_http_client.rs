//! A caller's own `reqwest::Client`: the facade and a generated crate still add the
//! credentials (to every request, marked sensitive, only to the base URL's origin), and a
//! response that comes from another origin is refused.

mod support;

use futures::StreamExt;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The error and its sources, as text.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(next) = source {
        text.push_str(": ");
        text.push_str(&next.to_string());
        source = next.source();
    }
    text
}

#[tokio::test]
async fn every_vendor_lists_its_fake_through_the_callers_client() {
    for vendor in fake_vendors::Vendor::ALL {
        let fake =
            fake_vendors::FakeServer::start(fake_vendors::FakeConfig::new(vendor).customers(25))
                .await
                .expect("the fake starts");
        // No default headers, no redirects: nothing of the vendor's in it.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let client = support::fake_client(vendor, &fake.base_url(), 10)
            .http_client(http)
            .build()
            .expect("builds");
        let listed: Vec<_> = client.list(customers::Query::default()).collect().await;
        assert_eq!(listed.len(), 25, "{vendor:?}");
        assert!(listed.iter().all(Result::is_ok), "{vendor:?}: {listed:?}");
    }
}

#[test]
fn a_generated_crates_credential_headers_are_sensitive() {
    let headers = gleantap_client::Credentials::new("key", "secret")
        .headers()
        .expect("headers");
    assert_eq!(headers.len(), 2);
    assert!(headers.values().all(|value| value.is_sensitive()));
    let bearer = botpenguin_client::Credentials::new("token")
        .headers()
        .expect("headers");
    assert!(bearer["authorization"].is_sensitive());
    assert_eq!(bearer["authtype"], "Key", "the constant header is public");
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&elsewhere)
        .await;
    let vendor = MockServer::start().await;
    let list = "/v2/ExternalApi/getCustomers";
    Mock::given(method("POST"))
        .and(path(list))
        .and(header("x-api-key", "the-key"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}{list}", elsewhere.uri())),
        )
        .mount(&vendor)
        .await;

    // A client that follows same-origin redirects only: nothing reaches the other host.
    let careful = reqwest::Client::builder()
        .redirect(client_runtime::same_origin(&vendor.uri()))
        .build()
        .expect("a client");
    let client = gleantap_client::Client::with_http_client(
        &vendor.uri(),
        &gleantap_client::Credentials::new("the-key", "the-secret"),
        careful,
    )
    .expect("client");
    let err = client
        .get_customers()
        .body_map(|body| body.app_id("app"))
        .send()
        .await
        .expect_err("refused");
    assert!(
        chain(&err).contains("refused a redirect"),
        "{}",
        chain(&err)
    );
    assert_eq!(
        elsewhere.received_requests().await.map(|r| r.len()),
        Some(0)
    );

    // reqwest's default policy follows it (taking `X-API-KEY` along, which is why the
    // documentation asks for the policy above); the answer from the other origin is refused.
    let client = gleantap_client::Client::with_http_client(
        &vendor.uri(),
        &gleantap_client::Credentials::new("the-key", "the-secret"),
        reqwest::Client::new(),
    )
    .expect("client");
    let err = client
        .get_customers()
        .body_map(|body| body.app_id("app"))
        .send()
        .await
        .expect_err("refused");
    let text = format!("{err:?} {}", chain(&err));
    assert!(text.contains("refused a redirect"), "{text}");
    assert!(!text.contains("the-key"), "no secret in the error: {text}");
    assert_eq!(
        elsewhere.received_requests().await.map(|r| r.len()),
        Some(1)
    );
}
