//! One sync of an account at a time. Two syncs of one account would each move its checkpoint
//! and mark the other's customers deleted; the second refuses at once, naming the first.
//!
//! SQLite: an exclusive lock on a file beside the database (`customers.db.sync-ACCOUNT.lock`),
//! holding the holder's pid, host and start. PostgreSQL: a session advisory lock on the
//! account, the holder in the table `sync_lock`. Either is released by the system when its
//! process dies, `kill -9` included, so a dead holder never blocks the next sync.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Connection};

use crate::store::{Backend, Store};
use crate::{SyncError, parse_time_text, time_text};

/// Who holds an account's sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Its process id.
    pub pid: u32,
    /// The host it runs on.
    pub host: String,
    /// When it took the lock.
    pub started_at: DateTime<Utc>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} on {}, started {}",
            self.pid,
            self.host,
            self.started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    }
}

impl Holder {
    fn this_process() -> Holder {
        Holder {
            pid: std::process::id(),
            host: gethostname::gethostname().to_string_lossy().into_owned(),
            started_at: crate::truncate_to_micros(Utc::now()),
        }
    }

    /// Whether it is this process: a session of its own that went away, which the server
    /// has not yet noticed.
    pub(crate) fn is_this_process(&self) -> bool {
        let me = Holder::this_process();
        self.pid == me.pid && self.host == me.host
    }

    /// `pid\thost\tstarted_at`, one line.
    fn to_line(&self) -> String {
        format!(
            "{}\t{}\t{}\n",
            self.pid,
            self.host.replace(['\t', '\n'], " "),
            time_text(self.started_at)
        )
    }

    fn from_line(line: &str) -> Option<Holder> {
        let mut fields = line.trim_end().split('\t');
        let pid = fields.next()?.parse().ok()?;
        let host = fields.next()?.to_owned();
        let started_at = parse_time_text(fields.next()?).ok()?;
        Some(Holder {
            pid,
            host,
            started_at,
        })
    }
}

/// An account's sync, held until released or dropped.
pub(crate) enum SyncLock {
    /// The locked file (SQLite).
    File(std::fs::File),
    /// The session holding the advisory lock (PostgreSQL).
    Session(Box<AnyConnection>),
    /// Nothing to share: an in-memory SQLite database.
    None,
}

/// This tool's name in its accounts' advisory locks: their first key is its `hashtext`.
pub(crate) const TOOL_KEY: &str = "customers-sync";

/// The two keys of `account`'s advisory lock: the account's (`$1`), after this tool's (`$2`,
/// bound to [`TOOL_KEY`]).
const ADVISORY_KEYS: &str = "hashtext($2), hashtext($1)";

/// Takes `account`'s sync in `store`, or says who holds it.
pub(crate) async fn acquire(store: &Store, account: &str) -> Result<SyncLock, SyncError> {
    let me = Holder::this_process();
    match store.backend() {
        Backend::Sqlite => match store.sqlite_path() {
            Some(path) => lock_file(&lock_path(path, account), account, &me),
            None => Ok(SyncLock::None),
        },
        Backend::Postgres => {
            let mut session = match store.take_spare() {
                Some(session) => session,
                None => store.pool().acquire().await?.detach(),
            };
            let (locked,): (bool,) =
                sqlx::query_as(&format!("SELECT pg_try_advisory_lock({ADVISORY_KEYS})"))
                    .bind(account)
                    .bind(TOOL_KEY)
                    .fetch_one(&mut session)
                    .await?;
            if !locked {
                let holder: Option<(i64, String, String)> = sqlx::query_as(
                    "SELECT pid, host, started_at FROM sync_lock WHERE account = $1",
                )
                .bind(account)
                .fetch_optional(&mut session)
                .await?;
                let _ = session.close().await;
                let holder = holder.and_then(|(pid, host, started)| {
                    Some(Holder {
                        pid: u32::try_from(pid).ok()?,
                        host,
                        started_at: parse_time_text(&started).ok()?,
                    })
                });
                return Err(SyncError::Busy {
                    account: account.to_owned(),
                    holder,
                });
            }
            sqlx::query(
                "INSERT INTO sync_lock (account, pid, host, started_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account) DO UPDATE SET pid = excluded.pid, host = excluded.host, \
                 started_at = excluded.started_at",
            )
            .bind(account)
            .bind(i64::from(me.pid))
            .bind(me.host.clone())
            .bind(time_text(me.started_at))
            .execute(&mut session)
            .await?;
            Ok(SyncLock::Session(Box::new(session)))
        }
    }
}

impl SyncLock {
    /// The PostgreSQL session holding the lock, for a sync's first statements: a connection
    /// already open.
    pub(crate) fn session(&mut self) -> Option<&mut AnyConnection> {
        match self {
            SyncLock::Session(session) => Some(session),
            _ => None,
        }
    }

    /// Whether the lock is still held: a PostgreSQL session can end under the sync (a
    /// restarted server, `pg_terminate_backend`), and with it the lock, which another sync
    /// could then take.
    pub(crate) async fn check(&mut self) -> Result<(), SyncError> {
        if let SyncLock::Session(session) = self {
            session.ping().await.map_err(SyncError::LockLost)?;
        }
        Ok(())
    }

    /// Gives the account's sync up (dropping the lock does too, less politely).
    pub(crate) async fn release(self, account: &str) {
        match self {
            SyncLock::Session(mut session) => {
                let _ = sqlx::query(&format!("SELECT pg_advisory_unlock({ADVISORY_KEYS})"))
                    .bind(account)
                    .bind(TOOL_KEY)
                    .execute(&mut *session)
                    .await;
                let _ = session.close().await;
            }
            SyncLock::File(file) => {
                let _ = file.set_len(0);
                let _ = file.unlock();
            }
            SyncLock::None => {}
        }
    }
}

/// The lock file of `account` beside the database at `db`: the account's name with every
/// character but letters, digits, `-` and `_` written as `%XX`, so any name is one file name.
fn lock_path(db: &Path, account: &str) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".sync-");
    let mut safe = String::new();
    for byte in account.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            safe.push(char::from(byte));
        } else {
            safe.push_str(&format!("%{byte:02X}"));
        }
    }
    name.push(safe);
    name.push(".lock");
    db.with_file_name(name)
}

/// Whether a lock file beside the database at `db` names another account than `account`:
/// its sync holds it, or was killed holding it (the holder's line stays until the next sync
/// of that account). A directory that cannot be read counts as one.
pub(crate) fn others_named(db: &Path, account: &str) -> bool {
    let mine = lock_path(db, account);
    let prefix = format!(
        "{}.sync-",
        db.file_name().unwrap_or_default().to_string_lossy()
    );
    let dir = match db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        name.starts_with(&prefix)
            && name.ends_with(".lock")
            && entry.path() != mine
            && entry.metadata().map_or(true, |m| m.len() > 0)
    })
}

fn lock_file(path: &Path, account: &str, me: &Holder) -> Result<SyncLock, SyncError> {
    let failed = |source: std::io::Error| SyncError::Lock {
        path: path.display().to_string(),
        source,
    };
    crate::private_file::create_private(path).map_err(failed)?;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(failed)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0).map_err(failed)?;
            file.rewind().map_err(failed)?;
            file.write_all(me.to_line().as_bytes()).map_err(failed)?;
            file.flush().map_err(failed)?;
            Ok(SyncLock::File(file))
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            Err(SyncError::Busy {
                account: account.to_owned(),
                holder: Holder::from_line(&text),
            })
        }
        Err(std::fs::TryLockError::Error(source)) => Err(failed(source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_account_name_is_one_file_beside_the_database() {
        let db = Path::new("/data/customers.db");
        assert_eq!(
            lock_path(db, "clinic-2_east"),
            Path::new("/data/customers.db.sync-clinic-2_east.lock")
        );
        assert_eq!(
            lock_path(db, "../a b/é"),
            Path::new("/data/customers.db.sync-%2E%2E%2Fa%20b%2F%C3%A9.lock")
        );
    }

    #[tokio::test]
    async fn the_connection_that_opened_postgres_holds_the_first_lock() {
        let Some((url, name, admin)) = crate::test_server::empty_database("spare").await else {
            return;
        };
        let sessions = || async {
            let (sessions,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1")
                    .bind(&name)
                    .fetch_one(&admin)
                    .await
                    .expect("counted");
            sessions
        };
        // Created first: opening a new database opens a first load's connections too. Their
        // backends end a moment after the close.
        Store::open(&url).await.expect("opens").close().await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while sessions().await > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let store = Store::open(&url).await.expect("opens");
        assert_eq!(sessions().await, 1, "opened and migrated on one connection");
        let first = acquire(&store, "a").await.expect("locked");
        assert_eq!(
            sessions().await,
            1,
            "the lock took it; the pools wait for use"
        );
        let second = acquire(&store, "b").await.expect("locked");
        assert_eq!(
            sessions().await,
            2,
            "the next lock has a session of its own"
        );
        first.release("a").await;
        second.release("b").await;
        store.close().await;
    }

    #[test]
    fn a_holder_reads_back_as_written() {
        let me = Holder::this_process();
        assert_eq!(Holder::from_line(&me.to_line()), Some(me));
        assert_eq!(Holder::from_line(""), None);
        assert_eq!(Holder::from_line("12\thost\tnot a time"), None);
    }
}
