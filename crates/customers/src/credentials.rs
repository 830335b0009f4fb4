//! Credentials from environment variables, with the same names everywhere (the CLI uses
//! these): each vendor's module declares its variables.

use crate::{Credentials, Vendor};

/// Credential variables that are not set (or are empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(*vendor, missing))]
pub struct MissingCredentials {
    /// The vendor.
    pub vendor: Vendor,
    /// Every missing variable of every accepted set, in order.
    pub missing: Vec<&'static str>,
}

fn describe(vendor: Vendor, missing: &[&'static str]) -> String {
    format!(
        "{vendor} credentials are missing: set {} (not set: {})",
        Credentials::variables_text(vendor),
        missing.join(", ")
    )
}

impl Credentials {
    /// The credentials of `vendor` from environment variables (`HOKO_API_KEY`, …; see
    /// [`Credentials::variables`]). Every missing variable is named in one error.
    pub fn from_env(vendor: Vendor) -> Result<Credentials, MissingCredentials> {
        Credentials::from_lookup(vendor, |name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`], reading variables with `lookup`. An empty or blank
    /// value counts as missing.
    pub fn from_lookup(
        vendor: Vendor,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Credentials, MissingCredentials> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let api = vendor.api();
        api.credentials_from(&var)
            .ok_or_else(|| MissingCredentials {
                vendor,
                missing: api
                    .credential_vars()
                    .iter()
                    .flat_map(|set| set.iter().copied())
                    .filter(|name| var(name).is_none())
                    .collect(),
            })
    }

    /// The environment variables `vendor`'s credentials are read from: alternative sets,
    /// the first complete one wins.
    pub fn variables(vendor: Vendor) -> &'static [&'static [&'static str]] {
        vendor.api().credential_vars()
    }

    /// [`Credentials::variables`] in words: `A, or B, C and D`.
    pub fn variables_text(vendor: Vendor) -> String {
        let set_text = |set: &[&str]| match set {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        };
        let sets: Vec<String> = Credentials::variables(vendor)
            .iter()
            .map(|set| set_text(set))
            .collect();
        sets.join(", or ")
    }

    /// The variables of `vendor`'s first complete set of credentials given values by their
    /// names in the vendor's spec (`bearer_auth`, `login`, `app_id`: its `x-env` entries),
    /// each with its value; empty when no set is complete. For setting up a child process
    /// from values known by name, such as a fake vendor's.
    pub fn env_for<'a>(vendor: Vendor, named: &[(&str, &'a str)]) -> Vec<(&'static str, &'a str)> {
        let table = vendor.api().env();
        let value = |variable: &str| {
            let (name, _) = table.iter().find(|(_, v)| *v == variable)?;
            named
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, value)| *value)
        };
        Credentials::variables(vendor)
            .iter()
            .find_map(|set| {
                set.iter()
                    .map(|variable| Some((*variable, value(variable)?)))
                    .collect::<Option<Vec<_>>>()
            })
            .unwrap_or_default()
    }

    /// The environment variable holding `vendor`'s base URL, for a vendor without a default
    /// one (CareCloud's tenant URL).
    pub fn base_url_variable(vendor: Vendor) -> Option<&'static str> {
        vendor.api().base_url_var()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_variable_is_named_at_once() {
        let err = Credentials::from_lookup(Vendor::Gleantap, |name| {
            (name == "GLEANTAP_APP_ID").then(|| "app".to_owned())
        })
        .expect_err("keys missing");
        assert_eq!(err.missing, ["GLEANTAP_API_KEY", "GLEANTAP_SECRET_KEY"]);
        assert!(err.to_string().contains("GLEANTAP_SECRET_KEY"), "{err}");
    }

    #[test]
    fn every_vendor_reads_its_first_complete_set() {
        for vendor in Vendor::ALL {
            for set in Credentials::variables(vendor) {
                let credentials = Credentials::from_lookup(vendor, |name| {
                    set.contains(&name).then(|| format!("value-of-{name}"))
                })
                .expect("a complete set is enough");
                assert_eq!(credentials.vendor(), vendor);
                let debug = format!("{credentials:?}");
                for secret in set.iter().filter(|n| {
                    n.ends_with("KEY") || n.ends_with("TOKEN") || n.ends_with("PASSWORD")
                }) {
                    assert!(!debug.contains(&format!("value-of-{secret}")), "{debug}");
                }
            }
            let err = Credentials::from_lookup(vendor, |_| Some(" ".into())).expect_err("blank");
            assert!(!err.missing.is_empty());
        }
    }
}
