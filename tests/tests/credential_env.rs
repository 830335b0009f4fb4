//! Each vendor's credential variables are said once, in its spec (`x-env` beside each
//! security scheme, and the spec's top-level `x-env` map), and every reader follows it: the
//! generated crates' `Credentials::from_env`, the facade, and the CLI guide's table.

use std::collections::BTreeSet;

use customers::{Credentials, Vendor};
use serde_json::Value;

mod support;

/// Every variable `vendor`'s effective spec names.
fn spec_variables(vendor: Vendor) -> BTreeSet<String> {
    let doc = support::effective_spec(vendor.as_str());
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|schemes| schemes.values())
        .filter_map(|scheme| scheme["x-env"].as_str());
    let others = doc
        .get("x-env")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|map| map.values())
        .filter_map(|entry| entry["variable"].as_str());
    schemes.chain(others).map(str::to_owned).collect()
}

/// Every variable the facade reads for `vendor`.
fn facade_variables(vendor: Vendor) -> BTreeSet<String> {
    Credentials::variables(vendor)
        .iter()
        .flat_map(|set| set.iter())
        .copied()
        .chain(Credentials::base_url_variable(vendor))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_facade_reads_exactly_the_variables_each_spec_names() {
    for vendor in Vendor::ALL {
        let spec = spec_variables(vendor);
        assert!(!spec.is_empty(), "{vendor}: its spec names no variable");
        assert_eq!(facade_variables(vendor), spec, "{vendor}");
    }
}

#[test]
fn the_cli_guide_lists_each_vendors_variables() {
    let guide = std::fs::read_to_string(xtask::workspace_root().join("docs/cli.md"))
        .expect("docs/cli.md reads");
    for vendor in Vendor::ALL {
        let row = guide
            .lines()
            .find(|line| {
                line.to_lowercase()
                    .starts_with(&format!("| {} |", vendor.as_str()))
            })
            .unwrap_or_else(|| panic!("docs/cli.md has no credentials row for {vendor}"));
        let listed: BTreeSet<String> = row
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        assert_eq!(listed, spec_variables(vendor), "{vendor}: {row}");
    }
}

/// Checks a generated crate's `Credentials::from_lookup` against its `ENV`.
macro_rules! check_generated {
    ($krate:ident) => {{
        let env = $krate::Credentials::ENV;
        assert!(!env.is_empty());
        let all = |name: &str| Some(format!("secret-of-{name}"));
        let credentials = $krate::Credentials::from_lookup(all).expect("every variable set");
        let debug = format!("{credentials:?}");
        assert!(!debug.contains("secret-of-"), "{debug}");
        let headers = credentials.headers().expect("valid header values");
        assert!(
            headers.values().all(|value| value.is_sensitive()
                || !value.to_str().unwrap_or("").contains("secret-of-"))
        );
        let err = $krate::Credentials::from_lookup(|_| None).expect_err("none set");
        assert_eq!(
            err.missing,
            env.iter().map(|v| v.to_string()).collect::<Vec<_>>()
        );
        for (name, variable) in $krate::env::ALL {
            assert!(
                !name.is_empty() && variable.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            );
        }
        env.iter().map(|v| v.to_string()).collect::<BTreeSet<_>>()
    }};
}

#[test]
fn each_generated_crate_reads_its_secrets_from_the_variables_its_spec_names() {
    let generated = [
        (Vendor::Hoko, check_generated!(hoko_client)),
        (Vendor::CareCloud, check_generated!(carecloud_client)),
        (Vendor::BotPenguin, check_generated!(botpenguin_client)),
        (Vendor::Gleantap, check_generated!(gleantap_client)),
        (Vendor::HelpCrunch, check_generated!(helpcrunch_client)),
    ];
    for (vendor, secrets) in generated {
        assert!(
            secrets.is_subset(&spec_variables(vendor)),
            "{vendor}: {secrets:?}"
        );
    }
}
