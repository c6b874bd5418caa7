//! The render engine: the list of files a site is made of (jobs), the parallel loop over them,
//! and the keyed "reuse or render" step that renders a page only when what it is made of
//! changed since the last build; with the paging helpers every long list uses.
//!
//! What each page holds is the business of the page modules (`pages/`), which build the
//! context types of [`super::context`] and hand them to [`Renderer::page`] or
//! [`Renderer::page_keyed`].

use std::sync::atomic::{AtomicUsize, Ordering};

use minijinja::Value;
use minijinja::value::Serde;
use rayon::prelude::*;
use serde::Serialize;

use super::context::{Globals, PageLink, Pager, SiteInfo};
use super::data::SiteData;
use super::digest;
use super::pages::{BundleSet, Originals, Shared};
use super::templates::Templates;
use super::write::{Sink, content_key};
use super::{Evidence, SiteError, SiteOptions};

/// Rows per page of a long list (the tracker's action items, the ledger).
pub const PAGE_SIZE: usize = 500;

/// Rows per page of the lists whose rows are heavier or that must stay small at 100,000 records
/// (a year's incidents, the customers and owners indexes and their sorted views, a customer's
/// incidents and items, an owner's items, a retention category): 200 rows keep each page well
/// under 200 KB of HTML.
pub const LIST_PAGE_SIZE: usize = 200;

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
pub(super) enum Job {
    Asset(usize),
    /// A record's incident page, with its print stylesheet and its evidence bundle.
    Incident(usize),
    Home,
    IncidentsIndex,
    Year(usize, usize),
    /// A sorted view of the customers index (`pages::CUSTOMER_SORTS`) and its page.
    CustomersIndex(usize, usize),
    Customer(usize, usize),
    /// Every page of the action items of a customer's incidents: the customer's items are
    /// gathered and sorted once for all its pages (once a page, a large customer's pages cost
    /// the square of its items).
    CustomerItems(usize),
    /// A sorted view of the owners index (`pages::OWNER_SORTS`) and its page.
    OwnersIndex(usize, usize),
    Owner(usize, usize),
    /// A list of the tracker (overdue, open, done) and its page.
    Actions(usize, usize),
    /// `tracker/meta.js` and `tracker/t<state>.js`, the action-item tracker's index of its data
    /// files.
    TrackerMeta,
    /// A data file of the tracker (`Tracker::files`).
    TrackerData(usize),
    Retention,
    /// A retention category's page.
    RetentionList(usize, usize),
    /// A CSV export of `pages::EXPORTS`.
    Export(usize),
    /// A customer's incidents as CSV.
    CustomerCsv(usize),
    Checkpoint,
    /// `changes.html` and `changes.xml`.
    Changes,
    /// `build.css`: the build date for printed pages.
    BuildCss,
    /// A page of the ledger.
    Ledger(usize),
    /// An original (or sidecar) of `Originals::files`.
    Original(usize),
    /// A proof of `Originals::seqs`.
    Proof(usize),
    Search,
    Feed,
    Json,
}

/// Renders every page of the site into `sink`.
pub(crate) fn render_all(
    data: &SiteData<'_>,
    templates: &Templates,
    opts: &SiteOptions,
    sink: &dyn Sink,
) -> Result<Counters, SiteError> {
    let shared = Shared::new(data);
    let r = Renderer::new(data, &shared, templates, opts, sink);
    r.run_all()?;
    Ok(r.counters)
}

/// What the page modules render with: the site's data, the rows several pages share, the
/// templates and where the files go.
pub(super) struct Renderer<'r, 'a> {
    pub(super) data: &'r SiteData<'a>,
    pub(super) shared: &'r Shared<'r>,
    pub(super) templates: &'r Templates,
    pub(super) site: SiteInfo<'r>,
    /// The originals and proofs the site offers.
    pub(super) originals: Originals,
    /// The one-record evidence bundles the site offers, when configured.
    pub(super) bundles: Option<BundleSet<'r>>,
    /// The ledger, the checkpoint and its key.
    pub(super) evidence: &'r Evidence,
    /// `YYYY-MM-DD`.
    pub(super) build_date: String,
    /// Per record: its place in `SiteData::by_date` (`usize::MAX` when it is in no list), for
    /// the previous and next links of the incident pages.
    pub(super) list_position: Vec<usize>,
    counters: Counters,
    sink: &'r dyn Sink,
    /// Test builds: the shape of every value handed to a template (see `super::tests`).
    #[cfg(test)]
    pub(super) shapes: std::sync::Mutex<super::tests::Shapes>,
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    pub(super) fn new(
        data: &'r SiteData<'a>,
        shared: &'r Shared<'r>,
        templates: &'r Templates,
        opts: &'r SiteOptions,
        sink: &'r dyn Sink,
    ) -> Self {
        Renderer {
            data,
            shared,
            templates,
            site: SiteInfo { title: &opts.title, base_url: &opts.base_url },
            originals: Originals::new(data, &opts.evidence),
            bundles: BundleSet::new(data, &opts.evidence),
            evidence: &opts.evidence,
            build_date: data.build_date.to_string(),
            list_position: {
                let mut at = vec![usize::MAX; data.snapshot.records.len()];
                for (i, &rec) in data.by_date.iter().enumerate() {
                    at[rec] = i;
                }
                at
            },
            counters: Counters::default(),
            sink,
            #[cfg(test)]
            shapes: Default::default(),
        }
    }

    /// Produces every file of the site, in parallel.
    pub(super) fn run_all(&self) -> Result<(), SiteError> {
        let data = self.data;
        let mut jobs: Vec<Job> = (0..self.templates.assets.len()).map(Job::Asset).collect();
        jobs.extend((0..data.snapshot.records.len()).map(Job::Incident));
        jobs.extend([Job::Home, Job::IncidentsIndex]);
        jobs.extend((0..super::pages::EXPORTS.len()).map(Job::Export));
        jobs.extend((0..data.customers.len()).map(Job::CustomerCsv));
        for view in 0..super::pages::CUSTOMER_SORTS.len() {
            jobs.extend((1..=list_pages(data.customers.len())).map(|p| Job::CustomersIndex(view, p)));
        }
        for view in 0..super::pages::OWNER_SORTS.len() {
            jobs.extend((1..=list_pages(data.owners.len())).map(|p| Job::OwnersIndex(view, p)));
        }
        for (cat, total) in self.shared.retention_totals().into_iter().enumerate() {
            jobs.extend((1..=list_pages(total)).map(|p| Job::RetentionList(cat, p)));
        }
        jobs.extend([
            Job::Retention,
            Job::Checkpoint,
            Job::Changes,
            Job::BuildCss,
            Job::Search,
            Job::Feed,
            Job::Json,
        ]);
        jobs.extend((0..self.originals.files.len()).map(Job::Original));
        jobs.extend((0..self.originals.seqs.len()).map(Job::Proof));
        for (y, (_, recs)) in data.years.iter().enumerate() {
            jobs.extend((1..=list_pages(recs.len())).map(|p| Job::Year(y, p)));
        }
        for (c, customer) in data.customers.iter().enumerate() {
            jobs.extend((1..=list_pages(customer.rows.len())).map(|p| Job::Customer(c, p)));
            jobs.push(Job::CustomerItems(c));
        }
        for (o, owner) in data.owners.iter().enumerate() {
            jobs.extend((1..=list_pages(owner.items.len())).map(|p| Job::Owner(o, p)));
        }
        jobs.extend((1..=pages(self.evidence.len())).map(Job::Ledger));
        for (list, range) in data.item_ranges.iter().enumerate() {
            jobs.extend(
                (1..=pages_of(range.len(), super::pages::TRACKER_PAGE)).map(|p| Job::Actions(list, p)),
            );
        }
        jobs.push(Job::TrackerMeta);
        jobs.extend((0..self.shared.tracker.files.len()).map(Job::TrackerData));
        jobs.par_iter().with_min_len(8).try_for_each(|job| self.run(*job))
    }

    /// Test builds record the shape of a value a template or `incidents.json` receives (the
    /// check that `site-templates/README.md` documents every field); other builds do nothing.
    pub(super) fn observe<T: Serialize + ?Sized>(&self, _value: &T) {
        #[cfg(test)]
        super::tests::observe(&self.shapes, _value);
    }

    /// A static file: kept when its bytes are those of the last build.
    pub(super) fn bytes(&self, path: &str, bytes: Vec<u8>) -> Result<(), SiteError> {
        let key = content_key(&bytes);
        if self.reuse(path, &key)? {
            return Ok(());
        }
        self.put(path, bytes, key)
    }

    /// A static file written as it is made (`fill` writes its bytes): kept when they are the
    /// last build's.
    pub(super) fn stream(
        &self,
        path: &str,
        mut fill: impl FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), SiteError> {
        let counter =
            if self.sink.stream(path, &mut fill)? { &self.counters.reused } else { &self.counters.rendered };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// True (and counted) when the last build's file at `path` was made from `key` and is
    /// carried over.
    pub(super) fn reuse(&self, path: &str, key: &str) -> Result<bool, SiteError> {
        let reused = self.sink.reuse(path, key)?;
        if reused {
            self.counters.reused.fetch_add(1, Ordering::Relaxed);
        }
        Ok(reused)
    }

    /// Stores (and counts) a file made from `key`.
    pub(super) fn put(&self, path: &str, bytes: Vec<u8>, key: String) -> Result<(), SiteError> {
        self.sink.put(path, bytes, key)?;
        self.counters.rendered.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// A templated page: rendered only when the hash of everything it is made of (the template
    /// set, its place in the site, the site-wide values its templates read and its own data)
    /// differs from the last build's.
    pub(super) fn page<T: Serialize>(&self, path: String, template: &str, data: &T) -> Result<(), SiteError> {
        self.page_keyed(path, template, data, data, &|| minijinja::context! {})
    }

    /// Renders `template` with `data` unless the page made from `key_data` (what `data` is a
    /// function of) is already there. `extra` adds values that are costly to make and are
    /// themselves a function of the key (the SVG charts): made only when the page is rendered.
    pub(super) fn page_keyed<T: Serialize, K: Serialize>(
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
        let globals = Globals {
            root,
            site: &self.site,
            build_date: &self.build_date,
            archive_root,
            ledger_len: self.data.snapshot.ledger_len,
        };
        self.observe(data);
        self.observe(&globals);
        // Later maps win: the site-wide values over everything, `extra` over the page data.
        let ctx =
            minijinja::value::merge_maps([Value::from(Serde(data)), extra(), Value::from(Serde(&globals))]);
        let bytes = self.templates.render(template, ctx, &path)?;
        self.sink.put(&path, bytes, key)?;
        self.counters.rendered.fetch_add(1, Ordering::Relaxed);
        self.counters.rendered_pages.lock().unwrap_or_else(|e| e.into_inner()).push(path);
        Ok(())
    }
}

/// Number of pages for `n` rows (at least one).
pub(super) fn pages(n: usize) -> usize {
    pages_of(n, PAGE_SIZE)
}

/// Number of pages for `n` rows, `size` a page (at least one).
pub(super) fn pages_of(n: usize, size: usize) -> usize {
    n.div_ceil(size).max(1)
}

/// Number of pages for `n` rows of [`LIST_PAGE_SIZE`] (at least one).
pub(super) fn list_pages(n: usize) -> usize {
    n.div_ceil(LIST_PAGE_SIZE).max(1)
}

/// `incidents/2025.html`, page 3 → `incidents/2025.p3.html`.
pub(super) fn page_path(base: &str, page: usize) -> String {
    if page <= 1 {
        return base.to_string();
    }
    let stem = base.strip_suffix(".html").unwrap_or(base);
    format!("{stem}.p{page}.html")
}

/// The relative prefix from a page to the site root: `""` or `"../"`.
pub(super) fn root_for(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The rows of page `p` (1-based).
pub(super) fn window<T>(rows: &[T], p: usize) -> &[T] {
    window_of(rows, p, PAGE_SIZE)
}

/// The rows of page `p` (1-based), `size` a page.
pub(super) fn window_of<T>(rows: &[T], p: usize, size: usize) -> &[T] {
    let start = ((p - 1) * size).min(rows.len());
    &rows[start..(start + size).min(rows.len())]
}

/// Page `page` of a list of `total` rows whose first page is `base`.
pub(super) fn pager(base: &str, page: usize, total: usize) -> Pager {
    pager_of(base, page, total, PAGE_SIZE)
}

/// Page `page` of a list of `total` rows, `size` a page, whose first page is `base`.
pub(super) fn pager_of(base: &str, page: usize, total: usize, size: usize) -> Pager {
    let count = pages_of(total, size);
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
        first: if total == 0 { 0 } else { (page - 1) * size + 1 },
        last: (page * size).min(total),
        prev: (page > 1).then(|| page_path(base, page - 1)),
        next: (page < count).then(|| page_path(base, page + 1)),
        links,
    }
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
    fn lists_page_at_their_own_size() {
        let rows: Vec<usize> = (0..LIST_PAGE_SIZE * 2 + 1).collect();
        assert_eq!(list_pages(rows.len()), 3);
        assert_eq!(list_pages(0), 1);
        assert_eq!(window_of(&rows, 2, LIST_PAGE_SIZE), &rows[LIST_PAGE_SIZE..LIST_PAGE_SIZE * 2]);
        assert_eq!(window_of(&rows, 3, LIST_PAGE_SIZE), &rows[LIST_PAGE_SIZE * 2..]);
        let p = pager_of("customers/by-users.html", 3, rows.len(), LIST_PAGE_SIZE);
        assert_eq!((p.pages, p.first, p.last), (3, LIST_PAGE_SIZE * 2 + 1, rows.len()));
        assert_eq!(p.prev.as_deref(), Some("customers/by-users.p2.html"));
        assert_eq!(p.next, None);
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
}
