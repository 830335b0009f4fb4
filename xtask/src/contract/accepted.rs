//! `specs/<vendor>.contract.toml`: the differences from the official spec that we keep on
//! purpose, each with its reason.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::Difference;

/// The accepted differences of one vendor.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedList {
    /// The entries, in file order.
    #[serde(default, rename = "accept")]
    pub entries: Vec<Accepted>,
}

/// One accepted difference. `operation` and `at` may use `*` for any run of characters;
/// `ours` and `official`, when given, must equal the difference's values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// `GET /customers` (glob).
    pub operation: String,
    /// `response 200 $.data.total_items` (glob).
    pub at: String,
    /// The aspect, exactly: `type`, `nullable`, `status`, ...
    pub aspect: String,
    /// Our value, when the entry is about one value only.
    #[serde(default)]
    pub ours: Option<String>,
    /// The official value, when the entry is about one value only.
    #[serde(default)]
    pub official: Option<String>,
    /// Why our spec differs on purpose.
    pub reason: String,
}

impl Accepted {
    /// Whether this entry explains `d`.
    pub fn matches(&self, d: &Difference) -> bool {
        glob(&self.operation, &d.operation)
            && glob(&self.at, &d.at)
            && self.aspect == d.aspect
            && self.ours.as_ref().is_none_or(|o| *o == d.ours)
            && self.official.as_ref().is_none_or(|o| *o == d.official)
    }
}

impl std::fmt::Display for Accepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.operation, self.at, self.aspect)?;
        if let Some(ours) = &self.ours {
            write!(f, " (ours {ours:?})")?;
        }
        if let Some(official) = &self.official {
            write!(f, " (official {official:?})")?;
        }
        Ok(())
    }
}

impl AcceptedList {
    /// Reads `path`; a missing file accepts nothing.
    pub fn load(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Ok(Self::default());
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Parses the TOML text, refusing an entry without a reason.
    pub fn parse(text: &str) -> Result<Self> {
        let list: Self = toml::from_str(text)?;
        for entry in &list.entries {
            if entry.reason.trim().is_empty() {
                bail!("accepted difference `{entry}` has no reason");
            }
        }
        Ok(list)
    }
}

/// `*` matches any run of characters (none included); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_matches_runs_of_any_characters() {
        assert!(glob("GET /customers", "GET /customers"));
        assert!(!glob("GET /customers", "GET /customers/{id}"));
        assert!(glob("GET *", "GET /customers/{id}"));
        assert!(glob(
            "response * $.data.*",
            "response 200 $.data.total_items"
        ));
        assert!(!glob("response * $.data.*", "response 200 $.error"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "abc"));
        assert!(!glob("a*bc", "abc*c"));
        assert!(glob("*.x", "a.x.x"));
    }
}
