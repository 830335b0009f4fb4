//! Pages into PostgreSQL with `COPY`'s binary format, each page's rows in a transaction and
//! its checkpoint in the next. While the account held no row when the run began, a page is
//! copied straight into `customers`; otherwise into a temporary table, then one `INSERT …
//! SELECT … ON CONFLICT` upserts it (beside 50 multi-row `INSERT`s of 4,200 parameters
//! each, the server parses and plans one statement a page).
//!
//! Two pages are written at once, each on a connection and a task of its own: on a first
//! load the server's backend copying one page at a time was the bottleneck, with a core to
//! spare. A page's rows commit as soon as they are in; its checkpoint moves, in a
//! transaction of its own, only after the page before moved it, so the checkpoint never
//! passes a page that is not in (a sync stopped between the two reads that page again: rows
//! are upserted). No page waits for another while it holds a lock: a statement queued for
//! the whole table (another account's index build, a user's `ALTER TABLE`) would wait for
//! the waiting page, and a page queued behind that statement for it, a deadlock the server
//! cannot see. The facade lists each customer once a run, so two pages in flight never
//! touch one row.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use customers::Customer;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgConnection;
use sqlx::{Connection, PgPool, Postgres};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::SyncError;
use crate::rows::{COPY_HEADER, COPY_TRAILER, Synced, column_list, copy_row, on_conflict};
use crate::state::{self, Run};

/// The session's staging table: `customers`' columns and types without its constraints,
/// emptied at each commit.
const STAGING: &str = "CREATE TEMPORARY TABLE IF NOT EXISTS sync_page \
                       (LIKE customers INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

/// Pages written at once.
pub(crate) const IN_FLIGHT: usize = 2;

/// Bytes of a page sent to the server at a time.
const COPY_PIECE: usize = 256 * 1024;

/// One account's pages on their way into PostgreSQL, committed in the order they started.
pub(crate) struct Pipeline {
    pool: PgPool,
    account: Arc<str>,
    /// The account held no row when the run began, and no page met one since: pages are
    /// copied straight into `customers`. Shared by the pages in flight.
    fresh: Arc<AtomicBool>,
    /// Resolves once the last page started has committed.
    previous: Option<oneshot::Receiver<()>>,
}

/// A page being written: its transaction's task, aborted (rolled back) if this is dropped
/// before it commits.
pub(crate) struct InFlight(JoinHandle<Result<Option<u64>, SyncError>>);

impl InFlight {
    /// Waits for the page's commit: how many rows were new, when known (copied straight in,
    /// all were).
    pub(crate) async fn committed(mut self) -> Result<Option<u64>, SyncError> {
        (&mut self.0)
            .await
            .unwrap_or_else(|err| Err(SyncError::Writer(err.to_string())))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A connection lent to one page. A page's task aborted mid-way (its sync failed or was
/// dropped) may leave it mid-`COPY`: it is closed rather than handed to the next user.
struct Lent {
    connection: PoolConnection<Postgres>,
    /// The page's write returned (committed, or failed with the server's answer).
    settled: bool,
}

impl Drop for Lent {
    fn drop(&mut self) {
        if !self.settled {
            self.connection.close_on_drop();
        }
    }
}

impl Pipeline {
    /// Pages of `account` into `pool`; `fresh`: the account held no row when the run began.
    pub(crate) fn new(pool: &PgPool, account: &str, fresh: bool) -> Self {
        Pipeline {
            pool: pool.clone(),
            account: account.into(),
            fresh: Arc::new(AtomicBool::new(fresh)),
            previous: None,
        }
    }

    /// Starts writing `customers` synced at `synced_at` with `run`'s checkpoint (already
    /// advanced past the page), once a connection is free. Connections are taken in page
    /// order, so the oldest page in flight always has one: pages waiting for their
    /// predecessors can never hold every connection of the pool.
    pub(crate) async fn start(
        &mut self,
        customers: Vec<Customer>,
        synced_at: DateTime<Utc>,
        run: Run,
    ) -> Result<InFlight, SyncError> {
        let connection = self.pool.acquire().await?;
        let (done, next) = oneshot::channel();
        let after = self.previous.replace(next);
        let account = Arc::clone(&self.account);
        let fresh = Arc::clone(&self.fresh);
        Ok(InFlight(tokio::spawn(async move {
            let rows = {
                let account = Arc::clone(&account);
                tokio::task::spawn_blocking(move || encode(&account, &customers, synced_at))
                    .await
                    .map_err(|err| SyncError::Writer(err.to_string()))?
            };
            let mut lent = Lent {
                connection,
                settled: false,
            };
            let written =
                write_page(&mut lent.connection, &account, rows, &run, &fresh, after).await;
            lent.settled = true;
            if written.is_ok() {
                // The next page may commit (or was dropped: nothing waits).
                let _ = done.send(());
            }
            written
        })))
    }
}

/// `customers` of `account` synced at `synced_at` as a binary `COPY` stream; none for an
/// empty page.
fn encode(account: &str, customers: &[Customer], synced_at: DateTime<Utc>) -> Option<Vec<u8>> {
    if customers.is_empty() {
        return None;
    }
    let synced = Synced::new(synced_at);
    // A Hoko row takes about 530 bytes: room for that and a little more, so that the buffer
    // is not doubled near its end.
    let mut rows = Vec::with_capacity(customers.len() * 640 + COPY_HEADER.len());
    rows.extend_from_slice(COPY_HEADER);
    for customer in customers {
        copy_row(&mut rows, account, customer, &synced);
    }
    rows.extend_from_slice(COPY_TRAILER);
    Some(rows)
}

/// Commits `rows` of `account` ([`copy_page`]; none for an empty page), then, once `after`
/// resolves (the page before moved it), moves the checkpoint to `run` in a transaction of
/// its own, waiting with no transaction open. How many rows were new, when known.
async fn write_page(
    connection: &mut PgConnection,
    account: &str,
    rows: Option<Vec<u8>>,
    run: &Run,
    fresh: &AtomicBool,
    after: Option<oneshot::Receiver<()>>,
) -> Result<Option<u64>, SyncError> {
    let new = match rows.as_deref() {
        Some(rows) => copy_page(connection, account, rows, fresh).await?,
        None => Some(0),
    };
    if let Some(after) = after {
        after
            .await
            .map_err(|_| SyncError::Writer("the page before was not written".to_owned()))?;
    }
    let mut tx = begin_unflushed(connection).await?;
    state::checkpoint(&mut *tx, account, run).await?;
    tx.commit().await?;
    Ok(new)
}

/// Commits `rows` of `account`. While `fresh`, straight into `customers`, as none can be
/// there yet; the first that is (a defect: the facade lists a customer once) turns `fresh`
/// off and the page is written again through the staging table. Straight in, a first load
/// takes half the time. How many rows were new, when known (copied straight in, all were).
async fn copy_page(
    connection: &mut PgConnection,
    account: &str,
    rows: &[u8],
    fresh: &AtomicBool,
) -> Result<Option<u64>, SyncError> {
    if fresh.load(Ordering::Relaxed) {
        match write(connection, rows, CopyInto::Direct).await {
            Err(SyncError::Database(sqlx::Error::Database(err))) if err.is_unique_violation() => {
                tracing::info!(
                    account,
                    "a customer listed again: pages upserted from here on"
                );
                fresh.store(false, Ordering::Relaxed);
            }
            done => return done.map(Some),
        }
    }
    write(connection, rows, CopyInto::Staged).await?;
    Ok(None)
}

/// Where a page's rows are copied.
#[derive(Clone, Copy, PartialEq)]
enum CopyInto {
    /// Into `customers`: only rows that are not there yet.
    Direct,
    /// Into the staging table, then upserted.
    Staged,
}

/// Copies `rows` (a binary `COPY` stream) `into` place in one transaction; the rows copied.
async fn write(
    connection: &mut PgConnection,
    rows: &[u8],
    into: CopyInto,
) -> Result<u64, SyncError> {
    let columns = column_list();
    let mut tx = begin_unflushed(connection).await?;
    if into == CopyInto::Staged {
        sqlx::query(STAGING).execute(&mut *tx).await?;
    }
    let table = match into {
        CopyInto::Direct => "customers",
        CopyInto::Staged => "sync_page",
    };
    let mut copy = tx
        .copy_in_raw(&format!(
            "COPY {table} ({columns}) FROM STDIN WITH (FORMAT binary)"
        ))
        .await?;
    // In pieces: sqlx writes each piece whole into the connection's buffer, which keeps its
    // size, so one 5 MiB page would leave every connection of the pool holding 5 MiB.
    for piece in rows.chunks(COPY_PIECE) {
        copy.send(piece).await?;
    }
    let copied = copy.finish().await?;
    if into == CopyInto::Staged {
        sqlx::query(&format!(
            "INSERT INTO customers ({columns}) SELECT {columns} FROM sync_page{}",
            on_conflict()
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(copied)
}

/// A transaction whose commit does not wait for the server's WAL flush, for a page or its
/// checkpoint: a server crash can lose the last pages and their checkpoints (the next sync
/// reads them again), never a checkpoint without its page (commits are replayed in order).
/// A killed process loses nothing.
async fn begin_unflushed(
    connection: &mut PgConnection,
) -> Result<sqlx::Transaction<'_, Postgres>, SyncError> {
    let mut tx = connection.begin().await?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use customers::{Customer, Raw, Vendor};

    /// A new database for `test` on the test server.
    async fn database(test: &str) -> Option<Store> {
        Some(crate::test_server::database(test).await?.store)
    }

    #[tokio::test]
    async fn a_row_already_there_turns_a_fresh_page_into_an_upsert() {
        let Some(store) = database("again").await else {
            return;
        };
        let pool = store.postgres().expect("PostgreSQL");
        let customers: Vec<Customer> = ["a", "b"]
            .map(|id| Customer::new(Vendor::Hoko, id.to_owned(), Raw::null()))
            .into();
        let run = Run::started_now(1);
        let mut pipeline = Pipeline::new(pool, "x", true);
        let new = pipeline.start(customers.clone(), Utc::now(), run.clone());
        let new = new.await.expect("started").committed().await;
        assert_eq!(new.expect("copied"), Some(2));
        assert!(pipeline.fresh.load(Ordering::Relaxed));
        // The same page again: the copy meets the rows, the page is upserted instead.
        let new = pipeline.start(customers.clone(), Utc::now(), run.clone());
        let new = new.await.expect("started").committed().await;
        assert_eq!(new.expect("upserted"), None);
        assert!(!pipeline.fresh.load(Ordering::Relaxed));
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(pool)
            .await
            .expect("counted");
        assert_eq!(rows, 2);
        store.close().await;
    }

    #[tokio::test]
    async fn every_column_reads_back_from_the_server_as_written() {
        let Some(store) = database("columns").await else {
            return;
        };
        let pool = store.postgres().expect("PostgreSQL");
        let time = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .ok()
        };
        let raw = serde_json::json!({"id": "c\t1", "note": "line\nbreak \\ é ☃"});
        let mut full = Customer::new(Vendor::Gleantap, "c\t1".to_owned(), Raw::from_value(&raw));
        full.external_id = Some("ext\\1".to_owned());
        full.name = Some("Jiří\nDvořák".to_owned());
        full.first_name = Some("Jiří".to_owned());
        full.last_name = Some("Dvořák\r".to_owned());
        full.email = Some("a@example.com".to_owned());
        full.phone = Some("+420612152134".to_owned());
        full.status = Some(customers::Status::Other("on hold".to_owned()));
        full.created_at = time("1970-01-01T00:00:00.000001Z");
        full.updated_at = time("1999-12-31T23:59:59.999999Z");
        full.last_seen_at = time("2339-09-23T03:19:29Z");
        full.email_opt_out = Some(true);
        full.sms_opt_out = Some(false);
        full.tags = vec!["vip".to_owned(), "tab\there \"quoted\"".to_owned()];
        full.language = Some("cs".to_owned());
        full.avatar_url = Some("https://cdn.example.com/a.jpg".to_owned());
        let bare = Customer::new(Vendor::Gleantap, "c2".to_owned(), Raw::null());
        let synced_at = time("2026-12-02T10:00:00.123456Z").expect("a time");
        let run = Run {
            started_at: synced_at,
            ..Run::started_now(1)
        };
        let mut pipeline = Pipeline::new(pool, "acct", true);
        let page = vec![full.clone(), bare];
        let new = pipeline.start(page, synced_at, run).await;
        let new = new.expect("started").committed().await;
        assert_eq!(new.expect("copied"), Some(2));
        let text = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
        let times = [
            "created_at",
            "updated_at",
            "last_seen_at",
            "first_synced_at",
            "last_synced_at",
        ]
        .map(|column| text.replace("{}", column))
        .join(", ");
        let sql = format!(
            "SELECT account, vendor, id, external_id, name, first_name, last_name, email, phone, \
             status, email_opt_out::text, sms_opt_out::text, tags::text, language, avatar_url, \
             raw::text, deleted_at::text, {times} FROM customers ORDER BY id"
        );
        let rows: Vec<Vec<Option<String>>> = sqlx::query(&sql)
            .fetch_all(pool)
            .await
            .expect("read back")
            .iter()
            .map(|row| {
                (0..22)
                    .map(|i| sqlx::Row::try_get::<Option<String>, _>(row, i).expect("text"))
                    .collect()
            })
            .collect();
        let synced = Some("2026-12-02T10:00:00.123456Z".to_owned());
        let some = |text: &str| Some(text.to_owned());
        assert_eq!(
            rows[0],
            vec![
                some("acct"),
                some("gleantap"),
                some("c\t1"),
                some("ext\\1"),
                some("Jiří\nDvořák"),
                some("Jiří"),
                some("Dvořák\r"),
                some("a@example.com"),
                some("+420612152134"),
                some("on hold"),
                some("true"),
                some("false"),
                some("[\"vip\", \"tab\\there \\\"quoted\\\"\"]"),
                some("cs"),
                some("https://cdn.example.com/a.jpg"),
                some(full.raw.get()),
                None,
                some("1970-01-01T00:00:00.000001Z"),
                some("1999-12-31T23:59:59.999999Z"),
                some("2339-09-23T03:19:29.000000Z"),
                synced.clone(),
                synced.clone(),
            ]
        );
        let mut bare = vec![some("acct"), some("gleantap"), some("c2")];
        bare.extend(vec![None; 9]);
        bare.extend([some("[]"), None, None, some("null"), None, None, None, None]);
        bare.extend([synced.clone(), synced]);
        assert_eq!(rows[1], bare);
        store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_after_one_that_fails_does_not_move_the_checkpoint() {
        let Some(store) = database("order").await else {
            return;
        };
        let pool = store.postgres().expect("PostgreSQL");
        let mut run = Run {
            cursor: Some(customers::PageCursor::START),
            ..Run::started_now(0)
        };
        state::begin(&store, "acct", Vendor::Hoko, &run)
            .await
            .expect("a run begins");
        let customer = |id: &str| Customer::new(Vendor::Hoko, id.to_owned(), Raw::null());
        // A rule of this database's own that the first page breaks.
        sqlx::query("ALTER TABLE customers ADD CONSTRAINT no_a CHECK (id <> 'a')")
            .execute(pool)
            .await
            .expect("a rule");
        let refused = customer("a");
        let mut pipeline = Pipeline::new(pool, "acct", true);
        run.pages = 1;
        let first = pipeline.start(vec![refused], Utc::now(), run.clone()).await;
        run.pages = 2;
        let second = pipeline.start(vec![customer("b")], Utc::now(), run).await;
        let first = first.expect("started").committed().await;
        assert!(
            first.expect_err("refused").to_string().contains("no_a"),
            "the server's reason"
        );
        let second = second.expect("started").committed().await;
        assert!(matches!(second, Err(SyncError::Writer(_))), "{second:?}");
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(pool)
            .await
            .expect("counted");
        // The second page's rows may be in (a sync reads them again); its checkpoint is not.
        assert!(rows <= 1, "the first page's row is not in");
        let saved = state::load(&store, "acct").await.expect("state");
        assert_eq!(
            saved.run.map(|run| run.pages),
            Some(0),
            "checkpoint unmoved"
        );
        store.close().await;
    }

    #[tokio::test]
    async fn values_the_server_cannot_hold_are_mended_not_fatal() {
        let Some(store) = database("mended").await else {
            return;
        };
        let pool = store.postgres().expect("PostgreSQL");
        let raw = serde_json::json!({"id": "n\u{0}1", "name": "Ann\u{0}e"});
        let mut odd = Customer::new(Vendor::Hoko, "n\u{0}1".to_owned(), Raw::from_value(&raw));
        odd.name = Some("Ann\u{0}e".to_owned());
        odd.tags = vec!["v\u{0}ip".to_owned(), "\\u0000 as text".to_owned()];
        odd.created_at = chrono::NaiveDate::from_ymd_opt(-5000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        odd.updated_at = chrono::NaiveDate::from_ymd_opt(-4713, 11, 24)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        let run = Run::started_now(1);
        let mut pipeline = Pipeline::new(pool, "acct", true);
        let new = pipeline.start(vec![odd.clone()], Utc::now(), run).await;
        assert_eq!(
            new.expect("started").committed().await.expect("written"),
            Some(1)
        );
        let row: (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
        ) = sqlx::query_as(
            "SELECT id, name, tags::text, created_at::text, \
             to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD BC'), raw::text FROM customers",
        )
        .fetch_one(pool)
        .await
        .expect("read back");
        assert_eq!(row.0, "n\u{fffd}1");
        assert_eq!(row.1, "Ann\u{fffd}e");
        let tags: Vec<String> = serde_json::from_str(&row.2).expect("JSON");
        assert_eq!(tags, ["v\u{fffd}ip", "\\u0000 as text"]);
        assert_eq!(row.3, None, "before the server's earliest time");
        assert_eq!(row.4.as_deref(), Some("4714-11-24 BC"), "its earliest kept");
        assert_eq!(row.5, odd.raw.get(), "raw as the vendor sent it");
        store.close().await;
    }
}
