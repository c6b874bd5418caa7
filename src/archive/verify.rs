//! `verify`: re-hash every object, check the hash chain, the Merkle root and the byte length
//! against the checkpoint, the entries' times and the retention fields, and name every problem
//! with its path (and ledger line).
//!
//! Times: an entry dated before the one above it is a problem (writers never go back, see
//! `session`), and so is one dated after the time of the check (the system clock, or the time
//! given to [`verify_at`]): a purge dated in the future would otherwise pass for one made after
//! its record's `retain_until`.
//!
//! Leftovers of a run that was killed (see [`super::journal`]) are notes, not problems: the
//! archive is consistent, and the next run tidies them up.
//!
//! It sits on top of the archive and never the reverse: the ledger part is the `chain` module's
//! check, which the writers run too; this module adds the objects, `pending.json` and the time
//! of the check, and nothing below imports it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use rayon::prelude::*;
use serde::Serialize;

use super::chain::{check_ledger, offset_after, rfc3339};
use super::clock;
use super::error::ArchiveError;
use super::journal::{Checkpoint, Pending};
use super::layout::{self, Archive};
use super::ledger::{Action, Entry, LedgerFile};
use super::objects::{self, sha256_hex};
pub use super::problem::{FUTURE_SLACK_HOURS, Problem, ProblemKind};

/// The outcome of `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// True when no problem was found.
    pub ok: bool,
    pub problems: Vec<Problem>,
    /// Things that are not problems: leftovers of an interrupted run, and the like.
    pub notes: Vec<String>,
    /// Ledger entries checked.
    pub entries: u64,
    /// Object files hashed.
    pub objects: u64,
    /// Merkle root over the ledger's complete lines, hex.
    pub root: String,
}

impl VerifyReport {
    fn new(problems: Vec<Problem>, notes: Vec<String>, entries: u64, objects: u64, root: String) -> Self {
        Self { ok: problems.is_empty(), problems, notes, entries, objects, root }
    }

    /// Adds the problems and notes of a check made outside the archive (the signed checkpoint,
    /// which the archive cannot read: see `note::publish::check`), keeping `ok` true to them.
    pub fn add(&mut self, problems: Vec<Problem>, notes: Vec<String>) {
        self.problems.extend(problems);
        self.notes.extend(notes);
        self.ok = self.problems.is_empty();
    }

    /// How many problems of `kind`.
    pub fn count(&self, kind: ProblemKind) -> usize {
        self.problems.iter().filter(|p| p.kind == kind).count()
    }
}

/// Verifies the archive at `root`, turning a missing or unknown `archive.json` into a named
/// problem rather than an error.
pub fn verify_root(root: &Path) -> Result<VerifyReport, ArchiveError> {
    match Archive::open(root) {
        Ok(a) => verify(&a),
        Err(ArchiveError::UnknownFormat { path, found }) => Ok(VerifyReport::new(
            vec![Problem {
                kind: ProblemKind::UnknownFormat,
                path,
                line: None,
                message: format!("unknown archive format `{found}` (this build knows format 1)"),
            }],
            Vec::new(),
            0,
            0,
            String::new(),
        )),
        Err(ArchiveError::NoArchive { path })
            if path.join(layout::LEDGER_FILE).exists() || path.join(layout::OBJECTS_DIR).exists() =>
        {
            Ok(VerifyReport::new(
                vec![Problem {
                    kind: ProblemKind::UnknownFormat,
                    path: path.join(layout::FORMAT_FILE),
                    line: None,
                    message: "missing, but the folder holds a ledger or objects".into(),
                }],
                Vec::new(),
                0,
                0,
                String::new(),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Verifies an opened archive: every object, the ledger, the checkpoint and the retention fields.
pub fn verify(archive: &Archive) -> Result<VerifyReport, ArchiveError> {
    verify_knowing(archive, &HashMap::new())
}

/// Like [`verify`], taking the facts of the objects in `known` (by object hash) instead of
/// parsing those objects again: for records this process has just parsed from bytes that
/// hashed to their name (`build` passes the records its ingest and snapshot parsed, never
/// cached summaries). Every object is still read and hashed.
pub fn verify_knowing(
    archive: &Archive,
    known: &HashMap<String, Facts>,
) -> Result<VerifyReport, ArchiveError> {
    verify_at(archive, known, clock::system_now())
}

/// Like [`verify_knowing`], as of `now` instead of the system clock: an entry dated more than
/// [`FUTURE_SLACK_HOURS`] after `now` is a problem ([`ProblemKind::LedgerTimeFuture`]).
pub fn verify_at(
    archive: &Archive,
    known: &HashMap<String, Facts>,
    now: DateTime<Utc>,
) -> Result<VerifyReport, ArchiveError> {
    let ledger = LedgerFile::read(&archive.ledger_path())?;
    let checkpoint = Checkpoint::read(&archive.checkpoint_path());
    let mut problems = Vec::new();
    let pending = match Pending::read(&archive.pending_path()) {
        Ok(p) => p,
        Err(msg) => {
            problems.push(Problem {
                kind: ProblemKind::PendingInvalid,
                path: archive.pending_path(),
                line: None,
                message: msg,
            });
            None
        }
    };
    let check = check_ledger(&ledger, &checkpoint, &archive.checkpoint_path(), pending.as_ref());
    problems.extend(check.problems);
    if let (Some(p), Ok(Some(cp))) = (&pending, &checkpoint) {
        problems.extend(check_pending(p, cp, &ledger, &archive.pending_path()));
    }
    problems.extend(future_entries(&ledger, now));
    let mut notes = check.notes;
    let state = check.state;
    let store = archive.store();

    // What the ledger references: object → (id, recorded size, live, line of its entry).
    struct Ref<'a> {
        id: &'a str,
        size: u64,
        live: bool,
        line: usize,
    }
    let mut refs: HashMap<&str, Ref> = HashMap::new();
    let mut version_entries: Vec<(usize, &Entry)> = Vec::new();
    for (i, l) in ledger.lines.iter().enumerate() {
        let Ok(e) = &l.entry else { continue };
        if matches!(e.action, Action::Ingest | Action::NewVersion) && objects::is_object_name(&e.object) {
            let live = state.records.get(&e.id).is_none_or(|r| r.purged.is_none());
            refs.entry(&e.object).or_insert(Ref { id: &e.id, size: e.size, live, line: i + 1 });
            // The sign-off sidecar is an object of its own; the same bytes may attest two
            // records, and stay while either is live.
            if let Some(a) = e.attestation.as_ref().filter(|a| objects::is_object_name(&a.object)) {
                let r = refs.entry(&a.object).or_insert(Ref { id: &e.id, size: a.size, live, line: i + 1 });
                r.live |= live;
            }
            version_entries.push((i + 1, e));
        }
    }

    let attested: HashSet<&str> = version_entries
        .iter()
        .filter(|(_, e)| e.attestation.is_some())
        .map(|(_, e)| e.object.as_str())
        .collect();

    // Hash every file in the store, in parallel. A file that is a live object in its place
    // and intact is parsed in the same pass, from the same bytes, for the facts its entries are
    // checked against below: each object is read once and hashed once, and only its small
    // facts outlive the closure (memory stays bounded by the threads, not the archive).
    let listing = store.list()?;
    let scanned: Vec<Scanned> = listing
        .files
        .par_iter()
        .map(|p| {
            if std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
                return Scanned {
                    path: p.clone(),
                    hashed: Err("a symbolic link, not a stored object".to_string()),
                    facts: None,
                };
            }
            let bytes = match std::fs::read(p) {
                Ok(b) => b,
                Err(e) => return Scanned { path: p.clone(), hashed: Err(e.to_string()), facts: None },
            };
            let h = sha256_hex(&bytes);
            let intact = store.name_of(p).as_deref() == Some(h.as_str());
            // Attested records are parsed below, with their sidecar.
            let facts =
                if intact && refs.get(h.as_str()).is_some_and(|r| r.live) && !attested.contains(h.as_str()) {
                    known.get(&h).cloned().or_else(|| Facts::of(p, &bytes))
                } else {
                    None
                };
            Scanned { path: p.clone(), hashed: Ok((h, bytes.len() as u64)), facts }
        })
        .collect();
    let facts: HashMap<&str, &Facts> = scanned
        .iter()
        .filter_map(|s| Some((s.hashed.as_ref().ok()?.0.as_str(), s.facts.as_ref()?)))
        .collect();
    let by_path: HashMap<&Path, &Hashed> = scanned.iter().map(|s| (s.path.as_path(), &s.hashed)).collect();
    let mut by_content: HashMap<&str, Vec<&Path>> = HashMap::new();
    for s in &scanned {
        if let Ok((h, _)) = &s.hashed {
            by_content.entry(h.as_str()).or_default().push(&s.path);
        }
    }
    let pending_objects: HashSet<&str> =
        pending.iter().flat_map(|p| p.objects.iter().map(String::as_str)).collect();
    let pending_purge: HashSet<&str> =
        pending.iter().flat_map(|p| p.purge.iter().map(String::as_str)).collect();

    let mut accounted: HashSet<&Path> = HashSet::new();
    let mut good: Vec<&str> = Vec::new();
    let mut sorted_refs: Vec<(&&str, &Ref)> = refs.iter().collect();
    sorted_refs.sort_by_key(|(o, r)| (r.line, **o));
    for (&object, r) in sorted_refs {
        let path = store.path(object)?;
        let at_path = by_path.get(path.as_path());
        if let Some((&p, _)) = by_path.get_key_value(path.as_path()) {
            accounted.insert(p);
        }
        if !r.live {
            if at_path.is_some() {
                if pending_purge.contains(r.id) {
                    notes.push(format!(
                        "{}: bytes of purged `{}` not yet removed by an interrupted purge; the next run removes them",
                        path.display(),
                        r.id
                    ));
                } else {
                    problems.push(Problem {
                        kind: ProblemKind::PurgedObjectPresent,
                        path: path.clone(),
                        line: None,
                        message: format!("`{}` was purged but its bytes are still here", r.id),
                    });
                }
            }
            continue;
        }
        match at_path {
            Some(Ok((h, _))) if h == object => good.push(object),
            Some(Ok((h, len))) => {
                let (kind, message) = if let Some(other) = refs.get(h.as_str()) {
                    (
                        ProblemKind::ObjectMisplaced,
                        format!(
                            "holds object `{h}` of `{}` instead of the object of `{}` (ledger line {})",
                            other.id, r.id, r.line
                        ),
                    )
                } else if *len < r.size {
                    (
                        ProblemKind::ObjectTruncated,
                        format!(
                            "object of `{}` (ledger line {}) has {len} bytes, {} recorded",
                            r.id, r.line, r.size
                        ),
                    )
                } else if *len > r.size && prefix_hash(&path, r.size).as_deref() == Some(object) {
                    (
                        ProblemKind::ObjectAppended,
                        format!(
                            "object of `{}` (ledger line {}) has {} bytes appended after its {} recorded bytes",
                            r.id,
                            r.line,
                            len - r.size,
                            r.size
                        ),
                    )
                } else {
                    (
                        ProblemKind::ObjectChanged,
                        format!(
                            "object of `{}` (ledger line {}) was changed: its content hashes to `{h}`",
                            r.id, r.line
                        ),
                    )
                };
                problems.push(Problem { kind, path: path.clone(), line: None, message });
            }
            Some(Err(e)) => problems.push(Problem {
                kind: ProblemKind::ObjectChanged,
                path: path.clone(),
                line: None,
                message: format!("object of `{}` cannot be read: {e}", r.id),
            }),
            None => {
                let elsewhere: Vec<&Path> = by_content.get(object).cloned().unwrap_or_default();
                if elsewhere.is_empty() {
                    problems.push(Problem {
                        kind: ProblemKind::ObjectMissing,
                        path: path.clone(),
                        line: None,
                        message: format!("object of `{}` (ledger line {}) is missing", r.id, r.line),
                    });
                } else {
                    for p in elsewhere {
                        accounted.insert(p);
                        problems.push(Problem {
                            kind: ProblemKind::ObjectMisplaced,
                            path: p.to_path_buf(),
                            line: None,
                            message: format!(
                                "holds object `{object}` of `{}` (ledger line {}), which belongs at `{}`",
                                r.id,
                                r.line,
                                path.display()
                            ),
                        });
                    }
                }
            }
        }
    }

    // Files nobody references.
    for Scanned { path: p, hashed: res, .. } in &scanned {
        if accounted.contains(p.as_path()) {
            continue;
        }
        if let Ok((h, _)) = res
            && refs.get(h.as_str()).is_some_and(|r| r.live)
        {
            if store.name_of(p).as_deref() == Some(h.as_str()) {
                continue;
            }
            // A copy of a live object under another name (its own path holds it too).
            problems.push(Problem {
                kind: ProblemKind::ObjectMisplaced,
                path: p.clone(),
                line: None,
                message: format!(
                    "holds a copy of object `{h}` of `{}` under another name",
                    refs[h.as_str()].id
                ),
            });
            continue;
        }
        let name = store.name_of(p);
        if let (Some(name), Ok((h, _))) = (&name, res)
            && name == h
            && pending_objects.contains(name.as_str())
        {
            notes.push(format!(
                "{}: written by an interrupted run and not in the ledger; the next run removes it or uses it",
                p.display()
            ));
            continue;
        }
        let detail = match res {
            Ok((h, _)) if name.as_deref() == Some(h.as_str()) => "a well-formed object".to_string(),
            Ok((h, _)) => format!("content hashes to `{h}`"),
            Err(e) => format!("unreadable: {e}"),
        };
        problems.push(Problem {
            kind: ProblemKind::ObjectExtra,
            path: p.clone(),
            line: None,
            message: format!("not referenced by the ledger ({detail})"),
        });
    }
    for t in &listing.temps {
        notes.push(format!("{}: temp file of an interrupted write; the next run removes it", t.display()));
    }

    // Each intact object against its entry: the id and the retention inputs it states.
    let good: HashSet<&str> = good.into_iter().collect();
    let checks: Vec<(usize, &Entry)> = version_entries
        .into_iter()
        .filter(|(_, e)| good.contains(e.object.as_str()))
        .filter(|(_, e)| e.attestation.as_ref().is_none_or(|a| good.contains(a.object.as_str())))
        .collect();
    // An attested record's facts come from its bytes and its sidecar's, parsed together.
    let attested_facts: HashMap<(&str, &str), Facts> = checks
        .par_iter()
        .filter_map(|(_, e)| {
            let a = e.attestation.as_ref()?;
            let live = state.records.get(&e.id).is_none_or(|r| r.purged.is_none());
            let (path, bytes) =
                (store.path(&e.object).ok()?, std::fs::read(store.path(&e.object).ok()?).ok()?);
            let spath = store.path(&a.object).ok()?;
            let sbytes = std::fs::read(&spath).ok()?;
            let parsed = crate::record::parse_with_sidecar(&path, &bytes, Some((&spath, &sbytes)));
            let inc = parsed.incident.as_ref()?;
            let facts =
                Facts { approved_by: Some(inc.sign_off.approved_by.clone()), ..Facts::of_incident(inc) };
            live.then_some(((e.object.as_str(), a.object.as_str()), facts))
        })
        .collect();
    let mismatches: Vec<Problem> = checks
        .par_iter()
        .flat_map_iter(|(line, e)| {
            let mut out = Vec::new();
            let inc = match &e.attestation {
                Some(a) => attested_facts.get(&(e.object.as_str(), a.object.as_str())),
                None => facts.get(e.object.as_str()).copied(),
            };
            let Some(inc) = inc else { return out };
            let mut push = |kind, message: String| {
                out.push(Problem { kind, path: archive.ledger_path(), line: Some(*line), message });
            };
            if inc.id != e.id {
                push(
                    ProblemKind::RecordMismatch,
                    format!("the entry says `{}` but its object's `Incident ID` is `{}`", e.id, inc.id),
                );
            }
            if let Some(a) = &inc.approved_by
                && *a != e.sign_off.approved_by
            {
                push(
                    ProblemKind::RecordMismatch,
                    format!(
                        "the entry says approved by `{}` but the record with its sign-off sidecar is approved by `{}`",
                        e.sign_off.approved_by.escape_debug(),
                        a.escape_debug()
                    ),
                );
            }
            if let Some(d) = inc.signed_off
                && d != e.sign_off.date
            {
                push(
                    ProblemKind::RetentionChanged,
                    format!("sign-off date is {} but the record was signed off on {d}", e.sign_off.date),
                );
            }
            if let Some(y) = inc.retention_years
                && y != e.retention_years
            {
                push(
                    ProblemKind::RetentionChanged,
                    format!("`retention_years` is {} but the record states {y}", e.retention_years),
                );
            }
            out
        })
        .collect();
    problems.extend(mismatches);

    problems.sort_by(|a, b| (&a.path, a.line, a.kind.name()).cmp(&(&b.path, b.line, b.kind.name())));
    problems.dedup();
    let root = hex::encode(ledger.root_of(ledger.lines.len()));
    Ok(VerifyReport::new(problems, notes, ledger.lines.len() as u64, scanned.len() as u64, root))
}

/// Entries dated after `now` (plus the slack): the ledger records nothing that has not happened
/// yet, so a later date is a wrong clock or a forged entry, such as a purge dated after the
/// `retain_until` it claims to have waited for.
fn future_entries(ledger: &LedgerFile, now: DateTime<Utc>) -> Vec<Problem> {
    let limit = now + TimeDelta::hours(FUTURE_SLACK_HOURS);
    ledger
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let e = l.entry.as_ref().ok().filter(|e| e.at > limit)?;
            Some(Problem {
                kind: ProblemKind::LedgerTimeFuture,
                path: ledger.path.clone(),
                line: Some(i + 1),
                message: format!(
                    "entry seq {} (`{}` of `{}`) is dated {}, after the time of this check ({})",
                    e.seq,
                    e.action,
                    e.id,
                    rfc3339(e.at),
                    rfc3339(now)
                ),
            })
        })
        .collect()
}

/// `pending.json` against the ledger and the checkpoint: it must name a point of the ledger at
/// or before the checkpoint (its `size` entries taking its `ledger_bytes` bytes), objects by
/// their hash and ids of the safe form. Otherwise what it excuses is not what a run left.
fn check_pending(p: &Pending, cp: &Checkpoint, ledger: &LedgerFile, path: &Path) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut problem = |message: String| {
        out.push(Problem {
            kind: ProblemKind::PendingInvalid,
            path: path.to_path_buf(),
            line: None,
            message,
        });
    };
    let n = ledger.lines.len() as u64;
    if p.size > cp.size.min(n) {
        problem(format!(
            "it records {} entries before its write, but `checkpoint.json` commits {} and the ledger has {n}",
            p.size, cp.size
        ));
    } else if offset_after(ledger, p.size as usize) != p.ledger_bytes {
        problem(format!(
            "`ledger_bytes` is {} but the first {} entries take {} bytes",
            p.ledger_bytes,
            p.size,
            offset_after(ledger, p.size as usize)
        ));
    }
    for o in p.objects.iter().filter(|o| !objects::is_object_name(o)) {
        problem(format!("`{}` in `objects` is not a SHA-256", o.escape_debug()));
    }
    for id in p.purge.iter().filter(|id| !crate::record::values::is_safe_id(id)) {
        problem(format!("`{}` in `purge` is not a record id", id.escape_debug()));
    }
    out
}

/// What an object says about the fields its ledger entry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub id: String,
    pub signed_off: Option<chrono::NaiveDate>,
    pub retention_years: Option<u32>,
    /// The approver, compared for attested records only (read with their sign-off sidecar);
    /// `None` otherwise.
    pub approved_by: Option<String>,
}

impl Facts {
    /// The facts of a parsed record, whole or its summary.
    pub fn of_incident(i: &dyn crate::record::Summarized) -> Facts {
        Facts {
            id: i.id().to_string(),
            signed_off: i.sign_off().date,
            retention_years: i.retention().years,
            approved_by: None,
        }
    }

    /// The facts of an object from its bytes (already found to hash to its name), or `None`
    /// when they do not parse as a record.
    fn of(path: &Path, bytes: &[u8]) -> Option<Facts> {
        crate::record::parse(path, bytes).incident.as_ref().map(|i| Facts::of_incident(i))
    }
}

/// One file of the store after the hashing pass: its hash (or why it could not be read) and,
/// for a live object in its place, what it says about its entry.
struct Scanned {
    path: PathBuf,
    hashed: Hashed,
    facts: Option<Facts>,
}

/// A file's SHA-256 and length, or why it could not be read.
type Hashed = Result<(String, u64), String>;

/// SHA-256 of the first `len` bytes of a file.
fn prefix_hash(path: &Path, len: u64) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    bytes.get(..len as usize).map(sha256_hex)
}
