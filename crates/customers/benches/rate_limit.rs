//! How close the client-side limiter gets to the rate a vendor allows. Run with
//! `cargo bench -p customers --bench rate_limit`. Every case lists a fake HelpCrunch and
//! checks that every customer was listed once.
//!
//! 1. Matched: the fake allows 6,000 requests a minute, the client is limited to the same;
//!    at least 0.95x the allowed rate over 150 pages, no 429.
//! 2. Half: the fake allows half the client's configured rate, counted three ways: a
//!    rolling window and a fixed one, both answering 429 without a wait hint, and a fixed
//!    one announcing `X-RateLimit-Remaining` / `-Reset` on every response. 9,000 customers
//!    in 900 pages of 10; the minute is scaled to 2 s (time scale 1/30), and the client is
//!    told the window is 2 s as a real client counts a minute: 50 requests allowed per
//!    window, the client configured at 100. Targets: at least 0.9x the allowed rate and
//!    under 5% of requests answered 429; the bench fails below 0.8x.
//! 3. Real time: HelpCrunch's minute, 60 requests allowed in any rolling minute, the client
//!    at its default of 120 a minute, 9,000 customers in 90 pages of 100 (about 90 s).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use customers::{Credentials, CustomersClient, Query, RetryPolicy};
use fake_vendors::{FakeConfig, FakeServer, RateWindow, Vendor};
use futures::StreamExt;

/// Below this the bench fails.
const FLOOR: f64 = 0.8;
/// The targets.
const TARGET: f64 = 0.9;
const MAX_429_SHARE: f64 = 0.05;
const MATCHED_TARGET: f64 = 0.95;

struct Case {
    name: &'static str,
    kind: RateWindow,
    customers: usize,
    page_size: u32,
    /// Requests the vendor allows per window.
    allowed: u32,
    window: Duration,
    /// The client's configured rate, requests per window.
    client: u32,
}

struct Run {
    requests: usize,
    limited: usize,
    seconds: f64,
}

impl Case {
    /// The minute of the fake, scaled to the window.
    fn scale(&self) -> f64 {
        self.window.as_secs_f64() / 60.0
    }

    fn per_real_minute(&self, per_window: u32) -> u32 {
        (f64::from(per_window) * 60.0 / self.window.as_secs_f64()).round() as u32
    }

    async fn run(&self) -> Run {
        let config = FakeConfig::new(Vendor::HelpCrunch)
            .customers(self.customers)
            .rate_limit_per_minute(self.allowed)
            .rate_limit_window(self.kind)
            .time_scale(self.scale())
            .record_exchanges();
        let fake = FakeServer::start(config).await.expect("fake starts");
        let client = CustomersClient::builder(Credentials::HelpCrunch {
            api_key: fake_vendors::API_KEY.into(),
        })
        .base_url(fake.base_url())
        .page_size(self.page_size)
        .rate_limit_per_minute(Some(self.per_real_minute(self.client)))
        .rate_limit_window(self.window)
        .retry(RetryPolicy {
            base_delay: self.window / 120,
            ..RetryPolicy::default()
        })
        .build()
        .expect("client builds");
        let started = Instant::now();
        let mut seen = HashSet::new();
        let mut stream = std::pin::pin!(client.list(Query::new()));
        while let Some(item) = stream.next().await {
            let customer = item.unwrap_or_else(|err| panic!("{}: {err}", self.name));
            assert!(seen.insert(customer.id), "{}: a customer twice", self.name);
        }
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(seen.len(), self.customers, "{}: every customer", self.name);
        let exchanges = fake.exchanges();
        Run {
            requests: exchanges.len(),
            limited: exchanges.iter().filter(|e| e.status == 429).count(),
            seconds,
        }
    }
}

/// Prints the case's line; returns its ratio and share of 429s.
fn report(case: &Case, run: &Run) -> (f64, f64) {
    let accepted = run.requests - run.limited;
    // The first request goes at once: n requests span n - 1 intervals.
    let achieved = (accepted - 1) as f64 / run.seconds;
    let allowed = f64::from(case.allowed) / case.window.as_secs_f64();
    let ratio = achieved / allowed;
    let share = run.limited as f64 / run.requests as f64;
    println!(
        "{}: {} customers in {:.1} s; {} of {} requests met a 429 ({:.1}%); {:.1} accepted a second of {:.1} allowed: {ratio:.3}x the vendor's allowed rate",
        case.name,
        case.customers,
        run.seconds,
        run.limited,
        run.requests,
        share * 100.0,
        achieved,
        allowed
    );
    (ratio, share)
}

fn main() -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let scaled = Duration::from_secs(2);
    let half = |name, kind| Case {
        name,
        kind,
        customers: 9_000,
        page_size: 10,
        allowed: 50,
        window: scaled,
        client: 100,
    };
    let matched = Case {
        name: "matched (6,000 a minute allowed, client at 6,000)",
        kind: RateWindow::Sliding,
        customers: 1_499,
        page_size: 10,
        allowed: 6_000,
        window: Duration::from_secs(60),
        client: 6_000,
    };
    let cases = [
        half(
            "half, rolling window, no hint (2 s windows: time scale 1/30)",
            RateWindow::Sliding,
        ),
        half(
            "half, fixed window, no hint (2 s windows: time scale 1/30)",
            RateWindow::Fixed,
        ),
        half(
            "half, fixed window announcing X-RateLimit-Remaining/-Reset (2 s windows: time scale 1/30)",
            RateWindow::FixedAnnounced,
        ),
        Case {
            name: "half at real time: 60 a rolling minute allowed, client at HelpCrunch's default 120",
            kind: RateWindow::Sliding,
            customers: 9_000,
            page_size: 100,
            allowed: 60,
            window: Duration::from_secs(60),
            client: 120,
        },
    ];
    let mut ok = true;
    let run = runtime.block_on(matched.run());
    let (ratio, share) = report(&matched, &run);
    if ratio < MATCHED_TARGET || share > 0.0 {
        println!("FAILED: matched at {ratio:.3}x (at least {MATCHED_TARGET}x, no 429)");
        ok = false;
    } else {
        println!("target met: matched at {ratio:.3}x >= {MATCHED_TARGET}x, no 429");
    }
    for case in &cases {
        let run = runtime.block_on(case.run());
        let (ratio, share) = report(case, &run);
        let met = ratio >= TARGET && share < MAX_429_SHARE;
        println!(
            "target {}: {ratio:.3}x (at least {TARGET}x), {:.1}% 429s (under {:.0}%)",
            if met { "met" } else { "NOT MET" },
            share * 100.0,
            MAX_429_SHARE * 100.0
        );
        if ratio < FLOOR {
            println!("FAILED: {ratio:.3}x is below {FLOOR}x");
            ok = false;
        }
    }
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
