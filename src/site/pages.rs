//! The pages of the site: what each one is made of (its context), where it goes, and the
//! parallel loop that renders only the pages whose inputs changed since the last build.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use minijinja::Value;
use minijinja::value::Serde;
use rayon::prelude::*;
use serde::Serialize;

use super::charts::{self, ChartSpec, SEVERITY_SERIES};
use super::data::{Customer, ItemRef, ItemState, Owner, SiteData};
use super::digest;
use super::templates::Templates;
use super::write::{Sink, content_key};
use super::{SiteError, SiteOptions};
use crate::archive::{ArchivedRecord, Hold, PurgeInfo};
use crate::record::values::normalize;
use crate::record::{Incident, SectionKind, is_summary_label};

/// Rows per page of a long list (incidents of a year, a customer's incidents, action items).
pub const PAGE_SIZE: usize = 500;
/// The most rows of a secondary list shown on one page (a customer's open action items, each
/// retention category); the page says how many more there are.
pub const LIST_LIMIT: usize = 1000;
/// Records whose retention ends within this many days of the build date are "expiring".
pub const EXPIRING_DAYS: i64 = 90;
/// Entries in the Atom feed.
pub const FEED_ENTRIES: usize = 50;

/// Counts of a render.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub rendered: AtomicUsize,
    pub reused: AtomicUsize,
    /// Paths of the templated pages rendered in this run.
    pub rendered_pages: std::sync::Mutex<Vec<String>>,
}

/// One output file to produce.
#[derive(Debug, Clone, Copy)]
enum Job {
    Asset(usize),
    Incident(usize),
    Home,
    IncidentsIndex,
    Year(usize, usize),
    CustomersIndex,
    Customer(usize, usize),
    OwnersIndex,
    Owner(usize, usize),
    /// A list of the tracker (overdue, open, done) and its page.
    Actions(usize, usize),
    Retention,
    Search,
    Feed,
    Json,
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    base_url: &'a str,
}

/// Renders every page of the site into `sink`.
pub(crate) fn render_all(
    data: &SiteData<'_>,
    templates: &Templates,
    opts: &SiteOptions,
    sink: &dyn Sink,
) -> Result<Counters, SiteError> {
    let shared = Shared::new(data);
    let r = Renderer {
        data,
        shared: &shared,
        templates,
        site: SiteInfo { title: &opts.title, base_url: &opts.base_url },
        build_date: data.build_date.to_string(),
        counters: Counters::default(),
        sink,
    };
    let mut jobs: Vec<Job> = (0..templates.assets.len()).map(Job::Asset).collect();
    jobs.extend((0..data.snapshot.records.len()).map(Job::Incident));
    jobs.extend([Job::Home, Job::IncidentsIndex, Job::CustomersIndex, Job::OwnersIndex]);
    jobs.extend([Job::Retention, Job::Search, Job::Feed, Job::Json]);
    for (y, (_, recs)) in data.years.iter().enumerate() {
        jobs.extend((1..=pages(recs.len())).map(|p| Job::Year(y, p)));
    }
    for (c, customer) in data.customers.iter().enumerate() {
        jobs.extend((1..=pages(customer.rows.len())).map(|p| Job::Customer(c, p)));
    }
    for (o, owner) in data.owners.iter().enumerate() {
        jobs.extend((1..=pages(owner.items.len())).map(|p| Job::Owner(o, p)));
    }
    for (list, range) in data.item_ranges.iter().enumerate() {
        jobs.extend((1..=pages(range.len())).map(|p| Job::Actions(list, p)));
    }
    jobs.par_iter().with_min_len(8).try_for_each(|job| r.run(*job))?;
    Ok(r.counters)
}

/// Number of pages for `n` rows (at least one).
fn pages(n: usize) -> usize {
    n.div_ceil(PAGE_SIZE).max(1)
}

/// `incidents/2025.html`, page 3 → `incidents/2025.p3.html`.
fn page_path(base: &str, page: usize) -> String {
    if page <= 1 {
        return base.to_string();
    }
    let stem = base.strip_suffix(".html").unwrap_or(base);
    format!("{stem}.p{page}.html")
}

/// The relative prefix from a page to the site root: `""` or `"../"`.
fn root_for(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Rows and summaries that several pages show, computed once (not once per page).
struct Shared<'r> {
    customers: Vec<CustomerRow<'r>>,
    owners: Vec<OwnerRow<'r>>,
    item_counts: ItemCounts,
    statuses: Vec<StatusCount<'r>>,
    /// The owners with most overdue and open items first.
    busiest_owners: Vec<OwnerRow<'r>>,
}

impl<'r> Shared<'r> {
    fn new(d: &'r SiteData<'_>) -> Shared<'r> {
        let customers = d.customers.iter().map(|c| customer_row(d, c)).collect();
        let owners: Vec<OwnerRow> = d.owners.iter().map(owner_row).collect();
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
        let mut busiest: Vec<&OwnerRow> = owners.iter().collect();
        busiest.sort_by(|a, b| (b.overdue, b.open).cmp(&(a.overdue, a.open)).then(a.name.cmp(b.name)));
        let busiest_owners = busiest.into_iter().take(20).cloned().collect();
        Shared { customers, owners, item_counts, statuses, busiest_owners }
    }
}

fn customer_row<'r>(d: &'r SiteData<'_>, c: &'r Customer<'_>) -> CustomerRow<'r> {
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
        first_incident_at: c.recs.last().and_then(|&r| d.incident(r).started_at),
        last_incident_at: c.recs.first().and_then(|&r| d.incident(r).started_at),
    }
}

struct Renderer<'r, 'a> {
    data: &'r SiteData<'a>,
    shared: &'r Shared<'r>,
    templates: &'r Templates,
    site: SiteInfo<'r>,
    build_date: String,
    counters: Counters,
    sink: &'r dyn Sink,
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    fn run(&self, job: Job) -> Result<(), SiteError> {
        let d = self.data;
        match job {
            Job::Asset(i) => {
                let (path, bytes) = &self.templates.assets[i];
                self.bytes(path, bytes.clone())
            }
            Job::Incident(i) => self.incident(i),
            Job::Home => {
                let page = self.home();
                let charts = || {
                    let svg = |id, title, buckets: &[charts::Bucket]| {
                        let spec = ChartSpec { id, title, width: 600, height: 230, series: &SEVERITY_SERIES };
                        Value::from_safe_string(charts::stacked_bars(&spec, buckets))
                    };
                    minijinja::context! { charts => minijinja::context! {
                        by_month => svg("chart-months", "Incidents over time by severity", &page.chart_data.by_month),
                        durations => svg("chart-durations", "Incident durations by severity", &page.chart_data.durations),
                    }}
                };
                self.page_keyed("index.html".into(), "index.html", &page, &page, &charts)
            }
            Job::IncidentsIndex => {
                self.page("incidents/index.html".into(), "incidents.html", &self.incidents_index())
            }
            Job::Year(y, p) => {
                let path = page_path(&year_path(d.years[y].0), p);
                self.page(path.clone(), "year.html", &self.year_page(y, p))
            }
            Job::CustomersIndex => {
                let page = ListPage { nav: "customers", customers: &self.shared.customers };
                self.page("customers/index.html".into(), "customers.html", &page)
            }
            Job::Customer(c, p) => {
                let path = page_path(&d.customers[c].path, p);
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
            Job::OwnersIndex => {
                let page = OwnersPage { nav: "actions", owners: &self.shared.owners };
                self.page("owners/index.html".into(), "owners.html", &page)
            }
            Job::Owner(o, p) => {
                let owner = &d.owners[o];
                let rows = self.item_rows(window(&owner.items, p));
                let pager = pager(&owner.path, p, owner.items.len());
                // The counts only on the first page: the others change only with their rows.
                let row = &self.shared.owners[o];
                let head = if p == 1 {
                    OwnerHead::Counts(row)
                } else {
                    OwnerHead::Name { name: row.name, path: row.path }
                };
                let page = OwnerPage { nav: "actions", owner: head, items: rows, pager };
                self.page(page_path(&owner.path, p), "owner.html", &page)
            }
            Job::Actions(list, p) => {
                self.page(page_path(TRACKER[list].1, p), "actions.html", &self.actions(list, p))
            }
            Job::Retention => self.page("retention.html".into(), "retention.html", &self.retention()),
            Job::Search => self.page("search.html".into(), "search.html", &NavOnly { nav: "search" }),
            Job::Feed => self.page("feed.xml".into(), "feed.xml", &self.feed()),
            Job::Json => {
                let json =
                    serde_json::to_string(&self.json()).map_err(|e| SiteError::Invalid(e.to_string()))?;
                // The same data, with controls and bidi overrides as `\uXXXX` escapes.
                let mut bytes = crate::text::json(&json).into_owned().into_bytes();
                bytes.push(b'\n');
                self.bytes("incidents.json", bytes)
            }
        }
    }

    /// A static file: kept when its bytes are those of the last build.
    fn bytes(&self, path: &str, bytes: Vec<u8>) -> Result<(), SiteError> {
        let key = content_key(&bytes);
        if self.sink.reuse(path, &key)? {
            self.counters.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        self.sink.put(path, bytes, key)?;
        self.counters.rendered.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// A templated page: rendered only when the hash of everything it is made of (the template
    /// set, its place in the site, the site-wide values its templates read and its own data)
    /// differs from the last build's.
    fn page<T: Serialize>(&self, path: String, template: &str, data: &T) -> Result<(), SiteError> {
        self.page_keyed(path, template, data, data, &|| minijinja::context! {})
    }

    /// An incident page is keyed by its record's object hash (the parsed incident is a function
    /// of those bytes and of this program's version, which the template hash includes) plus
    /// everything else on the page, instead of by the whole parsed record: hashing 10,000
    /// records' text again at every build would cost more than it saves.
    fn incident(&self, rec: usize) -> Result<(), SiteError> {
        let page = self.incident_page(rec);
        let key = IncidentKey {
            object: page.record.object,
            record: &page.record,
            year: &page.year,
            customers: &page.customers,
            action_items: &page.action_items,
        };
        // The whole record (parsed again when the snapshot kept only its summary) and its
        // sections' layout are needed only when the page is rendered; these values take
        // precedence over the page data's `incident`.
        let whole = || {
            let full = page.incident.and_then(|_| self.data.snapshot.full_incident(self.data.record(rec)));
            let blocks = full.as_deref().map(blocks).unwrap_or_default();
            minijinja::context! {
                incident => Value::from(Serde(full.as_deref())),
                blocks => Value::from(Serde(blocks)),
            }
        };
        self.page_keyed(self.data.paths[rec].clone(), "incident.html", &page, &key, &whole)
    }

    /// Renders `template` with `data` unless the page made from `key_data` (what `data` is a
    /// function of) is already there. `extra` adds values that are costly to make and are
    /// themselves a function of the key (the SVG charts): made only when the page is rendered.
    fn page_keyed<T: Serialize, K: Serialize>(
        &self,
        path: String,
        template: &str,
        data: &T,
        key_data: &K,
        extra: &dyn Fn() -> Value,
    ) -> Result<(), SiteError> {
        let root = root_for(&path);
        let uses = self.templates.uses(template);
        let archive_root = self.data.snapshot.root.as_str();
        let mut h = digest::Hasher::new();
        for part in [self.templates.hash.as_str(), template, &root] {
            h.bytes(part.as_bytes());
        }
        h.bytes(&[uses.build_date as u8, uses.archive_root as u8]);
        if uses.build_date {
            h.bytes(self.build_date.as_bytes());
        }
        if uses.archive_root {
            h.bytes(archive_root.as_bytes());
            h.bytes(&self.data.snapshot.ledger_len.to_le_bytes());
        }
        let invalid = |e: digest::Error| SiteError::Invalid(e.to_string());
        h.value(&self.site).map_err(invalid)?;
        h.value(key_data).map_err(invalid)?;
        let key = h.finish();
        if self.sink.reuse(&path, &key)? {
            self.counters.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let globals = minijinja::context! {
            root => root,
            site => Serde(&self.site),
            build_date => &self.build_date,
            archive_root => archive_root,
            ledger_len => self.data.snapshot.ledger_len,
        };
        // Later maps win: the site-wide values over everything, `extra` over the page data.
        let ctx = minijinja::value::merge_maps([Value::from(Serde(data)), extra(), globals]);
        let bytes = self.templates.render(template, ctx, &path)?;
        self.sink.put(&path, bytes, key)?;
        self.counters.rendered.fetch_add(1, Ordering::Relaxed);
        self.counters.rendered_pages.lock().unwrap_or_else(|e| e.into_inner()).push(path);
        Ok(())
    }

    // ----- rows shared by many pages -----

    fn incident_row(&self, rec: usize) -> IncidentRow<'r> {
        let d = self.data;
        let inc = d.incident(rec);
        let (open_items, overdue_items) = d.item_counts[rec];
        IncidentRow {
            id: &d.record(rec).id,
            path: self.path_of(rec),
            title: &inc.title,
            severity: &inc.severity,
            severity_label: inc.severity_label.as_deref(),
            status: &inc.status,
            started_at: inc.started_at,
            duration_seconds: inc.duration_seconds,
            users_affected: inc.impact.users_affected,
            customers: inc.impact.customers.len(),
            open_items,
            overdue_items,
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
        let inc = d.incident(r.rec);
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
            incident_title: &inc.title,
            incident_path: self.path_of(r.rec),
            severity: &inc.severity,
        }
    }

    // ----- pages -----

    fn incident_page(&self, rec: usize) -> IncidentPage<'r> {
        let d = self.data;
        let record = d.record(rec);
        let provenance = provenance(record, d.build_date);
        let Some(inc) = record.incident.as_ref() else {
            return IncidentPage {
                nav: "incidents",
                year: None,
                incident: None,
                record: provenance,
                customers: Vec::new(),
                action_items: Vec::new(),
            };
        };
        let customers = inc
            .impact
            .customers
            .iter()
            .zip(&d.row_customer[rec])
            .map(|(c, customer)| ImpactRow {
                name: &c.name,
                path: customer.map(|i| d.customers[i as usize].path.as_str()),
                users_affected: c.users_affected,
                max_delay_seconds: c.max_delay_seconds,
                min_delay_seconds: c.min_delay_seconds,
                complaints: c.complaints,
                accounts: c.accounts,
            })
            .collect();
        let action_items = inc
            .action_items
            .iter()
            .enumerate()
            .map(|(item, ai)| {
                self.item_row(&ItemRef { rec, item, state: super::data::item_state(ai, d.build_date) })
            })
            .collect();
        IncidentPage {
            nav: "incidents",
            year: inc.started_at.map(|t| {
                let y = chrono::Datelike::year(&t);
                Link { label: y.to_string(), path: year_path(Some(y)) }
            }),
            incident: Some(inc),
            record: provenance,
            customers,
            action_items,
        }
    }

    fn home(&self) -> HomePage<'r> {
        let d = self.data;
        let records = &d.snapshot.records;
        let mut counts = Counts { records: records.len(), incidents: d.by_date.len(), ..Counts::default() };
        counts.customers = d.customers.len();
        counts.owners = d.owners.len();
        counts.items = d.items.len();
        for it in &d.items {
            match it.state {
                ItemState::Overdue => counts.items_overdue += 1,
                ItemState::Open => counts.items_open += 1,
                ItemState::Done => counts.items_done += 1,
            }
        }
        for r in records {
            match retention_state(r, d.build_date) {
                "purged" => counts.purged += 1,
                "held" => counts.held += 1,
                "expired" => counts.expired += 1,
                "expiring" => counts.expiring += 1,
                _ => {}
            }
        }
        let mut severities = vec![0u64; SEVERITY_SERIES.len()];
        for &rec in &d.by_date {
            severities[charts::severity_index(&d.incident(rec).severity)] += 1;
        }
        let by_month = charts::by_time_and_severity(
            d.by_date.iter().filter_map(|&r| {
                let inc = d.incident(r);
                inc.started_at.map(|t| (t, charts::severity_index(&inc.severity)))
            }),
            60,
        );
        let durations = charts::duration_distribution(d.by_date.iter().filter_map(|&r| {
            let inc = d.incident(r);
            inc.duration_seconds.map(|s| (s, charts::severity_index(&inc.severity)))
        }));
        let open: Vec<&ItemRef> = d.items.iter().filter(|i| i.state == ItemState::Open).take(10).collect();
        HomePage {
            nav: "home",
            counts,
            severities: SEVERITY_SERIES
                .iter()
                .zip(severities)
                .filter(|(_, n)| *n > 0)
                .map(|((class, label), count)| SeverityCount { class, label, count })
                .collect(),
            chart_data: HomeCharts { by_month, durations },
            latest: d.by_date.iter().take(10).map(|&r| self.incident_row(r)).collect(),
            overdue: d
                .items
                .iter()
                .take_while(|i| i.state == ItemState::Overdue)
                .take(10)
                .map(|r| self.item_row(r))
                .collect(),
            due_soon: open.into_iter().map(|r| self.item_row(r)).collect(),
            years: self.year_links(None),
        }
    }

    fn year_links(&self, current: Option<usize>) -> Vec<YearLink> {
        self.data
            .years
            .iter()
            .enumerate()
            .map(|(i, (year, _))| YearLink {
                label: year_label(*year),
                path: year_path(*year),
                current: Some(i) == current,
            })
            .collect()
    }

    fn incidents_index(&self) -> IncidentsIndex {
        let d = self.data;
        let years = d
            .years
            .iter()
            .map(|(year, recs)| {
                let mut severities = vec![0usize; SEVERITY_SERIES.len()];
                for &r in recs {
                    severities[charts::severity_index(&d.incident(r).severity)] += 1;
                }
                YearRow {
                    label: year_label(*year),
                    path: year_path(*year),
                    count: recs.len(),
                    severities,
                    pages: pages(recs.len()),
                }
            })
            .collect();
        IncidentsIndex {
            nav: "incidents",
            total: d.by_date.len(),
            severity_labels: SEVERITY_SERIES.iter().map(|s| s.1).collect(),
            years,
        }
    }

    fn year_page(&self, y: usize, p: usize) -> YearPage<'r> {
        let (year, recs) = &self.data.years[y];
        let base = year_path(*year);
        YearPage {
            nav: "incidents",
            label: year_label(*year),
            total: recs.len(),
            rows: window(recs, p).iter().map(|&r| self.incident_row(r)).collect(),
            pager: pager(&base, p, recs.len()),
            years: self.year_links(Some(y)),
        }
    }

    fn customer_page(&self, c: usize, p: usize) -> CustomerPage<'r> {
        let d = self.data;
        let customer = &d.customers[c];
        let rows = window(&customer.rows, p)
            .iter()
            .map(|&(rec, row)| {
                let imp = &d.incident(rec).impact.customers[row];
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
                    let inc = d.incident(r);
                    inc.started_at.map(|t| (t, charts::severity_index(&inc.severity)))
                }),
                36,
            );
            chart = Some(buckets);
            let mut open: Vec<ItemRef> = Vec::new();
            for &rec in &customer.recs {
                for (item, ai) in d.incident(rec).action_items.iter().enumerate() {
                    let state = super::data::item_state(ai, d.build_date);
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

    fn retention(&self) -> RetentionPage<'r> {
        let d = self.data;
        let mut lists: [Vec<usize>; 4] = Default::default();
        let mut schedule: std::collections::BTreeMap<i32, usize> = Default::default();
        for (i, r) in d.snapshot.records.iter().enumerate() {
            let state = retention_state(r, d.build_date);
            match state {
                "expired" => lists[0].push(i),
                "expiring" => lists[1].push(i),
                "held" => lists[2].push(i),
                "purged" => lists[3].push(i),
                _ => {}
            }
            if r.purged.is_none() {
                *schedule.entry(chrono::Datelike::year(&r.retain_until)).or_default() += 1;
            }
        }
        let recs = &d.snapshot.records;
        lists[0]
            .sort_by(|&a, &b| (recs[a].retain_until, &recs[a].id).cmp(&(recs[b].retain_until, &recs[b].id)));
        lists[1]
            .sort_by(|&a, &b| (recs[a].retain_until, &recs[a].id).cmp(&(recs[b].retain_until, &recs[b].id)));
        let purged_at = |i: usize| recs[i].purged.as_ref().map(|p| p.at);
        lists[3].sort_by(|&a, &b| (purged_at(b), &recs[a].id).cmp(&(purged_at(a), &recs[b].id)));
        let rows = |list: &[usize]| -> RetentionList<'r> {
            RetentionList {
                total: list.len(),
                rows: list.iter().take(LIST_LIMIT).map(|&i| self.retention_row(i)).collect(),
            }
        };
        RetentionPage {
            nav: "retention",
            expiring_days: EXPIRING_DAYS,
            expired: rows(&lists[0]),
            expiring: rows(&lists[1]),
            held: rows(&lists[2]),
            purged: rows(&lists[3]),
            schedule: schedule.into_iter().map(|(year, count)| YearCount { year, count }).collect(),
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
            signed_off: r.incident.as_ref().map_or(Some(r.sign_off.date), |inc| inc.sign_off.date),
            legal_hold: r.legal_hold.as_ref(),
            purged: r.purged.as_ref(),
            state: retention_state(r, d.build_date),
        }
    }

    fn feed(&self) -> FeedPage<'r> {
        let d = self.data;
        let base = self.site.base_url.trim_end_matches('/');
        let entries: Vec<FeedEntry> = d
            .by_date
            .iter()
            .take(FEED_ENTRIES)
            .map(|&rec| {
                let r = d.record(rec);
                let inc = d.incident(rec);
                let path = self.path_of(rec);
                FeedEntry {
                    id: &r.id,
                    title: &inc.title,
                    path,
                    url: if base.is_empty() { String::new() } else { format!("{base}/{path}") },
                    published: r.versions.first().map(|v| v.ingested_at),
                    updated: r.versions.last().map(|v| v.ingested_at),
                    severity: &inc.severity,
                    status: &inc.status,
                    started_at: inc.started_at,
                    customer_impact: &inc.customer_impact,
                    summary: &inc.root_cause.summary,
                }
            })
            .collect();
        let updated = entries.iter().filter_map(|e| e.updated).max();
        FeedPage {
            nav: "feed",
            feed_id: if base.is_empty() {
                "urn:incident-archive:feed".to_string()
            } else {
                format!("{base}/feed.xml")
            },
            updated: updated
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(|| format!("{}T00:00:00Z", self.build_date)),
            entries,
        }
    }

    fn json(&self) -> JsonExport<'r> {
        let d = self.data;
        JsonExport {
            format: 1,
            archive_root: &d.snapshot.root,
            ledger_len: d.snapshot.ledger_len,
            incidents: d
                .snapshot
                .records
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let inc = r.incident.as_ref();
                    JsonIncident {
                        id: &r.id,
                        title: r.title(),
                        path: self.path_of(i),
                        severity: inc.map(|i| i.severity.as_str()),
                        status: inc.map(|i| i.status.as_str()),
                        started_at: inc.and_then(|i| i.started_at),
                        ended_at: inc.and_then(|i| i.ended_at),
                        duration_seconds: inc.and_then(|i| i.duration_seconds),
                        users_affected: inc.and_then(|i| i.impact.users_affected),
                        customers: inc
                            .map(|i| i.impact.customers.iter().map(|c| c.name.as_str()).collect())
                            .unwrap_or_default(),
                        action_items: inc.map_or(0, |i| i.action_items.len()),
                        action_items_done: inc
                            .map_or(0, |i| i.action_items.iter().filter(|a| a.done).count()),
                        approved_by: inc.map(|i| i.sign_off.approved_by.as_str()),
                        signed_off: inc.and_then(|i| i.sign_off.date),
                        object: &r.object,
                        versions: r.versions.len(),
                        retain_until: r.retain_until,
                        legal_hold: r.legal_hold.is_some(),
                        purged: r.purged.is_some(),
                    }
                })
                .collect(),
        }
    }
}

fn year_label(year: Option<i32>) -> String {
    year.map_or_else(|| "Undated".to_string(), |y| y.to_string())
}

fn year_path(year: Option<i32>) -> String {
    year.map_or_else(|| "incidents/undated.html".to_string(), |y| format!("incidents/{y}.html"))
}

/// The rows of page `p` (1-based).
fn window<T>(rows: &[T], p: usize) -> &[T] {
    let start = ((p - 1) * PAGE_SIZE).min(rows.len());
    &rows[start..(start + PAGE_SIZE).min(rows.len())]
}

fn pager(base: &str, page: usize, total: usize) -> Pager {
    let count = pages(total);
    let mut links = Vec::new();
    let mut last_shown = 0;
    for n in 1..=count {
        let near = n == 1 || n == count || n.abs_diff(page) <= 2;
        if !near {
            continue;
        }
        if n > last_shown + 1 {
            links.push(PageLink { number: None, path: String::new(), current: false });
        }
        links.push(PageLink { number: Some(n), path: page_path(base, n), current: n == page });
        last_shown = n;
    }
    Pager {
        page,
        pages: count,
        first: if total == 0 { 0 } else { (page - 1) * PAGE_SIZE + 1 },
        last: (page * PAGE_SIZE).min(total),
        prev: (page > 1).then(|| page_path(base, page - 1)),
        next: (page < count).then(|| page_path(base, page + 1)),
        links,
    }
}

fn owner_row<'r>(o: &'r Owner<'_>) -> OwnerRow<'r> {
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

/// Where a record stands in its retention on `today`.
pub fn retention_state(r: &ArchivedRecord, today: NaiveDate) -> &'static str {
    if r.purged.is_some() {
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

fn provenance(r: &ArchivedRecord, today: NaiveDate) -> Provenance<'_> {
    Provenance {
        id: &r.id,
        title: r.title(),
        object: &r.object,
        object_path: if r.object.len() > 2 {
            format!("objects/{}/{}", &r.object[..2], &r.object[2..])
        } else {
            r.object.clone()
        },
        versions: r
            .versions
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                object: &v.object,
                seq: v.seq,
                ingested_at: v.ingested_at,
                current: r.versions.last().is_some_and(|last| last.seq == v.seq),
            })
            .collect(),
        first_ingested_at: r.versions.first().map(|v| v.ingested_at),
        ingested_at: r.versions.last().map(|v| v.ingested_at),
        retain_until: r.retain_until,
        retention: retention_state(r, today),
        retention_years: r.retention_years,
        legal_hold: r.legal_hold.as_ref(),
        purged: r.purged.as_ref(),
        last_seq: r.last_seq,
        size: r.size,
        signed_off_by: &r.sign_off.approved_by,
        signed_off: (!r.sign_off.approved_by.is_empty()).then_some(r.sign_off.date),
        error: r.error.as_deref(),
        attestation: r.versions.last().and_then(|v| v.attestation.as_ref()).map(|a| AttestationRow {
            sidecar: &a.object,
            size: a.size,
            reference: r
                .incident
                .as_ref()
                .and_then(|i| i.attestation.as_ref())
                .and_then(|a| a.reference.as_deref()),
        }),
    }
}

// ----- the incident page's sections -----

/// A typed panel the incident template knows how to draw, or plain Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Summary,
    Timeline,
    Impact,
    Resolution,
    Lessons,
    ActionItems,
    SignOff,
    Markdown,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Summary => "summary",
            Kind::Timeline => "timeline",
            Kind::Impact => "impact",
            Kind::Resolution => "resolution",
            Kind::Lessons => "lessons",
            Kind::ActionItems => "action_items",
            Kind::SignOff => "sign_off",
            Kind::Markdown => "markdown",
        }
    }

    /// The panel for a section, by the kind the parser gave it.
    fn of(section: SectionKind) -> Kind {
        match section {
            SectionKind::Summary => Kind::Summary,
            SectionKind::Timeline => Kind::Timeline,
            SectionKind::Impact => Kind::Impact,
            SectionKind::Resolution => Kind::Resolution,
            SectionKind::Lessons => Kind::Lessons,
            SectionKind::ActionItems => Kind::ActionItems,
            SectionKind::SignOff => Kind::SignOff,
            _ => Kind::Markdown,
        }
    }
}

/// Subsections a typed panel already shows.
fn is_child(parent: Kind, section: SectionKind) -> bool {
    use SectionKind as S;
    match parent {
        Kind::Impact => matches!(section, S::UserImpact | S::CustomerImpact | S::BusinessImpact),
        Kind::Resolution => matches!(section, S::Immediate | S::ShortTerm | S::LongTerm),
        Kind::Lessons => matches!(section, S::WentWell | S::ToImprove | S::Lucky),
        Kind::Timeline => section == S::TimelineEntry,
        _ => false,
    }
}

/// The `**Label**` names used in a section.
fn labels(markdown: &str) -> impl Iterator<Item = String> + '_ {
    markdown.lines().filter_map(|l| {
        let l = l.trim_start();
        let l = l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")).unwrap_or(l).trim_start();
        let rest = l.strip_prefix("**")?;
        let end = rest.find("**")?;
        Some(normalize(rest[..end].trim_end_matches(':')))
    })
}

/// True when every line of a summary section is a value the summary panel shows (`**Status**:
/// …`, `Status: …`, a table row): prose (`## Summary` with a paragraph) stays Markdown.
fn only_summary_values(markdown: &str) -> bool {
    markdown.lines().map(str::trim).filter(|l| !l.is_empty()).all(|l| {
        if l.starts_with('|') {
            return true;
        }
        let l = l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")).unwrap_or(l).trim_start();
        let label = match l.strip_prefix("**") {
            Some(rest) => rest.find("**").map(|end| &rest[..end]),
            None => l.split_once(':').map(|(label, _)| label),
        };
        label.is_some_and(|label| is_summary_label(&normalize(label.trim_end_matches(':'))))
    })
}

/// True when the typed panel shows everything the section says.
fn typed_covers(kind: Kind, inc: &Incident, markdown: &str) -> bool {
    let known: &[&str] = match kind {
        Kind::SignOff => {
            &["incident commander", "reviewed by", "approved by", "date", "classification", "retention"]
        }
        _ => &[],
    };
    let labels_known = || labels(markdown).all(|l| known.contains(&l.as_str()));
    match kind {
        Kind::Summary => only_summary_values(markdown),
        Kind::SignOff => {
            labels_known() && (!inc.sign_off.approved_by.is_empty() || inc.sign_off.date.is_some())
        }
        Kind::Timeline => !inc.timeline.is_empty(),
        Kind::Impact => {
            let i = &inc.impact;
            i.users_affected.is_some()
                || !i.text.is_empty()
                || !i.user_fields.is_empty()
                || !i.customers.is_empty()
                || !i.business.is_empty()
        }
        Kind::Resolution => {
            let r = &inc.resolution;
            !(r.immediate.is_empty() && r.short_term.is_empty() && r.long_term.is_empty())
        }
        Kind::Lessons => {
            let l = &inc.lessons_learned;
            !(l.went_well.is_empty()
                && l.to_improve.is_empty()
                && l.lucky.is_empty()
                && l.learnings.is_empty())
        }
        Kind::ActionItems => !inc.action_items.is_empty(),
        Kind::Markdown => false,
    }
}

/// A section's Markdown without its heading line (the model keeps it: `## Root Cause`, or a
/// setext heading's two lines).
fn section_body(markdown: &str) -> &str {
    let mut lines = markdown.splitn(3, '\n');
    let first = lines.next().unwrap_or("");
    if first.trim_start().starts_with('#') {
        return markdown[first.len()..].trim_start_matches(['\r', '\n']);
    }
    let second = lines.next().unwrap_or("").trim();
    if !second.is_empty() && (second.bytes().all(|b| b == b'=') || second.bytes().all(|b| b == b'-')) {
        return lines.next().unwrap_or("");
    }
    markdown
}

/// The incident page's sections in document order: a typed panel where the model has the
/// section's content, the section's own Markdown otherwise, so that nothing is dropped.
fn blocks(inc: &Incident) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut typed: Vec<(Kind, u8)> = Vec::new();
    // A panel shows the model, which the parser reads from the first section of each kind.
    let mut drawn: Vec<Kind> = Vec::new();
    for s in &inc.sections {
        while typed.last().is_some_and(|(_, level)| *level >= s.level) {
            typed.pop();
        }
        let body = section_body(&s.markdown);
        if s.level <= 1 {
            if !body.trim().is_empty() {
                out.push(Block { kind: "markdown", heading: "", level: 2, markdown: body });
            }
            continue;
        }
        if typed.iter().any(|(k, _)| is_child(*k, s.kind)) {
            continue;
        }
        let kind = Kind::of(s.kind);
        if kind != Kind::Markdown && !drawn.contains(&kind) && typed_covers(kind, inc, body) {
            drawn.push(kind);
            out.push(Block {
                kind: kind.name(),
                heading: &s.heading,
                level: s.level.clamp(2, 4),
                markdown: body,
            });
            typed.push((kind, s.level));
        } else if !body.trim().is_empty() || s.level == 2 {
            out.push(Block {
                kind: "markdown",
                heading: &s.heading,
                level: s.level.clamp(2, 4),
                markdown: body,
            });
        }
    }
    if inc.sections.is_empty() {
        // A record known only by its model: the typed panels that have content.
        for (kind, heading) in [
            (Kind::Timeline, "Timeline"),
            (Kind::Impact, "Impact"),
            (Kind::Resolution, "Resolution"),
            (Kind::Lessons, "Lessons Learned"),
            (Kind::ActionItems, "Action Items"),
            (Kind::SignOff, "Sign-off"),
        ] {
            if typed_covers(kind, inc, "") {
                out.push(Block { kind: kind.name(), heading, level: 2, markdown: "" });
            }
        }
    }
    out
}

// ----- page contexts (documented in site-templates/README.md) -----

#[derive(Serialize)]
struct NavOnly {
    nav: &'static str,
}

#[derive(Serialize)]
struct IncidentRow<'a> {
    id: &'a str,
    path: &'a str,
    title: &'a str,
    severity: &'a str,
    severity_label: Option<&'a str>,
    status: &'a str,
    started_at: Option<DateTime<Utc>>,
    duration_seconds: Option<i64>,
    users_affected: Option<u64>,
    customers: usize,
    open_items: usize,
    overdue_items: usize,
}

#[derive(Serialize)]
struct ItemRow<'a> {
    id: &'a str,
    action: &'a str,
    owner: &'a str,
    owner_path: Option<&'a str>,
    due: Option<NaiveDate>,
    status: &'a str,
    done: bool,
    state: &'static str,
    incident_id: &'a str,
    incident_title: &'a str,
    incident_path: &'a str,
    severity: &'a str,
}

#[derive(Serialize)]
struct Pager {
    page: usize,
    pages: usize,
    /// Row numbers on this page. The total is not part of the pager: it would change every
    /// page of a list whenever one row is added.
    first: usize,
    last: usize,
    prev: Option<String>,
    next: Option<String>,
    links: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    /// `None` for a gap (`…`).
    number: Option<usize>,
    path: String,
    current: bool,
}

#[derive(Serialize)]
struct Link {
    label: String,
    path: String,
}

#[derive(Serialize)]
struct IncidentPage<'a> {
    nav: &'static str,
    year: Option<Link>,
    /// The record as the snapshot holds it (maybe only its summary); the template gets the whole
    /// record from `Renderer::incident`'s extra values instead.
    #[serde(skip)]
    incident: Option<&'a Incident>,
    record: Provenance<'a>,
    customers: Vec<ImpactRow<'a>>,
    action_items: Vec<ItemRow<'a>>,
}

/// What an incident page's key is made of (see `Renderer::incident`).
#[derive(Serialize)]
struct IncidentKey<'k, 'a> {
    object: &'a str,
    record: &'k Provenance<'a>,
    year: &'k Option<Link>,
    customers: &'k [ImpactRow<'a>],
    action_items: &'k [ItemRow<'a>],
}

#[derive(Serialize)]
struct Provenance<'a> {
    id: &'a str,
    /// `None` for a purged record: its title went with its content.
    title: Option<&'a str>,
    object: &'a str,
    object_path: String,
    versions: Vec<VersionRow<'a>>,
    first_ingested_at: Option<DateTime<Utc>>,
    ingested_at: Option<DateTime<Utc>>,
    retain_until: NaiveDate,
    retention: &'static str,
    /// The retention period applied, in years.
    retention_years: u32,
    legal_hold: Option<&'a Hold>,
    purged: Option<&'a PurgeInfo>,
    last_seq: u64,
    /// Bytes of the current object.
    size: u64,
    /// The sign-off as the ledger records it (kept after a purge); empty and `None` when the
    /// snapshot does not carry it.
    signed_off_by: &'a str,
    signed_off: Option<NaiveDate>,
    /// Why the record's bytes could not be read (missing or changed object), for a record
    /// that was not purged.
    error: Option<&'a str>,
    /// The sign-off attested on import by a sidecar, when the current version has one.
    attestation: Option<AttestationRow<'a>>,
}

/// "Sign-off attested on import": the sidecar's object, size and reference.
#[derive(Serialize)]
struct AttestationRow<'a> {
    sidecar: &'a str,
    size: u64,
    /// Where the approval is recorded, from the sidecar (`None` once purged).
    reference: Option<&'a str>,
}

#[derive(Serialize)]
struct VersionRow<'a> {
    version: u32,
    object: &'a str,
    seq: u64,
    ingested_at: DateTime<Utc>,
    current: bool,
}

#[derive(Serialize)]
struct ImpactRow<'a> {
    name: &'a str,
    path: Option<&'a str>,
    users_affected: Option<u64>,
    max_delay_seconds: Option<u64>,
    min_delay_seconds: Option<u64>,
    complaints: Option<u64>,
    accounts: Option<u64>,
}

#[derive(Serialize)]
struct Block<'a> {
    kind: &'static str,
    heading: &'a str,
    level: u8,
    markdown: &'a str,
}

#[derive(Serialize, Default)]
struct Counts {
    records: usize,
    incidents: usize,
    purged: usize,
    held: usize,
    expired: usize,
    expiring: usize,
    customers: usize,
    owners: usize,
    items: usize,
    items_open: usize,
    items_overdue: usize,
    items_done: usize,
}

#[derive(Serialize)]
struct SeverityCount {
    class: &'static str,
    label: &'static str,
    count: u64,
}

#[derive(Serialize)]
struct HomeCharts {
    by_month: Vec<charts::Bucket>,
    durations: Vec<charts::Bucket>,
}

#[derive(Serialize)]
struct HomePage<'a> {
    nav: &'static str,
    counts: Counts,
    severities: Vec<SeverityCount>,
    /// The numbers behind `charts` (which is added, as SVG, only when the page is rendered).
    chart_data: HomeCharts,
    latest: Vec<IncidentRow<'a>>,
    overdue: Vec<ItemRow<'a>>,
    due_soon: Vec<ItemRow<'a>>,
    years: Vec<YearLink>,
}

#[derive(Serialize)]
struct YearLink {
    label: String,
    path: String,
    current: bool,
}

#[derive(Serialize)]
struct YearRow {
    label: String,
    path: String,
    count: usize,
    /// Per severity in `severity_labels` order.
    severities: Vec<usize>,
    pages: usize,
}

#[derive(Serialize)]
struct IncidentsIndex {
    nav: &'static str,
    total: usize,
    severity_labels: Vec<&'static str>,
    years: Vec<YearRow>,
}

#[derive(Serialize)]
struct YearPage<'a> {
    nav: &'static str,
    label: String,
    total: usize,
    rows: Vec<IncidentRow<'a>>,
    pager: Pager,
    years: Vec<YearLink>,
}

#[derive(Serialize)]
struct CustomerRow<'a> {
    name: &'a str,
    path: &'a str,
    incidents: usize,
    users: u64,
    worst_delay_seconds: Option<u64>,
    complaints: u64,
    open_items: usize,
    overdue_items: usize,
    first_incident_at: Option<DateTime<Utc>>,
    last_incident_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct ListPage<'a> {
    nav: &'static str,
    customers: &'a [CustomerRow<'a>],
}

#[derive(Serialize)]
struct CustomerIncident<'a> {
    incident: IncidentRow<'a>,
    users_affected: Option<u64>,
    max_delay_seconds: Option<u64>,
    min_delay_seconds: Option<u64>,
    complaints: Option<u64>,
}

#[derive(Serialize)]
struct CustomerPage<'a> {
    nav: &'static str,
    customer: &'a CustomerRow<'a>,
    /// The numbers behind `chart` (page 1 only; the SVG is added when the page is rendered).
    chart_data: Option<Vec<charts::Bucket>>,
    incidents: Vec<CustomerIncident<'a>>,
    pager: Pager,
    open_items: Vec<ItemRow<'a>>,
    open_total: usize,
}

#[derive(Serialize, Default, Clone)]
struct OwnerRow<'a> {
    name: &'a str,
    path: &'a str,
    total: usize,
    open: usize,
    overdue: usize,
    done: usize,
}

#[derive(Serialize)]
struct OwnersPage<'a> {
    nav: &'static str,
    owners: &'a [OwnerRow<'a>],
}

#[derive(Serialize)]
#[serde(untagged)]
enum OwnerHead<'a> {
    Counts(&'a OwnerRow<'a>),
    Name { name: &'a str, path: &'a str },
}

#[derive(Serialize)]
struct OwnerPage<'a> {
    nav: &'static str,
    owner: OwnerHead<'a>,
    items: Vec<ItemRow<'a>>,
    pager: Pager,
}

#[derive(Serialize, Default)]
struct ItemCounts {
    total: usize,
    overdue: usize,
    open: usize,
    done: usize,
}

#[derive(Serialize)]
struct StatusCount<'a> {
    status: &'a str,
    count: usize,
}

/// The tracker's lists: name and first page. Each list is paged on its own, so that new items,
/// which come last in their list, leave the other lists' pages unchanged.
const TRACKER: [(&str, &str); 3] =
    [("overdue", "actions.html"), ("open", "actions-open.html"), ("done", "actions-done.html")];

#[derive(Serialize)]
struct ListTab {
    name: &'static str,
    path: &'static str,
    current: bool,
}

#[derive(Serialize)]
struct ActionsSummary<'a> {
    counts: &'a ItemCounts,
    statuses: &'a [StatusCount<'a>],
    owners: &'a [OwnerRow<'a>],
    owners_total: usize,
}

#[derive(Serialize)]
struct ActionsPage<'a> {
    nav: &'static str,
    /// `overdue`, `open` or `done`.
    list: &'static str,
    lists: Vec<ListTab>,
    /// Counts, statuses and the busiest owners: on `actions.html` only, so that the other
    /// pages of the tracker change only when their own items do.
    summary: Option<ActionsSummary<'a>>,
    items: Vec<ItemRow<'a>>,
    pager: Pager,
}

#[derive(Serialize)]
struct RetentionRow<'a> {
    id: &'a str,
    /// `None` for a purged record: its title went with its content.
    title: Option<&'a str>,
    path: &'a str,
    object: &'a str,
    retain_until: NaiveDate,
    signed_off: Option<NaiveDate>,
    legal_hold: Option<&'a Hold>,
    purged: Option<&'a PurgeInfo>,
    state: &'static str,
}

#[derive(Serialize)]
struct RetentionList<'a> {
    total: usize,
    rows: Vec<RetentionRow<'a>>,
}

#[derive(Serialize)]
struct YearCount {
    year: i32,
    count: usize,
}

#[derive(Serialize)]
struct RetentionPage<'a> {
    nav: &'static str,
    expiring_days: i64,
    expired: RetentionList<'a>,
    expiring: RetentionList<'a>,
    held: RetentionList<'a>,
    purged: RetentionList<'a>,
    schedule: Vec<YearCount>,
}

#[derive(Serialize)]
struct FeedEntry<'a> {
    id: &'a str,
    title: &'a str,
    path: &'a str,
    /// Absolute when the site has a `base_url`, else empty.
    url: String,
    published: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
    severity: &'a str,
    status: &'a str,
    started_at: Option<DateTime<Utc>>,
    customer_impact: &'a str,
    summary: &'a str,
}

#[derive(Serialize)]
struct FeedPage<'a> {
    nav: &'static str,
    feed_id: String,
    updated: String,
    entries: Vec<FeedEntry<'a>>,
}

#[derive(Serialize)]
struct JsonExport<'a> {
    format: u32,
    archive_root: &'a str,
    ledger_len: u64,
    incidents: Vec<JsonIncident<'a>>,
}

#[derive(Serialize)]
struct JsonIncident<'a> {
    id: &'a str,
    /// `null` for a purged record: its title went with its content.
    title: Option<&'a str>,
    path: &'a str,
    severity: Option<&'a str>,
    status: Option<&'a str>,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    duration_seconds: Option<i64>,
    users_affected: Option<u64>,
    customers: Vec<&'a str>,
    action_items: usize,
    action_items_done: usize,
    approved_by: Option<&'a str>,
    signed_off: Option<NaiveDate>,
    object: &'a str,
    versions: usize,
    retain_until: NaiveDate,
    legal_hold: bool,
    purged: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_and_roots() {
        assert_eq!(page_path("incidents/2025.html", 1), "incidents/2025.html");
        assert_eq!(page_path("incidents/2025.html", 3), "incidents/2025.p3.html");
        assert_eq!(root_for("index.html"), "");
        assert_eq!(root_for("customers/acme.html"), "../");
    }

    #[test]
    fn pager_shows_ends_and_neighbours() {
        let p = pager("actions.html", 10, PAGE_SIZE * 20);
        let numbers: Vec<Option<usize>> = p.links.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [Some(1), None, Some(8), Some(9), Some(10), Some(11), Some(12), None, Some(20)]);
        assert_eq!(p.prev.as_deref(), Some("actions.p9.html"));
        assert_eq!(p.next.as_deref(), Some("actions.p11.html"));
        assert_eq!((p.first, p.last), (9 * PAGE_SIZE + 1, 10 * PAGE_SIZE));
        let one = pager("actions.html", 1, 0);
        assert_eq!((one.pages, one.first, one.last, one.links.len()), (1, 0, 0, 1));
    }

    #[test]
    fn panels_follow_the_parsers_section_kinds() {
        assert_eq!(Kind::of(SectionKind::SignOff), Kind::SignOff);
        assert_eq!(Kind::of(SectionKind::Impact), Kind::Impact);
        assert_eq!(Kind::of(SectionKind::SelfHealing), Kind::Markdown);
        assert!(is_child(Kind::Impact, SectionKind::CustomerImpact));
        assert!(is_child(Kind::Resolution, SectionKind::LongTerm));
        assert!(!is_child(Kind::Lessons, SectionKind::ActionItems));
    }

    fn page_blocks(text: &str) -> Vec<(String, &'static str)> {
        let parsed = crate::record::parse(std::path::Path::new("t.md"), text.as_bytes());
        let inc = parsed.incident.expect("parsed");
        blocks(&inc).iter().map(|b| (b.heading.to_string(), b.kind)).collect()
    }

    #[test]
    fn a_timeline_under_any_of_its_headings_is_drawn_as_a_timeline() {
        // The site once classified headings itself and drew `## Chronology` as plain Markdown.
        for heading in ["Timeline", "Chronology", "Incident Timeline"] {
            let text = format!(
                "# T\n\n## Summary\n\n**Start Time**: 2025-01-14 14:00 UTC\n\n## {heading}\n\n- 14:02 - Alert\n"
            );
            assert!(page_blocks(&text).contains(&(heading.to_string(), "timeline")), "{heading}");
        }
    }

    #[test]
    fn entries_written_as_headings_are_drawn_once_in_the_timeline() {
        let text = "# T\n\n## Summary\n\n**Start Time**: 2025-07-11 12:00 UTC\n\n## Timeline\n\n### 12:42 PM\n\nRotation job runs.\n\n### 12:49 PM\n\nFirst reports.\n\n### Notes\n\nKept.\n";
        let blocks = page_blocks(text);
        let headings: Vec<&str> = blocks.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(headings, ["Summary", "Timeline", "Notes"], "{blocks:?}");
        assert_eq!(blocks[1].1, "timeline");
    }

    #[test]
    fn only_the_first_section_of_a_kind_is_a_panel() {
        let text = "# T\n\n## Summary\n\n**Start Time**: 2025-01-14 14:00 UTC\n\n## Timeline\n\n- 14:02 - Alert\n\n## Timeline\n\n- 14:09 - Again\n";
        let blocks = page_blocks(text);
        let kinds: Vec<&str> = blocks.iter().filter(|(h, _)| h == "Timeline").map(|b| b.1).collect();
        assert_eq!(kinds, ["timeline", "markdown"]);
    }

    #[test]
    fn section_bodies_lose_their_heading() {
        assert_eq!(section_body("## Root Cause\n\nText\n"), "Text\n");
        assert_eq!(section_body("## Root Cause\r\n\r\nText\r\n"), "Text\r\n");
        assert_eq!(section_body("Root Cause\n==========\nText\n"), "Text\n");
        assert_eq!(section_body("Text only\n"), "Text only\n");
        assert_eq!(section_body("# Title"), "");
    }

    #[test]
    fn unknown_summary_labels_keep_the_markdown() {
        let inc = Incident::default();
        assert!(typed_covers(Kind::Summary, &inc, "**Incident ID**: X  \n**Title**: Y"));
        assert!(!typed_covers(Kind::Summary, &inc, "**Incident ID**: X  \n**Region**: eu-west-1"));
        assert!(typed_covers(Kind::Summary, &inc, "Status: Closed\n| Severity | P2 |\n"));
        // A summary of prose is kept as written, not replaced by the panel.
        assert!(!typed_covers(Kind::Summary, &inc, "Uploads failed for 52 minutes."));
        assert!(!typed_covers(Kind::Summary, &inc, "**Status**: Closed\n\nUploads failed for 52 minutes."));
    }
}
