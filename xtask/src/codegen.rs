//! `cargo xtask codegen [--check] [vendor…]`: generate every client, then write them all or
//! (with `--check`) compare them with what is committed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::{generate, vendors};

/// One generated file, not yet written.
pub struct Output {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// The full file contents.
    pub contents: String,
}

/// Generates the files of the selected vendors (all when `only` is empty) in memory.
///
/// Every spec is generated before anything is written, so one failing spec leaves the
/// whole workspace untouched.
pub fn generate_all(root: &Path, only: &[String]) -> Result<Vec<Output>> {
    let selected = vendors::select(vendors::load(root)?, only)?;
    selected
        .iter()
        .map(|vendor| {
            let contents = generate::client_source(root, vendor)
                .with_context(|| format!("generating the `{}` client", vendor.name))?;
            Ok(Output {
                path: vendor.generated_file(),
                contents,
            })
        })
        .collect()
}

/// What [`write()`] did with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The file changed (or was missing) and was written.
    Wrote(PathBuf),
    /// The file already held exactly this; it was left alone (its mtime too).
    Unchanged(PathBuf),
}

/// Writes the outputs, skipping files that are already up to date. Returns what happened to
/// each, in order.
pub fn write(root: &Path, outputs: &[Output]) -> Result<Vec<Written>> {
    let mut written = Vec::new();
    for output in outputs {
        let path = root.join(&output.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(output.contents.as_str()) {
            written.push(Written::Unchanged(output.path.clone()));
            continue;
        }
        let dir = path
            .parent()
            .with_context(|| format!("{} has no parent folder", path.display()))?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        // Write beside the target and rename, so a crash never leaves half a file.
        let tmp = path.with_extension("rs.tmp");
        std::fs::write(&tmp, &output.contents)
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        written.push(Written::Wrote(output.path.clone()));
    }
    Ok(written)
}

/// Compares the outputs with the files on disk. Fails naming every stale or missing file,
/// each with a short diff.
pub fn check(root: &Path, outputs: &[Output]) -> Result<()> {
    let mut report = String::new();
    for output in outputs {
        let path = root.join(&output.path);
        match std::fs::read_to_string(&path) {
            Err(_) => {
                let _ = writeln!(report, "missing: {}", output.path.display());
            }
            Ok(on_disk) if on_disk != output.contents => {
                let _ = writeln!(report, "stale: {}", output.path.display());
                report.push_str(&short_diff(&on_disk, &output.contents));
            }
            Ok(_) => {}
        }
    }
    if !report.is_empty() {
        bail!("generated code is out of date; run `cargo xtask codegen`\n{report}");
    }
    Ok(())
}

/// A unified diff of at most 40 lines, committed file first.
fn short_diff(committed: &str, generated: &str) -> String {
    const MAX_LINES: usize = 40;
    let diff = similar::TextDiff::from_lines(committed, generated);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("committed", "generated")
        .to_string();
    let total = text.lines().count();
    let mut short: String = text
        .lines()
        .take(MAX_LINES)
        .map(|line| format!("    {line}\n"))
        .collect();
    if total > MAX_LINES {
        let _ = writeln!(short, "    … {} more diff lines", total - MAX_LINES);
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_reports_each_file_as_written_or_unchanged_and_leaves_unchanged_ones_alone() {
        let root = tempfile::tempdir().expect("temp dir");
        let output = |name: &str, text: &str| Output {
            path: PathBuf::from(format!("crates/{name}/src/generated.rs")),
            contents: text.to_owned(),
        };
        let first = [output("a", "fn a() {}\n"), output("b", "fn b() {}\n")];
        let written = write(root.path(), &first).expect("writes");
        assert!(matches!(
            written.as_slice(),
            [Written::Wrote(_), Written::Wrote(_)]
        ));
        let b = root.path().join(&first[1].path);
        let before = std::fs::metadata(&b).and_then(|m| m.modified()).ok();
        let second = [output("a", "fn a2() {}\n"), output("b", "fn b() {}\n")];
        let written = write(root.path(), &second).expect("writes");
        assert_eq!(
            written,
            vec![
                Written::Wrote(second[0].path.clone()),
                Written::Unchanged(second[1].path.clone())
            ]
        );
        assert_eq!(
            std::fs::metadata(&b).and_then(|m| m.modified()).ok(),
            before
        );
        let a = std::fs::read_to_string(root.path().join(&second[0].path)).expect("reads");
        assert_eq!(a, "fn a2() {}\n");
    }
}
