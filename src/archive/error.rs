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
