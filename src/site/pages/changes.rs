//! What the ledger gained, build by build: `changes.html` and its Atom feed `changes.xml`. The
//! entries are grouped by the UTC day of their time, newest day first: new records, new
//! versions, legal holds, releases and purges. A purged record shows its id, hash and reason
//! only (no link, no title); no entry's own title is ever shown.
//!
//! The page holds the latest days up to [`CHANGES_LIMIT`] entries (whole days); everything
//! before is on the ledger pages, which are paged and stable. Only these two files change when
//! the ledger grows.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::archive::Action;
use crate::site::SiteError;
use crate::site::context::{ChangeCount, ChangeDay, ChangeRow, ChangesPage};
use crate::site::render::{PAGE_SIZE, Renderer};

/// The most entries `changes.html` lists (whole days: a day is never cut).
pub const CHANGES_LIMIT: usize = PAGE_SIZE;

/// The days in `changes.xml`.
pub const CHANGES_FEED_DAYS: usize = 30;

/// How a change is named, by action.
fn label(action: Action) -> &'static str {
    match action {
        Action::Ingest => "new record",
        Action::NewVersion => "new version",
        Action::LegalHold => "legal hold",
        Action::ReleaseHold => "hold released",
        Action::Purge => "purged",
    }
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `changes.html` and `changes.xml`.
    pub(super) fn render_changes(&self) -> Result<(), SiteError> {
        let page = self.changes();
        self.page("changes.html".into(), "changes.html", &page)?;
        let feed = ChangesPage { days: page.days.into_iter().take(CHANGES_FEED_DAYS).collect(), ..page };
        self.page("changes.xml".into(), "changes.xml", &feed)
    }

    fn changes(&self) -> ChangesPage<'r> {
        let base = self.site.base_url.trim_end_matches('/');
        let mut days: BTreeMap<NaiveDate, Vec<ChangeRow<'r>>> = BTreeMap::new();
        let mut shown = 0;
        let mut earlier = 0;
        for (seq, line) in self.evidence.ledger.lines.iter().enumerate().rev() {
            let Ok(e) = &line.entry else { continue };
            let date = e.at.date_naive();
            if shown >= CHANGES_LIMIT && !days.contains_key(&date) {
                earlier += 1;
                continue;
            }
            let path = self.live_page_of(&e.id);
            let title = path.and_then(|_| self.title_of(&e.id));
            days.entry(date).or_default().push(ChangeRow {
                seq: seq as u64,
                at: e.at,
                action: e.action.as_str(),
                label: label(e.action),
                id: &e.id,
                path,
                title,
                object: &e.object,
                reason: e.reason.as_deref(),
            });
            shown += 1;
        }
        let days: Vec<ChangeDay> = days
            .into_iter()
            .rev()
            .map(|(date, entries)| {
                let mut counts: BTreeMap<(u8, &'static str), usize> = BTreeMap::new();
                for e in &entries {
                    let order = ["new record", "new version", "legal hold", "hold released", "purged"]
                        .iter()
                        .position(|l| *l == e.label)
                        .unwrap_or(5) as u8;
                    *counts.entry((order, e.label)).or_default() += 1;
                }
                let anchor = format!("d-{date}");
                ChangeDay {
                    date,
                    url: if base.is_empty() {
                        String::new()
                    } else {
                        format!("{base}/changes.html#{anchor}")
                    },
                    anchor,
                    updated: entries.iter().map(|e| e.at).max().unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                    counts: counts
                        .into_iter()
                        .map(|((_, label), count)| ChangeCount { label, count })
                        .collect(),
                    entries,
                }
            })
            .collect();
        let updated = days.first().map(|d| d.updated);
        ChangesPage {
            nav: "changes",
            feed_id: if base.is_empty() {
                "urn:incident-archive:changes".to_string()
            } else {
                format!("{base}/changes.xml")
            },
            updated: updated
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(|| format!("{}T00:00:00Z", self.build_date)),
            earlier,
            days,
        }
    }

    /// The current title of record `id` (from the snapshot, never from the ledger).
    fn title_of(&self, id: &str) -> Option<&'r str> {
        let records = &self.data.snapshot.records;
        let i = records.binary_search_by(|r| r.id.as_str().cmp(id)).ok()?;
        records[i].title()
    }
}
