//! What the Singer tap and the Airbyte source share: the config, the one stream per account
//! (its schema, key and replication), the bookmark, and reading the account page by page
//! into a [`Sink`] that writes each protocol's messages.

pub mod catalog;
pub mod config;
pub mod state;

use chrono::{DateTime, Utc};
use customers::{Customer, PageCursor, Query};
use futures::StreamExt;

use crate::args::ClientArgs;
use crate::exit::Failure;
use crate::list::report_drift;
use crate::progress::Progress;
use config::TapConfig;
use state::Bookmark;

/// Where a protocol writes what is read.
pub trait Sink {
    /// The customers of one page.
    fn records(&mut self, customers: &[Customer]) -> Result<(), Failure>;
    /// The bookmark after a page (`complete` once the sweep is done).
    fn state(&mut self, bookmark: &Bookmark, complete: bool) -> Result<(), Failure>;
}

/// Why a read stopped early.
pub enum ReadError {
    /// The vendor (or the network to it) failed: the last state written stands.
    Vendor(customers::Error),
    /// Anything else (configuration, output).
    Other(Failure),
}

impl From<Failure> for ReadError {
    fn from(failure: Failure) -> Self {
        ReadError::Other(failure)
    }
}

impl From<std::io::Error> for ReadError {
    fn from(err: std::io::Error) -> Self {
        ReadError::Other(err.into())
    }
}

/// Reads `config`'s account from `saved` on into `sink`: a sweep under way goes on one page
/// before its cursor (as a sync does: records the vendor shifted back across the cut are read
/// again, and targets upsert on the key); else a new sweep, only what changed since the last
/// high-water mark (or `start_date`) where the vendor filters by change time on its server.
/// With `changes_only` false (an Airbyte full refresh), every sweep reads everything.
pub async fn read(
    config: &TapConfig,
    mut flags: ClientArgs,
    saved: Bookmark,
    changes_only: bool,
    sink: &mut impl Sink,
) -> Result<(), ReadError> {
    flags.page_size = flags.page_size.or(config.page_size);
    flags.rate_limit_per_minute = flags.rate_limit_per_minute.or(config.rate_limit_per_minute);
    flags.time_zone = flags.time_zone.or(config.time_zone.clone());
    let progress = Progress::labelled(&config.account, flags.quiet, None);
    let client = config.target()?.client(&flags, None, progress.observer())?;
    let vendor = config.vendor;
    let incremental = changes_only && catalog::incremental(vendor);
    let started = Utc::now();
    let (mut bookmark, from) = match saved.cursor {
        Some(cursor) => (saved.clone(), client.page_before(cursor)),
        None => {
            let granularity =
                chrono::Duration::from_std(vendor.updated_since_granularity()).unwrap_or_default();
            let since = incremental
                .then(|| {
                    saved
                        .high_water
                        .map(|h| h - granularity)
                        .or(config.start_date)
                })
                .flatten();
            let bookmark = Bookmark {
                since,
                sweep_high_water: None,
                ..saved.clone()
            };
            (bookmark, PageCursor::START)
        }
    };
    let query = Query {
        updated_since: bookmark.since,
        ..Query::default()
    };
    let mut pages = std::pin::pin!(client.pages_ahead(query, from));
    let mut failed = None;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                failed = Some(err);
                break;
            }
        };
        sink.records(&page.customers)?;
        progress.records(page.customers.len() as u64);
        bookmark.sweep_high_water = page.high_water(bookmark.sweep_high_water);
        bookmark.cursor = page.next;
        if page.next.is_some() {
            sink.state(&bookmark, false)?;
        }
    }
    progress.finish();
    report_drift(&client.drift(), flags.drift_report.as_deref())?;
    if let Some(err) = failed {
        return Err(ReadError::Vendor(err));
    }
    let done = Bookmark {
        cursor: None,
        since: None,
        high_water: complete_high_water(incremental, &bookmark, started),
        sweep_high_water: None,
    };
    sink.state(&done, true)?;
    Ok(())
}

/// The mark a completed sweep leaves: for an incremental stream the latest change time it
/// read (or the earlier mark, or its start when records carry none); elsewhere its start.
fn complete_high_water(
    incremental: bool,
    bookmark: &Bookmark,
    started: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if !incremental {
        return Some(started);
    }
    bookmark
        .sweep_high_water
        .into_iter()
        .chain(bookmark.high_water)
        .max()
        .or(Some(started))
}

/// A customer as both protocols' records hold it: `account` first, then its fields as it
/// serializes (its `raw` byte for byte, not rebuilt as a `Value`).
pub fn record_json(account: &str, customer: &Customer) -> Result<String, Failure> {
    let fields = serde_json::to_string(customer).map_err(std::io::Error::from)?;
    let fields = fields.strip_prefix('{').unwrap_or(&fields);
    let account = serde_json::to_string(account).map_err(std::io::Error::from)?;
    Ok(format!("{{\"account\":{account},{fields}"))
}

/// The JSON of a `--state`, `--catalog` or `--properties` file.
pub fn read_json(path: &std::path::Path, what: &str) -> Result<serde_json::Value, Failure> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Failure::usage(format!("cannot read the {what} {}: {err}", path.display()))
    })?;
    serde_json::from_str(&text)
        .map_err(|err| Failure::usage(format!("the {what} {} is not JSON: {err}", path.display())))
}
