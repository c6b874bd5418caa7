//! The template contract: what each page template of the site receives, as documented types.
//!
//! mdBook hands its renderers one `RenderContext`; the site does the same per page. Every page
//! gets the [`Globals`] (site title, build date, the page's root prefix, the archive's root)
//! merged over its own page type ([`HomePage`], [`IncidentPage`], [`YearPage`], …). Whoever
//! writes templates of their own (`--templates DIR`) can rely on these fields: their names and
//! meaning are the interface, and `site-templates/README.md` documents every one of them (a
//! test in `site::tests` checks that it does). The values are serialized as they are for
//! minijinja: absent optional values are `none`, timestamps RFC 3339 strings in UTC, dates
//! `YYYY-MM-DD`, and paths relative to the site root (prefix them with [`Globals::root`]).
//!
//! These types only carry data: the page modules build them, the render engine serializes and
//! hashes them. A field's order is its order in `incidents.json` and in a page's key, so keep it.

// Every type and field is part of the interface: each says what templates may rely on.
#![deny(missing_docs)]

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::charts::Bucket;
use crate::archive::{Hold, PurgeInfo};

// ----- what every page receives -----

/// The site-wide values every page template receives, merged over the page's own data (page
/// data cannot shadow them). `nav`, the page's section, is a field of each page type.
#[derive(Debug, Clone, Serialize)]
pub struct Globals<'a> {
    /// The relative prefix from the page to the site root: `""` at the top, `"../"` one folder
    /// down. Links written as `{{ root }}path/from/root.html` work from `file://`.
    pub root: String,
    /// From the configuration's `site:` section.
    pub site: &'a SiteInfo<'a>,
    /// The date the site is built as of (`YYYY-MM-DD`): `--as-of`, `SOURCE_DATE_EPOCH` or today.
    /// A page whose templates mention it is rendered again whenever it changes.
    pub build_date: &'a str,
    /// The archive's RFC 6962 Merkle root (hex). A page whose templates mention it is rendered
    /// again whenever the archive changes.
    pub archive_root: &'a str,
    /// The number of ledger entries.
    pub ledger_len: u64,
}

/// The site's own settings (`site.title`, `site.base_url` in templates).
#[derive(Debug, Clone, Serialize)]
pub struct SiteInfo<'a> {
    /// Shown in every page's header and as the feed's title.
    pub title: &'a str,
    /// The absolute URL the site is served from, as configured; empty when not set.
    pub base_url: &'a str,
}

// ----- rows that many pages show -----

/// An incident in a list (the home page's latest, a year's rows, a customer's incidents).
#[derive(Debug, Clone, Serialize)]
pub struct IncidentRow<'a> {
    /// The record's id.
    pub id: &'a str,
    /// Its page (`incidents/<ID>.html`, or `incidents/<slug>-<hash>.html` for an unsafe id).
    pub path: &'a str,
    /// The record's title.
    pub title: &'a str,
    /// `P1` … `P5`; empty when the record gives none.
    pub severity: &'a str,
    /// The label in parentheses after the severity (`High` in `P2 (High)`), when given.
    pub severity_label: Option<&'a str>,
    /// As written.
    pub status: &'a str,
    /// When the incident started.
    pub started_at: Option<DateTime<Utc>>,
    /// `ended_at - started_at` when both are known, else the stated duration.
    pub duration_seconds: Option<i64>,
    /// Users affected, from the impact section.
    pub users_affected: Option<u64>,
    /// The number of rows in the record's customer impact table.
    pub customers: usize,
    /// The record's action items not done (overdue ones included).
    pub open_items: usize,
    /// The record's action items not done and due before the build date.
    pub overdue_items: usize,
    /// True when a version of the record came after its sign-off.
    pub changed_after_sign_off: bool,
}

/// An action item in a list, with the incident it belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow<'a> {
    /// The item's id as written (`AI-2025-001`), maybe empty.
    pub id: &'a str,
    /// What is to be done, as written.
    pub action: &'a str,
    /// As written, trimmed; empty for an item without an owner.
    pub owner: &'a str,
    /// The owner's page (`owners/<slug>.html`; items without an owner have one too).
    pub owner_path: Option<&'a str>,
    /// The due date, when given.
    pub due: Option<NaiveDate>,
    /// As written, without the emoji (`Done`, `In Progress`, `Planned`).
    pub status: &'a str,
    /// True when the record marks the item done.
    pub done: bool,
    /// `overdue` (not done and due before the build date), `open` or `done`.
    pub state: &'static str,
    /// The id of the record the item belongs to.
    pub incident_id: &'a str,
    /// That record's title.
    pub incident_title: &'a str,
    /// That record's page.
    pub incident_path: &'a str,
    /// The incident's severity.
    pub severity: &'a str,
}

/// Where a page of a long list is (500 rows a page; page 2 of `x.html` is `x.p2.html`).
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    /// This page's number, from 1.
    pub page: usize,
    /// The number of pages (at least 1).
    pub pages: usize,
    /// Row numbers on this page (0 and 0 for an empty list). The total is not part of the
    /// pager: it would change every page of a list whenever one row is added.
    pub first: usize,
    /// The number of the last row on this page.
    pub last: usize,
    /// The previous page's path, `none` on the first page.
    pub prev: Option<String>,
    /// The next page's path, `none` on the last page.
    pub next: Option<String>,
    /// The first and last page and this page's neighbours, with gaps between them.
    pub links: Vec<PageLink>,
}

/// One link of a [`Pager`].
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    /// `None` for a gap (`…`).
    pub number: Option<usize>,
    /// The page's path; empty for a gap.
    pub path: String,
    /// True for the page the pager is on.
    pub current: bool,
}

/// A link to a year page from a year list.
#[derive(Debug, Clone, Serialize)]
pub struct YearLink {
    /// The year, or `Undated` for records without a start time.
    pub label: String,
    /// `incidents/<year>.html` or `incidents/undated.html`.
    pub path: String,
    /// True on that year's own pages.
    pub current: bool,
}

// ----- index.html -----

/// `index.html`, the home page. The page also receives `charts.by_month` and
/// `charts.durations`, the SVG drawn from [`HomePage::chart_data`] (marked safe).
#[derive(Debug, Clone, Serialize)]
pub struct HomePage<'a> {
    /// `home`.
    pub nav: &'static str,
    /// The archive in numbers.
    pub counts: Counts,
    /// The severities that have incidents, in `P1` … `P5`, `other` order.
    pub severities: Vec<SeverityCount>,
    /// The numbers behind `charts` (which is added, as SVG, only when the page is rendered).
    pub chart_data: HomeCharts,
    /// The 10 latest incidents.
    pub latest: Vec<IncidentRow<'a>>,
    /// The 10 most overdue action items.
    pub overdue: Vec<ItemRow<'a>>,
    /// The next 10 open action items (not overdue), by due date.
    pub due_soon: Vec<ItemRow<'a>>,
    /// Every year page, newest first.
    pub years: Vec<YearLink>,
}

/// The archive in numbers, on the home page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Every record, purged and unreadable ones included.
    pub records: usize,
    /// Records with an incident (neither purged nor unreadable).
    pub incidents: usize,
    /// Records whose content was purged.
    pub purged: usize,
    /// On legal hold (and not purged).
    pub held: usize,
    /// Past `retain_until`, not on hold, not purged.
    pub expired: usize,
    /// Retention ending within 90 days of the build date.
    pub expiring: usize,
    /// Customers named in impact tables (grouped rows excluded).
    pub customers: usize,
    /// Action-item owners (those without an owner count as one).
    pub owners: usize,
    /// Action items of every incident.
    pub items: usize,
    /// Not done and not overdue.
    pub items_open: usize,
    /// Not done and due before the build date.
    pub items_overdue: usize,
    /// Done.
    pub items_done: usize,
}

/// Incidents of one severity.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityCount {
    /// The severity's name in CSS classes (`p1` … `p5`, `other`).
    pub class: &'static str,
    /// `P1` … `P5` or `other`.
    pub label: &'static str,
    /// Incidents of the severity.
    pub count: u64,
}

/// The numbers behind the home page's charts.
#[derive(Debug, Clone, Serialize)]
pub struct HomeCharts {
    /// Incidents per month by severity (per quarter or year over long spans).
    pub by_month: Vec<Bucket>,
    /// Incidents by duration, by severity.
    pub durations: Vec<Bucket>,
}

// ----- incident.html -----

/// `incident.html`, one page per record. The page also receives, when it is rendered,
/// `incident` (the whole record model as `incident-archive show --json` prints it, or `none`
/// when the record was purged or its bytes cannot be read) and `blocks` (its sections in
/// document order, [`Block`]).
#[derive(Debug, Clone, Serialize)]
pub struct IncidentPage<'a> {
    /// `incidents`.
    pub nav: &'static str,
    /// The stylesheet with the record's id and hash for the margins of its printed pages
    /// (`print/<stem>.css`).
    pub print_css: String,
    /// The year page the incident is listed on; `none` without a start time or an incident.
    pub year: Option<Link>,
    /// The record's provenance, also for a purged or unreadable record.
    pub record: Provenance<'a>,
    /// The customer impact table, with links to the customers' pages.
    pub customers: Vec<ImpactRow<'a>>,
    /// The record's action items, in the record's order.
    pub action_items: Vec<ItemRow<'a>>,
    /// The incident before this one in time (the next older in the incident lists' order:
    /// start time, then id); `none` for the oldest, a purged or an unreadable record.
    pub prev: Option<Neighbour<'a>>,
    /// The incident after this one in time (the next newer); `none` for the newest.
    pub next: Option<Neighbour<'a>>,
}

/// A neighbouring incident page (previous or next).
#[derive(Debug, Clone, Serialize)]
pub struct Neighbour<'a> {
    /// The record's id.
    pub id: &'a str,
    /// The record's title.
    pub title: &'a str,
    /// Its page.
    pub path: &'a str,
}

/// A labelled link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// The link's text.
    pub label: String,
    /// Where it goes.
    pub path: String,
}

/// Where a record comes from and how the archive keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance<'a> {
    /// The record's id.
    pub id: &'a str,
    /// The record's own title; `None` for a purged record (its title went with its content) or
    /// one whose bytes cannot be read.
    pub title: Option<&'a str>,
    /// The current version's object (SHA-256, hex).
    pub object: &'a str,
    /// Where that object is in the archive (`objects/ab/cdef…`).
    pub object_path: String,
    /// Every version, oldest first.
    pub versions: Vec<VersionRow<'a>>,
    /// When the first version was ingested.
    pub first_ingested_at: Option<DateTime<Utc>>,
    /// When the current version was ingested.
    pub ingested_at: Option<DateTime<Utc>>,
    /// The end of the record's retention.
    pub retain_until: NaiveDate,
    /// `retained`, `expiring`, `expired`, `held` or `purged`, on the build date.
    pub retention: &'static str,
    /// The retention period applied, in years.
    pub retention_years: u32,
    /// The legal hold in force (`reason`, `since`), or `none`.
    pub legal_hold: Option<&'a Hold>,
    /// The disposal (`at`, `reason`), or `none`.
    pub purged: Option<&'a PurgeInfo>,
    /// The last ledger entry about the record.
    pub last_seq: u64,
    /// Bytes of the current object.
    pub size: u64,
    /// The sign-off as the ledger records it (kept after a purge); empty and `None` when the
    /// snapshot does not carry it.
    pub signed_off_by: &'a str,
    /// The sign-off date as the ledger records it; `None` when `signed_off_by` is empty.
    pub signed_off: Option<NaiveDate>,
    /// Why the record's bytes could not be read (missing or changed object), for a record
    /// that was not purged.
    pub error: Option<&'a str>,
    /// The sign-off attested on import by a sidecar, when the current version has one.
    pub attestation: Option<AttestationRow<'a>>,
    /// The inclusion proof of the latest entry, when the site has the ledger.
    pub proof: Option<ProofRow>,
    /// The record's one-record evidence bundle (`bundles/<stem>.tar.gz`: what `export evidence
    /// ID` makes, proven against the tree its last entry closed), when the site offers one.
    pub bundle: Option<String>,
    /// True when a version came after the record's sign-off (see `VersionRow::after_sign_off`).
    pub changed_after_sign_off: bool,
}

/// "Sign-off attested on import": the sidecar's object, size and reference.
#[derive(Debug, Clone, Serialize)]
pub struct AttestationRow<'a> {
    /// The sidecar's object (SHA-256, hex).
    pub sidecar: &'a str,
    /// Its size in bytes.
    pub size: u64,
    /// Where the approval is recorded, from the sidecar (`None` once purged).
    pub reference: Option<&'a str>,
}

/// One version of a record.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow<'a> {
    /// 1 for the first ingest.
    pub version: u32,
    /// The version's object (SHA-256, hex).
    pub object: &'a str,
    /// The ledger entry that added it.
    pub seq: u64,
    /// When it was ingested.
    pub ingested_at: DateTime<Utc>,
    /// True for the current version.
    pub current: bool,
    /// The version's original Markdown as archived, byte for byte (`originals/<sha256>.md`);
    /// `None` once purged or when the archive no longer holds it.
    pub original: Option<String>,
    /// The version's sign-off sidecar as archived (`originals/<sha256>.yaml`), when attested.
    pub sidecar: Option<String>,
    /// The inclusion proof of the entry that added the version (`proofs/<seq>.json`).
    pub proof: Option<String>,
    /// True when this (second or later) version was ingested after the day of the sign-off
    /// that covers it (the one its ledger entry records).
    pub after_sign_off: bool,
}

/// The inclusion proof of a record's latest ledger entry, against the tree of the ledger's first
/// `seq + 1` entries (stable until the record changes).
#[derive(Debug, Clone, Serialize)]
pub struct ProofRow {
    /// The proof JSON (`proofs/<seq>.json`), as `incident-archive proof ID` prints it.
    pub path: String,
    /// The entry proven.
    pub seq: u64,
    /// The size of the tree it is proven in (`seq + 1`).
    pub tree_size: u64,
    /// That tree's root, hex.
    pub root: String,
}

/// A row of an incident's customer impact table.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactRow<'a> {
    /// As written.
    pub name: &'a str,
    /// The customer's page; `None` for a grouped row (`Others (8 accounts)`).
    pub path: Option<&'a str>,
    /// As the row gives it.
    pub users_affected: Option<u64>,
    /// The upper bound of the delay (`18-25s` → 25).
    pub max_delay_seconds: Option<u64>,
    /// The lower bound when a range is given (`18-25s` → 18).
    pub min_delay_seconds: Option<u64>,
    /// As the row gives it.
    pub complaints: Option<u64>,
    /// The number of accounts of a grouped row.
    pub accounts: Option<u64>,
}

/// One of an incident's sections, in document order (`blocks`, made only when the page is
/// rendered): a typed panel where the model holds the section's content, its own Markdown
/// otherwise, so that nothing of the record is left out.
#[derive(Debug, Clone, Serialize)]
pub struct Block<'a> {
    /// `summary`, `timeline`, `impact`, `resolution`, `lessons`, `action_items` or `sign_off`
    /// (draw it from `incident`), or `markdown`.
    pub kind: &'static str,
    /// As written; empty for text before the first section.
    pub heading: &'a str,
    /// 2 to 4.
    pub level: u8,
    /// The section's Markdown without its heading.
    pub markdown: &'a str,
    /// The heading's id, named after it (`root-cause`; see `toc`); empty without a heading.
    pub anchor: String,
    /// The ids of the headings a typed panel draws itself, by part: `user_impact`,
    /// `customer_impact`, `business_impact` (impact), `immediate`, `short_term`, `long_term`
    /// (resolution), `went_well`, `to_improve`, `learnings`, `lucky` (lessons); only the parts
    /// the panel shows.
    pub anchors: std::collections::BTreeMap<&'static str, String>,
}

/// An entry of an incident page's "on this page" table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry<'a> {
    /// The heading's id.
    pub anchor: String,
    /// The heading as the page shows it.
    pub heading: &'a str,
    /// Its subsections (one level: deeper headings are listed under the section too).
    pub children: Vec<TocEntry<'a>>,
}

// ----- incidents.html and year.html -----

/// `incidents.html`, the incidents by year.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentsPage {
    /// `incidents`.
    pub nav: &'static str,
    /// Records with an incident.
    pub total: usize,
    /// `P1` … `P5`, `other`.
    pub severity_labels: Vec<&'static str>,
    /// Newest first; records without a start time last, as `Undated`.
    pub years: Vec<YearRow>,
}

/// A year in the incidents index.
#[derive(Debug, Clone, Serialize)]
pub struct YearRow {
    /// The year, or `Undated`.
    pub label: String,
    /// The year's first page.
    pub path: String,
    /// The year's incidents.
    pub count: usize,
    /// Per severity in `severity_labels` order.
    pub severities: Vec<usize>,
    /// The number of pages of the year.
    pub pages: usize,
}

/// `year.html`, one page of a year's incidents.
#[derive(Debug, Clone, Serialize)]
pub struct YearPage<'a> {
    /// `incidents`.
    pub nav: &'static str,
    /// The year, or `Undated`.
    pub label: String,
    /// The year's incidents, on all its pages.
    pub total: usize,
    /// This page's incidents, newest first.
    pub rows: Vec<IncidentRow<'a>>,
    /// Where this page is in the year.
    pub pager: Pager,
    /// Every year page, this one `current`.
    pub years: Vec<YearLink>,
}

// ----- customers.html and customer.html -----

/// `customers.html`: one page of the customers in one order (a sorted view:
/// `customers/index.html` by name, `customers/by-incidents.html`, …).
#[derive(Debug, Clone, Serialize)]
pub struct CustomersPage<'a> {
    /// `customers`.
    pub nav: &'static str,
    /// Every customer, on all pages of the view.
    pub total: usize,
    /// The view's key: `name`, `incidents`, `users`, `downtime`, `delay` or `last`.
    pub sort: &'static str,
    /// Every view of the list, for the column headers (this one `current`).
    pub sorts: Vec<SortLink>,
    /// This page's customers, in the view's order.
    pub customers: Vec<&'a CustomerRow<'a>>,
    /// Where this page is in the view.
    pub pager: Pager,
}

/// A pre-rendered sorted view of a list, linked from its column header.
#[derive(Debug, Clone, Serialize)]
pub struct SortLink {
    /// The view's key (`name`, `incidents`, …).
    pub key: &'static str,
    /// The view's first page (`customers/by-users.html`).
    pub path: &'static str,
    /// `ascending` or `descending`: the order of the view (the value of `aria-sort`).
    pub order: &'static str,
    /// True for the view this page is of.
    pub current: bool,
}

/// A customer: a name in an impact table (grouped rows excluded); names that differ in any
/// way are different customers.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerRow<'a> {
    /// As written in the impact tables.
    pub name: &'a str,
    /// `customers/<slug>.html`.
    pub path: &'a str,
    /// The incidents that name the customer.
    pub incidents: usize,
    /// The sum of users affected over its rows.
    pub users: u64,
    /// The longest delay over its rows.
    pub worst_delay_seconds: Option<u64>,
    /// The sum of the delays its rows state (each row's upper bound, `Max Delay`).
    pub delay_seconds: u64,
    /// Downtime: the sum of the durations of its incidents (start to end, or the stated
    /// duration), where the record gives one.
    pub downtime_seconds: u64,
    /// The sum of complaints over its rows.
    pub complaints: u64,
    /// Action items not done of its incidents (overdue ones included).
    pub open_items: usize,
    /// Of those, the ones due before the build date.
    pub overdue_items: usize,
    /// When its earliest incident started.
    pub first_incident_at: Option<DateTime<Utc>>,
    /// When its latest incident started.
    pub last_incident_at: Option<DateTime<Utc>>,
}

/// `customer.html`, one page of a customer's incidents. Page 1 also receives `chart`, the SVG
/// drawn from [`CustomerPage::chart_data`] (marked safe).
#[derive(Debug, Clone, Serialize)]
pub struct CustomerPage<'a> {
    /// `customers`.
    pub nav: &'static str,
    /// The customer, as the customers index lists it.
    pub customer: &'a CustomerRow<'a>,
    /// The numbers behind `chart`, incidents over time by severity (page 1 only; the SVG is
    /// added when the page is rendered).
    pub chart_data: Option<Vec<Bucket>>,
    /// This page's incidents, newest first.
    pub incidents: Vec<CustomerIncident<'a>>,
    /// Where this page is in the customer's incidents.
    pub pager: Pager,
    /// Page 1 only: the first open action items of these incidents, overdue first (at most 20;
    /// all of them are on `items_path`).
    pub open_items: Vec<ItemRow<'a>>,
    /// Page 1 only: how many there are (0 on other pages).
    pub open_total: usize,
    /// Every action item of the customer's incidents, paged (`customers/<slug>.items.html`).
    pub items_path: String,
    /// The customer's incidents as CSV (`customers/<slug>.csv`).
    pub csv_path: String,
    /// Page 1 only: the customer's impact per month and per quarter.
    pub impact: Option<CustomerImpactSummary>,
    /// Page 1 only: the SLA credits and complaints its records state.
    pub credits: Option<CreditSummary<'a>>,
}

/// A customer's impact over time: per month and per quarter, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerImpactSummary {
    /// Per calendar month (`2025-01`) with an incident: the latest 36.
    pub months: Vec<ImpactPeriod>,
    /// Per quarter (`2025-Q1`) with an incident.
    pub quarters: Vec<ImpactPeriod>,
}

/// A customer's impact in one month or quarter (by when each incident started).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImpactPeriod {
    /// `2025-01` or `2025-Q1`.
    pub label: String,
    /// Incidents that name the customer.
    pub incidents: usize,
    /// The sum of its users affected.
    pub users: u64,
    /// The sum of its delays (each row's `Max Delay`).
    pub delay_seconds: u64,
    /// The sum of the durations of those incidents.
    pub downtime_seconds: u64,
    /// The sum of its complaints.
    pub complaints: u64,
}

/// `customer-items.html`: one page of every action item of a customer's incidents.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerItemsPage<'a> {
    /// `customers`.
    pub nav: &'static str,
    /// The customer's name.
    pub name: &'a str,
    /// The customer's first page.
    pub path: &'a str,
    /// Overdue, then open, then done, each by due date.
    pub items: Vec<ItemRow<'a>>,
    /// Where this page is in the items.
    pub pager: Pager,
}

/// An incident on a customer's page, with that customer's row of its impact table.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerIncident<'a> {
    /// The incident.
    pub incident: IncidentRow<'a>,
    /// The customer's users affected.
    pub users_affected: Option<u64>,
    /// The customer's delay, upper bound.
    pub max_delay_seconds: Option<u64>,
    /// The customer's delay, lower bound when a range is given.
    pub min_delay_seconds: Option<u64>,
    /// The customer's complaints.
    pub complaints: Option<u64>,
    /// The SLA credits the record's Business Impact states, as written (`Minimal (~$150 in SLA
    /// credits)`); they are the incident's, for all its customers.
    pub sla_credits: Option<&'a str>,
    /// Their amount in dollars when the text states it once and plainly (`$1,200 in SLA
    /// credits`), else `none`.
    pub sla_credit_usd: Option<u64>,
}

/// What a customer's records state about SLA credits and complaints (page 1 of its page).
#[derive(Debug, Clone, Serialize)]
pub struct CreditSummary<'a> {
    /// The customer's incidents whose Business Impact states SLA credits.
    pub incidents: usize,
    /// The sum of the amounts stated plainly (see `sla_credit_usd`).
    pub amount_usd: u64,
    /// Incidents that state SLA credits without one plain amount (shown as written).
    pub unparsed: usize,
    /// The customer's complaints over all its incidents.
    pub complaints: u64,
    /// The latest 20 incidents that state SLA credits or complaints for the customer.
    pub rows: Vec<CustomerIncident<'a>>,
    /// How many incidents state SLA credits or complaints for the customer.
    pub total_rows: usize,
}

// ----- owners.html and owner.html -----

/// `owners.html`: one page of the action-item owners in one order (a sorted view:
/// `owners/index.html` by name, `owners/by-overdue.html`, …).
#[derive(Debug, Clone, Serialize)]
pub struct OwnersPage<'a> {
    /// `actions`.
    pub nav: &'static str,
    /// Every owner, on all pages of the view.
    pub total: usize,
    /// The view's key: `name`, `overdue`, `open`, `done` or `total`.
    pub sort: &'static str,
    /// Every view of the list, for the column headers (this one `current`).
    pub sorts: Vec<SortLink>,
    /// This page's owners, in the view's order.
    pub owners: Vec<&'a OwnerRow<'a>>,
    /// Where this page is in the view.
    pub pager: Pager,
}

/// An action-item owner and the state of their items.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OwnerRow<'a> {
    /// As written; empty for items without an owner.
    pub name: &'a str,
    /// `owners/<slug>.html` (`owners/no-owner.html` for items without one).
    pub path: &'a str,
    /// All their items.
    pub total: usize,
    /// Not done and not overdue.
    pub open: usize,
    /// Not done and due before the build date.
    pub overdue: usize,
    /// Done.
    pub done: usize,
}

/// `owner.html`, one page of an owner's action items.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerPage<'a> {
    /// `actions`.
    pub nav: &'static str,
    /// The owner: with counts on page 1, name and path only on the others.
    pub owner: OwnerHead<'a>,
    /// Overdue, then open, then done, each by due date.
    pub items: Vec<ItemRow<'a>>,
    /// Where this page is in the owner's items.
    pub pager: Pager,
}

/// The owner as an owner page shows them: with their counts on page 1, by name only on the
/// other pages (which then change only with their rows).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum OwnerHead<'a> {
    /// Page 1: the owner's row, with counts.
    Counts(&'a OwnerRow<'a>),
    /// The other pages: name and path only.
    Name(OwnerName<'a>),
}

/// An owner's name and page.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerName<'a> {
    /// As written; empty for items without an owner.
    pub name: &'a str,
    /// The owner's first page.
    pub path: &'a str,
}

// ----- actions.html -----

/// `actions.html`, `actions-open.html`, `actions-done.html`: one page of one of the tracker's
/// three lists, each paged on its own in order of due date.
#[derive(Debug, Clone, Serialize)]
pub struct ActionsPage<'a> {
    /// `actions`.
    pub nav: &'static str,
    /// `overdue`, `open` or `done`.
    pub list: &'static str,
    /// The three lists, this one `current`.
    pub lists: Vec<ListTab>,
    /// Counts, statuses and the busiest owners and teams: on `actions.html` only, so that the
    /// other pages of the tracker change only when their own items do. The page with a summary
    /// is the one the script tracker (`assets/actions.js`) runs on.
    pub summary: Option<ActionsSummary<'a>>,
    /// This page's items, by due date.
    pub items: Vec<TrackerRow<'a>>,
    /// Where this page is in its list.
    pub pager: Pager,
}

/// A tab of the tracker.
#[derive(Debug, Clone, Serialize)]
pub struct ListTab {
    /// `overdue`, `open` or `done`.
    pub name: &'static str,
    /// The list's first page.
    pub path: &'static str,
    /// True for the list this page is of.
    pub current: bool,
}

/// An action item in the tracker's lists.
#[derive(Debug, Clone, Serialize)]
pub struct TrackerRow<'a> {
    /// The item.
    pub item: ItemRow<'a>,
    /// Its anchor, the row's `id`: `<incident id>/<item id>` (`<incident id>/<n>`, its
    /// position from 1, for an item without an id). `actions.html#<anchor>` shows it.
    pub anchor: String,
    /// Days from its due date to the build date, for an overdue item.
    pub days_overdue: Option<i64>,
}

/// The tracker's summary, on `actions.html`.
#[derive(Debug, Clone, Serialize)]
pub struct ActionsSummary<'a> {
    /// Every action item by state.
    pub counts: &'a ItemCounts,
    /// Statuses as written, most frequent first.
    pub statuses: &'a [StatusCount<'a>],
    /// The 10 owners with most overdue, then open items.
    pub owners: Vec<GroupRow<'a>>,
    /// The number of owners.
    pub owners_total: usize,
    /// The 10 teams with most overdue, then open items. An owner's team is the text in the
    /// last parentheses when the owner is written `Name (Team)`, else the owner.
    pub teams: Vec<GroupRow<'a>>,
    /// The number of teams.
    pub teams_total: usize,
}

/// An owner or a team in the tracker's summaries.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow<'a> {
    /// As written; empty for items without an owner.
    pub name: &'a str,
    /// The owner's page; `none` for a team.
    pub path: Option<&'a str>,
    /// The tracker's URL fragment for its items (`s=all&o=DB%20Team`): link to
    /// `actions.html#{{ filter }}`.
    pub filter: String,
    /// All its items.
    pub total: usize,
    /// Not done and due before the build date.
    pub overdue: usize,
    /// Not done and not overdue.
    pub open: usize,
    /// Done.
    pub done: usize,
    /// `done` in percent of `total`, rounded; `none` without items.
    pub completion: Option<u32>,
}

/// Action items by state.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ItemCounts {
    /// All action items.
    pub total: usize,
    /// Not done and due before the build date.
    pub overdue: usize,
    /// Not done and not overdue.
    pub open: usize,
    /// Done.
    pub done: usize,
}

/// Action items with one status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusCount<'a> {
    /// As written.
    pub status: &'a str,
    /// Items with the status.
    pub count: usize,
}

// ----- retention.html -----

/// `retention.html`: what expires, what is held, what was purged.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionPage<'a> {
    /// `retention`.
    pub nav: &'static str,
    /// The window of `expiring` (90).
    pub expiring_days: i64,
    /// Past `retain_until` and not on hold, by `retain_until`.
    pub expired: RetentionList<'a>,
    /// Retention ending within `expiring_days`, by `retain_until`.
    pub expiring: RetentionList<'a>,
    /// On legal hold.
    pub held: RetentionList<'a>,
    /// Latest purge first.
    pub purged: RetentionList<'a>,
    /// Records not purged by the year their retention ends.
    pub schedule: Vec<YearCount>,
}

/// One category of the retention page.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionList<'a> {
    /// Records in the category.
    pub total: usize,
    /// The first 20 of them.
    pub rows: Vec<RetentionRow<'a>>,
    /// The category's own paged list (`retention/expired.html`, …).
    pub path: &'static str,
}

/// `retention-list.html`: one page of one retention category (`retention/expired.html`,
/// `retention/expiring.html`, `retention/held.html`, `retention/purged.html`, + `.p2.html`, …).
#[derive(Debug, Clone, Serialize)]
pub struct RetentionListPage<'a> {
    /// `retention`.
    pub nav: &'static str,
    /// `expired`, `expiring`, `held` or `purged`.
    pub category: &'static str,
    /// The window of `expiring` (90).
    pub expiring_days: i64,
    /// Records in the category, on all its pages.
    pub total: usize,
    /// This page's records, in the category's order.
    pub rows: Vec<RetentionRow<'a>>,
    /// Where this page is in the category.
    pub pager: Pager,
}

/// A record on the retention page.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionRow<'a> {
    /// The record's id.
    pub id: &'a str,
    /// `None` for a purged record: its title went with its content.
    pub title: Option<&'a str>,
    /// The record's page.
    pub path: &'a str,
    /// The current version's object (SHA-256, hex).
    pub object: &'a str,
    /// The end of the record's retention.
    pub retain_until: NaiveDate,
    /// The record's sign-off date; the ledger's for a purged or unreadable record.
    pub signed_off: Option<NaiveDate>,
    /// The legal hold in force (`reason`, `since`), or `none`.
    pub legal_hold: Option<&'a Hold>,
    /// The disposal (`at`, `reason`), or `none`.
    pub purged: Option<&'a PurgeInfo>,
    /// `retained`, `expiring`, `expired`, `held` or `purged`.
    pub state: &'static str,
}

/// Records whose retention ends in a year.
#[derive(Debug, Clone, Serialize)]
pub struct YearCount {
    /// The year retention ends.
    pub year: i32,
    /// Records whose retention ends that year.
    pub count: usize,
}

// ----- search.html -----

/// `search.html`: only the shared values; the browser search fills the page in.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    /// `search`.
    pub nav: &'static str,
}

// ----- feed.xml and incidents.json -----

/// `feed.xml`, an Atom feed of the 50 latest incidents.
#[derive(Debug, Clone, Serialize)]
pub struct FeedPage<'a> {
    /// `feed`.
    pub nav: &'static str,
    /// `<base_url>/feed.xml`, or `urn:incident-archive:feed` without a `base_url`.
    pub feed_id: String,
    /// The latest ingest among the entries (RFC 3339), so that the feed changes only when the
    /// archive does; the build date without entries.
    pub updated: String,
    /// The latest incidents, newest first.
    pub entries: Vec<FeedEntry<'a>>,
}

/// An incident in the feed.
#[derive(Debug, Clone, Serialize)]
pub struct FeedEntry<'a> {
    /// The record's id.
    pub id: &'a str,
    /// The record's title.
    pub title: &'a str,
    /// The record's page, relative to the site root.
    pub path: &'a str,
    /// Absolute when the site has a `base_url`, else empty.
    pub url: String,
    /// When the first version was ingested.
    pub published: Option<DateTime<Utc>>,
    /// When the current version was ingested.
    pub updated: Option<DateTime<Utc>>,
    /// `P1` … `P5`, or empty.
    pub severity: &'a str,
    /// As written.
    pub status: &'a str,
    /// When the incident started.
    pub started_at: Option<DateTime<Utc>>,
    /// The summary's `Customer Impact` line.
    pub customer_impact: &'a str,
    /// The root cause's summary.
    pub summary: &'a str,
}

/// `incidents.json`: every record, for scripts (not a template).
#[derive(Debug, Clone, Serialize)]
pub struct JsonExport<'a> {
    /// The file's format version, 1.
    pub format: u32,
    /// The archive's Merkle root (hex).
    pub archive_root: &'a str,
    /// The number of ledger entries.
    pub ledger_len: u64,
    /// Every record, by id.
    pub incidents: Vec<JsonIncident<'a>>,
}

/// A record in `incidents.json`; the values of the incident are `null` once it is purged or
/// when its bytes cannot be read.
#[derive(Debug, Clone, Serialize)]
pub struct JsonIncident<'a> {
    /// The record's id.
    pub id: &'a str,
    /// `null` for a purged record: its title went with its content.
    pub title: Option<&'a str>,
    /// The record's page, relative to the site root.
    pub path: &'a str,
    /// `P1` … `P5`, or empty.
    pub severity: Option<&'a str>,
    /// As written.
    pub status: Option<&'a str>,
    /// When the incident started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// `ended_at - started_at` when both are known, else the stated duration.
    pub duration_seconds: Option<i64>,
    /// Users affected, from the impact section.
    pub users_affected: Option<u64>,
    /// The names of the impact table's rows, grouped rows included.
    pub customers: Vec<&'a str>,
    /// The number of action items.
    pub action_items: usize,
    /// The number of those done.
    pub action_items_done: usize,
    /// The action items, in the record's order.
    pub items: Vec<JsonItem<'a>>,
    /// The sign-off's approver, as written.
    pub approved_by: Option<&'a str>,
    /// The sign-off date, as the record gives it.
    pub signed_off: Option<NaiveDate>,
    /// The current version's object.
    pub object: &'a str,
    /// The number of versions.
    pub versions: usize,
    /// The end of the record's retention.
    pub retain_until: NaiveDate,
    /// True while a legal hold is in force.
    pub legal_hold: bool,
    /// True once the record's content was purged.
    pub purged: bool,
}

/// An action item in `incidents.json`.
#[derive(Debug, Clone, Serialize)]
pub struct JsonItem<'a> {
    /// The item's id as written, maybe empty.
    pub id: &'a str,
    /// What is to be done, as written.
    pub action: &'a str,
    /// As written, trimmed; empty for an item without an owner.
    pub owner: &'a str,
    /// The due date, when given.
    pub due: Option<NaiveDate>,
    /// As written, without the emoji.
    pub status: &'a str,
    /// True when the record marks the item done.
    pub done: bool,
}

/// `checkpoint.html`: the archive's checkpoint as `archive/checkpoint` holds it, and the key that
/// verifies it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointPage<'a> {
    /// `checkpoint`.
    pub nav: &'static str,
    /// The checkpoint's origin line (the log's name); empty when there is no checkpoint.
    pub origin: String,
    /// The tree size the checkpoint states (the number of ledger entries it covers); the
    /// archive's when there is no readable checkpoint.
    pub size: u64,
    /// Its RFC 6962 root, hex.
    pub root_hex: String,
    /// The same root in base64, as the checkpoint's third line writes it.
    pub root_base64: String,
    /// `archive/checkpoint` exactly, signed or not; `None` when the archive has none.
    pub text: Option<&'a str>,
    /// True when `text` is a checkpoint (size and root are then its own).
    pub readable: bool,
    /// True when the checkpoint is a signed note.
    pub signed: bool,
    /// The note's signature lines (`— name base64`).
    pub signatures: Vec<String>,
    /// The verifier key of the configured signing key (`name+keyid+base64`).
    pub verifier_key: Option<&'a str>,
    /// True when a signature verifies with `verifier_key` (checked at build time).
    pub verified: bool,
    /// True when the checkpoint states the tree the site was built from.
    pub current: bool,
}

/// `ledger.html` (+ `.p2.html`, …): the ledger's entries in `seq` order.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerPage<'a> {
    /// `ledger`.
    pub nav: &'static str,
    /// This page's entries.
    pub rows: Vec<LedgerRow<'a>>,
    /// Where this page is in the ledger.
    pub pager: Pager,
}

/// One ledger entry, without a title (never shown, even where an old entry carries one).
#[derive(Debug, Clone, Serialize)]
pub struct LedgerRow<'a> {
    /// Its index in the ledger.
    pub seq: u64,
    /// When it was written; `None` for a line that is not an entry.
    pub at: Option<DateTime<Utc>>,
    /// `ingest`, `new_version`, `legal_hold`, `release_hold`, `purge`; `unreadable` for a line
    /// that is not an entry.
    pub action: &'static str,
    /// The record's id.
    pub id: &'a str,
    /// The record's page; `None` once purged.
    pub path: Option<&'a str>,
    /// The object hash the entry names (SHA-256, hex).
    pub object: &'a str,
    /// Why (holds, releases, purges).
    pub reason: Option<&'a str>,
}

/// What changed from one version of a record to the next: a line diff of the originals.
#[derive(Debug, Clone, Serialize)]
pub struct VersionDiff {
    /// The older version's number.
    pub from: u32,
    /// The newer version's number.
    pub to: u32,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// True when the newer version was ingested after the sign-off that covers it.
    pub after_sign_off: bool,
    /// The changed parts, each with up to three lines of context.
    pub hunks: Vec<DiffHunk>,
}

/// A run of changed lines with their context.
#[derive(Debug, Clone, Serialize)]
pub struct DiffHunk {
    /// In order.
    pub lines: Vec<DiffLine>,
}

/// One line of a diff, as text (never Markdown).
#[derive(Debug, Clone, Serialize)]
pub struct DiffLine {
    /// `equal`, `delete` or `insert`.
    pub kind: &'static str,
    /// Its number in the older version (1-based); `None` for an added line.
    pub old: Option<usize>,
    /// Its number in the newer version; `None` for a removed line.
    pub new: Option<usize>,
    /// The line, without its line ending.
    pub text: String,
}

/// `changes.html` and `changes.xml`: what the ledger gained, day by day (UTC), newest first.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesPage<'a> {
    /// `changes`.
    pub nav: &'static str,
    /// `<base_url>/changes.xml`, or `urn:incident-archive:changes` without a `base_url`.
    pub feed_id: String,
    /// The time of the latest entry (RFC 3339); the build date without entries.
    pub updated: String,
    /// The most entries listed (`CHANGES_LIMIT`, 250): the newest ones.
    pub limit: usize,
    /// Entries of the days before the days shown (on the ledger pages).
    pub earlier: usize,
    /// The newest of the `earlier` entries (0 without any).
    pub earlier_seq: u64,
    /// The ledger page that holds it (1-based; 0 without any).
    pub earlier_page: usize,
    /// That page, relative to the site root (`ledger.p2.html`); empty without any.
    pub earlier_path: String,
    /// The days, newest first.
    pub days: Vec<ChangeDay<'a>>,
}

/// The changes of one UTC day.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeDay<'a> {
    /// The day.
    pub date: NaiveDate,
    /// The day's anchor on `changes.html` (`d-2026-11-28`).
    pub anchor: String,
    /// The day on `changes.html`, absolute, when the site has a `base_url`; else empty.
    pub url: String,
    /// The latest entry's time that day.
    pub updated: DateTime<Utc>,
    /// How many of each kind of change the day had (every entry of the day, also those not
    /// listed): `label`, `count`.
    pub counts: Vec<ChangeCount>,
    /// How many entries the day had (the sum of `counts`).
    pub total: usize,
    /// The day's listed entries, newest first: all of them unless the day is cut.
    pub entries: Vec<ChangeRow<'a>>,
    /// How many of the day's entries are not listed (`total` − listed); 0 for a whole day.
    pub hidden: usize,
    /// For a cut day, the newest of its entries not listed (0 for a whole day).
    pub more_seq: u64,
    /// The ledger page that holds it (1-based; 0 for a whole day).
    pub more_page: usize,
    /// That page, relative to the site root (`ledger.p2.html`); empty for a whole day.
    pub more_path: String,
}

/// How many changes of one kind a day had.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeCount {
    /// `new record`, `new version`, `legal hold`, `hold released` or `purged`.
    pub label: &'static str,
    /// How many.
    pub count: usize,
}

/// One change: a ledger entry.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow<'a> {
    /// Its index in the ledger.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// The ledger's action (`ingest`, `new_version`, `legal_hold`, `release_hold`, `purge`).
    pub action: &'static str,
    /// The change in words (`new record`, `new version`, `legal hold`, `hold released`,
    /// `purged`).
    pub label: &'static str,
    /// The record's id.
    pub id: &'a str,
    /// The record's page; `None` once purged.
    pub path: Option<&'a str>,
    /// The record's current title; `None` once purged (never the entry's own).
    pub title: Option<&'a str>,
    /// The object hash the entry names.
    pub object: &'a str,
    /// Why (holds, releases, purges).
    pub reason: Option<&'a str>,
}
