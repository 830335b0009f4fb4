//! Typed client for HelpCrunch's REST API v1 customers.
//!
//! `generated.rs` is written by `cargo xtask codegen` from `specs/helpcrunch.yaml` and never edited by
//! hand, `Credentials` and `Client::with_credentials` included (from the spec's
//! `securitySchemes`); this file is hand-written. Build an authenticated client once with
//! [`Client::with_credentials`] and call the operations through the builder interface.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = helpcrunch_client::Client::with_credentials(
//!     helpcrunch_client::SERVER_URL,
//!     &helpcrunch_client::Credentials::new("api-key"),
//! )?;
//! let page = client.get_customers().offset(0).limit(100).send().await?;
//! println!("{} of {:?}", page.data.len(), page.total);
//! # Ok(()) }
//! ```

// Generated code is formatted by prettyplease, not rustfmt: `cargo fmt` leaves it alone.
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused_imports)]
mod generated;
pub use generated::*;

pub use client_runtime::{AuthError, Secret};
