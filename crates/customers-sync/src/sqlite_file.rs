//! A page into a SQLite file through a connection of the sync's own, on a blocking thread:
//! one prepared upsert per customer (a row holding the same values only has its
//! `last_synced_at` moved) and the checkpoint, in one transaction.
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

use crate::rows::{Synced, TOUCH, bind_sqlite, insert_one_sql, upsert_one_sql};
use crate::state::{CHECKPOINT, Run, cursor_text};
use crate::wal::Checkpointer;
use crate::{SyncError, time_text};

/// The sync's own connection to the database file.
pub(crate) struct FileWriter {
    connection: Arc<Mutex<Connection>>,
    upsert: Arc<str>,
    /// The plain insert, while a first load has no key (`primary_key.rs`).
    insert: Arc<str>,
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
            insert: insert_one_sql().into(),
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
        let statements = (Arc::clone(&self.upsert), Arc::clone(&self.insert));
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
                let keyed = crate::primary_key::sqlite_keyed(&tx)?;
                let sql = if keyed { &statements.0 } else { &statements.1 };
                let mut statement = tx.prepare_cached(sql)?;
                let mut touch = tx.prepare_cached(TOUCH)?;
                for customer in &customers {
                    bind_sqlite(&mut statement, &account, customer, &synced)?;
                    // An upsert that updates leaves the last inserted rowid as it was.
                    let last = tx.last_insert_rowid();
                    if statement.raw_execute()? == 0 {
                        // The same values: only the time it was seen moves.
                        touch.execute((&synced.text, &account, &customer.id))?;
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::state::Run;
    use customers::{Customer, Raw, Vendor};

    /// Every row as (id, name, email, first_synced_at, last_synced_at, deleted_at).
    type Row = (
        String,
        Option<String>,
        Option<String>,
        String,
        String,
        Option<String>,
    );

    fn rows(path: &Path) -> Vec<Row> {
        let connection = Connection::open(path).expect("opens");
        let mut statement = connection
            .prepare(
                "SELECT id, name, email, first_synced_at, last_synced_at, deleted_at \
                 FROM customers ORDER BY id",
            )
            .expect("a query");
        statement
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read")
    }

    #[tokio::test]
    async fn a_changed_row_takes_the_new_values_an_unchanged_one_only_its_time_a_deleted_one_returns()
     {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("customers.db");
        let store = Store::open(&path.display().to_string())
            .await
            .expect("opens");
        let writer = store.file_writer().expect("a writer").expect("a file");
        let customer = |id: &str, name: &str| {
            let mut c = Customer::new(Vendor::Hoko, id.to_owned(), Raw::null());
            c.name = Some(name.to_owned());
            c.email = Some(format!("{id}@example.com"));
            c
        };
        let run = Run::started_now(1);
        let first = vec![
            customer("a", "Ann"),
            customer("b", "Bob"),
            customer("c", "Cy"),
        ];
        let at = |seconds: i64| Utc::now() + chrono::Duration::seconds(seconds);
        let new = writer.write_page("acct", first, at(0), &run).await;
        assert_eq!(new.expect("written"), Some(3));
        Connection::open(&path)
            .and_then(|c| {
                c.execute(
                    "UPDATE customers SET deleted_at = last_synced_at WHERE id = 'c'",
                    [],
                )
            })
            .expect("c marked deleted");
        let before = rows(&path);

        let second = vec![
            customer("a", "Anna"),
            customer("b", "Bob"),
            customer("c", "Cy"),
        ];
        let new = writer.write_page("acct", second, at(5), &run).await;
        assert_eq!(new.expect("written"), Some(0), "no row is new");
        let after = rows(&path);
        let later = |i: usize| after[i].4 > before[i].4;
        assert_eq!(after[0].1.as_deref(), Some("Anna"), "a changed");
        assert!(later(0));
        assert_eq!(
            (
                &after[1].0,
                &after[1].1,
                &after[1].2,
                &after[1].3,
                &after[1].5
            ),
            (
                &before[1].0,
                &before[1].1,
                &before[1].2,
                &before[1].3,
                &before[1].5
            ),
            "b unchanged but for its time"
        );
        assert!(later(1), "b seen again");
        assert_eq!(after[2].5, None, "c returned");
        assert!(later(2));
        assert!(
            after.iter().zip(&before).all(|(a, b)| a.3 == b.3),
            "first_synced_at kept"
        );
        drop(writer);
        store.close().await;
    }
}
