//! Integration tests of `index` and `search`: the built binary against an index made from
//! incidents built here (the archive's read side feeds the same `Snapshot` in real runs).

use chrono::{NaiveDate, TimeZone, Utc};
use incident_archive::archive::VersionInfo;
use incident_archive::record::{
    ActionItem, CustomerImpact, Incident, LessonsLearned, RootCause, TimelineEntry,
};
use incident_archive::snapshot::{ArchivedRecord, Snapshot};
use serde_json::Value;

use crate::common::bin;

struct Spec {
    id: &'static str,
    title: &'static str,
    severity: &'static str,
    day: (i32, u32, u32),
    cause: &'static str,
    timeline: &'static [&'static str],
    to_improve: &'static [&'static str],
    customers: &'static [&'static str],
    owners: &'static [&'static str],
}

fn incident(s: &Spec) -> Incident {
    let start = Utc.with_ymd_and_hms(s.day.0, s.day.1, s.day.2, 9, 30, 0).unwrap();
    Incident {
        id: s.id.into(),
        title: s.title.into(),
        severity: s.severity.into(),
        status: "Resolved".into(),
        started_at: Some(start),
        root_cause: RootCause { summary: s.cause.into(), ..Default::default() },
        timeline: s
            .timeline
            .iter()
            .map(|t| TimelineEntry { at: start, text: t.to_string(), unplaced: None })
            .collect(),
        lessons_learned: LessonsLearned {
            went_well: vec![],
            to_improve: s.to_improve.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        },
        impact: incident_archive::record::Impact {
            customers: s
                .customers
                .iter()
                .map(|c| CustomerImpact { name: c.to_string(), ..Default::default() })
                .collect(),
            ..Default::default()
        },
        action_items: s
            .owners
            .iter()
            .map(|o| ActionItem {
                id: "AI-1".into(),
                action: "Follow up".into(),
                owner: o.to_string(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn specs() -> Vec<Spec> {
    vec![
        Spec {
            id: "INC-2025-0023",
            title: "Database Connection Pool Exhaustion - Production",
            severity: "P1",
            day: (2025, 1, 14),
            cause: "Slow query without an index leaked database connections until the pool was exhausted",
            timeline: &["Identified: slow query causing connection leak"],
            to_improve: &["Query timeouts should have been configured from day 1"],
            customers: &["GlobalBank Corp", "RetailChain Inc"],
            owners: &["DB Team", "Platform"],
        },
        Spec {
            id: "INC-2024-0107",
            title: "Memory Leak in Payment Service",
            severity: "P2",
            day: (2024, 11, 20),
            cause: "The session cache never evicted entries: a memory leak",
            timeline: &["Pods OOM-killed", "Leak traced to the session cache"],
            to_improve: &["Soak tests to catch leaks"],
            customers: &["GlobalBank Corp"],
            owners: &["QA Team"],
        },
        Spec {
            id: "INC-2025-0031",
            title: "Expired TLS Certificate on API Gateway",
            severity: "P2",
            day: (2025, 3, 2),
            cause: "Certificate renewal automation was disabled during a migration",
            timeline: &["Handshake failures reported"],
            to_improve: &["Alert on certificate expiry"],
            customers: &["TechStartup LLC"],
            owners: &["Platform"],
        },
    ]
}

/// An archive folder whose `index/` holds the three incidents.
fn archive() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut records: Vec<ArchivedRecord> = specs()
        .iter()
        .enumerate()
        .map(|(i, s)| ArchivedRecord {
            id: s.id.into(),
            object: "ab".repeat(32),
            versions: vec![VersionInfo {
                attestation: None,
                version: 1,
                object: "ab".repeat(32),
                seq: i as u64,
                ingested_at: Utc::now(),
            }],
            retain_until: NaiveDate::from_ymd_opt(2032, 1, 1).unwrap(),
            legal_hold: None,
            last_seq: i as u64,
            content: incident(s).into(),
            ..Default::default()
        })
        .collect();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let snapshot = Snapshot { root: String::new(), ledger_len: 3, records, source: None };
    incident_archive::index::rebuild(&tmp.path().join("index"), &snapshot).unwrap();
    tmp
}

fn search(archive: &std::path::Path, args: &[&str]) -> assert_cmd::assert::Assert {
    bin().arg("--archive").arg(archive).arg("search").args(args).assert()
}

#[test]
fn search_prints_ranked_hits_with_marked_snippets() {
    let a = archive();
    let out = search(a.path(), &["leaking"]).success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The memory incident says "leak" three times in fewer words: it ranks first.
    assert_eq!(lines[0], "1. INC-2024-0107  Memory Leak in Payment Service");
    // A word of the whole record names the sections that have it.
    assert_eq!(lines[1], "   P2 · 2024-11-20 · Resolved · in title, root_cause, timeline, lessons");
    assert!(lines[2].contains("**Leak**"), "{text}");
    assert!(lines[3].starts_with("2. INC-2025-0023"), "{text}");
}

#[test]
fn search_json_has_scores_fields_and_facets() {
    let a = archive();
    let out = search(a.path(), &["lessons:timeouts OR root_cause:leak", "--json", "--facets"]).success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["parsed"], "(lessons:timeout root_cause:leak)");
    assert_eq!(v["total"], 2);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits[0]["id"], "INC-2025-0023", "matches in two fields beat one");
    assert_eq!(hits[0]["fields"], serde_json::json!(["root_cause", "lessons"]));
    assert_eq!(hits[1]["fields"], serde_json::json!(["root_cause"]));
    assert!(hits[0]["score"].as_f64().unwrap() > hits[1]["score"].as_f64().unwrap());
    assert_eq!(v["facets"]["customer"][0], serde_json::json!({"value": "GlobalBank Corp", "count": 2}));
    assert_eq!(
        v["facets"]["severity"],
        serde_json::json!([{"value": "P1", "count": 1}, {"value": "P2", "count": 1}])
    );
}

#[test]
fn filters_narrow_the_hits() {
    let a = archive();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["*", "--json"];
        all.extend_from_slice(args);
        let out = bin().arg("--archive").arg(a.path()).arg("search").args(&all).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&["--customer", "GlobalBank Corp"]), ["INC-2024-0107", "INC-2025-0023"]);
    assert_eq!(ids(&["--owner", "platform", "--severity", "P2"]), ["INC-2025-0031"]);
    assert_eq!(ids(&["--since", "2025-01-01", "--until", "2025-01-31"]), ["INC-2025-0023"]);
    assert_eq!(ids(&["--status", "Resolved", "--limit", "1"]), ["INC-2024-0107"]);
}

#[test]
fn a_partial_customer_or_owner_gets_the_names_that_contain_it() {
    let a = archive();
    // `GlobalBank` is no customer's whole name: nothing is kept (the filter stays exact), and
    // the hint names the customers it is part of.
    search(a.path(), &["*", "--customer", "globalbank"]).code(1).stderr(predicates::str::contains(
        "hint: no customer named `globalbank`; did you mean `GlobalBank Corp`?",
    ));
    let out = bin()
        .arg("--archive")
        .arg(a.path())
        .args(["search", "*", "--json", "--customer", "Chain", "--customer", "GlobalBank Corp"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 2, "an exact name still filters: {v}");
    assert_eq!(
        v["suggestions"],
        serde_json::json!([
            {"filter": "customer", "value": "Chain", "names": ["RetailChain Inc"]},
        ])
    );
    let out = bin()
        .arg("--archive")
        .arg(a.path())
        .args(["search", "*", "--json", "--owner", "zzz"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["suggestions"], serde_json::json!([{"filter": "owner", "value": "zzz", "names": []}]));
    // Exact names (in any case) give no suggestion at all.
    let out = bin()
        .arg("--archive")
        .arg(a.path())
        .args(["search", "*", "--json", "--customer", "globalbank corp"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.get("suggestions").is_none(), "{v}");
}

#[test]
fn no_match_exits_1_like_grep() {
    let a = archive();
    search(a.path(), &["zebra"])
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains("no record matches `zebra`"));
}

#[test]
fn bad_query_exits_2_with_the_column() {
    let a = archive();
    search(a.path(), &["title:"])
        .code(2)
        .stderr("error: invalid query: expected word\n  title:\n        ^\n");
    search(a.path(), &["rootcause:x OR colour:red"])
        .code(2)
        .stderr(predicates::str::contains("unknown field `colour`"));
}

#[test]
fn missing_index_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    search(tmp.path(), &["leak"])
        .code(2)
        .stderr(predicates::str::contains("run `incident-archive index` first"));
}

/// An archive whose index holds the sample records of `records/` (parsed as ingest would).
fn samples() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut records = Vec::new();
    let mut paths: Vec<_> =
        std::fs::read_dir(crate::common::records()).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for (seq, path) in paths.iter().filter(|p| p.extension().is_some_and(|x| x == "md")).enumerate() {
        let parsed = incident_archive::record::parse(path, &std::fs::read(path).unwrap());
        assert!(parsed.accepted(), "{}: {:?}", path.display(), parsed.diagnostics);
        let inc = parsed.incident.unwrap();
        records.push(ArchivedRecord {
            id: inc.id.clone(),
            object: "ab".repeat(32),
            versions: vec![VersionInfo {
                attestation: None,
                version: 1,
                object: "ab".repeat(32),
                seq: seq as u64,
                ingested_at: Utc::now(),
            }],
            retain_until: NaiveDate::from_ymd_opt(2040, 1, 1).unwrap(),
            legal_hold: None,
            last_seq: seq as u64,
            content: inc.into(),
            ..Default::default()
        });
    }
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let snapshot = Snapshot { root: String::new(), ledger_len: records.len() as u64, records, source: None };
    incident_archive::index::rebuild(&tmp.path().join("index"), &snapshot).unwrap();
    tmp
}

fn hit_ids(archive: &std::path::Path, args: &[&str]) -> Vec<String> {
    let out = bin().arg("--archive").arg(archive).arg("search").args(args).arg("--json").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    v["hits"]
        .as_array()
        .map(|h| h.iter().map(|h| h["id"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn sample_records_answer_as_a_reader_expects() {
    let a = samples();
    let a = a.path();
    // The phrase is in six records. Counted with grep (occurrences / words): 2022-0002 11/1095,
    // 2025-0023 10/1226, 2025-0044 7/1052, 2020-0022 4/660, 2024-0026 4/775, 2020-0029 3/903:
    // BM25 ranks by occurrences, the shorter record first on a tie.
    assert_eq!(
        hit_ids(a, &["\"connection pool\""]),
        [
            "INC-2022-0002",
            "INC-2025-0023",
            "INC-2025-0044",
            "INC-2020-0022",
            "INC-2024-0026",
            "INC-2020-0029"
        ]
    );
    // Stemming: `leaking` finds leak, leaks, leaked: the route leak, the JDBC connection leak,
    // the memory leak, the leaked access key and the reference record's connection leak.
    assert_eq!(
        sorted(hit_ids(a, &["leaking"])),
        ["INC-2020-0017", "INC-2020-0022", "INC-2021-0005", "INC-2023-0021", "INC-2025-0023"]
    );
    // Root-cause terms: an expired certificate is the root cause of two records (2023-0004's
    // certificate was renewed, not expired).
    let certs = hit_ids(a, &["root_cause:certificate AND root_cause:expired"]);
    assert_eq!(sorted(certs), ["INC-2018-0004", "INC-2025-0031"]);
    // Both cron double-runs.
    assert_eq!(sorted(hit_ids(a, &["\"cron job\" AND duplicate"])), ["INC-2019-0008", "INC-2026-0019"]);
    // A date range: the four incidents of 2025.
    assert_eq!(
        hit_ids(a, &["*", "--since", "2025-01-01", "--until", "2025-12-31"]),
        ["INC-2025-0009", "INC-2025-0023", "INC-2025-0031", "INC-2025-0044"]
    );
    // An owner filter: the DB Team owns action items in five records.
    assert_eq!(
        hit_ids(a, &["*", "--owner", "db team"]),
        ["INC-2018-0027", "INC-2022-0002", "INC-2024-0003", "INC-2025-0009", "INC-2025-0023"]
    );
    // A customer filter narrows a query to the records that list the customer.
    let timeouts = hit_ids(a, &["timeout", "--customer", "GlobalBank Corp", "--limit", "50"]);
    assert!(!timeouts.is_empty() && timeouts.iter().all(|id| id != "INC-2026-0002"), "{timeouts:?}");
    assert!(hit_ids(a, &["zebra"]).is_empty());
}
