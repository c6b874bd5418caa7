//! The archive stage's one error type, at the bottom of the stage so that every module can
//! return it without importing anything above itself.

use std::path::{Path, PathBuf};

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
    /// No archive at the path (no `archive.json`).
    #[error("`{path}` is not an archive yet (no `archive.json`); `incident-archive ingest` creates it")]
    NoArchive { path: PathBuf },
    /// The id is not in the ledger.
    #[error("no record `{id}` in the archive")]
    UnknownRecord { id: String },
    /// An object the ledger names cannot be read.
    #[error("object `{object}` cannot be read: {source}")]
    ObjectUnreadable { object: String, source: std::io::Error },
    /// An object's bytes no longer hash to its name: they are not the archived ones.
    #[error("object `{object}` does not match its hash; run `incident-archive verify`")]
    ObjectChanged { object: String },
    /// The storage backend (the S3 bucket) failed or refused.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A failure of the storage backend that is the archive's system of record beyond the local
/// folder (the S3 bucket, [`super::storage`]), naming the operation and the key.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The store could not be reached, or kept failing after the bounded retries; nothing that
    /// depends on the operation was recorded, and the next run completes the work.
    #[error("{operation} `{key}` failed: {message}")]
    Failed { operation: &'static str, key: String, message: String },
    /// The store refused to remove or change a locked object version (retention or legal hold).
    #[error("the store refused {operation} `{key}`: {message}")]
    Refused { operation: &'static str, key: String, message: String },
    /// An object already stored under the key holds other bytes.
    #[error(
        "`{key}` is already in the bucket with other content (its SHA-256 is `{found}`, not `{expected}`)"
    )]
    Conflict { key: String, expected: String, found: String },
    /// The bucket does not have Object Lock enabled: nothing could be kept write-once.
    #[error(
        "bucket `{bucket}` does not have Object Lock enabled ({found}); the archive needs a bucket created with \
         Object Lock (`ObjectLockEnabledForBucket`)"
    )]
    NoObjectLock { bucket: String, found: String },
    /// The backend cannot be set up (settings, credentials, a build without it).
    #[error("{0}")]
    Setup(String),
    /// What the bucket holds cannot be used (a ledger segment that does not chain, …).
    #[error("{0}")]
    Invalid(String),
}

impl From<crate::fsx::Error> for ArchiveError {
    /// The file-system layer's errors are the archive's own, with the same messages.
    fn from(e: crate::fsx::Error) -> Self {
        match e {
            crate::fsx::Error::Io { path, source } => ArchiveError::Io { path, source },
            crate::fsx::Error::Locked { path } => ArchiveError::Locked { path },
        }
    }
}

/// Attaches a path to an I/O error.
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io { path: path.to_path_buf(), source }
}
