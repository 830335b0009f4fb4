//! Credentials never leave their origin: a redirect to another origin (here another port of
//! 127.0.0.1) is refused for every vendor, CareCloud's login included, and the error names
//! the target; a redirect within the origin is still followed.

mod support;

use customers::vendors::CareCloudAuth;
use customers::{Credentials, ErrorKind, Query, Vendor};
use support::{client, client_with, collect, list_path};
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Answers every request with `status`, pointing at the same path on `target`.
struct RedirectTo {
    target: String,
    status: u16,
}

impl wiremock::Respond for RedirectTo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let location = format!("{}{}", self.target, request.url.path());
        ResponseTemplate::new(self.status).insert_header("location", location.as_str())
    }
}

async fn assert_refused(vendor: Vendor, credentials: Option<Credentials>, status: u16) {
    let origin = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(RedirectTo {
            target: elsewhere.uri(),
            status,
        })
        .mount(&origin)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&elsewhere)
        .await;
    let (client, _) = match credentials {
        Some(credentials) => client_with(vendor, &origin.uri(), credentials),
        None => client(vendor, &origin.uri()),
    };
    let items = collect(&client, Query::new()).await;
    let err = items
        .first()
        .and_then(|item| item.as_ref().err())
        .unwrap_or_else(|| panic!("{vendor} {status}: the redirect must fail the listing"));
    assert_eq!(err.kind(), &ErrorKind::Transport, "{vendor}: {err}");
    let mut chain = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(current) = cause {
        chain.push_str(&format!(": {current}"));
        cause = current.source();
    }
    assert!(
        chain.contains(&elsewhere.uri()),
        "{vendor} {status}: the error names the target: {chain}"
    );
    let received = elsewhere.received_requests().await.expect("recording");
    assert!(
        received.is_empty(),
        "{vendor} {status}: {} request(s) reached the other origin",
        received.len()
    );
}

#[tokio::test]
async fn no_vendor_follows_a_redirect_to_another_origin() {
    for vendor in Vendor::ALL {
        for status in [302, 307] {
            assert_refused(vendor, None, status).await;
        }
    }
}

#[tokio::test]
async fn carecloud_login_is_not_resent_to_another_origin() {
    let login = Credentials::CareCloud(CareCloudAuth::Login {
        app_id: "app".to_owned(),
        login: "user".to_owned(),
        password: "secret-password".into(),
    });
    for status in [307, 308, 302] {
        assert_refused(Vendor::CareCloud, Some(login.clone()), status).await;
    }
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let vendor = Vendor::Hoko;
    let server = MockServer::start().await;
    let moved = format!("/moved{}", list_path(vendor));
    Mock::given(path(list_path(vendor)))
        .respond_with(ResponseTemplate::new(302).insert_header("location", moved.as_str()))
        .mount(&server)
        .await;
    Mock::given(path(moved.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    let items = collect(&client, Query::new()).await;
    assert!(items.is_empty(), "{items:?}");
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        2
    );
}
