//! A new SQLite database is readable by its owner only: it holds customers' names, emails and
//! phones. The file is created here, mode 0600 on Unix, before SQLite opens it; SQLite gives
//! its `-wal`, `-shm` and `-journal` files the database file's mode. A file that exists keeps
//! its mode.

use std::path::{Path, PathBuf};

/// The file a SQLite URL (`sqlite://PATH?…` or `sqlite:PATH`) names; `None` for an
/// in-memory database.
pub(crate) fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// Creates `path` empty and private if it does not exist (an empty file is a new SQLite
/// database); leaves an existing one alone.
pub(crate) fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://customers.db?mode=rwc"),
            Some(PathBuf::from("customers.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:/tmp/x.db"),
            Some(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("sqlite://x.db?mode=memory"), None);
        assert_eq!(sqlite_path("postgres://db"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_private_and_an_existing_one_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("private-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let new = dir.join("new.db");
        let _ = std::fs::remove_file(&new);
        create_private(&new).expect("created");
        let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode(&new), 0o600);
        let shared = dir.join("shared.db");
        std::fs::write(&shared, b"").expect("write");
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        create_private(&shared).expect("left alone");
        assert_eq!(mode(&shared), 0o644);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
