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
pub mod impact;
pub mod lint;
pub mod overlay;
pub mod paging;
pub mod release;
pub mod spec;
pub mod vendors;

pub mod responses;
pub mod strict;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// The workspace `cargo xtask` works on: the nearest folder at or above `start` holding
/// `specs/vendors.toml` beside a `Cargo.toml`. It comes from where the command runs, never
/// from the path compiled in, so two checkouts sharing a `CARGO_TARGET_DIR` (and so one
/// compiled xtask) each work on their own files.
pub fn find_workspace_root(start: &Path) -> Result<PathBuf> {
    for dir in start.ancestors() {
        if dir.join(vendors::VENDORS_FILE).is_file() && dir.join("Cargo.toml").is_file() {
            return Ok(dir.to_path_buf());
        }
    }
    bail!(
        "{} is not inside this project's workspace (no {} above it); run `cargo xtask` \
         from the workspace or pass --workspace",
        start.display(),
        vendors::VENDORS_FILE
    )
}

/// The workspace this crate was compiled in: for tests of this checkout only (the command
/// itself uses [`find_workspace_root`]).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
