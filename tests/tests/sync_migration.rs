//! A database written by the first release (its one migration, its rows) is brought up to
//! today's schema in place, on SQLite and on PostgreSQL: no row lost, every row's account its
//! vendor's name, the checkpoints kept per account, and an interrupted sync resumed.

mod support;

use customers_sync::{Backend, Store, SyncOptions, sync};
use fake_vendors::{FakeConfig, FakeServer, Vendor};
use support::databases::{self, COLUMNS, rows, rows_of};
use support::fake_client;

/// The first release's schema: its migration alone, applied as that release applied it
/// (same file, same checksum), so that today's migrations see what they would meet.
async fn first_release_schema(backend: Backend, url: &str) -> sqlx::AnyPool {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/customers-sync/migrations")
        .join(folder)
        .join("0001_customers.sql");
    let only_first = tempfile::tempdir().expect("temp dir");
    std::fs::copy(&source, only_first.path().join("0001_customers.sql")).expect("copied");
    let migrator = sqlx::migrate::Migrator::new(only_first.path())
        .await
        .expect("the first migration loads");
    sqlx::any::install_default_drivers();
    let url = match backend {
        Backend::Sqlite => format!("{url}?mode=rwc"),
        Backend::Postgres => url.to_owned(),
    };
    let pool = sqlx::AnyPool::connect(&url).await.expect("connects");
    migrator.run(&pool).await.expect("the first schema");
    pool
}

/// Rows as the first release wrote them: three vendors, one row deleted, empty and odd
/// values, a `raw` whose spacing must survive.
const FIRST_RELEASE_ROWS: &str = r#"
INSERT INTO customers (vendor, id, external_id, name, first_name, last_name, email, phone,
    status, created_at, updated_at, last_seen_at, email_opt_out, sms_opt_out, tags, language,
    avatar_url, raw, first_synced_at, last_synced_at, deleted_at) VALUES
('hoko', 'h-1', 'ext-1', 'Ana Novák', 'Ana', 'Novák', 'ana@example.com', '+420601234567',
    'active', '2024-01-02T03:04:05.000006Z', '2024-02-03T04:05:06.000007Z', NULL, TRUE, FALSE,
    '["vip","b2b"]', 'cs', NULL, '{"id": "h-1",   "email":"ana@example.com"}',
    '2026-11-01T00:00:00.000000Z', '2026-11-02T00:00:00.000000Z', NULL),
('hoko', 'h-2', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '[]',
    NULL, NULL, '{"id":"h-2"}', '2026-11-01T00:00:00.000000Z', '2026-11-01T00:00:00.000000Z',
    '2026-11-02T00:00:00.000000Z'),
('gleantap', 'g-1', NULL, 'Ana N.', NULL, NULL, 'ANA@example.com ', NULL, 'lead', NULL,
    '2026-10-30T10:00:00.500000Z', '2026-10-31T10:00:00.000000Z', FALSE, TRUE, '[]', NULL,
    'https://example.com/a.png', '{"_id":"g-1","extra":[1,2,{"x":null}]}',
    '2026-11-01T00:00:00.000000Z', '2026-11-02T00:00:00.000000Z', NULL),
('helpcrunch', '77', NULL, 'Bo', NULL, NULL, NULL, '601 234 567', NULL, NULL, NULL, NULL,
    NULL, NULL, '[]', NULL, NULL, '{"id":77}', '2026-11-01T00:00:00.000000Z',
    '2026-11-02T00:00:00.000000Z', NULL)
"#;

/// Hoko interrupted at the start of its sweep; Gleantap completed with a high-water mark.
fn first_release_state(cursor: &str) -> String {
    format!(
        "INSERT INTO sync_state (vendor, run_started_at, run_full, run_since, run_cursor, \
         run_pages, run_high_water, last_completed_at, last_high_water, last_full_sweep_at) \
         VALUES ('hoko', '2026-11-03T00:00:00.000000Z', TRUE, NULL, '{cursor}', 0, NULL, \
         NULL, NULL, NULL), ('gleantap', NULL, NULL, NULL, NULL, NULL, NULL, \
         '2026-11-01T00:00:00.000000Z', '2026-10-30T10:00:00.500000Z', \
         '2026-11-01T00:00:00.000000Z')"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_the_first_release_is_migrated_to_accounts_in_place() {
    for db in databases::all("migrate").await {
        let backend = if db.label == "sqlite" {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let pool = first_release_schema(backend, &db.url).await;
        sqlx::query(FIRST_RELEASE_ROWS)
            .execute(&pool)
            .await
            .expect("the first release's rows");
        let cursor = serde_json::to_string(&customers::PageCursor::START).expect("a cursor");
        sqlx::query(&first_release_state(&cursor))
            .execute(&pool)
            .await
            .expect("the first release's checkpoints");
        let before = rows_of(&pool, backend, &COLUMNS[1..], "vendor, id").await;
        pool.close().await;
        assert_eq!(before.len(), 4);

        let store = Store::open(&db.url).await.expect("migrated on opening");
        let after = rows(&store).await;
        assert_eq!(after.len(), before.len(), "{}: no row lost", db.label);
        for (row, old) in after.iter().zip(&before) {
            assert_eq!(
                row[0], row[1],
                "{}: the account is the vendor's name",
                db.label
            );
            assert_eq!(&row[1..], &old[..], "{}: every value kept", db.label);
        }
        if backend == Backend::Postgres {
            // Keys, emails and phones compare byte by byte, as SQLite's do, their indexes
            // rebuilt with them.
            let collations: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT column_name::text, collation_name::text FROM information_schema.columns \
                 WHERE table_name = 'customers' AND column_name IN ('account', 'id', 'email', \
                 'phone') ORDER BY column_name",
            )
            .fetch_all(store.pool())
            .await
            .expect("the catalog");
            let bytewise = |column: &str| (column.to_owned(), Some("C".to_owned()));
            assert_eq!(
                collations,
                ["account", "email", "id", "phone"].map(bytewise).to_vec()
            );
        }
        // The key is an index of its own on SQLite too, which a first load can leave out.
        let indexes = match backend {
            Backend::Postgres => {
                "SELECT string_agg(indexname::text, ' ' ORDER BY indexname) FROM pg_indexes \
                 WHERE tablename = 'customers'"
            }
            Backend::Sqlite => {
                "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master \
                 WHERE type = 'index' AND tbl_name = 'customers' ORDER BY name)"
            }
        };
        let (indexes,): (String,) = sqlx::query_as(indexes)
            .fetch_one(store.pool())
            .await
            .expect("the catalog");
        assert_eq!(
            indexes, "customers_email customers_phone customers_pkey",
            "{}",
            db.label
        );
        // Led by the id on both.
        let key = match backend {
            Backend::Postgres => {
                "SELECT string_agg(a.attname::text, ' ' ORDER BY k.n) FROM pg_index AS i \
                 CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) \
                 JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                 WHERE i.indexrelid = 'customers_pkey'::regclass"
            }
            Backend::Sqlite => {
                "SELECT group_concat(name, ' ') FROM \
                 (SELECT name FROM pragma_index_info('customers_pkey') ORDER BY seqno)"
            }
        };
        let (key,): (String,) = sqlx::query_as(key)
            .fetch_one(store.pool())
            .await
            .expect("the catalog");
        assert_eq!(key, "id account", "{}", db.label);
        // And it holds: a second row of a key is refused.
        let again = "INSERT INTO customers (account, vendor, id, tags, raw, first_synced_at, \
                     last_synced_at) SELECT account, vendor, id, tags, raw, first_synced_at, \
                     last_synced_at FROM customers WHERE id = 'h-1'";
        let refused = sqlx::query(again).execute(store.pool()).await;
        assert!(
            refused.is_err_and(|err| err
                .as_database_error()
                .is_some_and(|err| err.is_unique_violation())),
            "{}",
            db.label
        );
        let gleantap = customers_sync::state::load(&store, "gleantap")
            .await
            .expect("state");
        assert_eq!(gleantap.vendor.as_deref(), Some("gleantap"));
        assert!(gleantap.run.is_none());
        assert_eq!(
            gleantap.last_high_water.map(customers_sync::time_text),
            Some("2026-10-30T10:00:00.500000Z".to_owned()),
            "{}",
            db.label
        );
        let hoko = customers_sync::state::load(&store, "hoko")
            .await
            .expect("state");
        assert!(
            hoko.run.is_some(),
            "{}: the interrupted run is kept",
            db.label
        );

        // The interrupted Hoko sweep goes on as the account `hoko`, and completes it: the
        // first release's two rows are gone at the vendor, so they end deleted.
        let fake = FakeServer::start(FakeConfig::new(Vendor::Hoko).customers(12))
            .await
            .expect("fake starts");
        let client = fake_client(Vendor::Hoko, &fake.base_url(), 5)
            .build()
            .expect("client");
        let report = sync(&store, &client, &SyncOptions::new())
            .await
            .expect("the migrated database syncs");
        assert!(report.resumed_from.is_some(), "{}", db.label);
        assert_eq!(report.account, "hoko");
        assert_eq!(report.customers, 12);
        assert_eq!(
            report.marked_deleted, 1,
            "{}: h-1 (h-2 was already)",
            db.label
        );
        let all = rows(&store).await;
        assert_eq!(all.len(), 16, "{}", db.label);
        store.close().await;
    }
}
