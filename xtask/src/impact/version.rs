//! Crate versions and the bump a change needs under Cargo's semver rules.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::rust_api::Level;
use super::source::Source;

/// `major.minor.patch` (pre-release and build tags are not used here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// The first part.
    pub major: u64,
    /// The second part.
    pub minor: u64,
    /// The third part.
    pub patch: u64,
}

impl Version {
    /// Parses `1.2.3`.
    pub fn parse(text: &str) -> Result<Version> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            bail!("`{text}` is not a version of the form major.minor.patch");
        };
        let number = |part: &str| {
            part.parse::<u64>()
                .with_context(|| format!("`{text}` is not a version of the form major.minor.patch"))
        };
        Ok(Version {
            major: number(major)?,
            minor: number(minor)?,
            patch: number(patch)?,
        })
    }

    /// The least version after this one that a change of `level` needs. Cargo treats the
    /// first non-zero part as the breaking one: for 0.y.z a breaking change bumps y and
    /// anything else bumps z; from 1.0.0 on, breaking bumps the major, additive the minor.
    pub fn bumped(self, level: Level) -> Version {
        let Version {
            major,
            minor,
            patch,
        } = self;
        match (level, major) {
            (Level::None, _) => self,
            (Level::Breaking, 0) => Version {
                major,
                minor: minor + 1,
                patch: 0,
            },
            (Level::Breaking, _) => Version {
                major: major + 1,
                minor: 0,
                patch: 0,
            },
            (Level::Additive, 1..) => Version {
                major,
                minor: minor + 1,
                patch: 0,
            },
            (Level::Additive | Level::Patch, _) => Version {
                major,
                minor,
                patch: patch + 1,
            },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The `package.version` of the manifest at `path` (following `version.workspace = true`
/// to the workspace's `Cargo.toml`).
pub fn of_manifest(from: &Source<'_>, path: &Path) -> Result<Version> {
    let text = from.require(path)?;
    let doc: toml::Value =
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let version = doc.get("package").and_then(|p| p.get("version"));
    match version {
        Some(toml::Value::String(text)) => Version::parse(text),
        Some(toml::Value::Table(t))
            if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) =>
        {
            let workspace = from.require(Path::new("Cargo.toml"))?;
            let doc: toml::Value = toml::from_str(&workspace).context("parsing Cargo.toml")?;
            doc.get("workspace")
                .and_then(|w| w.get("package"))
                .and_then(|p| p.get("version"))
                .and_then(toml::Value::as_str)
                .context("Cargo.toml: no workspace.package.version")
                .and_then(Version::parse)
        }
        _ => bail!("{}: no package.version", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_cargos_rules() {
        let v = |t: &str| Version::parse(t).expect("a version");
        assert_eq!(v("0.1.0").bumped(Level::Breaking), v("0.2.0"));
        assert_eq!(v("0.1.3").bumped(Level::Additive), v("0.1.4"));
        assert_eq!(v("0.1.3").bumped(Level::Patch), v("0.1.4"));
        assert_eq!(v("1.2.3").bumped(Level::Breaking), v("2.0.0"));
        assert_eq!(v("1.2.3").bumped(Level::Additive), v("1.3.0"));
        assert_eq!(v("1.2.3").bumped(Level::Patch), v("1.2.4"));
        assert_eq!(v("1.2.3").bumped(Level::None), v("1.2.3"));
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(Version::parse("1.2").is_err());
        assert!(Version::parse("1.x.0").is_err());
    }
}
