//! Ingest: records that pass the sign-off gate become objects and ledger entries.
//!
//! Reading, hashing and parsing run in parallel (rayon); objects are then written in parallel
//! and the ledger lines appended in one write, in id order, so that the same records give the
//! same ledger whatever the order of the files. A file whose bytes are already the current
//! version of its record is recognised by its hash alone and not parsed again.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde::{Serialize, Serializer};

use super::error::ArchiveError;
use super::layout::Archive;
use super::ledger::{Action, Entry, LedgerObject, LedgerSignOff};
use super::lock::LockGuard;
use super::mirror::{lock_of, record_objects};
use super::objects::{NewObject, WriteOutcome, sha256_hex};
use super::rules;
use super::session::Session;
use super::state::State;
use super::storage::{self, Body, Put};
use crate::progress::{NoProgress, Progress};
use crate::record::summary::summaries_only;
use crate::record::values::is_safe_id;
use crate::record::{self, Diagnostic, Kept, Level};

/// Records committed together at least (unless fewer are left).
const COMMIT_MIN: usize = 16;
/// Records committed together at most.
const COMMIT_MAX: usize = 4096;

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Retention in years for records that state none (`retention.default_years`).
    pub default_retention_years: u32,
    /// The time written into the entries.
    pub now: DateTime<Utc>,
    /// Told of the `parse` phase (one step a file), then of the `store` phase (one step an
    /// object to write), then that ingest is over.
    pub progress: Arc<dyn Progress>,
    /// Keep the records archived by this run, parsed, in [`IngestReport::parsed`] for the
    /// snapshot that follows (`build`): whole while the archive and the files fit in this many
    /// bytes of memory (the snapshot's budget), summarized beyond. `None`: keep nothing.
    pub keep_parsed: Option<u64>,
}

impl IngestOptions {
    /// Options that report no progress.
    pub fn new(default_retention_years: u32, now: DateTime<Utc>) -> Self {
        Self { default_retention_years, now, progress: Arc::new(NoProgress), keep_parsed: None }
    }
}

/// One change made by an ingest.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: String,
    /// `ingest` or `new_version`.
    pub action: Action,
    /// Version number (1 for the first).
    pub version: u32,
    pub object: String,
    pub seq: u64,
    pub retain_until: NaiveDate,
    pub path: PathBuf,
}

/// The outcome of an ingest.
#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    /// Files looked at.
    pub seen: usize,
    /// Records archived for the first time.
    pub new: usize,
    /// Records archived with new bytes.
    pub new_versions: usize,
    /// Files whose bytes are already archived.
    pub unchanged: usize,
    /// Files refused, with every diagnostic about them.
    #[serde(serialize_with = "rejected_as_objects")]
    pub rejected: Vec<(PathBuf, Vec<Diagnostic>)>,
    /// Warnings about accepted records (and notes about the archive).
    pub warnings: Vec<Diagnostic>,
    /// The changes, in ledger order.
    pub changes: Vec<Change>,
    /// Merkle root after the ingest, hex.
    pub root: String,
    /// Ledger entries after the ingest.
    pub ledger_len: u64,
    /// What was tidied up after an interrupted run before ingesting.
    pub recovered: Vec<String>,
    /// The records archived by this run, parsed (whole, or only their summaries), by object
    /// hash (only with [`IngestOptions::keep_parsed`]).
    #[serde(skip)]
    pub parsed: HashMap<String, Kept>,
}

impl IngestReport {
    /// True when no record was rejected.
    pub fn ok(&self) -> bool {
        self.rejected.is_empty()
    }
}

fn rejected_as_objects<S: Serializer>(v: &[(PathBuf, Vec<Diagnostic>)], s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Rejected<'a> {
        path: &'a Path,
        diagnostics: &'a [Diagnostic],
    }
    s.collect_seq(v.iter().map(|(path, diagnostics)| Rejected { path, diagnostics }))
}

/// What phase 1 learnt about one file.
enum Seen {
    /// The bytes are the current version of `id` (or of a purged `id`).
    Known {
        id: String,
        purged: bool,
    },
    Rejected(Vec<Diagnostic>),
    Candidate(Candidate),
}

struct Candidate {
    path: PathBuf,
    sha: String,
    size: u64,
    id: String,
    sign_off: LedgerSignOff,
    years: Option<u32>,
    /// The sign-off sidecar's object and path, when the record has one.
    attestation: Option<(LedgerObject, PathBuf)>,
    warnings: Vec<Diagnostic>,
    /// The parsed record, when the run keeps them.
    parsed: Option<Box<Kept>>,
}

/// The 1-based line of the first line containing `needle`, else 1.
fn line_of(bytes: &[u8], needle: &str) -> usize {
    let text = String::from_utf8_lossy(bytes);
    text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1)
}

/// Reads, hashes and gates one file.
fn examine(path: &Path, state: &State, keep: Keep) -> Seen {
    // Capped at the record size limit, and never blocking on what is not a regular file.
    let bytes = match record::read_file(path) {
        Ok(b) => b,
        Err(e) => {
            return Seen::Rejected(vec![Diagnostic::error(
                path,
                1,
                "unreadable",
                format!("cannot read: {e}"),
            )]);
        }
    };
    let sha = sha256_hex(&bytes);
    // The sign-off sidecar beside it, when there is one: archived with the record.
    let sidecar = match record::sidecar::read_sidecar(path) {
        Ok(s) => s,
        Err((spath, e)) => {
            return Seen::Rejected(vec![Diagnostic::error(
                &spath,
                1,
                "sidecar-invalid",
                format!("cannot read the sign-off sidecar: {e}"),
            )]);
        }
    };
    let attestation =
        sidecar.as_ref().map(|(_, b)| LedgerObject { object: sha256_hex(b), size: b.len() as u64 });
    if let Some(id) = state.by_object.get(&sha) {
        let r = &state.records[id];
        if (r.object == sha && r.attestation == attestation) || r.purged.is_some() {
            return Seen::Known { id: id.clone(), purged: r.purged.is_some() };
        }
    }
    let parsed =
        record::parse_with_sidecar(path, &bytes, sidecar.as_ref().map(|(p, b)| (p.as_path(), &b[..])));
    let mut diagnostics = parsed.diagnostics.clone();
    let accepted = parsed.accepted();
    let Some(inc) = parsed.incident.filter(|_| accepted) else {
        if !diagnostics.iter().any(|d| d.level == Level::Error) {
            diagnostics.push(Diagnostic::error(
                path,
                1,
                "not-accepted",
                "the record did not pass the sign-off gate",
            ));
        }
        return Seen::Rejected(diagnostics);
    };
    // The archive's own checks, whatever the parser: ids name things on disk downstream.
    let mut errors = Vec::new();
    if !is_safe_id(&inc.id) {
        let shown: String = inc.id.chars().take(80).collect();
        errors.push(Diagnostic::error(
            path,
            line_of(&bytes, "Incident ID"),
            "unsafe-id",
            format!(
                "incident id `{}` is not of the form `[A-Za-z0-9][A-Za-z0-9._-]{{0,63}}`",
                shown.escape_debug()
            ),
        ));
    }
    let date = inc.sign_off.date;
    if date.is_none() {
        errors.push(Diagnostic::error(
            path,
            line_of(&bytes, "Approved By"),
            "sign-off-date-missing",
            "no valid sign-off `Date`: the retention period cannot start",
        ));
    }
    if inc.sign_off.approved_by.trim().is_empty() {
        errors.push(Diagnostic::error(
            path,
            1,
            "sign-off-missing",
            "no `Approved By` in the Sign-off section",
        ));
    }
    if !errors.is_empty() {
        diagnostics.extend(errors);
        return Seen::Rejected(diagnostics);
    }
    let sign_off =
        LedgerSignOff { approved_by: inc.sign_off.approved_by.clone(), date: date.expect("checked above") };
    let (id, years) = (inc.id.clone(), inc.retention.years);
    let parsed = match keep {
        Keep::Nothing => None,
        Keep::Whole => Some(Box::new(Kept::new(inc, false))),
        Keep::Summaries => Some(Box::new(Kept::new(inc, true))),
    };
    Seen::Candidate(Candidate {
        path: path.to_path_buf(),
        sha,
        size: bytes.len() as u64,
        id,
        sign_off,
        years,
        attestation: attestation.zip(sidecar.map(|(p, _)| p)),
        warnings: diagnostics.into_iter().filter(|d| d.level == Level::Warning).collect(),
        parsed,
    })
}

/// A candidate ingest decided to archive.
struct Plan {
    c: Candidate,
    action: Action,
    version: u32,
    years: u32,
    retain_until: NaiveDate,
}

/// What to keep of the records parsed by an ingest.
#[derive(Debug, Clone, Copy)]
enum Keep {
    Nothing,
    Whole,
    Summaries,
}

impl Keep {
    /// Whole records while the live archive and every file given would fit in `budget` once
    /// parsed (an upper bound: files already archived count twice), summaries beyond.
    fn new(budget: Option<u64>, state: &State, files: &[PathBuf]) -> Keep {
        let Some(budget) = budget else { return Keep::Nothing };
        let given: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
        if summaries_only(state.live_bytes() + given, budget) { Keep::Summaries } else { Keep::Whole }
    }
}

/// With a store beyond the folder: stores the new objects of `kept` (locked until their record's
/// `retain_until`, under legal hold while it is held) and extends the retention of the older
/// versions of records whose `retain_until` grows, before the ledger lines naming them are
/// committed. Nothing for a local archive.
fn store_remotely(archive: &Archive, state: &State, kept: &[Plan]) -> Result<(), ArchiveError> {
    let store = archive.storage();
    if !store.is_remote() || kept.is_empty() {
        return Ok(());
    }
    let mut puts: BTreeMap<String, Put> = BTreeMap::new();
    let mut extend = Vec::new();
    for p in kept {
        let current = state.records.get(&p.c.id);
        let held = current.is_some_and(|r| r.legal_hold.is_some());
        let lock = lock_of(store, p.retain_until, held);
        let sidecar = p.c.attestation.as_ref().map(|(o, path)| (o.object.clone(), path.clone()));
        for (sha, path) in std::iter::once((p.c.sha.clone(), p.c.path.clone())).chain(sidecar) {
            if state.by_object.contains_key(&sha) {
                continue;
            }
            let local = archive.object_path(&sha).unwrap_or(path);
            let put = puts.entry(sha.clone()).or_insert_with(|| Put {
                key: storage::object_key(&sha),
                body: Body::File(local),
                sha256: sha.clone(),
                lock,
            });
            put.lock.retain_until = put.lock.retain_until.max(lock.retain_until);
        }
        if let Some(r) = current.filter(|r| p.retain_until > r.retain_until) {
            extend.extend(record_objects(r).into_iter().map(|o| (o, lock.retain_until)));
        }
    }
    store.put(puts.into_values().collect(), &|| {})?;
    for (sha, until) in extend {
        store.extend_retention(&storage::object_key(&sha), &sha, until)?;
    }
    Ok(())
}

/// Ingests `files`: each runs the sign-off gate; accepted records become objects and ledger
/// entries (`ingest` or `new_version`); the same bytes again change nothing; rejected files
/// leave no trace in the archive.
///
/// Errors are for the archive itself (I/O, a ledger that fails verification); problems with
/// records are in the report.
pub fn ingest(
    archive: &Archive,
    guard: &LockGuard,
    files: &[PathBuf],
    opts: &IngestOptions,
) -> Result<IngestReport, ArchiveError> {
    let mut s = Session::open(archive, guard)?;
    let bar = &opts.progress;
    bar.start("parse", files.len() as u64);

    // Phase 1, parallel: read, hash, gate.
    let keep = Keep::new(opts.keep_parsed, &s.state, files);
    let seen: Vec<Seen> = {
        let state = &s.state;
        files
            .par_iter()
            .map(|p| {
                let r = examine(p, state, keep);
                bar.inc(1);
                r
            })
            .collect()
    };

    let mut report = IngestReport {
        seen: files.len(),
        new: 0,
        new_versions: 0,
        unchanged: 0,
        rejected: Vec::new(),
        warnings: Vec::new(),
        changes: Vec::new(),
        root: String::new(),
        ledger_len: 0,
        recovered: guard.recovered().to_vec(),
        parsed: HashMap::new(),
    };

    // Phase 2: decide, per id, in id order.
    let mut by_id: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    // Files holding the current version of an id: another file with other bytes for the same id
    // is ambiguous (taking it would flip the record between the two files every run).
    let mut current_in: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for (path, seen) in files.iter().zip(seen) {
        match seen {
            Seen::Known { id, purged } => {
                report.unchanged += 1;
                if !purged {
                    current_in.entry(id.clone()).or_default().push(path.clone());
                }
                if purged {
                    report.warnings.push(Diagnostic::warning(
                        path,
                        1,
                        "purged",
                        format!("`{id}` was purged from the archive; this copy is ignored"),
                    ));
                }
            }
            Seen::Rejected(d) => report.rejected.push((path.clone(), d)),
            Seen::Candidate(c) => by_id.entry(c.id.clone()).or_default().push(c),
        }
    }
    let mut plans: Vec<Plan> = Vec::new();
    for (id, mut group) in by_id {
        let side = |c: &Candidate| c.attestation.as_ref().map(|(o, _)| o.object.clone());
        group.sort_by(|a, b| (&a.sha, side(a), &a.path).cmp(&(&b.sha, side(b), &b.path)));
        group.dedup_by(|b, a| {
            if a.sha == b.sha && side(a) == side(b) {
                report.unchanged += 1;
                true
            } else {
                false
            }
        });
        group.sort_by(|a, b| a.path.cmp(&b.path));
        let known = current_in.get(&id).map(Vec::as_slice).unwrap_or_default();
        if group.len() + known.len() > 1 {
            let mut paths: Vec<String> =
                group.iter().map(|c| &c.path).chain(known).map(|p| format!("`{}`", p.display())).collect();
            paths.sort();
            for c in group {
                let d = Diagnostic::error(
                    &c.path,
                    line_of(&std::fs::read(&c.path).unwrap_or_default(), "Incident ID"),
                    "duplicate-id",
                    format!("`{id}` is in several files with different content: {}", paths.join(", ")),
                );
                report.rejected.push((c.path, vec![d]));
            }
            continue;
        }
        let c = group.pop().expect("one candidate");
        let current = s.state.records.get(&id);
        if let Some(r) = current.filter(|r| r.purged.is_some()) {
            let d = Diagnostic::error(
                &c.path,
                1,
                "purged-id",
                format!(
                    "`{id}` was purged on {}; a purged record cannot take a new version",
                    r.purged.as_ref().map(|p| p.at.date_naive().to_string()).unwrap_or_default()
                ),
            );
            report.rejected.push((c.path, vec![d]));
            continue;
        }
        let attested = c.attestation.as_ref().map(|(o, _)| o);
        if current.is_some_and(|r| r.object == c.sha && r.attestation.as_ref() == attested) {
            report.unchanged += 1;
            continue;
        }
        let years = c.years.unwrap_or(opts.default_retention_years);
        let Some(until) = rules::retain_until(c.sign_off.date, years, current.map(|r| r.retain_until)) else {
            let d = Diagnostic::error(
                &c.path,
                line_of(&std::fs::read(&c.path).unwrap_or_default(), "Retention"),
                "retention-out-of-range",
                format!("a retention of {years} years from {} is out of range", c.sign_off.date),
            );
            report.rejected.push((c.path, vec![d]));
            continue;
        };
        let (action, version) = match current {
            None => (Action::Ingest, 1),
            Some(r) => (Action::NewVersion, r.versions.len() as u32 + 1),
        };
        plans.push(Plan { c, action, version, years, retain_until: until });
    }

    // Phase 3, in steps of at most `COMMIT_MAX` records (about 8 steps in all), so that a run
    // killed late keeps most of its work: objects (parallel, crash-safe), then the ledger lines
    // (one append), then the checkpoint.
    let total_new = plans.iter().filter(|p| !s.state.by_object.contains_key(&p.c.sha)).count();
    bar.start("store", total_new as u64);
    let step = (plans.len() / 8).clamp(COMMIT_MIN, COMMIT_MAX);
    let mut plans = plans.into_iter().peekable();
    while plans.peek().is_some() {
        let batch: Vec<Plan> = plans.by_ref().take(step).collect();
        let mut new_objects: Vec<NewObject> = batch
            .iter()
            .filter(|p| !s.state.by_object.contains_key(&p.c.sha))
            .map(|p| NewObject { sha: p.c.sha.clone(), source: p.c.path.clone() })
            .collect();
        // Sign-off sidecars are objects of their own (two records may share none: each names
        // its record).
        new_objects.extend(
            batch
                .iter()
                .filter_map(|p| p.c.attestation.as_ref())
                .filter(|(o, _)| !s.state.by_object.contains_key(&o.object))
                .map(|(o, path)| NewObject { sha: o.object.clone(), source: path.clone() }),
        );
        new_objects.sort_by(|a, b| a.sha.cmp(&b.sha));
        new_objects.dedup_by(|a, b| a.sha == b.sha);
        s.begin("ingest", new_objects.iter().map(|o| o.sha.clone()).collect(), Vec::new())?;
        let outcomes = archive.store().write_batch(&new_objects, &|| bar.inc(1))?;
        let changed: BTreeMap<&str, &str> = new_objects
            .iter()
            .zip(&outcomes)
            .filter_map(|(o, w)| match w {
                WriteOutcome::SourceChanged { now } => Some((o.sha.as_str(), now.as_str())),
                _ => None,
            })
            .collect();
        let mut entries = Vec::new();
        let mut kept = Vec::new();
        for p in batch {
            let sidecar_changed = p.c.attestation.as_ref().and_then(|(o, _)| changed.get(o.object.as_str()));
            if let Some(now) = changed.get(p.c.sha.as_str()).or(sidecar_changed) {
                let d = Diagnostic::error(
                    &p.c.path,
                    1,
                    "changed-during-ingest",
                    format!("the file changed while being ingested (now `{now}`); it will be taken next run"),
                );
                report.rejected.push((p.c.path.clone(), vec![d]));
                continue;
            }
            entries.push(Entry {
                seq: 0,
                at: opts.now,
                action: p.action,
                id: p.c.id.clone(),
                object: p.c.sha.clone(),
                size: p.c.size,
                // The title stays in the object: a purge must leave none in the ledger.
                title: None,
                attestation: p.c.attestation.as_ref().map(|(o, _)| o.clone()),
                sign_off: p.c.sign_off.clone(),
                retention_years: p.years,
                retain_until: p.retain_until,
                reason: None,
                prev: String::new(),
            });
            kept.push(p);
        }
        store_remotely(archive, &s.state, &kept)?;
        let entries = s.append(entries)?;
        s.finish()?;
        for (p, e) in kept.into_iter().zip(entries) {
            match p.action {
                Action::Ingest => report.new += 1,
                _ => report.new_versions += 1,
            }
            report.warnings.extend(p.c.warnings);
            if let Some(parsed) = p.c.parsed {
                report.parsed.insert(e.object.clone(), *parsed);
            }
            report.changes.push(Change {
                id: e.id,
                action: e.action,
                version: p.version,
                object: e.object,
                seq: e.seq,
                retain_until: e.retain_until,
                path: p.c.path,
            });
        }
    }
    bar.finish();
    report.rejected.sort_by(|a, b| a.0.cmp(&b.0));
    report.root = s.root();
    report.ledger_len = s.ledger.lines.len() as u64;
    Ok(report)
}
