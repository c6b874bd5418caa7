//! `check`: parse records and run the sign-off gate, archiving nothing.

use std::io::Write;
use std::path::PathBuf;

use incident_archive::record::{self, Diagnostic, Incident, Level, Parsed};
use rayon::prelude::*;
use serde::Serialize;

use super::{Context, Outcome};
use crate::cli::CheckArgs;
use crate::error::{Error, ResultExt as _};

/// One checked file.
pub struct Checked {
    pub path: PathBuf,
    pub parsed: Parsed,
}

/// Records parsed at a time: enough to keep both cores busy, few enough to keep memory small.
const CHUNK: usize = 512;

/// Bytes of records parsed at a time: a chunk's parsed records are held until it is printed,
/// and 512 records of 10 MiB would be gigabytes.
const CHUNK_BYTES: u64 = 64 << 20;

/// A file to check, or one refused without being read.
enum Entry {
    File(PathBuf),
    Refused(Diagnostic),
}

impl Entry {
    fn path(&self) -> &std::path::Path {
        match self {
            Entry::File(p) => p,
            Entry::Refused(d) => &d.path,
        }
    }
}

/// Checks `entries` in chunks of at most [`CHUNK`] files and [`CHUNK_BYTES`], in order.
fn check_in_chunks(
    entries: &[Entry],
    mut each: impl FnMut(&Checked) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut rest = entries;
    while !rest.is_empty() {
        let mut bytes = 0;
        let n = rest
            .iter()
            .take(CHUNK)
            .take_while(|e| {
                let fits = bytes < CHUNK_BYTES;
                if let Entry::File(p) = e {
                    bytes += std::fs::metadata(p).map_or(0, |m| m.len()).min(record::MAX_RECORD_BYTES as u64);
                }
                fits
            })
            .count()
            .max(1);
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        let checked: Vec<Checked> = chunk
            .par_iter()
            .map(|e| match e {
                Entry::File(path) => Checked { path: path.clone(), parsed: record::parse_file(path).1 },
                Entry::Refused(d) => Checked {
                    path: d.path.clone(),
                    parsed: Parsed { incident: None, diagnostics: vec![d.clone()] },
                },
            })
            .collect();
        for c in &checked {
            each(c)?;
        }
    }
    Ok(())
}

pub fn run(ctx: &Context, o: CheckArgs) -> Result<Outcome, Error> {
    if o.explain {
        return explain(ctx, &o);
    }
    let single_file = o.paths.len() == 1 && o.paths[0].is_file();
    let paths = if o.paths.is_empty() { vec![ctx.config.inbox.clone()] } else { o.paths };
    let opts = record::DiscoverOptions { symlinks_outside: ctx.config.allow_symlinks_outside_inbox };
    let found = record::discover_with(&paths, opts)?;
    for s in &found.skipped {
        ctx.out.detail(s);
    }
    let mut files: Vec<Entry> = found.files.into_iter().map(Entry::File).collect();
    files.extend(found.refused.into_iter().map(Entry::Refused));
    files.sort_by(|a, b| a.path().cmp(b.path()));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut rejected, mut warnings) = (0usize, 0usize);
    let array = o.json && !(single_file && files.len() == 1);
    if array {
        write!(out, "[")?;
    }
    // In chunks, so that memory stays bounded however many records there are.
    let mut first = true;
    // Sidecars without a record: warnings (on standard error with `--json`).
    for d in &found.orphans {
        warnings += 1;
        if o.json {
            ctx.out.info(d);
        } else if !ctx.out.quiet {
            writeln!(out, "{}", paint(d, ctx.out.color))?;
        }
    }
    check_in_chunks(&files, |c| {
        rejected += usize::from(!c.parsed.accepted());
        warnings += c.parsed.warnings().count();
        if o.json {
            if array {
                writeln!(out, "{}", if first { "" } else { "," })?;
            }
            first = false;
            let json = serde_json::to_string_pretty(&report(c)).context("writing JSON")?;
            write!(out, "{}", incident_archive::text::json(&json))?;
            return Ok(());
        }
        for d in &c.parsed.diagnostics {
            if !(ctx.out.quiet && d.level == Level::Warning) {
                writeln!(out, "{}", paint(d, ctx.out.color))?;
            }
        }
        if c.parsed.accepted() {
            ctx.out.detail(format_args!("ok {}", c.path.display()));
        }
        Ok(())
    })?;
    if array {
        write!(out, "{}]", if files.is_empty() { "" } else { "\n" })?;
    }
    if o.json {
        writeln!(out)?;
    } else if !ctx.out.quiet {
        let noun = if files.len() == 1 { "record" } else { "records" };
        let warn_noun = if warnings == 1 { "warning" } else { "warnings" };
        let skipped = match found.skipped.len() {
            0 => String::new(),
            1 => "; 1 other file skipped".to_string(),
            n => format!("; {n} other files skipped"),
        };
        writeln!(
            out,
            "checked {} {noun}: {} accepted, {rejected} rejected, {warnings} {warn_noun}{skipped}",
            files.len(),
            files.len() - rejected,
        )?;
    }
    out.flush()?;
    if files.is_empty() {
        ctx.out.info(format_args!(
            "note: no `*.md` records under {}",
            paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(if rejected > 0 { Outcome::Problems } else { Outcome::Ok })
}

/// `check --explain FILE`: each kept field with its value and source, then the diagnostics.
fn explain(ctx: &Context, o: &CheckArgs) -> Result<Outcome, Error> {
    let [path] = o.paths.as_slice() else {
        return Err(Error::msg(format!("`--explain` takes exactly one file, not {}", o.paths.len())));
    };
    if !path.is_file() {
        let path = super::term(&path.display().to_string()).into_owned();
        return Err(Error::msg(format!("`--explain` takes one record file; `{path}` is not a file")));
    }
    let e = record::explain::explain_file(path, ctx.config.retention.default_years);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if o.json {
        let json = serde_json::to_string_pretty(&e).context("writing JSON")?;
        writeln!(out, "{}", incident_archive::text::json(&json))?;
    } else {
        let verdict = if e.accepted { "accepted" } else { "rejected" };
        writeln!(out, "{}: {verdict}", super::term(&e.path))?;
        for f in &e.fields {
            writeln!(out, "  {}", super::term(&f.to_string()))?;
        }
        if e.fields.is_empty() {
            writeln!(out, "  nothing is kept: the record could not be read (see the diagnostics)")?;
        }
        for d in &e.diagnostics {
            if !(ctx.out.quiet && d.level == Level::Warning) {
                writeln!(out, "{}", paint(d, ctx.out.color))?;
            }
        }
    }
    out.flush()?;
    Ok(if e.accepted { Outcome::Ok } else { Outcome::Problems })
}

/// The record's model with its keys at the top level (in the model's order), then `path`,
/// `accepted` and `diagnostics`.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    incident: Option<&'a Incident>,
    path: String,
    accepted: bool,
    diagnostics: &'a [Diagnostic],
}

fn report(c: &Checked) -> Report<'_> {
    Report {
        incident: c.parsed.incident.as_ref(),
        path: c.path.display().to_string(),
        accepted: c.parsed.accepted(),
        diagnostics: &c.parsed.diagnostics,
    }
}

/// `path:line: error[rule]: message`, with the level coloured on a terminal; the record text
/// and path in it cannot drive the terminal ([`super::term`]).
fn paint(d: &Diagnostic, color: bool) -> String {
    if !color {
        return super::term(&d.to_string()).into_owned();
    }
    let (word, code) = match d.level {
        Level::Error => ("error", "1;31"),
        Level::Warning => ("warning", "1;33"),
    };
    let path = d.path.display().to_string();
    let (path, message) = (super::term(&path), super::term(&d.message));
    format!("{path}:{}: \x1b[{code}m{word}[{}]\x1b[0m: {message}", d.line, d.rule)
}
