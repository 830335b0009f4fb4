//! The generated Hoko client sends the exact documented request and decodes the seed's
//! example response and error bodies.

mod support;

use hoko_client::types::SortOrder;
use hoko_client::{Client, Credentials};
use support::{pairs, seen, spec_example};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn get_customers_sends_the_documented_request_and_decodes_the_seed_example() {
    let server = MockServer::start().await;
    let example = spec_example("hoko", "/components/schemas/CustomerList/example");
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::with_credentials(&server.uri(), &Credentials::new("hk_test_key"))
        .expect("client builds");
    let page = client
        .get_customers()
        .take(100)
        .skip(200)
        .sort(SortOrder::Asc)
        .external_id("customer_123")
        .send()
        .await
        .expect("request succeeds")
        .into_inner();

    let requests = seen(&server).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/api/customers");
    assert_eq!(
        request.query,
        pairs(&[
            ("externalId", "customer_123"),
            ("skip", "200"),
            ("sort", "asc"),
            ("take", "100")
        ])
    );
    assert_eq!(request.header("authorization"), Some("Bearer hk_test_key"));
    assert!(request.body.is_empty());

    assert_eq!(page.len(), 1);
    let customer = &page[0];
    assert_eq!(
        customer.id.to_string(),
        "550e8400-e29b-41d4-a716-446655440000"
    );
    assert_eq!(customer.external_id.as_deref(), Some("customer_123"));
    assert_eq!(
        customer.name.as_deref().map(String::as_str),
        Some("John Doe")
    );
    assert_eq!(customer.email.as_deref(), Some("john@example.com"));
    assert_eq!(customer.phone.as_deref(), Some("+1234567890"));
    assert_eq!(
        customer.avatar.as_deref(),
        Some("https://example.com/avatar.jpg")
    );
    assert_eq!(customer.created_at.as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(customer.updated_at.as_deref(), Some("2024-01-01T00:00:00Z"));
}

#[tokio::test]
async fn a_403_decodes_the_vendors_message_and_missing_scopes() {
    let server = MockServer::start().await;
    let body = spec_example(
        "hoko",
        "/paths/~1api~1customers/get/responses/403/content/application~1json/example",
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(&body))
        .mount(&server)
        .await;
    let client = Client::with_credentials(&server.uri(), &Credentials::new("hk_test_key"))
        .expect("client builds");
    let err = client
        .get_customers()
        .send()
        .await
        .expect_err("403 is an error");
    let hoko_client::Error::ErrorResponse(response) = err else {
        panic!("expected a typed error response, got {err:?}");
    };
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        response.error.en.as_deref(),
        Some("Missing required scopes")
    );
    assert_eq!(response.missing_scopes, vec!["customersRead".to_owned()]);
}

#[test]
fn credentials_and_client_never_show_the_key() {
    let credentials = Credentials::new("hk_secret_value");
    let client = Client::with_credentials(hoko_client::SERVER_URL, &credentials).expect("builds");
    for text in [format!("{credentials:?}"), format!("{client:?}")] {
        assert!(!text.contains("hk_secret_value"), "{text}");
    }
    assert_eq!(hoko_client::SERVER_URL, "https://hoko.to");
}

/// An [`client_runtime::Exec`] that counts the requests it sends.
struct Counting(std::sync::atomic::AtomicUsize);

impl client_runtime::Exec for Counting {
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> client_runtime::ExecFuture<'a> {
        assert_eq!(operation, "get_customers");
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(client.execute(request))
    }
}

#[tokio::test]
async fn requests_go_through_the_installed_transport() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    let counting = std::sync::Arc::new(Counting(Default::default()));
    let client = Client::with_credentials(&server.uri(), &Credentials::new("k"))
        .expect("builds")
        .with_transport(client_runtime::Transport::new(counting.clone()));
    client.get_customers().send().await.expect("ok");
    client.get_customers().send().await.expect("ok");
    assert_eq!(counting.0.load(std::sync::atomic::Ordering::SeqCst), 2);
}
