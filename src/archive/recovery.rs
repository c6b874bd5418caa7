//! Crash recovery: what the next run holding the lock does about a run that was killed (see
//! [`super::journal`]): sweep the temporaries, then finish the interrupted write as
//! `pending.json` describes it (cut an unfinished ledger line, record appended entries in the
//! checkpoint, remove objects nobody references and purged bytes, remove `pending.json`).
//!
//! [`Archive::lock`] takes the OS lock ([`super::lock`]) and runs it before anything else can
//! touch the archive; the last step, [`cleanup`], is also the last step of every write
//! ([`super::session`]).

use std::collections::BTreeSet;
use std::path::Path;

use super::error::ArchiveError;
use super::journal::{Checkpoint, Pending};
use super::layout::{Archive, CACHE_DIR};
use super::ledger::{self, LedgerFile};
use super::lock::{self, LockGuard};
use super::mirror;
use super::state::State;
use crate::fsx;

impl Archive {
    /// Takes the exclusive lock, or fails at once with [`ArchiveError::Locked`] when another run
    /// holds it. Then finishes what a killed run left (see [`super::journal`]) and, with a store
    /// beyond the folder, uploads the ledger lines a failed run could not
    /// ([`mirror::sync`]); the guard tells what was done ([`LockGuard::recovered`]).
    pub fn lock(&self) -> Result<LockGuard, ArchiveError> {
        let guard = lock::exclusive(self.root())?;
        let mut recovered = recover(self)?;
        let synced = mirror::sync(self)?;
        if let Some(key) = synced.segment {
            recovered.push(format!("uploaded the ledger lines a previous run had not stored: `{key}`"));
        }
        Ok(guard.with_recovered(recovered))
    }
}

/// Finishes an interrupted write, as `pending.json` describes it. Returns what was done.
fn recover(archive: &Archive) -> Result<Vec<String>, ArchiveError> {
    sweep(archive.root())?;
    let pending_path = archive.pending_path();
    let pending = match Pending::read(&pending_path) {
        Ok(Some(p)) => p,
        Ok(None) => return Ok(Vec::new()),
        Err(msg) => {
            return Err(ArchiveError::Invalid(format!(
                "{}: {msg}; cannot tell what an interrupted run left",
                pending_path.display()
            )));
        }
    };
    let mut done = vec![format!("finished an interrupted `{}`", pending.operation)];
    let ledger_path = archive.ledger_path();
    let first = LedgerFile::read(&ledger_path)?;
    if let Some(t) = first.tail
        && t as u64 >= pending.ledger_bytes
    {
        ledger::truncate(&ledger_path, t as u64)?;
        done.push(format!("removed an unfinished ledger line of {} bytes", first.bytes.len() - t));
    }
    let prefixes: BTreeSet<&str> =
        pending.objects.iter().filter(|o| o.len() == 64).map(|o| &o[..2]).collect();
    for p in prefixes {
        fsx::sweep(&archive.objects_dir().join(p), &[fsx::TEMP_PREFIX])?;
    }

    let ledger = LedgerFile::read(&ledger_path)?;
    let n = ledger.lines.len();
    let size = pending.size as usize;
    let cp = Checkpoint::read(&archive.checkpoint_path())
        .map_err(|m| ArchiveError::Invalid(format!("{}: {m}", archive.checkpoint_path().display())))?;
    // The checkpoint is either still the one the interrupted write started from, or already the
    // new one (the write was killed after recording it); either way it must describe a prefix.
    let committed = cp.as_ref().map_or(0, |c| c.size as usize);
    let cp_ok = match &cp {
        Some(cp) => committed >= size && committed <= n && hex::encode(ledger.root_of(committed)) == cp.root,
        None => size == 0,
    };
    let new_lines_ok = ledger.tail.is_none()
        && (committed.min(n)..n).all(|i| {
            let prev =
                if i == 0 { ledger::GENESIS.to_string() } else { hex::encode(ledger.lines[i - 1].hash) };
            ledger.lines[i].entry.as_ref().is_ok_and(|e| e.seq == i as u64 && e.prev == prev)
        });
    if !cp_ok || !new_lines_ok {
        return Err(ArchiveError::Invalid(format!(
            "{}: an interrupted `{}` cannot be finished because the ledger or the checkpoint does not match it; \
             run `incident-archive verify`",
            pending_path.display(),
            pending.operation
        )));
    }
    if n > committed || cp.is_none() {
        Checkpoint {
            size: n as u64,
            root: hex::encode(ledger.root_of(n)),
            ledger_bytes: ledger.committed_len(),
        }
        .write(&archive.checkpoint_path())?;
        done.push(format!("kept {} ledger entries the interrupted run had appended", n - committed));
    }
    let state = State::from_entries(ledger.lines.iter().filter_map(|l| l.entry.as_ref().ok()));
    let removed = cleanup(archive, &pending, &state)?;
    if removed > 0 {
        done.push(format!("removed {removed} objects the interrupted run did not record or had purged"));
    }
    Ok(done)
}

/// The last step of every write (and of recovery): removes the objects of `pending` that the
/// ledger does not reference, the bytes of the ids it purged, then `pending.json` itself.
/// Returns how many objects were removed.
pub(crate) fn cleanup(archive: &Archive, pending: &Pending, state: &State) -> Result<usize, ArchiveError> {
    let store = archive.store();
    let mut dirs = BTreeSet::new();
    let mut removed = 0;
    for o in &pending.objects {
        if !state.by_object.contains_key(o) && store.remove(o)? {
            removed += 1;
            dirs.insert(fsx::parent(&store.path(o)?).to_path_buf());
        }
    }
    // A sign-off sidecar can be the same bytes for two records: it stays while a record that
    // is not purged names it.
    let live_sidecars: BTreeSet<&str> = state
        .records
        .values()
        .filter(|r| r.purged.is_none())
        .flat_map(|r| r.versions.iter().filter_map(|v| v.attestation.as_ref()))
        .map(|a| a.object.as_str())
        .collect();
    for id in &pending.purge {
        let Some(r) = state.records.get(id).filter(|r| r.purged.is_some()) else { continue };
        let sidecars = r.versions.iter().filter_map(|v| v.attestation.as_ref()).map(|a| &a.object);
        let sidecars = sidecars.filter(|o| !live_sidecars.contains(o.as_str()));
        for o in r.versions.iter().map(|v| &v.object).chain(sidecars) {
            if store.remove(o)? {
                removed += 1;
                dirs.insert(fsx::parent(&store.path(o)?).to_path_buf());
            }
        }
    }
    for d in &dirs {
        fsx::sync_dir(d)?;
    }
    fsx::remove_durable(&archive.pending_path())?;
    Ok(removed)
}

/// Removes what killed or failed runs left in the archive at `root`: temp files and folders in
/// the root (journal files, the index's rebuild folders) and in `cache/` (the summary cache);
/// `objects/`'s are removed as `pending.json` names them. Only a run holding the lock may call
/// it. Returns how many were removed.
fn sweep(root: &Path) -> Result<usize, ArchiveError> {
    let cache = root.join(CACHE_DIR);
    Ok(fsx::sweep(root, &[fsx::TEMP_PREFIX])?.len() + fsx::sweep(&cache, &[fsx::TEMP_PREFIX])?.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn sweep_removes_temp_files_and_folders_of_the_root_and_the_cache() {
        let d = tempfile::tempdir().unwrap();
        let cache = d.path().join(CACHE_DIR);
        fs::create_dir(&cache).unwrap();
        fs::write(cache.join(".tmp-x"), b"{\"program\"").unwrap();
        fs::write(cache.join("summaries.json"), b"{}").unwrap();
        fs::create_dir_all(d.path().join(".tmp-index-rebuild-99999/sub")).unwrap();
        fs::write(d.path().join(".tmp-index-rebuild-99999/sub/a.idx"), b"x").unwrap();
        fs::write(d.path().join(".tmp-1-2"), b"x").unwrap();
        fs::write(d.path().join("ledger.jsonl"), b"").unwrap();
        assert_eq!(sweep(d.path()).unwrap(), 3);
        let mut left: Vec<_> = fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, ["cache", "ledger.jsonl"]);
        assert_eq!(fs::read_dir(&cache).unwrap().count(), 1);
        let bare = tempfile::tempdir().unwrap();
        assert_eq!(sweep(bare.path()).unwrap(), 0, "no cache folder: nothing to do");
    }
}
