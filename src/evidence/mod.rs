//! Evidence bundles: what an auditor takes away from the archive and checks on their own, with
//! `sha256sum`, `openssl` and Python's standard library, without this program.
//!
//! [`export`] selects records ([`Selection`]: ids, a search through the index, or every
//! record), and gathers, at the archive's committed tree, every version's original bytes (and
//! import sidecar), the parsed record as JSON, the exact ledger lines about those records, an
//! RFC 6962 inclusion proof of each line against a checkpoint of the tree (a C2SP
//! `tlog-checkpoint`, signed as a `signed-note` when a key is given), the verifier key in the
//! note form and as an SPKI PEM, a manifest, `SHA256SUMS`, the checker `verify.py` and
//! `VERIFY.md`. The result is a [`Bundle`], a set of files in memory that [`Bundle::write`]
//! puts in a folder or a reproducible `.tar.gz`. [`verify()`] checks a bundle read back with
//! [`read`]: everything `verify.py` checks, the signature, and, given the archive, that the
//! bundle's tree is a prefix of the archive's.
//!
//! ```text
//! SHA256SUMS                   sha256sum format, every other file, sorted
//! VERIFY.md                    the auditor's walk-through
//! verify.py                    the checker (Python 3 standard library only)
//! manifest.json                selection, tree, records and versions, what each file is
//! checkpoint                   the checkpoint note (signed when a key was given)
//! checkpoint.txt               the checkpoint text, the exact bytes the signature covers
//! checkpoint.sig               the raw 64-byte Ed25519 signature (signed bundles)
//! checkpoint.pub               the verifier key, `name+keyid+base64` (signed bundles)
//! checkpoint.pem               the same public key as SPKI PEM, for openssl (signed bundles)
//! ledger/entries.jsonl         the selected records' ledger lines, exact, in seq order
//! proofs/<seq>.json            the inclusion proof of each of those lines
//! records/<ID>/v<N>.md         each version's original bytes (not for purged records)
//! records/<ID>/v<N>.signoff.yaml  the version's import sidecar, when it has one
//! records/<ID>/v<N>.json       the version as parsed (`show --json`'s record)
//! ```
//!
//! Same selection, same archive state, same key: same bytes (sorted files, fixed times, no
//! owner, gzip without time or name; Ed25519 signatures are deterministic).
//!
//! The module sits above `archive`, `note` and `index`, and none of them imports it.

mod build;
mod pack;
mod select;
mod verify;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use build::{
    Bundle, ExportOptions, Levels, Tree, entries_of, export, export_tree, export_tree_with, read_kept,
};
pub use pack::{TAR_PREFIX, check_output, is_tarball, read};
pub use select::Selection;
pub use verify::{Failure, VerifyOptions, VerifyReport, verify};

use crate::archive::ArchiveError;
use crate::index::IndexError;
use crate::note::{CheckpointError, KeyError};

/// The files of a bundle by their path inside it (`records/INC-1/v1.md`), `/`-separated.
pub type Files = BTreeMap<String, Vec<u8>>;

/// `manifest.json`'s `format`: the layout this build writes and reads.
pub const FORMAT: u32 = 1;

/// Why a bundle could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The search behind `--query`, `--customer`, `--since`, `--until`.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// An id asked for that the archive's committed ledger does not have.
    #[error("no record `{id}` in the archive")]
    UnknownRecord { id: String },
    /// The selection is empty.
    #[error("no record matches the selection ({0})")]
    Empty(String),
    /// The index does not reflect the whole archive: a search through it could miss records.
    #[error("{0}; a selection through the index could miss records")]
    IndexBehind(String),
    /// The archive's files do not agree with each other (`verify` names the problem).
    #[error("{0}; run `incident-archive verify`")]
    Inconsistent(String),
    /// The kept checkpoint (`signing.keep`) cannot be read.
    #[error("the kept checkpoint `{path}`: {reason}")]
    Kept { path: PathBuf, reason: String },
    /// The archive's tree does not extend the kept checkpoint's: signing would contradict a
    /// checkpoint already signed.
    #[error("refusing to sign a checkpoint that does not extend the kept one: {0}")]
    NotExtending(String),
    #[error("the signing key: {0}")]
    Key(#[from] KeyError),
    #[error("the checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The output path is not usable.
    #[error("`{path}`: {reason}")]
    Output { path: PathBuf, reason: String },
    /// Reading or writing a file.
    #[error("`{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A bundle that cannot be read at all (not a folder, not a gzip'd tar, unsafe paths).
    #[error("`{path}` is not a readable evidence bundle: {reason}")]
    Unreadable { path: PathBuf, reason: String },
}

fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> EvidenceError + '_ {
    move |source| EvidenceError::Io { path: path.to_path_buf(), source }
}
