//! incident-archive: signed-off incident postmortems → a tamper-evident archive, a tantivy index
//! for auditors, and a static site that engineers read and auditors open from disk.
//!
//! Stages, imports flowing one way: [`record`] → [`archive`] → [`snapshot`] → [`index`] →
//! [`site`], with [`config`] read by all: the archive keeps the records, a snapshot is what the
//! index and the site read of it. [`text`] says how every output shows the characters of
//! record text that are not text (controls, bidi overrides). [`fsx`], at the bottom, is the one
//! file-system layer (locks, atomic writes, durability barriers, sweeps) that the archive, the
//! index and the site share. [`bulk`] exports the index's documents for OpenSearch and
//! Quickwit. Long steps report through [`progress::Progress`]; only the binary draws it. The
//! command line (arguments, commands, the nightly pipeline, exit codes) is the binary's
//! (`src/main.rs`), not this library's.

pub mod archive;
pub mod bulk;
pub mod config;
pub mod evidence;
pub mod fsx;
pub mod index;
pub mod note;
pub mod progress;
pub mod record;
pub mod site;
pub mod snapshot;
pub mod text;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The library's modules, lowest first, each with the modules of the crate its code may
    /// name: only modules listed before it, so that no two modules import each other, directly
    /// or around a circle. Test code (after `#[cfg(test)]`) and comments are not counted.
    const LAYERS: &[(&str, &[&str])] = &[
        ("fsx", &[]),
        ("text", &[]),
        ("progress", &[]),
        ("record", &[]),
        ("config", &["record"]),
        ("archive", &["fsx", "progress", "record"]),
        ("snapshot", &["archive", "fsx", "record"]),
        ("note", &["archive", "config", "fsx", "text"]),
        ("index", &["archive", "fsx", "record", "snapshot", "text"]),
        ("bulk", &["archive", "fsx", "index"]),
        ("evidence", &["archive", "config", "fsx", "index", "note", "record", "text"]),
        ("site", &["archive", "evidence", "fsx", "note", "record", "snapshot", "text"]),
    ];

    /// Every `.rs` file under `path` (or `path.rs`), with its code before `#[cfg(test)]` and
    /// without comments; test modules of their own (`tests.rs`) are test code.
    fn code_of(path: &Path, out: &mut Vec<(String, String)>) {
        if path.file_name().is_some_and(|n| n == "tests.rs") {
            return;
        }
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                code_of(&entry.unwrap().path(), out);
            }
        } else if path.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: Vec<&str> = code.lines().map(|l| l.split("//").next().unwrap_or_default()).collect();
            out.push((path.display().to_string(), code.join("\n")));
        }
    }

    /// The crate modules a piece of code names (`crate::archive::…` → `archive`).
    fn named(code: &str) -> BTreeSet<String> {
        code.match_indices("crate::")
            .map(|(i, _)| {
                let rest = &code[i + "crate::".len()..];
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>()
            })
            .filter(|m| !m.is_empty())
            .collect()
    }

    #[test]
    fn the_modules_import_one_way() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
        let declared: BTreeSet<&str> =
            lib.lines().filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';')).collect();
        let listed: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
        assert_eq!(declared, listed, "every module of lib.rs has its line in LAYERS");
        for (n, (module, allowed)) in LAYERS.iter().enumerate() {
            let below: BTreeSet<&str> = LAYERS[..n].iter().map(|(m, _)| *m).collect();
            for name in *allowed {
                assert!(
                    below.contains(name),
                    "`{module}` may import `{name}`, which is not listed before it"
                );
            }
            let mut files = Vec::new();
            let dir = src.join(module);
            code_of(if dir.is_dir() { &dir } else { &src }, &mut files);
            if !dir.is_dir() {
                let own = src.join(format!("{module}.rs")).display().to_string();
                files.retain(|(path, _)| *path == own);
            }
            assert!(!files.is_empty(), "no code found for `{module}`");
            for (path, code) in files {
                for name in named(&code) {
                    assert!(
                        name == *module || allowed.contains(&name.as_str()),
                        "{path} imports `crate::{name}`, which `{module}` may not (its line in LAYERS)"
                    );
                }
            }
        }
    }
}
