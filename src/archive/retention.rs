//! Retention operations: the report of what expires when, legal holds and their release, and
//! `purge`, the only thing that ever removes an object. The rules they apply (`retain_until`,
//! what may be purged, held or released on a date) are [`super::rules`], pure.

use chrono::{DateTime, Days, NaiveDate, Utc};
use rayon::prelude::*;
use serde::Serialize;

use super::error::ArchiveError;
use super::layout::Archive;
use super::ledger::{Action, Entry};
use super::lock::LockGuard;
use super::mirror::record_objects;
use super::rules::{self, HoldChange, HoldRefusal, Standing};
use super::session::Session;
use super::state::{Hold, PurgeInfo, RecordState};
use super::storage::{self, Removed};
use crate::archive::StorageError;

/// One record in a retention listing.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionItem {
    pub id: String,
    /// The current version's title, read from the record itself in a [`report`] (the ledger
    /// keeps none); `None` for a purged record (its content is disposed of, title included),
    /// for one whose object cannot be read, and in a [`PurgeReport`].
    pub title: Option<String>,
    pub signed_off: NaiveDate,
    pub retention_years: u32,
    pub retain_until: NaiveDate,
    /// Days from the report date to `retain_until` (negative once past).
    pub days_left: i64,
    pub object: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_hold: Option<Hold>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purged: Option<PurgeInfo>,
    /// The current version's sign-off sidecar object, read with the record for its title.
    #[serde(skip)]
    pub sidecar: Option<String>,
}

impl RetentionItem {
    fn new(r: &RecordState, as_of: NaiveDate) -> Self {
        RetentionItem {
            id: r.id.clone(),
            title: None,
            signed_off: r.sign_off.date,
            retention_years: r.retention_years,
            retain_until: r.retain_until,
            days_left: (r.retain_until - as_of).num_days(),
            object: r.object.clone(),
            legal_hold: r.legal_hold.clone(),
            purged: r.purged.clone(),
            sidecar: r.attestation.as_ref().map(|a| a.object.clone()),
        }
    }
}

/// What expires when.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionReport {
    pub as_of: NaiveDate,
    pub within_days: u32,
    /// Past `retain_until`, not on hold, not purged: may be purged.
    pub expired: Vec<RetentionItem>,
    /// Reaching `retain_until` within `within_days`, not on hold.
    pub expiring: Vec<RetentionItem>,
    /// On legal hold (whatever their `retain_until`).
    pub on_hold: Vec<RetentionItem>,
    /// Disposed of: the ledger keeps their hash, reason and date.
    pub purged: Vec<RetentionItem>,
    /// Records kept and not expiring soon.
    pub retained: usize,
    /// Records in the archive.
    pub total: usize,
}

/// The retention report as of a date, from the ledger, and the titles of the records it lists
/// that are not purged from their objects (parsed in parallel; the retained ones, only counted,
/// are not read). A purged record is listed without a title.
pub fn report(
    archive: &Archive,
    as_of: NaiveDate,
    within_days: u32,
) -> Result<RetentionReport, ArchiveError> {
    let (state, _) = archive.load_state()?;
    let horizon = as_of.checked_add_days(Days::new(within_days.into())).unwrap_or(NaiveDate::MAX);
    let mut rep = RetentionReport {
        as_of,
        within_days,
        expired: Vec::new(),
        expiring: Vec::new(),
        on_hold: Vec::new(),
        purged: Vec::new(),
        retained: 0,
        total: state.records.len(),
    };
    for r in state.records.values() {
        let item = RetentionItem::new(r, as_of);
        match standing(r, as_of) {
            Standing::Purged => rep.purged.push(item),
            Standing::Held { .. } => rep.on_hold.push(item),
            Standing::Expired => rep.expired.push(item),
            Standing::Kept if r.retain_until <= horizon => rep.expiring.push(item),
            Standing::Kept => rep.retained += 1,
        }
    }
    rep.expired.sort_by(|a, b| (a.retain_until, &a.id).cmp(&(b.retain_until, &b.id)));
    rep.expiring.sort_by(|a, b| (a.retain_until, &a.id).cmp(&(b.retain_until, &b.id)));
    rep.expired.par_iter_mut().chain(rep.expiring.par_iter_mut()).chain(rep.on_hold.par_iter_mut()).for_each(
        |item| {
            item.title = archive
                .parse_object(&item.object, item.sidecar.as_deref())
                .ok()
                .flatten()
                .map(|inc| inc.title)
        },
    );
    Ok(rep)
}

/// Where `r` stands on `on` ([`rules::standing`]).
fn standing(r: &RecordState, on: NaiveDate) -> Standing {
    rules::standing(r.retain_until, r.legal_hold.is_some(), r.purged.is_some(), on)
}

fn carried(r: &RecordState, action: Action, at: DateTime<Utc>, reason: &str) -> Entry {
    Entry {
        seq: 0,
        at,
        action,
        id: r.id.clone(),
        object: r.object.clone(),
        size: r.size,
        title: None,
        attestation: r.attestation.clone(),
        sign_off: r.sign_off.clone(),
        retention_years: r.retention_years,
        retain_until: r.retain_until,
        reason: Some(reason.to_string()),
        prev: String::new(),
    }
}

fn reason_of(reason: &str) -> Result<&str, ArchiveError> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(ArchiveError::Invalid("a reason is required (`--reason`)".into()));
    }
    Ok(r)
}

/// Puts `id` on legal hold; it cannot be purged until released. Returns the ledger entry.
pub fn hold(
    archive: &Archive,
    guard: &LockGuard,
    id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Entry, ArchiveError> {
    hold_or_release(archive, guard, id, reason, now, Action::LegalHold)
}

/// Releases the legal hold of `id`. Returns the ledger entry.
pub fn release(
    archive: &Archive,
    guard: &LockGuard,
    id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Entry, ArchiveError> {
    hold_or_release(archive, guard, id, reason, now, Action::ReleaseHold)
}

fn hold_or_release(
    archive: &Archive,
    guard: &LockGuard,
    id: &str,
    reason: &str,
    now: DateTime<Utc>,
    action: Action,
) -> Result<Entry, ArchiveError> {
    let reason = reason_of(reason)?;
    let mut s = Session::open(archive, guard)?;
    let r = s.state.records.get(id).ok_or_else(|| ArchiveError::UnknownRecord { id: id.to_string() })?;
    let change = if action == Action::LegalHold { HoldChange::Hold } else { HoldChange::Release };
    let (held, purged) = (r.legal_hold.as_ref(), r.purged.as_ref());
    if let Err(refusal) = rules::may_change_hold(change, held.is_some(), purged.is_some()) {
        let why = match (refusal, held, purged) {
            (HoldRefusal::Purged, _, Some(p)) => format!("`{id}` was purged on {}", p.at.date_naive()),
            (HoldRefusal::AlreadyHeld, Some(h), _) => {
                format!("`{id}` is already on legal hold since {} (`{}`)", h.since.date_naive(), h.reason)
            }
            _ => format!("`{id}` is not on legal hold"),
        };
        return Err(ArchiveError::Invalid(why));
    }
    let entry = carried(r, action, now, reason);
    // The store first: the ledger never says held what the store does not hold.
    let store = archive.storage();
    if store.is_remote() {
        for o in record_objects(r) {
            store.set_legal_hold(&storage::object_key(&o), &o, action == Action::LegalHold)?;
        }
    }
    s.begin(action.as_str(), Vec::new(), Vec::new())?;
    let mut out = s.append(vec![entry])?;
    s.finish()?;
    Ok(out.remove(0))
}

/// What `purge` is asked to do.
#[derive(Debug, Clone)]
pub struct PurgeOptions {
    /// Purge records past `retain_until` on this date; never later than `now`'s date (a dry
    /// run may look ahead).
    pub as_of: NaiveDate,
    pub reason: String,
    /// List only.
    pub dry_run: bool,
    /// The time of the purge: the date that `as_of` may not pass, and the `at` of its entries.
    /// The command passes [`super::clock::purge_now`]: the system clock, or a debug build's
    /// earlier test clock, never a later one (a purge is the write whose time decides what is
    /// lost).
    pub now: DateTime<Utc>,
}

/// What `purge` did (or would do).
#[derive(Debug, Clone, Serialize)]
pub struct PurgeReport {
    pub as_of: NaiveDate,
    pub dry_run: bool,
    /// Purged (or, on a dry run, purgeable) records.
    pub purged: Vec<RetentionItem>,
    /// Past `retain_until` but kept: on legal hold.
    pub kept_on_hold: Vec<RetentionItem>,
    /// Objects removed.
    pub objects_removed: usize,
    /// Records past `retain_until` whose objects the store refused to delete (still locked
    /// there): no purge entry was recorded for them. Each with the store's refusal.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_by_store: Vec<(RetentionItem, String)>,
    pub root: String,
    pub ledger_len: u64,
}

/// The sign-off sidecars a record that is not purged, nor among `going`, names (two records may
/// share one).
fn live_sidecars(
    records: &std::collections::BTreeMap<String, RecordState>,
    going: &std::collections::BTreeSet<&str>,
) -> std::collections::BTreeSet<String> {
    records
        .values()
        .filter(|r| r.purged.is_none() && !going.contains(r.id.as_str()))
        .flat_map(|r| r.versions.iter().filter_map(|v| v.attestation.as_ref()))
        .map(|a| a.object.clone())
        .collect()
}

/// Removes the bytes of every record past `retain_until` on `as_of` and not on hold, leaving a
/// `purge` entry (with the hash and the reason) for each.
pub fn purge(archive: &Archive, guard: &LockGuard, opts: &PurgeOptions) -> Result<PurgeReport, ArchiveError> {
    let reason = reason_of(&opts.reason)?;
    let today = opts.now.date_naive();
    if opts.as_of > today && !opts.dry_run {
        return Err(ArchiveError::Invalid(format!(
            "refusing to purge as of {}, which is after today ({today}): records must be kept until their \
             `retain_until` has really passed (use `--dry-run` to plan ahead)",
            opts.as_of
        )));
    }
    let mut s = Session::open(archive, guard)?;
    let mut purged = Vec::new();
    let mut kept_on_hold = Vec::new();
    let mut entries = Vec::new();
    for r in s.state.records.values() {
        match standing(r, opts.as_of) {
            Standing::Expired => {
                purged.push(RetentionItem::new(r, opts.as_of));
                entries.push(carried(r, Action::Purge, opts.now, reason));
            }
            Standing::Held { expired: true } => kept_on_hold.push(RetentionItem::new(r, opts.as_of)),
            Standing::Purged | Standing::Held { expired: false } | Standing::Kept => {}
        }
    }
    let mut refused_by_store = Vec::new();
    let store = archive.storage();
    if store.is_remote() && !opts.dry_run {
        // The store's word first: a record whose bytes it refuses to delete is not purged.
        let going: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        let live = live_sidecars(&s.state.records, &going);
        let mut kept_entries = Vec::new();
        let mut kept_items = Vec::new();
        for (e, item) in entries.into_iter().zip(purged) {
            let r = &s.state.records[&e.id];
            let objects = record_objects(r);
            let mut refusal = None;
            for o in
                objects.iter().filter(|o| r.versions.iter().any(|v| &v.object == *o) || !live.contains(*o))
            {
                match store.delete(&storage::object_key(o), o) {
                    Ok(Removed::Deleted | Removed::Absent) => {}
                    Err(StorageError::Refused { message, .. }) => {
                        refusal = Some(format!("{}: {message}", store.location(&storage::object_key(o))));
                        break;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            match refusal {
                Some(why) => refused_by_store.push((item, why)),
                None => {
                    kept_entries.push(e);
                    kept_items.push(item);
                }
            }
        }
        entries = kept_entries;
        purged = kept_items;
    }
    let mut objects_removed = 0;
    if !opts.dry_run && !entries.is_empty() {
        let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
        let objects: Vec<String> = ids
            .iter()
            .flat_map(|id| s.state.records[id].versions.iter())
            .flat_map(|v| {
                std::iter::once(v.object.clone()).chain(v.attestation.as_ref().map(|a| a.object.clone()))
            })
            .collect();
        s.begin("purge", Vec::new(), ids)?;
        s.append(entries)?;
        let store = archive.store();
        objects_removed = objects.iter().filter(|o| store.path(o).is_ok_and(|p| p.exists())).count();
        s.finish()?;
        for item in &mut purged {
            item.purged = s.state.records[&item.id].purged.clone();
        }
    }
    Ok(PurgeReport {
        as_of: opts.as_of,
        dry_run: opts.dry_run,
        purged,
        kept_on_hold,
        objects_removed,
        refused_by_store,
        root: s.root(),
        ledger_len: s.ledger.lines.len() as u64,
    })
}
