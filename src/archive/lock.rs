//! One run at a time: the OS lock on `archive/.lock` ([`crate::fsx::Lock`]: released by the
//! kernel when the process dies), exclusive for writers, shared for readers that must not see
//! a write in progress. Only the lock: what the next run does about a killed one is
//! `recovery`'s.

use std::path::{Path, PathBuf};

use super::error::ArchiveError;
use crate::fsx;

/// `.lock`.
pub const LOCK_FILE: &str = ".lock";

/// Proof that this process holds the archive's exclusive lock; every write requires one.
/// Dropping it releases the lock.
#[derive(Debug)]
pub struct LockGuard {
    _lock: fsx::Lock,
    root: PathBuf,
    recovered: Vec<String>,
}

impl LockGuard {
    /// What was tidied up after an interrupted run when the lock was taken (empty normally).
    pub fn recovered(&self) -> &[String] {
        &self.recovered
    }

    /// The guard, telling what was tidied up when the lock was taken.
    pub(crate) fn with_recovered(self, recovered: Vec<String>) -> Self {
        Self { recovered, ..self }
    }

    /// Errors unless the guard locks the archive at `root`.
    pub(crate) fn check(&self, root: &Path) -> Result<(), ArchiveError> {
        if self.root != root {
            return Err(ArchiveError::Invalid(format!(
                "the lock held is for `{}`, not `{}`",
                self.root.display(),
                root.display()
            )));
        }
        Ok(())
    }
}

/// A shared lock for readers that must not see a write in progress (`verify`).
#[derive(Debug)]
pub struct SharedGuard {
    _lock: Option<fsx::Lock>,
}

/// Takes the exclusive lock of the archive at `root`, or fails at once with
/// [`ArchiveError::Locked`]. Nothing else: no clean-up.
pub(crate) fn exclusive(root: &Path) -> Result<LockGuard, ArchiveError> {
    let lock = fsx::Lock::exclusive(&root.join(LOCK_FILE))?;
    Ok(LockGuard { _lock: lock, root: root.to_path_buf(), recovered: Vec::new() })
}

/// Takes a shared lock of the archive at `root`: fails with [`ArchiveError::Locked`] while a
/// writer holds the lock. Where no lock file can be made (a read-only copy), there is no lock.
pub(crate) fn shared(root: &Path) -> Result<SharedGuard, ArchiveError> {
    Ok(SharedGuard { _lock: fsx::Lock::shared(&root.join(LOCK_FILE))? })
}
