//! Crash-safe file writing: temp file in the same folder, write, fsync, rename, fsync the folder.
//! Many files at once can share one durability barrier instead of one fsync each ([`Barrier`]).
//!
//! A file under its final name is therefore always complete; what a crash (or a full disk) can
//! leave behind is a temp file or folder whose name starts with [`TEMP_PREFIX`], which the next
//! locked run removes ([`sweep`]): the archive root's (journal files, the index's rebuild
//! folders), `cache/`'s (the summary cache), and, as `pending.json` names them, `objects/`'s.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ArchiveError;

/// Names of temp files (and folders) start with this; nothing else in the archive does.
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
    let (tmp, f) = create_temp(dir, bytes, mode)?;
    f.sync_all().map_err(io(&tmp))?;
    Ok(tmp)
}

/// Writes `bytes` to a new temp file in `dir` with `mode` and returns its path, without
/// waiting for the disk: the caller makes it durable through a [`Barrier`] before renaming it
/// into place.
pub fn write_temp_unsynced(dir: &Path, bytes: &[u8], mode: u32) -> Result<PathBuf, ArchiveError> {
    create_temp(dir, bytes, mode).map(|(tmp, _)| tmp)
}

fn create_temp(dir: &Path, bytes: &[u8], mode: u32) -> Result<(PathBuf, File), ArchiveError> {
    let tmp = temp_path(dir);
    let mut f = OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    Ok((tmp, f))
}

/// One durability barrier for many files written with [`write_temp_unsynced`]: when
/// [`Barrier::wait`] returns `Ok`, their content is on disk.
///
/// On Linux it is one `syncfs` of the file system holding the folder: one journal commit and
/// one cache flush instead of one per file. The folder is opened when the barrier is made,
/// before the files are written, because `syncfs` reports the write-back errors of the file
/// system since that moment (Linux 5.8 and later; older kernels cannot report them): an error
/// writing back any of the files fails the barrier. It also waits for whatever else is pending
/// on that file system, which a batch of thousands of files is worth. Elsewhere it fsyncs each
/// file.
pub struct Barrier {
    #[cfg(target_os = "linux")]
    dir: (PathBuf, File),
}

impl Barrier {
    /// A barrier for files to be written on the file system of `dir`. Make it before writing.
    pub fn new(dir: &Path) -> Result<Self, ArchiveError> {
        #[cfg(target_os = "linux")]
        {
            let f = File::open(dir).map_err(io(dir))?;
            Ok(Self { dir: (dir.to_path_buf(), f) })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = dir;
            Ok(Self {})
        }
    }

    /// Waits until the content of `files` (written since [`Barrier::new`], all on the file
    /// system of its folder) is durable.
    pub fn wait(&self, files: &[&Path]) -> Result<(), ArchiveError> {
        #[cfg(target_os = "linux")]
        {
            let _ = files;
            let (path, f) = &self.dir;
            rustix::fs::syncfs(f).map_err(|e| ArchiveError::Io { path: path.clone(), source: e.into() })
        }
        #[cfg(not(target_os = "linux"))]
        {
            files.iter().try_for_each(|p| File::open(p).and_then(|f| f.sync_all()).map_err(io(p)))
        }
    }
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

/// Removes what killed or failed runs left in the archive at `root`: temp files and folders in
/// the root and in `cache/`. Only a run holding the lock may call it (no other run can then be
/// writing them). Returns how many were removed.
pub fn sweep(root: &Path) -> Result<usize, ArchiveError> {
    Ok(remove_temps(root)? + remove_temps(&root.join(super::summaries::CACHE_DIR))?)
}

/// Removes the temp files (and temp folders, with what they hold) directly in `dir`; returns
/// how many.
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
            let folder = e.file_type().is_ok_and(|t| t.is_dir());
            if folder { fs::remove_dir_all(&p) } else { fs::remove_file(&p) }.map_err(io(&p))?;
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

    #[test]
    fn sweep_removes_temp_files_and_folders_of_the_root_and_the_cache() {
        let d = tempfile::tempdir().unwrap();
        let cache = d.path().join(super::super::summaries::CACHE_DIR);
        fs::create_dir(&cache).unwrap();
        fs::write(cache.join(".tmp-x"), b"{\"program\"").unwrap();
        fs::write(cache.join("summaries.json"), b"{}").unwrap();
        fs::create_dir_all(d.path().join(".tmp-index-rebuild-99999/sub")).unwrap();
        fs::write(d.path().join(".tmp-index-rebuild-99999/sub/a.idx"), b"x").unwrap();
        fs::write(d.path().join(".tmp-1-2"), b"x").unwrap();
        fs::write(d.path().join("ledger.jsonl"), b"").unwrap();
        assert_eq!(sweep(d.path()).unwrap(), 3);
        let mut left: Vec<_> = fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, ["cache", "ledger.jsonl"]);
        assert_eq!(fs::read_dir(&cache).unwrap().count(), 1);
        let bare = tempfile::tempdir().unwrap();
        assert_eq!(sweep(bare.path()).unwrap(), 0, "no cache folder: nothing to do");
    }

    #[test]
    fn unsynced_temps_are_complete_after_the_barrier() {
        let d = tempfile::tempdir().unwrap();
        let barrier = Barrier::new(d.path()).unwrap();
        let temps: Vec<PathBuf> = (0..3)
            .map(|i| write_temp_unsynced(d.path(), format!("x{i}").as_bytes(), 0o444).unwrap())
            .collect();
        barrier.wait(&temps.iter().map(PathBuf::as_path).collect::<Vec<_>>()).unwrap();
        for (i, t) in temps.iter().enumerate() {
            assert!(is_temp_name(t.file_name().unwrap()));
            assert_eq!(fs::read(t).unwrap(), format!("x{i}").as_bytes());
        }
        assert!(Barrier::new(&d.path().join("missing")).is_err());
    }
}
