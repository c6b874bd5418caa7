//! The ledger pages (`ledger.html`, `ledger.p2.html`, …): every ledger entry in `seq` order, 500
//! a page, with its time, action, record id (linked unless the record was purged), object hash
//! and reason. Never a title: entries written before titles left the ledger still carry one,
//! and a disposed-of record's title must not outlive its bytes.
//!
//! In `seq` order a full page never changes: a nightly build re-renders only the last page
//! (and every page when their number grows, since each page's pager names them all).

use crate::site::SiteError;
use crate::site::context::{LedgerPage, LedgerRow};
use crate::site::render::{PAGE_SIZE, Renderer, page_path, pager, window};

/// The ledger's first page.
pub(super) const LEDGER: &str = "ledger.html";

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// Page `p` of the ledger.
    pub(super) fn render_ledger(&self, p: usize) -> Result<(), SiteError> {
        self.page(page_path(LEDGER, p), "ledger.html", &self.ledger_page(p))
    }

    fn ledger_page(&self, p: usize) -> LedgerPage<'r> {
        let lines = &self.evidence.ledger.lines;
        let first = (p - 1) * PAGE_SIZE;
        let rows = window(lines, p)
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let seq = (first + i) as u64;
                match &line.entry {
                    Ok(e) => LedgerRow {
                        seq,
                        at: Some(e.at),
                        action: e.action.as_str(),
                        id: &e.id,
                        path: self.live_page_of(&e.id),
                        object: &e.object,
                        reason: e.reason.as_deref(),
                    },
                    Err(_) => LedgerRow {
                        seq,
                        at: None,
                        action: "unreadable",
                        id: "",
                        path: None,
                        object: "",
                        reason: None,
                    },
                }
            })
            .collect();
        LedgerPage { nav: "ledger", rows, pager: pager(LEDGER, p, lines.len()) }
    }

    /// The page of record `id`, unless it was purged (or is not in the snapshot).
    pub(super) fn live_page_of(&self, id: &str) -> Option<&'r str> {
        let records = &self.data.snapshot.records;
        let i = records.binary_search_by(|r| r.id.as_str().cmp(id)).ok()?;
        (!records[i].is_purged()).then(|| self.data.paths[i].as_str())
    }
}
