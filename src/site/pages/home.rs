//! The home page (`index.html`): the archive in numbers, the charts, the latest incidents and
//! the action items that need attention.

use minijinja::Value;

use super::retention::retention_state;
use crate::site::SiteError;
use crate::site::charts::{self, ChartSpec, SEVERITY_SERIES};
use crate::site::context::{Counts, HomeCharts, HomePage, SeverityCount};
use crate::site::data::{ItemRef, ItemState};
use crate::site::render::Renderer;

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `index.html`; its charts are drawn only when the page is rendered.
    pub(super) fn render_home(&self) -> Result<(), SiteError> {
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
            severities[charts::severity_index(d.summary(rec).severity())] += 1;
        }
        let by_month = charts::by_time_and_severity(
            d.by_date.iter().filter_map(|&r| {
                let inc = d.summary(r);
                inc.started_at().map(|t| (t, charts::severity_index(inc.severity())))
            }),
            60,
        );
        let durations = charts::duration_distribution(d.by_date.iter().filter_map(|&r| {
            let inc = d.summary(r);
            inc.duration_seconds().map(|s| (s, charts::severity_index(inc.severity())))
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
}
