//! `cache/summaries.json`: the summary of each current record ([`Incident::summarize`]) by the
//! hash of its object, so that a snapshot parses only the records it has not seen before.
//!
//! An object never changes, and a summary is a function of the object's bytes and of this
//! program, so an entry stays valid as long as the program that wrote it is the one reading it
//! (the file names it; another build of the program ignores the file and starts afresh). The
//! file is derived data, like `index/`: deleting it costs one parse of every record at the next
//! run, and nothing else. `verify` does not read it; an auditor's checks never depend on it.
//!
//! A snapshot rewrites the file whenever it holds anything but the summaries of current
//! records: after a purge, the purged record's summary (its title, customers, action items…)
//! is not taken, so the file is rewritten without it; a file that cannot be used (another
//! build's, unreadable) is rewritten too, since it may hold anything.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use std::io::Write as _;

use super::record::ArchivedRecord;
use crate::archive::ArchiveError;
use crate::fsx;
use crate::record::Incident;

/// The folder of derived caches under the archive root.
pub use crate::archive::CACHE_DIR;
/// The file of summaries in it.
pub const SUMMARIES_FILE: &str = "summaries.json";

/// This build of the program: summaries written by another are not used.
const PROGRAM: &str =
    concat!("incident-archive ", env!("CARGO_PKG_VERSION"), " ", env!("INCIDENT_ARCHIVE_SOURCE_FINGERPRINT"));

/// Attaches a path to an I/O error.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io { path: path.to_path_buf(), source }
}

#[derive(Serialize, Deserialize)]
struct File<P, T> {
    program: P,
    summaries: T,
}

/// The summaries of one archive, loaded from its `cache/summaries.json`; a snapshot takes them
/// out one by one ([`SummaryCache::take`]), so that no summary is held twice.
#[derive(Debug)]
pub struct SummaryCache {
    path: PathBuf,
    /// Boxed: the table stays small beside the records the summaries move into.
    entries: HashMap<String, Box<Incident>>,
    /// The file exists but could not be used: it must be rewritten.
    unusable: bool,
}

impl SummaryCache {
    /// The archive's cache; empty when the file is missing, unreadable, or from another build.
    pub fn load(archive_root: &Path) -> SummaryCache {
        let path = archive_root.join(CACHE_DIR).join(SUMMARIES_FILE);
        // Parsed as it is read: at 100,000 records the file is about 270 MB, which need not sit
        // in memory beside the summaries made from it.
        let file = std::fs::File::open(&path).ok();
        let exists = file.is_some();
        let entries = file
            .map(|f| std::io::BufReader::with_capacity(1 << 20, f))
            .and_then(|r| serde_json::from_reader::<_, File<String, HashMap<String, Box<Incident>>>>(r).ok())
            .filter(|f| f.program == PROGRAM)
            .map(|f| f.summaries);
        let unusable = exists && entries.is_none();
        SummaryCache { path, entries: entries.unwrap_or_default(), unusable }
    }

    /// True when every summary was taken (or there were none) and the file holds nothing else:
    /// no summary of an object that is no longer current (a purged record's), and it is not an
    /// unusable file. Otherwise the file must be rewritten.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && !self.unusable
    }

    /// Takes the summary of object `sha` out of the cache, if it is there.
    pub fn take(&mut self, sha: &str) -> Option<Incident> {
        self.entries.remove(sha).map(|b| *b)
    }

    /// Rewrites the file with the summaries of `records` (whole ones summarized on the way),
    /// streamed to disk, then renamed into place. Not fsynced: after a crash the file is
    /// either a complete cache or fails to parse and is ignored, and either is correct. A
    /// failed write (a full disk) removes its temp file; a killed one leaves it to the next
    /// locked run (it sweeps `cache/`).
    pub fn save(&self, records: &[ArchivedRecord]) -> Result<(), ArchiveError> {
        let dir = fsx::parent(&self.path);
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = fsx::temp_path(dir);
        let written = self
            .write(&tmp, records)
            .and_then(|()| std::fs::rename(&tmp, &self.path).map_err(io(&self.path)));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }

    fn write(&self, tmp: &Path, records: &[ArchivedRecord]) -> Result<(), ArchiveError> {
        let file = std::fs::File::create(tmp).map_err(io(tmp))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        serde_json::to_writer(&mut out, &File { program: PROGRAM, summaries: Summaries(records) })
            .map_err(|e| ArchiveError::Invalid(format!("cannot write `{}`: {e}", tmp.display())))?;
        out.flush().map_err(io(tmp))
    }
}

/// The summaries of a snapshot's records, by object hash, as a JSON object.
struct Summaries<'a>(&'a [ArchivedRecord]);

impl Serialize for Summaries<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for r in self.0 {
            match &r.incident {
                Some(inc) if r.summarized => map.serialize_entry(&r.object, inc)?,
                Some(inc) => map.serialize_entry(&r.object, &inc.summary())?,
                None => {}
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(object: &str, title: &str) -> ArchivedRecord {
        let incident = Incident { id: object.into(), title: title.into(), ..Default::default() };
        ArchivedRecord { object: object.into(), incident: Some(incident), ..Default::default() }
    }

    /// After a purge the purged record's summary is not taken: the cache must be rewritten,
    /// and the rewrite holds only the current records'.
    #[test]
    fn a_summary_no_longer_taken_makes_the_file_rewritten_without_it() {
        let d = tempfile::tempdir().unwrap();
        let kept = record("aa", "kept record");
        let purged = record("bb", "purged zorbluxqix record");
        SummaryCache::load(d.path()).save(&[kept.clone(), purged]).unwrap();
        let path = d.path().join(CACHE_DIR).join(SUMMARIES_FILE);
        assert!(String::from_utf8(std::fs::read(&path).unwrap()).unwrap().contains("zorbluxqix"));

        let mut cache = SummaryCache::load(d.path());
        assert!(cache.take("aa").is_some());
        assert!(!cache.is_empty(), "the purged record's summary is left: rewrite");
        cache.save(&[kept]).unwrap();
        let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
        assert!(text.contains("kept record") && !text.contains("zorbluxqix"), "{text}");
        let mut cache = SummaryCache::load(d.path());
        assert!(cache.take("aa").is_some() && cache.is_empty(), "nothing else: no rewrite needed");
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temp file left");
    }

    /// A file that cannot be used (unreadable, or another build's) may hold anything: it is
    /// rewritten too.
    #[test]
    fn an_unusable_file_is_rewritten() {
        let d = tempfile::tempdir().unwrap();
        assert!(SummaryCache::load(d.path()).is_empty(), "no file: nothing to rewrite");
        let path = d.path().join(CACHE_DIR).join(SUMMARIES_FILE);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            br#"{"program":"incident-archive 0.0.1 old","summaries":{"bb":{"title":"x"}}}"#,
        )
        .unwrap();
        assert!(!SummaryCache::load(d.path()).is_empty());
        std::fs::write(&path, b"{\"program\": garbled").unwrap();
        assert!(!SummaryCache::load(d.path()).is_empty());
    }
}
