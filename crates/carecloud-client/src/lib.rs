//! Typed client for CareCloud CRM's enterprise interface (customers and login).
//!
//! `generated.rs` is written by `cargo xtask codegen` from `specs/carecloud.yaml` and never edited by
//! hand, `Credentials` and `Client::with_credentials` included (from the spec's
//! `securitySchemes`); this file is hand-written. Build an authenticated client once with
//! [`Client::with_credentials`] and call the operations through the builder interface.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let base = carecloud_client::tenant_base_url("mytenant.crmcarecloud.com");
//! let client = carecloud_client::Client::with_credentials(
//!     &base,
//!     &carecloud_client::Credentials::new("bearer-token"),
//! )?;
//! let page = client.get_customers().count(100).offset(0).send().await?;
//! println!("{} of {}", page.data.customers.len(), page.data.total_items);
//! # Ok(()) }
//! ```

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
