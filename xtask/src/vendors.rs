//! The vendor list: data in `specs/vendors.toml`, not code repeated per vendor.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// Where the vendor list lives, relative to the workspace root.
pub const VENDORS_FILE: &str = "specs/vendors.toml";

/// One vendor: its spec, optional overlay and generated crate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// Lowercase vendor name, as used on the command line.
    pub name: String,
    /// The OpenAPI spec, relative to the workspace root.
    pub spec: PathBuf,
    /// An OpenAPI Overlay 1.0 file applied to the spec, relative to the workspace root.
    #[serde(default)]
    pub overlay: Option<PathBuf>,
    /// The client crate's folder, relative to the workspace root.
    #[serde(rename = "crate")]
    pub crate_dir: PathBuf,
}

impl Vendor {
    /// The one file of the crate that codegen owns, relative to the workspace root.
    pub fn generated_file(&self) -> PathBuf {
        self.crate_dir.join("src").join("generated.rs")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorList {
    vendor: Vec<Vendor>,
}

/// Parses a vendor list (without checking its folders: it may be an older revision's).
pub fn parse(text: &str) -> Result<Vec<Vendor>> {
    let list: VendorList = toml::from_str(text).context("parsing the vendor list")?;
    Ok(list.vendor)
}

/// Reads the vendor list of the workspace at `root`.
pub fn load(root: &Path) -> Result<Vec<Vendor>> {
    let path = root.join(VENDORS_FILE);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let list: VendorList =
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut seen = std::collections::BTreeSet::new();
    let canonical_root = root
        .canonicalize()
        .with_context(|| format!("resolving {}", root.display()))?;
    for vendor in &list.vendor {
        // codegen writes into this folder: it must be a folder of this workspace.
        let crate_dir = root.join(&vendor.crate_dir);
        let inside = crate_dir
            .canonicalize()
            .is_ok_and(|dir| dir.is_dir() && dir.starts_with(&canonical_root));
        if !inside {
            bail!(
                "{}: vendor `{}`: crate `{}` is not a folder inside the workspace {}",
                path.display(),
                vendor.name,
                vendor.crate_dir.display(),
                root.display()
            );
        }
        if !seen.insert(vendor.name.as_str()) {
            bail!(
                "{}: vendor `{}` is listed twice",
                path.display(),
                vendor.name
            );
        }
    }
    Ok(list.vendor)
}

/// Picks the vendors named in `only` (all when empty), failing on an unknown name.
pub fn select(all: Vec<Vendor>, only: &[String]) -> Result<Vec<Vendor>> {
    if only.is_empty() {
        return Ok(all);
    }
    for name in only {
        if !all.iter().any(|v| &v.name == name) {
            let known: Vec<_> = all.iter().map(|v| v.name.as_str()).collect();
            bail!(
                "unknown vendor `{name}`; known vendors: {}",
                known.join(", ")
            );
        }
    }
    Ok(all.into_iter().filter(|v| only.contains(&v.name)).collect())
}
