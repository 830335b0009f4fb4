//! Copying a SQLite file's write-ahead log into the file on a thread of its own while the
//! sync writes its next page. Left to the writer (SQLite's automatic checkpoint every 16 MiB
//! of log), every second or third page waited 30 ms for it; a passive checkpoint runs beside
//! a writer, so the copy moves off the sync's path.
//!
//! The log starts over only when a write begins after a checkpoint copied all of it; the
//! writer, always busy, would rarely see that, and the log would grow with the sync. So
//! the writer waits before a page when the log has passed [`LOG_LIMIT`] and a checkpoint is
//! still copying (about one page in seven), and whenever it is [`MAX_AHEAD`] commits ahead
//! of the last finished checkpoint (a slow disk), so the log stays within the limit and a
//! few pages.

use std::path::Path;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags};

use crate::SyncError;

/// Frames (pages of the database) in the log beyond which the writer lets it start over:
/// 64 MiB with 16 KiB pages.
const LOG_LIMIT: i64 = 4096;

/// Commits the writer may make that no finished checkpoint has copied yet.
const MAX_AHEAD: u32 = 3;

/// Where the checkpoints stand.
#[derive(Default)]
struct Progress {
    /// Commits not yet copied by a finished checkpoint.
    ahead: u32,
    /// Frames in the log when the last checkpoint ran.
    log_frames: i64,
}

/// What the writer and the checkpointing thread share.
#[derive(Default)]
struct Shared {
    progress: Mutex<Progress>,
    /// Signalled when a checkpoint finishes.
    copied: Condvar,
}

impl Shared {
    fn progress(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Wakes the checkpointing thread. Dropping the one [`Checkpointer::start`] returned ends the
/// thread and waits for it, so that its connection is closed when the database's last one
/// closes: the last closes the log (copies it in and removes it).
pub(crate) struct Checkpointer {
    wake: Option<SyncSender<()>>,
    shared: Arc<Shared>,
    /// The thread, in the one that started it (not in its handles).
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // The thread ends once every handle's sender is gone: a writer's handle lives only
        // while it writes a page.
        drop(self.wake.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
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
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || {
                while woken.recv().is_ok() {
                    checkpoint(&connection, &thread_shared);
                }
            })
            .map_err(|err| SyncError::Writer(format!("cannot start a thread: {err}")))?;
        Ok(Checkpointer {
            wake: Some(wake),
            shared,
            thread: Some(thread),
        })
    }

    /// After a commit: asks for a checkpoint of what is committed (at once if the thread is
    /// idle).
    pub(crate) fn wake(&self) {
        self.shared.progress().ahead += 1;
        let Some(wake) = &self.wake else {
            return;
        };
        match wake.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => {
                tracing::debug!("the checkpointer ended");
                self.shared.progress().ahead = 0;
            }
        }
    }

    /// Before a write: waits while the log is past [`LOG_LIMIT`] and not all copied (so
    /// that the write starts it over), or the writer is [`MAX_AHEAD`] commits ahead.
    /// Blocks: call it on the writer's thread.
    pub(crate) fn settle(&self) {
        let progress = self.shared.progress();
        let _settled = self
            .shared
            .copied
            .wait_while(progress, |p| {
                p.ahead >= MAX_AHEAD || (p.ahead > 0 && p.log_frames >= LOG_LIMIT)
            })
            .unwrap_or_else(|e| e.into_inner());
    }

    /// A handle the writer's thread can wait on (see [`Checkpointer::settle`]).
    pub(crate) fn handle(&self) -> Checkpointer {
        Checkpointer {
            wake: self.wake.clone(),
            shared: Arc::clone(&self.shared),
            thread: None,
        }
    }
}

/// One passive checkpoint (it copies what is committed without waiting for the writer or
/// readers); then the writer may go on.
fn checkpoint(connection: &Connection, shared: &Shared) {
    // The commits this checkpoint copies: those made before it starts.
    let covered = shared.progress().ahead;
    let done: rusqlite::Result<(i64, i64)> =
        connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get(1)?, row.get(2)?))
        });
    let mut progress = shared.progress();
    match done {
        Ok((log, copied)) => {
            tracing::trace!(log, copied, "checkpointed");
            progress.log_frames = log;
        }
        // The log is copied at the latest when the database closes.
        Err(err) => tracing::debug!(%err, "checkpoint skipped"),
    }
    progress.ahead = progress.ahead.saturating_sub(covered);
    drop(progress);
    shared.copied.notify_all();
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
        // 90 MiB written, 3 MiB at a time: the log goes past the limit by the writes a
        // checkpoint may fall behind, and starts over. Without waiting: 90 MiB.
        let limit = LOG_LIMIT as u64 * 4096;
        assert!(largest > limit / 2, "the log grew: {largest}");
        assert!(
            largest <= limit + u64::from(MAX_AHEAD + 1) * write as u64,
            "the log started over: {largest}"
        );
    }
}
