//! The two small files that make appends crash-safe: `checkpoint.json` (the committed ledger
//! size and root) and `pending.json` (the intent of a write in progress).
//!
//! Every write follows one protocol, under the lock:
//! 1. write `pending.json` (atomically): the ledger size and byte length before the write, the
//!    objects about to be created and the ids about to be purged;
//! 2. write the new objects (temp files, one flush of them all, renames) and fsync their folders;
//! 3. append the ledger lines with one write, fsync;
//! 4. write `checkpoint.json` (atomically) with the new size and root;
//! 5. remove purged objects, then remove `pending.json`.
//!
//! A run killed anywhere leaves `pending.json` behind. The next locked run (and `verify`, which
//! only reads) knows from it exactly what the interrupted run may have left: a final ledger
//! line without its newline starting at or after the recorded byte length, entries after the
//! recorded size, objects not yet referenced, purged objects not yet removed, temp files. The
//! next locked run finishes that work (cutting the unfinished line, updating the checkpoint,
//! removing unreferenced new objects and purged bytes) and removes `pending.json`. Outside that
//! window any such leftover is damage and `verify` names it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::ArchiveError;
use crate::fsx;

/// The committed state of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Number of entries.
    pub size: u64,
    /// Merkle root over them, hex.
    pub root: String,
    /// Byte length of the ledger file.
    pub ledger_bytes: u64,
}

/// A write in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    /// What is being done (`ingest`, `legal_hold`, `release_hold`, `purge`).
    pub operation: String,
    /// Ledger entries before the write.
    pub size: u64,
    /// Ledger byte length before the write.
    pub ledger_bytes: u64,
    /// Objects the write creates.
    pub objects: Vec<String>,
    /// Ids whose bytes the write removes.
    pub purge: Vec<String>,
}

/// Reads a small JSON file: `Ok(None)` when missing, `Err` with a message when unreadable.
fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, String> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| format!("not valid: {e}")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

impl Checkpoint {
    /// Reads `checkpoint.json`.
    pub fn read(path: &Path) -> Result<Option<Checkpoint>, String> {
        read_json(path)
    }

    /// Writes it atomically.
    pub fn write(&self, path: &Path) -> Result<(), ArchiveError> {
        Ok(fsx::write_atomic(path, &to_json(self))?)
    }
}

impl Pending {
    /// Reads `pending.json`.
    pub fn read(path: &Path) -> Result<Option<Pending>, String> {
        read_json(path)
    }

    /// Writes it atomically.
    pub fn write(&self, path: &Path) -> Result<(), ArchiveError> {
        Ok(fsx::write_atomic(path, &to_json(self))?)
    }
}

fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).expect("journal files always serialize");
    b.push(b'\n');
    b
}
