//! `search`: tantivy queries with filters, snippets and facet counts.
//!
//! Record text in the human form cannot drive the terminal: its controls and bidi overrides
//! show as visible escapes ([`term`]); `--json` gives them as JSON escapes (the same data).

use std::io::Write;

use incident_archive::archive::{Archive, ArchiveError};
use incident_archive::index::{self, FacetCount, IndexError, SearchRequest, SearchResults, Snippet};

use super::{Context, Outcome, term};
use crate::cli::SearchArgs;
use crate::error::Error;

pub fn run(ctx: &Context, o: SearchArgs) -> Result<Outcome, Error> {
    let dir = ctx.config.archive.join("index");
    let request = SearchRequest {
        query: o.query.clone(),
        severity: o.severity,
        customer: o.customer,
        owner: o.owner,
        status: o.status,
        since: o.since,
        until: o.until,
        limit: o.limit,
        facets: o.facets,
        archive: Some(ctx.config.archive.clone()),
    };
    // Read-only: no lock is taken and nothing is written, so a read-only copy can be searched.
    let results = match index::search(&dir, &request) {
        Ok(r) => r,
        Err(IndexError::Query(error)) => return Err(Error::Query { query: o.query, error }),
        Err(e @ (IndexError::Damaged { .. } | IndexError::Missing { .. })) => {
            // A run holding the archive lock may be rewriting the index right now.
            if let Ok(archive) = Archive::open(&ctx.config.archive)
                && let Err(locked @ ArchiveError::Locked { .. }) = archive.lock_shared()
            {
                return Err(Error::IndexBusy { index: Box::new(e), locked });
            }
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    for w in &results.warnings {
        eprintln!("warning: {w}");
    }
    // A filter that names no one keeps nothing: say what it may have meant (`--json` has them too).
    for s in &results.suggestions {
        eprintln!("hint: {}", term(&s.to_string()));
    }
    let mut out = std::io::stdout().lock();
    if o.json {
        let json = serde_json::to_string_pretty(&results)?;
        writeln!(out, "{}", incident_archive::text::json(&json))?;
    } else {
        print_human(&mut out, &results, ctx.out.color)?;
    }
    out.flush()?;
    if results.total == 0 {
        ctx.out.info(format!("no record matches `{}`", o.query));
        return Ok(Outcome::Problems);
    }
    Ok(Outcome::Ok)
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

fn print_human(out: &mut impl Write, r: &SearchResults, color: bool) -> std::io::Result<()> {
    let style = |s: &str, code: &str| if color { format!("{code}{s}{RESET}") } else { s.to_string() };
    let width = r.hits.len().to_string().len();
    for hit in &r.hits {
        writeln!(out, "{:>width$}. {}  {}", hit.rank, style(&term(&hit.id), BOLD), term(&hit.title))?;
        let mut facts =
            vec![term(&hit.severity).into_owned(), index::hit_date(hit), term(&hit.status).into_owned()];
        facts.retain(|f| !f.is_empty());
        if !hit.fields.is_empty() {
            facts.push(format!("in {}", hit.fields.join(", ")));
        }
        writeln!(out, "{:width$}  {}", "", style(&facts.join(" · "), DIM))?;
        if !hit.snippet.text.is_empty() {
            writeln!(out, "{:width$}  {}", "", marked(&hit.snippet, color))?;
        }
    }
    if r.total as usize > r.hits.len() {
        writeln!(out, "{} of {} matching records", r.hits.len(), r.total)?;
    }
    if let Some(f) = &r.facets {
        if !r.hits.is_empty() {
            writeln!(out)?;
        }
        for (name, counts) in [
            ("severity", &f.severity),
            ("customer", &f.customer),
            ("year", &f.year),
            ("owner", &f.owner),
            ("status", &f.status),
        ] {
            writeln!(out, "{}: {}", style(name, BOLD), facet_line(counts))?;
        }
    }
    Ok(())
}

fn facet_line(counts: &[FacetCount]) -> String {
    if counts.is_empty() {
        return "-".into();
    }
    counts.iter().map(|c| format!("{} {}", term(&c.value), c.count)).collect::<Vec<_>>().join(" · ")
}

/// The snippet with its matched terms in bold on a terminal, between `**` otherwise; its
/// controls as visible escapes.
fn marked(s: &Snippet, color: bool) -> String {
    let (open, close) = if color { (BOLD, RESET) } else { ("**", "**") };
    let chars: Vec<char> = s.text.chars().collect();
    let mut out = String::with_capacity(s.text.len() + s.highlights.len() * 8);
    let push = |out: &mut String, part: &[char]| out.push_str(&term(&part.iter().collect::<String>()));
    let mut at = 0;
    for &[start, end] in &s.highlights {
        if start < at || end > chars.len() {
            continue;
        }
        push(&mut out, &chars[at..start]);
        out.push_str(open);
        push(&mut out, &chars[start..end]);
        out.push_str(close);
        at = end;
    }
    push(&mut out, &chars[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_terms_with_or_without_colour() {
        let s = Snippet { text: "…connection leak in pool…".into(), highlights: vec![[12, 16]] };
        assert_eq!(marked(&s, false), "…connection **leak** in pool…");
        assert_eq!(marked(&s, true), "…connection \x1b[1mleak\x1b[0m in pool…");
    }

    #[test]
    fn snippets_show_record_controls_as_escapes() {
        let s = Snippet { text: "a \x1b[2J leak \u{202e}x".into(), highlights: vec![[7, 11]] };
        assert_eq!(marked(&s, false), "a \\u{1b}[2J **leak** \\u{202e}x");
        assert_eq!(marked(&s, true), "a \\u{1b}[2J \x1b[1mleak\x1b[0m \\u{202e}x");
    }
}
