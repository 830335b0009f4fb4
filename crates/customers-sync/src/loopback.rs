//! A PostgreSQL server on this machine is reached without TLS unless its address asks for
//! TLS. The default (`sslmode=prefer`) encrypts without checking the server's certificate:
//! on a loopback address, where no one but the machine's administrator can read the
//! traffic, it protects nothing, and encrypting a first load's `COPY` stream (and every
//! connection's handshake) cost a twentieth of its time. An address with `sslmode` (or
//! `PGSSLMODE` set) is taken as it is; a server that refuses connections without TLS
//! gets TLS.

use sqlx::{AnyConnection, Connection};

/// `url` (a `postgres://` address) with `sslmode=disable` added, when it names one host, a
/// loopback one, and neither `sslmode` nor a host of another kind (`host=`, `hostaddr=`);
/// `pgsslmode`: the `PGSSLMODE` variable, which sqlx reads when the URL names no mode.
pub(crate) fn without_tls(url: &str, pgsslmode: Option<&std::ffi::OsStr>) -> Option<String> {
    if pgsslmode.is_some() {
        return None;
    }
    let parsed = url::Url::parse(url).ok()?;
    if parsed.fragment().is_some()
        || parsed
            .query_pairs()
            .any(|(key, _)| matches!(key.as_ref(), "sslmode" | "host" | "hostaddr"))
    {
        return None;
    }
    let loopback = match parsed.host()? {
        // A `postgres:` URL's host is not parsed as an address: its text is.
        url::Host::Domain(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    let separator = match url.rfind('?') {
        None => "?",
        Some(_) if url.ends_with(['?', '&']) => "",
        Some(_) => "&",
    };
    loopback.then(|| format!("{url}{separator}sslmode=disable"))
}

/// A connection to the PostgreSQL server at `url`, and the address it was made with (the
/// one the pools use): without TLS where [`without_tls`] allows it and the server accepts
/// it, else `url` as given.
pub(crate) async fn connect(url: String) -> Result<(AnyConnection, String), sqlx::Error> {
    let Some(plain) = without_tls(&url, std::env::var_os("PGSSLMODE").as_deref()) else {
        return Ok((AnyConnection::connect(&url).await?, url));
    };
    match AnyConnection::connect(&plain).await {
        Ok(connection) => Ok((connection, plain)),
        Err(err) if refused_without_tls(&err) => Ok((AnyConnection::connect(&url).await?, url)),
        Err(err) => Err(err),
    }
}

/// Whether the server refused a connection for want of TLS (SQLSTATE 28000, as its
/// `pg_hba.conf` answers a connection no line allows: `hostssl` lines only).
fn refused_without_tls(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.code().as_deref() == Some("28000"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_loopback_address_that_names_no_mode_goes_without_tls() {
        let plain = |url: &str| without_tls(url, None);
        assert_eq!(
            plain("postgres://u:p@127.0.0.1:5432/db").as_deref(),
            Some("postgres://u:p@127.0.0.1:5432/db?sslmode=disable")
        );
        assert_eq!(
            plain("postgresql://u@localhost/db?application_name=x").as_deref(),
            Some("postgresql://u@localhost/db?application_name=x&sslmode=disable")
        );
        assert_eq!(
            plain("postgres://u@localhost/db?").as_deref(),
            Some("postgres://u@localhost/db?sslmode=disable")
        );
        assert!(plain("postgres://u@[::1]:5433/db").is_some());
        assert!(plain("postgres://u@127.8.9.10/db").is_some());
        for kept in [
            "postgres://u@db.example.com/db",
            "postgres://u@10.0.0.5/db",
            "postgres://u@127.0.0.1/db?sslmode=require",
            "postgres://u@127.0.0.1/db?sslmode=prefer",
            "postgres://u@localhost/db?host=/var/run/postgresql",
            "postgres://u@localhost,db.example.com/db",
            "not a url",
        ] {
            assert_eq!(plain(kept), None, "{kept}");
        }
        let required = std::ffi::OsStr::new("require");
        assert_eq!(
            without_tls("postgres://u@127.0.0.1/db", Some(required)),
            None
        );
    }
}
