//! The content-addressed, tamper-evident archive: objects, ledger, Merkle root, retention, lock, verify.
//!
//! ```text
//! archive/
//!   archive.json      {"format": 1, "hash": "sha256"}; an unknown format is refused
//!   objects/ab/cdef…  a record's exact bytes, named by their SHA-256; read-only
//!   ledger.jsonl      append-only, one canonical JSON entry a line, hash-chained
//!   checkpoint.json   the committed ledger size and Merkle root
//!   pending.json      only while a write is in progress (or after one was killed)
//!   .lock             the OS lock: one writer at a time
//! ```
//!
//! Read side used by `index` and `site`: [`Archive::open`] then [`Archive::snapshot`].
//! Write side: [`Archive::create`], [`Archive::lock`], then [`ingest()`],
//! [`retention::hold`], [`retention::release`], [`retention::purge`]; check with [`verify()`].

pub mod clock;
pub mod ingest;
pub mod journal;
pub mod ledger;
pub mod lock;
pub mod merkle;
pub mod objects;
pub mod proof;
pub mod retention;
mod session;
pub mod state;
pub mod summaries;
pub mod verify;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::record::Incident;

pub use ingest::{IngestOptions, IngestReport, ingest};
pub use ledger::{Action, Entry, LedgerSignOff};
pub use lock::{LockGuard, SharedGuard};
pub use objects::sha256_hex;
pub use proof::InclusionProof;
pub use retention::{PurgeOptions, PurgeReport, RetentionReport};
pub use verify::{Facts, Problem, ProblemKind, VerifyReport, verify, verify_knowing, verify_root};

/// The format this build reads and writes.
pub const FORMAT: u32 = 1;
/// `archive.json`.
pub const FORMAT_FILE: &str = "archive.json";
/// `ledger.jsonl`.
pub const LEDGER_FILE: &str = "ledger.jsonl";
/// `checkpoint.json`.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
/// `pending.json`.
pub const PENDING_FILE: &str = "pending.json";
/// `.lock`.
pub const LOCK_FILE: &str = ".lock";
/// `objects/`.
pub const OBJECTS_DIR: &str = "objects";

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

/// The sign-off gate's safe id form, checked again on everything read from the ledger.
pub use crate::record::values::is_safe_id;

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
    /// The sign-off sidecar archived with this version, when its sign-off was attested on import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<ledger::LedgerObject>,
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

impl PurgeInfo {
    /// What stands where a purged record's title was: `(disposed of: content purged on DATE)`.
    pub fn disposal_note(&self) -> String {
        format!("(disposed of: content purged on {})", self.at.date_naive())
    }
}

/// The current state of one record id, derived from the ledger.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArchivedRecord {
    pub id: String,
    /// The current (latest) version's object hash.
    pub object: String,
    pub versions: Vec<VersionInfo>,
    pub retain_until: NaiveDate,
    pub legal_hold: Option<Hold>,
    pub purged: Option<PurgeInfo>,
    /// The highest ledger `seq` of any entry about this id (ingest, new version, hold, release,
    /// purge): what an incremental index or site compares with the position it last saw.
    pub last_seq: u64,
    /// The current version parsed (whole, or only its summary when `summarized`); `None` once
    /// purged. Also `None`, with `purged` `None` and `error` set, when the object is missing or
    /// no longer matches its hash: the snapshot never hands on bytes that are not the archived
    /// ones (`verify` names the problem). A summary from the cache stands for an object that is
    /// still there at its recorded size; `verify` re-hashes it.
    pub incident: Option<Incident>,
    /// Size of the current object in bytes.
    pub size: u64,
    /// The sign-off as the ledger records it.
    pub sign_off: LedgerSignOff,
    /// The retention period applied, in years.
    pub retention_years: u32,
    /// Why `incident` is `None` for a record that was not purged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// True when `incident` keeps only its summary ([`Incident::summarize`]): the snapshot of a
    /// large archive does; [`Snapshot::full_incident`] parses the record again when needed.
    #[serde(skip)]
    pub summarized: bool,
    /// True when `incident` came from the summary cache rather than from bytes read (or
    /// ingested) by this process.
    #[serde(skip)]
    pub cached: bool,
}

impl ArchivedRecord {
    /// The current version's title, from the parsed record: `None` once purged (nothing of a
    /// disposed-of record's text is shown, and the ledger keeps no title) and when the object
    /// could not be read. Never from the ledger, whose entries written before this version
    /// still carry one.
    pub fn title(&self) -> Option<&str> {
        self.incident.as_ref().map(|i| i.title.as_str())
    }

    /// The object of the current version's sign-off sidecar, when it was attested on import.
    pub fn sidecar(&self) -> Option<&str> {
        self.versions.last()?.attestation.as_ref().map(|a| a.object.as_str())
    }
}

/// Everything downstream stages need, read once: records sorted by id.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// RFC 6962 Merkle tree hash over the ledger entries, hex.
    pub root: String,
    /// Number of ledger entries (the next `seq`).
    pub ledger_len: u64,
    pub records: Vec<ArchivedRecord>,
    /// The archive the records were read from, for [`Snapshot::full_incident`]; `None` for a
    /// snapshot made by hand (whose records are then never summarized).
    #[serde(skip)]
    pub source: Option<Archive>,
}

impl Snapshot {
    /// A record's whole parsed incident: the snapshot's own, or, when the snapshot kept only
    /// its summary, parsed again from the archived object (read only if it still matches its
    /// hash). `None` for a purged record, or one whose object is missing or damaged.
    pub fn full_incident<'a>(&self, r: &'a ArchivedRecord) -> Option<std::borrow::Cow<'a, Incident>> {
        use std::borrow::Cow;
        let inc = r.incident.as_ref()?;
        if !r.summarized {
            return Some(Cow::Borrowed(inc));
        }
        self.source.as_ref()?.parse_object(&r.object, r.sidecar()).ok().flatten().map(Cow::Owned)
    }
}

/// A record parsed by `ingest`, handed to the snapshot that follows it.
#[derive(Debug, Clone)]
pub struct ParsedRecord {
    pub incident: Incident,
    /// True when `incident` is only its summary ([`Incident::summarize`]).
    pub summarized: bool,
}

/// Parsed records take about four times their size in memory (measured on generated records:
/// 21 KB for 5.6 KB of Markdown).
const PARSED_EXPANSION: u64 = 4;

/// True when records of `bytes` in all, parsed whole, would not fit in `budget`: keep summaries.
fn summaries_only(bytes: u64, budget: u64) -> bool {
    bytes.saturating_mul(PARSED_EXPANSION) > budget
}

/// The memory [`Archive::snapshot`] may give to whole parsed records; above it, it keeps their
/// summaries (about a tenth) and the pages and index documents that need more parse them again.
/// 256 MiB keeps every record whole up to about 12,000 records of the generated corpus's size.
pub const FULL_SNAPSHOT_BUDGET: u64 = 256 << 20;

/// A record's state and every ledger entry about it (for `show`).
#[derive(Debug, Clone, Serialize)]
pub struct RecordHistory {
    /// The record, not parsed (`incident` is `None`).
    pub record: ArchivedRecord,
    /// Size of the latest version in bytes.
    pub size: u64,
    /// The sign-off of the latest version, as the ledger records it.
    pub sign_off: LedgerSignOff,
    /// The retention period applied, in years.
    pub retention_years: u32,
    /// Every entry about the record, in ledger order; a purged record's without the `title`
    /// that entries written before this version carry (its text is not shown again).
    pub entries: Vec<Entry>,
    pub root: String,
    pub ledger_len: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct FormatFile {
    format: serde_json::Value,
    hash: serde_json::Value,
}

impl Archive {
    /// Opens an existing archive for reading; refuses an unknown format.
    pub fn open(root: &Path) -> Result<Archive, ArchiveError> {
        let path = root.join(FORMAT_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ArchiveError::NoArchive { path: root.to_path_buf() });
            }
            Err(source) => return Err(ArchiveError::Io { path, source }),
        };
        let found = match serde_json::from_slice::<FormatFile>(&bytes) {
            Ok(f) if f.format == serde_json::json!(FORMAT) && f.hash == "sha256" => {
                return Ok(Archive { root: root.to_path_buf() });
            }
            Ok(f) => format!("{} ({})", f.format, f.hash),
            Err(e) => format!("unreadable: {e}"),
        };
        Err(ArchiveError::UnknownFormat { path, found })
    }

    /// Opens the archive at `root`, creating an empty one (folder, `archive.json`, empty
    /// ledger and checkpoint) when there is none. Other files in the folder are left alone.
    pub fn create(root: &Path) -> Result<Archive, ArchiveError> {
        match Archive::open(root) {
            Err(ArchiveError::NoArchive { .. }) => {}
            other => return other,
        }
        std::fs::create_dir_all(root).map_err(io(root))?;
        let _lock = lock::lock_raw(root)?;
        match Archive::open(root) {
            Err(ArchiveError::NoArchive { .. }) => {}
            other => return other,
        }
        let a = Archive { root: root.to_path_buf() };
        let ledger = a.ledger_path();
        if std::fs::metadata(&ledger).is_ok_and(|m| m.len() > 0) {
            return Err(ArchiveError::Invalid(format!(
                "{}: `{FORMAT_FILE}` is missing but the ledger has entries; refusing to start a new archive over it",
                root.display()
            )));
        }
        match std::fs::create_dir(a.objects_dir()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(ArchiveError::Io { path: a.objects_dir(), source: e }),
        }
        crate::fsx::write_atomic(&ledger, b"")?;
        journal::Checkpoint { size: 0, root: hex::encode(merkle::empty_root()), ledger_bytes: 0 }
            .write(&a.checkpoint_path())?;
        crate::fsx::write_atomic(&a.format_path(), b"{\"format\":1,\"hash\":\"sha256\"}\n")?;
        Archive::open(root)
    }

    /// The archive's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `archive.json`.
    pub fn format_path(&self) -> PathBuf {
        self.root.join(FORMAT_FILE)
    }

    /// `ledger.jsonl`.
    pub fn ledger_path(&self) -> PathBuf {
        self.root.join(LEDGER_FILE)
    }

    /// `checkpoint.json`.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.root.join(CHECKPOINT_FILE)
    }

    /// `pending.json`.
    pub fn pending_path(&self) -> PathBuf {
        self.root.join(PENDING_FILE)
    }

    /// `.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.root.join(LOCK_FILE)
    }

    /// `objects/`.
    pub fn objects_dir(&self) -> PathBuf {
        self.root.join(OBJECTS_DIR)
    }

    /// The object store.
    pub fn store(&self) -> objects::ObjectStore {
        objects::ObjectStore::new(self.objects_dir())
    }

    /// The path of an object (the hash is validated: no name can reach outside the store).
    pub fn object_path(&self, sha256: &str) -> Result<PathBuf, ArchiveError> {
        self.store().path(sha256)
    }

    /// The exact bytes of an object.
    pub fn read_object(&self, sha256: &str) -> Result<Vec<u8>, ArchiveError> {
        self.store().read(sha256)
    }

    /// The ledger's committed lines and the state folded from them (rule violations are
    /// `verify`'s business; readers take the ledger as it is).
    pub fn load_state(&self) -> Result<(state::State, ledger::LedgerFile), ArchiveError> {
        let ledger = ledger::LedgerFile::read(&self.ledger_path())?;
        let state = state::State::from_entries(ledger.lines.iter().filter_map(|l| l.entry.as_ref().ok()));
        Ok((state, ledger))
    }

    /// Reads the ledger and parses the current version of every record (in parallel), keeping
    /// whole records while they fit in [`FULL_SNAPSHOT_BUDGET`], their summaries otherwise.
    pub fn snapshot(&self) -> Result<Snapshot, ArchiveError> {
        self.snapshot_within(FULL_SNAPSHOT_BUDGET)
    }

    /// Like [`Archive::snapshot`] with another memory budget for whole records (0: summaries
    /// only; `u64::MAX`: every record whole unless its summary is cached).
    pub fn snapshot_within(&self, budget: u64) -> Result<Snapshot, ArchiveError> {
        self.snapshot_reusing(budget, HashMap::new())
    }

    /// Like [`Archive::snapshot_within`], taking the records `ingest` has just parsed (by object
    /// hash; see [`IngestOptions::keep_parsed`]) instead of parsing them again. A record is
    /// taken, in this order, from `parsed`, from the summary cache (`cache/summaries.json`), or
    /// parsed from its verified object; whole while the archive fits in `budget`, else
    /// summarized. The cache is then brought up to date with every current record.
    pub fn snapshot_reusing(
        &self,
        budget: u64,
        mut parsed: HashMap<String, ParsedRecord>,
    ) -> Result<Snapshot, ArchiveError> {
        let (state, ledger) = self.load_state()?;
        let summarize = summaries_only(state.live_bytes(), budget);
        let mut cache = summaries::SummaryCache::load(&self.root);
        let records: Vec<(&state::RecordState, Option<(ParsedRecord, bool)>)> = state
            .records
            .values()
            .map(|r| {
                let known = if r.purged.is_some() {
                    None
                } else if let Some(p) = parsed.remove(&r.object) {
                    Some((p, false))
                } else {
                    // A summary is of the record's bytes and its sidecar's: one made with another
                    // sidecar (an earlier version of the same bytes) is not this version's.
                    let sidecar = r.attestation.as_ref().map(|a| &a.object);
                    cache
                        .take(&r.object)
                        .filter(|s| s.attestation.as_ref().map(|a| &a.sidecar) == sidecar)
                        .map(|s| (ParsedRecord { incident: s, summarized: true }, true))
                };
                (r, known)
            })
            .collect();
        let records: Vec<ArchivedRecord> = records
            .into_par_iter()
            .map(|(r, known)| {
                // A cached summary stands for an object that is still there at its size; a
                // missing or truncated object is read, so that the record carries the error.
                // (What ingest hands over was read and written by this run.)
                let known =
                    known.filter(|(_, cached)| !cached || self.object_size(&r.object) == Some(r.size));
                let mut rec = self.archived(r, known.is_none());
                if let Some((p, cached)) = known {
                    rec.incident = Some(p.incident);
                    rec.summarized = p.summarized;
                    rec.cached = cached;
                }
                if summarize
                    && !rec.summarized
                    && let Some(inc) = rec.incident.as_mut()
                {
                    inc.summarize();
                    rec.summarized = true;
                }
                rec
            })
            .collect();
        // Rewritten when a record was parsed (or ingested) by this run, or when the cache held
        // summaries of objects that are no longer current.
        let parsed_here = records.iter().any(|r| r.incident.is_some() && !r.cached);
        if (parsed_here || !cache.is_empty())
            && let Err(e) = cache.save(&records)
        {
            // A cache that cannot be written costs time at the next run, nothing else.
            eprintln!("warning: {e}");
        }
        Ok(self.snapshot_of(&ledger, records))
    }

    /// Like [`Archive::snapshot`] but without reading or parsing any record (`incident` is
    /// `None`): the ledger's view alone.
    pub fn ledger_snapshot(&self) -> Result<Snapshot, ArchiveError> {
        let (state, ledger) = self.load_state()?;
        let records = state.records.values().map(|r| self.archived(r, false)).collect();
        Ok(self.snapshot_of(&ledger, records))
    }

    fn snapshot_of(&self, ledger: &ledger::LedgerFile, records: Vec<ArchivedRecord>) -> Snapshot {
        Snapshot {
            root: hex::encode(merkle::root(&ledger.leaves())),
            ledger_len: ledger.lines.len() as u64,
            records,
            source: Some(self.clone()),
        }
    }

    /// The records of [`Archive::snapshot`], handed to `f` in id order, `chunk` at a time, each
    /// chunk parsed in parallel: memory stays bounded by the chunk, not the archive (a parsed
    /// record takes a few times its size). Returns the root and the ledger length, like the
    /// snapshot's.
    pub fn snapshot_chunks<E: From<ArchiveError>>(
        &self,
        chunk: usize,
        mut f: impl FnMut(Vec<ArchivedRecord>) -> Result<(), E>,
    ) -> Result<(String, u64), E> {
        let (state, ledger) = self.load_state()?;
        let records: Vec<&state::RecordState> = state.records.values().collect();
        for part in records.chunks(chunk.max(1)) {
            f(part.par_iter().map(|r| self.archived(r, true)).collect())?;
        }
        Ok((hex::encode(merkle::root(&ledger.leaves())), ledger.lines.len() as u64))
    }

    fn archived(&self, r: &state::RecordState, parse: bool) -> ArchivedRecord {
        let mut incident = None;
        let mut error = None;
        if parse && r.purged.is_none() {
            match self.parse_object(&r.object, r.attestation.as_ref().map(|a| a.object.as_str())) {
                Ok(parsed) => incident = parsed,
                Err(e) => error = Some(e),
            }
        }
        ArchivedRecord {
            id: r.id.clone(),
            object: r.object.clone(),
            versions: r.versions.clone(),
            retain_until: r.retain_until,
            legal_hold: r.legal_hold.clone(),
            purged: r.purged.clone(),
            last_seq: r.last_seq(),
            incident,
            size: r.size,
            sign_off: r.sign_off.clone(),
            retention_years: r.retention_years,
            error,
            summarized: false,
            cached: false,
        }
    }

    /// Object `sha` parsed with its sign-off sidecar's object, when it has one; each read only
    /// if it still hashes to its name (`None`: not a record).
    pub fn parse_object(&self, sha: &str, sidecar: Option<&str>) -> Result<Option<Incident>, String> {
        let (path, bytes) = self.read_verified(sha)?;
        let sidecar = sidecar.map(|s| self.read_verified(s)).transpose()?;
        let sidecar = sidecar.as_ref().map(|(p, b)| (p.as_path(), &b[..]));
        Ok(crate::record::parse_with_sidecar(&path, &bytes, sidecar).incident)
    }

    /// The size of object `sha` on disk, `None` when it is not there.
    fn object_size(&self, sha: &str) -> Option<u64> {
        self.object_path(sha).ok().and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len())
    }

    /// An object's bytes, only if they still hash to its name.
    pub fn read_verified(&self, sha256: &str) -> Result<(PathBuf, Vec<u8>), String> {
        let path = self.object_path(sha256).map_err(|e| e.to_string())?;
        let bytes = std::fs::read(&path).map_err(|e| format!("object `{sha256}` cannot be read: {e}"))?;
        if sha256_hex(&bytes) != sha256 {
            return Err(format!("object `{sha256}` does not match its hash; run `incident-archive verify`"));
        }
        Ok((path, bytes))
    }

    /// A record's state and its ledger entries.
    pub fn history(&self, id: &str) -> Result<RecordHistory, ArchiveError> {
        if !is_safe_id(id) {
            return Err(ArchiveError::Invalid(format!(
                "`{}` is not a record id (`[A-Za-z0-9][A-Za-z0-9._-]{{0,63}}`)",
                id.chars().take(80).collect::<String>().escape_debug()
            )));
        }
        let (state, ledger) = self.load_state()?;
        let r = state.records.get(id).ok_or_else(|| ArchiveError::UnknownRecord { id: id.to_string() })?;
        let entries = r
            .seqs
            .iter()
            .filter_map(|s| ledger.lines.get(*s as usize).and_then(|l| l.entry.as_ref().ok()).cloned())
            .map(|mut e: Entry| {
                if r.purged.is_some() {
                    e.title = None;
                }
                e
            })
            .collect();
        Ok(RecordHistory {
            record: self.archived(r, false),
            size: r.size,
            sign_off: r.sign_off.clone(),
            retention_years: r.retention_years,
            entries,
            root: hex::encode(merkle::root(&ledger.leaves())),
            ledger_len: ledger.lines.len() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_ids() {
        for ok in ["INC-2025-0023", "a", "A.b_c-d", &"x".repeat(64)] {
            assert!(is_safe_id(ok), "{ok}");
        }
        for bad in [
            "",
            "../x",
            "/abs",
            "a/b",
            "a\0b",
            ".hidden",
            "-x",
            "a b",
            "é",
            &"x".repeat(65),
            &"x".repeat(300),
        ] {
            assert!(!is_safe_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn unknown_formats_are_refused() {
        let d = tempfile::tempdir().unwrap();
        assert!(matches!(Archive::open(d.path()), Err(ArchiveError::NoArchive { .. })));
        let a = Archive::create(d.path()).unwrap();
        assert!(Archive::open(a.root()).is_ok());
        for bad in [r#"{"format":2,"hash":"sha256"}"#, r#"{"format":1,"hash":"blake3"}"#, "not json"] {
            std::fs::write(d.path().join(FORMAT_FILE), bad).unwrap();
            assert!(matches!(Archive::open(d.path()), Err(ArchiveError::UnknownFormat { .. })), "{bad}");
        }
    }
}
