//! Deterministic, realistic customers in each vendor's own shape.

use crate::Vendor;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;

/// Names from several scripts, so every consumer meets accents, Arabic and Chinese.
const NAMES: [(&str, &str); 16] = [
    ("Jan", "Novák"),
    ("Jiří", "Dvořák"),
    ("Kateřina", "Procházková"),
    ("محمد", "عبد الله"),
    ("فاطمة", "الزهراء"),
    ("王", "小明"),
    ("李", "娜"),
    ("Anna", "Schmidt"),
    ("María", "García"),
    ("Olena", "Kovalenko"),
    ("John", "Smith"),
    ("Emma", "Johnson"),
    ("Søren", "Kierkegaard"),
    ("Zoë", "Brontë"),
    ("Ngozi", "Okafor"),
    ("Hiroshi", "Tanaka"),
];

pub(crate) const CITIES: [&str; 6] = ["Praha", "Brno", "Dubai", "Shanghai", "Austin, TX", "Kyiv"];

/// The customers a fake of `vendor` serves: `count` records from `seed`, in creation order.
pub fn records(vendor: Vendor, count: usize, seed: u64) -> Vec<Value> {
    records_with_change_times(vendor, count, seed)
        .into_iter()
        .map(|(record, _)| record)
        .collect()
}

/// [`records`], each with the time it last changed: the time a server-side change filter
/// compares, also for a vendor whose records do not carry it (Gleantap).
pub(crate) fn records_with_change_times(
    vendor: Vendor,
    count: usize,
    seed: u64,
) -> Vec<(Value, DateTime<Utc>)> {
    let fake = vendor.fake();
    let mut rng = fastrand::Rng::with_seed(seed ^ fake.salt());
    let start = Utc
        .with_ymd_and_hms(2023, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let mut created = start;
    (0..count)
        .map(|i| {
            // Strictly increasing creation times, minutes to days apart.
            created += Duration::seconds(rng.i64(60..200_000));
            let updated = created + Duration::seconds(rng.i64(0..5_000_000));
            let person = Person::new(&mut rng, i, created, updated);
            (fake.record(&person, &mut rng), updated)
        })
        .collect()
}

pub(crate) fn hex(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
        .collect()
}

/// One made-up person, whom each vendor's fake writes in its own shape.
pub(crate) struct Person {
    pub index: usize,
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
    pub phone_digits: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

impl Person {
    fn new(
        rng: &mut fastrand::Rng,
        index: usize,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    ) -> Self {
        let (first, last) = NAMES[rng.usize(..NAMES.len())];
        Person {
            index,
            first,
            last,
            email: format!("customer{index}@example.com"),
            phone_digits: format!("420{:09}", rng.u32(600_000_000..800_000_000)),
            created,
            updated,
        }
    }

    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}
