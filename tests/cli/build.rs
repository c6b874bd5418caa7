//! Integration tests of `build`: the nightly job run end to end on the sample records (first run,
//! idle run, added and changed records, rejections, exit codes, configuration), and the records
//! of the benchmarks' synthetic corpus (`tools/corpus`) through the sign-off gate.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{self, Run};

/// The archive's clock in these tests (ledger times), so that runs are reproducible.
const NOW: &str = "2026-11-28T02:00:00Z";
/// The build date of every run here.
const AS_OF: &str = "2026-11-28";
/// The reference record among the samples.
const REFERENCE: &str = "INC-2025-0023";
/// The steps `build` times, in order.
const STEPS: [&str; 5] = ["ingest", "snapshot", "index", "site", "verify"];

/// A temp project folder holding a copy of the sample records in `records/`; the binary runs
/// with it as the current folder, so the defaults `records/` → `archive/` → `public/` apply.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn with_samples() -> Self {
        let dir = tempfile::tempdir().unwrap();
        common::copy_records(&common::records(), &dir.path().join("records"));
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::of(common::bin().current_dir(self.path()).env("INCIDENT_ARCHIVE_NOW", NOW).args(args))
    }

    /// `build --as-of AS_OF --json`, expecting exit `code`; the JSON summary.
    fn build_json(&self, code: i32) -> Value {
        let run = self.run(&["build", "--as-of", AS_OF, "--json"]);
        assert_eq!(run.code, code, "stdout {}\nstderr {}", run.stdout, run.stderr);
        run.json()
    }

    /// Writes `records/<name>`.
    fn write_record(&self, name: &str, text: &str) {
        fs::write(self.join("records").join(name), text).unwrap();
    }

    /// The ids in the ledger, in ledger order.
    fn ledger_ids(&self) -> Vec<String> {
        fs::read_to_string(self.join("archive/ledger.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_str().unwrap().to_string())
            .collect()
    }

    /// The path of an archived object.
    fn object(&self, sha: &str) -> PathBuf {
        self.join("archive/objects").join(&sha[..2]).join(&sha[2..])
    }
}

/// The reference record's text.
fn reference() -> String {
    fs::read_to_string(common::records().join(format!("{REFERENCE}.md"))).unwrap()
}

/// A valid record: the reference with another id and title.
fn record(id: &str, title: &str) -> String {
    let text = reference().replace(REFERENCE, id);
    let old = "**Title**: Database Connection Pool Exhaustion - Production";
    assert!(text.contains(old));
    text.replace(old, &format!("**Title**: {title}"))
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One file as a later run must leave it: same inode, same mtime, same bytes.
#[derive(Debug, PartialEq, Eq)]
struct FileState {
    inode: u64,
    mtime: (i64, i64),
    bytes: Vec<u8>,
}

/// Every file (not folder) under `root`, by path relative to it with `/` separators.
fn files(root: &Path) -> BTreeMap<String, FileState> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, FileState>) {
        for e in fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                walk(root, &path, out);
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let bytes = if meta.is_symlink() {
                fs::read_link(&path).unwrap().to_string_lossy().into_owned().into_bytes()
            } else {
                fs::read(&path).unwrap()
            };
            out.insert(rel, FileState { inode: meta.ino(), mtime: (meta.mtime(), meta.mtime_nsec()), bytes });
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The paths of `after` that are new or differ from `before` (inode, mtime or bytes).
fn changed(before: &BTreeMap<String, FileState>, after: &BTreeMap<String, FileState>) -> Vec<String> {
    after.iter().filter(|(p, s)| before.get(*p) != Some(*s)).map(|(p, _)| p.clone()).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[test]
fn a_first_build_archives_indexes_and_renders_the_samples() {
    // No configuration file and no arguments: `records/` → `archive/` → `public/` of the
    // current folder.
    let human = Project::with_samples();
    let run = human.run(&["build", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.contains("records: 32 seen, 32 new, 0 new versions, 0 unchanged, 0 rejected"), "{out}");
    assert!(out.contains("verify:  ok (32 objects hashed)"), "{out}");
    assert!(out.contains("index:   32 documents, 32 reindexed, 0 removed"), "{out}");
    assert!(out.contains(&format!("site:    `public` as of {AS_OF}: ")), "{out}");
    let root = out
        .lines()
        .find_map(|l| l.strip_prefix("archive: 32 ledger entries, root "))
        .unwrap_or_else(|| panic!("no archive line: {out}"))
        .to_string();
    assert_eq!(root.len(), 64, "{root}");
    let time = out.lines().find(|l| l.starts_with("time:    ")).unwrap_or_else(|| panic!("{out}"));
    assert!(STEPS.iter().all(|s| time.contains(&format!("{s} "))), "{time}");
    for rel in [
        "archive/ledger.jsonl",
        "archive/checkpoint.json",
        "archive/index/meta.json",
        "public/index.html",
        "public/search.html",
        "public/incidents/INC-2025-0023.html",
        "public/search/meta.js",
    ] {
        assert!(human.join(rel).is_file(), "{rel} missing");
    }
    assert!(fs::read_dir(human.join("public/search/0/t")).unwrap().count() > 0, "no dictionary shards");
    assert_eq!(human.ledger_ids().len(), 32);

    // The same records and clock from another empty archive: the same root; `--json` and
    // `--report` give the same summary.
    let json = Project::with_samples();
    let run = json.run(&["build", "--as-of", AS_OF, "--json", "--report", "report.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fs::read_to_string(json.join("report.json")).unwrap(), run.stdout);
    let r = run.json();
    let i = &r["ingest"];
    assert_eq!(
        (&i["seen"], &i["new"], &i["new_versions"], &i["unchanged"]),
        (&Value::from(32), &Value::from(32), &Value::from(0), &Value::from(0)),
        "{i:#}"
    );
    assert_eq!(i["rejected"], Value::Array(vec![]));
    assert_eq!(i["changes"].as_array().unwrap().len(), 32);
    assert!(i["changes"].as_array().unwrap().iter().all(|c| c["action"] == "ingest"));
    assert_eq!(i["root"], Value::from(root.clone()));
    assert_eq!(r["verify"]["root"], Value::from(root));
    assert_eq!(r["verify"]["ok"], true);
    assert_eq!(r["verify"]["objects"], 32);
    assert_eq!(r["index"]["documents"], 32);
    assert_eq!(r["build_date"], AS_OF);
    assert_eq!((r["archive"].as_str(), r["output"].as_str()), (Some("archive"), Some("public")));
    assert!(
        r["site"]["rendered_pages"].as_array().unwrap().iter().any(|p| p == "incidents/INC-2025-0023.html")
    );
    let timings = r["timings"].as_array().unwrap();
    let steps: Vec<&str> = timings.iter().map(|t| t["step"].as_str().unwrap()).collect();
    assert_eq!(steps, STEPS);
    for t in timings {
        assert!(t["seconds"].as_f64().is_some_and(|s| s >= 0.0), "{t}");
        assert!(t["peak_rss_bytes"].as_u64().is_some_and(|b| b > 0), "{t}");
    }
    assert!(r["seconds"].as_f64().is_some());
}

#[test]
fn a_second_build_with_nothing_new_rewrites_no_file() {
    let p = Project::with_samples();
    let first = p.build_json(0);
    let archive = files(&p.join("archive"));
    let public = files(&p.join("public"));
    // The lock file is compared too: taking the lock opens it without truncating or writing.
    assert!(archive.contains_key(".lock"));

    let r = p.build_json(0);
    let i = &r["ingest"];
    assert_eq!((i["seen"].as_u64(), i["unchanged"].as_u64()), (Some(32), Some(32)), "{i:#}");
    assert_eq!((i["new"].as_u64(), i["new_versions"].as_u64()), (Some(0), Some(0)), "{i:#}");
    assert_eq!(i["changes"], Value::Array(vec![]));
    assert_eq!(i["root"], first["ingest"]["root"]);
    assert_eq!(r["verify"]["root"], first["verify"]["root"]);
    assert_eq!(r["index"]["changed"], false, "{:#}", r["index"]);
    assert_eq!(r["index"]["added"], 0);
    assert_eq!(r["site"]["rendered"], 0, "{:#}", r["site"]);
    assert_eq!(r["site"]["rendered_pages"], Value::Array(vec![]));
    assert_eq!(r["site"]["write"]["written"], 0);

    // Not one file rewritten. (The site's folders themselves are new: the writer stages a new
    // tree of hard links to the unchanged files and swaps it in atomically; the files keep
    // their inodes, mtimes and bytes.)
    assert_eq!(changed(&archive, &files(&p.join("archive"))), Vec::<String>::new());
    assert_eq!(files(&p.join("archive")).len(), archive.len());
    let after = files(&p.join("public"));
    assert_eq!(changed(&public, &after), Vec::<String>::new());
    assert_eq!(after.keys().collect::<Vec<_>>(), public.keys().collect::<Vec<_>>());
}

#[test]
fn an_added_record_rerenders_only_the_pages_it_touches() {
    let p = Project::with_samples();
    p.build_json(0);
    let before = files(&p.join("public"));
    let id = "INC-2026-0101";
    p.write_record(&format!("{id}.md"), &record(id, "Quasar Cache Stampede in the Edge Tier"));

    let r = p.build_json(0);
    let i = &r["ingest"];
    assert_eq!((i["seen"].as_u64(), i["new"].as_u64()), (Some(33), Some(1)), "{i:#}");
    assert_eq!((i["new_versions"].as_u64(), i["unchanged"].as_u64()), (Some(0), Some(32)), "{i:#}");
    assert_eq!(i["changes"][0]["id"], id);
    assert_eq!(i["changes"][0]["action"], "ingest");
    assert_eq!((r["index"]["added"].as_u64(), r["index"]["documents"].as_u64()), (Some(1), Some(33)));

    // Its own page, its two neighbours in time (their previous/next links now name it), its
    // customers' and owners' pages, the lists and the home page; no other incident, customer,
    // owner or year page.
    let rendered: BTreeSet<String> = strings(&r["site"]["rendered_pages"]).into_iter().collect();
    let own = fs::read_to_string(p.join(&format!("public/incidents/{id}.html"))).unwrap();
    let neighbours: Vec<String> = ["prev", "next"]
        .iter()
        .filter_map(|rel| {
            let at = own.find(&format!("<a rel=\"{rel}\" href=\"../incidents/"))?;
            let name = &own[at..].split('"').nth(3)?["../incidents/".len()..];
            Some(name.to_string())
        })
        .collect();
    // Same start as INC-2025-0023, later by id: between it and the next older incident.
    assert_eq!(neighbours.len(), 2, "{neighbours:?}");
    assert!(neighbours.contains(&"INC-2025-0023.html".to_string()), "{neighbours:?}");
    let customers = ["globalbank-corp", "healthtech-systems", "retailchain-inc", "techstartup-llc"];
    let owners = ["db-team", "platform", "qa-team"];
    let mut must: Vec<String> =
        vec![format!("incidents/{id}.html"), "index.html".into(), "incidents/2025.html".into()];
    must.extend(customers.iter().map(|c| format!("customers/{c}.html")));
    must.extend(neighbours.iter().map(|n| format!("incidents/{n}")));
    for page in &must {
        assert!(rendered.contains(page), "{page} not re-rendered: {rendered:?}");
    }
    for page in &rendered {
        let allowed = match page.split_once('/') {
            Some(("incidents", name)) => {
                name == format!("{id}.html")
                    || name == "2025.html"
                    || name == "index.html"
                    || neighbours.iter().any(|n| n == name)
            }
            // The index and its sorted views (`by-…`) show the counts the record changed.
            Some(("customers", name)) => {
                name == "index.html"
                    || name.starts_with("by-")
                    || customers
                        .iter()
                        .any(|c| name == format!("{c}.html") || name == format!("{c}.items.html"))
            }
            Some(("owners", name)) => {
                name == "index.html"
                    || name.starts_with("by-")
                    || owners.iter().any(|o| name == format!("{o}.html"))
            }
            Some(_) => false,
            None => true, // the home page and the site-wide lists (actions, retention, feed)
        };
        assert!(allowed, "{page} re-rendered for a record that does not touch it: {rendered:?}");
    }

    // Every other page is the same file as before: same inode, mtime and bytes.
    let after = files(&p.join("public"));
    let mut kept = 0;
    for (path, state) in &before {
        if path.ends_with(".html") && !rendered.contains(path) {
            assert_eq!(after.get(path), Some(state), "{path} was rewritten");
            kept += 1;
        }
    }
    assert!(kept > 60, "{kept}");
    assert_eq!(after.get("incidents/INC-2024-0003.html"), before.get("incidents/INC-2024-0003.html"));
    assert!(own.contains("Quasar Cache Stampede in the Edge Tier"));

    let found = p.run(&["search", "quasar", "--json"]);
    assert_eq!(found.code, 0, "{}", found.stderr);
    let hits = found.json();
    assert_eq!(hits["total"], 1, "{hits:#}");
    assert_eq!(hits["hits"][0]["id"], id);
}

#[test]
fn a_changed_record_is_a_new_version_and_the_old_object_stays() {
    let p = Project::with_samples();
    let first = p.build_json(0);
    let old_object = first["ingest"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == REFERENCE)
        .unwrap()["object"]
        .as_str()
        .unwrap()
        .to_string();
    let original = reference().into_bytes();
    let changed_text = format!("{}\nAddendum: the index was verified in production.\n", reference());
    p.write_record(&format!("{REFERENCE}.md"), &changed_text);

    let r = p.build_json(0);
    let i = &r["ingest"];
    assert_eq!((i["new"].as_u64(), i["new_versions"].as_u64()), (Some(0), Some(1)), "{i:#}");
    assert_eq!((i["seen"].as_u64(), i["unchanged"].as_u64()), (Some(32), Some(31)), "{i:#}");
    let change = &i["changes"][0];
    assert_eq!((change["id"].as_str(), change["action"].as_str()), (Some(REFERENCE), Some("new_version")));
    assert_eq!(change["version"], 2);
    let new_object = change["object"].as_str().unwrap();
    assert_eq!(new_object, sha256(changed_text.as_bytes()));
    assert_ne!(i["root"], first["ingest"]["root"]);
    assert_eq!(r["verify"]["ok"], true);
    assert!(strings(&r["site"]["rendered_pages"]).contains(&format!("incidents/{REFERENCE}.html")));

    let show = p.run(&["show", REFERENCE, "--json"]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let shown = show.json();
    let versions = shown["provenance"]["versions"].as_array().unwrap();
    let objects: Vec<&str> = versions.iter().map(|v| v["object"].as_str().unwrap()).collect();
    assert_eq!(objects, [old_object.as_str(), new_object]);
    assert_eq!(shown["provenance"]["version"], 2);

    // The first version's object is still there, unchanged, named by the SHA-256 of its bytes.
    let old = fs::read(p.object(&old_object)).unwrap();
    assert_eq!(sha256(&old), old_object);
    assert_eq!(old, original);
    assert_eq!(fs::read(p.object(new_object)).unwrap(), changed_text.as_bytes());
    let raw = p.run(&["show", REFERENCE, "--raw", "--version", "1"]);
    assert_eq!((raw.code, raw.stdout.as_bytes()), (0, original.as_slice()));
}

#[test]
fn a_record_rejected_mid_batch_does_not_stop_the_others() {
    let p = Project::with_samples();
    // Sorted between INC-2020-0006 and INC-2020-0017; no `Approved By` in its sign-off.
    let bad_id = "INC-2020-0010";
    let text = record(bad_id, "Unapproved Record");
    let approved = text.lines().find(|l| l.starts_with("**Approved By**")).unwrap().to_string();
    let text = text.replace(&format!("{approved}\n"), "");
    let line = text.lines().position(|l| l == "## Sign-off").unwrap() + 1;
    p.write_record(&format!("{bad_id}.md"), &text);

    let run = p.run(&["build", "--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!("records/{bad_id}.md:{line}: error[sign-off-missing]: ")),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("records: 33 seen, 32 new, 0 new versions, 0 unchanged, 1 rejected"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("verify:  ok (32 objects hashed)"), "{}", run.stdout);

    // The others are archived, indexed and rendered; nothing of the rejected one anywhere.
    let mut ids = p.ledger_ids();
    ids.sort();
    let mut samples: Vec<String> = fs::read_dir(common::records())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    samples.sort();
    assert_eq!(ids, samples);
    assert!(!p.object(&sha256(text.as_bytes())).exists());
    for (path, state) in files(&p.join("archive")).iter().chain(&files(&p.join("public"))) {
        assert!(!String::from_utf8_lossy(&state.bytes).contains(bad_id), "{path} mentions {bad_id}");
        assert!(!path.contains(bad_id), "{path}");
    }
    assert!(p.join("public/incidents/INC-2020-0017.html").is_file());
    let show = p.run(&["show", bad_id]);
    assert_eq!(show.code, 2);
    assert!(show.stderr.contains(&format!("no record `{bad_id}`")), "{}", show.stderr);

    // The next run rejects it again (exit 1), and says so in its JSON summary.
    let r = p.build_json(1);
    let rejected = r["ingest"]["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:#?}");
    assert_eq!(rejected[0]["path"], format!("records/{bad_id}.md"));
    assert_eq!(rejected[0]["diagnostics"][0]["rule"], "sign-off-missing");
    assert_eq!(rejected[0]["diagnostics"][0]["line"], line);
    assert_eq!(r["ingest"]["unchanged"], 32);
}

#[test]
fn exit_3_while_another_run_holds_the_lock() {
    let p = Project::with_samples();
    p.build_json(0);
    let ledger = fs::read(p.join("archive/ledger.jsonl")).unwrap();
    let lock = fs::OpenOptions::new().read(true).write(true).open(p.join("archive/.lock")).unwrap();
    lock.try_lock().unwrap();
    p.write_record("INC-2026-0102.md", &record("INC-2026-0102", "Held Back By The Lock"));

    let run = p.run(&["build", "--as-of", AS_OF]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("`archive/.lock` is locked by another run"), "{}", run.stderr);
    assert_eq!(fs::read(p.join("archive/ledger.jsonl")).unwrap(), ledger);

    drop(lock);
    let r = p.build_json(0);
    assert_eq!(r["ingest"]["new"], 1);
}

#[test]
fn exit_2_for_a_usage_error_or_a_bad_configuration() {
    let p = Project::with_samples();
    let run = p.run(&["build", "--as-of", AS_OF, "--no-such-flag"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--no-such-flag"), "{}", run.stderr);
    let run = p.run(&["build", "--as-of", "28/11/2026"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("28/11/2026"), "{}", run.stderr);

    fs::write(p.join("incident-archive.yaml"), "retention:\n  default_years: 0\n").unwrap();
    let run = p.run(&["build", "--as-of", AS_OF]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("incident-archive.yaml") && run.stderr.contains("default_years"),
        "{}",
        run.stderr
    );
    assert!(!p.join("archive").exists() && !p.join("public").exists());
}

#[test]
fn exit_1_when_verification_fails() {
    let p = Project::with_samples();
    let first = p.build_json(0);
    let object = first["ingest"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == REFERENCE)
        .unwrap()["object"]
        .as_str()
        .unwrap()
        .to_string();
    let path = p.object(&object);
    // Objects are read-only files: make this one writable, then flip one byte.
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    }
    let mut bytes = fs::read(&path).unwrap();
    bytes[100] ^= 0x01;
    fs::write(&path, &bytes).unwrap();

    let run = p.run(&["build", "--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let problem = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error[verify]: "))
        .unwrap_or_else(|| panic!("no verify error: {}", run.stderr));
    assert!(problem.contains(&object[2..]) && problem.contains(REFERENCE), "{problem}");
    assert!(run.stdout.contains("verify:  1 problems"), "{}", run.stdout);
    assert_eq!(p.build_json(1)["verify"]["ok"], false);
}

#[test]
fn an_unknown_configuration_key_is_named_with_its_file() {
    let p = Project::with_samples();
    fs::write(p.join("incident-archive.yaml"), "inbox: records\nsite:\n  titel: Postmortems\n").unwrap();
    let run = p.run(&["build", "--as-of", AS_OF]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("incident-archive.yaml") && run.stderr.contains("`titel`"), "{}", run.stderr);
    assert!(!p.join("archive").exists() && !p.join("public").exists());
}

#[test]
fn config_names_the_paths_relative_to_its_folder_and_the_site_title() {
    let p = Project::with_samples();
    // A broken default file in the current folder: `--config` means it is not read.
    fs::write(p.join("incident-archive.yaml"), "no_such_key: 1\n").unwrap();
    let conf = p.join("conf");
    common::copy_records(&common::records(), &conf.join("inbox"));
    fs::remove_dir_all(p.join("records")).unwrap();
    fs::write(
        conf.join("other.yaml"),
        "inbox: inbox\narchive: store\noutput: www\nsite:\n  title: Northwind Postmortem Library\n",
    )
    .unwrap();

    let run = p.run(&["--config", "conf/other.yaml", "build", "--as-of", AS_OF, "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let r = run.json();
    assert_eq!(r["ingest"]["new"], 32);
    assert_eq!(r["archive"], "conf/store");
    assert_eq!(r["output"], "conf/www");
    assert!(conf.join("store/ledger.jsonl").is_file());
    assert!(conf.join("www/incidents/INC-2025-0023.html").is_file());
    let home = fs::read_to_string(conf.join("www/index.html")).unwrap();
    assert!(home.contains("Northwind Postmortem Library"), "{home}");
    for default in ["archive", "public", "conf/archive", "conf/public"] {
        assert!(!p.join(default).exists(), "{default} created");
    }
}

#[test]
fn two_renders_of_one_archive_are_byte_identical() {
    let p = Project::with_samples();
    p.build_json(0);
    for out in ["a", "b"] {
        let run = p.run(&["site", "--out", out, "--as-of", AS_OF]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
    let bytes = |dir: &str| -> BTreeMap<String, Vec<u8>> {
        files(&p.join(dir)).into_iter().map(|(path, s)| (path, s.bytes)).collect()
    };
    let a = bytes("a");
    assert!(a.contains_key("index.html") && a.contains_key("search/meta.js") && a.len() > 100, "{}", a.len());
    assert!(a == bytes("b"), "`site --out a` and `site --out b` differ");
    assert!(a == bytes("public"), "`site` and `build` render the same archive differently");
    // Nothing left beside the outputs (no staging folder) but each output folder's lock file,
    // which lives beside it because the folder itself is swapped whole.
    let mut entries: Vec<String> = fs::read_dir(p.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries, [".a.lock", ".b.lock", ".public.lock", "a", "archive", "b", "public", "records"]);
}

/// The benchmarks' deterministic synthetic records (`tools/corpus`, the `incident-corpus` crate,
/// whose own tests cover its binary and its bytes) pass the sign-off gate without a warning.
mod corpus {
    use std::path::PathBuf;

    use chrono::NaiveDate;
    use incident_corpus::Corpus;

    use crate::common::bin;

    #[test]
    fn every_generated_record_passes_check_without_a_warning() {
        let tmp = tempfile::tempdir().unwrap();
        let written = Corpus::new(200, 5).write(tmp.path()).unwrap();
        assert_eq!(written.records, 200);
        bin()
            .arg("check")
            .arg(tmp.path())
            .assert()
            .success()
            .stdout(predicates::str::contains("checked 200 records: 200 accepted, 0 rejected, 0 warnings"));
    }

    /// Parsed as ingest parses them, the records say what the corpus planned (id, start, a
    /// duration equal to End − Start, customer rows adding up) and carry every kept field.
    #[test]
    fn every_record_passes_the_sign_off_gate_without_a_warning() {
        let c = Corpus::new(300, 21);
        let (mut overdue, mut done, mut severities) = (0, 0, std::collections::BTreeSet::new());
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        for i in 0..c.len() {
            let path = PathBuf::from(format!("{}.md", c.id(i)));
            let parsed = incident_archive::record::parse(&path, c.record(i).as_bytes());
            assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
            assert!(parsed.accepted());
            let inc = parsed.incident.unwrap();
            assert_eq!(inc.id, c.id(i));
            let (start, end) = (inc.started_at.unwrap(), inc.ended_at.unwrap());
            assert_eq!(start.naive_utc(), c.start(i));
            assert_eq!(inc.duration_seconds, Some((end - start).num_seconds()));
            assert_eq!(inc.timeline.first().unwrap().at, start);
            assert_eq!(inc.timeline.last().unwrap().at, end);
            assert!(inc.timeline.windows(2).all(|w| w[0].at < w[1].at), "{}", inc.id);
            assert!(inc.timeline.len() >= 6);

            let rows = &inc.impact.customers;
            assert!(!rows.is_empty());
            assert_eq!(
                rows.iter().map(|r| r.users_affected.unwrap()).sum::<u64>(),
                inc.impact.users_affected.unwrap()
            );
            assert_eq!(
                rows.iter().map(|r| r.accounts.unwrap_or(1)).sum::<u64>(),
                inc.impact.customer_accounts.unwrap()
            );

            assert!(!inc.root_cause.summary.is_empty() && !inc.root_cause.contributing_factors.is_empty());
            assert!(!inc.resolution.immediate.is_empty() && inc.resolution.immediate.iter().all(|s| s.done));
            assert!(!inc.lessons_learned.went_well.is_empty() && !inc.lessons_learned.to_improve.is_empty());
            assert!(!inc.action_items.is_empty());
            for item in &inc.action_items {
                assert!(item.due.unwrap() > start.date_naive() && !item.owner.is_empty());
                done += usize::from(item.done);
                overdue += usize::from(!item.done && item.due.unwrap() < as_of);
            }
            assert!(!inc.sign_off.approved_by.is_empty());
            assert!(inc.sign_off.date.unwrap() >= end.date_naive());
            severities.insert(inc.severity);
        }
        assert!(overdue > 0 && done > 8 * overdue, "{overdue} overdue, {done} done");
        assert_eq!(severities.into_iter().collect::<Vec<_>>(), ["P1", "P2", "P3", "P4"]);
    }

    /// The generator left the product: `generate-corpus` is an unknown subcommand (a usage error).
    #[test]
    fn the_product_has_no_corpus_subcommand() {
        let tmp = tempfile::tempdir().unwrap();
        bin()
            .args(["generate-corpus", "--count", "3", "--out"])
            .arg(tmp.path().join("records"))
            .assert()
            .code(2)
            .stderr(predicates::str::contains("generate-corpus"));
        assert!(!tmp.path().join("records").exists());
    }
}
