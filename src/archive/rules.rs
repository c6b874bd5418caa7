//! The retention rules, pure: how long a record is kept, and what retention allows for it on a
//! date (purge it, hold it, release it). No I/O, no lock, nothing of the archive: the retention
//! operations ([`super::retention`]), the fold of the ledger into record states that verify,
//! the writers and the snapshot all rest on ([`super::state`]), and ingest apply the same
//! functions.

use chrono::{Datelike, NaiveDate};

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

/// True when `on` is past `retain_until`: the first day a record kept until `retain_until`
/// may be purged is the day after. A purge dated earlier is a purge too early.
pub fn is_past(retain_until: NaiveDate, on: NaiveDate) -> bool {
    on > retain_until
}

/// Where a record stands on a date, as retention sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Its bytes were purged: nothing more can happen to it.
    Purged,
    /// On legal hold: it may not be purged, past `retain_until` (`expired`) or not.
    Held { expired: bool },
    /// Past `retain_until` and not on hold: it may be purged.
    Expired,
    /// Kept: `retain_until` is not past.
    Kept,
}

impl Standing {
    /// True when a purge on the date may remove the record's bytes.
    pub fn may_purge(self) -> bool {
        self == Standing::Expired
    }
}

/// Where a record kept until `retain_until`, on hold or not, purged or not, stands on `on`.
pub fn standing(retain_until: NaiveDate, on_hold: bool, purged: bool, on: NaiveDate) -> Standing {
    let expired = is_past(retain_until, on);
    if purged {
        Standing::Purged
    } else if on_hold {
        Standing::Held { expired }
    } else if expired {
        Standing::Expired
    } else {
        Standing::Kept
    }
}

/// A change of a record's legal hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldChange {
    /// Put it on hold.
    Hold,
    /// Release its hold.
    Release,
}

/// Why a change of a record's legal hold is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldRefusal {
    /// The record was purged: its hold can no longer change.
    Purged,
    /// A hold of a record already on hold.
    AlreadyHeld,
    /// A release of a record not on hold.
    NotHeld,
}

/// Whether `change` is allowed for a record on hold or not, purged or not (at any date: a
/// hold does not depend on `retain_until`).
pub fn may_change_hold(change: HoldChange, on_hold: bool, purged: bool) -> Result<(), HoldRefusal> {
    match (change, on_hold) {
        _ if purged => Err(HoldRefusal::Purged),
        (HoldChange::Hold, true) => Err(HoldRefusal::AlreadyHeld),
        (HoldChange::Release, false) => Err(HoldRefusal::NotHeld),
        _ => Ok(()),
    }
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

    #[test]
    fn a_record_may_be_purged_only_the_day_after_retain_until_and_not_on_hold() {
        let until = d("2032-01-15");
        assert!(!is_past(until, d("2032-01-15")), "kept through its last day");
        assert!(is_past(until, d("2032-01-16")));
        assert_eq!(standing(until, false, false, d("2032-01-15")), Standing::Kept);
        assert_eq!(standing(until, false, false, d("2032-01-16")), Standing::Expired);
        assert_eq!(standing(until, true, false, d("2032-01-15")), Standing::Held { expired: false });
        assert_eq!(standing(until, true, false, d("2040-01-01")), Standing::Held { expired: true });
        assert_eq!(standing(until, true, true, d("2040-01-01")), Standing::Purged);
        let may: Vec<bool> = [
            standing(until, false, false, d("2032-01-16")),
            standing(until, true, false, d("2032-01-16")),
            standing(until, false, true, d("2032-01-16")),
            standing(until, false, false, d("2032-01-15")),
        ]
        .iter()
        .map(|s| s.may_purge())
        .collect();
        assert_eq!(may, [true, false, false, false]);
    }

    #[test]
    fn holds_change_only_on_records_not_purged() {
        use HoldChange::*;
        assert_eq!(may_change_hold(Hold, false, false), Ok(()));
        assert_eq!(may_change_hold(Hold, true, false), Err(HoldRefusal::AlreadyHeld));
        assert_eq!(may_change_hold(Release, true, false), Ok(()));
        assert_eq!(may_change_hold(Release, false, false), Err(HoldRefusal::NotHeld));
        assert_eq!(may_change_hold(Hold, false, true), Err(HoldRefusal::Purged));
        assert_eq!(may_change_hold(Release, true, true), Err(HoldRefusal::Purged));
    }
}
