//! Each generated crate on its own: its list operation's page stream (generated from the
//! spec's `x-paging`) walks a fake of the vendor to the end through `client_runtime`'s
//! retrying transport, with faults injected, and resumes from a page's cursor. The fakes'
//! answers are checked against the specs' schemas in `fakes_follow_specs.rs` and the
//! requests by Prism in `prism.rs`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use client_runtime::{PageCursor, Resilient, RetryPolicy, Transport};
use fake_vendors::{API_KEY, APP_ID, FakeConfig, FakeServer, LOGIN, PASSWORD, SECRET_KEY, Vendor};
use futures::{Stream, StreamExt};

const CUSTOMERS: usize = 45;
const SIZE: std::num::NonZeroU32 = std::num::NonZeroU32::new(10).expect("non-zero");

/// The retrying transport, quick to retry: the fakes' faults are injected, not real.
fn transport(label: &'static str) -> Transport {
    Transport::new(Arc::new(Resilient::new(label).retry(RetryPolicy {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    })))
}

async fn fake(vendor: Vendor, fault_rate: f64) -> FakeServer {
    let config = FakeConfig::new(vendor)
        .customers(CUSTOMERS)
        .fault_rate(fault_rate)
        .time_scale(0.01);
    FakeServer::start(config).await.expect("the fake starts")
}

/// Every page's ids from `stream`, and the cursor of the page after the first.
async fn walk<T, E: std::fmt::Debug>(
    stream: impl Stream<Item = Result<client_runtime::Paged<T>, E>>,
    ids: impl Fn(&T) -> Vec<String>,
) -> (Vec<String>, Option<PageCursor>) {
    let mut all = Vec::new();
    let mut second = None;
    let mut stream = std::pin::pin!(stream);
    let mut first = true;
    while let Some(page) = stream.next().await {
        let page = page.expect("every page arrives");
        all.extend(ids(&page.page));
        if first {
            second = page.next;
            first = false;
        }
    }
    (all, second)
}

fn check(vendor: Vendor, whole: &[String], rest: &[String]) {
    let distinct: HashSet<&String> = whole.iter().collect();
    assert_eq!(whole.len(), CUSTOMERS, "{vendor:?}: every customer once");
    assert_eq!(distinct.len(), CUSTOMERS, "{vendor:?}: no repeats");
    assert!(
        !rest.is_empty() && whole.ends_with(rest),
        "{vendor:?}: resuming from the second page lists the rest ({} of {})",
        rest.len(),
        whole.len()
    );
}

#[tokio::test]
async fn hoko_pages_to_the_end_and_resumes() {
    let server = fake(Vendor::Hoko, 0.3).await;
    let client = hoko_client::Client::with_credentials(
        &server.base_url(),
        &hoko_client::Credentials::new(API_KEY),
    )
    .expect("client")
    .with_transport(transport("hoko"));
    let ids = |page: &hoko_client::ResponseValue<hoko_client::types::CustomerList>| {
        page.iter().map(|c| c.id.to_string()).collect()
    };
    let pages = client.get_customers().pages(SIZE, PageCursor::START);
    let (whole, second) = walk(pages, ids).await;
    let from = second.expect("a second page");
    let (rest, _) = walk(client.get_customers().pages(SIZE, from), ids).await;
    check(Vendor::Hoko, &whole, &rest);
}

#[tokio::test]
async fn carecloud_pages_to_the_reported_total_and_resumes() {
    let server = fake(Vendor::CareCloud, 0.3).await;
    let anonymous = carecloud_client::Client::without_credentials(&server.base_url())
        .expect("client")
        .with_transport(transport("carecloud"));
    let login = carecloud_client::types::LoginRequest {
        login: LOGIN.into(),
        password: PASSWORD.into(),
        user_external_application_id: APP_ID.into(),
    };
    let token = anonymous
        .login()
        .body(login)
        .send()
        .await
        .expect("logs in")
        .into_inner()
        .data
        .bearer_token;
    let client = carecloud_client::Client::with_credentials(
        &server.base_url(),
        &carecloud_client::Credentials::new(token),
    )
    .expect("client")
    .with_transport(transport("carecloud"));
    let ids =
        |page: &carecloud_client::ResponseValue<carecloud_client::types::CustomerListResponse>| {
            page.data
                .customers
                .iter()
                .map(|c| c.customer_id.clone())
                .collect()
        };
    let (whole, second) = walk(client.get_customers().pages(SIZE, PageCursor::START), ids).await;
    let from = second.expect("a second page");
    let (rest, _) = walk(client.get_customers().pages(SIZE, from), ids).await;
    check(Vendor::CareCloud, &whole, &rest);
}

#[tokio::test]
async fn botpenguin_pages_by_number_until_an_empty_page_and_resumes() {
    let server = fake(Vendor::BotPenguin, 0.3).await;
    let client = botpenguin_client::Client::with_credentials(
        &server.base_url(),
        &botpenguin_client::Credentials::new(API_KEY),
    )
    .expect("client")
    .with_transport(transport("botpenguin"));
    let ids = |page: &botpenguin_client::ResponseValue<
        botpenguin_client::types::CustomerListResponse,
    >| page.data.iter().map(|c| c.id.clone()).collect();
    let (whole, second) = walk(client.get_customers().pages(PageCursor::START), ids).await;
    let from = second.expect("a second page");
    let (rest, _) = walk(client.get_customers().pages(from), ids).await;
    check(Vendor::BotPenguin, &whole, &rest);
}

#[tokio::test]
async fn gleantap_pages_with_offsets_in_the_body_and_resumes() {
    let server = fake(Vendor::Gleantap, 0.3).await;
    let client = gleantap_client::Client::with_credentials(
        &server.base_url(),
        &gleantap_client::Credentials::new(API_KEY, SECRET_KEY),
    )
    .expect("client")
    .with_transport(transport("gleantap"));
    let request = || client.get_customers().body_map(|body| body.app_id(APP_ID));
    let ids = |page: &gleantap_client::ResponseValue<
        gleantap_client::types::GetCustomersResponse,
    >| page.members.iter().map(|c| c.id.clone()).collect();
    let (whole, second) = walk(request().pages(SIZE, PageCursor::START), ids).await;
    let from = second.expect("a second page");
    let (rest, _) = walk(request().pages(SIZE, from), ids).await;
    check(Vendor::Gleantap, &whole, &rest);
}

#[tokio::test]
async fn helpcrunch_pages_to_the_reported_total_and_resumes() {
    let server = fake(Vendor::HelpCrunch, 0.3).await;
    let client = helpcrunch_client::Client::with_credentials(
        &server.base_url(),
        &helpcrunch_client::Credentials::new(API_KEY),
    )
    .expect("client")
    .with_transport(transport("helpcrunch"));
    let ids = |page: &helpcrunch_client::ResponseValue<helpcrunch_client::types::CustomerList>| {
        page.data.iter().map(|c| c.id.to_string()).collect()
    };
    let (whole, second) = walk(client.get_customers().pages(SIZE, PageCursor::START), ids).await;
    let from = second.expect("a second page");
    let (rest, _) = walk(client.get_customers().pages(SIZE, from), ids).await;
    check(Vendor::HelpCrunch, &whole, &rest);
}
