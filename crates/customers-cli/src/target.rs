//! Which vendor account a command talks to: `--vendor` with the standard variables, or a
//! profile of `customers.toml`. Everything is checked before the first request.

use std::path::Path;

use customers::{Credentials, CustomersClient, Limits, Observer, Vendor};

use crate::args::{AccountArgs, ClientArgs};
use crate::config::{self, Profile};
use crate::credentials;
use crate::exit::Failure;

/// Where [`Target::from_variables`] reads a vendor's variables, and how it words what is
/// missing.
pub struct Variables<'a> {
    /// A variable's value by its name (`None` when unset).
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
    /// The failure's text when credentials are missing.
    pub missing_credentials: &'a dyn Fn(&customers::MissingCredentials) -> String,
    /// The failure's text when a per-tenant base URL is missing, given its variable.
    pub missing_base_url: &'a dyn Fn(&str) -> String,
}

/// A vendor account, ready to connect.
pub struct Target {
    /// The profile's name, or the vendor's.
    pub label: String,
    /// The vendor.
    pub vendor: Vendor,
    /// Its credentials.
    pub credentials: Credentials,
    /// Replaces the vendor's server URL.
    pub base_url: Option<String>,
    /// The profile, if the account comes from one.
    pub profile: Option<Profile>,
}

impl Target {
    /// `vendor` with the standard variables and `--base-url`.
    pub fn vendor(
        vendor: Vendor,
        base_url: Option<String>,
        allow_insecure: bool,
    ) -> Result<Target, Failure> {
        let lookup = |name: &str| std::env::var(name).ok();
        Target::from_variables(
            vendor,
            base_url,
            allow_insecure,
            &Variables {
                lookup: &lookup,
                missing_credentials: &|err| err.to_string(),
                missing_base_url: &|name| {
                    format!(
                        "{name} is not set ({vendor}'s base URL is per tenant; or pass --base-url)"
                    )
                },
            },
        )
    }

    /// `vendor`'s account with its credentials, and its base URL where it has no default
    /// server, read from `variables`; `base_url` (a flag or a config key) wins. Every missing
    /// value is named in one failure.
    pub fn from_variables(
        vendor: Vendor,
        base_url: Option<String>,
        allow_insecure: bool,
        variables: &Variables<'_>,
    ) -> Result<Target, Failure> {
        let lookup = |name: &str| (variables.lookup)(name).filter(|v| !v.trim().is_empty());
        let credentials = Credentials::from_lookup(vendor, lookup)
            .map_err(|err| (variables.missing_credentials)(&err));
        let base_url = match (base_url, Credentials::base_url_variable(vendor)) {
            (Some(url), _) => Ok(Some(url)),
            (None, None) => Ok(None),
            (None, Some(name)) => lookup(name)
                .map(Some)
                .ok_or_else(|| (variables.missing_base_url)(name)),
        };
        let (credentials, base_url) = match (credentials, base_url) {
            (Ok(credentials), Ok(base_url)) => (credentials, base_url),
            (Err(a), Err(b)) => return Err(Failure::usage(format!("{a}; {b}"))),
            (Err(message), _) | (_, Err(message)) => return Err(Failure::usage(message)),
        };
        if let Some(url) = &base_url {
            credentials::check_transport_security(url, allow_insecure)?;
        }
        Ok(Target {
            label: vendor.as_str().to_owned(),
            vendor,
            credentials,
            base_url,
            profile: None,
        })
    }

    /// The account of `profile`.
    pub fn profile(profile: Profile, allow_insecure: bool) -> Result<Target, Failure> {
        let credentials = profile.credentials()?;
        let base_url = profile.base_url()?;
        if let Some(url) = &base_url {
            credentials::check_transport_security(url, allow_insecure).map_err(|f| {
                Failure::usage(format!("profile `{}`: {}", profile.name, f.message))
            })?;
        }
        Ok(Target {
            label: profile.name.clone(),
            vendor: profile.vendor,
            credentials,
            base_url,
            profile: Some(profile),
        })
    }

    /// The account `--vendor` or `--profile` names.
    pub fn from_args(args: AccountArgs) -> Result<Target, Failure> {
        Target::from_flags(
            args.vendor.map(Vendor::from),
            args.profile.as_deref(),
            &args.config,
            args.base_url,
            args.allow_insecure,
        )
    }

    /// `--vendor` or `--profile NAME` (from `--config`, default `customers.toml`).
    pub fn from_flags(
        vendor: Option<Vendor>,
        profile: Option<&str>,
        config_path: &Path,
        base_url: Option<String>,
        allow_insecure: bool,
    ) -> Result<Target, Failure> {
        match (vendor, profile) {
            (Some(vendor), None) => Target::vendor(vendor, base_url, allow_insecure),
            (None, Some(name)) => {
                let profile = config::profile(config_path, name)?;
                Target::profile(profile, allow_insecure)
            }
            _ => Err(Failure::usage("give either --vendor or --profile")),
        }
    }

    /// A client for this account: the flags first, then the profile's settings. With
    /// `wanted` (at most that many customers) and no page size set, pages ask for no more.
    pub fn client(
        &self,
        flags: &ClientArgs,
        wanted: Option<u64>,
        observer: Observer,
    ) -> Result<CustomersClient, Failure> {
        let profile = self.profile.as_ref();
        let mut convert = customers::ConvertOptions::default();
        if let Some(zone) = flags
            .time_zone
            .as_ref()
            .or(profile.and_then(|p| p.time_zone.as_ref()))
        {
            convert = convert
                .with_local_time_zone(zone)
                .map_err(|e| Failure::usage(e.to_string()))?;
        }
        let mut builder = CustomersClient::builder(self.credentials.clone())
            .convert_options(convert)
            .observer(observer)
            .max_pages(flags.max_pages)
            .strict(flags.strict)
            .limits(Limits {
                idle_timeout: std::time::Duration::from_secs_f64(flags.idle_timeout),
                max_body_bytes: flags.max_body_mib.saturating_mul(1024 * 1024),
                ..Limits::default()
            });
        if let Some(seconds) = flags.attempt_timeout {
            builder = builder.attempt_timeout(std::time::Duration::from_secs_f64(seconds));
        }
        if !flags.headers.is_empty() {
            builder = builder.default_headers(flags.headers.iter().cloned().collect());
        }
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url.clone());
        }
        let capped = match (wanted, customers::max_page_size(self.vendor)) {
            (Some(wanted), Some(max)) if wanted < u64::from(max.get()) => {
                // At least one: a page of none would end the listing at once.
                Some(u32::try_from(wanted.max(1)).unwrap_or(max.get()))
            }
            _ => None,
        };
        if let Some(size) = flags
            .page_size
            .or(profile.and_then(|p| p.page_size))
            .or(capped)
        {
            builder = builder.page_size(size);
        }
        if let Some(limit) = flags
            .rate_limit_per_minute
            .or(profile.and_then(|p| p.rate_limit_per_minute))
        {
            builder = builder.rate_limit_per_minute(Some(limit));
        }
        builder =
            builder.rate_limit_window(std::time::Duration::from_secs_f64(flags.rate_limit_window));
        Ok(builder.build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vendor's account from `values` (variable name, value), worded as the tap words it.
    fn from(
        vendor: Vendor,
        values: &[(&str, &str)],
        base_url: Option<&str>,
    ) -> Result<Target, Failure> {
        let lookup = |name: &str| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        };
        Target::from_variables(
            vendor,
            base_url.map(str::to_owned),
            false,
            &Variables {
                lookup: &lookup,
                missing_credentials: &|err| format!("credentials: {}", err.missing.join(" ")),
                missing_base_url: &|name| format!("base URL: {name}"),
            },
        )
    }

    #[test]
    fn every_missing_value_is_named_in_one_failure_and_a_given_base_url_wins() {
        let vendor = Vendor::CareCloud;
        let base = Credentials::base_url_variable(vendor).expect("CareCloud's URL is per tenant");
        let first_set = Credentials::variables(vendor)[0];
        let Err(failure) = from(vendor, &[(base, "  ")], None) else {
            panic!("nothing was set");
        };
        // A blank value is missing too.
        assert!(
            failure.message.contains(&format!("base URL: {base}")),
            "{}",
            failure.message
        );
        for name in first_set {
            assert!(failure.message.contains(name), "{}", failure.message);
        }
        let values: Vec<(&str, &str)> = first_set.iter().map(|n| (*n, "value")).collect();
        let Err(failure) = from(vendor, &values, None) else {
            panic!("the base URL is missing");
        };
        assert_eq!(failure.message, format!("base URL: {base}"));
        let target = from(vendor, &values, Some("https://tenant.example.com/v1.0"));
        let target = target.unwrap_or_else(|f| panic!("{}", f.message));
        assert_eq!(
            target.base_url.as_deref(),
            Some("https://tenant.example.com/v1.0")
        );
        assert_eq!(target.label, vendor.as_str());
        // Credentials are sent over plain HTTP to loopback only.
        let Err(failure) = from(vendor, &values, Some("http://tenant.example.com/v1.0")) else {
            panic!("plain HTTP to a remote host");
        };
        assert!(!failure.message.is_empty());
    }
}
