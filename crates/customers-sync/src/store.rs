//! The database: SQLite (an embedded file, the default) or PostgreSQL, through sqlx's `Any`
//! driver, with the schema's migrations checked in per backend. A sync writes a SQLite
//! file's pages through a connection of its own (`sqlite_file.rs`), with the same settings.

use std::sync::{Arc, Mutex, Once};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use std::time::Duration;

use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};

use crate::SyncError;

/// Which database a [`Store`] talks to; the few SQL differences live here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite: times are UTC text, JSON is text.
    Sqlite,
    /// PostgreSQL: times are `timestamptz`, `raw` is `json`, `tags` is `jsonb`.
    Postgres,
}

impl Backend {
    /// Placeholder `n` (from 1), in a statement whose placeholders are all numbered in bind
    /// order (SQLite gets an anonymous `?`).
    pub(crate) fn param(self, n: usize) -> String {
        match self {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${n}"),
        }
    }

    /// [`Backend::param`] for a time bound as UTC text.
    pub(crate) fn time(self, n: usize) -> String {
        match self {
            Backend::Sqlite => self.param(n),
            Backend::Postgres => format!("CAST(${n} AS TIMESTAMPTZ)"),
        }
    }

    /// `table` in a statement that visits every row of an account: SQLite reads the table
    /// in order (`NOT INDEXED`) rather than through the primary key, which visits an
    /// account's rows in id order, a random page each; at 100,000 rows that took 0.2 s per
    /// statement against 0.02 s. PostgreSQL's planner chooses on its statistics.
    pub(crate) fn scan(self, table: &str) -> String {
        match self {
            Backend::Sqlite => format!("{table} NOT INDEXED"),
            Backend::Postgres => table.to_owned(),
        }
    }

    /// SQL reading `column` (a time) back as UTC text in the form [`crate::time_text`]
    /// writes, for comparing rows across backends.
    pub fn time_text(self, column: &str) -> String {
        match self {
            Backend::Sqlite => column.to_owned(),
            Backend::Postgres => {
                format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
        }
    }
}

/// An open database with the schema migrated. Its `Debug` names the backend only: a
/// PostgreSQL address can hold a password.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// PostgreSQL's own driver, for `COPY` (which sqlx's `Any` does not speak).
    postgres: Option<sqlx::PgPool>,
    /// The connection that opened a PostgreSQL database, until a sync's lock takes it.
    spare: Arc<Mutex<Option<AnyConnection>>>,
    /// The SQLite file (`None` in memory and on PostgreSQL).
    sqlite_path: Option<std::path::PathBuf>,
    /// Whether the SQLite address asked for a read-only database (`mode=ro`).
    read_only: bool,
    /// Each SQLite connection's settings.
    sqlite_setup: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

static DRIVERS: Once = Once::new();

/// Each SQLite connection's settings. WAL with `synchronous = NORMAL` survives a killed
/// process whole: each page's transaction is in the WAL when it commits, unsynced; a power
/// cut or OS crash can lose the last commits (pages and their checkpoints together, so the
/// sync resumes before them), never corrupt the file. Checkpoints of the WAL into the file
/// are synced. A new database gets 16 KiB pages (SQLite ignores this for an existing one):
/// a Hoko record and its columns take about a kilobyte, and with 4 KiB pages a first load
/// spent a tenth more time splitting and copying pages (8 and 32 KiB: slower too). A page
/// cache of 8 MiB (SQLite's default is 2 MiB): with the sync's writer inserting row by row
/// it was a little faster than 16 MiB and 10 MiB smaller; it is a fixed size, so memory
/// stays flat. An in-memory database keeps its temporary database, where a page is staged,
/// in memory too (a page at a time); a file's stays in files, so that building an index at
/// the end of a large first load sorts on disk past a few MiB, not all in memory.
fn sqlite_setup(options: &StoreOptions, in_memory: bool) -> String {
    let mut setup = format!(
        "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         PRAGMA cache_size = -8192; PRAGMA busy_timeout = {};",
        options.busy_timeout.as_millis().min(i32::MAX as u128)
    );
    if in_memory {
        setup.push_str(" PRAGMA temp_store = MEMORY;");
    }
    if let Some(pages) = options.max_pages {
        setup.push_str(&format!(" PRAGMA max_page_count = {pages};"));
    }
    setup
}

/// How to open a [`Store`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreOptions {
    /// How long SQLite waits for a file another process has locked before it fails (30 s by
    /// default).
    pub busy_timeout: Duration,
    /// The most pages (of 16 KiB in a new database) a SQLite file may grow to, e.g. to
    /// keep it within a quota: a page that needs more fails with SQLite's "database or disk
    /// is full" and is not committed. `None` (the default) is SQLite's own limit.
    pub max_pages: Option<u32>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(30),
            max_pages: None,
        }
    }
}

impl StoreOptions {
    /// [`StoreOptions::busy_timeout`].
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// [`StoreOptions::max_pages`].
    pub fn max_pages(mut self, pages: Option<u32>) -> Self {
        self.max_pages = pages;
        self
    }
}

impl Store {
    /// Opens the database at `address` and brings its schema up to date:
    /// `postgres://…` (or `postgresql://…`), `sqlite://PATH` or a plain file path for SQLite
    /// (the file is created if missing).
    pub async fn open(address: &str) -> Result<Store, SyncError> {
        Store::open_with(address, &StoreOptions::default()).await
    }

    /// [`Store::open`] with `options`.
    pub async fn open_with(address: &str, options: &StoreOptions) -> Result<Store, SyncError> {
        Store::connect_with(address, options).await?.migrate().await
    }

    /// [`Store::open_with`]'s first step: one connection to the database (a server that
    /// refuses, or a file that is not a database, is reported at once), and whether it is
    /// new; [`Opening::migrate`] is the second.
    pub async fn connect_with(address: &str, options: &StoreOptions) -> Result<Opening, SyncError> {
        DRIVERS.call_once(install_default_drivers);
        let (backend, url) = address_url(address)?;
        let sqlite_path = match backend {
            Backend::Sqlite => crate::private_file::sqlite_path(&url),
            Backend::Postgres => None,
        };
        let setup = sqlite_setup(options, sqlite_path.is_none());
        if let Some(path) = &sqlite_path {
            crate::private_file::create_private(path).map_err(|source| SyncError::Create {
                path: path.display().to_string(),
                source,
            })?;
        }
        // One connection first, so that a server that refuses or a file that is not a
        // database is reported as such at once (a pool retries until its timeout and then
        // says only that it timed out). On PostgreSQL it brings the schema up to date and is
        // then kept for the first sync's lock (`lock.rs`), a session of its own, and the
        // pools connect when first used (a new database's while it migrates): every
        // connection opened before the first request is a few milliseconds of a sync.
        let (probe, new, url) = async {
            let (mut probe, url) = match backend {
                Backend::Postgres => crate::loopback::connect(url).await?,
                Backend::Sqlite => (AnyConnection::connect(&url).await?, url),
            };
            let tables = match backend {
                Backend::Sqlite => {
                    probe.execute(setup.as_str()).await?;
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'"
                }
                Backend::Postgres => {
                    "SELECT COUNT(*) FROM (SELECT to_regclass('sync_state') AS t) AS c WHERE t IS NOT NULL"
                }
            };
            // New: no table of this tool's, so no account has a sync to go on from.
            let (tables,): (i64,) = sqlx::query_as(tables).fetch_one(&mut probe).await?;
            Ok::<_, sqlx::Error>((probe, tables == 0, url))
        }
        .await
        .map_err(|source| SyncError::Open {
            address: redact(address),
            source,
        })?;
        Ok(Opening {
            backend,
            url,
            probe,
            sqlite_path,
            setup,
            new,
        })
    }
}

/// A database connected to, its schema not yet brought up to date ([`Store::connect_with`]).
/// Its `Debug` names the backend and whether the database is new, not its address (which
/// can hold a password).
pub struct Opening {
    backend: Backend,
    url: String,
    probe: AnyConnection,
    sqlite_path: Option<std::path::PathBuf>,
    setup: String,
    new: bool,
}

impl std::fmt::Debug for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opening")
            .field("backend", &self.backend)
            .field("new", &self.new)
            .finish_non_exhaustive()
    }
}

impl Opening {
    /// Whether the database holds no table of this tool's (a new SQLite file, one in memory,
    /// a new PostgreSQL database): a sync into it is a full sweep from the first page, which
    /// a [`crate::HeadStart`] can begin while [`Opening::migrate`] creates the schema.
    pub fn is_new(&self) -> bool {
        self.new
    }

    /// Brings the schema up to date: the open [`Store`].
    pub async fn migrate(self) -> Result<Store, SyncError> {
        let Opening {
            backend,
            url,
            probe,
            sqlite_path,
            setup,
            new,
        } = self;
        let setup_text = setup.clone();
        let postgres = match backend {
            Backend::Postgres => Some(
                // Each account's sync writes two pages at once (`copy.rs`).
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(60))
                    .connect_lazy(&url)?,
            ),
            Backend::Sqlite => None,
        };
        let pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(60));
        let (pool, spare) = match backend {
            // One connection: vendors syncing in parallel take turns at the file instead of
            // failing on SQLite's lock, and each page's transaction is short. Migrated
            // through it: an in-memory database lives as long as its connection.
            Backend::Sqlite => {
                probe.close().await?;
                let pool = pool_options
                    .max_connections(1)
                    .after_connect(move |connection, _| {
                        let setup = setup.clone();
                        Box::pin(async move {
                            connection.execute(setup.as_str()).await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?;
                sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
                (pool, None)
            }
            Backend::Postgres => {
                let mut probe = probe;
                let pool = pool_options.max_connections(8).connect_lazy(&url)?;
                let migrated = sqlx::migrate!("./migrations/postgres").run(&mut probe);
                match (&postgres, new) {
                    // A new database's first use is a sync's first load: the connections it
                    // takes (its pages' and index builds', and two for its bookkeeping) are
                    // opened while the schema is created, not one after another before its
                    // first page (a few milliseconds of handshakes each).
                    (Some(postgres), true) => {
                        let warmed = futures::future::try_join(
                            open_at_once(postgres, crate::indexes::AT_ONCE),
                            open_at_once(&pool, 2),
                        );
                        let (migrated, warmed) = futures::future::join(migrated, warmed).await;
                        migrated?;
                        warmed?;
                    }
                    _ => migrated.await?,
                }
                (pool, Some(probe))
            }
        };
        Ok(Store {
            pool,
            backend,
            postgres,
            spare: Arc::new(Mutex::new(spare)),
            sqlite_path,
            read_only: url
                .split_once('?')
                .is_some_and(|(_, query)| query.split('&').any(|p| p == "mode=ro")),
            sqlite_setup: setup_text,
        })
    }
}

impl Store {
    /// The database kind.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite database's file, if it is one.
    pub(crate) fn sqlite_path(&self) -> Option<&std::path::Path> {
        self.sqlite_path.as_deref()
    }

    /// A connection of the sync's own to the SQLite file, when the database is one.
    pub(crate) fn file_writer(&self) -> Result<Option<crate::sqlite_file::FileWriter>, SyncError> {
        let Some(path) = &self.sqlite_path else {
            return Ok(None);
        };
        crate::sqlite_file::FileWriter::open(path, self.read_only, &self.sqlite_setup).map(Some)
    }

    /// PostgreSQL's own pool, when the database is PostgreSQL.
    pub(crate) fn postgres(&self) -> Option<&sqlx::PgPool> {
        self.postgres.as_ref()
    }

    /// Opens PostgreSQL connections until the pool holds `connections` (a no-op on SQLite),
    /// so that a first load's pages and index builds do not wait for theirs: each takes a
    /// few milliseconds, done while the first page downloads.
    pub(crate) async fn warm_postgres(&self, connections: usize) -> Result<(), SyncError> {
        let Some(pool) = &self.postgres else {
            return Ok(());
        };
        Ok(open_at_once(pool, connections).await?)
    }

    /// Whether a new connection to the database opens now: one try, without the pools'
    /// waiting (a pool retries a refused connection until its timeout, a minute).
    pub(crate) async fn reachable(&self) -> bool {
        match self.pool.connect_options().connect().await {
            Ok(connection) => {
                let _ = connection.close().await;
                true
            }
            Err(_) => false,
        }
    }

    /// The connection that opened the database, if no one took it yet: a session outside
    /// the pool (PostgreSQL only).
    pub(crate) fn take_spare(&self) -> Option<AnyConnection> {
        self.spare.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Closes the connections (SQLite checkpoints its write-ahead log).
    pub async fn close(&self) {
        if let Some(spare) = self.take_spare() {
            let _ = spare.close().await;
        }
        if let Some(postgres) = &self.postgres {
            close_pool(postgres).await;
        }
        close_pool(&self.pool).await;
    }

    /// A transaction that writes. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): another connection writing meanwhile (the sync's page writer, another
    /// account's sync) then makes it wait, up to the busy timeout, where a transaction that
    /// read first and wrote after the other's commit would fail at once.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, SyncError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// The connection pool, for queries of your own.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Opens connections until `pool` holds `connections`: taken at once, so each is a
/// connection of its own, and back to the pool when dropped.
async fn open_at_once<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
    connections: usize,
) -> Result<(), sqlx::Error> {
    futures::future::try_join_all((0..connections).map(|_| pool.acquire())).await?;
    Ok(())
}

/// Closes every connection of `pool`, each awaited, then the pool. sqlx 0.8's own `close`
/// stops waiting once its permits are back, so a connection put back meanwhile stayed open,
/// to be dropped at exit, and a SQLite file kept its log (sqlx issue 3217, fixed upstream
/// after 0.8.6 by pull request 3952). Two things put one back late: the task sqlx hands a
/// dropped connection back on, and the pool's pass over its idle connections (at its start,
/// then every ten minutes), which takes each out and puts it back. So connections are taken
/// out and closed here until none is left: one out meanwhile is waited for. The sync is over
/// when this runs, so none is out for long; after a few seconds the rest is left to the
/// pool's close as it is.
async fn close_pool<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        while let Some(connection) = pool.try_acquire() {
            let _ = connection.close().await;
        }
        if pool.size() == 0 || std::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    pool.close().await;
}

/// `address` with the password of its user information hidden.
fn redact(address: &str) -> String {
    let Some((scheme, rest)) = address.split_once("://") else {
        return address.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or("");
            let hidden = if user_info.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => address.to_owned(),
    }
}

/// The backend and the sqlx URL of a `--db` value.
fn address_url(address: &str) -> Result<(Backend, String), SyncError> {
    let address = address.trim();
    if address.is_empty() {
        return Err(SyncError::Address("the database address is empty".into()));
    }
    if address.starts_with("postgres://") || address.starts_with("postgresql://") {
        return Ok((Backend::Postgres, address.to_owned()));
    }
    if let Some(rest) = address.strip_prefix("sqlite:") {
        let url = if rest.contains("mode=") {
            address.to_owned()
        } else if rest.contains('?') {
            format!("{address}&mode=rwc")
        } else {
            format!("{address}?mode=rwc")
        };
        return Ok((Backend::Sqlite, url));
    }
    if let Some((scheme, _)) = address.split_once("://") {
        return Err(SyncError::Address(format!(
            "`{scheme}://` is not a database this tool writes: use sqlite://PATH, a file path, or postgres://…"
        )));
    }
    Ok((Backend::Sqlite, format!("sqlite://{address}?mode=rwc")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_new_postgres_database_opens_a_first_load_s_connections_while_it_migrates() {
        let Some((url, _, _)) = crate::test_server::empty_database("warm").await else {
            return;
        };
        let opening = Store::connect_with(&url, &StoreOptions::default())
            .await
            .expect("connects");
        assert!(opening.is_new());
        let store = opening.migrate().await.expect("migrates");
        let pages = store.postgres().expect("PostgreSQL").size() as usize;
        assert_eq!(
            pages,
            crate::indexes::AT_ONCE,
            "the pages' and index builds'"
        );
        assert_eq!(store.pool().size(), 2, "the bookkeeping's");
        store.close().await;
        // Not new: the pools connect when first used.
        let opening = Store::connect_with(&url, &StoreOptions::default())
            .await
            .expect("connects");
        assert!(!opening.is_new());
        let store = opening.migrate().await.expect("migrates");
        assert_eq!(store.postgres().expect("PostgreSQL").size(), 0);
        assert_eq!(store.pool().size(), 0);
        store.close().await;
    }

    /// Whether `store`'s connections are encrypted (read on one of them), the store closed.
    async fn encrypted(store: Store) -> bool {
        let (ssl,): (bool,) =
            sqlx::query_as("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .fetch_one(store.pool())
                .await
                .expect("read");
        store.close().await;
        ssl
    }

    /// Whether the server offers TLS at all.
    async fn server_has_tls(admin: &sqlx::PgPool) -> bool {
        let (ssl,): (String,) = sqlx::query_as("SHOW ssl")
            .fetch_one(admin)
            .await
            .expect("read");
        ssl == "on"
    }

    #[tokio::test]
    async fn a_loopback_server_is_reached_without_tls_unless_the_address_asks_for_it() {
        let Some((url, _, admin)) = crate::test_server::empty_database("loopback").await else {
            return;
        };
        let loopback = crate::loopback::without_tls(&url, None).is_some();
        let store = Store::open(&url).await.expect("opens");
        assert_eq!(encrypted(store).await, !loopback, "{}", redact(&url));
        if server_has_tls(&admin).await {
            let store = Store::open(&format!("{url}&sslmode=require"))
                .await
                .expect("opens");
            assert!(encrypted(store).await, "asked for TLS");
        }
    }

    /// A server that, like one whose `pg_hba.conf` has `hostssl` lines only, refuses a
    /// connection that does not begin with TLS: a proxy in front of `server` (`host:port`)
    /// that forwards those that do. Its address.
    async fn tls_only_proxy(server: String) -> std::net::SocketAddr {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        // The startup packet that asks for TLS: its length, then 1234 and 5679.
        const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 4, 210, 22, 47];
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let address = listener.local_addr().expect("an address");
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move {
                    let mut first = [0u8; 8];
                    if client.read_exact(&mut first).await.is_err() {
                        return;
                    }
                    if first == SSL_REQUEST {
                        let Ok(mut upstream) = tokio::net::TcpStream::connect(&server).await else {
                            return;
                        };
                        if upstream.write_all(&first).await.is_ok() {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                        }
                        return;
                    }
                    let mut fields = Vec::new();
                    for (kind, text) in [
                        (b'S', "FATAL"),
                        (b'V', "FATAL"),
                        (b'C', "28000"),
                        (b'M', "no pg_hba.conf entry: no encryption"),
                    ] {
                        fields.push(kind);
                        fields.extend_from_slice(text.as_bytes());
                        fields.push(0);
                    }
                    fields.push(0);
                    let mut message = vec![b'E'];
                    message.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
                    message.extend_from_slice(&fields);
                    let _ = client.write_all(&message).await;
                });
            }
        });
        address
    }

    #[tokio::test]
    async fn a_loopback_server_that_requires_tls_gets_it() {
        let Some((url, _, admin)) = crate::test_server::empty_database("tls_only").await else {
            return;
        };
        let parsed = url::Url::parse(&url).expect("a URL");
        let (Some(host), Some(port)) = (parsed.host_str(), parsed.port()) else {
            return;
        };
        if !server_has_tls(&admin).await || crate::loopback::without_tls(&url, None).is_none() {
            return;
        }
        let proxy = tls_only_proxy(format!("{host}:{port}")).await;
        let through = url.replacen(&format!("{host}:{port}"), &proxy.to_string(), 1);
        let store = Store::open(&through).await.expect("opens with TLS");
        assert!(encrypted(store).await);
    }

    #[tokio::test]
    async fn a_sqlite_database_is_new_until_it_is_migrated() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("new.db");
        let address = path.display().to_string();
        let options = StoreOptions::default();
        let opening = Store::connect_with(&address, &options)
            .await
            .expect("opens");
        assert!(opening.is_new(), "missing");
        // Created (empty) by the connection, not yet migrated: still new.
        drop(opening);
        assert!(
            Store::connect_with(&address, &options)
                .await
                .expect("opens")
                .is_new()
        );
        let store = Store::open(&address).await.expect("opens");
        store.close().await;
        let opening = Store::connect_with(&address, &options)
            .await
            .expect("opens");
        assert!(!opening.is_new(), "migrated");
        assert!(
            Store::connect_with("sqlite::memory:", &options)
                .await
                .expect("opens")
                .is_new()
        );
    }

    #[tokio::test]
    async fn a_writing_transaction_holds_sqlite_s_write_lock_from_its_start() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("lock.db");
        let store = Store::open(&path.display().to_string())
            .await
            .expect("opens");
        let mut tx = store.begin_write().await.expect("begins");
        // It has only read so far; another writer must still wait for it.
        sqlx::query("SELECT COUNT(*) FROM customers")
            .fetch_one(&mut *tx)
            .await
            .expect("read");
        let other = rusqlite::Connection::open(&path).expect("opens");
        other.busy_timeout(Duration::ZERO).expect("no waiting");
        let refused = other.execute_batch("BEGIN IMMEDIATE; COMMIT");
        assert!(refused.is_err(), "the other writer got the lock");
        tx.commit().await.expect("commits");
        other
            .execute_batch("BEGIN IMMEDIATE; COMMIT")
            .expect("the lock is free again");
        store.close().await;
    }

    /// A connection used just before the close is still being handed back to the pool (on
    /// a task of sqlx's own); the close waits for it, so the file's log is copied in and
    /// removed when the close returns, every time.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_close_right_after_a_query_closes_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        for round in 0..40 {
            let path = dir.path().join(format!("closed-{round}.db"));
            let store = Store::open(&path.display().to_string())
                .await
                .expect("opens");
            sqlx::query("SELECT COUNT(*) FROM customers")
                .fetch_one(store.pool())
                .await
                .expect("reads");
            store.close().await;
            let log = path.with_extension("db-wal");
            assert!(
                !log.exists(),
                "round {round}: {} is left, {} connection(s) still open",
                log.display(),
                store.pool().size()
            );
        }
    }

    /// sqlx's pass over a pool's idle connections (here every 2 ms) takes each out and puts
    /// it back; one put back while the pool closes is closed too. (A close that only waited
    /// for every connection to be idle left one open in 4 runs of 6.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_put_back_by_sqlx_s_idle_pass_is_closed_too() {
        DRIVERS.call_once(install_default_drivers);
        let dir = tempfile::tempdir().expect("temp dir");
        for round in 0..1000 {
            let path = dir.path().join(format!("passed-{round}.db"));
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .idle_timeout(Duration::from_millis(2))
                .connect(&format!("sqlite://{}?mode=rwc", path.display()))
                .await
                .expect("opens");
            pool.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1)")
                .await
                .expect("writes");
            close_pool(&pool).await;
            assert_eq!(pool.size(), 0, "round {round}: a connection is open");
            let log = path.with_extension("db-wal");
            assert!(!log.exists(), "round {round}: {} is left", log.display());
        }
    }

    #[test]
    fn addresses_name_their_backend() {
        let url = |a: &str| address_url(a).map_err(|e| e.to_string());
        assert_eq!(
            url("customers.db"),
            Ok((Backend::Sqlite, "sqlite://customers.db?mode=rwc".into()))
        );
        assert_eq!(
            url("sqlite://x.db"),
            Ok((Backend::Sqlite, "sqlite://x.db?mode=rwc".into()))
        );
        assert_eq!(
            url("sqlite://x.db?mode=ro"),
            Ok((Backend::Sqlite, "sqlite://x.db?mode=ro".into()))
        );
        assert_eq!(
            url("postgres://u@localhost/db"),
            Ok((Backend::Postgres, "postgres://u@localhost/db".into()))
        );
        assert!(url("mysql://localhost/db").is_err());
        assert_eq!(
            redact("postgres://me:p@ss:w0rd@db.example.com:5432/c?sslmode=require"),
            "postgres://me:***@db.example.com:5432/c?sslmode=require"
        );
        assert_eq!(redact("postgres://me@db/c"), "postgres://me@db/c");
        assert_eq!(redact("customers.db"), "customers.db");
        assert!(url("  ").is_err());
    }
}
