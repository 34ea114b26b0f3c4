//! Writing an output file so that a reader (or a killed run) sees the old file or the new
//! one, never a mix: the bytes go to a temporary file in the same folder, are synced to
//! disk, and the temporary file is renamed over the target; then the folder is synced so
//! the rename itself survives a crash. Temporary files are named `.lab-grade-*.tmp`, and a
//! later run removes those a killed run left behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Prefix and suffix of the temporary files.
pub const TEMP_PREFIX: &str = ".lab-grade-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Replaces `path` with `bytes` atomically (see the module docs). The file is created
/// with mode 0644 (less the umask).
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!("{TEMP_PREFIX}{name}.");
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = b.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    let _ = dir;
    Ok(())
}

/// Removes the temporary files a killed run left in `dir`; returns what it removed.
pub fn remove_leftovers(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed.push(entry.path());
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("gradebook.csv");
        write(&p, b"old\n").unwrap();
        write(&p, b"new\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new\n");
        let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("gradebook.csv")]);
    }

    #[test]
    fn leftovers_of_a_killed_run_are_removed_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(".lab-grade-gradebook.csv.AbC123.tmp"), "half").unwrap();
        std::fs::write(d.path().join("notes.tmp"), "mine").unwrap();
        let removed = remove_leftovers(d.path()).unwrap();
        assert_eq!(removed.len(), 1);
        assert!(d.path().join("notes.tmp").exists());
    }
}
