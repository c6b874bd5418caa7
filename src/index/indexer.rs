//! Keeping `archive/index/` in step with the ledger: incremental updates from the last indexed
//! ledger position, full rebuilds, and recovery from a missing or damaged index.
//!
//! Beside tantivy's files the folder holds `incident-archive.json`, the stamp written after each
//! commit (format, schema version, the ledger reflected, the document count, and the size and
//! SHA-256 of every other file: see [`super::integrity`]), and `ids.json` (every record id the
//! archive has known, purged ones included, sorted) which numbers documents for the browser
//! export. Updates are idempotent: replaying records already indexed replaces them.
//!
//! An update checks the whole index against its stamp and the archive first, and rebuilds it
//! when anything differs. A purge is not done until the record's text has left every file:
//! tantivy only marks a deleted document, so the segments holding deleted documents are merged
//! anew (without them) before the stamp is written.

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::integrity::{self, Files, TEMP_PREFIX};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::{IndexError, IndexReport};
use crate::snapshot::{ArchivedRecord, Snapshot};

/// Our file beside tantivy's: the stamp.
pub const META_FILE: &str = "incident-archive.json";
/// Every id the archive has known, sorted: document numbers of the browser export.
pub const IDS_FILE: &str = "ids.json";
/// 2: the stamp holds the ledger root and the files' checksums.
pub const FORMAT: u32 = 2;
/// tantivy's indexing memory per thread before it writes a segment: part of `build`'s peak
/// memory (the target: under 1 GiB at 100,000 records, the snapshot's summaries included).
const WRITER_BYTES_PER_THREAD: usize = 96_000_000;

/// What `incident-archive.json` holds: the stamp of the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Meta {
    pub format: u32,
    pub schema: u32,
    /// Every ledger entry with `seq < ledger_len` is reflected in the index.
    pub ledger_len: u64,
    /// The Merkle root of those entries (hex), as the snapshot gave it.
    #[serde(default)]
    pub root: String,
    /// The byte length of those entries in `ledger.jsonl`, when the snapshot came from an
    /// archive whose checkpoint says so: where the entries the index has not seen begin.
    #[serde(default)]
    pub ledger_bytes: Option<u64>,
    /// Live documents after the last commit.
    pub documents: u64,
    /// Every other file of the folder, as written.
    #[serde(default)]
    pub files: Files,
}

/// Reads the stamp, `None` when absent.
pub fn read_meta(dir: &Path) -> Result<Option<Meta>, IndexError> {
    let path = dir.join(META_FILE);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| IndexError::Invalid { path, message: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(IndexError::Io { path, source }),
    }
}

/// The stamp of the index in `dir` after a commit that brought it to `snapshot`; `verified`:
/// files this run has hashed already.
fn stamp(dir: &Path, snapshot: &Snapshot, documents: u64, verified: &Files) -> Result<Meta, IndexError> {
    readable_like_the_rest(dir)?;
    Ok(Meta {
        format: FORMAT,
        schema: SCHEMA_VERSION,
        ledger_len: snapshot.ledger_len,
        root: snapshot.root.clone(),
        ledger_bytes: ledger_bytes(snapshot),
        documents,
        files: integrity::stamp_files(dir, verified)?,
    })
}

/// tantivy writes `meta.json` and `.managed.json` readable by their owner only (its temp
/// files' mode); they get the mode of `ids.json`, made like every other file of the index, so
/// that whoever may read the index (an auditor's account, say) may read all of it.
fn readable_like_the_rest(dir: &Path) -> Result<(), IndexError> {
    use std::os::unix::fs::PermissionsExt;
    let ids = dir.join(IDS_FILE);
    let mode =
        fs::metadata(&ids).map_err(|source| IndexError::Io { path: ids, source })?.permissions().mode();
    for name in ["meta.json", ".managed.json"] {
        let path = dir.join(name);
        match fs::metadata(&path) {
            Ok(m) if m.permissions().mode() != mode => {
                fs::set_permissions(&path, fs::Permissions::from_mode(mode))
                    .map_err(|source| IndexError::Io { path, source })?
            }
            _ => {}
        }
    }
    Ok(())
}

/// The byte length of the snapshot's ledger entries, from the archive's checkpoint when it
/// describes the same ledger.
fn ledger_bytes(snapshot: &Snapshot) -> Option<u64> {
    let archive = snapshot.source.as_ref()?;
    let cp = crate::archive::journal::Checkpoint::read(&archive.checkpoint_path()).ok()??;
    (cp.size == snapshot.ledger_len && cp.root == snapshot.root).then_some(cp.ledger_bytes)
}

/// Why the ledger the stamp records is not the snapshot's (nor a prefix of it), if it is not.
fn ledger_differs(meta: &Meta, snapshot: &Snapshot) -> Result<Option<String>, IndexError> {
    if meta.ledger_len > snapshot.ledger_len {
        return Ok(Some(format!(
            "the index has seen {} ledger entries but the ledger has {}",
            meta.ledger_len, snapshot.ledger_len
        )));
    }
    if meta.ledger_len == snapshot.ledger_len {
        return Ok((meta.root != snapshot.root).then(|| {
            format!(
                "it was made from another ledger (root `{}`, the archive's `{}`)",
                meta.root, snapshot.root
            )
        }));
    }
    // The ledger has grown: the entries the index reflects must be its first ones.
    let (Some(bytes), Some(archive)) = (meta.ledger_bytes, snapshot.source.as_ref()) else {
        return Ok(None);
    };
    let path = archive.ledger_path();
    let prefix = read_prefix(&path, bytes).map_err(|source| IndexError::Io { path: path.clone(), source })?;
    let lines: Vec<crate::archive::merkle::Hash> = match prefix.strip_suffix(b"\n") {
        Some(body) => body.split(|b| *b == b'\n').map(crate::archive::merkle::leaf_hash).collect(),
        None if prefix.is_empty() => Vec::new(),
        None => return Ok(Some("the ledger it was made from is not the start of the archive's".into())),
    };
    let root = hex::encode(crate::archive::merkle::root(&lines));
    Ok((lines.len() as u64 != meta.ledger_len || root != meta.root)
        .then(|| "the ledger it was made from is not the start of the archive's".into()))
}

/// The first `len` bytes of a file (fewer when it is shorter).
fn read_prefix(path: &Path, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut out = Vec::new();
    fs::File::open(path)?.take(len).read_to_end(&mut out)?;
    Ok(out)
}

/// Reads the id list written by the last update.
pub fn read_ids(dir: &Path) -> Result<Vec<String>, IndexError> {
    let path = dir.join(IDS_FILE);
    let bytes = fs::read(&path).map_err(|source| IndexError::Io { path: path.clone(), source })?;
    serde_json::from_slice(&bytes).map_err(|e| IndexError::Invalid { path, message: e.to_string() })
}

/// Opens an index folder for reading and registers the analyzers.
pub fn open(dir: &Path) -> Result<Index, IndexError> {
    let index = Index::open_in_dir(dir).map_err(|source| IndexError::Tantivy { path: dir.into(), source })?;
    schema::register(&index);
    Ok(index)
}

fn is_current(r: &ArchivedRecord) -> bool {
    r.summary().is_some()
}

/// Brings the index up to the snapshot: see [`super::update`].
pub fn update(dir: &Path, snapshot: &Snapshot) -> Result<IndexReport, IndexError> {
    let started = Instant::now();
    let swept = integrity::sweep(dir)?;
    let existing = dir.join("meta.json").exists() || dir.join(META_FILE).exists();
    let reason = match integrity::guard(dir, || try_update(dir, snapshot)) {
        Ok(Attempt::Done(mut report)) => {
            report.warnings.splice(0..0, swept);
            report.seconds = started.elapsed().as_secs_f64();
            return Ok(report);
        }
        Ok(Attempt::Rebuild(reason)) => reason,
        Err(e) => format!("{e}"),
    };
    let mut report = rebuild(dir, snapshot)?;
    if existing {
        report.warnings.insert(0, format!("index at `{}` rebuilt from the archive: {reason}", dir.display()));
    }
    report.warnings.splice(0..0, swept);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

enum Attempt {
    Done(IndexReport),
    /// Why the index has to be rebuilt.
    Rebuild(String),
}

fn try_update(dir: &Path, snapshot: &Snapshot) -> Result<Attempt, IndexError> {
    let Some(meta) = read_meta(dir)? else {
        return Ok(Attempt::Rebuild(format!("no `{META_FILE}`")));
    };
    if meta.format != FORMAT || meta.schema != SCHEMA_VERSION {
        return Ok(Attempt::Rebuild(format!(
            "index format {}/{} (this build uses {FORMAT}/{SCHEMA_VERSION})",
            meta.format, meta.schema
        )));
    }
    if let Some(why) = ledger_differs(&meta, snapshot)? {
        return Ok(Attempt::Rebuild(why));
    }
    // Every byte as written, before tantivy reads any.
    if let Some(why) = integrity::check_files(dir, &meta.files, integrity::Depth::Full)? {
        return Ok(Attempt::Rebuild(why));
    }
    let index = open(dir)?;
    let fields = Fields::new();
    if index.schema() != fields.schema {
        return Ok(Attempt::Rebuild("its schema differs from this build's".into()));
    }
    let reader =
        index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_err(dir))?;
    if reader.searcher().num_docs() != meta.documents {
        return Ok(Attempt::Rebuild(format!(
            "it holds {} documents where its last update recorded {}",
            reader.searcher().num_docs(),
            meta.documents
        )));
    }
    let changed: Vec<&ArchivedRecord> =
        snapshot.records.iter().filter(|r| r.last_seq >= meta.ledger_len).collect();
    let ids_path = dir.join(IDS_FILE);
    let ids = all_ids(snapshot);
    let ids_same = read_ids(dir).map(|old| old == ids).unwrap_or(false);
    let expected = snapshot.records.iter().filter(|r| is_current(r)).count() as u64;
    let mut report = IndexReport { ledger_len: snapshot.ledger_len, ..IndexReport::default() };
    if changed.is_empty() && meta.ledger_len == snapshot.ledger_len && ids_same {
        if meta.documents != expected {
            return Ok(Attempt::Rebuild(format!(
                "it holds {} documents, the archive {expected}",
                meta.documents
            )));
        }
        report.documents = meta.documents;
        return Ok(Attempt::Done(report));
    }
    let threads = if changed.len() > 2_000 { 2 } else { 1 };
    let mut writer: IndexWriter = index
        .writer_with_num_threads(threads, threads * WRITER_BYTES_PER_THREAD)
        .map_err(tantivy_err(dir))?;
    documents(&fields, snapshot, &changed, |r, doc| {
        writer.delete_term(Term::from_field_text(fields.key, &r.id));
        match (doc, r.purged()) {
            (Some(doc), None) => {
                writer.add_document(doc).map_err(tantivy_err(dir))?;
                report.added += 1;
            }
            _ => report.removed += 1,
        }
        Ok(())
    })?;
    writer.commit().map_err(tantivy_err(dir))?;
    writer.wait_merging_threads().map_err(tantivy_err(dir))?;
    drop(reader);
    if changed.iter().any(|r| r.is_purged()) {
        report.expunged = expunge(&index, dir)?;
    }
    let reader: tantivy::IndexReader =
        index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_err(dir))?;
    let documents = reader.searcher().num_docs();
    if documents != expected {
        return Ok(Attempt::Rebuild(format!(
            "after the update it holds {documents} documents, the archive {expected}"
        )));
    }
    write_json(&ids_path, &ids)?;
    let meta = stamp(dir, snapshot, documents, &meta.files)?;
    write_json(&dir.join(META_FILE), &meta)?;
    report.documents = documents;
    report.changed = true;
    Ok(Attempt::Done(report))
}

/// Drops deleted documents from the index's files: tantivy only marks a deleted document, its
/// stored text, terms and positions stay in its segment until a merge rewrites it. Every
/// segment holding deleted documents is merged anew, then the old files are removed. Returns
/// how many deleted documents were dropped.
fn expunge(index: &Index, dir: &Path) -> Result<u64, IndexError> {
    let metas = index.searchable_segment_metas().map_err(tantivy_err(dir))?;
    let ids: Vec<tantivy::index::SegmentId> =
        metas.iter().filter(|m| m.num_deleted_docs() > 0).map(|m| m.id()).collect();
    let dropped: u64 = metas.iter().map(|m| u64::from(m.num_deleted_docs())).sum();
    // tantivy keeps the files of every segment whose meta is alive anywhere in the process.
    drop(metas);
    let mut writer: IndexWriter =
        index.writer_with_num_threads(1, WRITER_BYTES_PER_THREAD).map_err(tantivy_err(dir))?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    if !ids.is_empty() {
        writer.merge(&ids).wait().map_err(tantivy_err(dir))?;
    }
    writer.garbage_collect_files().wait().map_err(tantivy_err(dir))?;
    writer.wait_merging_threads().map_err(tantivy_err(dir))?;
    Ok(dropped)
}

/// Builds the index documents of `records` and hands each to `add` in order, with `None` for
/// a record that has no incident (purged, or its object damaged). The documents are built in
/// parallel a chunk at a time: a snapshot that keeps only summaries parses the records again
/// here, and a chunk bounds how many whole records are in memory at once.
fn documents<'r>(
    fields: &Fields,
    snapshot: &Snapshot,
    records: &[&'r ArchivedRecord],
    mut add: impl FnMut(&'r ArchivedRecord, Option<TantivyDocument>) -> Result<(), IndexError>,
) -> Result<(), IndexError> {
    use rayon::prelude::*;
    for chunk in records.chunks(512) {
        let docs: Vec<Option<TantivyDocument>> = chunk
            .par_iter()
            .map(|r| snapshot.full_incident(r).map(|inc| super::document::build(fields, &inc)))
            .collect();
        for (r, doc) in chunk.iter().zip(docs) {
            add(r, doc)?;
        }
    }
    Ok(())
}

/// Every id of the snapshot (purged ones included), sorted as Rust sorts strings.
fn all_ids(snapshot: &Snapshot) -> Vec<String> {
    let mut ids: Vec<String> = snapshot.records.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Recreates the index from the snapshot in a fresh folder, then puts it in place. What a
/// killed or failed rebuild leaves is removed by the next run ([`integrity::sweep`]); a failed
/// one removes its folder itself.
pub fn rebuild(dir: &Path, snapshot: &Snapshot) -> Result<IndexReport, IndexError> {
    let started = Instant::now();
    let swept = integrity::sweep(dir)?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|source| IndexError::Io { path: parent.into(), source })?;
    let name = dir.file_name().map_or("index".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!("{TEMP_PREFIX}{name}-rebuild-{}", std::process::id()));
    remove_dir(&tmp)?;
    fs::create_dir(&tmp).map_err(|source| IndexError::Io { path: tmp.clone(), source })?;
    let built = build_in(&tmp, snapshot);
    let documents = match built {
        Ok(d) => d,
        Err(e) => {
            // A full disk, say: nothing of this run stays behind.
            let _ = remove_dir(&tmp);
            return Err(e);
        }
    };
    let old = parent.join(format!("{TEMP_PREFIX}{name}-old-{}", std::process::id()));
    if dir.exists() {
        fs::rename(dir, &old).map_err(|source| IndexError::Io { path: dir.into(), source })?;
    }
    fs::rename(&tmp, dir).map_err(|source| IndexError::Io { path: dir.into(), source })?;
    crate::fsx::sync_dir(parent)?;
    remove_dir(&old)?;
    Ok(IndexReport {
        rebuilt: true,
        changed: true,
        added: documents as usize,
        removed: 0,
        expunged: 0,
        documents,
        ledger_len: snapshot.ledger_len,
        warnings: swept,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Builds the whole index of `snapshot` in the empty folder `tmp`, stamped; returns the
/// number of documents.
fn build_in(tmp: &Path, snapshot: &Snapshot) -> Result<u64, IndexError> {
    let fields = Fields::new();
    let index = Index::create_in_dir(tmp, fields.schema.clone()).map_err(tantivy_err(tmp))?;
    schema::register(&index);
    // One document per id (a snapshot made by hand may repeat one).
    let mut seen = HashSet::new();
    let current: Vec<&ArchivedRecord> =
        snapshot.records.iter().filter(|r| is_current(r) && seen.insert(r.id.as_str())).collect();
    let threads = if current.len() > 2_000 { 2 } else { 1 };
    let mut writer: IndexWriter = index
        .writer_with_num_threads(threads, threads * WRITER_BYTES_PER_THREAD)
        .map_err(tantivy_err(tmp))?;
    let mut added = 0u64;
    documents(&fields, snapshot, &current, |_, doc| {
        if let Some(doc) = doc {
            writer.add_document(doc).map_err(tantivy_err(tmp))?;
            added += 1;
        }
        Ok(())
    })?;
    writer.commit().map_err(tantivy_err(tmp))?;
    writer.wait_merging_threads().map_err(tantivy_err(tmp))?;
    let documents = added;
    write_json(&tmp.join(IDS_FILE), &all_ids(snapshot))?;
    let meta = stamp(tmp, snapshot, documents, &Files::new())?;
    write_json(&tmp.join(META_FILE), &meta)?;
    Ok(documents)
}

fn remove_dir(p: &Path) -> Result<(), IndexError> {
    crate::fsx::remove_any(p)?;
    Ok(())
}

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy { path: path.to_path_buf(), source }
}

/// Writes JSON crash-safely: temp file, fsync, rename, fsync the folder. A failed write (a full
/// disk) removes its temp file. Made like tantivy's files (`0o666` less the umask), whose mode
/// the stamp gives `meta.json` and `.managed.json` (see `readable_like_the_rest`).
fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), IndexError> {
    let bytes = serde_json::to_vec(value).expect("serializable");
    Ok(crate::fsx::write_atomic_mode(path, &bytes, 0o666)?)
}
