//! The facade's snapshots a change moves: the snapshot tests run so that they write
//! `.snap.new` files beside the committed ones without failing, and each pair is compared
//! common field by common field. A common field that goes from a value to empty is flagged:
//! it is a regression until proven otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_yaml::Value;

/// The snapshot tests, relative to the workspace root.
const TESTS: &str = "crates/customers/tests/snapshots.rs";
/// Their snapshots.
const DIR: &str = "crates/customers/tests/snapshots";

/// One fixture whose snapshot changes.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotChange {
    /// The snapshot file, e.g. `snapshots__carecloud@seed.json.snap`.
    pub snapshot: String,
    /// Whether there was no committed snapshot.
    pub new: bool,
    /// The common fields that change.
    pub fields: Vec<FieldChange>,
}

/// One common field of one customer that changes.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    /// The customer's place in the fixture, from 0.
    pub customer: usize,
    /// Its id, as the new snapshot has it.
    pub id: String,
    /// The common field, e.g. `email`.
    pub field: String,
    /// Its committed value.
    pub old: String,
    /// Its value now.
    pub new: String,
    /// From a value to empty (null, "", [] or absent).
    pub emptied: bool,
}

/// Whether the workspace has the facade's snapshot tests.
pub fn available(root: &Path) -> bool {
    root.join(TESTS).is_file()
}

/// What the snapshot tests said.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshots {
    /// The fixtures whose snapshots change.
    pub changes: Vec<SnapshotChange>,
    /// The tests' own failures (a conversion that now fails, drift where a fixture had
    /// none), as the test harness printed them.
    pub failures: Vec<String>,
}

/// Runs the snapshot tests writing `.snap.new` files, and compares each with its snapshot.
pub fn changes(root: &Path) -> Result<Snapshots> {
    let dir = root.join(DIR);
    // Earlier runs' files would pass for this run's.
    for path in new_files(&dir)? {
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .current_dir(root)
        .args(["test", "-q", "-p", "customers", "--test", "snapshots"])
        .env("INSTA_UPDATE", "new")
        .env("INSTA_FORCE_PASS", "1")
        .env_remove("CI")
        .output()
        .context("running the snapshot tests")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // A failing assertion (not a snapshot: those pass, forced) is the change's to explain.
    let lines: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
    let failures: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.contains("panicked at"))
        .map(|(i, line)| {
            // The message is the line after.
            let message = lines.get(i + 1).copied().unwrap_or_default();
            format!("{} {message}", line.trim())
        })
        .collect();
    if !output.status.success() && failures.is_empty() {
        bail!("the snapshot tests did not run:\n{stderr}");
    }
    let mut out = Vec::new();
    for path in new_files(&dir)? {
        let committed = path.with_extension("");
        let new_text = std::fs::read_to_string(&path)?;
        let old_text = std::fs::read_to_string(&committed).ok();
        let name = committed
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(SnapshotChange {
            snapshot: name,
            new: old_text.is_none(),
            fields: compare(old_text.as_deref().unwrap_or(""), &new_text)?,
        });
    }
    Ok(Snapshots {
        changes: out,
        failures,
    })
}

fn new_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "new"))
        .collect();
    files.sort();
    Ok(files)
}

/// The YAML after an insta snapshot's header.
fn body(text: &str) -> Result<Value> {
    let rest = text.strip_prefix("---\n").unwrap_or(text);
    let body = rest.split_once("\n---\n").map_or(rest, |(_, body)| body);
    if body.trim().is_empty() {
        return Ok(Value::Sequence(Vec::new()));
    }
    serde_yaml::from_str(body).context("a snapshot that is not YAML")
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => serde_yaml::to_string(other)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default(),
    }
}

fn empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Sequence(s)) => s.is_empty(),
        Some(Value::Mapping(m)) => m.is_empty(),
        _ => false,
    }
}

/// The common fields (all but `raw`) that differ, customer by customer.
pub fn compare(old: &str, new: &str) -> Result<Vec<FieldChange>> {
    let (old, new) = (body(old)?, body(new)?);
    let none = Vec::new();
    let old = old.as_sequence().unwrap_or(&none);
    let new = new.as_sequence().unwrap_or(&none);
    let mut out = Vec::new();
    for i in 0..old.len().max(new.len()) {
        let (before, after) = (old.get(i), new.get(i));
        let mut keys: Vec<String> = [before, after]
            .into_iter()
            .flatten()
            .filter_map(Value::as_mapping)
            .flat_map(|m| m.keys().filter_map(Value::as_str).map(str::to_owned))
            .filter(|k| k != "raw")
            .collect();
        keys.sort();
        keys.dedup();
        let id = shown(after.or(before).and_then(|c| c.get("id")));
        for key in keys {
            let (o, n) = (
                before.and_then(|c| c.get(key.as_str())),
                after.and_then(|c| c.get(key.as_str())),
            );
            if o != n {
                out.push(FieldChange {
                    customer: i,
                    id: id.clone(),
                    field: key,
                    old: shown(o),
                    new: shown(n),
                    emptied: !empty(o) && empty(n),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_fields_are_compared_and_a_value_going_empty_is_flagged() {
        let old = "---\nsource: x\nexpression: customers\n---\n- id: a\n  email: a@x\n  name: A\n  raw: {\"x\": 1}\n";
        let new = "---\nsource: x\nexpression: customers\n---\n- id: a\n  email: ~\n  name: B\n  raw: {\"x\": 2}\n";
        let changes = compare(old, new).expect("compares");
        assert_eq!(changes.len(), 2, "{changes:?}");
        let email = changes.iter().find(|c| c.field == "email").expect("email");
        assert!(email.emptied);
        assert_eq!((email.old.as_str(), email.id.as_str()), ("a@x", "a"));
        let name = changes.iter().find(|c| c.field == "name").expect("name");
        assert!(!name.emptied);
        assert!(compare(old, old).expect("compares").is_empty());
        assert!(
            compare("", "---\nsource: x\n---\n[]\n")
                .expect("compares")
                .is_empty()
        );
    }
}
