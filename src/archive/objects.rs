//! Content-addressed objects: `objects/ab/cdef…` holds a record's exact bytes, named by their
//! SHA-256, so that `sha256sum` alone proves them; written once (crash-safe) and made read-only.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::error::{ArchiveError, io};
use crate::fsx;

/// Objects are created read-only: nothing but `purge` ever removes one, nothing rewrites one.
pub const OBJECT_MODE: u32 = 0o444;

/// Threads used to write and fsync objects: fsync waits on the disk, not the CPU, and
/// concurrent fsyncs share one journal commit, so more threads than cores pays off.
const IO_THREADS: usize = 16;

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// True for a well-formed object name: 64 lowercase hex digits.
pub fn is_object_name(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The path of object `sha` under `objects_dir`, or an error when `sha` is not a well-formed
/// hash (so that no name from the ledger or the command line can reach outside the store).
pub fn object_path(objects_dir: &Path, sha: &str) -> Result<PathBuf, ArchiveError> {
    if !is_object_name(sha) {
        return Err(ArchiveError::Invalid(format!(
            "`{}` is not an object name (64 lowercase hex digits)",
            sha.escape_debug()
        )));
    }
    Ok(objects_dir.join(&sha[..2]).join(&sha[2..]))
}

/// Where the object store is.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    dir: PathBuf,
}

/// One object to store: its expected hash and the file its bytes come from.
#[derive(Debug, Clone)]
pub struct NewObject {
    pub sha: String,
    pub source: PathBuf,
}

/// What happened to one [`NewObject`].
#[derive(Debug)]
pub enum WriteOutcome {
    /// The object was written.
    Written,
    /// An identical object was already stored (an interrupted run wrote it).
    Existed,
    /// The source file no longer has the expected hash: it changed while being ingested.
    SourceChanged { now: String },
}

impl ObjectStore {
    /// The store rooted at `dir` (`archive/objects`).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The folder of the store.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of object `sha` (validated).
    pub fn path(&self, sha: &str) -> Result<PathBuf, ArchiveError> {
        object_path(&self.dir, sha)
    }

    /// The exact bytes of object `sha`.
    pub fn read(&self, sha: &str) -> Result<Vec<u8>, ArchiveError> {
        let path = self.path(sha)?;
        fs::read(&path).map_err(io(&path))
    }

    /// Writes a batch of objects crash-safely, in parallel. When this returns `Ok`, every
    /// `Written` or `Existed` object is complete and durable under its final name, so the
    /// caller may then write the ledger lines naming them. `done` is called once per item (for
    /// a progress bar).
    ///
    /// The steps, and why a crash at any instant is safe:
    /// 1. each new object is written to a temp file beside its final name, not synced: a crash
    ///    leaves temp files, which the next locked run removes;
    /// 2. one durability barrier for all of them ([`fsx::Barrier`]: one `syncfs` instead of
    ///    one fsync per object): from here every temp file's content is on disk;
    /// 3. the renames: a name that survives a crash now always points to content that was
    ///    durable before the name existed, so a file under its final name is always complete;
    /// 4. an fsync of every folder holding a `Written` or `Existed` object, and of the store:
    ///    the names are durable before this returns, hence before any ledger line names them.
    ///
    /// A failure before step 3 removes the temp files it wrote (what it cannot remove, the next
    /// locked run does); nothing has been renamed into place yet.
    pub fn write_batch(
        &self,
        items: &[NewObject],
        done: &(dyn Fn() + Sync),
    ) -> Result<Vec<WriteOutcome>, ArchiveError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(IO_THREADS)
            .build()
            .map_err(|e| ArchiveError::Invalid(format!("cannot start the I/O threads: {e}")))?;
        let barrier = fsx::Barrier::new(&self.dir)?;
        let staged: Vec<Result<Staged, ArchiveError>> = pool.install(|| {
            items
                .par_iter()
                .map(|item| {
                    let r = self.stage(item);
                    done();
                    r
                })
                .collect()
        });
        let mut error = None;
        let staged: Vec<Staged> =
            staged.into_iter().filter_map(|s| s.map_err(|e| error.get_or_insert(e)).ok()).collect();
        let temps: Vec<&Path> = staged
            .iter()
            .filter_map(|s| match s {
                Staged::Temp(tmp, _) => Some(tmp.as_path()),
                Staged::Done(_) => None,
            })
            .collect();
        if let Some(e) = error.map_or_else(|| barrier.wait(&temps).err().map(ArchiveError::from), Some) {
            remove_all(&temps);
            return Err(e);
        }
        let outcomes: Vec<Result<WriteOutcome, ArchiveError>> = pool.install(|| {
            staged
                .into_par_iter()
                .map(|s| match s {
                    Staged::Temp(tmp, path) => {
                        fs::rename(&tmp, &path).map_err(io(&path))?;
                        Ok(WriteOutcome::Written)
                    }
                    Staged::Done(o) => Ok(o),
                })
                .collect()
        });
        let outcomes = outcomes.into_iter().collect::<Result<Vec<_>, _>>()?;
        let mut dirs: Vec<PathBuf> = items
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| matches!(o, WriteOutcome::Written | WriteOutcome::Existed))
            .map(|(i, _)| self.dir.join(&i.sha[..2]))
            .collect();
        dirs.sort();
        dirs.dedup();
        if !dirs.is_empty() {
            dirs.push(self.dir.clone());
            pool.install(|| dirs.par_iter().try_for_each(|d| fsx::sync_dir(d)))?;
        }
        Ok(outcomes)
    }

    /// Step 1 of [`ObjectStore::write_batch`] for one object: checks what is already stored,
    /// re-reads and re-hashes the source (it may have changed since it was examined), and
    /// writes the bytes to a temp file beside the final name.
    fn stage(&self, item: &NewObject) -> Result<Staged, ArchiveError> {
        let path = self.path(&item.sha)?;
        if path.exists() {
            let existing = fs::read(&path).map_err(io(&path))?;
            let found = sha256_hex(&existing);
            if found != item.sha {
                return Err(ArchiveError::Invalid(format!(
                    "{}: the stored object does not match its name (its content hashes to `{found}`); \
                     run `incident-archive verify`",
                    path.display()
                )));
            }
            return Ok(Staged::Done(WriteOutcome::Existed));
        }
        let bytes = fs::read(&item.source).map_err(io(&item.source))?;
        let now = sha256_hex(&bytes);
        if now != item.sha {
            return Ok(Staged::Done(WriteOutcome::SourceChanged { now }));
        }
        let dir = fsx::parent(&path);
        match fs::create_dir(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(ArchiveError::Io { path: dir.to_path_buf(), source: e }),
        }
        let tmp = fsx::write_temp_unsynced(dir, &bytes, OBJECT_MODE)?;
        Ok(Staged::Temp(tmp, path))
    }

    /// Removes object `sha` (only `purge` and the clean-up of an interrupted run call this).
    /// Returns false when it was not there. The caller fsyncs the folder.
    pub fn remove(&self, sha: &str) -> Result<bool, ArchiveError> {
        let path = self.path(sha)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(ArchiveError::Io { path, source: e }),
        }
    }

    /// Every file under the store, with the name it has relative to the store
    /// (`ab/cdef…` for a well-placed object). Temp files are listed separately.
    pub fn list(&self) -> Result<Listing, ArchiveError> {
        let mut listing = Listing::default();
        let top = match fs::read_dir(&self.dir) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(listing),
            Err(e) => return Err(ArchiveError::Io { path: self.dir.clone(), source: e }),
        };
        for e in top {
            let e = e.map_err(io(&self.dir))?;
            let path = e.path();
            let ft = e.file_type().map_err(io(&path))?;
            if fsx::is_temp_name(&e.file_name()) {
                listing.temps.push(path);
            } else if ft.is_dir() {
                for f in fs::read_dir(&path).map_err(io(&path))? {
                    let f = f.map_err(io(&path))?;
                    let fp = f.path();
                    if fsx::is_temp_name(&f.file_name()) {
                        listing.temps.push(fp);
                    } else {
                        listing.files.push(fp);
                    }
                }
            } else {
                listing.files.push(path);
            }
        }
        listing.files.sort();
        listing.temps.sort();
        Ok(listing)
    }

    /// The object name a file at `path` would have if well placed (`ab` + `cdef…`), if any.
    pub fn name_of(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.dir).ok()?;
        let mut parts = rel.iter();
        let (a, b) = (parts.next()?.to_str()?, parts.next()?.to_str()?);
        if parts.next().is_some() || a.len() != 2 {
            return None;
        }
        let name = format!("{a}{b}");
        is_object_name(&name).then_some(name)
    }
}

/// One object after step 1 of [`ObjectStore::write_batch`].
enum Staged {
    /// Written to the temp file (first), to be renamed to the object's path (second).
    Temp(PathBuf, PathBuf),
    /// Nothing to write.
    Done(WriteOutcome),
}

/// Removes temp files after a failed batch, as far as it can: the next locked run removes
/// whatever is left.
fn remove_all(temps: &[&Path]) {
    for t in temps {
        let _ = fs::remove_file(t);
    }
}

/// The files found under the object store.
#[derive(Debug, Default)]
pub struct Listing {
    /// Every non-temp file (objects and anything else), sorted.
    pub files: Vec<PathBuf>,
    /// Temp files left by interrupted writes.
    pub temps: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn names_are_validated() {
        let d = Path::new("/a/objects");
        let sha = sha256_hex(b"hello");
        assert_eq!(
            object_path(d, &sha).unwrap(),
            d.join("2c").join("f24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        );
        for bad in [
            "../../etc/passwd",
            "",
            "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
            "ab/cd",
            "a\0b",
        ] {
            assert!(object_path(d, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn written_objects_are_named_by_their_hash_and_read_only() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("r.md");
        fs::write(&src, b"record bytes").unwrap();
        let store = ObjectStore::new(d.path().join("objects"));
        fs::create_dir(store.dir()).unwrap();
        let sha = sha256_hex(b"record bytes");
        let item = NewObject { sha: sha.clone(), source: src.clone() };
        let out = store.write_batch(std::slice::from_ref(&item), &|| {}).unwrap();
        assert!(matches!(out[0], WriteOutcome::Written));
        let p = store.path(&sha).unwrap();
        assert_eq!(sha256_hex(&fs::read(&p).unwrap()), sha);
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o444);
        assert_eq!(store.name_of(&p).as_deref(), Some(sha.as_str()));
        let again = store.write_batch(&[item], &|| {}).unwrap();
        assert!(matches!(again[0], WriteOutcome::Existed));
        fs::write(&src, b"changed").unwrap();
        let changed = store.write_batch(&[NewObject { sha: sha256_hex(b"other"), source: src }], &|| {});
        assert!(matches!(changed.unwrap()[0], WriteOutcome::SourceChanged { .. }));
        let listing = store.list().unwrap();
        assert_eq!(listing.files, vec![p]);
        assert!(listing.temps.is_empty());
    }

    #[test]
    fn a_failed_batch_leaves_neither_objects_nor_temp_files() {
        let d = tempfile::tempdir().unwrap();
        let store = ObjectStore::new(d.path().join("objects"));
        fs::create_dir(store.dir()).unwrap();
        let mut items = Vec::new();
        for i in 0..20 {
            let src = d.path().join(format!("r{i}.md"));
            let bytes = format!("record {i}");
            fs::write(&src, &bytes).unwrap();
            items.push(NewObject { sha: sha256_hex(bytes.as_bytes()), source: src });
        }
        // One source vanishes before it is stored: nothing of the batch may be renamed into place.
        fs::remove_file(&items[7].source).unwrap();
        assert!(matches!(store.write_batch(&items, &|| {}), Err(ArchiveError::Io { .. })));
        let listing = store.list().unwrap();
        assert!(listing.files.is_empty(), "{:?}", listing.files);
        assert!(listing.temps.is_empty(), "{:?}", listing.temps);

        // The same batch without it is stored whole, and counted once per item.
        items.remove(7);
        let count = std::sync::atomic::AtomicUsize::new(0);
        let out = store.write_batch(&items, &|| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        assert!(out.unwrap().iter().all(|o| matches!(o, WriteOutcome::Written)));
        assert_eq!(count.into_inner(), items.len());
        let listing = store.list().unwrap();
        assert_eq!(listing.files.len(), items.len());
        assert!(listing.temps.is_empty());
        for i in &items {
            assert_eq!(sha256_hex(&store.read(&i.sha).unwrap()), i.sha);
        }
    }
}
