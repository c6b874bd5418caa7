//! The incident lists: the index of years (`incidents/index.html`) and each year's pages
//! (`incidents/<year>.html`, `incidents/undated.html`, paged at `LIST_PAGE_SIZE` rows).

use crate::site::SiteError;
use crate::site::charts::{self, SEVERITY_SERIES};
use crate::site::context::{IncidentsPage, YearLink, YearPage, YearRow};
use crate::site::render::{LIST_PAGE_SIZE, Renderer, list_pages, page_path, pager_of, window_of};

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `incidents/index.html`.
    pub(super) fn render_incidents_index(&self) -> Result<(), SiteError> {
        self.page("incidents/index.html".into(), "incidents.html", &self.incidents_index())
    }

    /// Page `p` of year `y` (an index in the site data's years).
    pub(super) fn render_year(&self, y: usize, p: usize) -> Result<(), SiteError> {
        let path = page_path(&year_path(self.data.years[y].0), p);
        self.page(path.clone(), "year.html", &self.year_page(y, p))
    }

    /// Every year page, `current` the one at `current`.
    pub(super) fn year_links(&self, current: Option<usize>) -> Vec<YearLink> {
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

    fn incidents_index(&self) -> IncidentsPage {
        let d = self.data;
        let years = d
            .years
            .iter()
            .map(|(year, recs)| {
                let mut severities = vec![0usize; SEVERITY_SERIES.len()];
                for &r in recs {
                    severities[charts::severity_index(d.summary(r).severity())] += 1;
                }
                YearRow {
                    label: year_label(*year),
                    path: year_path(*year),
                    count: recs.len(),
                    severities,
                    pages: list_pages(recs.len()),
                }
            })
            .collect();
        IncidentsPage {
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
            rows: window_of(recs, p, LIST_PAGE_SIZE).iter().map(|&r| self.incident_row(r)).collect(),
            pager: pager_of(&base, p, recs.len(), LIST_PAGE_SIZE),
            years: self.year_links(Some(y)),
        }
    }
}

fn year_label(year: Option<i32>) -> String {
    year.map_or_else(|| "Undated".to_string(), |y| y.to_string())
}

/// A year's first page; `None` is the records without a start time.
pub(super) fn year_path(year: Option<i32>) -> String {
    year.map_or_else(|| "incidents/undated.html".to_string(), |y| format!("incidents/{y}.html"))
}
