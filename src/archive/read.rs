//! The read side of the archive, used by `index`, `site`, `show` and the retention report:
//! snapshots (the ledger folded into records' states, each record's current version parsed, or
//! taken from what ingest has just parsed or from the summary cache) and a record's history.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::error::ArchiveError;
use super::layout::Archive;
use super::ledger::{self, Entry, LedgerSignOff};
use super::merkle;
use super::snapshot::{ArchivedRecord, FULL_SNAPSHOT_BUDGET, ParsedRecord, Snapshot, summaries_only};
use super::state;
use super::summaries;
use crate::record::values::is_safe_id;

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

impl Archive {
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
    /// hash; see [`crate::archive::IngestOptions::keep_parsed`]) instead of parsing them again. A record is
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
        let mut cache = summaries::SummaryCache::load(self.root());
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
