//! Trusting `archive/index/` only as far as it can be checked, and tidying up after killed runs.
//!
//! After every commit the indexer writes its stamp ([`super::indexer::Meta`], in
//! `incident-archive.json`): the ledger the index reflects (length, Merkle root, byte length),
//! its live document count, and the size and SHA-256 of every other file in the folder. Then:
//!
//! - `build`, `index` and `site` check the index fully before they use it ([`check_files`] with
//!   [`Depth::Full`], the ledger stamp against the archive's ledger, the document count) and
//!   rebuild it when anything differs: they never read index data that is not exactly what
//!   was written;
//! - `search` must stay fast, so it checks cheaper facts ([`Depth::Light`]: every file's name
//!   and size, the hash of the small files that decide scores and filters; the document count;
//!   the stamp against `checkpoint.json`), and runs tantivy inside [`guard`], which turns a
//!   panic on garbled bytes into [`IndexError::Damaged`]. Damage inside the term dictionaries,
//!   postings, positions or stored documents can go unseen by `search` (tantivy mostly fails
//!   on it, but it may give a wrong snippet or score) until the next `build`, `index` or
//!   `site` finds it and rebuilds the index;
//! - [`sweep`] removes what killed runs left of an index: rebuild folders beside it, temp files
//!   in it (the caller holds the archive lock, so no other run can be writing them).
//!
//! The stamp and the id list are written with [`crate::fsx::write_atomic_mode`], and the sweep
//! is [`crate::fsx`]'s; its errors are the index's ([`IndexError::Io`]).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read as _;
use std::path::Path;
use std::sync::Once;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::IndexError;
use super::indexer::{IDS_FILE, META_FILE};
use crate::fsx;

/// Names of temporaries start with this (the archive's own prefix: a locked run removes any
/// such file or folder it finds in the archive root).
pub use crate::fsx::TEMP_PREFIX;
/// tantivy's lock files: empty, left in place by tantivy, not part of the index's content.
const LOCK_FILES: [&str; 2] = [".tantivy-meta.lock", ".tantivy-writer.lock"];
/// Files that a commit rewrites under the same name; tantivy writes every other file once,
/// under a new name.
const REWRITTEN: [&str; 3] = ["meta.json", ".managed.json", IDS_FILE];

/// The size and SHA-256 of one file of the index, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    pub sha256: String,
}

/// Every file of an index folder (but the stamp itself and tantivy's lock files), by name.
pub type Files = BTreeMap<String, FileStamp>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io { path: path.to_path_buf(), source }
}

impl From<fsx::Error> for IndexError {
    /// The file-system layer's errors are the index's own, with the same messages (the index
    /// takes no lock of its own: the archive's covers it).
    fn from(e: fsx::Error) -> Self {
        match e {
            fsx::Error::Io { path, source } => IndexError::Io { path, source },
            fsx::Error::Locked { path } => {
                IndexError::Invalid { path, message: "locked by another process".into() }
            }
        }
    }
}

/// The names and sizes of the files of the index in `dir`; a folder inside it is listed with
/// a `/` after its name (an index has none, so it never matches a stamp).
fn listing(dir: &Path) -> Result<BTreeMap<String, u64>, IndexError> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == META_FILE || LOCK_FILES.contains(&name.as_str()) {
            continue;
        }
        let meta = e.metadata().map_err(io(&e.path()))?;
        if meta.is_dir() {
            out.insert(format!("{name}/"), 0);
        } else {
            out.insert(name, meta.len());
        }
    }
    Ok(out)
}

fn sha256_file(path: &Path) -> Result<String, IndexError> {
    let mut f = fs::File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Stamps every file of the index in `dir`. A file of `verified` (hashed earlier by this run)
/// that tantivy wrote once and that still has its size keeps its hash; the others are hashed.
pub fn stamp_files(dir: &Path, verified: &Files) -> Result<Files, IndexError> {
    use rayon::prelude::*;
    let listed: Vec<(String, u64)> = listing(dir)?.into_iter().collect();
    listed
        .into_par_iter()
        .map(|(name, size)| {
            if let Some(known) = verified.get(&name)
                && known.size == size
                && !REWRITTEN.contains(&name.as_str())
            {
                return Ok((name, known.clone()));
            }
            let sha256 = sha256_file(&dir.join(&name))?;
            Ok((name, FileStamp { size, sha256 }))
        })
        .collect()
}

/// How much of the index [`check_files`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Every file hashed (`build`, `index`, `site`: about 1 s a GB).
    Full,
    /// The files that decide scores and filters and that tantivy reads without noticing
    /// damage hashed: field norms (a garbled one changes a score), fast fields, deletes, and
    /// tantivy's metadata; the others (term dictionaries, postings, positions, stored
    /// documents: nearly all of the index) only by name and size. What is hashed is about 2 %
    /// of the index (some 10 MB at 100,000 records), so `search` can afford it on every run.
    Light,
}

/// True for the files [`Depth::Light`] hashes.
fn light(name: &str) -> bool {
    [".fieldnorm", ".fast", ".del", "meta.json", ".managed.json"].iter().any(|x| name.ends_with(x))
}

/// Compares the files of the index in `dir` with `files`: their names, sizes and SHA-256 (of
/// every file, or of some: see [`Depth`]). `Ok(None)` when they match, else why not.
pub fn check_files(dir: &Path, files: &Files, depth: Depth) -> Result<Option<String>, IndexError> {
    use rayon::prelude::*;
    let listed = listing(dir)?;
    if let Some(name) = listed.keys().find(|n| !files.contains_key(*n)) {
        return Ok(Some(format!("`{name}` is not one of the files it was written with")));
    }
    if let Some(name) = files.keys().find(|n| !listed.contains_key(*n)) {
        return Ok(Some(format!("its file `{name}` is missing")));
    }
    for (name, stamp) in files {
        let size = listed[name];
        if size != stamp.size {
            return Ok(Some(format!("its file `{name}` has {size} bytes where {} were written", stamp.size)));
        }
    }
    let differs: Result<Vec<Option<String>>, IndexError> = files
        .par_iter()
        .filter(|(name, _)| depth == Depth::Full || light(name))
        .map(|(name, stamp)| {
            let sha = sha256_file(&dir.join(name))?;
            Ok((sha != stamp.sha256).then(|| name.clone()))
        })
        .collect();
    Ok(differs?
        .into_iter()
        .flatten()
        .next()
        .map(|name| format!("its file `{name}` does not match its checksum")))
}

/// Removes what killed runs left of the index in `dir`: the folders a rebuild makes beside it
/// (`.tmp-<name>-rebuild-*`, `.tmp-<name>-old-*`, and the `.<name>.rebuild-*` / `.<name>.old-*`
/// of earlier versions) and temp files in it (ours, and those of tantivy's atomic writes).
/// Whatever process made them: the caller holds the archive lock, so none is being written.
/// Returns one line per thing removed.
pub fn sweep(dir: &Path) -> Result<Vec<String>, IndexError> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = dir.file_name().map_or("index".into(), |n| n.to_string_lossy().into_owned());
    let beside = [
        format!("{TEMP_PREFIX}{name}-rebuild-"),
        format!("{TEMP_PREFIX}{name}-old-"),
        format!(".{name}.rebuild-"),
        format!(".{name}.old-"),
    ];
    let beside: Vec<&str> = beside.iter().map(String::as_str).collect();
    let mut removed = fsx::sweep(parent, &beside)?;
    // Temp files of the stamp and id list (`.tmp-…`; `.<file>.tmp` before) and of tantivy's
    // atomic writes (`.tmp…`).
    removed.extend(fsx::sweep_matching(dir, |n| {
        let n = n.to_string_lossy();
        n.starts_with(".tmp") || (n.starts_with('.') && n.ends_with(".tmp"))
    })?);
    Ok(removed
        .iter()
        .map(|p| format!("removed `{}`, left by an interrupted index run", p.display()))
        .collect())
}

thread_local! {
    /// Depth of [`guard`] calls on this thread: while above 0, panics are not printed.
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}
static QUIET_HOOK: Once = Once::new();

/// Runs `f`, which reads the index in `dir` with tantivy, turning a panic (tantivy panics on
/// some garbled bytes) into [`IndexError::Damaged`]: no index content ends the process with
/// a panic. The panic's message is not printed; it is part of the error.
pub fn guard<T>(dir: &Path, f: impl FnOnce() -> Result<T, IndexError>) -> Result<T, IndexError> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(IndexError::Damaged {
            path: dir.to_path_buf(),
            reason: format!("tantivy failed on its data: {message}"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_stamped_and_every_difference_is_named() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("a.idx"), b"postings").unwrap();
        fs::write(d.path().join("a.fieldnorm"), b"norms").unwrap();
        fs::write(d.path().join("meta.json"), b"{}").unwrap();
        fs::write(d.path().join(".tantivy-meta.lock"), b"").unwrap();
        fs::write(d.path().join(META_FILE), b"{}").unwrap();
        let files = stamp_files(d.path(), &Files::new()).unwrap();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["a.fieldnorm", "a.idx", "meta.json"]);
        assert_eq!(check_files(d.path(), &files, Depth::Full).unwrap(), None);

        fs::write(d.path().join("a.idx"), b"postingz").unwrap();
        assert_eq!(check_files(d.path(), &files, Depth::Light).unwrap(), None, "postings are not hashed");
        let why = check_files(d.path(), &files, Depth::Full).unwrap().unwrap();
        assert!(why.contains("`a.idx` does not match its checksum"), "{why}");
        fs::write(d.path().join("a.idx"), b"postings").unwrap();
        fs::write(d.path().join("a.fieldnorm"), b"normz").unwrap();
        let why = check_files(d.path(), &files, Depth::Light).unwrap().unwrap();
        assert!(why.contains("`a.fieldnorm` does not match its checksum"), "{why}");
        fs::write(d.path().join("a.idx"), b"post").unwrap();
        let why = check_files(d.path(), &files, Depth::Light).unwrap().unwrap();
        assert!(why.contains("has 4 bytes where 8"), "{why}");
        fs::write(d.path().join("b.store"), b"x").unwrap();
        let why = check_files(d.path(), &files, Depth::Light).unwrap().unwrap();
        assert!(why.contains("`b.store` is not one"), "{why}");
        fs::remove_file(d.path().join("b.store")).unwrap();
        fs::remove_file(d.path().join("a.idx")).unwrap();
        let why = check_files(d.path(), &files, Depth::Light).unwrap().unwrap();
        assert!(why.contains("`a.idx` is missing"), "{why}");
    }

    #[test]
    fn a_file_written_once_keeps_its_hash_and_rewritten_ones_are_hashed_again() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("a.idx"), b"1234").unwrap();
        fs::write(d.path().join("meta.json"), b"1234").unwrap();
        let mut known = stamp_files(d.path(), &Files::new()).unwrap();
        for s in known.values_mut() {
            s.sha256 = "seen".into();
        }
        let again = stamp_files(d.path(), &known).unwrap();
        assert_eq!(again["a.idx"].sha256, "seen");
        assert_ne!(again["meta.json"].sha256, "seen");
    }

    #[test]
    fn sweep_removes_leftovers_of_killed_runs_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("index");
        fs::create_dir(&dir).unwrap();
        for leftover in [".index.rebuild-99999", ".tmp-index-rebuild-7", ".index.old-12", ".tmp-index-old-3"]
        {
            fs::create_dir(d.path().join(leftover)).unwrap();
            fs::write(d.path().join(leftover).join("x.idx"), b"x").unwrap();
        }
        fs::write(dir.join(".incident-archive.json.tmp"), b"{").unwrap();
        fs::write(dir.join(".tmp-ids.json"), b"[").unwrap();
        fs::write(dir.join(".tmpX4aZ9q"), b"{\"segments\"").unwrap();
        fs::write(dir.join("a.idx"), b"keep").unwrap();
        fs::create_dir(d.path().join(".other.rebuild-1")).unwrap();
        let removed = sweep(&dir).unwrap();
        assert_eq!(removed.len(), 7, "{removed:?}");
        let mut left: Vec<String> =
            fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, [".other.rebuild-1", "index"]);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        assert!(sweep(&d.path().join("missing/index")).unwrap().is_empty());
    }

    #[test]
    fn a_panic_inside_the_guard_is_an_error() {
        let d = Path::new("/nowhere/index");
        let r: Result<(), IndexError> = guard(d, || panic!("index out of bounds"));
        let e = r.unwrap_err();
        assert!(matches!(e, IndexError::Damaged { .. }));
        assert!(e.to_string().contains("index out of bounds") && e.to_string().contains("--rebuild"), "{e}");
        assert_eq!(guard(d, || Ok(3)).unwrap(), 3);
    }
}
