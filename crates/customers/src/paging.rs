//! Walking a vendor's pages lazily: a few pages in memory at most (the one being decoded and
//! the responses requested ahead), stopping the vendor's way (its `client_runtime::Paging`),
//! and never looping on a page that does not advance.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::Stream;

use crate::client::Shared;
use crate::events::Event;
use crate::page_ids::PageIds;
use crate::response::success_body;
use crate::seen::SeenIds;
use crate::transport::Captured;
use crate::vendor_api::PageRequest;
use crate::{Customer, Error, ErrorKind, Query, Vendor};

/// Where a page starts: what [`CustomersClient::pages`](crate::CustomersClient::pages) hands
/// out with each page so that a later listing (another process, after a crash) can go on from
/// there. It is `client_runtime`'s, shared with the generated crates' page streams.
pub use client_runtime::PageCursor;

type Cursor = PageCursor;

/// One page of a listing: the customers on it that match the query (each written once), and
/// where the next page starts.
#[derive(Debug, Clone)]
pub struct Page {
    /// Where this page started.
    pub cursor: PageCursor,
    /// The page's customers that match the query and were not on an earlier page of this
    /// listing.
    pub customers: Vec<Customer>,
    /// Where the next page starts; `None` when this was the last.
    pub next: Option<PageCursor>,
}

impl Page {
    /// The latest change time of this page's customers and `carried` (the mark of the pages
    /// before it): a listing's high-water mark, page by page. Customers without a change
    /// time leave it as it is.
    pub fn high_water(&self, carried: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        self.customers
            .iter()
            .filter_map(|c| c.updated_at)
            .chain(carried)
            .max()
    }
}

/// `offset` as the 32-bit integer `vendor`'s spec declares.
pub(crate) fn offset_i32(vendor: Vendor, offset: u64) -> Result<i32, Error> {
    i32::try_from(offset).map_err(|_| {
        Error::new(vendor, ErrorKind::InvalidQuery).with_message(format!(
            "offset {offset} does not fit {vendor}'s 32-bit offset"
        ))
    })
}

struct State {
    shared: Arc<Shared>,
    query: Query,
    next: Option<Cursor>,
    /// The previous page's ids, to tell a vendor that serves the same page again.
    previous_ids: PageIds,
    /// The key those ids are hashed with.
    id_keys: foldhash::quality::RandomState,
    /// Every id written so far: a vendor whose data shifts while paging serves overlapping
    /// pages, and a customer is written once.
    seen: SeenIds,
    /// Pages fetched so far.
    pages: u32,
    /// A query the vendor cannot apply: reported before any request, then the end.
    rejected: Option<Error>,
    /// Requests for the next pages, in order, sent while the current page decodes.
    prefetch: std::collections::VecDeque<Prefetch>,
    /// The previous page's records and total, as its decode found them, and its body's size.
    previous: Option<(client_runtime::Measured, usize)>,
    /// Whether the previous page held fewer records than asked for.
    previous_short: bool,
    /// Whether the vendor's total changed between two pages: pages are then requested one
    /// ahead only, in order (side by side, one would often be requested again).
    total_moved: bool,
}

/// A page requested ahead: the cursor it was requested for and its response to come.
struct Prefetch {
    cursor: Cursor,
    response: crate::read_ahead::AbortOnDrop<Result<Captured, Error>>,
    /// Requested before the page before it had arrived: the vendor may have served the two
    /// in either order.
    concurrent: bool,
}

/// Every page of customers matching `query`, from `from` on.
pub(crate) fn pages(
    shared: Arc<Shared>,
    query: Query,
    from: PageCursor,
) -> impl Stream<Item = Result<Page, Error>> + Send + 'static {
    let rejected = query.check(shared.vendor).err();
    let state = State {
        shared,
        query,
        next: Some(from),
        previous_ids: PageIds::default(),
        id_keys: foldhash::quality::RandomState::default(),
        seen: SeenIds::new(),
        pages: 0,
        rejected,
        prefetch: std::collections::VecDeque::new(),
        previous: None,
        previous_short: false,
        total_moved: false,
    };
    futures::stream::unfold(state, step)
}

/// Every customer matching `query`, page after page, the next page fetched while the caller
/// works through the current one.
pub(crate) fn list(
    shared: Arc<Shared>,
    query: Query,
) -> impl Stream<Item = Result<Customer, Error>> + Send + 'static {
    use futures::StreamExt;
    use futures::future::Either;
    crate::read_ahead::read_ahead(pages(shared, query, PageCursor::START)).flat_map(|page| {
        match page {
            Ok(page) => Either::Left(futures::stream::iter(page.customers.into_iter().map(Ok))),
            Err(err) => Either::Right(futures::stream::iter([Err(err)])),
        }
    })
}

async fn step(mut state: State) -> Option<(Result<Page, Error>, State)> {
    if let Some(err) = state.rejected.take() {
        state.next = None;
        return Some((Err(err), state));
    }
    let cursor = state.next.take()?;
    if let Some(limit) = state.shared.max_pages
        && state.pages >= limit
    {
        state
            .shared
            .ended(crate::EndReason::PageLimit { pages: limit }, state.pages);
        let err = Error::new(state.shared.vendor, ErrorKind::PageLimit { pages: limit })
            .with_message(format!(
                "stopped after {limit} pages, the page limit, with more announced"
            ));
        return Some((Err(err), state));
    }
    state.pages += 1;
    match fetch(&mut state, cursor).await {
        Ok((customers, next, ids)) => {
            state.next = next;
            state.previous_ids = ids;
            let mut kept = Vec::with_capacity(customers.len());
            for customer in customers {
                // Every id goes in, matching or not: a page of repeats is then recognised
                // whatever the query (see `fetch`).
                let new = state.seen.insert(&customer.id);
                if !state.query.matches(&customer) {
                    continue;
                }
                if !new {
                    state.shared.repeated(&customer.id);
                    continue;
                }
                kept.push(customer);
            }
            let page = Page {
                cursor,
                customers: kept,
                next,
            };
            Some((Ok(page), state))
        }
        Err(err) => Some((Err(err), state)),
    }
}

/// The response for the page at `cursor`: the one requested ahead if there is one for
/// this cursor (requests ahead for other cursors are dropped), else a request now; and
/// whether it was requested before the page before it had arrived.
async fn response(state: &mut State, cursor: Cursor) -> Result<(Captured, bool), Error> {
    while let Some(prefetch) = state.prefetch.pop_front() {
        if prefetch.cursor == cursor {
            if let Some(outcome) = prefetch.response.join().await {
                return outcome.map(|captured| (captured, prefetch.concurrent));
            }
            break;
        }
    }
    state.prefetch.clear();
    request_now(state, cursor)
        .await
        .map(|captured| (captured, false))
}

/// The page at `cursor`, requested now.
async fn request_now(state: &State, cursor: Cursor) -> Result<Captured, Error> {
    let request = PageRequest {
        query: &state.query,
        offset: cursor.offset(),
        page: cursor.page(),
        size: state.shared.page_size,
    };
    state.shared.connection.page(request).await
}

/// Pages requested ahead at most, when the vendor reports a total: the pages up to it are
/// known, so they can be fetched side by side. Only while requests go out unspaced: once a
/// rate limit spaces them, a second request ahead would only wait, or meet a 429.
const AHEAD_WITH_TOTAL: usize = 2;

/// Requests the pages after `cursor` on other tasks, when the body's records and total
/// say there are more and the page limit allows it: the vendor serves them while this page
/// decodes. After a full page, a body about as large is taken to hold as many records and
/// the same total (counting them was 6% of a Hoko export's work); else they are counted in
/// one pass that builds nothing. A wrong guess costs a request that is then dropped. That is the next page; with a
/// reported total and no rate limit yet, up to [`AHEAD_WITH_TOTAL`] pages of the size this
/// one had, since only the total ends such a list. The decode still decides the next
/// cursor: requests ahead for other cursors are dropped.
async fn prefetch_next(state: &mut State, cursor: Cursor, body: &[u8]) {
    let api = state.shared.vendor.api();
    let full = u64::from(state.shared.page_size.get());
    let measured = match state.previous {
        Some((previous, size)) if previous.records as u64 == full && body.len() >= size / 4 * 3 => {
            previous
        }
        _ => match api.page_shape().measure(body) {
            Ok(measured) => measured,
            Err(_) => return,
        },
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let ahead = match (api.paging(), measured.total) {
        (client_runtime::Paging::OffsetUntilTotal, Some(_))
            if state.shared.transport.unlimited() && !state.total_moved =>
        {
            AHEAD_WITH_TOTAL
        }
        _ => 1,
    };
    let mut wanted = Vec::with_capacity(ahead);
    let mut at = cursor;
    for k in 1..=ahead {
        let Some(next) = api.paging().next(at, measured.records, measured.total) else {
            break;
        };
        // Page `state.pages + k` of the listing, which the page limit may not allow.
        if state
            .shared
            .max_pages
            .is_some_and(|limit| u64::from(state.pages) + k as u64 > u64::from(limit))
        {
            break;
        }
        wanted.push(next);
        at = next;
    }
    // Requests ahead that are still wanted stay; the others go.
    let kept = state
        .prefetch
        .iter()
        .zip(&wanted)
        .take_while(|(prefetch, cursor)| prefetch.cursor == **cursor)
        .count();
    state.prefetch.truncate(kept);
    for (k, next) in wanted.into_iter().enumerate().skip(kept) {
        let (shared, query) = (state.shared.clone(), state.query.clone());
        let task = runtime.spawn(async move {
            let request = PageRequest {
                query: &query,
                offset: next.offset(),
                page: next.page(),
                size: shared.page_size,
            };
            shared.connection.page(request).await
        });
        state.prefetch.push_back(Prefetch {
            cursor: next,
            response: crate::read_ahead::AbortOnDrop::new(task),
            // The first page ahead follows this one, which has arrived; the others go
            // side by side with the pages before them.
            concurrent: k > 0,
        });
    }
    // A new task waits in this worker's next-task slot, which other workers cannot take:
    // yield once so that the requests go out before this task decodes without a pause.
    tokio::task::yield_now().await;
}

/// Fetches and decodes the page at `cursor`: its customers, the next cursor and its ids.
///
/// A page requested side by side with the one before it may have been served first: if
/// the vendor's total moved between the two, records may have shifted past the page
/// boundary unseen, so that page is requested again, after its predecessor.
async fn fetch(
    state: &mut State,
    cursor: Cursor,
) -> Result<(Vec<Customer>, Option<Cursor>, PageIds), Error> {
    let shared = state.shared.clone();
    let vendor = shared.vendor;
    let api = vendor.api();
    let (mut captured, mut concurrent) = response(state, cursor).await?;
    let (page, len) = loop {
        let body = success_body(vendor, &captured)?;
        // The next pages are requested before this one decodes, so that they overlap.
        prefetch_next(state, cursor, body).await;
        let page = api
            .decode_page(body, &shared.options)
            .map_err(|err| Error::from(err).with_status(captured.status.as_u16()))?;
        let before = state.previous.and_then(|(previous, _)| previous.total);
        if state.previous.is_some() && page.total != before {
            state.total_moved = true;
        }
        if concurrent && page.total != before {
            tracing::debug!(%vendor, offset = cursor.offset(), "the total moved: the page requested side by side is requested again");
            state.prefetch.clear();
            captured = request_now(state, cursor).await?;
            concurrent = false;
            continue;
        }
        // Records without a readable id are in the drift report, but they were on the page:
        // they count for paging.
        let len = page.customers.len() + page.drift.unreadable.len();
        break (shared.accept(page)?, len);
    };
    tracing::info!(%vendor, offset = cursor.offset(), page = cursor.page(), records = len, "page");
    shared.emit(Event::Page {
        vendor,
        records: len,
    });
    let short = api.max_page_size().is_some() && (len as u64) < u64::from(shared.page_size.get());
    // Checked only where it can end the list: a short page without a total.
    let all_repeats = || {
        len > 0
            && len == page.customers.len()
            && page.customers.iter().all(|c| state.seen.contains(&c.id))
    };
    let ids = PageIds::new(&state.id_keys, page.customers.iter().map(|c| c.id.as_str()));
    let step = api.paging().step(cursor, len, page.total);
    let (next, end) = match step {
        // Without a total, a short page that only repeats what was listed is the end of a
        // list that grows at its head: the next offset would serve the same records again.
        Ok(_) if short && page.total.is_none() && all_repeats() => {
            (None, Some(crate::EndReason::ShortPageOfRepeats))
        }
        Ok(next) => {
            if ids.len() > 0 && ids == state.previous_ids {
                return Err(
                    Error::new(vendor, ErrorKind::PagingLoop).with_message(format!(
                        "the page at offset {} (page {}) repeats the previous page's {} customers",
                        cursor.offset(),
                        cursor.page(),
                        ids.len()
                    )),
                );
            }
            (Some(next), None)
        }
        Err(client_runtime::PagingEnd::EmptyPage) if state.previous_short => {
            (None, Some(crate::EndReason::ShortPageConfirmed))
        }
        Err(client_runtime::PagingEnd::EmptyPage) => (None, Some(crate::EndReason::EmptyPage)),
        Err(client_runtime::PagingEnd::TotalReached { total }) => {
            (None, Some(crate::EndReason::TotalReached { total }))
        }
    };
    if let Some(reason) = end {
        shared.ended(reason, state.pages);
    }
    state.previous_short = short;
    let measured = client_runtime::Measured {
        records: len,
        total: page.total,
    };
    state.previous = Some((measured, captured.body.len()));
    Ok((page.customers, next, ids))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Raw;

    fn changed(id: &str, at: Option<&str>) -> Customer {
        let mut customer = Customer::new(Vendor::Hoko, id.to_owned(), Raw::null());
        customer.updated_at = at.and_then(|t| t.parse().ok());
        customer
    }

    #[test]
    fn the_high_water_mark_is_the_latest_change_carried_across_pages() {
        let page = |customers| Page {
            cursor: PageCursor::START,
            customers,
            next: None,
        };
        let first = page(vec![
            changed("a", Some("2024-03-01T00:00:00Z")),
            changed("b", None),
            changed("c", Some("2024-05-01T00:00:00Z")),
        ]);
        let mark = first.high_water(None);
        assert_eq!(mark, "2024-05-01T00:00:00Z".parse().ok());
        // A later page of older changes keeps the mark; an empty page or one of customers
        // without change times carries it; nothing at all leaves none.
        let older = page(vec![changed("d", Some("2024-01-01T00:00:00Z"))]);
        assert_eq!(older.high_water(mark), mark);
        assert_eq!(page(vec![changed("e", None)]).high_water(mark), mark);
        assert_eq!(page(Vec::new()).high_water(None), None);
        let newer = page(vec![changed("f", Some("2024-06-01T12:00:00Z"))]);
        assert_eq!(newer.high_water(mark), "2024-06-01T12:00:00Z".parse().ok());
    }
}
