//! The local backend: the archive folder is the system of record and nothing is stored beyond
//! it. Objects, the ledger and the checkpoints are the folder's files, written by the archive's
//! own modules exactly as before there was a boundary; every operation here has nothing to do.

use chrono::{DateTime, Utc};

use super::{Head, Inspection, LockMode, Put, Removed, Storage, StorageError, StoredVersion};

/// The archive folder alone (`storage.kind: local`, the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct Local;

impl Local {
    fn nothing_beyond(&self, operation: &str) -> StorageError {
        StorageError::Setup(format!("{operation}: a local archive has no store beyond its folder"))
    }
}

impl Storage for Local {
    fn is_remote(&self) -> bool {
        false
    }
    fn lock_mode(&self) -> LockMode {
        LockMode::Compliance
    }
    fn location(&self, key: &str) -> String {
        key.to_string()
    }
    /// The objects are already in the folder (the archive wrote them): nothing to do.
    fn put(&self, _items: Vec<Put>, _done: &(dyn Fn() + Sync)) -> Result<(), StorageError> {
        Ok(())
    }
    /// A legal hold is the ledger's alone: nothing to do.
    fn set_legal_hold(&self, _key: &str, _sha256: &str, _on: bool) -> Result<(), StorageError> {
        Ok(())
    }
    /// Retention is the ledger's alone: nothing to do.
    fn extend_retention(&self, _key: &str, _sha: &str, _until: DateTime<Utc>) -> Result<(), StorageError> {
        Ok(())
    }
    /// The purge removes the folder's file itself: nothing to do here.
    fn delete(&self, _key: &str, _sha256: &str) -> Result<Removed, StorageError> {
        Ok(Removed::Absent)
    }
    fn list(&self, _prefix: &str) -> Result<Vec<String>, StorageError> {
        Ok(Vec::new())
    }
    fn get(&self, _key: &str) -> Result<Vec<u8>, StorageError> {
        Err(self.nothing_beyond("get"))
    }
    fn versions(&self, _key: &str) -> Result<Vec<StoredVersion>, StorageError> {
        Ok(Vec::new())
    }
    fn head(&self, _key: &str, _version_id: &str) -> Result<Head, StorageError> {
        Err(self.nothing_beyond("head"))
    }
    fn get_version(&self, _key: &str, _version_id: &str) -> Result<Vec<u8>, StorageError> {
        Err(self.nothing_beyond("get"))
    }
    /// Nothing beyond the folder: no versions.
    fn inspect(&self, items: Vec<(String, String)>) -> Result<Vec<Inspection>, StorageError> {
        Ok(items.iter().map(|_| Inspection { versions: Vec::new(), ours: None }).collect())
    }
}
