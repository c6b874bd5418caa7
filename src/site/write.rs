//! The output writer: a complete new tree is built beside the output folder and swapped into
//! place only when complete, so a killed run never leaves a half-written site; files whose
//! content did not change are hard-linked from the old tree (same inode, same mtime) instead of
//! being rewritten, and `.site-manifest.json` remembers what each page was made from so that
//! the next run can skip rendering pages whose inputs did not change.
//!
//! Because the whole folder is replaced, the writer only ever replaces a folder of its own: one
//! that does not exist yet, an empty one, or one with its manifest (a site it built). Any other
//! folder is refused before anything is written, and so is a folder that is or holds a mount
//! point; no walk of an old tree ever crosses into another file system. In a site of its own,
//! files and folders that no build made are carried over with their content and modes.
//!
//! The lock beside the output folder (`.<name>.lock`), the durability barrier of the new tree,
//! the swap and the folder fsyncs are [`crate::fsx`]'s.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{OutputFile, SiteError};
use crate::fsx;

/// The manifest's name at the root of the output folder.
pub const MANIFEST: &str = ".site-manifest.json";

/// What a write did, file by file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WriteReport {
    /// Files written with new content.
    pub written: usize,
    /// Files whose content was already there: hard-linked from the old tree, not rewritten.
    pub unchanged: usize,
    /// Files of the previous build that are no longer produced.
    pub removed: usize,
    /// Files in the output folder that no build made (a README, say): carried over untouched.
    pub kept: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Manifest {
    format: u32,
    generator: String,
    /// Hash of everything the whole site is made of (see `super::site_key`): when it is the
    /// same, the next build has nothing to do.
    #[serde(default)]
    site_key: String,
    /// Output path → what it was made from.
    files: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Entry {
    /// Hash of the page's inputs (or of the file's bytes for static files).
    key: String,
    size: u64,
}

/// This program, down to its source code: a manifest written by another build is not trusted.
pub(crate) const GENERATOR: &str =
    concat!("incident-archive ", env!("CARGO_PKG_VERSION"), " ", env!("INCIDENT_ARCHIVE_SOURCE_FINGERPRINT"));

/// Where pages go: the staging tree of a real build, or memory for [`super::render`].
pub(crate) trait Sink: Sync {
    /// True when the previous build's file at `path` was made from the same inputs (`key`) and
    /// was carried over, so the page need not be rendered.
    fn reuse(&self, path: &str, key: &str) -> Result<bool, SiteError>;
    /// Stores a rendered file.
    fn put(&self, path: &str, bytes: Vec<u8>, key: String) -> Result<(), SiteError>;
    /// Stores a file known only by its bytes, which `fill` writes as they are made (a file of
    /// tens of megabytes, such as a CSV export of every action item, never sits in memory);
    /// true when they are the last build's, whose file is then carried over.
    fn stream(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<bool, SiteError>;
}

/// A writer that hashes what it passes on as [`content_key`] does, and counts it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    size: u64,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"content\0");
        Hashing { inner, hash, size: 0 }
    }

    /// The writer, the [`content_key`] of what went through and its size.
    fn finish(self) -> (W, String, u64) {
        (self.inner, hex::encode(self.hash.finalize()), self.size)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Collects files in memory.
#[derive(Default)]
pub(crate) struct Memory(pub Mutex<Vec<OutputFile>>);

impl Sink for Memory {
    fn reuse(&self, _: &str, _: &str) -> Result<bool, SiteError> {
        Ok(false)
    }

    fn put(&self, path: &str, bytes: Vec<u8>, _: String) -> Result<(), SiteError> {
        check_path(path)?;
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(OutputFile { path: path.to_string(), bytes });
        Ok(())
    }

    fn stream(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<bool, SiteError> {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(|source| SiteError::Io { path: PathBuf::from(path), source })?;
        self.put(path, bytes, String::new())?;
        Ok(false)
    }
}

/// A build in progress: the new tree in a temporary folder beside the output folder.
pub(crate) struct Staging {
    out_dir: PathBuf,
    parent: PathBuf,
    name: String,
    dir: Option<tempfile::TempDir>,
    old: Option<Manifest>,
    entries: Mutex<BTreeMap<String, Entry>>,
    /// Folders already made in the new tree (relative paths).
    dirs: Mutex<std::collections::BTreeSet<String>>,
    site_key: String,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    /// Made with the new tree, before anything is written in it: one flush of it all.
    barrier: fsx::Barrier,
    _lock: fsx::Lock,
}

impl From<fsx::Error> for SiteError {
    /// The file-system layer's errors, with the site's messages: a lock held is another site
    /// build.
    fn from(e: fsx::Error) -> Self {
        match e {
            fsx::Error::Io { path, source } => SiteError::Io { path, source },
            fsx::Error::Locked { path } => SiteError::Locked { path },
        }
    }
}

impl Staging {
    /// Takes the output folder's lock, cleans up after an interrupted run and starts a new tree.
    pub fn begin(out_dir: &Path) -> Result<Staging, SiteError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SiteError::Io { path, source }
        };
        // Follow a symlinked output folder to the real one, which is what gets swapped.
        let out_dir = real_path(out_dir)?;
        let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or_else(|| {
            SiteError::Invalid(format!("`{}` cannot be an output folder", out_dir.display()))
        })?;
        let parent = out_dir.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
        // Refused before anything is written, the lock file included.
        check_output_folder(&out_dir)?;
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;

        let lock = fsx::Lock::exclusive(&parent.join(format!(".{name}.lock")))?;

        recover(&parent, &name, &out_dir)?;
        // Again under the lock: the folder may have changed, or been put back by `recover`.
        check_output_folder(&out_dir)?;

        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.new-"))
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out_dir).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o755);
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode))
                .map_err(io(dir.path()))?;
        }
        let barrier = fsx::Barrier::new(dir.path())?;
        let old = std::fs::read(out_dir.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.format == 1 && m.generator == GENERATOR);
        Ok(Staging {
            out_dir,
            parent,
            name,
            dir: Some(dir),
            old,
            entries: Mutex::new(BTreeMap::new()),
            dirs: Mutex::new(Default::default()),
            site_key: String::new(),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            barrier,
            _lock: lock,
        })
    }

    /// Records the hash of the whole site's inputs in the new manifest.
    pub fn set_site_key(&mut self, key: String) {
        self.site_key = key;
    }

    fn staging(&self) -> &Path {
        self.dir.as_ref().map(|d| d.path()).unwrap_or(&self.out_dir)
    }

    fn record(&self, path: &str, entry: Entry) -> Result<(), SiteError> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.insert(path.to_string(), entry).is_some() {
            return Err(SiteError::Invalid(format!("two files of the site have the same path `{path}`")));
        }
        Ok(())
    }

    fn prepare(&self, path: &str) -> Result<PathBuf, SiteError> {
        check_path(path)?;
        let dest = self.staging().join(path);
        if let Some((dir, _)) = path.rsplit_once('/') {
            let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
            if !dirs.contains(dir) {
                let full = self.staging().join(dir);
                std::fs::create_dir_all(&full).map_err(|source| SiteError::Io { path: full, source })?;
                dirs.insert(dir.to_string());
            }
        }
        Ok(dest)
    }

    /// Writes the manifest, flushes the new tree to disk, swaps it into place and removes the old
    /// one.
    pub fn finish(mut self) -> Result<WriteReport, SiteError> {
        let mut report = WriteReport {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            ..WriteReport::default()
        };
        let entries = std::mem::take(&mut *self.entries.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(old) = &self.old {
            report.removed = old.files.keys().filter(|p| !entries.contains_key(*p)).count();
        }
        report.kept = self.carry_foreign_files(&entries)?;

        let manifest = Manifest {
            format: 1,
            generator: GENERATOR.into(),
            site_key: self.site_key.clone(),
            files: entries,
        };
        // Written as it is serialized: at 100,000 records it lists 735,000 files, some 100 MB of
        // JSON.
        let dest = self.staging().join(MANIFEST);
        let io = |source| SiteError::Io { path: dest.clone(), source };
        let mut w = BufWriter::with_capacity(1 << 16, File::create(&dest).map_err(io)?);
        serde_json::to_writer(&mut w, &manifest).map_err(|e| io(e.into()))?;
        w.write_all(b"\n").map_err(io)?;
        let file = w.into_inner().map_err(|e| io(e.into_error()))?;
        #[cfg(not(target_os = "linux"))]
        file.sync_all().map_err(io)?;
        drop(file);
        let old_manifest = self.out_dir.join(MANIFEST);
        if same_bytes(&old_manifest, &dest) {
            std::fs::remove_file(&dest).map_err(io)?;
            link_or_copy(&old_manifest, &dest)?;
        }

        let staging = self.dir.take().expect("staging folder present until finish");
        // One flush of the whole new tree before it is swapped in (elsewhere than on Linux,
        // each file was synced as it was written).
        self.barrier.wait(&[])?;
        swap(staging, &self.out_dir, &self.parent, &self.name)?;
        Ok(report)
    }

    /// Links every file of the old tree that no build made (not in the old manifest) into the
    /// new tree, unless the new build now makes a file at that path; every folder of the old
    /// tree is in the new one too (an empty one as well), with its mode.
    fn carry_foreign_files(&self, entries: &BTreeMap<String, Entry>) -> Result<usize, SiteError> {
        if !self.out_dir.is_dir() {
            return Ok(0);
        }
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        let dev = device(&self.out_dir)?;
        list_files(&self.out_dir, &self.out_dir, dev, &mut files, &mut dirs)?;
        let mut kept = 0;
        for rel in files {
            let ours = self.old.as_ref().is_some_and(|m| m.files.contains_key(&rel));
            if ours || rel == MANIFEST || entries.contains_key(&rel) {
                continue;
            }
            let dest = self.staging().join(&rel);
            if dest.parent().is_some_and(|d| std::fs::create_dir_all(d).is_err()) || dest.exists() {
                continue;
            }
            let src = self.out_dir.join(&rel);
            #[cfg(unix)]
            if let Ok(target) = std::fs::read_link(&src) {
                std::os::unix::fs::symlink(target, &dest)
                    .map_err(|source| SiteError::Io { path: dest, source })?;
                kept += 1;
                continue;
            }
            link_or_copy(&src, &dest)?;
            kept += 1;
        }
        // (Unless the new build now makes a file there.)
        dirs.retain(|(rel, _)| {
            let dest = self.staging().join(rel);
            dest.is_dir() || std::fs::create_dir_all(&dest).is_ok()
        });
        // Modes last (a read-only folder is filled first), children before their parents.
        #[cfg(unix)]
        for (rel, mode) in dirs.iter().rev() {
            use std::os::unix::fs::PermissionsExt;
            let dest = self.staging().join(rel);
            std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(*mode))
                .map_err(|source| SiteError::Io { path: dest, source })?;
        }
        Ok(kept)
    }
}

impl Sink for Staging {
    fn reuse(&self, path: &str, key: &str) -> Result<bool, SiteError> {
        let Some(entry) = self.old.as_ref().and_then(|m| m.files.get(path)) else { return Ok(false) };
        if entry.key != key {
            return Ok(false);
        }
        let src = self.out_dir.join(path);
        match std::fs::symlink_metadata(&src) {
            Ok(m) if m.is_file() && m.len() == entry.size => {}
            _ => return Ok(false),
        }
        let dest = self.prepare(path)?;
        link_or_copy(&src, &dest)?;
        self.record(path, entry.clone())?;
        self.unchanged.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    fn stream(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<bool, SiteError> {
        check_path(path)?;
        // Written beside the tree first, under a name no file of the site has (the hash of its
        // path); then, once its key is known, carried over or moved into place as any file.
        let part = self.staging().join(format!(".streaming-{}", content_key(path.as_bytes())));
        let io = |source| SiteError::Io { path: self.staging().join(path), source };
        let mut w = Hashing::new(BufWriter::with_capacity(1 << 16, File::create(&part).map_err(io)?));
        if let Err(e) = fill(&mut w) {
            let _ = std::fs::remove_file(&part);
            return Err(io(e));
        }
        let (w, key, size) = w.finish();
        let file = w.into_inner().map_err(|e| io(e.into_error()))?;
        #[cfg(not(target_os = "linux"))]
        file.sync_all().map_err(io)?;
        drop(file);
        if self.reuse(path, &key)? {
            std::fs::remove_file(&part).map_err(io)?;
            return Ok(true);
        }
        let dest = self.prepare(path)?;
        std::fs::rename(&part, &dest).map_err(io)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        self.record(path, Entry { key, size })?;
        Ok(false)
    }

    fn put(&self, path: &str, bytes: Vec<u8>, key: String) -> Result<(), SiteError> {
        let dest = self.prepare(path)?;
        let src = self.out_dir.join(path);
        let same = std::fs::symlink_metadata(&src)
            .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
            && std::fs::read(&src).is_ok_and(|old| old == bytes);
        if same {
            link_or_copy(&src, &dest)?;
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            write_file(&dest, &bytes)?;
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        self.record(path, Entry { key, size: bytes.len() as u64 })
    }
}

/// The number of files of the site in `out_dir` when it was built from inputs whose hash is
/// `site_key` and every file it lists is still there with its size; `None` otherwise, and
/// when a killed run left a tree beside it (which may hold anything, a purged record's page
/// too): the build then goes on, and [`Staging::begin`] removes it.
pub(crate) fn unchanged_site(out_dir: &Path, site_key: &str) -> Option<usize> {
    let real = std::fs::canonicalize(out_dir).ok()?;
    let (parent, name) = (real.parent()?, real.file_name()?.to_string_lossy());
    let [new_prefix, old_prefix] = leftover_prefixes(&name);
    if !fsx::find_prefixed(parent, &[&new_prefix, &old_prefix]).ok()?.is_empty() {
        return None;
    }
    let bytes = std::fs::read(out_dir.join(MANIFEST)).ok()?;
    let m: Manifest = serde_json::from_slice(&bytes).ok()?;
    if m.format != 1 || m.generator != GENERATOR || m.site_key.is_empty() || m.site_key != site_key {
        return None;
    }
    let intact = m.files.iter().all(|(path, entry)| {
        std::fs::symlink_metadata(out_dir.join(path)).is_ok_and(|md| md.is_file() && md.len() == entry.size)
    });
    intact.then_some(m.files.len())
}

/// Writes `files` as the complete content of `out_dir` (plus files no build made, which are
/// kept), replacing the previous tree only when the new one is complete.
pub fn write_output(out_dir: &Path, files: Vec<OutputFile>) -> Result<WriteReport, SiteError> {
    let staging = Staging::begin(out_dir)?;
    for file in files {
        let key = content_key(&file.bytes);
        if !staging.reuse(&file.path, &key)? {
            staging.put(&file.path, file.bytes, key)?;
        }
    }
    staging.finish()
}

/// True when the files `a` and `b` both exist and hold the same bytes (read a block at a time).
fn same_bytes(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (Ok(fa), Ok(fb)) = (File::open(a), File::open(b)) else { return false };
    if !fa.metadata().is_ok_and(|ma| fb.metadata().is_ok_and(|mb| ma.len() == mb.len())) {
        return false;
    }
    let (mut ra, mut rb) = (io::BufReader::new(fa), io::BufReader::new(fb));
    let (mut ba, mut bb) = (vec![0; 1 << 16], vec![0; 1 << 16]);
    loop {
        let n = match ra.read(&mut ba) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if n == 0 {
            return true;
        }
        if rb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

/// The manifest key of a file known only by its bytes.
pub(crate) fn content_key(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"content\0");
    h.update(bytes);
    hex::encode(h.finalize())
}

/// A path inside the site: relative, `/`-separated, no empty, `.` or `..` parts, no backslash
/// or NUL, and not the manifest.
pub(crate) fn check_path(path: &str) -> Result<(), SiteError> {
    let bad = path.is_empty()
        || path == MANIFEST
        || path.contains(['\\', '\0'])
        || path.split('/').any(|c| c.is_empty() || c == "." || c == "..");
    if bad {
        return Err(SiteError::Invalid(format!("`{path}` is not a valid path inside the site")));
    }
    Ok(())
}

/// The names of the trees a killed run can leave beside the output folder `name`: the new
/// tree being built, and the old one set aside by the fallback swap.
fn leftover_prefixes(name: &str) -> [String; 2] {
    [format!(".{name}.new-"), format!(".{name}.old-")]
}

fn write_file(dest: &Path, bytes: &[u8]) -> Result<(), SiteError> {
    let io = |source| SiteError::Io { path: dest.to_path_buf(), source };
    let mut f = File::create(dest).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    #[cfg(not(target_os = "linux"))]
    f.sync_all().map_err(io)?;
    Ok(())
}

/// A hard link keeps the inode and the mtime; where links are not possible, a copy with the
/// original modification time.
fn link_or_copy(src: &Path, dest: &Path) -> Result<(), SiteError> {
    if std::fs::hard_link(src, dest).is_ok() {
        return Ok(());
    }
    let io = |source| SiteError::Io { path: dest.to_path_buf(), source };
    std::fs::copy(src, dest).map_err(io)?;
    if let Ok(mtime) = std::fs::metadata(src).and_then(|m| m.modified()) {
        File::options().write(true).open(dest).and_then(|f| f.set_modified(mtime)).map_err(io)?;
    }
    Ok(())
}

/// The files (and symlinks) under `dir`, and its folders with their modes, parents first, as
/// `/`-separated paths relative to `root`. A folder on another device than `dev` (a mount
/// point) is an error: it is never entered.
fn list_files(
    root: &Path,
    dir: &Path,
    dev: u64,
    out: &mut Vec<String>,
    dirs: &mut Vec<(String, u32)>,
) -> Result<(), SiteError> {
    let io = |source| SiteError::Io { path: dir.to_path_buf(), source };
    let rel = |path: &Path| {
        let parts: Vec<String> = path
            .strip_prefix(root)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.join("/")
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            let meta = std::fs::symlink_metadata(&path).map_err(io)?;
            if device_of(&meta) != dev {
                return Err(SiteError::MountPoint { path: root.to_path_buf(), mount: path });
            }
            dirs.push((rel(&path), mode_of(&meta)));
            list_files(root, &path, dev, out, dirs)?;
        } else {
            out.push(rel(&path));
        }
    }
    Ok(())
}

/// Refuses an output folder that is not the writer's to replace: one that exists and is not a
/// folder, one that is not empty and has no manifest of this program (`.site-manifest.json`
/// with an `incident-archive` generator, of any version), and one that is or holds a mount
/// point. A folder that does not exist yet is fine. Changes nothing.
pub fn check_output_folder(out_dir: &Path) -> Result<(), SiteError> {
    let io = |source| SiteError::Io { path: out_dir.to_path_buf(), source };
    let meta = match std::fs::metadata(out_dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        other => other.map_err(io)?,
    };
    if !meta.is_dir() {
        return Err(SiteError::Invalid(format!("`{}` exists and is not a folder", out_dir.display())));
    }
    let out_dir = std::fs::canonicalize(out_dir).map_err(io)?;
    if let Some(mount) = mount_point_in(&out_dir)? {
        return Err(SiteError::MountPoint { path: out_dir, mount });
    }
    let empty = std::fs::read_dir(&out_dir).map_err(io)?.next().is_none();
    if empty || is_our_site(&out_dir) {
        return Ok(());
    }
    Err(SiteError::NotOurs { path: out_dir })
}

/// Refuses an output folder that is, holds or lies inside one of `others` (`(what, folder)`:
/// the archive, the inbox…), compared as real paths (symlinks and `..` resolved; folders that
/// do not exist yet by their nearest existing parent).
pub fn check_output_overlap(out_dir: &Path, others: &[(&'static str, &Path)]) -> Result<(), SiteError> {
    let out = real_path(out_dir)?;
    for &(what, other) in others {
        let other = real_path(other)?;
        let relation = if out == other {
            "is"
        } else if other.starts_with(&out) {
            "holds"
        } else if out.starts_with(&other) {
            "is inside"
        } else {
            continue;
        };
        return Err(SiteError::Overlap { out, relation, what, other });
    }
    Ok(())
}

/// `path` made absolute with its symlinks and `.`/`..` resolved, as far as it exists; the rest
/// (which the system cannot resolve either) appended with `..` taken lexically.
fn real_path(path: &Path) -> Result<PathBuf, SiteError> {
    use std::path::Component;
    let io = |source| SiteError::Io { path: path.to_path_buf(), source };
    let mut existing =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().map_err(io)?.join(path) };
    let mut rest = Vec::new();
    let mut real = loop {
        if let Ok(real) = std::fs::canonicalize(&existing) {
            break real;
        }
        match existing.components().next_back() {
            Some(c @ (Component::Normal(_) | Component::ParentDir)) => {
                rest.push(c.as_os_str().to_os_string());
                existing.pop();
            }
            _ => break existing,
        }
    };
    for name in rest.into_iter().rev() {
        if name == ".." {
            real.pop();
        } else {
            real.push(name);
        }
    }
    Ok(real)
}

/// True when `dir` holds a manifest written by this program (any version): a site it built.
fn is_our_site(dir: &Path) -> bool {
    #[derive(Deserialize)]
    struct Marker {
        generator: String,
    }
    let path = dir.join(MANIFEST);
    std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
        && std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Marker>(&b).ok())
            .is_some_and(|m| m.generator.starts_with("incident-archive "))
}

/// The first mount point at or under `dir` (a canonical path), if any: from the system's list
/// of mounts where there is one (Linux: `/proc/self/mountinfo`, which also sees bind mounts of
/// the same file system), else by looking for a folder on another device.
fn mount_point_in(dir: &Path) -> Result<Option<PathBuf>, SiteError> {
    #[cfg(target_os = "linux")]
    if let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") {
        return Ok(text.lines().filter_map(mountinfo_point).find(|m| m.starts_with(dir)));
    }
    let dev = device(dir)?;
    if dir.parent().map(device).transpose()?.is_some_and(|d| d != dev) {
        return Ok(Some(dir.to_path_buf()));
    }
    match list_files(dir, dir, dev, &mut Vec::new(), &mut Vec::new()) {
        Err(SiteError::MountPoint { mount, .. }) => Ok(Some(mount)),
        other => other.map(|()| None),
    }
}

/// The mount point of one line of `/proc/self/mountinfo`: its fifth field, with the octal
/// escapes of spaces, tabs, newlines and backslashes undone.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn mountinfo_point(line: &str) -> Option<PathBuf> {
    let raw = line.split(' ').nth(4)?.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let digits =
            raw.get(i + 1..i + 4).filter(|d| raw[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        if let Some(d) = digits {
            bytes.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
            i += 4;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    #[cfg(unix)]
    return Some(PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(bytes)));
    #[cfg(not(unix))]
    return Some(PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()));
}

/// The device a path (not followed when a symlink) is on; 0 where the system has no such
/// number.
fn device(path: &Path) -> Result<u64, SiteError> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|source| SiteError::Io { path: path.to_path_buf(), source })?;
    Ok(device_of(&meta))
}

fn device_of(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    return std::os::unix::fs::MetadataExt::dev(meta);
    #[cfg(not(unix))]
    {
        let _ = meta;
        0
    }
}

fn mode_of(meta: &std::fs::Metadata) -> u32 {
    #[cfg(unix)]
    return std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
    #[cfg(not(unix))]
    {
        let _ = meta;
        0o755
    }
}

/// Puts the output folder back after a run that was killed between the two renames of the
/// fallback swap, and removes temporary trees left by killed runs. Runs under the lock.
fn recover(parent: &Path, name: &str, out_dir: &Path) -> Result<(), SiteError> {
    let [new_prefix, old_prefix] = leftover_prefixes(name);
    let mut leftovers = fsx::find_prefixed(parent, &[&new_prefix, &old_prefix])?;
    if !out_dir.exists() {
        let old = leftovers.iter().find(|p| p.to_string_lossy().contains(&old_prefix)).cloned();
        if let Some(old) = old {
            std::fs::rename(&old, out_dir).map_err(|source| SiteError::Io { path: old.clone(), source })?;
            leftovers.retain(|p| *p != old);
        }
    }
    for p in leftovers {
        remove_tree(&p)?;
    }
    Ok(())
}

/// Swaps the new tree into place: one atomic exchange of the two folders where the system has
/// it (Linux `renameat2(RENAME_EXCHANGE)`), else two renames; then removes the old tree.
fn swap(staging: tempfile::TempDir, out_dir: &Path, parent: &Path, name: &str) -> Result<(), SiteError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SiteError::Io { path, source }
    };
    if !out_dir.exists() {
        let path = staging.keep();
        std::fs::rename(&path, out_dir).map_err(io(out_dir))?;
        return Ok(fsx::sync_dir(parent)?);
    }
    if fsx::exchange(staging.path(), out_dir) {
        fsx::sync_dir(parent)?;
        // The temporary folder now holds the old tree.
        let old = staging.keep();
        return remove_tree(&old);
    }
    let new = staging.keep();
    let old = tempfile::Builder::new()
        .prefix(&format!(".{name}.old-"))
        .tempdir_in(parent)
        .map_err(io(parent))?
        .keep();
    std::fs::remove_dir(&old).map_err(io(&old))?;
    std::fs::rename(out_dir, &old).map_err(io(out_dir))?;
    std::fs::rename(&new, out_dir).map_err(io(out_dir))?;
    fsx::sync_dir(parent)?;
    remove_tree(&old)
}

/// Removes a folder tree, the entries of each folder in parallel (unlinking is most of a
/// nightly build's system time). It never crosses into another file system: a folder on
/// another device than the tree's root is left, with the folders that lead to it, and named in
/// the error.
fn remove_tree(dir: &Path) -> Result<(), SiteError> {
    let dev = device(dir)?;
    remove_on(dir, dev, true).map_err(|e| match e {
        SiteError::MountPoint { mount, .. } => SiteError::MountPoint { path: dir.to_path_buf(), mount },
        e => e,
    })
}

fn remove_on(dir: &Path, dev: u64, top: bool) -> Result<(), SiteError> {
    use rayon::prelude::*;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SiteError::Io { path, source }
    };
    let meta = std::fs::symlink_metadata(dir).map_err(io(dir))?;
    if device_of(&meta) != dev {
        return Err(SiteError::MountPoint { path: dir.to_path_buf(), mount: dir.to_path_buf() });
    }
    // A folder kept read-only in the site (its mode is carried over) can still be emptied.
    #[cfg(unix)]
    if mode_of(&meta) & 0o700 != 0o700 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode_of(&meta) | 0o700))
            .map_err(io(dir))?;
    }
    let entries: Vec<(PathBuf, bool)> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .map(|e| e.and_then(|e| Ok((e.path(), e.file_type()?.is_dir()))))
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    // The top folders each on their own, the entries of the others a few hundred at a time.
    let min = if top { 1 } else { 256 };
    entries.par_iter().with_min_len(min).try_for_each(|(path, is_dir)| {
        if *is_dir { remove_on(path, dev, false) } else { std::fs::remove_file(path).map_err(io(path)) }
    })?;
    std::fs::remove_dir(dir).map_err(io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile { path: path.into(), bytes: text.as_bytes().to_vec() }
    }

    #[test]
    fn unchanged_files_keep_their_inode_and_changed_ones_are_written() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let r = write_output(&out, vec![file("a.html", "A"), file("d/b.html", "B"), file("c.html", "C")])
            .unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (3, 0, 0));
        let ino_a = std::fs::metadata(out.join("a.html")).unwrap().ino();
        let mtime_a = std::fs::metadata(out.join("a.html")).unwrap().modified().unwrap();

        let r = write_output(&out, vec![file("a.html", "A"), file("d/b.html", "B2")]).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (1, 1, 1));
        let meta = std::fs::metadata(out.join("a.html")).unwrap();
        assert_eq!(meta.ino(), ino_a, "an unchanged file is the same inode");
        assert_eq!(meta.modified().unwrap(), mtime_a);
        assert_eq!(std::fs::read_to_string(out.join("d/b.html")).unwrap(), "B2");
        assert!(!out.join("c.html").exists(), "a page no longer produced is removed");
        // No temporary trees are left beside the output.
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        assert!(names.iter().all(|n| n == "public" || n == ".public.lock"), "{names:?}");
    }

    #[test]
    fn streamed_files_are_hashed_as_written_and_kept_when_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let build = |text: &'static str| {
            let staging = Staging::begin(&out).unwrap();
            let kept = staging.stream("e/x.csv", &mut |w| w.write_all(text.as_bytes())).unwrap();
            staging.put("p.html", b"P".to_vec(), "page key".into()).unwrap();
            (kept, staging.finish().unwrap())
        };
        let ino = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
        let (kept, r) = build("a,b\r\n");
        assert!(!kept);
        assert_eq!((r.written, r.unchanged), (2, 0));
        let manifest: Manifest = serde_json::from_slice(&std::fs::read(out.join(MANIFEST)).unwrap()).unwrap();
        assert_eq!(manifest.files["e/x.csv"], Entry { key: content_key(b"a,b\r\n"), size: 5 });
        let (csv, listed) = (ino("e/x.csv"), ino(MANIFEST));

        // The same bytes again: the old file (and the old manifest, unchanged) carried over.
        let (kept, r) = build("a,b\r\n");
        assert!(kept);
        assert_eq!((r.written, r.unchanged), (0, 2));
        assert_eq!((ino("e/x.csv"), ino(MANIFEST)), (csv, listed));

        // Other bytes: written, and listed with their own key.
        let (kept, r) = build("a,c\r\n");
        assert!(!kept);
        assert_eq!((r.written, r.unchanged), (1, 1));
        assert_eq!(std::fs::read_to_string(out.join("e/x.csv")).unwrap(), "a,c\r\n");
        assert_ne!(ino(MANIFEST), listed);
        let manifest: Manifest = serde_json::from_slice(&std::fs::read(out.join(MANIFEST)).unwrap()).unwrap();
        assert_eq!(manifest.files["e/x.csv"].key, content_key(b"a,c\r\n"));

        // A writer that fails fails the build, naming the file; the site is left as it was.
        let staging = Staging::begin(&out).unwrap();
        let err = staging.stream("e/x.csv", &mut |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(matches!(err, Err(SiteError::Io { ref path, .. }) if path.ends_with("e/x.csv")), "{err:?}");
        drop(staging);
        assert_eq!(std::fs::read_to_string(out.join("e/x.csv")).unwrap(), "a,c\r\n");
    }

    /// Every entry under `dir` (the folder itself as ""): its kind, mode and content.
    fn state(dir: &Path) -> BTreeMap<String, (char, u32, Vec<u8>)> {
        use std::os::unix::fs::PermissionsExt;
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(p) = stack.pop() {
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                out.insert(rel, ('d', mode, Vec::new()));
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else {
                out.insert(rel, ('f', mode, std::fs::read(&p).unwrap()));
            }
        }
        out
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn files_and_folders_no_build_made_are_kept_with_their_modes() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_output(&out, vec![file("index.html", "x"), file("d/a.html", "a")]).unwrap();
        std::fs::write(out.join("README.md"), "keep me").unwrap();
        std::fs::create_dir_all(out.join("drafts/empty")).unwrap();
        std::fs::set_permissions(out.join("drafts"), std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(out.join("d"), std::fs::Permissions::from_mode(0o750)).unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o711)).unwrap();
        let before = state(&out);
        let r = write_output(&out, vec![file("index.html", "x"), file("d/a.html", "a")]).unwrap();
        assert_eq!((r.written, r.unchanged, r.kept), (0, 2, 1));
        assert_eq!(state(&out), before, "contents, empty folders and modes are as they were");
        let r = write_output(&out, vec![file("index.html", "y"), file("d/a.html", "a")]).unwrap();
        assert_eq!((r.written, r.kept), (1, 1));
        let mut want = before;
        want.get_mut("index.html").unwrap().2 = b"y".to_vec();
        let mut got = state(&out);
        got.remove(MANIFEST);
        want.remove(MANIFEST);
        assert_eq!(got, want);
    }

    #[test]
    fn a_folder_of_someone_elses_files_is_refused_and_left_as_it_was() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("mine");
        std::fs::create_dir_all(out.join("empty")).unwrap();
        std::fs::write(out.join("index.html"), "<p>my own page</p>").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)).unwrap();
        let before = state(&out);
        let err = write_output(&out, vec![file("index.html", "x")]).unwrap_err();
        assert!(matches!(err, SiteError::NotOurs { .. }), "{err}");
        let message = err.to_string();
        assert!(message.contains("mine`") && message.contains(MANIFEST), "{message}");
        assert_eq!(state(&out), before, "nothing changed, byte for byte and mode for mode");
        assert_eq!(names(tmp.path()), ["mine"], "not even a lock file beside it");
        // A manifest that is not this program's does not make it ours either.
        std::fs::write(out.join(MANIFEST), r#"{"generator":"something else","files":{}}"#).unwrap();
        assert!(matches!(write_output(&out, Vec::new()), Err(SiteError::NotOurs { .. })));
        // A file is not a folder.
        std::fs::write(tmp.path().join("file"), "x").unwrap();
        assert!(write_output(&tmp.path().join("file"), Vec::new()).is_err());
        assert_eq!(std::fs::read(tmp.path().join("file")).unwrap(), b"x");
    }

    #[test]
    fn an_empty_folder_becomes_a_site_and_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir(&out).unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o750)).unwrap();
        write_output(&out, vec![file("index.html", "x")]).unwrap();
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o7777, 0o750);
        assert!(is_our_site(&out));
        // A site of another version of the program is still its own.
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        let other = manifest.replacen(GENERATOR, "incident-archive 0.0.1 0123abcd", 1);
        assert_ne!(manifest, other);
        std::fs::remove_file(out.join(MANIFEST)).unwrap();
        std::fs::write(out.join(MANIFEST), other).unwrap();
        let r = write_output(&out, vec![file("index.html", "x")]).unwrap();
        assert_eq!((r.unchanged, r.kept), (1, 0));
    }

    #[test]
    fn an_output_folder_in_or_around_what_the_tool_reads_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (archive, inbox) = (tmp.path().join("archive"), tmp.path().join("records"));
        std::fs::create_dir_all(&archive).unwrap();
        std::fs::create_dir_all(&inbox).unwrap();
        std::os::unix::fs::symlink(&archive, tmp.path().join("link")).unwrap();
        let others = [("archive", archive.as_path()), ("inbox", inbox.as_path())];
        let refused = |out: PathBuf, relation: &str, what: &str| {
            let err = check_output_overlap(&out, &others).unwrap_err();
            let SiteError::Overlap { relation: r, what: w, .. } = &err else { panic!("{err}") };
            assert_eq!((*r, *w), (relation, what), "{}: {err}", out.display());
        };
        refused(archive.clone(), "is", "archive");
        refused(tmp.path().join("link"), "is", "archive");
        refused(tmp.path().join("records/../archive"), "is", "archive");
        refused(tmp.path().join("missing/../archive"), "is", "archive");
        refused(tmp.path().join("missing/../archive/x/../y"), "is inside", "archive");
        refused(tmp.path().to_path_buf(), "holds", "archive");
        refused(archive.join("site"), "is inside", "archive");
        refused(tmp.path().join("link/new/site"), "is inside", "archive");
        refused(inbox.join("public"), "is inside", "inbox");
        refused(inbox.clone(), "is", "inbox");
        check_output_overlap(&tmp.path().join("public"), &others).unwrap();
        check_output_overlap(&tmp.path().join("archive-site"), &others).unwrap();
        // The archive may not exist yet (`build` creates it).
        let later = tmp.path().join("later/archive");
        check_output_overlap(&tmp.path().join("public"), &[("archive", later.as_path())]).unwrap();
        assert!(check_output_overlap(&tmp.path().join("later"), &[("archive", later.as_path())]).is_err());
    }

    #[test]
    fn mountinfo_lines_give_their_mount_points() {
        let line = r"36 35 98:0 /mnt1 /srv/my\040site/pub\134x rw,noatime master:1 - ext3 /dev/root rw";
        assert_eq!(mountinfo_point(line), Some(PathBuf::from(r"/srv/my site/pub\x")));
        assert_eq!(mountinfo_point("25 1 0:22 / /tmp rw - tmpfs tmpfs rw"), Some(PathBuf::from("/tmp")));
        assert_eq!(mountinfo_point("short line"), None);
    }

    #[test]
    fn a_failed_build_leaves_the_old_tree_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_output(&out, vec![file("a.html", "A")]).unwrap();
        let err =
            write_output(&out, vec![file("a.html", "changed"), file("../escape.html", "x")]).unwrap_err();
        assert!(err.to_string().contains("../escape.html"), "{err}");
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "A");
        assert!(!tmp.path().join("escape.html").exists());
        let leftovers = std::fs::read_dir(tmp.path()).unwrap().count();
        assert_eq!(leftovers, 2, "only public/ and the lock file remain");
    }

    #[test]
    fn an_interrupted_swap_is_recovered() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_output(&out, vec![file("a.html", "A")]).unwrap();
        // A run killed between the two renames of the fallback swap: the old tree sits aside,
        // a partial new tree beside it, no output folder.
        std::fs::rename(&out, tmp.path().join(".public.old-x1")).unwrap();
        std::fs::create_dir(tmp.path().join(".public.new-y2")).unwrap();
        std::fs::write(tmp.path().join(".public.new-y2/partial.html"), "half").unwrap();
        let r = write_output(&out, vec![file("a.html", "A")]).unwrap();
        assert_eq!(r.unchanged, 1, "the recovered old tree was used");
        assert!(!tmp.path().join(".public.old-x1").exists());
        assert!(!tmp.path().join(".public.new-y2").exists());
    }

    #[test]
    fn a_second_writer_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = Staging::begin(&out).unwrap();
        let Err(SiteError::Locked { .. }) = Staging::begin(&out) else {
            panic!("expected the lock to be held")
        };
        drop(first);
        Staging::begin(&out).unwrap();
    }

    #[test]
    fn paths_are_checked() {
        for bad in ["", "/abs", "a//b", "../x", "a/./b", "a\\b", MANIFEST] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        check_path("incidents/INC-1.html").unwrap();
    }
}
