//! The storage boundary: where the archive's objects, ledger and checkpoints are kept beyond the
//! local folder. The local archive folder is always the working copy (and the cache the index
//! and the site are built from); a [`Storage`] is the system of record behind it:
//!
//! - [`local::Local`], the default: the folder is the system of record, there is nothing more
//!   to store (today's behaviour, unchanged on disk);
//! - `s3::S3` (cargo feature `s3`): a bucket with S3 Object Lock. Every object is written once
//!   (`If-None-Match: *`) with its SHA-256 as the checksum the store checks, locked until the
//!   record's `retain_until`, under legal hold while the record is held, before the ledger entry
//!   that names it is committed; the ledger goes up in locked segments, each signed checkpoint
//!   as a locked object.
//!
//! Keys are relative to the configured prefix and mirror the local folder: `objects/ab/cdef…`,
//! `ledger/<first seq>-<last seq>.jsonl`, `checkpoints/<tree size>` (numbers zero-padded to 12
//! digits so that keys sort as numbers). The SDK's async runtime never leaves the S3 backend:
//! every method here is synchronous.

pub mod local;
#[cfg(feature = "s3")]
pub mod s3;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

pub use super::error::StorageError;

/// The Object Lock retention mode objects are written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockMode {
    /// Nobody, not even the account's root user, can shorten the retention or delete a locked
    /// version before it expires.
    #[default]
    Compliance,
    /// Users with `s3:BypassGovernanceRetention` can; this tool never asks to.
    Governance,
}

impl LockMode {
    /// The S3 name (`COMPLIANCE`, `GOVERNANCE`).
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Compliance => "COMPLIANCE",
            LockMode::Governance => "GOVERNANCE",
        }
    }
}

/// How one object is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub mode: LockMode,
    /// The instant the retention ends: [`lock_until`] of the record's `retain_until`.
    pub retain_until: DateTime<Utc>,
    /// Legal hold on.
    pub legal_hold: bool,
}

/// The instant a record's retention ends in the store: the end of its `retain_until` day (UTC),
/// so that the store allows a deletion from the first day a purge is allowed, never before.
pub fn lock_until(retain_until: NaiveDate) -> DateTime<Utc> {
    let next = retain_until.succ_opt().unwrap_or(NaiveDate::MAX);
    next.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// Where an object's bytes come from.
#[derive(Debug, Clone)]
pub enum Body {
    /// A file of the local archive (read when it is sent).
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// One object to write once.
#[derive(Debug, Clone)]
pub struct Put {
    /// The key, relative to the store's prefix.
    pub key: String,
    pub body: Body,
    /// SHA-256 of the bytes, lowercase hex: sent as the checksum the store checks.
    pub sha256: String,
    pub lock: Lock,
}

/// One version of a key, as the store lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub version_id: String,
    pub is_latest: bool,
    /// A delete marker (the key looks deleted; the versions under it are still there).
    pub delete_marker: bool,
}

/// What the store says of one object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub version_id: String,
    pub size: u64,
    /// The SHA-256 the store checked on upload (hex), when it keeps one.
    pub sha256: Option<String>,
    pub mode: Option<LockMode>,
    pub retain_until: Option<DateTime<Utc>>,
    pub legal_hold: bool,
}

/// What the store holds under an object's key: every version, and the one holding the object's
/// bytes, when one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Every version of the key (delete markers too), newest first.
    pub versions: Vec<StoredVersion>,
    /// The version whose bytes hash to the object's name, as the store describes it.
    pub ours: Option<Head>,
}

/// What a deletion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// The version with the object's bytes was deleted.
    Deleted,
    /// No version with the object's bytes was there (a re-run after a crash).
    Absent,
}

/// A place the archive is kept beyond the local folder. Every method is synchronous; keys are
/// relative to the store's prefix; `sha256` names the version to act on (the one whose bytes
/// hash to it), never "the latest".
pub trait Storage: std::fmt::Debug + Send + Sync {
    /// True when there is a store beyond the local folder.
    fn is_remote(&self) -> bool;
    /// The retention mode objects are written with.
    fn lock_mode(&self) -> LockMode;
    /// How a key is named in messages (`s3://bucket/prefix/key`).
    fn location(&self, key: &str) -> String;
    /// Writes each object once. An object already stored under its key with the same SHA-256
    /// (a re-run after a crash) counts as written; other bytes there are a
    /// [`StorageError::Conflict`]. `done` is called once per object written.
    fn put(&self, items: Vec<Put>, done: &(dyn Fn() + Sync)) -> Result<(), StorageError>;
    /// Sets or clears the legal hold of the version of `key` holding `sha256`.
    fn set_legal_hold(&self, key: &str, sha256: &str, on: bool) -> Result<(), StorageError>;
    /// Extends the retention of the version of `key` holding `sha256` to `until` (never shortens
    /// it: a later date already there is left).
    fn extend_retention(&self, key: &str, sha256: &str, until: DateTime<Utc>) -> Result<(), StorageError>;
    /// Deletes the version of `key` holding `sha256`; a locked version gives the store's
    /// refusal, [`StorageError::Refused`].
    fn delete(&self, key: &str, sha256: &str) -> Result<Removed, StorageError>;
    /// The keys under `prefix` (relative, sorted).
    fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError>;
    /// The bytes of the latest version of `key`.
    fn get(&self, key: &str) -> Result<Vec<u8>, StorageError>;
    /// Every version of `key` (and its delete markers), newest first.
    fn versions(&self, key: &str) -> Result<Vec<StoredVersion>, StorageError>;
    /// One version of `key`.
    fn head(&self, key: &str, version_id: &str) -> Result<Head, StorageError>;
    /// The bytes of one version of `key`.
    fn get_version(&self, key: &str, version_id: &str) -> Result<Vec<u8>, StorageError>;
    /// For each `(key, sha256)`: the key's versions and the one holding `sha256` (by the store's
    /// checksum, else by its bytes), in the order given; many at once.
    fn inspect(&self, items: Vec<(String, String)>) -> Result<Vec<Inspection>, StorageError>;
}

/// The settings of an S3 store (`storage:` in `incident-archive.yaml`). Credentials are never
/// here: they come from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
/// `AWS_SESSION_TOKEN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// A custom endpoint (MinIO, SeaweedFS): path-style requests; `None` for AWS.
    pub endpoint: Option<String>,
    pub bucket: String,
    /// `None`: `AWS_REGION`, else `us-east-1`.
    pub region: Option<String>,
    /// Prepended to every key (`incidents/`).
    pub prefix: String,
    pub lock_mode: LockMode,
}

/// Connects to the S3 store and checks that its bucket has Object Lock enabled.
#[cfg(feature = "s3")]
pub fn connect(settings: &S3Settings) -> Result<Arc<dyn Storage>, StorageError> {
    Ok(Arc::new(s3::S3::connect(settings)?))
}

/// This build has no S3 backend (built without the `s3` feature).
#[cfg(not(feature = "s3"))]
pub fn connect(settings: &S3Settings) -> Result<Arc<dyn Storage>, StorageError> {
    Err(StorageError::Setup(format!(
        "`storage.kind: s3` (bucket `{}`) needs the `s3` feature, and this build of incident-archive was \
         built without it",
        settings.bucket
    )))
}

/// The key of object `sha` (`objects/ab/cdef…`, as in the local folder).
pub fn object_key(sha: &str) -> String {
    format!("objects/{}/{}", &sha[..2.min(sha.len())], &sha[2.min(sha.len())..])
}

/// The folder of the ledger's segments.
pub const LEDGER_PREFIX: &str = "ledger/";
/// The folder of the signed checkpoints.
pub const CHECKPOINTS_PREFIX: &str = "checkpoints/";

/// The key of the ledger segment holding entries `first..=last`.
pub fn segment_key(first: u64, last: u64) -> String {
    format!("{LEDGER_PREFIX}{first:012}-{last:012}.jsonl")
}

/// The entries a segment key names (`first`, `last`), when it is one.
pub fn parse_segment_key(key: &str) -> Option<(u64, u64)> {
    let name = key.strip_prefix(LEDGER_PREFIX)?.strip_suffix(".jsonl")?;
    let (a, b) = name.split_once('-')?;
    let digits = |s: &str| s.len() == 12 && s.bytes().all(|c| c.is_ascii_digit());
    if !digits(a) || !digits(b) {
        return None;
    }
    let (first, last) = (a.parse().ok()?, b.parse().ok()?);
    (first <= last).then_some((first, last))
}

/// The key of the signed checkpoint of a tree of `size` entries.
pub fn checkpoint_key(size: u64) -> String {
    format!("{CHECKPOINTS_PREFIX}{size:012}")
}

/// The tree size a checkpoint key names, when it is one.
pub fn parse_checkpoint_key(key: &str) -> Option<u64> {
    let n = key.strip_prefix(CHECKPOINTS_PREFIX)?;
    (n.len() == 12 && n.bytes().all(|c| c.is_ascii_digit())).then(|| n.parse().ok())?
}

/// The local backend: the archive folder is the system of record.
pub fn local() -> Arc<dyn Storage> {
    Arc::new(local::Local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_mirror_the_folder_and_sort_as_numbers() {
        let sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert_eq!(object_key(sha), format!("objects/2c/{}", &sha[2..]));
        assert_eq!(segment_key(0, 9), "ledger/000000000000-000000000009.jsonl");
        assert_eq!(parse_segment_key(&segment_key(10, 1234)), Some((10, 1234)));
        for bad in ["ledger/1-2.jsonl", "ledger/000000000002-000000000001.jsonl", "other/x", "ledger/"] {
            assert_eq!(parse_segment_key(bad), None, "{bad}");
        }
        assert_eq!(parse_checkpoint_key(&checkpoint_key(42)), Some(42));
        assert_eq!(parse_checkpoint_key("checkpoints/42"), None);
        let mut keys = [segment_key(100, 199), segment_key(2, 99), segment_key(0, 1)];
        keys.sort();
        assert_eq!(keys[0], segment_key(0, 1));
        assert_eq!(keys[2], segment_key(100, 199));
    }

    #[test]
    fn a_lock_ends_with_the_retain_until_day() {
        let d = NaiveDate::from_ymd_opt(2033, 1, 15).unwrap();
        assert_eq!(lock_until(d).to_rfc3339(), "2033-01-16T00:00:00+00:00");
    }
}
