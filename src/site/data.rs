//! What the pages are made of, computed once per build from the snapshot: file names, the
//! incidents by date and year, customers and owners with their rows, and the action items in
//! tracker order. Everything is sorted, so no hash-map order reaches the output.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rayon::slice::ParallelSliceMut;

use super::slug;
use crate::record::{ActionItem, Summarized};
use crate::snapshot::{ArchivedRecord, Snapshot};

/// How an action item stands on the build date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemState {
    /// Not done and due before the build date.
    Overdue,
    /// Not done, not yet due (or without a due date).
    Open,
    Done,
}

impl ItemState {
    pub fn name(self) -> &'static str {
        match self {
            ItemState::Overdue => "overdue",
            ItemState::Open => "open",
            ItemState::Done => "done",
        }
    }
}

/// One action item of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRef {
    pub rec: usize,
    pub item: usize,
    pub state: ItemState,
}

/// A customer named in at least one incident's customer impact table.
#[derive(Debug)]
pub struct Customer<'a> {
    pub name: &'a str,
    pub path: String,
    /// `(record, impact row)`, newest incident first.
    pub rows: Vec<(usize, usize)>,
    /// Distinct records, newest first.
    pub recs: Vec<usize>,
    pub users: u64,
    pub worst_delay: Option<u64>,
    /// The sum of its rows' delays (upper bounds).
    pub delay: u64,
    /// The sum of the durations of its incidents (`recs`), where known.
    pub downtime: u64,
    pub complaints: u64,
}

/// An action-item owner.
#[derive(Debug)]
pub struct Owner<'a> {
    /// As written; empty for items without an owner.
    pub name: &'a str,
    pub path: String,
    /// In tracker order.
    pub items: Vec<ItemRef>,
}

/// Everything the pages share.
pub struct SiteData<'a> {
    pub snapshot: &'a Snapshot,
    pub build_date: NaiveDate,
    /// Per record: `incidents/<stem>.html`.
    pub paths: Vec<String>,
    /// Records with an incident (not purged), newest first (`started_at` desc, then id).
    pub by_date: Vec<usize>,
    /// Year (`None`: no start time) → records, newest first; years newest first.
    pub years: Vec<(Option<i32>, Vec<usize>)>,
    pub customers: Vec<Customer<'a>>,
    pub owners: Vec<Owner<'a>>,
    /// Every action item: overdue, then open, then done, each by due date.
    pub items: Vec<ItemRef>,
    /// Where each state's items are in `items` (overdue, open, done).
    pub item_ranges: [std::ops::Range<usize>; 3],
    /// Per record: (open items, overdue items).
    pub item_counts: Vec<(usize, usize)>,
    /// Per record, per action item: its owner in `owners`.
    pub item_owner: Vec<Vec<u32>>,
    /// Per record, per customer impact row: its customer in `customers` (none for grouped rows).
    pub row_customer: Vec<Vec<Option<u32>>>,
}

/// The customer rows that name one customer (not grouped rows like `Others (8 accounts)`).
pub fn customer_name(row: &crate::record::CustomerImpact) -> Option<&str> {
    let name = row.name.trim();
    (row.accounts.is_none() && !name.is_empty()).then_some(name)
}

/// State of an action item on `today`.
pub fn item_state(item: &ActionItem, today: NaiveDate) -> ItemState {
    if item.done {
        ItemState::Done
    } else if item.due.is_some_and(|d| d < today) {
        ItemState::Overdue
    } else {
        ItemState::Open
    }
}

impl<'a> SiteData<'a> {
    pub fn new(snapshot: &'a Snapshot, build_date: NaiveDate) -> SiteData<'a> {
        let records = &snapshot.records;
        let summary = |i: usize| records[i].summary();

        // File names of incident pages.
        let stems = slug::incident_stems(records.iter().map(|r| r.id.as_str()));
        let paths: Vec<String> =
            records.iter().map(|r| format!("incidents/{}.html", stems[r.id.as_str()])).collect();

        // Incidents newest first.
        let mut by_date: Vec<usize> = (0..records.len()).filter(|&i| summary(i).is_some()).collect();
        by_date.sort_by(|&a, &b| {
            let (ia, ib) = (summary(a).unwrap(), summary(b).unwrap());
            ib.started_at().cmp(&ia.started_at()).then_with(|| records[a].id.cmp(&records[b].id))
        });
        let mut years: Vec<(Option<i32>, Vec<usize>)> = Vec::new();
        for &i in &by_date {
            let year = summary(i).unwrap().started_at().map(|t| t.year());
            match years.last_mut() {
                Some((y, list)) if *y == year => list.push(i),
                _ => years.push((year, vec![i])),
            }
        }
        // Newest year first, records without a start time (`None`) last.
        years.sort_by_key(|y| std::cmp::Reverse(y.0));

        // Action items in tracker order.
        let mut items = Vec::new();
        let mut item_counts = vec![(0, 0); records.len()];
        for &rec in &by_date {
            for (item, ai) in summary(rec).unwrap().action_items().iter().enumerate() {
                let state = item_state(ai, build_date);
                match state {
                    ItemState::Overdue => {
                        item_counts[rec].0 += 1;
                        item_counts[rec].1 += 1;
                    }
                    ItemState::Open => item_counts[rec].0 += 1,
                    ItemState::Done => {}
                }
                items.push(ItemRef { rec, item, state });
            }
        }
        let item_of = |r: &ItemRef| &records[r.rec].summary().unwrap().action_items()[r.item];
        items.par_sort_by(|a, b| {
            let (ia, ib) = (item_of(a), item_of(b));
            // By due date in every state (no due date last), so that the items of new incidents,
            // due later than the others, land at the end of their list and leave the pages
            // before them unchanged.
            a.state
                .cmp(&b.state)
                .then_with(|| due_key(ia.due).cmp(&due_key(ib.due)))
                .then_with(|| records[a.rec].id.cmp(&records[b.rec].id))
                .then(a.item.cmp(&b.item))
        });

        // Customers.
        let mut by_customer: BTreeMap<&'a str, Vec<(usize, usize)>> = BTreeMap::new();
        for &rec in &by_date {
            for (row, c) in summary(rec).unwrap().customers().iter().enumerate() {
                if let Some(name) = customer_name(c) {
                    by_customer.entry(name).or_default().push((rec, row));
                }
            }
        }
        // `index` and `by-…` are the sorted views of the customers index.
        let customer_slugs = slug::allocate(by_customer.keys().copied(), slug::slugify, reserved_list_name);
        let mut customers: Vec<Customer<'a>> = by_customer
            .into_iter()
            .map(|(name, rows)| {
                let mut recs: Vec<usize> = rows.iter().map(|r| r.0).collect();
                recs.dedup();
                let impact = |&(rec, row): &(usize, usize)| &summary(rec).unwrap().customers()[row];
                Customer {
                    name,
                    path: format!("customers/{}.html", customer_slugs[name]),
                    users: rows.iter().map(|r| impact(r).users_affected.unwrap_or(0)).sum(),
                    worst_delay: rows.iter().filter_map(|r| impact(r).max_delay_seconds).max(),
                    delay: rows.iter().map(|r| impact(r).max_delay_seconds.unwrap_or(0)).sum(),
                    downtime: recs.iter().map(|&r| downtime_seconds(summary(r).unwrap())).sum(),
                    complaints: rows.iter().map(|r| impact(r).complaints.unwrap_or(0)).sum(),
                    rows,
                    recs,
                }
            })
            .collect();
        customers.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.name.cmp(b.name)));
        let count = |s: ItemState| items.iter().filter(|i| i.state == s).count();
        let (overdue, open) = (count(ItemState::Overdue), count(ItemState::Open));
        let item_ranges = [0..overdue, overdue..overdue + open, overdue + open..items.len()];
        let customer_index: BTreeMap<&'a str, usize> =
            customers.iter().enumerate().map(|(i, c)| (c.name, i)).collect();

        // Owners.
        let mut by_owner: BTreeMap<&'a str, Vec<ItemRef>> = BTreeMap::new();
        for r in &items {
            by_owner.entry(item_of(r).owner.trim()).or_default().push(*r);
        }
        let owner_slugs = slug::allocate(
            by_owner.keys().copied(),
            |o| if o.is_empty() { "no-owner".into() } else { slug::slugify(o) },
            reserved_list_name,
        );
        let mut owners: Vec<Owner<'a>> = by_owner
            .into_iter()
            .map(|(name, items)| Owner { name, path: format!("owners/{}.html", owner_slugs[name]), items })
            .collect();
        owners.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.name.cmp(b.name)));
        let owner_index: BTreeMap<&'a str, usize> =
            owners.iter().enumerate().map(|(i, o)| (o.name, i)).collect();
        let customer_index: BTreeMap<&'a str, usize> = customer_index;
        let mut item_owner = vec![Vec::new(); records.len()];
        let mut row_customer = vec![Vec::new(); records.len()];
        for &rec in &by_date {
            let inc = summary(rec).unwrap();
            item_owner[rec] = inc.action_items().iter().map(|a| owner_index[a.owner.trim()] as u32).collect();
            row_customer[rec] =
                inc.customers().iter().map(|c| customer_name(c).map(|n| customer_index[n] as u32)).collect();
        }

        SiteData {
            snapshot,
            build_date,
            paths,
            by_date,
            years,
            customers,
            owners,
            items,
            item_ranges,
            item_counts,
            item_owner,
            row_customer,
        }
    }

    pub fn record(&self, i: usize) -> &'a ArchivedRecord {
        &self.snapshot.records[i]
    }

    /// The summary-level facts of a record in the lists (parsed, whole or as its summary).
    pub fn summary(&self, i: usize) -> &'a dyn Summarized {
        self.snapshot.records[i].summary().expect("records in the lists have an incident")
    }

    pub fn item(&self, r: &ItemRef) -> &'a ActionItem {
        &self.summary(r.rec).action_items()[r.item]
    }
}

/// True for the names of a list's own pages in `customers/` and `owners/` (`index`, the sorted
/// views `by-…`), which no customer or owner page may take.
pub fn reserved_list_name(slug: &str) -> bool {
    slug == "index" || slug.starts_with("by-")
}

/// An incident's downtime as the customer pages count it: its duration (start to end, or the
/// stated duration), never negative; 0 when the record gives none.
pub fn downtime_seconds(inc: &dyn Summarized) -> u64 {
    inc.duration_seconds().map_or(0, |s| s.max(0) as u64)
}

fn due_key(due: Option<NaiveDate>) -> (bool, Option<NaiveDate>) {
    (due.is_none(), due)
}
