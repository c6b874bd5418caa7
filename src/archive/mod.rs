//! The content-addressed, tamper-evident archive: objects, ledger, Merkle root, retention, lock, verify.
//!
//! Read side used by `index` and `site`: [`Archive::open`] then [`Archive::snapshot`].

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::record::Incident;

/// Errors of the archive stage.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: unknown archive format `{found}` (this build knows format 1)")]
    UnknownFormat { path: PathBuf, found: String },
    #[error("`{path}` is locked by another run")]
    Locked { path: PathBuf },
    #[error("{0}")]
    Invalid(String),
}

/// An opened archive root (`archive/`).
#[derive(Debug, Clone)]
pub struct Archive {
    root: PathBuf,
}

/// One version of a record as the ledger knows it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    /// 1 for the first ingest.
    pub version: u32,
    /// sha256 hex of the object.
    pub object: String,
    /// Ledger sequence number of the entry that added it.
    pub seq: u64,
    pub ingested_at: DateTime<Utc>,
}

/// A legal hold in force.
#[derive(Debug, Clone, Serialize)]
pub struct Hold {
    pub reason: String,
    pub since: DateTime<Utc>,
}

/// A disposal recorded by a `purge` entry.
#[derive(Debug, Clone, Serialize)]
pub struct PurgeInfo {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// The current state of one record id, derived from the ledger.
#[derive(Debug, Clone, Serialize)]
pub struct ArchivedRecord {
    pub id: String,
    /// Title as recorded in the ledger (kept after a purge).
    pub title: String,
    /// The current (latest) version's object hash.
    pub object: String,
    pub versions: Vec<VersionInfo>,
    pub retain_until: NaiveDate,
    pub legal_hold: Option<Hold>,
    pub purged: Option<PurgeInfo>,
    /// The highest ledger `seq` of any entry about this id (ingest, new version, hold, release,
    /// purge): what an incremental index or site compares with the position it last saw.
    pub last_seq: u64,
    /// The current version parsed; `None` once purged.
    pub incident: Option<Incident>,
}

/// Everything downstream stages need, read once: records sorted by id.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// RFC 6962 Merkle tree hash over the ledger entries, hex.
    pub root: String,
    /// Number of ledger entries (the next `seq`).
    pub ledger_len: u64,
    pub records: Vec<ArchivedRecord>,
}

impl Archive {
    /// Opens an existing archive for reading; refuses an unknown format.
    pub fn open(root: &Path) -> Result<Archive, ArchiveError> {
        Ok(Archive { root: root.to_path_buf() })
    }

    /// The archive's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads the ledger and parses the current version of every record (in parallel).
    pub fn snapshot(&self) -> Result<Snapshot, ArchiveError> {
        Err(ArchiveError::Invalid("the archive is not implemented yet".into()))
    }

    /// The exact bytes of an object.
    pub fn read_object(&self, sha256: &str) -> Result<Vec<u8>, ArchiveError> {
        let path = self.root.join("objects").join(&sha256[..2]).join(&sha256[2..]);
        std::fs::read(&path).map_err(|source| ArchiveError::Io { path, source })
    }
}
