//! The template contract against its documentation: every field of every value a page
//! template (or `incidents.json`) receives must be named in `site-templates/README.md`, in the
//! section of its page or row.
//!
//! The fields are not listed by hand: a fixture site is rendered through the real engine, which
//! in test builds hands every template value to [`observe`]; a serde serializer walks the value
//! and records each struct's fields by type. So a field added to a context type is seen without
//! anyone remembering to list it, and the test also fails when the fixture never fills a field
//! (a `None`, an empty list): the fields of the types under it would go unchecked.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use serde::ser::{self, Serialize};

use super::data::SiteData;
use super::pages::Shared;
use super::render::Renderer;
use super::templates::Templates;
use super::write::Memory;
use super::{Evidence, PAGE_SIZE, SiteOptions};
use crate::archive::ledger::LedgerObject;
use crate::archive::{Hold, LedgerSignOff, PurgeInfo, VersionInfo};
use crate::record::{ActionItem, Attestation};
use crate::snapshot::{ArchivedRecord, Content, Snapshot};

/// Struct name → field name → whether any value of it was filled (not `None`, not empty).
pub(super) type Shapes = BTreeMap<&'static str, BTreeMap<&'static str, bool>>;

/// Records the shape of `value` (see the module doc).
pub(super) fn observe<T: Serialize + ?Sized>(shapes: &Mutex<Shapes>, value: &T) {
    let mut shapes = shapes.lock().unwrap_or_else(|e| e.into_inner());
    value.serialize(Walk(&mut shapes)).expect("context values serialize");
}

/// The README section that documents each type a template receives. `nav`, a field of every
/// page, is documented with what every page receives.
const SECTIONS: &[(&str, &str)] = &[
    ("Globals", "## What every page receives"),
    ("SiteInfo", "## What every page receives"),
    ("IncidentRow", "## Shared rows"),
    ("ItemRow", "## Shared rows"),
    ("Pager", "## Shared rows"),
    ("PageLink", "## Shared rows"),
    ("Bucket", "## Filters"),
    ("HomePage", "### `index.html`"),
    ("Counts", "### `index.html`"),
    ("SeverityCount", "### `index.html`"),
    ("HomeCharts", "### `index.html`"),
    ("YearLink", "### `index.html`"),
    ("IncidentPage", "### `incident.html`"),
    ("Link", "### `incident.html`"),
    ("Provenance", "### `incident.html`"),
    ("VersionRow", "### `incident.html`"),
    ("AttestationRow", "### `incident.html`"),
    ("ProofRow", "### `incident.html`"),
    ("VersionDiff", "### `incident.html`"),
    ("DiffHunk", "### `incident.html`"),
    ("DiffLine", "### `incident.html`"),
    ("Hold", "### `incident.html`"),
    ("PurgeInfo", "### `incident.html`"),
    ("ImpactRow", "### `incident.html`"),
    ("Block", "### `incident.html`"),
    ("TocEntry", "### `incident.html`"),
    ("Neighbour", "### `incident.html`"),
    ("IncidentsPage", "### `incidents.html`"),
    ("YearRow", "### `incidents.html`"),
    ("YearPage", "### `year.html`"),
    ("CustomersPage", "### `customers.html`"),
    ("CustomerRow", "### `customers.html`"),
    ("CustomerPage", "### `customer.html`"),
    ("CustomerIncident", "### `customer.html`"),
    ("SortLink", "### `customers.html`"),
    ("CustomerImpactSummary", "### `customer.html`"),
    ("ImpactPeriod", "### `customer.html`"),
    ("CreditSummary", "### `customer.html`"),
    ("CustomerItemsPage", "### `customer-items.html`"),
    ("RetentionListPage", "### `retention-list.html`"),
    ("OwnersPage", "### `owners.html`"),
    ("OwnerRow", "### `owners.html`"),
    ("OwnerPage", "### `owner.html`"),
    ("OwnerName", "### `owner.html`"),
    ("ActionsPage", "### `actions.html`"),
    ("ListTab", "### `actions.html`"),
    ("ActionsSummary", "### `actions.html`"),
    ("TrackerRow", "### `actions.html`"),
    ("GroupRow", "### `actions.html`"),
    ("ItemCounts", "### `actions.html`"),
    ("StatusCount", "### `actions.html`"),
    ("RetentionPage", "### `retention.html`"),
    ("RetentionList", "### `retention.html`"),
    ("RetentionRow", "### `retention.html`"),
    ("YearCount", "### `retention.html`"),
    ("CheckpointPage", "### `checkpoint.html`"),
    ("ChangesPage", "### `changes.html`"),
    ("ChangeDay", "### `changes.html`"),
    ("ChangeCount", "### `changes.html`"),
    ("ChangeRow", "### `changes.html`"),
    ("LedgerPage", "### `ledger.html`"),
    ("LedgerRow", "### `ledger.html`"),
    ("SearchPage", "### `search.html`"),
    ("FeedPage", "### `feed.xml`"),
    ("FeedEntry", "### `feed.xml`"),
    ("JsonExport", "## Files that are not templates"),
    ("JsonIncident", "## Files that are not templates"),
    ("JsonItem", "## Files that are not templates"),
];

const README: &str = include_str!("../../site-templates/README.md");

#[test]
fn the_template_readme_documents_every_field_of_the_contract() {
    let shapes = fixture_shapes();
    let mut problems = Vec::new();
    for (ty, fields) in &shapes {
        let Some((_, heading)) = SECTIONS.iter().find(|(t, _)| t == ty) else {
            problems.push(format!("`{ty}` reaches a template: name its README section in SECTIONS"));
            continue;
        };
        let names = documented_names(section(heading));
        let common = documented_names(section("## What every page receives"));
        for (field, filled) in fields {
            let documented = if *field == "nav" { common.contains(field) } else { names.contains(field) };
            if !documented {
                problems.push(format!("`{ty}.{field}` is not named (in backticks) under `{heading}`"));
            }
            if !filled {
                problems.push(format!(
                    "the fixture never fills `{ty}.{field}`: give it a value, so that what is under it is checked too"
                ));
            }
        }
    }
    for (ty, _) in SECTIONS {
        if !shapes.contains_key(ty) {
            problems.push(format!("`{ty}` is in SECTIONS but no template received it"));
        }
    }
    assert!(
        problems.is_empty(),
        "site-templates/README.md and the context types disagree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_sees_fields_and_what_is_documented() {
    let names = documented_names("`a`, `b[]` (`c`, `{d, e}`), `f.g`, `root }}h/i.html` and k");
    for name in ["a", "b", "c", "d", "e", "f", "g", "root", "h", "i", "html"] {
        assert!(names.contains(name), "{name}");
    }
    assert!(!names.contains("k"));
    let shapes = Mutex::new(Shapes::new());
    observe(&shapes, &super::context::SearchPage { nav: "search" });
    observe(&shapes, &super::context::Link { label: "x".into(), path: String::new() });
    let year = super::context::YearPage {
        nav: "incidents",
        label: "2025".into(),
        total: 0,
        rows: Vec::new(),
        pager: super::render::pager("incidents/2025.html", 1, 0),
        years: Vec::new(),
    };
    observe(&shapes, &year);
    let shapes = shapes.into_inner().unwrap();
    assert!(shapes["SearchPage"]["nav"]);
    assert!(shapes["Link"]["path"], "an empty string is a value");
    assert!(shapes["YearPage"]["pager"]);
    assert!(!shapes["YearPage"]["rows"], "an empty list fills nothing");
    assert!(!shapes["Pager"]["prev"], "nor does `None`");
    assert!(shapes["PageLink"]["number"], "what is under a value is walked");
    assert!(!shapes.contains_key("IncidentRow"), "{shapes:?}");
}

/// The README text from `heading` (a line prefix) to the next heading of the same or a higher
/// level.
fn section(heading: &str) -> &'static str {
    let level = heading.bytes().take_while(|&b| b == b'#').count();
    let start = README
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| README[i..].starts_with(heading))
        .unwrap_or_else(|| panic!("no `{heading}` heading in site-templates/README.md"));
    let body = &README[start..];
    let end = body
        .match_indices("\n#")
        .map(|(i, _)| i)
        .find(|&i| {
            let hashes = body[i + 1..].bytes().take_while(|&b| b == b'#').count();
            hashes <= level && body[i + 1 + hashes..].starts_with(' ')
        })
        .unwrap_or(body.len());
    &body[..end]
}

/// The names written in backticks: every identifier inside a code span (`incident.title`,
/// `versions[]`, `{label, path}` each name theirs).
fn documented_names(text: &str) -> BTreeSet<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|span| span.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|name| !name.is_empty())
        .collect()
}

/// Renders the fixture site through the engine and returns what the templates received.
fn fixture_shapes() -> Shapes {
    let mut snapshot = fixture();
    // An archive holding the objects of the attested record's versions and its sidecar, so
    // that the page offers their originals.
    let tmp = tempfile::tempdir().unwrap();
    let archive = crate::archive::Archive::create(tmp.path()).unwrap();
    let attested = snapshot.records.iter_mut().find(|r| r.sidecar().is_some()).unwrap();
    let write = |sha: &str, bytes: &[u8]| {
        let path = archive.object_path(sha).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    // Two versions of the record, the second edited (after its sign-off), and the sidecar.
    for (v, text) in attested.versions.iter_mut().zip(["# T\n\nOne.\nTwo.\n", "# T\n\nOne.\nTwo, edited.\n"])
    {
        v.object = crate::archive::sha256_hex(text.as_bytes());
        write(&v.object, text.as_bytes());
        if let Some(a) = &v.attestation {
            write(&a.object, b"not the sidecar's bytes: not published");
        }
    }
    attested.object = attested.versions[1].object.clone();
    snapshot.source = Some(archive);
    // A ledger with an entry about each record at its seqs.
    let mut ledger: Vec<u8> = Vec::new();
    for seq in 0..snapshot.ledger_len {
        let r =
            snapshot.records.iter().find(|r| r.versions.iter().any(|v| v.seq == seq) || r.last_seq == seq);
        let e = crate::archive::Entry {
            seq,
            at: at("2025-03-21T10:00:00Z"),
            action: crate::archive::Action::Ingest,
            id: r.map_or("INC-0".into(), |r| r.id.clone()),
            // A version's entry names the version's object (so that its bundle can be made).
            object: r
                .and_then(|r| r.versions.iter().find(|v| v.seq == seq))
                .map_or("ab".repeat(32), |v| v.object.clone()),
            size: 12,
            title: None,
            attestation: None,
            sign_off: LedgerSignOff::default(),
            retention_years: 7,
            retain_until: day("2032-01-15"),
            reason: r.and_then(|r| r.purged()).map(|p| p.reason.clone()),
            prev: crate::archive::ledger::GENESIS.into(),
        };
        ledger.extend(e.to_line());
        ledger.push(b'\n');
    }
    let ledger = std::sync::Arc::new(crate::archive::ledger::LedgerFile::parse(
        std::path::Path::new("ledger.jsonl"),
        ledger,
    ));
    // A signed checkpoint of the fixture's tree.
    let key = crate::note::SignerKey::from_seed("fixture.example/incidents", &[7; 32]).unwrap();
    let mut root = [0u8; 32];
    hex::decode_to_slice(&snapshot.root, &mut root).unwrap();
    let note = crate::note::Checkpoint::new("fixture.example/incidents", snapshot.ledger_len, root)
        .unwrap()
        .sign(&key)
        .unwrap();
    let checkpoint = note.to_string();
    let opts = SiteOptions {
        title: "Fixture".into(),
        base_url: "https://example.test/incidents/".into(),
        build_date: day("2026-01-31"),
        templates: None,
        evidence: Evidence {
            ledger,
            checkpoint: Some(checkpoint),
            verifier_key: Some(key.verifier().to_string()),
            bundles: Some(crate::site::Bundles {
                origin: "fixture.example/incidents".into(),
                signer: Some(key.clone()),
                kept: None,
            }),
        },
    };
    let templates = Templates::load(None).unwrap();
    let data = SiteData::new(&snapshot, opts.build_date);
    let shared = Shared::new(&data);
    let sink = Memory::default();
    let r = Renderer::new(&data, &shared, &templates, &opts, &sink);
    r.run_all().unwrap();
    r.shapes.into_inner().unwrap()
}

/// A record of every kind the site shows: a whole one with every field set and a sign-off
/// attested by a sidecar (past its retention), one with more action items than a page holds
/// (expiring), one on legal hold, a purged one and one whose bytes cannot be read.
#[test]
fn a_customers_impact_is_summed_per_month_and_quarter() {
    let snapshot = fixture();
    let d = super::data::SiteData::new(&snapshot, day("2026-01-31"));
    let acme = d.customers.iter().find(|c| c.name == "Acme").unwrap();
    let impact = super::pages::impact_summary(&d, acme);
    let labels = |v: &[super::context::ImpactPeriod]| v.iter().map(|p| p.label.clone()).collect::<Vec<_>>();
    assert_eq!(labels(&impact.quarters), ["2025-Q1", "2024-Q2"], "newest first");
    assert_eq!(labels(&impact.months), ["2025-03", "2024-05"]);
    // INC-2025-0001 and INC-2025-0003 started on 2025-03-10 and lasted 44 minutes each.
    let q = &impact.quarters[0];
    assert_eq!((q.incidents, q.users, q.delay_seconds, q.complaints), (2, 2000, 50, 6));
    assert_eq!(q.downtime_seconds, 2 * 44 * 60);
    assert_eq!(impact.months[0], super::context::ImpactPeriod { label: "2025-03".into(), ..q.clone() });
    let total: u64 = impact.quarters.iter().map(|p| p.users).sum();
    assert_eq!(total, acme.users, "the periods add up to the customer's total");
    assert_eq!(impact.quarters.iter().map(|p| p.downtime_seconds).sum::<u64>(), acme.downtime);
}

fn fixture() -> Snapshot {
    let text = "# Incident Report: INC-2025-0001

## Incident Summary

**Incident ID**: INC-2025-0001
**Title**: Checkout latency
**Severity**: P2 (High)
**Status**: Closed
**Start Time**: 2025-03-10 14:00 UTC
**End Time**: 2025-03-10 14:44 UTC
**Customer Impact**: Slow checkout

## Timeline

- **14:02** - Alert fired
- **14:44** - Resolved

## Root Cause

**Primary Cause**: A cache was cold.

## Impact Analysis

### User Impact
- **Users Affected**: 1,200

### Customer-Specific Impact
| Customer | Users Affected | Max Delay | Complaints |
|----------|---------------|-----------|------------|
| Acme | 1,000 | 18-25s | 3 |
| Others (8 accounts) | 200 | 10s | 0 |

### Business Impact
- **Revenue Impact**: Minimal (~$150 in SLA credits)

## Action Items
| ID | Action | Owner | Due Date | Status |
|----|--------|-------|----------|--------|
| AI-1 | Warm the cache | Platform | 2025-12-01 | In Progress |
| AI-2 | Alert on misses | SRE | 2026-06-01 | Planned |
| AI-3 | Write it down | SRE | 2025-04-01 | Done |

## Sign-off

**Approved By**: Jane Doe
**Date**: 2025-03-20
";
    let parsed = crate::record::parse(std::path::Path::new("INC-2025-0001.md"), text.as_bytes());
    let mut whole = parsed.incident.expect("the fixture parses");
    whole.attestation = Some(Attestation {
        sidecar: "5".repeat(64),
        approved_by: "Jane Doe".into(),
        approved_on: day("2025-03-20"),
        reference: Some("CHG-42".into()),
        supplied: Vec::new(),
    });
    assert!(!whole.sections.is_empty() && !whole.impact.customers.is_empty(), "{whole:?}");
    assert_eq!(whole.action_items.len(), 3, "{:?}", whole.action_items);

    let mut many = whole.clone();
    many.id = "INC-2024-0002".into();
    many.started_at = Some(at("2024-05-01T09:00:00Z"));
    many.action_items = (0..=PAGE_SIZE)
        .map(|n| ActionItem {
            id: format!("AI-{n}"),
            action: "Follow up".into(),
            owner: "Many".into(),
            due: Some(day("2026-09-01")),
            status: "Planned".into(),
            done: false,
            ticket: String::new(),
        })
        .collect();
    let mut held = whole.clone();
    held.id = "INC-2025-0003".into();

    let mut attested = record("INC-2025-0001", 1, Some(whole), "2025-06-01");
    attested.versions.insert(
        0,
        VersionInfo {
            version: 1,
            object: "0".repeat(64),
            seq: 0,
            ingested_at: at("2025-03-20T10:00:00Z"),
            attestation: None,
        },
    );
    attested.versions[1].version = 2;
    attested.versions[1].attestation = Some(LedgerObject { object: "5".repeat(64), size: 120 });
    let mut held = record("INC-2025-0003", 2, Some(held), "2035-01-01");
    held.legal_hold = Some(Hold { reason: "litigation".into(), since: at("2025-12-01T00:00:00Z") });
    let mut purged = record("INC-2019-0004", 3, None, "2024-01-01");
    purged.content = Content::Purged(PurgeInfo {
        at: at("2025-01-02T00:00:00Z"),
        reason: "retention period elapsed".into(),
    });
    let mut unreadable = record("INC-2025-0005", 4, None, "2032-01-01");
    unreadable.content = Content::Unreadable("object missing".into());
    let mut records =
        vec![attested, record("INC-2024-0002", 5, Some(many), "2026-03-01"), held, purged, unreadable];
    records.sort_by(|a, b| a.id.cmp(&b.id));
    Snapshot { root: "ab".repeat(32), ledger_len: 8, records, source: None }
}

fn record(
    id: &str,
    seq: u64,
    incident: Option<crate::record::Incident>,
    retain_until: &str,
) -> ArchivedRecord {
    let object = format!("{seq:064x}");
    ArchivedRecord {
        id: id.into(),
        object: object.clone(),
        versions: vec![VersionInfo {
            version: 1,
            object,
            seq,
            ingested_at: at("2025-03-21T10:00:00Z"),
            attestation: None,
        }],
        retain_until: day(retain_until),
        last_seq: seq,
        content: incident.map_or(Content::Nothing, Content::from),
        size: 2048,
        sign_off: LedgerSignOff { approved_by: "Jane Doe".into(), date: day("2025-03-20") },
        retention_years: 7,
        ..Default::default()
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

// ----- the walk -----

/// A serializer that records the fields of every struct it meets and returns whether the value
/// is filled (`None`, unit and empty lists and maps are not).
struct Walk<'s>(&'s mut Shapes);

/// The walk of a list, map or tuple: how many elements it had.
struct Items<'s>(&'s mut Shapes, usize);

/// The walk of a struct's fields.
struct Fields<'s>(&'s mut Shapes, &'static str);

type Fail = std::fmt::Error;

impl<'s> ser::Serializer for Walk<'s> {
    type Ok = bool;
    type Error = Fail;
    type SerializeSeq = Items<'s>;
    type SerializeTuple = Items<'s>;
    type SerializeTupleStruct = Items<'s>;
    type SerializeTupleVariant = Items<'s>;
    type SerializeMap = Items<'s>;
    type SerializeStruct = Fields<'s>;
    type SerializeStructVariant = Fields<'s>;

    fn serialize_bool(self, _: bool) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_i8(self, _: i8) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_i16(self, _: i16) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_i32(self, _: i32) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_i64(self, _: i64) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_u8(self, _: u8) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_u16(self, _: u16) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_u32(self, _: u32) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_u64(self, _: u64) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_f32(self, _: f32) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_f64(self, _: f64) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_char(self, _: char) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_str(self, _: &str) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_none(self) -> Result<bool, Fail> {
        Ok(false)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<bool, Fail> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<bool, Fail> {
        Ok(false)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, Fail> {
        Ok(false)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<bool, Fail> {
        Ok(true)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<bool, Fail> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<bool, Fail> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'s>, Fail> {
        Ok(Items(self.0, 0))
    }
    fn serialize_tuple(self, _: usize) -> Result<Items<'s>, Fail> {
        Ok(Items(self.0, 0))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items<'s>, Fail> {
        Ok(Items(self.0, 0))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Items<'s>, Fail> {
        Ok(Items(self.0, 0))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Items<'s>, Fail> {
        Ok(Items(self.0, 0))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Fields<'s>, Fail> {
        self.0.entry(name).or_default();
        Ok(Fields(self.0, name))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Fields<'s>, Fail> {
        self.0.entry(variant).or_default();
        Ok(Fields(self.0, variant))
    }
}

impl Items<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        value.serialize(Walk(self.0))?;
        self.1 += 1;
        Ok(())
    }
}

impl ser::SerializeSeq for Items<'_> {
    type Ok = bool;
    type Error = Fail;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        self.item(value)
    }
    fn end(self) -> Result<bool, Fail> {
        Ok(self.1 > 0)
    }
}

impl ser::SerializeTuple for Items<'_> {
    type Ok = bool;
    type Error = Fail;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        self.item(value)
    }
    fn end(self) -> Result<bool, Fail> {
        Ok(self.1 > 0)
    }
}

impl ser::SerializeTupleStruct for Items<'_> {
    type Ok = bool;
    type Error = Fail;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        self.item(value)
    }
    fn end(self) -> Result<bool, Fail> {
        Ok(self.1 > 0)
    }
}

impl ser::SerializeTupleVariant for Items<'_> {
    type Ok = bool;
    type Error = Fail;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        self.item(value)
    }
    fn end(self) -> Result<bool, Fail> {
        Ok(self.1 > 0)
    }
}

impl ser::SerializeMap for Items<'_> {
    type Ok = bool;
    type Error = Fail;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Fail> {
        key.serialize(Walk(self.0)).map(|_| ())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fail> {
        self.item(value)
    }
    fn end(self) -> Result<bool, Fail> {
        Ok(self.1 > 0)
    }
}

impl Fields<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Fail> {
        let filled = value.serialize(Walk(self.0))?;
        *self.0.entry(self.1).or_default().entry(key).or_default() |= filled;
        Ok(())
    }
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = bool;
    type Error = Fail;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Fail> {
        self.field(key, value)
    }
    fn end(self) -> Result<bool, Fail> {
        Ok(true)
    }
}

impl ser::SerializeStructVariant for Fields<'_> {
    type Ok = bool;
    type Error = Fail;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Fail> {
        self.field(key, value)
    }
    fn end(self) -> Result<bool, Fail> {
        Ok(true)
    }
}
