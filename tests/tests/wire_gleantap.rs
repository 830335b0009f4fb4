//! The generated Gleantap client (verbatim spec plus overlay) reads well: `get_customers`,
//! `GetCustomersBody`, `Customer`, and credentials set once on the client as headers.

mod support;

use gleantap_client::types::{Customer, GetCustomersBody};
use gleantap_client::{Client, Credentials};
use serde_json::json;
use support::{seen, spec_example};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn get_customers_posts_the_json_body_with_both_keys_and_decodes_members() {
    let server = MockServer::start().await;
    let example = spec_example(
        "gleantap",
        "/paths/~1v2~1ExternalApi~1getCustomers/post/responses/200/content/application~1json/example",
    );
    Mock::given(method("POST"))
        .and(path("/v2/ExternalApi/getCustomers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::with_credentials(&server.uri(), &Credentials::new("gt_key", "gt_secret"))
        .expect("client builds");
    let body = GetCustomersBody::builder()
        .app_id("app-42")
        .email(Some("jane.smith@example.com".to_owned()))
        .limit(Some(1000))
        .offset(Some(2000));
    let page = client
        .get_customers()
        .body(body)
        .send()
        .await
        .expect("request succeeds")
        .into_inner();

    let request = &seen(&server).await[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v2/ExternalApi/getCustomers");
    assert!(request.query.is_empty());
    assert_eq!(request.header("x-api-key"), Some("gt_key"));
    assert_eq!(request.header("x-secret-key"), Some("gt_secret"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"app_id": "app-42", "email": "jane.smith@example.com", "limit": 1000, "offset": 2000})
    );

    let member: &Customer = &page.members[0];
    assert_eq!(member.id, "5f1e2d3c4b5a69788796a5b4");
    assert_eq!(member.firstname.as_deref(), Some("Jane"));
    assert_eq!(member.lastname.as_deref(), Some("Smith"));
    assert_eq!(member.email_optout, Some(0));
    assert_eq!(member.sms_optout, Some(1));
    assert_eq!(member.created_date.as_deref(), Some("2024-03-05T14:22:10Z"));
}

#[tokio::test]
async fn a_missing_app_id_is_caught_before_any_request() {
    let server = MockServer::start().await;
    let client =
        Client::with_credentials(&server.uri(), &Credentials::new("k", "s")).expect("builds");
    let err = client
        .get_customers()
        .body(GetCustomersBody::builder().limit(Some(10)))
        .send()
        .await
        .expect_err("app_id is required");
    assert!(err.to_string().contains("app_id"), "{err}");
    assert!(seen(&server).await.is_empty());
}

#[test]
fn credentials_never_show_either_key() {
    let credentials = Credentials::new("gt_key_value", "gt_secret_value");
    let client =
        Client::with_credentials(gleantap_client::SERVER_URL, &credentials).expect("builds");
    for text in [format!("{credentials:?}"), format!("{client:?}")] {
        assert!(
            !text.contains("gt_key_value") && !text.contains("gt_secret_value"),
            "{text}"
        );
    }
}
