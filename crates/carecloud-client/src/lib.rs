#![doc = include_str!("../README.md")]

// Generated code is formatted by prettyplease, not rustfmt: `cargo fmt` leaves it alone.
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused_imports)]
mod generated;
pub use generated::*;

pub use client_runtime::{AuthError, Secret};

/// The enterprise-interface base URL of a tenant, from its host name
/// (e.g. `sandbox.crmcarecloud.com`): [`SERVER_URL`] with `{project_url}` filled in.
pub fn tenant_base_url(project_url: &str) -> String {
    SERVER_URL.replace("{project_url}", project_url.trim_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_base_url_fills_in_the_host() {
        assert_eq!(
            tenant_base_url("sandbox.crmcarecloud.com"),
            "https://sandbox.crmcarecloud.com/webservice/rest-api/enterprise-interface/v1.0"
        );
    }
}
