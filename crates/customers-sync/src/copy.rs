//! A page into PostgreSQL with `COPY`: the rows go in as one stream of text into a temporary
//! table, then one `INSERT … SELECT … ON CONFLICT` upserts them, and the checkpoint moves,
//! all in one transaction. Beside 50 multi-row `INSERT`s of 4,200 parameters each, the
//! server parses and plans one statement a page.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::rows::{column_list, copy_row, on_conflict};
use crate::state::{self, Run};
use crate::{SyncError, time_text};

/// The session's staging table: `customers`' columns and types without its constraints,
/// emptied at each commit.
const STAGING: &str = "CREATE TEMPORARY TABLE IF NOT EXISTS sync_page \
                       (LIKE customers INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

/// Writes `customers` of `account` synced at `synced_at` and moves `run`'s checkpoint (already
/// advanced past the page), in one transaction. While `fresh` (the account held no row when
/// the run began), the rows are copied straight into `customers`, as none can be there yet;
/// the first that is (the vendor listed a customer twice) turns `fresh` off and the page is
/// written again through the staging table. Straight in, a first load takes half the time.
/// How many rows were new, when known (copied straight in, all were).
pub(crate) async fn write_page(
    pool: &PgPool,
    account: &str,
    customers: &[customers::Customer],
    synced_at: DateTime<Utc>,
    run: &Run,
    fresh: &mut bool,
) -> Result<Option<u64>, SyncError> {
    let synced = time_text(synced_at);
    let mut text = String::with_capacity(customers.len() * 1024);
    for customer in customers {
        copy_row(&mut text, account, customer, &synced);
    }
    if *fresh {
        match write(pool, account, &text, run, CopyInto::Direct).await {
            Err(SyncError::Database(sqlx::Error::Database(err))) if err.is_unique_violation() => {
                tracing::info!(
                    account,
                    "a customer listed again: pages upserted from here on"
                );
                *fresh = false;
            }
            done => return done.map(Some),
        }
    }
    write(pool, account, &text, run, CopyInto::Staged).await?;
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

/// Copies `text` (rows in `COPY` format) `into` place and moves `run`'s checkpoint, in one
/// transaction; the rows copied.
async fn write(
    pool: &PgPool,
    account: &str,
    text: &str,
    run: &Run,
    into: CopyInto,
) -> Result<u64, SyncError> {
    let columns = column_list();
    let mut tx = pool.begin().await?;
    // A page's commit does not wait for the server's WAL flush: a server crash can lose the
    // last pages, their checkpoints with them (the next sync reads them again), and never
    // keeps one without the other. A process killed here loses nothing committed.
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    if into == CopyInto::Staged {
        sqlx::query(STAGING).execute(&mut *tx).await?;
    }
    let mut copied = 0;
    if !text.is_empty() {
        let table = match into {
            CopyInto::Direct => "customers",
            CopyInto::Staged => "sync_page",
        };
        let mut copy = tx
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await?;
        copy.send(text.as_bytes()).await?;
        copied = copy.finish().await?;
        if into == CopyInto::Staged {
            sqlx::query(&format!(
                "INSERT INTO customers ({columns}) SELECT {columns} FROM sync_page{}",
                on_conflict()
            ))
            .execute(&mut *tx)
            .await?;
        }
    }
    state::checkpoint(&mut *tx, account, run).await?;
    tx.commit().await?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use customers::{Customer, Raw, Vendor};

    /// A new database on the test server (`CUSTOMERS_TEST_POSTGRES_URL`; CI sets it).
    async fn database() -> Option<Store> {
        let Ok(server) = std::env::var("CUSTOMERS_TEST_POSTGRES_URL") else {
            assert!(std::env::var("CI").is_err(), "CI tests PostgreSQL");
            return None;
        };
        let name = format!("copy_{}", std::process::id());
        let admin = sqlx::PgPool::connect(&server)
            .await
            .expect("the server answers");
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{name}\""),
            format!("CREATE DATABASE \"{name}\""),
        ] {
            sqlx::query(&sql).execute(&admin).await.expect("a database");
        }
        admin.close().await;
        let (base, query) = server.split_once('?').unwrap_or((&server, ""));
        let (origin, _) = base.rsplit_once('/').expect("a URL with a database");
        let url = format!("{origin}/{name}?{query}");
        Some(Store::open(&url).await.expect("opens"))
    }

    #[tokio::test]
    async fn a_row_already_there_turns_a_fresh_page_into_an_upsert() {
        let Some(store) = database().await else {
            return;
        };
        let pool = store.postgres().expect("PostgreSQL");
        let customers: Vec<Customer> = ["a", "b"]
            .map(|id| Customer::new(Vendor::Hoko, id.to_owned(), Raw::null()))
            .into();
        let run = Run {
            started_at: Utc::now(),
            full: true,
            since: None,
            cursor: None,
            pages: 1,
            high_water: None,
        };
        let mut fresh = true;
        let new = write_page(pool, "x", &customers, Utc::now(), &run, &mut fresh).await;
        assert_eq!(new.expect("copied"), Some(2));
        assert!(fresh);
        // The same page again: the copy meets the rows, the page is upserted instead.
        let new = write_page(pool, "x", &customers, Utc::now(), &run, &mut fresh).await;
        assert_eq!(new.expect("upserted"), None);
        assert!(!fresh);
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(pool)
            .await
            .expect("counted");
        assert_eq!(rows, 2);
        store.close().await;
    }
}
