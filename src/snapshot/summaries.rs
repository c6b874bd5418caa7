//! `cache/summaries.json`: the [`Summary`] of each current record by the hash of its object,
//! so that a snapshot parses only the records it has not seen before. Each is written as the
//! record its summary stands for ([`crate::record::summary::AsIncident`]: an `Incident`'s JSON
//! with every other field empty), as it has always been.
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
use crate::record::Summary;
use crate::record::summary::AsIncident;

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
    entries: HashMap<String, Box<Summary>>,
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
            .and_then(|r| serde_json::from_reader::<_, File<String, HashMap<String, Box<Summary>>>>(r).ok())
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
    pub fn take(&mut self, sha: &str) -> Option<Box<Summary>> {
        self.entries.remove(sha)
    }

    /// Rewrites the file with the summaries of `records` (of whole ones too, read through
    /// [`crate::record::Summarized`]: nothing is copied), streamed to disk, then renamed into
    /// place. Not fsynced: after a crash the file is either a complete cache or fails to parse
    /// and is ignored, and either is correct. A failed write (a full disk) removes its temp
    /// file; a killed one leaves it to the next locked run (it sweeps `cache/`).
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
            if let Some(summary) = r.summary() {
                map.serialize_entry(&r.object, &AsIncident(summary))?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Content, Origin};

    fn record(object: &str, title: &str) -> ArchivedRecord {
        let incident =
            crate::record::Incident { id: object.into(), title: title.into(), ..Default::default() };
        ArchivedRecord { object: object.into(), content: incident.into(), ..Default::default() }
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

    /// The records of `tests/fixtures/summary-cache/records`, each parsed whole with its sidecar,
    /// in id order as a snapshot holds them.
    fn fixture_records(dir: &Path) -> Vec<ArchivedRecord> {
        let mut records: Vec<ArchivedRecord> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .map(|path| {
                let bytes = std::fs::read(&path).unwrap();
                let sidecar = crate::record::sidecar::read_sidecar(&path).unwrap();
                let sidecar = sidecar.as_ref().map(|(p, b)| (p.as_path(), &b[..]));
                let parsed = crate::record::parse_with_sidecar(&path, &bytes, sidecar);
                let incident = parsed
                    .incident
                    .filter(|_| parsed.diagnostics.iter().all(|d| d.level != crate::record::Level::Error));
                let incident = incident.unwrap_or_else(|| panic!("{} passes the gate", path.display()));
                ArchivedRecord {
                    id: incident.id.clone(),
                    object: crate::archive::sha256_hex(&bytes),
                    content: incident.into(),
                    ..Default::default()
                }
            })
            .collect();
        records.sort_by(|a, b| a.id.cmp(&b.id));
        records
    }

    /// A cache in the format the program wrote before a summary had a type of its own (when it
    /// was an `Incident` with its other fields emptied): `tests/fixtures/summary-cache/summaries.json`,
    /// made by `build` from the records beside it (made again when the summary gained the
    /// Business Impact bullets). This build reads every entry back (as if
    /// it had written the file: another build's is ignored by design), each the summary of its
    /// record, and writes the same bytes again, from the records parsed whole and from the
    /// summaries it took out.
    #[test]
    fn a_cache_written_before_is_read_back_and_written_again_byte_for_byte() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/summary-cache");
        let written = std::fs::read_to_string(fixture.join(SUMMARIES_FILE)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&written).unwrap();
        let before = written.replacen(value["program"].as_str().unwrap(), PROGRAM, 1);
        let records = fixture_records(&fixture.join("records"));
        assert_eq!(records.len(), value["summaries"].as_object().unwrap().len());

        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(CACHE_DIR).join(SUMMARIES_FILE);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &before).unwrap();
        let mut cache = SummaryCache::load(d.path());
        let summaries: Vec<Box<Summary>> = records
            .iter()
            .map(|r| cache.take(&r.object).unwrap_or_else(|| panic!("{}: a hit", r.id)))
            .collect();
        assert!(cache.is_empty(), "nothing else in it: no rewrite needed");
        for (r, s) in records.iter().zip(&summaries) {
            assert_eq!(s.as_ref(), &Summary::from(r.whole().unwrap()), "{}", r.id);
        }
        assert!(summaries.iter().any(|s| s.attestation.is_some() && s.start_precision.is_none()));
        assert!(summaries.iter().any(|s| s.start_precision.is_some() && s.severity_label.is_some()));

        SummaryCache::load(d.path()).save(&records).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "written again from whole records");
        let summarized: Vec<ArchivedRecord> = records
            .into_iter()
            .zip(summaries)
            .map(|(r, s)| ArchivedRecord { content: Content::Summary(s, Origin::Cache), ..r })
            .collect();
        std::fs::remove_file(&path).unwrap();
        SummaryCache::load(d.path()).save(&summarized).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "written again from summaries");
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
