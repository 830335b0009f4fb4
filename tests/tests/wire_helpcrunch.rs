//! The generated HelpCrunch client: list, get by id and search, each with the exact request,
//! decoding the seed's example including its drifting timestamp and customData types.

mod support;

use helpcrunch_client::types::{
    CustomData, SearchFilter, SearchRequest, SortField, SortOrder, UnixTime,
};
use helpcrunch_client::{Client, Credentials};
use serde_json::json;
use support::{pairs, seen, spec_example};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::with_credentials(&format!("{}/v1", server.uri()), &Credentials::new("hc_key"))
        .expect("builds")
}

#[tokio::test]
async fn get_customers_sends_the_documented_request_and_decodes_the_seed_example() {
    let server = MockServer::start().await;
    let example = spec_example("helpcrunch", "/components/schemas/CustomerList/example");
    Mock::given(method("GET"))
        .and(path("/v1/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .get_customers()
        .sort(SortField::CustomersFirstSeen)
        .order(SortOrder::Desc)
        .offset(100)
        .limit(100)
        .send()
        .await
        .expect("request succeeds")
        .into_inner();

    let request = &seen(&server).await[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v1/customers");
    assert_eq!(
        request.query,
        pairs(&[
            ("limit", "100"),
            ("offset", "100"),
            ("order", "desc"),
            ("sort", "customers.firstSeen")
        ])
    );
    assert_eq!(request.header("authorization"), Some("Bearer hc_key"));

    assert_eq!(page.total, Some(256));
    let customer = &page.data[0];
    assert_eq!(customer.id, 542335);
    assert_eq!(customer.user_id.as_deref(), Some("user_1234567890"));
    assert_eq!(
        customer.first_seen,
        Some(UnixTime::Text(Some("1603885746".to_owned())))
    );
    assert_eq!(
        customer.tags.as_ref().and_then(|t| t[0].name.as_deref()),
        Some("vip")
    );
    assert_eq!(
        customer.location.as_ref().and_then(|l| l.city.as_deref()),
        Some("Kyiv")
    );
    let Some(CustomData::Object(Some(custom))) = &customer.custom_data else {
        panic!("customData is the object form: {:?}", customer.custom_data);
    };
    assert_eq!(custom["number_of_payments"], json!(15));
}

#[tokio::test]
async fn every_documented_form_of_first_seen_and_custom_data_decodes() {
    let server = MockServer::start().await;
    let mut example = spec_example("helpcrunch", "/components/schemas/CustomerList/example");
    let mut second = example["data"][0].clone();
    second["firstSeen"] = json!(1603885746);
    second["lastSeen"] = json!(null);
    second["customData"] = json!([{"property": "plan", "value": "pro"}]);
    example["data"].as_array_mut().expect("array").push(second);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .mount(&server)
        .await;
    let page = client(&server)
        .get_customers()
        .send()
        .await
        .expect("decodes")
        .into_inner();
    let customer = &page.data[1];
    assert_eq!(customer.first_seen, Some(UnixTime::Seconds(1603885746)));
    assert_eq!(customer.last_seen, None);
    let Some(CustomData::Entries(entries)) = &customer.custom_data else {
        panic!("customData is the array form: {:?}", customer.custom_data);
    };
    assert_eq!(entries[0].property.as_deref(), Some("plan"));
}

#[tokio::test]
async fn get_customer_and_search_use_their_documented_requests() {
    let server = MockServer::start().await;
    let list = spec_example("helpcrunch", "/components/schemas/CustomerList/example");
    Mock::given(method("GET"))
        .and(path("/v1/customers/542335"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&list["data"][0]))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/customers/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&list))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let one = client
        .get_customer()
        .id(542335)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(one.id, 542335);

    let search = SearchRequest {
        comparison: None,
        filter: vec![SearchFilter {
            field: "customers.email".to_owned(),
            operator: "=".to_owned(),
            value: json!("john.doe@example.com"),
        }],
        limit: Some(std::num::NonZeroU32::new(100).expect("non-zero")),
        offset: Some(0),
        order: None,
        sort: None,
    };
    let found = client
        .search_customers()
        .body(search)
        .send()
        .await
        .expect("search")
        .into_inner();
    assert_eq!(found.data.len(), 1);

    let requests = seen(&server).await;
    assert_eq!(requests[1].header("authorization"), Some("Bearer hc_key"));
    assert_eq!(
        requests[1].json(),
        json!({"filter": [{"field": "customers.email", "operator": "=", "value": "john.doe@example.com"}], "limit": 100, "offset": 0})
    );
}

#[tokio::test]
async fn a_401_decodes_the_vendors_errors() {
    let server = MockServer::start().await;
    let body = spec_example(
        "helpcrunch",
        "/components/responses/Unauthorized/content/application~1json/example",
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(&body))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_customers()
        .send()
        .await
        .expect_err("401");
    let helpcrunch_client::Error::ErrorResponse(response) = err else {
        panic!("expected a typed error response, got {err:?}");
    };
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(response.errors[1].code.as_deref(), Some("unauthorized"));
}

#[test]
fn credentials_never_show_the_key() {
    let credentials = Credentials::new("hc_secret_value");
    let client =
        Client::with_credentials(helpcrunch_client::SERVER_URL, &credentials).expect("builds");
    for text in [format!("{credentials:?}"), format!("{client:?}")] {
        assert!(!text.contains("hc_secret_value"), "{text}");
    }
}
