//! Typed client for Gleantap's `POST /v2/ExternalApi/getCustomers`.
//!
//! `generated.rs` is written by `cargo xtask codegen` from `specs/gleantap.json` with `specs/gleantap.overlay.yaml` and never edited by
//! hand, `Credentials` and `Client::with_credentials` included (from the spec's
//! `securitySchemes`); this file is hand-written. Build an authenticated client once with
//! [`Client::with_credentials`] and call the operations through the builder interface.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use gleantap_client::types::GetCustomersBody;
//! let client = gleantap_client::Client::with_credentials(
//!     gleantap_client::SERVER_URL,
//!     &gleantap_client::Credentials::new("api-key", "secret-key"),
//! )?;
//! let body = GetCustomersBody::builder().app_id("app-1").limit(1000).offset(0);
//! let page = client.get_customers().body(body).send().await?;
//! println!("{} members", page.members.len());
//! # Ok(()) }
//! ```

// Generated code is formatted by prettyplease, not rustfmt: `cargo fmt` leaves it alone.
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused_imports)]
mod generated;
pub use generated::*;

pub use client_runtime::{AuthError, Secret};
