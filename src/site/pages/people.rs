//! The customers and the action-item owners: their indexes (`customers/index.html`,
//! `owners/index.html`) and one paged page each (`customers/<slug>.html`,
//! `owners/<slug>.html`).

use minijinja::Value;

use super::LIST_LIMIT;
use crate::site::SiteError;
use crate::site::charts::{self, ChartSpec, SEVERITY_SERIES};
use crate::site::context::{
    CustomerIncident, CustomerPage, CustomerRow, CustomersPage, OwnerHead, OwnerName, OwnerPage, OwnerRow,
    OwnersPage,
};
use crate::site::data::{Customer, ItemRef, ItemState, Owner, SiteData, item_state};
use crate::site::render::{Renderer, page_path, pager, window};

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `customers/index.html`.
    pub(super) fn render_customers_index(&self) -> Result<(), SiteError> {
        let page = CustomersPage { nav: "customers", customers: &self.shared.customers };
        self.page("customers/index.html".into(), "customers.html", &page)
    }

    /// Page `p` of customer `c`; its chart is drawn only when the page is rendered.
    pub(super) fn render_customer(&self, c: usize, p: usize) -> Result<(), SiteError> {
        let path = page_path(&self.data.customers[c].path, p);
        let page = self.customer_page(c, p);
        let chart = || match &page.chart_data {
            Some(buckets) => {
                let spec = ChartSpec {
                    id: "chart-customer",
                    title: "Incidents affecting this customer over time",
                    width: 560,
                    height: 160,
                    series: &SEVERITY_SERIES,
                };
                minijinja::context! { chart => Value::from_safe_string(charts::stacked_bars(&spec, buckets)) }
            }
            None => minijinja::context! {},
        };
        self.page_keyed(path, "customer.html", &page, &page, &chart)
    }

    /// `owners/index.html`.
    pub(super) fn render_owners_index(&self) -> Result<(), SiteError> {
        let page = OwnersPage { nav: "actions", owners: &self.shared.owners };
        self.page("owners/index.html".into(), "owners.html", &page)
    }

    /// Page `p` of owner `o`.
    pub(super) fn render_owner(&self, o: usize, p: usize) -> Result<(), SiteError> {
        let owner = &self.data.owners[o];
        let rows = self.item_rows(window(&owner.items, p));
        let pager = pager(&owner.path, p, owner.items.len());
        // The counts only on the first page: the others change only with their rows.
        let row = &self.shared.owners[o];
        let head = if p == 1 {
            OwnerHead::Counts(row)
        } else {
            OwnerHead::Name(OwnerName { name: row.name, path: row.path })
        };
        let page = OwnerPage { nav: "actions", owner: head, items: rows, pager };
        self.page(page_path(&owner.path, p), "owner.html", &page)
    }

    fn customer_page(&self, c: usize, p: usize) -> CustomerPage<'r> {
        let d = self.data;
        let customer = &d.customers[c];
        let rows = window(&customer.rows, p)
            .iter()
            .map(|&(rec, row)| {
                let imp = &d.summary(rec).customers()[row];
                CustomerIncident {
                    incident: self.incident_row(rec),
                    users_affected: imp.users_affected,
                    max_delay_seconds: imp.max_delay_seconds,
                    min_delay_seconds: imp.min_delay_seconds,
                    complaints: imp.complaints,
                }
            })
            .collect();
        let (mut chart, mut open_items, mut open_total) = (None, Vec::new(), 0);
        if p == 1 {
            let buckets = charts::by_time_and_severity(
                customer.recs.iter().filter_map(|&r| {
                    let inc = d.summary(r);
                    inc.started_at().map(|t| (t, charts::severity_index(inc.severity())))
                }),
                36,
            );
            chart = Some(buckets);
            let mut open: Vec<ItemRef> = Vec::new();
            for &rec in &customer.recs {
                for (item, ai) in d.summary(rec).action_items().iter().enumerate() {
                    let state = item_state(ai, d.build_date);
                    if state != ItemState::Done {
                        open.push(ItemRef { rec, item, state });
                    }
                }
            }
            open.sort_by(|a, b| {
                let (ia, ib) = (d.item(a), d.item(b));
                (a.state, ia.due.is_none(), ia.due, &d.record(a.rec).id, a.item).cmp(&(
                    b.state,
                    ib.due.is_none(),
                    ib.due,
                    &d.record(b.rec).id,
                    b.item,
                ))
            });
            open_total = open.len();
            open_items = open.iter().take(LIST_LIMIT).map(|r| self.item_row(r)).collect();
        }
        CustomerPage {
            nav: "customers",
            customer: &self.shared.customers[c],
            chart_data: chart,
            incidents: rows,
            pager: pager(&customer.path, p, customer.rows.len()),
            open_items,
            open_total,
        }
    }
}

/// A customer's row: what the index lists and the head of the customer's pages.
pub(super) fn customer_row<'r>(d: &'r SiteData<'_>, c: &'r Customer<'_>) -> CustomerRow<'r> {
    let (mut open, mut overdue) = (0, 0);
    for &rec in &c.recs {
        open += d.item_counts[rec].0;
        overdue += d.item_counts[rec].1;
    }
    CustomerRow {
        name: c.name,
        path: &c.path,
        incidents: c.recs.len(),
        users: c.users,
        worst_delay_seconds: c.worst_delay,
        complaints: c.complaints,
        open_items: open,
        overdue_items: overdue,
        first_incident_at: c.recs.last().and_then(|&r| d.summary(r).started_at()),
        last_incident_at: c.recs.first().and_then(|&r| d.summary(r).started_at()),
    }
}

/// An owner's row: their items by state.
pub(super) fn owner_row<'r>(o: &'r Owner<'_>) -> OwnerRow<'r> {
    let mut row = OwnerRow { name: o.name, path: &o.path, total: o.items.len(), ..OwnerRow::default() };
    for it in &o.items {
        match it.state {
            ItemState::Overdue => row.overdue += 1,
            ItemState::Open => row.open += 1,
            ItemState::Done => row.done += 1,
        }
    }
    row
}
