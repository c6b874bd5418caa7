//! `cache/summaries.json`: the summary of each current record ([`Incident::summarize`]) by the
//! hash of its object, so that a snapshot parses only the records it has not seen before.
//!
//! An object never changes, and a summary is a function of the object's bytes and of this
//! program, so an entry stays valid as long as the program that wrote it is the one reading it
//! (the file names it; another build of the program ignores the file and starts afresh). The
//! file is derived data, like `index/`: deleting it costs one parse of every record at the next
//! run, and nothing else. `verify` does not read it; an auditor's checks never depend on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ArchiveError, fsutil};
use crate::record::Incident;

/// The folder of derived caches under the archive root.
pub const CACHE_DIR: &str = "cache";
/// The file of summaries in it.
pub const SUMMARIES_FILE: &str = "summaries.json";

/// This build of the program: summaries written by another are not used.
const PROGRAM: &str =
    concat!("incident-archive ", env!("CARGO_PKG_VERSION"), " ", env!("INCIDENT_ARCHIVE_SOURCE_FINGERPRINT"));

#[derive(Serialize, Deserialize)]
struct File<T> {
    program: String,
    summaries: T,
}

/// The summaries of one archive, loaded from and saved to its `cache/summaries.json`.
#[derive(Debug)]
pub struct SummaryCache {
    path: PathBuf,
    entries: HashMap<String, Incident>,
    changed: bool,
}

impl SummaryCache {
    /// The archive's cache; empty when the file is missing, unreadable, or from another build.
    pub fn load(archive_root: &Path) -> SummaryCache {
        let path = archive_root.join(CACHE_DIR).join(SUMMARIES_FILE);
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File<HashMap<String, Incident>>>(&bytes).ok())
            .filter(|f| f.program == PROGRAM)
            .map(|f| f.summaries)
            .unwrap_or_default();
        SummaryCache { path, entries, changed: false }
    }

    /// Number of summaries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no summary is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The summary of object `sha`, if known.
    pub fn get(&self, sha: &str) -> Option<&Incident> {
        self.entries.get(sha)
    }

    /// Remembers the summary of object `sha`.
    pub fn insert(&mut self, sha: &str, summary: Incident) {
        if self.entries.get(sha) != Some(&summary) {
            self.entries.insert(sha.to_string(), summary);
            self.changed = true;
        }
    }

    /// Forgets every object not in `keep` (superseded versions, purged records).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let before = self.entries.len();
        self.entries.retain(|sha, _| keep(sha));
        self.changed |= self.entries.len() != before;
    }

    /// Writes the file when something changed (temp file, rename), with its entries sorted so
    /// that the same summaries give the same bytes. Not fsynced: after a crash the file is
    /// either a complete cache or fails to parse and is ignored, and either is correct.
    pub fn save(&mut self) -> Result<(), ArchiveError> {
        if !self.changed {
            return Ok(());
        }
        let dir = fsutil::parent(&self.path);
        std::fs::create_dir_all(dir).map_err(fsutil::io(dir))?;
        let sorted: std::collections::BTreeMap<&String, &Incident> = self.entries.iter().collect();
        let bytes = serde_json::to_vec(&File { program: PROGRAM.to_string(), summaries: sorted })
            .map_err(|e| ArchiveError::Invalid(format!("cannot serialize the summaries: {e}")))?;
        let tmp = fsutil::temp_path(dir);
        std::fs::write(&tmp, &bytes).map_err(fsutil::io(&tmp))?;
        std::fs::rename(&tmp, &self.path).map_err(fsutil::io(&self.path))?;
        self.changed = false;
        Ok(())
    }
}
