//! The nightly job as a list of named, timed steps: ingest, snapshot, index, site, verify.
//!
//! `build` and `site` both come here so that the site and its search shards are always made the
//! same way. The archive lock is held from the first step to the last, so the site and the index
//! always describe one state of the archive. `retention purge` comes here too, after its ledger
//! entries are committed ([`refresh_after_purge`]), so that the purged records' text leaves the
//! derived data at once rather than at the next nightly run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use incident_archive::archive::mirror;
use incident_archive::archive::storage::{self, Storage};
use incident_archive::archive::{
    self, Archive, ArchiveError, IngestOptions, IngestReport, LockGuard, VerifyReport,
};
use incident_archive::config::{Config, LockModeConfig, StorageKind};
use incident_archive::index::{self, IndexReport};
use incident_archive::note::SignerKey;
use incident_archive::note::publish::{self, PublishOptions, Published};
use incident_archive::record::{Diagnostic, DiscoverOptions, Skipped};
use incident_archive::site::{self, SiteError, SiteOptions, SiteReport};
use incident_archive::snapshot::{self, Snapshot, SnapshotOptions};
use serde::Serialize;

use crate::error::{Error, ResultExt as _};

/// What one `build` needs beyond the configuration.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Inbox files or folders; empty means the configured inbox.
    pub paths: Vec<PathBuf>,
    /// Build date override (`--as-of`).
    pub as_of: Option<NaiveDate>,
    /// Told of ingest's progress (its first phase starts here); shows nothing when not on a
    /// terminal.
    pub progress: std::sync::Arc<dyn incident_archive::progress::Progress>,
}

/// One step's cost.
#[derive(Debug, Clone, Serialize)]
pub struct StepTiming {
    pub step: &'static str,
    pub seconds: f64,
    /// The process's peak resident memory after the step (VmHWM), in bytes; 0 where unknown.
    pub peak_rss_bytes: u64,
    /// CPU time of all the process's threads during the step (user + system); with `seconds`,
    /// how well the step used the cores. 0 where unknown.
    pub cpu_seconds: f64,
}

/// An action item that is overdue at the build date.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueItem {
    pub incident: String,
    pub id: String,
    pub action: String,
    pub owner: String,
    pub due: NaiveDate,
    pub status: String,
}

/// The summary `build` prints, and writes as JSON for the scheduler.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub build_date: NaiveDate,
    pub archive: PathBuf,
    pub output: PathBuf,
    pub ingest: IngestReport,
    /// Entries of the inbox that are no record files (hidden, not `*.md`, links to folders).
    pub skipped: Vec<Skipped>,
    pub index: IndexReport,
    pub site: SiteReport,
    pub verify: VerifyReport,
    /// The signed checkpoint (`archive/checkpoint`): what it states, and whether this run
    /// wrote it.
    pub checkpoint: Published,
    /// Open action items due before the build date (a warning, not a failure).
    pub overdue_action_items: Vec<OverdueItem>,
    pub timings: Vec<StepTiming>,
    pub seconds: f64,
}

impl BuildReport {
    /// True when nothing needs a human: no rejected record, a clean verification.
    pub fn ok(&self) -> bool {
        self.ingest.ok() && self.verify.ok
    }

    /// Diagnostics of the rejected records, in file order.
    pub fn rejected(&self) -> impl Iterator<Item = (&Path, &[Diagnostic])> {
        self.ingest.rejected.iter().map(|(p, d)| (p.as_path(), d.as_slice()))
    }
}

/// Runs a step, recording its time and the peak memory after it.
struct Steps {
    started: Instant,
    timings: Vec<StepTiming>,
    log: Box<dyn Fn(&str)>,
}

impl Steps {
    fn run<T>(&mut self, step: &'static str, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
        let t = Instant::now();
        let cpu = cpu_seconds();
        let out = f()?;
        let seconds = t.elapsed().as_secs_f64();
        let cpu_seconds = (cpu_seconds() - cpu).max(0.0);
        (self.log)(&format!("{step:>8}: {seconds:.2} s ({cpu_seconds:.2} s of CPU)"));
        self.timings.push(StepTiming { step, seconds, peak_rss_bytes: peak_rss_bytes(), cpu_seconds });
        Ok(out)
    }
}

/// The nightly job: ingest what is new under the inbox, bring the index up to date, render the
/// site (only what changed), verify the archive. `log` gets one line per finished step.
pub fn build(config: &Config, opts: &BuildOptions, log: Box<dyn Fn(&str)>) -> Result<BuildReport, Error> {
    let mut steps = Steps { started: Instant::now(), timings: Vec::new(), log };
    check_output(config, &config.output, None)?;
    let signer = signer(config)?;
    let root = &config.archive;
    let archive = create_archive(config, &*steps.log)?;
    let guard = archive.lock()?;

    let (mut ingest, skipped) = steps.run("ingest", || {
        let paths = if opts.paths.is_empty() { vec![config.inbox.clone()] } else { opts.paths.clone() };
        let dopts = DiscoverOptions { symlinks_outside: config.allow_symlinks_outside_inbox };
        let found = incident_archive::record::discover_with(&paths, dopts)
            .context("cannot list the records to ingest")?;
        let mut iopts = IngestOptions::new(config.retention.default_years, archive::clock::now()?);
        opts.progress.start("ingest", found.files.len() as u64);
        iopts.progress = opts.progress.clone();
        iopts.keep_parsed = Some(snapshot::FULL_SNAPSHOT_BUDGET);
        let mut report = archive::ingest(&archive, &guard, &found.files, &iopts)?;
        iopts.progress.finish();
        add_refused(&mut report, found.refused);
        report.warnings.extend(found.orphans);
        Ok((report, found.skipped))
    })?;
    // Signed before anything is derived from the new state; a refusal ends the run (exit 1).
    let checkpoint = publish_checkpoint(&archive, &guard, config, signer.as_ref())?;
    sync_store(&archive)?;
    // The records just archived are taken as ingest parsed them; the others from the summary
    // cache; only the rest are parsed.
    let parsed = std::mem::take(&mut ingest.parsed);
    let snapshot = steps.run("snapshot", || {
        Ok(Snapshot::read(&archive, SnapshotOptions { parsed, ..Default::default() })?)
    })?;
    let index = steps.run("index", || update_index(&archive, &snapshot))?;
    let build_date = config.build_date(opts.as_of, latest_change(&snapshot))?;
    let site = steps.run("site", || render_site(config, &archive, &snapshot, build_date, None, None))?;
    // The records parsed by this run (not the cached summaries) need not be parsed again for
    // their facts; every object is still read and hashed.
    let known: std::collections::HashMap<String, archive::Facts> = snapshot
        .records
        .iter()
        .filter_map(|r| Some((r.object.clone(), archive::Facts::of_incident(r.parsed_here()?))))
        .collect();
    let verify = steps.run("verify", || {
        let mut report = archive::verify_knowing(&archive, &known)?;
        check_signed(&archive, &mut report, signer.as_ref().map(SignerKey::verifier).as_ref());
        Ok(report)
    })?;
    drop(guard);

    Ok(BuildReport {
        build_date,
        archive: root.clone(),
        output: config.output.clone(),
        ingest,
        skipped,
        index,
        site,
        verify,
        checkpoint,
        overdue_action_items: overdue(&snapshot, build_date),
        seconds: steps.started.elapsed().as_secs_f64(),
        timings: steps.timings,
    })
}

/// The configured store beyond the archive folder: the folder alone, or the S3 bucket (connected,
/// its Object Lock checked).
pub fn storage_of(config: &Config) -> Result<std::sync::Arc<dyn Storage>, Error> {
    let s = &config.storage;
    match s.kind {
        StorageKind::Local => Ok(storage::local()),
        StorageKind::S3 => {
            let bucket = s.bucket.clone().unwrap_or_default();
            let settings = storage::S3Settings {
                endpoint: s.endpoint.clone(),
                bucket: bucket.clone(),
                region: s.region.clone(),
                prefix: s.prefix.clone(),
                lock_mode: match s.lock_mode {
                    LockModeConfig::Compliance => storage::LockMode::Compliance,
                    LockModeConfig::Governance => storage::LockMode::Governance,
                },
            };
            storage::connect(&settings)
                .map_err(ArchiveError::from)
                .with_context(|| format!("cannot use the bucket `{bucket}`"))
        }
    }
}

/// Opens the configured archive for a write, creating it when there is none, with its store
/// attached. With an S3 store and a cold cache (no archive in the folder), the folder is first
/// rebuilt from the bucket; `log` says so.
pub fn create_archive(config: &Config, log: &dyn Fn(&str)) -> Result<Archive, Error> {
    let root = &config.archive;
    let store = storage_of(config)?;
    if let Some(r) = mirror::restore(root, store.as_ref())
        .with_context(|| format!("cannot rebuild the archive `{}` from its bucket", root.display()))?
    {
        log(&format!(
            "restored `{}` from {}: {} ledger entries, {} objects{}",
            root.display(),
            store.location(""),
            r.entries,
            r.objects,
            if r.checkpoint { ", the signed checkpoint" } else { "" }
        ));
    }
    let archive =
        Archive::create(root).with_context(|| format!("cannot open the archive `{}`", root.display()))?;
    Ok(archive.with_storage(store))
}

/// Opens the configured archive (which must exist) with its store attached.
pub fn open_archive(config: &Config) -> Result<Archive, Error> {
    let archive = Archive::open(&config.archive)?;
    Ok(archive.with_storage(storage_of(config)?))
}

/// At the end of a write: the ledger's new lines and the signed checkpoint go up to the store
/// ([`mirror::sync`]); nothing for a local archive.
pub fn sync_store(archive: &Archive) -> Result<(), Error> {
    mirror::sync(archive).context("cannot store the ledger in the bucket")?;
    Ok(())
}

/// Adds the check of the bucket against the ledger ([`mirror::check_store`]) to a verification;
/// nothing for a local archive.
pub fn check_store(archive: &Archive, report: &mut VerifyReport) -> Result<(), Error> {
    let check = mirror::check_store(archive).context("cannot check the bucket")?;
    report.add(check.problems, check.notes);
    Ok(())
}

/// The configured signing key (`signing.key` or `--signing-key`), read before anything is
/// changed; a key file that others may read is used, with a warning.
pub fn signer(config: &Config) -> Result<Option<SignerKey>, Error> {
    let Some(path) = &config.signing.key else { return Ok(None) };
    let file = publish::read_signer_key(path).context("cannot read the signing key")?;
    if let Some(w) = &file.warning {
        eprintln!("warning: {w}");
    }
    Ok(Some(file.key))
}

/// The origin of the archive's checkpoints (see [`publish::archive_origin`]): `signing.origin`,
/// else the one `archive/checkpoint` already names, else the configuration's default.
pub fn checkpoint_origin(config: &Config, archive: &Archive) -> Result<String, Error> {
    let existing = publish::CheckpointFile::read(&publish::note_path(archive))?;
    Ok(publish::archive_origin(existing.as_ref(), config.signing.origin.as_deref(), &config.origin()))
}

/// Writes `archive/checkpoint` (see [`publish::publish`]) at the end of a run that held the
/// write lock, whether it changed the ledger, finished an interrupted write when it took the
/// lock, or neither (a file that already states the tree is left as it is; a missing one, after
/// an earlier refusal or in an archive older than signed checkpoints, is written).
pub fn publish_checkpoint(
    archive: &Archive,
    guard: &LockGuard,
    config: &Config,
    signer: Option<&SignerKey>,
) -> Result<Published, Error> {
    let origin = config.origin();
    let opts = PublishOptions {
        origin: config.signing.origin.as_deref(),
        default_origin: &origin,
        signer,
        keep: config.signing.keep.as_deref(),
    };
    Ok(publish::publish(archive, guard, &opts)?)
}

/// For the runs that hold the write lock without writing the ledger (`index`, `site`): when
/// taking the lock tidied up after an interrupted run (which may have committed entries without
/// writing their checkpoint), writes `archive/checkpoint` as [`publish_checkpoint`] does.
pub fn publish_if_recovered(
    config: &Config,
    archive: &Archive,
    guard: &LockGuard,
) -> Result<Option<Published>, Error> {
    if guard.recovered().is_empty() {
        return Ok(None);
    }
    let signer = signer(config)?;
    publish_checkpoint(archive, guard, config, signer.as_ref()).map(Some)
}

/// Adds the check of `archive/checkpoint` to a verification (with `key`'s signature, when
/// given).
pub fn check_signed(
    archive: &Archive,
    report: &mut VerifyReport,
    key: Option<&incident_archive::note::VerifierKey>,
) {
    let check = publish::check(archive, key);
    report.add(check.problems, check.notes);
}

/// Counts the record files that discovery refused without opening them (not regular files,
/// links out of the inbox) as seen and rejected, keeping the rejected in path order.
pub fn add_refused(report: &mut IngestReport, refused: Vec<Diagnostic>) {
    report.seen += refused.len();
    report.rejected.extend(refused.into_iter().map(|d| (d.path.clone(), vec![d])));
    report.rejected.sort_by(|a, b| a.0.cmp(&b.0));
}

/// Brings `archive/index/` up to `snapshot`.
pub fn update_index(archive: &Archive, snapshot: &Snapshot) -> Result<IndexReport, Error> {
    let dir = index_dir(archive);
    index::update(&dir, snapshot)
        .with_context(|| format!("cannot index the archive into `{}`", dir.display()))
}

/// The index folder of an archive.
pub fn index_dir(archive: &Archive) -> PathBuf {
    archive.root().join("index")
}

/// Refuses an output folder (`out`, with `templates` overriding the configuration's) that a site
/// build must not replace: one that is, holds or lies inside the archive, the inbox or the
/// templates, one that is not empty and not a site this program built, one with a mount point.
/// Changes nothing; `build` and `site` call it before they do anything.
pub fn check_output(config: &Config, out: &Path, templates: Option<&Path>) -> Result<(), Error> {
    let mut others = vec![("archive", config.archive.as_path()), ("inbox", config.inbox.as_path())];
    others.extend(templates.or(config.templates.as_deref()).map(|t| ("templates", t)));
    site::check_output_overlap(out, &others)
        .and_then(|()| site::check_output_folder(out))
        .with_context(|| format!("cannot build the site into `{}`", out.display()))
}

/// What the site shows besides the records: the ledger the snapshot was read from (the caller
/// holds the archive's lock), `archive/checkpoint` as it is, and the verifier key of the
/// configured signing key (a key that cannot be read was reported by the run's signer; the
/// site then shows none).
fn site_evidence(config: &Config, archive: &Archive) -> Result<site::Evidence, Error> {
    let ledger = incident_archive::archive::ledger::LedgerFile::read(&archive.ledger_path())?;
    let checkpoint = std::fs::read_to_string(publish::note_path(archive)).ok();
    let signer = config.signing.key.as_deref().and_then(|k| publish::read_signer_key(k).ok()).map(|f| f.key);
    let verifier_key = signer.as_ref().map(|k| k.verifier().to_string());
    let bundles = if config.site.evidence_bundles {
        let kept = match &config.signing.keep {
            Some(path) => incident_archive::evidence::read_kept(path)?,
            None => None,
        };
        Some(site::Bundles { origin: checkpoint_origin(config, archive)?, signer, kept })
    } else {
        None
    };
    Ok(site::Evidence { ledger: std::sync::Arc::new(ledger), checkpoint, verifier_key, bundles })
}

/// Renders the site and its browser search shards into the output folder (`out` overrides the
/// configuration's, `templates` too). The index must be up to date with `snapshot`, and the
/// caller has checked the output folder ([`check_output`]) before it changed anything.
pub fn render_site(
    config: &Config,
    archive: &Archive,
    snapshot: &Snapshot,
    build_date: NaiveDate,
    out: Option<&Path>,
    templates: Option<&Path>,
) -> Result<SiteReport, Error> {
    let out = out.unwrap_or(&config.output);
    let opts = SiteOptions {
        title: config.site.title.clone(),
        base_url: config.site.base_url.clone(),
        build_date,
        templates: templates.map(Path::to_path_buf).or_else(|| config.templates.clone()),
        evidence: site_evidence(config, archive)?,
    };
    let dir = index_dir(archive);
    let pages = site::moved_incident_pages(snapshot);
    // The export's error stays typed: the source of the site's `Extra` error, which ends the
    // build and drops its staging.
    site::generate_with(snapshot, &opts, out, |sink| {
        let mut sink_io = |path: &str, bytes: &[u8]| sink(path, bytes).map_err(std::io::Error::other);
        index::browser_export_to(&dir, &pages, &mut sink_io)
            .map(|r| r.files)
            .map_err(|e| SiteError::Extra { what: "exporting the browser search", source: Box::new(e) })
    })
    .map_err(Error::from)
    .with_context(|| format!("cannot build the site into `{}`", out.display()))
}

/// What a purge refreshed once its ledger entries were committed.
#[derive(Debug, Clone, Serialize)]
pub struct PurgeRefresh {
    /// The index, brought up to date with the purged records' documents dropped from its files;
    /// `None` when the archive has no index (and the configured output holds no site).
    pub index: Option<IndexReport>,
    /// The summary cache (rewritten without the purged records' summaries) exists.
    pub cache: bool,
    /// The configured output folder.
    pub output: PathBuf,
    /// The site, rendered again into `output`; `None` when `output` holds no site this program
    /// wrote (a site rendered elsewhere with `site --out` is not known here).
    pub site: Option<SiteReport>,
}

/// Removes the text of purged records from the derived data, under the lock the purge held:
/// the summary cache is rewritten without their summaries (by the snapshot taken here), the
/// index is updated (their documents deleted and the segments that held them merged anew) and
/// the configured site is rendered again (pages, search shards, feed, `incidents.json`).
pub fn refresh_after_purge(
    config: &Config,
    archive: &Archive,
    _locked: &LockGuard,
) -> Result<PurgeRefresh, Error> {
    let snapshot = Snapshot::read(archive, SnapshotOptions::default())
        .with_context(|| format!("cannot read the archive `{}`", archive.root().display()))?;
    let out = &config.output;
    let has_site = out.join(site::MANIFEST).is_file();
    let index =
        if has_site || index_dir(archive).exists() { Some(update_index(archive, &snapshot)?) } else { None };
    let site = if has_site {
        check_output(config, out, None)?;
        let build_date = config.build_date(None, latest_change(&snapshot))?;
        Some(render_site(config, archive, &snapshot, build_date, None, None)?)
    } else {
        None
    };
    let cache = archive.root().join(snapshot::summaries::CACHE_DIR).join(snapshot::summaries::SUMMARIES_FILE);
    Ok(PurgeRefresh { index, cache: cache.is_file(), output: out.clone(), site })
}

/// The date of the latest change in the archive (for `build_date: ledger`).
pub fn latest_change(snapshot: &Snapshot) -> Option<NaiveDate> {
    snapshot
        .records
        .iter()
        .flat_map(|r| {
            r.versions
                .iter()
                .map(|v| v.ingested_at)
                .chain(r.legal_hold.as_ref().map(|h| h.since))
                .chain(r.purged().map(|p| p.at))
        })
        .max()
        .map(|t| t.date_naive())
}

/// Open action items due before `date`, oldest first (ties by incident and item id).
pub fn overdue(snapshot: &Snapshot, date: NaiveDate) -> Vec<OverdueItem> {
    let mut items: Vec<OverdueItem> = snapshot
        .records
        .iter()
        .filter_map(|r| r.summary())
        .flat_map(|inc| {
            inc.action_items().iter().filter_map(move |a| {
                let due = a.due.filter(|d| *d < date && !a.done)?;
                Some(OverdueItem {
                    incident: inc.id().to_string(),
                    id: a.id.clone(),
                    action: a.action.clone(),
                    owner: a.owner.clone(),
                    due,
                    status: a.status.clone(),
                })
            })
        })
        .collect();
    items.sort_by(|a, b| (a.due, &a.incident, &a.id).cmp(&(b.due, &b.incident, &b.id)));
    items
}

/// User + system CPU time of the whole process so far (`/proc/self/stat`, in clock ticks of
/// 1/100 s, the value on every Linux architecture this runs on); 0 where unknown.
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may hold spaces) in parentheses: utime and
            // stime are the 12th and 13th.
            let rest = &s[s.rfind(')')? + 2..];
            let mut f = rest.split(' ').skip(11);
            let utime: u64 = f.next()?.parse().ok()?;
            let stime: u64 = f.next()?.parse().ok()?;
            Some((utime + stime) as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

/// Peak resident set size of this process so far (Linux `VmHWM`), in bytes; 0 elsewhere.
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
