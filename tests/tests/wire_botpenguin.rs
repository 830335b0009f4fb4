//! The generated BotPenguin client sends both auth headers and the documented query, and
//! decodes the seed's example (with its trailing comma fixed).

mod support;

use botpenguin_client::{Client, Credentials};
use support::{pairs, seen, spec_example};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn get_customers_sends_both_auth_headers_and_decodes_the_seed_example() {
    let server = MockServer::start().await;
    let example = spec_example(
        "botpenguin",
        "/components/schemas/CustomerListResponse/example",
    );
    Mock::given(method("GET"))
        .and(path("/customer/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .expect(1)
        .mount(&server)
        .await;

    let client =
        Client::with_credentials(&format!("{}/", server.uri()), &Credentials::new("bp_token"))
            .expect("client builds");
    let page = client
        .get_customers()
        .page(2)
        .sort("createdAt")
        .send()
        .await
        .expect("request succeeds")
        .into_inner();

    let request = &seen(&server).await[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/customer/list");
    assert_eq!(
        request.query,
        pairs(&[("page", "2"), ("sort", "createdAt")])
    );
    assert_eq!(request.header("authorization"), Some("Bearer bp_token"));
    assert_eq!(request.header("authtype"), Some("Key"));

    assert_eq!(page.success, Some(true));
    assert_eq!(page.code, Some(200));
    let customer = &page.data[0];
    assert_eq!(customer.id, "**********");
    assert_eq!(customer.name.as_deref(), Some("Kevin v3"));
    let contact = customer.contact.as_ref().expect("contact");
    assert_eq!(contact.email.as_deref(), Some("kevin+4@monday101.com"));
    assert_eq!(customer.verified, Some(true));
    assert_eq!(customer.status.as_deref(), Some("ACTIVE"));
    assert_eq!(customer.subscription_type.as_deref(), Some("v2"));
    assert_eq!(
        customer.created_at.as_deref(),
        Some("2024-04-02T07:06:03.910Z")
    );
    assert_eq!(
        customer.updated_at.as_deref(),
        Some("2024-04-02T13:57:16.513Z")
    );
    assert_eq!(
        customer.last_login.as_deref(),
        Some("2024-04-02T09:48:04.402Z")
    );
}

#[tokio::test]
async fn an_unknown_status_value_is_kept() {
    let server = MockServer::start().await;
    let mut example = spec_example(
        "botpenguin",
        "/components/schemas/CustomerListResponse/example",
    );
    example["data"][0]["status"] = "SUSPENDED_BY_PARTNER".into();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .mount(&server)
        .await;
    let client =
        Client::with_credentials(&server.uri(), &Credentials::new("bp_token")).expect("builds");
    let page = client
        .get_customers()
        .send()
        .await
        .expect("decodes")
        .into_inner();
    assert_eq!(page.data[0].status.as_deref(), Some("SUSPENDED_BY_PARTNER"));
}

#[test]
fn credentials_never_show_the_token() {
    let credentials = Credentials::new("bp_secret_value");
    let client =
        Client::with_credentials(botpenguin_client::SERVER_URL, &credentials).expect("builds");
    for text in [format!("{credentials:?}"), format!("{client:?}")] {
        assert!(!text.contains("bp_secret_value"), "{text}");
    }
}
