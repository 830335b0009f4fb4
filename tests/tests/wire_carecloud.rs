//! The generated CareCloud client sends the exact documented requests (list, get by id,
//! login) and decodes the example bodies.

mod support;

use carecloud_client::types::{LoginRequest, SortDirection};
use carecloud_client::{Client, Credentials};
use serde_json::json;
use support::{pairs, seen, spec_example};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BASE: &str = "/webservice/rest-api/enterprise-interface/v1.0";

fn client(server: &MockServer) -> Client {
    Client::with_credentials(
        &format!("{}{BASE}", server.uri()),
        &Credentials::new("cc_token"),
    )
    .expect("client builds")
}

#[tokio::test]
async fn get_customers_sends_the_documented_request_and_decodes_the_example() {
    let server = MockServer::start().await;
    let example = spec_example(
        "carecloud",
        "/components/schemas/CustomerListResponse/example",
    );
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/customers")))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .get_customers()
        .count(1000)
        .offset(2000)
        .sort_direction(SortDirection::Desc)
        .sort_field("last_change")
        .phone("420523828931")
        .email_list(vec!["a@example.com".to_owned(), "b@example.com".to_owned()])
        .accept_language("en")
        .send()
        .await
        .expect("request succeeds")
        .into_inner();

    let requests = seen(&server).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, format!("{BASE}/customers"));
    assert_eq!(
        request.query,
        pairs(&[
            ("count", "1000"),
            ("email_list[]", "a@example.com"),
            ("email_list[]", "b@example.com"),
            ("offset", "2000"),
            ("phone", "420523828931"),
            ("sort_direction", "DESC"),
            ("sort_field", "last_change"),
        ])
    );
    assert_eq!(request.header("authorization"), Some("Bearer cc_token"));
    assert_eq!(request.header("accept-language"), Some("en"));

    assert_eq!(page.data.total_items, 1);
    let customer = &page.data.customers[0];
    assert_eq!(customer.customer_id, "8ea2591121e636086a4a9c0992");
    assert_eq!(customer.last_change.as_deref(), Some("2024-02-01 08:30:00"));
    assert_eq!(customer.state.as_deref(), Some(&1));
    assert_eq!(customer.doi_email.as_deref(), Some("2024-01-15 10:21:02"));
    let person = customer
        .personal_information
        .as_ref()
        .expect("personal information");
    assert_eq!(person.first_name.as_deref(), Some("Jan"));
    assert_eq!(person.last_name.as_deref(), Some("Novák"));
    assert_eq!(person.email.as_deref(), Some("jan.novak@example.com"));
    assert_eq!(person.gender.as_deref(), Some(&1));
    let address = person.address.as_ref().expect("address");
    assert_eq!(address.city.as_deref(), Some("Praha"));
    let consents = person.consents.as_ref().expect("consents");
    assert_eq!(
        consents[0]
            .consent_value
            .as_ref()
            .and_then(|v| v.0.as_deref()),
        Some(&1)
    );
}

#[tokio::test]
async fn get_customer_uses_the_id_in_the_path() {
    let server = MockServer::start().await;
    let list = spec_example(
        "carecloud",
        "/components/schemas/CustomerListResponse/example",
    );
    let one = json!({ "data": list["data"]["customers"][0] });
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/customers/8ea2591121e636086a4a9c0992")))
        .respond_with(ResponseTemplate::new(200).set_body_json(&one))
        .expect(1)
        .mount(&server)
        .await;
    let customer = client(&server)
        .get_customer()
        .customer_id("8ea2591121e636086a4a9c0992")
        .send()
        .await
        .expect("request succeeds")
        .into_inner();
    assert_eq!(customer.data.customer_id, "8ea2591121e636086a4a9c0992");
    assert_eq!(
        seen(&server).await[0].header("authorization"),
        Some("Bearer cc_token")
    );
}

#[tokio::test]
async fn login_posts_the_credentials_and_decodes_the_token() {
    let server = MockServer::start().await;
    let example = spec_example("carecloud", "/components/schemas/LoginResponse/example");
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/users/actions/login")))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .expect(1)
        .mount(&server)
        .await;
    // Logging in needs no token: a plain client.
    let client = Client::without_credentials(&format!("{}{BASE}", server.uri())).expect("builds");
    let body = LoginRequest {
        user_external_application_id: "app-1".to_owned(),
        login: "api.user".to_owned(),
        password: "pw".to_owned(),
    };
    let token = client
        .login()
        .body(body)
        .send()
        .await
        .expect("login")
        .into_inner();
    assert_eq!(token.data.bearer_token, "8f1b7c0d9e2a4b6c8d0e1f2a3b4c5d6e");
    assert_eq!(token.data.valid_to.as_deref(), Some("2024-06-30 23:59:59"));

    let request = &seen(&server).await[0];
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"user_external_application_id": "app-1", "login": "api.user", "password": "pw"})
    );
}

#[tokio::test]
async fn a_400_decodes_the_invalid_params() {
    let server = MockServer::start().await;
    let body = spec_example(
        "carecloud",
        "/components/responses/BadRequest/content/application~1json/example",
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(&body))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_customers()
        .send()
        .await
        .expect_err("400");
    let carecloud_client::Error::ErrorResponse(response) = err else {
        panic!("expected a typed error response, got {err:?}");
    };
    let error = response.error.as_ref().expect("error detail");
    assert_eq!(error.title.as_deref(), Some("Invalid parameters"));
    let params = &error
        .error_data
        .as_ref()
        .expect("error data")
        .invalid_params;
    assert_eq!(
        params[0].name,
        Some(carecloud_client::types::InvalidParamName::String(
            "count".to_owned()
        ))
    );
}

#[test]
fn credentials_never_show_the_token() {
    let credentials = Credentials::new("cc_secret_value");
    let client = Client::with_credentials("https://x.example/v1.0", &credentials).expect("builds");
    for text in [format!("{credentials:?}"), format!("{client:?}")] {
        assert!(!text.contains("cc_secret_value"), "{text}");
    }
}
