//! The content-addressed, tamper-evident archive: objects, ledger, Merkle root, retention, lock, verify.
//!
//! ```text
//! archive/
//!   archive.json      {"format": 1, "hash": "sha256"}; an unknown format is refused
//!   objects/ab/cdef…  a record's exact bytes, named by their SHA-256; read-only
//!   ledger.jsonl      append-only, one canonical JSON entry a line, hash-chained
//!   checkpoint.json   the committed ledger size and Merkle root
//!   pending.json      only while a write is in progress (or after one was killed)
//!   .lock             the OS lock: one writer at a time
//!   cache/            derived data, deleted at no cost but time: the snapshot's summary cache
//! ```
//!
//! Read side: [`Archive::open`], then [`Archive::load_state`], [`Archive::parse_object`] and
//! [`Archive::history`]. The snapshot that `index` and `site` read is built from these by
//! [`crate::snapshot`], above the archive: nothing here imports it. Write side:
//! [`Archive::create`], [`Archive::lock`], then [`ingest()`], [`retention::hold`],
//! [`retention::release`], [`retention::purge`]; check with [`verify()`].
//!
//! The modules import one way: each imports (through `super::`) exactly the modules its line
//! names, all listed before it. This file only declares them and re-exports their items; a test
//! (`modules_import_one_way`) holds the code to the list.
//!
//! - `error`, `merkle`, `problem`, `rules`: —
//! - `clock`, `journal`, `lock`, `objects`, `storage`: error
//! - `ledger`: error, merkle
//! - `state`: ledger, objects, rules
//! - `layout`: error, journal, ledger, lock, merkle, objects, state, storage
//! - `chain`: journal, ledger, problem, state
//! - `mirror`: chain, error, journal, layout, ledger, lock, objects, problem, state, storage
//! - `recovery`: error, journal, layout, ledger, lock, mirror, state
//! - `session`: chain, error, journal, layout, ledger, lock, merkle, recovery, state
//! - `read`: error, layout, ledger, merkle, state
//! - `proof`: error, layout, ledger, merkle
//! - `retention`: error, layout, ledger, lock, mirror, rules, session, state, storage
//! - `ingest`: error, layout, ledger, lock, mirror, objects, rules, session, state, storage
//! - `verify`: chain, clock, error, journal, layout, ledger, objects, problem
//!
//! `storage` is a folder (`storage/mod.rs` with one file per backend: `local`, `s3`); its
//! line names what its files import from here (`super::` in `mod.rs`, `super::super::` in the
//! others).
//!
//! So `lock` is only the OS lock; crash recovery is `recovery`, run when the lock is taken;
//! the ledger-chain check is `chain`, below both the writers' `session` and `verify`, which
//! sits on top; the retention rules are `rules`, pure, under `state` (hence the snapshot and
//! verify) and the retention operations. Files, locks and durability are [`crate::fsx`]'s.

mod chain;
pub mod clock;
mod error;
pub mod ingest;
pub mod journal;
mod layout;
pub mod ledger;
pub mod lock;
pub mod merkle;
pub mod mirror;
pub mod objects;
mod problem;
pub mod proof;
mod read;
mod recovery;
pub mod retention;
pub mod rules;
mod session;
pub mod state;
pub mod storage;
pub mod verify;

pub use error::{ArchiveError, StorageError};
pub use ingest::{IngestOptions, IngestReport, ingest};
pub use layout::{
    Archive, CACHE_DIR, CHECKPOINT_FILE, FORMAT, FORMAT_FILE, LEDGER_FILE, OBJECTS_DIR, PENDING_FILE,
};
pub use ledger::{Action, Entry, LedgerSignOff};
pub use lock::{LOCK_FILE, LockGuard, SharedGuard};
pub use objects::sha256_hex;
pub use proof::InclusionProof;
pub use read::RecordHistory;
pub use retention::{PurgeOptions, PurgeReport, RetentionReport};
pub use state::{Hold, PurgeInfo, VersionInfo};
pub use verify::{Facts, Problem, ProblemKind, VerifyReport, verify, verify_knowing, verify_root};

/// The sign-off gate's safe id form, checked again on everything read from the ledger.
pub use crate::record::values::is_safe_id;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    #[test]
    fn safe_ids() {
        for ok in ["INC-2025-0023", "a", "A.b_c-d", &"x".repeat(64)] {
            assert!(is_safe_id(ok), "{ok}");
        }
        for bad in [
            "",
            "../x",
            "/abs",
            "a/b",
            "a\0b",
            ".hidden",
            "-x",
            "a b",
            "é",
            &"x".repeat(65),
            &"x".repeat(300),
        ] {
            assert!(!is_safe_id(bad), "{bad:?}");
        }
    }

    /// The sibling modules a module's code (not its tests, not its comments) names through
    /// `super::`, and the names that are not sibling modules (items of this file).
    fn imports(code: &str, modules: &[String]) -> (BTreeSet<String>, Vec<String>) {
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        let code: String =
            code.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
        let ident =
            |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
        let (mut found, mut strays) = (BTreeSet::new(), Vec::new());
        for (i, _) in code.match_indices("super::") {
            let after = &code[i + "super::".len()..];
            let names: Vec<String> = match after.strip_prefix('{') {
                // `use super::{a, b::c, d::{e, f}}`: the first segment of each top-level item.
                Some(group) => {
                    let (mut depth, mut item, mut items) = (0, String::new(), Vec::new());
                    for c in group.chars() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                            _ => item.push(c),
                        }
                    }
                    items.push(item);
                    items.iter().map(|i| ident(i.trim())).filter(|n| !n.is_empty()).collect()
                }
                None => vec![ident(after)],
            };
            let (siblings, others): (Vec<String>, Vec<String>) =
                names.into_iter().partition(|n| modules.contains(n));
            found.extend(siblings);
            strays.extend(others);
        }
        (found, strays)
    }

    /// The code of module `name` as seen from this folder: `name.rs`, or for a folder module its
    /// `mod.rs` and, of its other files, only what they name two levels up (`super::super::`).
    fn module_code(dir: &Path, name: &str) -> String {
        let folder = dir.join(name);
        if !folder.join("mod.rs").is_file() {
            return std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        }
        let text = std::fs::read_to_string(folder.join("mod.rs")).unwrap();
        let mut code = text.split("#[cfg(test)]").next().unwrap_or_default().to_string();
        for e in std::fs::read_dir(&folder).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("mod.rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let text = text.split("#[cfg(test)]").next().unwrap_or_default();
                let up = text.replace("super::super::", "\u{0}").replace("super::", "sibling::");
                code.push('\n');
                code.push_str(&up.replace('\u{0}', "super::"));
            }
        }
        code
    }

    /// The module list of this file's documentation is the import graph of the code, and it
    /// has no circle: every module imports only modules listed before it.
    #[test]
    fn modules_import_one_way() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/archive");
        let mut modules: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs") || p.join("mod.rs").is_file())
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .filter(|m| m != "mod")
            .collect();
        modules.sort();
        let doc = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
        let mut listed: Vec<(String, BTreeSet<String>)> = Vec::new();
        for line in doc.lines().filter_map(|l| l.strip_prefix("//! - `")) {
            let (names, deps) = line.split_once(": ").expect("`- `a`, `b`: deps`");
            let deps: BTreeSet<String> = deps.split(", ").filter(|d| *d != "—").map(str::to_string).collect();
            for name in names.split(", ") {
                listed.push((name.trim_matches('`').to_string(), deps.clone()));
            }
        }
        let mut names: Vec<String> = listed.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        assert_eq!(names, modules, "every module of src/archive is listed once");
        let mut below = BTreeSet::new();
        for (name, deps) in &listed {
            let code = module_code(&dir, name);
            let (found, strays) = imports(&code, &modules);
            assert!(strays.is_empty(), "`{name}` imports {strays:?} from the archive's mod.rs, not a module");
            assert_eq!(&found, deps, "`{name}` imports these modules, not the ones its line names");
            let above: Vec<&String> = deps.iter().filter(|d| !below.contains(*d)).collect();
            assert!(above.is_empty(), "`{name}` imports {above:?}, listed after it: a circle");
            below.insert(name.clone());
        }
    }
}
