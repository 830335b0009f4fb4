//! Paging, generalised once: how a list operation ends ([`Paging`], declared by the spec's
//! `x-paging` extension), where a page starts ([`PageCursor`]), and the page stream each
//! generated crate's list operation offers ([`pages`]).

use std::future::Future;

use futures::Stream;

/// How a list operation pages and ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Offsets, no total. A page shorter than asked for is not trusted as the last (a vendor
    /// may cap pages lower than it documents): an empty page ends the list.
    OffsetUntilShortPage,
    /// Offsets; the list ends when the reported total is reached (or at an empty page when
    /// no total is reported).
    OffsetUntilTotal,
    /// Page numbers from 1, the page size the vendor's own; an empty page ends the list.
    PageNumberUntilEmpty,
}

/// Where a page starts: records before it (offset paging) and its number from 1
/// (page-number paging). It serializes to a small JSON object; keep it opaque.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageCursor {
    offset: u64,
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

    /// One page of `size` records back, never before the start (to resume with an overlap
    /// when the data may have shifted).
    pub fn back(self, size: u64) -> PageCursor {
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

/// Why a page was the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagingEnd {
    /// It held no records.
    EmptyPage,
    /// It reached the total the vendor reported with it.
    TotalReached {
        /// The total.
        total: u64,
    },
}

impl Paging {
    /// Where the page after the one at `at` starts, given that it held `records` records and
    /// the vendor reported `total`; `None` when it was the last.
    pub fn next(self, at: PageCursor, records: usize, total: Option<u64>) -> Option<PageCursor> {
        self.step(at, records, total).ok()
    }

    /// [`Paging::next`], saying why when the page was the last.
    pub fn step(
        self,
        at: PageCursor,
        records: usize,
        total: Option<u64>,
    ) -> Result<PageCursor, PagingEnd> {
        let records = records as u64;
        if records == 0 {
            return Err(PagingEnd::EmptyPage);
        }
        let next = PageCursor {
            offset: at.offset.saturating_add(records),
            page: at.page.saturating_add(1),
        };
        match (self, total) {
            (Paging::OffsetUntilTotal, Some(total)) if next.offset >= total => {
                Err(PagingEnd::TotalReached { total })
            }
            _ => Ok(next),
        }
    }
}

/// One page of a [`pages`] stream: the response, where it started and where the next one
/// starts (`None` after the last). Hand `next` to a later call to resume.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// Where this page started.
    pub cursor: PageCursor,
    /// The response.
    pub page: T,
    /// Where the next page starts; `None` when this was the last.
    pub next: Option<PageCursor>,
}

/// Every page from `from` on: `fetch` sends the request for a cursor, `measure` reads a
/// response's record count and reported total. An error ends the stream after it is
/// yielded; resume from the last page's `next`.
pub fn pages<T, E, F, Fut>(
    paging: Paging,
    from: PageCursor,
    fetch: F,
    measure: fn(&T) -> (usize, Option<u64>),
) -> impl Stream<Item = Result<Paged<T>, E>>
where
    F: FnMut(PageCursor) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    futures::stream::unfold((Some(from), fetch), move |(cursor, mut fetch)| async move {
        let cursor = cursor?;
        match fetch(cursor).await {
            Ok(page) => {
                let (records, total) = measure(&page);
                let next = paging.next(cursor, records, total);
                let item = Paged { cursor, page, next };
                Some((Ok(item), (next, fetch)))
            }
            Err(err) => Some((Err(err), (None, fetch))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    const AT: PageCursor = PageCursor {
        offset: 20,
        page: 3,
    };

    #[test]
    fn a_short_page_continues_where_it_ended_and_only_an_empty_one_ends() {
        let short = Paging::OffsetUntilShortPage;
        assert_eq!(
            short.next(AT, 10, None),
            Some(PageCursor {
                offset: 30,
                page: 4
            })
        );
        // Fewer than asked: go on at the next offset, which confirms the end or not.
        assert_eq!(short.next(AT, 9, None).map(|c| c.offset), Some(29));
        assert_eq!(short.next(AT, 0, None), None);
    }

    #[test]
    fn total_ends_counted_paging() {
        let counted = Paging::OffsetUntilTotal;
        assert_eq!(counted.next(AT, 10, Some(30)), None);
        assert!(counted.next(AT, 10, Some(31)).is_some());
        // Without a total, a short page needs its confirmation too.
        assert_eq!(counted.next(AT, 9, None).map(|c| c.offset), Some(29));
        assert_eq!(counted.next(AT, 0, Some(100)), None);
        assert_eq!(
            counted.step(AT, 10, Some(30)),
            Err(PagingEnd::TotalReached { total: 30 })
        );
        assert_eq!(counted.step(AT, 0, Some(100)), Err(PagingEnd::EmptyPage));
    }

    #[test]
    fn a_page_back_never_goes_before_the_start() {
        assert_eq!(
            AT.back(10),
            PageCursor {
                offset: 10,
                page: 2
            }
        );
        assert_eq!(AT.back(50), PageCursor { offset: 0, page: 2 });
        assert_eq!(PageCursor::START.back(10), PageCursor::START);
    }

    #[test]
    fn only_an_empty_page_ends_page_numbers() {
        let numbered = Paging::PageNumberUntilEmpty;
        let at = PageCursor::START;
        assert_eq!(numbered.next(at, 3, None).map(|c| c.page), Some(2));
        assert_eq!(numbered.next(at, 0, None), None);
    }

    #[tokio::test]
    async fn pages_walk_until_the_end_and_stop_after_an_error() {
        let data: Vec<u32> = (0..7).collect();
        let fetch = |cursor: PageCursor| {
            let start = cursor.offset() as usize;
            let page: Vec<u32> = data.iter().skip(start).take(3).copied().collect();
            async move { Ok::<_, String>(page) }
        };
        let walked: Vec<_> = pages(
            Paging::OffsetUntilShortPage,
            PageCursor::START,
            fetch,
            |p| (p.len(), None),
        )
        .collect()
        .await;
        let sizes: Vec<usize> = walked
            .iter()
            .map(|p| p.as_ref().map_or(usize::MAX, |p| p.page.len()))
            .collect();
        assert_eq!(sizes, [3, 3, 1, 0]);

        let failing = |_: PageCursor| async { Err::<Vec<u32>, _>("down") };
        let items: Vec<_> = pages(
            Paging::OffsetUntilTotal,
            PageCursor::START,
            failing,
            |p: &Vec<u32>| (p.len(), None),
        )
        .collect()
        .await;
        assert_eq!(items.len(), 1, "one error, then the end");
    }
}
