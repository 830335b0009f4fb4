//! `cargo xtask lint`: Redocly CLI (pinned in package-lock.json) over every spec as codegen
//! sees it. Specs without an overlay are linted in place, so errors point at their lines;
//! overlaid specs are written to `target/specs/<vendor>.json` first.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{spec, vendors};

/// The files to lint, relative to `root`, writing overlaid specs under `target/specs/`.
pub fn lint_targets(root: &Path) -> Result<Vec<PathBuf>> {
    let mut targets = Vec::new();
    for vendor in vendors::load(root)? {
        if vendor.overlay.is_none() {
            targets.push(vendor.spec.clone());
            continue;
        }
        let out = PathBuf::from("target/specs").join(format!("{}.json", vendor.name));
        let doc = spec::effective(root, &vendor)?;
        std::fs::create_dir_all(root.join("target/specs")).context("creating target/specs")?;
        std::fs::write(root.join(&out), serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("writing {}", out.display()))?;
        targets.push(out);
    }
    Ok(targets)
}

/// Runs `redocly lint` from the workspace's `node_modules` (install it with `npm ci`).
pub fn run(root: &Path) -> Result<()> {
    let targets = lint_targets(root)?;
    let status = Command::new("npx")
        .current_dir(root)
        .args([
            "--no-install",
            "redocly",
            "lint",
            "--config",
            "redocly.yaml",
        ])
        .args(&targets)
        .status()
        .context("running `npx redocly` (is Node installed and `npm ci` done?)")?;
    if !status.success() {
        bail!("redocly lint found errors");
    }
    Ok(())
}
