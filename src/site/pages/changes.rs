//! What the ledger gained, build by build: `changes.html` and its Atom feed `changes.xml`. The
//! entries are grouped by the UTC day of their time, newest day first: new records, new
//! versions, legal holds, releases and purges. A purged record shows its id, hash and reason
//! only (no link, no title); no entry's own title is ever shown.
//!
//! The page lists the newest [`CHANGES_LIMIT`] entries, so that it stays small however many
//! entries one day holds (a first build ingests every record on one day): the day the limit
//! falls in is cut, keeps its full counts and says how many of its entries are not listed and
//! on which ledger page the next one is. Everything before is on the ledger pages, which are
//! paged and stable. The feed holds the same entries (at most [`CHANGES_FEED_DAYS`] days), one
//! Atom entry a day whose id is the day's, so a feed reader sees a day again only when it
//! gains entries. Only these two files change when the ledger grows.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::archive::Action;
use crate::site::SiteError;
use crate::site::context::{ChangeCount, ChangeDay, ChangeRow, ChangesPage};
use crate::site::render::{PAGE_SIZE, Renderer, page_path};

use super::ledger::LEDGER;

/// The most entries `changes.html` and `changes.xml` list (newest first; the day the limit
/// falls in is cut). A row is about 410 bytes of HTML with a title of 50 characters, so the
/// page stays near 100 KB, and under 200 KB with titles of 400 characters.
pub const CHANGES_LIMIT: usize = 250;

/// The most days in `changes.xml`.
pub const CHANGES_FEED_DAYS: usize = 30;

/// The kinds of change, in the order a day's counts name them.
const KINDS: [Action; 5] =
    [Action::Ingest, Action::NewVersion, Action::LegalHold, Action::ReleaseHold, Action::Purge];

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

/// The index of `action` in [`KINDS`].
fn kind(action: Action) -> usize {
    match action {
        Action::Ingest => 0,
        Action::NewVersion => 1,
        Action::LegalHold => 2,
        Action::ReleaseHold => 3,
        Action::Purge => 4,
    }
}

/// Where entry `seq` is: `(seq, page, path)` of the ledger page that holds it (the ledger lists
/// every line in `seq` order, [`PAGE_SIZE`] a page); `(0, 0, "")` for no entry.
fn ledger_link(seq: Option<u64>) -> (u64, usize, String) {
    match seq {
        Some(seq) => {
            let page = seq as usize / PAGE_SIZE + 1;
            (seq, page, page_path(LEDGER, page))
        }
        None => (0, 0, String::new()),
    }
}

/// One day as it is gathered, newest entry first.
#[derive(Default)]
struct Day<'r> {
    entries: Vec<ChangeRow<'r>>,
    /// Every entry of the day, by the index of its action in [`KINDS`].
    counts: [usize; KINDS.len()],
    hidden: usize,
    /// The newest entry of the day that is not listed.
    more: Option<u64>,
    updated: Option<DateTime<Utc>>,
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
        let mut days: BTreeMap<NaiveDate, Day<'r>> = BTreeMap::new();
        let mut shown = 0;
        let mut earlier = 0;
        let mut earlier_seq = None;
        for (seq, line) in self.evidence.ledger.lines.iter().enumerate().rev() {
            let Ok(e) = &line.entry else { continue };
            let date = e.at.date_naive();
            if shown >= CHANGES_LIMIT && !days.contains_key(&date) {
                earlier += 1;
                earlier_seq.get_or_insert(seq as u64);
                continue;
            }
            let day = days.entry(date).or_default();
            day.counts[kind(e.action)] += 1;
            day.updated = day.updated.max(Some(e.at));
            if shown >= CHANGES_LIMIT {
                day.hidden += 1;
                day.more.get_or_insert(seq as u64);
                continue;
            }
            let path = self.live_page_of(&e.id);
            let title = path.and_then(|_| self.title_of(&e.id));
            day.entries.push(ChangeRow {
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
            .map(|(date, day)| {
                let anchor = format!("d-{date}");
                let (more_seq, more_page, more_path) = ledger_link(day.more);
                ChangeDay {
                    date,
                    url: if base.is_empty() {
                        String::new()
                    } else {
                        format!("{base}/changes.html#{anchor}")
                    },
                    anchor,
                    updated: day.updated.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                    counts: KINDS
                        .iter()
                        .zip(day.counts)
                        .filter(|(_, count)| *count > 0)
                        .map(|(kind, count)| ChangeCount { label: label(*kind), count })
                        .collect(),
                    total: day.counts.iter().sum(),
                    entries: day.entries,
                    hidden: day.hidden,
                    more_seq,
                    more_page,
                    more_path,
                }
            })
            .collect();
        let updated = days.first().map(|d| d.updated);
        let (earlier_seq, earlier_page, earlier_path) = ledger_link(earlier_seq);
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
            limit: CHANGES_LIMIT,
            earlier,
            earlier_seq,
            earlier_page,
            earlier_path,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The ledger lists `PAGE_SIZE` lines a page in `seq` order: the link names the page whose
    /// rows hold the entry, also at a page's edges.
    #[test]
    fn an_entry_is_linked_to_the_ledger_page_that_holds_it() {
        let at = |seq: u64| ledger_link(Some(seq));
        assert_eq!(at(0), (0, 1, "ledger.html".to_string()));
        assert_eq!(at(PAGE_SIZE as u64 - 1), (PAGE_SIZE as u64 - 1, 1, "ledger.html".to_string()));
        assert_eq!(at(PAGE_SIZE as u64), (PAGE_SIZE as u64, 2, "ledger.p2.html".to_string()));
        assert_eq!(at(99_999), (99_999, 200, "ledger.p200.html".to_string()));
        assert_eq!(ledger_link(None), (0, 0, String::new()));
    }
}
