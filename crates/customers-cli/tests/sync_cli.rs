//! `customers sync`, `customers people` and profiles, end to end: the built binary against
//! the fakes, killed with SIGKILL mid-sync and resumed.

mod sync_support;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use customers_sync::Store;
use fake_vendors::{FakeConfig, FakeServer, Vendor};
use sync_support::databases::{self, column, rows, without_sync_times};
use sync_support::fake_env;
use sync_support::{binary, clean, run, sync_command, sync_pages, text};

/// Syncs `before`, then `after` (a few customers deleted at the vendor): uninterrupted, the
/// rows every interrupted run must end with.
async fn reference(before: &str, after: &str, db: &str) -> Vec<Vec<Option<String>>> {
    for url in [before, after] {
        let output = run(sync_command(url, db));
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    rows(&Store::open(db).await.expect("opens")).await
}

/// SIGKILLs a sync of `after` once the fake has answered `requests` requests, checks that
/// nothing was marked deleted, resumes, and returns the rows.
async fn killed_and_resumed(
    before: &str,
    after: &FakeServer,
    requests: usize,
    db: &str,
) -> Vec<Vec<Option<String>>> {
    let output = run(sync_command(before, db));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let answered = after.exchange_count();
    let mut child = sync_command(&after.base_url(), db)
        .spawn()
        .expect("the binary starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while after.exchange_count() < answered + requests {
        assert!(
            std::time::Instant::now() < deadline,
            "the sync never got there"
        );
        if child.try_wait().expect("waits").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    // std's kill is SIGKILL: no destructor, no rollback, no flush runs in the child.
    let _ = child.kill();
    let status = child.wait().expect("reaped");
    assert!(
        !status.success(),
        "killed after {requests} requests, it had finished"
    );

    let store = Store::open(db).await.expect("opens");
    let state = customers_sync::state::load(&store, "hoko")
        .await
        .expect("state");
    // A run begins while its first page downloads: killed that early, none is recorded,
    // and the next sync begins one at the start.
    let (pages, cursor) = state.run.map_or((0, None), |run| (run.pages, run.cursor));
    let interrupted = rows(&store).await;
    assert!(
        interrupted
            .iter()
            .all(|r| column(r, "deleted") == Some("no")),
        "an interrupted sweep marks nothing"
    );
    // Every committed page's customers are there, and the checkpoint is where they end.
    let committed = cursor.map_or(0, |c| c.offset());
    assert_eq!(committed, pages * 40, "the checkpoint moves page by page");

    // A request in flight at the kill is logged when the fake finishes answering it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let resumed_from = after.exchange_count();
    let output = run(sync_command(&after.base_url(), db));
    assert!(output.status.success(), "{}", text(&output.stderr));
    // The resumed run asks first for the last committed page again, one page before the
    // checkpoint, in case the vendor's data shifted back across the cut (Hoko's offset is
    // `skip`).
    let first = after.exchanges()[resumed_from].clone();
    let offset = first
        .query
        .iter()
        .find(|(k, _)| k == "skip")
        .map_or(0, |(_, v)| v.parse::<u64>().expect("a number"));
    assert_eq!(
        offset,
        committed.saturating_sub(40),
        "resumed a page before the checkpoint, killed after {requests}"
    );
    store.close().await;
    rows(&Store::open(db).await.expect("opens")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_at_any_point_resumes_to_the_rows_of_an_uninterrupted_one() {
    let before = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(400).seed(21))
        .await
        .expect("fake starts");
    let after = FakeServer::start(
        FakeConfig::new(Vendor::Hoko)
            .customers(400)
            .seed(21)
            .removed([0, 77, 250, 399])
            .record_exchanges(),
    )
    .await
    .expect("fake starts");
    let reference_db = databases::sqlite();
    let expected = reference(&before.base_url(), &after.base_url(), &reference_db.url).await;
    assert_eq!(
        expected
            .iter()
            .filter(|r| column(r, "deleted") == Some("yes"))
            .count(),
        4
    );
    let expected = without_sync_times(&expected);

    let mut points = vec![(1, databases::sqlite()), (4, databases::sqlite())];
    points.push((7, databases::sqlite()));
    points.push((10, databases::sqlite()));
    if let Some(server) = databases::postgres_url() {
        points.push((3, databases::postgres(&server, "killed").await));
        points.push((9, databases::postgres(&server, "killed").await));
    }
    for (requests, db) in points {
        let got = killed_and_resumed(&before.base_url(), &after, requests, &db.url).await;
        assert_eq!(
            without_sync_times(&got),
            expected,
            "{}: killed after {requests} requests",
            db.label
        );
    }
}

fn write_config(dir: &Path, text: &str) -> String {
    let path = dir.join("customers.toml");
    std::fs::write(&path, text).expect("config written");
    path.display().to_string()
}

/// How many keys (`customers_pkey`: PostgreSQL's primary key, SQLite's unique index) and
/// indexes `customers` has.
async fn keys_and_indexes(store: &Store) -> (i64, i64) {
    let sql = match store.backend() {
        customers_sync::Backend::Postgres => {
            "SELECT (SELECT COUNT(*) FROM pg_constraint \
                     WHERE conrelid = 'customers'::regclass AND contype = 'p'), \
                    (SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'customers')"
        }
        customers_sync::Backend::Sqlite => {
            "SELECT (SELECT COUNT(*) FROM sqlite_master \
                     WHERE type = 'index' AND name = 'customers_pkey'), \
                    (SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' \
                     AND tbl_name = 'customers' AND name NOT LIKE 'sqlite_autoindex%')"
        }
    };
    sqlx::query_as(sql)
        .fetch_one(store.pool())
        .await
        .expect("looked")
}

/// A first load goes in without the table's key (built at its end); killed mid-way, it
/// leaves the key out, and the next sync builds it before it writes, then resumes to the
/// rows of an uninterrupted sync, with every index back. SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_load_killed_mid_way_resumes_with_its_key() {
    let config = FakeConfig::new(Vendor::Hoko).customers(400).seed(8);
    let reference_fake = FakeServer::start(config.clone()).await.expect("fake");
    let reference_db = databases::sqlite();
    let output = run(sync_command(&reference_fake.base_url(), &reference_db.url));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let expected =
        without_sync_times(&rows(&Store::open(&reference_db.url).await.expect("opens")).await);

    // Pages of 40 that take 50 ms each: killed after 4 of 11, well before the end.
    let fake = FakeServer::start(config.jitter(Duration::from_millis(50)).record_exchanges())
        .await
        .expect("fake");
    let mut dbs = vec![databases::sqlite()];
    if let Some(server) = databases::postgres_url() {
        dbs.push(databases::postgres(&server, "first_load_killed").await);
    }
    for db in dbs {
        let start = fake.exchange_count();
        let mut child = sync_command(&fake.base_url(), &db.url)
            .spawn()
            .expect("the binary starts");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while fake.exchange_count() < start + 4 {
            assert!(std::time::Instant::now() < deadline, "never got there");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let _ = child.kill();
        assert!(!child.wait().expect("reaped").success(), "it had finished");
        let store = Store::open(&db.url).await.expect("opens");
        let state = customers_sync::state::load(&store, "hoko").await;
        assert!(state.expect("state").run.is_some(), "killed mid-run");
        assert_eq!(
            keys_and_indexes(&store).await,
            (0, 0),
            "{}: a first load writes without the key and the secondary indexes",
            db.label
        );
        store.close().await;

        let output = run(sync_command(&fake.base_url(), &db.url));
        assert!(output.status.success(), "{}", text(&output.stderr));
        let store = Store::open(&db.url).await.expect("opens");
        assert_eq!(
            without_sync_times(&rows(&store).await),
            expected,
            "{}",
            db.label
        );
        assert_eq!(
            keys_and_indexes(&store).await,
            (1, 3),
            "{}: key, email, phone",
            db.label
        );
        store.close().await;
    }
}

/// A sync that ends closes its database: a SQLite file's log is copied in and removed, so
/// the file alone (copied elsewhere, say) holds every customer; PostgreSQL's sessions end
/// as sessions should, not as connections the server finds dropped (each of which it logs
/// as an error and counts as abandoned).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_sync_closes_its_database() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(300))
        .await
        .expect("fake");
    let db = databases::sqlite();
    let output = run(sync_command(&fake.base_url(), &db.url));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    for file in [format!("{path}-wal"), format!("{path}-shm")] {
        assert!(!Path::new(&file).exists(), "{file} is left");
    }
    let copy = format!("{path}.copy");
    std::fs::copy(&path, &copy).expect("copied");
    let store = Store::open(&copy).await.expect("opens");
    assert_eq!(rows(&store).await.len(), 300, "the file alone");
    store.close().await;

    let Some(server) = databases::postgres_url() else {
        return;
    };
    let db = databases::postgres(&server, "closed").await;
    let output = run(sync_command(&fake.base_url(), &db.url));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let admin = sqlx::PgPool::connect(&server).await.expect("the server");
    let name = db.url.rsplit('/').next().unwrap_or_default();
    let name = name.split('?').next().unwrap_or_default().to_owned();
    // The server counts a session when it ends; a moment for the last to end.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (sessions, abandoned): (i64, i64) = sqlx::query_as(
        "SELECT sessions, sessions_abandoned FROM pg_stat_database WHERE datname = $1",
    )
    .bind(&name)
    .fetch_one(&admin)
    .await
    .expect("the database's statistics");
    assert!(sessions > 0, "the sync's sessions are counted");
    assert_eq!(abandoned, 0, "of {sessions} sessions");
    admin.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_all_runs_every_profile_and_a_failing_one_does_not_stop_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hoko = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(30))
        .await
        .expect("fake");
    let gleantap = FakeServer::start(FakeConfig::new(Vendor::Gleantap).customers(25))
        .await
        .expect("fake");
    let helpcrunch = FakeServer::start(FakeConfig::new(Vendor::HelpCrunch).customers(20))
        .await
        .expect("fake");
    // Gleantap's variables are renamed by its profile; HelpCrunch's key is wrong.
    let config = write_config(
        dir.path(),
        &format!(
            r#"
            [profiles.shop]
            vendor = "hoko"
            base_url = "{hoko}"
            env = {{ HOKO_API_KEY = "SHOP_KEY" }}
            rate_limit_per_minute = 6000

            [profiles.gym]
            vendor = "gleantap"
            base_url = "{gleantap}"
            env = {{ GLEANTAP_API_KEY = "GYM_KEY", GLEANTAP_SECRET_KEY = "GYM_SECRET", GLEANTAP_APP_ID = "GYM_APP" }}

            [profiles.support]
            vendor = "helpcrunch"
            base_url = "{helpcrunch}"
            "#,
            hoko = hoko.base_url(),
            gleantap = gleantap.base_url(),
            helpcrunch = helpcrunch.base_url(),
        ),
    );
    let db = dir.path().join("all.db").display().to_string();
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    let gleantap_env = fake_env(Vendor::Gleantap);
    let value = |name: &str| {
        gleantap_env
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .expect("a fake variable")
    };
    command
        .args(["sync", "--all", "--config", &config, "--db", &db])
        .env("SHOP_KEY", fake_vendors::API_KEY)
        .env("GYM_KEY", value("GLEANTAP_API_KEY"))
        .env("GYM_SECRET", value("GLEANTAP_SECRET_KEY"))
        .env("GYM_APP", value("GLEANTAP_APP_ID"))
        .env("HELPCRUNCH_API_KEY", "wrong-key");
    let output = run(command);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: support:"), "{stderr}");
    assert!(!stderr.contains("wrong-key"), "a secret leaked: {stderr}");
    assert!(stderr.contains("shop: full sweep"), "{stderr}");
    let store = Store::open(&db).await.expect("opens");
    let all = rows(&store).await;
    let count = |vendor: &str| {
        all.iter()
            .filter(|r| column(r, "vendor") == Some(vendor))
            .count()
    };
    assert_eq!(
        (count("hoko"), count("gleantap"), count("helpcrunch")),
        (30, 25, 0)
    );

    // One profile, for `list` too.
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    command
        .args(["list", "--profile", "shop", "--config", &config, "--quiet"])
        .env("SHOP_KEY", fake_vendors::API_KEY);
    let output = run(command);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout).lines().count(), 30);

    // A profile whose variable is not set is named by the variable it reads.
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    command.args(["list", "--profile", "gym", "--config", &config]);
    let output = run(command);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("GYM_KEY") && stderr.contains("GYM_SECRET") && stderr.contains("GYM_APP"),
        "{stderr}"
    );
}

/// `customers sync` with `args` (credentials of Hoko's fake in the environment).
fn sync_with(args: &[&str]) -> Output {
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    command
        .arg("sync")
        .args(args)
        .args(["--quiet"])
        .envs(fake_env(Vendor::Hoko))
        .envs(fake_env(Vendor::Gleantap));
    run(command)
}

/// Two tenants of one vendor, whose fakes serve the very same ids, in one database: each
/// account keeps its own rows, checkpoint and deletions; people link across them and name
/// each member's account; an account is not reused for another vendor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_of_one_vendor_share_a_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = FakeConfig::new(Vendor::Hoko).customers(30);
    let east = FakeServer::start(config.clone()).await.expect("fake");
    let west = FakeServer::start(config.clone()).await.expect("fake");
    let profiles = |west_url: &str| {
        write_config(
            dir.path(),
            &format!(
                "[profiles.east]\nvendor = \"hoko\"\nbase_url = \"{}\"\n\
                 [profiles.west]\nvendor = \"hoko\"\nbase_url = \"{west_url}\"\n",
                east.base_url()
            ),
        )
    };
    let both = profiles(&west.base_url());
    let db = dir.path().join("accounts.db").display().to_string();
    let output = sync_with(&["--all", "--config", &both, "--db", &db]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let store = Store::open(&db).await.expect("opens");
    let all = rows(&store).await;
    let of = |all: &[Vec<Option<String>>], account: &str| -> Vec<Vec<Option<String>>> {
        all.iter()
            .filter(|r| column(r, "account") == Some(account))
            .cloned()
            .collect()
    };
    let (first_east, first_west) = (of(&all, "east"), of(&all, "west"));
    assert_eq!(
        (first_east.len(), first_west.len(), all.len()),
        (30, 30, 60)
    );
    assert!(all.iter().all(|r| column(r, "vendor") == Some("hoko")));
    let ids = |rows: &[Vec<Option<String>>]| -> Vec<String> {
        rows.iter()
            .filter_map(|r| column(r, "id").map(str::to_owned))
            .collect()
    };
    assert_eq!(
        ids(&first_east),
        ids(&first_west),
        "the same ids, kept twice"
    );
    for account in ["east", "west"] {
        let state = customers_sync::state::load(&store, account)
            .await
            .expect("state");
        assert_eq!(state.vendor.as_deref(), Some("hoko"), "{account}");
        assert!(state.last_full_sweep_at.is_some(), "{account}");
    }
    store.close().await;

    // West's tenant deleted two customers: a sweep of west marks them, east keeps its own.
    let west_after = FakeServer::start(config.removed(vec![0, 1]))
        .await
        .expect("fake");
    let shrunk = profiles(&west_after.base_url());
    let output = sync_with(&["--profile", "west", "--config", &shrunk, "--db", &db]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let store = Store::open(&db).await.expect("opens");
    let all = rows(&store).await;
    let deleted = |rows: &[Vec<Option<String>>]| {
        rows.iter()
            .filter(|r| column(r, "deleted") == Some("yes"))
            .count()
    };
    assert_eq!(deleted(&of(&all, "west")), 2);
    assert_eq!(
        without_sync_times(&of(&all, "east")),
        without_sync_times(&first_east),
        "east is untouched"
    );
    store.close().await;

    // The same person in both accounts is one person, each member naming its account.
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    command.args(["people", "--db", &db, "--format", "jsonl"]);
    let output = run(command);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let people: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert!(!people.is_empty(), "people link across accounts");
    for person in &people {
        let accounts: std::collections::BTreeSet<&str> = person["members"]
            .as_array()
            .expect("members")
            .iter()
            .filter_map(|m| m["account"].as_str())
            .collect();
        assert!(accounts.contains("east"), "{person}");
    }
    assert!(people.iter().any(|p| {
        p["members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["account"] == "west"))
    }));

    // `--account` names the account of a --vendor sync; an account is one vendor's.
    let output = sync_with(&[
        "--vendor",
        "hoko",
        "--base-url",
        &east.base_url(),
        "--account",
        "east",
        "--db",
        &db,
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let output = sync_with(&[
        "--vendor",
        "gleantap",
        "--base-url",
        &east.base_url(),
        "--account",
        "east",
        "--db",
        &db,
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("holds hoko's customers, not gleantap's"),
        "{}",
        text(&output.stderr)
    );
    let store = Store::open(&db).await.expect("opens");
    assert_eq!(rows(&store).await.len(), 60, "no row lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_links_the_same_person_across_synced_vendors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("people.db").display().to_string();
    // Every fake writes customer N as customerN@example.com: the same people at three
    // vendors, but BotPenguin's customer 3 is deleted there.
    for (vendor, removed) in [
        (Vendor::Hoko, vec![]),
        (Vendor::CareCloud, vec![]),
        (Vendor::BotPenguin, vec![3]),
    ] {
        let seeded = FakeServer::start(FakeConfig::new(vendor).customers(5))
            .await
            .expect("fake");
        let gone = FakeServer::start(FakeConfig::new(vendor).customers(5).removed(removed))
            .await
            .expect("fake");
        for url in [seeded.base_url(), gone.base_url()] {
            let mut command = std::process::Command::new(binary());
            clean(&mut command);
            command
                .args(["sync", "--vendor", vendor.as_str(), "--base-url", &url])
                .args(["--db", &db, "--quiet"])
                .envs(fake_env(vendor));
            let output = run(command);
            assert!(
                output.status.success(),
                "{vendor}: {}",
                text(&output.stderr)
            );
        }
    }
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    command.args(["people", "--db", &db, "--default-region", "cz"]);
    let output = run(command);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let people: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(people.len(), 5, "{people:#?}");
    for person in &people {
        let members = person["members"].as_array().expect("members");
        let emails: std::collections::BTreeSet<String> = members
            .iter()
            .filter_map(|m| m["email"].as_str())
            .map(str::to_lowercase)
            .collect();
        assert_eq!(emails.len(), 1, "one person, one email: {person}");
        let email = emails.iter().next().expect("an email");
        let expected = if email == "customer3@example.com" {
            2
        } else {
            3
        };
        assert_eq!(members.len(), expected, "{person}");
        assert!(
            person["links"]
                .as_array()
                .expect("links")
                .iter()
                .any(|l| l["key"] == "email" && l["value"] == email.as_str()),
            "{person}"
        );
    }

    for format in ["csv", "table"] {
        let mut command = std::process::Command::new(binary());
        clean(&mut command);
        command.args(["people", "--db", &db, "--format", format]);
        let output = run(command);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(
            text(&output.stdout).contains("customer1@example.com"),
            "{format}"
        );
    }
    let mut command = std::process::Command::new(binary());
    clean(&mut command);
    command.args(["people", "--db", &db, "--default-region", "Atlantis"]);
    let output = run(command);
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_cannot_be_used_gets_a_clear_error_without_its_password() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(3))
        .await
        .expect("fake");
    let dir = tempfile::tempdir().expect("temp dir");
    let not_sqlite = dir.path().join("notes.txt");
    std::fs::write(
        &not_sqlite,
        "these are not the customers you are looking for\n".repeat(200),
    )
    .expect("written");
    let cases = [
        // Nothing listens on port 1.
        ("postgres://someone:hunter2-secret@127.0.0.1:1/customers", 3),
        ("mysql://localhost/customers", 2),
        (not_sqlite.to_str().expect("a UTF-8 path"), 3),
    ];
    for (db, code) in cases {
        let output = run(sync_command(&fake.base_url(), db));
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{db}: {stderr}");
        assert!(stderr.starts_with("error: "), "{db}: {stderr}");
        assert!(!stderr.contains("hunter2"), "the password leaked: {stderr}");
    }
    // The file that is not a database is left as it was.
    let kept = std::fs::read_to_string(&not_sqlite).expect("still there");
    assert!(kept.starts_with("these are not the customers"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_sync_with_130_and_the_next_one_resumes() {
    // A rate limit of 600 a minute makes the sync take seconds, so the interrupt lands
    // mid-way.
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(1000))
        .await
        .expect("fake");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("interrupted.db").display().to_string();
    let mut command = sync_command(&fake.base_url(), &db);
    command
        .args(["--rate-limit-per-minute", "600"])
        .stderr(std::process::Stdio::piped());
    let child = command.spawn().expect("runs");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = child.wait_with_output().expect("waits");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("resumes from the last committed page"),
        "{stderr}"
    );

    let store = Store::open(&db).await.expect("opens");
    let pending = customers_sync::state::load(&store, "hoko")
        .await
        .expect("state")
        .run
        .expect("a run in progress");
    let committed = rows(&store).await.len();
    assert!(committed > 0 && committed < 1000, "{committed} rows");
    assert_eq!(pending.cursor.map(|c| c.offset()), Some(committed as u64));
    store.close().await;

    let mut command = sync_command(&fake.base_url(), &db);
    command.args(["--rate-limit-per-minute", "60000"]);
    let output = run(command);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let store = Store::open(&db).await.expect("opens");
    assert_eq!(rows(&store).await.len(), 1000);
}

/// A Hoko sync of 1,000 customers in pages of 100 (11 pages with the confirming empty one),
/// each request served after a random wait so that pages download ahead of the writer.
/// Killed once a page past about 30% of the customers is served, then past about 55%, then
/// completed: the rows equal an uninterrupted sync's; the checkpoint never moves back; a
/// killed run fetched at most the page it was writing and two more past its checkpoint; and
/// the last run fetches no more than the pages left after its checkpoint (the confirming
/// empty page included) plus the one page it steps back. The fake counts a page when it has
/// served it, so each run is counted once the requests of the one before have been served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_sync_fetches_only_the_pages_left_and_the_one_it_steps_back() {
    let config = FakeConfig::new(Vendor::Hoko).customers(1_000).seed(5);
    let reference_fake = FakeServer::start(config.clone())
        .await
        .expect("fake starts");
    let reference_db = databases::sqlite();
    let command = |base_url: &str, db: &str| sync_pages(base_url, db, "100");
    let output = run(command(&reference_fake.base_url(), &reference_db.url));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let expected =
        without_sync_times(&rows(&Store::open(&reference_db.url).await.expect("opens")).await);

    let jitter = Duration::from_millis(120);
    let fake = FakeServer::start(config.jitter(jitter).record_exchanges())
        .await
        .expect("fake starts");
    // The offsets of the pages served since exchange `from`.
    let served = |from: usize| -> Vec<u64> {
        fake.exchanges()[from..]
            .iter()
            .filter_map(|e| e.query.iter().find(|(k, _)| k == "skip"))
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    };
    let db = databases::sqlite();
    let mut checkpoint = 0;
    for kill_past in [300, 550] {
        let start = fake.exchange_count();
        let mut child = command(&fake.base_url(), &db.url)
            .spawn()
            .expect("the binary starts");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !served(start).iter().any(|&skip| skip >= kill_past) {
            assert!(
                std::time::Instant::now() < deadline,
                "the sync never got there"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let _ = child.kill();
        assert!(!child.wait().expect("reaped").success(), "it had finished");
        // Requests in flight at the kill are served (and counted) after it.
        tokio::time::sleep(jitter * 3).await;
        let store = Store::open(&db.url).await.expect("opens");
        let state = customers_sync::state::load(&store, "hoko")
            .await
            .expect("state");
        store.close().await;
        let at = state
            .run
            .and_then(|run| run.cursor)
            .map_or(0, |cursor| cursor.offset());
        assert!(
            at >= checkpoint,
            "the checkpoint never moves back: {at} < {checkpoint}"
        );
        checkpoint = at;
        let ahead = served(start).iter().filter(|&&skip| skip >= at).count();
        assert!(
            ahead <= 3,
            "a run killed with its checkpoint at {at} had fetched {ahead} pages from there: {:?}",
            served(start)
        );
    }
    let start = fake.exchange_count();
    let output = run(command(&fake.base_url(), &db.url));
    assert!(output.status.success(), "{}", text(&output.stderr));
    tokio::time::sleep(jitter * 3).await;
    let fetched = served(start);
    // Pages of 100 left after the checkpoint, the empty one included, and the one before.
    let left = (1_000 - checkpoint) / 100 + 1;
    assert!(
        fetched.len() <= left as usize + 1,
        "the last run fetched {fetched:?}, resuming at {checkpoint} ({left} left)"
    );
    let got = without_sync_times(&rows(&Store::open(&db.url).await.expect("opens")).await);
    assert_eq!(got, expected, "the rows of an uninterrupted sync");
}
