//! The static site: view models, the template contract, the minijinja environment, the render
//! engine, pages, SVG charts, safe Markdown and the output writer.
//!
//! [`generate`] renders a [`Snapshot`] into an output folder, re-rendering only the pages whose
//! inputs changed since the last build and replacing the folder only when the new tree is
//! complete; [`render`] gives the same files in memory. Page links are relative, so the site
//! works from `file://` as well as over HTTP. What each page template receives is the public
//! [`context`] (re-exported here), documented in `site-templates/README.md`.

pub mod charts;
pub mod context;
mod data;
mod digest;
pub mod evidence;
pub mod markdown;
mod pages;
mod render;
pub mod slug;
mod templates;
#[cfg(test)]
mod tests;
mod write;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::snapshot::Snapshot;

// The template contract: every type a page template receives.
pub use context::*;
pub use evidence::{Bundles, Evidence};
pub use pages::{EXPIRING_DAYS, LIST_LIMIT};
pub use render::PAGE_SIZE;
pub use templates::PAGE_TEMPLATES;
pub use write::{MANIFEST, WriteReport, check_output_folder, check_output_overlap, write_output};

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
    /// The ledger, the signed checkpoint and its verifier key: what the proofs, the ledger and
    /// the checkpoint pages are made of.
    pub evidence: Evidence,
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
    /// The output folder holds files and no `.site-manifest.json` of this program: it is not a
    /// site this tool built, and a build would replace it.
    #[error(
        "`{path}` is not empty and is not a site built by incident-archive (it has no `{MANIFEST}`); \
         a site build replaces its whole output folder, so it leaves this one alone: choose a new \
         or empty folder"
    )]
    NotOurs { path: PathBuf },
    /// The output folder is, or holds, a mount point: the build would cross into (and empty)
    /// another file system.
    #[error(
        "`{path}` {}: a site build replaces its whole output folder and never crosses into another \
         file system; choose an output folder without one",
        if path == mount { "is a mount point".to_string() } else { format!("holds a mount point, `{}`", mount.display()) }
    )]
    MountPoint { path: PathBuf, mount: PathBuf },
    /// The output folder is, holds, or lies inside a folder the tool reads (the archive, the
    /// inbox, the templates).
    #[error(
        "the output folder `{out}` {relation} the {what} `{other}`: a site build replaces its whole \
         output folder; choose one apart from the {what}"
    )]
    Overlap { out: PathBuf, relation: &'static str, what: &'static str, other: PathBuf },
    #[error("{0}")]
    Invalid(String),
    /// The files the caller adds to the site (`generate_with`'s `extra`: the browser search's)
    /// could not be made; the caller's own error is the source.
    #[error("{what}")]
    Extra { what: &'static str, source: Box<dyn std::error::Error + Send + Sync + 'static> },
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
    /// Where the time went: `data` (lists, customers, owners), `pages` (keys, rendering),
    /// `extra` (the search files), `write` (the new tree made durable and swapped in).
    pub timings: Vec<SiteTiming>,
}

/// One part of a site build and its wall time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteTiming {
    pub part: &'static str,
    pub milliseconds: u64,
}

/// Renders the whole site in memory (every page, no manifest). For tests and small archives;
/// [`generate`] streams to disk and renders only what changed.
pub fn render(snapshot: &Snapshot, opts: &SiteOptions) -> Result<Vec<OutputFile>, SiteError> {
    let templates = templates::Templates::load(opts.templates.as_deref())?;
    let data = data::SiteData::new(snapshot, opts.build_date);
    let sink = write::Memory::default();
    render::render_all(&data, &templates, opts, &sink)?;
    let mut files = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The page of every incident whose page is not `incidents/<id>.html` (ids that differ only in
/// case, ids named like a list page, Windows device names; see [`slug::incident_stems`]), by
/// id: what the browser search must link to instead.
pub fn moved_incident_pages(snapshot: &Snapshot) -> std::collections::BTreeMap<String, String> {
    slug::incident_stems(snapshot.records.iter().map(|r| r.id.as_str()))
        .into_iter()
        .filter(|(id, stem)| id != stem)
        .map(|(id, stem)| (id.to_string(), format!("incidents/{stem}.html")))
        .collect()
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
    let key = site_key(snapshot, opts, &templates, Some(&extra));
    build(snapshot, opts, out_dir, templates, key, |sink| {
        let n = extra.len();
        for file in extra {
            sink(&file.path, &file.bytes)?;
        }
        Ok(n)
    })
}

/// Like [`generate`], with the extra files produced by `extra` one at a time into the sink it
/// is given (so that hundreds of megabytes of search shards never sit in memory at once); it
/// returns how many it produced. When nothing the site is made of changed since the last build
/// (see `site_key`), `extra` is not called and nothing is written.
pub fn generate_with(
    snapshot: &Snapshot,
    opts: &SiteOptions,
    out_dir: &Path,
    extra: impl FnOnce(&mut dyn FnMut(&str, &[u8]) -> Result<(), SiteError>) -> Result<usize, SiteError>,
) -> Result<SiteReport, SiteError> {
    let templates = templates::Templates::load(opts.templates.as_deref())?;
    let key = site_key(snapshot, opts, &templates, None);
    build(snapshot, opts, out_dir, templates, key, extra)
}

fn build(
    snapshot: &Snapshot,
    opts: &SiteOptions,
    out_dir: &Path,
    templates: templates::Templates,
    key: String,
    extra: impl FnOnce(&mut dyn FnMut(&str, &[u8]) -> Result<(), SiteError>) -> Result<usize, SiteError>,
) -> Result<SiteReport, SiteError> {
    use write::Sink as _;
    if let Some(files) = write::unchanged_site(out_dir, &key) {
        let write = WriteReport { unchanged: files, ..WriteReport::default() };
        return Ok(SiteReport {
            files,
            rendered: 0,
            reused: files,
            rendered_pages: Vec::new(),
            write,
            timings: Vec::new(),
        });
    }
    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |part: &'static str| {
        timings.push(SiteTiming { part, milliseconds: clock.elapsed().as_millis() as u64 });
        clock = std::time::Instant::now();
    };
    let data = data::SiteData::new(snapshot, opts.build_date);
    lap("data");
    let mut staging = write::Staging::begin(out_dir)?;
    staging.set_site_key(key);
    let counters = render::render_all(&data, &templates, opts, &staging)?;
    lap("pages");
    let extra_count = extra(&mut |path, bytes| {
        let key = write::content_key(bytes);
        if staging.reuse(path, &key)? { Ok(()) } else { staging.put(path, bytes.to_vec(), key) }
    })?;
    lap("extra");
    let rendered = counters.rendered.into_inner();
    let reused = counters.reused.into_inner();
    let mut rendered_pages = counters.rendered_pages.into_inner().unwrap_or_else(|e| e.into_inner());
    rendered_pages.sort();
    let write = staging.finish()?;
    lap("write");
    Ok(SiteReport {
        files: rendered + reused + extra_count,
        rendered,
        reused,
        rendered_pages,
        write,
        timings,
    })
}

/// Hash of everything the site is made of: this program, the templates and assets, the
/// options, the build date, the archive (its Merkle root commits to every ledger entry and so to
/// every record's bytes, hold and purge) and the extra files when they are given; files from
/// [`generate_with`]'s producer are taken to be a function of the archive (the search index is
/// derived from it).
fn site_key(
    snapshot: &Snapshot,
    opts: &SiteOptions,
    templates: &templates::Templates,
    extra: Option<&[OutputFile]>,
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
    // The ledger is committed to by the root; the checkpoint's signature and the key are not.
    part(opts.evidence.checkpoint.as_deref().unwrap_or("").as_bytes());
    part(opts.evidence.verifier_key.as_deref().unwrap_or("").as_bytes());
    part(&(opts.evidence.len() as u64).to_le_bytes());
    // Whether the pages offer bundles, and the origin and key that make them.
    match &opts.evidence.bundles {
        Some(b) => {
            part(b"bundles");
            part(b.origin.as_bytes());
            part(b.signer.as_ref().map(|k| k.verifier().to_string()).unwrap_or_default().as_bytes());
        }
        None => part(b"no bundles"),
    }
    part(snapshot.root.as_bytes());
    part(&snapshot.ledger_len.to_le_bytes());
    part(&(snapshot.records.len() as u64).to_le_bytes());
    if let Some(extra) = extra {
        let mut extra: Vec<&OutputFile> = extra.iter().collect();
        extra.sort_by(|a, b| a.path.cmp(&b.path));
        for f in extra {
            part(f.path.as_bytes());
            part(&f.bytes);
        }
    }
    hex::encode(h.finalize())
}
