//! Sync vendors' customers into SQLite or PostgreSQL, and find the same person across
//! vendors.
//!
//! [`sync`] writes one account's customers, listed through a [`customers::CustomersClient`],
//! into the `customers` table of a [`Store`]: one row per (`account`, `id`) with the vendor
//! and the common fields as columns and the vendor's record in `raw`. The account is the
//! vendor's name unless [`SyncOptions::account`] names it (a profile), so two accounts of one
//! vendor share a database. A page's checkpoint commits with the page (SQLite) or right
//! after it, in page order (PostgreSQL), so a sync killed at any moment goes on from its last
//! checkpoint next time. Where the vendor filters by change time on its server (Gleantap), a
//! later sync asks only for what changed since the last one; elsewhere, and with
//! [`SyncOptions::full`], it sweeps everything, and a completed sweep marks the customers it
//! no longer saw with `deleted_at`.
//!
//! [`people()`] groups the customers of all accounts that share an email or a phone number.
//!
//! Into a new database, a first load need not wait for the schema: [`Store::connect_with`]
//! says whether the database [is new](Opening::is_new), a [`HeadStart`] begins the listing
//! while [`Opening::migrate`] creates the tables, and [`sync_with`] takes its pages.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use customers::{Credentials, CustomersClient, Vendor};
//! use customers_sync::{Store, SyncOptions, sync};
//!
//! let store = Store::open("customers.db").await?;
//! let client = CustomersClient::builder(Credentials::from_env(Vendor::Hoko)?).build()?;
//! let report = sync(&store, &client, &SyncOptions::new()).await?;
//! println!("{} customers, {} marked deleted", report.customers, report.marked_deleted);
//! # Ok(()) }
//! ```

mod copy;
mod download;
mod error;
mod indexes;
mod lock;
mod loopback;
pub mod people;
mod primary_key;
mod private_file;
mod reconnect;
mod rows;
mod sqlite_file;
mod staged;
pub mod state;
mod store;
mod sync;
#[cfg(test)]
mod test_server;
mod wal;

use chrono::{DateTime, Datelike, SubsecRound, Timelike, Utc};

pub use download::HeadStart;
pub use error::SyncError;
pub use lock::Holder;
pub use people::{Link, LinkKey, Member, Person, Region, people};
pub use state::SyncState;
pub use store::{Backend, Opening, Store, StoreOptions};
pub use sync::{PageWritten, SyncMode, SyncOptions, SyncReport, sync, sync_observed, sync_with};

/// A time as the database keeps it: UTC text with microseconds, whose text order is time
/// order.
pub fn time_text(time: DateTime<Utc>) -> String {
    let naive = time.naive_utc();
    // The same text digit by digit: parsing a format string for each time was a fifth of a
    // sync's instructions, and chrono's RFC 3339 writer still a tenth of the SQLite writer's
    // time (three times a customer). Other years and leap seconds keep the general way.
    if let (Ok(year), true) = (
        u32::try_from(naive.year()),
        naive.year() <= 9999 && naive.nanosecond() < 1_000_000_000,
    ) {
        let mut text = String::with_capacity(27);
        let mut digits = |value: u32, width: u32, after: char| {
            for place in (0..width).rev() {
                let digit = value / 10_u32.pow(place) % 10;
                text.push(char::from(b'0' + digit as u8));
            }
            text.push(after);
        };
        digits(year, 4, '-');
        digits(naive.month(), 2, '-');
        digits(naive.day(), 2, 'T');
        digits(naive.hour(), 2, ':');
        digits(naive.minute(), 2, ':');
        digits(naive.second(), 2, '.');
        digits(naive.nanosecond() / 1_000, 6, 'Z');
        return text;
    }
    time.format(TIME_TEXT).to_string()
}

/// [`time_text`]'s form for every time, as a chrono format.
const TIME_TEXT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// Reads [`time_text`]'s form back (any RFC 3339 time is accepted).
pub(crate) fn parse_time_text(text: &str) -> Result<DateTime<Utc>, SyncError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| SyncError::Corrupt {
            what: "a time",
            value: text.to_owned(),
        })
}

pub(crate) fn truncate_to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[test]
    fn time_text_is_the_general_form_for_every_kind_of_time() {
        let mut times = vec![
            Utc.timestamp_opt(0, 0).single(),
            Utc.timestamp_opt(1_700_000_000, 999_999_999).single(),
            Utc.timestamp_opt(1_700_000_000, 1_000).single(),
            Utc.timestamp_opt(1_700_000_000, 999).single(),
            Utc.timestamp_opt(-1, 500_000_000).single(),
        ];
        for (year, nanos) in [(0, 123_456_789), (9999, 0), (10_000, 5), (-1, 0), (1999, 0)] {
            times.push(
                NaiveDate::from_ymd_opt(year, 12, 31)
                    .and_then(|d| d.and_hms_nano_opt(23, 59, 59, nanos))
                    .map(|t| t.and_utc()),
            );
        }
        // A leap second (chrono keeps it as 1,000,000,000 nanoseconds and more).
        times.push(
            NaiveDate::from_ymd_opt(2016, 12, 31)
                .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_250_000_000))
                .map(|t| t.and_utc()),
        );
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..1000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let seconds = (rng % 8_000_000_000) as i64 - 1_000_000_000;
            times.push(
                Utc.timestamp_opt(seconds, (rng >> 33) as u32 % 1_000_000_000)
                    .single(),
            );
        }
        let times: Vec<DateTime<Utc>> = times.into_iter().flatten().collect();
        assert_eq!(times.len(), 1011, "every time is valid");
        for time in times {
            assert_eq!(
                time_text(time),
                time.format(TIME_TEXT).to_string(),
                "{time:?}"
            );
        }
    }
}
