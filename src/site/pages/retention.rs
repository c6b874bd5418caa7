//! The retention pages: `retention.html` (what expired, what expires soon, what is on legal
//! hold, what was purged, the first rows of each, and when the rest expires) and one paged list
//! per category (`retention/expired.html`, `retention/expiring.html`, `retention/held.html`,
//! `retention/purged.html`); and the retention state every page shows.

use chrono::NaiveDate;

use crate::site::SiteError;
use crate::site::context::{RetentionList, RetentionListPage, RetentionPage, RetentionRow, YearCount};
use crate::site::data::SiteData;
use crate::site::render::{LIST_PAGE_SIZE, Renderer, page_path, pager_of, window_of};
use crate::snapshot::ArchivedRecord;

/// Records whose retention ends within this many days of the build date are "expiring".
pub const EXPIRING_DAYS: i64 = 90;

/// The categories of the retention page, in its order, with their lists' first pages.
pub const RETENTION_CATEGORIES: [(&str, &str); 4] = [
    ("expired", "retention/expired.html"),
    ("expiring", "retention/expiring.html"),
    ("held", "retention/held.html"),
    ("purged", "retention/purged.html"),
];

/// Rows of each category on `retention.html`; the rest are on the category's pages.
const SHOWN: usize = 20;

/// The records of each category in their order, and the schedule (computed once per build).
pub(crate) struct RetentionLists {
    /// Per category of [`RETENTION_CATEGORIES`]: records, in the category's order.
    pub lists: [Vec<usize>; 4],
    /// Records not purged by the year their retention ends.
    pub schedule: Vec<YearCount>,
}

impl RetentionLists {
    pub(crate) fn new(d: &SiteData<'_>) -> RetentionLists {
        let mut lists: [Vec<usize>; 4] = Default::default();
        let mut schedule: std::collections::BTreeMap<i32, usize> = Default::default();
        for (i, r) in d.snapshot.records.iter().enumerate() {
            if let Some(cat) =
                RETENTION_CATEGORIES.iter().position(|c| c.0 == retention_state(r, d.build_date))
            {
                lists[cat].push(i);
            }
            if !r.is_purged() {
                *schedule.entry(chrono::Datelike::year(&r.retain_until)).or_default() += 1;
            }
        }
        let recs = &d.snapshot.records;
        // Expired and expiring: the soonest end first; held: by id; purged: the latest first.
        for list in &mut lists[..2] {
            list.sort_by(|&a, &b| {
                (recs[a].retain_until, &recs[a].id).cmp(&(recs[b].retain_until, &recs[b].id))
            });
        }
        let purged_at = |i: usize| recs[i].purged().map(|p| p.at);
        lists[3].sort_by(|&a, &b| (purged_at(b), &recs[a].id).cmp(&(purged_at(a), &recs[b].id)));
        RetentionLists {
            lists,
            schedule: schedule.into_iter().map(|(year, count)| YearCount { year, count }).collect(),
        }
    }
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `retention.html`.
    pub(super) fn render_retention(&self) -> Result<(), SiteError> {
        self.page("retention.html".into(), "retention.html", &self.retention())
    }

    /// Page `p` of retention category `cat`.
    pub(super) fn render_retention_list(&self, cat: usize, p: usize) -> Result<(), SiteError> {
        let list = &self.shared.retention.lists[cat];
        let (category, base) = RETENTION_CATEGORIES[cat];
        let page = RetentionListPage {
            nav: "retention",
            category,
            expiring_days: EXPIRING_DAYS,
            total: list.len(),
            rows: window_of(list, p, LIST_PAGE_SIZE).iter().map(|&i| self.retention_row(i)).collect(),
            pager: pager_of(base, p, list.len(), LIST_PAGE_SIZE),
        };
        self.page(page_path(base, p), "retention-list.html", &page)
    }

    fn retention(&self) -> RetentionPage<'r> {
        let lists = &self.shared.retention.lists;
        let rows = |cat: usize| -> RetentionList<'r> {
            RetentionList {
                total: lists[cat].len(),
                rows: lists[cat].iter().take(SHOWN).map(|&i| self.retention_row(i)).collect(),
                path: RETENTION_CATEGORIES[cat].1,
            }
        };
        RetentionPage {
            nav: "retention",
            expiring_days: EXPIRING_DAYS,
            expired: rows(0),
            expiring: rows(1),
            held: rows(2),
            purged: rows(3),
            schedule: self.shared.retention.schedule.clone(),
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
