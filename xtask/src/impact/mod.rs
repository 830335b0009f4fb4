//! `cargo xtask impact`: what a change of the specs and generated crates means, judged
//! against a base revision. For every vendor whose effective spec, generated crate or
//! hand-written `lib.rs` changed (and for `client-runtime`): the spec changes classified
//! for deployed clients ([`spec_rules`]), the Rust API change read with `syn`
//! ([`rust_api`]), the version the crate needs under Cargo's semver rules, and the facade's
//! snapshots that change ([`snapshots`]).

pub mod report;
pub mod rust_api;
pub mod snapshots;
pub mod source;
pub mod spec_rules;
pub mod version;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::vendors::{self, Vendor};
use rust_api::{ApiChange, Level, PublicApi};
use source::Source;
use spec_rules::{Severity, SpecChange};

/// The shared runtime crate, judged beside the vendors'.
pub const RUNTIME_CRATE: &str = "crates/client-runtime";

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Impact {
    /// The base revision as given, and the commit it names.
    pub base: String,
    /// The commit the base names.
    pub base_commit: String,
    /// One entry per crate that changed.
    pub crates: Vec<CrateImpact>,
    /// The facade's snapshots that change (`None`: not run).
    pub snapshots: Option<snapshots::Snapshots>,
}

/// What changed in one crate.
#[derive(Debug, Serialize)]
pub struct CrateImpact {
    /// The crate's package name, e.g. `carecloud-client`.
    pub name: String,
    /// The vendor, for a generated crate.
    pub vendor: Option<String>,
    /// The crate's folder, relative to the workspace root.
    pub dir: PathBuf,
    /// The spec changes, classified (generated crates only).
    pub spec_changes: Vec<SpecChange>,
    /// The public Rust API's changes.
    pub api_changes: Vec<ApiChange>,
    /// What the change asks of the version.
    pub level: Level,
    /// The version at the base (`None`: the crate is new).
    pub base_version: Option<String>,
    /// The version in its `Cargo.toml` now.
    pub version: String,
    /// The least version the change needs.
    pub needed: Option<String>,
    /// Whether `version` is at least `needed`.
    pub bumped_enough: bool,
}

impl CrateImpact {
    /// Spec changes that break deployed clients.
    pub fn breaking_spec_changes(&self) -> usize {
        self.spec_changes
            .iter()
            .filter(|c| c.severity == Severity::Breaking)
            .count()
    }
}

/// Options of one run.
pub struct Options<'a> {
    /// The revision to compare with.
    pub base: &'a str,
    /// Run the facade's snapshot tests (a `cargo test`) to list what they change.
    pub snapshots: bool,
}

/// Builds the report for the workspace at `root`.
pub fn impact(root: &Path, options: &Options<'_>) -> Result<Impact> {
    let commit = source::resolve_commit(root, options.base)?;
    let base = Source::Git {
        root,
        commit: &commit,
    };
    let tree = Source::Tree(root);
    let base_vendors: Vec<Vendor> = match base.read(Path::new(vendors::VENDORS_FILE))? {
        Some(text) => vendors::parse(&text).unwrap_or_default(),
        None => Vec::new(),
    };
    let mut crates = Vec::new();
    for vendor in vendors::load(root)? {
        let before = base_vendors.iter().find(|v| v.name == vendor.name);
        if let Some(found) = vendor_impact(root, &vendor, before, &base, &tree)? {
            crates.push(found);
        }
    }
    if let Some(found) = runtime_impact(root, &base, &tree)? {
        crates.push(found);
    }
    let snapshots = if options.snapshots && snapshots::available(root) {
        Some(snapshots::changes(root)?)
    } else {
        None
    };
    Ok(Impact {
        base: options.base.to_owned(),
        base_commit: commit,
        crates,
        snapshots,
    })
}

fn read_spec(vendor: &Vendor, from: &Source<'_>) -> Result<serde_json::Value> {
    crate::spec::effective_from(vendor, |path| {
        crate::spec::parse_document(&from.require(path)?, path)
    })
    .with_context(|| format!("{}: the spec in {}", vendor.name, from.name()))
}

fn vendor_impact(
    root: &Path,
    vendor: &Vendor,
    before: Option<&Vendor>,
    base: &Source<'_>,
    tree: &Source<'_>,
) -> Result<Option<CrateImpact>> {
    let new_spec = read_spec(vendor, tree)?;
    let old_spec = match before {
        Some(before) => Some(read_spec(before, base)?),
        None => None,
    };
    let generated = vendor.generated_file();
    let lib = vendor.crate_dir.join("src").join("lib.rs");
    let manifest = vendor.crate_dir.join("Cargo.toml");
    let mut changed_text = old_spec.as_ref() != Some(&new_spec);
    for file in [&generated, &lib] {
        changed_text |= base.read(file)? != tree.read(file)?;
    }
    if !changed_text && base.read(&manifest)? == tree.read(&manifest)? {
        return Ok(None);
    }
    let spec_changes = match &old_spec {
        Some(old) => spec_rules::classify(old, &new_spec),
        None => Vec::new(),
    };
    // lib.rs re-exports the generated code; its own items are the hand-written API.
    let mut changes = api_changes(base, tree, &generated, "")?;
    changes.extend(api_changes(base, tree, &lib, "")?);
    let name = crate_name(tree, &manifest)?;
    crate_impact(
        root,
        name,
        Some(vendor.name.clone()),
        &vendor.crate_dir,
        spec_changes,
        changes,
        changed_text,
        base,
    )
    .map(Some)
}

#[allow(clippy::too_many_arguments)]
fn crate_impact(
    root: &Path,
    name: String,
    vendor: Option<String>,
    dir: &Path,
    spec_changes: Vec<SpecChange>,
    api_changes: Vec<ApiChange>,
    changed_text: bool,
    base: &Source<'_>,
) -> Result<CrateImpact> {
    let manifest = dir.join("Cargo.toml");
    // A request the new spec refuses (a new required parameter, a value no longer
    // allowed) fails for code that built against the old crate, even where its Rust API
    // only grew.
    let refuses_requests = spec_changes
        .iter()
        .any(|c| c.severity == Severity::Breaking && c.rule.starts_with("request-"));
    let level = api_changes
        .iter()
        .map(|c| c.level)
        .max()
        .unwrap_or(Level::None)
        .max(if changed_text {
            Level::Patch
        } else {
            Level::None
        })
        .max(if refuses_requests {
            Level::Breaking
        } else {
            Level::None
        });
    let version = version::of_manifest(&Source::Tree(root), &manifest)?;
    // The version recorded for the base's release, else the base's manifest.
    let recorded = match base.read(Path::new(crate::release::RELEASES_FILE))? {
        Some(text) => crate::release::parse(&text)
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.name == name)
            .map(|r| version::Version::parse(&r.version))
            .transpose()?,
        None => None,
    };
    let base_version = match (recorded, base.read(&manifest)?) {
        (Some(recorded), _) => Some(recorded),
        (None, Some(_)) => Some(version::of_manifest(base, &manifest)?),
        (None, None) => None,
    };
    let needed = base_version.as_ref().map(|v| v.bumped(level));
    let bumped_enough = match &needed {
        Some(needed) => version >= *needed,
        None => true,
    };
    Ok(CrateImpact {
        name,
        vendor,
        dir: dir.to_owned(),
        spec_changes,
        api_changes,
        level,
        base_version: base_version.map(|v| v.to_string()),
        version: version.to_string(),
        needed: needed.map(|v| v.to_string()),
        bumped_enough,
    })
}

/// The package name in the manifest at `manifest`.
pub fn crate_name(from: &Source<'_>, manifest: &Path) -> Result<String> {
    let text = from.require(manifest)?;
    let doc: toml::Value =
        toml::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    doc.get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("{}: no package name", manifest.display()))
}

/// The API change of one source file, each path under `prefix`.
fn api_changes(
    base: &Source<'_>,
    tree: &Source<'_>,
    file: &Path,
    prefix: &str,
) -> Result<Vec<ApiChange>> {
    let old = base.read(file)?.unwrap_or_default();
    let new = tree.read(file)?.unwrap_or_default();
    if old == new {
        return Ok(Vec::new());
    }
    let parse = |text: &str, from: &Source<'_>| {
        PublicApi::of(text).with_context(|| format!("{} in {}", file.display(), from.name()))
    };
    let mut changes = parse(&new, tree)?.changes_since(&parse(&old, base)?);
    if !prefix.is_empty() {
        for change in &mut changes {
            change.path = format!("{prefix}::{}", change.path);
        }
    }
    Ok(changes)
}

/// `client-runtime`: every source file's public items, by module.
fn runtime_impact(
    root: &Path,
    base: &Source<'_>,
    tree: &Source<'_>,
) -> Result<Option<CrateImpact>> {
    let dir = Path::new(RUNTIME_CRATE);
    if !root.join(dir).is_dir() {
        return Ok(None);
    }
    let mut files = Vec::new();
    collect_rs(root, &dir.join("src"), &mut files)?;
    let mut changed_text =
        base.read(&dir.join("Cargo.toml"))? != tree.read(&dir.join("Cargo.toml"))?;
    let mut changes = Vec::new();
    for file in &files {
        if base.read(file)? == tree.read(file)? {
            continue;
        }
        changed_text = true;
        let module = file
            .strip_prefix(dir.join("src"))
            .unwrap_or(file)
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\'], "::");
        let prefix = if module == "lib" {
            String::new()
        } else {
            module
        };
        changes.extend(api_changes(base, tree, file, &prefix)?);
    }
    if !changed_text {
        return Ok(None);
    }
    let name = crate_name(tree, &dir.join("Cargo.toml"))?;
    crate_impact(root, name, None, dir, Vec::new(), changes, true, base).map(Some)
}

fn collect_rs(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(root.join(dir)).with_context(|| format!("listing {}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| dir.join(e.file_name()))
        .collect();
    paths.sort();
    for path in paths {
        if root.join(&path).is_dir() {
            collect_rs(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The crates whose version is below what their change needs.
pub fn unbumped(impact: &Impact) -> Vec<&CrateImpact> {
    impact.crates.iter().filter(|c| !c.bumped_enough).collect()
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::None => "none",
            Level::Patch => "patch",
            Level::Additive => "additive",
            Level::Breaking => "breaking",
        })
    }
}
