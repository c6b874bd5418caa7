//! The static site: view models, the minijinja environment, pages, SVG charts, safe Markdown and
//! the output writer.
//!
//! [`generate`] renders a [`Snapshot`] into an output folder, re-rendering only the pages whose
//! inputs changed since the last build and replacing the folder only when the new tree is
//! complete; [`render`] gives the same files in memory. Page links are relative, so the site
//! works from `file://` as well as over HTTP.

pub mod charts;
mod data;
mod digest;
pub mod markdown;
mod pages;
pub mod slug;
mod templates;
mod write;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::archive::Snapshot;
use crate::config::BuildDateSource;

pub use pages::{EXPIRING_DAYS, LIST_LIMIT, PAGE_SIZE};
pub use templates::PAGE_TEMPLATES;
pub use write::{MANIFEST, WriteReport, write_output};

/// What a site build needs besides the archive.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteOptions {
    /// Shown in every page's header and as the feed title.
    pub title: String,
    /// Absolute URL the site is served from (for the Atom feed); empty for relative links only.
    pub base_url: String,
    /// The date pages are built "as of": what is overdue, expired or expiring.
    pub build_date: NaiveDate,
    /// A folder whose templates and assets override the embedded ones.
    pub templates: Option<PathBuf>,
}

/// One file of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative, `/`-separated (`incidents/INC-2025-0023.html`).
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Errors of the site stage.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("template `{name}`: {message}")]
    Template { name: String, message: String },
    #[error("rendering `{page}`: {message}")]
    Render { page: String, message: String },
    #[error("`{path}` is locked by another site build")]
    Locked { path: PathBuf },
    #[error("{0}")]
    Invalid(String),
}

/// What [`generate`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SiteReport {
    /// Files of the site (pages, assets and extra files), not counting the manifest.
    pub files: usize,
    /// Files rendered (or produced) in this run.
    pub rendered: usize,
    /// Pages whose inputs were unchanged: carried over from the last build without rendering.
    pub reused: usize,
    /// The templated pages rendered in this run, sorted.
    pub rendered_pages: Vec<String>,
    pub write: WriteReport,
}

/// Renders the whole site in memory (every page, no manifest). For tests and small archives;
/// [`generate`] streams to disk and renders only what changed.
pub fn render(snapshot: &Snapshot, opts: &SiteOptions) -> Result<Vec<OutputFile>, SiteError> {
    let templates = templates::Templates::load(opts.templates.as_deref())?;
    let data = data::SiteData::new(snapshot, opts.build_date);
    let sink = write::Memory::default();
    pages::render_all(&data, &templates, opts, &sink)?;
    let mut files = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Builds the site into `out_dir`: pages whose inputs are unchanged since the last build (per
/// its `.site-manifest.json`) are not rendered, files whose bytes are unchanged are not
/// rewritten, and the folder is replaced only when the new tree is complete. `extra` files
/// (the browser search index) are written alongside; a path clash with a page is an error.
pub fn generate(
    snapshot: &Snapshot,
    opts: &SiteOptions,
    out_dir: &Path,
    extra: Vec<OutputFile>,
) -> Result<SiteReport, SiteError> {
    let templates = templates::Templates::load(opts.templates.as_deref())?;
    let key = site_key(snapshot, opts, &templates, &extra);
    if let Some(files) = write::unchanged_site(out_dir, &key) {
        let write = WriteReport { unchanged: files, ..WriteReport::default() };
        return Ok(SiteReport { files, rendered: 0, reused: files, rendered_pages: Vec::new(), write });
    }
    let data = data::SiteData::new(snapshot, opts.build_date);
    let mut staging = write::Staging::begin(out_dir)?;
    staging.set_site_key(key);
    let counters = pages::render_all(&data, &templates, opts, &staging)?;
    let extra_count = extra.len();
    extra.into_par_iter().try_for_each(|file| {
        use write::Sink as _;
        let key = write::content_key(&file.bytes);
        if staging.reuse(&file.path, &key)? { Ok(()) } else { staging.put(&file.path, file.bytes, key) }
    })?;
    let rendered = counters.rendered.into_inner();
    let reused = counters.reused.into_inner();
    let mut rendered_pages = counters.rendered_pages.into_inner().unwrap_or_else(|e| e.into_inner());
    rendered_pages.sort();
    let write = staging.finish()?;
    Ok(SiteReport { files: rendered + reused + extra_count, rendered, reused, rendered_pages, write })
}

/// Hash of everything the site is made of: this program, the templates and assets, the
/// options, the build date, the archive (its Merkle root commits to every ledger entry and so to
/// every record's bytes, hold and purge) and the extra files.
fn site_key(
    snapshot: &Snapshot,
    opts: &SiteOptions,
    templates: &templates::Templates,
    extra: &[OutputFile],
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(templates.hash.as_bytes());
    for (path, bytes) in &templates.assets {
        part(path.as_bytes());
        part(bytes);
    }
    part(opts.title.as_bytes());
    part(opts.base_url.as_bytes());
    part(opts.build_date.to_string().as_bytes());
    part(snapshot.root.as_bytes());
    part(&snapshot.ledger_len.to_le_bytes());
    part(&(snapshot.records.len() as u64).to_le_bytes());
    let mut extra: Vec<&OutputFile> = extra.iter().collect();
    extra.sort_by(|a, b| a.path.cmp(&b.path));
    for f in extra {
        part(f.path.as_bytes());
        part(&f.bytes);
    }
    hex::encode(h.finalize())
}

/// The build date: `as_of` when given, else what the configuration says (`auto`:
/// `SOURCE_DATE_EPOCH` when set, else today in UTC; `ledger`: the date of the latest change
/// the snapshot shows).
pub fn resolve_build_date(
    source: &BuildDateSource,
    as_of: Option<NaiveDate>,
    snapshot: Option<&Snapshot>,
) -> Result<NaiveDate, SiteError> {
    if let Some(d) = as_of {
        return Ok(d);
    }
    let today = || chrono::Utc::now().date_naive();
    match source {
        BuildDateSource::Fixed(d) => Ok(*d),
        BuildDateSource::Now => Ok(today()),
        BuildDateSource::Ledger => Ok(snapshot.and_then(latest_change).unwrap_or_else(today)),
        BuildDateSource::Auto => match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.trim().is_empty() => {
                let secs: i64 = v.trim().parse().map_err(|_| {
                    SiteError::Invalid(format!("`SOURCE_DATE_EPOCH` is not a number of seconds: `{v}`"))
                })?;
                chrono::DateTime::from_timestamp(secs, 0)
                    .map(|t| t.date_naive())
                    .ok_or_else(|| SiteError::Invalid(format!("`SOURCE_DATE_EPOCH` is out of range: `{v}`")))
            }
            _ => Ok(today()),
        },
    }
}

/// The date of the latest ledger change visible in a snapshot (ingests, holds, purges).
fn latest_change(snapshot: &Snapshot) -> Option<NaiveDate> {
    snapshot
        .records
        .iter()
        .flat_map(|r| {
            r.versions
                .iter()
                .map(|v| v.ingested_at)
                .chain(r.legal_hold.as_ref().map(|h| h.since))
                .chain(r.purged.as_ref().map(|p| p.at))
        })
        .max()
        .map(|t| t.date_naive())
}
