//! The fakes behave like their vendors: auth checks, limits, error bodies, rate limits.

use fake_vendors::{API_KEY, FakeConfig, FakeServer, Vendor, records};
use serde_json::{Value, json};

async fn get(url: &str, headers: &[(&str, &str)]) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = reqwest::Client::new().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, headers)
}

fn bearer() -> String {
    format!("Bearer {API_KEY}")
}

#[test]
fn data_is_deterministic_per_seed_and_differs_between_seeds() {
    for vendor in Vendor::ALL {
        assert_eq!(records(vendor, 30, 7), records(vendor, 30, 7));
        assert_ne!(records(vendor, 30, 7), records(vendor, 30, 8));
    }
}

#[test]
fn helpcrunch_data_drifts_between_the_documented_types() {
    let data = records(Vendor::HelpCrunch, 6, 1);
    assert!(data[0]["firstSeen"].is_string());
    assert!(data[1]["firstSeen"].is_i64());
    assert!(data[2]["lastSeen"].is_null());
    assert!(data[0]["customData"].is_array());
    assert!(data[1]["customData"].is_object());
}

#[tokio::test]
async fn hoko_checks_the_key_and_rejects_take_above_10000() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(30))
        .await
        .expect("starts");
    let url = format!("{}/api/customers", fake.base_url());
    let (status, body, _) = get(&url, &[("authorization", "Bearer wrong")]).await;
    assert_eq!(
        (status, body["error"]["en"].clone()),
        (401, json!("Invalid API key"))
    );
    let (status, body, _) = get(
        &format!("{url}?take=10001"),
        &[("authorization", &bearer())],
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["en"]
            .as_str()
            .is_some_and(|m| m.contains("10000"))
    );
    // A bare key works too; the default page is 50, newest first.
    let (status, body, _) = get(
        &format!("{url}?take=5&sort=asc"),
        &[("authorization", API_KEY)],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().map(Vec::len), Some(5));
    assert_eq!(body[0], records(Vendor::Hoko, 30, 1)[0]);
}

#[tokio::test]
async fn helpcrunch_rejects_limit_above_100_and_pages_with_a_total() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::HelpCrunch).customers(130))
        .await
        .expect("starts");
    let url = format!("{}/customers", fake.base_url());
    assert!(fake.base_url().ends_with("/v1"));
    let (status, body, _) = get(&format!("{url}?limit=101"), &[("authorization", &bearer())]).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][1]["code"], "limit");
    let (status, body, _) = get(
        &format!("{url}?offset=100&limit=100"),
        &[("authorization", &bearer())],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["data"].as_array().map(Vec::len), body["total"].clone()),
        (Some(30), json!(130))
    );
}

#[tokio::test]
async fn botpenguin_needs_both_auth_headers() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::BotPenguin).customers(25))
        .await
        .expect("starts");
    let url = format!("{}/customer/list?page=2", fake.base_url());
    let (status, body, _) = get(&url, &[("authorization", &bearer())]).await;
    assert_eq!((status, body["success"].clone()), (401, json!(false)));
    let (status, body, _) = get(&url, &[("authorization", &bearer()), ("authtype", "Key")]).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn a_rate_limit_answers_429_the_vendors_way() {
    let config = FakeConfig::new(Vendor::Hoko)
        .customers(3)
        .rate_limit_per_minute(2);
    let fake = FakeServer::start(config).await.expect("starts");
    let url = format!("{}/api/customers", fake.base_url());
    for _ in 0..2 {
        assert_eq!(get(&url, &[("authorization", &bearer())]).await.0, 200);
    }
    let (status, body, headers) = get(&url, &[("authorization", &bearer())]).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["en"], "Rate limit exceeded");
    assert!(
        body["retryAfter"]
            .as_u64()
            .is_some_and(|s| (1..=60).contains(&s))
    );
    assert_eq!(
        headers
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok()),
        Some("0")
    );
}

#[tokio::test]
async fn faults_break_some_requests_and_answer_the_rest() {
    let config = FakeConfig::new(Vendor::Gleantap)
        .customers(5)
        .fault_rate(0.5)
        .seed(3);
    let fake = FakeServer::start(config).await.expect("starts");
    let client = reqwest::Client::new();
    let url = format!("{}/v2/ExternalApi/getCustomers", fake.base_url());
    let (mut ok, mut broken) = (0, 0);
    for _ in 0..30 {
        let response = client
            .post(&url)
            .header("x-api-key", API_KEY)
            .header("x-secret-key", fake_vendors::SECRET_KEY)
            .json(&json!({"app_id": fake_vendors::APP_ID}))
            .send()
            .await;
        let body = match response {
            Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
            _ => None,
        };
        match body {
            Some(body) if body["members"].as_array().map(Vec::len) == Some(5) => ok += 1,
            _ => broken += 1,
        }
    }
    assert!(ok > 5 && broken > 5, "ok {ok}, broken {broken}");
}
