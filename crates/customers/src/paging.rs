//! Walking a vendor's pages lazily: one page in memory at a time, stopping the vendor's way
//! (its [`Paging`]), and never looping on a page that does not advance.

use std::sync::Arc;

use futures::Stream;

use crate::client::Shared;
use crate::events::Event;
use crate::response::success_body;
use crate::seen::SeenIds;
use crate::vendor_api::{PageRequest, Paging};
use crate::{Customer, Error, ErrorKind, Query, Vendor};

/// Where a page starts: what [`CustomersClient::pages`](crate::CustomersClient::pages) hands
/// out with each page so that a later listing (another process, after a crash) can go on from
/// there. It serializes to a small JSON object; keep it opaque.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageCursor {
    /// Customers already listed (offset paging).
    offset: u64,
    /// Page number, from 1 (page-number paging).
    page: u32,
}

impl PageCursor {
    /// The first page.
    pub const START: PageCursor = PageCursor { offset: 0, page: 1 };

    /// Records the vendor served before this page (offset paging's position).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The page's number, from 1 (page-number paging's position).
    pub fn page(&self) -> u32 {
        self.page
    }

    /// One page of `size` records back, never before the start.
    pub(crate) fn back(self, size: u64) -> PageCursor {
        PageCursor {
            offset: self.offset.saturating_sub(size),
            page: self.page.saturating_sub(1).max(1),
        }
    }
}

impl Default for PageCursor {
    fn default() -> Self {
        PageCursor::START
    }
}

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

/// `offset` as the 32-bit integer `vendor`'s spec declares.
pub(crate) fn offset_i32(vendor: Vendor, offset: u64) -> Result<i32, Error> {
    i32::try_from(offset).map_err(|_| {
        Error::new(vendor, ErrorKind::InvalidQuery).with_message(format!(
            "offset {offset} does not fit {vendor}'s 32-bit offset"
        ))
    })
}

/// The cursor after a page of `len` customers (`total` reported), or `None` when it was the
/// last.
fn next_cursor(paging: Paging, cursor: Cursor, len: usize, total: Option<u64>) -> Option<Cursor> {
    let len = len as u64;
    if len == 0 {
        return None;
    }
    let next = Cursor {
        offset: cursor.offset + len,
        page: cursor.page.saturating_add(1),
    };
    // A short page is not the end until an empty page confirms it: a vendor may serve fewer
    // than asked (a lower cap than documented), and the next offset is where the page ended.
    let last = match paging {
        Paging::OffsetUntilShortPage | Paging::PageNumberUntilEmpty => false,
        Paging::OffsetUntilTotal => total.is_some_and(|total| next.offset >= total),
    };
    (!last).then_some(next)
}

struct State {
    shared: Arc<Shared>,
    query: Query,
    next: Option<Cursor>,
    previous_ids: Vec<String>,
    /// Every id written so far: a vendor whose data shifts while paging serves overlapping
    /// pages, and a customer is written once.
    seen: SeenIds,
    /// Pages fetched so far.
    pages: u32,
    /// A query the vendor cannot apply: reported before any request, then the end.
    rejected: Option<Error>,
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
        previous_ids: Vec::new(),
        seen: SeenIds::new(),
        pages: 0,
        rejected,
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
        let err = Error::new(state.shared.vendor, ErrorKind::PageLimit { pages: limit })
            .with_message(format!(
                "stopped after {limit} pages, the page limit, with more announced"
            ));
        return Some((Err(err), state));
    }
    state.pages += 1;
    match fetch(&state, cursor).await {
        Ok((customers, next, ids)) => {
            state.next = next;
            state.previous_ids = ids;
            let mut kept = Vec::with_capacity(customers.len());
            for customer in customers {
                if !state.query.matches(&customer) {
                    continue;
                }
                if !state.seen.insert(&customer.id) {
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

/// Fetches and decodes the page at `cursor`: its customers, the next cursor and its ids.
async fn fetch(
    state: &State,
    cursor: Cursor,
) -> Result<(Vec<Customer>, Option<Cursor>, Vec<String>), Error> {
    let shared = &state.shared;
    let vendor = shared.vendor;
    let api = vendor.api();
    let request = PageRequest {
        query: &state.query,
        offset: cursor.offset,
        page: cursor.page,
        size: shared.page_size,
    };
    let captured = shared.connection.page(request).await?;
    let body = success_body(vendor, &captured)?;
    let page = api
        .decode_page(body, &shared.options)
        .map_err(|err| Error::from(err).with_status(captured.status.as_u16()))?;
    // Records without a readable id are in the drift report, but they were on the page:
    // they count for paging.
    let len = page.customers.len() + page.drift.unreadable.len();
    let page = shared.accept(page)?;
    tracing::info!(%vendor, offset = cursor.offset, page = cursor.page, records = len, "page");
    shared.emit(Event::Page {
        vendor,
        records: len,
    });
    let mut ids: Vec<String> = page.customers.iter().map(|c| c.id.clone()).collect();
    ids.sort_unstable();
    if !ids.is_empty() && ids == state.previous_ids {
        return Err(
            Error::new(vendor, ErrorKind::PagingLoop).with_message(format!(
                "the page at offset {} (page {}) repeats the previous page's {} customers",
                cursor.offset,
                cursor.page,
                ids.len()
            )),
        );
    }
    let next = next_cursor(api.paging(), cursor, len, page.total);
    Ok((page.customers, next, ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: Cursor = Cursor {
        offset: 20,
        page: 3,
    };

    #[test]
    fn a_short_page_continues_where_it_ended_and_only_an_empty_one_ends() {
        let short = Paging::OffsetUntilShortPage;
        assert_eq!(
            next_cursor(short, AT, 10, None),
            Some(Cursor {
                offset: 30,
                page: 4
            })
        );
        // Fewer than asked: go on at the next offset, which confirms the end or not.
        assert_eq!(next_cursor(short, AT, 9, None).map(|c| c.offset), Some(29));
        assert_eq!(next_cursor(short, AT, 0, None), None);
    }

    #[test]
    fn total_ends_counted_paging() {
        let counted = Paging::OffsetUntilTotal;
        assert_eq!(next_cursor(counted, AT, 10, Some(30)), None);
        assert!(next_cursor(counted, AT, 10, Some(31)).is_some());
        // Without a total, a short page needs its confirmation too.
        assert_eq!(
            next_cursor(counted, AT, 9, None).map(|c| c.offset),
            Some(29)
        );
        assert_eq!(next_cursor(counted, AT, 0, Some(100)), None);
    }

    #[test]
    fn a_page_back_never_goes_before_the_start() {
        assert_eq!(
            AT.back(10),
            Cursor {
                offset: 10,
                page: 2
            }
        );
        assert_eq!(AT.back(50), Cursor { offset: 0, page: 2 });
        assert_eq!(Cursor::START.back(10), Cursor::START);
    }

    #[test]
    fn only_an_empty_page_ends_page_numbers() {
        let numbered = Paging::PageNumberUntilEmpty;
        let at = Cursor::START;
        assert_eq!(next_cursor(numbered, at, 3, None).map(|c| c.page), Some(2));
        assert_eq!(next_cursor(numbered, at, 0, None), None);
    }
}
