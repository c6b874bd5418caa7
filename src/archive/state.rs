//! The state of every record id, folded from the ledger entries in order, with the rules each
//! entry must follow (what `verify` reports and what writers refuse to build on).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::ledger::{Action, Entry, LedgerObject, LedgerSignOff};
use super::objects::is_object_name;
use super::rules;
use crate::record::values::is_safe_id;

/// One version of a record as the ledger knows it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    /// 1 for the first ingest.
    pub version: u32,
    /// sha256 hex of the object.
    pub object: String,
    /// Ledger sequence number of the entry that added it.
    pub seq: u64,
    pub ingested_at: DateTime<Utc>,
    /// The sign-off sidecar archived with this version, when its sign-off was attested on import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<LedgerObject>,
}

/// A legal hold in force.
#[derive(Debug, Clone, Serialize)]
pub struct Hold {
    pub reason: String,
    pub since: DateTime<Utc>,
}

/// A disposal recorded by a `purge` entry.
#[derive(Debug, Clone, Serialize)]
pub struct PurgeInfo {
    pub at: DateTime<Utc>,
    pub reason: String,
}

impl PurgeInfo {
    /// What stands where a purged record's title was: `(disposed of: content purged on DATE)`.
    pub fn disposal_note(&self) -> String {
        format!("(disposed of: content purged on {})", self.at.date_naive())
    }
}

/// The current state of one id.
#[derive(Debug, Clone)]
///
/// It holds no title: ledger entries no longer carry one (a purged record's title must not
/// outlive its bytes), and those written before are not trusted for it; readers take the title
/// from the parsed record.
pub struct RecordState {
    pub id: String,
    /// The latest version's object.
    pub object: String,
    pub size: u64,
    /// The latest version's sign-off sidecar, when it was attested on import.
    pub attestation: Option<LedgerObject>,
    pub sign_off: LedgerSignOff,
    pub retention_years: u32,
    pub retain_until: NaiveDate,
    pub versions: Vec<VersionInfo>,
    pub legal_hold: Option<Hold>,
    pub purged: Option<PurgeInfo>,
    /// `seq` of every entry about this id, in order.
    pub seqs: Vec<u64>,
}

impl RecordState {
    /// The highest `seq` of any entry about this id.
    pub fn last_seq(&self) -> u64 {
        *self.seqs.last().expect("a record has at least one entry")
    }
}

/// What kind of rule an entry broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// `retain_until`, `retention_years` or the sign-off date is not what the rules give.
    Retention,
    /// A purge dated on or before the record's `retain_until`.
    PurgedEarly,
    /// Any other rule (unknown id, purge of a held record, malformed field, …).
    Invalid,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    pub message: String,
}

fn invalid(message: impl Into<String>) -> Fault {
    Fault { kind: FaultKind::Invalid, message: message.into() }
}

fn retention_fault(message: impl Into<String>) -> Fault {
    Fault { kind: FaultKind::Retention, message: message.into() }
}

/// Every record id's state.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub records: BTreeMap<String, RecordState>,
    /// Object → the id whose version it is (record bytes and sign-off sidecars alike).
    pub by_object: HashMap<String, String>,
}

impl State {
    /// Bytes of the current objects of the records not purged.
    pub fn live_bytes(&self) -> u64 {
        self.records.values().filter(|r| r.purged.is_none()).map(|r| r.size).sum()
    }

    /// Applies one entry, returning the rules it breaks (it is applied anyway, as far as it can
    /// be, so that later entries are judged against the best available state).
    pub fn apply(&mut self, e: &Entry) -> Vec<Fault> {
        let mut faults = Vec::new();
        if !is_safe_id(&e.id) {
            faults.push(invalid(format!("id `{}` is not of the safe form", e.id.escape_debug())));
        }
        if !is_object_name(&e.object) {
            faults.push(invalid(format!("`object` `{}` is not a SHA-256", e.object.escape_debug())));
            return faults;
        }
        if matches!(e.action, Action::LegalHold | Action::ReleaseHold | Action::Purge)
            && e.reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            faults.push(invalid(format!("a `{}` entry needs a `reason`", e.action)));
        }
        if matches!(e.action, Action::Ingest | Action::NewVersion) && e.reason.is_some() {
            faults.push(invalid(format!("a `{}` entry has no `reason`", e.action)));
        }
        if let Some(owner) = self.by_object.get(&e.object).filter(|o| **o != e.id) {
            faults.push(invalid(format!("object `{}` already belongs to `{owner}`", e.object)));
        }
        let version = |e: &Entry, n: u32| VersionInfo {
            version: n,
            object: e.object.clone(),
            seq: e.seq,
            ingested_at: e.at,
            attestation: e.attestation.clone(),
        };
        match (e.action, self.records.get_mut(&e.id)) {
            (Action::Ingest, Some(_)) => {
                faults.push(invalid(format!(
                    "`{}` was already ingested; this should be a `new_version`",
                    e.id
                )));
            }
            (Action::Ingest, None) => {
                check_retain_until(e, None, &mut faults);
                self.by_object.insert(e.object.clone(), e.id.clone());
                if let Some(a) = &e.attestation {
                    self.by_object.insert(a.object.clone(), e.id.clone());
                }
                self.records.insert(
                    e.id.clone(),
                    RecordState {
                        id: e.id.clone(),
                        object: e.object.clone(),
                        size: e.size,
                        attestation: e.attestation.clone(),
                        sign_off: e.sign_off.clone(),
                        retention_years: e.retention_years,
                        retain_until: e.retain_until,
                        versions: vec![version(e, 1)],
                        legal_hold: None,
                        purged: None,
                        seqs: vec![e.seq],
                    },
                );
            }
            (_, None) => {
                faults.push(invalid(format!("`{}` about `{}`, which was never ingested", e.action, e.id)))
            }
            (Action::NewVersion, Some(r)) => {
                if r.purged.is_some() {
                    faults.push(invalid(format!("a new version of `{}`, which was purged", e.id)));
                }
                // The same bytes with another sign-off sidecar are a new version (the attestation
                // changed); the same bytes and the same sidecar are not.
                if r.object == e.object && r.attestation == e.attestation {
                    faults.push(invalid(format!("a new version of `{}` with the same object", e.id)));
                }
                check_retain_until(e, Some(r.retain_until), &mut faults);
                self.by_object.insert(e.object.clone(), e.id.clone());
                if let Some(a) = &e.attestation {
                    self.by_object.insert(a.object.clone(), e.id.clone());
                }
                r.object = e.object.clone();
                r.size = e.size;
                r.attestation = e.attestation.clone();
                r.sign_off = e.sign_off.clone();
                r.retention_years = e.retention_years;
                r.retain_until = r.retain_until.max(e.retain_until);
                let n = r.versions.len() as u32 + 1;
                r.versions.push(version(e, n));
                r.seqs.push(e.seq);
            }
            (action, Some(r)) => {
                check_carried(e, r, &mut faults);
                if r.purged.is_some() {
                    faults.push(invalid(format!("`{action}` of `{}`, which was already purged", e.id)));
                }
                let reason = e.reason.clone().unwrap_or_default();
                match action {
                    Action::LegalHold => {
                        if r.legal_hold.is_some() {
                            faults.push(invalid(format!("`{}` is already on legal hold", e.id)));
                        }
                        r.legal_hold = Some(Hold { reason, since: e.at });
                    }
                    Action::ReleaseHold => {
                        if r.legal_hold.is_none() {
                            faults.push(invalid(format!("release of `{}`, which is not on hold", e.id)));
                        }
                        r.legal_hold = None;
                    }
                    Action::Purge => {
                        if let Some(h) = &r.legal_hold {
                            faults.push(invalid(format!(
                                "`{}` was purged while on legal hold (`{}`)",
                                e.id, h.reason
                            )));
                        }
                        if !rules::is_past(r.retain_until, e.at.date_naive()) {
                            faults.push(Fault {
                                kind: FaultKind::PurgedEarly,
                                message: format!(
                                    "`{}` was purged on {} but must be kept until {}",
                                    e.id,
                                    e.at.date_naive(),
                                    r.retain_until
                                ),
                            });
                        }
                        r.purged = Some(PurgeInfo { at: e.at, reason });
                    }
                    Action::Ingest | Action::NewVersion => unreachable!("handled above"),
                }
                r.seqs.push(e.seq);
            }
        }
        faults
    }

    /// Folds entries into a state, ignoring faults.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> State {
        let mut s = State::default();
        for e in entries {
            s.apply(e);
        }
        s
    }
}

fn check_retain_until(e: &Entry, previous: Option<NaiveDate>, faults: &mut Vec<Fault>) {
    match rules::retain_until(e.sign_off.date, e.retention_years, previous) {
        Some(want) if want == e.retain_until => {}
        Some(want) => faults.push(retention_fault(format!(
            "`retain_until` is {} but sign-off {} + {} years{} gives {want}",
            e.retain_until,
            e.sign_off.date,
            e.retention_years,
            previous.map(|p| format!(" (never before {p})")).unwrap_or_default()
        ))),
        None => faults.push(retention_fault(format!(
            "`retention_years` {} is out of range for sign-off {}",
            e.retention_years, e.sign_off.date
        ))),
    }
}

/// Holds, releases and purges carry the record's current fields unchanged (but for the title,
/// which entries written before this version carried and entries written now do not: it is
/// not compared).
fn check_carried(e: &Entry, r: &RecordState, faults: &mut Vec<Fault>) {
    if e.retain_until != r.retain_until {
        faults.push(retention_fault(format!(
            "`retain_until` is {} but the record is kept until {}",
            e.retain_until, r.retain_until
        )));
    }
    if e.retention_years != r.retention_years {
        faults.push(retention_fault(format!(
            "`retention_years` is {} but the record's is {}",
            e.retention_years, r.retention_years
        )));
    }
    if e.sign_off.date != r.sign_off.date {
        faults.push(retention_fault(format!(
            "sign-off date is {} but the record's is {}",
            e.sign_off.date, r.sign_off.date
        )));
    }
    if e.object != r.object
        || e.size != r.size
        || e.sign_off.approved_by != r.sign_off.approved_by
        || e.attestation != r.attestation
    {
        faults.push(invalid(
            "the entry does not carry the record's current version (object, size or sign-off)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::ledger::GENESIS;

    fn entry(
        seq: u64,
        action: Action,
        id: &str,
        object: char,
        retain_until: &str,
        reason: Option<&str>,
    ) -> Entry {
        Entry {
            seq,
            at: "2026-01-31T02:00:00Z".parse().unwrap(),
            action,
            id: id.into(),
            object: object.to_string().repeat(64),
            size: 10,
            title: None,
            attestation: None,
            sign_off: LedgerSignOff { approved_by: "a".into(), date: "2016-02-29".parse().unwrap() },
            retention_years: 7,
            retain_until: retain_until.parse().unwrap(),
            reason: reason.map(Into::into),
            prev: GENESIS.into(),
        }
    }

    /// Entries written before this version carry the title; those written now do not. A hold
    /// or purge is not compared with the record's title, so the two kinds mix without a fault.
    #[test]
    fn titles_of_entries_from_before_are_not_compared() {
        let mut s = State::default();
        let mut old = entry(0, Action::Ingest, "A", 'a', "2023-02-28", None);
        old.title = Some("Old title".into());
        assert!(s.apply(&old).is_empty());
        assert!(s.apply(&entry(1, Action::LegalHold, "A", 'a', "2023-02-28", Some("x"))).is_empty());
        let mut release = entry(2, Action::ReleaseHold, "A", 'a', "2023-02-28", Some("x"));
        release.title = Some("Another title".into());
        assert!(s.apply(&release).is_empty());
        assert!(s.apply(&entry(3, Action::Purge, "A", 'a', "2023-02-28", Some("x"))).is_empty());
        // The other carried fields still are.
        let mut s = State::default();
        s.apply(&old);
        let mut other = entry(1, Action::LegalHold, "A", 'a', "2023-02-28", Some("x"));
        other.sign_off.approved_by = "b".into();
        assert_eq!(kinds(&s.apply(&other)), [FaultKind::Invalid]);
    }

    /// The same record bytes with another sign-off sidecar are a new version; with the same
    /// sidecar they are not. Holds carry the current attestation.
    #[test]
    fn an_attestation_makes_a_version() {
        let side = |c: char| Some(LedgerObject { object: c.to_string().repeat(64), size: 5 });
        let mut s = State::default();
        let mut first = entry(0, Action::Ingest, "A", 'a', "2023-02-28", None);
        first.attestation = side('c');
        assert!(s.apply(&first).is_empty());
        assert_eq!(s.by_object.get(&"c".repeat(64)).map(String::as_str), Some("A"));
        let mut again = entry(1, Action::NewVersion, "A", 'a', "2023-02-28", None);
        again.attestation = side('c');
        assert_eq!(kinds(&s.apply(&again)), [FaultKind::Invalid]);
        let mut s = State::default();
        s.apply(&first);
        let mut other = entry(1, Action::NewVersion, "A", 'a', "2023-02-28", None);
        other.attestation = side('d');
        assert!(s.apply(&other).is_empty());
        assert_eq!(s.records["A"].versions.len(), 2);
        let mut bare = s.clone();
        let hold = entry(2, Action::LegalHold, "A", 'a', "2023-02-28", Some("x"));
        assert_eq!(kinds(&bare.apply(&hold)), [FaultKind::Invalid], "a hold must carry the attestation");
        let mut hold = entry(2, Action::LegalHold, "A", 'a', "2023-02-28", Some("x"));
        hold.attestation = side('d');
        assert!(s.apply(&hold).is_empty());
    }

    fn kinds(f: &[Fault]) -> Vec<FaultKind> {
        f.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn the_rules_of_each_action() {
        let mut s = State::default();
        assert!(s.apply(&entry(0, Action::Ingest, "A", 'a', "2023-02-28", None)).is_empty());
        // Ingesting the same id again, or an unknown id's new version.
        assert_eq!(
            kinds(&s.apply(&entry(1, Action::Ingest, "A", 'b', "2023-02-28", None))),
            [FaultKind::Invalid]
        );
        assert_eq!(
            kinds(&s.apply(&entry(2, Action::NewVersion, "B", 'c', "2023-02-28", None))),
            [FaultKind::Invalid]
        );
        // A new version may not shorten retention.
        let mut s = State::default();
        s.apply(&entry(0, Action::Ingest, "A", 'a', "2023-02-28", None));
        let mut longer = entry(1, Action::NewVersion, "A", 'b', "2033-02-28", None);
        longer.retention_years = 17;
        assert!(s.apply(&longer).is_empty());
        let shorter = entry(2, Action::NewVersion, "A", 'c', "2023-02-28", None);
        assert_eq!(kinds(&s.apply(&shorter)), [FaultKind::Retention]);
        assert_eq!(s.records["A"].retain_until.to_string(), "2033-02-28");
        // Holds need reasons; releases need holds; purges need expiry and no hold.
        let mut s = State::default();
        s.apply(&entry(0, Action::Ingest, "A", 'a', "2023-02-28", None));
        assert_eq!(
            kinds(&s.apply(&entry(1, Action::ReleaseHold, "A", 'a', "2023-02-28", Some("x")))),
            [FaultKind::Invalid]
        );
        assert_eq!(
            kinds(&s.apply(&entry(2, Action::LegalHold, "A", 'a', "2023-02-28", None))),
            [FaultKind::Invalid]
        );
        assert_eq!(
            kinds(&s.apply(&entry(3, Action::Purge, "A", 'a', "2023-02-28", Some("x")))),
            [FaultKind::Invalid]
        );
        let mut s = State::default();
        let mut young = entry(0, Action::Ingest, "A", 'a', "2033-02-28", None);
        young.sign_off.date = "2026-02-28".parse().unwrap();
        s.apply(&young);
        let mut early = entry(1, Action::Purge, "A", 'a', "2033-02-28", Some("x"));
        early.sign_off.date = young.sign_off.date;
        assert_eq!(kinds(&s.apply(&early)), [FaultKind::PurgedEarly]);
        // A hold that changes the record's retention is a retention change.
        let mut s = State::default();
        s.apply(&entry(0, Action::Ingest, "A", 'a', "2023-02-28", None));
        assert_eq!(
            kinds(&s.apply(&entry(1, Action::LegalHold, "A", 'a', "2099-01-01", Some("x")))),
            [FaultKind::Retention]
        );
        // Objects belong to one id.
        assert_eq!(
            kinds(&s.apply(&entry(2, Action::Ingest, "B", 'a', "2023-02-28", None))),
            [FaultKind::Invalid]
        );
    }
}
