//! Embeds every file of `site-templates/` (templates and assets) into the binary, so the
//! default site needs nothing on disk and a new template or asset needs no code change; and
//! fingerprints the source code, so that a site built by one build of the program is never
//! taken as up to date by another (the site's manifest records the fingerprint).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("site-templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from("/// `(path relative to site-templates/, bytes)`, sorted by path.\n");
    out.push_str("pub static EMBEDDED: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(out, "    ({name:?}, include_bytes!({:?})),", path.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded_templates.rs");
    std::fs::write(dest, out).unwrap();

    let src = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("src");
    println!("cargo:rerun-if-changed={}", src.display());
    let mut sources = Vec::new();
    collect(&src, &src, &mut sources);
    sources.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    for (name, path) in &sources {
        println!("cargo:rerun-if-changed={}", path.display());
        std::hash::Hash::hash(name, &mut hasher);
        std::hash::Hash::hash(&std::fs::read(path).unwrap(), &mut hasher);
    }
    let fingerprint = std::hash::Hasher::finish(&hasher);
    println!("cargo:rustc-env=INCIDENT_ARCHIVE_SOURCE_FINGERPRINT={fingerprint:016x}");
}

/// Every file under `dir` except dotfiles and the folder's README (documentation, not a template).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, files);
            continue;
        }
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        if rel == "README.md" {
            continue;
        }
        files.push((rel, path));
    }
}
