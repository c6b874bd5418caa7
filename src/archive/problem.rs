//! What `verify` names: the kinds of problem and one problem with its place. Below both the
//! ledger-chain check ([`super::chain`]) and [`super::verify`], which report them.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// How far past the time of the check an entry may be dated (clocks of two machines differ)
/// before it is a [`ProblemKind::LedgerTimeFuture`].
pub const FUTURE_SLACK_HOURS: i64 = 24;

/// The kinds of problem `verify` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// `archive.json` is missing, unreadable, or names a format this build does not know.
    UnknownFormat,
    /// An object's content no longer hashes to its name.
    ObjectChanged,
    /// An object is shorter than recorded.
    ObjectTruncated,
    /// An object has bytes appended after its recorded content.
    ObjectAppended,
    /// A referenced object is gone.
    ObjectMissing,
    /// An object's content is stored under another object's name or in the wrong place.
    ObjectMisplaced,
    /// A file in the object store that the ledger does not reference.
    ObjectExtra,
    /// The bytes of a purged record are still there.
    PurgedObjectPresent,
    /// A ledger line was changed (unreadable, not canonical, or its hash breaks the chain).
    LedgerEdited,
    /// Ledger lines are out of order.
    LedgerReordered,
    /// Ledger lines were removed.
    LedgerRemoved,
    /// The final ledger line was cut short (no newline) outside an interrupted run.
    LedgerTruncated,
    /// Ledger lines after the committed checkpoint that no run wrote.
    LedgerUnexpected,
    /// An entry is dated before the entry above it (writers never go back in time).
    LedgerTimeBackwards,
    /// An entry is dated after the time of the check (more than [`FUTURE_SLACK_HOURS`] ahead).
    LedgerTimeFuture,
    /// An entry breaks a rule of the archive (purge of a held record, unknown id, …).
    LedgerInvalid,
    /// `retain_until`, `retention_years` or the sign-off date differ from what the rules and
    /// the record give.
    RetentionChanged,
    /// A purge is dated on or before the record's `retain_until`.
    PurgedEarly,
    /// An object's content disagrees with its ledger entry (another id).
    RecordMismatch,
    /// `checkpoint.json` is missing, unreadable, or its `ledger_bytes` disagrees with the
    /// entries it commits.
    CheckpointInvalid,
    /// `pending.json` is unreadable or does not describe a point of the ledger.
    PendingInvalid,
    /// `checkpoint` (the signed checkpoint) is not a checkpoint, states a tree the ledger does
    /// not extend, or its signature does not check with the configured key.
    CheckpointSignedInvalid,
    /// An object the ledger names is not in the bucket.
    StoreObjectMissing,
    /// No version under an object's key in the bucket holds the archived bytes.
    StoreObjectChanged,
    /// An object's key in the bucket has a newer version (or a delete marker) over the
    /// archived one.
    StoreObjectOverwritten,
    /// An object in the bucket is locked in another mode than the configured one, or not at all.
    StoreLockMode,
    /// An object in the bucket is retained for less than the ledger's `retain_until`.
    StoreRetentionShort,
    /// An object's legal hold in the bucket is not what the ledger says.
    StoreLegalHold,
    /// A purged record's bytes are still in the bucket.
    StorePurgedPresent,
    /// The ledger's segments in the bucket are not the local ledger's lines.
    StoreLedgerChanged,
}

impl ProblemKind {
    /// The kebab-case name shown in messages (`object-changed`).
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::UnknownFormat => "unknown-format",
            ProblemKind::ObjectChanged => "object-changed",
            ProblemKind::ObjectTruncated => "object-truncated",
            ProblemKind::ObjectAppended => "object-appended",
            ProblemKind::ObjectMissing => "object-missing",
            ProblemKind::ObjectMisplaced => "object-misplaced",
            ProblemKind::ObjectExtra => "object-extra",
            ProblemKind::PurgedObjectPresent => "purged-object-present",
            ProblemKind::LedgerEdited => "ledger-edited",
            ProblemKind::LedgerReordered => "ledger-reordered",
            ProblemKind::LedgerRemoved => "ledger-removed",
            ProblemKind::LedgerTruncated => "ledger-truncated",
            ProblemKind::LedgerUnexpected => "ledger-unexpected",
            ProblemKind::LedgerTimeBackwards => "ledger-time-backwards",
            ProblemKind::LedgerTimeFuture => "ledger-time-future",
            ProblemKind::LedgerInvalid => "ledger-invalid",
            ProblemKind::RetentionChanged => "retention-changed",
            ProblemKind::PurgedEarly => "purged-early",
            ProblemKind::RecordMismatch => "record-mismatch",
            ProblemKind::CheckpointInvalid => "checkpoint-invalid",
            ProblemKind::PendingInvalid => "pending-invalid",
            ProblemKind::CheckpointSignedInvalid => "checkpoint-signed-invalid",
            ProblemKind::StoreObjectMissing => "store-object-missing",
            ProblemKind::StoreObjectChanged => "store-object-changed",
            ProblemKind::StoreObjectOverwritten => "store-object-overwritten",
            ProblemKind::StoreLockMode => "store-lock-mode",
            ProblemKind::StoreRetentionShort => "store-retention-short",
            ProblemKind::StoreLegalHold => "store-legal-hold",
            ProblemKind::StorePurgedPresent => "store-purged-present",
            ProblemKind::StoreLedgerChanged => "store-ledger-changed",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem: what, where (file and, for the ledger, the 1-based line), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: error[{}]: {}", self.path.display(), self.kind, self.message),
            None => write!(f, "{}: error[{}]: {}", self.path.display(), self.kind, self.message),
        }
    }
}
