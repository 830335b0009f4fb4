//! Credentials from environment variables, checked before any request.

use customers::{CareCloudAuth, Credentials, Vendor};

use crate::exit::Failure;

/// Reads an environment variable; empty counts as missing.
fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &'static str) -> Result<String, Failure> {
    var(name).ok_or_else(|| Failure::usage(format!("{name} is not set")))
}

/// The credentials of `vendor` from the environment, or a message naming what is missing.
pub fn from_env(vendor: Vendor) -> Result<Credentials, Failure> {
    Ok(match vendor {
        Vendor::Hoko => Credentials::Hoko {
            api_key: required("HOKO_API_KEY")?.into(),
        },
        Vendor::CareCloud => match var("CARECLOUD_TOKEN") {
            Some(token) => Credentials::CareCloud(CareCloudAuth::Token(token.into())),
            None => {
                let missing = ["CARECLOUD_LOGIN", "CARECLOUD_PASSWORD", "CARECLOUD_APP_ID"]
                    .into_iter()
                    .filter(|name| var(name).is_none())
                    .collect::<Vec<_>>();
                if !missing.is_empty() {
                    return Err(Failure::usage(format!(
                        "CARECLOUD_TOKEN is not set, nor {} for logging in",
                        missing.join(", ")
                    )));
                }
                Credentials::CareCloud(CareCloudAuth::Login {
                    login: required("CARECLOUD_LOGIN")?,
                    password: required("CARECLOUD_PASSWORD")?.into(),
                    app_id: required("CARECLOUD_APP_ID")?,
                })
            }
        },
        Vendor::BotPenguin => Credentials::BotPenguin {
            token: required("BOTPENGUIN_API_KEY")?.into(),
        },
        Vendor::Gleantap => Credentials::Gleantap {
            api_key: required("GLEANTAP_API_KEY")?.into(),
            secret_key: required("GLEANTAP_SECRET_KEY")?.into(),
            app_id: required("GLEANTAP_APP_ID")?,
        },
        Vendor::HelpCrunch => Credentials::HelpCrunch {
            api_key: required("HELPCRUNCH_API_KEY")?.into(),
        },
    })
}

/// The base URL: `--base-url`, else `CARECLOUD_BASE_URL` for CareCloud (which has no
/// default), else the vendor's own server.
pub fn base_url(vendor: Vendor, flag: Option<String>) -> Result<Option<String>, Failure> {
    match (flag, vendor) {
        (Some(url), _) => Ok(Some(url)),
        (None, Vendor::CareCloud) => var("CARECLOUD_BASE_URL").map(Some).ok_or_else(|| {
            Failure::usage(
                "CARECLOUD_BASE_URL is not set (the tenant's URL up to and including /v1.0; or pass --base-url)",
            )
        }),
        (None, _) => Ok(None),
    }
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
