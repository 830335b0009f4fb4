//! Test databases that test processes which have ended left on a PostgreSQL server, dropped
//! before a test process makes its first: a test database outlives its test (a test that
//! fails keeps it to look at), and a machine that ran the tests for two days had 1,820 of
//! them, 20 GB, whose autovacuum runs slowed the benchmarks. Only on a server on this
//! machine (a loopback address) under Linux, where the process id in a database's name can
//! be looked up: another machine's tests on a shared server are left alone.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether this process swept already.
static SWEPT: AtomicBool = AtomicBool::new(false);

/// [`drop_stale_now`], once a process, on a server on this machine (`server`, its URL).
pub async fn drop_stale(admin: &sqlx::PgPool, server: &str, prefix: &str, pid_from_end: usize) {
    if SWEPT.swap(true, Ordering::SeqCst) || !on_this_machine(server) {
        return;
    }
    drop_stale_now(admin, prefix, pid_from_end).await;
}

/// Drops the databases (`admin` a pool on their server) whose names start with `prefix` and
/// whose process id, the `pid_from_end`th `_`-separated field from the end (1: the last), is
/// no running process's; nothing where processes cannot be looked up (`/proc`). Failures are
/// left (another process may be dropping the same).
pub async fn drop_stale_now(admin: &sqlx::PgPool, prefix: &str, pid_from_end: usize) {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let names: Vec<(String,)> =
        match sqlx::query_as("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(prefix)
            .fetch_all(admin)
            .await
        {
            Ok(names) => names,
            Err(_) => return,
        };
    for (name,) in names {
        let pid = name
            .rsplit('_')
            .nth(pid_from_end.saturating_sub(1))
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(pid) = pid else {
            continue;
        };
        if pid == std::process::id() || std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        let _ = sqlx::query(&drop).execute(admin).await;
    }
}

/// Whether the server at `url` (`postgres://user:password@host:port/…`) is on a loopback
/// address.
pub fn on_this_machine(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
