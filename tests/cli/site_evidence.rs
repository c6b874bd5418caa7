//! The evidence the site offers, checked as an auditor would with tools that are not this
//! program: each original downloaded from an incident page hashes (`sha256sum`) to the hash the
//! page shows and is the archive's object byte for byte; each proof JSON is accepted by
//! `verify-proof` and checks with an RFC 6962 verifier written here in Python against the root
//! of the ledger's first `tree_size` lines; and a later build rewrites none of them.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

/// The archive's clock in these tests (ledger times).
const NOW: &str = "2026-11-28T02:00:00Z";
const AS_OF: &str = "2026-11-28";

/// A temp project: some sample records in `records/`, the binary run in its folder.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// The first `n` sample records.
    fn new(n: usize) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("records");
        fs::create_dir_all(&inbox).unwrap();
        let mut samples: Vec<PathBuf> = fs::read_dir(common::records())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        samples.sort();
        for p in &samples[..n] {
            fs::copy(p, inbox.join(p.file_name().unwrap())).unwrap();
        }
        Project { dir }
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs and expects exit 0; returns standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = common::bin()
            .current_dir(self.dir.path())
            .env("INCIDENT_ARCHIVE_NOW", NOW)
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) =
            (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{args:?}\nstdout {stdout}\nstderr {stderr}");
        stdout
    }

    fn build(&self) {
        self.ok(&["build", "--as-of", AS_OF]);
    }

    /// The incident pages of the site.
    fn incident_pages(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = fs::read_dir(self.join("public/incidents"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("INC-") && name.ends_with(".html")
            })
            .collect();
        v.sort();
        v
    }
}

/// The links of a page matching `selector`: (`href` resolved to a path, the element's
/// `data-sha256`).
fn links(page: &Path, selector: &str) -> Vec<(PathBuf, Option<String>)> {
    let html = scraper::Html::parse_document(&fs::read_to_string(page).unwrap());
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel)
        .map(|a| {
            let href = a.value().attr("href").unwrap();
            (page.parent().unwrap().join(href), a.value().attr("data-sha256").map(str::to_string))
        })
        .collect()
}

fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

/// An RFC 6962 / RFC 9162 §2.1.3.2 inclusion verifier, independent of the program: argv[1] is a
/// proof JSON, argv[2] the ledger. The entry must be the ledger's line `leaf_index`, its audit
/// path must lead to `root`, and `root` must be the Merkle tree hash of the ledger's first
/// `tree_size` lines.
const PY_INCLUSION: &str = r#"
import hashlib, json, sys
p = json.load(open(sys.argv[1]))
lines = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
leaf = lambda b: hashlib.sha256(b"\x00" + b).digest()
node = lambda l, r: hashlib.sha256(b"\x01" + l + r).digest()
def mth(ls):
    if len(ls) == 1:
        return leaf(ls[0])
    k = 1
    while k * 2 < len(ls):
        k *= 2
    return node(mth(ls[:k]), mth(ls[k:]))
i, n = p["leaf_index"], p["tree_size"]
entry = p["entry"].encode()
assert lines[i] == entry, "the entry is the ledger's line"
assert leaf(entry).hex() == p["leaf_hash"]
assert mth(lines[:n]).hex() == p["root"], "the root is the ledger prefix's"
fn, sn, r = i, n - 1, leaf(entry)
for s in [bytes.fromhex(h) for h in p["audit_path"]]:
    assert sn != 0
    if fn & 1 or fn == sn:
        r = node(s, r)
        while not fn & 1 and fn != 0:
            fn >>= 1; sn >>= 1
    else:
        r = node(r, s)
    fn >>= 1; sn >>= 1
assert sn == 0 and r.hex() == p["root"], "the audit path leads to the root"
print("ok", i, n)
"#;

/// Appends a line to a record in the inbox: its next build archives a new version.
fn edit(p: &Project, name: &str) {
    let path = p.join("records").join(name);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("\nAn addendum written after the review.\n");
    fs::write(path, text).unwrap();
}

fn first_record_name(p: &Project) -> String {
    let mut names: Vec<String> = fs::read_dir(p.join("records"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names.remove(0)
}

#[test]
fn each_original_on_an_incident_page_is_the_archived_object_and_each_proof_checks() {
    let p = Project::new(3);
    p.build();
    edit(&p, &first_record_name(&p));
    p.build();

    let pages = p.incident_pages();
    assert_eq!(pages.len(), 3);
    let mut originals = 0;
    let mut proofs = 0;
    for page in &pages {
        let html = fs::read_to_string(page).unwrap();
        for (file, sha) in links(page, "a[data-sha256]") {
            let sha = sha.unwrap();
            // The hash the page shows, the file's own hash, its name and the archive's object.
            assert!(html.contains(&format!("<code class=\"hash\">{sha}</code>")), "{}", page.display());
            assert_eq!(sha256sum(&file), sha, "{}", file.display());
            assert_eq!(file.file_name().unwrap().to_string_lossy(), format!("{sha}.md"));
            let object = p.join(&format!("archive/objects/{}/{}", &sha[..2], &sha[2..]));
            assert_eq!(fs::read(&file).unwrap(), fs::read(&object).unwrap(), "{}", file.display());
            originals += 1;
        }
        for (file, _) in links(page, "a[href*=\"proofs/\"]") {
            let out = p.ok(&["verify-proof", file.to_str().unwrap()]);
            assert!(out.starts_with("ok: "), "{out}");
            let py = Command::new("python3")
                .args([
                    "-c",
                    PY_INCLUSION,
                    file.to_str().unwrap(),
                    p.join("archive/ledger.jsonl").to_str().unwrap(),
                ])
                .output()
                .unwrap();
            assert!(py.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&py.stderr));
            proofs += 1;
        }
    }
    // Four versions (one record has two), each with its original; each version's proof and the
    // latest entry's once more in the provenance.
    assert_eq!(originals, 4);
    assert!(proofs >= 7, "{proofs}");

    // The edited record's latest proof is against the tree of `last_seq + 1` entries (not the
    // current one), as `proof` would print it there.
    let proof: serde_json::Value =
        serde_json::from_slice(&fs::read(p.join("public/proofs/3.json")).unwrap()).unwrap();
    assert_eq!((proof["leaf_index"].as_u64(), proof["tree_size"].as_u64()), (Some(3), Some(4)));
    // It is the last entry, so that tree is the current one: `proof` prints the same bytes.
    let id = first_record_name(&p).trim_end_matches(".md").to_string();
    assert_eq!(p.ok(&["proof", &id]).into_bytes(), fs::read(p.join("public/proofs/3.json")).unwrap());
}

/// Inode and mtime of every file under `root`, by relative path.
fn states(root: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    common::files(root)
        .into_iter()
        .map(|f| {
            let m = fs::metadata(&f).unwrap();
            (
                f.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                (m.ino(), m.mtime(), m.mtime_nsec()),
            )
        })
        .collect()
}

#[test]
fn a_later_build_rewrites_no_original_and_no_proof_of_an_unchanged_record() {
    let p = Project::new(2);
    p.build();
    let before = states(&p.join("public"));
    let evidence: Vec<&String> =
        before.keys().filter(|k| k.starts_with("originals/") || k.starts_with("proofs/")).collect();
    assert_eq!(evidence.len(), 4, "{evidence:?}");

    // A new record: the old files stay as they were.
    let third = Project::new(3);
    let name = fs::read_dir(third.join("records")).unwrap().map(|e| e.unwrap().file_name()).max().unwrap();
    fs::copy(third.join("records").join(&name), p.join("records").join(&name)).unwrap();
    p.build();
    let after = states(&p.join("public"));
    for k in evidence {
        assert_eq!(after.get(k), before.get(k), "{k} was rewritten");
    }
    assert!(after.keys().filter(|k| k.starts_with("originals/")).count() == 3);
}

/// The text of each element of `page` matching `selector`.
fn texts(page: &Path, selector: &str) -> Vec<String> {
    let html = scraper::Html::parse_document(&fs::read_to_string(page).unwrap());
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel).map(|e| e.text().collect()).collect()
}

/// Runs `script` with bash in `dir`; returns its exit code and output.
fn bash(dir: &Path, script: &str) -> (i32, String) {
    let out = Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn the_checkpoint_page_shows_the_signed_checkpoint_and_its_steps_check_it() {
    let p = Project::new(3);
    let vkey = p.ok(&["key", "generate", "--name", "archive.example.com/incidents", "--out", "signing.key"]);
    let vkey = vkey.trim_end();
    fs::write(p.join("incident-archive.yaml"), "signing:\n  key: signing.key\n").unwrap();
    p.build();
    let page = p.join("public/checkpoint.html");
    let checkpoint = fs::read_to_string(p.join("archive/checkpoint")).unwrap();
    assert_eq!(texts(&page, "pre.checkpoint"), std::slice::from_ref(&checkpoint));
    let shown = texts(&page, "dd code.hash");
    assert!(shown.iter().any(|s| s == vkey), "{shown:?}");
    let root_b64 = checkpoint.lines().nth(2).unwrap();
    assert!(shown.iter().any(|s| s == root_b64), "{shown:?}");
    assert!(texts(&page, "dd").iter().any(|s| s.contains("verified with the key below")));
    // Every page links it.
    for rel in ["public/index.html", "public/incidents/index.html"] {
        assert!(!links(&p.join(rel), "a[href$=\"checkpoint.html\"]").is_empty(), "{rel}");
    }

    // The page's OpenSSL steps, run as they are shown, on the text the page shows.
    let work = tempfile::tempdir().unwrap();
    fs::write(work.path().join("checkpoint"), &checkpoint).unwrap();
    let pres = texts(&page, "pre");
    let openssl = pres.iter().find(|s| s.contains("openssl pkeyutl")).unwrap();
    let (code, out) = bash(work.path(), openssl);
    assert_eq!(code, 0, "{openssl}\n{out}");
    assert!(out.contains("Signature Verified Successfully"), "{out}");

    // A proof's tree, written as a checkpoint as the page says, is extended by the archive.
    let proof: serde_json::Value =
        serde_json::from_slice(&fs::read(p.join("public/proofs/0.json")).unwrap()).unwrap();
    let link = pres.iter().find(|s| s.contains("proof-tree")).unwrap();
    let script = link
        .replace("TREE_SIZE", &proof["tree_size"].to_string())
        .replace("ROOT_HEX", proof["root"].as_str().unwrap())
        .replace(
            "incident-archive consistency",
            &format!("cd {} && {} consistency", p.join("").display(), env!("CARGO_BIN_EXE_incident-archive")),
        )
        .replace("> proof-tree", &format!("> {}", p.join("proof-tree").display()));
    let (code, out) = bash(work.path(), &script);
    assert_eq!(code, 0, "{script}\n{out}");
    assert!(out.contains("ok: the archive"), "{out}");
}

/// The ledger page lists every entry as the ledger has it (seq, time, action, id, hash,
/// reason), links the records that were not purged, and shows no title, though the entries of
/// an archive written before titles left the ledger carry one.
#[test]
fn the_ledger_page_lists_every_entry_without_a_title() {
    let p = Project::new(0);
    common::copy_tree(&common::fixture("ledger-with-titles"), &p.join("archive"));
    p.ok(&["retention", "hold", "INC-2025-0023", "--reason", "audit <2027>"]);
    p.build();
    let ledger: Vec<serde_json::Value> = fs::read_to_string(p.join("archive/ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ledger.len(), 6);
    assert!(ledger[0]["title"].is_string() && ledger[5].get("title").is_none());

    let page = p.join("public/ledger.html");
    let html = scraper::Html::parse_document(&fs::read_to_string(&page).unwrap());
    let row = scraper::Selector::parse("#ledger tbody tr").unwrap();
    let cell = scraper::Selector::parse("td").unwrap();
    let rows: Vec<Vec<String>> =
        html.select(&row).map(|r| r.select(&cell).map(|c| c.text().collect::<String>()).collect()).collect();
    assert_eq!(rows.len(), ledger.len());
    for (row, e) in rows.iter().zip(&ledger) {
        assert_eq!(row[0], e["seq"].to_string());
        assert_eq!(row[2], e["action"].as_str().unwrap());
        assert_eq!(row[3], e["id"].as_str().unwrap());
        assert_eq!(row[4], e["object"].as_str().unwrap());
        assert_eq!(row[5], e["reason"].as_str().unwrap_or(""));
    }
    // The purged record is not linked; the live one is.
    let linked: Vec<String> = links(&page, "#ledger a")
        .iter()
        .map(|(f, _)| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(linked.iter().all(|f| f == "INC-2025-0023.html") && !linked.is_empty(), "{linked:?}");
    // No title on any page of the site, nor in any proof.
    for f in common::files(&p.join("public")) {
        let text = String::from_utf8_lossy(&fs::read(&f).unwrap()).to_lowercase();
        assert!(!text.contains("quillfennick"), "{}", f.display());
    }
    let text = fs::read_to_string(&page).unwrap();
    for e in &ledger {
        if let Some(t) = e["title"].as_str() {
            assert!(!text.contains(t), "{t}");
        }
    }
}

/// A ledger longer than a page is paged in `seq` order; an entry added re-renders only the
/// last page.
#[test]
fn the_ledger_is_paged_and_a_new_entry_rerenders_only_the_last_page() {
    use incident_archive::archive::ledger::LedgerFile;
    use incident_archive::site::{self, Evidence, SiteOptions};
    // Lines that are not entries: the page lists them by seq all the same.
    let lines = |n: usize| -> std::sync::Arc<LedgerFile> {
        let text: String = (0..n).map(|i| format!("{{\"not an entry\":{i}}}\n")).collect();
        std::sync::Arc::new(LedgerFile::parse(Path::new("ledger.jsonl"), text.into_bytes()))
    };
    let snapshot = incident_archive::snapshot::Snapshot {
        root: "ab".repeat(32),
        ledger_len: 0,
        records: Vec::new(),
        source: None,
    };
    let opts = |n: usize| SiteOptions {
        title: "T".into(),
        base_url: String::new(),
        build_date: "2026-01-31".parse().unwrap(),
        templates: None,
        evidence: Evidence { ledger: lines(n), checkpoint: None, verifier_key: None, bundles: None },
    };
    let files = site::render(&snapshot, &opts(1001)).unwrap();
    let pages: Vec<&str> =
        files.iter().map(|f| f.path.as_str()).filter(|p| p.starts_with("ledger")).collect();
    assert_eq!(pages, ["ledger.html", "ledger.p2.html", "ledger.p3.html"]);
    let last =
        String::from_utf8(files.iter().find(|f| f.path == "ledger.p3.html").unwrap().bytes.clone()).unwrap();
    assert_eq!(last.matches("<tr><td>").count(), 1, "{last}");
    assert!(last.contains("<td>1000</td>"));

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    site::generate(&snapshot, &opts(600), &out, Vec::new()).unwrap();
    let next = site::generate(&snapshot, &opts(601), &out, Vec::new()).unwrap();
    let ledger: Vec<&String> = next.rendered_pages.iter().filter(|p| p.starts_with("ledger")).collect();
    assert_eq!(ledger, ["ledger.p2.html"]);
}

/// A record archived again with an edit shows the line diff between its versions, as text, and
/// is flagged "changed after sign-off" on its page and in the lists; the others are not.
#[test]
fn a_record_edited_after_sign_off_shows_the_diff_and_the_flag() {
    let p = Project::new(2);
    p.build();
    let name = first_record_name(&p);
    let path = p.join("records").join(&name);
    let text = fs::read_to_string(&path).unwrap();
    // One line changed, one added with markup that must stay text.
    let line = text
        .lines()
        .find(|l| l.starts_with("**Status**"))
        .unwrap_or(text.lines().nth(2).unwrap())
        .to_string();
    let edited = text.replacen(&line, &format!("{line} (amended)"), 1) + "\n<b>added</b> after the review\n";
    fs::write(&path, edited).unwrap();
    p.build();

    let id = name.trim_end_matches(".md");
    let page = p.join(&format!("public/incidents/{id}.html"));
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("Changed after sign-off"), "the page's flag");
    let lines = |kind: &str| texts(&page, &format!(".diff-{kind}"));
    let inserted = lines("insert");
    let deleted = lines("delete");
    assert!(inserted.iter().any(|l| l.ends_with(&format!("+{line} (amended)"))), "{inserted:?}");
    assert!(deleted.iter().any(|l| l.ends_with(&format!("-{line}"))), "{deleted:?}");
    assert!(inserted.iter().any(|l| l.ends_with("+<b>added</b> after the review")), "{inserted:?}");
    assert!(!html.contains("<b>added</b>"), "record text is escaped");
    assert!(
        texts(&page, ".diff summary")
            .iter()
            .any(|s| s.starts_with("Version 1 → 2: 3 lines added, 1 removed")),
        "{:?}",
        texts(&page, ".diff summary")
    );

    // In the lists: the edited record only.
    let index = fs::read_to_string(p.join("public/index.html")).unwrap();
    assert_eq!(index.matches("changed after sign-off</span>").count(), 1, "{index}");
    let other = p.incident_pages().into_iter().find(|f| f != &page).unwrap();
    assert!(!fs::read_to_string(other).unwrap().contains("after sign-off</span>"));
}

/// The changes page and feed list what the ledger gained by UTC day, newest first; a purged
/// record shows its id, hash and reason only.
#[test]
fn the_changes_page_and_feed_group_the_ledger_by_day() {
    let p = Project::new(0);
    common::copy_tree(&common::fixture("ledger-with-titles"), &p.join("archive"));
    p.ok(&["retention", "hold", "INC-2025-0023", "--reason", "audit 2027"]);
    p.build();
    let ledger: Vec<serde_json::Value> = fs::read_to_string(p.join("archive/ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut days: Vec<String> = ledger.iter().map(|e| e["at"].as_str().unwrap()[..10].to_string()).collect();
    days.dedup();
    days.reverse();

    let page = p.join("public/changes.html");
    let shown: Vec<String> = texts(&page, ".change-day h2");
    assert_eq!(shown, days, "newest day first");
    assert_eq!(texts(&page, ".change-day tbody tr").len(), ledger.len());
    // The purged record: its id, hash and reason; no link, no title.
    let purge = ledger.iter().find(|e| e["action"] == "purge").unwrap();
    let html = scraper::Html::parse_document(&fs::read_to_string(&page).unwrap());
    let row = scraper::Selector::parse(".change-day tbody tr").unwrap();
    let purged: Vec<String> = html
        .select(&row)
        .filter(|r| r.text().any(|t| t == "purged"))
        .map(|r| r.text().collect::<Vec<_>>().join("|"))
        .collect();
    assert_eq!(purged.len(), 1);
    assert_eq!(
        purged[0],
        format!(
            "{}|purged|{}|{}|{}|{}",
            &purge["at"].as_str().unwrap()[11..19],
            purge["id"].as_str().unwrap(),
            purge["object"].as_str().unwrap(),
            purge["reason"].as_str().unwrap(),
            purge["seq"]
        )
    );
    let today = &texts(&page, ".change-day .note")[0];
    assert_eq!(today, "1 legal hold");

    // The feed: valid Atom, a day an entry, newest first.
    let xml = fs::read_to_string(p.join("public/changes.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let titles: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| e.children().find(|c| c.has_tag_name("title")).unwrap().text().unwrap().to_string())
        .collect();
    assert_eq!(titles.len(), days.len());
    assert_eq!(titles[0], format!("{}: 1 legal hold", days[0]));
    assert!(!xml.to_lowercase().contains("quillfennick"));
}

/// Printed pages carry the record's id and hash, the build date and page numbers: the `@page`
/// margin boxes of the stylesheet read custom properties that the print-only stylesheets each
/// page links define with this page's values; the nav is hidden.
#[test]
fn every_printed_page_carries_the_record_the_build_date_and_page_numbers() {
    let p = Project::new(2);
    p.build();
    // The site ships the stylesheet minified: its rules are compared without spaces.
    let compact = |s: &str| s.split_whitespace().collect::<String>();
    let css = compact(&fs::read_to_string(p.join("public/assets/site.css")).unwrap());
    let page_rule = &css[css.find("@page{").expect("an @page rule")..];
    let page_rule = &page_rule[..page_rule.find("}}").unwrap()];
    for want in [
        "@top-left { content: var(--record-id",
        "@top-right { content: var(--record-sha256",
        "@bottom-left { content: \"Built \" var(--build-date",
        "@bottom-right { content: \"Page \" counter(page) \" of \" counter(pages)",
    ] {
        assert!(page_rule.contains(&compact(want)), "{want}\n{page_rule}");
    }
    let print = &css[css.find("@mediaprint{").unwrap()..];
    assert!(print.contains(&compact(".site-nav { display: none !important; }")));
    assert_eq!(
        fs::read_to_string(p.join("public/build.css")).unwrap().lines().last().unwrap(),
        format!(":root {{ --build-date: \"{AS_OF}\"; }}")
    );
    for page in p.incident_pages() {
        let html = scraper::Html::parse_document(&fs::read_to_string(&page).unwrap());
        let article = html.select(&scraper::Selector::parse("article.incident").unwrap()).next().unwrap();
        let (id, sha) =
            (article.value().attr("data-record-id").unwrap(), article.value().attr("data-sha256").unwrap());
        assert_eq!(format!("{id}.html"), page.file_name().unwrap().to_string_lossy());
        let sheets: Vec<(PathBuf, Option<String>)> = links(&page, "link[rel=stylesheet][media=print]");
        let names: Vec<String> =
            sheets.iter().map(|(f, _)| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["build.css".to_string(), format!("{id}.css")]);
        let own = fs::read_to_string(&sheets[1].0).unwrap();
        assert!(
            own.ends_with(&format!(
                ":root {{ --record-id: \"{id}\"; --record-sha256: \"SHA-256 {sha}\"; }}\n"
            )),
            "{own}"
        );
        assert!(fs::read_to_string(&page).unwrap().contains(&format!("<code class=\"hash\">{sha}</code>")));
    }
}

/// An attested record's page offers its sign-off sidecar as archived, byte for byte.
#[test]
fn an_attested_records_sidecar_is_offered_as_archived() {
    let p = Project::new(0);
    let doc = "# Outage of the payment API\n\n**Title**: Outage of the payment API\n**Status**: Resolved\n**Start Time**: 2020-07-09 10:00 UTC\n\n## Root Cause\n\nA bad deploy.\n";
    let sidecar = "id: EXT-2020-0709\napproved_by: Jane Doe, Head of Compliance\napproved_on: 2020-07-20\nreference: TICKET-123\n";
    fs::write(p.join("records/ext.md"), doc).unwrap();
    fs::write(p.join("records/ext.signoff.yaml"), sidecar).unwrap();
    p.build();
    let page = p.join("public/incidents/EXT-2020-0709.html");
    let found = links(&page, "a[href$=\".yaml\"]");
    assert_eq!(found.len(), 1, "{found:?}");
    let file = &found[0].0;
    assert_eq!(fs::read_to_string(file).unwrap(), sidecar);
    let sha = sha256sum(file);
    assert_eq!(file.file_name().unwrap().to_string_lossy(), format!("{sha}.yaml"));
    assert!(fs::read_to_string(&page).unwrap().contains(&format!("<code class=\"hash\">{sha}</code>")));
    let (file, sha) = &links(&page, "a[data-sha256]")[0];
    assert_eq!(fs::read_to_string(file).unwrap(), doc);
    assert_eq!(&sha256sum(file), sha.as_ref().unwrap());
}

/// Each incident page offers its record's one-record evidence bundle: `verify-bundle` (with the
/// verifier key held from elsewhere), the bundle's own `verify.py`, `sha256sum -c` and openssl
/// accept it; it is proven against the tree the record's last entry closed, so a later build
/// that adds a record leaves it as it was; `site.evidence_bundles: false` offers none.
#[test]
fn each_incident_page_offers_a_bundle_that_checks_and_stays_the_same() {
    let p = Project::new(3);
    let vkey = p.ok(&["key", "generate", "--name", "fixture.example/incidents", "--out", "site.key"]);
    let vkey = vkey.trim().to_string();
    fs::write(p.join("incident-archive.yaml"), "signing:\n  key: site.key\n").unwrap();
    p.build();
    let pages = p.incident_pages();
    assert_eq!(pages.len(), 3);
    let ledger = fs::read_to_string(p.join("archive/ledger.jsonl")).unwrap();
    let mut bundles = Vec::new();
    for page in &pages {
        let found = links(page, "a[download$='.evidence.tar.gz']");
        assert_eq!(found.len(), 1, "{} offers one bundle", page.display());
        let bundle = found[0].0.clone();
        assert!(bundle.is_file(), "{} is there", bundle.display());
        bundles.push(bundle);
    }
    for bundle in &bundles {
        let path = bundle.to_string_lossy().into_owned();
        let out = p.ok(&["verify-bundle", &path, "--vkey", &vkey]);
        assert!(out.contains("bundle verified"), "{out}");
        let (code, out) = bash(
            &p.join("."),
            &format!(
                "rm -rf x && mkdir x && tar xzf '{path}' -C x && cd x/evidence && sha256sum -c --quiet SHA256SUMS \
                 && python3 verify.py && openssl pkeyutl -verify -pubin -inkey checkpoint.pem -rawin \
                 -in checkpoint.txt -sigfile checkpoint.sig"
            ),
        );
        assert_eq!(code, 0, "{out}");
        // The tree is the one the record's last entry closed.
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(p.join("x/evidence/manifest.json")).unwrap()).unwrap();
        let id = manifest["records"][0]["id"].as_str().unwrap().to_string();
        let last = ledger
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(&format!("\"id\":\"{id}\"")))
            .map(|(i, _)| i as u64)
            .max()
            .unwrap();
        assert_eq!(manifest["tree_size"], last + 1, "{id}");
    }

    // Another record, another build: the three bundles keep their bytes and their files.
    let before = states(&p.join("public/bundles"));
    let fourth = Project::new(4);
    let name = fs::read_dir(fourth.join("records")).unwrap().map(|e| e.unwrap().file_name()).max().unwrap();
    fs::copy(fourth.join("records").join(&name), p.join("records").join(&name)).unwrap();
    p.build();
    let after = states(&p.join("public/bundles"));
    assert_eq!(after.len(), 4, "{after:?}");
    for (k, v) in &before {
        assert_eq!(after.get(k), Some(v), "{k} was rewritten");
    }

    // Off: no bundle, no link.
    fs::write(
        p.join("incident-archive.yaml"),
        "signing:\n  key: site.key\nsite:\n  evidence_bundles: false\n",
    )
    .unwrap();
    p.build();
    let bundles = p.join("public/bundles");
    assert!(!bundles.exists() || common::files(&bundles).is_empty(), "no bundle is left");
    assert!(p.incident_pages().iter().all(|page| links(page, "a[download$='.evidence.tar.gz']").is_empty()));
}

/// A bundle on the site holds each version's record as parsed (`records/<id>/v<n>.json`); the
/// site takes a record's current version from the parse its incident page has (the build's own
/// from ingest, or one made from the archived object when the snapshot holds summaries), and
/// that file is byte for byte the one `export evidence` writes by parsing every version itself:
/// for the first and the second version of a changed record as for the others. A `site` run
/// from the summary cache makes the same bundles as the `build`.
#[test]
fn the_sites_bundles_hold_the_same_records_as_export_evidence() {
    let p = Project::new(3);
    p.build();
    // A second version of one record.
    let mut names: Vec<PathBuf> =
        fs::read_dir(p.join("records")).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let mut text = fs::read_to_string(&names[0]).unwrap();
    text.push_str("\nA line added after the sign-off, for a second version.\n");
    fs::write(&names[0], text).unwrap();
    p.build();
    p.ok(&["export", "evidence", "--out", "all"]);
    let bundles = common::files(&p.join("public/bundles"));
    assert_eq!(bundles.len(), 3, "{bundles:?}");
    let mut versions = 0;
    for bundle in &bundles {
        let path = bundle.to_string_lossy().into_owned();
        let (code, out) = bash(&p.join("."), &format!("rm -rf x && mkdir x && tar xzf '{path}' -C x"));
        assert_eq!(code, 0, "{out}");
        for file in common::files(&p.join("x/evidence/records")) {
            let rel = file.strip_prefix(p.join("x/evidence")).unwrap();
            let exported =
                fs::read(p.join("all").join(rel)).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
            assert!(fs::read(&file).unwrap() == exported, "{} differs from the export's", rel.display());
            versions += usize::from(rel.extension().is_some_and(|x| x == "json"));
        }
    }
    assert_eq!(versions, 4, "three records, one of them in two versions");
    p.ok(&["site", "--as-of", AS_OF, "--out", "again"]);
    for bundle in &bundles {
        let again = p.join("again/bundles").join(bundle.file_name().unwrap());
        assert!(fs::read(bundle).unwrap() == fs::read(&again).unwrap(), "{} differs", again.display());
    }
}
