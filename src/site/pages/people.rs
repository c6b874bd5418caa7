//! The customers and the action-item owners: their indexes in every sorted view
//! (`customers/index.html`, `customers/by-users.html`, …, `owners/index.html`,
//! `owners/by-overdue.html`, …, each paged), one paged page each (`customers/<slug>.html`,
//! `owners/<slug>.html`), a customer's action items (`customers/<slug>.items.html`) and its
//! impact per month and quarter.
//!
//! Sorting works without script: each order is a list of pages of its own, rendered in the
//! build, and the column headers link to them. The orders are computed once per build
//! ([`Orders`]), so a view costs only the rendering of its pages.

use chrono::Datelike;
use minijinja::Value;

use crate::record::Summarized;
use crate::site::SiteError;
use crate::site::charts::{self, ChartSpec, SEVERITY_SERIES};
use crate::site::context::{
    CreditSummary, CustomerImpactSummary, CustomerIncident, CustomerItemsPage, CustomerPage, CustomerRow,
    CustomersPage, ImpactPeriod, OwnerHead, OwnerName, OwnerPage, OwnerRow, OwnersPage, SortLink,
};
use crate::site::data::{Customer, ItemRef, ItemState, Owner, SiteData, downtime_seconds, item_state};
use crate::site::render::{LIST_PAGE_SIZE, Renderer, list_pages, page_path, pager_of, window_of};

/// A sorted view of an index: its key, its first page and its order.
#[derive(Debug, Clone, Copy)]
pub struct SortView {
    /// The key templates see (`sort`, `sorts[].key`).
    pub key: &'static str,
    /// The view's first page.
    pub path: &'static str,
    /// True when the largest value comes first (`aria-sort="descending"`).
    pub descending: bool,
}

/// The sorted views of the customers index; names (and so links) are stable.
pub const CUSTOMER_SORTS: [SortView; 6] = [
    SortView { key: "name", path: "customers/index.html", descending: false },
    SortView { key: "incidents", path: "customers/by-incidents.html", descending: true },
    SortView { key: "users", path: "customers/by-users.html", descending: true },
    SortView { key: "downtime", path: "customers/by-downtime.html", descending: true },
    SortView { key: "delay", path: "customers/by-delay.html", descending: true },
    SortView { key: "last", path: "customers/by-last-incident.html", descending: true },
];

/// The sorted views of the owners index.
pub const OWNER_SORTS: [SortView; 5] = [
    SortView { key: "name", path: "owners/index.html", descending: false },
    SortView { key: "overdue", path: "owners/by-overdue.html", descending: true },
    SortView { key: "open", path: "owners/by-open.html", descending: true },
    SortView { key: "done", path: "owners/by-done.html", descending: true },
    SortView { key: "total", path: "owners/by-total.html", descending: true },
];

/// Months of a customer's impact per month (the latest): the quarters cover every year, and
/// the page stays small whatever the archive's span.
const MONTHS_SHOWN: usize = 36;

/// Open items shown on a customer's first page; all of them are on its items pages.
const OPEN_ITEMS_SHOWN: usize = 20;

/// The order of every sorted view, as indexes into the rows (computed once per build).
pub(crate) struct Orders {
    pub customers: Vec<Vec<u32>>,
    pub owners: Vec<Vec<u32>>,
}

impl Orders {
    pub(crate) fn new(customers: &[CustomerRow<'_>], owners: &[OwnerRow<'_>]) -> Orders {
        Orders {
            customers: CUSTOMER_SORTS.iter().map(|v| customer_order(customers, v.key)).collect(),
            owners: OWNER_SORTS.iter().map(|v| owner_order(owners, v.key)).collect(),
        }
    }
}

/// The customers (in name order, as given) in the order of view `key`: largest first, ties by
/// name; the name view keeps the given order.
pub(crate) fn customer_order(rows: &[CustomerRow<'_>], key: &str) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    let k = |c: &CustomerRow| -> (u64, i64) {
        match key {
            "incidents" => (c.incidents as u64, 0),
            "users" => (c.users, 0),
            "downtime" => (c.downtime_seconds, 0),
            "delay" => (c.delay_seconds, 0),
            "last" => (0, c.last_incident_at.map_or(i64::MIN, |t| t.timestamp())),
            _ => (0, 0),
        }
    };
    // A stable sort: equal keys stay in name order.
    order.sort_by(|&a, &b| k(&rows[b as usize]).cmp(&k(&rows[a as usize])));
    order
}

/// The owners (in name order) in the order of view `key`, largest first, ties by name.
pub(crate) fn owner_order(rows: &[OwnerRow<'_>], key: &str) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    let k = |o: &OwnerRow| match key {
        "overdue" => o.overdue,
        "open" => o.open,
        "done" => o.done,
        "total" => o.total,
        _ => 0,
    };
    order.sort_by(|&a, &b| k(&rows[b as usize]).cmp(&k(&rows[a as usize])));
    order
}

fn sort_links(views: &[SortView], current: usize) -> Vec<SortLink> {
    views
        .iter()
        .enumerate()
        .map(|(i, v)| SortLink {
            key: v.key,
            path: v.path,
            order: if v.descending { "descending" } else { "ascending" },
            current: i == current,
        })
        .collect()
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// Page `p` of sorted view `view` of the customers index.
    pub(super) fn render_customers_index(&self, view: usize, p: usize) -> Result<(), SiteError> {
        let rows = &self.shared.customers;
        let order = window_of(&self.shared.orders.customers[view], p, LIST_PAGE_SIZE);
        let base = CUSTOMER_SORTS[view].path;
        let page = CustomersPage {
            nav: "customers",
            total: rows.len(),
            sort: CUSTOMER_SORTS[view].key,
            sorts: sort_links(&CUSTOMER_SORTS, view),
            customers: order.iter().map(|&i| &rows[i as usize]).collect(),
            pager: pager_of(base, p, rows.len(), LIST_PAGE_SIZE),
        };
        self.page(page_path(base, p), "customers.html", &page)
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

    /// Every page of the action items of customer `c`'s incidents, from one sorted list.
    pub(super) fn render_customer_items(&self, c: usize) -> Result<(), SiteError> {
        let customer = &self.data.customers[c];
        let items = self.customer_items(customer, false);
        let base = items_path(&customer.path);
        for p in 1..=list_pages(items.len()) {
            let page = CustomerItemsPage {
                nav: "customers",
                name: customer.name,
                path: &customer.path,
                items: self.item_rows(window_of(&items, p, LIST_PAGE_SIZE)),
                pager: pager_of(&base, p, items.len(), LIST_PAGE_SIZE),
            };
            self.page(page_path(&base, p), "customer-items.html", &page)?;
        }
        Ok(())
    }

    /// Page `p` of sorted view `view` of the owners index.
    pub(super) fn render_owners_index(&self, view: usize, p: usize) -> Result<(), SiteError> {
        let rows = &self.shared.owners;
        let order = window_of(&self.shared.orders.owners[view], p, LIST_PAGE_SIZE);
        let base = OWNER_SORTS[view].path;
        let page = OwnersPage {
            nav: "actions",
            total: rows.len(),
            sort: OWNER_SORTS[view].key,
            sorts: sort_links(&OWNER_SORTS, view),
            owners: order.iter().map(|&i| &rows[i as usize]).collect(),
            pager: pager_of(base, p, rows.len(), LIST_PAGE_SIZE),
        };
        self.page(page_path(base, p), "owners.html", &page)
    }

    /// Page `p` of owner `o`.
    pub(super) fn render_owner(&self, o: usize, p: usize) -> Result<(), SiteError> {
        let owner = &self.data.owners[o];
        let rows = self.item_rows(window_of(&owner.items, p, LIST_PAGE_SIZE));
        let pager = pager_of(&owner.path, p, owner.items.len(), LIST_PAGE_SIZE);
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

    /// The action items of a customer's incidents: overdue, then open, then done, each by due
    /// date; only the ones not done when `open_only`.
    fn customer_items(&self, customer: &Customer<'_>, open_only: bool) -> Vec<ItemRef> {
        let d = self.data;
        let mut items: Vec<ItemRef> = Vec::new();
        for &rec in &customer.recs {
            for (item, ai) in d.summary(rec).action_items().iter().enumerate() {
                let state = item_state(ai, d.build_date);
                if !(open_only && state == ItemState::Done) {
                    items.push(ItemRef { rec, item, state });
                }
            }
        }
        items.sort_by(|a, b| {
            let (ia, ib) = (d.item(a), d.item(b));
            (a.state, ia.due.is_none(), ia.due, &d.record(a.rec).id, a.item).cmp(&(
                b.state,
                ib.due.is_none(),
                ib.due,
                &d.record(b.rec).id,
                b.item,
            ))
        });
        items
    }

    fn customer_page(&self, c: usize, p: usize) -> CustomerPage<'r> {
        let d = self.data;
        let customer = &d.customers[c];
        let rows =
            window_of(&customer.rows, p, LIST_PAGE_SIZE).iter().map(|&r| self.customer_incident(r)).collect();
        let (mut chart, mut open_items, mut open_total, mut impact, mut credits) =
            (None, Vec::new(), 0, None, None);
        if p == 1 {
            let buckets = charts::by_time_and_severity(
                customer.recs.iter().filter_map(|&r| {
                    let inc = d.summary(r);
                    inc.started_at().map(|t| (t, charts::severity_index(inc.severity())))
                }),
                36,
            );
            chart = Some(buckets);
            let open = self.customer_items(customer, true);
            open_total = open.len();
            open_items = open.iter().take(OPEN_ITEMS_SHOWN).map(|r| self.item_row(r)).collect();
            impact = Some(impact_summary(d, customer));
            credits = Some(self.credit_summary(customer));
        }
        CustomerPage {
            nav: "customers",
            customer: &self.shared.customers[c],
            chart_data: chart,
            incidents: rows,
            pager: pager_of(&customer.path, p, customer.rows.len(), LIST_PAGE_SIZE),
            open_items,
            open_total,
            items_path: items_path(&customer.path),
            csv_path: csv_path(&customer.path),
            impact,
            credits,
        }
    }

    /// A customer's row of an incident's impact table, with the incident.
    fn customer_incident(&self, (rec, row): (usize, usize)) -> CustomerIncident<'r> {
        let inc = self.data.summary(rec);
        let imp = &inc.customers()[row];
        let credits = sla_credits(inc);
        CustomerIncident {
            incident: self.incident_row(rec),
            users_affected: imp.users_affected,
            max_delay_seconds: imp.max_delay_seconds,
            min_delay_seconds: imp.min_delay_seconds,
            complaints: imp.complaints,
            sla_credits: credits.map(|c| c.0),
            sla_credit_usd: credits.and_then(|c| c.1),
        }
    }

    /// What a customer's records state about SLA credits and complaints.
    fn credit_summary(&self, customer: &Customer<'_>) -> CreditSummary<'r> {
        let d = self.data;
        let mut s = CreditSummary {
            incidents: 0,
            amount_usd: 0,
            unparsed: 0,
            complaints: 0,
            rows: Vec::new(),
            total_rows: 0,
        };
        let mut last = None;
        for &(rec, row) in &customer.rows {
            let inc = d.summary(rec);
            let complaints = inc.customers()[row].complaints.unwrap_or(0);
            s.complaints += complaints;
            let credits = sla_credits(inc);
            // A record that names the customer on two rows states its credits once.
            if last != Some(rec) {
                match credits {
                    Some((_, Some(usd))) => {
                        s.incidents += 1;
                        s.amount_usd += usd;
                    }
                    Some((_, None)) => {
                        s.incidents += 1;
                        s.unparsed += 1;
                    }
                    None => {}
                }
            }
            last = Some(rec);
            if credits.is_some() || complaints > 0 {
                s.total_rows += 1;
                if s.rows.len() < OPEN_ITEMS_SHOWN {
                    s.rows.push(self.customer_incident((rec, row)));
                }
            }
        }
        s
    }
}

/// The SLA credits a record's Business Impact states: the first bullet that mentions them, as
/// written, and their amount in dollars when the bullet states it once and plainly (`$1,200 in
/// SLA credits`, `~$150 in SLA credits`); `~$7,300 (ticket sales, SLA credits)` or two such
/// amounts give the text alone.
pub(crate) fn sla_credits(inc: &dyn Summarized) -> Option<(&str, Option<u64>)> {
    let field = inc.business().iter().find(|f| {
        let text = format!("{} {}", f.label, f.value).to_ascii_lowercase();
        text.contains("sla") && text.contains("credit")
    })?;
    Some((field.value.as_str(), sla_amount(&field.value)))
}

/// The dollar amount directly before `in SLA credit(s)`, when the text has exactly one.
fn sla_amount(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    let mut found = None;
    for (at, _) in lower.match_indices("in sla credit") {
        let before = text[..at].trim_end();
        let digits_start = before.trim_end_matches(|c: char| c.is_ascii_digit() || c == ',').len();
        let digits = &before[digits_start..];
        let plain = before[..digits_start].ends_with('$')
            && digits.starts_with(|c: char| c.is_ascii_digit())
            && !digits.ends_with(',');
        if !plain || found.is_some() {
            return None;
        }
        found = Some(digits.replace(',', "").parse().ok()?);
    }
    found
}

/// `customers/acme.html` → `customers/acme.items.html` (slugs hold no dot, so no customer's
/// page can take it).
pub(crate) fn items_path(customer_path: &str) -> String {
    format!("{}.items.html", customer_path.strip_suffix(".html").unwrap_or(customer_path))
}

/// `customers/acme.html` → `customers/acme.csv`.
pub(crate) fn csv_path(customer_path: &str) -> String {
    format!("{}.csv", customer_path.strip_suffix(".html").unwrap_or(customer_path))
}

/// A customer's impact per quarter and per month (the latest 36 months with an incident),
/// newest first, by when each incident started (incidents without a start time are left out).
pub(crate) fn impact_summary(d: &SiteData<'_>, customer: &Customer<'_>) -> CustomerImpactSummary {
    let mut months: std::collections::BTreeMap<(i32, u32), ImpactPeriod> = Default::default();
    let mut quarters: std::collections::BTreeMap<(i32, u32), ImpactPeriod> = Default::default();
    let mut last_rec = None;
    for &(rec, row) in &customer.rows {
        let inc = d.summary(rec);
        let Some(t) = inc.started_at() else { continue };
        let imp = &inc.customers()[row];
        // A record may name the customer on two rows: the incident and its downtime count once.
        let first_row = last_rec != Some(rec);
        last_rec = Some(rec);
        for (map, key, label) in [
            (&mut months, (t.year(), t.month()), format!("{}-{:02}", t.year(), t.month())),
            (&mut quarters, (t.year(), t.month0() / 3 + 1), format!("{}-Q{}", t.year(), t.month0() / 3 + 1)),
        ] {
            let p = map.entry(key).or_insert_with(|| ImpactPeriod { label, ..ImpactPeriod::default() });
            if first_row {
                p.incidents += 1;
                p.downtime_seconds += downtime_seconds(inc);
            }
            p.users += imp.users_affected.unwrap_or(0);
            p.delay_seconds += imp.max_delay_seconds.unwrap_or(0);
            p.complaints += imp.complaints.unwrap_or(0);
        }
    }
    CustomerImpactSummary {
        months: months.into_values().rev().take(MONTHS_SHOWN).collect(),
        quarters: quarters.into_values().rev().collect(),
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
        delay_seconds: c.delay,
        downtime_seconds: c.downtime,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(
        name: &'static str,
        incidents: usize,
        users: u64,
        downtime: u64,
        last: Option<&str>,
    ) -> CustomerRow<'static> {
        CustomerRow {
            name,
            path: "customers/x.html",
            incidents,
            users,
            worst_delay_seconds: None,
            delay_seconds: users / 2,
            downtime_seconds: downtime,
            complaints: 0,
            open_items: 0,
            overdue_items: 0,
            first_incident_at: None,
            last_incident_at: last.map(|t| t.parse().unwrap()),
        }
    }

    #[test]
    fn customer_views_sort_largest_first_with_ties_in_name_order() {
        // In name order, as the data gives them.
        let rows = [
            customer("Acme", 3, 10, 600, Some("2025-01-01T00:00:00Z")),
            customer("Beta", 5, 10, 60, None),
            customer("Corp", 3, 90, 6000, Some("2025-06-01T00:00:00Z")),
        ];
        let names =
            |key| customer_order(&rows, key).iter().map(|&i| rows[i as usize].name).collect::<Vec<_>>();
        assert_eq!(names("name"), ["Acme", "Beta", "Corp"]);
        assert_eq!(names("incidents"), ["Beta", "Acme", "Corp"], "ties keep the name order");
        assert_eq!(names("users"), ["Corp", "Acme", "Beta"]);
        assert_eq!(names("downtime"), ["Corp", "Acme", "Beta"]);
        assert_eq!(names("delay"), ["Corp", "Acme", "Beta"]);
        assert_eq!(names("last"), ["Corp", "Acme", "Beta"], "no incident date last");
        for view in CUSTOMER_SORTS {
            assert!(view.path.starts_with("customers/"), "{view:?}");
            assert!(view.key == "name" || view.descending, "{view:?}");
        }
    }

    #[test]
    fn sla_amounts_are_read_only_when_plain() {
        assert_eq!(sla_amount("Minimal (~$150 in SLA credits)"), Some(150));
        assert_eq!(
            sla_amount("~$48,200 in failed checkouts for merchants, $3,900 in SLA credits"),
            Some(3900)
        );
        assert_eq!(sla_amount("~$21,000 in SLA credit"), Some(21000));
        assert_eq!(
            sla_amount("~$7,300 (CityTransit mobile ticket sales during morning peak, SLA credits)"),
            None
        );
        assert_eq!(sla_amount("$100 in SLA credits, then $200 in SLA credits"), None, "two amounts");
        assert_eq!(sla_amount("some in SLA credits"), None);
        assert_eq!(sla_amount("None"), None);
    }

    #[test]
    fn owner_views_sort_most_first() {
        let row = |name, overdue, open, done| OwnerRow {
            name,
            path: "",
            total: overdue + open + done,
            open,
            overdue,
            done,
        };
        let rows = [row("", 0, 1, 0), row("Ana", 2, 0, 9), row("Bo", 2, 5, 1)];
        let names = |key| owner_order(&rows, key).iter().map(|&i| rows[i as usize].name).collect::<Vec<_>>();
        assert_eq!(names("overdue"), ["Ana", "Bo", ""]);
        assert_eq!(names("open"), ["Bo", "", "Ana"]);
        assert_eq!(names("done"), ["Ana", "Bo", ""]);
        assert_eq!(names("total"), ["Ana", "Bo", ""]);
        assert_eq!(names("name"), ["", "Ana", "Bo"]);
    }

    #[test]
    fn sort_links_mark_the_current_view() {
        let links = sort_links(&OWNER_SORTS, 2);
        assert_eq!(links.iter().filter(|l| l.current).map(|l| l.key).collect::<Vec<_>>(), ["open"]);
        assert_eq!(links[0].order, "ascending");
        assert_eq!(links[1].order, "descending");
    }

    #[test]
    fn a_customers_own_files_cannot_be_a_customer_page() {
        assert_eq!(items_path("customers/acme.html"), "customers/acme.items.html");
        assert_eq!(csv_path("customers/acme.html"), "customers/acme.csv");
        assert!(crate::site::data::reserved_list_name("by-users"));
        assert!(crate::site::data::reserved_list_name("index"));
        assert!(!crate::site::data::reserved_list_name("acme"));
    }
}
