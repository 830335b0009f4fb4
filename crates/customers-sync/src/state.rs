//! The checkpoint table: per account, the sync in progress and the last one completed.

use chrono::{DateTime, Utc};
use customers::{PageCursor, Vendor};
use sqlx::{Any, Transaction};

use crate::store::Store;
use crate::{SyncError, parse_time_text, time_text};

/// A sync that started and has not completed: what a resumed sync goes on with.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// When it started; every row it writes is synced at or after this.
    pub started_at: DateTime<Utc>,
    /// A full sweep (deletions are marked when it completes), or only changed customers.
    pub full: bool,
    /// Changed since this time (an incremental run).
    pub since: Option<DateTime<Utc>>,
    /// Where the next page starts; `None` once the last page is in.
    pub cursor: Option<PageCursor>,
    /// Pages committed so far.
    pub pages: u64,
    /// The latest change time among the customers written so far.
    pub high_water: Option<DateTime<Utc>>,
}

#[cfg(test)]
impl Run {
    /// A full sweep started now, `pages` pages in (unit tests).
    pub(crate) fn started_now(pages: u64) -> Run {
        Run {
            started_at: Utc::now(),
            full: true,
            since: None,
            cursor: None,
            pages,
            high_water: None,
        }
    }
}

/// An account's row of the checkpoint table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncState {
    /// The vendor the account was synced from (`None` when it never synced).
    pub vendor: Option<String>,
    /// The sync in progress, if one was interrupted.
    pub run: Option<Run>,
    /// When the last completed sync started.
    pub last_completed_at: Option<DateTime<Utc>>,
    /// Changes up to this time are in the database: the next incremental sync asks from
    /// here (less the vendor's granularity).
    pub last_high_water: Option<DateTime<Utc>>,
    /// When the last completed full sweep started.
    pub last_full_sweep_at: Option<DateTime<Utc>>,
}

type Row = (
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// `account`'s checkpoint row (empty when it never synced).
pub async fn load(store: &Store, account: &str) -> Result<SyncState, SyncError> {
    load_on(store.pool(), account).await
}

/// [`load`] through `executor` (a sync's own session).
pub(crate) async fn load_on<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    account: &str,
) -> Result<SyncState, SyncError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT vendor, run_started_at, CAST(CASE WHEN run_full THEN 1 ELSE 0 END AS BIGINT), run_since, \
         run_cursor, run_pages, run_high_water, last_completed_at, last_high_water, \
         last_full_sweep_at FROM sync_state WHERE account = $1",
    )
    .bind(account)
    .fetch_optional(executor)
    .await?;
    let Some((vendor, started, full, since, cursor, pages, high, completed, last_high, last_full)) =
        row
    else {
        return Ok(SyncState::default());
    };
    let time = |text: Option<String>| text.as_deref().map(parse_time_text).transpose();
    let run = match time(started)? {
        None => None,
        Some(started_at) => Some(Run {
            started_at,
            full: full == Some(1),
            since: time(since)?,
            cursor: cursor
                .map(|text| {
                    serde_json::from_str(&text).map_err(|_| SyncError::Corrupt {
                        what: "a page cursor",
                        value: text,
                    })
                })
                .transpose()?,
            pages: pages.and_then(|p| u64::try_from(p).ok()).unwrap_or(0),
            high_water: time(high)?,
        }),
    };
    Ok(SyncState {
        vendor,
        run,
        last_completed_at: time(completed)?,
        last_high_water: time(last_high)?,
        last_full_sweep_at: time(last_full)?,
    })
}

/// Records that `run` of `account` (of `vendor`) started (replacing any run in progress).
pub(crate) async fn begin(
    store: &Store,
    account: &str,
    vendor: Vendor,
    run: &Run,
) -> Result<(), SyncError> {
    sqlx::query(
        "INSERT INTO sync_state (account, vendor, run_started_at, run_full, run_since, \
         run_cursor, run_pages, run_high_water) VALUES ($1, $8, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (account) DO UPDATE SET vendor = excluded.vendor, \
         run_started_at = excluded.run_started_at, \
         run_full = excluded.run_full, run_since = excluded.run_since, \
         run_cursor = excluded.run_cursor, run_pages = excluded.run_pages, \
         run_high_water = excluded.run_high_water",
    )
    .bind(account)
    .bind(time_text(run.started_at))
    .bind(run.full)
    .bind(run.since.map(time_text))
    .bind(cursor_text(run.cursor))
    .bind(i64::try_from(run.pages).unwrap_or(i64::MAX))
    .bind(run.high_water.map(time_text))
    .bind(vendor.as_str())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Moving a run's checkpoint: account, cursor, pages, high-water mark (`$1` to `$4`, which
/// SQLite reads as names).
pub(crate) const CHECKPOINT: &str = "UPDATE sync_state SET run_cursor = $2, run_pages = $3, \
                          run_high_water = $4 WHERE account = $1";

/// Moves `run`'s checkpoint with `executor`: the transaction that wrote the page, of
/// sqlx's `Any` driver or of PostgreSQL's own (the one that wrote the page with `COPY`).
pub(crate) async fn checkpoint<'c, DB, E>(
    executor: E,
    account: &str,
    run: &Run,
) -> Result<(), SyncError>
where
    DB: sqlx::Database,
    E: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query(CHECKPOINT)
        .bind(account.to_owned())
        .bind(cursor_text(run.cursor))
        .bind(i64::try_from(run.pages).unwrap_or(i64::MAX))
        .bind(run.high_water.map(time_text))
        .execute(executor)
        .await?;
    Ok(())
}

/// Closes `run`: it becomes the last completed sync, with `high_water`.
pub(crate) async fn complete(
    tx: &mut Transaction<'_, Any>,
    account: &str,
    run: &Run,
    high_water: DateTime<Utc>,
) -> Result<(), SyncError> {
    sqlx::query(
        "UPDATE sync_state SET run_started_at = NULL, run_full = NULL, run_since = NULL, \
         run_cursor = NULL, run_pages = NULL, run_high_water = NULL, \
         last_completed_at = $2, last_high_water = $3, \
         last_full_sweep_at = CASE WHEN $4 THEN $2 ELSE last_full_sweep_at END \
         WHERE account = $1",
    )
    .bind(account)
    .bind(time_text(run.started_at))
    .bind(time_text(high_water))
    .bind(run.full)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A cursor as the checkpoint table keeps it (JSON).
pub(crate) fn cursor_text(cursor: Option<PageCursor>) -> Option<String> {
    cursor.and_then(|c| serde_json::to_string(&c).ok())
}
