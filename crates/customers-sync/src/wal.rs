//! Copying a SQLite file's write-ahead log into the file on a thread of its own while the
//! sync writes its next page. Left to the writer (SQLite's automatic checkpoint every 16 MiB
//! of log), every second or third page waited 30 ms for it; a passive checkpoint runs beside
//! a writer, so the copy moves off the sync's path.
//!
//! The log starts over only when a write begins after a checkpoint copied all of it; the
//! writer, always busy, would rarely see that, and the log would grow with the sync. So
//! once it passes [`LOG_LIMIT`], the writer waits for the running checkpoint before its
//! next page (about one page in seven).

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex};

use rusqlite::{Connection, OpenFlags};

use crate::SyncError;

/// Frames (pages of the database) in the log beyond which the writer lets it start over:
/// 64 MiB with 16 KiB pages.
const LOG_LIMIT: i64 = 4096;

/// What the writer and the checkpointing thread share.
#[derive(Default)]
struct Shared {
    /// Whether a checkpoint was asked for and has not finished.
    busy: Mutex<bool>,
    /// Signalled when a checkpoint finishes.
    idle: Condvar,
    /// Frames in the log when the last checkpoint ran.
    log_frames: AtomicI64,
}

/// Wakes the checkpointing thread; the thread ends when this is dropped.
pub(crate) struct Checkpointer {
    wake: SyncSender<()>,
    shared: Arc<Shared>,
}

impl Checkpointer {
    /// Opens a connection to `path` with `setup` (the store's settings) for a thread that
    /// checkpoints whenever woken.
    pub(crate) fn start(path: &Path, setup: &str) -> Result<Checkpointer, SyncError> {
        let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        connection.execute_batch(setup)?;
        // One wake-up waits at most: a page committed while a checkpoint runs is copied by
        // the next one.
        let (wake, woken) = sync_channel::<()>(1);
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || {
                while woken.recv().is_ok() {
                    checkpoint(&connection, &thread_shared);
                }
            })
            .map_err(|err| SyncError::Writer(format!("cannot start a thread: {err}")))?;
        Ok(Checkpointer { wake, shared })
    }

    /// Asks for a checkpoint of what is committed (at once if the thread is idle).
    pub(crate) fn wake(&self) {
        *self.shared.busy.lock().unwrap_or_else(|e| e.into_inner()) = true;
        match self.wake.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => {
                tracing::debug!("the checkpointer ended");
                *self.shared.busy.lock().unwrap_or_else(|e| e.into_inner()) = false;
            }
        }
    }

    /// Before a write: when the log has grown past [`LOG_LIMIT`], waits for the running
    /// checkpoint, so that the write starts the log over. Blocks: call it on the writer's
    /// thread.
    pub(crate) fn settle(&self) {
        if self.shared.log_frames.load(Ordering::Relaxed) < LOG_LIMIT {
            return;
        }
        let busy = self.shared.busy.lock().unwrap_or_else(|e| e.into_inner());
        let _idle = self
            .shared
            .idle
            .wait_while(busy, |busy| *busy)
            .unwrap_or_else(|e| e.into_inner());
    }

    /// A handle the writer's thread can wait on (see [`Checkpointer::settle`]).
    pub(crate) fn handle(&self) -> Checkpointer {
        Checkpointer {
            wake: self.wake.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

/// One passive checkpoint (it copies what it can without waiting for the writer or
/// readers); then the writer may go on.
fn checkpoint(connection: &Connection, shared: &Shared) {
    let done: rusqlite::Result<(i64, i64)> =
        connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get(1)?, row.get(2)?))
        });
    match done {
        Ok((log, copied)) => {
            tracing::trace!(log, copied, "checkpointed");
            shared.log_frames.store(log, Ordering::Relaxed);
        }
        // The log is copied at the latest when the database closes.
        Err(err) => tracing::debug!(%err, "checkpoint skipped"),
    }
    *shared.busy.lock().unwrap_or_else(|e| e.into_inner()) = false;
    shared.idle.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_that_never_pauses_still_starts_the_log_over() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("wal.db");
        let setup = "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;";
        let writer = Connection::open(&path).expect("opens");
        writer.execute_batch(setup).expect("set up");
        writer
            .execute_batch("PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x BLOB)")
            .expect("a table");
        let checkpointer = Checkpointer::start(&path, setup).expect("starts");
        let wal = dir.path().join("wal.db-wal");
        let write = 3 << 20;
        let mut largest = 0;
        for _ in 0..30 {
            checkpointer.settle();
            writer
                .execute("INSERT INTO t VALUES (zeroblob(?1))", [write])
                .expect("written");
            checkpointer.wake();
            largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        }
        // 90 MiB written, 3 MiB at a time: the log goes past the limit by what a checkpoint
        // left behind and a write or two, no further.
        let limit = LOG_LIMIT as u64 * 4096;
        assert!(largest > limit / 2, "the log grew: {largest}");
        assert!(
            largest < limit + 4 * write as u64,
            "the log started over: {largest}"
        );
    }
}
