//! How close the client-side limiter gets to the rate it allows, and what it does against a
//! vendor allowing half of it. Run with `cargo bench -p customers --bench rate_limit`.
//!
//! 1. Matched: a fake HelpCrunch allowing 6,000 requests a minute, a client limited to the
//!    same; the achieved rate over 150 pages against the allowed one must be at least 0.95.
//! 2. Half: the fake allows 30 requests in any 0.6 s (its minute scaled down: 3,000 a
//!    minute, a sliding window, no wait hint on its 429), the client is configured at 6,000
//!    a minute; it prints the share of requests that met a 429 and the achieved rate against
//!    the vendor's.

use std::time::{Duration, Instant};

use customers::{Credentials, CustomersClient, Query, RetryPolicy};
use fake_vendors::{FakeConfig, FakeServer, Vendor};
use futures::StreamExt;

const PAGES: usize = 150;
const PAGE_SIZE: u32 = 10;
const MIN_RATIO: f64 = 0.95;

struct Run {
    requests: usize,
    limited: usize,
    seconds: f64,
}

async fn run(vendor_per_window: u32, time_scale: f64, client_per_minute: u32) -> Run {
    let customers = PAGES * PAGE_SIZE as usize - 1;
    let config = FakeConfig::new(Vendor::HelpCrunch)
        .customers(customers)
        .rate_limit_per_minute(vendor_per_window)
        .time_scale(time_scale)
        .record_exchanges();
    let fake = FakeServer::start(config).await.expect("fake starts");
    let client = CustomersClient::builder(Credentials::HelpCrunch {
        api_key: fake_vendors::API_KEY.into(),
    })
    .base_url(fake.base_url())
    .page_size(PAGE_SIZE)
    .rate_limit_per_minute(Some(client_per_minute))
    .retry(RetryPolicy {
        base_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    })
    .build()
    .expect("client builds");
    let started = Instant::now();
    let listed = client
        .list(Query::new())
        .filter(|c| futures::future::ready(c.is_ok()))
        .count()
        .await;
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(listed, customers, "every customer listed");
    let exchanges = fake.exchanges();
    Run {
        requests: exchanges.len(),
        limited: exchanges.iter().filter(|e| e.status == 429).count(),
        seconds,
    }
}

fn main() -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let allowed = 6000.0 / 60.0;
    let matched = runtime.block_on(run(6000, 1.0, 6000));
    // The first request goes at once: n requests span n - 1 intervals.
    let achieved = (matched.requests - 1) as f64 / matched.seconds;
    let ratio = achieved / allowed;
    println!(
        "matched: {:.1} requests/s of {allowed:.1} allowed, {ratio:.4}x ({} requests, {} met a 429)",
        achieved, matched.requests, matched.limited
    );
    let half = runtime.block_on(run(30, 0.01, 6000));
    let vendor_rate = 3000.0 / 60.0;
    let achieved_half = (half.requests - 1) as f64 / half.seconds;
    println!(
        "half: vendor allows {vendor_rate:.1}/s, client configured at {allowed:.1}/s: {:.1} requests/s ({:.2}x the vendor's), {} of {} requests met a 429 ({:.1}%)",
        achieved_half,
        achieved_half / vendor_rate,
        half.limited,
        half.requests,
        100.0 * half.limited as f64 / half.requests as f64
    );
    if ratio >= MIN_RATIO && matched.limited == 0 {
        println!("ok: matched rate {ratio:.4}x >= {MIN_RATIO}x");
        std::process::ExitCode::SUCCESS
    } else {
        println!("FAILED: matched rate {ratio:.4}x (at least {MIN_RATIO}x, no 429 expected)");
        std::process::ExitCode::FAILURE
    }
}
