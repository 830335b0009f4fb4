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
pub(crate) async fn write_page(
    pool: &PgPool,
    account: &str,
    customers: &[customers::Customer],
    synced_at: DateTime<Utc>,
    run: &Run,
    fresh: &mut bool,
) -> Result<(), SyncError> {
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
            done => return done,
        }
    }
    write(pool, account, &text, run, CopyInto::Staged).await
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
/// transaction.
async fn write(
    pool: &PgPool,
    account: &str,
    text: &str,
    run: &Run,
    into: CopyInto,
) -> Result<(), SyncError> {
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
    if !text.is_empty() {
        let table = match into {
            CopyInto::Direct => "customers",
            CopyInto::Staged => "sync_page",
        };
        let mut copy = tx
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await?;
        copy.send(text.as_bytes()).await?;
        copy.finish().await?;
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
    Ok(())
}
