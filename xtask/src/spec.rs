//! Loading a vendor's spec as codegen sees it: the file, parsed, with its overlay applied.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::overlay::{self, Overlay};
use crate::strict::StrictValue;
use crate::vendors::Vendor;

/// Parses a JSON or YAML file (by extension) into a JSON value, refusing a key given twice
/// in one object. `path` is relative to `root` and errors name it that way.
pub fn read_document(root: &Path, path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(root.join(path))
        .with_context(|| format!("reading {}", path.display()))?;
    parse_document(&text, path)
}

/// Parses `text`, the content of `path`, as [`read_document`] does.
pub fn parse_document(text: &str, path: &Path) -> Result<Value> {
    let is_json = path.extension().is_some_and(|ext| ext == "json");
    let value: StrictValue = if is_json {
        serde_json::from_str(text).with_context(|| format!("{}: invalid JSON", path.display()))?
    } else {
        serde_yaml::from_str(text).with_context(|| format!("{}: invalid YAML", path.display()))?
    };
    Ok(value.0)
}

/// The vendor's spec with its overlay applied, as JSON.
pub fn effective(root: &Path, vendor: &Vendor) -> Result<Value> {
    effective_from(vendor, |path| read_document(root, path))
}

/// [`effective`], its files read by `read` (from the working tree, or from a git revision).
pub fn effective_from(vendor: &Vendor, read: impl Fn(&Path) -> Result<Value>) -> Result<Value> {
    let mut doc = read(&vendor.spec)?;
    if let Some(overlay_path) = &vendor.overlay {
        let overlay: Overlay = serde_json::from_value(read(overlay_path)?)
            .with_context(|| format!("{}: not an overlay document", overlay_path.display()))?;
        overlay::apply(&mut doc, &overlay).with_context(|| {
            format!(
                "applying {} to {}",
                overlay_path.display(),
                vendor.spec.display()
            )
        })?;
    }
    Ok(doc)
}

/// The vendor's effective spec as a typed OpenAPI 3.0 document.
pub fn load(root: &Path, vendor: &Vendor) -> Result<openapiv3::OpenAPI> {
    let doc = effective(root, vendor)?;
    serde_json::from_value(doc).with_context(|| {
        format!(
            "{}: not a valid OpenAPI 3.0 document",
            vendor.spec.display()
        )
    })
}
