//! The action-item tracker's pages: three lists (overdue, open, done), each paged on its own as
//! what reads without script (and what a crawler or a printout sees), with the summaries by
//! owner and by team on the first page, above the list. `assets/actions.js` turns that first
//! page into a tracker over every item, from the data files of [`super::tracker`].

use std::collections::BTreeMap;

use crate::site::SiteError;
use crate::site::context::{ActionsPage, ActionsSummary, GroupRow, ListTab, OwnerRow, TrackerRow};
use crate::site::data::ItemState;
use crate::site::pages::tracker::{anchor, encode_component, team_of};
use crate::site::render::{Renderer, page_path, pager_of, window_of};

/// The tracker's lists: name and first page. Each list is paged on its own, so that new items,
/// which come last in their list, leave the other lists' pages unchanged.
const TRACKER: [(&str, &str); 3] =
    [("overdue", "actions.html"), ("open", "actions-open.html"), ("done", "actions-done.html")];

/// Rows per page of the tracker's lists, as many as the script tracker shows: fewer than other
/// lists (500), so that `actions.html`, which the tracker's script also loads, stays light
/// (about 40 KB of HTML).
pub const TRACKER_PAGE: usize = 50;

/// Rows of each summary (owners, teams) on the page; the tracker filters by any of them.
const SUMMARY_ROWS: usize = 10;

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
        let today = d.build_date;
        ActionsPage {
            nav: "actions",
            list: TRACKER[list].0,
            lists: TRACKER
                .iter()
                .enumerate()
                .map(|(i, (name, path))| ListTab { name, path, current: i == list })
                .collect(),
            summary: landing.then(|| {
                let owners = shared.owners.iter().map(|o| group(o.name, Some(o.path), o, "o"));
                let teams = teams(&shared.owners);
                ActionsSummary {
                    counts: &shared.item_counts,
                    statuses: &shared.statuses,
                    owners: busiest(owners.collect()),
                    owners_total: shared.owners.len(),
                    teams_total: teams.len(),
                    teams: busiest(teams),
                }
            }),
            items: window_of(&d.items[range.clone()], p, TRACKER_PAGE)
                .iter()
                .map(|r| {
                    let item = d.item(r);
                    TrackerRow {
                        anchor: anchor(&d.record(r.rec).id, &item.id, r.item),
                        days_overdue: (r.state == ItemState::Overdue)
                            .then(|| item.due.map(|due| (today - due).num_days()))
                            .flatten(),
                        item: self.item_row(r),
                    }
                })
                .collect(),
            pager: pager_of(TRACKER[list].1, p, range.len(), TRACKER_PAGE),
        }
    }
}

/// A summary row from an owner's or a team's counts; `key` is the tracker's filter (`o`, `t`).
fn group<'r>(name: &'r str, path: Option<&'r str>, c: &OwnerRow<'_>, key: &str) -> GroupRow<'r> {
    GroupRow {
        name,
        path,
        filter: format!("s=all&{key}={}", encode_component(name)),
        total: c.total,
        overdue: c.overdue,
        open: c.open,
        done: c.done,
        completion: (c.total > 0).then(|| ((c.done * 100 + c.total / 2) / c.total) as u32),
    }
}

/// Every team (see [`team_of`]) with the counts of its owners, by name.
fn teams<'r>(owners: &[OwnerRow<'r>]) -> Vec<GroupRow<'r>> {
    let mut by_team: BTreeMap<&'r str, OwnerRow<'r>> = BTreeMap::new();
    for o in owners {
        let t = by_team.entry(team_of(o.name)).or_default();
        t.total += o.total;
        t.overdue += o.overdue;
        t.open += o.open;
        t.done += o.done;
    }
    by_team.iter().map(|(name, c)| group(name, None, c, "t")).collect()
}

/// The [`SUMMARY_ROWS`] rows with most overdue, then open items.
fn busiest(mut rows: Vec<GroupRow<'_>>) -> Vec<GroupRow<'_>> {
    rows.sort_by(|a, b| (b.overdue, b.open).cmp(&(a.overdue, a.open)).then(a.name.cmp(b.name)));
    rows.truncate(SUMMARY_ROWS);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(name: &'static str, overdue: usize, open: usize, done: usize) -> OwnerRow<'static> {
        OwnerRow { name, path: "", total: overdue + open + done, overdue, open, done }
    }

    #[test]
    fn teams_add_up_their_owners_and_rank_by_overdue() {
        let owners = [
            owner("Ana Ruiz (SRE)", 1, 2, 1),
            owner("SRE", 3, 0, 0),
            owner("DB Team", 0, 1, 3),
            owner("Sarah Mitchell", 0, 0, 0),
        ];
        let teams = teams(&owners);
        let names: Vec<&str> = teams.iter().map(|t| t.name).collect();
        assert_eq!(names, ["DB Team", "SRE", "Sarah Mitchell"]);
        let sre = &teams[1];
        assert_eq!((sre.total, sre.overdue, sre.open, sre.done), (7, 4, 2, 1));
        assert_eq!(sre.completion, Some(14), "1 of 7 done, rounded");
        assert_eq!(teams[0].completion, Some(75));
        assert_eq!(teams[2].completion, None, "no items, no rate");
        assert_eq!(sre.filter, "s=all&t=SRE");
        let ranked: Vec<&str> = busiest(teams).iter().map(|t| t.name).collect();
        assert_eq!(ranked, ["SRE", "DB Team", "Sarah Mitchell"]);
    }
}
