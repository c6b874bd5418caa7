//! The retention page (`retention.html`): what expired, what expires soon, what is on legal
//! hold, what was purged, and when the rest expires; and the retention state every page shows.

use chrono::NaiveDate;

use super::LIST_LIMIT;
use crate::site::SiteError;
use crate::site::context::{RetentionList, RetentionPage, RetentionRow, YearCount};
use crate::site::render::Renderer;
use crate::snapshot::ArchivedRecord;

/// Records whose retention ends within this many days of the build date are "expiring".
pub const EXPIRING_DAYS: i64 = 90;

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `retention.html`.
    pub(super) fn render_retention(&self) -> Result<(), SiteError> {
        self.page("retention.html".into(), "retention.html", &self.retention())
    }

    fn retention(&self) -> RetentionPage<'r> {
        let d = self.data;
        let mut lists: [Vec<usize>; 4] = Default::default();
        let mut schedule: std::collections::BTreeMap<i32, usize> = Default::default();
        for (i, r) in d.snapshot.records.iter().enumerate() {
            let state = retention_state(r, d.build_date);
            match state {
                "expired" => lists[0].push(i),
                "expiring" => lists[1].push(i),
                "held" => lists[2].push(i),
                "purged" => lists[3].push(i),
                _ => {}
            }
            if !r.is_purged() {
                *schedule.entry(chrono::Datelike::year(&r.retain_until)).or_default() += 1;
            }
        }
        let recs = &d.snapshot.records;
        lists[0]
            .sort_by(|&a, &b| (recs[a].retain_until, &recs[a].id).cmp(&(recs[b].retain_until, &recs[b].id)));
        lists[1]
            .sort_by(|&a, &b| (recs[a].retain_until, &recs[a].id).cmp(&(recs[b].retain_until, &recs[b].id)));
        let purged_at = |i: usize| recs[i].purged().map(|p| p.at);
        lists[3].sort_by(|&a, &b| (purged_at(b), &recs[a].id).cmp(&(purged_at(a), &recs[b].id)));
        let rows = |list: &[usize]| -> RetentionList<'r> {
            RetentionList {
                total: list.len(),
                rows: list.iter().take(LIST_LIMIT).map(|&i| self.retention_row(i)).collect(),
            }
        };
        RetentionPage {
            nav: "retention",
            expiring_days: EXPIRING_DAYS,
            expired: rows(&lists[0]),
            expiring: rows(&lists[1]),
            held: rows(&lists[2]),
            purged: rows(&lists[3]),
            schedule: schedule.into_iter().map(|(year, count)| YearCount { year, count }).collect(),
        }
    }

    fn retention_row(&self, i: usize) -> RetentionRow<'r> {
        let d = self.data;
        let r = d.record(i);
        RetentionRow {
            id: &r.id,
            title: r.title(),
            path: self.path_of(i),
            object: &r.object,
            retain_until: r.retain_until,
            // The ledger's sign-off date when the record is gone (or cannot be read).
            signed_off: r.summary().map_or(Some(r.sign_off.date), |inc| inc.sign_off().date),
            legal_hold: r.legal_hold.as_ref(),
            purged: r.purged(),
            state: retention_state(r, d.build_date),
        }
    }
}

/// Where a record stands in its retention on `today`.
pub(super) fn retention_state(r: &ArchivedRecord, today: NaiveDate) -> &'static str {
    if r.is_purged() {
        "purged"
    } else if r.legal_hold.is_some() {
        "held"
    } else if r.retain_until < today {
        "expired"
    } else if (r.retain_until - today).num_days() <= EXPIRING_DAYS {
        "expiring"
    } else {
        "retained"
    }
}
