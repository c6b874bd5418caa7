//! Integration tests of `site`: pages built from archive snapshots (their content, safety and
//! links), determinism, incremental rebuilds and the output writer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use incident_archive::archive::{Hold, LedgerSignOff, PurgeInfo, VersionInfo};
use incident_archive::record::*;
use incident_archive::site::{self, OutputFile, SiteOptions};
use incident_archive::snapshot::{ArchivedRecord, Content, Origin, Snapshot, SnapshotOptions};
use scraper::{Html, Selector};
use sha2::{Digest, Sha256};

use crate::common;

// ----- fixtures -----

fn dt(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 in a fixture")
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date in a fixture")
}

fn item(id: &str, action: &str, owner: &str, due: &str, status: &str) -> ActionItem {
    ActionItem {
        id: id.into(),
        action: action.into(),
        owner: owner.into(),
        due: Some(day(due)),
        status: status.into(),
        done: status == "Done",
        ticket: String::new(),
    }
}

fn customer(
    name: &str,
    users: u64,
    max: u64,
    min: Option<u64>,
    complaints: u64,
    accounts: Option<u64>,
) -> CustomerImpact {
    CustomerImpact {
        name: name.into(),
        users_affected: Some(users),
        max_delay_seconds: Some(max),
        min_delay_seconds: min,
        complaints: Some(complaints),
        accounts,
    }
}

/// Splits Markdown into sections the way the model keeps them: one per heading, from the
/// heading line up to the next heading of any level (headings inside code fences do not count).
fn split_sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut fence = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
        }
        let hashes = line.bytes().take_while(|b| *b == b'#').count();
        if !fence && (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            out.push(Section {
                heading: line[hashes..].trim().into(),
                // Drawn as Markdown, as the headings of these tests are.
                kind: SectionKind::Other,
                level: hashes as u8,
                line: n + 1,
                markdown: format!("{line}\n"),
            });
        } else if let Some(s) = out.last_mut() {
            s.markdown.push_str(line);
            s.markdown.push('\n');
        }
    }
    out
}

/// The reference record `INC-2025-0023`, parsed.
fn reference() -> Incident {
    let path = common::records().join("INC-2025-0023.md");
    let parsed = incident_archive::record::parse(&path, &std::fs::read(&path).unwrap());
    assert!(parsed.accepted(), "{:?}", parsed.diagnostics);
    parsed.incident.unwrap()
}

/// A small, varied incident for lists and aggregates.
fn minor(
    id: &str,
    started: &str,
    severity: &str,
    customers: &[(&str, u64, u64)],
    items: Vec<ActionItem>,
) -> Incident {
    let start = dt(started);
    Incident {
        id: id.into(),
        title: format!("Minor incident {id}"),
        severity: severity.into(),
        status: "Resolved".into(),
        started_at: Some(start),
        ended_at: Some(start + Duration::minutes(30)),
        duration_seconds: Some(1800),
        customer_impact: "Low".into(),
        impact: Impact {
            users_affected: Some(customers.iter().map(|c| c.1).sum()),
            customers: customers.iter().map(|(n, u, d)| customer(n, *u, *d, None, 0, None)).collect(),
            ..Impact::default()
        },
        action_items: items,
        sign_off: SignOff {
            approved_by: "Maria Garcia, CISO".into(),
            date: Some(start.date_naive() + Duration::days(1)),
            ..SignOff::default()
        },
        sections: vec![Section {
            heading: "Root Cause".into(),
            kind: SectionKind::RootCause,
            level: 2,
            line: 3,
            markdown: format!("A **minor** cause for {id}.\n"),
        }],
        ..Incident::default()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The archived state of one record: one version ingested the day after sign-off.
fn archived(inc: Incident, seq: u64) -> ArchivedRecord {
    // The object is the record's bytes: its sections joined give them back (the model's JSON
    // would change the hash whenever the model gains a field).
    let text: String = inc.sections.iter().map(|s| s.markdown.as_str()).collect();
    let object = sha256_hex(text.as_bytes());
    let signed = inc.sign_off.date.unwrap_or(day("2025-01-15"));
    let years = inc.retention.years.unwrap_or(7);
    let ingested_at = signed.and_hms_opt(2, 0, 0).unwrap().and_utc() + Duration::days(1);
    ArchivedRecord {
        id: inc.id.clone(),
        object: object.clone(),
        versions: vec![VersionInfo { version: 1, object, seq, ingested_at, attestation: None }],
        retain_until: signed.checked_add_months(Months::new(12 * years)).unwrap(),
        legal_hold: None,
        last_seq: seq,
        size: 9000,
        sign_off: LedgerSignOff { approved_by: inc.sign_off.approved_by.clone(), date: signed },
        retention_years: years,
        content: inc.into(),
    }
}

/// The archive's snapshot with a memory budget of `budget` bytes for whole records.
fn within(archive: &incident_archive::archive::Archive, budget: u64) -> Snapshot {
    Snapshot::read(archive, SnapshotOptions { budget, ..Default::default() }).unwrap()
}

fn snapshot(mut records: Vec<ArchivedRecord>) -> Snapshot {
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let ledger_len = records.iter().map(|r| r.last_seq + 1).max().unwrap_or(0);
    // Like the Merkle root, it changes with every change to any record.
    let state: Vec<_> = records
        .iter()
        .map(|r| (&r.id, &r.object, r.last_seq, r.legal_hold.is_some(), r.is_purged()))
        .collect();
    let root = sha256_hex(format!("{state:?}").as_bytes());
    Snapshot { root, ledger_len, records, source: None }
}

/// The reference record, a few minor ones sharing its customers and owners, a record on legal
/// hold and a purged one.
fn sample() -> Snapshot {
    let mut held = archived(
        minor(
            "INC-2019-0007",
            "2019-03-02T08:00:00Z",
            "P2",
            &[("GlobalBank Corp", 80, 12)],
            vec![item("AI-2019-001", "Rotate certificates", "Platform", "2019-04-01", "Done")],
        ),
        1,
    );
    held.legal_hold = Some(Hold { reason: "litigation LIT-42".into(), since: dt("2025-06-01T09:00:00Z") });
    held.last_seq = 6;
    let mut purged = archived(minor("INC-2017-0001", "2017-05-01T10:00:00Z", "P3", &[], Vec::new()), 0);
    purged.content = Content::Purged(PurgeInfo {
        at: dt("2025-02-01T00:00:00Z"),
        reason: "retention ended 2024-05-02".into(),
    });
    purged.last_seq = 7;
    snapshot(vec![
        archived(reference(), 2),
        held,
        purged,
        archived(
            minor(
                "INC-2024-0101",
                "2024-11-20T22:10:00Z",
                "P3",
                &[("GlobalBank Corp", 12, 8), ("Acme, Inc.", 5, 3)],
                vec![item("AI-2024-101", "Add cache warm-up", "Platform", "2024-12-01", "Planned")],
            ),
            3,
        ),
        archived(
            minor(
                "INC-2025-0040",
                "2025-02-03T03:00:00Z",
                "P4",
                &[("Acme Inc", 3, 2), ("HealthTech Systems", 40, 5)],
                vec![item("AI-2025-040", "Alert on queue depth", "SRE", "2027-01-10", "Planned")],
            ),
            4,
        ),
    ])
}

fn opts(date: &str) -> SiteOptions {
    SiteOptions {
        title: "Incident archive".into(),
        base_url: String::new(),
        build_date: day(date),
        templates: None,
        evidence: Default::default(),
    }
}

fn page<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    let f = files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no `{path}` in the site"));
    std::str::from_utf8(&f.bytes).unwrap()
}

/// The main content of a page: what the snapshot tests look at (the header and footer are
/// shared by every page and tested elsewhere).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let end = html.rfind("</main>").expect("a </main>") + "</main>".len();
    &html[start..end]
}

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files(dir)
        .into_iter()
        .map(|p| {
            (p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(&p).unwrap())
        })
        .collect()
}

// ----- content -----

#[test]
fn reference_incident_page() {
    let files = site::render(&sample(), &opts("2025-01-26")).unwrap();
    let html = page(&files, "incidents/INC-2025-0023.html");
    // Facts an auditor looks for.
    for needle in [
        "Database Connection Pool Exhaustion - Production",
        "<code class=\"hash\">",
        "Maria Garcia, CISO",
        "2032-01-15",
        "href=\"../customers/globalbank-corp.html\"",
        "href=\"../owners/platform.html\"",
        "<span class=\"badge overdue\">Overdue</span>",
        "Content-Security-Policy",
    ] {
        assert!(html.contains(needle), "the reference page lacks {needle:?}");
    }
    assert_eq!(html.matches("<li><time datetime=\"2025-01-14T").count(), 11, "11 timeline entries");
    // The grouped row is not a customer page.
    assert!(!html.contains("customers/others"), "grouped rows get no page");
    insta::assert_snapshot!("reference_incident_page", main_of(html));
}

#[test]
fn customer_page() {
    let files = site::render(&sample(), &opts("2025-01-26")).unwrap();
    let html = page(&files, "customers/globalbank-corp.html");
    assert!(html.contains("<span class=\"n\">3</span> incidents"), "three incidents touched GlobalBank Corp");
    assert!(html.contains("<span class=\"n\">439</span> users affected"), "347 + 80 + 12 users");
    assert!(
        html.contains("<span class=\"n\"><data value=\"45\" title=\"45 s\">45 s</data></span> worst delay")
    );
    assert!(html.contains("<svg class=\"chart\""));
    insta::assert_snapshot!("customer_page", main_of(html));
}

#[test]
fn every_page_exists_with_the_shared_context() {
    let files = site::render(&sample(), &opts("2025-01-26")).unwrap();
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for p in [
        "index.html",
        "incidents/index.html",
        "incidents/2025.html",
        "incidents/2024.html",
        "incidents/2019.html",
        "incidents/INC-2017-0001.html",
        "customers/index.html",
        "owners/index.html",
        "owners/platform.html",
        "actions.html",
        "retention.html",
        "search.html",
        "feed.xml",
        "incidents.json",
        "assets/site.css",
        "assets/site.js",
    ] {
        assert!(paths.contains(p), "missing {p}; have {paths:?}");
    }
    // Two customers whose names differ only by punctuation get two pages.
    let acme: Vec<&&str> = paths
        .iter()
        .filter(|p| p.starts_with("customers/acme-inc") && p.ends_with(".html") && !p.contains(".items"))
        .collect();
    assert_eq!(acme.len(), 2, "{acme:?}");
    let home = page(&files, "index.html");
    assert!(home.contains("2025-01-26"), "the home page shows the build date");
    assert!(home.contains(&sample().root), "the home page shows the archive root");
    // The purged record keeps a page with its hash and the reason.
    let tomb = page(&files, "incidents/INC-2017-0001.html");
    assert!(tomb.contains("Disposed of") && tomb.contains("retention ended 2024-05-02"));
    let retention = page(&files, "retention.html");
    assert!(retention.contains("litigation LIT-42"), "the legal hold is listed");
    assert!(retention.contains("INC-2017-0001"), "the purged record is listed");
    let json: serde_json::Value = serde_json::from_str(page(&files, "incidents.json")).unwrap();
    assert_eq!(json["incidents"].as_array().unwrap().len(), 5);
    let feed = page(&files, "feed.xml");
    assert!(feed.starts_with("<?xml") && feed.contains("<entry>"));
}

#[test]
fn a_record_whose_bytes_cannot_be_read_is_named_not_hidden() {
    let mut broken = archived(minor("INC-2025-0077", "2025-01-05T10:00:00Z", "P2", &[], Vec::new()), 9);
    broken.content = Content::Unreadable("object `ab12` cannot be read: No such file or directory".into());
    let mut records = sample().records;
    records.push(broken);
    let files = site::render(&snapshot(records), &opts("2025-01-26")).unwrap();
    let html = page(&files, "incidents/INC-2025-0077.html");
    assert!(html.contains("Archived bytes unavailable") && html.contains("cannot be read"), "{html}");
    assert!(!html.contains("Disposed of"), "it was not purged");
    assert!(html.contains("Maria Garcia, CISO"), "the ledger's sign-off is still shown");
}

#[test]
fn the_tracker_lists_overdue_open_and_done_items_by_due_date() {
    let files = site::render(&sample(), &opts("2025-01-26")).unwrap();
    let rows = Selector::parse("#items tbody tr").unwrap();
    let cell = Selector::parse("td").unwrap();
    let list = |path: &str| -> Vec<(String, String, String)> {
        let html = Html::parse_document(page(&files, path));
        html.select(&rows)
            .map(|r| {
                let cells: Vec<String> = r.select(&cell).map(|c| c.text().collect::<String>()).collect();
                (r.value().attr("class").unwrap_or("").to_string(), cells[8].clone(), cells[0].clone())
            })
            .collect()
    };
    let overdue = list("actions.html");
    let ids: Vec<&str> = overdue.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(ids, ["AI-2024-101", "AI-2025-002"], "overdue on 2025-01-26, oldest due first");
    assert!(overdue.iter().all(|r| r.0 == "state-overdue"));
    let open = list("actions-open.html");
    let due: Vec<&str> = open.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(due, ["2025-01-27", "2025-01-30", "2027-01-10"]);
    assert!(open.iter().all(|r| r.0 == "state-open"));
    let done = list("actions-done.html");
    assert_eq!(done.len(), 3);
    assert!(done.iter().all(|r| r.0 == "state-done"));
    // The landing page has the counts; the other lists do not (they change only with their items).
    assert!(page(&files, "actions.html").contains("overdue on 2025-01-26"));
    assert!(!page(&files, "actions-done.html").contains("in all"));
}

// ----- safety -----

/// A record that tries every trick in its fields.
fn hostile() -> Incident {
    let md = r#"<script>alert('block')</script>

Text <img src=x onerror=alert(1)> and <svg onload=alert(2)></svg>.

[mixed](JaVaScRiPt:alert(3)) [entity](&#106;avascript&#58;alert(4)) [hex](&#x6A;&#x61;vascript:alert(5))
[tab](<java	script:alert(6)>) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox(7))
<javascript:alert(8)> [quoted](https://ok.example/ "\" onmouseover=\"alert(9)")
![pic](javascript:alert(10)) <a href="javascript:alert(11)">raw</a>
[ref]

[ref]: javascript:alert(12)

```"><script>alert(13)</script>
code
```

<iframe src="javascript:alert(14)"></iframe>
"#;
    let mut inc = minor(
        "INC-2025-0666",
        "2025-01-10T10:00:00Z",
        "\"><script>alert(15)</script>",
        &[("<img src=x onerror=alert(16)>", 1, 1), ("\"><svg onload=alert(17)>", 2, 2)],
        vec![ActionItem {
            id: "<b onmouseover=alert(18)>".into(),
            action: "[go](javascript:alert(19)) <script>alert(20)</script>".into(),
            owner: "<svg/onload=alert(21)>".into(),
            due: Some(day("2025-01-11")),
            status: "<script>alert(22)</script>".into(),
            done: false,
            ticket: String::new(),
        }],
    );
    inc.title = "<script>alert(23)</script> \" onmouseover=\"alert(24)".into();
    inc.customer_impact = "<img src=x onerror=alert(25)> [x](javascript:alert(26))".into();
    inc.timeline = vec![TimelineEntry {
        at: dt("2025-01-10T10:00:00Z"),
        text: "<script>alert(27)</script>".into(),
        unplaced: None,
    }];
    inc.severity_label = Some("\" onclick=\"alert(28)".into());
    inc.sections =
        split_sections(&format!("## Root Cause\n\n{md}\n## Unknown <script>alert(29)</script>\n\n{md}"));
    inc.lessons_learned.went_well = vec!["<img src=x onerror=alert(30)>".into()];
    inc.sign_off.approved_by = "<script>alert(31)</script>".into();
    inc
}

#[test]
fn hostile_records_cannot_run_script() {
    let mut evil_id = archived(hostile(), 9);
    evil_id.id = "../../etc/<script>".into();
    let snap = snapshot(vec![archived(reference(), 1), archived(hostile(), 2), evil_id]);
    let files = site::render(&snap, &opts("2025-01-26")).unwrap();
    let any = Selector::parse("*").unwrap();
    let scripts = Selector::parse("script").unwrap();
    let csp = Selector::parse("meta[http-equiv=\"Content-Security-Policy\"]").unwrap();
    let mut pages = 0;
    for f in &files {
        assert!(!f.path.contains(".."), "a path escapes the site: {}", f.path);
        if !f.path.ends_with(".html") {
            continue;
        }
        pages += 1;
        let text = std::str::from_utf8(&f.bytes).unwrap();
        let doc = Html::parse_document(text);
        for s in doc.select(&scripts) {
            let src = s.value().attr("src").unwrap_or_else(|| panic!("{}: an inline script", f.path));
            assert!(
                ["assets/site.js", "assets/search.js", "assets/search-key.js", "assets/actions.js"]
                    .iter()
                    .any(|a| src.ends_with(a)),
                "{}: a script not from the site: {src}",
                f.path
            );
            assert!(s.text().all(|t| t.trim().is_empty()), "{}: a script with content", f.path);
        }
        let policy = doc.select(&csp).next().unwrap_or_else(|| panic!("{}: no CSP", f.path));
        let policy = policy.value().attr("content").unwrap();
        assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"), "{policy}");
        for el in doc.select(&any) {
            let name = el.value().name();
            assert!(
                !matches!(name, "iframe" | "object" | "embed" | "base" | "img"),
                "{}: a <{name}>",
                f.path
            );
            for (attr, value) in el.value().attrs() {
                assert!(
                    !attr.to_ascii_lowercase().starts_with("on"),
                    "{}: <{name} {attr}={value:?}>",
                    f.path
                );
                if matches!(attr, "href" | "src" | "action" | "xlink:href" | "formaction") {
                    let cleaned: String = value
                        .chars()
                        .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    for scheme in ["javascript:", "data:", "vbscript:"] {
                        assert!(!cleaned.starts_with(scheme), "{}: <{name} {attr}={value:?}>", f.path);
                    }
                }
            }
        }
    }
    assert!(pages > 10);
    // The hostile text is there, as text.
    let html = page(&files, "incidents/INC-2025-0666.html");
    assert!(html.contains("&lt;script&gt;alert(23)&lt;/script&gt;"), "the title shows as text");
    assert!(html.contains("&lt;iframe"), "raw HTML shows as text");
    let feed = page(&files, "feed.xml");
    assert!(!feed.contains("<script"), "the feed escapes record text");
}

#[test]
fn every_internal_link_resolves() {
    // Enough records for paged lists (years, owners, the tracker), plus the samples.
    let mut records: Vec<ArchivedRecord> = sample().records;
    for n in 0..(site::PAGE_SIZE + 20) {
        let started = format!("2023-{:02}-{:02}T{:02}:00:00Z", n % 12 + 1, n % 28 + 1, n % 24);
        let items = vec![
            item(
                &format!("AI-{n}-1"),
                "Tune alert",
                "Platform",
                "2023-12-31",
                if n % 3 == 0 { "Done" } else { "Open" },
            ),
            item(&format!("AI-{n}-2"), "Write runbook", "SRE", "2026-06-30", "Planned"),
        ];
        let inc = minor(
            &format!("INC-2023-{n:04}"),
            &started,
            ["P1", "P2", "P3", "P4"][n % 4],
            &[("Acme Inc", 1, 1)],
            items,
        );
        records.push(archived(inc, 10 + n as u64));
    }
    let files = site::render(&snapshot(records), &opts("2025-01-26")).unwrap();
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert!(paths.contains("incidents/2023.p2.html"), "the year is paged");
    assert!(paths.contains("actions-open.p2.html"), "the tracker is paged");
    assert!(paths.contains("owners/platform.p2.html"), "owner pages are paged");
    let links = Selector::parse("[href], [src], form[action]").unwrap();
    let mut checked = 0;
    for f in files.iter().filter(|f| f.path.ends_with(".html")) {
        let doc = Html::parse_document(std::str::from_utf8(&f.bytes).unwrap());
        let dir: Vec<&str> = f.path.split('/').collect();
        let dir = &dir[..dir.len() - 1];
        for el in doc.select(&links) {
            for attr in ["href", "src", "action"] {
                let Some(target) = el.value().attr(attr) else { continue };
                if target.starts_with('#') || target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let target = target.split(['?', '#']).next().unwrap();
                let mut parts: Vec<&str> = dir.to_vec();
                for seg in target.split('/') {
                    match seg {
                        ".." => assert!(parts.pop().is_some(), "{}: `{target}` leaves the site", f.path),
                        "." | "" => {}
                        s => parts.push(s),
                    }
                }
                let resolved = parts.join("/");
                assert!(
                    paths.contains(resolved.as_str()),
                    "{}: broken link `{target}` → `{resolved}`",
                    f.path
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "{checked} links checked");
}

// ----- determinism, incremental builds, the writer -----

#[test]
fn two_builds_are_byte_identical() {
    let snap = sample();
    assert_eq!(
        site::render(&snap, &opts("2025-01-26")).unwrap(),
        site::render(&snap, &opts("2025-01-26")).unwrap()
    );
    let tmp = tempfile::tempdir().unwrap();
    site::generate(&snap, &opts("2025-01-26"), &tmp.path().join("a"), Vec::new()).unwrap();
    site::generate(&snap, &opts("2025-01-26"), &tmp.path().join("b"), Vec::new()).unwrap();
    let (a, b) = (read_tree(&tmp.path().join("a")), read_tree(&tmp.path().join("b")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "`{path}` differs between two builds");
    }
    assert!(a.contains_key(site::MANIFEST));
}

#[test]
fn a_new_record_re_renders_only_the_pages_it_touches() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let first = site::generate(&sample(), &opts("2025-01-26"), &out, Vec::new()).unwrap();
    assert_eq!(first.reused, 0);
    assert!(first.rendered_pages.contains(&"incidents/INC-2025-0023.html".to_string()));
    let inode = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
    let reference_inode = inode("incidents/INC-2025-0023.html");

    // Nothing changed: nothing is rendered or written.
    let again = site::generate(&sample(), &opts("2025-01-26"), &out, Vec::new()).unwrap();
    assert_eq!((again.rendered, again.write.written, again.write.removed), (0, 0, 0), "{again:?}");
    assert_eq!(again.write.unchanged, first.files);
    assert_eq!(inode("incidents/INC-2025-0023.html"), reference_inode);

    // A page removed by hand comes back, alone.
    std::fs::remove_file(out.join("customers/healthtech-systems.html")).unwrap();
    let repaired = site::generate(&sample(), &opts("2025-01-26"), &out, Vec::new()).unwrap();
    assert_eq!(repaired.rendered_pages, ["customers/healthtech-systems.html"]);
    assert_eq!((repaired.write.written, repaired.write.unchanged), (1, first.files - 1));

    // A new record naming GlobalBank Corp and a new customer, with an item for a new owner.
    let mut records = sample().records;
    records.push(archived(
        minor(
            "INC-2025-0050",
            "2025-01-20T12:00:00Z",
            "P2",
            &[("GlobalBank Corp", 7, 9), ("Newco", 1, 1)],
            vec![item("AI-2025-050", "Add a canary", "Release Team", "2025-03-01", "Planned")],
        ),
        20,
    ));
    let untouched = inode("incidents/INC-2024-0101.html");
    let next = site::generate(&snapshot(records), &opts("2025-01-26"), &out, Vec::new()).unwrap();
    let rendered: BTreeSet<&str> = next.rendered_pages.iter().map(String::as_str).collect();
    // Its neighbours in time (2025-01-14 before it, 2025-02-03 after it) now link to it.
    for p in [
        "incidents/INC-2025-0023.html",
        "incidents/INC-2025-0040.html",
        "incidents/INC-2025-0050.html",
        "index.html",
        "incidents/index.html",
        "incidents/2025.html",
        "customers/index.html",
        "customers/globalbank-corp.html",
        "customers/newco.html",
        "owners/index.html",
        "owners/release-team.html",
        "actions.html",
        "feed.xml",
    ] {
        assert!(rendered.contains(p), "`{p}` should be re-rendered; rendered {rendered:?}");
    }
    for p in [
        "incidents/INC-2024-0101.html",
        "incidents/INC-2019-0007.html",
        "incidents/2024.html",
        "incidents/2019.html",
        "customers/healthtech-systems.html",
        "owners/platform.html",
        "search.html",
    ] {
        assert!(!rendered.contains(p), "`{p}` did not change but was re-rendered");
    }
    assert_eq!(
        rendered.iter().filter(|p| p.starts_with("incidents/INC-")).count(),
        3,
        "the new record and its two neighbours, no other incident page: {rendered:?}"
    );
    assert_eq!(inode("incidents/INC-2024-0101.html"), untouched, "an untouched page is not rewritten");

    // Only the build date moves: no incident page depends on it unless an item turns overdue.
    let later = snapshot({
        let mut r = sample().records;
        r.retain(|r| r.id != "INC-2025-0040");
        r
    });
    site::generate(&later, &opts("2025-01-26"), &out, Vec::new()).unwrap();
    let tomorrow = site::generate(&later, &opts("2025-01-27"), &out, Vec::new()).unwrap();
    assert!(
        tomorrow.rendered_pages.iter().all(|p| !p.starts_with("incidents/")),
        "a new day re-rendered incident pages: {:?}",
        tomorrow.rendered_pages
    );
    assert!(tomorrow.rendered_pages.contains(&"index.html".to_string()));
    // On 2025-01-28 AI-2025-005 (due 2025-01-27) turns overdue: its incident page changes.
    let overdue = site::generate(&later, &opts("2025-01-28"), &out, Vec::new()).unwrap();
    assert!(overdue.rendered_pages.contains(&"incidents/INC-2025-0023.html".to_string()), "{overdue:?}");
}

#[test]
fn a_failed_build_leaves_the_previous_site() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    site::generate(&sample(), &opts("2025-01-26"), &out, Vec::new()).unwrap();
    let before = read_tree(&out);
    let templates = tmp.path().join("tpl");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("incident.html"),
        "{% extends \"base.html\" %}{% block content %}{{ 1 / 0 }}{% endblock %}",
    )
    .unwrap();
    let mut o = opts("2025-01-27");
    o.templates = Some(templates);
    let err = site::generate(&sample(), &o, &out, Vec::new()).unwrap_err();
    assert!(err.to_string().contains("incidents/"), "the error names the page: {err}");
    assert_eq!(read_tree(&out), before, "the old site is untouched");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".new-") || n.contains(".old-")), "{names:?}");
}

#[test]
fn a_templates_folder_overrides_pages_and_assets() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("assets")).unwrap();
    std::fs::write(tmp.path().join("assets/site.css"), "body { color: red }").unwrap();
    std::fs::write(
        tmp.path().join("search.html"),
        "{% extends \"base.html\" %}{% block title %}Find{% endblock %}{% block content %}<p id=\"mine\">{{ site.title }}</p>{% endblock %}",
    )
    .unwrap();
    let mut o = opts("2025-01-26");
    o.templates = Some(tmp.path().to_path_buf());
    let files = site::render(&sample(), &o).unwrap();
    assert!(page(&files, "search.html").contains("<p id=\"mine\">Incident archive</p>"));
    assert_eq!(page(&files, "assets/site.css"), "body { color: red }");
    assert!(page(&files, "index.html").contains("Latest incidents"), "other pages keep the defaults");
}

#[test]
fn extra_files_are_written_beside_the_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let extra = vec![OutputFile { path: "search/terms-00.js".into(), bytes: b"var x = 1;\n".to_vec() }];
    site::generate(&sample(), &opts("2025-01-26"), &out, extra).unwrap();
    assert_eq!(std::fs::read(out.join("search/terms-00.js")).unwrap(), b"var x = 1;\n");
    let clash = vec![OutputFile { path: "index.html".into(), bytes: b"x".to_vec() }];
    let err = site::generate(&sample(), &opts("2025-01-26"), &out, clash).unwrap_err();
    assert!(err.to_string().contains("index.html"), "{err}");
}

// ----- the `site` command -----

/// An archive of the sample records in a temp dir.
fn archive_of_samples() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    common::bin()
        .args(["--archive", tmp.path().join("archive").to_str().unwrap(), "ingest"])
        .arg(common::records())
        .assert()
        .success();
    tmp
}

fn site_cmd(tmp: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = common::bin();
    cmd.current_dir(tmp).args(["--archive", "archive", "site", "--out", "public"]).args(extra);
    cmd
}

#[test]
fn the_site_command_renders_every_record_and_then_nothing() {
    let tmp = archive_of_samples();
    let out = site_cmd(tmp.path(), &["--as-of", "2026-06-01"]).assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("as of 2026-06-01"), "{stderr}");
    let public = tmp.path().join("public");
    let records: Vec<String> = std::fs::read_dir(common::records())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".md").to_string())
        .collect();
    assert!(records.len() >= 20);
    for id in &records {
        assert!(public.join(format!("incidents/{id}.html")).is_file(), "no page for {id}");
    }
    let home = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains("2026-06-01"));
    let before = read_tree(&public);

    let again = site_cmd(tmp.path(), &["--as-of", "2026-06-01"]).assert().success();
    let stderr = String::from_utf8_lossy(&again.get_output().stderr).to_string();
    assert!(stderr.contains(" 0 rendered") && stderr.contains("0 written"), "{stderr}");
    assert_eq!(read_tree(&public), before);

    // SOURCE_DATE_EPOCH sets the build date when --as-of is not given (2026-07-01 00:00 UTC).
    site_cmd(tmp.path(), &[]).env("SOURCE_DATE_EPOCH", "1782864000").assert().success();
    let home = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(home.contains("<time datetime=\"2026-07-01\">"), "the build date comes from SOURCE_DATE_EPOCH");
}

#[test]
fn a_second_writer_of_the_same_output_exits_3() {
    let tmp = archive_of_samples();
    let lock = std::fs::File::create(tmp.path().join(".public.lock")).unwrap();
    lock.try_lock().unwrap();
    let out = site_cmd(tmp.path(), &["--as-of", "2026-06-01"]).assert().code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains(".public.lock") && stderr.contains("locked"), "{stderr}");
    assert!(!tmp.path().join("public").exists(), "nothing was written");
    drop(lock);
    site_cmd(tmp.path(), &["--as-of", "2026-06-01"]).assert().success();
}

#[test]
fn a_broken_template_is_a_usage_error_naming_it() {
    let tmp = archive_of_samples();
    let templates = tmp.path().join("tpl");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("customer.html"),
        "{% extends \"base.html\" %}\n{% block content %}{% for %}{% endblock %}",
    )
    .unwrap();
    let out = site_cmd(tmp.path(), &["--as-of", "2026-06-01", "--templates", "tpl"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("customer.html:2"), "{stderr}");
    std::fs::write(
        templates.join("customer.html"),
        "{% extends \"base.html\" %}{% block content %}<p id=\"mine\">{{ customer.name }}</p>{% endblock %}",
    )
    .unwrap();
    site_cmd(tmp.path(), &["--as-of", "2026-06-01", "--templates", "tpl"]).assert().success();
    let page = std::fs::read_to_string(tmp.path().join("public/customers/globalbank-corp.html")).unwrap();
    assert!(page.contains("<p id=\"mine\">GlobalBank Corp</p>"), "{page}");
}

/// A large archive's snapshot keeps only summaries of its records and parses them again for
/// their pages and index documents: the site, its search files and the index's answers are the
/// same as from a snapshot of whole records.
#[test]
fn a_snapshot_of_summaries_builds_the_same_site_and_index() {
    use incident_archive::archive::Archive;
    use incident_archive::index;
    let tmp = archive_of_samples();
    let archive = Archive::open(&tmp.path().join("archive")).unwrap();
    let whole = within(&archive, u64::MAX);
    let summaries = within(&archive, 0);
    assert!(whole.records.iter().all(|r| r.whole().is_some()));
    assert!(
        summaries.records.iter().all(|r| matches!(r.content, Content::Summary(..))),
        "every record is summarized"
    );
    // The summaries really are smaller: no sections, no timeline (a `Summary` has none), but
    // the lists' values.
    let w = whole.records[0].whole().unwrap();
    let Content::Summary(s, _) = &summaries.records[0].content else { panic!("a summary") };
    assert!(!w.sections.is_empty());
    assert_eq!((&s.title, &s.action_items, &s.customers), (&w.title, &w.action_items, &w.impact.customers));
    assert_eq!(s.as_ref(), &Summary::from(w));
    assert_eq!(summaries.full_incident(&summaries.records[0]).unwrap().as_ref(), w);

    let opts = opts("2026-06-01");
    let (from_summaries, from_whole) =
        (site::render(&summaries, &opts).unwrap(), site::render(&whole, &opts).unwrap());
    assert_eq!(from_summaries.len(), from_whole.len());
    for (a, b) in from_summaries.iter().zip(&from_whole) {
        assert_eq!(a.path, b.path);
        if a.bytes != b.bytes {
            let (a, b) = (String::from_utf8_lossy(&a.bytes), String::from_utf8_lossy(&b.bytes));
            let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            let from = at.saturating_sub(200);
            panic!(
                "{} differs:\n{}\n---\n{}",
                a.len(),
                &a[from..(at + 200).min(a.len())],
                &b[from..(at + 200).min(b.len())]
            );
        }
    }
    let (a, b) = (tmp.path().join("ix-whole"), tmp.path().join("ix-summaries"));
    index::rebuild(&a, &whole).unwrap();
    index::rebuild(&b, &summaries).unwrap();
    assert_eq!(index::browser_export(&a).unwrap(), index::browser_export(&b).unwrap());

    // The first snapshot left every summary in the cache: the next one parses nothing, even
    // with room for whole records, and still builds the same site.
    assert!(tmp.path().join("archive/cache/summaries.json").is_file());
    let cached = within(&archive, u64::MAX);
    assert!(cached.records.iter().all(|r| matches!(r.content, Content::Summary(_, Origin::Cache))));
    assert_eq!(site::render(&cached, &opts).unwrap(), from_whole);

    // A cache written by another build of the program is ignored.
    let cache = tmp.path().join("archive/cache/summaries.json");
    let text = std::fs::read_to_string(&cache).unwrap();
    let other = text.replacen("\"program\":\"incident-archive ", "\"program\":\"another ", 1);
    assert_ne!(text, other);
    std::fs::write(&cache, other).unwrap();
    assert!(within(&archive, u64::MAX).records.iter().all(|r| !matches!(r.content, Content::Summary(..))));

    // A cached summary does not hide an object that is gone: the record carries the error.
    let gone = &whole.records[3];
    let path = tmp.path().join("archive/objects").join(&gone.object[..2]).join(&gone.object[2..]);
    std::fs::remove_file(&path).unwrap();
    let after = within(&archive, u64::MAX);
    let r = after.records.iter().find(|r| r.id == gone.id).unwrap();
    assert!(r.summary().is_none() && r.error().is_some(), "{r:?}");
}

/// `build` hands the records it has just ingested to the snapshot, parsed once: whole while
/// they fit in the snapshot's budget, summarized beyond.
#[test]
fn ingest_keeps_what_it_parsed_for_the_snapshot() {
    use incident_archive::archive::{self, Archive, IngestOptions};
    let tmp = tempfile::tempdir().unwrap();
    let archive = Archive::create(&tmp.path().join("archive")).unwrap();
    let guard = archive.lock().unwrap();
    let files = incident_archive::record::discover(&[common::records()]).unwrap();
    let now = "2026-06-01T02:00:00Z".parse().unwrap();
    let mut opts = IngestOptions::new(7, now);
    opts.keep_parsed = Some(u64::MAX);
    let mut report = archive::ingest(&archive, &guard, &files, &opts).unwrap();
    assert_eq!(report.parsed.len(), report.new);
    assert!(report.parsed.values().all(|p| p.whole().is_some_and(|i| !i.sections.is_empty())));
    let parsed = std::mem::take(&mut report.parsed);
    let handed =
        Snapshot::read(&archive, SnapshotOptions { budget: u64::MAX, parsed, ..Default::default() }).unwrap();
    let parsed_again = Archive::open(&tmp.path().join("archive")).unwrap();
    std::fs::remove_dir_all(tmp.path().join("archive/cache")).unwrap();
    let fresh = within(&parsed_again, u64::MAX);
    let incidents = |s: &Snapshot| s.records.iter().map(|r| r.whole().cloned()).collect::<Vec<_>>();
    assert_eq!(incidents(&handed), incidents(&fresh));

    // With no room, a second archive of the same records keeps summaries only.
    let archive = Archive::create(&tmp.path().join("small")).unwrap();
    let guard = archive.lock().unwrap();
    opts.keep_parsed = Some(0);
    let report = archive::ingest(&archive, &guard, &files, &opts).unwrap();
    assert_eq!(report.parsed.len(), report.new);
    assert!(report.parsed.values().all(|p| matches!(p, Kept::Summary(_))));
}

// ----- page names and the search's links -----

/// Ids of the safe form whose pages cannot be `incidents/<id>.html`: twins that differ only in
/// case, the names of the incident lists' pages, names Windows reserves for devices; and two
/// plain ones.
const AWKWARD_IDS: &[&str] = &[
    "INC-1", "inc-1", "index", "2025", "undated", "2025.p2", "Index.p3", "CON", "nul.txt", "Com1",
    "lpt9.log", "INC-2", "x.con",
];

/// A signed-off record with the id `id` and the title `Page names: <id>` (a sample record with
/// its id replaced).
fn record_with_id(id: &str) -> String {
    let text = std::fs::read_to_string(common::records().join("INC-2024-0031.md")).unwrap();
    let title = text.lines().find(|l| l.starts_with("**Title**:")).unwrap();
    text.replace(title, &format!("**Title**: Page names: {id}  ")).replace("INC-2024-0031", id)
}

/// The rows of the browser search's `d/` files: `[number, id, title, …, page path?]`.
fn search_rows(site: &Path) -> Vec<serde_json::Value> {
    let mut rows = Vec::new();
    for e in std::fs::read_dir(site.join("search/d")).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let json = text.split_once(',').unwrap().1.trim_end().trim_end_matches(");");
        rows.extend(serde_json::from_str::<Vec<serde_json::Value>>(json).unwrap());
    }
    rows
}

#[test]
fn every_page_the_search_links_to_is_the_incidents_own() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("records");
    std::fs::create_dir(&inbox).unwrap();
    for (n, id) in AWKWARD_IDS.iter().enumerate() {
        // File names of their own: `CON.md` or two names differing in case are trouble elsewhere.
        std::fs::write(inbox.join(format!("record-{n}.md")), record_with_id(id)).unwrap();
    }
    common::bin().current_dir(tmp.path()).args(["build", "--as-of", "2026-06-01"]).assert().success();
    let site = tmp.path().join("public");
    let rows = search_rows(&site);
    assert_eq!(rows.len(), AWKWARD_IDS.len());
    let id_of = Selector::parse(".crumbs .id").unwrap();
    let mut pages = BTreeSet::new();
    for row in &rows {
        let id = row[1].as_str().unwrap();
        let default = format!("incidents/{id}.html");
        // Only the moved pages cost bytes in the search data.
        let path = match row.get(6) {
            Some(p) => p.as_str().unwrap().to_string(),
            None => default.clone(),
        };
        assert_eq!(row.get(6).is_none(), ["INC-2", "x.con"].contains(&id), "{row}");
        assert_ne!(row.get(6).and_then(|p| p.as_str()), Some(default.as_str()), "{row}");
        let html =
            std::fs::read_to_string(site.join(&path)).unwrap_or_else(|e| panic!("{id}: `{path}`: {e}"));
        let doc = Html::parse_document(&html);
        let shown: Vec<String> = doc.select(&id_of).map(|e| e.text().collect()).collect();
        assert_eq!(shown, [id], "`{path}` is the page of {id}");
        assert!(html.contains(&format!("Page names: {id}")), "{path}");
        assert!(pages.insert(path.to_ascii_lowercase()), "`{path}` twice, ignoring case");
        let stem = path.trim_start_matches("incidents/").trim_end_matches(".html");
        assert!(!incident_archive::site::slug::windows_reserved(stem), "{path}");
    }
    // The list pages are still the lists.
    let years = std::fs::read_to_string(site.join("incidents/2024.html")).unwrap();
    assert!(years.contains("Page names: CON"), "the year's list names the records");
    let index = std::fs::read_to_string(site.join("incidents/index.html")).unwrap();
    assert!(!index.contains("Page names: index</h1>"));
}

// ----- what `--out` may replace -----

/// Every entry under `dir` (the folder itself as ""): its kind, mode and content.
fn state(dir: &Path) -> BTreeMap<String, (char, u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        let mode = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            out.insert(rel, ('d', mode, Vec::new()));
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if meta.is_symlink() {
            out.insert(
                rel,
                ('l', mode, std::fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes()),
            );
        } else {
            out.insert(rel, ('f', mode, std::fs::read(&p).unwrap()));
        }
    }
    out
}

/// Runs `site` with `args` in `tmp`, expects exit 2 with `needle` in the error, and that
/// nothing under `tmp` changed.
fn refused(tmp: &Path, args: &[&str], needle: &str) {
    let before = state(tmp);
    let mut cmd = common::bin();
    cmd.current_dir(tmp).args(["--archive", "archive", "site", "--as-of", "2026-06-01"]).args(args);
    let out = cmd.assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert!(state(tmp) == before, "{args:?} changed something");
}

#[test]
fn site_out_refuses_a_folder_of_someone_elses_files_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = archive_of_samples();
    let mine = tmp.path().join("mine");
    std::fs::create_dir_all(mine.join("empty")).unwrap();
    std::fs::write(mine.join("index.html"), "<p>my own page</p>").unwrap();
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o700)).unwrap();
    refused(tmp.path(), &["--out", "mine"], "is not a site built by incident-archive");
    // A symlink to it is the same folder.
    std::os::unix::fs::symlink("mine", tmp.path().join("link")).unwrap();
    refused(tmp.path(), &["--out", "link"], "is not a site built by incident-archive");

    // An empty folder becomes a site, with its mode; then it is the tool's own to rebuild, and
    // what a user adds to it is kept.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o750)).unwrap();
    common::bin()
        .current_dir(tmp.path())
        .args(["--archive", "archive", "site", "--out", "empty", "--as-of", "2026-06-01"])
        .assert()
        .success();
    assert_eq!(std::fs::metadata(&empty).unwrap().permissions().mode() & 0o7777, 0o750);
    std::fs::create_dir_all(empty.join("notes/drafts")).unwrap();
    std::fs::set_permissions(empty.join("notes"), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(empty.join("notes/todo.txt"), "mine").unwrap();
    let before = state(&empty);
    common::bin()
        .current_dir(tmp.path())
        .args(["--archive", "archive", "site", "--out", "empty", "--as-of", "2026-06-02"])
        .assert()
        .success();
    let after = state(&empty);
    for p in ["", "notes", "notes/drafts", "notes/todo.txt"] {
        assert_eq!(after.get(p), before.get(p), "`{p}` is kept as it was");
    }
}

#[test]
fn site_out_refuses_the_archive_the_inbox_and_the_project_around_them() {
    let tmp = archive_of_samples();
    common::copy_records(&common::records(), &tmp.path().join("records"));
    refused(tmp.path(), &["--out", "."], "holds the archive");
    refused(tmp.path(), &["--out", "archive"], "is the archive");
    refused(tmp.path(), &["--out", "archive/index"], "is inside the archive");
    refused(tmp.path(), &["--out", "archive/site"], "is inside the archive");
    refused(tmp.path(), &["--out", "records"], "is the inbox");
    refused(tmp.path(), &["--out", "records/../archive/"], "is the archive");
    std::fs::create_dir(tmp.path().join("tpl")).unwrap();
    refused(tmp.path(), &["--out", "tpl", "--templates", "tpl"], "is the templates");
    // The folder of the configuration file holds what it configures.
    let project = tmp.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("incident-archive.yaml"),
        "inbox: ../records\narchive: ../archive\noutput: ..\n",
    )
    .unwrap();
    let before = state(tmp.path());
    let out = common::bin().current_dir(&project).args(["build", "--as-of", "2026-06-01"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("holds the archive"), "{stderr}");
    assert!(state(tmp.path()) == before, "`build` refused before ingesting anything");
}

#[test]
fn build_refuses_an_output_folder_it_did_not_build_before_ingesting() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_records(&common::records(), &tmp.path().join("records"));
    std::fs::create_dir(tmp.path().join("public")).unwrap();
    std::fs::write(tmp.path().join("public/index.html"), "<p>my own page</p>").unwrap();
    let before = state(tmp.path());
    let out = common::bin().current_dir(tmp.path()).args(["build", "--as-of", "2026-06-01"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("public") && stderr.contains(".site-manifest.json"), "{stderr}");
    assert!(state(tmp.path()) == before, "no archive, no lock file, the page untouched");
}

/// A tmpfs mounted on `dir` for the life of the value; `None` (the test says so and passes)
/// where mounting is not permitted (it needs root or CAP_SYS_ADMIN).
struct Mounted(std::path::PathBuf);

impl Mounted {
    fn at(dir: &Path) -> Option<Mounted> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs on `{}` (needs root or CAP_SYS_ADMIN)", dir.display());
        }
        ok.then(|| Mounted(dir.to_path_buf()))
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_mount_point_in_or_at_the_output_is_refused_and_never_crossed() {
    let tmp = archive_of_samples();
    site_cmd(tmp.path(), &["--as-of", "2026-06-01"]).assert().success();
    let Some(mounted) = Mounted::at(&tmp.path().join("public/data")) else { return };
    std::fs::write(tmp.path().join("public/data/precious.txt"), "mounted").unwrap();
    refused(tmp.path(), &["--out", "public"], "holds a mount point");
    drop(mounted);

    // A temporary tree left by a killed run is removed by the next one, but not across a mount.
    let leftover = tmp.path().join(".public.new-killed");
    let Some(mounted) = Mounted::at(&leftover.join("data")) else { return };
    std::fs::write(leftover.join("data/precious.txt"), "mounted").unwrap();
    let out = site_cmd(tmp.path(), &["--as-of", "2026-06-02"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("holds a mount point"), "{stderr}");
    assert_eq!(std::fs::read(leftover.join("data/precious.txt")).unwrap(), b"mounted");
    drop(mounted);

    // The output folder itself a mount point: it cannot be swapped for a new tree.
    let Some(_mounted) = Mounted::at(&tmp.path().join("mnt")) else { return };
    std::fs::write(tmp.path().join("mnt/precious.txt"), "mounted").unwrap();
    refused(tmp.path(), &["--out", "mnt"], "is a mount point");
    std::fs::remove_file(tmp.path().join("mnt/precious.txt")).unwrap();
    refused(tmp.path(), &["--out", "mnt"], "is a mount point");
}

// ----- reading a long postmortem -----

/// The `href` of the link with `rel` on an incident page, as a site path.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(&format!("nav.prev-next a[rel=\"{rel}\"]")).unwrap();
    let href = doc.select(&sel).next()?.value().attr("href")?.to_string();
    Some(href.strip_prefix("../").expect("a link from incidents/").to_string())
}

#[test]
fn incident_pages_link_their_neighbours_in_time() {
    let files = site::render(&sample(), &opts("2025-01-26")).unwrap();
    // From the newest incident, `prev` walks back in time through every listed record.
    let mut at = "incidents/INC-2025-0040.html".to_string();
    assert_eq!(rel_link(page(&files, &at), "next"), None, "the newest has no next");
    let mut seen = vec![at.clone()];
    while let Some(prev) = rel_link(page(&files, &at), "prev") {
        assert_eq!(
            rel_link(page(&files, &prev), "next").as_deref(),
            Some(at.as_str()),
            "{prev}: next goes back"
        );
        seen.push(prev.clone());
        at = prev;
    }
    assert_eq!(
        seen,
        [
            "incidents/INC-2025-0040.html",
            "incidents/INC-2025-0023.html",
            "incidents/INC-2024-0101.html",
            "incidents/INC-2019-0007.html"
        ]
    );
    // A purged record is in no list and has neither.
    let purged = page(&files, "incidents/INC-2017-0001.html");
    assert!(!purged.contains("class=\"prev-next\""), "{}", main_of(purged));
    let nav = page(&files, "incidents/INC-2024-0101.html");
    let nav = &nav[nav.find("class=\"prev-next\"").unwrap()..];
    assert!(
        nav.contains("INC-2019-0007</span> <span class=\"t\">Minor incident INC-2019-0007"),
        "the link names its incident"
    );
}

#[test]
fn incident_pages_have_unique_ids_and_a_contents_that_reaches_them() {
    let mut hostile = minor("INC-2025-0060", "2025-01-21T09:00:00Z", "P3", &[], Vec::new());
    hostile.sections = split_sections(
        "## Root Cause\n\nA.\n\n## Notes\n\nB.\n\n## Notes\n\nC.\n\n### Main\n\nD.\n\n## Provenance H\n\nE.\n\n## Action Items\n\nF.\n\n## Übersicht\n\nG.\n",
    );
    let mut records = sample().records;
    records.push(archived(hostile, 30));
    let snap = snapshot(records);
    let files = site::render(&snap, &opts("2025-01-26")).unwrap();
    for path in ["incidents/INC-2025-0060.html", "incidents/INC-2025-0023.html"] {
        let doc = Html::parse_document(page(&files, path));
        let ids: Vec<&str> =
            doc.select(&Selector::parse("[id]").unwrap()).map(|e| e.value().attr("id").unwrap()).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{path}: duplicate ids in {ids:?}");
        let toc = Selector::parse("nav.toc[aria-label=\"On this page\"] a").unwrap();
        let targets: Vec<&str> = doc.select(&toc).map(|a| a.value().attr("href").unwrap()).collect();
        assert!(targets.len() > 3, "{path}: {targets:?}");
        for t in &targets {
            let id = t.strip_prefix('#').expect("a link on the page");
            assert!(unique.contains(id), "{path}: the contents link `{t}` reaches nothing");
            // Each heading has its `#` link.
            let sel = Selector::parse(&format!("a.anchor[href=\"{t}\"]")).unwrap();
            assert_eq!(doc.select(&sel).count(), 1, "{path}: no `#` link for {t}");
        }
        if path.ends_with("0060.html") {
            assert_eq!(
                targets,
                [
                    "#provenance-h",
                    "#root-cause",
                    "#notes",
                    "#notes-1",
                    "#main-1",
                    "#provenance-h-1",
                    "#action-items",
                    "#übersicht"
                ]
            );
        } else {
            assert!(
                targets.contains(&"#root-cause") && targets.contains(&"#customer-specific-impact"),
                "{targets:?}"
            );
        }
    }
    // The same archive gives the same anchors.
    let again = site::render(&snap, &opts("2025-01-26")).unwrap();
    assert_eq!(page(&again, "incidents/INC-2025-0060.html"), page(&files, "incidents/INC-2025-0060.html"));
}
/// `changes.html` and `changes.xml` when a day holds more entries than they list.
mod changes;
/// The action-item tracker's pages and data files.
mod tracker;
