//! The output writer: a complete new tree is built beside the output folder and swapped into
//! place only when complete, so a killed run never leaves a half-written site; files whose
//! content did not change are hard-linked from the old tree (same inode, same mtime) instead of
//! being rewritten, and `.site-manifest.json` remembers what each page was made from so that
//! the next run can skip rendering pages whose inputs did not change.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{OutputFile, SiteError};

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
    _lock: File,
}

impl Staging {
    /// Takes the output folder's lock, cleans up after an interrupted run and starts a new tree.
    pub fn begin(out_dir: &Path) -> Result<Staging, SiteError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SiteError::Io { path, source }
        };
        let out_dir = if out_dir.is_absolute() {
            out_dir.to_path_buf()
        } else {
            std::env::current_dir().map_err(io(out_dir))?.join(out_dir)
        };
        // Follow a symlinked output folder to the real one, which is what gets swapped.
        let out_dir = std::fs::canonicalize(&out_dir).unwrap_or(out_dir);
        let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or_else(|| {
            SiteError::Invalid(format!("`{}` cannot be an output folder", out_dir.display()))
        })?;
        let parent = out_dir.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        if out_dir.exists() && !out_dir.is_dir() {
            return Err(SiteError::Invalid(format!("`{}` exists and is not a folder", out_dir.display())));
        }

        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(SiteError::Locked { path: lock_path }),
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(SiteError::Io { path: lock_path, source });
            }
        }

        recover(&parent, &name, &out_dir)?;

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
        let mut bytes = serde_json::to_vec(&manifest).map_err(|e| SiteError::Invalid(e.to_string()))?;
        bytes.push(b'\n');
        let dest = self.staging().join(MANIFEST);
        let old_manifest = self.out_dir.join(MANIFEST);
        if std::fs::read(&old_manifest).is_ok_and(|b| b == bytes) {
            link_or_copy(&old_manifest, &dest)?;
        } else {
            write_file(&dest, &bytes)?;
        }

        let staging = self.dir.take().expect("staging folder present until finish");
        flush_tree(staging.path())?;
        swap(staging, &self.out_dir, &self.parent, &self.name)?;
        Ok(report)
    }

    /// Links every file of the old tree that no build made (not in the old manifest) into the
    /// new tree, unless the new build now makes a file at that path.
    fn carry_foreign_files(&self, entries: &BTreeMap<String, Entry>) -> Result<usize, SiteError> {
        if !self.out_dir.is_dir() {
            return Ok(0);
        }
        let mut files = Vec::new();
        list_files(&self.out_dir, &self.out_dir, &mut files)?;
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
    let leftover =
        |n: &str| n.starts_with(&format!(".{name}.new-")) || n.starts_with(&format!(".{name}.old-"));
    if std::fs::read_dir(parent).ok()?.any(|e| e.is_ok_and(|e| leftover(&e.file_name().to_string_lossy()))) {
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

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), SiteError> {
    let io = |source| SiteError::Io { path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            list_files(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let parts: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// Puts the output folder back after a run that was killed between the two renames of the
/// fallback swap, and removes temporary trees left by killed runs. Runs under the lock.
fn recover(parent: &Path, name: &str, out_dir: &Path) -> Result<(), SiteError> {
    let io = |source| SiteError::Io { path: parent.to_path_buf(), source };
    let mut leftovers: Vec<PathBuf> = std::fs::read_dir(parent)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().map(|n| n.to_string_lossy()).is_some_and(|n| {
                n.starts_with(&format!(".{name}.new-")) || n.starts_with(&format!(".{name}.old-"))
            })
        })
        .collect();
    leftovers.sort();
    if !out_dir.exists() {
        let old = leftovers.iter().find(|p| p.to_string_lossy().contains(&format!(".{name}.old-"))).cloned();
        if let Some(old) = old {
            std::fs::rename(&old, out_dir).map_err(|source| SiteError::Io { path: old.clone(), source })?;
            leftovers.retain(|p| *p != old);
        }
    }
    for p in leftovers {
        std::fs::remove_dir_all(&p).map_err(|source| SiteError::Io { path: p, source })?;
    }
    Ok(())
}

/// One flush of the whole new tree (Linux: `syncfs`) before it is swapped in.
fn flush_tree(dir: &Path) -> Result<(), SiteError> {
    #[cfg(target_os = "linux")]
    {
        let f = File::open(dir).map_err(|source| SiteError::Io { path: dir.to_path_buf(), source })?;
        rustix::fs::syncfs(&f).map_err(|e| SiteError::Io { path: dir.to_path_buf(), source: e.into() })?;
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
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
        return sync_dir(parent);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging.path(), CWD, out_dir, RenameFlags::EXCHANGE).is_ok() {
            sync_dir(parent)?;
            // The temporary folder now holds the old tree.
            let old = staging.keep();
            return remove_tree(&old);
        }
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
    sync_dir(parent)?;
    remove_tree(&old)
}

/// Removes a folder tree, its subfolders in parallel (unlinking is most of a nightly build's
/// system time).
fn remove_tree(dir: &Path) -> Result<(), SiteError> {
    use rayon::prelude::*;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SiteError::Io { path, source }
    };
    let entries: Vec<std::fs::DirEntry> =
        std::fs::read_dir(dir).map_err(io(dir))?.collect::<Result<_, _>>().map_err(io(dir))?;
    entries.par_iter().try_for_each(|e| {
        let path = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let files: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(io(&path))?
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<_, _>>()
                .map_err(io(&path))?;
            files.par_chunks(256).try_for_each(|chunk| {
                chunk.iter().try_for_each(|f| {
                    if f.is_dir() { std::fs::remove_dir_all(f) } else { std::fs::remove_file(f) }
                        .map_err(io(f))
                })
            })?;
            std::fs::remove_dir(&path).map_err(io(&path))
        } else {
            std::fs::remove_file(&path).map_err(io(&path))
        }
    })?;
    std::fs::remove_dir(dir).map_err(io(dir))
}

fn sync_dir(dir: &Path) -> Result<(), SiteError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|source| SiteError::Io { path: dir.to_path_buf(), source })?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
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
    fn files_no_build_made_are_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("README.md"), "keep me").unwrap();
        let r = write_output(&out, vec![file("index.html", "x")]).unwrap();
        assert_eq!(r.kept, 1);
        assert_eq!(std::fs::read_to_string(out.join("README.md")).unwrap(), "keep me");
        let r = write_output(&out, vec![file("index.html", "x")]).unwrap();
        assert_eq!((r.written, r.unchanged, r.kept), (0, 1, 1));
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
