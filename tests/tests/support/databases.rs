//! Fresh databases for the sync tests: a SQLite file, and a PostgreSQL database on the server
//! that `CUSTOMERS_TEST_POSTGRES_URL` names (`.ci/run` starts one; with `CI=true` the URL
//! must be set).

use customers_sync::{Backend, Store};
use sqlx::Row;

#[path = "stale_databases.rs"]
mod stale_databases;

/// A fresh, empty database; the SQLite file lives as long as this.
pub struct Database {
    /// `sqlite` or `postgres`.
    pub label: &'static str,
    /// Its `--db` address.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// The PostgreSQL server to test against, if any.
pub fn postgres_url() -> Option<String> {
    match std::env::var("CUSTOMERS_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must test PostgreSQL: set CUSTOMERS_TEST_POSTGRES_URL (.ci/postgres prints one)"
            );
            eprintln!("PostgreSQL not tested here: CUSTOMERS_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// A fresh SQLite file.
pub fn sqlite() -> Database {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("customers.db").display());
    Database {
        label: "sqlite",
        url,
        _dir: Some(dir),
    }
}

/// A SQLite database in memory (the store's one connection holds it).
#[allow(dead_code)] // Not every test binary that includes this module uses it.
pub fn sqlite_in_memory() -> Database {
    Database {
        label: "sqlite in memory",
        url: "sqlite::memory:".to_owned(),
        _dir: None,
    }
}

/// A fresh database on the PostgreSQL server at `server`.
pub async fn postgres(server: &str, name: &str) -> Database {
    sqlx::any::install_default_drivers();
    let unique = format!(
        "t_{name}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let admin = sqlx::PgPool::connect(server)
        .await
        .expect("PostgreSQL answers");
    // `t_NAME_PID_NANOS`: the process id second from the end.
    stale_databases::drop_stale(&admin, server, "t_", 2).await;
    sqlx::query(&format!("CREATE DATABASE \"{unique}\""))
        .execute(&admin)
        .await
        .expect("a test database is created");
    admin.close().await;
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server, String::new()),
    };
    let (origin, _) = base.rsplit_once('/').expect("a URL with a database path");
    Database {
        label: "postgres",
        url: format!("{origin}/{unique}{query}"),
        _dir: None,
    }
}

/// A fresh SQLite database, and a fresh PostgreSQL one when a server is configured.
pub async fn all(name: &str) -> Vec<Database> {
    let mut databases = vec![sqlite()];
    if let Some(server) = postgres_url() {
        databases.push(postgres(&server, name).await);
    }
    databases
}

/// The columns of `customers` as text, in key order: times in one UTC form, `raw` and
/// `tags` as their JSON text, `deleted_at` as whether it is set.
pub const COLUMNS: [&str; 22] = [
    "account",
    "vendor",
    "id",
    "external_id",
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "status",
    "created_at",
    "updated_at",
    "last_seen_at",
    "email_opt_out",
    "sms_opt_out",
    "tags",
    "language",
    "avatar_url",
    "raw",
    "first_synced_at",
    "last_synced_at",
    "deleted",
];

/// Every row of `customers` as text, by [`COLUMNS`].
pub async fn rows(store: &Store) -> Vec<Vec<Option<String>>> {
    rows_of(store.pool(), store.backend(), &COLUMNS, "account, id").await
}

/// Every row of `customers` as text: `columns` (named as in [`COLUMNS`]) in `order`.
pub async fn rows_of(
    pool: &sqlx::AnyPool,
    backend: Backend,
    columns: &[&str],
    order: &str,
) -> Vec<Vec<Option<String>>> {
    let select: Vec<String> = columns
        .iter()
        .map(|&column| match column {
            "created_at" | "updated_at" | "last_seen_at" | "first_synced_at" | "last_synced_at" => {
                backend.time_text(column)
            }
            "deleted" => "CASE WHEN deleted_at IS NULL THEN 'no' ELSE 'yes' END".to_owned(),
            _ => format!("CAST({column} AS TEXT)"),
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM customers ORDER BY {order}",
        select.join(", ")
    );
    sqlx::query(&sql)
        .fetch_all(pool)
        .await
        .expect("customers can be read")
        .iter()
        .map(|row| {
            (0..columns.len())
                .map(|i| row.try_get::<Option<String>, _>(i).expect("a text column"))
                .collect()
        })
        .collect()
}

/// [`rows`] without the columns that say when (first and last synced).
pub fn without_sync_times(rows: &[Vec<Option<String>>]) -> Vec<Vec<Option<String>>> {
    let skip = |i: usize| matches!(COLUMNS[i], "first_synced_at" | "last_synced_at");
    rows.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter(|(i, _)| !skip(*i))
                .map(|(_, v)| v.clone())
                .collect()
        })
        .collect()
}

/// The column `name` of `row`.
pub fn column<'a>(row: &'a [Option<String>], name: &str) -> Option<&'a str> {
    let index = COLUMNS
        .iter()
        .position(|c| *c == name)
        .expect("a known column");
    row[index].as_deref()
}
