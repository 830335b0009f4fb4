//! Paging that neither duplicates nor truncates: overlapping pages write each customer once
//! and count the repeats; a vendor serving fewer than asked is paged to the end; a server
//! that never ends stops at the page limit.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use customers::{EndReason, ErrorKind, Event, Query, Vendor};
use support::{BOTPENGUIN_PAGE, Paged, client, collect, id, list_path, record};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Serves `total` customers, but each page starts `shift` records before where it was asked
/// to (as when customers are inserted at the head while paging).
struct Shifting {
    vendor: Vendor,
    total: usize,
    shift: usize,
}

impl Respond for Shifting {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let (offset, limit) = Paged::window(self.vendor, request);
        let start = offset.saturating_sub(self.shift).min(self.total);
        let end = (start + limit).min(self.total);
        let items = (start..end).map(|i| record(self.vendor, i)).collect();
        ResponseTemplate::new(200).set_body_json(Paged::body(self.vendor, items, self.total))
    }
}

/// Serves at most `cap` customers a page whatever the request asks for.
struct Capped {
    vendor: Vendor,
    total: usize,
    cap: usize,
}

impl Respond for Capped {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let (offset, limit) = Paged::window(self.vendor, request);
        let start = offset.min(self.total);
        let end = (start + limit.min(self.cap)).min(self.total);
        let items = (start..end).map(|i| record(self.vendor, i)).collect();
        ResponseTemplate::new(200).set_body_json(Paged::body(self.vendor, items, self.total))
    }
}

/// New customers on every page, forever.
struct Endless {
    vendor: Vendor,
    pages: AtomicUsize,
}

impl Respond for Endless {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let page = self.pages.fetch_add(1, Ordering::Relaxed);
        let items = (0..BOTPENGUIN_PAGE)
            .map(|i| record(self.vendor, page * BOTPENGUIN_PAGE + i))
            .collect();
        ResponseTemplate::new(200).set_body_json(Paged::body(self.vendor, items, usize::MAX))
    }
}

/// Why the listing said it ended, from its events (the last end, and how many it reported).
fn end_of(events: &support::Events) -> (Option<EndReason>, usize) {
    let events = events.lock().map(|e| e.clone()).unwrap_or_default();
    let ends: Vec<EndReason> = events
        .iter()
        .filter_map(|e| match e {
            Event::End { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect();
    (ends.last().copied(), ends.len())
}

#[tokio::test]
async fn overlapping_pages_write_each_customer_once_and_count_the_repeats() {
    for vendor in [
        Vendor::Hoko,
        Vendor::CareCloud,
        Vendor::Gleantap,
        Vendor::HelpCrunch,
    ] {
        let server = MockServer::start().await;
        Mock::given(path(list_path(vendor)))
            .respond_with(Shifting {
                vendor,
                total: 35,
                shift: 3,
            })
            .mount(&server)
            .await;
        let (client, events) = client(vendor, &server.uri());
        let ids: Vec<String> = collect(&client, Query::new())
            .await
            .into_iter()
            .map(|item| item.unwrap_or_else(|err| panic!("{vendor}: {err}")).id)
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            ids.len(),
            "{vendor}: a customer written twice"
        );
        assert!(client.repeats() > 0, "{vendor}: the overlap is counted");
        let reported = events
            .lock()
            .map(|events| {
                events
                    .iter()
                    .filter(|e| matches!(e, Event::Repeated { .. }))
                    .count() as u64
            })
            .unwrap_or_default();
        assert_eq!(reported, client.repeats(), "{vendor}");
    }
}

#[tokio::test]
async fn a_vendor_serving_fewer_than_asked_is_paged_to_the_end() {
    for vendor in [
        Vendor::Hoko,
        Vendor::Gleantap,
        Vendor::CareCloud,
        Vendor::HelpCrunch,
    ] {
        let server = MockServer::start().await;
        Mock::given(path(list_path(vendor)))
            .respond_with(Capped {
                vendor,
                total: 30,
                cap: 7,
            })
            .mount(&server)
            .await;
        let (client, events) = client(vendor, &server.uri());
        let ids: Vec<String> = collect(&client, Query::new())
            .await
            .into_iter()
            .map(|item| item.unwrap_or_else(|err| panic!("{vendor}: {err}")).id)
            .collect();
        let expected: Vec<String> = (0..30).map(|i| id(vendor, i)).collect();
        assert_eq!(ids, expected, "{vendor}: every customer, in order");
        let expected_end = match vendor {
            Vendor::CareCloud | Vendor::HelpCrunch => EndReason::TotalReached { total: 30 },
            _ => EndReason::ShortPageConfirmed,
        };
        assert_eq!(end_of(&events), (Some(expected_end), 1), "{vendor}");
    }
}

#[tokio::test]
async fn a_server_that_never_ends_stops_at_the_page_limit() {
    let vendor = Vendor::BotPenguin;
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .respond_with(Endless {
            vendor,
            pages: AtomicUsize::new(0),
        })
        .mount(&server)
        .await;
    let events: support::Events = Default::default();
    let sink = events.clone();
    let client = customers::CustomersClient::builder(support::credentials(vendor))
        .base_url(server.uri())
        .rate_limit_per_minute(None)
        .max_pages(Some(5))
        .observer(std::sync::Arc::new(move |event: &Event| {
            if let Ok(mut events) = sink.lock() {
                events.push(event.clone());
            }
        }))
        .build()
        .expect("client builds");
    let items = collect(&client, Query::new()).await;
    let (listed, errors): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
    assert_eq!(listed.len(), 5 * BOTPENGUIN_PAGE);
    assert_eq!(errors.len(), 1);
    let err = errors[0].as_ref().expect_err("an error");
    assert_eq!(err.kind(), &ErrorKind::PageLimit { pages: 5 });
    assert!(err.to_string().contains("stopped after 5 pages"), "{err}");
    assert_eq!(
        end_of(&events),
        (Some(EndReason::PageLimit { pages: 5 }), 1)
    );
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        5
    );
}

#[tokio::test]
async fn pages_resume_from_a_cursor_with_a_new_client_and_list_the_rest_exactly() {
    use customers::PageCursor;
    use futures::StreamExt;
    for vendor in Vendor::ALL {
        let server = MockServer::start().await;
        Mock::given(path(list_path(vendor)))
            .respond_with(support::Paged { vendor, total: 45 })
            .mount(&server)
            .await;
        let (first_client, _) = client(vendor, &server.uri());
        let all: Vec<String> = collect(&first_client, Query::new())
            .await
            .into_iter()
            .map(|c| c.expect("listed").id)
            .collect();
        assert_eq!(all.len(), 45, "{vendor}");

        // Two pages, then the cursor goes through JSON (as a checkpoint does) to a new client.
        let mut first = std::pin::pin!(first_client.pages(Query::new(), PageCursor::START));
        let mut seen = Vec::new();
        let mut next = None;
        for _ in 0..2 {
            let page = first.next().await.expect("a page").expect("listed");
            assert_eq!(page.cursor, next.unwrap_or(PageCursor::START), "{vendor}");
            seen.extend(page.customers.into_iter().map(|c| c.id));
            next = page.next;
        }
        let saved = serde_json::to_string(&next.expect("more pages")).expect("serializes");
        let cursor: PageCursor = serde_json::from_str(&saved).expect("reads back");
        let (resumed, _) = client(vendor, &server.uri());
        let rest: Vec<customers::Page> = resumed
            .pages(Query::new(), cursor)
            .map(|p| p.expect("listed"))
            .collect()
            .await;
        assert!(
            rest.last().is_some_and(|p| p.next.is_none()),
            "{vendor}: ends"
        );
        seen.extend(rest.into_iter().flat_map(|p| p.customers).map(|c| c.id));
        assert_eq!(seen, all, "{vendor}: resumed listing");
    }
}
