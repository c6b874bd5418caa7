//! A write session: the ledger and state loaded under the lock, checked, and the write protocol
//! of [`super::journal`] (pending → objects → ledger → checkpoint → clean-up).
//!
//! The check is the ledger-chain check of [`super::chain`] (the same that `verify` runs); the
//! clean-up is [`super::recovery::cleanup`], the last step of recovery too. The lock was taken,
//! and a killed run's leftovers dealt with, by [`Archive::lock`] before a session can open.

use super::chain::check_ledger;
use super::error::ArchiveError;
use super::journal::{Checkpoint, Pending};
use super::layout::Archive;
use super::ledger::{self, Entry, LedgerFile, Line};
use super::lock::LockGuard;
use super::merkle;
use super::recovery::cleanup;
use super::state::State;

/// The archive as a writer sees it.
pub(crate) struct Session<'a> {
    pub archive: &'a Archive,
    pub ledger: LedgerFile,
    pub state: State,
    pending: Option<Pending>,
    tree: merkle::CompactTree,
}

impl<'a> Session<'a> {
    /// Loads the ledger and refuses to go on if it has any problem: nothing is ever appended to
    /// a ledger that does not verify.
    pub fn open(archive: &'a Archive, guard: &LockGuard) -> Result<Self, ArchiveError> {
        guard.check(archive.root())?;
        let ledger = LedgerFile::read(&archive.ledger_path())?;
        let checkpoint = Checkpoint::read(&archive.checkpoint_path());
        let check = check_ledger(&ledger, &checkpoint, &archive.checkpoint_path(), None);
        if let Some(p) = check.problems.first() {
            let more = match check.problems.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            return Err(ArchiveError::Invalid(format!(
                "refusing to write to an archive that fails verification: {p}{more}; run `incident-archive verify`"
            )));
        }
        let tree = merkle::CompactTree::from_leaves(&ledger.leaves());
        Ok(Session { archive, ledger, state: check.state, pending: None, tree })
    }

    /// Step 1: records the intent of the write in `pending.json`.
    pub fn begin(
        &mut self,
        operation: &str,
        objects: Vec<String>,
        purge: Vec<String>,
    ) -> Result<(), ArchiveError> {
        let p = Pending {
            operation: operation.to_string(),
            size: self.ledger.lines.len() as u64,
            ledger_bytes: self.ledger.committed_len(),
            objects,
            purge,
        };
        p.write(&self.archive.pending_path())?;
        self.pending = Some(p);
        Ok(())
    }

    /// Steps 3 and 4: numbers and chains the entries (their `seq` and `prev` are filled in),
    /// appends them with one write and fsync, and records the new checkpoint. An entry's `at`
    /// is never before the previous entry's (a clock set back writes the last time again):
    /// `verify` reports times that go backwards.
    pub fn append(&mut self, mut entries: Vec<Entry>) -> Result<Vec<Entry>, ArchiveError> {
        if entries.is_empty() {
            return Ok(entries);
        }
        debug_assert!(self.pending.is_some(), "append outside begin/finish");
        let mut buf = Vec::new();
        let mut prev = self.ledger.next_prev();
        let mut last_at = self.ledger.lines.last().and_then(|l| l.entry.as_ref().ok()).map(|e| e.at);
        let mut new_lines = Vec::with_capacity(entries.len());
        let base = self.ledger.bytes.len();
        for (seq, e) in (self.ledger.lines.len() as u64..).zip(entries.iter_mut()) {
            e.seq = seq;
            e.prev = prev;
            e.at = last_at.map_or(e.at, |t| t.max(e.at));
            last_at = Some(e.at);
            let line = e.to_line();
            let hash = ledger::line_hash(&line);
            let start = base + buf.len();
            let leaf = merkle::leaf_hash(&line);
            self.tree.push(leaf);
            new_lines.push(Line { start, end: start + line.len(), hash, leaf, entry: Ok(e.clone()) });
            buf.extend_from_slice(&line);
            buf.push(b'\n');
            prev = hex::encode(hash);
        }
        ledger::append(&self.archive.ledger_path(), &buf)?;
        self.ledger.bytes.extend_from_slice(&buf);
        self.ledger.lines.extend(new_lines);
        for e in &entries {
            self.state.apply(e);
        }
        Checkpoint {
            size: self.ledger.lines.len() as u64,
            root: self.root(),
            ledger_bytes: self.ledger.bytes.len() as u64,
        }
        .write(&self.archive.checkpoint_path())?;
        Ok(entries)
    }

    /// Step 5: removes unrecorded new objects and purged bytes, then `pending.json`.
    pub fn finish(&mut self) -> Result<(), ArchiveError> {
        if let Some(p) = self.pending.take() {
            cleanup(self.archive, &p, &self.state)?;
        }
        Ok(())
    }

    /// The Merkle root over the ledger, hex.
    pub fn root(&self) -> String {
        hex::encode(self.tree.root())
    }
}
