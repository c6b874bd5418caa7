//! Which files a command works on: the files named, and every `*.md` under the folders named,
//! in a sorted, deterministic order. Shared by `check`, `ingest` and `build`.

use std::path::{Path, PathBuf};

/// A path given on the command line that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("`{}`: no such file or folder", path.display())]
    NotFound { path: PathBuf },
    #[error("`{}`: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// The record files under `paths`: each file as given (whatever its extension), and every
/// `*.md` file found by walking each folder (hidden entries and symlinked folders skipped).
/// Sorted and without duplicates.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DiscoverError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => DiscoverError::NotFound { path: p.clone() },
            _ => DiscoverError::Io { path: p.clone(), source },
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DiscoverError> {
    let io = |source| DiscoverError::Io { path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))
            && (kind.is_file() || (kind.is_symlink() && path.is_file()))
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markdown_recursively_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("b/deep")).unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        for f in ["z.md", "a.md", "b/deep/c.MD", "b/notes.txt", ".git/x.md", ".hidden.md"] {
            std::fs::write(d.join(f), "# x").unwrap();
        }
        let found = discover(&[d.to_path_buf(), d.join("a.md"), d.join("b/notes.txt")]).unwrap();
        let rel: Vec<_> =
            found.iter().map(|p| p.strip_prefix(d).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(rel, ["a.md", "b/deep/c.MD", "b/notes.txt", "z.md"]);
    }

    #[test]
    fn a_missing_path_is_named() {
        let err = discover(&[PathBuf::from("no/such/records")]).unwrap_err();
        assert_eq!(err.to_string(), "`no/such/records`: no such file or folder");
    }
}
