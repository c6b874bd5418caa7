//! Integration tests of what a purge leaves behind (nothing of the record's text, anywhere the
//! tool writes), and of derived data that recovers by itself: leftovers of killed runs swept,
//! a garbled index rebuilt and never a panic, search on a read-only archive.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tantivy::schema::document::Document as _;

use crate::common;

/// A word that appears only in the record to be purged, and that no analyzer changes.
const WORD: &str = "zorbluxqix";

/// The reference record (byte-identical to the shared sample).
fn reference() -> String {
    fs::read_to_string(common::fixture("archive/INC-2025-0023.md")).unwrap()
}

/// A record signed off in 2015 and kept one year: past its retention by any real clock. It
/// carries [`WORD`] in its title (which ledger entries no longer copy) and in its body: the
/// root cause, the timeline, the resolution, a customer's name and an action item.
fn doomed() -> String {
    reference()
        .replace("INC-2025-0023", "INC-2015-0001")
        .replace(
            "**Title**: Database Connection Pool Exhaustion - Production",
            &format!("**Title**: {WORD} Pool Exhaustion - Production"),
        )
        .replace("**Date**: 2025-01-15", "**Date**: 2015-01-15")
        .replace("**Retention**: 7 years (compliance requirement)", "**Retention**: 1 year")
        .replace("remain open indefinitely", &format!("remain open {WORD} indefinitely"))
        .replace("Killed long-running queries", &format!("Killed {WORD} queries"))
        .replace("| TechStartup LLC |", "| Zorbluxqix Holdings |")
        .replace("Document database change process", &format!("Document {WORD} change process"))
}

/// A temp project: `records/`, `archive/`, `public/`.
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

    fn archive(&self) -> PathBuf {
        self.path().join("archive")
    }

    fn write(&self, name: &str, text: &str) {
        fs::write(self.path().join("records").join(name), text).unwrap();
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = common::bin().current_dir(self.path()).args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {out}\n{err}");
        out
    }
}

/// Every file under `root` (recursively) whose name or bytes contain `word` (any case).
fn files_holding(root: &Path, word: &str) -> Vec<String> {
    let mut found = Vec::new();
    for p in common::entries(root) {
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        if rel.to_lowercase().contains(word) {
            found.push(format!("the name {rel}"));
        }
        if !p.is_dir()
            && fs::read(&p).unwrap().windows(word.len()).any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
        {
            found.push(rel);
        }
    }
    found.sort();
    found
}

/// What tantivy still holds of `word` in the index at `dir`: stored documents of every
/// segment, deleted ones included (a delete only marks them), and terms of every indexed field.
fn index_holding(dir: &Path, word: &str) -> Vec<String> {
    let index = tantivy::Index::open_in_dir(dir).unwrap();
    incident_archive::index::schema::register(&index);
    let reader: tantivy::IndexReader =
        index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into().unwrap();
    let schema = index.schema();
    let mut found = Vec::new();
    for (s, segment) in reader.searcher().segment_readers().iter().enumerate() {
        let store = segment.get_store_reader(0).unwrap();
        for doc in 0..segment.max_doc() {
            let stored: tantivy::TantivyDocument = store.get(doc).unwrap();
            if stored.to_json(&schema).to_lowercase().contains(word) {
                found.push(format!("stored document {doc} of segment {s}"));
            }
        }
        for (field, entry) in schema.fields() {
            if entry.is_indexed()
                && let Ok(inverted) = segment.inverted_index(field)
                && inverted.terms().get(word.as_bytes()).unwrap().is_some()
            {
                found.push(format!("a term of `{}` in segment {s}", entry.name()));
            }
        }
    }
    found
}

/// The purge of a record leaves its text, title included, in no file the tool wrote: the
/// archive (objects, ledger, index segments, summary cache) and the site (pages, the retention
/// page, search shards, feed, `incidents.json`); nor in what `retention report` prints; and
/// search no longer finds it. Only the inbox, which the tool never writes, keeps the user's
/// copy.
#[test]
fn a_purged_record_leaves_no_copy_of_its_text_anywhere_the_tool_writes() {
    let p = Project::new();
    p.write("doomed.md", &doomed());
    p.write("kept.md", &reference());
    p.ok(&["build"]);
    // A second version: the index then also holds the first one as a deleted document.
    p.write("doomed.md", &doomed().replace("## Detection", "Seen again.\n\n## Detection"));
    p.ok(&["build"]);
    let before = files_holding(p.path(), WORD);
    for place in [
        "archive/objects/",
        "archive/cache/summaries.json",
        "archive/index/",
        "public/incidents/",
        "public/search/",
    ] {
        assert!(before.iter().any(|f| f.starts_with(place)), "{place} holds it before: {before:?}");
    }
    let in_index = index_holding(&p.archive().join("index"), WORD);
    assert!(in_index.iter().filter(|t| t.starts_with("stored document")).count() >= 2, "{in_index:?}");
    assert_eq!(p.run(&["search", WORD]).0, 0);

    let out = p.ok(&["retention", "purge", "--reason", "retention period elapsed"]);
    assert!(out.contains("purged INC-2015-0001"), "{out}");
    assert!(out.contains("cache: rewritten without the purged records' summaries"), "{out}");
    assert!(
        out.contains("index: 1 documents removed, ") && out.contains("deleted documents dropped"),
        "{out}"
    );
    assert!(out.contains("site: `") && out.contains("public` rendered again"), "{out}");

    let after = files_holding(p.path(), WORD);
    assert_eq!(after, ["records/doomed.md"], "only the inbox keeps it");
    let ledger = fs::read_to_string(p.archive().join("ledger.jsonl")).unwrap();
    assert!(!ledger.contains("\"title\""), "no entry carries a title: {ledger}");
    for report in [p.ok(&["retention", "report"]), p.ok(&["retention", "report", "--json"])] {
        assert!(!report.to_lowercase().contains(WORD), "{report}");
        assert!(report.contains("INC-2015-0001"), "{report}");
    }
    // What the site and the report say of it instead: id, hash, dates, reason, disposed of.
    let report = p.ok(&["retention", "report"]);
    let line = report.lines().find(|l| l.contains("INC-2015-0001")).unwrap();
    assert!(
        line.contains("retention period elapsed") && line.contains("(disposed of: content purged on "),
        "{line}"
    );
    for page in ["public/retention.html", "public/incidents/INC-2015-0001.html"] {
        let html = fs::read_to_string(p.path().join(page)).unwrap();
        assert!(html.contains("disposed of: content purged on "), "{page}: {html}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(p.path().join("public/incidents.json")).unwrap()).unwrap();
    let gone = json["incidents"].as_array().unwrap().iter().find(|i| i["id"] == "INC-2015-0001").unwrap();
    assert!(gone["title"].is_null() && gone["purged"] == true, "{gone}");
    let kept = json["incidents"].as_array().unwrap().iter().find(|i| i["id"] == "INC-2025-0023").unwrap();
    assert_eq!(kept["title"], "Database Connection Pool Exhaustion - Production");
    assert_eq!(index_holding(&p.archive().join("index"), WORD), Vec::<String>::new());
    let (code, _, err) = p.run(&["search", WORD]);
    assert_eq!(code, 1, "{err}");
    let hits = p.ok(&["search", "connection", "--json"]);
    assert!(hits.contains("INC-2025-0023") && !hits.contains("INC-2015-0001"), "{hits}");
    assert_eq!(p.run(&["verify"]).0, 0);

    // The next nightly run does not bring it back (the inbox copy is refused as purged).
    p.ok(&["build"]);
    assert_eq!(files_holding(p.path(), WORD), ["records/doomed.md"]);
}

/// The purged record's title in `tests/fixtures/ledger-with-titles`, an archive written before
/// ledger entries stopped carrying titles: `INC-2015-0001` (this title) ingested, then
/// `INC-2025-0023` (the reference record) ingested, held and released, then `INC-2015-0001`
/// purged; five entries, each with its `title`.
const OLD_TITLE_WORD: &str = "quillfennick";

/// An archive whose ledger entries carry titles (written before this version) still verifies
/// with the same root, and a build leaves its ledger byte for byte; its purged record's title,
/// which the append-only ledger keeps, is copied nowhere else: not to the site, the derived
/// data, `retention report` or `show`. Entries added to it carry no title, and a hold whose
/// entry has none after entries that had one is no fault.
#[test]
fn an_archive_whose_ledger_holds_titles_verifies_unchanged_and_shows_no_purged_title() {
    let p = Project::new();
    common::copy_tree(&common::fixture("ledger-with-titles"), &p.archive());
    let ledger = p.archive().join("ledger.jsonl");
    let before = fs::read(&ledger).unwrap();
    let root = "cdeaefcff798e749160e235f2397fef92513475fe03f38ca58b9d2bcda528845";
    assert_eq!(String::from_utf8_lossy(&before).matches("\"title\":").count(), 5);

    let out = p.ok(&["verify"]);
    assert!(
        out.contains(&format!("verified 5 ledger entries and 1 objects in `archive`: root {root}: ok")),
        "{out}"
    );
    let out = p.ok(&["build"]);
    assert!(out.contains(root), "{out}");
    assert_eq!(fs::read(&ledger).unwrap(), before, "the ledger is not rewritten");
    assert_eq!(files_holding(p.path(), OLD_TITLE_WORD), ["archive/ledger.jsonl"], "only the old entries");

    let page = fs::read_to_string(p.path().join("public/incidents/INC-2015-0001.html")).unwrap();
    assert!(
        page.contains(
            "(disposed of: content purged on <time datetime=\"2026-02-01T03:00:00Z\">2026-02-01</time>)"
        ),
        "{page}"
    );
    let kept = fs::read_to_string(p.path().join("public/incidents/INC-2025-0023.html")).unwrap();
    assert!(
        kept.contains("<h1>Database Connection Pool Exhaustion - Production</h1>"),
        "the live record's own title"
    );
    let report = p.ok(&["retention", "report", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert!(report["purged"][0]["title"].is_null(), "{report}");
    assert_eq!(
        report["purged"][0]["object"],
        "3d6eb8b4f757ffdb8d8cd5941516bfe1cad7bbf5b45247a52951ac244850c7b8"
    );
    let text = p.ok(&["retention", "report"]);
    assert!(
        text.contains("purged 2026-02-01: retention period elapsed (sha256 3d6eb8b4f757ffdb8d8cd5941516bfe1cad7bbf5b45247a52951ac244850c7b8)  (disposed of: content purged on 2026-02-01)"),
        "{text}"
    );
    for args in [&["show", "INC-2015-0001"][..], &["show", "INC-2015-0001", "--json"]] {
        let out = p.ok(args);
        assert!(!out.to_lowercase().contains(OLD_TITLE_WORD), "{args:?}: {out}");
        assert!(out.contains("INC-2015-0001"), "{out}");
    }
    let shown = p.ok(&["show", "INC-2025-0023"]);
    assert!(
        shown.starts_with("INC-2025-0023  Database Connection Pool Exhaustion - Production\n"),
        "{shown}"
    );

    // New entries carry no title; the old ones keep their bytes, and the whole verifies.
    p.ok(&["retention", "hold", "INC-2025-0023", "--reason", "audit 2027"]);
    let after = fs::read(&ledger).unwrap();
    assert_eq!(&after[..before.len()], &before[..]);
    let added = String::from_utf8(after[before.len()..].to_vec()).unwrap();
    assert!(added.contains("\"action\":\"legal_hold\"") && !added.contains("title"), "{added}");
    p.ok(&["verify"]);
}

/// Each kind of leftover a killed (or failed) run leaves in the archive or beside the site is
/// removed by the next run that holds the lock.
#[test]
fn leftovers_of_killed_runs_are_removed_by_the_next_run() {
    let p = Project::new();
    p.write("kept.md", &reference());
    p.ok(&["build"]);
    let a = p.archive();
    let leftovers = [
        a.join(".index.rebuild-99999"),
        a.join(".index.old-99998"),
        a.join(".tmp-index-rebuild-99997"),
        a.join(".tmp-index-old-99996"),
        p.path().join(".public.new-abc123"),
    ];
    for d in &leftovers {
        fs::create_dir_all(d.join("sub")).unwrap();
        fs::write(d.join("sub/0a1b.store"), b"half-written").unwrap();
    }
    let files = [
        a.join("cache/.tmp-x"),
        a.join(".tmp-4242-0"),
        a.join("index/.tmp-incident-archive.json"),
        a.join("index/.incident-archive.json.tmp"),
        a.join("index/.tmp-ids.json"),
    ];
    for f in &files {
        fs::write(f, b"{").unwrap();
    }

    // A locked run that does not touch the index removes the archive's temporaries.
    p.ok(&["retention", "hold", "INC-2025-0023", "--reason", "audit"]);
    assert!(!a.join("cache/.tmp-x").exists() && !a.join(".tmp-4242-0").exists());
    assert!(!a.join(".tmp-index-rebuild-99997").exists() && !a.join(".tmp-index-old-99996").exists());

    let (code, out, err) = p.run(&["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for x in leftovers.iter().chain(&files) {
        assert!(!x.exists(), "{} is still there", x.display());
    }
    assert!(err.contains("left by an interrupted index run"), "{err}");
    assert!(!out.contains("(rebuilt)"), "the index itself was intact: {out}");
    let mut root: Vec<String> =
        fs::read_dir(&a).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    root.sort();
    assert_eq!(
        root,
        [
            ".lock",
            "archive.json",
            "cache",
            "checkpoint",
            "checkpoint.json",
            "index",
            "ledger.jsonl",
            "objects"
        ]
    );
    assert_eq!(p.run(&["search", "connection"]).0, 0);
}

/// A `kill -9` at any moment of an index rebuild leaves at most a folder beside the index,
/// which the next run removes; the index it leaves in place is always usable.
#[test]
fn a_rebuild_killed_at_any_moment_leaves_nothing_after_the_next_run() {
    let p = Project::new();
    incident_corpus::Corpus::new(300, 3).write(&p.path().join("records")).unwrap();
    p.ok(&["build"]);
    let reference = p.ok(&["search", "connection pool", "--limit", "5"]);
    let mut killed = 0;
    for delay in [5u64, 40, 150, 400, 900] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("incident-archive"))
            .args(["-q", "index", "--rebuild"])
            .current_dir(p.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        child.kill().ok();
        child.wait().unwrap();
        let (code, out, err) = p.run(&["build"]);
        assert_eq!(code, 0, "after a kill at {delay} ms: {out}\n{err}");
        let stray: Vec<String> = fs::read_dir(p.archive())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(".tmp-") || n.starts_with(".index"))
            .collect();
        assert!(stray.is_empty(), "after a kill at {delay} ms: {stray:?}");
        assert_eq!(p.ok(&["search", "connection pool", "--limit", "5"]), reference, "kill at {delay} ms");
    }
    assert!(killed > 0, "no kill landed during a rebuild");
}

/// Every byte class of every index file garbled in turn: `search` answers or says the index is
/// damaged (exit 2), never panics (exit 101) or dies of a signal; the next `build` finds the
/// damage, rebuilds, and search ranks as before.
#[test]
fn a_garbled_index_never_makes_search_panic_and_build_rebuilds_it() {
    let p = Project::new();
    common::copy_records(&common::records(), &p.path().join("records"));
    p.ok(&["build"]);
    let queries: [&[&str]; 3] = [
        &["search", "connection", "--facets"],
        &["search", "\"connection pool\"", "--json"],
        &["search", "root_cause:index AND severity:P1"],
    ];
    let answers = |p: &Project| queries.iter().map(|q| p.run(q)).collect::<Vec<_>>();
    let reference = answers(&p);
    let index = p.archive().join("index");
    let pristine = p.path().join("pristine");
    fs::create_dir(&pristine).unwrap();
    let mut names: Vec<String> = fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    names.sort();
    for n in &names {
        fs::copy(index.join(n), pristine.join(n)).unwrap();
    }
    let mut codes = std::collections::BTreeMap::new();
    for n in &names {
        let len = fs::metadata(pristine.join(n)).unwrap().len() as usize;
        for at in [0, 1, len / 9, len / 3, len / 2, len * 2 / 3, len - 9.min(len), len - 1] {
            let mut bytes = fs::read(pristine.join(n)).unwrap();
            bytes[at] ^= 0x24;
            fs::write(index.join(n), &bytes).unwrap();
            for q in &queries {
                let out = common::bin().current_dir(p.path()).args(*q).output().unwrap();
                let code = out.status.code();
                assert!(
                    matches!(code, Some(0..=2)),
                    "{n} byte {at}, {q:?}: {:?}\n{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                );
                if code == Some(2) {
                    let err = String::from_utf8_lossy(&out.stderr);
                    assert!(err.contains("is damaged") && err.contains("--rebuild"), "{n} byte {at}: {err}");
                }
                *codes.entry(code).or_insert(0) += 1;
            }
            fs::copy(pristine.join(n), index.join(n)).unwrap();
        }
    }
    assert!(codes.get(&Some(2)).is_some_and(|n| *n > 0), "{codes:?}");

    // Garbled where only a checksum sees it: build rebuilds, search answers as before.
    let store = names.iter().find(|n| n.ends_with(".store")).unwrap();
    let mut bytes = fs::read(index.join(store)).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    fs::write(index.join(store), &bytes).unwrap();
    let (code, out, err) = p.run(&["build"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(rebuilt)"), "{out}");
    assert!(err.contains("does not match its checksum"), "{err}");
    assert_eq!(answers(&p), reference);
}

/// The current user's id, from `/proc/self/status`.
fn uid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| l.strip_prefix("Uid:"))?.split_whitespace().next()?.parse().ok()
}

/// Every path under `root` with its length and modification time.
fn listing(root: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    common::entries(root)
        .into_iter()
        .map(|p| {
            let m = fs::symlink_metadata(&p).unwrap();
            (p, m.len(), m.modified().unwrap())
        })
        .collect()
}

fn set_mode(root: &Path, writable: bool) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = fs::symlink_metadata(&p).unwrap();
        let mode = m.permissions().mode();
        let mode = if writable { mode | 0o200 } else { mode & !0o222 };
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        if m.is_dir() {
            stack.extend(fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        }
    }
}

/// An auditor searches a read-only copy of the archive (`chmod -R a-w`): search works, and
/// creates or changes no file. Root ignores file modes, so when the tests run as root the
/// search also runs as `nobody` (with `setpriv`), for whom the modes hold.
#[test]
fn search_works_on_a_read_only_archive_and_writes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    common::copy_records(&common::records(), &p.path().join("records"));
    p.ok(&["build"]);
    let expected = p.ok(&["search", "connection", "--json"]);
    fs::set_permissions(p.path(), fs::Permissions::from_mode(0o755)).unwrap();
    set_mode(&p.archive(), false);
    let before = listing(&p.archive());

    let (code, out, err) = p.run(&["search", "connection", "--json"]);
    assert_eq!((code, out.as_str()), (0, expected.as_str()), "{err}");
    assert_eq!(listing(&p.archive()), before, "search created or changed a file");

    if uid() == Some(0) {
        let bin = assert_cmd::cargo::cargo_bin("incident-archive");
        let probe = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .output();
        if probe.is_ok_and(|o| o.status.success()) {
            let out = std::process::Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&bin)
                .args(["search", "connection", "--json"])
                .current_dir(p.path())
                .env("NO_COLOR", "1")
                .env_remove("SOURCE_DATE_EPOCH")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            if stderr.contains("Permission denied") && stderr.contains(bin.to_string_lossy().as_ref()) {
                eprintln!("skipped the unprivileged search: `nobody` cannot run {}", bin.display());
            } else {
                assert_eq!(out.status.code(), Some(0), "as nobody: {stderr}");
                assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
                assert_eq!(listing(&p.archive()), before);
            }
        } else {
            eprintln!("skipped the unprivileged search: setpriv cannot switch to `nobody` here");
        }
    }
    set_mode(&p.archive(), true);
}

/// A search on an index that has not seen the archive's last entries says so: a warning for
/// new records, an error for a purge (the index may still hold the purged text).
#[test]
fn search_says_so_when_the_index_has_not_seen_the_last_entries() {
    let p = Project::new();
    p.write("doomed.md", &doomed());
    p.ok(&["build"]);
    fs::write(p.path().join("records/new.md"), reference().replace("INC-2025-0023", "INC-2025-0999"))
        .unwrap();
    p.ok(&["ingest"]);
    let (code, out, err) = p.run(&["search", "connection"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("INC-2015-0001"), "{out}");
    assert!(err.contains("warning: the index does not include the last 1 record version ingested"), "{err}");

    // An index that has not seen a purge: the one from before it, put back (a purge killed
    // right after its ledger entry leaves the same).
    let index = p.archive().join("index");
    let saved = p.path().join("index-before");
    fs::create_dir(&saved).unwrap();
    for e in fs::read_dir(&index).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), saved.join(e.file_name())).unwrap();
    }
    p.ok(&["retention", "purge", "--reason", "expired"]);
    fs::remove_dir_all(&index).unwrap();
    fs::rename(&saved, &index).unwrap();
    let (code, out, err) = p.run(&["search", "connection"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(!out.contains("INC-2015-0001"), "{out}");
    assert!(err.contains("a record was purged since it was updated: `INC-2015-0001`"), "{err}");
    assert!(err.contains("run `incident-archive index`"), "{err}");
    p.ok(&["index"]);
    let (code, _, err) = p.run(&["search", WORD]);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("warning"), "{err}");
}

/// When the clean-up after a purge fails (here: the site cannot be rendered), the purge stays
/// done, the command says what may still hold the text and exits 1; the next `build` that
/// succeeds finishes the job.
#[test]
fn a_purge_whose_clean_up_fails_says_so_and_the_next_build_finishes_it() {
    let p = Project::new();
    p.write("doomed.md", &doomed());
    p.write("kept.md", &reference());
    p.ok(&["build"]);
    fs::create_dir(p.path().join("broken")).unwrap();
    fs::write(p.path().join("broken/incident.html"), "{% if %}").unwrap();
    fs::write(p.path().join("incident-archive.yaml"), "templates: broken\n").unwrap();

    let (code, out, err) = p.run(&["retention", "purge", "--reason", "expired"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("purged INC-2015-0001"), "{out}");
    assert!(err.contains("the purge is recorded") && err.contains("run `incident-archive build`"), "{err}");
    assert!(files_holding(p.path(), WORD).iter().any(|f| f.starts_with("public/")), "the site still has it");
    assert!(!files_holding(&p.archive(), WORD).iter().any(|f| f.starts_with("index/")), "the index is done");

    fs::remove_file(p.path().join("incident-archive.yaml")).unwrap();
    p.ok(&["build"]);
    assert_eq!(files_holding(p.path(), WORD), ["records/doomed.md"]);
}

/// A tmpfs of a given size mounted in a temp folder, unmounted when dropped; `None` where
/// mounting is not permitted.
struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    fn mount(path: &Path, kib: u32) -> Option<SmallDisk> {
        fs::create_dir_all(path).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk { path: path.to_path_buf() })
    }

    fn resize(&self, kib: u32) {
        let s = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={kib}k")])
            .arg(&self.path)
            .status()
            .unwrap();
        assert!(s.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.path).status();
    }
}

/// A full disk at any step of a build (objects, summary cache, index) leaves no temp file or
/// folder behind (a failed write removes its own; an interrupted ingest leaves its journal,
/// `pending.json`, which the next run completes), and the build that has room finishes the
/// job. Needs a tmpfs mount (root); skipped where mounting is not permitted.
#[test]
fn a_full_disk_leaves_no_temporaries_and_the_next_build_recovers() {
    // 200 KiB: full during ingest; 360: the summary cache; 480, 720: the index.
    for kib in [200, 360, 480, 720] {
        let p = Project::new();
        common::copy_records(&common::records(), &p.path().join("records"));
        fs::write(p.path().join("incident-archive.yaml"), "archive: disk/archive\n").unwrap();
        let Some(disk) = SmallDisk::mount(&p.path().join("disk"), kib) else {
            eprintln!("skipped: cannot mount a tmpfs here");
            return;
        };
        let (code, out, err) = p.run(&["build"]);
        let a = p.path().join("disk/archive");
        // Temp files of objects an interrupted ingest announced in its journal are the
        // journal's: the next run removes them.
        let stray = |objects_too: bool| -> Vec<String> {
            let mut names = Vec::new();
            let objects = fs::read_dir(a.join("objects")).into_iter().flatten().map(|e| e.unwrap().path());
            let objects: Vec<PathBuf> = if objects_too { objects.collect() } else { Vec::new() };
            for dir in [a.clone(), a.join("cache"), a.join("index")].into_iter().chain(objects) {
                for e in fs::read_dir(&dir).into_iter().flatten() {
                    let n = e.unwrap().file_name().into_string().unwrap();
                    if n.starts_with(".tmp-") || n.starts_with(".index.") || n.ends_with(".tmp") {
                        names.push(format!("{}/{n}", dir.display()));
                    }
                }
            }
            names
        };
        assert_ne!(code, 101, "{kib} KiB: {err}");
        let journal = a.join("pending.json").exists();
        assert_eq!(stray(!journal), Vec::<String>::new(), "{kib} KiB, exit {code}: {out}\n{err}");
        disk.resize(16 * 1024);
        let (code, out, err) = p.run(&["build"]);
        assert_eq!(code, 0, "{kib} KiB, then room: {out}\n{err}");
        assert_eq!(stray(true), Vec::<String>::new());
        assert!(!a.join("pending.json").exists());
        assert_eq!(p.run(&["verify"]).0, 0);
        assert_eq!(p.run(&["search", "connection"]).0, 0);
    }
}
