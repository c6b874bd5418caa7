//! One record as a snapshot holds it: [`ArchivedRecord`], its state from the ledger, and
//! [`Content`], what the snapshot has of its current version.

use chrono::NaiveDate;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::archive::{Hold, LedgerSignOff, PurgeInfo, VersionInfo};
use crate::record::{Incident, Summarized, Summary};

/// The current state of one record id, derived from the ledger, and what the snapshot has of
/// its current version.
///
/// Its JSON is the shape it has always had: the ledger fields, `purged`, `incident` (the
/// record whole, or the record as its summary leaves it, or null) and `error` when there is
/// one.
#[derive(Debug, Clone, Default)]
pub struct ArchivedRecord {
    pub id: String,
    /// The current (latest) version's object hash.
    pub object: String,
    pub versions: Vec<VersionInfo>,
    pub retain_until: NaiveDate,
    pub legal_hold: Option<Hold>,
    /// The highest ledger `seq` of any entry about this id (ingest, new version, hold, release,
    /// purge): what an incremental index or site compares with the position it last saw.
    pub last_seq: u64,
    /// Size of the current object in bytes.
    pub size: u64,
    /// The sign-off as the ledger records it.
    pub sign_off: LedgerSignOff,
    /// The retention period applied, in years.
    pub retention_years: u32,
    /// What the snapshot has of the current version.
    pub content: Content,
}

/// What a snapshot has of a record's current version.
///
/// A summary carries where it came from ([`Origin`]), since that decides what it proves: one
/// parsed by this process is a fact of bytes this run read and hashed (`build` hands those to
/// `verify` instead of parsing the objects again); one from the summary cache stands for an
/// object that is still there at its recorded size, which only `verify` re-hashes. A whole
/// record is always parsed by this process: the cache holds summaries only.
///
/// The parsed variants are boxed, so that a record stays small (a snapshot of a large archive
/// holds 100,000 of them) and what ingest or the summary cache hands over moves in uncopied.
#[derive(Debug, Clone, Default)]
pub enum Content {
    /// Parsed whole.
    Whole(Box<Incident>),
    /// Only its summary: the snapshot of an archive larger than its budget keeps these, and
    /// [`super::Snapshot::full_incident`] parses the record again when it needs the whole.
    Summary(Box<Summary>, Origin),
    /// Disposed of by a `purge` entry: nothing of its text is kept, the ledger keeps its hash,
    /// the date and the reason.
    Purged(PurgeInfo),
    /// The object (or its sign-off sidecar's) is missing or no longer matches its hash: why.
    /// The snapshot never hands on bytes that are not the archived ones (`verify` names the
    /// problem).
    Unreadable(String),
    /// Nothing: not read (a ledger-only snapshot, [`super::Records::LedgerOnly`]), or read
    /// intact but not a record (which `verify` reports).
    #[default]
    Nothing,
}

/// Where a snapshot's summary of a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Parsed by this process from bytes that hashed to the object's name: by the snapshot
    /// itself, or by the `ingest` that ran before it in the same `build`.
    Parsed,
    /// Taken from the summary cache, written by an earlier run of this build of the program.
    Cache,
}

impl From<Incident> for Content {
    /// A record parsed whole.
    fn from(incident: Incident) -> Content {
        Content::Whole(Box::new(incident))
    }
}

impl ArchivedRecord {
    /// The current version's title, from the parsed record (whole or its summary): `None` once
    /// purged (nothing of a disposed-of record's text is shown, and the ledger keeps no title)
    /// and when the object could not be read. Never from the ledger, whose entries written
    /// before this version still carry one.
    pub fn title(&self) -> Option<&str> {
        self.summary().map(|s| s.title())
    }

    /// The summary-level facts of the current version, read from the whole record or from the
    /// summary the snapshot kept; `None` when it has neither (purged, unreadable, not read).
    pub fn summary(&self) -> Option<&dyn Summarized> {
        match &self.content {
            Content::Whole(i) => Some(i.as_ref()),
            Content::Summary(s, _) => Some(s.as_ref()),
            _ => None,
        }
    }

    /// The current version whole, when the snapshot kept it whole (see
    /// [`super::Snapshot::full_incident`] for the whole record in any case).
    pub fn whole(&self) -> Option<&Incident> {
        match &self.content {
            Content::Whole(i) => Some(i),
            _ => None,
        }
    }

    /// The summary-level facts of a current version this process parsed from its verified
    /// bytes (whole, or summarized by the snapshot or by `ingest`); `None` for a summary from
    /// the cache and for a record with neither.
    pub fn parsed_here(&self) -> Option<&dyn Summarized> {
        match &self.content {
            Content::Summary(_, Origin::Cache) => None,
            _ => self.summary(),
        }
    }

    /// The disposal, when the record was purged.
    pub fn purged(&self) -> Option<&PurgeInfo> {
        match &self.content {
            Content::Purged(p) => Some(p),
            _ => None,
        }
    }

    /// True when the record was purged.
    pub fn is_purged(&self) -> bool {
        matches!(self.content, Content::Purged(_))
    }

    /// Why the current version could not be read, when it could not.
    pub fn error(&self) -> Option<&str> {
        match &self.content {
            Content::Unreadable(e) => Some(e),
            _ => None,
        }
    }

    /// The object of the current version's sign-off sidecar, when it was attested on import.
    pub fn sidecar(&self) -> Option<&str> {
        self.versions.last()?.attestation.as_ref().map(|a| a.object.as_str())
    }
}

impl Serialize for ArchivedRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// `incident`: the record whole, as its summary leaves it, or null.
        struct Parsed<'a>(&'a Content);
        impl Serialize for Parsed<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.0 {
                    Content::Whole(i) => s.serialize_some(i.as_ref()),
                    Content::Summary(summary, _) => s.serialize_some(summary),
                    _ => s.serialize_none(),
                }
            }
        }
        let error = self.error();
        let mut st = s.serialize_struct("ArchivedRecord", 11 + usize::from(error.is_some()))?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("object", &self.object)?;
        st.serialize_field("versions", &self.versions)?;
        st.serialize_field("retain_until", &self.retain_until)?;
        st.serialize_field("legal_hold", &self.legal_hold)?;
        st.serialize_field("purged", &self.purged())?;
        st.serialize_field("last_seq", &self.last_seq)?;
        st.serialize_field("incident", &Parsed(&self.content))?;
        st.serialize_field("size", &self.size)?;
        st.serialize_field("sign_off", &self.sign_off)?;
        st.serialize_field("retention_years", &self.retention_years)?;
        match error {
            Some(e) => st.serialize_field("error", e)?,
            None => st.skip_field("error")?,
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record's JSON as the snapshot wrote it when its content was an `incident` option
    /// beside a `purged` option and an `error` option (the derive it had then).
    #[derive(Serialize)]
    struct Before<'a> {
        id: &'a str,
        object: &'a str,
        versions: &'a [VersionInfo],
        retain_until: NaiveDate,
        legal_hold: &'a Option<Hold>,
        purged: Option<&'a PurgeInfo>,
        last_seq: u64,
        incident: Option<Incident>,
        size: u64,
        sign_off: &'a LedgerSignOff,
        retention_years: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
    }

    fn before<'a>(r: &'a ArchivedRecord, incident: Option<Incident>) -> Before<'a> {
        Before {
            id: &r.id,
            object: &r.object,
            versions: &r.versions,
            retain_until: r.retain_until,
            legal_hold: &r.legal_hold,
            purged: r.purged(),
            last_seq: r.last_seq,
            incident,
            size: r.size,
            sign_off: &r.sign_off,
            retention_years: r.retention_years,
            error: r.error(),
        }
    }

    /// Whatever the content, a record's JSON is the shape it had: a summary as the record it
    /// stands for, a purge in `purged`, a reason in `error`.
    #[test]
    fn a_record_serializes_as_it_did() {
        let incident = Incident {
            id: "INC-1".into(),
            title: "A title".into(),
            sections: vec![Default::default()],
            ..Default::default()
        };
        let base = ArchivedRecord {
            id: "INC-1".into(),
            object: "ab".repeat(32),
            last_seq: 3,
            size: 120,
            retention_years: 7,
            legal_hold: Some(Hold { reason: "case".into(), since: chrono::DateTime::UNIX_EPOCH }),
            ..Default::default()
        };
        let summary = Summary::from(&incident);
        let purge = PurgeInfo { at: chrono::DateTime::UNIX_EPOCH, reason: "expired".into() };
        let cases = [
            (Content::from(incident.clone()), Some(incident.clone())),
            (Content::Summary(Box::new(summary.clone()), Origin::Cache), Some(Incident::from(summary))),
            (Content::Purged(purge), None),
            (Content::Unreadable("object missing".into()), None),
            (Content::Nothing, None),
        ];
        for (content, incident) in cases {
            let r = ArchivedRecord { content, ..base.clone() };
            let want = serde_json::to_string(&before(&r, incident)).unwrap();
            assert_eq!(serde_json::to_string(&r).unwrap(), want);
        }
    }
}
