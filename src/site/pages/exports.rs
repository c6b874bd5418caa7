//! The CSV exports, for spreadsheets: every action item (`exports/actions.csv`), every record
//! (`exports/incidents.csv`), every customer with its totals (`exports/customers.csv`), every
//! customer's row of every impact table (`exports/customer-impact.csv`), and one customer's
//! incidents (`customers/<slug>.csv`).
//!
//! RFC 4180 as the `csv` crate writes it: UTF-8, a header row, CRLF line ends, fields quoted
//! when they hold a comma, a quote or a line end. Record text is untrusted, and a spreadsheet
//! runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula
//! (CSV injection): such a cell is written with a `'` before it ([`neutralise`], as OWASP
//! advises), and the characters no output shows raw (controls, bidi overrides) are visible
//! escapes (`\u{1b}`), as on the pages. The rows are in a fixed order, so the same archive and
//! build date give the same bytes.

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::{DateTime, NaiveDate, Utc};

use super::people::{csv_path, sla_credits};
use crate::site::SiteError;
use crate::site::data::{ItemRef, ItemState};
use crate::site::render::Renderer;

/// The site-wide exports, in job order.
pub const EXPORTS: [&str; 4] =
    ["exports/actions.csv", "exports/incidents.csv", "exports/customers.csv", "exports/customer-impact.csv"];

/// The columns of a customer-incident row (`exports/customer-impact.csv`, `customers/<slug>.csv`).
const IMPACT_HEADER: [&str; 14] = [
    "customer",
    "incident_id",
    "title",
    "severity",
    "status",
    "started_at",
    "duration_seconds",
    "users_affected",
    "min_delay_seconds",
    "max_delay_seconds",
    "complaints",
    "sla_credits",
    "sla_credit_usd",
    "incident_url",
];

/// A cell as a spreadsheet may read it: prefixed with `'` when it starts with a character
/// that would make it a formula (`=`, `+`, `-`, `@`, tab, carriage return), with hidden
/// characters as visible escapes.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let cell = crate::text::markup(cell);
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { Cow::Owned(format!("'{cell}")) } else { cell }
}

/// A CSV file being written to `W` (the file itself, as it is made): every cell neutralised.
struct Sheet<W: Write> {
    w: csv::Writer<W>,
    /// The first error writing a row; the rows after it are not written.
    error: Option<csv::Error>,
}

impl<W: Write> Sheet<W> {
    fn new(out: W, header: &[&str]) -> Sheet<W> {
        let w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
        let mut sheet = Sheet { w, error: None };
        sheet.row(header.iter().map(|h| Cow::Borrowed(*h)));
        sheet
    }

    fn row<'c>(&mut self, cells: impl IntoIterator<Item = Cow<'c, str>>) {
        if self.error.is_none() {
            self.error = self.w.write_record(cells.into_iter().map(|c| neutralise(&c).into_owned())).err();
        }
    }

    fn finish(mut self) -> io::Result<()> {
        match self.error.take() {
            Some(e) => Err(e.into()),
            None => self.w.flush(),
        }
    }
}

fn opt<T: ToString>(v: Option<T>) -> Cow<'static, str> {
    v.map_or(Cow::Borrowed(""), |v| Cow::Owned(v.to_string()))
}

fn time(t: Option<DateTime<Utc>>) -> Cow<'static, str> {
    opt(t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ")))
}

fn date(d: Option<NaiveDate>) -> Cow<'static, str> {
    opt(d)
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// Export `i` of [`EXPORTS`], written as it is made (at 100,000 records the action items'
    /// and the customer impact's take 65 MB each).
    pub(super) fn render_export(&self, i: usize) -> Result<(), SiteError> {
        self.stream(EXPORTS[i], |out| match i {
            0 => self.actions_csv(out),
            1 => self.incidents_csv(out),
            2 => self.customers_csv(out),
            _ => self.customer_impact_csv(out, None),
        })
    }

    /// `customers/<slug>.csv`: customer `c`'s rows of the impact tables.
    pub(super) fn render_customer_csv(&self, c: usize) -> Result<(), SiteError> {
        self.stream(&csv_path(&self.data.customers[c].path), |out| self.customer_impact_csv(out, Some(c)))
    }

    /// A page's address in the export: absolute when the site has a `base_url`, else relative to
    /// the site root.
    fn url(&self, path: &str) -> String {
        let base = self.site.base_url.trim_end_matches('/');
        if base.is_empty() { path.to_string() } else { format!("{base}/{path}") }
    }

    fn actions_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let d = self.data;
        let mut sheet = Sheet::new(
            out,
            &[
                "incident_id",
                "item_id",
                "action",
                "owner",
                "team",
                "due",
                "status",
                "state",
                "days_overdue",
                "severity",
                "incident_url",
            ],
        );
        // Tracker order: overdue, open, done, each by due date.
        for r in &d.items {
            let ItemRef { rec, state, .. } = *r;
            let item = d.item(r);
            let overdue = match (state, item.due) {
                (ItemState::Overdue, Some(due)) => Cow::Owned((d.build_date - due).num_days().to_string()),
                _ => Cow::Borrowed(""),
            };
            sheet.row([
                Cow::Borrowed(d.record(rec).id.as_str()),
                Cow::Borrowed(item.id.as_str()),
                Cow::Borrowed(item.action.as_str()),
                Cow::Borrowed(item.owner.trim()),
                Cow::Borrowed(super::tracker::team_of(&item.owner)),
                date(item.due),
                Cow::Borrowed(item.status.as_str()),
                Cow::Borrowed(state.name()),
                overdue,
                Cow::Borrowed(d.summary(rec).severity()),
                Cow::Owned(self.url(self.path_of(rec))),
            ]);
        }
        sheet.finish()
    }

    fn incidents_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let d = self.data;
        let mut sheet = Sheet::new(
            out,
            &[
                "id",
                "title",
                "severity",
                "status",
                "started_at",
                "ended_at",
                "duration_seconds",
                "users_affected",
                "customers",
                "action_items",
                "action_items_open",
                "action_items_overdue",
                "approved_by",
                "signed_off",
                "retain_until",
                "legal_hold",
                "purged",
                "url",
            ],
        );
        // Every record, by id, as `incidents.json`.
        for (i, r) in d.snapshot.records.iter().enumerate() {
            let inc = r.summary();
            let (open, overdue) = d.item_counts[i];
            let names: Vec<&str> =
                inc.map(|s| s.customers().iter().map(|c| c.name.as_str()).collect()).unwrap_or_default();
            sheet.row([
                Cow::Borrowed(r.id.as_str()),
                Cow::Borrowed(r.title().unwrap_or("")),
                Cow::Borrowed(inc.map_or("", |s| s.severity())),
                Cow::Borrowed(inc.map_or("", |s| s.status())),
                time(inc.and_then(|s| s.started_at())),
                time(inc.and_then(|s| s.ended_at())),
                opt(inc.and_then(|s| s.duration_seconds())),
                opt(inc.and_then(|s| s.users_affected())),
                Cow::Owned(names.join("; ")),
                Cow::Owned(inc.map_or(0, |s| s.action_items().len()).to_string()),
                Cow::Owned(open.to_string()),
                Cow::Owned(overdue.to_string()),
                Cow::Borrowed(inc.map_or("", |s| s.sign_off().approved_by.as_str())),
                date(inc.and_then(|s| s.sign_off().date)),
                date(Some(r.retain_until)),
                Cow::Borrowed(if r.legal_hold.is_some() { "true" } else { "false" }),
                Cow::Borrowed(if r.is_purged() { "true" } else { "false" }),
                Cow::Owned(self.url(self.path_of(i))),
            ]);
        }
        sheet.finish()
    }

    fn customers_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut sheet = Sheet::new(
            out,
            &[
                "customer",
                "incidents",
                "users_affected",
                "delay_seconds",
                "downtime_seconds",
                "worst_delay_seconds",
                "complaints",
                "open_items",
                "overdue_items",
                "first_incident_at",
                "last_incident_at",
                "url",
            ],
        );
        for c in &self.shared.customers {
            sheet.row([
                Cow::Borrowed(c.name),
                Cow::Owned(c.incidents.to_string()),
                Cow::Owned(c.users.to_string()),
                Cow::Owned(c.delay_seconds.to_string()),
                Cow::Owned(c.downtime_seconds.to_string()),
                opt(c.worst_delay_seconds),
                Cow::Owned(c.complaints.to_string()),
                Cow::Owned(c.open_items.to_string()),
                Cow::Owned(c.overdue_items.to_string()),
                time(c.first_incident_at),
                time(c.last_incident_at),
                Cow::Owned(self.url(c.path)),
            ]);
        }
        sheet.finish()
    }

    /// Every customer's rows (by customer name, then newest incident first), or one customer's.
    fn customer_impact_csv(&self, out: &mut dyn Write, only: Option<usize>) -> io::Result<()> {
        let d = self.data;
        let mut sheet = Sheet::new(out, &IMPACT_HEADER);
        let customers = match only {
            Some(c) => c..c + 1,
            None => 0..d.customers.len(),
        };
        for customer in &d.customers[customers] {
            for &(rec, row) in &customer.rows {
                let inc = d.summary(rec);
                let imp = &inc.customers()[row];
                let credits = sla_credits(inc);
                sheet.row([
                    Cow::Borrowed(customer.name),
                    Cow::Borrowed(d.record(rec).id.as_str()),
                    Cow::Borrowed(inc.title()),
                    Cow::Borrowed(inc.severity()),
                    Cow::Borrowed(inc.status()),
                    time(inc.started_at()),
                    opt(inc.duration_seconds()),
                    opt(imp.users_affected),
                    opt(imp.min_delay_seconds),
                    opt(imp.max_delay_seconds),
                    opt(imp.complaints),
                    Cow::Borrowed(credits.map_or("", |c| c.0)),
                    opt(credits.and_then(|c| c.1)),
                    Cow::Owned(self.url(self.path_of(rec))),
                ]);
            }
        }
        sheet.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for hostile in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralise(hostile), format!("'{hostile}"));
        }
        for plain in ["Acme", "2025-01-01", "12", "a=b", " =x", ""] {
            assert_eq!(neutralise(plain), plain);
        }
        // A hidden character is shown, not kept raw (an ESC first is not a formula).
        assert_eq!(neutralise("\u{1b}=x"), "\\u{1b}=x");
    }

    #[test]
    fn sheets_are_rfc_4180_with_crlf() {
        let mut bytes = Vec::new();
        let mut s = Sheet::new(&mut bytes, &["a", "b"]);
        s.row([Cow::Borrowed("x, \"y\""), Cow::Borrowed("=HYPERLINK(\"z\")")]);
        s.row([Cow::Borrowed("two\nlines"), Cow::Borrowed("")]);
        s.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "a,b\r\n\"x, \"\"y\"\"\",\"'=HYPERLINK(\"\"z\"\")\"\r\n\"two\nlines\",\r\n");
    }
}
