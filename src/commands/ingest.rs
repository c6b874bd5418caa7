//! `ingest`: archive accepted records as objects and ledger entries.

use std::fmt::Write as _;

use incident_archive::archive::{self, IngestOptions, IngestReport};
use incident_archive::record::{DiscoverOptions, Skipped};
use serde::Serialize;

use super::{Context, Outcome, emit};
use crate::cli::IngestArgs;
use crate::error::Error;

pub fn run(ctx: &Context, o: IngestArgs) -> Result<Outcome, Error> {
    let paths = if o.paths.is_empty() { vec![ctx.config.inbox.clone()] } else { o.paths };
    let dopts = DiscoverOptions { symlinks_outside: ctx.config.allow_symlinks_outside_inbox };
    let found = incident_archive::record::discover_with(&paths, dopts)?;
    let files = found.files;
    let now = archive::clock::now()?;
    let signer = crate::pipeline::signer(&ctx.config)?;
    let archive = crate::pipeline::create_archive(&ctx.config, &|line| ctx.out.info(line))?;
    let guard = archive.lock()?;
    let mut opts = IngestOptions::new(ctx.config.retention.default_years, now);
    opts.progress = ctx.out.bar(files.len() as u64, "ingest");
    let mut report = archive::ingest(&archive, &guard, &files, &opts)?;
    let published = crate::pipeline::publish_checkpoint(&archive, &guard, &ctx.config, signer.as_ref())?;
    crate::pipeline::sync_store(&archive)?;
    drop(guard);
    if published.written {
        ctx.out.detail(super::key::published_line(&published));
    }
    crate::pipeline::add_refused(&mut report, found.refused);
    report.warnings.extend(found.orphans);
    if o.json {
        let json = Json { report: &report, skipped: &found.skipped };
        emit(&format!("{}\n", incident_archive::text::json(&serde_json::to_string_pretty(&json)?)))?;
    } else {
        for s in &found.skipped {
            ctx.out.detail(s);
        }
        emit(&human(ctx, &report, &found.skipped)?)?;
    }
    Ok(if report.ok() { Outcome::Ok } else { Outcome::Problems })
}

/// The report as JSON, with the entries that are no record files.
#[derive(Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    report: &'a IngestReport,
    skipped: &'a [Skipped],
}

/// Diagnostics and notes go to standard error as they are; the summary is returned.
fn human(ctx: &Context, r: &IngestReport, skipped: &[Skipped]) -> Result<String, Error> {
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
    if !skipped.is_empty() {
        let files = plural(skipped.len(), "file that is no record", "files that are no records");
        writeln!(out, "skipped: {files} (`-v` lists them)")?;
    }
    Ok(out)
}
