//! Integration tests of hostile record text (`tests/fixtures/hostile/`): control characters
//! (ESC sequences, NUL from YAML escapes, C1, DEL, bidi overrides, line separators) never reach
//! a page, the feed, a JSON file or the terminal raw, and the feed stays valid XML.

use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

use crate::common;

/// The title of `CTRL-1` as its front matter spells it (YAML escapes).
const CTRL_TITLE: &str =
    "CTRL-1 \0nul \u{1b}[31mred\u{1b}[0m \u{202e}gnp.exe\u{202c} \u{9b}2J hostile controls";
/// The same title as pages, the feed and the terminal show it.
const CTRL_TITLE_SHOWN: &str =
    "CTRL-1 \\u{0}nul \\u{1b}[31mred\\u{1b}[0m \\u{202e}gnp.exe\\u{202c} \\u{9b}2J hostile controls";

/// A character that must not appear raw in an output: C0 controls other than tab, line feed and
/// carriage return, DEL, C1 controls, bidi embeddings, overrides and isolates, noncharacters.
fn is_raw_control(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7f..=0x9f).contains(&n)
        || (0x202a..=0x202e).contains(&n)
        || (0x2066..=0x2069).contains(&n)
        || (0xfdd0..=0xfdef).contains(&n)
        || n & 0xfffe == 0xfffe
}

/// The raw controls of `text`, with their byte offsets (at most a few, for a message).
fn raw_controls(text: &str) -> Vec<(usize, char)> {
    text.char_indices().filter(|(_, c)| is_raw_control(*c)).take(5).collect()
}

/// Builds the hostile fixtures (inbox `records/`) into `archive/` and `public/` under `tmp`.
fn build_hostile(tmp: &Path) {
    common::copy_records(&common::fixture("hostile"), &tmp.join("records"));
    std::fs::write(tmp.join("incident-archive.yaml"), "inbox: records\narchive: archive\noutput: public\n")
        .unwrap();
    let out = common::bin().current_dir(tmp).args(["build", "--as-of", "2026-01-31"]).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("0 rejected"), "{stdout}");
}

/// Every file below `dir`, as paths relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    common::files(dir).into_iter().map(|p| p.strip_prefix(dir).unwrap().to_path_buf()).collect()
}

#[test]
fn no_file_of_the_site_holds_a_raw_control_and_the_feed_is_valid_xml() {
    let tmp = tempfile::tempdir().unwrap();
    build_hostile(tmp.path());
    let public = tmp.path().join("public");
    let all = files(&public);
    assert!(all.len() > 20, "{all:?}");
    for rel in &all {
        // The originals are the archived records byte for byte (downloads an auditor hashes),
        // never rendered: they hold what the records hold; so do the evidence bundles
        // (`.tar.gz` of the originals and their proofs).
        if rel.starts_with("originals") || rel.starts_with("bundles") {
            continue;
        }
        let bytes = std::fs::read(public.join(rel)).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap_or_else(|_| panic!("{}: not UTF-8", rel.display()));
        assert_eq!(raw_controls(text), [], "{}: raw control characters", rel.display());
        // Script and JSON files: no raw line separators (a string literal before ES2019 ends
        // there), which CTRL-1's customer impact and timeline hold.
        if rel.extension().is_some_and(|e| e == "js" || e == "json") {
            assert!(!text.contains(['\u{2028}', '\u{2029}']), "{}: a raw line separator", rel.display());
        }
    }
    let search: String = all
        .iter()
        .filter(|rel| rel.starts_with("search"))
        .map(|rel| std::fs::read_to_string(public.join(rel)).unwrap())
        .collect();
    // The result rows show the title as the pages do; the filter values are exact, escaped.
    assert!(search.contains(r"\\u{202e}gnp.exe\\u{202c}"), "the rows' title, escaped like the pages");
    // (The rows hold no summary: the record's text, CTRL-1's line separators with it, is in the
    // deflated `x/` files, which the raw-control check above reads as base64.)
    assert!(search.contains(r"Corp \u202egnp"), "JSON escapes");

    // The feed is XML 1.0 that a strict parser reads (which refuses what the feed used to hold).
    assert!(roxmltree::Document::parse("<a>\u{1b}[31m</a>").is_err(), "the parser checks characters");
    let feed = std::fs::read_to_string(public.join("feed.xml")).unwrap();
    let doc = roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("feed.xml: {e}\n{feed}"));
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| e.children().find(|n| n.has_tag_name("title")).and_then(|t| t.text()))
        .collect();
    let hostile = std::fs::read_dir(common::fixture("hostile"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "md"))
        .count();
    assert_eq!(titles.len(), hostile, "one entry per hostile record: {titles:?}");
    assert!(titles.contains(&format!("CTRL-1: {CTRL_TITLE_SHOWN}").as_str()), "{titles:?}");
    let summary = doc
        .descendants()
        .filter(|n| n.has_tag_name("summary"))
        .filter_map(|n| n.text())
        .find(|t| t.contains("exe.txt"))
        .unwrap();
    assert!(summary.contains("\\u{0} \\u{85}") && summary.contains("\\u{202e}exe.txt\\u{202c}"), "{summary}");

    // The page shows the controls as visible escapes, in the heading and the window title.
    let page = Html::parse_document(&std::fs::read_to_string(public.join("incidents/CTRL-1.html")).unwrap());
    let text_of = |sel: &str| {
        let sel = Selector::parse(sel).unwrap();
        page.select(&sel).next().map(|e| e.text().collect::<String>()).unwrap_or_default()
    };
    assert_eq!(text_of("h1"), CTRL_TITLE_SHOWN);
    assert!(text_of("title").starts_with(&format!("CTRL-1: {CTRL_TITLE_SHOWN}")));
    let main = text_of("main");
    for shown in [
        "\\u{1b}]0;pwned window title\\u{7} fired",
        "\\u{1b}[2J\\u{1b}[H cleared \\u{202e}gnp.exe",
        "\\u{7f} del \\u{85} nel \\u{9b}31m csi \\u{2066}isolate\\u{2069}",
        "Evil\\u{1b}[5m Corp \\u{202e}gnp",
        "echo \"\\u{1b}[1mbold\\u{1b}[0m\" \\u{202e}# comment",
        "Sec\\u{1b}[33murity",
        "Notes \\u{1b}[1m bold heading \\u{202e}",
        "Maria Garcia\\u{1b}]8;;https://evil.example/\\u{1b}\\link",
    ] {
        assert!(main.contains(shown), "`{shown}` is not on the page");
    }
    // A link keeps its target, with the override percent-encoded.
    assert!(
        std::fs::read_to_string(public.join("incidents/CTRL-1.html"))
            .unwrap()
            .contains("href=\"https://ok.example/a%E2%80%AEb\""),
        "the link target is percent-encoded"
    );

    // JSON keeps the exact text, written with escapes.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(public.join("incidents.json")).unwrap()).unwrap();
    let ctrl = json["incidents"].as_array().unwrap().iter().find(|i| i["id"] == "CTRL-1").unwrap();
    assert_eq!(ctrl["title"], CTRL_TITLE);
    assert!(ctrl["customers"][0].as_str().unwrap().contains("\u{1b}[5m Corp \u{202e}"));
}

#[test]
fn show_and_search_print_no_raw_control_and_json_stays_exact() {
    let tmp = tempfile::tempdir().unwrap();
    build_hostile(tmp.path());
    let run = |args: &[&str]| {
        let out = common::bin().current_dir(tmp.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };

    let (show, _) = run(&["show", "CTRL-1"]);
    assert_eq!(raw_controls(&show), [], "{show}");
    assert!(show.starts_with(&format!("CTRL-1  {CTRL_TITLE_SHOWN}\n")), "{show}");
    assert!(show.contains("by Maria Garcia\\u{1b}]8;;https://evil.example/\\u{1b}\\link"), "{show}");

    let (json, _) = run(&["show", "CTRL-1", "--json"]);
    assert_eq!(raw_controls(&json), [], "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["title"], CTRL_TITLE);
    assert!(doc["timeline"][0]["text"].as_str().unwrap().contains("\u{1b}]0;pwned window title\u{7}"));

    // `--raw` to a pipe: the exact bytes.
    let raw = common::bin().current_dir(tmp.path()).args(["show", "CTRL-1", "--raw"]).output().unwrap();
    assert!(raw.status.success());
    assert_eq!(raw.stdout, std::fs::read(common::fixture("hostile/CTRL-1.md")).unwrap());

    for args in [&["search", "hostile", "--facets"][..], &["search", "customer:evil", "--limit", "3"]] {
        let (out, err) = run(args);
        assert_eq!(raw_controls(&out), [], "{args:?}: {out}");
        assert_eq!(raw_controls(&err), [], "{args:?}: {err}");
        assert!(out.contains("CTRL-1  CTRL-1 \\u{0}nul \\u{1b}[31mred"), "{args:?}: {out}");
    }
    let (facets, _) = run(&["search", "controls", "--facets"]);
    assert!(facets.contains("customer: Evil\\u{1b}[5m Corp \\u{202e}gnp 1"), "{facets}");
    assert!(facets.contains("owner: Sec\\u{1b}[33murity 1"), "{facets}");
    let (json, _) = run(&["search", "controls", "--json", "--facets"]);
    assert_eq!(raw_controls(&json), [], "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["hits"][0]["title"], CTRL_TITLE);
}

/// `script` (util-linux) runs a command on a pseudo-terminal.
fn on_a_terminal(dir: &Path, command: &str) -> std::process::Output {
    std::process::Command::new("script")
        .current_dir(dir)
        .args(["-qefc", command, "/dev/null"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) runs a command on a terminal")
}

#[test]
fn show_raw_refuses_a_terminal_when_the_record_holds_controls() {
    let tmp = tempfile::tempdir().unwrap();
    build_hostile(tmp.path());
    let bin = assert_cmd::cargo::cargo_bin("incident-archive");
    let bin = bin.to_str().unwrap();
    let out = on_a_terminal(tmp.path(), &format!("'{bin}' show CTRL-1 --raw; echo \"exit=$?\""));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("exit=2"), "{text}");
    assert!(text.contains("`CTRL-1` holds the control character `\\u{1b}` (line 11)"), "{text}");
    assert!(text.contains("| cat -v"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    // A record without controls is written as it is, terminal or not.
    let out = on_a_terminal(tmp.path(), &format!("'{bin}' show XSS-2 --raw; echo \"exit=$?\""));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("exit=0") && text.contains("# Incident Report: XSS-2"), "{text}");
}

#[test]
fn diagnostics_that_quote_record_text_escape_its_controls() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::fixture("hostile/CTRL-1.md"))
        .unwrap()
        .replace("**Severity**: P3 (Medium\u{1b}[8m hidden)", "**Severity**: P9\u{1b}[31m\u{202e}")
        .replace("| 2024-06-01 |", "| 2024-99-01\u{1b}[1m\u{202e} |");
    let name = "bad\u{1b}[2J.md";
    std::fs::write(tmp.path().join(name), text).unwrap();
    let out = common::bin().current_dir(tmp.path()).args(["check", name]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(raw_controls(&stdout), [], "{stdout}");
    assert!(stdout.contains("bad\\u{1b}[2J.md:"), "the path is escaped: {stdout}");
    assert!(stdout.contains("warning[severity-invalid]: severity `P9\\u{1b}[31m\\u{202e}`"), "{stdout}");
    assert!(stdout.contains("`2024-99-01\\u{1b}[1m\\u{202e}` is not a date"), "{stdout}");
    // `--json` gives the exact text, as JSON escapes.
    let out = common::bin().current_dir(tmp.path()).args(["check", name, "--json"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(raw_controls(&stdout), [], "{stdout}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["title"], CTRL_TITLE);
    assert_eq!(doc["path"], name);
    // `build` prints the same diagnostics (with -v for warnings) without raw controls.
    std::fs::create_dir(tmp.path().join("records")).unwrap();
    std::fs::rename(tmp.path().join(name), tmp.path().join("records").join(name)).unwrap();
    let out = common::bin()
        .current_dir(tmp.path())
        .args(["--archive", "archive", "-v", "build", "records", "--as-of", "2026-01-31"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("severity-invalid"), "{stderr}");
    assert_eq!(raw_controls(&stderr), [], "{stderr}");
    // A rejected record's diagnostics in `build --json`: exact, as JSON escapes.
    let text = std::fs::read_to_string(tmp.path().join("records").join(name)).unwrap();
    std::fs::write(tmp.path().join("records/rejected.md"), text.replace("Resolved", "Open\u{202e}")).unwrap();
    let out = common::bin()
        .current_dir(tmp.path())
        .args(["--archive", "archive", "build", "records", "--as-of", "2026-01-31", "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(raw_controls(&stdout), [], "{stdout}");
    assert!(stdout.contains("Open\\u202e"), "{stdout}");
}

#[test]
fn invalid_utf8_such_as_an_encoded_surrogate_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let good = std::fs::read(common::fixture("hostile/XSS-2.md")).unwrap();
    // U+D800 in the form of UTF-8 (CESU-8 / WTF-8): no valid UTF-8 text can hold a surrogate.
    let text = String::from_utf8(good).unwrap().replace("XSS-2", "SUR-1");
    let at = text.find("hostile title").unwrap();
    let mut bytes = text.into_bytes();
    bytes.splice(at..at, *b"\xED\xA0\x80");
    std::fs::create_dir(tmp.path().join("records")).unwrap();
    std::fs::write(tmp.path().join("records/SUR-1.md"), &bytes).unwrap();
    let out = common::bin().current_dir(tmp.path()).args(["check", "records"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("SUR-1.md:6: error[not-utf8]"), "{stdout}");
    let out = common::bin()
        .current_dir(tmp.path())
        .args(["--archive", "archive", "build", "records", "--as-of", "2026-01-31"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!tmp.path().join("public/incidents/SUR-1.html").exists());
}

// ----- the XSS corpus: 50 payloads in each of 35 fields -----

/// The markers of the generated corpus: `$N` of payload `p` (0-based) in slot `s` (1-based).
fn marker(p: usize, slot: usize) -> usize {
    900_000 + p * 100 + slot
}

/// The slot of `record.md.in` that the renderer may shorten: a code fence's info string keeps
/// its first 32 characters of `[A-Za-z0-9_+#-]` only.
const FENCE_INFO_SLOT: usize = 10;

/// The generated records of `tests/fixtures/hostile/xss/`: one per payload of `payloads.txt`
/// (`XSSG-01`…), with the payload in every `{{P}}` slot of `record.md.in` (as the slot's syntax
/// needs: `{{P:yaml}}` in a YAML double-quoted string, `{{P:cell}}` in a table cell,
/// `{{P:title}}` in a link title) and its `$N` replaced by [`marker`]. `tests/browser/xss.test.mjs`
/// generates the same records.
fn xss_records() -> Vec<(String, String)> {
    let dir = common::fixture("hostile/xss");
    let payloads = std::fs::read_to_string(dir.join("payloads.txt")).unwrap();
    let payloads: Vec<&str> = payloads.lines().filter(|l| !l.is_empty()).collect();
    let template = std::fs::read_to_string(dir.join("record.md.in")).unwrap();
    assert_eq!(payloads.len(), 50, "payloads.txt has 50 payloads");
    payloads
        .iter()
        .enumerate()
        .map(|(p, payload)| {
            let id = format!("XSSG-{:02}", p + 1);
            let (mut out, mut rest, mut slot) = (String::new(), template.as_str(), 0);
            while let Some(start) = rest.find("{{") {
                let end = start + rest[start..].find("}}").unwrap() + 2;
                out.push_str(&rest[..start]);
                let tag = &rest[start + 2..end - 2];
                if tag == "ID" {
                    out.push_str(&id);
                } else {
                    slot += 1;
                    let v = payload.replace("$N", &marker(p, slot).to_string());
                    let quoted = || v.replace('\\', "\\\\").replace('"', "\\\"").replace('\t', "\\t");
                    out.push_str(&match tag {
                        "P" => v.clone(),
                        "P:yaml" | "P:title" => quoted(),
                        "P:cell" => v.replace('|', "\\|"),
                        other => panic!("record.md.in: unknown slot `{other}`"),
                    });
                }
                rest = &rest[end..];
            }
            out.push_str(rest);
            assert_eq!(slot, 35, "record.md.in has 35 slots");
            (id, out)
        })
        .collect()
}

#[test]
fn fifty_payloads_in_35_fields_stay_text_on_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let records = tmp.path().join("records");
    std::fs::create_dir(&records).unwrap();
    let corpus = xss_records();
    for (id, text) in &corpus {
        std::fs::write(records.join(format!("{id}.md")), text).unwrap();
    }
    let out = common::bin()
        .current_dir(tmp.path())
        .args(["--archive", "archive", "build", "records", "--as-of", "2026-01-31", "--json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ingest"]["new"], 50, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report["ingest"]["rejected"].as_array().unwrap().len(), 0);

    let public = tmp.path().join("public");
    let any = Selector::parse("*").unwrap();
    let (mut pages, mut html_of_all) = (0, String::new());
    for rel in files(&public) {
        let name = rel.to_string_lossy().to_string();
        if !name.ends_with(".html") {
            continue;
        }
        pages += 1;
        let text = std::fs::read_to_string(public.join(&rel)).unwrap();
        let doc = Html::parse_document(&text);
        for el in doc.select(&any) {
            let e = el.value();
            let tag = e.name();
            let inside =
                |name: &str| el.ancestors().any(|a| a.value().as_element().is_some_and(|a| a.name() == name));
            let allowed = match tag {
                "script" => {
                    e.attr("src").is_some_and(|s| {
                        ["assets/site.js", "assets/search.js", "assets/search-key.js", "assets/actions.js"]
                            .iter()
                            .any(|a| s.ends_with(a))
                    }) && el.text().all(|t| t.trim().is_empty())
                }
                "link" | "meta" => inside("head"),
                "title" => inside("head") || inside("svg"),
                "svg" => e.has_class("chart", scraper::CaseSensitivity::CaseSensitive),
                "form" => e.attr("action").is_some_and(|a| a.ends_with("search.html")),
                "iframe" | "object" | "embed" | "base" | "img" | "style" | "math" | "video" | "audio"
                | "source" | "noscript" | "x" | "textarea" => tag == "noscript" && name == "search.html",
                _ => true,
            };
            assert!(
                allowed,
                "{name}: a <{tag}> from a record: {}",
                el.html().chars().take(160).collect::<String>()
            );
            for (attr, value) in e.attrs() {
                let attr = attr.to_ascii_lowercase();
                assert!(
                    !attr.starts_with("on") && attr != "style" && attr != "srcdoc",
                    "{name}: <{tag} {attr}={value:?}>"
                );
                let url: String = value
                    .chars()
                    .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if matches!(attr.as_str(), "href" | "src" | "action" | "formaction" | "xlink:href" | "data") {
                    for scheme in ["javascript:", "data:", "vbscript:"] {
                        assert!(!url.starts_with(scheme), "{name}: <{tag} {attr}={value:?}>");
                    }
                }
            }
        }
        html_of_all.push_str(&text);
    }
    assert!(pages > 120, "{pages} pages: every record, customer and owner has one");
    // The fields are real: each shows at least 10 of the payloads on some page, and each payload
    // shows in at least 4 fields. (A link's blocked target, an attribute of raw HTML in a
    // labelled value and most of a fence's info string are dropped, their markers with them.)
    let numbers: std::collections::HashSet<&str> =
        html_of_all.split(|c: char| !c.is_ascii_digit()).filter(|n| n.len() == 6).collect();
    let shown = |p: usize, slot: usize| numbers.contains(marker(p, slot).to_string().as_str());
    for slot in 1..=35 {
        let n = (0..50).filter(|&p| shown(p, slot)).count();
        assert!(n >= 10, "slot {slot} of record.md.in shows {n} of the 50 payloads");
    }
    for p in 0..50 {
        let n = (1..=35).filter(|&slot| shown(p, slot)).count();
        assert!(n >= 4, "payload {} shows in {n} of the 35 fields", p + 1);
    }
    assert!(
        (1..=35).filter(|&slot| slot != FENCE_INFO_SLOT).all(|slot| shown(0, slot)),
        "`<script>` shows everywhere"
    );
}
