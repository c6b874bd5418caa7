//! Which files a command works on: the files named, and every `*.md` under the folders named,
//! in a sorted, deterministic order; and what was passed over, and why. Shared by `check`,
//! `ingest` and `build`.
//!
//! Nothing is opened here, and nothing that is not a regular file is ever returned: a FIFO
//! would block the reader (while it holds the archive lock), a device or a socket is no record.
//! A symbolic link under a folder is read only when its target is inside that folder, unless
//! the configuration allows targets outside it: a link in the inbox must not archive
//! `/etc/shadow`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Diagnostic;

/// A path given on the command line that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("`{}`: no such file or folder", path.display())]
    NotFound { path: PathBuf },
    #[error("`{}`: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// What [`discover`] found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The regular files to read, sorted, without duplicates.
    pub files: Vec<PathBuf>,
    /// Record files that are not read, each with an error (`not-regular-file`,
    /// `symlink-outside`, `unreadable` for a broken link): a record was left out, so a human
    /// must look, as for a rejected record. Sorted by path.
    pub refused: Vec<Diagnostic>,
    /// Entries passed over as no record at all (hidden, not `*.md`, a link to a folder), for
    /// `-v` and the JSON reports. Sorted by path.
    pub skipped: Vec<Skipped>,
    /// Sign-off sidecars (`X.signoff.yaml`) under a folder with no `X.md` beside them, each
    /// with a warning (`sidecar-orphan`). Sorted by path.
    pub orphans: Vec<Diagnostic>,
}

/// An entry under a folder that is not a record file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    /// Why, in a few words (`hidden`, `not *.md`, `a symbolic link to a folder (not followed)`).
    pub reason: &'static str,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skipped `{}`: {}", self.path.display(), self.reason)
    }
}

/// How to treat what is found.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiscoverOptions {
    /// Read `*.md` links whose target is outside the folder being walked
    /// (`allow_symlinks_outside_inbox`).
    pub symlinks_outside: bool,
}

/// The record files under `paths` that [`discover_with`] reads with the default options (no
/// link out of a folder), without what it refuses or skips.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DiscoverError> {
    discover_with(paths, DiscoverOptions::default()).map(|found| found.files)
}

/// The record files under `paths`: each file as given (whatever its extension; a symbolic link
/// named is followed), and every `*.md` file found by walking each folder (hidden entries and
/// links to folders passed over). Sorted and without duplicates. A path that is not there or
/// cannot be listed is an error; what is not a regular file is refused, never opened.
pub fn discover_with(paths: &[PathBuf], opts: DiscoverOptions) -> Result<Discovery, DiscoverError> {
    let mut found = Discovery::default();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => DiscoverError::NotFound { path: p.clone() },
            _ => DiscoverError::Io { path: p.clone(), source },
        })?;
        if meta.is_dir() {
            let root =
                std::fs::canonicalize(p).map_err(|source| DiscoverError::Io { path: p.clone(), source })?;
            walk(p, &root, opts, &mut found)?;
        } else if meta.is_file() {
            found.files.push(p.clone());
        } else {
            found.refused.push(not_regular(p, &meta));
        }
    }
    found.files.sort();
    found.files.dedup();
    found.refused.sort_by(|a, b| a.path.cmp(&b.path));
    found.refused.dedup();
    found.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    found.skipped.dedup();
    found.orphans.sort_by(|a, b| a.path.cmp(&b.path));
    found.orphans.dedup();
    Ok(found)
}

fn walk(dir: &Path, root: &Path, opts: DiscoverOptions, found: &mut Discovery) -> Result<(), DiscoverError> {
    let io = |source| DiscoverError::Io { path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let skip = |found: &mut Discovery, reason| found.skipped.push(Skipped { path: path.clone(), reason });
        if entry.file_name().to_string_lossy().starts_with('.') {
            skip(found, "hidden");
            continue;
        }
        let kind = entry.file_type().map_err(io)?;
        let markdown = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if kind.is_dir() {
            walk(&path, root, opts, found)?;
        } else if kind.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => skip(found, "a symbolic link to a folder (not followed)"),
                _ if !markdown => skip(found, "not *.md"),
                Err(e) => found.refused.push(Diagnostic::error(
                    &path,
                    1,
                    "unreadable",
                    format!("cannot read the record: a symbolic link whose target cannot be read ({e})"),
                )),
                Ok(meta) if !meta.is_file() => found.refused.push(not_regular(&path, &meta)),
                Ok(_) => match std::fs::canonicalize(&path) {
                    Ok(target) if opts.symlinks_outside || target.starts_with(root) => found.files.push(path),
                    Ok(target) => found.refused.push(Diagnostic::error(
                        &path,
                        1,
                        "symlink-outside",
                        format!(
                            "a symbolic link to `{}`, outside `{}`: not read (set \
                             `allow_symlinks_outside_inbox: true` to read such links)",
                            target.display(),
                            root.display()
                        ),
                    )),
                    Err(e) => found.refused.push(Diagnostic::error(
                        &path,
                        1,
                        "unreadable",
                        format!("cannot read the record: its symbolic link cannot be resolved ({e})"),
                    )),
                },
            }
        } else if let Some(record) = super::sidecar::record_of_sidecar(&path) {
            // Read with its record, so neither a record nor a skipped file; one without a record
            // beside it is a warning.
            if std::fs::symlink_metadata(&record).is_err() {
                found.orphans.push(super::sidecar::orphan(&path));
            }
        } else if !markdown {
            skip(found, "not *.md");
        } else if kind.is_file() {
            found.files.push(path);
        } else {
            match entry.metadata() {
                Ok(meta) => found.refused.push(not_regular(&path, &meta)),
                Err(source) => return Err(DiscoverError::Io { path, source }),
            }
        }
    }
    Ok(())
}

/// The error for a record path that is a FIFO, a socket or a device.
fn not_regular(path: &Path, meta: &std::fs::Metadata) -> Diagnostic {
    Diagnostic::error(
        path,
        1,
        "not-regular-file",
        format!("{} is not a regular file: skipped without being opened", kind_name(meta)),
    )
}

/// What a path that is not a regular file or a folder is, in words.
pub(crate) fn kind_name(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() { "a folder" } else { "the path" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(d: &Path, paths: impl IntoIterator<Item = PathBuf>) -> Vec<String> {
        paths.into_iter().map(|p| p.strip_prefix(d).unwrap().to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn finds_markdown_recursively_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("b/deep")).unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        for f in ["z.md", "a.md", "b/deep/c.MD", "b/notes.txt", ".git/x.md", ".hidden.md"] {
            std::fs::write(d.join(f), "# x").unwrap();
        }
        let found = discover_with(
            &[d.to_path_buf(), d.join("a.md"), d.join("b/notes.txt")],
            DiscoverOptions::default(),
        )
        .unwrap();
        assert_eq!(rel(d, found.files), ["a.md", "b/deep/c.MD", "b/notes.txt", "z.md"]);
        assert!(found.refused.is_empty());
        let skipped: Vec<String> =
            found.skipped.iter().map(|s| format!("{} {}", rel(d, [s.path.clone()])[0], s.reason)).collect();
        assert_eq!(skipped, [".git hidden", ".hidden.md hidden", "b/notes.txt not *.md"]);
    }

    #[test]
    fn a_missing_path_is_named() {
        let err = discover(&[PathBuf::from("no/such/records")]).unwrap_err();
        assert_eq!(err.to_string(), "`no/such/records`: no such file or folder");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_read_only_inside_the_folder_unless_allowed() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let (inbox, outside) = (dir.path().join("inbox"), dir.path().join("outside"));
        std::fs::create_dir_all(inbox.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.md"), "# x").unwrap();
        std::fs::write(inbox.join("sub/real.md"), "# x").unwrap();
        symlink(outside.join("secret.md"), inbox.join("out.md")).unwrap();
        symlink("sub/real.md", inbox.join("in.md")).unwrap();
        symlink("nowhere.md", inbox.join("broken.md")).unwrap();
        symlink(&outside, inbox.join("folder")).unwrap();
        let found = discover_with(std::slice::from_ref(&inbox), DiscoverOptions::default()).unwrap();
        assert_eq!(rel(&inbox, found.files), ["in.md", "sub/real.md"]);
        let refused: Vec<(String, &str)> = found
            .refused
            .iter()
            .map(|d| (rel(&inbox, [d.path.clone()])[0].clone(), d.rule.as_str()))
            .collect();
        assert_eq!(refused, [("broken.md".into(), "unreadable"), ("out.md".into(), "symlink-outside")]);
        assert_eq!(
            found.refused[1].message,
            format!(
                "a symbolic link to `{}`, outside `{}`: not read (set `allow_symlinks_outside_inbox: true` to read such links)",
                std::fs::canonicalize(outside.join("secret.md")).unwrap().display(),
                std::fs::canonicalize(&inbox).unwrap().display()
            )
        );
        assert_eq!(
            found.skipped,
            [Skipped { path: inbox.join("folder"), reason: "a symbolic link to a folder (not followed)" }]
        );

        let allowed =
            discover_with(std::slice::from_ref(&inbox), DiscoverOptions { symlinks_outside: true }).unwrap();
        assert_eq!(rel(&inbox, allowed.files), ["in.md", "out.md", "sub/real.md"]);
        // A link named on the command line is what was asked for.
        let named = discover(&[inbox.join("out.md")]).unwrap();
        assert_eq!(named, [inbox.join("out.md")]);
    }

    #[cfg(unix)]
    #[test]
    fn fifos_are_refused_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let other = dir.path().join("other-pipe");
        let status = std::process::Command::new("mkfifo").arg(&fifo).arg(&other).status().unwrap();
        assert!(status.success());
        for paths in [vec![fifo.clone()], vec![dir.path().to_path_buf()]] {
            let found = discover_with(&paths, DiscoverOptions::default()).unwrap();
            assert!(found.files.is_empty(), "{:?}", found.files);
            assert_eq!(found.refused.len(), 1);
            assert_eq!(
                found.refused[0].to_string(),
                format!(
                    "{}:1: error[not-regular-file]: a FIFO (named pipe) is not a regular file: skipped without being opened",
                    fifo.display()
                )
            );
        }
        let found = discover_with(&[dir.path().to_path_buf()], DiscoverOptions::default()).unwrap();
        assert_eq!(found.skipped, [Skipped { path: other, reason: "not *.md" }]);
    }
}
