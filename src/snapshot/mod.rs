//! What the downstream stages get from the archive: a [`Snapshot`] of every record, each an
//! [`ArchivedRecord`] (its state from the ledger and its current version parsed), read once.
//!
//! The snapshot sits between the stages: it reads the archive (its ledger, its objects and its
//! `cache/`), `index` and `site` read it and never the raw Markdown, and the archive imports
//! nothing of it (a test holds the code to that). Its modules:
//!
//! - `record`: [`ArchivedRecord`], one record as a snapshot holds it: its state from the
//!   ledger and its [`Content`], what the snapshot has of its current version (whole, its
//!   [`crate::record::Summary`] and where that came from ([`Origin`]), its disposal, why it
//!   cannot be read, or nothing). Consumers ask the record (`title()`, `summary()`,
//!   `whole()`, `is_purged()`, `error()`) and read summary-level facts through
//!   [`crate::record::Summarized`], the same from a whole record or a summary;
//! - `read`: building a snapshot, one constructor with options ([`Snapshot::read`],
//!   [`SnapshotOptions`]), the memory budget of whole records ([`FULL_SNAPSHOT_BUDGET`]), and
//!   [`read_in_chunks`], the records a chunk at a time for bounded memory;
//! - [`summaries`]: the summary cache, `cache/summaries.json`. It is the snapshot's own: only a
//!   snapshot reads and writes it (a memo of the summaries it made, by object hash), and it is
//!   written from a snapshot's records; the archive proper (ledger, objects, `verify`) never
//!   reads it. Only the folder's name, `cache/`, is the archive's, whose locked runs sweep what
//!   a killed write left there.

mod read;
mod record;
pub mod summaries;

pub use read::{FULL_SNAPSHOT_BUDGET, Records, Snapshot, SnapshotOptions, read_in_chunks};
pub use record::{ArchivedRecord, Content, Origin};

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The code of every `.rs` file under `dir` (not its tests, not its comments), by path.
    fn code_of(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(code_of(&path));
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                let code: Vec<&str> =
                    code.lines().map(|l| l.split("//").next().unwrap_or_default()).collect();
                out.push((path.display().to_string(), code.join("\n")));
            }
        }
        out
    }

    /// The snapshot is above the archive and below the index and the site: the archive never
    /// names it, and it names neither of them.
    #[test]
    fn it_sits_between_the_archive_and_the_index_and_site() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for (path, code) in code_of(&src.join("archive")) {
            assert!(!code.contains("crate::snapshot"), "{path} imports the snapshot");
        }
        for (path, code) in code_of(&src.join("snapshot")) {
            for above in ["crate::index", "crate::site"] {
                assert!(!code.contains(above), "{path} imports `{above}`");
            }
        }
    }
}
