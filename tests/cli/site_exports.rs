//! The site's CSV exports (`exports/*.csv`, `customers/<slug>.csv`) and its sorted, paged lists,
//! on the bundled records plus the hostile ones (`tests/fixtures/hostile/`, whose `CSV-1` names
//! customers, owners and actions that a spreadsheet would run as formulas): every cell a
//! spreadsheet would run is neutralised, the files are RFC 4180 with CRLF, their rows match
//! `incidents.json`, and a second build gives the same bytes.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common;

/// Builds the bundled and hostile records into `archive/` and `<out>/` under `tmp`.
fn build(tmp: &Path, out: &str) {
    if !tmp.join("records").exists() {
        common::copy_records(&common::records(), &tmp.join("records"));
        common::copy_records(&common::fixture("hostile"), &tmp.join("records"));
    }
    std::fs::write(
        tmp.join("incident-archive.yaml"),
        format!("inbox: records\narchive: archive\noutput: {out}\n"),
    )
    .unwrap();
    let run = common::bin().current_dir(tmp).args(["build", "--as-of", "2026-01-31"]).assert().success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(stdout.contains("0 rejected"), "{stdout}");
}

/// A CSV file as (header, rows), checking its framing on the way: UTF-8, CRLF line ends.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(bytes.clone()).expect("the export is UTF-8");
    assert!(text.ends_with("\r\n"), "{} ends with CRLF", path.display());
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    for row in &rows {
        assert_eq!(row.len(), header.len(), "{}: every row has the header's columns", path.display());
    }
    // Every line end outside quoted cells is CRLF: no bare LF follows a row's last cell.
    let unquoted_lf = text.split('"').step_by(2).any(|outside| outside.replace("\r\n", "").contains('\n'));
    assert!(!unquoted_lf, "{} has a line end that is not CRLF", path.display());
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column `{name}` in {header:?}"))
}

/// No cell starts with a character that makes a spreadsheet run it.
fn assert_neutralised(path: &Path, rows: &[Vec<String>]) {
    for row in rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{}: the cell {cell:?} would run as a formula",
                path.display()
            );
        }
    }
}

#[test]
fn csv_exports_neutralise_formulas_and_match_incidents_json() {
    let tmp = tempfile::tempdir().unwrap();
    build(tmp.path(), "public");
    let public = tmp.path().join("public");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(public.join("incidents.json")).unwrap()).unwrap();
    let incidents = json["incidents"].as_array().unwrap();

    // incidents.csv: one row per record, in the same order, with the same counts.
    let path = public.join("exports/incidents.csv");
    let (header, rows) = read_csv(&path);
    assert_neutralised(&path, &rows);
    assert_eq!(rows.len(), incidents.len());
    let (id, items, title) =
        (column(&header, "id"), column(&header, "action_items"), column(&header, "title"));
    for (row, inc) in rows.iter().zip(incidents) {
        assert_eq!(row[id], inc["id"].as_str().unwrap());
        assert_eq!(row[items], inc["action_items"].to_string(), "{}", row[id]);
    }
    let csv1 = rows.iter().find(|r| r[id] == "CSV-1").expect("the hostile record is exported");
    assert!(csv1[title].starts_with("'=HYPERLINK("), "{:?}", csv1[title]);

    // actions.csv: every action item, as many per incident as incidents.json counts.
    let path = public.join("exports/actions.csv");
    let (header, rows) = read_csv(&path);
    assert_neutralised(&path, &rows);
    let total: u64 = incidents.iter().map(|i| i["action_items"].as_u64().unwrap()).sum();
    assert_eq!(rows.len() as u64, total);
    let (inc, owner, action, state, overdue) = (
        column(&header, "incident_id"),
        column(&header, "owner"),
        column(&header, "action"),
        column(&header, "state"),
        column(&header, "days_overdue"),
    );
    let mut per_incident: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &rows {
        *per_incident.entry(r[inc].as_str()).or_default() += 1;
        // Days overdue are given for overdue items only, and count from the build date.
        assert_eq!(r[state] == "overdue", !r[overdue].is_empty(), "{r:?}");
    }
    for i in incidents {
        let n = i["action_items"].as_u64().unwrap();
        assert_eq!(per_incident.get(i["id"].as_str().unwrap()).copied().unwrap_or(0), n, "{}", i["id"]);
    }
    let hostile: Vec<&Vec<String>> = rows.iter().filter(|r| r[inc] == "CSV-1").collect();
    let owners: Vec<&str> = hostile.iter().map(|r| r[owner].as_str()).collect();
    for expected in ["'=cmd Team", "'+Plus Owner", "'-Minus Owner", "'@At Owner"] {
        assert!(owners.contains(&expected), "{expected:?} in {owners:?}");
    }
    assert!(hostile.iter().any(|r| r[action].starts_with("'=HYPERLINK(")), "{hostile:?}");
    let first = hostile.iter().find(|r| r[owner] == "'=cmd Team").unwrap();
    // The team is the tracker's: the owner itself unless written `Name (Team)`.
    let team = column(&header, "team");
    assert_eq!(first[team], "'=cmd Team");
    for r in rows.iter().filter(|r| !r[owner].ends_with(')')) {
        assert_eq!(r[team], r[owner], "{r:?}");
    }
    assert_eq!(
        (first[state].as_str(), first[overdue].as_str()),
        ("overdue", "579"),
        "2024-07-01 to 2026-01-31"
    );

    // customers.csv and customer-impact.csv: one row per customer, one per customer and
    // incident; each customer's count is the number of records that name it.
    let mut named: BTreeMap<String, u64> = BTreeMap::new();
    for i in incidents {
        let mut names: Vec<&str> =
            i["customers"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().trim()).collect();
        names.sort();
        names.dedup();
        for n in names.into_iter().filter(|n| !n.contains("accounts)")) {
            *named.entry(n.to_string()).or_default() += 1;
        }
    }
    // As the export shows a name: hidden characters as visible escapes, a formula quoted.
    let shown = |name: &str| {
        let name = incident_archive::text::markup(name);
        if name.starts_with(['=', '+', '-', '@']) { format!("'{name}") } else { name.into_owned() }
    };
    let path = public.join("exports/customers.csv");
    let (header, rows) = read_csv(&path);
    assert_neutralised(&path, &rows);
    assert_eq!(rows.len(), named.len(), "one row per customer");
    let (name, count) = (column(&header, "customer"), column(&header, "incidents"));
    let by_name: BTreeMap<&str, &str> = rows.iter().map(|r| (r[name].as_str(), r[count].as_str())).collect();
    for (n, c) in &named {
        assert_eq!(by_name.get(shown(n).as_str()).copied(), Some(c.to_string().as_str()), "{n}");
    }
    for hostile in ["'=SUM(1+1)*cmd Corp", "'+1 555 0100 Holdings", "'-2+3 Labs", "'@SUM(9) Partners"] {
        assert!(by_name.contains_key(hostile), "{hostile:?} in {:?}", by_name.keys());
    }
    let path = public.join("exports/customer-impact.csv");
    let (_, impact_rows) = read_csv(&path);
    assert_neutralised(&path, &impact_rows);
    assert!(impact_rows.len() as u64 >= named.values().sum::<u64>());
    // The SLA credits as the record states them, and their amount when plain.
    let (header, impact_rows) = read_csv(&path);
    let (cust, inc, sla, usd) = (
        column(&header, "customer"),
        column(&header, "incident_id"),
        column(&header, "sla_credits"),
        column(&header, "sla_credit_usd"),
    );
    let gb = impact_rows.iter().find(|r| r[cust] == "GlobalBank Corp" && r[inc] == "INC-2025-0023").unwrap();
    assert_eq!((gb[sla].as_str(), gb[usd].as_str()), ("Minimal (~$150 in SLA credits)", "150"));
    let page = std::fs::read_to_string(public.join("customers/globalbank-corp.html")).unwrap();
    assert!(
        page.contains("Minimal (~$150 in SLA credits)"),
        "the customer page shows the credits as written"
    );

    // Each customer's own CSV holds that customer's rows of customer-impact.csv.
    let acme = std::fs::read_dir(public.join("customers"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect::<Vec<_>>();
    assert_eq!(acme.len(), named.len(), "one CSV per customer");
    let per_customer: usize = acme.iter().map(|p| read_csv(p).1.len()).sum();
    assert_eq!(per_customer, impact_rows.len());

    // The same archive and build date give the same bytes.
    build(tmp.path(), "again");
    for f in [
        "exports/actions.csv",
        "exports/incidents.csv",
        "exports/customers.csv",
        "exports/customer-impact.csv",
    ] {
        assert_eq!(
            std::fs::read(public.join(f)).unwrap(),
            std::fs::read(tmp.path().join("again").join(f)).unwrap(),
            "{f}"
        );
    }
}

/// The sorted views of the customers index list every customer once, in their order, and link
/// to each other from headers that carry `aria-sort`.
#[test]
fn sorted_views_hold_every_customer_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    build(tmp.path(), "public");
    let public = tmp.path().join("public");
    let (header, rows) = read_csv(&public.join("exports/customers.csv"));
    let users = column(&header, "users_affected");
    let name = column(&header, "customer");
    let page = |p: &str| scraper::Html::parse_document(&std::fs::read_to_string(public.join(p)).unwrap());
    let cell = scraper::Selector::parse("#customers tbody tr td:first-child a").unwrap();
    let sorted = scraper::Selector::parse("#customers th[aria-sort]").unwrap();
    let by_users = page("customers/by-users.html");
    let names: Vec<String> = by_users.select(&cell).map(|a| a.text().collect()).collect();
    assert_eq!(names.len(), rows.len(), "every customer on the one page");
    let users_of: BTreeMap<String, u64> = rows
        .iter()
        .map(|r| (r[name].trim_start_matches('\'').to_string(), r[users].parse().unwrap()))
        .collect();
    let values: Vec<u64> = names.iter().map(|n| users_of[n]).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "by users, most first: {values:?}");
    let th: Vec<String> = by_users.select(&sorted).map(|t| t.text().collect::<String>()).collect();
    assert_eq!(th.len(), 1, "one header carries aria-sort");
    assert!(th[0].starts_with("Users affected"), "{th:?}");
    // The index is in the order of customers.csv: by name, ignoring case.
    let index = page("customers/index.html");
    let shown: Vec<String> = index.select(&cell).map(|a| a.text().collect()).collect();
    let in_csv: Vec<String> = rows.iter().map(|r| r[name].trim_start_matches('\'').to_string()).collect();
    assert_eq!(shown, in_csv);
    let plain: Vec<&String> =
        shown.iter().filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')).collect();
    assert!(plain.windows(2).all(|w| w[0].to_lowercase() <= w[1].to_lowercase()), "{plain:?}");
}
