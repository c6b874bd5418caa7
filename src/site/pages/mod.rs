//! The pages of the site, one module per kind of output: the home page, incident pages, the
//! incident lists (index and years), customers and owners, the action-item tracker, retention,
//! and the feed and JSON export. Each builds its context (see [`super::context`]) and hands it
//! to the render engine ([`super::render`]); this module dispatches a job to its page and
//! builds the rows several pages show.

mod actions;
mod bundles;
mod changes;
mod checkpoint;
mod diff;
mod exports;
mod feed;
mod home;
mod incident;
mod ledger;
mod lists;
mod originals;
mod people;
mod print;
mod retention;
mod tracker;

use super::SiteError;
use super::context::{CustomerRow, IncidentRow, ItemCounts, ItemRow, OwnerRow, SearchPage, StatusCount};
use super::data::{ItemRef, ItemState, SiteData};
use super::render::{Job, Renderer};

pub(super) use actions::TRACKER_PAGE;
pub(super) use bundles::BundleSet;
pub use exports::EXPORTS;
pub(super) use originals::Originals;
#[cfg(test)]
pub(super) use people::impact_summary;
pub use people::{CUSTOMER_SORTS, OWNER_SORTS};
pub use retention::EXPIRING_DAYS;

/// The most rows of a secondary list on one page. The default pages page every long list
/// instead (see `render::LIST_PAGE_SIZE`); kept for programs that use the library.
pub const LIST_LIMIT: usize = 1000;

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// Produces one file of the site.
    pub(super) fn run(&self, job: Job) -> Result<(), SiteError> {
        match job {
            Job::Asset(i) => {
                let (path, bytes) = &self.templates.assets[i];
                self.bytes(path, bytes.clone())
            }
            Job::Incident(i) => self.render_incident(i),
            Job::Home => self.render_home(),
            Job::IncidentsIndex => self.render_incidents_index(),
            Job::Year(y, p) => self.render_year(y, p),
            Job::CustomersIndex(view, p) => self.render_customers_index(view, p),
            Job::Customer(c, p) => self.render_customer(c, p),
            Job::CustomerItems(c) => self.render_customer_items(c),
            Job::OwnersIndex(view, p) => self.render_owners_index(view, p),
            Job::Owner(o, p) => self.render_owner(o, p),
            Job::Actions(list, p) => self.render_actions(list, p),
            Job::TrackerMeta => self.render_tracker(None),
            Job::TrackerData(i) => self.render_tracker(Some(i)),
            Job::Retention => self.render_retention(),
            Job::RetentionList(cat, p) => self.render_retention_list(cat, p),
            Job::Export(i) => self.render_export(i),
            Job::CustomerCsv(c) => self.render_customer_csv(c),
            Job::Checkpoint => self.render_checkpoint(),
            Job::Changes => self.render_changes(),
            Job::BuildCss => self.render_build_css(),
            Job::Ledger(p) => self.render_ledger(p),
            Job::Original(i) => self.render_original(i),
            Job::Proof(i) => self.render_proof(i),
            Job::Search => self.page("search.html".into(), "search.html", &SearchPage { nav: "search" }),
            Job::Feed => self.render_feed(),
            Job::Json => self.render_json(),
        }
    }

    // ----- rows shared by many pages -----

    fn incident_row(&self, rec: usize) -> IncidentRow<'r> {
        let d = self.data;
        let inc = d.summary(rec);
        let (open_items, overdue_items) = d.item_counts[rec];
        IncidentRow {
            id: &d.record(rec).id,
            path: self.path_of(rec),
            title: inc.title(),
            severity: inc.severity(),
            severity_label: inc.severity_label(),
            status: inc.status(),
            started_at: inc.started_at(),
            duration_seconds: inc.duration_seconds(),
            users_affected: inc.users_affected(),
            customers: inc.customers().len(),
            open_items,
            overdue_items,
            changed_after_sign_off: self.changed_after_sign_off(d.record(rec)),
        }
    }

    fn path_of(&self, rec: usize) -> &'r str {
        &self.data.paths[rec]
    }

    fn item_rows(&self, refs: &[ItemRef]) -> Vec<ItemRow<'r>> {
        refs.iter().map(|r| self.item_row(r)).collect()
    }

    fn item_row(&self, r: &ItemRef) -> ItemRow<'r> {
        let d = self.data;
        let item = d.item(r);
        let inc = d.summary(r.rec);
        ItemRow {
            id: &item.id,
            action: &item.action,
            owner: item.owner.trim(),
            owner_path: Some(d.owners[d.item_owner[r.rec][r.item] as usize].path.as_str()),
            due: item.due,
            status: &item.status,
            done: item.done,
            state: r.state.name(),
            incident_id: &d.record(r.rec).id,
            incident_title: inc.title(),
            incident_path: self.path_of(r.rec),
            severity: inc.severity(),
        }
    }
}

/// Rows and summaries that several pages show, computed once (not once per page).
pub(super) struct Shared<'r> {
    customers: Vec<CustomerRow<'r>>,
    owners: Vec<OwnerRow<'r>>,
    item_counts: ItemCounts,
    statuses: Vec<StatusCount<'r>>,
    /// The tracker's data files.
    pub(super) tracker: tracker::Tracker,
    /// The sorted views of the customers and owners indexes.
    orders: people::Orders,
    /// The retention categories' records, in order.
    retention: retention::RetentionLists,
}

impl<'r> Shared<'r> {
    pub(super) fn new(d: &'r SiteData<'_>) -> Shared<'r> {
        let customers: Vec<CustomerRow> = d.customers.iter().map(|c| people::customer_row(d, c)).collect();
        let owners: Vec<OwnerRow> = d.owners.iter().map(people::owner_row).collect();
        let mut item_counts = ItemCounts { total: d.items.len(), ..ItemCounts::default() };
        let mut statuses: std::collections::BTreeMap<&str, usize> = Default::default();
        for it in &d.items {
            match it.state {
                ItemState::Overdue => item_counts.overdue += 1,
                ItemState::Open => item_counts.open += 1,
                ItemState::Done => item_counts.done += 1,
            }
            *statuses.entry(d.item(it).status.as_str()).or_default() += 1;
        }
        let mut statuses: Vec<StatusCount> =
            statuses.into_iter().map(|(status, count)| StatusCount { status, count }).collect();
        statuses.sort_by(|a, b| b.count.cmp(&a.count).then(a.status.cmp(b.status)));
        let tracker = tracker::Tracker::new(d);
        let orders = people::Orders::new(&customers, &owners);
        let retention = retention::RetentionLists::new(d);
        Shared { customers, owners, item_counts, statuses, tracker, orders, retention }
    }

    /// The number of records in each retention category (`RETENTION_CATEGORIES`).
    pub(super) fn retention_totals(&self) -> [usize; 4] {
        self.retention.lists.each_ref().map(Vec::len)
    }
}
