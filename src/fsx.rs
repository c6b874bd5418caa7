//! The file-system layer under the archive, the index and the site: one copy of the few
//! operations their crash safety rests on, at the bottom of the library (it imports nothing
//! from the crate).
//!
//! - [`Lock`]: an advisory lock on a lock file (`flock`), exclusive or shared, taken without
//!   waiting; the kernel releases it when the process dies;
//! - [`write_atomic`]: a file replaced whole or not at all (temp file in the same folder, write,
//!   fsync, rename, fsync the folder);
//! - [`Barrier`]: one durability barrier for many files (Linux: one `syncfs`; elsewhere an
//!   fsync of each);
//! - [`sync_dir`]: an fsync of a folder, so that the names created, renamed or removed in it
//!   are durable;
//! - [`exchange`]: two folders swapped in one step where the system can (Linux
//!   `renameat2(RENAME_EXCHANGE)`);
//! - [`sweep`]: the temporaries a killed run left, found and removed by the prefix of their
//!   names ([`TEMP_PREFIX`] for this module's own).
//!
//! Errors are [`Error`]: the I/O error with the path it happened on, or [`Error::Locked`]. The
//! stages turn them into their own error types (`{path}: {source}` stays the message).

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Errors of the file-system layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O error on `path`.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// Another process holds the lock on the lock file `path`.
    #[error("`{path}` is locked by another process")]
    Locked { path: PathBuf },
}

/// The result of a file-system operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches a path to an I/O error.
pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}

/// Names of this module's temp files start with this. Whoever sweeps a folder for them must
/// hold the lock that keeps other writers out of it.
pub const TEMP_PREFIX: &str = ".tmp-";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh temp file name in `dir`, unique within this process and across processes.
pub fn temp_path(dir: &Path) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{TEMP_PREFIX}{}-{n}", std::process::id()))
}

/// True for a temp file name of this module ([`TEMP_PREFIX`]).
pub fn is_temp_name(name: &OsStr) -> bool {
    has_prefix(name, TEMP_PREFIX)
}

/// True when `name` is text starting with `prefix` (every temporary name is made as text; a
/// name that is not text is nobody's temporary).
fn has_prefix(name: &OsStr, prefix: &str) -> bool {
    name.to_str().is_some_and(|n| n.starts_with(prefix))
}

/// Writes `bytes` to a new temp file in `dir` with `mode`, fsyncs it, and returns its path.
/// The caller renames it into place.
pub fn write_temp(dir: &Path, bytes: &[u8], mode: u32) -> Result<PathBuf> {
    let (tmp, f) = create_temp(dir, bytes, mode)?;
    f.sync_all().map_err(io(&tmp))?;
    Ok(tmp)
}

/// Writes `bytes` to a new temp file in `dir` with `mode` and returns its path, without
/// waiting for the disk: the caller makes it durable through a [`Barrier`] before renaming it
/// into place.
pub fn write_temp_unsynced(dir: &Path, bytes: &[u8], mode: u32) -> Result<PathBuf> {
    create_temp(dir, bytes, mode).map(|(tmp, _)| tmp)
}

fn create_temp(dir: &Path, bytes: &[u8], mode: u32) -> Result<(PathBuf, File)> {
    let tmp = temp_path(dir);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = options.open(&tmp).map_err(io(&tmp))?;
    if let Err(e) = f.write_all(bytes) {
        drop(f);
        let _ = fs::remove_file(&tmp);
        return Err(Error::Io { path: tmp, source: e });
    }
    Ok((tmp, f))
}

/// Replaces `path` atomically with `bytes`, made with mode `0o644` (less the umask): temp file
/// in the same folder, fsync, rename, fsync the folder. When it fails, `path` is as it was and
/// the temp file is removed (what a kill leaves, a [`sweep`] removes).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_mode(path, bytes, 0o644)
}

/// [`write_atomic`] with another mode for a new file (less the umask).
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = parent(path);
    let tmp = write_temp(dir, bytes, mode)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::Io { path: path.to_path_buf(), source: e });
    }
    sync_dir(dir)
}

/// One durability barrier for many files written with [`write_temp_unsynced`] (or any other
/// way without an fsync): when [`Barrier::wait`] returns `Ok`, their content is on disk.
///
/// On Linux it is one `syncfs` of the file system holding the folder: one journal commit and
/// one cache flush instead of one per file. The folder is opened when the barrier is made,
/// before the files are written, because `syncfs` reports the write-back errors of the file
/// system since that moment (Linux 5.8 and later; older kernels cannot report them): an error
/// writing back any of the files fails the barrier. It also waits for whatever else is pending
/// on that file system, which a batch of thousands of files is worth. Elsewhere it fsyncs each
/// file it is given.
pub struct Barrier {
    #[cfg(target_os = "linux")]
    dir: (PathBuf, File),
}

impl Barrier {
    /// A barrier for files to be written on the file system of `dir`. Make it before writing.
    pub fn new(dir: &Path) -> Result<Self> {
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
    /// system of its folder) is durable. On Linux every file written there since is, listed
    /// or not; elsewhere only the files listed are fsynced.
    pub fn wait(&self, files: &[&Path]) -> Result<()> {
        #[cfg(target_os = "linux")]
        {
            let _ = files;
            let (path, f) = &self.dir;
            rustix::fs::syncfs(f).map_err(|e| Error::Io { path: path.clone(), source: e.into() })
        }
        #[cfg(not(target_os = "linux"))]
        {
            files.iter().try_for_each(|p| File::open(p).and_then(|f| f.sync_all()).map_err(io(p)))
        }
    }
}

/// Fsyncs a folder so that the names created, renamed or removed in it are durable (a no-op
/// where folders cannot be opened as files).
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    return File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir));
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Removes a file and fsyncs its folder; a missing file is not an error. Returns whether it
/// was there.
pub fn remove_durable(path: &Path) -> Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => {
            sync_dir(parent(path))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::Io { path: path.to_path_buf(), source: e }),
    }
}

/// Removes a file or a folder tree (a symlink itself, never what it points to); a missing one
/// is not an error. Returns whether it was there.
pub fn remove_any(path: &Path) -> Result<bool> {
    let r = match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::Io { path: path.to_path_buf(), source }),
    }
}

/// The folder holding `path` (`.` for a bare name).
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The entries directly in `dir` whose name starts with one of `prefixes`, sorted; none when
/// `dir` does not exist.
pub fn find_prefixed(dir: &Path, prefixes: &[&str]) -> Result<Vec<PathBuf>> {
    find_matching(dir, |name| prefixes.iter().any(|p| has_prefix(name, p)))
}

/// The entries directly in `dir` whose name `matches`, sorted; none when `dir` does not exist.
pub fn find_matching(dir: &Path, matches: impl Fn(&OsStr) -> bool) -> Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Io { path: dir.to_path_buf(), source: e }),
    };
    let mut found = Vec::new();
    for e in entries {
        let e = e.map_err(io(dir))?;
        if matches(&e.file_name()) {
            found.push(e.path());
        }
    }
    found.sort();
    Ok(found)
}

/// Removes the files and folders (with what they hold) directly in `dir` whose name starts
/// with one of `prefixes`, then fsyncs `dir` when it removed any; returns their paths, sorted.
/// Only a run holding the lock that keeps other writers out of `dir` may call it (no other
/// run can then be writing them).
pub fn sweep(dir: &Path, prefixes: &[&str]) -> Result<Vec<PathBuf>> {
    sweep_matching(dir, |name| prefixes.iter().any(|p| has_prefix(name, p)))
}

/// [`sweep`] with any test of the names.
pub fn sweep_matching(dir: &Path, matches: impl Fn(&OsStr) -> bool) -> Result<Vec<PathBuf>> {
    let found = find_matching(dir, matches)?;
    for p in &found {
        remove_any(p)?;
    }
    if !found.is_empty() {
        sync_dir(dir)?;
    }
    Ok(found)
}

/// Swaps the folders (or files) `a` and `b` in one atomic step where the system can (Linux
/// `renameat2(RENAME_EXCHANGE)`). Returns false, having changed nothing, where it cannot
/// (another system, a file system without it): the caller then falls back to two renames.
/// The caller fsyncs their folder.
pub fn exchange(a: &Path, b: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        false
    }
}

/// An advisory lock on a lock file (`flock` on Unix), taken without waiting. Dropping it
/// releases the lock; so does the kernel when the process dies, however it dies. The lock file
/// itself is never removed (removing it would let two runs lock two different files).
#[derive(Debug)]
pub struct Lock {
    _file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the exclusive lock on `path`, creating the file if needed (never truncating it);
    /// fails at once with [`Error::Locked`] while another process holds a lock on it.
    pub fn exclusive(path: &Path) -> Result<Lock> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io(path))?;
        try_lock(path, &file, false)?;
        Ok(Lock { _file: file, path: path.to_path_buf() })
    }

    /// Takes a shared lock on `path`: fails at once with [`Error::Locked`] while another
    /// process holds the exclusive one. The file is created if it can be, else opened
    /// read-only; `Ok(None)` when it can be neither (a read-only copy without one): there is
    /// then nothing to lock, and no writer either.
    pub fn shared(path: &Path) -> Result<Option<Lock>> {
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path);
        let file = match file {
            Ok(f) => f,
            Err(_) => match File::open(path) {
                Ok(f) => f,
                Err(_) => return Ok(None),
            },
        };
        try_lock(path, &file, true)?;
        Ok(Some(Lock { _file: file, path: path.to_path_buf() }))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn try_lock(path: &Path, file: &File, shared: bool) -> Result<()> {
    let r = if shared { file.try_lock_shared() } else { file.try_lock() };
    match r {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(Error::Locked { path: path.to_path_buf() }),
        Err(TryLockError::Error(source)) => Err(Error::Io { path: path.to_path_buf(), source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        n.sort();
        n
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(names(d.path()), ["f.json"]);
    }

    #[test]
    fn a_failed_atomic_write_keeps_the_old_file_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.json");
        write_atomic(&p, b"old").unwrap();
        // The rename fails: a folder stands where the file would go.
        let blocked = d.path().join("blocked");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("x"), b"x").unwrap();
        let err = write_atomic(&blocked, b"new").unwrap_err();
        assert!(matches!(&err, Error::Io { path, .. } if *path == blocked), "{err}");
        assert!(err.to_string().starts_with(&format!("{}: ", blocked.display())), "{err}");
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert_eq!(names(d.path()), ["blocked", "f.json"], "no temp file is left");
        // The temp file cannot be made: a missing folder.
        let err = write_atomic(&d.path().join("missing/f.json"), b"new").unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
        assert_eq!(fs::read(&p).unwrap(), b"old");
    }

    #[test]
    fn atomic_writes_take_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("ro");
        write_atomic_mode(&p, b"x", 0o400).unwrap();
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o400);
    }

    #[test]
    fn temps_are_recognised_and_removed() {
        let d = tempfile::tempdir().unwrap();
        let t = write_temp(d.path(), b"x", 0o444).unwrap();
        assert!(is_temp_name(t.file_name().unwrap()));
        fs::write(d.path().join("keep"), b"k").unwrap();
        assert_eq!(sweep(d.path(), &[TEMP_PREFIX]).unwrap(), [t]);
        assert_eq!(names(d.path()), ["keep"]);
    }

    #[test]
    fn the_sweep_removes_only_its_prefixes() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join(".tmp-rebuild-9/sub")).unwrap();
        fs::write(d.path().join(".tmp-rebuild-9/sub/a.idx"), b"x").unwrap();
        fs::write(d.path().join(".tmp-1-2"), b"x").unwrap();
        fs::write(d.path().join(".site.new-x"), b"x").unwrap();
        fs::write(d.path().join("a.tmp-1"), b"keep: the prefix is not at the start").unwrap();
        fs::write(d.path().join(".tmp"), b"keep: not the whole prefix").unwrap();
        fs::write(d.path().join("ledger.jsonl"), b"").unwrap();
        let removed = sweep(d.path(), &[TEMP_PREFIX]).unwrap();
        assert_eq!(removed, [d.path().join(".tmp-1-2"), d.path().join(".tmp-rebuild-9")]);
        assert_eq!(names(d.path()), [".site.new-x", ".tmp", "a.tmp-1", "ledger.jsonl"]);
        assert_eq!(sweep(d.path(), &[".site.new-", ".site.old-"]).unwrap().len(), 1);
        assert_eq!(names(d.path()), [".tmp", "a.tmp-1", "ledger.jsonl"]);
        assert!(sweep(&d.path().join("missing"), &[TEMP_PREFIX]).unwrap().is_empty());
        assert!(find_prefixed(&d.path().join("missing"), &[TEMP_PREFIX]).unwrap().is_empty());
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

    #[test]
    fn the_lock_refuses_a_second_holder() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".lock");
        let first = Lock::exclusive(&p).unwrap();
        assert_eq!(first.path(), p);
        let err = Lock::exclusive(&p).unwrap_err();
        assert!(matches!(&err, Error::Locked { path } if *path == p), "{err}");
        assert!(matches!(Lock::shared(&p), Err(Error::Locked { .. })));
        drop(first);
        let readers = (Lock::shared(&p).unwrap().unwrap(), Lock::shared(&p).unwrap().unwrap());
        assert!(matches!(Lock::exclusive(&p), Err(Error::Locked { .. })), "readers keep a writer out");
        drop(readers);
        Lock::exclusive(&p).unwrap();
        // No file and none can be made: nothing to lock.
        assert!(Lock::shared(&d.path().join("missing/.lock")).unwrap().is_none());
        assert!(matches!(Lock::exclusive(&d.path().join("missing/.lock")), Err(Error::Io { .. })));
    }

    #[test]
    fn folders_are_exchanged_in_one_step_on_linux() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("in-a"), b"").unwrap();
        if exchange(&a, &b) {
            assert!(b.join("in-a").exists() && !a.join("in-a").exists());
        } else {
            assert!(a.join("in-a").exists(), "nothing changed");
        }
        assert!(!exchange(&a, &d.path().join("missing")));
    }

    /// The bottom of the library: nothing of the crate is imported.
    #[test]
    fn it_imports_nothing_from_the_crate() {
        let src = include_str!("fsx.rs");
        let code = src.split("#[cfg(test)]").next().unwrap();
        let code: Vec<&str> = code.lines().map(|l| l.split("//").next().unwrap()).collect();
        assert!(
            !code.iter().any(|l| l.contains("crate::") || l.contains("super::")),
            "fsx imports the crate"
        );
    }

    #[test]
    fn removing_a_missing_file_is_not_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        assert!(!remove_durable(&p).unwrap());
        assert!(!remove_any(&p).unwrap());
        fs::write(&p, b"x").unwrap();
        assert!(remove_durable(&p).unwrap());
        assert_eq!(parent(Path::new("bare")), Path::new("."));
    }
}
