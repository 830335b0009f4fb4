//! `customers.toml`: named profiles, each a vendor account (which environment variables hold
//! its credentials, its base URL, rate limit and time zone).
//!
//! ```toml
//! [profiles.shop]
//! vendor = "hoko"
//! # Where each of the vendor's variables is read from (default: the variable itself).
//! env = { HOKO_API_KEY = "SHOP_HOKO_KEY" }
//! rate_limit_per_minute = 60
//!
//! [profiles.clinic]
//! vendor = "carecloud"
//! base_url = "https://clinic.crmcarecloud.com/rest-api/enterprise-interface/v1.0"
//! time_zone = "Europe/Prague"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use customers::{Credentials, Vendor};
use serde::Deserialize;

use crate::exit::Failure;

/// The default config file, in the current folder.
pub const DEFAULT_PATH: &str = "customers.toml";

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, RawProfile>,
}

/// One profile as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    vendor: String,
    #[serde(default)]
    env: BTreeMap<String, String>,
    base_url: Option<String>,
    rate_limit_per_minute: Option<u32>,
    time_zone: Option<String>,
    page_size: Option<u32>,
}

/// A checked profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Its name in the file.
    pub name: String,
    /// The vendor.
    pub vendor: Vendor,
    /// Vendor variable name → the variable actually read.
    env: BTreeMap<String, String>,
    /// Replaces the vendor's server URL.
    pub base_url: Option<String>,
    /// Client-side rate limit.
    pub rate_limit_per_minute: Option<u32>,
    /// CareCloud's tenant time zone.
    pub time_zone: Option<String>,
    /// Customers per page.
    pub page_size: Option<u32>,
}

impl Profile {
    /// The environment variable read for the vendor's variable `name`.
    fn variable<'a>(&'a self, name: &'a str) -> &'a str {
        self.env.get(name).map_or(name, String::as_str)
    }

    /// The profile's credentials from the environment, naming every missing variable (by
    /// the name this profile reads it from).
    pub fn credentials(&self) -> Result<Credentials, Failure> {
        Credentials::from_lookup(self.vendor, |name| std::env::var(self.variable(name)).ok())
            .map_err(|err| {
                let missing: Vec<&str> = err.missing.iter().map(|n| self.variable(n)).collect();
                Failure::usage(format!(
                    "profile `{}`: {} credentials are missing: set {} (not set: {})",
                    self.name,
                    self.vendor,
                    self.variables_text(),
                    missing.join(", ")
                ))
            })
    }

    /// The base URL: the profile's, else the vendor's base-URL variable (as mapped) for a
    /// vendor without a default server.
    pub fn base_url(&self) -> Result<Option<String>, Failure> {
        if self.base_url.is_some() {
            return Ok(self.base_url.clone());
        }
        let Some(name) = Credentials::base_url_variable(self.vendor) else {
            return Ok(None);
        };
        let name = self.variable(name);
        match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
            Some(url) => Ok(Some(url)),
            None => Err(Failure::usage(format!(
                "profile `{}`: {name} is not set and the profile has no base_url ({}'s base URL is per tenant)",
                self.name, self.vendor
            ))),
        }
    }

    fn variables_text(&self) -> String {
        Credentials::variables(self.vendor)
            .iter()
            .map(|set| {
                set.iter()
                    .map(|n| self.variable(n))
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect::<Vec<_>>()
            .join(", or ")
    }
}

/// Reads and checks the config at `path`.
pub fn load(path: &Path) -> Result<Vec<Profile>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        let hint = if err.kind() == std::io::ErrorKind::NotFound {
            " (profiles live in customers.toml in the current folder, or pass --config)"
        } else {
            ""
        };
        Failure::usage(format!("cannot read {}: {err}{hint}", path.display()))
    })?;
    parse(&text).map_err(|message| Failure::usage(format!("{}: {message}", path.display())))
}

/// Parses and checks a config's text.
pub fn parse(text: &str) -> Result<Vec<Profile>, String> {
    let config: Config = toml::from_str(text).map_err(|err| err.to_string())?;
    config
        .profiles
        .into_iter()
        .map(|(name, raw)| check(name, raw))
        .collect()
}

fn check(name: String, raw: RawProfile) -> Result<Profile, String> {
    let vendor: Vendor = raw
        .vendor
        .parse()
        .map_err(|err| format!("profile `{name}`: {err}"))?;
    let known: Vec<&str> = Credentials::variables(vendor)
        .iter()
        .flat_map(|set| set.iter().copied())
        .chain(Credentials::base_url_variable(vendor))
        .collect();
    for key in raw.env.keys() {
        if !known.contains(&key.as_str()) {
            return Err(format!(
                "profile `{name}`: env maps `{key}`, which is not a {vendor} variable (those are: {})",
                known.join(", ")
            ));
        }
    }
    if let Some(zone) = &raw.time_zone {
        customers::ConvertOptions::default()
            .with_local_time_zone(zone)
            .map_err(|err| format!("profile `{name}`: {err}"))?;
    }
    if raw.page_size == Some(0) {
        return Err(format!("profile `{name}`: page_size must be at least 1"));
    }
    Ok(Profile {
        name,
        vendor,
        env: raw.env,
        base_url: raw.base_url,
        rate_limit_per_minute: raw.rate_limit_per_minute,
        time_zone: raw.time_zone,
        page_size: raw.page_size,
    })
}

/// The profile `name` of the config at `path`.
pub fn profile(path: &Path, name: &str) -> Result<Profile, Failure> {
    let profiles = load(path)?;
    let names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
    profiles
        .into_iter()
        .find(|p| p.name == name)
        .ok_or_else(|| {
            Failure::usage(format!(
                "{} has no profile `{name}` (it has: {})",
                path.display(),
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_checked_when_read() {
        let profiles = parse(
            r#"
            [profiles.shop]
            vendor = "hoko"
            env = { HOKO_API_KEY = "SHOP_KEY" }
            rate_limit_per_minute = 60

            [profiles.clinic]
            vendor = "CareCloud"
            time_zone = "Europe/Prague"
            "#,
        )
        .expect("valid");
        assert_eq!(profiles.len(), 2);
        let shop = profiles.iter().find(|p| p.name == "shop").expect("shop");
        assert_eq!(shop.vendor, Vendor::Hoko);
        assert_eq!(shop.variable("HOKO_API_KEY"), "SHOP_KEY");
        assert_eq!(shop.rate_limit_per_minute, Some(60));

        let bad = |text: &str| parse(text).expect_err("refused");
        assert!(bad("[profiles.a]\nvendor = \"acme\"").contains("unknown vendor"));
        assert!(
            bad("[profiles.a]\nvendor = \"hoko\"\nenv = { GLEANTAP_API_KEY = \"X\" }")
                .contains("not a hoko variable")
        );
        assert!(bad("[profiles.a]\nvendor = \"hoko\"\ntime_zone = \"Mars/Base\"").contains("Mars"));
        assert!(bad("[profiles.a]\nvendor = \"hoko\"\nratelimit = 3").contains("ratelimit"));
        assert!(bad("[profiles.a]\nvendor = \"hoko\"\npage_size = 0").contains("page_size"));
    }

    #[test]
    fn a_missing_credential_is_named_as_the_profile_reads_it() {
        let profiles = parse(
            "[profiles.g]\nvendor = \"gleantap\"\nenv = { GLEANTAP_SECRET_KEY = \"CUSTOMERS_TEST_NEVER_SET_SECRET\", GLEANTAP_API_KEY = \"CUSTOMERS_TEST_NEVER_SET_KEY\", GLEANTAP_APP_ID = \"CUSTOMERS_TEST_NEVER_SET_APP\" }",
        )
        .expect("valid");
        let err = profiles[0].credentials().expect_err("not set");
        for name in [
            "CUSTOMERS_TEST_NEVER_SET_SECRET",
            "CUSTOMERS_TEST_NEVER_SET_KEY",
            "CUSTOMERS_TEST_NEVER_SET_APP",
        ] {
            assert!(err.message.contains(name), "{}", err.message);
        }
        assert!(
            !err.message.contains("GLEANTAP_SECRET_KEY"),
            "{}",
            err.message
        );
    }
}
