//! Reading a workspace file from the working tree or from a git revision.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Where files are read from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The files as they are on disk.
    Tree(&'a Path),
    /// The files as committed at a revision of the repository at `root`.
    Git {
        /// The repository's working tree.
        root: &'a Path,
        /// The full commit id.
        commit: &'a str,
    },
}

impl Source<'_> {
    /// The text of `path` (relative to the workspace root); `None` when it does not exist
    /// there.
    pub fn read(&self, path: &Path) -> Result<Option<String>> {
        match self {
            Source::Tree(root) => match std::fs::read_to_string(root.join(path)) {
                Ok(text) => Ok(Some(text)),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
            },
            Source::Git { root, commit } => {
                let spec = format!("{commit}:{}", path.to_string_lossy().replace('\\', "/"));
                let exists = git(root, &["cat-file", "-e", &spec]).is_ok();
                if !exists {
                    return Ok(None);
                }
                git(root, &["show", &spec]).map(Some)
            }
        }
    }

    /// [`Source::read`], failing when the file is not there.
    pub fn require(&self, path: &Path) -> Result<String> {
        self.read(path)?
            .with_context(|| format!("{} is not in {}", path.display(), self.name()))
    }

    /// `the working tree` or the commit's short id.
    pub fn name(&self) -> String {
        match self {
            Source::Tree(_) => "the working tree".to_owned(),
            Source::Git { commit, .. } => commit.chars().take(12).collect(),
        }
    }
}

/// The full commit id `rev` names in the repository at `root`.
pub fn resolve_commit(root: &Path, rev: &str) -> Result<String> {
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map(|out| out.trim().to_owned())
    .with_context(|| {
        format!(
            "`{rev}` is not a commit of the repository at {}",
            root.display()
        )
    })
}

/// Runs git in `root`; its stdout, or an error with its stderr.
fn git(root: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("running git")?;
    if !output.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).context("git printed text that is not UTF-8")
}
