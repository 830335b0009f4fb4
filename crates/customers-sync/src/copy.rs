//! A page into PostgreSQL with `COPY`: the rows go in as one binary stream into a temporary
//! table, then one `INSERT … SELECT … ON CONFLICT` upserts them, and the checkpoint moves,
//! all in one transaction. Beside 50 multi-row `INSERT`s of 4,200 parameters each, the
//! server parses and plans one statement a page.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::SyncError;
use crate::rows::{COPY_HEADER, COPY_TRAILER, Synced, column_list, copy_row, on_conflict};
use crate::state::{self, Run};

/// The session's staging table: `customers`' columns and types without its constraints,
/// emptied at each commit.
const STAGING: &str = "CREATE TEMPORARY TABLE IF NOT EXISTS sync_page \
                       (LIKE customers INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

/// Writes `customers` of `account` synced at `synced_at` and moves `run`'s checkpoint (already
/// advanced past the page), in one transaction. While `fresh` (the account held no row when
/// the run began), the rows are copied straight into `customers`, as none can be there yet;
/// the first that is (the vendor listed a customer twice) turns `fresh` off and the page is
/// written again through the staging table. Straight in, a first load takes half the time.
/// How many rows were new, when known (copied straight in, all were).
pub(crate) async fn write_page(
    pool: &PgPool,
    account: &str,
    customers: &[customers::Customer],
    synced_at: DateTime<Utc>,
    run: &Run,
    fresh: &mut bool,
) -> Result<Option<u64>, SyncError> {
    let synced = Synced::new(synced_at);
    let rows = (!customers.is_empty()).then(|| {
        let mut rows = Vec::with_capacity(customers.len() * 512 + COPY_HEADER.len());
        rows.extend_from_slice(COPY_HEADER);
        for customer in customers {
            copy_row(&mut rows, account, customer, &synced);
        }
        rows.extend_from_slice(COPY_TRAILER);
        rows
    });
    if *fresh {
        match write(pool, account, rows.as_deref(), run, CopyInto::Direct).await {
            Err(SyncError::Database(sqlx::Error::Database(err))) if err.is_unique_violation() => {
                tracing::info!(
                    account,
                    "a customer listed again: pages upserted from here on"
                );
                *fresh = false;
            }
            done => return done.map(Some),
        }
    }
    write(pool, account, rows.as_deref(), run, CopyInto::Staged).await?;
    Ok(None)
}

/// Where a page's rows are copied.
#[derive(Clone, Copy, PartialEq)]
enum CopyInto {
    /// Into `customers`: only rows that are not there yet.
    Direct,
    /// Into the staging table, then upserted.
    Staged,
}

/// Copies `rows` (a binary `COPY` stream; none for an empty page) `into` place and moves
/// `run`'s checkpoint, in one transaction; the rows copied.
async fn write(
    pool: &PgPool,
    account: &str,
    rows: Option<&[u8]>,
    run: &Run,
    into: CopyInto,
) -> Result<u64, SyncError> {
    let columns = column_list();
    let mut tx = pool.begin().await?;
    // A page's commit does not wait for the server's WAL flush: a server crash can lose the
    // last pages, their checkpoints with them (the next sync reads them again), and never
    // keeps one without the other. A process killed here loses nothing committed.
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    if into == CopyInto::Staged {
        sqlx::query(STAGING).execute(&mut *tx).await?;
    }
    let mut copied = 0;
    if let Some(rows) = rows {
        let table = match into {
            CopyInto::Direct => "customers",
            CopyInto::Staged => "sync_page",
        };
        let mut copy = tx
            .copy_in_raw(&format!(
                "COPY {table} ({columns}) FROM STDIN WITH (FORMAT binary)"
            ))
            .await?;
        copy.send(rows).await?;
        copied = copy.finish().await?;
        if into == CopyInto::Staged {
            sqlx::query(&format!(
                "INSERT INTO customers ({columns}) SELECT {columns} FROM sync_page{}",
                on_conflict()
            ))
            .execute(&mut *tx)
            .await?;
        }
    }
    state::checkpoint(&mut *tx, account, run).await?;
    tx.commit().await?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use customers::{Customer, Raw, Vendor};

    /// A new database on the test server (`CUSTOMERS_TEST_POSTGRES_URL`; CI sets it).
    async fn database() -> Option<Store> {
        let Ok(server) = std::env::var("CUSTOMERS_TEST_POSTGRES_URL") else {
            assert!(std::env::var("CI").is_err(), "CI tests PostgreSQL");
            return None;
        };
        let name = format!("copy_{}", std::process::id());
        let admin = sqlx::PgPool::connect(&server)
            .await
            .expect("the server answers");
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{name}\""),
            format!("CREATE DATABASE \"{name}\""),
        ] {
            sqlx::query(&sql).execute(&admin).await.expect("a database");
        }
        admin.close().await;
        let (base, query) = server.split_once('?').unwrap_or((&server, ""));
        let (origin, _) = base.rsplit_once('/').expect("a URL with a database");
        let url = format!("{origin}/{name}?{query}");
        Some(Store::open(&url).await.expect("opens"))
    }

    #[tokio::test]
    async fn a_row_already_there_turns_a_fresh_page_into_an_upsert() {
        let Some(store) = database().await else {
            return;
        };
        let pool = store.postgres().expect("PostgreSQL");
        let customers: Vec<Customer> = ["a", "b"]
            .map(|id| Customer::new(Vendor::Hoko, id.to_owned(), Raw::null()))
            .into();
        let run = Run {
            started_at: Utc::now(),
            full: true,
            since: None,
            cursor: None,
            pages: 1,
            high_water: None,
        };
        let mut fresh = true;
        let new = write_page(pool, "x", &customers, Utc::now(), &run, &mut fresh).await;
        assert_eq!(new.expect("copied"), Some(2));
        assert!(fresh);
        // The same page again: the copy meets the rows, the page is upserted instead.
        let new = write_page(pool, "x", &customers, Utc::now(), &run, &mut fresh).await;
        assert_eq!(new.expect("upserted"), None);
        assert!(!fresh);
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers")
            .fetch_one(pool)
            .await
            .expect("counted");
        assert_eq!(rows, 2);
        store.close().await;
    }

    #[tokio::test]
    async fn every_column_reads_back_from_the_server_as_written() {
        let Some(store) = database().await else {
            return;
        };
        let pool = store.postgres().expect("PostgreSQL");
        let time = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .ok()
        };
        let raw = serde_json::json!({"id": "c\t1", "note": "line\nbreak \\ é ☃"});
        let mut full = Customer::new(Vendor::Gleantap, "c\t1".to_owned(), Raw::from_value(&raw));
        full.external_id = Some("ext\\1".to_owned());
        full.name = Some("Jiří\nDvořák".to_owned());
        full.first_name = Some("Jiří".to_owned());
        full.last_name = Some("Dvořák\r".to_owned());
        full.email = Some("a@example.com".to_owned());
        full.phone = Some("+420612152134".to_owned());
        full.status = Some(customers::Status::Other("on hold".to_owned()));
        full.created_at = time("1970-01-01T00:00:00.000001Z");
        full.updated_at = time("1999-12-31T23:59:59.999999Z");
        full.last_seen_at = time("2339-09-23T03:19:29Z");
        full.email_opt_out = Some(true);
        full.sms_opt_out = Some(false);
        full.tags = vec!["vip".to_owned(), "tab\there \"quoted\"".to_owned()];
        full.language = Some("cs".to_owned());
        full.avatar_url = Some("https://cdn.example.com/a.jpg".to_owned());
        let bare = Customer::new(Vendor::Gleantap, "c2".to_owned(), Raw::null());
        let synced_at = time("2026-12-02T10:00:00.123456Z").expect("a time");
        let run = Run {
            started_at: synced_at,
            full: true,
            since: None,
            cursor: None,
            pages: 1,
            high_water: None,
        };
        let mut fresh = true;
        let page = [full.clone(), bare];
        let new = write_page(pool, "acct", &page, synced_at, &run, &mut fresh).await;
        assert_eq!(new.expect("copied"), Some(2));
        let text = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
        let times = [
            "created_at",
            "updated_at",
            "last_seen_at",
            "first_synced_at",
            "last_synced_at",
        ]
        .map(|column| text.replace("{}", column))
        .join(", ");
        let sql = format!(
            "SELECT account, vendor, id, external_id, name, first_name, last_name, email, phone, \
             status, email_opt_out::text, sms_opt_out::text, tags::text, language, avatar_url, \
             raw::text, deleted_at::text, {times} FROM customers ORDER BY id"
        );
        let rows: Vec<Vec<Option<String>>> = sqlx::query(&sql)
            .fetch_all(pool)
            .await
            .expect("read back")
            .iter()
            .map(|row| {
                (0..22)
                    .map(|i| sqlx::Row::try_get::<Option<String>, _>(row, i).expect("text"))
                    .collect()
            })
            .collect();
        let synced = Some("2026-12-02T10:00:00.123456Z".to_owned());
        let some = |text: &str| Some(text.to_owned());
        assert_eq!(
            rows[0],
            vec![
                some("acct"),
                some("gleantap"),
                some("c\t1"),
                some("ext\\1"),
                some("Jiří\nDvořák"),
                some("Jiří"),
                some("Dvořák\r"),
                some("a@example.com"),
                some("+420612152134"),
                some("on hold"),
                some("true"),
                some("false"),
                some("[\"vip\", \"tab\\there \\\"quoted\\\"\"]"),
                some("cs"),
                some("https://cdn.example.com/a.jpg"),
                some(full.raw.get()),
                None,
                some("1970-01-01T00:00:00.000001Z"),
                some("1999-12-31T23:59:59.999999Z"),
                some("2339-09-23T03:19:29.000000Z"),
                synced.clone(),
                synced.clone(),
            ]
        );
        let mut bare = vec![some("acct"), some("gleantap"), some("c2")];
        bare.extend(vec![None; 9]);
        bare.extend([some("[]"), None, None, some("null"), None, None, None, None]);
        bare.extend([synced.clone(), synced]);
        assert_eq!(rows[1], bare);
        store.close().await;
    }
}
