//! Retention: `retain_until` (sign-off date + period, never decreasing), legal holds, the
//! report of what expires when, and `purge`, the only thing that ever removes an object.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use rayon::prelude::*;
use serde::Serialize;

use super::ledger::{Action, Entry};
use super::lock::LockGuard;
use super::session::Session;
use super::state::RecordState;
use super::{Archive, ArchiveError, Hold, PurgeInfo};

/// `date` + `years`; a 29 February lands on 28 February in a year that has none.
/// `None` when out of chrono's range.
pub fn add_years(date: NaiveDate, years: u32) -> Option<NaiveDate> {
    let y = date.year().checked_add(i32::try_from(years).ok()?)?;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, date.month(), 28))
}

/// The `retain_until` of a version: sign-off date + `years`, but never before `previous` (the
/// record's `retain_until` before this version).
pub fn retain_until(signed_off: NaiveDate, years: u32, previous: Option<NaiveDate>) -> Option<NaiveDate> {
    let d = add_years(signed_off, years)?;
    Some(previous.map_or(d, |p| p.max(d)))
}

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
        if r.purged.is_some() {
            rep.purged.push(item);
        } else if r.legal_hold.is_some() {
            rep.on_hold.push(item);
        } else if as_of > r.retain_until {
            rep.expired.push(item);
        } else if r.retain_until <= horizon {
            rep.expiring.push(item);
        } else {
            rep.retained += 1;
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
    if let Some(p) = &r.purged {
        return Err(ArchiveError::Invalid(format!("`{id}` was purged on {}", p.at.date_naive())));
    }
    match (action, &r.legal_hold) {
        (Action::LegalHold, Some(h)) => {
            return Err(ArchiveError::Invalid(format!(
                "`{id}` is already on legal hold since {} (`{}`)",
                h.since.date_naive(),
                h.reason
            )));
        }
        (Action::ReleaseHold, None) => {
            return Err(ArchiveError::Invalid(format!("`{id}` is not on legal hold")));
        }
        _ => {}
    }
    let entry = carried(r, action, now, reason);
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
    pub root: String,
    pub ledger_len: u64,
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
        if r.purged.is_some() || opts.as_of <= r.retain_until {
            continue;
        }
        if r.legal_hold.is_some() {
            kept_on_hold.push(RetentionItem::new(r, opts.as_of));
            continue;
        }
        purged.push(RetentionItem::new(r, opts.as_of));
        entries.push(carried(r, Action::Purge, opts.now, reason));
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
        root: s.root(),
        ledger_len: s.ledger.lines.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn leap_day_lands_on_28_february() {
        assert_eq!(add_years(d("2024-02-29"), 7), Some(d("2031-02-28")));
        assert_eq!(add_years(d("2024-02-29"), 4), Some(d("2028-02-29")));
        assert_eq!(add_years(d("2025-01-15"), 7), Some(d("2032-01-15")));
        assert_eq!(add_years(d("2025-01-15"), u32::MAX), None);
    }

    #[test]
    fn retain_until_never_decreases() {
        let first = retain_until(d("2025-01-15"), 10, None).unwrap();
        assert_eq!(first, d("2035-01-15"));
        assert_eq!(retain_until(d("2025-03-01"), 7, Some(first)), Some(first));
        assert_eq!(retain_until(d("2030-03-01"), 7, Some(first)), Some(d("2037-03-01")));
    }
}
