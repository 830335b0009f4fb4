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
        if self.sorted.binary_search(&hash).is_ok() || !self.recent.insert(hash) {
            return false;
        }
        if self.recent.len() >= MIN_RECENT.max(self.sorted.len() / 16) {
            self.merge();
        }
        true
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
            assert!(!seen.insert(&format!("id-{i}")), "{i} again");
        }
        assert!(seen.insert("id-50000"));
        assert_eq!(seen.len(), 50_001);
        assert!(seen.sorted.windows(2).all(|w| w[0] < w[1]), "sorted");
    }
}
