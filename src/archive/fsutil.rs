//! Crash-safe file writing: temp file in the same folder, write, fsync, rename, fsync the folder.
//!
//! A file under its final name is therefore always complete; what a crash can leave behind is a
//! temp file whose name starts with [`TEMP_PREFIX`], which the next locked run removes.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ArchiveError;

/// Names of temp files start with this; nothing else in the archive does.
pub const TEMP_PREFIX: &str = ".tmp-";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Attaches a path to an I/O error.
pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io { path: path.to_path_buf(), source }
}

/// A fresh temp file name in `dir`, unique within this process and across processes.
pub fn temp_path(dir: &Path) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{TEMP_PREFIX}{}-{n}", std::process::id()))
}

/// Writes `bytes` to a new temp file in `dir` with `mode`, fsyncs it, and returns its path.
/// The caller renames it into place.
pub fn write_temp(dir: &Path, bytes: &[u8], mode: u32) -> Result<PathBuf, ArchiveError> {
    let tmp = temp_path(dir);
    let mut f = OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    Ok(tmp)
}

/// Replaces `path` atomically with `bytes` (temp, fsync, rename, fsync folder).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ArchiveError> {
    let dir = parent(path);
    let tmp = write_temp(dir, bytes, 0o644)?;
    fs::rename(&tmp, path).map_err(io(path))?;
    sync_dir(dir)
}

/// Fsyncs a folder so that the names created, renamed or removed in it are durable.
pub fn sync_dir(dir: &Path) -> Result<(), ArchiveError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Removes a file and fsyncs its folder; a missing file is not an error.
pub fn remove_durable(path: &Path) -> Result<bool, ArchiveError> {
    match fs::remove_file(path) {
        Ok(()) => {
            sync_dir(parent(path))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ArchiveError::Io { path: path.to_path_buf(), source: e }),
    }
}

/// The folder holding `path` (`.` for a bare name).
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// True for a temp file name left by an interrupted write.
pub fn is_temp_name(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX))
}

/// Removes the temp files directly in `dir`; returns how many.
pub fn remove_temps(dir: &Path) -> Result<usize, ArchiveError> {
    let mut n = 0;
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(ArchiveError::Io { path: dir.to_path_buf(), source: e }),
    };
    for e in entries {
        let e = e.map_err(io(dir))?;
        if is_temp_name(&e.file_name()) {
            let p = e.path();
            fs::remove_file(&p).map_err(io(&p))?;
            n += 1;
        }
    }
    if n > 0 {
        sync_dir(dir)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.json")]);
    }

    #[test]
    fn temps_are_recognised_and_removed() {
        let d = tempfile::tempdir().unwrap();
        let t = write_temp(d.path(), b"x", 0o444).unwrap();
        assert!(is_temp_name(t.file_name().unwrap()));
        fs::write(d.path().join("keep"), b"k").unwrap();
        assert_eq!(remove_temps(d.path()).unwrap(), 1);
        assert!(d.path().join("keep").exists());
    }
}
