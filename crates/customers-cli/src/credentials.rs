//! Credentials from environment variables, checked before any request.

use customers::{Credentials, Vendor};

use crate::exit::Failure;

/// `--help` text naming every vendor's credential variables, from the facade's registry.
pub fn help() -> String {
    let mut text = String::from("Credentials (environment variables):\n");
    for vendor in Vendor::ALL {
        let base = Credentials::base_url_variable(vendor)
            .map(|name| format!("; base URL in {name}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {vendor}: {}{base}\n",
            Credentials::variables_text(vendor)
        ));
    }
    text
}

/// Refuses to send credentials over plain `http://` to a host that is not loopback.
pub fn check_transport_security(base_url: &str, allow_insecure: bool) -> Result<(), Failure> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|err| Failure::usage(format!("--base-url `{base_url}` is not a URL: {err}")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if loopback || allow_insecure {
                Ok(())
            } else {
                Err(Failure::usage(format!(
                    "refusing to send credentials over plain http:// to {}; use https:// or pass --allow-insecure",
                    url.host_str().unwrap_or("?")
                )))
            }
        }
        other => Err(Failure::usage(format!(
            "--base-url must be http:// or https://, not {other}://"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert!(check_transport_security("https://api.helpcrunch.com/v1", false).is_ok());
        assert!(check_transport_security("http://127.0.0.1:8080", false).is_ok());
        assert!(check_transport_security("http://localhost:8080/v1", false).is_ok());
        assert!(check_transport_security("http://[::1]:8080", false).is_ok());
        assert!(check_transport_security("http://api.example.com", false).is_err());
        assert!(check_transport_security("http://10.0.0.5", false).is_err());
        assert!(check_transport_security("http://api.example.com", true).is_ok());
        assert!(check_transport_security("ftp://example.com", true).is_err());
    }
}
