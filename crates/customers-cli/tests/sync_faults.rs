//! Faults a database can throw at `customers sync`, end to end with the built binary: a
//! second sync of a running account, a process killed holding the lock, a SQLite file that
//! cannot be written or is locked, a PostgreSQL server that goes away mid-sync. Each ends
//! with a clear error and its exit code (or, where the server comes back, a sync that
//! reconnects and completes), the database intact, and a next sync that completes.

mod sync_support;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use customers_sync::Store;
use fake_vendors::{FakeConfig, FakeServer, Vendor};
use sqlx::Connection;
use sync_support::databases::{self, rows, without_sync_times};
use sync_support::proxy::Proxy;
use sync_support::{run, sync_pages, text};

/// A Hoko fake of `customers` whose every request waits up to `jitter`.
async fn slow_fake(customers: usize, jitter: u64) -> FakeServer {
    FakeServer::start(
        FakeConfig::new(Vendor::Hoko)
            .customers(customers)
            .jitter(Duration::from_millis(jitter))
            .record_exchanges(),
    )
    .await
    .expect("fake starts")
}

/// Starts a sync of `fake` into `db` in pages of 10 and waits until the fake served
/// `pages` pages to it.
async fn started(fake: &FakeServer, db: &str, pages: usize) -> Child {
    started_with(fake, sync_pages(&fake.base_url(), db, "10"), pages).await
}

/// Starts `command`, a sync of `fake`, and waits until the fake served `pages` pages to it.
async fn started_with(
    fake: &FakeServer,
    mut command: std::process::Command,
    pages: usize,
) -> Child {
    let before = fake.exchange_count();
    command.stderr(Stdio::piped());
    let child = command.spawn().expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while fake.exchange_count() < before + pages {
        assert!(Instant::now() < deadline, "the sync never got going");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child
}

/// The rows of an uninterrupted sync of 100 Hoko customers (seed 1), as the others must end.
async fn reference() -> Vec<Vec<Option<String>>> {
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(100))
        .await
        .expect("fake starts");
    let db = databases::sqlite();
    let output = run(sync_pages(&fake.base_url(), &db.url, "10"));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let store = Store::open(&db.url).await.expect("opens");
    without_sync_times(&rows(&store).await)
}

async fn synced_rows(db: &str) -> Vec<Vec<Option<String>>> {
    let store = Store::open(db).await.expect("opens");
    let rows = without_sync_times(&rows(&store).await);
    store.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sync_of_one_account_refuses_naming_the_first_and_a_killed_one_does_not_block() {
    let expected = reference().await;
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    for db in databases::all("lock").await {
        // An existing database, so that a page served means the first holds the lock: into a
        // new one, its first page is requested before (while the schema is created, a head
        // start), and a page served after a short wait let the second take the lock first.
        Store::open(&db.url).await.expect("opens").close().await;
        let slow = slow_fake(100, 400).await;
        let mut first = started(&slow, &db.url, 1).await;

        let fast = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(100))
            .await
            .expect("fake starts");
        let begun = Instant::now();
        let output = run(sync_pages(&fast.base_url(), &db.url, "10"));
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{}: {stderr}", db.label);
        assert!(
            begun.elapsed() < Duration::from_secs(10),
            "{}: it refused at once",
            db.label
        );
        for said in [
            "another sync of the account `hoko` is running".to_owned(),
            format!("pid {}", first.id()),
            format!("on {host}"),
            "started 20".to_owned(),
        ] {
            assert!(stderr.contains(&said), "{}: {said:?} in {stderr}", db.label);
        }

        // Another account is another lock.
        let mut other = sync_pages(&fast.base_url(), &db.url, "10");
        other.args(["--account", "hoko-2"]);
        let output = run(other);
        assert!(
            output.status.success(),
            "{}: {}",
            db.label,
            text(&output.stderr)
        );

        // The first dies holding the lock: the next sync is not blocked, and completes.
        let _ = first.kill();
        let _ = first.wait();
        let output = run(sync_pages(&fast.base_url(), &db.url, "10"));
        assert!(
            output.status.success(),
            "{}: {}",
            db.label,
            text(&output.stderr)
        );
        let hoko: Vec<Vec<Option<String>>> = synced_rows(&db.url)
            .await
            .into_iter()
            .filter(|row| row.first().and_then(|a| a.as_deref()) == Some("hoko"))
            .collect();
        assert_eq!(hoko, expected, "{}", db.label);
    }
}

/// What a failed write must leave: the database whole, the checkpoint where it was.
async fn intact(db: &str, checkpoint: &customers_sync::SyncState) {
    let store = Store::open(db).await.expect("opens");
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(store.pool())
        .await
        .expect("checked");
    assert_eq!(check, "ok");
    let now = customers_sync::state::load(&store, "hoko")
        .await
        .expect("state");
    assert_eq!(&now, checkpoint, "the checkpoint is unchanged");
    store.close().await;
}

/// A SQLite database interrupted after its first pages: its file and checkpoint.
async fn interrupted_sqlite() -> (databases::Database, customers_sync::SyncState) {
    let db = databases::sqlite();
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(100))
        .await
        .expect("fake starts");
    let mut command = sync_pages(&fake.base_url(), &db.url, "10");
    // Three pages, then the page limit stops it (exit 1) with a run in progress.
    command.args(["--max-pages", "3"]);
    let output = run(command);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let store = Store::open(&db.url).await.expect("opens");
    let state = customers_sync::state::load(&store, "hoko")
        .await
        .expect("state");
    assert_eq!(state.run.as_ref().map(|r| r.pages), Some(3));
    store.close().await;
    (db, state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_that_cannot_be_written_exits_3_intact_and_the_next_sync_completes() {
    let expected = reference().await;
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(100))
        .await
        .expect("fake starts");

    // Opened read-only (as SQLite opens a file its user may not write).
    let (db, checkpoint) = interrupted_sqlite().await;
    let output = run(sync_pages(
        &fake.base_url(),
        &format!("{}?mode=ro", db.url),
        "10",
    ));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("readonly"), "{stderr}");
    intact(&db.url, &checkpoint).await;
    let output = run(sync_pages(&fake.base_url(), &db.url, "10"));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(synced_rows(&db.url).await, expected);

    // Locked by another process's write for longer than the sync waits.
    let (db, checkpoint) = interrupted_sqlite().await;
    sqlx::any::install_default_drivers();
    let mut holder = sqlx::AnyConnection::connect(&db.url)
        .await
        .expect("connects");
    sqlx::Executor::execute(&mut holder, "BEGIN EXCLUSIVE")
        .await
        .expect("locked");
    let mut command = sync_pages(&fake.base_url(), &db.url, "10");
    command.args(["--busy-timeout", "0.5"]);
    let output = run(command);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("locked"), "{stderr}");
    sqlx::Executor::execute(&mut holder, "ROLLBACK")
        .await
        .expect("unlocked");
    drop(holder);
    intact(&db.url, &checkpoint).await;
    let output = run(sync_pages(&fake.base_url(), &db.url, "10"));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(synced_rows(&db.url).await, expected);
}

/// Ends every session of the database at `url` but the caller's: how many.
async fn end_sessions(admin: &sqlx::PgPool, url: &str) -> i64 {
    let name = url
        .rsplit('/')
        .next()
        .and_then(|n| n.split('?').next())
        .expect("a name");
    let (ended,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()) AS t",
    )
    .bind(name)
    .fetch_one(admin)
    .await
    .expect("terminated");
    ended
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_session_ended_mid_sync_is_reconnected_and_the_sync_completes() {
    let Some(server) = databases::postgres_url() else {
        return;
    };
    let expected = reference().await;
    let db = databases::postgres(&server, "terminated").await;
    let slow = slow_fake(100, 400).await;
    let mut command = sync_pages(&slow.base_url(), &db.url, "10");
    command.env("RUST_LOG", "customers_sync=warn");
    let first = started_with(&slow, command, 3).await;
    let admin = sqlx::PgPool::connect(&server).await.expect("connects");
    assert!(
        end_sessions(&admin, &db.url).await > 0,
        "the sync's sessions were there"
    );
    let output = first.wait_with_output().expect("waits");
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("went away") && stderr.contains("terminat"),
        "the reconnection and its cause are told: {stderr}"
    );
    assert_eq!(synced_rows(&db.url).await, expected);
    admin.close().await;
}

/// A sync under way into PostgreSQL through a [`Proxy`].
struct BehindProxy {
    child: Child,
    proxy: Proxy,
    /// The database's address (not through the proxy).
    db: String,
    /// The rows an uninterrupted sync ends with.
    expected: Vec<Vec<Option<String>>>,
    /// The slow fake the sync reads, served while this lives.
    _fake: FakeServer,
}

impl BehindProxy {
    /// Waits for the sync, which must succeed with the rows of an uninterrupted one: its
    /// stderr.
    async fn completes(self) -> String {
        let output = self.child.wait_with_output().expect("waits");
        let stderr = text(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert_eq!(synced_rows(&self.db).await, self.expected);
        stderr
    }
}

/// A sync into a new PostgreSQL database `name` through a [`Proxy`], with `args` (and
/// warnings logged), three pages into a slow fake. None without a server.
async fn started_behind_proxy(name: &str, args: &[&str]) -> Option<BehindProxy> {
    let server = databases::postgres_url()?;
    let expected = reference().await;
    let db = databases::postgres(&server, name).await;
    let proxy = Proxy::start(&server).await;
    let fake = slow_fake(100, 400).await;
    let mut command = sync_pages(&fake.base_url(), &proxy.url(&db.url), "10");
    command.args(args).env("RUST_LOG", "customers_sync=warn");
    let child = started_with(&fake, command, 3).await;
    Some(BehindProxy {
        child,
        proxy,
        db: db.url,
        expected,
        _fake: fake,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_server_that_restarts_mid_sync_is_waited_for_and_the_sync_completes() {
    let Some(under_way) = started_behind_proxy("restarts", &[]).await else {
        return;
    };
    // Down for two seconds: every connection dropped, none taken.
    under_way.proxy.take_down();
    tokio::time::sleep(Duration::from_secs(2)).await;
    under_way.proxy.bring_up();
    let stderr = under_way.completes().await;
    assert!(
        stderr.contains("went away"),
        "the reconnection is told: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_session_still_holding_the_lock_is_waited_for_and_the_sync_completes() {
    let Some(under_way) = started_behind_proxy("lingers", &[]).await else {
        return;
    };
    // Connections cut without a word: the server keeps the sync's sessions, its lock
    // among them, and finds them gone a second after the network is back.
    under_way.proxy.take_down_leaving_server_sessions();
    tokio::time::sleep(Duration::from_millis(500)).await;
    under_way.proxy.bring_up();
    tokio::time::sleep(Duration::from_secs(1)).await;
    under_way.proxy.end_server_sessions();
    under_way.completes().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_server_away_longer_than_the_sync_waits_exits_3_and_the_next_sync_completes() {
    let Some(under_way) = started_behind_proxy("away", &["--reconnect-for", "1.5"]).await else {
        return;
    };
    under_way.proxy.take_down();
    let begun = Instant::now();
    let output = under_way.child.wait_with_output().expect("waits");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        begun.elapsed() < Duration::from_secs(30),
        "it gave up after the time allowed"
    );
    assert!(
        stderr.contains("the database went away") && stderr.contains("reconnection tries"),
        "the cause and the tries are named: {stderr}"
    );
    under_way.proxy.bring_up();
    let fast = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(100))
        .await
        .expect("fake starts");
    let output = run(sync_pages(
        &fast.base_url(),
        &under_way.proxy.url(&under_way.db),
        "10",
    ));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(synced_rows(&under_way.db).await, under_way.expected);
}
