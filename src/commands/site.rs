//! `site`: render the static site (and its search shards) from the archive.

use std::time::Instant;

use incident_archive::archive::Archive;
use incident_archive::snapshot::{Snapshot, SnapshotOptions};

use super::{Context, Outcome};
use crate::cli::SiteArgs;
use crate::error::{Error, ResultExt as _};
use crate::pipeline;

pub fn run(ctx: &Context, o: SiteArgs) -> Result<Outcome, Error> {
    let started = Instant::now();
    let out = o.out.unwrap_or_else(|| ctx.config.output.clone());
    pipeline::check_output(&ctx.config, &out, o.templates.as_deref())?;
    let root = &ctx.config.archive;
    let archive =
        Archive::open(root).with_context(|| format!("cannot open the archive `{}`", root.display()))?;
    // The lock keeps a concurrent ingest from changing the archive under the index and the site.
    let guard = archive.lock()?;
    crate::pipeline::publish_if_recovered(&ctx.config, &archive, &guard)?;
    let snapshot = Snapshot::read(&archive, SnapshotOptions::default())
        .with_context(|| format!("cannot read the archive `{}`", root.display()))?;
    let index = pipeline::update_index(&archive, &snapshot)?;
    for w in &index.warnings {
        eprintln!("warning: {w}");
    }
    let build_date = ctx.config.build_date(o.as_of, pipeline::latest_change(&snapshot))?;
    let report = pipeline::render_site(
        &ctx.config,
        &archive,
        &snapshot,
        build_date,
        Some(&out),
        o.templates.as_deref(),
    )?;
    drop(guard);
    ctx.out.info(format_args!(
        "site: {} files in `{}` as of {build_date}: {} rendered, {} unchanged pages skipped; \
         {} written, {} already there, {} removed ({:.2} s)",
        report.files,
        out.display(),
        report.rendered,
        report.reused,
        report.write.written,
        report.write.unchanged,
        report.write.removed,
        started.elapsed().as_secs_f64(),
    ));
    for page in &report.rendered_pages {
        ctx.out.detail(format_args!("  rendered {page}"));
    }
    Ok(Outcome::Ok)
}
