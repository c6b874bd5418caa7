//! Reading a snapshot: the ledger folded into records' states, and each record's current
//! version taken from what ingest has just parsed, from the summary cache, or parsed from its
//! verified object; whole while the archive fits in a memory budget, summarized beyond.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::record::{ArchivedRecord, Content, Origin};
use super::summaries::SummaryCache;
use crate::archive::ledger::LedgerFile;
use crate::archive::state::RecordState;
use crate::archive::{Archive, ArchiveError, merkle};
use crate::record::summary::summaries_only;
use crate::record::{Incident, Kept, Summary};

/// The memory [`Snapshot::read`] may give to whole parsed records by default; above it, it
/// keeps their summaries (about a tenth) and the pages and index documents that need more
/// parse them again. 256 MiB keeps every record whole up to about 12,000 records of the
/// generated corpus's size.
pub const FULL_SNAPSHOT_BUDGET: u64 = 256 << 20;

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

/// How [`Snapshot::read`] reads the records.
#[derive(Debug)]
pub struct SnapshotOptions {
    /// The memory whole parsed records may take (see [`FULL_SNAPSHOT_BUDGET`], the default):
    /// beyond it the snapshot keeps summaries. 0: summaries only; `u64::MAX`: every record
    /// whole unless its summary is cached.
    pub budget: u64,
    /// The records `ingest` has just parsed, by object hash ([`crate::archive::IngestReport`]'s
    /// `parsed`, kept with [`crate::archive::IngestOptions::keep_parsed`]): taken as they are
    /// instead of being parsed again.
    pub parsed: HashMap<String, Kept>,
    /// Which records are read.
    pub records: Records,
}

impl Default for SnapshotOptions {
    fn default() -> Self {
        SnapshotOptions { budget: FULL_SNAPSHOT_BUDGET, parsed: HashMap::new(), records: Records::Parsed }
    }
}

/// What a snapshot reads of each record besides its state in the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Records {
    /// Its current version, parsed (or taken from what ingest parsed, or from the cache).
    #[default]
    Parsed,
    /// Nothing: the ledger's view alone; no object is read and the cache is left as it is.
    LedgerOnly,
}

impl Snapshot {
    /// Reads the ledger and the current version of every record (in parallel). With
    /// [`Records::Parsed`] a record is taken, in this order, from `opts.parsed`, from the
    /// summary cache (`cache/summaries.json`), or parsed from its verified object; whole while
    /// the archive fits in `opts.budget`, else summarized. The cache is then brought up to date
    /// with every current record.
    pub fn read(archive: &Archive, opts: SnapshotOptions) -> Result<Snapshot, ArchiveError> {
        let (state, ledger) = archive.load_state()?;
        if opts.records == Records::LedgerOnly {
            let records = state.records.values().map(|r| archived(r, read(archive, r, Parse::No))).collect();
            return Ok(snapshot_of(archive, &ledger, records));
        }
        let mut parsed = opts.parsed;
        let summarize = summaries_only(state.live_bytes(), opts.budget);
        let mut cache = SummaryCache::load(archive.root());
        let records: Vec<(&RecordState, Option<(Kept, Origin)>)> = state
            .records
            .values()
            .map(|r| {
                let known = if r.purged.is_some() {
                    None
                } else if let Some(p) = parsed.remove(&r.object) {
                    Some((p, Origin::Parsed))
                } else {
                    // A summary is of the record's bytes and its sidecar's: one made with another
                    // sidecar (an earlier version of the same bytes) is not this version's.
                    let sidecar = r.attestation.as_ref().map(|a| &a.object);
                    cache
                        .take(&r.object)
                        .filter(|s| s.attestation.as_ref().map(|a| &a.sidecar) == sidecar)
                        .map(|s| (Kept::Summary(s), Origin::Cache))
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
                let known = known.filter(|(_, origin)| {
                    *origin != Origin::Cache || archive.object_size(&r.object) == Some(r.size)
                });
                let content = match known {
                    Some((Kept::Whole(i), _)) if summarize => {
                        Content::Summary(Box::new(Summary::from(*i)), Origin::Parsed)
                    }
                    Some((Kept::Whole(i), _)) => Content::Whole(i),
                    Some((Kept::Summary(s), origin)) => Content::Summary(s, origin),
                    None => read(archive, r, Parse::Yes { summarize }),
                };
                archived(r, content)
            })
            .collect();
        // Rewritten when a record was parsed (or ingested) by this run, or when the cache held
        // summaries of objects that are no longer current.
        let parsed_here = records.iter().any(|r| r.parsed_here().is_some());
        if (parsed_here || !cache.is_empty())
            && let Err(e) = cache.save(&records)
        {
            // A cache that cannot be written costs time at the next run, nothing else.
            eprintln!("warning: {e}");
        }
        Ok(snapshot_of(archive, &ledger, records))
    }

    /// A record's whole parsed incident: the snapshot's own, or, when the snapshot kept only
    /// its summary, parsed again from the archived object (read only if it still matches its
    /// hash). `None` for a purged record, or one whose object is missing or damaged.
    pub fn full_incident<'a>(&self, r: &'a ArchivedRecord) -> Option<std::borrow::Cow<'a, Incident>> {
        use std::borrow::Cow;
        match &r.content {
            Content::Whole(i) => Some(Cow::Borrowed(i)),
            Content::Summary(..) => {
                self.source.as_ref()?.parse_object(&r.object, r.sidecar()).ok().flatten().map(Cow::Owned)
            }
            _ => None,
        }
    }
}

/// The records of a snapshot, every one parsed whole, handed to `f` in id order, `chunk` at a
/// time, each chunk parsed in parallel; returns the root and the ledger length, like a
/// snapshot's.
///
/// Apart from [`Snapshot::read`] because it never holds a snapshot: each chunk is dropped once
/// `f` has seen it, so memory stays bounded by the chunk, not the archive (a parsed record
/// takes a few times its size), and there is no snapshot to return. It neither reads nor
/// writes the summary cache.
pub fn read_in_chunks<E: From<ArchiveError>>(
    archive: &Archive,
    chunk: usize,
    mut f: impl FnMut(Vec<ArchivedRecord>) -> Result<(), E>,
) -> Result<(String, u64), E> {
    let (state, ledger) = archive.load_state()?;
    let records: Vec<&RecordState> = state.records.values().collect();
    for part in records.chunks(chunk.max(1)) {
        f(part.par_iter().map(|r| archived(r, read(archive, r, Parse::Yes { summarize: false }))).collect())?;
    }
    Ok((hex::encode(merkle::root(&ledger.leaves())), ledger.lines.len() as u64))
}

fn snapshot_of(archive: &Archive, ledger: &LedgerFile, records: Vec<ArchivedRecord>) -> Snapshot {
    Snapshot {
        root: hex::encode(merkle::root(&ledger.leaves())),
        ledger_len: ledger.lines.len() as u64,
        records,
        source: Some(archive.clone()),
    }
}

/// Whether [`read`] parses a record's current version, and what of it it keeps.
#[derive(Clone, Copy)]
enum Parse {
    No,
    /// Parsed from its verified object, kept whole or only its summary.
    Yes {
        summarize: bool,
    },
}

/// What there is of a record's current version: its disposal when purged, else, with
/// [`Parse::Yes`], the version parsed from its verified object (or why it cannot be read).
fn read(archive: &Archive, r: &RecordState, parse: Parse) -> Content {
    if let Some(p) = &r.purged {
        return Content::Purged(p.clone());
    }
    let Parse::Yes { summarize } = parse else { return Content::Nothing };
    match archive.parse_object(&r.object, r.attestation.as_ref().map(|a| a.object.as_str())) {
        Ok(Some(incident)) if summarize => {
            Content::Summary(Box::new(Summary::from(incident)), Origin::Parsed)
        }
        Ok(Some(incident)) => Content::from(incident),
        Ok(None) => Content::Nothing,
        Err(e) => Content::Unreadable(e.to_string()),
    }
}

/// A record's state with `content`.
fn archived(r: &RecordState, content: Content) -> ArchivedRecord {
    ArchivedRecord {
        id: r.id.clone(),
        object: r.object.clone(),
        versions: r.versions.clone(),
        retain_until: r.retain_until,
        legal_hold: r.legal_hold.clone(),
        last_seq: r.last_seq(),
        size: r.size,
        sign_off: r.sign_off.clone(),
        retention_years: r.retention_years,
        content,
    }
}
