//! `changes.html` and `changes.xml` when one day holds more entries than they list (a first
//! build ingests every record on one day): the page and the feed stay small, a cut day keeps
//! its full counts and says where the entries it does not list are, and the output is the same
//! on a rerun.

use std::fs;
use std::path::Path;

use incident_corpus::Corpus;
use scraper::{Html, Selector};

use crate::common;

/// `CHANGES_LIMIT`: the most entries the page and the feed list.
const LIMIT: usize = 250;
/// The records of the first build: more than the limit, all ingested on one day.
const RECORDS: usize = LIMIT + 20;
const DAY1: &str = "2026-11-27";
const DAY2: &str = "2026-11-28";

/// Runs the binary in `dir` with the archive's clock at 02:00 UTC on `day`; expects exit 0.
fn run(dir: &Path, day: &str, args: &[&str]) {
    let out = common::bin()
        .current_dir(dir)
        .env("INCIDENT_ARCHIVE_NOW", format!("{day}T02:00:00Z"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}\n{}", String::from_utf8_lossy(&out.stderr));
}

/// The texts of the elements matching `selector`, whitespace collapsed.
fn texts(html: &Html, selector: &str) -> Vec<String> {
    let s = Selector::parse(selector).unwrap();
    html.select(&s)
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The feed's entries: (id, title, updated, content).
fn feed(xml: &str) -> Vec<(String, String, String, String)> {
    let doc = roxmltree::Document::parse(xml).expect("changes.xml is XML");
    assert_eq!(doc.root_element().tag_name().name(), "feed");
    assert_eq!(doc.root_element().tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
    let child = |e: roxmltree::Node, name: &str| {
        e.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).unwrap_or_default().to_string()
    };
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| (child(e, "id"), child(e, "title"), child(e, "updated"), child(e, "content")))
        .collect()
}

/// A first build ingests more records than the page lists on one day; the next day adds a
/// legal hold. The page lists the newest `LIMIT` entries, the cut day its full counts and a
/// link to the ledger page holding the next entry; the feed is bounded, parses as Atom and
/// keeps the day's id; a second site from the same archive is byte for byte the same.
#[test]
fn a_day_with_more_entries_than_the_limit_is_cut_with_its_full_counts_and_a_link_to_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let corpus = Corpus::new(RECORDS, 19);
    corpus.write(&dir.join("records")).unwrap();
    run(dir, DAY1, &["build", "--as-of", DAY1]);
    let first_feed = feed(&fs::read_to_string(dir.join("public/changes.xml")).unwrap());
    assert_eq!(first_feed.len(), 1);
    assert_eq!(first_feed[0].1, format!("{DAY1}: {RECORDS} new record"));

    run(dir, DAY2, &["retention", "hold", corpus.id(7), "--reason", "audit 2027"]);
    run(dir, DAY2, &["build", "--as-of", DAY2]);
    let ledger: Vec<serde_json::Value> = fs::read_to_string(dir.join("archive/ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ledger.len(), RECORDS + 1);

    // The page: bounded, the newest LIMIT entries, the cut day's full counts.
    let path = dir.join("public/changes.html");
    let bytes = fs::read(&path).unwrap();
    assert!(bytes.len() < 200_000, "changes.html is {} bytes", bytes.len());
    let html = Html::parse_document(&String::from_utf8(bytes.clone()).unwrap());
    assert_eq!(texts(&html, ".change-day h2"), [DAY2, DAY1]);
    let seqs: Vec<usize> =
        texts(&html, ".change-day tbody tr td:last-child").iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(seqs.len(), LIMIT);
    let newest: Vec<usize> = (0..ledger.len()).rev().take(LIMIT).collect();
    assert_eq!(seqs, newest, "the newest entries, newest first");
    let notes = texts(&html, ".change-day p.note");
    assert_eq!(notes[0], "1 legal hold");
    assert_eq!(notes[1], format!("{RECORDS} new records"), "the day's full counts");
    let hidden = RECORDS + 1 - LIMIT;
    assert_eq!(
        notes[2],
        format!(
            "{} of the day's {RECORDS} entries are listed; {hidden} older entries are not listed here but on the \
             ledger pages: the newest of them, seq {}, is on ledger page 1.",
            LIMIT - 1,
            hidden - 1
        )
    );
    assert_eq!(texts(&html, ".change-cut").len(), 1, "only the cut day says so");

    // The link: a ledger page that holds the next entry not listed.
    let link = Selector::parse(".change-cut a").unwrap();
    let href = html.select(&link).next().unwrap().value().attr("href").unwrap().to_string();
    let next = seqs.last().unwrap() - 1;
    let target = Html::parse_document(&fs::read_to_string(dir.join("public").join(&href)).unwrap());
    let (rows, cell) = (Selector::parse("#ledger tbody tr").unwrap(), Selector::parse("td").unwrap());
    let row: Vec<String> = target
        .select(&rows)
        .map(|r| r.select(&cell).map(|c| c.text().collect::<String>()).collect::<Vec<_>>())
        .find(|cells| cells[0] == next.to_string())
        .unwrap_or_else(|| panic!("{href} holds no entry {next}"));
    assert_eq!(row[3], ledger[next]["id"].as_str().unwrap(), "{row:?}");
    assert_eq!(row[4], ledger[next]["object"].as_str().unwrap(), "{row:?}");

    // The feed: bounded, valid Atom, the page's entries, the day's id kept.
    let xml = fs::read_to_string(dir.join("public/changes.xml")).unwrap();
    assert!(xml.len() < 200_000, "changes.xml is {} bytes", xml.len());
    let entries = feed(&xml);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].1, format!("{DAY2}: 1 legal hold"));
    assert_eq!(entries[1].1, format!("{DAY1}: {RECORDS} new record"), "the day's full counts");
    assert_eq!(
        (&entries[1].0, &entries[1].2),
        (&first_feed[0].0, &first_feed[0].2),
        "a day keeps its id and time when fewer of its entries are listed"
    );
    let listed: usize = entries.iter().map(|e| e.3.lines().filter(|l| l.contains(" sha256 ")).count()).sum();
    assert_eq!(listed, LIMIT);
    assert!(
        entries[1].3.contains(&format!(
            "{hidden} older entries of this day (of {RECORDS}) are not listed here but on the ledger pages: the \
             newest of them, seq {next}, is on {href}"
        )),
        "{}",
        entries[1].3
    );
    assert!(!entries[0].3.contains("not listed"));

    // The same archive and --as-of: the same bytes.
    run(dir, DAY2, &["site", "--out", "again", "--as-of", DAY2]);
    assert!(fs::read(dir.join("again/changes.html")).unwrap() == bytes, "changes.html differs on a rerun");
    assert_eq!(fs::read_to_string(dir.join("again/changes.xml")).unwrap(), xml);
}
