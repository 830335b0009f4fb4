//! The ids an export has already written, kept compact: a 64-bit hash per id (keyed per run,
//! so two distinct ids collide with odds of about n²/2⁶⁵: one in 370,000 for ten million
//! customers), in one sorted vector plus a small hash set of recent ones that is merged in
//! when it grows past a sixteenth of the vector. About 9 bytes a customer, never above 16.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

// foldhash's quality hasher, randomly keyed per set: a good 64-bit hash several times
// faster than std's SipHash, which cost an export of 200,000 customers 2% of its time.
use foldhash::quality::RandomState;

/// The recent set holds hashes already: hashing them again would only cost time.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in, in case.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Hashes below this many recent ones are never merged (merging tiny sets costs more than
/// it saves).
const MIN_RECENT: usize = 4096;

/// A set of ids, by hash.
pub(crate) struct SeenIds {
    keys: RandomState,
    sorted: Vec<u64>,
    recent: HashSet<u64, BuildHasherDefault<Identity>>,
}

impl SeenIds {
    pub fn new() -> Self {
        SeenIds {
            keys: RandomState::default(),
            sorted: Vec::new(),
            recent: HashSet::default(),
        }
    }

    /// Adds `id`; false when it was already there.
    pub fn insert(&mut self, id: &str) -> bool {
        let hash = self.keys.hash_one(id);
        if contains(&self.sorted, hash) || !self.recent.insert(hash) {
            return false;
        }
        if self.recent.len() >= MIN_RECENT.max(self.sorted.len() / 16) {
            self.merge();
        }
        true
    }

    /// Whether `id` is there.
    pub fn contains(&self, id: &str) -> bool {
        let hash = self.keys.hash_one(id);
        contains(&self.sorted, hash) || self.recent.contains(&hash)
    }

    /// How many ids it holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.sorted.len() + self.recent.len()
    }

    /// Merges the recent hashes into the sorted vector in place, from the back, growing it
    /// by exactly what it needs.
    fn merge(&mut self) {
        let mut recent: Vec<u64> = self.recent.drain().collect();
        recent.sort_unstable();
        let old_len = self.sorted.len();
        self.sorted.reserve_exact(recent.len());
        self.sorted.resize(old_len + recent.len(), 0);
        let (mut i, mut j, mut out) = (old_len, recent.len(), self.sorted.len());
        while j > 0 {
            out -= 1;
            if i > 0 && self.sorted[i - 1] > recent[j - 1] {
                self.sorted[out] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[out] = recent[j - 1];
                j -= 1;
            }
        }
        self.recent.shrink_to(MIN_RECENT);
    }
}

/// Whether `sorted` holds `hash`. The hashes are spread evenly over `u64`, so a hash's place
/// is about its share of `u64::MAX` times the length, give or take the square root of the
/// length: search a window there, widened until it brackets the hash, instead of the whole
/// vector (about 2x faster at 200,000 ids, where the first steps of a binary search miss
/// the cache).
fn contains(sorted: &[u64], hash: u64) -> bool {
    let len = sorted.len();
    if len == 0 {
        return false;
    }
    let guess = ((u128::from(hash) * len as u128) >> 64) as usize;
    let (mut low, mut high) = (guess.min(len - 1), (guess + 1).min(len));
    let mut step = 64;
    while low > 0 && sorted[low] > hash {
        low = low.saturating_sub(step);
        step *= 2;
    }
    step = 64;
    while high < len && sorted[high - 1] < hash {
        high = (high + step).min(len);
        step *= 2;
    }
    sorted[low..high].binary_search(&hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_new_once_across_merges() {
        let mut seen = SeenIds::new();
        for i in 0..50_000 {
            assert!(seen.insert(&format!("id-{i}")), "{i}");
        }
        for i in (0..50_000).step_by(7) {
            assert!(seen.contains(&format!("id-{i}")), "{i} is there");
            assert!(!seen.insert(&format!("id-{i}")), "{i} again");
        }
        assert!(!seen.contains("id-50000"));
        assert!(seen.insert("id-50000"));
        assert_eq!(seen.len(), 50_001);
        assert!(seen.sorted.windows(2).all(|w| w[0] < w[1]), "sorted");
    }

    #[test]
    fn the_window_search_finds_exactly_what_binary_search_finds() {
        let keys = RandomState::default();
        let mut sorted: Vec<u64> = (0..10_000).map(|i| keys.hash_one(i)).collect();
        sorted.extend([0, 1, u64::MAX - 1, u64::MAX]);
        sorted.sort_unstable();
        for probe in sorted
            .iter()
            .copied()
            .chain((10_000..20_000).map(|i| keys.hash_one(i)))
        {
            assert_eq!(
                contains(&sorted, probe),
                sorted.binary_search(&probe).is_ok()
            );
        }
        for probe in [0, 2, u64::MAX, u64::MAX / 2] {
            assert_eq!(
                contains(&sorted, probe),
                sorted.binary_search(&probe).is_ok()
            );
            assert!(!contains(&[], probe));
            assert_eq!(contains(&[7], probe), probe == 7);
        }
    }
}
