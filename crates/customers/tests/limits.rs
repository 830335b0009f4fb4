//! Bounded waits and sizes: a stalled response times out after the idle timeout (head or
//! body), a body over the cap is an error before it is held, and the default retry budget
//! carries a long export through a 30% fault rate.

mod support;

use std::time::{Duration, Instant};

use customers::{CustomersClient, ErrorKind, Limits, Query, RetryPolicy, Vendor};
use fake_vendors::{FakeConfig, FakeServer};
use futures::StreamExt;
use support::{collect, credentials, list_path};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(base: &str, limits: Limits, attempts: u32) -> CustomersClient {
    CustomersClient::builder(credentials(Vendor::Hoko))
        .base_url(base)
        .rate_limit_per_minute(None)
        .retry(RetryPolicy {
            max_attempts: attempts,
            budget: Duration::from_secs(10),
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
        .limits(limits)
        .build()
        .expect("client builds")
}

/// A server that answers every connection with `head`, then `body_part`, then nothing more
/// for a minute (the connection stays open).
async fn stalling_server(head: &'static str, body_part: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = socket.read(&mut buffer).await;
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body_part.as_bytes()).await;
                tokio::time::sleep(Duration::from_secs(60)).await;
            });
        }
    });
    format!("http://{address}")
}

async fn first_error(client: &CustomersClient) -> customers::Error {
    let items = collect(client, Query::new()).await;
    items
        .into_iter()
        .find_map(Result::err)
        .expect("the listing fails")
}

#[tokio::test]
async fn a_response_that_stalls_times_out_after_the_idle_timeout() {
    let limits = Limits {
        idle_timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    let cases = [
        ("", ""),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n",
            "[{\"id\": ",
        ),
    ];
    for (head, body) in cases {
        let base = stalling_server(head, body).await;
        let started = Instant::now();
        let err = first_error(&client(&base, limits, 3)).await;
        let elapsed = started.elapsed();
        assert_eq!(err.kind(), &ErrorKind::Transport, "{err}");
        assert!(err.to_string().contains("timed out"), "{err}");
        // Three attempts of 200 ms and two short backoffs, not minutes.
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
        assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    }
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_announced_or_not() {
    let limits = Limits {
        max_body_bytes: 1024 * 1024,
        ..Limits::default()
    };
    // Announced: refused from its Content-Length.
    let server = MockServer::start().await;
    let big = format!("[\"{}\"]", "x".repeat(2 * 1024 * 1024));
    Mock::given(path(list_path(Vendor::Hoko)))
        .respond_with(ResponseTemplate::new(200).set_body_string(big))
        .mount(&server)
        .await;
    let err = first_error(&client(&server.uri(), limits, 3)).await;
    assert!(
        err.to_string().contains("larger than the 1048576-byte cap"),
        "{err}"
    );
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        1,
        "not retried"
    );

    // Not announced (chunked, endless): refused once the cap is passed.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = socket.read(&mut buffer).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 65536, " ".repeat(65536));
                while socket.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    let err = first_error(&client(&format!("http://{address}"), limits, 3)).await;
    assert!(
        err.to_string().contains("larger than the 1048576-byte cap"),
        "{err}"
    );
}

/// `--fault-rate 0.3`, page size 100, 100,000 customers: every customer exactly once with
/// the default retry budget (the fake's delays and the backoff scaled down, the attempts
/// not).
#[tokio::test(flavor = "multi_thread")]
async fn a_long_export_rides_out_a_thirty_percent_fault_rate() {
    let config = FakeConfig::new(fake_vendors::Vendor::Hoko)
        .customers(100_000)
        .seed(7)
        .fault_rate(0.3)
        .time_scale(0.01);
    let expected = config.records().len();
    let fake = FakeServer::start(config).await.expect("fake starts");
    let hoko = customers::Credentials::Hoko {
        api_key: fake_vendors::API_KEY.into(),
    };
    let client = CustomersClient::builder(hoko)
        .base_url(fake.base_url())
        .rate_limit_per_minute(None)
        .page_size(100)
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
        .build()
        .expect("client builds");
    let mut seen = std::collections::HashSet::new();
    let mut stream = std::pin::pin!(client.list(Query::new()));
    while let Some(item) = stream.next().await {
        let customer = item.unwrap_or_else(|err| panic!("after {} customers: {err}", seen.len()));
        assert!(seen.insert(customer.id.clone()), "{} twice", customer.id);
    }
    assert_eq!(seen.len(), expected);
}
