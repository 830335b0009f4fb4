//! A page into a SQLite file through a connection of the sync's own, on a blocking thread:
//! one prepared upsert per customer and the checkpoint, in one transaction.
//!
//! Why not through sqlx: its SQLite driver runs each statement on a worker thread and hands
//! the statement, every bound value (copied) and the result between threads; at 100,000
//! customers that hand-off, its locks and allocations were as much time as SQLite's own
//! work. Why one row a statement: a statement that writes many rows under constraints gets a
//! statement journal (see [`crate::staged`]); a single-row one needs none, and a prepared one
//! is parsed once per sync.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::rows::{Synced, bind_sqlite, upsert_one_sql};
use crate::state::{CHECKPOINT, Run, cursor_text};
use crate::wal::Checkpointer;
use crate::{SyncError, time_text};

/// The sync's own connection to the database file.
pub(crate) struct FileWriter {
    connection: Arc<Mutex<Connection>>,
    upsert: Arc<str>,
    /// Copies the log into the file beside the writer (none on a read-only database).
    checkpointer: Option<Checkpointer>,
}

impl FileWriter {
    /// Opens `path` (an existing database whose schema is up to date) with `setup`, the
    /// store's connection settings (its lock timeout and size limit included); read-only if
    /// the store's address asked for it.
    pub(crate) fn open(path: &Path, read_only: bool, setup: &str) -> Result<FileWriter, SyncError> {
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        // Only this thread or the one it lends the connection to uses it, one at a time.
        let connection =
            Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        connection.execute_batch(setup)?;
        let checkpointer = if read_only {
            None
        } else {
            let checkpointer = Checkpointer::start(path, setup)?;
            connection.execute_batch("PRAGMA wal_autocheckpoint = 0")?;
            Some(checkpointer)
        };
        Ok(FileWriter {
            connection: Arc::new(Mutex::new(connection)),
            upsert: upsert_one_sql().into(),
            checkpointer,
        })
    }

    /// Writes `customers` of `account` synced at `synced_at` and moves `run`'s checkpoint
    /// (already advanced past the page), in one transaction, on a blocking thread. The page
    /// is dropped there. How many rows were new (inserted rather than updated).
    pub(crate) async fn write_page(
        &self,
        account: &str,
        customers: Vec<customers::Customer>,
        synced_at: DateTime<Utc>,
        run: &Run,
    ) -> Result<Option<u64>, SyncError> {
        let connection = Arc::clone(&self.connection);
        let upsert = Arc::clone(&self.upsert);
        let account = account.to_owned();
        let synced = Synced::new(synced_at);
        let cursor = cursor_text(run.cursor);
        let pages = i64::try_from(run.pages).unwrap_or(i64::MAX);
        let high_water = run.high_water.map(time_text);
        let checkpointer = self.checkpointer.as_ref().map(Checkpointer::handle);
        let write = move || -> Result<Option<u64>, SyncError> {
            if let Some(checkpointer) = &checkpointer {
                checkpointer.settle();
            }
            // A panic elsewhere cannot leave the connection mid-transaction: the transaction
            // below rolls back when dropped.
            let started = std::time::Instant::now();
            let mut connection = connection.lock().unwrap_or_else(|e| e.into_inner());
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut new = 0;
            {
                let mut statement = tx.prepare_cached(&upsert)?;
                for customer in &customers {
                    bind_sqlite(&mut statement, &account, customer, &synced)?;
                    // An upsert that updates leaves the last inserted rowid as it was.
                    let last = tx.last_insert_rowid();
                    statement.raw_execute()?;
                    new += u64::from(tx.last_insert_rowid() != last);
                }
            }
            tx.execute(
                CHECKPOINT,
                rusqlite::named_params! {
                    "$1": account, "$2": cursor, "$3": pages, "$4": high_water
                },
            )?;
            tx.commit()?;
            tracing::debug!(
                rows = customers.len(),
                new,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "page written"
            );
            Ok(Some(new))
        };
        let new = tokio::task::spawn_blocking(write)
            .await
            .map_err(|err| SyncError::Writer(err.to_string()))??;
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.wake();
        }
        Ok(new)
    }
}
