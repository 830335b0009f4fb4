//! Walking a vendor's pages lazily: one page in memory at a time, stopping the vendor's way,
//! and never looping on a page that does not advance.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Arc;

use futures::Stream;

use crate::client::Shared;
use crate::events::Event;
use crate::fetch::{Cursor, Page};
use crate::{Customer, Error, ErrorKind, Query, Vendor};

/// How a vendor's list ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paging {
    /// Offsets; a page shorter than asked for is the last (Hoko, Gleantap).
    OffsetUntilShortPage,
    /// Offsets; the reported total is reached (CareCloud, HelpCrunch).
    OffsetUntilTotal,
    /// Page numbers from 1; an empty page ends it (BotPenguin, whose page size is unknown).
    PageNumberUntilEmpty,
}

fn paging(vendor: Vendor) -> Paging {
    match vendor {
        Vendor::Hoko | Vendor::Gleantap => Paging::OffsetUntilShortPage,
        Vendor::CareCloud | Vendor::HelpCrunch => Paging::OffsetUntilTotal,
        Vendor::BotPenguin => Paging::PageNumberUntilEmpty,
    }
}

/// The cursor after `page`, or `None` when it was the last.
fn next_cursor(vendor: Vendor, cursor: Cursor, page: &Page, size: NonZeroU32) -> Option<Cursor> {
    let len = page.customers.len() as u64;
    if len == 0 {
        return None;
    }
    let next = Cursor {
        offset: cursor.offset + len,
        page: cursor.page.saturating_add(1),
    };
    let last = match paging(vendor) {
        Paging::OffsetUntilShortPage => len < u64::from(size.get()),
        Paging::OffsetUntilTotal => match page.total {
            Some(total) => next.offset >= total,
            None => len < u64::from(size.get()),
        },
        Paging::PageNumberUntilEmpty => false,
    };
    (!last).then_some(next)
}

struct State {
    shared: Arc<Shared>,
    query: Query,
    next: Option<Cursor>,
    buffer: VecDeque<Customer>,
    previous_ids: Vec<String>,
    /// A query the vendor cannot apply: reported before any request, then the end.
    rejected: Option<Error>,
}

/// Every customer matching `query`, page after page.
pub(crate) fn list(
    shared: Arc<Shared>,
    query: Query,
) -> impl Stream<Item = Result<Customer, Error>> + Send + 'static {
    let rejected = query.check(shared.vendor).err();
    let state = State {
        shared,
        query,
        next: Some(Cursor::START),
        buffer: VecDeque::new(),
        previous_ids: Vec::new(),
        rejected,
    };
    futures::stream::unfold(state, step)
}

async fn step(mut state: State) -> Option<(Result<Customer, Error>, State)> {
    if let Some(err) = state.rejected.take() {
        state.next = None;
        return Some((Err(err), state));
    }
    loop {
        if let Some(customer) = state.buffer.pop_front() {
            if state.query.matches(&customer) {
                return Some((Ok(customer), state));
            }
            continue;
        }
        let cursor = state.next.take()?;
        let shared = &state.shared;
        let page = match shared
            .api
            .page(&state.query, cursor, shared.page_size, &shared.options)
            .await
        {
            Ok(page) => page,
            Err(err) => return Some((Err(err), state)),
        };
        shared.emit(Event::Page {
            vendor: shared.vendor,
            records: page.customers.len(),
        });
        let mut ids: Vec<String> = page.customers.iter().map(|c| c.id.clone()).collect();
        ids.sort_unstable();
        if !ids.is_empty() && ids == state.previous_ids {
            let err = Error::new(shared.vendor, ErrorKind::PagingLoop).with_message(format!(
                "the page at offset {} (page {}) repeats the previous page's {} customers",
                cursor.offset,
                cursor.page,
                ids.len()
            ));
            return Some((Err(err), state));
        }
        state.next = next_cursor(shared.vendor, cursor, &page, shared.page_size);
        state.previous_ids = ids;
        state.buffer.extend(page.customers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(len: usize, total: Option<u64>) -> Page {
        let customers = (0..len)
            .map(|i| Customer::new(Vendor::Hoko, i.to_string(), serde_json::Value::Null))
            .collect();
        Page { customers, total }
    }

    const SIZE: NonZeroU32 = match NonZeroU32::new(10) {
        Some(size) => size,
        None => NonZeroU32::MIN,
    };

    #[test]
    fn short_page_ends_offset_paging() {
        let at = Cursor {
            offset: 20,
            page: 3,
        };
        assert_eq!(
            next_cursor(Vendor::Hoko, at, &page(10, None), SIZE),
            Some(Cursor {
                offset: 30,
                page: 4
            })
        );
        assert_eq!(
            next_cursor(Vendor::Gleantap, at, &page(9, None), SIZE),
            None
        );
        assert_eq!(next_cursor(Vendor::Hoko, at, &page(0, None), SIZE), None);
    }

    #[test]
    fn total_ends_counted_paging() {
        let at = Cursor {
            offset: 20,
            page: 3,
        };
        assert_eq!(
            next_cursor(Vendor::CareCloud, at, &page(10, Some(30)), SIZE),
            None
        );
        assert!(next_cursor(Vendor::HelpCrunch, at, &page(10, Some(31)), SIZE).is_some());
    }

    #[test]
    fn only_an_empty_page_ends_page_numbers() {
        let at = Cursor { offset: 0, page: 1 };
        assert_eq!(
            next_cursor(Vendor::BotPenguin, at, &page(3, None), SIZE).map(|c| c.page),
            Some(2)
        );
        assert_eq!(
            next_cursor(Vendor::BotPenguin, at, &page(0, None), SIZE),
            None
        );
    }
}
