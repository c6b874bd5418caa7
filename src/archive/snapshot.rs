//! What the downstream stages get from the archive: a [`Snapshot`] of every record, each an
//! [`ArchivedRecord`] (its state from the ledger and its current version parsed), and how much
//! of the records a snapshot keeps whole in memory. The types only: building a snapshot is
//! [`super::read`]'s.

use chrono::NaiveDate;
use serde::Serialize;

use super::layout::Archive;
use super::ledger::LedgerSignOff;
use super::state::{Hold, PurgeInfo, VersionInfo};
use crate::record::Incident;

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
pub(crate) fn summaries_only(bytes: u64, budget: u64) -> bool {
    bytes.saturating_mul(PARSED_EXPANSION) > budget
}

/// The memory [`Archive::snapshot`] may give to whole parsed records; above it, it keeps their
/// summaries (about a tenth) and the pages and index documents that need more parse them again.
/// 256 MiB keeps every record whole up to about 12,000 records of the generated corpus's size.
pub const FULL_SNAPSHOT_BUDGET: u64 = 256 << 20;
