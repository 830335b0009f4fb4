//! The PostgreSQL server the unit tests write to (`CUSTOMERS_TEST_POSTGRES_URL`; CI sets it).

use crate::Store;

#[path = "../../../tests/tests/support/stale_databases.rs"]
mod stale_databases;

/// A new database of the test server.
pub(crate) struct TestDatabase {
    /// The database, opened (migrated).
    pub(crate) store: Store,
}

/// A new database for `test`; none when no server is configured (CI always has one).
pub(crate) async fn database(test: &str) -> Option<TestDatabase> {
    let (url, _, _) = empty_database(test).await?;
    let store = Store::open(&url).await.expect("opens");
    Some(TestDatabase { store })
}

/// A new database for `test`, without this tool's schema: its address, name, and the
/// server's own database.
pub(crate) async fn empty_database(test: &str) -> Option<(String, String, sqlx::PgPool)> {
    let Ok(server) = std::env::var("CUSTOMERS_TEST_POSTGRES_URL") else {
        assert!(std::env::var("CI").is_err(), "CI tests PostgreSQL");
        return None;
    };
    let name = format!("unit_{test}_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&server)
        .await
        .expect("the server answers");
    // `unit_TEST_PID`: the process id last.
    stale_databases::drop_stale(&admin, &server, "unit_", 1).await;
    create_anew(&admin, &name).await;
    let (base, query) = server.split_once('?').unwrap_or((&server, ""));
    let (origin, _) = base.rsplit_once('/').expect("a URL with a database");
    Some((format!("{origin}/{name}?{query}"), name, admin))
}

/// Creates database `name` on `admin`'s server, empty (dropped first if it exists).
async fn create_anew(admin: &sqlx::PgPool, name: &str) {
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{name}\""),
        format!("CREATE DATABASE \"{name}\""),
    ] {
        sqlx::query(&sql).execute(admin).await.expect("a database");
    }
}

#[cfg(test)]
mod tests {
    use super::stale_databases::{drop_stale_now, on_this_machine};

    #[test]
    fn only_a_server_on_a_loopback_address_is_on_this_machine() {
        for here in [
            "postgres://u:p@127.0.0.1:5432/postgres",
            "postgres://u@localhost/db?sslmode=disable",
            "postgresql://[::1]:5433/db",
        ] {
            assert!(on_this_machine(here), "{here}");
        }
        for elsewhere in [
            "postgres://u:p@db.example.com/db",
            "postgres://10.1.2.3/db",
            "x",
        ] {
            assert!(!on_this_machine(elsewhere), "{elsewhere}");
        }
    }

    #[tokio::test]
    async fn a_test_database_of_an_ended_process_is_dropped_and_a_running_one_s_kept() {
        let Ok(server) = std::env::var("CUSTOMERS_TEST_POSTGRES_URL") else {
            return;
        };
        // Where processes cannot be looked up, nothing is dropped.
        if !std::path::Path::new("/proc/self").exists() {
            return;
        }
        let admin = sqlx::PgPool::connect(&server)
            .await
            .expect("the server answers");
        // No process has the largest id a `u32` holds (Linux stops at 2^22).
        let ended = "unit_stale_sweep_4294967295";
        let running = format!("unit_stale_sweep_{}", std::process::id());
        for name in [ended, running.as_str()] {
            super::create_anew(&admin, name).await;
        }
        drop_stale_now(&admin, "unit_stale_sweep_", 1).await;
        let exists = |name: String| {
            let admin = admin.clone();
            async move {
                let (n,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                        .bind(name)
                        .fetch_one(&admin)
                        .await
                        .expect("counted");
                n == 1
            }
        };
        assert!(
            !exists(ended.to_owned()).await,
            "the ended process's is dropped"
        );
        assert!(exists(running.clone()).await, "this process's is kept");
        sqlx::query(&format!("DROP DATABASE \"{running}\""))
            .execute(&admin)
            .await
            .expect("dropped");
    }
}
