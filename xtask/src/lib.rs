//! Workspace automation for the vendor client crates.
//!
//! `cargo xtask codegen` reads the vendor list in `specs/vendors.toml`, applies each spec's
//! overlay, generates a client with progenitor and writes it, formatted with prettyplease,
//! to `crates/<vendor>-client/src/generated.rs`. The library half exists so the codegen
//! can be tested against a scratch copy of the workspace.

pub mod auth;
pub mod codegen;
pub mod contract;
pub mod drift;
pub mod generate;
pub mod lint;
pub mod overlay;
pub mod spec;
pub mod vendors;

use std::path::PathBuf;

/// The workspace root: the parent of this crate's folder.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
