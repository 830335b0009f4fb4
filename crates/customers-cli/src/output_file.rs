//! `-o FILE` without losing FILE: the export goes to a temporary file beside it, renamed
//! over FILE only when the run succeeds. A failed or interrupted run leaves FILE as it was,
//! and keeps what it listed in `FILE.partial`.

use std::fs::File;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::exit::Failure;

/// The temporary file an export writes to.
pub struct OutputFile {
    temp: NamedTempFile,
    path: PathBuf,
    /// FILE existed when the export began: its content is what the rename must not lose.
    replaces: bool,
}

impl OutputFile {
    /// A temporary file in `path`'s folder (so the final rename stays on one file system).
    pub fn create(path: &Path) -> Result<Self, Failure> {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_owned());
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(folder)
            .map_err(|e| Failure::output(format!("cannot create {}: {e}", path.display())))?;
        Ok(OutputFile {
            temp,
            path: path.to_path_buf(),
            replaces: path.exists(),
        })
    }

    /// A second handle to write through.
    pub fn writer(&self) -> Result<File, Failure> {
        self.temp
            .as_file()
            .try_clone()
            .map_err(|e| Failure::output(format!("cannot write {}: {e}", self.path.display())))
    }

    /// Success: the export replaces FILE. When it replaces an existing FILE, the new content
    /// is on disk before the rename, so that a crash cannot leave FILE empty; a new FILE has
    /// nothing to lose and skips that wait (about 0.1 s for 150 MB).
    pub fn commit(self) -> Result<(), Failure> {
        let path = self.path.clone();
        if self.replaces {
            self.temp
                .as_file()
                .sync_all()
                .map_err(|e| Failure::output(format!("cannot write {}: {e}", path.display())))?;
        }
        self.temp
            .persist(&path)
            .map(|_| ())
            .map_err(|e| Failure::output(format!("cannot write {}: {e}", path.display())))
    }

    /// Failure: FILE stays as it was; what was listed, if anything, goes to `FILE.partial`,
    /// whose name is returned.
    pub fn keep_partial(self, anything_written: bool) -> Option<PathBuf> {
        if !anything_written {
            return None;
        }
        let mut name = self.path.clone().into_os_string();
        name.push(".partial");
        let partial = PathBuf::from(name);
        self.temp.persist(&partial).ok().map(|_| partial)
    }
}
