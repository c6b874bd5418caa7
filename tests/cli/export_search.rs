//! Integration tests of `export search`: the `_bulk` and Quickwit NDJSON files of a small fixed
//! archive (golden files), their shape (JSON lines, action/source pairs, one document per
//! current record, one delete per purge), the shipped OpenSearch mapping and Quickwit config
//! against the documents, `--since-seq`, byte-identical output, and no purged text in an export
//! written after the purge.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use incident_archive::bulk::{self, Kind};
use incident_archive::index::schema::MAX_TOKEN_BYTES;
use serde_json::Value;

use crate::common;

/// The ledger's clock.
const NOW: &str = "2026-01-31T02:00:00Z";

/// A word only the record to be purged holds.
const WORD: &str = "zorbluxqix";

/// A small record (front matter, id `SHOP-77`), which gets a legal hold.
fn held() -> String {
    fs::read_to_string(common::fixture("shapes/morgue.md")).unwrap()
}

/// A small record (id `INC-4410`), which gets a second version.
fn other(extra: &str) -> String {
    fs::read_to_string(common::fixture("shapes/headings.md"))
        .unwrap()
        .replace("## Root Cause", &format!("{extra}## Root Cause"))
}

/// A record past its retention (signed off in 2015, kept a year), carrying [`WORD`].
fn doomed() -> String {
    other("")
        .replace("INC-4410: Login failures", &format!("INC-2015-0001: {WORD} failures"))
        .replace("**Date**: 2025-07-15", "**Date**: 2015-01-15\n**Retention**: 1 year")
        .replace("before the identity provider", &format!("before the {WORD} provider"))
}

/// A temp project driven with the fixed clock.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("records")).unwrap();
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        fs::write(self.path().join("records").join(name), text).unwrap();
    }

    fn run(&self, args: &[&str]) -> common::Run {
        common::Run::of(common::bin().current_dir(self.path()).env("INCIDENT_ARCHIVE_NOW", NOW).args(args))
    }

    fn ok(&self, args: &[&str]) -> common::Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}\n{}", r.stdout, r.stderr);
        r
    }

    /// `export search` into `out` (under the project); returns the files written, by name.
    fn export(&self, out: &str, args: &[&str]) -> Vec<(String, String)> {
        let mut all = vec!["export", "search", "--out", out];
        all.extend(args);
        self.ok(&all);
        files(&self.path().join(out))
    }

    /// The ids of the ledger, and those purged.
    fn ledger_ids(&self) -> (BTreeSet<String>, BTreeSet<String>) {
        let ledger = fs::read_to_string(self.path().join("archive/ledger.jsonl")).unwrap();
        let (mut ids, mut purged) = (BTreeSet::new(), BTreeSet::new());
        for line in ledger.lines() {
            let e: Value = serde_json::from_str(line).unwrap();
            let id = e["id"].as_str().unwrap().to_string();
            if e["action"] == "purge" {
                purged.insert(id.clone());
            }
            ids.insert(id);
        }
        (ids, purged)
    }
}

/// The files of a folder, by name, with their text.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().path())
            .map(|p: PathBuf| {
                (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&p).unwrap())
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// The archive every test starts from, as ledger entries:
/// 0–2 ingest of INC-2015-0001, INC-4410 and SHOP-77 (in some order), 3 a new version of
/// INC-4410, 4 a hold on SHOP-77, 5 the purge of INC-2015-0001. The first exports (`before/`
/// for OpenSearch, `before-qw/` for Quickwit, entries 0–2) are made before the changes.
fn archive() -> Project {
    let p = Project::new();
    p.write("doomed.md", &doomed());
    p.write("other.md", &other(""));
    p.write("held.md", &held());
    p.ok(&["ingest"]);
    p.export("before", &["--format", "opensearch"]);
    p.export("before-qw", &["--format", "ndjson"]);
    p.write("other.md", &other("Seen again in the second version.\n\n"));
    p.ok(&["ingest"]);
    p.ok(&["retention", "hold", "SHOP-77", "--reason", "litigation 2026-17"]);
    let purge = p.ok(&["retention", "purge", "--reason", "retention period elapsed"]);
    assert!(purge.stdout.contains("purged INC-2015-0001"), "{}", purge.stdout);
    p
}

/// Each line of a file as JSON.
fn json_lines(text: &str) -> Vec<Value> {
    assert!(text.is_empty() || text.ends_with('\n'), "ends with a newline");
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

/// A `_bulk` file read as (action, id, source): every line JSON, each `index` followed by its
/// source, each `delete` by none.
fn bulk(text: &str) -> Vec<(String, String, Option<Value>)> {
    let lines = json_lines(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let action = lines[i].as_object().expect("an action line is an object");
        assert_eq!(action.len(), 1, "one action per line: {}", lines[i]);
        let (op, meta) = action.iter().next().unwrap();
        let id = meta["_id"].as_str().expect("an `_id`").to_string();
        assert_eq!(meta["_index"], "incidents");
        assert_eq!(meta["version_type"], "external_gte");
        match op.as_str() {
            "index" => {
                let source = lines.get(i + 1).expect("a source line after `index`").clone();
                assert!(
                    !source.as_object().unwrap().keys().any(|k| k == "index" || k == "delete"),
                    "a source, not an action: {source}"
                );
                assert_eq!(source["id"], id.as_str());
                assert_eq!(meta["version"], source["ledger_seq"], "versioned by the ledger sequence");
                out.push((op.clone(), id, Some(source)));
                i += 2;
            }
            "delete" => {
                out.push((op.clone(), id, None));
                i += 1;
            }
            other => panic!("unexpected action `{other}`"),
        }
    }
    out
}

#[test]
fn the_bulk_file_is_golden_and_well_formed() {
    let p = archive();
    let out = p.export("os", &["--format", "opensearch"]);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].0, "search-000000-000005.ndjson");
    insta::assert_snapshot!("bulk_opensearch", out[0].1);

    let actions = bulk(&out[0].1);
    let (ids, purged) = p.ledger_ids();
    let indexed: BTreeSet<String> = actions.iter().filter(|a| a.0 == "index").map(|a| a.1.clone()).collect();
    let deleted: BTreeSet<String> = actions.iter().filter(|a| a.0 == "delete").map(|a| a.1.clone()).collect();
    assert_eq!(indexed, ids.difference(&purged).cloned().collect(), "one document per current record");
    assert_eq!(actions.iter().filter(|a| a.0 == "index").count(), indexed.len(), "each once");
    assert_eq!(deleted, purged, "one delete per purge");
    assert_eq!(purged.len(), 1);

    // The proof fields: what the archive says of each record.
    let doc = |id: &str| actions.iter().find(|a| a.1 == id).unwrap().2.clone().unwrap();
    let held = doc("SHOP-77");
    assert_eq!(held["legal_hold"], true);
    assert_eq!(held["legal_hold_reason"], "litigation 2026-17");
    assert_eq!(held["ledger_seq"], 4);
    assert_eq!(held["version"], 1);
    assert_eq!(held["retain_until"], "2031-12-02T00:00:00Z");
    // Every document names the ledger entries that prove it: the one that made its state
    // current (same id, object and retention) and the one that added its version.
    let ledger: Vec<Value> = json_lines(&fs::read_to_string(p.path().join("archive/ledger.jsonl")).unwrap());
    for (_, id, source) in &actions {
        let Some(doc) = source else { continue };
        let current = &ledger[doc["ledger_seq"].as_u64().unwrap() as usize];
        assert_eq!(current["id"], id.as_str());
        assert_eq!(current["object"], doc["object"]);
        assert_eq!(format!("{}T00:00:00Z", current["retain_until"].as_str().unwrap()), doc["retain_until"]);
        let added = &ledger[doc["version_seq"].as_u64().unwrap() as usize];
        assert!(added["action"] == "ingest" || added["action"] == "new_version", "{added}");
        assert_eq!((&added["id"], &added["object"]), (&current["id"], &doc["object"]));
    }
    let two = doc("INC-4410");
    assert_eq!(
        (two["version"].clone(), two["version_seq"].clone(), two["ledger_seq"].clone()),
        (2.into(), 3.into(), 3.into())
    );
    assert_eq!(two["legal_hold"], false);
    assert!(two["legal_hold_reason"].is_null());
    assert!(two["text"].as_str().unwrap().contains("Seen again in the second version."));
    assert!(two["timeline"].as_array().unwrap().len() > 1);
}

#[test]
fn the_ndjson_files_are_golden_and_well_formed() {
    let p = archive();
    let out = p.export("qw", &["--format", "ndjson"]);
    let names: Vec<&str> = out.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["search-000000-000005.deletes.ndjson", "search-000000-000005.ndjson"]);
    insta::assert_snapshot!(
        "ndjson_quickwit",
        format!("== {}\n{}== {}\n{}", out[1].0, out[1].1, out[0].0, out[0].1)
    );

    let (ids, purged) = p.ledger_ids();
    let docs = json_lines(&out[1].1);
    let doc_ids: BTreeSet<String> = docs.iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(doc_ids, ids.difference(&purged).cloned().collect());
    assert_eq!(docs.len(), doc_ids.len());
    // A full export replaces nothing: its delete tasks are the purges.
    let tasks = json_lines(&out[0].1);
    assert_eq!(tasks.len(), purged.len());
    assert_eq!(tasks[0]["query"], "id:\"INC-2015-0001\" AND ledger_seq:[0 TO 5]");
}

/// The mapping's properties are exactly the fields every document carries, of the right
/// kind; the Quickwit config parses and names the same fields.
#[test]
fn the_mapping_and_the_quickwit_config_name_the_documents_fields() {
    let p = archive();
    let out = p.export("qw", &["--format", "ndjson"]);
    let docs = json_lines(&out[1].1);
    let mapping: Value = serde_json::from_str(
        &fs::read_to_string(common::repo().join("contrib/opensearch/mapping.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(mapping["mappings"]["dynamic"], "strict");
    let props = mapping["mappings"]["properties"].as_object().unwrap();
    let mapped: BTreeSet<&str> = props.keys().map(String::as_str).collect();
    let analyzers = mapping["settings"]["analysis"]["analyzer"].as_object().unwrap();
    let mut expected_quickwit = Vec::new();
    for doc in &docs {
        let carried: BTreeSet<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(carried, mapped, "a document's fields are the mapping's");
        for (name, value) in doc.as_object().unwrap() {
            let ty = props[name]["type"].as_str().unwrap();
            let one = |v: &Value| match ty {
                "keyword" | "text" | "date" => v.is_string() || v.is_null(),
                "long" => v.is_u64(),
                "boolean" => v.is_boolean(),
                other => panic!("type `{other}`"),
            };
            let ok = match value {
                Value::Array(items) => items.iter().all(one),
                v => one(v),
            };
            assert!(ok, "`{name}` is `{ty}` but holds {value}");
            if let Some(a) = props[name]["analyzer"].as_str() {
                assert!(analyzers.contains_key(a), "analyzer `{a}` is defined");
            }
        }
    }

    // Each field is mapped as the export's table says it is, and prose as the index analyzes it.
    for f in bulk::FIELDS {
        let prop = &props[f.name];
        let (ty, quickwit) = match f.kind {
            Kind::Text | Kind::Stored => ("text", "text"),
            Kind::Keyword => ("keyword", "text"),
            Kind::Date => ("date", "datetime"),
            Kind::Integer => ("long", "u64"),
            Kind::Boolean => ("boolean", "bool"),
        };
        assert_eq!(prop["type"], ty, "`{}`", f.name);
        assert_eq!(prop["analyzer"].as_str() == Some("incident_en"), f.kind == Kind::Text, "`{}`", f.name);
        assert_eq!(prop["index"] == false, f.kind == Kind::Stored, "`{}`", f.name);
        let quickwit = if f.many { format!("array<{quickwit}>") } else { quickwit.to_string() };
        expected_quickwit.push((f.name, quickwit, f.kind));
    }
    let analysis = &mapping["settings"]["analysis"];
    assert_eq!(
        analysis["analyzer"]["incident_en"]["filter"],
        serde_json::json!(["incident_long", "lowercase", "incident_snowball"])
    );
    assert_eq!(
        analysis["filter"]["incident_long"]["max"],
        MAX_TOKEN_BYTES - 1,
        "tokens of 40 bytes or more dropped"
    );
    assert_eq!(analysis["filter"]["incident_snowball"]["language"], "English");

    let yaml: serde_json::Value = serde_norway::from_str(
        &fs::read_to_string(common::repo().join("contrib/quickwit/incidents.yaml")).unwrap(),
    )
    .unwrap();
    let mappings = yaml["doc_mapping"]["field_mappings"].as_array().unwrap();
    let named: BTreeSet<&str> = mappings.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(named, mapped, "Quickwit names the same fields");
    assert_eq!(yaml["doc_mapping"]["mode"], "strict");
    let ts = yaml["doc_mapping"]["timestamp_field"].as_str().unwrap();
    assert!(named.contains(ts));
    for m in mappings {
        let name = m["name"].as_str().unwrap();
        let ty = m["type"].as_str().unwrap();
        let (_, want, kind) = expected_quickwit.iter().find(|e| e.0 == name).unwrap();
        assert_eq!(ty, want, "`{name}`");
        let tokenizer = match kind {
            Kind::Text => Some("en_stem"),
            Kind::Keyword => Some("raw"),
            _ => None,
        };
        assert_eq!(m["tokenizer"].as_str(), tokenizer, "`{name}`");
        let is_array = ty.starts_with("array<");
        for doc in &docs {
            assert_eq!(doc[name].is_array(), is_array, "`{name}`: `{ty}` against {}", doc[name]);
        }
        if name == ts {
            assert!(docs.iter().all(|d| d[name].is_string()), "every document has its timestamp");
        }
        // The delete tasks query `id` exactly and `ledger_seq` by range.
        if name == "id" {
            assert_eq!(m["tokenizer"], "raw");
        }
        if name == "ledger_seq" {
            assert_eq!((m["type"].as_str(), m["fast"].as_bool()), (Some("u64"), Some(true)));
        }
    }
}

/// `--since-seq N` exports exactly the records with an entry after N, in their current state;
/// nothing new writes nothing; a number past the ledger is refused.
#[test]
fn since_seq_gives_exactly_the_later_changes() {
    let p = archive();
    let out = p.export("inc", &["--format", "opensearch", "--since-seq", "2"]);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, "search-000003-000005.ndjson");
    let actions = bulk(&out[0].1);
    let got: Vec<(&str, &str)> = actions.iter().map(|a| (a.0.as_str(), a.1.as_str())).collect();
    assert_eq!(
        got,
        [("delete", "INC-2015-0001"), ("index", "INC-4410"), ("index", "SHOP-77")],
        "the purge, the new version and the hold"
    );
    for (_, _, source) in &actions {
        if let Some(s) = source {
            assert!(s["ledger_seq"].as_u64().unwrap() > 2, "{s}");
        }
    }
    // Entries 3..=5 alone give the same as the full export's lines for these records.
    let full = bulk(&p.export("full", &["--format", "opensearch"])[0].1);
    for a in &actions {
        assert!(full.contains(a), "{a:?}");
    }

    let after4 = bulk(&p.export("inc5", &["--format", "opensearch", "--since-seq", "4"])[0].1);
    assert_eq!(
        after4.iter().map(|a| (a.0.as_str(), a.1.as_str())).collect::<Vec<_>>(),
        [("delete", "INC-2015-0001")]
    );

    // Quickwit: the replaced documents are deleted up to entry 2, the purged one up to its purge.
    let qw = p.export("incq", &["--format", "ndjson", "--since-seq", "2"]);
    let tasks: Vec<String> =
        json_lines(&qw[0].1).iter().map(|t| t["query"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        tasks,
        [
            "id:\"INC-2015-0001\" AND ledger_seq:[0 TO 5]",
            "id:\"INC-4410\" AND ledger_seq:[0 TO 2]",
            "id:\"SHOP-77\" AND ledger_seq:[0 TO 2]",
        ]
    );
    assert_eq!(json_lines(&qw[1].1).len(), 2);

    let none = p.run(&["export", "search", "--format", "ndjson", "--since-seq", "5", "--out", "none"]);
    assert_eq!(none.code, 0, "{}", none.stderr);
    assert!(none.stderr.contains("nothing new after ledger entry 5"), "{}", none.stderr);
    assert!(!p.path().join("none").exists(), "nothing written");
    let past = p.run(&["export", "search", "--format", "ndjson", "--since-seq", "6", "--out", "none"]);
    assert_eq!(past.code, 2, "{}", past.stderr);
    assert!(past.stderr.contains("`--since-seq 6` is past"), "{}", past.stderr);
}

#[test]
fn the_same_archive_gives_the_same_bytes() {
    let p = archive();
    for format in ["opensearch", "ndjson"] {
        let a = p.export(&format!("{format}-a"), &["--format", format]);
        let b = p.export(&format!("{format}-b"), &["--format", format]);
        assert_eq!(a, b, "{format}");
        // Written again over itself: the same.
        assert_eq!(p.export(&format!("{format}-a"), &["--format", format]), a);
    }
}

/// An export written before the purge holds the record's text; none written after it does,
/// in either format, full or incremental; and an export into a folder that holds an earlier
/// file rewrites that file without the purged record's document.
#[test]
fn purged_text_is_in_no_export_written_after_the_purge() {
    let p = archive();
    for dir in ["before", "before-qw"] {
        let before = files(&p.path().join(dir));
        assert!(before.iter().any(|f| f.1.contains(WORD)), "{dir}: the test word is there before the purge");
    }
    for (dir, args) in [
        ("a", &["--format", "opensearch"][..]),
        ("b", &["--format", "ndjson"][..]),
        ("c", &["--format", "opensearch", "--since-seq", "0"][..]),
        ("d", &["--format", "ndjson", "--since-seq", "0"][..]),
    ] {
        let out = p.export(dir, args);
        assert!(!out.is_empty());
        for (name, text) in out {
            assert!(!text.to_lowercase().contains(WORD), "{dir}/{name} holds the purged text");
            assert!(!name.to_lowercase().contains(WORD));
        }
    }

    // The next export into the folders of the first ones.
    let old = "search-000000-000002.ndjson";
    let run = p.ok(&["export", "search", "--format", "opensearch", "--since-seq", "2", "--out", "before"]);
    assert!(
        run.stderr.contains(&format!("rewrote `before/{old}` without 1 document of records purged")),
        "{}",
        run.stderr
    );
    let run = p.ok(&["export", "search", "--format", "ndjson", "--since-seq", "2", "--out", "before-qw"]);
    assert!(run.stderr.contains(&format!("rewrote `before-qw/{old}` without 1 document")), "{}", run.stderr);
    for dir in ["before", "before-qw"] {
        let now = files(&p.path().join(dir));
        assert_eq!(now.len(), if dir == "before" { 2 } else { 4 }, "{now:?}");
        for (name, text) in &now {
            assert!(!text.to_lowercase().contains(WORD), "{dir}/{name} holds the purged text");
        }
        let scrubbed = &now.iter().find(|f| f.0 == old).unwrap().1;
        let ids: Vec<String> = if dir == "before" {
            bulk(scrubbed).into_iter().map(|a| a.1).collect()
        } else {
            json_lines(scrubbed).iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(ids, ["INC-4410", "SHOP-77"], "{dir}: the other documents stay, in order");
    }
}

#[test]
fn bad_input_and_a_damaged_archive_are_refused() {
    let p = archive();
    let bad = p.run(&["export", "search", "--format", "opensearch", "--index", "Incidents", "--out", "x"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("`Incidents` is not an index name"), "{}", bad.stderr);
    fs::write(p.path().join("file"), "x").unwrap();
    let file = p.run(&["export", "search", "--format", "opensearch", "--out", "file"]);
    assert_eq!(file.code, 2, "{}", file.stderr);
    assert!(file.stderr.contains("is not a folder"), "{}", file.stderr);
    let other = p.export("named", &["--format", "opensearch", "--index", "postmortems-v2"]);
    assert!(other[0].1.lines().next().unwrap().contains(r#""_index":"postmortems-v2""#));

    // A current record whose object is gone stops the export rather than going missing from it.
    let lines = json_lines(&other[0].1);
    let doc = lines.iter().find(|d| d["id"] == "SHOP-77").unwrap();
    let object = doc["object"].as_str().unwrap();
    fs::remove_file(p.path().join("archive/objects").join(&object[..2]).join(&object[2..])).unwrap();
    let gone = p.run(&["export", "search", "--format", "opensearch", "--out", "gone"]);
    assert_eq!(gone.code, 2, "{}", gone.stderr);
    assert!(gone.stderr.contains("record `SHOP-77` cannot be exported"), "{}", gone.stderr);
    assert!(!p.path().join("gone").exists());
}

/// A writer holding the archive's lock: the export waits for nothing, writes nothing and
/// exits 3.
#[test]
fn a_locked_archive_is_exit_3() {
    let p = archive();
    let archive = incident_archive::archive::Archive::open(&p.path().join("archive")).unwrap();
    let guard = archive.lock().unwrap();
    let locked = p.run(&["export", "search", "--format", "opensearch", "--out", "locked"]);
    assert_eq!(locked.code, 3, "{}", locked.stderr);
    assert!(locked.stderr.contains("locked"), "{}", locked.stderr);
    assert!(!p.path().join("locked").exists());
    drop(guard);
}
