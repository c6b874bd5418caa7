//! A bundle on disk: written as a folder or as a reproducible `.tar.gz` (entries sorted, every
//! time the bundle's, owner 0, modes 0644 and 0755, a gzip header without time or name), and
//! read back from either into memory, refusing what could not come from [`Bundle::write`]
//! (links, devices, paths leaving the bundle).

use std::io::{Read, Write};
use std::path::{Component, Path};

use super::build::Bundle;
use super::{EvidenceError, Files, io};
use crate::fsx;

/// The folder the entries of a `.tar.gz` bundle sit in: `tar xzf b.tar.gz` makes `evidence/`.
pub const TAR_PREFIX: &str = "evidence";

/// A bundle file larger than this is refused on reading (a bundle holds records, not data).
const MAX_FILE: u64 = 1 << 30;

fn fs_error(e: fsx::Error) -> EvidenceError {
    match e {
        fsx::Error::Io { path, source } => EvidenceError::Io { path, source },
        fsx::Error::Locked { path } => {
            EvidenceError::Output { path, reason: "locked by another process".into() }
        }
    }
}

/// True when `path` names a `.tar.gz` bundle rather than a folder.
pub fn is_tarball(path: &Path) -> bool {
    path.to_str().is_some_and(|s| s.ends_with(".tar.gz"))
}

/// True for a relative `/`-separated path of plain names (no `..`, `.`, empty or absolute part).
fn is_bundle_path(p: &str) -> bool {
    !p.is_empty() && p.split('/').all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\\'))
}

fn mode(path: &str) -> u32 {
    if path == "verify.py" { 0o755 } else { 0o644 }
}

/// The folders of the bundle's files (`records`, `records/INC-1`), sorted.
fn folders(files: &Files) -> Vec<String> {
    let mut dirs: Vec<String> =
        files.keys().flat_map(|p| p.match_indices('/').map(move |(i, _)| p[..i].to_string())).collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Checks that a bundle can be written to `out` (see [`Bundle::write`]) before it is made: its
/// folder exists; a `.tar.gz` is not a folder; a folder does not exist or is empty.
pub fn check_output(out: &Path) -> Result<(), EvidenceError> {
    let bad = |reason: &str| Err(EvidenceError::Output { path: out.to_path_buf(), reason: reason.into() });
    let parent = fsx::parent(out);
    if !parent.is_dir() {
        return Err(EvidenceError::Output {
            path: out.to_path_buf(),
            reason: format!("its folder `{}` does not exist", parent.display()),
        });
    }
    match std::fs::symlink_metadata(out) {
        Ok(m) if is_tarball(out) && m.is_dir() => bad("is a folder, not a `.tar.gz` file"),
        Ok(_) if is_tarball(out) => Ok(()),
        Ok(m) if !m.is_dir() => {
            bad("exists and is not a folder (a name ending in `.tar.gz` makes an archive file)")
        }
        Ok(_) => match std::fs::read_dir(out).map_err(io(out))?.next() {
            Some(_) => bad("the folder is not empty; give a new or an empty folder"),
            None => Ok(()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(out)(e)),
    }
}

impl Bundle {
    /// Writes the bundle to `out`: a `.tar.gz` file when the name ends so, else a folder that
    /// must not exist or be empty. Either appears whole or not at all.
    pub fn write(&self, out: &Path) -> Result<(), EvidenceError> {
        check_output(out)?;
        let parent = fsx::parent(out);
        if is_tarball(out) {
            let bytes = self.tar_gz()?;
            return fsx::write_atomic(out, &bytes).map_err(fs_error);
        }
        let tmp = fsx::temp_path(parent);
        if let Err(e) = self.write_folder(&tmp) {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        if out.exists() {
            std::fs::remove_dir(out).map_err(io(out))?;
        }
        std::fs::rename(&tmp, out).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            io(out)(e)
        })?;
        fsx::sync_dir(parent).map_err(fs_error)
    }

    fn write_folder(&self, dir: &Path) -> Result<(), EvidenceError> {
        if let Some(bad) = self.files.keys().find(|p| !is_bundle_path(p)) {
            return Err(EvidenceError::Output {
                path: dir.join(bad),
                reason: "a bundle file name leaves the bundle".into(),
            });
        }
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(self.mtime.max(0) as u64);
        let times = std::fs::FileTimes::new().set_modified(time).set_accessed(time);
        std::fs::create_dir(dir).map_err(io(dir))?;
        // One durability barrier for every file, not an fsync each (thousands for a big bundle).
        let barrier = fsx::Barrier::new(dir).map_err(fs_error)?;
        for d in folders(&self.files) {
            let p = dir.join(&d);
            std::fs::create_dir(&p).map_err(io(&p))?;
        }
        for (name, bytes) in &self.files {
            let p = dir.join(name);
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode(name))
                .open(&p)
                .map_err(io(&p))?;
            f.write_all(bytes).map_err(io(&p))?;
            f.set_permissions(std::fs::Permissions::from_mode(mode(name))).map_err(io(&p))?;
            f.set_times(times).map_err(io(&p))?;
        }
        // Folders last (writing into one changes its time), deepest first.
        let mut dirs = folders(&self.files);
        dirs.reverse();
        dirs.push(String::new());
        for d in dirs {
            let p = if d.is_empty() { dir.to_path_buf() } else { dir.join(&d) };
            let f = std::fs::File::open(&p).map_err(io(&p))?;
            f.set_permissions(std::fs::Permissions::from_mode(0o755)).map_err(io(&p))?;
            f.set_times(times).map_err(io(&p))?;
        }
        let written: Vec<std::path::PathBuf> = self.files.keys().map(|n| dir.join(n)).collect();
        barrier.wait(&written.iter().map(|p| p.as_path()).collect::<Vec<_>>()).map_err(fs_error)
    }

    /// The bundle as a `.tar.gz`: the folder [`TAR_PREFIX`], then its folders and files in
    /// sorted order, every header with the bundle's time, owner 0:0 and no owner names.
    pub fn tar_gz(&self) -> Result<Vec<u8>, EvidenceError> {
        let here = Path::new(".");
        if let Some(bad) = self.files.keys().find(|p| !is_bundle_path(p)) {
            return Err(EvidenceError::Output {
                path: here.join(bad),
                reason: "a bundle file name leaves the bundle".into(),
            });
        }
        // The fastest level: a site makes one bundle per record, and `verify.py` and `VERIFY.md`
        // (most of a small bundle) compress about as well at level 1 as at 6.
        let gz = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        tar.mode(tar::HeaderMode::Deterministic);
        let header = |size: u64, mode: u32, kind: tar::EntryType| {
            let mut h = tar::Header::new_ustar();
            h.set_size(size);
            h.set_mode(mode);
            h.set_mtime(self.mtime.max(0) as u64);
            h.set_uid(0);
            h.set_gid(0);
            h.set_entry_type(kind);
            h
        };
        let mut dirs = vec![TAR_PREFIX.to_string()];
        dirs.extend(folders(&self.files).into_iter().map(|d| format!("{TAR_PREFIX}/{d}")));
        // Folders and files interleaved in path order, each folder before what it holds.
        let mut items: Vec<(String, Option<&Vec<u8>>)> =
            dirs.into_iter().map(|d| (format!("{d}/"), None)).collect();
        items.extend(self.files.iter().map(|(p, b)| (format!("{TAR_PREFIX}/{p}"), Some(b))));
        items.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, bytes) in items {
            let err = |e: std::io::Error| EvidenceError::Io { path: here.join(&path), source: e };
            match bytes {
                None => {
                    let mut h = header(0, 0o755, tar::EntryType::Directory);
                    tar.append_data(&mut h, &path, std::io::empty()).map_err(err)?;
                }
                Some(b) => {
                    let name = &path[TAR_PREFIX.len() + 1..];
                    let mut h = header(b.len() as u64, mode(name), tar::EntryType::Regular);
                    tar.append_data(&mut h, &path, &b[..]).map_err(err)?;
                }
            }
        }
        let gz = tar.into_inner().map_err(io(here))?;
        gz.finish().map_err(io(here))
    }
}

/// Reads a bundle: a folder, or a `.tar.gz` made by [`Bundle::write`] (its files under one top
/// folder). Refuses links, special files and paths that leave the bundle.
pub fn read(path: &Path) -> Result<Files, EvidenceError> {
    let bad = |reason: String| EvidenceError::Unreadable { path: path.to_path_buf(), reason };
    let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    if meta.is_dir() {
        return read_folder(path).map_err(bad);
    }
    let file = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
    read_tar_gz(file).map_err(bad)
}

fn read_folder(root: &Path) -> Result<Files, String> {
    let mut files = Files::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for e in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
            let name =
                e.file_name().into_string().map_err(|n| format!("a file name that is not text: {n:?}"))?;
            let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            let kind = e.file_type().map_err(|e| format!("{rel}: {e}"))?;
            if kind.is_dir() {
                stack.push((e.path(), rel));
            } else if kind.is_file() {
                let len = e.metadata().map_err(|e| format!("{rel}: {e}"))?.len();
                if len > MAX_FILE {
                    return Err(format!("`{rel}` is larger than a bundle file can be ({len} bytes)"));
                }
                files.insert(rel, std::fs::read(e.path()).map_err(|e| format!("{}: {e}", e))?);
            } else {
                return Err(format!("`{rel}` is not a regular file (a link or a device)"));
            }
        }
    }
    Ok(files)
}

fn read_tar_gz(file: std::fs::File) -> Result<Files, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    let mut files = Files::new();
    let mut top: Option<String> = None;
    for entry in archive.entries().map_err(|e| format!("not a tar archive: {e}"))? {
        let mut entry = entry.map_err(|e| format!("not a gzip'd tar archive: {e}"))?;
        let path = entry.path().map_err(|e| format!("an entry's name: {e}"))?.into_owned();
        let mut parts = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(s) => parts
                    .push(s.to_str().ok_or_else(|| format!("a name that is not text: {s:?}"))?.to_string()),
                Component::CurDir => {}
                _ => return Err(format!("the entry `{}` leaves the bundle", path.display())),
            }
        }
        let Some((first, rest)) = parts.split_first() else { continue };
        match &top {
            None => top = Some(first.clone()),
            Some(t) if t != first => {
                return Err(format!("entries under two top folders, `{t}` and `{first}`"));
            }
            Some(_) => {}
        }
        match entry.header().entry_type() {
            tar::EntryType::Directory => continue,
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            other => {
                return Err(format!("the entry `{}` is not a file or folder ({other:?})", path.display()));
            }
        }
        if rest.is_empty() {
            return Err(format!("the file `{}` is not inside the bundle's folder", path.display()));
        }
        let size = entry.header().size().map_err(|e| e.to_string())?;
        if size > MAX_FILE {
            return Err(format!("`{}` is larger than a bundle file can be ({size} bytes)", path.display()));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        entry.read_to_end(&mut bytes).map_err(|e| format!("`{}`: {e}", path.display()))?;
        if files.insert(rest.join("/"), bytes).is_some() {
            return Err(format!("the entry `{}` appears twice", path.display()));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(files: &[(&str, &[u8])]) -> Bundle {
        Bundle {
            files: files.iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect(),
            mtime: 1_769_824_800,
            records: 0,
            versions: 0,
            purged: 0,
            entries: 0,
            tree_size: 0,
            root: String::new(),
            verifier: None,
        }
    }

    #[test]
    fn folder_and_tar_gz_read_back_as_written_and_the_same_twice() {
        let b = bundle(&[
            ("a", b"1"),
            ("verify.py", b"#!"),
            ("records/X/v1.md", b"# x\n"),
            ("records/X/v1.json", b"{}"),
        ]);
        let t = tempfile::tempdir().unwrap();
        let tgz = t.path().join("b.tar.gz");
        b.write(&tgz).unwrap();
        assert_eq!(std::fs::read(&tgz).unwrap(), b.tar_gz().unwrap());
        assert_eq!(read(&tgz).unwrap(), b.files);
        let dir = t.path().join("b");
        b.write(&dir).unwrap();
        assert_eq!(read(&dir).unwrap(), b.files);
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| std::fs::metadata(dir.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode("a"), mode("verify.py"), mode("records")), (0o644, 0o755, 0o755));
        // Not over a folder that holds something; a `.tar.gz` is not a folder.
        assert!(matches!(b.write(&dir), Err(EvidenceError::Output { .. })));
        assert!(matches!(check_output(&t.path().join("none/b")), Err(EvidenceError::Output { .. })));
        std::fs::create_dir(t.path().join("d.tar.gz")).unwrap();
        assert!(matches!(check_output(&t.path().join("d.tar.gz")), Err(EvidenceError::Output { .. })));
    }

    #[test]
    fn names_that_leave_the_bundle_are_refused_both_ways() {
        let t = tempfile::tempdir().unwrap();
        for bad in ["../x", "records/../../x", "/abs", "a//b", "."] {
            let b = bundle(&[(bad, b"x")]);
            assert!(b.write(&t.path().join("out")).is_err(), "{bad}");
            assert!(b.tar_gz().is_err(), "{bad}");
            assert!(!t.path().join("out").exists());
        }
        // A tar whose entry climbs out, written by hand (the tar crate refuses to make one).
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..14].copy_from_slice(b"evidence/../..");
        header.set_size(1);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        let mut raw = header.as_bytes().to_vec();
        raw.extend_from_slice(&[b'x'; 512]);
        raw.extend_from_slice(&[0; 1024]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw).unwrap();
        let path = t.path().join("evil.tar.gz");
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("leaves the bundle"), "{err}");
        std::fs::write(&path, b"not gzip").unwrap();
        assert!(matches!(read(&path), Err(EvidenceError::Unreadable { .. })));
        // A link in a folder is refused.
        let dir = t.path().join("linked");
        std::fs::create_dir(&dir).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("SHA256SUMS")).unwrap();
        assert!(read(&dir).unwrap_err().to_string().contains("not a regular file"));
    }
}
