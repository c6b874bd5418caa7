//! The archive's copy in its store (the S3 bucket), beyond what each write stores itself.
//!
//! The writers ([`super::ingest()`], [`super::retention`]) store each object, legal hold and
//! retention change before the ledger entry that names it is committed locally. This module does
//! the rest:
//!
//! - [`sync`]: the ledger's lines the bucket does not have yet go up as one locked segment
//!   (`ledger/<first>-<last>.jsonl`), then the signed checkpoint (`checkpoints/<size>`). It runs
//!   when a writer takes the lock (so a segment a killed or failed run could not upload goes up
//!   before anything else) and at the end of every write. A bucket that holds no segment yet
//!   while the local ledger has entries (an archive moved to S3) first gets every live object.
//! - [`restore`]: a cold cache (an empty local folder) is rebuilt from the bucket: the
//!   segments, joined and checked as one ledger, then every live object, each checked against
//!   its hash.
//! - [`check_store`]: `verify`'s part about the bucket: each object the ledger names is there
//!   as one version with the archived bytes, the lock mode, a retention at least the ledger's
//!   and the legal hold the ledger says; the segments are the local ledger's bytes.
//!
//! Segments and checkpoints are locked (in the configured mode) until the end of the latest
//! `retain_until` the ledger names up to them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::chain::check_ledger;
use super::error::{ArchiveError, StorageError};
use super::journal::Checkpoint;
use super::layout::{Archive, CHECKPOINT_FILE, FORMAT_FILE, LEDGER_FILE, OBJECTS_DIR};
use super::ledger::LedgerFile;
use super::objects::{self, OBJECT_MODE, sha256_hex};
use super::problem::{Problem, ProblemKind};
use super::state::{RecordState, State};
use super::storage::{self, Body, Lock, Put, Storage, lock_until};
use crate::fsx;

/// The signed checkpoint's file in the archive folder (written by `crate::note::publish`).
pub const SIGNED_CHECKPOINT_FILE: &str = "checkpoint";

/// What [`sync`] uploaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synced {
    /// Objects uploaded because the bucket had no ledger yet.
    pub objects: usize,
    /// The segment uploaded, as a key.
    pub segment: Option<String>,
    /// The signed checkpoint uploaded, as a key.
    pub checkpoint: Option<String>,
}

/// Every object of a record (each version and its sign-off sidecar), with its lock.
pub(crate) fn record_objects(r: &RecordState) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in &r.versions {
        out.push(v.object.clone());
        out.extend(v.attestation.as_ref().map(|a| a.object.clone()));
    }
    out.dedup();
    out
}

/// How an object of `r` is locked in `storage`.
pub(crate) fn lock_of(storage: &dyn Storage, retain_until: NaiveDate, held: bool) -> Lock {
    Lock { mode: storage.lock_mode(), retain_until: lock_until(retain_until), legal_hold: held }
}

/// The lock of the ledger's first `n` entries (a segment, a checkpoint): until the latest
/// `retain_until` they name.
fn ledger_lock(storage: &dyn Storage, ledger: &LedgerFile, n: usize) -> Lock {
    let latest = ledger.lines[..n]
        .iter()
        .filter_map(|l| l.entry.as_ref().ok())
        .map(|e| e.retain_until)
        .max()
        .unwrap_or(NaiveDate::MIN);
    lock_of(storage, latest, false)
}

/// The tree size a signed checkpoint states (its second line).
fn checkpoint_size(note: &[u8]) -> Option<u64> {
    std::str::from_utf8(note).ok()?.lines().nth(1)?.parse().ok()
}

/// Uploads what the bucket lacks of the committed ledger (one segment), then the signed
/// checkpoint when it states that ledger. Does nothing for a local archive. The caller holds
/// the lock.
pub fn sync(archive: &Archive) -> Result<Synced, ArchiveError> {
    let storage = archive.storage();
    let mut done = Synced::default();
    if !storage.is_remote() {
        return Ok(done);
    }
    let ledger = LedgerFile::read(&archive.ledger_path())?;
    let committed = match Checkpoint::read(&archive.checkpoint_path()) {
        Ok(Some(cp)) => cp.size as usize,
        _ => 0,
    };
    let n = committed.min(ledger.lines.len());
    let segments: Vec<(u64, u64)> =
        storage.list(storage::LEDGER_PREFIX)?.iter().filter_map(|k| storage::parse_segment_key(k)).collect();
    let stored = segments.iter().map(|(_, last)| last + 1).max().unwrap_or(0) as usize;
    // The last segment must be this ledger's lines (each line names the hash of the one before,
    // so the segments before it are too, as `verify` checks): never continue another archive's
    // ledger under a shared prefix.
    if let Some(&(first, last)) = segments.iter().max_by_key(|(_, last)| *last)
        && (last as usize) < n
    {
        let key = storage::segment_key(first, last);
        let (a, b) = (first as usize, last as usize);
        let ours = &ledger.bytes[ledger.lines[a].start..=ledger.lines[b].end];
        if storage.get(&key)? != ours {
            return Err(StorageError::Invalid(format!(
                "{}: the bucket's ledger is not this archive's (its lines differ from the local ledger's); \
                 check `storage.bucket` and `storage.prefix`",
                storage.location(&key)
            ))
            .into());
        }
    }
    if stored > n {
        return Err(StorageError::Invalid(format!(
            "{} holds {stored} ledger entries but the local ledger commits {n}: this folder is not a copy of \
             that archive",
            storage.location(storage::LEDGER_PREFIX)
        ))
        .into());
    }
    if stored == 0 && n > 0 {
        // An archive moving to the bucket: its live objects go first.
        let state = State::from_entries(ledger.lines[..n].iter().filter_map(|l| l.entry.as_ref().ok()));
        let mut puts = Vec::new();
        for r in state.records.values().filter(|r| r.purged.is_none()) {
            for o in record_objects(r) {
                puts.push(Put {
                    key: storage::object_key(&o),
                    body: Body::File(archive.object_path(&o)?),
                    sha256: o,
                    lock: lock_of(storage, r.retain_until, r.legal_hold.is_some()),
                });
            }
        }
        done.objects = puts.len();
        storage.put(puts, &|| {})?;
    }
    if stored < n {
        let key = storage::segment_key(stored as u64, n as u64 - 1);
        let bytes = ledger.bytes[ledger.lines[stored].start..=ledger.lines[n - 1].end].to_vec();
        let put = Put {
            key: key.clone(),
            sha256: sha256_hex(&bytes),
            body: Body::Bytes(bytes),
            lock: ledger_lock(storage, &ledger, n),
        };
        storage.put(vec![put], &|| {})?;
        done.segment = Some(key);
    }
    if let Ok(note) = std::fs::read(archive.root().join(SIGNED_CHECKPOINT_FILE))
        && n > 0
        && checkpoint_size(&note) == Some(n as u64)
    {
        let key = storage::checkpoint_key(n as u64);
        if storage.list(&key)?.is_empty() {
            let put = Put {
                key: key.clone(),
                sha256: sha256_hex(&note),
                body: Body::Bytes(note),
                lock: ledger_lock(storage, &ledger, n),
            };
            storage.put(vec![put], &|| {})?;
            done.checkpoint = Some(key);
        }
    }
    Ok(done)
}

/// What [`restore`] rebuilt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    pub entries: usize,
    pub objects: usize,
    /// The signed checkpoint was restored too.
    pub checkpoint: bool,
}

/// The segments of the bucket, joined and checked: one ledger, numbered from 0 without a gap.
fn stored_ledger(storage: &dyn Storage, path: &Path) -> Result<LedgerFile, ArchiveError> {
    let keys = storage.list(storage::LEDGER_PREFIX)?;
    let mut segments: Vec<((u64, u64), &String)> =
        keys.iter().filter_map(|k| storage::parse_segment_key(k).map(|r| (r, k))).collect();
    segments.sort();
    let mut bytes = Vec::new();
    let mut next = 0;
    for ((first, last), key) in segments {
        if first != next {
            return Err(StorageError::Invalid(format!(
                "{}: the ledger's segments do not follow each other (entry {next} is in none)",
                storage.location(key)
            ))
            .into());
        }
        bytes.extend(storage.get(key)?);
        next = last + 1;
    }
    let ledger = LedgerFile::parse(path, bytes);
    if ledger.lines.len() as u64 != next || ledger.tail.is_some() {
        return Err(StorageError::Invalid(format!(
            "{}: the segments hold {} lines, not the {next} entries their names give",
            storage.location(storage::LEDGER_PREFIX),
            ledger.lines.len()
        ))
        .into());
    }
    Ok(ledger)
}

/// Rebuilds the local folder `root` (which has no archive) from the bucket: the ledger from its
/// segments (checked: the chain, the order, the rules, and the root the bucket's signed
/// checkpoint states), every live object (each checked against its hash), the checkpoint
/// files; `archive.json` last, so that a copy killed half-way is rebuilt again. `None` when the
/// bucket holds no ledger (a new archive).
pub fn restore(root: &Path, storage: &dyn Storage) -> Result<Option<Restored>, ArchiveError> {
    if !storage.is_remote() || root.join(FORMAT_FILE).exists() {
        return Ok(None);
    }
    let ledger = stored_ledger(storage, &root.join(LEDGER_FILE))?;
    let n = ledger.lines.len();
    if n == 0 {
        return Ok(None);
    }
    let cp = Checkpoint {
        size: n as u64,
        root: hex::encode(ledger.root_of(n)),
        ledger_bytes: ledger.committed_len(),
    };
    let check = check_ledger(&ledger, &Ok(Some(cp.clone())), &root.join(CHECKPOINT_FILE), None);
    if let Some(p) = check.problems.first() {
        return Err(StorageError::Invalid(format!("the ledger in the bucket does not verify: {p}")).into());
    }
    let note = match storage.list(&storage::checkpoint_key(n as u64))?.first() {
        Some(key) => Some(storage.get(key)?),
        None => None,
    };
    if let Some(note) = &note {
        let stated = std::str::from_utf8(note).ok().and_then(|t| t.lines().nth(2)).unwrap_or_default();
        let root_b64 = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(ledger.root_of(n))
        };
        if stated != root_b64 {
            return Err(StorageError::Invalid(format!(
                "{}: the signed checkpoint does not state the root of the bucket's ledger",
                storage.location(&storage::checkpoint_key(n as u64))
            ))
            .into());
        }
    }
    std::fs::create_dir_all(root.join(OBJECTS_DIR))
        .map_err(|source| ArchiveError::Io { path: root.to_path_buf(), source })?;
    let _lock = super::lock::exclusive(root)?;
    let objects_dir = root.join(OBJECTS_DIR);
    let mut wanted = BTreeSet::new();
    for r in check.state.records.values().filter(|r| r.purged.is_none()) {
        wanted.extend(record_objects(r));
    }
    for sha in &wanted {
        let path = objects::object_path(&objects_dir, sha)?;
        if path.exists() {
            continue;
        }
        let key = storage::object_key(sha);
        let bytes = storage.get(&key)?;
        if sha256_hex(&bytes) != *sha {
            return Err(StorageError::Invalid(format!(
                "{}: the bytes in the bucket do not hash to their name",
                storage.location(&key)
            ))
            .into());
        }
        let dir = fsx::parent(&path);
        std::fs::create_dir_all(dir)
            .map_err(|source| ArchiveError::Io { path: dir.to_path_buf(), source })?;
        fsx::write_atomic_mode(&path, &bytes, OBJECT_MODE)?;
    }
    fsx::write_atomic(&root.join(LEDGER_FILE), &ledger.bytes)?;
    cp.write(&root.join(CHECKPOINT_FILE))?;
    if let Some(note) = &note {
        fsx::write_atomic(&root.join(SIGNED_CHECKPOINT_FILE), note)?;
    }
    fsx::write_atomic(&root.join(FORMAT_FILE), b"{\"format\":1,\"hash\":\"sha256\"}\n")?;
    Ok(Some(Restored { entries: n, objects: wanted.len(), checkpoint: note.is_some() }))
}

/// What the bucket check found.
#[derive(Debug, Clone, Default)]
pub struct StoreCheck {
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    /// Objects checked in the bucket.
    pub objects: u64,
}

/// Checks the bucket against the local ledger (see the module's documentation). Nothing for a
/// local archive.
pub fn check_store(archive: &Archive) -> Result<StoreCheck, ArchiveError> {
    let storage = archive.storage();
    let mut out = StoreCheck::default();
    if !storage.is_remote() {
        return Ok(out);
    }
    let (state, ledger) = archive.load_state()?;
    let mut problem = |kind, key: &str, message: String| {
        out.problems.push(Problem { kind, path: PathBuf::from(storage.location(key)), line: None, message });
    };
    let mut seen = BTreeSet::new();
    // Objects a record that is not purged names: a sign-off sidecar may be shared.
    let live: BTreeSet<String> =
        state.records.values().filter(|r| r.purged.is_none()).flat_map(record_objects).collect();
    let mut todo: Vec<(&RecordState, String)> = Vec::new();
    for r in state.records.values() {
        for sha in record_objects(r) {
            if (r.purged.is_some() && live.contains(&sha)) || !seen.insert(sha.clone()) {
                continue;
            }
            todo.push((r, sha));
        }
    }
    let found =
        storage.inspect(todo.iter().map(|(_, sha)| (storage::object_key(sha), sha.clone())).collect())?;
    let checked = todo.len() as u64;
    for ((r, sha), inspection) in todo.into_iter().zip(found) {
        let key = storage::object_key(&sha);
        let versions = inspection.versions;
        let ours = inspection.ours.map(|head| {
            let version = versions.iter().find(|v| v.version_id == head.version_id).cloned().unwrap_or(
                storage::StoredVersion {
                    version_id: head.version_id.clone(),
                    is_latest: false,
                    delete_marker: false,
                },
            );
            (version, head)
        });
        if let Some(p) = &r.purged {
            if ours.is_some() {
                problem(
                    ProblemKind::StorePurgedPresent,
                    &key,
                    format!(
                        "`{}` was purged on {} but its bytes are still in the bucket",
                        r.id,
                        p.at.date_naive()
                    ),
                );
            }
            continue;
        }
        let Some((version, head)) = ours else {
            let message = if versions.is_empty() {
                format!("object `{sha}` of `{}` is not in the bucket", r.id)
            } else {
                format!(
                    "no version of `{sha}` (of `{}`) holds the archived bytes: it was replaced ({} versions)",
                    r.id,
                    versions.len()
                )
            };
            let kind = if versions.is_empty() {
                ProblemKind::StoreObjectMissing
            } else {
                ProblemKind::StoreObjectChanged
            };
            problem(kind, &key, message);
            continue;
        };
        if versions.len() > 1 || !version.is_latest {
            let newer: Vec<&str> = versions
                .iter()
                .filter(|v| v.version_id != version.version_id)
                .map(|v| v.version_id.as_str())
                .collect();
            let what = if versions.iter().any(|v| v.delete_marker && v.is_latest) {
                "hidden by a delete marker"
            } else {
                "overwritten by a newer version"
            };
            problem(
                ProblemKind::StoreObjectOverwritten,
                &key,
                format!(
                    "object `{sha}` of `{}` was {what} (version{} `{}`; the archived one is `{}`)",
                    r.id,
                    if newer.len() == 1 { "" } else { "s" },
                    newer.join("`, `"),
                    version.version_id
                ),
            );
        }
        if head.mode.is_some_and(|m| m != storage.lock_mode())
            || (head.mode.is_none() && lock_until(r.retain_until) > chrono::Utc::now())
        {
            problem(
                ProblemKind::StoreLockMode,
                &key,
                format!(
                    "object `{sha}` of `{}` is locked in mode {}, not {}",
                    r.id,
                    head.mode.map_or("none", |m| m.as_str()),
                    storage.lock_mode().as_str()
                ),
            );
        }
        // A retention that has ended asks nothing of the store any more.
        let want = lock_until(r.retain_until);
        if want > chrono::Utc::now() && head.retain_until.is_none_or(|t| t < want) {
            problem(
                ProblemKind::StoreRetentionShort,
                &key,
                format!(
                    "object `{sha}` of `{}` is retained until {}, before the ledger's `retain_until` {}",
                    r.id,
                    head.retain_until.map_or("never".to_string(), |t| t.to_rfc3339()),
                    r.retain_until
                ),
            );
        }
        if head.legal_hold != r.legal_hold.is_some() {
            problem(
                ProblemKind::StoreLegalHold,
                &key,
                format!(
                    "object `{sha}` of `{}` has its legal hold {} but the ledger has the record {}",
                    r.id,
                    if head.legal_hold { "on" } else { "off" },
                    if r.legal_hold.is_some() { "on hold" } else { "not on hold" }
                ),
            );
        }
    }
    out.objects = checked;
    // The segments: the local ledger's bytes, as far as they go.
    match stored_ledger(storage, &archive.ledger_path()) {
        Ok(stored) => {
            let n = stored.bytes.len();
            if ledger.bytes.get(..n) != Some(&stored.bytes[..]) {
                out.problems.push(Problem {
                    kind: ProblemKind::StoreLedgerChanged,
                    path: PathBuf::from(storage.location(storage::LEDGER_PREFIX)),
                    line: None,
                    message: "the ledger's segments in the bucket are not the local ledger's lines"
                        .to_string(),
                });
            } else if stored.lines.len() < ledger.lines.len() {
                out.notes.push(format!(
                    "{} ledger entries are not in the bucket yet: the next run that writes uploads them",
                    ledger.lines.len() - stored.lines.len()
                ));
            }
        }
        Err(ArchiveError::Storage(StorageError::Invalid(message))) => out.problems.push(Problem {
            kind: ProblemKind::StoreLedgerChanged,
            path: PathBuf::from(storage.location(storage::LEDGER_PREFIX)),
            line: None,
            message,
        }),
        Err(e) => return Err(e),
    }
    out.notes.push(format!("checked {checked} objects in {}", storage.location("")));
    Ok(out)
}
