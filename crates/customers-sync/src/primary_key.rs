//! The key `(id, account)`, left out during a first load into an empty table and built once
//! at its end, beside the secondary indexes: PostgreSQL's primary key, SQLite's unique index
//! `customers_pkey` (led by the id: see the migrations `0004_key_by_id` and
//! `0003_separate_key`). Maintained row by row, it was a third of PostgreSQL's `COPY` time
//! (100,000 Hoko customers from `psql`: 0.57 s with it, 0.37 s without) and a tenth of a
//! first load into SQLite (469 against 432 ms), and building it at the end takes a tenth of a
//! second of a core.
//!
//! Only the upsert (`ON CONFLICT (account, id)`) needs the key, and only while a table
//! holds rows. So the key is dropped only when `customers` holds no row and no other
//! account is syncing, and every sync, before it writes, builds it again if it is missing
//! (a first load that was killed, or that another account's sync began beside): a resumed
//! first load goes on with the key, and upserts. A first load's own rows are unique (the
//! facade lists each customer once a run); should two ever share a key, the build removes
//! all but the last written and keeps the earliest `first_synced_at`.

use sqlx::{Any, AnyConnection, Connection, PgPool, Postgres, Transaction};

use crate::SyncError;

/// The key's name, as the migrations made it (PostgreSQL's constraint, SQLite's index).
const KEY: &str = "customers_pkey";

/// Drops the primary key in `tx` (which found `customers` empty, holding it locked) unless
/// another account than `account` is syncing in this database: its upsert needs the key. The
/// accounts' syncs are the advisory locks of `lock.rs` (keys the `hashtext` of its
/// [`crate::lock::TOOL_KEY`] and of the account). Whether it dropped the key.
pub(crate) async fn defer(tx: &mut Transaction<'_, Any>, account: &str) -> Result<bool, SyncError> {
    // pg_locks shows a lock's two int4 keys as unsigned oids.
    let (others,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pg_locks \
         WHERE locktype = 'advisory' AND objsubid = 2 AND granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         AND classid::bigint = (hashtext($2)::bigint & 4294967295) \
         AND objid::bigint <> (hashtext($1)::bigint & 4294967295)",
    )
    .bind(account)
    .bind(crate::lock::TOOL_KEY)
    .fetch_one(&mut **tx)
    .await?;
    if others > 0 {
        return Ok(false);
    }
    sqlx::query(&format!(
        "ALTER TABLE customers DROP CONSTRAINT IF EXISTS {KEY}"
    ))
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Builds the key again if it is missing, before a sync writes; the check runs on
/// `session` (the sync's lock's), the build on `pool`. The check waits for a first load's
/// drop to commit (the drop holds the table), so a sync that took its lock while another
/// dropped the key sees it gone. Whether rows sharing a key were removed.
pub(crate) async fn ensure(session: &mut AnyConnection, pool: &PgPool) -> Result<bool, SyncError> {
    let mut tx = session.begin().await?;
    sqlx::query("LOCK TABLE customers IN ACCESS SHARE MODE")
        .execute(&mut *tx)
        .await?;
    let (there,): (bool,) = sqlx::query_as(EXISTS).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    if there { Ok(false) } else { build(pool).await }
}

/// Builds the key if it is missing: a unique index (beside other index builds: it locks
/// out writes only), then the constraint over it. Rows sharing a key (none, unless a first
/// load wrote one twice) are first reduced to the last written. Two builds at once take
/// turns; the second finds the key. Whether rows were removed.
pub(crate) async fn build(pool: &PgPool) -> Result<bool, SyncError> {
    match try_build(pool, false).await {
        Err(SyncError::Database(sqlx::Error::Database(err))) if err.is_unique_violation() => {
            tracing::warn!("customers written twice by a first load: the last kept");
            try_build(pool, true).await?;
            Ok(true)
        }
        built => built.map(|()| false),
    }
}

/// [`build`]'s one try, removing rows that share a key first when `dedupe`.
async fn try_build(pool: &PgPool, dedupe: bool) -> Result<(), SyncError> {
    let mut tx = pool.begin().await?;
    sqlx::query(crate::indexes::BUILD_LOCK)
        .bind(KEY)
        .execute(&mut *tx)
        .await?;
    if exists(&mut tx).await? {
        return Ok(tx.commit().await?);
    }
    if dedupe {
        remove_doubles(&mut tx).await?;
    }
    for setting in crate::indexes::BUILD_SETTINGS {
        sqlx::query(setting).execute(&mut *tx).await?;
    }
    sqlx::query(&format!(
        "CREATE UNIQUE INDEX IF NOT EXISTS {KEY} ON customers (id, account)"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "ALTER TABLE customers ADD CONSTRAINT {KEY} PRIMARY KEY USING INDEX {KEY}"
    ))
    .execute(&mut *tx)
    .await?;
    Ok(tx.commit().await?)
}

/// Whether `customers` has its primary key.
const EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM pg_constraint \
                      WHERE conrelid = 'customers'::regclass AND contype = 'p')";

/// [`EXISTS`] in `tx`.
async fn exists(tx: &mut Transaction<'_, Postgres>) -> Result<bool, SyncError> {
    let (there,): (bool,) = sqlx::query_as(EXISTS).fetch_one(&mut **tx).await?;
    Ok(there)
}

/// Keeps one row per key: the last synced (the last written of equals), with the earliest
/// `first_synced_at` of its key.
async fn remove_doubles(tx: &mut Transaction<'_, Postgres>) -> Result<(), SyncError> {
    sqlx::query(
        "UPDATE customers AS c SET first_synced_at = d.first \
         FROM (SELECT account, id, MIN(first_synced_at) AS first FROM customers \
               GROUP BY account, id HAVING COUNT(*) > 1) AS d \
         WHERE c.account = d.account AND c.id = d.id",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM customers AS c USING customers AS d \
         WHERE c.account = d.account AND c.id = d.id \
         AND (c.last_synced_at, c.ctid) < (d.last_synced_at, d.ctid)",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// SQLite: drops the key index in `tx` (a writing transaction that found `customers`
/// empty) unless the database is in memory (its pages are upserted through a staging table)
/// or a lock file beside it names another account's sync: one running, or one killed that
/// left its line (then the key stays, and the first load upserts). Whether it dropped it.
pub(crate) async fn defer_sqlite(
    tx: &mut Transaction<'_, Any>,
    file: Option<&std::path::Path>,
    account: &str,
) -> Result<bool, SyncError> {
    let Some(file) = file else {
        return Ok(false);
    };
    if crate::lock::others_named(file, account) {
        return Ok(false);
    }
    sqlx::query(&format!("DROP INDEX IF EXISTS {KEY}"))
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// SQLite: builds the key index in `tx` (a writing transaction: a first load's drop commits
/// before or after it, never beside) if it is missing. Whether rows were removed.
pub(crate) async fn ensure_sqlite(tx: &mut Transaction<'_, Any>) -> Result<bool, SyncError> {
    let create = format!("CREATE UNIQUE INDEX IF NOT EXISTS {KEY} ON customers (id, account)");
    match sqlx::query(&create).execute(&mut **tx).await {
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
            tracing::warn!("customers written twice by a first load: the last kept");
            // A failed statement leaves SQLite's transaction as it was.
            for sql in SQLITE_DOUBLES {
                sqlx::query(sql).execute(&mut **tx).await?;
            }
            sqlx::query(&create).execute(&mut **tx).await?;
            Ok(true)
        }
        done => done.map(|_| false).map_err(SyncError::from),
    }
}

/// SQLite's [`remove_doubles`]: the earliest `first_synced_at` to every row of a key written
/// twice, then all but the last synced (the last written of equals) removed.
const SQLITE_DOUBLES: [&str; 2] = [
    "UPDATE customers SET first_synced_at = (SELECT MIN(d.first_synced_at) FROM customers AS d \
     WHERE d.account = customers.account AND d.id = customers.id) \
     WHERE (account, id) IN (SELECT account, id FROM customers GROUP BY account, id \
     HAVING COUNT(*) > 1)",
    "DELETE FROM customers WHERE rowid IN (SELECT c.rowid FROM customers AS c \
     JOIN customers AS d ON c.account = d.account AND c.id = d.id \
     AND (c.last_synced_at < d.last_synced_at \
     OR (c.last_synced_at = d.last_synced_at AND c.rowid < d.rowid)))",
];

/// SQLite: whether the key index is there, in the writer's transaction.
pub(crate) fn sqlite_keyed(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1)",
    )?
    .query_row([KEY], |row| row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::{TestDatabase, database};

    /// Whether the test database's `customers` has its primary key.
    async fn keyed(pool: &PgPool) -> bool {
        let mut tx = pool.begin().await.expect("begins");
        let there = exists(&mut tx).await.expect("looked");
        tx.commit().await.expect("commits");
        there
    }

    /// A row of `account` and `id` named `name`, first and last synced at the given seconds.
    async fn insert(pool: &PgPool, account: &str, id: &str, name: &str, first: i64, last: i64) {
        sqlx::query(
            "INSERT INTO customers (account, vendor, id, name, tags, raw, first_synced_at, \
             last_synced_at) VALUES ($1, 'hoko', $2, $3, '[]', '{}', to_timestamp($4), \
             to_timestamp($5))",
        )
        .bind(account)
        .bind(id)
        .bind(name)
        .bind(first as f64)
        .bind(last as f64)
        .execute(pool)
        .await
        .expect("inserted");
    }

    async fn open(test: &str) -> Option<(TestDatabase, PgPool)> {
        let db = database(test).await?;
        let pool = db.store.postgres().expect("PostgreSQL").clone();
        Some((db, pool))
    }

    #[tokio::test]
    async fn a_first_load_goes_in_without_the_key_and_ends_with_it_and_each_customer_once() {
        let Some((db, pool)) = open("key_first").await else {
            return;
        };
        assert!(keyed(&pool).await);
        let deferred = crate::indexes::defer_for_first_load(&db.store, "a").await;
        assert!(deferred.expect("deferred"));
        assert!(!keyed(&pool).await, "dropped for the first load");
        insert(&pool, "a", "1", "old", 10, 10).await;
        insert(&pool, "a", "2", "only", 10, 10).await;
        insert(&pool, "b", "1", "other account", 10, 10).await;
        // Written twice (a defect this must survive): the last written is kept.
        insert(&pool, "a", "1", "new", 20, 20).await;
        assert!(build(&pool).await.expect("built"), "rows were removed");
        assert!(keyed(&pool).await);
        let rows: Vec<(String, String, String, f64)> = sqlx::query_as(
            "SELECT account, id, name, extract(epoch FROM first_synced_at)::float8 \
             FROM customers ORDER BY account, id",
        )
        .fetch_all(&pool)
        .await
        .expect("read");
        let row = |a: &str, i: &str, n: &str, f: f64| (a.into(), i.into(), n.into(), f);
        assert_eq!(
            rows,
            [
                row("a", "1", "new", 10.0),
                row("a", "2", "only", 10.0),
                row("b", "1", "other account", 10.0)
            ]
        );
        assert!(!build(&pool).await.expect("there"), "built once");
        db.store.close().await;
    }

    #[tokio::test]
    async fn another_account_syncing_keeps_the_key_through_a_first_load() {
        let Some((db, pool)) = open("key_other").await else {
            return;
        };
        let mine = crate::lock::acquire(&db.store, "a").await.expect("locked");
        let other = crate::lock::acquire(&db.store, "b").await.expect("locked");
        let deferred = crate::indexes::defer_for_first_load(&db.store, "a").await;
        assert!(deferred.expect("deferred"), "its secondary indexes are");
        assert!(keyed(&pool).await, "b's upserts need the key");
        other.release("b").await;
        let deferred = crate::indexes::defer_for_first_load(&db.store, "a").await;
        assert!(deferred.expect("deferred"));
        assert!(!keyed(&pool).await, "only a's own sync runs now");
        mine.release("a").await;
        db.store.close().await;
    }

    #[tokio::test]
    async fn a_sync_that_finds_the_key_gone_builds_it_before_it_writes() {
        let Some((db, pool)) = open("key_gone").await else {
            return;
        };
        let deferred = crate::indexes::defer_for_first_load(&db.store, "a").await;
        assert!(deferred.expect("deferred"));
        insert(&pool, "a", "1", "written before a kill", 10, 10).await;
        assert!(!keyed(&pool).await);
        let mut lock = crate::lock::acquire(&db.store, "a").await.expect("locked");
        let session = lock.session().expect("a session");
        assert!(
            !ensure(session, &pool).await.expect("ensured"),
            "nothing removed"
        );
        assert!(keyed(&pool).await);
        // With the key, a row already there is upserted, as a resumed sync's pages are.
        sqlx::query(
            "INSERT INTO customers (account, vendor, id, tags, raw, first_synced_at, \
             last_synced_at) VALUES ('a', 'hoko', '1', '[]', '{}', now(), now()) \
             ON CONFLICT (account, id) DO UPDATE SET name = 'upserted'",
        )
        .execute(&pool)
        .await
        .expect("upserted");
        let session = lock.session().expect("a session");
        assert!(!ensure(session, &pool).await.expect("ensured"));
        lock.release("a").await;
        db.store.close().await;
    }

    /// Whether the SQLite database's key index is there.
    async fn sqlite_has_key(store: &crate::Store) -> bool {
        let (there,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $1")
                .bind(KEY)
                .fetch_one(store.pool())
                .await
                .expect("looked");
        there > 0
    }

    /// A SQLite file in a new directory.
    async fn sqlite_file() -> (tempfile::TempDir, crate::Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("customers.db");
        let store = crate::Store::open(&path.display().to_string())
            .await
            .expect("opens");
        (dir, store)
    }

    #[tokio::test]
    async fn a_first_load_into_a_sqlite_file_goes_in_without_the_key_and_ends_with_it() {
        let (_dir, store) = sqlite_file().await;
        assert!(sqlite_has_key(&store).await, "as migrated");
        let deferred = crate::indexes::defer_for_first_load(&store, "a").await;
        assert!(deferred.expect("deferred"));
        assert!(!sqlite_has_key(&store).await, "dropped for the first load");
        let insert = |id: &'static str, name: &'static str, first: &'static str| {
            sqlx::query(
                "INSERT INTO customers (account, vendor, id, name, tags, raw, first_synced_at, \
                 last_synced_at) VALUES ('a', 'hoko', $1, $2, '[]', '{}', $3, $3)",
            )
            .bind(id)
            .bind(name)
            .bind(first)
        };
        for (id, name, at) in [
            ("1", "old", "2026-01-01T00:00:00.000000Z"),
            ("2", "only", "2026-01-01T00:00:00.000000Z"),
            ("1", "new", "2026-01-02T00:00:00.000000Z"),
        ] {
            insert(id, name, at)
                .execute(store.pool())
                .await
                .expect("inserted");
        }
        let mut tx = store.begin_write().await.expect("begins");
        assert!(ensure_sqlite(&mut tx).await.expect("built"), "rows removed");
        tx.commit().await.expect("commits");
        assert!(sqlite_has_key(&store).await);
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT id, name, first_synced_at, last_synced_at FROM customers ORDER BY id",
        )
        .fetch_all(store.pool())
        .await
        .expect("read");
        let row = |i: &str, n: &str, f: &str, l: &str| (i.into(), n.into(), f.into(), l.into());
        let (day1, day2) = ("2026-01-01T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z");
        assert_eq!(
            rows,
            [row("1", "new", day1, day2), row("2", "only", day1, day1)]
        );
        let mut tx = store.begin_write().await.expect("begins");
        assert!(!ensure_sqlite(&mut tx).await.expect("there"), "built once");
        tx.commit().await.expect("commits");
        store.close().await;
    }

    #[tokio::test]
    async fn another_account_named_beside_a_sqlite_file_keeps_its_key() {
        let (_dir, store) = sqlite_file().await;
        let mine = crate::lock::acquire(&store, "a").await.expect("locked");
        let other = crate::lock::acquire(&store, "b").await.expect("locked");
        let deferred = crate::indexes::defer_for_first_load(&store, "a").await;
        assert!(deferred.expect("deferred"), "its secondary indexes are");
        assert!(sqlite_has_key(&store).await, "b's upserts need the key");
        other.release("b").await;
        let deferred = crate::indexes::defer_for_first_load(&store, "a").await;
        assert!(deferred.expect("deferred"));
        assert!(!sqlite_has_key(&store).await, "only a's own sync is named");
        mine.release("a").await;
        store.close().await;

        // In memory, pages are upserted through a staging table: the key stays.
        let memory = crate::Store::open("sqlite::memory:").await.expect("opens");
        let deferred = crate::indexes::defer_for_first_load(&memory, "a").await;
        assert!(deferred.expect("deferred"));
        assert!(sqlite_has_key(&memory).await);
        memory.close().await;
    }
}
