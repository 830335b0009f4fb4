//! Which ids a page holds, in the 24 bytes it takes to tell whether the next page holds the
//! same ones (a vendor that ignores the offset serves one page forever). Cloning and sorting
//! every page's ids to compare them was 5% of a Hoko export's work.

use std::hash::BuildHasher;

use foldhash::quality::RandomState;

/// The multiset of one page's ids, as a count and two order-free sums of their hashes.
/// Hashes are keyed per listing, so two different pages match by chance with odds of about
/// one in 2⁶⁴.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PageIds {
    len: usize,
    sum: u64,
    xor: u64,
}

impl PageIds {
    /// The ids of one page, hashed with the listing's `keys`.
    pub fn new<'a>(keys: &RandomState, ids: impl IntoIterator<Item = &'a str>) -> Self {
        let mut page = PageIds::default();
        for id in ids {
            let hash = keys.hash_one(id);
            page.len += 1;
            page.sum = page.sum.wrapping_add(hash);
            // Mixed so that the two sums do not cancel the same way.
            page.xor ^= hash.rotate_left(29).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        page
    }

    /// How many ids the page held.
    pub fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_ids_in_any_order_match_and_any_change_does_not() {
        let keys = RandomState::default();
        let page = |ids: &[&str]| PageIds::new(&keys, ids.iter().copied());
        assert_eq!(page(&["a", "b", "c"]), page(&["c", "a", "b"]));
        assert_ne!(page(&["a", "b", "c"]), page(&["a", "b", "d"]));
        assert_ne!(page(&["a", "b"]), page(&["a", "b", "b"]));
        assert_ne!(page(&["a", "a", "b"]), page(&["a", "b", "b"]));
        assert_ne!(page(&["a", "a"]), page(&[]));
        assert_eq!(page(&[]).len(), 0);
        assert_eq!(page(&["x", "x"]).len(), 2);
    }

    #[test]
    fn pages_of_distinct_ids_never_match() {
        let keys = RandomState::default();
        let pages: Vec<PageIds> = (0..2_000)
            .map(|p| {
                PageIds::new(
                    &keys,
                    (0..50)
                        .map(|i| format!("{p}-{i}"))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str),
                )
            })
            .collect();
        let mut sorted: Vec<(usize, u64, u64)> =
            pages.iter().map(|p| (p.len, p.sum, p.xor)).collect();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), pages.len());
    }
}
