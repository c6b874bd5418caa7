//! `ingest`: archive accepted records as objects and ledger entries.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;

use super::{Context, Outcome, emit};
use crate::archive::{self, Archive, IngestOptions, IngestReport};

#[derive(Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub json: bool,
}

pub fn run(ctx: &Context, o: Options) -> anyhow::Result<Outcome> {
    let paths = if o.paths.is_empty() { vec![ctx.config.inbox.clone()] } else { o.paths };
    let files = crate::record::discover(&paths)?;
    let now = archive::clock::now()?;
    let root = &ctx.config.archive;
    let archive =
        Archive::create(root).with_context(|| format!("cannot open the archive `{}`", root.display()))?;
    let guard = archive.lock()?;
    let mut opts = IngestOptions::new(ctx.config.retention.default_years, now);
    opts.progress = ctx.out.bar(files.len() as u64, "ingest");
    let report = archive::ingest(&archive, &guard, &files, &opts)?;
    drop(guard);
    if o.json {
        emit(&format!("{}\n", crate::text::json(&serde_json::to_string_pretty(&report)?)))?;
    } else {
        emit(&human(ctx, &report)?)?;
    }
    Ok(if report.ok() { Outcome::Ok } else { Outcome::Problems })
}

/// Diagnostics and notes go to standard error as they are; the summary is returned.
fn human(ctx: &Context, r: &IngestReport) -> anyhow::Result<String> {
    for note in &r.recovered {
        ctx.out.info(format!("note: {note}"));
    }
    for (_, diagnostics) in &r.rejected {
        for d in diagnostics {
            eprintln!("{}", super::term(&d.to_string()));
        }
    }
    for w in &r.warnings {
        ctx.out.info(w);
    }
    for c in &r.changes {
        ctx.out.detail(format!("{:<11} {} v{} {}", c.action.as_str(), c.id, c.version, c.object));
    }
    let mut out = String::new();
    if ctx.out.quiet {
        return Ok(out);
    }
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    writeln!(
        out,
        "{}: {} new, {}, {} unchanged, {} rejected",
        plural(r.seen, "record", "records"),
        r.new,
        plural(r.new_versions, "new version", "new versions"),
        r.unchanged,
        r.rejected.len()
    )?;
    writeln!(out, "root {} ({})", r.root, plural(r.ledger_len as usize, "ledger entry", "ledger entries"))?;
    Ok(out)
}
