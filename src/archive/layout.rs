//! The archive's folder: the names of its files, the handle [`Archive`] that knows their paths,
//! opening and creating an archive, reading its ledger into records' states, and reading an
//! object back only while it still matches its name.
//!
//! Taking the exclusive lock (which finishes what a killed run left) is [`super::recovery`]'s;
//! a record's history is [`super::read`]'s, the snapshot [`crate::snapshot`]'s.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{ArchiveError, io};
use super::journal;
use super::ledger;
use super::lock::{self, LOCK_FILE, SharedGuard};
use super::merkle;
use super::objects::{self, sha256_hex};
use super::state;
use super::storage::{self, Storage};
use crate::fsx;
use crate::record::Incident;

/// The format this build reads and writes.
pub const FORMAT: u32 = 1;
/// `archive.json`.
pub const FORMAT_FILE: &str = "archive.json";
/// `ledger.jsonl`.
pub const LEDGER_FILE: &str = "ledger.jsonl";
/// `checkpoint.json`.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
/// `pending.json`.
pub const PENDING_FILE: &str = "pending.json";
/// `objects/`.
pub const OBJECTS_DIR: &str = "objects";
/// `cache/`: derived caches, deleted at no cost but time (the snapshot's summary cache,
/// [`crate::snapshot::summaries`]).
pub const CACHE_DIR: &str = "cache";

/// An opened archive root (`archive/`).
#[derive(Debug, Clone)]
pub struct Archive {
    root: PathBuf,
    /// Where the archive is kept beyond this folder ([`storage::local`] by default).
    storage: std::sync::Arc<dyn Storage>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FormatFile {
    format: serde_json::Value,
    hash: serde_json::Value,
}

impl Archive {
    /// Opens an existing archive for reading; refuses an unknown format.
    pub fn open(root: &Path) -> Result<Archive, ArchiveError> {
        let path = root.join(FORMAT_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ArchiveError::NoArchive { path: root.to_path_buf() });
            }
            Err(source) => return Err(ArchiveError::Io { path, source }),
        };
        let found = match serde_json::from_slice::<FormatFile>(&bytes) {
            Ok(f) if f.format == serde_json::json!(FORMAT) && f.hash == "sha256" => {
                return Ok(Archive { root: root.to_path_buf(), storage: storage::local() });
            }
            Ok(f) => format!("{} ({})", f.format, f.hash),
            Err(e) => format!("unreadable: {e}"),
        };
        Err(ArchiveError::UnknownFormat { path, found })
    }

    /// Opens the archive at `root`, creating an empty one (folder, `archive.json`, empty
    /// ledger and checkpoint) when there is none. Other files in the folder are left alone.
    pub fn create(root: &Path) -> Result<Archive, ArchiveError> {
        match Archive::open(root) {
            Err(ArchiveError::NoArchive { .. }) => {}
            other => return other,
        }
        std::fs::create_dir_all(root).map_err(io(root))?;
        let _lock = lock::exclusive(root)?;
        match Archive::open(root) {
            Err(ArchiveError::NoArchive { .. }) => {}
            other => return other,
        }
        let a = Archive { root: root.to_path_buf(), storage: storage::local() };
        let ledger = a.ledger_path();
        if std::fs::metadata(&ledger).is_ok_and(|m| m.len() > 0) {
            return Err(ArchiveError::Invalid(format!(
                "{}: `{FORMAT_FILE}` is missing but the ledger has entries; refusing to start a new archive over it",
                root.display()
            )));
        }
        match std::fs::create_dir(a.objects_dir()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(ArchiveError::Io { path: a.objects_dir(), source: e }),
        }
        fsx::write_atomic(&ledger, b"")?;
        journal::Checkpoint { size: 0, root: hex::encode(merkle::empty_root()), ledger_bytes: 0 }
            .write(&a.checkpoint_path())?;
        fsx::write_atomic(&a.format_path(), b"{\"format\":1,\"hash\":\"sha256\"}\n")?;
        Archive::open(root)
    }

    /// The same archive, kept in `storage` beyond its folder (the S3 bucket).
    pub fn with_storage(mut self, storage: std::sync::Arc<dyn Storage>) -> Archive {
        self.storage = storage;
        self
    }

    /// Where the archive is kept beyond its folder.
    pub fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// The archive's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `archive.json`.
    pub fn format_path(&self) -> PathBuf {
        self.root.join(FORMAT_FILE)
    }

    /// `ledger.jsonl`.
    pub fn ledger_path(&self) -> PathBuf {
        self.root.join(LEDGER_FILE)
    }

    /// `checkpoint.json`.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.root.join(CHECKPOINT_FILE)
    }

    /// `pending.json`.
    pub fn pending_path(&self) -> PathBuf {
        self.root.join(PENDING_FILE)
    }

    /// `.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.root.join(LOCK_FILE)
    }

    /// `objects/`.
    pub fn objects_dir(&self) -> PathBuf {
        self.root.join(OBJECTS_DIR)
    }

    /// The object store.
    pub fn store(&self) -> objects::ObjectStore {
        objects::ObjectStore::new(self.objects_dir())
    }

    /// The path of an object (the hash is validated: no name can reach outside the store).
    pub fn object_path(&self, sha256: &str) -> Result<PathBuf, ArchiveError> {
        self.store().path(sha256)
    }

    /// The exact bytes of an object.
    pub fn read_object(&self, sha256: &str) -> Result<Vec<u8>, ArchiveError> {
        self.store().read(sha256)
    }

    /// The ledger's committed lines and the state folded from them (rule violations are
    /// `verify`'s business; readers take the ledger as it is).
    pub fn load_state(&self) -> Result<(state::State, ledger::LedgerFile), ArchiveError> {
        let ledger = ledger::LedgerFile::read(&self.ledger_path())?;
        let state = state::State::from_entries(ledger.lines.iter().filter_map(|l| l.entry.as_ref().ok()));
        Ok((state, ledger))
    }

    /// Object `sha` parsed with its sign-off sidecar's object, when it has one; each read only
    /// if it still hashes to its name (`None`: not a record).
    pub fn parse_object(&self, sha: &str, sidecar: Option<&str>) -> Result<Option<Incident>, ArchiveError> {
        let (path, bytes) = self.read_verified(sha)?;
        let sidecar = sidecar.map(|s| self.read_verified(s)).transpose()?;
        let sidecar = sidecar.as_ref().map(|(p, b)| (p.as_path(), &b[..]));
        Ok(crate::record::parse_with_sidecar(&path, &bytes, sidecar).incident)
    }

    /// The size of object `sha` on disk, `None` when it is not there.
    pub(crate) fn object_size(&self, sha: &str) -> Option<u64> {
        self.object_path(sha).ok().and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len())
    }

    /// An object's bytes, only if they still hash to its name.
    pub fn read_verified(&self, sha256: &str) -> Result<(PathBuf, Vec<u8>), ArchiveError> {
        let path = self.object_path(sha256)?;
        let bytes = std::fs::read(&path)
            .map_err(|source| ArchiveError::ObjectUnreadable { object: sha256.to_string(), source })?;
        if sha256_hex(&bytes) != sha256 {
            return Err(ArchiveError::ObjectChanged { object: sha256.to_string() });
        }
        Ok((path, bytes))
    }

    /// Takes a shared lock: fails with [`ArchiveError::Locked`] while a writer holds the lock.
    /// On a read-only copy of an archive, where no lock file can be made, there is no lock.
    pub fn lock_shared(&self) -> Result<SharedGuard, ArchiveError> {
        lock::shared(&self.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_formats_are_refused() {
        let d = tempfile::tempdir().unwrap();
        assert!(matches!(Archive::open(d.path()), Err(ArchiveError::NoArchive { .. })));
        let a = Archive::create(d.path()).unwrap();
        assert!(Archive::open(a.root()).is_ok());
        for bad in [r#"{"format":2,"hash":"sha256"}"#, r#"{"format":1,"hash":"blake3"}"#, "not json"] {
            std::fs::write(d.path().join(FORMAT_FILE), bad).unwrap();
            assert!(matches!(Archive::open(d.path()), Err(ArchiveError::UnknownFormat { .. })), "{bad}");
        }
    }
}
