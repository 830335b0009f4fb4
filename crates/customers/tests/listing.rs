//! Listing every customer of each vendor from a local server: complete, without duplicates,
//! with the exact sequence of requests, and ending on a page that does not advance.

mod support;

use std::collections::HashSet;

use customers::{ErrorKind, Query, Vendor};
use serde_json::Value;
use support::{
    BOTPENGUIN_PAGE, Paged, Stuck, assert_authenticated, client, collect, id, list_path,
};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request};

async fn serve(vendor: Vendor, total: usize) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(list_path(vendor)))
        .respond_with(Paged { vendor, total })
        .mount(&server)
        .await;
    server
}

/// The page parameters of each request, as `(offset, limit)` in the vendor's terms, after
/// checking method, auth and the parameters the vendor always gets.
fn page_requests(vendor: Vendor, requests: &[Request]) -> Vec<(usize, usize)> {
    requests
        .iter()
        .map(|request| {
            assert_authenticated(vendor, request);
            assert_eq!(request.url.path(), list_path(vendor));
            let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
            let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
            match vendor {
                Vendor::Hoko => assert_eq!(names, ["skip", "take"]),
                Vendor::CareCloud => assert_eq!(names, ["count", "offset"]),
                Vendor::BotPenguin => {
                    assert_eq!(names, ["page", "sort"]);
                    assert_eq!(query[1].1, "createdAt");
                }
                Vendor::Gleantap => {
                    assert_eq!(request.method.as_str(), "POST");
                    assert!(names.is_empty());
                    let body: Value = serde_json::from_slice(&request.body).expect("JSON body");
                    let keys: Vec<&str> = body
                        .as_object()
                        .expect("object")
                        .keys()
                        .map(String::as_str)
                        .collect();
                    assert_eq!(keys, ["app_id", "limit", "offset"]);
                    assert_eq!(body["app_id"], "app-7");
                }
                Vendor::HelpCrunch => assert_eq!(names, ["limit", "offset"]),
            }
            if vendor != Vendor::Gleantap {
                assert_eq!(request.method.as_str(), "GET");
            }
            Paged::window(vendor, request)
        })
        .collect()
}

/// The page windows a complete listing of `total` must request.
fn expected_windows(vendor: Vendor, total: usize) -> Vec<(usize, usize)> {
    let size = if vendor == Vendor::BotPenguin {
        BOTPENGUIN_PAGE
    } else {
        10
    };
    let mut windows: Vec<(usize, usize)> = (0..total.div_ceil(size))
        .map(|p| (p * size, size))
        .collect();
    let stops_at_total = matches!(vendor, Vendor::CareCloud | Vendor::HelpCrunch);
    if windows.is_empty() {
        // An empty first page ends every listing.
        windows.push((0, size));
    } else if vendor == Vendor::BotPenguin {
        // Only an empty page ends page-number paging.
        windows.push((windows.len() * size, size));
    } else if !stops_at_total {
        // A short (or full) last page is confirmed by an empty one at the next offset.
        windows.push((total, size));
    }
    windows
}

async fn assert_lists_everything(vendor: Vendor, total: usize) {
    let server = serve(vendor, total).await;
    let (client, _) = client(vendor, &server.uri());
    let items = collect(&client, Query::new()).await;
    let ids: Vec<String> = items
        .into_iter()
        .map(|item| item.unwrap_or_else(|err| panic!("{vendor}: {err}")).id)
        .collect();
    let expected: Vec<String> = (0..total).map(|i| id(vendor, i)).collect();
    assert_eq!(ids, expected, "{vendor}: every customer once, in order");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        total,
        "{vendor}: no duplicates"
    );

    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(
        page_requests(vendor, &requests),
        expected_windows(vendor, total),
        "{vendor}: the exact sequence of page requests"
    );
}

#[tokio::test]
async fn more_than_three_pages_are_listed_completely() {
    for vendor in Vendor::ALL {
        assert_lists_everything(vendor, 35).await;
    }
}

#[tokio::test]
async fn an_exact_multiple_of_the_page_size_is_listed_completely() {
    for vendor in Vendor::ALL {
        let total = if vendor == Vendor::BotPenguin {
            4 * BOTPENGUIN_PAGE
        } else {
            40
        };
        assert_lists_everything(vendor, total).await;
    }
}

#[tokio::test]
async fn an_empty_account_is_one_request_and_no_customers() {
    for vendor in Vendor::ALL {
        assert_lists_everything(vendor, 0).await;
    }
}

#[tokio::test]
async fn a_page_that_repeats_ends_the_stream_with_a_loop_error() {
    for vendor in Vendor::ALL {
        let server = MockServer::start().await;
        let size = if vendor == Vendor::BotPenguin {
            BOTPENGUIN_PAGE
        } else {
            10
        };
        Mock::given(path(list_path(vendor)))
            .respond_with(Stuck { vendor, size })
            .mount(&server)
            .await;
        let (client, _) = client(vendor, &server.uri());
        let items = collect(&client, Query::new()).await;
        assert_eq!(
            items.len(),
            size + 1,
            "{vendor}: one page, then the error, then the end"
        );
        let err = items[size]
            .as_ref()
            .expect_err("the last item is the loop error");
        assert_eq!(err.kind(), &ErrorKind::PagingLoop, "{vendor}: {err}");
        // The second page, and what may have gone out while it decoded (dropped): the next
        // page, or the next two where the vendor reports a total (here a million).
        let ahead = match vendor {
            Vendor::CareCloud | Vendor::HelpCrunch => 2,
            _ => 1,
        };
        let requests = server.received_requests().await.expect("recorded").len();
        assert!((2..=2 + ahead).contains(&requests), "{vendor}: {requests}");
    }
}

#[tokio::test]
async fn the_stream_is_lazy() {
    use futures::StreamExt;
    let vendor = Vendor::Hoko;
    let server = serve(vendor, 35).await;
    let (client, _) = client(vendor, &server.uri());
    let first: Vec<_> = client.list(Query::new()).take(12).collect().await;
    assert_eq!(first.len(), 12);
    // Twelve customers need two pages of ten, and the third may have been requested while
    // the second decoded; not all four, nor the empty fifth.
    let requests = server.received_requests().await.expect("recorded").len();
    assert!((2..=3).contains(&requests), "{requests}");
}
