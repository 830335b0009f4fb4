//! The PostgreSQL server the unit tests write to (`CUSTOMERS_TEST_POSTGRES_URL`; CI sets it).

use crate::Store;

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
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{name}\""),
        format!("CREATE DATABASE \"{name}\""),
    ] {
        sqlx::query(&sql).execute(&admin).await.expect("a database");
    }
    let (base, query) = server.split_once('?').unwrap_or((&server, ""));
    let (origin, _) = base.rsplit_once('/').expect("a URL with a database");
    Some((format!("{origin}/{name}?{query}"), name, admin))
}
