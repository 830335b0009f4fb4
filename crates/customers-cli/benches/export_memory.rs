//! Memory of a long export: the facade's listing is lazy, so the heap grows with the number
//! of customers only by the ids it remembers to skip repeats (at most 16 bytes a customer).
//! Run with `cargo bench -p customers-cli --bench export_memory`.
//!
//! A fake Hoko (`customers mock`, a separate process, so its data is not counted) serves
//! `CUSTOMERS` customers; this process lists them all through `CustomersClient` under dhat's
//! heap profiler, sampling the live heap after every customer. The goal: the largest live heap
//! over the whole export exceeds the largest over its first tenth by at most
//! `BYTES_PER_CUSTOMER` for each customer listed after it.
//! A first export without the profiler (which slows allocation down a lot) gives the
//! throughput.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Instant;

use customers::{Credentials, CustomersClient, Query};
use futures::StreamExt;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const CUSTOMERS: usize = 100_000;
const PAGE_SIZE: u32 = 1_000;
/// What remembering a customer's id may cost (issue 10's budget for the repeat check).
const BYTES_PER_CUSTOMER: f64 = 16.0;
/// Issue 8's budget for an export at the default page size (it was 76 MiB).
const DEFAULT_PAGE_PEAK_LIMIT: usize = 32 * 1024 * 1024;

fn main() -> std::process::ExitCode {
    let mut fake = Command::new(env!("CARGO_BIN_EXE_customers"))
        .args([
            "mock",
            "--vendor",
            "hoko",
            "--customers",
            &CUSTOMERS.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the fake starts");
    let mut base_url = String::new();
    if let Some(stdout) = fake.stdout.take() {
        std::io::BufReader::new(stdout)
            .read_line(&mut base_url)
            .expect("the fake prints its URL");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (timed, _, _, seconds) = runtime.block_on(export(base_url.trim(), Some(PAGE_SIZE), false));
    let (listed, early_peak, peak, _) =
        runtime.block_on(export(base_url.trim(), Some(PAGE_SIZE), true));
    // The whole heap's high-water mark (dhat's `max_bytes`) of an export at Hoko's default
    // page size (10,000), where one page and its customers are in memory at once.
    let default_peak = runtime.block_on(default_page_peak(base_url.trim()));
    let _ = fake.kill();
    let _ = fake.wait();

    println!(
        "listed {timed} customers in {seconds:.2} s ({:.0} customers/s, fake on loopback)",
        timed as f64 / seconds
    );
    println!(
        "live heap peak: first tenth {} KiB, whole export {} KiB",
        early_peak / 1024,
        peak / 1024
    );
    let later = CUSTOMERS - CUSTOMERS / 10;
    let per_customer = peak.saturating_sub(early_peak) as f64 / later as f64;
    let growth_ratio = per_customer / BYTES_PER_CUSTOMER;
    println!(
        "heap growth after the first tenth: {per_customer:.1} bytes a customer, {growth_ratio:.2}x the {BYTES_PER_CUSTOMER} byte budget"
    );
    let default_ratio = default_peak as f64 / DEFAULT_PAGE_PEAK_LIMIT as f64;
    println!(
        "default page size: heap peak {:.1} MiB, {default_ratio:.2}x the {} MiB budget",
        default_peak as f64 / (1024.0 * 1024.0),
        DEFAULT_PAGE_PEAK_LIMIT / (1024 * 1024)
    );
    if listed == CUSTOMERS && growth_ratio <= 1.0 && default_ratio <= 1.0 {
        println!(
            "ok: heap growth {growth_ratio:.2}x and default-page peak {default_ratio:.2}x their budgets"
        );
        std::process::ExitCode::SUCCESS
    } else {
        println!(
            "FAILED: listed {listed} of {CUSTOMERS}, heap growth {growth_ratio:.2}x its budget, default-page peak {default_ratio:.2}x the budget"
        );
        std::process::ExitCode::FAILURE
    }
}

/// The heap's high-water mark over a whole export at the vendor's default page size.
async fn default_page_peak(base_url: &str) -> usize {
    let _profiler = dhat::Profiler::builder().testing().build();
    let (listed, ..) = export_inner(base_url, None, false).await;
    assert_eq!(listed, CUSTOMERS);
    dhat::HeapStats::get().max_bytes
}

/// Lists everything; with `profile`, samples the live heap after every customer.
async fn export(
    base_url: &str,
    page_size: Option<u32>,
    profile: bool,
) -> (usize, usize, usize, f64) {
    let _profiler = profile.then(|| dhat::Profiler::builder().testing().build());
    export_inner(base_url, page_size, profile).await
}

async fn export_inner(
    base_url: &str,
    page_size: Option<u32>,
    profile: bool,
) -> (usize, usize, usize, f64) {
    let mut builder = CustomersClient::builder(Credentials::Hoko {
        api_key: fake_vendors::API_KEY.into(),
    })
    .base_url(base_url);
    if let Some(size) = page_size {
        builder = builder.page_size(size);
    }
    let client = builder.build().expect("client");
    let start = Instant::now();
    let mut stream = std::pin::pin!(client.list(Query::new()));
    let (mut listed, mut early_peak, mut peak) = (0, 0, 0);
    while let Some(customer) = stream.next().await {
        let customer = customer.expect("listed");
        std::hint::black_box(&customer);
        drop(customer);
        listed += 1;
        if profile {
            peak = peak.max(dhat::HeapStats::get().curr_bytes);
        }
        if listed <= CUSTOMERS / 10 {
            early_peak = peak;
        }
    }
    (listed, early_peak, peak, start.elapsed().as_secs_f64())
}
