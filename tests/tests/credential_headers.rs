//! The headers the facade guards as credentials (no default header may replace them) are
//! exactly the ones each vendor's spec declares in its security schemes.

use std::collections::BTreeSet;

use customers::vendors::{Vendor, credential_headers};
use serde_json::Value;

mod support;

/// The header names (lower case) of the security schemes of `vendor`'s effective spec.
fn spec_headers(vendor: Vendor) -> BTreeSet<String> {
    let doc = support::effective_spec(vendor.as_str());
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    schemes
        .values()
        .filter_map(|scheme| {
            match (
                scheme["type"].as_str(),
                scheme["in"].as_str(),
                scheme["scheme"].as_str(),
            ) {
                (Some("http"), _, Some(s)) if s.eq_ignore_ascii_case("bearer") => {
                    Some("authorization".to_owned())
                }
                (Some("apiKey"), Some("header"), _) => {
                    scheme["name"].as_str().map(str::to_ascii_lowercase)
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn the_guarded_headers_are_the_specs_security_headers() {
    for vendor in Vendor::ALL {
        let guarded: BTreeSet<String> = credential_headers(vendor)
            .iter()
            .map(|h| (*h).to_owned())
            .collect();
        assert_eq!(guarded, spec_headers(vendor), "{vendor}");
    }
}
