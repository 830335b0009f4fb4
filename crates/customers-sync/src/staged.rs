//! A page into SQLite through a staging table: the rows go into a temporary table with
//! multi-row `INSERT`s, then one `INSERT … SELECT … ON CONFLICT` upserts them, and the
//! checkpoint moves, all in one transaction.
//!
//! Why not multi-row upserts into `customers` straight away: SQLite gives a statement that
//! writes many rows under constraints a statement journal, a copy of each page it changes
//! that the transaction had changed before, so that the statement can be undone alone. With
//! the primary key's pages hit at random, 500 such statements copied 900 MB at 100,000
//! customers. The staging table has no constraint (its inserts need no journal), and the one
//! upsert a page copies each page once. Single-row statements need none either, but each
//! costs sqlx a hand-off between threads.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::SyncError;
use crate::rows::{CHUNK, Synced, bind, column_list, on_conflict, stage_sql_for};
use crate::state::{self, Run};
use crate::store::Store;

/// The connection's staging table: `customers`' columns without their constraints or
/// indexes, in SQLite's temporary database (kept in memory, see the store's settings).
/// Emptied in the transaction that fills it.
const STAGING: &str = "CREATE TEMPORARY TABLE IF NOT EXISTS sync_page AS \
                       SELECT * FROM customers WHERE false";

/// Writes `customers` of `account` synced at `synced_at` and moves `run`'s checkpoint (already
/// advanced past the page), in one transaction. How many rows were new is not known here.
pub(crate) async fn write_page(
    store: &Store,
    account: &str,
    customers: &[customers::Customer],
    synced_at: DateTime<Utc>,
    run: &Run,
) -> Result<Option<u64>, SyncError> {
    let synced = Synced::new(synced_at);
    let mut tx = store.begin_write().await?;
    sqlx::query(STAGING).execute(&mut *tx).await?;
    for chunk in customers.chunks(CHUNK) {
        let sql = stage_sql_for(chunk.len());
        let mut query = sqlx::query(&sql);
        for customer in chunk {
            query = bind(query, account, customer, &synced);
        }
        query.execute(&mut *tx).await?;
    }
    merge(&mut tx).await?;
    state::checkpoint(&mut *tx, account, run).await?;
    tx.commit().await?;
    Ok(None)
}

/// Upserts the staged rows into `customers`, in the order they were staged (so that of one
/// customer listed twice on a page the later wins, as row by row), and empties the staging
/// table. Sorting them by key first cost more than it saved.
async fn merge(connection: &mut AnyConnection) -> Result<(), SyncError> {
    let columns = column_list();
    sqlx::query(&format!(
        "INSERT INTO customers ({columns}) SELECT {columns} FROM temp.sync_page \
         WHERE true{}",
        on_conflict()
    ))
    .execute(&mut *connection)
    .await?;
    sqlx::query("DELETE FROM temp.sync_page")
        .execute(&mut *connection)
        .await?;
    Ok(())
}
