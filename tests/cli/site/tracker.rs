//! The action-item tracker: the static list's days overdue, anchors and summaries, and the data
//! files `assets/actions.js` reads (`tracker/*.js`): every item in each index exactly once, in
//! the static lists' order, found where the fragment's hash says, and chunks that stay the same
//! when an item is added elsewhere.

use std::collections::BTreeMap;

use super::*;

/// `IATracker("name",{…});` → (name, data).
fn registered(files: &[OutputFile], path: &str) -> (String, serde_json::Value) {
    let text = page(files, path);
    let body = text.strip_prefix("IATracker(").and_then(|t| t.strip_suffix(");\n")).expect("a registration");
    let (name, json) = body.split_once(',').expect("name, data");
    (serde_json::from_str(name).unwrap(), serde_json::from_str(json).unwrap())
}

fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

/// An item as the data files give it: (incident id, position, item id, owner, due day, status,
/// state).
type Item = (String, u64, String, String, Option<i64>, String, u64);

/// The items of data file `name`, decoded with the dictionaries of `meta`.
fn items(files: &[OutputFile], meta: &serde_json::Value, name: &str) -> Vec<Item> {
    let (registered_as, data) = registered(files, &format!("tracker/{name}.js"));
    assert_eq!(registered_as, name);
    let incs = data["i"].as_array().unwrap();
    data["r"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let inc = &incs[r[0].as_u64().unwrap() as usize];
            (
                inc[0].as_str().unwrap().to_string(),
                r[1].as_u64().unwrap(),
                r[2].as_str().unwrap().to_string(),
                meta["o"][r[4].as_u64().unwrap() as usize].as_str().unwrap().to_string(),
                r[5].as_i64(),
                meta["st"][r[6].as_u64().unwrap() as usize].as_str().unwrap().to_string(),
                r[7].as_u64().unwrap(),
            )
        })
        .collect()
}

/// `count` records of 3 items each, due over a year, for chunks of many items.
fn many(count: usize) -> Vec<ArchivedRecord> {
    let owners = ["Platform", "DB Team", "Ana Ruiz (SRE)", "SRE", "Sarah Mitchell"];
    (0..count)
        .map(|n| {
            let id = format!("INC-2024-{n:04}");
            let due =
                |k: usize| (day("2024-01-01") + Duration::days(((n * 7 + k * 3) % 400) as i64)).to_string();
            let items = (0..3)
                .map(|k| {
                    let status = ["Done", "Done", "Done", "Planned", "In Progress"][(n + k) % 5];
                    item(&format!("AI-{n}-{k}"), "Fix it", owners[(n + k) % owners.len()], &due(k), status)
                })
                .collect();
            archived(minor(&id, "2024-01-01T00:00:00Z", "P2", &[("GlobalBank Corp", 1, 1)], items), n as u64)
        })
        .collect()
}

#[test]
fn the_static_list_shows_days_overdue_anchors_and_summaries_first() {
    let files = site::render(&sample(), &opts("2025-01-26")).unwrap();
    let html = Html::parse_document(page(&files, "actions.html"));
    let rows: Vec<(String, Vec<String>)> = html
        .select(&Selector::parse("#items tbody tr").unwrap())
        .map(|r| {
            let cells = r.select(&Selector::parse("td").unwrap()).map(|c| c.text().collect()).collect();
            (r.value().id().unwrap_or("").to_string(), cells)
        })
        .collect();
    // AI-2024-101 was due 2024-12-01: 56 days before 2025-01-26.
    let first = &rows[0];
    assert_eq!(first.0, "INC-2024-0101/AI-2024-101");
    assert_eq!((first.1[0].as_str(), first.1[1].as_str()), ("2024-12-01", "56"));
    let open = Html::parse_document(page(&files, "actions-open.html"));
    let days: Vec<String> = open
        .select(&Selector::parse("#items tbody td:nth-child(2)").unwrap())
        .map(|c| c.text().collect())
        .collect();
    assert!(!days.is_empty() && days.iter().all(|d| d == "—"), "open items are not overdue: {days:?}");
    // The summaries come before the list, with a team table and completion rates.
    let text = page(&files, "actions.html");
    let (team, owner, list) = (
        text.find("By team").unwrap(),
        text.find("By owner").unwrap(),
        text.find("id=\"static-list\"").unwrap(),
    );
    assert!(team < list && owner < list, "summaries above the list");
    assert!(text.contains("data-filter=\"s=all&amp;o=Platform\""), "the tracker's view of the owner's items");
    assert!(text.contains("href=\"exports/actions.csv\""), "the CSV export is linked");
    assert!(text.contains("src=\"assets/actions.js\""));
    assert!(
        !page(&files, "actions-open.html").contains("assets/actions.js"),
        "the tracker runs on actions.html only"
    );
}

#[test]
fn every_item_is_in_each_index_of_the_data_files_once() {
    let mut records = many(500);
    records.extend(sample().records);
    let snap = snapshot(records);
    let files = site::render(&snap, &opts("2025-01-26")).unwrap();
    let (name, meta) = registered(&files, "tracker/meta.js");
    assert_eq!(name, "meta");
    // The build date in days since 1970-01-01.
    assert_eq!(meta["d"], (day("2025-01-26") - day("1970-01-01")).num_days());

    // The state lists, chunked, in the static lists' order.
    let mut by_state: Vec<Vec<Item>> = Vec::new();
    for state in 0..3 {
        let (name, chunks) = registered(&files, &format!("tracker/t{state}.js"));
        assert_eq!(name, format!("t{state}"));
        let mut all = Vec::new();
        for (k, c) in chunks.as_array().unwrap().iter().enumerate() {
            let got = items(&files, &meta, &format!("s{state}-{k}"));
            assert_eq!(got.len() as u64, c[0].as_u64().unwrap());
            assert!(got.len() <= 512, "a chunk is at most 512 items");
            assert_eq!(
                (got[0].4, got[got.len() - 1].4),
                (c[1].as_i64(), c[2].as_i64()),
                "first and last due"
            );
            assert!(got.iter().all(|i| i.6 == state as u64));
            all.extend(got);
        }
        assert_eq!(all.len() as u64, meta["n"][state].as_u64().unwrap());
        assert!(
            all.windows(2).all(|w| (w[0].4.is_none(), w[0].4, &w[0].0, w[0].1)
                <= (w[1].4.is_none(), w[1].4, &w[1].0, w[1].1))
        );
        by_state.push(all);
    }
    assert!(
        registered(&files, "tracker/t2.js").1.as_array().unwrap().len() > 1,
        "many done items make several chunks"
    );
    let html = Html::parse_document(page(&files, "actions-done.html"));
    let static_done: Vec<String> = html
        .select(&Selector::parse("#items tbody tr").unwrap())
        .map(|r| r.value().id().unwrap().to_string())
        .collect();
    assert_eq!(static_done.len(), 50, "a full first page of 50 rows");
    let data_done: Vec<String> = by_state[2].iter().map(|i| format!("{}/{}", i.0, i.2)).collect();
    assert_eq!(static_done, data_done[..static_done.len()], "the data's order is the static list's");
    let mut every: Vec<Item> = by_state.concat();
    every.sort();
    let total = every.len();
    let expected: usize =
        snap.records.iter().filter_map(|r| r.summary()).map(|s| s.action_items().len()).sum();
    assert_eq!(total, expected, "every item of every record");

    // Each owner's files, per state.
    let mut owners = Vec::new();
    for (code, per_state) in meta["op"].as_array().unwrap().iter().enumerate() {
        for (state, np) in per_state.as_array().unwrap().iter().enumerate() {
            let mut mine = Vec::new();
            for k in 0..np[1].as_u64().unwrap() {
                mine.extend(items(&files, &meta, &format!("o{code}-{state}-{k}")));
            }
            assert_eq!(mine.len() as u64, np[0].as_u64().unwrap());
            assert!(mine.iter().all(|i| i.3 == meta["o"][code] && i.6 == state as u64));
            owners.extend(mine);
        }
    }
    owners.sort();
    assert_eq!(owners, every);

    // Teams: `Ana Ruiz (SRE)` counts for SRE.
    let team = |owner: &str| {
        let code = meta["o"].as_array().unwrap().iter().position(|o| o == owner).unwrap();
        match &meta["t"][meta["ot"][code].as_u64().unwrap() as usize] {
            serde_json::Value::Number(owner) => {
                meta["o"][owner.as_u64().unwrap() as usize].as_str().unwrap().to_string()
            }
            name => name.as_str().unwrap().to_string(),
        }
    };
    assert_eq!(team("Ana Ruiz (SRE)"), "SRE");
    assert_eq!(team("SRE"), "SRE");
    assert_eq!(team("Sarah Mitchell"), "Sarah Mitchell");

    // The id buckets: an item is in bucket fnv(id) % buckets, part fnv(incident) % parts.
    let parts: Vec<u64> = meta["b"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect();
    let mut buckets = Vec::new();
    for (b, &n) in parts.iter().enumerate() {
        for part in 0..n {
            for i in items(&files, &meta, &format!("b{b}-{part}")) {
                assert_eq!(fnv1a(&i.2) as usize % parts.len(), b, "{i:?}");
                assert_eq!(fnv1a(&i.0) as u64 % n, part, "{i:?}");
                buckets.push(i);
            }
        }
    }
    buckets.sort();
    assert_eq!(buckets, every);
    let names: BTreeMap<&str, usize> = files
        .iter()
        .filter(|f| f.path.starts_with("tracker/"))
        .map(|f| (f.path.as_str(), f.bytes.len()))
        .collect();
    assert!(names.keys().all(|p| p.ends_with(".js")));
}

#[test]
fn a_new_item_leaves_the_chunks_before_and_after_it_unchanged() {
    let before = site::render(&snapshot(many(700)), &opts("2025-06-01")).unwrap();
    let mut records = many(700);
    // One more done item, due in the middle of the done list.
    records.push(archived(
        minor(
            "INC-2024-9999",
            "2024-01-01T00:00:00Z",
            "P3",
            &[],
            vec![item("AI-NEW", "Fix it", "Platform", "2024-07-01", "Done")],
        ),
        9999,
    ));
    let after = site::render(&snapshot(records), &opts("2025-06-01")).unwrap();
    let chunks = |files: &[OutputFile]| -> Vec<Vec<u8>> {
        let mut k = 0;
        let mut out = Vec::new();
        while let Some(f) = files.iter().find(|f| f.path == format!("tracker/s2-{k}.js")) {
            out.push(f.bytes.clone());
            k += 1;
        }
        out
    };
    let (a, b) = (chunks(&before), chunks(&after));
    assert!(a.len() >= 4, "{} chunks", a.len());
    let same = a.iter().filter(|c| b.contains(c)).count();
    assert!(
        same >= a.len() - 2,
        "only the new item's chunk (or two, if it moved a cut) changes: {same} of {}",
        a.len()
    );
    assert!(same < a.len(), "the chunk of the new item changed");
}
