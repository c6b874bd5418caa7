//! Keeping `archive/index/` in step with the ledger: incremental updates from the last indexed
//! ledger position, full rebuilds, and recovery from a missing or damaged index.
//!
//! Beside tantivy's files the folder holds `incident-archive.json` (format, schema version,
//! ledger position, document count), written after each commit, and `ids.json` (every record
//! id the archive has known, purged ones included, sorted) which numbers documents for the
//! browser export. Updates are idempotent: replaying records already indexed replaces them.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::schema::{self, Fields, SCHEMA_VERSION};
use super::{IndexError, IndexReport};
use crate::archive::{ArchivedRecord, Snapshot};

/// Our file beside tantivy's.
pub const META_FILE: &str = "incident-archive.json";
/// Every id the archive has known, sorted: document numbers of the browser export.
pub const IDS_FILE: &str = "ids.json";
const FORMAT: u32 = 1;
/// tantivy's indexing memory per thread before it writes a segment: part of `build`'s peak
/// memory (DESIGN: under 1 GiB at 100,000 records, the snapshot's summaries included).
const WRITER_BYTES_PER_THREAD: usize = 96_000_000;

/// What `incident-archive.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Meta {
    pub format: u32,
    pub schema: u32,
    /// Every ledger entry with `seq < ledger_len` is reflected in the index.
    pub ledger_len: u64,
    /// Live documents after the last commit.
    pub documents: u64,
}

/// Reads the meta file, `None` when absent.
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
    r.purged.is_none() && r.incident.is_some()
}

/// Brings the index up to the snapshot: see [`super::update`].
pub fn update(dir: &Path, snapshot: &Snapshot) -> Result<IndexReport, IndexError> {
    let started = Instant::now();
    let existing = dir.join("meta.json").exists() || dir.join(META_FILE).exists();
    let reason = match try_update(dir, snapshot) {
        Ok(Attempt::Done(mut report)) => {
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
    if meta.ledger_len > snapshot.ledger_len {
        return Ok(Attempt::Rebuild(format!(
            "the index has seen {} ledger entries but the ledger has {}",
            meta.ledger_len, snapshot.ledger_len
        )));
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
        match (doc, &r.purged) {
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
    reader.reload().map_err(tantivy_err(dir))?;
    let documents = reader.searcher().num_docs();
    if documents != expected {
        return Ok(Attempt::Rebuild(format!(
            "after the update it holds {documents} documents, the archive {expected}"
        )));
    }
    write_json(&ids_path, &ids)?;
    write_json(
        &dir.join(META_FILE),
        &Meta { format: FORMAT, schema: SCHEMA_VERSION, ledger_len: snapshot.ledger_len, documents },
    )?;
    report.documents = documents;
    report.changed = true;
    Ok(Attempt::Done(report))
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

/// Recreates the index from the snapshot in a fresh folder, then puts it in place.
pub fn rebuild(dir: &Path, snapshot: &Snapshot) -> Result<IndexReport, IndexError> {
    let started = Instant::now();
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|source| IndexError::Io { path: parent.into(), source })?;
    let name = dir.file_name().map_or("index".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.rebuild-{}", std::process::id()));
    remove_dir(&tmp)?;
    fs::create_dir(&tmp).map_err(|source| IndexError::Io { path: tmp.clone(), source })?;
    let fields = Fields::new();
    let index = Index::create_in_dir(&tmp, fields.schema.clone()).map_err(tantivy_err(&tmp))?;
    schema::register(&index);
    // One document per id (a snapshot made by hand may repeat one).
    let mut seen = HashSet::new();
    let current: Vec<&ArchivedRecord> =
        snapshot.records.iter().filter(|r| is_current(r) && seen.insert(r.id.as_str())).collect();
    let threads = if current.len() > 2_000 { 2 } else { 1 };
    let mut writer: IndexWriter = index
        .writer_with_num_threads(threads, threads * WRITER_BYTES_PER_THREAD)
        .map_err(tantivy_err(&tmp))?;
    let mut added = 0u64;
    documents(&fields, snapshot, &current, |_, doc| {
        if let Some(doc) = doc {
            writer.add_document(doc).map_err(tantivy_err(&tmp))?;
            added += 1;
        }
        Ok(())
    })?;
    writer.commit().map_err(tantivy_err(&tmp))?;
    writer.wait_merging_threads().map_err(tantivy_err(&tmp))?;
    let documents = added;
    write_json(&tmp.join(IDS_FILE), &all_ids(snapshot))?;
    write_json(
        &tmp.join(META_FILE),
        &Meta { format: FORMAT, schema: SCHEMA_VERSION, ledger_len: snapshot.ledger_len, documents },
    )?;
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if dir.exists() {
        fs::rename(dir, &old).map_err(|source| IndexError::Io { path: dir.into(), source })?;
    }
    fs::rename(&tmp, dir).map_err(|source| IndexError::Io { path: dir.into(), source })?;
    sync_dir(parent)?;
    remove_dir(&old)?;
    Ok(IndexReport {
        rebuilt: true,
        changed: true,
        added: documents as usize,
        removed: 0,
        documents,
        ledger_len: snapshot.ledger_len,
        warnings: Vec::new(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn remove_dir(p: &Path) -> Result<(), IndexError> {
    match fs::remove_dir_all(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(IndexError::Io { path: p.into(), source }),
    }
}

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy { path: path.to_path_buf(), source }
}

/// Writes JSON crash-safely: temp file, fsync, rename, fsync the folder.
fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), IndexError> {
    let io = |source| IndexError::Io { path: path.to_path_buf(), source };
    let dir = path.parent().expect("a file in a folder");
    let tmp: PathBuf = dir.join(format!(".{}.tmp", path.file_name().expect("a file name").to_string_lossy()));
    let mut f = fs::File::create(&tmp).map_err(io)?;
    f.write_all(&serde_json::to_vec(value).expect("serializable")).map_err(io)?;
    f.sync_all().map_err(io)?;
    fs::rename(&tmp, path).map_err(io)?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), IndexError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| IndexError::Io { path: dir.into(), source })
}
