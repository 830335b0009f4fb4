//! Typed client for CareCloud CRM's enterprise interface (customers and login).
//!
//! `generated.rs` is written by `cargo xtask codegen` from `specs/carecloud.yaml` and never edited by
//! hand; this file and `auth.rs` are hand-written. Build an authenticated client once with
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

mod auth;
pub use auth::{Credentials, tenant_base_url};
pub use client_runtime::{AuthError, Secret};
