//! CareCloud with login credentials: the client logs in, and logs in again once when the
//! token has expired.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use customers::vendors::CareCloudAuth;
use customers::{Credentials, ErrorKind, Query, Vendor};
use serde_json::json;
use support::{Paged, client_with, collect};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Issues `token-1`, `token-2`, … on successive logins.
struct Tokens(AtomicUsize);

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({"data": {"bearer_token": format!("token-{n}"), "valid_to": "2030-01-01 00:00:00"}}))
    }
}

fn login_credentials() -> Credentials {
    Credentials::CareCloud(CareCloudAuth::Login {
        app_id: "app-9".into(),
        login: "api.user".into(),
        password: "s3cret-pw".into(),
    })
}

async fn server(valid_token: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/users/actions/login"))
        .respond_with(Tokens(AtomicUsize::new(0)))
        .mount(&server)
        .await;
    Mock::given(path("/customers"))
        .and(header(
            "authorization",
            format!("Bearer {valid_token}").as_str(),
        ))
        .respond_with(Paged {
            vendor: Vendor::CareCloud,
            total: 25,
        })
        .with_priority(1)
        .mount(&server)
        .await;
    let expired = json!({"error": {"title": "Unauthorized", "detail": "The token has expired."}});
    Mock::given(path("/customers"))
        .respond_with(ResponseTemplate::new(401).set_body_json(expired))
        .mount(&server)
        .await;
    server
}

fn authorizations(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| match r.url.path() {
            "/users/actions/login" => "login".to_owned(),
            _ => r
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned(),
        })
        .collect()
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_listing_continues() {
    let server = server("token-2").await;
    let (client, _) = client_with(Vendor::CareCloud, &server.uri(), login_credentials());
    let items = collect(&client, Query::new()).await;
    assert_eq!(items.len(), 25);
    assert!(items.iter().all(Result::is_ok));

    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(
        authorizations(&requests),
        [
            "login",
            "Bearer token-1",
            "login",
            "Bearer token-2",
            "Bearer token-2",
            "Bearer token-2"
        ]
    );
    let login: serde_json::Value = serde_json::from_slice(&requests[0].body).expect("JSON");
    assert_eq!(
        login,
        json!({"user_external_application_id": "app-9", "login": "api.user", "password": "s3cret-pw"})
    );
    assert!(requests[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_token_rejected_after_renewal_surfaces_as_unauthorized() {
    let server = server("never-issued").await;
    let (client, _) = client_with(Vendor::CareCloud, &server.uri(), login_credentials());
    let items = collect(&client, Query::new()).await;
    assert_eq!(items.len(), 1);
    let err = items[0].as_ref().expect_err("unauthorized");
    assert_eq!(err.kind(), &ErrorKind::Unauthorized);
    assert_eq!(err.message(), Some("Unauthorized; The token has expired."));
    assert!(!format!("{err} {err:?}").contains("s3cret-pw"));
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(
        authorizations(&requests),
        ["login", "Bearer token-1", "login", "Bearer token-2"]
    );
}

#[tokio::test]
async fn a_fixed_token_that_is_rejected_surfaces_at_once() {
    let server = server("token-1").await;
    let (client, _) = client_with(
        Vendor::CareCloud,
        &server.uri(),
        Credentials::CareCloud(CareCloudAuth::Token("stale".into())),
    );
    let items = collect(&client, Query::new()).await;
    assert_eq!(
        items[0].as_ref().expect_err("unauthorized").kind(),
        &ErrorKind::Unauthorized
    );
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(authorizations(&requests), ["Bearer stale"]);
}

#[test]
fn carecloud_needs_a_base_url() {
    let err = customers::CustomersClient::builder(login_credentials())
        .build()
        .expect_err("no tenant URL");
    assert_eq!(err.kind(), &ErrorKind::Configuration);
    assert!(!format!("{:?}", login_credentials()).contains("s3cret-pw"));
}
