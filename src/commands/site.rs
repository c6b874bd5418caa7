//! `site`: render the static site from the archive.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use chrono::NaiveDate;

use super::{Context, Outcome};
use crate::archive::Archive;
use crate::site::{self, SiteError, SiteOptions};

#[derive(Debug)]
pub struct Options {
    pub out: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub as_of: Option<NaiveDate>,
}

pub fn run(ctx: &Context, o: Options) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let archive_root = &ctx.config.archive;
    let archive = Archive::open(archive_root)
        .with_context(|| format!("opening the archive `{}`", archive_root.display()))?;
    let snapshot =
        archive.snapshot().with_context(|| format!("reading the archive `{}`", archive_root.display()))?;
    let build_date = site::resolve_build_date(&ctx.config.build_date, o.as_of, Some(&snapshot))?;
    let opts = SiteOptions {
        title: ctx.config.site.title.clone(),
        base_url: ctx.config.site.base_url.clone(),
        build_date,
        templates: o.templates.or_else(|| ctx.config.templates.clone()),
    };
    let out = o.out.unwrap_or_else(|| ctx.config.output.clone());
    let report = match site::generate(&snapshot, &opts, &out, Vec::new()) {
        Ok(r) => r,
        Err(e @ SiteError::Locked { .. }) => {
            eprintln!("error: {e}");
            return Ok(Outcome::Locked);
        }
        Err(e) => return Err(e).with_context(|| format!("building the site into `{}`", out.display())),
    };
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
