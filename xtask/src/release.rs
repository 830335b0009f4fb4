//! Versions that follow the API: `specs/releases.toml` records each published crate's last
//! release (its version and, for a generated crate, the SHA-256 of the effective spec it was
//! generated from), as smithy-rs keeps `versions.toml`.
//!
//! - `cargo xtask codegen --check` fails when a spec's hash moved but its crate's version did
//!   not ([`stale_versions`]).
//! - `cargo xtask release` bumps each changed crate as far as its impact needs, against the
//!   commit that last recorded a release, records the new version and hash, and prepends the
//!   impact's summary to the crate's `CHANGELOG.md` ([`release`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::impact::{self, CrateImpact, spec_rules::Severity, version::Version};
use crate::vendors;

/// Where the releases are recorded, relative to the workspace root.
pub const RELEASES_FILE: &str = "specs/releases.toml";

/// One crate's last release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// The crate's package name.
    pub name: String,
    /// Its version then.
    pub version: String,
    /// The SHA-256 of its vendor's effective spec then (generated crates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Releases {
    #[serde(rename = "crate", default)]
    crates: Vec<Release>,
}

/// Parses a releases file.
pub fn parse(text: &str) -> Result<Vec<Release>> {
    let releases: Releases = toml::from_str(text).context("parsing the releases file")?;
    Ok(releases.crates)
}

/// The recorded releases of the workspace at `root` (none when the file is absent).
pub fn load(root: &Path) -> Result<Vec<Release>> {
    match std::fs::read_to_string(root.join(RELEASES_FILE)) {
        Ok(text) => parse(&text).with_context(|| RELEASES_FILE.to_owned()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(err) => Err(err).context(RELEASES_FILE),
    }
}

/// The file's text for `releases`.
pub fn render(releases: &[Release]) -> String {
    let mut out = String::from(
        "# The last release of each published crate, written by `cargo xtask release`: its version\n\
         # and, for a generated crate, the SHA-256 of the effective spec (overlay applied) it was\n\
         # generated from. `cargo xtask codegen --check` fails when a spec's hash moved but its\n\
         # crate's version did not.\n",
    );
    for release in releases {
        let _ = write!(
            out,
            "\n[[crate]]\nname = \"{}\"\nversion = \"{}\"\n",
            release.name, release.version
        );
        if let Some(hash) = &release.spec_sha256 {
            let _ = writeln!(out, "spec_sha256 = \"{hash}\"");
        }
    }
    out
}

/// The SHA-256 of a spec with its object keys sorted, so that key order does not count.
pub fn spec_hash(spec: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let text = serde_json::to_string(&sorted(spec)).unwrap_or_default();
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// The version in the `Cargo.toml` of the crate in `crate_dir` (relative to `root`).
pub fn manifest_version(root: &Path, crate_dir: &Path) -> Result<Version> {
    impact::version::of_manifest(
        &impact::source::Source::Tree(root),
        &crate_dir.join("Cargo.toml"),
    )
}

/// Generated crates whose spec changed since their recorded release while their version
/// stayed: one line each, naming the fix.
pub fn stale_versions(root: &Path) -> Result<Vec<String>> {
    let releases = load(root)?;
    let mut out = Vec::new();
    for vendor in vendors::load(root)? {
        let name = crate_name(root, &vendor.crate_dir)?;
        let Some(recorded) = releases.iter().find(|r| r.name == name) else {
            continue;
        };
        let hash = spec_hash(&crate::spec::effective(root, &vendor)?);
        let version = manifest_version(root, &vendor.crate_dir)?;
        if recorded.spec_sha256.as_deref() != Some(hash.as_str())
            && version.to_string() == recorded.version
        {
            out.push(format!(
                "{}: its spec changed since {name} {} was recorded in {RELEASES_FILE}, but its version did not; run `cargo xtask release {name}`",
                vendor.name, recorded.version
            ));
        }
    }
    Ok(out)
}

fn crate_name(root: &Path, crate_dir: &Path) -> Result<String> {
    impact::crate_name(
        &impact::source::Source::Tree(root),
        &crate_dir.join("Cargo.toml"),
    )
}

/// The commit that last changed the releases file (`HEAD` when none did).
pub fn last_release_commit(root: &Path) -> Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["log", "-1", "--format=%H", "--", RELEASES_FILE])
        .output()
        .context("running git")?;
    let commit = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Ok(if output.status.success() && !commit.is_empty() {
        commit
    } else {
        "HEAD".to_owned()
    })
}

/// What `release` did to one crate.
#[derive(Debug)]
pub struct Released {
    /// The crate.
    pub name: String,
    /// Its version before and after.
    pub from: String,
    /// The version now recorded.
    pub to: String,
}

/// Releases the crates named in `only` (all when empty) that changed since the last
/// recorded release: bumps each as far as its impact needs (a version already bumped
/// further stays), updates the workspace's dependency on it, records it and prepends the
/// impact's summary to its `CHANGELOG.md`. `date` heads the changelog entry.
pub fn release(root: &Path, only: &[String], date: &str) -> Result<Vec<Released>> {
    let base = last_release_commit(root)?;
    let report = impact::impact(
        root,
        &impact::Options {
            base: &base,
            snapshots: false,
        },
    )?;
    let known: Vec<&str> = report.crates.iter().map(|c| c.name.as_str()).collect();
    for name in only {
        if !known.contains(&name.as_str()) && !publishable(root)?.iter().any(|(n, _)| n == name) {
            bail!("`{name}` is not a crate this workspace releases");
        }
    }
    let mut releases = load(root)?;
    let mut done = Vec::new();
    for change in &report.crates {
        if !only.is_empty() && !only.contains(&change.name) {
            continue;
        }
        let current = manifest_version(root, &change.dir)?;
        let needed = match &change.needed {
            Some(needed) => Version::parse(needed)?,
            None => current,
        };
        let to = current.max(needed);
        if to != current {
            set_manifest_version(root, &change.dir, &to)?;
        }
        set_dependency_version(root, &change.dir, &to)?;
        let hash = match &change.vendor {
            Some(vendor) => {
                let vendor = vendors::select(vendors::load(root)?, std::slice::from_ref(vendor))?;
                match vendor.first() {
                    Some(v) => Some(spec_hash(&crate::spec::effective(root, v)?)),
                    None => None,
                }
            }
            None => None,
        };
        let entry = Release {
            name: change.name.clone(),
            version: to.to_string(),
            spec_sha256: hash,
        };
        match releases.iter_mut().find(|r| r.name == change.name) {
            Some(existing) => *existing = entry,
            None => releases.push(entry),
        }
        prepend_changelog(root, change, &to, date)?;
        done.push(Released {
            name: change.name.clone(),
            from: current.to_string(),
            to: to.to_string(),
        });
    }
    // A crate never recorded (the first release, a new vendor) is recorded as it is.
    for (name, dir) in publishable(root)? {
        if (!only.is_empty() && !only.contains(&name)) || releases.iter().any(|r| r.name == name) {
            continue;
        }
        let version = manifest_version(root, &dir)?;
        let vendor = vendors::load(root)?
            .into_iter()
            .find(|v| v.crate_dir == dir);
        let spec_sha256 = match vendor {
            Some(vendor) => Some(spec_hash(&crate::spec::effective(root, &vendor)?)),
            None => None,
        };
        releases.push(Release {
            name: name.clone(),
            version: version.to_string(),
            spec_sha256,
        });
        let path = root.join(&dir).join("CHANGELOG.md");
        if !path.exists() {
            let text =
                format!("# Changelog\n\n## {version} ({date})\n\n- First recorded release.\n");
            std::fs::write(&path, text).with_context(|| path.display().to_string())?;
        }
        done.push(Released {
            name,
            from: version.to_string(),
            to: version.to_string(),
        });
    }
    std::fs::write(root.join(RELEASES_FILE), render(&releases)).context(RELEASES_FILE)?;
    Ok(done)
}

/// The crates a release covers: `client-runtime` and every vendor's client, with folders.
pub fn publishable(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = vec![(
        crate_name(root, Path::new(impact::RUNTIME_CRATE))?,
        PathBuf::from(impact::RUNTIME_CRATE),
    )];
    for vendor in vendors::load(root)? {
        out.push((crate_name(root, &vendor.crate_dir)?, vendor.crate_dir));
    }
    Ok(out)
}

/// Rewrites the `version = "…"` line of the `[package]` table.
fn set_manifest_version(root: &Path, crate_dir: &Path, to: &Version) -> Result<()> {
    let path = root.join(crate_dir).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    let mut in_package = false;
    let mut replaced = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let trimmed = line.trim();
            if trimmed.starts_with('[') {
                in_package = trimmed == "[package]";
            }
            if in_package && !replaced && trimmed.starts_with("version") && trimmed.contains('"') {
                replaced = true;
                format!("version = \"{to}\"")
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !replaced {
        bail!("{}: no `version = \"…\"` line in [package]", path.display());
    }
    std::fs::write(&path, lines.join("\n") + "\n").with_context(|| path.display().to_string())
}

/// Sets the version of the workspace's path dependency on the crate at `crate_dir`, so that
/// the dependents (and the packaged crates) ask for the new one.
fn set_dependency_version(root: &Path, crate_dir: &Path, to: &Version) -> Result<()> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).context("Cargo.toml")?;
    let needle = format!(
        "path = \"{}\"",
        crate_dir.to_string_lossy().replace('\\', "/")
    );
    let mut changed = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !line.contains(&needle) {
                return line.to_owned();
            }
            changed = true;
            match line.find("version = \"") {
                Some(at) => {
                    let start = at + "version = \"".len();
                    let end = line[start..].find('"').map_or(line.len(), |i| start + i);
                    format!("{}{to}{}", &line[..start], &line[end..])
                }
                None => line.to_owned(),
            }
        })
        .collect();
    if changed {
        std::fs::write(&path, lines.join("\n") + "\n").context("Cargo.toml")?;
    }
    Ok(())
}

/// The impact's summary for one crate, as a changelog entry.
pub fn changelog_entry(change: &CrateImpact, to: &Version, date: &str) -> String {
    let mut out = format!("## {to} ({date})\n\n");
    let breaking = change.breaking_spec_changes();
    if change.vendor.is_some() {
        let _ = writeln!(
            out,
            "- Spec: {} change(s), {breaking} of them breaking clients generated from the previous spec.",
            change.spec_changes.len()
        );
        for spec in &change.spec_changes {
            let _ = writeln!(
                out,
                "  - `{}`{}: {} `{}` {}: `{}` → `{}`",
                spec.rule,
                if spec.severity == Severity::Breaking {
                    " (breaking)"
                } else {
                    ""
                },
                spec.operation,
                spec.at,
                spec.aspect,
                if spec.old.is_empty() {
                    "(nothing)"
                } else {
                    &spec.old
                },
                if spec.new.is_empty() {
                    "(nothing)"
                } else {
                    &spec.new
                },
            );
        }
    }
    let _ = writeln!(
        out,
        "- Rust API: {} ({} change(s)).",
        change.level,
        change.api_changes.len()
    );
    for api in &change.api_changes {
        let _ = writeln!(out, "  - {} {} `{}`", api.change, api.kind, api.path);
    }
    out
}

fn prepend_changelog(root: &Path, change: &CrateImpact, to: &Version, date: &str) -> Result<()> {
    let path = root.join(&change.dir).join("CHANGELOG.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let body = old
        .strip_prefix("# Changelog\n")
        .unwrap_or(&old)
        .trim_start();
    let text = format!(
        "# Changelog\n\n{}\n{body}",
        changelog_entry(change, to, date)
    );
    std::fs::write(&path, text.trim_end().to_owned() + "\n")
        .with_context(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_hash_ignores_key_order_and_sees_any_value() {
        let a = json!({"a": 1, "b": {"c": [1, 2], "d": "x"}});
        let b = json!({"b": {"d": "x", "c": [1, 2]}, "a": 1});
        assert_eq!(spec_hash(&a), spec_hash(&b));
        assert_ne!(
            spec_hash(&a),
            spec_hash(&json!({"a": 1, "b": {"c": [2, 1], "d": "x"}}))
        );
        assert_eq!(spec_hash(&a).len(), 64);
    }

    #[test]
    fn the_file_reads_back() {
        let releases = vec![
            Release {
                name: "client-runtime".into(),
                version: "0.1.0".into(),
                spec_sha256: None,
            },
            Release {
                name: "hoko-client".into(),
                version: "0.2.0".into(),
                spec_sha256: Some("ab".repeat(32)),
            },
        ];
        assert_eq!(parse(&render(&releases)).expect("parses"), releases);
    }
}
