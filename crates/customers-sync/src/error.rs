//! The one error of a sync: the vendor's, the database's, or the database address's.

/// What went wrong while syncing or reading the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The vendor (or the network to it) failed; the checkpoint of the last committed page
    /// stays, and the next sync goes on from there.
    #[error(transparent)]
    Vendor(#[from] customers::Error),
    /// The database could not be opened: a server that refuses, a file that is not a
    /// database.
    #[error("cannot open the database {address}: {source}")]
    Open {
        /// The address, its password hidden.
        address: String,
        /// What the driver said.
        source: sqlx::Error,
    },
    /// A new SQLite database file could not be created (its folder is missing or not
    /// writable).
    #[error("cannot create the database file {path}: {source}")]
    Create {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The SQLite file refused or failed a page (read-only, full, locked for too long).
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The thread writing pages into the SQLite file stopped (a bug: please report it).
    #[error("the database writer stopped: {0}")]
    Writer(String),
    /// The database's schema could not be brought up to date.
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The account was synced from another vendor: its rows and checkpoint are that
    /// vendor's.
    #[error(
        "the account `{account}` holds {synced}'s customers, not {asked}'s: give this one another account name"
    )]
    AccountVendor {
        /// The account.
        account: String,
        /// The vendor it was synced from.
        synced: String,
        /// The vendor asked for now.
        asked: customers::Vendor,
    },
    /// Another sync of the account is running (the holder, when it could be read).
    #[error("another sync of the account `{account}` is running{}", holder.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Busy {
        /// The account.
        account: String,
        /// Who runs it.
        holder: Option<crate::lock::Holder>,
    },
    /// The PostgreSQL session holding the account's sync lock ended (a restarted server, a
    /// terminated backend): the sync stops rather than run unguarded; the next one goes on
    /// from the last committed page.
    #[error("the database ended the session holding this sync's lock: {0}")]
    LockLost(sqlx::Error),
    /// The PostgreSQL server went away mid-sync and did not come back within
    /// [`crate::SyncOptions::reconnect_for`]; the next sync goes on from the last committed
    /// page.
    #[error(
        "{cause} (the database went away: {tries} reconnection tries over {:.1} s did not get the sync going again; the next sync goes on from the last committed page)",
        waited.as_secs_f64()
    )]
    GoneAway {
        /// The last failure.
        cause: Box<SyncError>,
        /// How many times the sync tried to reconnect.
        tries: usize,
        /// How long since the first failure (since the last committed page).
        waited: std::time::Duration,
    },
    /// The lock file beside a SQLite database could not be created or locked.
    #[error("cannot lock {path}: {source}")]
    Lock {
        /// The lock file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// `--db` names no database this tool can open.
    #[error("{0}")]
    Address(String),
    /// The database holds a value this tool did not write (e.g. a hand-edited checkpoint).
    #[error("database holds {what} that cannot be read: `{value}`")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// The value found.
        value: String,
    },
}

impl SyncError {
    /// Whether the database's server went away (it restarted or failed over, or ended the
    /// sync's sessions): the connection, not the data, failed, and a sync that reconnects
    /// can go on from its last committed page.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            SyncError::LockLost(_) | SyncError::GoneAway { .. } => true,
            SyncError::Database(err) => connection_lost(err),
            _ => false,
        }
    }

    /// Whether the account's sync is held by this very process: after a connection was
    /// lost, its old session, which the server has not yet found gone.
    pub(crate) fn held_by_this_process(&self) -> bool {
        matches!(self, SyncError::Busy { holder: Some(holder), .. } if holder.is_this_process())
    }
}

/// A socket that failed or closed (mid-message, the driver reads what is left as a
/// protocol error), a pool that could not connect in time, or the server's own word: class
/// 08 (connection exception), or a session ended by an administrator, a crash or a server
/// not yet accepting connections (57P01 to 57P03).
fn connection_lost(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(err) => err.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}
