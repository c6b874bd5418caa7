//! One record as a snapshot holds it: [`ArchivedRecord`], its state from the ledger and its
//! current version parsed.

use chrono::NaiveDate;
use serde::Serialize;

use crate::archive::{Hold, LedgerSignOff, PurgeInfo, VersionInfo};
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
    /// large archive does; [`super::Snapshot::full_incident`] parses the record again when
    /// needed.
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
