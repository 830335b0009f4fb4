//! The secondary indexes of `customers` (email and phone, for lookups and `people`), built
//! after a first load rather than during it: maintaining them row by row was a third of a
//! first sync's time into SQLite, and building them once at the end costs a tenth of that.

use sqlx::{Any, Transaction};

use crate::SyncError;
use crate::store::{Backend, Store};

/// Each secondary index: its name and column, as the first migration creates them.
const SECONDARY: [(&str, &str); 2] = [("customers_email", "email"), ("customers_phone", "phone")];

/// Each PostgreSQL index build's settings. It runs in its own backend alone: the builds of a
/// first load run at once, one per connection, and a parallel worker each (the server's
/// default for a table this size) only added processes to share the cores (median of 9 syncs
/// of 100,000: 559 against 568 ms). Its commit does not wait for the server's WAL flush
/// (3 to 7 ms each): a server crash can lose the index, which the next sync builds again.
pub(crate) const BUILD_SETTINGS: [&str; 2] = [
    "SET LOCAL max_parallel_maintenance_workers = 0",
    "SET LOCAL synchronous_commit = off",
];

/// The lock a PostgreSQL index build of `$1` (its name) holds to its commit, so that two
/// accounts completing together take turns and the second finds the first's index. Its keys
/// are apart from the accounts' sync locks (`lock.rs`), which an account named like an index
/// would otherwise share.
pub(crate) const BUILD_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtext('customers-sync index'), hashtext($1))";

/// Connections [`build_at_once`] uses: one per secondary index, one for the primary key.
pub(crate) const AT_ONCE: usize = SECONDARY.len() + 1;

/// Drops the secondary indexes when `customers` holds no row at all (a first load into a new
/// database), and on PostgreSQL its primary key too unless another account is syncing
/// (`primary_key.rs`); [`ensure`] and [`build_at_once`] build them again when a sync
/// completes. Whether it dropped them.
pub(crate) async fn defer_for_first_load(store: &Store, account: &str) -> Result<bool, SyncError> {
    // A glance first: a table with rows (every sync but a first load's) is not locked.
    if !empty(store.pool()).await? {
        return Ok(false);
    }
    let postgres = store.backend() == Backend::Postgres;
    let mut tx = store.begin_write().await?;
    if postgres {
        // To the commit: no row can come in meanwhile, and a sync checking for the key
        // waits to see whether it is gone (`primary_key::ensure`).
        sqlx::query("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    if !empty(&mut *tx).await? {
        return Ok(false);
    }
    for (name, _) in SECONDARY {
        sqlx::query(&format!("DROP INDEX IF EXISTS {name}"))
            .execute(&mut *tx)
            .await?;
    }
    let key = match postgres {
        true => crate::primary_key::defer(&mut tx, account).await?,
        false => crate::primary_key::defer_sqlite(&mut tx, store.sqlite_path(), account).await?,
    };
    if key {
        tracing::info!(account, "a first load: the key built at the end too");
    }
    tx.commit().await?;
    Ok(true)
}

/// Whether `customers` holds no row.
async fn empty<'e>(executor: impl sqlx::Executor<'e, Database = Any>) -> Result<bool, SyncError> {
    let (rows,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM customers LIMIT 1) AS any_row")
            .fetch_one(executor)
            .await?;
    Ok(rows == 0)
}

/// Builds the indexes a first load left out on PostgreSQL, the primary key's included
/// (`primary_key.rs`), each on a connection of its own at once (two cores build two indexes
/// in 0.10 s where one took 0.13 s for both). Whether the key's build removed rows written
/// twice.
/// Two accounts completing together would both find an index missing and both create it
/// (one failing on the catalog's unique name): each build holds an advisory lock of its
/// index's name, so the second finds the first's.
pub(crate) async fn build_at_once(store: &Store) -> Result<bool, SyncError> {
    let Some(pool) = store.postgres() else {
        return Ok(false);
    };
    let builds = SECONDARY.map(|(name, column)| async move {
        let mut tx = pool.begin().await?;
        sqlx::query(BUILD_LOCK).bind(name).execute(&mut *tx).await?;
        // There already (every sync but a first load's): no need to lock the table.
        let (there,): (bool,) = sqlx::query_as("SELECT to_regclass($1) IS NOT NULL")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        if !there {
            for setting in BUILD_SETTINGS {
                sqlx::query(setting).execute(&mut *tx).await?;
            }
            sqlx::query(&format!(
                "CREATE INDEX IF NOT EXISTS {name} ON customers ({column})"
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    });
    let (deduped, built) = futures::future::join(
        crate::primary_key::build(pool),
        futures::future::join_all(builds),
    )
    .await;
    for built in built {
        built?;
    }
    deduped
}

/// Builds any secondary index a first load left out into SQLite, in the transaction that
/// completes a sync (a no-op when they are there; PostgreSQL's are built by
/// [`build_at_once`]).
pub(crate) async fn ensure(tx: &mut Transaction<'_, Any>) -> Result<(), SyncError> {
    for (name, column) in SECONDARY {
        sqlx::query(&format!(
            "CREATE INDEX IF NOT EXISTS {name} ON customers ({column})"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
