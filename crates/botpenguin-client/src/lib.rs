//! Typed client for BotPenguin's partner API `GET /customer/list`.
//!
//! `generated.rs` is written by `cargo xtask codegen` from `specs/botpenguin.yaml` and never edited by
//! hand, `Credentials` and `Client::with_credentials` included (from the spec's
//! `securitySchemes`); this file is hand-written. Build an authenticated client once with
//! [`Client::with_credentials`] and call the operations through the builder interface.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = botpenguin_client::Client::with_credentials(
//!     botpenguin_client::SERVER_URL,
//!     &botpenguin_client::Credentials::new("agency-token"),
//! )?;
//! let page = client.get_customers().page(1).send().await?;
//! println!("{} customers", page.data.len());
//! # Ok(()) }
//! ```

// Generated code is formatted by prettyplease, not rustfmt: `cargo fmt` leaves it alone.
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused_imports)]
mod generated;
pub use generated::*;

pub use client_runtime::{AuthError, Secret};
