//! Unit tests of the index on incidents built in code, with expected hits reasoned by hand.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::archive::{PurgeInfo, VersionInfo};
use crate::record::{ActionItem, CustomerImpact, Incident, LessonsLearned, RootCause, Step, TimelineEntry};
use crate::snapshot::{ArchivedRecord, Content, Snapshot};

/// A small incident with the sections search cares about.
pub struct Spec<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub severity: &'a str,
    pub started: (i32, u32, u32),
    pub cause: &'a str,
    pub factors: &'a [&'a str],
    pub timeline: &'a [&'a str],
    pub fixes: &'a [&'a str],
    pub went_well: &'a [&'a str],
    pub to_improve: &'a [&'a str],
    pub customers: &'a [&'a str],
    pub actions: &'a [(&'a str, &'a str)],
}

pub fn incident(s: &Spec) -> Incident {
    let start = Utc.with_ymd_and_hms(s.started.0, s.started.1, s.started.2, 14, 23, 47).unwrap();
    Incident {
        id: s.id.into(),
        title: s.title.into(),
        severity: s.severity.into(),
        status: "Resolved".into(),
        started_at: Some(start),
        ended_at: Some(start + chrono::Duration::minutes(45)),
        customer_impact: format!("{} customers affected", s.customers.len()),
        timeline: s
            .timeline
            .iter()
            .enumerate()
            .map(|(i, t)| TimelineEntry {
                at: start + chrono::Duration::minutes(i as i64),
                text: t.to_string(),
                unplaced: None,
            })
            .collect(),
        root_cause: RootCause {
            summary: s.cause.into(),
            contributing_factors: s.factors.iter().map(|f| f.to_string()).collect(),
            ..Default::default()
        },
        impact: crate::record::Impact {
            customers: s
                .customers
                .iter()
                .map(|c| CustomerImpact { name: c.to_string(), ..Default::default() })
                .collect(),
            ..Default::default()
        },
        resolution: crate::record::Resolution {
            immediate: s.fixes.iter().map(|f| Step { done: true, text: f.to_string() }).collect(),
            ..Default::default()
        },
        lessons_learned: LessonsLearned {
            went_well: s.went_well.iter().map(|x| x.to_string()).collect(),
            to_improve: s.to_improve.iter().map(|x| x.to_string()).collect(),
            ..Default::default()
        },
        action_items: s
            .actions
            .iter()
            .enumerate()
            .map(|(i, (action, owner))| ActionItem {
                id: format!("AI-{}-{:03}", s.id, i + 1),
                action: action.to_string(),
                owner: owner.to_string(),
                due: NaiveDate::from_ymd_opt(s.started.0, s.started.1, 28),
                status: "Planned".into(),
                done: false,
                ticket: String::new(),
            })
            .collect(),
        sign_off: crate::record::SignOff {
            approved_by: "Maria Garcia, CISO".into(),
            date: Some(start.date_naive()),
            ..Default::default()
        },
        ..Default::default()
    }
}

pub fn pool() -> Incident {
    incident(&Spec {
        id: "INC-2025-0023",
        title: "Database Connection Pool Exhaustion - Production",
        severity: "P1",
        started: (2025, 1, 14),
        cause: "Inefficient SQL query introduced in deployment v3.4.7 causing database connections to remain open; missing index on user_activities",
        factors: &[
            "Code review missed missing index",
            "Load testing didn't include this query pattern",
            "Query timeout not configured",
        ],
        timeline: &[
            "Alert fired: database connection pool utilization > 95%",
            "Identified: slow query causing connection leak",
            "Deployed hotfix: added query timeout",
        ],
        fixes: &["Manually killed 23 long-running queries", "Deployed hotfix with query timeout"],
        went_well: &["Fast detection (47 seconds)", "Proactive customer communication"],
        to_improve: &[
            "Code review should have caught missing index",
            "Query timeouts should have been configured from day 1",
        ],
        customers: &["GlobalBank Corp", "HealthTech Systems", "RetailChain Inc"],
        actions: &[
            ("Add index review to code review checklist", "DB Team"),
            ("Implement auto-kill for queries > 30s", "Platform"),
        ],
    })
}

pub fn tls() -> Incident {
    incident(&Spec {
        id: "INC-2025-0031",
        title: "Expired TLS Certificate on API Gateway",
        severity: "P2",
        started: (2025, 3, 2),
        cause: "The TLS certificate of the public API gateway expired; renewal automation had been disabled during a migration",
        factors: &["No alert on certificate expiry", "Renewal job silently failing"],
        timeline: &["Clients report handshake failures", "Certificate renewed manually"],
        fixes: &["Renewed the certificate", "Re-enabled renewal automation"],
        went_well: &["Quick diagnosis by the on-call engineer"],
        to_improve: &["Monitor certificate expiry dates", "Alert when renewal jobs fail"],
        customers: &["RetailChain Inc", "TechStartup LLC"],
        actions: &[("Add certificate expiry alerting", "Platform")],
    })
}

pub fn memory() -> Incident {
    incident(&Spec {
        id: "INC-2024-0107",
        title: "Memory Leak in Payment Service",
        severity: "P2",
        started: (2024, 11, 20),
        cause: "A memory leak in the payment service's session cache: entries were never evicted, the heap grew until the pods were OOM-killed",
        factors: &["Cache without eviction policy", "Memory alerts thresholds too high"],
        timeline: &["Pods restarted by OOM killer", "Leak traced to session cache"],
        fixes: &["Rolled back to the previous release", "Added eviction to the session cache"],
        went_well: &["Rollback was fast"],
        to_improve: &[
            "Load testing should include long soak tests to catch leaks",
            "Lower memory alert thresholds",
        ],
        customers: &["GlobalBank Corp"],
        actions: &[("Add soak test to the release pipeline", "QA Team"), ("Tune memory alerts", "Platform")],
    })
}

pub fn dns() -> Incident {
    incident(&Spec {
        id: "INC-2025-0002",
        title: "DNS Misconfiguration Takes Down Login",
        severity: "P1",
        started: (2025, 1, 3),
        cause: "A DNS record for the login service was deleted by a configuration change that was not reviewed",
        factors: &["Change applied without peer review", "Long DNS TTL slowed recovery"],
        timeline: &["Login failures spike", "DNS record restored"],
        fixes: &["Restored the DNS record", "Flushed resolver caches"],
        went_well: &["Clear incident communication"],
        to_improve: &["Require review for DNS changes", "Shorter TTL on critical records"],
        customers: &["HealthTech Systems"],
        actions: &[("Enforce review of DNS changes", "Network Team")],
    })
}

pub fn disk() -> Incident {
    incident(&Spec {
        id: "INC-2023-0400",
        title: "Disk Full on Logging Cluster",
        severity: "P3",
        started: (2023, 6, 9),
        cause: "Log retention was not applied after a cluster upgrade, the disks filled up and ingestion stopped",
        factors: &["Retention job not migrated"],
        timeline: &["Ingestion stops", "Old indices deleted"],
        fixes: &["Deleted old log indices", "Restored the retention job"],
        went_well: &["No customer data lost"],
        to_improve: &["Check scheduled jobs after upgrades"],
        customers: &[],
        actions: &[("Add disk usage alerts", "Platform")],
    })
}

pub fn record(inc: Incident, seq: u64) -> ArchivedRecord {
    ArchivedRecord {
        id: inc.id.clone(),
        object: format!("{seq:064x}"),
        versions: vec![VersionInfo {
            version: 1,
            object: format!("{seq:064x}"),
            seq,
            ingested_at: Utc::now(),
            attestation: None,
        }],
        retain_until: NaiveDate::from_ymd_opt(2032, 1, 1).unwrap(),
        legal_hold: None,
        last_seq: seq,
        content: inc.into(),
        ..Default::default()
    }
}

/// A snapshot of the given incidents, ingested in order (seq 0, 1, …).
pub fn snapshot(incidents: Vec<Incident>) -> Snapshot {
    let mut records: Vec<ArchivedRecord> =
        incidents.into_iter().enumerate().map(|(i, inc)| record(inc, i as u64)).collect();
    let ledger_len = records.len() as u64;
    records.sort_by(|a, b| a.id.cmp(&b.id));
    Snapshot { root: "00".repeat(32), ledger_len, records, source: None }
}

pub fn all() -> Vec<Incident> {
    vec![pool(), tls(), memory(), dns(), disk()]
}

fn ask(dir: &std::path::Path, query: &str) -> SearchResults {
    search(dir, &SearchRequest { query: query.into(), limit: 10, ..Default::default() })
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

fn ids(r: &SearchResults) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

fn built() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let report = rebuild(&tmp.path().join("index"), &snapshot(all())).unwrap();
    assert_eq!((report.documents, report.rebuilt), (5, true));
    tmp
}

#[test]
fn stemming_finds_leak_from_leaking() {
    let tmp = built();
    let dir = tmp.path().join("index");
    // `leak` is in the pool incident's timeline and all over the memory incident.
    let r = ask(&dir, "leaking");
    assert_eq!(r.parsed, "text:leak");
    assert_eq!(ids(&r), ["INC-2024-0107", "INC-2025-0023"]);
    assert!(!r.hits[0].snippet.highlights.is_empty(), "{:?}", r.hits[0].snippet);
}

#[test]
fn field_queries_target_sections() {
    let tmp = built();
    let dir = tmp.path().join("index");
    // `index` is a root cause only of the pool incident (the disk incident deleted "indices",
    // stemmed `indic`).
    assert_eq!(ids(&ask(&dir, "root_cause:index")), ["INC-2025-0023"]);
    // Lessons about certificates: only the TLS incident.
    assert_eq!(ids(&ask(&dir, "lessons:certificates")), ["INC-2025-0031"]);
    // Review appears in the lessons of the pool and DNS incidents.
    let r = ask(&dir, "to_improve:review");
    assert_eq!(r.total, 2);
    assert_eq!(
        r.hits.iter().map(|h| h.fields.clone()).collect::<Vec<_>>(),
        vec![vec!["to_improve".to_string()]; 2]
    );
    assert_eq!(ids(&ask(&dir, "root_cause:index AND severity:P1")), ["INC-2025-0023"]);
    assert_eq!(ids(&ask(&dir, "customer:globalbank")).len(), 2);
}

#[test]
fn phrases_need_adjacent_words() {
    let tmp = built();
    let dir = tmp.path().join("index");
    assert_eq!(ids(&ask(&dir, "\"connection pool\"")), ["INC-2025-0023"]);
    // Both words are in the memory incident's text but never side by side.
    assert_eq!(ids(&ask(&dir, "\"session leak\"")), Vec::<&str>::new());
    assert_eq!(ids(&ask(&dir, "\"memory leak\"")), ["INC-2024-0107"]);
}

#[test]
fn exclusion_and_boolean_operators() {
    let tmp = built();
    let dir = tmp.path().join("index");
    let r = ask(&dir, "timeout OR certificate");
    assert_eq!(r.total, 2);
    assert_eq!(ids(&ask(&dir, "review -dns")), ["INC-2025-0023"]);
    assert_eq!(ids(&ask(&dir, "zebra")), Vec::<&str>::new());
}

#[test]
fn filters_do_not_change_scores() {
    let tmp = built();
    let dir = tmp.path().join("index");
    let all = ask(&dir, "alert");
    let p2 = search(
        &dir,
        &SearchRequest {
            query: "alert".into(),
            severity: vec!["p2".into()],
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(p2.hits.iter().all(|h| h.severity == "P2"));
    for h in &p2.hits {
        let same = all.hits.iter().find(|a| a.id == h.id).unwrap();
        assert_eq!(same.score.to_bits(), h.score.to_bits());
    }
    let customer = search(
        &dir,
        &SearchRequest {
            query: "*".into(),
            customer: vec!["globalbank corp".into()],
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&customer), ["INC-2024-0107", "INC-2025-0023"], "ties are ranked by id");
    let owner = search(
        &dir,
        &SearchRequest { query: "*".into(), owner: vec!["QA Team".into()], limit: 10, ..Default::default() },
    )
    .unwrap();
    assert_eq!(ids(&owner), ["INC-2024-0107"]);
    let range = search(
        &dir,
        &SearchRequest {
            query: "*".into(),
            since: NaiveDate::from_ymd_opt(2025, 1, 3),
            until: NaiveDate::from_ymd_opt(2025, 1, 14),
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&range), ["INC-2025-0002", "INC-2025-0023"], "both ends inclusive");
}

#[test]
fn facets_count_matching_records() {
    let tmp = built();
    let dir = tmp.path().join("index");
    let r = search(
        &dir,
        &SearchRequest { query: "platform".into(), limit: 1, facets: true, ..Default::default() },
    )
    .unwrap();
    // Platform owns action items of the pool, TLS, memory and disk incidents.
    assert_eq!(r.total, 4);
    assert_eq!(r.hits.len(), 1);
    let f = r.facets.unwrap();
    let pairs = |v: &[FacetCount]| v.iter().map(|c| (c.value.clone(), c.count)).collect::<Vec<_>>();
    assert_eq!(pairs(&f.severity), [("P2".into(), 2), ("P1".into(), 1), ("P3".into(), 1)]);
    assert_eq!(pairs(&f.year), [("2025".into(), 2), ("2023".into(), 1), ("2024".into(), 1)]);
    assert_eq!(f.owner[0], FacetCount { value: "Platform".into(), count: 4 });
    assert_eq!(f.customer[0], FacetCount { value: "GlobalBank Corp".into(), count: 2 });
}

#[test]
fn bad_query_is_a_typed_error() {
    let tmp = built();
    let err = search(
        &tmp.path().join("index"),
        &SearchRequest { query: "title:".into(), limit: 10, ..Default::default() },
    )
    .unwrap_err();
    match err {
        IndexError::Query(q) => assert_eq!(q.column, Some(7)),
        other => panic!("{other}"),
    }
    let missing = search(
        &tmp.path().join("nope"),
        &SearchRequest { query: "x".into(), limit: 1, ..Default::default() },
    );
    assert!(matches!(missing, Err(IndexError::Missing { .. })));
}

/// Everything a search returns that must not depend on how the index was built.
fn fingerprint(dir: &std::path::Path) -> Vec<String> {
    let queries = [
        "leak",
        "query timeout",
        "\"connection pool\"",
        "review -dns",
        "platform OR cache",
        "a AND b AND c",
        "*",
        "p1",
    ];
    queries
        .iter()
        .map(|q| {
            let r = search(
                dir,
                &SearchRequest { query: q.to_string(), limit: 10, facets: true, ..Default::default() },
            )
            .unwrap();
            let hits: Vec<String> =
                r.hits.iter().map(|h| format!("{}:{:08x}", h.id, h.score.to_bits())).collect();
            format!(
                "{q} => {} {hits:?} {:?}",
                r.total,
                r.facets.map(|f| (f.severity, f.customer, f.owner, f.year))
            )
        })
        .collect()
}

#[test]
fn incremental_equals_rebuild() {
    let tmp = tempfile::tempdir().unwrap();
    let inc_dir = tmp.path().join("a/index");
    // Step by step: two records, then three more, then a new version, then a purge.
    let mut records = vec![record(pool(), 0), record(tls(), 1)];
    let mut snap = Snapshot { root: String::new(), ledger_len: 2, records: records.clone(), source: None };
    let first = update(&inc_dir, &snap).unwrap();
    assert!(first.rebuilt && first.warnings.is_empty(), "a first build is not a warning: {first:?}");
    for (i, inc) in [memory(), dns(), disk()].into_iter().enumerate() {
        records.push(record(inc, 2 + i as u64));
    }
    records.sort_by(|a, b| a.id.cmp(&b.id));
    snap = Snapshot { root: String::new(), ledger_len: 5, records: records.clone(), source: None };
    let r = update(&inc_dir, &snap).unwrap();
    assert_eq!((r.rebuilt, r.added, r.documents), (false, 3, 5));
    let nothing = update(&inc_dir, &snap).unwrap();
    assert!(!nothing.changed && nothing.added == 0);
    // A new version of the TLS record and the purge of the disk record.
    let tls_at = records.iter().position(|r| r.id == "INC-2025-0031").unwrap();
    let mut v2 = tls();
    v2.title = "Expired TLS Certificate on the Public API Gateway".into();
    v2.lessons_learned.to_improve.push("Track certificate owners".into());
    records[tls_at] = record(v2, 5);
    let disk_at = records.iter().position(|r| r.id == "INC-2023-0400").unwrap();
    records[disk_at].content =
        Content::Purged(PurgeInfo { at: Utc::now(), reason: "retention expired".into() });
    records[disk_at].last_seq = 6;
    snap = Snapshot { root: String::new(), ledger_len: 7, records, source: None };
    let r = update(&inc_dir, &snap).unwrap();
    assert_eq!((r.rebuilt, r.added, r.removed, r.documents), (false, 1, 1, 4));

    let full_dir = tmp.path().join("b/index");
    rebuild(&full_dir, &snap).unwrap();
    assert_eq!(fingerprint(&inc_dir), fingerprint(&full_dir));
    assert!(ask(&inc_dir, "\"public api gateway\"").total == 1);
    assert_eq!(ask(&inc_dir, "retention").total, 0, "the purged record is gone");
    assert_eq!(browser_export(&inc_dir).unwrap(), browser_export(&full_dir).unwrap());
}

#[test]
fn damaged_or_missing_index_is_rebuilt_with_a_warning() {
    let tmp = built();
    let dir = tmp.path().join("index");
    let snap = snapshot(all());
    // Damage tantivy's own meta file.
    std::fs::write(dir.join("meta.json"), b"{ not json").unwrap();
    let r = update(&dir, &snap).unwrap();
    assert!(r.rebuilt);
    assert_eq!(r.warnings.len(), 1, "{r:?}");
    assert!(r.warnings[0].contains("rebuilt"), "{}", r.warnings[0]);
    assert_eq!(ask(&dir, "leak").total, 2);
    // Remove our meta file: rebuilt too.
    std::fs::remove_file(dir.join(indexer::META_FILE)).unwrap();
    let r = update(&dir, &snap).unwrap();
    assert!(r.rebuilt && !r.warnings.is_empty());
    // Delete a segment file.
    let seg = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    std::fs::remove_file(seg).unwrap();
    let r = update(&dir, &snap).unwrap();
    assert!(r.rebuilt && !r.warnings.is_empty(), "{r:?}");
    assert_eq!(ask(&dir, "leak").total, 2);
    // No index at all: built quietly.
    std::fs::remove_dir_all(&dir).unwrap();
    let r = update(&dir, &snap).unwrap();
    assert!(r.rebuilt && r.warnings.is_empty());
}

#[test]
fn export_is_deterministic_and_complete() {
    let tmp = built();
    let files = browser_export(&tmp.path().join("index")).unwrap();
    let again = browser_export(&tmp.path().join("index")).unwrap();
    assert_eq!(files, again);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"search/meta.js"));
    assert!(names.contains(&"search/0/t/0.js"), "one level, one dictionary shard: {names:?}");
    assert!(names.iter().any(|n| n.starts_with("search/d/")));
    assert!(names.iter().any(|n| n.starts_with("search/f/severity/")));
    assert!(names.contains(&"search/f/customer.js"));
    // One text file per document, for the snippets and matched fields of the hits shown.
    let docs = names.iter().filter(|n| n.starts_with("search/x/")).count();
    assert_eq!(docs as u64, tmp_documents(&files));
    for (name, bytes) in &files {
        let s = std::str::from_utf8(bytes).unwrap();
        assert!(s.starts_with("IASearch(\"") && s.ends_with(");\n"), "{name}");
    }
}

/// The data the script `search/<name>.js` registers (`IASearch("<name>", data);`).
fn script_data(name: &str, bytes: &[u8]) -> serde_json::Value {
    let s = std::str::from_utf8(bytes).unwrap();
    let prefix = format!("IASearch({},", serde_json::Value::String(name.to_string()));
    serde_json::from_str(&s[prefix.len()..s.len() - 3]).unwrap()
}

/// The vocabulary (`w/`): every word of the live records' prose, lowercased as written, with
/// its stem (tantivy's) and the other words of that stem, in the shard its FNV-1a 32 names.
#[test]
fn the_vocabulary_gives_every_word_of_the_records_its_stem_and_its_family() {
    let mut inc = tls();
    inc.lessons_learned.learnings =
        vec!["Leaking LEAKS leaked; the constructor of Zanzibarian quotas".into()];
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    rebuild(&dir, &snapshot(vec![inc, pool()])).unwrap();
    let files: std::collections::BTreeMap<String, Vec<u8>> =
        browser_export(&dir).unwrap().into_iter().collect();
    let count = script_data("meta", &files["search/meta.js"])["words"].as_u64().unwrap() as usize;
    assert!(count.is_power_of_two(), "{count}");
    let mut words = std::collections::BTreeMap::new();
    for n in 0..count {
        let name = format!("w/{}", export::hex(n, count));
        let data = script_data(&name, &files[&format!("search/{name}.js")]);
        for (word, value) in data.as_object().unwrap() {
            assert_eq!(export::fnv32(word) as usize & (count - 1), n, "{word} in its shard");
            let family: Vec<String> = match value {
                serde_json::Value::String(stem) => vec![stem.clone()],
                v => v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect(),
            };
            words.insert(word.clone(), family);
        }
    }
    assert_eq!(files.keys().filter(|f| f.starts_with("search/w/")).count(), count);
    let mut stemmer = super::stem::english_stemmer();
    let mut stem = |w: &str| {
        let mut out = String::new();
        stemmer.token_stream(w).process(&mut |t: &tantivy::tokenizer::Token| out = t.text.clone());
        out
    };
    for (word, family) in &words {
        assert_eq!(family[0], stem(word), "{word}'s stem");
        for other in &family[1..] {
            assert_eq!(words[other][0], family[0], "{other} is of {word}'s family");
            assert!(words[other].contains(word), "{other}'s family has {word}");
        }
        let all = words.iter().filter(|(_, f)| f[0] == family[0]).count();
        assert_eq!(family.len(), all, "{word}: its family is every word of its stem");
    }
    assert_eq!(words["leaking"][0], "leak");
    for w in ["leaks", "leaked"] {
        assert!(words["leaking"].contains(&w.to_string()), "{:?}", words["leaking"]);
    }
    // Words as written, lowercased; words of both records; a name of JavaScript's objects.
    for w in ["zanzibarian", "constructor", "quotas", "certificate", "pool", "connection"] {
        assert!(words.contains_key(w), "{w}");
    }
    assert!(!words.keys().any(|w| w.chars().any(char::is_uppercase)));
}

/// The live document count `meta.js` states.
fn tmp_documents(files: &[(String, Vec<u8>)]) -> u64 {
    let meta = &files.iter().find(|(n, _)| n == "search/meta.js").unwrap().1;
    script_data("meta", meta)["docs"].as_u64().unwrap()
}

/// Records of the synthetic corpus, parsed as ingest would.
fn corpus_records(corpus: &incident_corpus::Corpus, range: std::ops::Range<usize>) -> Vec<Incident> {
    range
        .map(|i| {
            let text = corpus.record(i);
            let parsed = crate::record::parse(std::path::Path::new("corpus.md"), text.as_bytes());
            parsed.incident.unwrap_or_else(|| panic!("record {i}: {:?}", parsed.diagnostics))
        })
        .collect()
}

/// The nightly case: records whose ids sort last leave every file of the base level as it
/// was; only `meta.js`, the recent level, the last rows and some filter lists change. And the
/// export does not depend on how the index got there.
#[test]
fn adding_records_rewrites_only_the_recent_level() {
    let corpus = incident_corpus::Corpus::new(302, 7);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    let first = snapshot(corpus_records(&corpus, 0..300));
    rebuild(&dir, &first).unwrap();
    let before: std::collections::BTreeMap<String, Vec<u8>> =
        browser_export(&dir).unwrap().into_iter().collect();
    assert_eq!(export::levels(300), [(0, 256), (256, 300)]);

    let mut records = first.records.clone();
    for (i, inc) in corpus_records(&corpus, 300..302).into_iter().enumerate() {
        records.push(record(inc, 300 + i as u64));
    }
    records.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(records.last().unwrap().last_seq, 301, "the new ids sort last");
    let second = Snapshot { root: String::new(), ledger_len: 302, records, source: None };
    let r = update(&dir, &second).unwrap();
    assert!(!r.rebuilt && r.added == 2, "{r:?}");
    let after: std::collections::BTreeMap<String, Vec<u8>> =
        browser_export(&dir).unwrap().into_iter().collect();

    let base = |m: &std::collections::BTreeMap<String, Vec<u8>>| {
        m.iter()
            .filter(|(p, _)| p.starts_with("search/0/"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect::<Vec<_>>()
    };
    assert!(base(&before).len() > 50, "a base level of some size: {}", base(&before).len());
    assert_eq!(base(&before), base(&after), "the base level is untouched");
    let changed: Vec<&String> = after.keys().filter(|p| before.get(*p) != after.get(*p)).collect();
    // The row files of documents 300 and 301 (new), and of 299 when it shares one with them.
    let rows: Vec<String> =
        [299, 300, 301].iter().map(|n| format!("search/d/{}.js", n / export::DOC_BUCKET)).collect();
    for p in &changed {
        assert!(
            *p == "search/meta.js"
                || p.starts_with("search/1/")
                || p.starts_with("search/f/")
                || rows.contains(p)
                || **p == "search/x/300.js"
                || **p == "search/x/301.js"
                || p.starts_with("search/w/"),
            "{p} changed"
        );
    }
    assert!(changed.len() * 4 < after.len(), "{} of {} files changed", changed.len(), after.len());
    // The vocabulary changes where the new records bring a word: each changed shard gains one
    // (or a word of its families), and keeps every word it had.
    let words = |m: &std::collections::BTreeMap<String, Vec<u8>>, p: &str| {
        let name = &p["search/".len()..p.len() - ".js".len()];
        script_data(name, &m[p]).as_object().unwrap().clone()
    };
    let vocabulary: Vec<&&String> = changed.iter().filter(|p| p.starts_with("search/w/")).collect();
    assert!(!vocabulary.is_empty(), "two records bring no new word?");
    assert_eq!(
        before.keys().filter(|p| p.starts_with("search/w/")).count(),
        after.keys().filter(|p| p.starts_with("search/w/")).count(),
        "as many vocabulary shards"
    );
    for p in vocabulary {
        let (old, new) = (words(&before, p), words(&after, p));
        assert!(old.keys().all(|w| new.contains_key(w)), "{p} lost a word");
        assert!(new.len() > old.len() || old.iter().any(|(w, v)| new[w] != *v), "{p} changed for nothing");
    }

    let full = tmp.path().join("full");
    rebuild(&full, &second).unwrap();
    assert!(
        browser_export(&full).unwrap() == after.into_iter().collect::<Vec<_>>(),
        "rebuilt and updated export alike"
    );
}

/// Where the index in `dir` still holds `word`: a stored document of any segment (deleted ones
/// included: tantivy only marks them), a term of any searchable field, or the raw bytes of any
/// file. `word` must be one the analyzers keep as it is.
fn traces_of(dir: &std::path::Path, word: &str) -> Vec<String> {
    use tantivy::schema::document::Document as _;
    let index = indexer::open(dir).unwrap();
    let reader: tantivy::IndexReader =
        index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into().unwrap();
    let searcher = reader.searcher();
    let fields = schema::Fields::new();
    let mut found = Vec::new();
    for (s, segment) in searcher.segment_readers().iter().enumerate() {
        let store = segment.get_store_reader(0).unwrap();
        for doc in 0..segment.max_doc() {
            let stored: tantivy::TantivyDocument = store.get(doc).unwrap();
            if stored.to_json(&index.schema()).to_lowercase().contains(word) {
                found.push(format!("stored document {doc} of segment {s}"));
            }
        }
        for (i, field) in fields.search.iter().enumerate() {
            let inverted = segment.inverted_index(*field).unwrap();
            if inverted.terms().get(word.as_bytes()).unwrap().is_some() {
                found.push(format!("a term of `{}` in segment {s}", schema::SEARCH_FIELDS[i].name));
            }
        }
    }
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        if bytes.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word.as_bytes())) {
            found.push(format!("the bytes of `{}`", p.file_name().unwrap().to_string_lossy()));
        }
    }
    found
}

/// A purge is done when the record's text has left every file of the index: tantivy's delete
/// only marks the document, so the updated index rewrites the segments that hold it.
#[test]
fn a_purged_record_leaves_no_trace_in_any_file_of_the_index() {
    const WORD: &str = "zorbluxqix";
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    let mut doomed = disk();
    doomed.root_cause.summary.push_str(&format!(" ({WORD} controller)"));
    doomed.timeline[0].text.push_str(&format!(" on {WORD}"));
    let mut records: Vec<ArchivedRecord> = [pool(), tls(), memory(), dns(), doomed]
        .into_iter()
        .enumerate()
        .map(|(i, inc)| record(inc, i as u64))
        .collect();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let snap = Snapshot { root: "a".repeat(64), ledger_len: 5, records: records.clone(), source: None };
    update(&dir, &snap).unwrap();
    // Two more segments: a new version of one record, so that there are deletes of other kinds.
    let tls_at = records.iter().position(|r| r.id == "INC-2025-0031").unwrap();
    records[tls_at] = record(tls(), 5);
    let snap = Snapshot { root: "b".repeat(64), ledger_len: 6, records: records.clone(), source: None };
    update(&dir, &snap).unwrap();
    let before = traces_of(&dir, WORD);
    assert!(before.iter().any(|t| t.starts_with("stored document")), "{before:?}");
    assert!(before.iter().any(|t| t.starts_with("a term")), "{before:?}");

    let at = records.iter().position(|r| r.id == "INC-2023-0400").unwrap();
    records[at].content = Content::Purged(PurgeInfo { at: Utc::now(), reason: "retention expired".into() });
    records[at].last_seq = 6;
    let snap = Snapshot { root: "c".repeat(64), ledger_len: 7, records, source: None };
    let r = update(&dir, &snap).unwrap();
    assert_eq!((r.rebuilt, r.removed, r.documents), (false, 1, 4), "{r:?}");
    assert!(r.expunged >= 1, "{r:?}");
    assert_eq!(traces_of(&dir, WORD), Vec::<String>::new());
    assert_eq!(ask(&dir, WORD).total, 0);
    assert_eq!(ask(&dir, "certificate").total, 1, "the other records are still there");
    // The stamp covers the rewritten files: the next update trusts the index as it is.
    let again = update(&dir, &snap).unwrap();
    assert!(!again.changed && !again.rebuilt && again.warnings.is_empty(), "{again:?}");
}

/// Flips one bit of `file` at `at`.
fn flip(file: &std::path::Path, at: usize) {
    let mut bytes = std::fs::read(file).unwrap();
    bytes[at] ^= 0x10;
    std::fs::write(file, bytes).unwrap();
}

/// The files of an index folder, tantivy's lock files aside.
fn index_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".lock"))
        .collect();
    files.sort();
    files
}

#[test]
fn an_index_that_differs_from_its_stamp_is_rebuilt_before_it_is_read() {
    let tmp = built();
    let dir = tmp.path().join("index");
    let reference = fingerprint(&dir);
    let snap = snapshot(all());
    // A garbled byte in each kind of file, the size unchanged: only the checksums see it.
    for ext in ["idx", "pos", "store", "term", "fieldnorm", "fast"] {
        let file = index_files(&dir).into_iter().find(|p| p.extension().is_some_and(|x| x == ext)).unwrap();
        let len = std::fs::metadata(&file).unwrap().len() as usize;
        flip(&file, len / 3);
        let r = update(&dir, &snap).unwrap();
        assert!(r.rebuilt, "{ext}: {r:?}");
        assert!(
            r.warnings.len() == 1 && r.warnings[0].contains("does not match its checksum"),
            "{ext}: {:?}",
            r.warnings
        );
        assert_eq!(fingerprint(&dir), reference, "{ext}: ranks as before");
    }
    // A stray file, a missing one.
    std::fs::write(dir.join("0123.idx"), b"x").unwrap();
    assert!(update(&dir, &snap).unwrap().warnings[0].contains("`0123.idx` is not one of the files"));
    let idx = index_files(&dir).into_iter().find(|p| p.extension().is_some_and(|x| x == "idx")).unwrap();
    std::fs::remove_file(&idx).unwrap();
    assert!(update(&dir, &snap).unwrap().warnings[0].contains("is missing"));
    assert_eq!(fingerprint(&dir), reference);
}

#[test]
fn an_index_of_another_ledger_or_format_is_rebuilt() {
    let tmp = built();
    let dir = tmp.path().join("index");
    let mut snap = snapshot(all());
    assert!(!update(&dir, &snap).unwrap().changed);
    snap.root = "11".repeat(32);
    let r = update(&dir, &snap).unwrap();
    assert!(r.rebuilt && r.warnings[0].contains("another ledger"), "{r:?}");
    // A stamp of format 1 (no checksums) is not trusted.
    let meta_path = dir.join(indexer::META_FILE);
    let mut meta: serde_json::Value = serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    meta["format"] = 1.into();
    meta.as_object_mut().unwrap().remove("files");
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let r = update(&dir, &snap).unwrap();
    assert!(r.rebuilt && r.warnings[0].contains("index format 1/"), "{r:?}");
    let search_old = search(&dir, &SearchRequest { query: "leak".into(), limit: 1, ..Default::default() });
    assert!(search_old.is_ok(), "rebuilt: {search_old:?}");
}

/// `search` checks cheap facts, and no byte of the index makes it panic: it answers, or says
/// the index is damaged.
#[test]
fn search_refuses_a_damaged_index_and_never_panics() {
    let tmp = built();
    let dir = tmp.path().join("index");
    let good = tmp.path().join("good");
    std::fs::create_dir(&good).unwrap();
    for f in index_files(&dir) {
        std::fs::copy(&f, good.join(f.file_name().unwrap())).unwrap();
    }
    let queries = ["leak", "\"connection pool\"", "root_cause:index AND severity:p1", "review -dns"];
    let ask_all = |dir: &std::path::Path| -> Vec<Result<String, String>> {
        queries
            .iter()
            .map(|q| {
                search(
                    dir,
                    &SearchRequest { query: q.to_string(), limit: 10, facets: true, ..Default::default() },
                )
                .map(|r| {
                    format!("{:?}", r.hits.iter().map(|h| (&h.id, h.score, &h.snippet)).collect::<Vec<_>>())
                })
                .map_err(|e| e.to_string())
            })
            .collect()
    };
    let reference = ask_all(&dir);
    assert!(reference.iter().all(Result::is_ok));
    let mut damaged = 0;
    for f in index_files(&good) {
        let name = f.file_name().unwrap().to_owned();
        let len = std::fs::metadata(&f).unwrap().len() as usize;
        for at in [0, len / 7, len / 2, len - len / 5, len - 1] {
            for g in index_files(&good) {
                std::fs::copy(&g, dir.join(g.file_name().unwrap())).unwrap();
            }
            flip(&dir.join(&name), at);
            for (answer, expected) in ask_all(&dir).into_iter().zip(&reference) {
                match answer {
                    Ok(a) => {
                        let ext =
                            std::path::Path::new(&name).extension().unwrap().to_string_lossy().into_owned();
                        // What is hashed cannot answer differently; the rest may (rarely).
                        if !["idx", "pos", "store", "term"].contains(&ext.as_str()) {
                            assert_eq!(Ok(&a), expected.as_ref(), "{name:?} at {at}");
                        }
                    }
                    Err(e) => {
                        assert!(e.contains("is damaged") && e.contains("--rebuild"), "{name:?} at {at}: {e}");
                        damaged += 1;
                    }
                }
            }
        }
    }
    assert!(damaged > 0);
}

/// Writes `checkpoint.json` and `ledger.jsonl` of an archive at `root` whose ledger is
/// `lines` (the first ones need not be entries) followed by `entries`.
fn fake_ledger(root: &std::path::Path, lines: usize, entries: &[(crate::archive::Action, &str)]) {
    let mut bytes: Vec<u8> = (0..lines).flat_map(|i| format!("{{\"line\":{i}}}\n").into_bytes()).collect();
    let mut leaves: Vec<crate::archive::merkle::Hash> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(crate::archive::merkle::leaf_hash)
        .collect();
    for (i, (action, id)) in entries.iter().enumerate() {
        let e = crate::archive::Entry {
            seq: (lines + i) as u64,
            at: Utc::now(),
            action: *action,
            id: id.to_string(),
            object: "0".repeat(64),
            size: 1,
            title: None,
            attestation: None,
            sign_off: crate::archive::LedgerSignOff {
                approved_by: "A".into(),
                date: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            },
            retention_years: 1,
            retain_until: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
            reason: Some("r".into()),
            prev: "0".repeat(64),
        };
        let line = e.to_line();
        leaves.push(crate::archive::merkle::leaf_hash(&line));
        bytes.extend_from_slice(&line);
        bytes.push(b'\n');
    }
    std::fs::write(root.join("ledger.jsonl"), &bytes).unwrap();
    let cp = crate::archive::journal::Checkpoint {
        size: leaves.len() as u64,
        root: hex::encode(crate::archive::merkle::root(&leaves)),
        ledger_bytes: bytes.len() as u64,
    };
    std::fs::write(root.join("checkpoint.json"), serde_json::to_vec(&cp).unwrap()).unwrap();
}

/// With its archive, `search` compares the ledger the index reflects with the archive's: newer
/// entries are a warning; a purge the index has not seen, or another ledger, is an error (the
/// index may still hold what was disposed of).
#[test]
fn search_says_when_the_index_is_behind_the_archive() {
    use crate::archive::Action;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    // The index of a 5-entry ledger, as the archive will have it.
    fake_ledger(tmp.path(), 5, &[]);
    let cp: crate::archive::journal::Checkpoint =
        serde_json::from_slice(&std::fs::read(tmp.path().join("checkpoint.json")).unwrap()).unwrap();
    let mut snap = snapshot(all());
    snap.root = cp.root.clone();
    rebuild(&dir, &snap).unwrap();
    let req = SearchRequest {
        query: "leak".into(),
        limit: 10,
        archive: Some(tmp.path().into()),
        ..Default::default()
    };
    let r = search(&dir, &req).unwrap();
    assert!(r.warnings.is_empty() && r.total == 2, "{r:?}");

    fake_ledger(tmp.path(), 5, &[(Action::Ingest, "INC-9"), (Action::LegalHold, "INC-2025-0023")]);
    let r = search(&dir, &req).unwrap();
    assert_eq!(r.total, 2);
    assert!(
        r.warnings.len() == 1 && r.warnings[0].contains("last 1 record version ingested"),
        "{:?}",
        r.warnings
    );
    fake_ledger(
        tmp.path(),
        5,
        &[(Action::LegalHold, "INC-2025-0023"), (Action::ReleaseHold, "INC-2025-0023")],
    );
    assert!(search(&dir, &req).unwrap().warnings.is_empty(), "holds change nothing the index holds");

    fake_ledger(tmp.path(), 5, &[(Action::Ingest, "INC-9"), (Action::Purge, "INC-2024-0107")]);
    let e = search(&dir, &req).unwrap_err();
    assert!(matches!(e, IndexError::Stale { .. }), "{e}");
    assert!(
        e.to_string().contains("`INC-2024-0107`") && e.to_string().contains("run `incident-archive index`"),
        "{e}"
    );

    fake_ledger(tmp.path(), 4, &[]);
    assert!(search(&dir, &req).unwrap_err().to_string().contains("another ledger"));
    fake_ledger(tmp.path(), 6, &[]);
    std::fs::write(tmp.path().join("ledger.jsonl"), b"").unwrap();
    fake_ledger(tmp.path(), 5, &[]);
    let mut other = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(tmp.path().join("checkpoint.json")).unwrap(),
    )
    .unwrap();
    other["root"] = "22".repeat(32).into();
    std::fs::write(tmp.path().join("checkpoint.json"), other.to_string()).unwrap();
    assert!(search(&dir, &req).unwrap_err().to_string().contains("another ledger"));
    // Without an archive the index is taken as it is.
    assert!(search(&dir, &SearchRequest { archive: None, ..req.clone() }).is_ok());
}

#[test]
fn lucky_lessons_learnings_and_impact_prose_are_searchable_by_field() {
    let mut inc = tls();
    inc.lessons_learned.lucky = vec!["The expiry fell on a quiet holiday weekend".into()];
    inc.lessons_learned.learnings = vec!["Certificates need owners".into()];
    inc.impact.text = "Mobile checkouts stalled for partners".into();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    rebuild(&dir, &snapshot(vec![inc, pool()])).unwrap();
    assert_eq!(ids(&ask(&dir, "lessons:holiday")), ["INC-2025-0031"]);
    assert_eq!(ids(&ask(&dir, "lessons:owners")), ["INC-2025-0031"]);
    assert_eq!(ids(&ask(&dir, "impact:partners")), ["INC-2025-0031"]);
}

/// A long list's parts as the browser reads them, decoded from the exported files: the
/// dictionary entry's top, the head file, the layers, the tail (chunks or a pack).
mod layered {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    type Posting = (u32, u32, u8);

    fn data(files: &BTreeMap<String, Vec<u8>>, name: &str) -> serde_json::Value {
        let path = format!("search/{name}.js");
        script_data(name, files.get(&path).unwrap_or_else(|| panic!("no {path}")))
    }

    /// The varints of an entry or a pack: `delta * 4 + min(tf - 1, 3)`, `tf - 4`, the norm.
    fn varints(s: &str, base: u8) -> Vec<Posting> {
        let v = export::enc::decode(s);
        let (mut out, mut doc, mut k) = (Vec::new(), -1i64, 0);
        while k < v.len() {
            doc += (v[k] / 4) as i64;
            let mut tf = (v[k] % 4) as u32 + 1;
            k += 1;
            if tf == 4 {
                tf += v[k] as u32;
                k += 1;
            }
            out.push((doc as u32, tf, (v[k] as u8).wrapping_add(base)));
            k += 1;
        }
        out
    }

    /// A list's own file: deflated columns in Z85.
    fn packed(s: &str, base: u8) -> Vec<Posting> {
        let (gaps, tfs, norms) = export::unpack_columns(s);
        let mut doc = -1i64;
        (0..gaps.len())
            .map(|i| {
                doc += gaps[i] as i64 + 1;
                (doc as u32, tfs[i] as u32 + 1, norms[i].wrapping_add(base))
            })
            .collect()
    }

    fn frontier(s: &str) -> Vec<(u32, u8)> {
        export::enc::decode(s).into_iter().map(|v| ((v / 256 + 1) as u32, (v % 256) as u8)).collect()
    }

    /// Every posting of `rest` is bounded by a pair of the frontier (as large a tf, as small a
    /// fieldnorm), and every pair is one of theirs: the bound is exact for any average length.
    fn bounds(what: &str, f: &[(u32, u8)], rest: &[Posting]) {
        for &(d, tf, norm) in rest {
            assert!(
                f.iter().any(|&(t, n)| t >= tf && n <= norm),
                "{what}: document {d} ({tf}, {norm}) above {f:?}"
            );
        }
        for &(t, n) in f {
            assert!(
                rest.iter().any(|&(_, tf, norm)| tf == t && norm == n),
                "{what}: ({t}, {n}) is no posting's"
            );
        }
    }

    #[test]
    fn a_long_list_is_its_top_head_layers_and_tail_each_bounded_by_what_precedes_it() {
        let corpus = incident_corpus::Corpus::new(3000, 11);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("index");
        rebuild(&dir, &snapshot(corpus_records(&corpus, 0..3000))).unwrap();
        let files: BTreeMap<String, Vec<u8>> = browser_export(&dir).unwrap().into_iter().collect();
        let meta = data(&files, "meta");
        let level = &meta["levels"][0];
        let (name, shards) = (level[0].as_str().unwrap(), level[3].as_u64().unwrap());
        let base = level[5][0].as_u64().unwrap() as u8;
        // The longest list of the first field with layers and chunks.
        let mut lists = Vec::new();
        for n in 0..shards {
            let shard = data(&files, &format!("{name}/t/{}", export::hex(n as usize, shards as usize)));
            for (key, entry) in shard.as_object().unwrap() {
                let e = entry.as_array().unwrap();
                if key.starts_with("0:")
                    && e.len() > 8
                    && !e[5].is_null()
                    && e[7].as_array().unwrap().len() == 3
                {
                    lists.push((e[0].as_u64().unwrap(), key.clone(), e.clone()));
                }
            }
        }
        lists.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let (df, key, e) = lists.pop().expect("a common word has layers and chunks");
        let df = df as usize;
        let dir = e[3].as_str().unwrap();
        let file = |n: &str| data(&files, &format!("{dir}/{n}")).as_str().unwrap().to_string();

        let top = varints(e[1].as_str().unwrap(), base);
        let head = packed(&file("h"), base);
        let head_size = export::head_size(df);
        assert_eq!(head.len(), head_size, "{key}");
        assert!(top.iter().all(|p| head.contains(p)), "the top is in the head");
        let layers: Vec<Vec<Posting>> = (1..=3).map(|n| packed(&file(&format!("g{n}")), base)).collect();
        for (n, layer) in layers.iter().enumerate() {
            assert_eq!(layer.len(), head_size * export::LAYERS[n], "layer {}", n + 1);
        }
        let shift = e[5].as_u64().unwrap();
        let mut chunk = -1i64;
        let mut tail = Vec::new();
        for d in export::enc::decode(e[6].as_str().unwrap()) {
            chunk += d as i64;
            let part = packed(&file(&chunk.to_string()), base);
            assert!(
                part.iter().all(|p| u64::from(p.0) >> shift == chunk as u64),
                "chunk {chunk} holds its range"
            );
            tail.extend(part);
        }
        // The parts split the list: no document twice, none missing.
        let mut all: Vec<Posting> = head.clone();
        layers.iter().for_each(|l| all.extend(l));
        all.extend(&tail);
        let docs: BTreeSet<u32> = all.iter().map(|p| p.0).collect();
        assert_eq!((all.len(), docs.len()), (df, df), "{key}: {df} postings in all");
        assert!(files.contains_key(&format!("search/{dir}/b.js")), "a documents file");

        // The frequencies file: every document's tf, in document order.
        let frequencies = file("f");
        let bytes = export::inflated_z85(&frequencies);
        let mut tfs = Vec::new();
        let mut k = 0;
        while k < bytes.len() {
            tfs.push(export::read_leb128(&bytes, &mut k) as u32 + 1);
        }
        let mut by_doc = all.clone();
        by_doc.sort();
        assert_eq!(tfs, by_doc.iter().map(|p| p.1).collect::<Vec<_>>(), "{key}: the tfs in document order");
        assert!(tfs.iter().any(|&tf| tf > 1), "{key}: tfs other than 1 are written");
        // The sizes the browser weighs it against the layers and chunks with, in characters.
        let size = |i: usize| e[i].as_u64().unwrap() as usize;
        assert_eq!(size(8), frequencies.len(), "the frequencies file's size");
        for n in 1..=3 {
            assert_eq!(size(8 + n), file(&format!("g{n}")).len(), "layer {n}'s size");
        }
        let chunks: Vec<usize> = export::enc::decode(e[6].as_str().unwrap())
            .iter()
            .scan(-1i64, |c, &d| {
                *c += d as i64;
                Some(file(&c.to_string()).len())
            })
            .collect();
        assert_eq!(size(12), chunks.iter().sum::<usize>() / chunks.len(), "a chunk's mean size");
        assert_eq!(e.len(), 13, "{key}: nothing else in the entry");

        // Each bound covers exactly what comes after its part.
        let after = |from: usize| -> Vec<Posting> {
            let mut rest: Vec<Posting> = layers[from..].iter().flatten().copied().collect();
            rest.extend(&tail);
            rest
        };
        let not_top: Vec<Posting> = all.iter().filter(|p| !top.contains(p)).copied().collect();
        bounds("after the top", &frontier(e[2].as_str().unwrap()), &not_top);
        bounds("after the head", &frontier(e[4].as_str().unwrap()), &after(0));
        for (n, f) in e[7].as_array().unwrap().iter().enumerate() {
            bounds(&format!("after layer {}", n + 1), &frontier(f.as_str().unwrap()), &after(n + 1));
        }
    }
}
