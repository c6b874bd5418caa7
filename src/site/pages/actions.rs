//! The action-item tracker: three lists (overdue, open, done), each paged on its own, with a
//! summary on its first page.

use crate::site::SiteError;
use crate::site::context::{ActionsPage, ActionsSummary, ListTab};
use crate::site::render::{Renderer, page_path, pager, window};

/// The tracker's lists: name and first page. Each list is paged on its own, so that new items,
/// which come last in their list, leave the other lists' pages unchanged.
const TRACKER: [(&str, &str); 3] =
    [("overdue", "actions.html"), ("open", "actions-open.html"), ("done", "actions-done.html")];

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// Page `p` of list `list` (overdue, open, done).
    pub(super) fn render_actions(&self, list: usize, p: usize) -> Result<(), SiteError> {
        self.page(page_path(TRACKER[list].1, p), "actions.html", &self.actions(list, p))
    }

    fn actions(&self, list: usize, p: usize) -> ActionsPage<'r> {
        let d = self.data;
        let shared = self.shared;
        let range = d.item_ranges[list].clone();
        let landing = list == 0 && p == 1;
        ActionsPage {
            nav: "actions",
            list: TRACKER[list].0,
            lists: TRACKER
                .iter()
                .enumerate()
                .map(|(i, (name, path))| ListTab { name, path, current: i == list })
                .collect(),
            summary: landing.then_some(ActionsSummary {
                counts: &shared.item_counts,
                statuses: &shared.statuses,
                owners: &shared.busiest_owners,
                owners_total: shared.owners.len(),
            }),
            items: self.item_rows(window(&d.items[range.clone()], p)),
            pager: pager(TRACKER[list].1, p, range.len()),
        }
    }
}
