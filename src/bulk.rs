//! The search export for engines other than ours: the index documents of the archive's
//! current records as OpenSearch / Elasticsearch `_bulk` NDJSON, or as plain NDJSON for
//! `quickwit index ingest`, one file per range of ledger entries, so that an organisation that
//! outgrows one machine's search feeds OpenSearch or Quickwit from the archive, incrementally.
//!
//! A document holds what the tantivy index holds of a record (built by
//! [`crate::index::document::build`], the index's own code, then read back field by field: no field
//! is extracted twice) and what proves it against the archive: the version number, the
//! object's SHA-256, the ledger sequence of the entry that made this state current, the
//! retain-until date and the legal hold. Its `_id` is the record id: one document per current
//! record. A purged record is a delete, never a document: an export written after a purge holds
//! nothing of its text.
//!
//! Like [`crate::evidence`], it sits above the index and reads the archive itself rather than
//! a [`crate::snapshot::Snapshot`]: it needs the committed ledger only (`checkpoint.json`'s
//! prefix, read under the archive's shared lock, so no writer changes it meanwhile), and of an
//! incremental export only the records changed since, parsed from their verified objects as
//! the snapshot parses them; a snapshot would parse every record and rewrite the summary
//! cache. The same archive and options give the same bytes (records in id order, fields in
//! [`FIELDS`] order).

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;
use tantivy::schema::Value as _;

use crate::archive::journal::Checkpoint;
use crate::archive::ledger::LedgerFile;
use crate::archive::state::{RecordState, State};
use crate::archive::{Archive, ArchiveError, merkle};
use crate::fsx;
use crate::index::document;
use crate::index::schema::Fields;

/// Errors of the search export.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// Writing a file of the export.
    #[error(transparent)]
    Fs(#[from] fsx::Error),
    /// The ledger and its checkpoint disagree (`verify` says more).
    #[error("the archive is inconsistent: {0}")]
    Inconsistent(String),
    /// `--since-seq` names an entry the committed ledger does not have.
    #[error("`--since-seq {since}` is past the archive's last committed ledger entry ({last})")]
    PastEnd { since: u64, last: String },
    /// A current record whose object cannot be read: the export would miss it.
    #[error("record `{id}` cannot be exported: {reason} (run `incident-archive verify`)")]
    Unreadable { id: String, reason: String },
    /// An index name OpenSearch refuses.
    #[error(
        "`{0}` is not an index name: lowercase letters, digits, `-` and `_`, starting with a letter or a digit, at most 255 bytes"
    )]
    IndexName(String),
    /// The output is not a folder.
    #[error("`{}` is not a folder", .0.display())]
    NotAFolder(PathBuf),
}

/// The two formats of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OpenSearch / Elasticsearch `_bulk`: an action line (`index` or `delete`, `_id` the record
    /// id, external versioning by ledger sequence) before each document.
    OpenSearch,
    /// One document a line, for `quickwit index ingest`; deletes as Quickwit delete tasks in a
    /// file of their own.
    Ndjson,
}

/// What to export.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    pub format: Format,
    /// Only the changes of ledger entries after this `seq`; `None`: every current record.
    pub since_seq: Option<u64>,
    /// The OpenSearch index the action lines name.
    pub index: String,
}

/// The index the export names when not told otherwise.
pub const DEFAULT_INDEX: &str = "incidents";

/// What a document field is, for the mappings shipped in `contrib/` (OpenSearch, Quickwit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Prose, analyzed like the index's `en` (words, lowercased, Snowball English stems).
    Text,
    /// One value as written (ids, labels, hashes, names for facets).
    Keyword,
    /// Kept for display, not searched (the result list's passage).
    Stored,
    /// A timestamp, RFC 3339 in UTC.
    Date,
    /// A non-negative integer.
    Integer,
    Boolean,
}

/// A field of an exported document.
#[derive(Debug, Clone, Copy)]
pub struct DocField {
    pub name: &'static str,
    pub kind: Kind,
    /// Holds a list (possibly empty) rather than one value (or null).
    pub many: bool,
    /// Taken from the tantivy document the index builds (else from the ledger's state).
    pub indexed: bool,
}

const fn f(name: &'static str, kind: Kind, many: bool, indexed: bool) -> DocField {
    DocField { name, kind, many, indexed }
}

/// Every field of an exported document, in the order each document has them. Every field of
/// the tantivy schema but `key` (the id again, for the index's own updates) is here, taken
/// from the document the index builds; the others come from the ledger.
pub const FIELDS: &[DocField] = &[
    f("id", Kind::Keyword, false, true),
    f("version", Kind::Integer, false, false),
    f("object", Kind::Keyword, false, false),
    f("version_seq", Kind::Integer, false, false),
    f("ledger_seq", Kind::Integer, false, false),
    f("retain_until", Kind::Date, false, false),
    f("legal_hold", Kind::Boolean, false, false),
    f("legal_hold_reason", Kind::Keyword, false, false),
    f("title", Kind::Text, false, true),
    f("severity", Kind::Keyword, false, true),
    f("status", Kind::Keyword, false, true),
    f("started", Kind::Date, false, true),
    f("signed_off", Kind::Date, false, true),
    f("year", Kind::Keyword, false, true),
    f("customer_name", Kind::Keyword, true, true),
    f("owner_name", Kind::Keyword, true, true),
    f("summary", Kind::Stored, false, true),
    f("text", Kind::Text, false, true),
    f("root_cause", Kind::Text, false, true),
    f("factors", Kind::Text, true, true),
    f("detection", Kind::Text, false, true),
    f("impact", Kind::Text, false, true),
    f("timeline", Kind::Text, true, true),
    f("resolution", Kind::Text, true, true),
    f("lessons", Kind::Text, true, true),
    f("went_well", Kind::Text, true, true),
    f("to_improve", Kind::Text, true, true),
    f("actions", Kind::Text, true, true),
    f("customer", Kind::Text, true, true),
    f("owner", Kind::Text, true, true),
];

/// The tantivy fields the export leaves out: `key` is the id again.
pub const NOT_EXPORTED: &[&str] = &["key"];

/// One file of an export: its name in the output folder and its bytes.
#[derive(Debug, Clone)]
pub struct BulkFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// An export made, not yet written.
#[derive(Debug, Clone)]
pub struct BulkExport {
    /// The ledger range it covers: the changes of entries `first..=last`.
    pub first: u64,
    pub last: u64,
    /// The committed ledger's Merkle root (of entries `0..=last`), hex.
    pub root: String,
    /// Documents (current records indexed anew).
    pub documents: usize,
    /// Purged records deleted.
    pub purges: usize,
    /// Quickwit delete tasks for documents that a new document of this export replaces
    /// ([`Format::Ndjson`] of an incremental export only; OpenSearch replaces by `_id`).
    pub replaced: usize,
    pub files: Vec<BulkFile>,
    /// Every record of the committed ledger purged so far, sorted: earlier export files in the
    /// output folder lose their documents when written ([`BulkExport::write`]).
    pub purged: Vec<String>,
}

/// What [`BulkExport::write`] did.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// The files of this export.
    pub files: Vec<PathBuf>,
    /// Earlier export files of the folder rewritten without the documents of records purged
    /// since they were written, with how many documents each lost.
    pub scrubbed: Vec<(PathBuf, usize)>,
}

/// The answer of [`export`]: an export, or why there is nothing to write.
#[derive(Debug, Clone)]
pub enum Exported {
    Some(BulkExport),
    /// No ledger entry after `since` (`None`: the archive has no committed entry).
    NothingNew {
        since: Option<u64>,
        ledger_len: u64,
    },
}

/// Makes the export of `archive` described by `opts`: the changes of the committed ledger's
/// entries after `opts.since_seq` (all of them without it), in id order: a record whose
/// latest entry is in the range becomes its current document (a new version replaces the
/// earlier document, a hold or a release updates `legal_hold`), or a delete once purged.
/// Holds the archive's shared lock while it reads.
pub fn export(archive: &Archive, opts: &BulkOptions) -> Result<Exported, BulkError> {
    check_index_name(&opts.index)?;
    let _guard = archive.lock_shared()?;
    let (ledger, size, root) = committed(archive)?;
    if let Some(since) = opts.since_seq
        && since >= size
    {
        let last = size.checked_sub(1).map_or_else(|| "none".to_string(), |l| l.to_string());
        return Err(BulkError::PastEnd { since, last });
    }
    let first = opts.since_seq.map_or(0, |s| s + 1);
    if first >= size {
        return Ok(Exported::NothingNew { since: opts.since_seq, ledger_len: size });
    }
    let entries = ledger.lines[..size as usize].iter().filter_map(|l| l.entry.as_ref().ok());
    let state = State::from_entries(entries);
    let changed: Vec<&RecordState> = state.records.values().filter(|r| r.last_seq() >= first).collect();
    let fields = Fields::new();
    let mut out = Writer::new(opts, first);
    // Parsed a chunk at a time, in parallel, so that memory holds one chunk of records.
    for chunk in changed.chunks(256) {
        let docs = chunk
            .par_iter()
            .map(|r| if r.purged.is_some() { Ok(None) } else { source(archive, &fields, r).map(Some) })
            .collect::<Result<Vec<Option<Source>>, BulkError>>()?;
        for (r, doc) in chunk.iter().zip(docs) {
            out.record(r, doc.as_ref());
        }
    }
    let mut export = out.finish(first, size - 1, root);
    export.purged = state.records.values().filter(|r| r.purged.is_some()).map(|r| r.id.clone()).collect();
    Ok(Exported::Some(export))
}

impl BulkExport {
    /// Writes the files into `dir` (created when missing), each atomically. Then, when records
    /// have been purged, rewrites (atomically) each earlier export file of `dir`
    /// (`search-*.ndjson`) that still holds a document of one of them without it, so that no
    /// file of the folder keeps a purged record's text.
    pub fn write(&self, dir: &Path) -> Result<Written, BulkError> {
        if dir.exists() && !dir.is_dir() {
            return Err(BulkError::NotAFolder(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(fsx::io(dir))?;
        let mut written = Written::default();
        for f in &self.files {
            let path = dir.join(&f.name);
            fsx::write_atomic(&path, &f.bytes)?;
            written.files.push(path);
        }
        if self.purged.is_empty() {
            return Ok(written);
        }
        let earlier = fsx::find_matching(dir, |name| {
            name.to_str().is_some_and(|n| {
                n.starts_with("search-")
                    && n.ends_with(".ndjson")
                    && !n.ends_with(".deletes.ndjson")
                    && !self.files.iter().any(|f| f.name == n)
            })
        })?;
        for path in earlier {
            let text = std::fs::read(&path).map_err(fsx::io(&path))?;
            if let Some((kept, dropped)) = without_documents_of(&text, &self.purged) {
                fsx::write_atomic(&path, &kept)?;
                written.scrubbed.push((path, dropped));
            }
        }
        written.scrubbed.sort();
        Ok(written)
    }
}

/// The lines of an export file without the documents of `purged` (sorted ids): a document
/// line (`{"id":"…",`) goes, and in a `_bulk` file the `index` action line before it too.
/// `None` when there is none to drop.
fn without_documents_of(text: &[u8], purged: &[String]) -> Option<(Vec<u8>, usize)> {
    let id_of = |line: &[u8]| -> Option<String> {
        let rest = line.strip_prefix(b"{\"id\":\"")?;
        let end = rest.iter().position(|&b| b == b'"')?;
        Some(String::from_utf8_lossy(&rest[..end]).into_owned())
    };
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let mut drop = vec![false; lines.len()];
    let mut dropped = 0;
    for (i, line) in lines.iter().enumerate() {
        if id_of(line).is_some_and(|id| purged.binary_search(&id).is_ok()) {
            drop[i] = true;
            dropped += 1;
            if i > 0 && lines[i - 1].starts_with(b"{\"index\":") {
                drop[i - 1] = true;
            }
        }
    }
    if dropped == 0 {
        return None;
    }
    let kept = lines.iter().zip(&drop).filter(|(_, d)| !**d).flat_map(|(l, _)| l.iter().copied()).collect();
    Some((kept, dropped))
}

/// The committed ledger, its size and its root (`checkpoint.json`'s, checked against the
/// ledger's lines).
fn committed(archive: &Archive) -> Result<(LedgerFile, u64, String), BulkError> {
    let ledger = LedgerFile::read(&archive.ledger_path())?;
    let cp = Checkpoint::read(&archive.checkpoint_path())
        .map_err(|e| BulkError::Inconsistent(format!("`checkpoint.json` is unreadable: {e}")))?;
    let Some(cp) = cp else {
        if ledger.lines.is_empty() {
            return Ok((ledger, 0, hex::encode(merkle::empty_root())));
        }
        return Err(BulkError::Inconsistent(
            "the ledger has entries but `checkpoint.json` is missing".into(),
        ));
    };
    let size = usize::try_from(cp.size).unwrap_or(usize::MAX);
    if size > ledger.lines.len() {
        return Err(BulkError::Inconsistent(format!(
            "`checkpoint.json` commits {} entries, the ledger has {}",
            cp.size,
            ledger.lines.len()
        )));
    }
    let leaves: Vec<_> = ledger.lines[..size].iter().map(|l| l.leaf).collect();
    if hex::encode(merkle::root(&leaves)) != cp.root {
        return Err(BulkError::Inconsistent(format!(
            "the ledger's first {size} entries do not hash to the root of `checkpoint.json`"
        )));
    }
    if let Some((i, line)) = ledger.lines[..size].iter().enumerate().find(|(_, l)| l.entry.is_err()) {
        let why = line.entry.as_ref().err().cloned().unwrap_or_default();
        return Err(BulkError::Inconsistent(format!("ledger line {} is not an entry: {why}", i + 1)));
    }
    Ok((ledger, cp.size, cp.root))
}

fn check_index_name(name: &str) -> Result<(), BulkError> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok { Ok(()) } else { Err(BulkError::IndexName(name.to_string())) }
}

/// A record's exported document: its fields in [`FIELDS`] order.
struct Source(Vec<(&'static str, Value)>);

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The document of a current record: its version parsed from its verified object, the index's
/// document of it read back field by field, and the ledger's facts.
fn source(archive: &Archive, fields: &Fields, r: &RecordState) -> Result<Source, BulkError> {
    let unreadable = |reason: String| BulkError::Unreadable { id: r.id.clone(), reason };
    let sidecar = r.attestation.as_ref().map(|a| a.object.as_str());
    let incident = archive
        .parse_object(&r.object, sidecar)
        .map_err(|e| unreadable(e.to_string()))?
        .ok_or_else(|| unreadable(format!("object `{}` is not a record", r.object)))?;
    let doc = document::build(fields, &incident);
    let version = r.versions.last().ok_or_else(|| unreadable("the ledger has no version of it".into()))?;
    let mut out = Vec::with_capacity(FIELDS.len());
    for f in FIELDS {
        let value = if f.indexed {
            let field = fields.schema.get_field(f.name).expect("FIELDS names fields of the schema");
            let values: Vec<Value> = doc
                .get_all(field)
                .map(|v| match (v.as_str(), v.as_datetime()) {
                    (Some(s), _) => Value::from(s),
                    (None, Some(t)) => {
                        document::from_tantivy(t).map_or(Value::Null, |t| Value::from(timestamp(t)))
                    }
                    (None, None) => Value::Null,
                })
                .collect();
            if f.many { Value::Array(values) } else { values.into_iter().next().unwrap_or(Value::Null) }
        } else {
            match f.name {
                "version" => Value::from(version.version),
                "object" => Value::from(r.object.as_str()),
                "version_seq" => Value::from(version.seq),
                "ledger_seq" => Value::from(r.last_seq()),
                "retain_until" => Value::from(date(r.retain_until)),
                "legal_hold" => Value::from(r.legal_hold.is_some()),
                "legal_hold_reason" => {
                    r.legal_hold.as_ref().map_or(Value::Null, |h| Value::from(h.reason.as_str()))
                }
                other => unreachable!("field `{other}` has no source"),
            }
        };
        out.push((f.name, value));
    }
    Ok(Source(out))
}

/// RFC 3339 in UTC, whole seconds: `2025-01-15T14:23:00Z`.
fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A date as the timestamp of its midnight (UTC), like the index's `signed_off`.
fn date(d: NaiveDate) -> String {
    timestamp(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
}

/// The files of an export, written as the records come.
struct Writer<'a> {
    opts: &'a BulkOptions,
    first: u64,
    main: Vec<u8>,
    deletes: Vec<u8>,
    documents: usize,
    purges: usize,
    replaced: usize,
}

impl<'a> Writer<'a> {
    fn new(opts: &'a BulkOptions, first: u64) -> Self {
        Writer { opts, first, main: Vec::new(), deletes: Vec::new(), documents: 0, purges: 0, replaced: 0 }
    }

    /// One changed record: its document (`None`: purged, a delete).
    fn record(&mut self, r: &RecordState, doc: Option<&Source>) {
        match (self.opts.format, doc) {
            (Format::OpenSearch, Some(doc)) => {
                self.main.extend(line(&action(Op::Index, &self.opts.index, r)));
                self.main.extend(line(doc));
                self.documents += 1;
            }
            (Format::OpenSearch, None) => {
                self.main.extend(line(&action(Op::Delete, &self.opts.index, r)));
                self.purges += 1;
            }
            (Format::Ndjson, Some(doc)) => {
                // A record with entries before the range has a document from an earlier file.
                if r.seqs.first().is_some_and(|&s| s < self.first) {
                    self.deletes.extend(line(&delete_task(&r.id, self.first - 1)));
                    self.replaced += 1;
                }
                self.main.extend(line(doc));
                self.documents += 1;
            }
            (Format::Ndjson, None) => {
                self.deletes.extend(line(&delete_task(&r.id, r.last_seq())));
                self.purges += 1;
            }
        }
    }

    fn finish(self, first: u64, last: u64, root: String) -> BulkExport {
        let stem = format!("search-{first:06}-{last:06}");
        let mut files = vec![BulkFile { name: format!("{stem}.ndjson"), bytes: self.main }];
        if self.opts.format == Format::Ndjson {
            files.push(BulkFile { name: format!("{stem}.deletes.ndjson"), bytes: self.deletes });
        }
        BulkExport {
            first,
            last,
            root,
            documents: self.documents,
            purges: self.purges,
            replaced: self.replaced,
            files,
            purged: Vec::new(),
        }
    }
}

/// One NDJSON line. (Structs, not `json!`, so that the keys keep their order whatever
/// features of `serde_json` the build unifies.)
fn line<T: Serialize>(v: &T) -> Vec<u8> {
    let mut line = serde_json::to_vec(v).expect("plain data serializes");
    line.push(b'\n');
    line
}

#[derive(Clone, Copy)]
enum Op {
    Index,
    Delete,
}

/// A `_bulk` action line.
#[derive(Serialize)]
struct Action<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<Meta<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete: Option<Meta<'a>>,
}

#[derive(Serialize)]
struct Meta<'a> {
    _index: &'a str,
    _id: &'a str,
    version: u64,
    version_type: &'static str,
}

/// A `_bulk` action line: `_id` the record id, versioned externally by the ledger sequence of
/// the record's latest entry (`external_gte`: a file replayed again applies, an older one never
/// overwrites a newer state).
fn action<'a>(op: Op, index: &'a str, r: &'a RecordState) -> Action<'a> {
    let meta = Meta { _index: index, _id: &r.id, version: r.last_seq(), version_type: "external_gte" };
    match op {
        Op::Index => Action { index: Some(meta), delete: None },
        Op::Delete => Action { index: None, delete: Some(meta) },
    }
}

/// A Quickwit delete task (the body of `POST /api/v1/<index>/delete-tasks`).
#[derive(Serialize)]
struct DeleteTask {
    query: String,
}

/// The delete task of the documents of `id` made current by ledger entries up to `upto` (so
/// that it never deletes a document of a later export, in whatever order they are applied).
fn delete_task(id: &str, upto: u64) -> DeleteTask {
    DeleteTask { query: format!("id:\"{id}\" AND ledger_seq:[0 TO {upto}]") }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of the tantivy schema is exported but `key`, and every indexed field of
    /// [`FIELDS`] is one of the schema's.
    #[test]
    fn the_documents_carry_the_index_fields() {
        let fields = Fields::new();
        let schema: Vec<&str> = fields.schema.fields().map(|(_, e)| e.name()).collect();
        for name in &schema {
            assert!(
                NOT_EXPORTED.contains(name) || FIELDS.iter().any(|f| f.indexed && f.name == *name),
                "`{name}` of the index is not exported"
            );
        }
        for f in FIELDS.iter().filter(|f| f.indexed) {
            assert!(schema.contains(&f.name), "`{}` is not a field of the index", f.name);
        }
        let mut names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len(), "each field once");
    }

    /// A field exported as one value never holds several in the index's document.
    #[test]
    fn single_fields_hold_one_value() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/archive/INC-2025-0023.md"),
        )
        .unwrap();
        let inc = crate::record::parse(Path::new("INC-2025-0023.md"), text.as_bytes()).incident.unwrap();
        let fields = Fields::new();
        let doc = document::build(&fields, &inc);
        for f in FIELDS.iter().filter(|f| f.indexed && !f.many) {
            let n = doc.get_all(fields.schema.get_field(f.name).unwrap()).count();
            assert!(n <= 1, "`{}` holds {n} values", f.name);
        }
        let many = FIELDS
            .iter()
            .filter(|f| f.many)
            .map(|f| doc.get_all(fields.schema.get_field(f.name).unwrap()).count());
        assert!(many.clone().any(|n| n > 1), "the reference record has lists");
    }

    #[test]
    fn index_names_are_checked() {
        for ok in ["incidents", "a", "incidents-2025_v2", "0x"] {
            assert!(check_index_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Incidents", "-x", "_x", "a b", "a/b", "a\"b", &"x".repeat(256)] {
            assert!(check_index_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn delete_tasks_are_bounded_by_the_ledger() {
        assert_eq!(
            String::from_utf8(line(&delete_task("INC-1", 41))).unwrap().trim_end(),
            r#"{"query":"id:\"INC-1\" AND ledger_seq:[0 TO 41]"}"#
        );
    }

    /// A purged record's document goes from an earlier file, with its action line; the other
    /// lines (other documents, deletes, delete tasks) stay as they were.
    #[test]
    fn earlier_files_lose_the_purged_documents() {
        let bulk = concat!(
            "{\"index\":{\"_index\":\"incidents\",\"_id\":\"A\"}}\n",
            "{\"id\":\"A\",\"text\":\"secret\"}\n",
            "{\"delete\":{\"_index\":\"incidents\",\"_id\":\"B\"}}\n",
            "{\"index\":{\"_index\":\"incidents\",\"_id\":\"C\"}}\n",
            "{\"id\":\"C\",\"text\":\"kept\"}\n",
        );
        let (kept, n) = without_documents_of(bulk.as_bytes(), &["A".to_string()]).unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            String::from_utf8(kept).unwrap(),
            bulk.lines().skip(2).map(|l| format!("{l}\n")).collect::<String>()
        );
        let plain = "{\"id\":\"A\",\"x\":1}\n{\"id\":\"AB\",\"x\":2}\n";
        let (kept, n) = without_documents_of(plain.as_bytes(), &["A".to_string()]).unwrap();
        assert_eq!((String::from_utf8(kept).unwrap().as_str(), n), ("{\"id\":\"AB\",\"x\":2}\n", 1));
        assert!(without_documents_of(plain.as_bytes(), &["Z".to_string()]).is_none());
    }

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(date(NaiveDate::from_ymd_opt(2032, 1, 15).unwrap()), "2032-01-15T00:00:00Z");
    }
}
