//! The retrying transport on its own, against a local server: what a user of one generated
//! crate gets without the facade.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use client_runtime::{Exec, Failure, Limits, Resilient, RetryEvent, RetryPolicy};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

fn get(server: &MockServer) -> reqwest::Request {
    reqwest::Client::new()
        .get(format!("{}/items", server.uri()))
        .build()
        .expect("a request")
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(header("x-trace", "abc"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[1,2]"))
        .mount(&server)
        .await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-trace", reqwest::header::HeaderValue::from_static("abc"));
    let transport = Resilient::new("test")
        .retry(fast_policy())
        .default_headers(headers)
        .observer(Arc::new(move |event: &RetryEvent| {
            if let Ok(mut events) = seen.lock() {
                events.push(event.clone());
            }
        }));
    let answer = transport
        .send(&reqwest::Client::new(), get(&server))
        .await
        .expect("a response");
    assert_eq!(answer.status, 200);
    assert_eq!(&answer.body[..], b"[1,2]");
    let events = events.lock().expect("events").clone();
    assert_eq!(
        events,
        [RetryEvent::Retrying {
            attempt: 1,
            wait: Duration::ZERO,
            reason: "HTTP 429".into()
        }]
    );
}

#[tokio::test]
async fn a_body_hint_sets_the_wait_and_other_statuses_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_string("wait 0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let hinted = Arc::new(Mutex::new(0));
    let counter = hinted.clone();
    let transport = Resilient::new("test")
        .retry(RetryPolicy {
            // Without the hint the backoff would be an hour.
            base_delay: Duration::from_secs(3600),
            ..fast_policy()
        })
        .body_hint(Arc::new(move |body: &[u8]| {
            if let Ok(mut n) = counter.lock() {
                *n += 1;
            }
            (body == b"wait 0").then_some(Duration::ZERO)
        }));
    let answer = transport
        .send(&reqwest::Client::new(), get(&server))
        .await
        .expect("a response");
    assert_eq!(answer.status, 404, "a 404 is final");
    assert_eq!(
        *hinted.lock().expect("count"),
        1,
        "only the 503 is read for a hint"
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

#[tokio::test]
async fn a_stall_is_retried_then_ends_as_an_error_that_says_why() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let transport = Resilient::new("test").retry(fast_policy()).limits(Limits {
        idle_timeout: Duration::from_millis(100),
        ..Limits::default()
    });
    let failure = transport
        .send(&reqwest::Client::new(), get(&server))
        .await
        .expect_err("stalls");
    assert!(
        matches!(failure, Failure::Stalled { attempts: 3, .. }),
        "{failure:?}"
    );

    // Through the hook a generated client calls, the same failure is a reqwest error whose
    // source is the failure.
    let err = transport
        .exec(&reqwest::Client::new(), get(&server), "list")
        .await
        .expect_err("stalls");
    let mut chain = std::error::Error::source(&err);
    let mut found = None;
    while let Some(source) = chain {
        found = found.or(source.downcast_ref::<Failure>());
        chain = source.source();
    }
    let source = found.expect("the failure is in the error's sources");
    assert!(source.to_string().contains("timed out"), "{source}");
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(100)))
        .mount(&server)
        .await;
    let transport = Resilient::new("test").limits(Limits {
        max_body_bytes: 10,
        ..Limits::default()
    });
    let failure = transport
        .send(&reqwest::Client::new(), get(&server))
        .await
        .expect_err("too large");
    assert!(
        matches!(failure, Failure::TooLarge { size: 100, cap: 10 }),
        "{failure:?}"
    );
}
