//! `customers_sync::sync` against the fakes of all five vendors, into SQLite and into a real
//! PostgreSQL server: upserts, unchanged re-syncs, deletions, incremental syncs.

mod support;

use std::collections::BTreeSet;

use customers_sync::{HeadStart, Store, StoreOptions, SyncMode, SyncOptions, sync, sync_with};
use fake_vendors::{FakeConfig, FakeServer, Vendor};
use futures::StreamExt;
use support::databases::{self, column, rows, without_sync_times};
use support::fake_client;

const ALL: [Vendor; 5] = Vendor::ALL;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vendor_syncs_and_an_unchanged_resync_moves_only_last_synced_at() {
    for db in databases::all("unchanged").await {
        let store = Store::open(&db.url).await.expect("the database opens");
        for vendor in ALL {
            let fake = FakeServer::start(FakeConfig::new(vendor).customers(57).seed(11))
                .await
                .expect("fake starts");
            let client = fake_client(vendor, &fake.base_url(), 20)
                .build()
                .expect("client");
            let report = sync(&store, &client, &SyncOptions::new())
                .await
                .unwrap_or_else(|e| panic!("{}: {vendor}: {e}", db.label));
            assert_eq!(report.customers, 57, "{}: {vendor}", db.label);
            assert_eq!(report.new, 57, "{}: {vendor}", db.label);
            assert_eq!(report.mode, SyncMode::Full);

            // The rows are what the facade lists, field for field.
            let listed: Vec<customers::Customer> = client
                .list(customers::Query::new())
                .map(|c| c.expect("listed"))
                .collect()
                .await;
            let all = rows(&store).await;
            let mine: Vec<&Vec<Option<String>>> = all
                .iter()
                .filter(|r| column(r, "vendor") == Some(vendor.as_str()))
                .collect();
            assert_eq!(mine.len(), listed.len(), "{}: {vendor}", db.label);
            for customer in &listed {
                let row = mine
                    .iter()
                    .find(|r| column(r, "id") == Some(customer.id.as_str()))
                    .unwrap_or_else(|| panic!("{vendor} {} has a row", customer.id));
                assert_eq!(column(row, "email"), customer.email.as_deref());
                assert_eq!(column(row, "name"), customer.name.as_deref());
                assert_eq!(column(row, "phone"), customer.phone.as_deref());
                let raw: serde_json::Value =
                    serde_json::from_str(column(row, "raw").expect("raw")).expect("raw is JSON");
                assert_eq!(raw, customer.raw.to_value(), "{vendor}: raw");
                assert_eq!(
                    column(row, "created_at").map(|t| t.to_owned()),
                    customer.created_at.map(customers_sync::time_text),
                );
                assert_eq!(column(row, "deleted"), Some("no"));
            }
        }
        // The same data again: nothing but last_synced_at changes.
        let before = rows(&store).await;
        let mut swept = BTreeSet::new();
        for vendor in ALL {
            let fake = FakeServer::start(FakeConfig::new(vendor).customers(57).seed(11))
                .await
                .expect("fake starts");
            let client = fake_client(vendor, &fake.base_url(), 20)
                .build()
                .expect("client");
            let report = sync(&store, &client, &SyncOptions::new())
                .await
                .expect("resync");
            assert_eq!(report.new, 0, "{}: {vendor}", db.label);
            assert_eq!(report.marked_deleted, 0);
            // Gleantap's second sync asks only for what changed: nothing, so no row moves.
            if report.mode == SyncMode::Full {
                swept.insert(vendor.as_str());
            }
        }
        assert_eq!(
            swept.len(),
            ALL.len() - 1,
            "all but Gleantap sweep again: {swept:?}"
        );
        let after = rows(&store).await;
        assert_eq!(after.len(), 5 * 57);
        assert_eq!(
            without_sync_times(&before),
            without_sync_times(&after),
            "{}",
            db.label
        );
        for (old, new) in before.iter().zip(&after) {
            assert_eq!(
                column(old, "first_synced_at"),
                column(new, "first_synced_at")
            );
            let vendor = column(new, "vendor").expect("vendor");
            if swept.contains(vendor) {
                assert!(column(new, "last_synced_at") > column(old, "last_synced_at"));
            } else {
                assert_eq!(column(new, "last_synced_at"), column(old, "last_synced_at"));
            }
        }

        // Every fake writes customer N as customerN@example.com: 57 people, each at every
        // vendor whose records carry an email, read back from this database.
        let people = customers_sync::people(&store, None)
            .await
            .expect("people are read");
        assert_eq!(people.len(), 57, "{}", db.label);
        for person in &people {
            let vendors: BTreeSet<&str> =
                person.members.iter().map(|m| m.vendor.as_str()).collect();
            assert_eq!(vendors.len(), person.members.len(), "one member per vendor");
            assert!(vendors.len() >= 2, "{person:?}");
            assert!(
                person
                    .links
                    .iter()
                    .all(|l| l.key == customers_sync::LinkKey::Email)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complete_sweep_marks_the_missing_deleted_and_clears_those_that_return() {
    for db in databases::all("deletions").await {
        let store = Store::open(&db.url).await.expect("the database opens");
        for vendor in ALL {
            let run = |config: FakeConfig, max_pages: Option<u32>| {
                let store = store.clone();
                async move {
                    let fake = FakeServer::start(config).await.expect("fake starts");
                    let client = fake_client(vendor, &fake.base_url(), 10)
                        .max_pages(max_pages)
                        .build()
                        .expect("client");
                    // Full: only a sweep marks deletions (Gleantap would sync incrementally).
                    sync(&store, &client, &SyncOptions::new().full(true)).await
                }
            };
            let config = || FakeConfig::new(vendor).customers(35).seed(4);
            run(config(), None).await.expect("first sync");
            let deleted = |rows: &[Vec<Option<String>>]| -> BTreeSet<String> {
                rows.iter()
                    .filter(|r| column(r, "vendor") == Some(vendor.as_str()))
                    .filter(|r| column(r, "deleted") == Some("yes"))
                    .filter_map(|r| column(r, "id").map(str::to_owned))
                    .collect()
            };
            let ids_of = |indexes: &[usize]| -> BTreeSet<String> {
                let records = config().records();
                let all: BTreeSet<String> = records.iter().map(id_of).collect();
                let kept: BTreeSet<String> = config()
                    .removed(indexes.iter().copied())
                    .records()
                    .iter()
                    .map(id_of)
                    .collect();
                all.difference(&kept).cloned().collect()
            };

            // An interrupted sweep (a page limit) marks nothing.
            let err = run(config().removed([3, 20]), Some(1)).await;
            assert!(err.is_err(), "{vendor}: the page limit stops the sweep");
            assert!(
                deleted(&rows(&store).await).is_empty(),
                "{}: {vendor}",
                db.label
            );

            // Its resumption completes the sweep and marks the two.
            let report = run(config().removed([3, 20]), None).await.expect("resumed");
            assert!(report.resumed_from.is_some(), "{vendor}: resumed");
            assert_eq!(report.marked_deleted, 2, "{}: {vendor}", db.label);
            assert_eq!(deleted(&rows(&store).await), ids_of(&[3, 20]));

            // One comes back: it is no longer deleted; rows are never removed.
            let report = run(config().removed([20]), None).await.expect("third sync");
            assert_eq!(report.marked_deleted, 0);
            assert_eq!(deleted(&rows(&store).await), ids_of(&[20]));
            let count = rows(&store)
                .await
                .iter()
                .filter(|r| column(r, "vendor") == Some(vendor.as_str()))
                .count();
            assert_eq!(count, 35, "{vendor}: no row is removed");
        }
    }
}

/// The vendor's id of a fake's record, as the facade writes it.
fn id_of(record: &serde_json::Value) -> String {
    let id = ["id", "_id", "customer_id"]
        .iter()
        .find_map(|key| record.get(*key))
        .expect("a record has an id");
    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
}

/// 40 Gleantap customers (seed 8), two of them (5 and 9) changed since a first sync.
fn gleantap_config() -> FakeConfig {
    FakeConfig::new(Vendor::Gleantap).customers(40).seed(8)
}

/// `db` opened and synced once (a full sweep) from a fake Gleantap, then a fake of the same
/// customers with two changed since, which records what it is asked, and a client of it.
async fn gleantap_synced_then_changed(
    db: &databases::Database,
) -> (Store, FakeServer, customers::CustomersClient) {
    let store = Store::open(&db.url).await.expect("the database opens");
    let fake = FakeServer::start(gleantap_config())
        .await
        .expect("fake starts");
    let client = fake_client(Vendor::Gleantap, &fake.base_url(), 15)
        .build()
        .expect("client");
    let first = sync(&store, &client, &SyncOptions::new())
        .await
        .expect("first");
    assert_eq!(first.mode, SyncMode::Full);
    let changed = FakeServer::start(gleantap_config().changed([5, 9]).record_exchanges())
        .await
        .expect("fake starts");
    let client = fake_client(Vendor::Gleantap, &changed.base_url(), 15)
        .build()
        .expect("client");
    (store, changed, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gleantap_syncs_only_what_changed_since_the_last_sync_less_two_days() {
    for db in databases::all("incremental").await {
        let (store, changed, client) = gleantap_synced_then_changed(&db).await;
        let before = rows(&store).await;
        // The rows the first sync wrote: the changed fake has not been asked yet.
        assert!(changed.exchanges().is_empty());
        let second = sync(&store, &client, &SyncOptions::new())
            .await
            .expect("second");
        let state = customers_sync::state::load(&store, "gleantap")
            .await
            .expect("state");
        let SyncMode::Incremental { since } = second.mode else {
            panic!("{}: the second Gleantap sync is incremental", db.label);
        };
        let first_started = state
            .last_full_sweep_at
            .expect("the first was a full sweep");
        assert_eq!(since, first_started - chrono::Duration::days(2));
        assert_eq!(second.customers, 2, "{}: only the changed two", db.label);
        assert_eq!(
            second.marked_deleted, 0,
            "an incremental sync marks nothing"
        );
        // What Gleantap was asked: the day, on the wire.
        let bodies: Vec<serde_json::Value> = changed
            .exchanges()
            .iter()
            .map(|e| serde_json::from_slice(&e.request_body).expect("JSON body"))
            .collect();
        let day = since.date_naive().format("%Y-%m-%d").to_string();
        assert!(
            bodies.iter().all(|b| b["updated_since"] == day.as_str()),
            "{bodies:?}"
        );

        let after = rows(&store).await;
        let changed_ids = {
            let all = gleantap_config().records();
            BTreeSet::from([id_of(&all[5]), id_of(&all[9])])
        };
        for (old, new) in before.iter().zip(&after) {
            let id = column(new, "id").expect("id");
            let moved = column(new, "last_synced_at") > column(old, "last_synced_at");
            assert_eq!(moved, changed_ids.contains(id), "{}: {id}", db.label);
        }

        // --full sweeps everything again.
        let third = sync(&store, &client, &SyncOptions::new().full(true))
            .await
            .expect("third");
        assert_eq!(third.mode, SyncMode::Full);
        assert_eq!(third.customers, 40);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendors_without_a_server_side_change_filter_always_sweep() {
    let db = databases::sqlite();
    let store = Store::open(&db.url).await.expect("the database opens");
    for vendor in [
        Vendor::Hoko,
        Vendor::CareCloud,
        Vendor::BotPenguin,
        Vendor::HelpCrunch,
    ] {
        let fake = FakeServer::start(FakeConfig::new(vendor).customers(12))
            .await
            .expect("fake starts");
        let client = fake_client(vendor, &fake.base_url(), 50)
            .build()
            .expect("client");
        for _ in 0..2 {
            let report = sync(&store, &client, &SyncOptions::new())
                .await
                .expect("sync");
            assert_eq!(report.mode, SyncMode::Full, "{vendor}");
            assert_eq!(report.customers, 12, "{vendor}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_incremental_sync_resumes_as_itself_and_full_drops_it() {
    // On PostgreSQL two pages are written at once: a listing that fails still leaves the
    // page before it committed.
    for db in databases::all("incremental_resume").await {
        let store = Store::open(&db.url).await.expect("the database opens");
        let config = || FakeConfig::new(Vendor::Gleantap).customers(40).seed(5);
        let fake = FakeServer::start(config()).await.expect("fake starts");
        let client = fake_client(Vendor::Gleantap, &fake.base_url(), 10)
            .build()
            .expect("client");
        sync(&store, &client, &SyncOptions::new())
            .await
            .expect("first, full");

        let changed = FakeServer::start(config().changed(0..25))
            .await
            .expect("fake starts");
        let limited = fake_client(Vendor::Gleantap, &changed.base_url(), 10)
            .max_pages(Some(1))
            .build()
            .expect("client");
        let err = sync(&store, &limited, &SyncOptions::new())
            .await
            .expect_err("page limit");
        assert!(err.to_string().contains("page limit"), "{err}");
        let pending = customers_sync::state::load(&store, "gleantap")
            .await
            .expect("state")
            .run
            .expect("a run in progress");
        assert!(!pending.full && pending.since.is_some());
        assert_eq!(pending.pages, 1);

        let client = fake_client(Vendor::Gleantap, &changed.base_url(), 10)
            .build()
            .expect("client");
        let resumed = sync(&store, &client, &SyncOptions::new())
            .await
            .expect("resumed");
        assert_eq!(
            resumed.mode,
            SyncMode::Incremental {
                since: pending.since.expect("since")
            }
        );
        assert_eq!(resumed.resumed_from.map(|c| c.offset()), Some(10));
        // Resumed one page before the checkpoint: the first page again, then the other 15.
        assert_eq!(resumed.customers, 25);

        // An incremental run left pending is dropped by --full, which starts a sweep.
        let _ = sync(&store, &limited, &SyncOptions::new())
            .await
            .expect_err("page limit");
        let full = sync(&store, &client, &SyncOptions::new().full(true))
            .await
            .expect("full");
        assert_eq!(full.mode, SyncMode::Full);
        assert_eq!(full.resumed_from, None);
        assert_eq!(full.customers, 40);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_shifted_back_across_the_cut_of_a_resumed_sweep_are_not_marked_deleted() {
    let db = databases::sqlite();
    let store = Store::open(&db.url).await.expect("the database opens");
    let config = || FakeConfig::new(Vendor::Hoko).customers(30).seed(6);
    let fake = FakeServer::start(config()).await.expect("fake starts");
    let client = fake_client(Vendor::Hoko, &fake.base_url(), 10)
        .build()
        .expect("client");
    sync(&store, &client, &SyncOptions::new())
        .await
        .expect("first sweep");

    // A second sweep stops after two pages: its checkpoint is at offset 20.
    let limited = fake_client(Vendor::Hoko, &fake.base_url(), 10)
        .max_pages(Some(2))
        .build()
        .expect("client");
    sync(&store, &limited, &SyncOptions::new())
        .await
        .expect_err("page limit");
    // Meanwhile the first two customers listed (Hoko lists newest first) are deleted at the
    // vendor: those at offsets 20 and 21 move back to 18 and 19, before the checkpoint.
    let shifted = FakeServer::start(config().removed([28, 29]))
        .await
        .expect("fake starts");
    let client = fake_client(Vendor::Hoko, &shifted.base_url(), 10)
        .build()
        .expect("client");
    let report = sync(&store, &client, &SyncOptions::new())
        .await
        .expect("resumed");
    assert_eq!(report.resumed_from.map(|c| c.offset()), Some(20));
    let records = config().records();
    let deleted = |rows: Vec<Vec<Option<String>>>| -> (BTreeSet<String>, Vec<usize>) {
        let ids: BTreeSet<String> = rows
            .iter()
            .filter(|r| column(r, "deleted") == Some("yes"))
            .filter_map(|r| column(r, "id").map(str::to_owned))
            .collect();
        let indexes = ids
            .iter()
            .filter_map(|id| records.iter().position(|r| &id_of(r) == id))
            .collect();
        (ids, indexes)
    };
    // The two deleted were seen by this sweep before they went; nobody else is missing.
    let (ids, indexes) = deleted(rows(&store).await);
    assert!(ids.is_empty(), "falsely deleted: customers {indexes:?}");
    assert_eq!(report.marked_deleted, 0);
    // The next sweep marks exactly the two.
    let report = sync(&store, &client, &SyncOptions::new())
        .await
        .expect("next sweep");
    assert_eq!(report.marked_deleted, 2);
    let expected = BTreeSet::from([id_of(&records[28]), id_of(&records[29])]);
    let (ids, index) = deleted(rows(&store).await);
    assert_eq!(ids, expected, "deleted: customers {index:?}");
}

/// A new SQLite database and the files SQLite makes beside it are its owner's only, whatever
/// the umask; an existing database keeps its mode.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_sqlite_database_and_its_wal_and_shm_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let db = databases::sqlite();
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    let store = Store::open(&db.url).await.expect("the database opens");
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(5))
        .await
        .expect("fake starts");
    let client = fake_client(Vendor::Hoko, &fake.base_url(), 50)
        .build()
        .expect("client");
    sync(&store, &client, &SyncOptions::new())
        .await
        .expect("sync");
    let mode = |p: &str| {
        std::fs::metadata(p)
            .unwrap_or_else(|err| panic!("{p}: {err}"))
            .permissions()
            .mode()
            & 0o777
    };
    // The write-ahead log and its index exist while the database is open.
    for file in [path.clone(), format!("{path}-wal"), format!("{path}-shm")] {
        assert_eq!(mode(&file), 0o600, "{file}");
    }
    store.close().await;
    let shared = db.url.replace("customers.db", "shared.db");
    let shared_path = path.replace("customers.db", "shared.db");
    std::fs::write(&shared_path, b"").expect("an empty file");
    std::fs::set_permissions(&shared_path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let store = Store::open(&shared).await.expect("the database opens");
    store.close().await;
    assert_eq!(mode(&shared_path), 0o640, "an existing file keeps its mode");
}

/// A full disk, simulated with SQLite's `max_page_count` (no page may be added): the sync
/// fails with SQLite's "full" error, the database stays whole and its checkpoint where the
/// last committed page left it; once there is room, the next sync completes with the rows of
/// an uninterrupted one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sqlite_disk_fails_the_sync_intact_and_the_next_one_completes() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(300))
        .await
        .expect("fake starts");
    let client = |pages: Option<u32>| {
        fake_client(Vendor::Hoko, &fake.base_url(), 20)
            .max_pages(pages)
            .build()
            .expect("client")
    };
    let reference = databases::sqlite();
    let store = Store::open(&reference.url).await.expect("opens");
    sync(&store, &client(None), &SyncOptions::new())
        .await
        .expect("uninterrupted");
    let expected = without_sync_times(&rows(&store).await);
    store.close().await;

    let db = databases::sqlite();
    let store = Store::open(&db.url).await.expect("opens");
    sync(&store, &client(Some(2)), &SyncOptions::new())
        .await
        .expect_err("the page limit interrupts it");
    let before = customers_sync::state::load(&store, "hoko")
        .await
        .expect("state");
    // The database may not grow any more.
    let (pages,): (i64,) = sqlx::query_as("PRAGMA page_count")
        .fetch_one(store.pool())
        .await
        .expect("page count");
    store.close().await;
    let limited = StoreOptions::default().max_pages(u32::try_from(pages).ok());
    let store = Store::open_with(&db.url, &limited).await.expect("opens");
    let mut committed = None;
    let err = customers_sync::sync_observed(&store, &client(None), &SyncOptions::new(), |page| {
        committed = page.next;
    })
    .await
    .expect_err("the disk is full");
    assert!(
        matches!(err, customers_sync::SyncError::Sqlite(_)) && err.to_string().contains("full"),
        "{err}"
    );
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(store.pool())
        .await
        .expect("checked");
    assert_eq!(check, "ok");
    let after = customers_sync::state::load(&store, "hoko")
        .await
        .expect("state");
    // The checkpoint is the last committed page's (the free room left in the file's pages
    // took a few): the page that needed a new one did not move it, nor wrote a row.
    let cursor = after.run.as_ref().and_then(|r| r.cursor);
    let before_cursor = before.run.as_ref().and_then(|r| r.cursor);
    assert_eq!(
        cursor,
        committed.or(before_cursor),
        "the checkpoint is unchanged"
    );
    let offset = cursor.map_or(0, |c| c.offset());
    assert!(offset < 300, "it failed before the end");
    assert_eq!(
        rows(&store).await.len() as u64,
        offset,
        "rows as far as the checkpoint"
    );

    // Room again.
    store.close().await;
    let store = Store::open(&db.url).await.expect("opens");
    sync(&store, &client(None), &SyncOptions::new())
        .await
        .expect("completes");
    assert_eq!(without_sync_times(&rows(&store).await), expected);
}

/// The names of the secondary indexes `customers` has now, on either backend (the key's,
/// `customers_pkey` on both, apart).
async fn secondary_indexes(store: &Store) -> BTreeSet<String> {
    let sql = match store.backend() {
        customers_sync::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' \
             AND name NOT LIKE 'sqlite_autoindex%' AND name <> 'customers_pkey'"
        }
        customers_sync::Backend::Postgres => {
            "SELECT CAST(indexname AS TEXT) FROM pg_indexes WHERE tablename = 'customers' \
             AND indexname <> 'customers_pkey'"
        }
    };
    let names: Vec<(String,)> = sqlx::query_as(sql)
        .fetch_all(store.pool())
        .await
        .expect("indexes listed");
    names.into_iter().map(|(name,)| name).collect()
}

/// A first load into an empty table builds the email and phone indexes once at the end: an
/// interrupted one has none yet, the sync that completes it has both; a later sync into the
/// filled table keeps them throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_load_builds_the_secondary_indexes_when_it_completes() {
    let both: BTreeSet<String> = ["customers_email", "customers_phone"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for db in databases::all("indexes").await {
        let store = Store::open(&db.url).await.expect("opens");
        assert_eq!(
            secondary_indexes(&store).await,
            both,
            "{}: as migrated",
            db.label
        );
        let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(60))
            .await
            .expect("fake starts");
        let client = |pages: Option<u32>| {
            fake_client(Vendor::Hoko, &fake.base_url(), 20)
                .max_pages(pages)
                .build()
                .expect("client")
        };
        sync(&store, &client(Some(1)), &SyncOptions::new())
            .await
            .expect_err("interrupted");
        assert!(
            secondary_indexes(&store).await.is_empty(),
            "{}: deferred",
            db.label
        );
        sync(&store, &client(None), &SyncOptions::new())
            .await
            .expect("completes");
        assert_eq!(secondary_indexes(&store).await, both, "{}: built", db.label);
        sync(&store, &client(Some(1)), &SyncOptions::new().full(true))
            .await
            .expect_err("interrupted");
        assert_eq!(secondary_indexes(&store).await, both, "{}: kept", db.label);
        store.close().await;
    }
}

/// An in-memory SQLite database (the store's one connection, no file for a writer of the
/// sync's own) holds the same rows as a file after the same syncs, deletions included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_memory_sqlite_database_syncs_as_a_file_does() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(95).seed(3))
        .await
        .expect("fake starts");
    let client = fake_client(Vendor::Hoko, &fake.base_url(), 20)
        .build()
        .expect("client");
    let file = databases::sqlite();
    let mut held = Vec::new();
    let memory = databases::sqlite_in_memory();
    for url in [file.url.as_str(), memory.url.as_str()] {
        let store = Store::open(url).await.expect("the database opens");
        for _ in 0..2 {
            let report = sync(&store, &client, &SyncOptions::new().full(true))
                .await
                .expect("synced");
            assert_eq!(report.customers, 95, "{url}");
        }
        held.push(without_sync_times(&rows(&store).await));
        store.close().await;
    }
    assert_eq!(held[0].len(), 95);
    assert_eq!(held[0], held[1]);
}

/// A sync reports the customers it saw first, whichever way it knows: counted by its pages
/// (a first load, an upsert into SQLite) or by the rows at the end (a resumed run, an
/// upsert into PostgreSQL, an in-memory SQLite database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_counts_the_customers_it_saw_first() {
    let mut databases = databases::all("new_counts").await;
    databases.push(databases::sqlite_in_memory());
    for db in databases {
        let store = Store::open(&db.url).await.expect("the database opens");
        let run = |config: FakeConfig, account: &'static str, max_pages: Option<u32>| {
            let store = store.clone();
            async move {
                let fake = FakeServer::start(config).await.expect("fake starts");
                let client = fake_client(Vendor::Hoko, &fake.base_url(), 10)
                    .max_pages(max_pages)
                    .build()
                    .expect("client");
                sync(&store, &client, &SyncOptions::new().account(account)).await
            }
        };
        let config = || FakeConfig::new(Vendor::Hoko).customers(35).seed(6);
        let label = db.label;
        let report = run(config().removed([3, 20, 30]), "one", None)
            .await
            .expect("first");
        assert_eq!((report.customers, report.new), (32, 32), "{label}");
        let report = run(config(), "one", None).await.expect("second");
        assert_eq!((report.customers, report.new), (35, 3), "{label}");
        let report = run(config(), "one", None).await.expect("third");
        assert_eq!((report.customers, report.new), (35, 0), "{label}");

        // Interrupted after two pages, then resumed a page back: 35 new in all.
        run(config(), "two", Some(2))
            .await
            .expect_err("the page limit stops it");
        let report = run(config(), "two", None).await.expect("resumed");
        assert!(report.resumed_from.is_some(), "{label}");
        assert_eq!(report.new, 35, "{label}");
        store.close().await;
    }
}

/// Three accounts sync into one database at once: into a SQLite file, each writing through
/// a connection of its own, their ends (a count, the deletion scan, the checkpoint) meeting
/// the others' writes; into PostgreSQL, each with two pages in flight on a pool of four
/// connections, fewer than they would take. All complete, resumed or not, with every row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_accounts_sync_into_one_database_at_once() {
    let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(300).seed(9))
        .await
        .expect("fake starts");
    for db in databases::all("accounts_at_once").await {
        let store = Store::open(&db.url).await.expect("opens");
        let run = |account: &'static str, max_pages: Option<u32>| {
            let store = store.clone();
            let base_url = fake.base_url();
            async move {
                let client = fake_client(Vendor::Hoko, &base_url, 5)
                    .max_pages(max_pages)
                    .build()
                    .expect("client");
                sync(&store, &client, &SyncOptions::new().account(account)).await
            }
        };
        // Interrupted, then resumed side by side; then full sweeps side by side.
        let (a, b, c) = tokio::join!(run("a", Some(7)), run("b", Some(11)), run("c", Some(3)));
        assert!(
            a.is_err() && b.is_err() && c.is_err(),
            "{}: the page limit stops all",
            db.label
        );
        for _ in 0..2 {
            let (a, b, c) = tokio::join!(run("a", None), run("b", None), run("c", None));
            for (account, report) in [("a", a), ("b", b), ("c", c)] {
                let report = report.unwrap_or_else(|e| panic!("{}: {account}: {e}", db.label));
                assert_eq!(report.marked_deleted, 0, "{}: {account}", db.label);
            }
        }
        let all = rows(&store).await;
        for account in ["a", "b", "c"] {
            let held = all
                .iter()
                .filter(|r| column(r, "account") == Some(account))
                .count();
            assert_eq!(held, 300, "{}: {account}", db.label);
        }
        store.close().await;
    }
}

/// The offsets (`skip`) of the Hoko pages `fake` served since its exchange `from`.
fn hoko_offsets(fake: &FakeServer, from: usize) -> Vec<u64> {
    fake.exchanges()[from..]
        .iter()
        .filter_map(|e| e.query.iter().find(|(k, _)| k == "skip"))
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

/// A first load into a new database takes its pages from a head start begun before the
/// schema was: each page is requested once, as by a plain sync, the rows are a plain
/// sync's, and the run began when its first request did (the mark the next sync's deletions
/// and, where records carry no change time, its changes count from).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_start_serves_a_first_load_into_a_new_database() {
    let config = FakeConfig::new(Vendor::Hoko).customers(95).seed(3);
    let reference_fake = FakeServer::start(config.clone().record_exchanges())
        .await
        .expect("fake starts");
    let reference_db = databases::sqlite();
    let reference_store = Store::open(&reference_db.url).await.expect("opens");
    let client = fake_client(Vendor::Hoko, &reference_fake.base_url(), 20)
        .build()
        .expect("client");
    sync(&reference_store, &client, &SyncOptions::new())
        .await
        .expect("a plain sync");
    let expected = without_sync_times(&rows(&reference_store).await);
    let plain_offsets = hoko_offsets(&reference_fake, 0);

    for db in databases::all("head_start").await {
        let fake = FakeServer::start(config.clone().record_exchanges())
            .await
            .expect("fake starts");
        let client = fake_client(Vendor::Hoko, &fake.base_url(), 20)
            .build()
            .expect("client");
        let opening = Store::connect_with(&db.url, &StoreOptions::default())
            .await
            .expect("connects");
        assert!(opening.is_new(), "{}: a new database", db.label);
        let head_start = HeadStart::begin(&client);
        let begun = chrono::Utc::now();
        let store = opening.migrate().await.expect("migrated");
        // The sync's own bookkeeping comes well after the head start's first request.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let report = sync_with(
            &store,
            &client,
            &SyncOptions::new(),
            Some(head_start),
            |_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        assert_eq!(report.customers, 95, "{}", db.label);
        assert_eq!(report.new, 95, "{}", db.label);
        assert_eq!(
            hoko_offsets(&fake, 0),
            plain_offsets,
            "{}: the pages a plain sync requests, each once",
            db.label
        );
        assert_eq!(
            without_sync_times(&rows(&store).await),
            expected,
            "{}",
            db.label
        );
        let state = customers_sync::state::load(&store, "hoko")
            .await
            .expect("state");
        let started = state.last_completed_at.expect("completed");
        assert!(
            started <= begun,
            "{}: the run began at {started}, after its head start's first request ({begun})",
            db.label
        );
        store.close().await;
        let again = Store::connect_with(&db.url, &StoreOptions::default())
            .await
            .expect("connects");
        assert!(!again.is_new(), "{}: migrated, no longer new", db.label);
        again.migrate().await.expect("opens").close().await;
    }
}

/// A head start is dropped by a sync that does not begin a sweep from the first page (an
/// incremental Gleantap sync): the sync asks what it would have asked without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_start_is_dropped_by_a_sync_that_does_not_sweep_from_the_start() {
    for db in databases::all("head_start_dropped").await {
        let (store, _changed, client) = gleantap_synced_then_changed(&db).await;
        let head_start = HeadStart::begin(&client);
        let second = sync_with(
            &store,
            &client,
            &SyncOptions::new(),
            Some(head_start),
            |_| {},
        )
        .await
        .expect("second");
        assert!(
            matches!(second.mode, SyncMode::Incremental { .. }),
            "{}: incremental",
            db.label
        );
        assert_eq!(second.customers, 2, "{}: only the changed two", db.label);
        store.close().await;
    }
}
