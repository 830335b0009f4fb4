//! The tap's config: a flat JSON object in the Singer convention, read into the account it
//! names. Credentials come from keys named after the vendor's variables in lower case
//! (`"hoko_api_key"`), else from the variables `env` maps them to, else from the vendor's
//! standard variables, so that secrets need not sit in the file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use customers::{Credentials, Vendor};
use serde::Deserialize;

use crate::config;
use crate::credentials;
use crate::exit::Failure;
use crate::target::{Target, Variables};

/// The config as written.
#[derive(Deserialize)]
struct Raw {
    vendor: Option<String>,
    profile: Option<String>,
    config_file: Option<PathBuf>,
    account: Option<String>,
    base_url: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    start_date: Option<String>,
    page_size: Option<u32>,
    rate_limit_per_minute: Option<u32>,
    time_zone: Option<String>,
    #[serde(default)]
    allow_insecure: bool,
    /// Everything else: credentials by variable name in lower case.
    #[serde(flatten)]
    rest: BTreeMap<String, serde_json::Value>,
}

/// A checked config.
pub struct TapConfig {
    raw: Raw,
    /// The vendor.
    pub vendor: Vendor,
    /// The profile, when the config names one.
    profile: Option<config::Profile>,
    /// The account's name: the profile's, else `account`, else the vendor's.
    pub account: String,
    /// Where an incremental stream starts when no state says otherwise.
    pub start_date: Option<DateTime<Utc>>,
    /// Customers per page.
    pub page_size: Option<u32>,
    /// Client-side requests a minute.
    pub rate_limit_per_minute: Option<u32>,
    /// CareCloud's tenant time zone.
    pub time_zone: Option<String>,
}

/// Reads and checks the config at `path` (credentials are read by [`TapConfig::target`], so
/// that `--discover` needs none).
pub fn load(path: &std::path::Path) -> Result<TapConfig, Failure> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Failure::usage(format!("cannot read the config {}: {err}", path.display()))
    })?;
    let raw: Raw = serde_json::from_str(&text).map_err(|err| {
        Failure::usage(format!("the config {} is not valid: {err}", path.display()))
    })?;
    let start_date = raw
        .start_date
        .as_deref()
        .map(|text| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    Failure::usage(format!(
                        "start_date `{text}` is not an RFC 3339 time (e.g. 2024-01-01T00:00:00Z)"
                    ))
                })
        })
        .transpose()?;
    let (vendor, profile, account) = match (&raw.profile, &raw.vendor) {
        (Some(name), None) => {
            let file = raw
                .config_file
                .clone()
                .unwrap_or_else(|| PathBuf::from(config::DEFAULT_PATH));
            let profile = config::profile(&file, name)?;
            (profile.vendor, Some(profile), name.clone())
        }
        (None, Some(vendor)) => {
            let vendor: Vendor = vendor.parse().map_err(|_| {
                Failure::usage(format!(
                    "vendor `{vendor}` is not one of {}",
                    Vendor::ALL.map(|v| v.as_str()).join(", ")
                ))
            })?;
            let account = raw
                .account
                .clone()
                .unwrap_or_else(|| vendor.as_str().to_owned());
            (vendor, None, account)
        }
        _ => {
            return Err(Failure::usage(
                "the config names either `vendor` (with its credentials) or `profile`",
            ));
        }
    };
    Ok(TapConfig {
        vendor,
        profile,
        account,
        start_date,
        page_size: raw.page_size,
        rate_limit_per_minute: raw.rate_limit_per_minute,
        time_zone: raw.time_zone.clone(),
        raw,
    })
}

impl TapConfig {
    /// The account, its credentials read: from the profile, or from the config's keys, the
    /// variables `env` maps them to, or the vendor's standard variables.
    pub fn target(&self) -> Result<Target, Failure> {
        match &self.profile {
            Some(profile) => {
                let mut target = Target::profile(profile.clone(), self.raw.allow_insecure)?;
                if let Some(url) = &self.raw.base_url {
                    credentials::check_transport_security(url, self.raw.allow_insecure)?;
                    target.base_url = Some(url.clone());
                }
                Ok(target)
            }
            None => vendor_target(self.vendor, &self.raw),
        }
    }
}

/// `vendor`'s account from the config's credentials, mapped variables or the environment.
fn vendor_target(vendor: Vendor, raw: &Raw) -> Result<Target, Failure> {
    let names: Vec<&str> = Credentials::variables(vendor)
        .iter()
        .flat_map(|set| set.iter().copied())
        .chain(Credentials::base_url_variable(vendor))
        .collect();
    for key in raw.rest.keys() {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(key)) {
            return Err(Failure::usage(format!(
                "the config key `{key}` is not known (credentials of {vendor}: {})",
                names
                    .iter()
                    .map(|n| n.to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let lookup = |name: &str| -> Option<String> {
        match raw.rest.get(&name.to_lowercase()) {
            Some(serde_json::Value::String(value)) => Some(value.clone()),
            Some(_) => None,
            None => std::env::var(raw.env.get(name).map_or(name, String::as_str)).ok(),
        }
    };
    Target::from_variables(
        vendor,
        raw.base_url.clone(),
        raw.allow_insecure,
        &Variables {
            lookup: &lookup,
            missing_credentials: &|err| {
                format!(
                    "{vendor} credentials are missing from the config and the environment: {}",
                    err.missing
                        .iter()
                        .map(|name| format!("`{}` or {name}", name.to_lowercase()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            missing_base_url: &|name| {
                format!("{vendor}'s base URL is per tenant: set `base_url` in the config or {name}")
            },
        },
    )
}
