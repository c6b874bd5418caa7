//! The read side of the archive that `show` and `proof` use: a record's history (its state
//! folded from the ledger and every entry about it). Snapshots of every record, parsed, are the
//! `snapshot` module's, above the archive.

use serde::{Serialize, Serializer};

use super::error::ArchiveError;
use super::layout::Archive;
use super::ledger::{Entry, LedgerSignOff};
use super::merkle;
use super::state::RecordState;
use crate::record::values::is_safe_id;

/// A record's state and every ledger entry about it (for `show`).
#[derive(Debug, Clone, Serialize)]
pub struct RecordHistory {
    /// The record's state from the ledger (serialized as before: its ledger fields, and
    /// `incident` null, since a history does not parse the record).
    #[serde(serialize_with = "record_json")]
    pub record: RecordState,
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

/// A history's record as JSON: the fields the snapshot's record has, not parsed.
fn record_json<S: Serializer>(r: &RecordState, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Record<'a> {
        id: &'a str,
        object: &'a str,
        versions: &'a [super::state::VersionInfo],
        retain_until: chrono::NaiveDate,
        legal_hold: &'a Option<super::state::Hold>,
        purged: &'a Option<super::state::PurgeInfo>,
        last_seq: u64,
        incident: Option<()>,
        size: u64,
        sign_off: &'a LedgerSignOff,
        retention_years: u32,
    }
    Record {
        id: &r.id,
        object: &r.object,
        versions: &r.versions,
        retain_until: r.retain_until,
        legal_hold: &r.legal_hold,
        purged: &r.purged,
        last_seq: r.last_seq(),
        incident: None,
        size: r.size,
        sign_off: &r.sign_off,
        retention_years: r.retention_years,
    }
    .serialize(s)
}

impl Archive {
    /// A record's state and its ledger entries.
    pub fn history(&self, id: &str) -> Result<RecordHistory, ArchiveError> {
        if !is_safe_id(id) {
            return Err(ArchiveError::Invalid(format!(
                "`{}` is not a record id (`[A-Za-z0-9][A-Za-z0-9._-]{{0,63}}`)",
                id.chars().take(80).collect::<String>().escape_debug()
            )));
        }
        let (mut state, ledger) = self.load_state()?;
        let r = state.records.remove(id).ok_or_else(|| ArchiveError::UnknownRecord { id: id.to_string() })?;
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
            size: r.size,
            sign_off: r.sign_off.clone(),
            retention_years: r.retention_years,
            record: r,
            entries,
            root: hex::encode(merkle::root(&ledger.leaves())),
            ledger_len: ledger.lines.len() as u64,
        })
    }
}
