//! One customer by the vendor's id, through each vendor's documented lookup.

mod support;

use customers::{ErrorKind, Vendor};
use serde_json::json;
use support::{Paged, client, id, record};
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn hoko_looks_up_with_the_id_query() {
    let vendor = Vendor::Hoko;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .and(query_param("id", id(vendor, 3)))
        .and(query_param("take", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([record(vendor, 3)])))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    let customer = client.get(&id(vendor, 3)).await.expect("found");
    assert_eq!(customer.id, id(vendor, 3));

    let err = client.get("not-a-uuid").await.expect_err("cannot exist");
    assert_eq!(err.kind(), &ErrorKind::NotFound);
}

#[tokio::test]
async fn hoko_reports_an_unknown_id_as_not_found() {
    let server = MockServer::start().await;
    Mock::given(path("/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let (client, _) = client(Vendor::Hoko, &server.uri());
    let err = client.get(&id(Vendor::Hoko, 9)).await.expect_err("none");
    assert_eq!(err.kind(), &ErrorKind::NotFound);
}

#[tokio::test]
async fn carecloud_uses_the_path_and_maps_404() {
    let vendor = Vendor::CareCloud;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/customers/{}", id(vendor, 4))))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": record(vendor, 4)})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/customers/missing"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error": {"title": "Not found"}})),
        )
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    assert_eq!(
        client.get(&id(vendor, 4)).await.expect("found").id,
        id(vendor, 4)
    );
    let err = client.get("missing").await.expect_err("404");
    assert_eq!(err.kind(), &ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn helpcrunch_uses_the_path() {
    let vendor = Vendor::HelpCrunch;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/customers/{}", id(vendor, 5))))
        .respond_with(ResponseTemplate::new(200).set_body_json(record(vendor, 5)))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    assert_eq!(
        client.get(&id(vendor, 5)).await.expect("found").id,
        id(vendor, 5)
    );
    assert_eq!(
        client.get("abc").await.expect_err("not a number").kind(),
        &ErrorKind::NotFound
    );
}

#[tokio::test]
async fn gleantap_filters_by_id_in_the_body() {
    let vendor = Vendor::Gleantap;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/ExternalApi/getCustomers"))
        .and(body_partial_json(
            json!({"app_id": "app-7", "_id": id(vendor, 6), "limit": 1}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"members": [record(vendor, 6)]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    assert_eq!(
        client.get(&id(vendor, 6)).await.expect("found").id,
        id(vendor, 6)
    );
}

#[tokio::test]
async fn botpenguin_lists_until_it_finds_the_id() {
    let vendor = Vendor::BotPenguin;
    let server = MockServer::start().await;
    Mock::given(path("/customer/list"))
        .respond_with(Paged { vendor, total: 30 })
        .mount(&server)
        .await;
    let (client, _) = client(vendor, &server.uri());
    assert_eq!(
        client.get(&id(vendor, 9)).await.expect("found").id,
        id(vendor, 9)
    );
    // Customer 9 is on page 2 of 7 each: the listing stops there (page 3 may have been
    // requested while page 2 decoded; it is dropped).
    let requests = server.received_requests().await.expect("recorded").len();
    assert!((2..=3).contains(&requests), "{requests}");
    assert_eq!(
        client.get("nobody").await.expect_err("absent").kind(),
        &ErrorKind::NotFound
    );
}
