//! Integration tests of `check`: the sample records pass, the invalid fixtures are rejected with
//! exact messages, `--json` prints the contract, and usage errors exit 2.

use std::path::Path;

use serde_json::Value;

use crate::common::{bin, fixture, records, repo};

/// Runs `check ARGS` in the repository folder: (exit code, stdout, stderr).
fn check(args: &[&str]) -> (i32, String, String) {
    let out = bin().current_dir(repo()).arg("check").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn md_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "md"))
        .count()
}

#[test]
fn every_sample_record_passes() {
    let n = md_files(&records());
    assert!(n >= 1);
    for args in [&[][..], &["records"][..], &["records/"][..]] {
        let (code, stdout, stderr) = check(args);
        assert_eq!(code, 0, "{stdout}{stderr}");
        let summary = stdout.lines().last().unwrap();
        assert!(summary.starts_with(&format!("checked {n} record")), "{summary}");
        assert!(summary.contains(&format!(": {n} accepted, 0 rejected, ")), "{summary}");
        assert!(!stdout.contains("error["), "{stdout}");
    }
}

#[test]
fn json_of_the_reference_record_has_the_contract_values() {
    let (code, stdout, _) = check(&["--json", "records/INC-2025-0023.md"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["id"], "INC-2025-0023");
    assert_eq!(v["title"], "Database Connection Pool Exhaustion - Production");
    assert_eq!((v["severity"].as_str(), v["severity_label"].as_str()), (Some("P1"), Some("High")));
    assert_eq!(v["status"], "Resolved");
    assert_eq!(
        (v["started_at"].as_str(), v["ended_at"].as_str()),
        (Some("2025-01-14T14:23:47Z"), Some("2025-01-14T15:08:22Z"))
    );
    assert_eq!(v["duration_seconds"], 2675);
    assert_eq!(v["timeline"].as_array().unwrap().len(), 11);
    assert_eq!(v["timeline"][3]["at"], "2025-01-14T14:27:15Z");
    assert_eq!(v["root_cause"]["contributing_factors"].as_array().unwrap().len(), 4);
    assert!(v["root_cause"]["details_markdown"].as_str().unwrap().contains("```sql"));
    assert!(v["detection"]["alert_rule"]["code"].as_str().unwrap().contains("DatabaseConnectionPoolHigh"));
    assert_eq!(
        (v["impact"]["users_affected"].as_u64(), v["impact"]["customer_accounts"].as_u64()),
        (Some(1247), Some(12))
    );
    let customers = v["impact"]["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 5);
    assert_eq!(
        customers[0],
        serde_json::json!({"name": "GlobalBank Corp", "users_affected": 347, "max_delay_seconds": 45,
                           "min_delay_seconds": null, "complaints": 2})
    );
    assert_eq!(
        (customers[4]["accounts"].as_u64(), customers[4]["max_delay_seconds"].as_u64()),
        (Some(8), Some(25))
    );
    assert_eq!(v["resolution"]["immediate"][0]["done"], true);
    assert_eq!(v["resolution"]["long_term"][0]["done"], false);
    assert_eq!(v["lessons_learned"]["went_well"].as_array().unwrap().len(), 5);
    assert_eq!(v["lessons_learned"]["to_improve"].as_array().unwrap().len(), 5);
    let items = v["action_items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(
        (items[1]["id"].as_str(), items[1]["status"].as_str(), items[1]["due"].as_str()),
        (Some("AI-2025-002"), Some("In Progress"), Some("2025-01-25"))
    );
    assert_eq!(v["sign_off"]["approved_by"], "Maria Garcia, CISO");
    assert_eq!(v["sign_off"]["date"], "2025-01-15");
    assert_eq!(v["classification"], "Internal - Engineering Team");
    assert_eq!(v["retention"], serde_json::json!({"years": 7, "text": "7 years (compliance requirement)"}));
    let sections = v["sections"].as_array().unwrap();
    assert_eq!(sections[0]["heading"], "Incident Report: INC-2025-0023");
    let joined: String = sections.iter().map(|s| s["markdown"].as_str().unwrap()).collect();
    assert_eq!(joined, std::fs::read_to_string(records().join("INC-2025-0023.md")).unwrap());
    assert_eq!((v["path"].as_str(), v["accepted"].as_bool()), (Some("records/INC-2025-0023.md"), Some(true)));
    assert_eq!(v["diagnostics"], serde_json::json!([]));
}

#[test]
fn json_of_a_folder_is_an_array() {
    let (code, stdout, _) = check(&["--json", "records"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), md_files(&records()));
    assert!(all.iter().all(|r| r["accepted"] == true && r["id"].is_string()));
    let paths: Vec<&str> = all.iter().map(|r| r["path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

/// (fixture, the exact diagnostics printed for it)
const REJECTED: &[(&str, &[&str])] = &[
    (
        "approver-tbd.md",
        &["245: error[sign-off-missing]: `Approved By` is `TBD`, not a name: the record is not signed off"],
    ),
    ("binary.md", &["3: error[binary]: the record is binary (it contains NUL bytes), not Markdown text"]),
    ("empty.md", &["1: error[empty]: the record is empty"]),
    (
        "id-absolute.md",
        &["5: error[id-unsafe]: id `/tmp/INC-1` is not of the safe form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`"],
    ),
    (
        "id-too-long.md",
        &[
            "5: error[id-unsafe]: id `INC-999999999999999999999999999999999999999999999999999999999999…` (300 bytes) is not of the safe form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`",
        ],
    ),
    (
        "id-traversal.md",
        &[
            "5: error[id-unsafe]: id `../../etc/passwd` is not of the safe form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`",
        ],
    ),
    ("latin1.md", &["5: error[not-utf8]: the record is not UTF-8 text (invalid byte at offset 69)"]),
    (
        "many-problems.md",
        &[
            "8: error[status-not-closed]: status is `Investigating`; only a finished postmortem (`Resolved`, `Closed`, `Complete`, `Final`, `Done`, `Published`) can be archived",
            "9: error[start-invalid]: `Start Time` cannot be read: `soon` is not a date (expected `YYYY-MM-DD`)",
            "71: warning[customer-users-sum]: the customer rows add up to 1200 users, but `Users Affected` says 1247",
            "245: error[sign-off-missing]: `Approved By` is `pending`, not a name: the record is not signed off",
            "246: error[sign-off-date-invalid]: sign-off `Date` cannot be read: `next week` is not a date (expected `YYYY-MM-DD`)",
        ],
    ),
    ("no-approver.md", &["241: error[sign-off-missing]: no `Approved By` in the Sign-off section"]),
    ("no-sign-off-date.md", &["241: error[sign-off-date-missing]: no `Date` in the Sign-off section"]),
    (
        "no-sign-off.md",
        &[
            "244: error[sign-off-missing]: no Sign-off section (it needs `Approved By` and `Date`): the record is not signed off",
        ],
    ),
    ("no-start.md", &["3: error[start-missing]: no `Start Time` in the summary or front matter"]),
    ("no-title.md", &["3: error[title-missing]: no `Title` in the summary or front matter"]),
    (
        "not-markdown.md",
        &[
            "1: error[not-markdown]: no Markdown headings and no `**Label**:` fields: this is not an incident record",
        ],
    ),
    (
        "sign-off-date-invalid.md",
        &[
            "246: error[sign-off-date-invalid]: sign-off `Date` cannot be read: `2025-02-30` is not a date that exists",
        ],
    ),
    (
        "start-invalid.md",
        &[
            "9: error[start-invalid]: `Start Time` cannot be read: unknown time zone `XST` (write `UTC`, an offset like `+01:00`, an abbreviation like `PDT` or a name like `Europe/Berlin`)",
        ],
    ),
    (
        "status-open.md",
        &[
            "8: error[status-not-closed]: status is `Monitoring`; only a finished postmortem (`Resolved`, `Closed`, `Complete`, `Final`, `Done`, `Published`) can be archived",
        ],
    ),
];

#[test]
fn each_invalid_fixture_is_rejected_with_its_message() {
    for (name, want) in REJECTED {
        let path = format!("tests/fixtures/invalid/{name}");
        let (code, stdout, _) = check(&[&path]);
        assert_eq!(code, 1, "{name}: {stdout}");
        let mut lines: Vec<&str> = stdout.lines().collect();
        let summary = lines.pop().unwrap();
        let want: Vec<String> = want.iter().map(|w| format!("{path}:{w}")).collect();
        assert_eq!(lines, want, "{name}");
        let warnings = want.iter().filter(|w| w.contains(": warning[")).count();
        let noun = if warnings == 1 { "warning" } else { "warnings" };
        assert_eq!(summary, format!("checked 1 record: 0 accepted, 1 rejected, {warnings} {noun}"));
    }
}

#[test]
fn the_invalid_folder_reports_every_file_and_exits_1() {
    assert_eq!(REJECTED.len(), md_files(&fixture("invalid")), "every fixture has its expected message");
    let (code, stdout, _) = check(&["tests/fixtures/invalid"]);
    assert_eq!(code, 1);
    let n = REJECTED.len();
    assert_eq!(
        stdout.lines().last().unwrap(),
        format!("checked {n} records: 0 accepted, {n} rejected, 1 warning")
    );
    for (name, _) in REJECTED {
        assert!(stdout.contains(&format!("tests/fixtures/invalid/{name}:")), "{name}");
    }
    let (code, json, _) = check(&["--json", "tests/fixtures/invalid"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["accepted"] == false && !r["diagnostics"].as_array().unwrap().is_empty())
    );
    // A record that could not be read has no model keys, only its diagnostics.
    let empty =
        v.as_array().unwrap().iter().find(|r| r["path"] == "tests/fixtures/invalid/empty.md").unwrap();
    assert_eq!(empty["diagnostics"][0]["rule"], "empty");
    assert!(empty.get("id").is_none());
}

#[test]
fn good_and_bad_together_exit_1() {
    let (code, stdout, _) = check(&["records/INC-2025-0023.md", "tests/fixtures/invalid/status-open.md"]);
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().last().unwrap(), "checked 2 records: 1 accepted, 1 rejected, 0 warnings");
}

#[test]
fn quiet_prints_errors_only() {
    let (code, stdout, _) = check(&["-q", "tests/fixtures/invalid/many-problems.md"]);
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 4);
    assert!(stdout.lines().all(|l| l.contains(": error[")));
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let (code, stdout, stderr) = check(&["no/such/records"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(stderr, "error: `no/such/records`: no such file or folder\n");
}

#[test]
fn a_50_mb_file_is_rejected_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.md");
    std::fs::File::create(&big).unwrap().set_len(50 * 1024 * 1024).unwrap();
    let out = bin().arg("check").arg(&big).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().next().unwrap(),
        format!(
            "{}:1: error[too-large]: the record is 10485761 bytes; the limit is 10485760 bytes (10 MiB)",
            big.display()
        )
    );
}

#[test]
fn a_record_written_differently_is_accepted_with_the_same_model() {
    let dir = tempfile::tempdir().unwrap();
    let reference = std::fs::read_to_string(records().join("INC-2025-0023.md")).unwrap();
    let variant = format!(
        "\u{feff}{}",
        reference.replace("**:", ":**").replace("\n## ", "\n### ").replace('\n', "\r\n")
    );
    std::fs::write(dir.path().join("variant.md"), variant).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a record").unwrap();
    let out = bin().arg("check").arg("--json").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, reference_json, _) = check(&["--json", "records/INC-2025-0023.md"]);
    let r: Value = serde_json::from_str(&reference_json).unwrap();
    let got = &v.as_array().unwrap()[0];
    for key in [
        "id",
        "title",
        "started_at",
        "timeline",
        "impact",
        "resolution",
        "lessons_learned",
        "action_items",
        "sign_off",
        "retention",
    ] {
        assert_eq!(got[key], r[key], "{key}");
    }
}

#[test]
fn an_empty_folder_has_nothing_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin().arg("check").arg("--json").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "[]\n");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr, format!("note: no `*.md` records under `{}`\n", dir.path().display()));
    let out = bin().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "checked 0 records: 0 accepted, 0 rejected, 0 warnings\n"
    );
}

// ---------------------------------------------------------------- bounded memory

/// Peak resident memory of the binary run with `args` in `dir` (GNU time's `%M`), with its exit
/// code; `None` where `/usr/bin/time` is not installed.
fn peak_rss(dir: &Path, args: &[&str]) -> Option<(i32, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("note: no /usr/bin/time: peak memory not measured");
        return None;
    }
    let report = tempfile::NamedTempFile::new().unwrap();
    let status = std::process::Command::new(time)
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(env!("CARGO_BIN_EXE_incident-archive"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    let text = std::fs::read_to_string(report.path()).unwrap();
    let kb: u64 = text.lines().last().unwrap_or("").trim().parse().ok()?;
    Some((status.code().unwrap_or(-1), kb * 1024))
}

/// A signed-off record `id` with `unit` repeated in a section as often as the limits accept.
fn worst_record(id: &str, section: &str, unit: &str, tail: &str) -> String {
    use incident_archive::record::{MAX_RECORD_BYTES, limits};
    let head = format!(
        "# Incident Report: {id}\n\n## Incident Summary\n\n**Incident ID**: {id}\n**Title**: Worst\n\
         **Status**: Resolved\n**Start Time**: 2025-01-14 14:23:47 UTC\n\n## Sign-off\n\n\
         **Approved By**: Maria Garcia\n**Date**: 2025-01-15\n\n{section}"
    );
    let fixed = limits::count(&format!("{head}{tail}"));
    let per_64 = limits::count(&format!("{}\n", unit.repeat(64))) - 1;
    let by_elements = (limits::MAX_ELEMENTS - fixed - 2) * 64 / per_64.max(1);
    let by_bytes = (MAX_RECORD_BYTES - head.len() - tail.len()) / unit.len();
    format!("{head}{}{tail}", unit.repeat(by_elements.min(by_bytes)))
}

/// What one command may take, at most, on the worst records the gate accepts (measured with the
/// debug binary: `show --json` of the 10 MiB code block at most 195 MB; `build` 230 to 260 MB,
/// because it also makes each record's evidence bundle, which parses the record again and holds
/// its original, its JSON and the archive of both: the bundles of records over 1 MiB are made
/// one at a time, so that this happens for one record at a time).
const PEAK_RSS_BOUND: u64 = 320 << 20;

#[test]
fn the_worst_accepted_records_take_little_memory_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records");
    std::fs::create_dir(&records).unwrap();
    let wide_table = format!("## Notes\n\n{}|\n{}|\n", "|a".repeat(2000), "|-".repeat(2000));
    let shapes = [
        ("W-1", worst_record("W-1", "## What Went Well\n\n", "- x\n", "")),
        ("W-2", worst_record("W-2", &wide_table, "a\n", "")),
        ("W-3", worst_record("W-3", "## Notes\n\n", "a\n", "")),
        (
            "W-4",
            worst_record("W-4", "## Technical Details\n\n```\n", &format!("{}\n", "x".repeat(99)), "```\n"),
        ),
    ];
    for (id, text) in &shapes {
        std::fs::write(records.join(format!("{id}.md")), text).unwrap();
    }
    let out = bin().current_dir(dir.path()).args(["check", "records"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let mut commands: Vec<Vec<&str>> =
        vec![vec!["check", "records"], vec!["check", "--json", "records"], vec!["build"], vec!["verify"]];
    commands.extend(shapes.iter().map(|(id, _)| vec!["show", id, "--json"]));
    for args in commands {
        let Some((code, rss)) = peak_rss(dir.path(), &args) else { return };
        eprintln!("{args:?}: {} MB", rss >> 20);
        assert_eq!(code, 0, "{args:?}");
        assert!(rss < PEAK_RSS_BOUND, "{args:?}: {} MB", rss >> 20);
    }
}

#[test]
fn a_record_of_10_mib_of_list_items_is_refused_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let reference = std::fs::read_to_string(records().join("INC-2025-0023.md")).unwrap();
    let items = "- x\n".repeat((10 * 1024 * 1024 - reference.len()) / 4 - 1);
    std::fs::write(dir.path().join("big.md"), format!("{reference}\n{items}")).unwrap();
    let (code, stdout, _) = {
        let out = bin().current_dir(dir.path()).args(["check", "big.md"]).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap(), ())
    };
    assert_eq!(code, Some(1));
    assert!(stdout.starts_with("big.md:"), "{stdout}");
    assert!(stdout.contains(": error[too-complex]: the record has "), "{stdout}");
    if let Some((code, rss)) = peak_rss(dir.path(), &["check", "big.md"]) {
        assert_eq!(code, 1);
        // The process, the 10 MiB read and nothing parsed (2.5 GB before the limit).
        assert!(rss < 64 << 20, "{} MB", rss >> 20);
    }
}

// ---------------------------------------------------------------- the inbox

/// A folder with `records/` holding the reference record, for `check`, `ingest` and `build`.
fn inbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("records")).unwrap();
    std::fs::copy(records().join("INC-2025-0023.md"), dir.path().join("records/INC-2025-0023.md")).unwrap();
    dir
}

/// Runs the binary in `dir`, killed after 60 s so that a blocked run fails instead of hanging:
/// (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = bin().current_dir(dir).args(args).timeout(std::time::Duration::from_secs(60)).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_being_opened_and_never_blocks() {
    let dir = inbox();
    let status =
        std::process::Command::new("mkfifo").arg(dir.path().join("records/pipe.md")).status().unwrap();
    assert!(status.success());
    let want = "records/pipe.md:1: error[not-regular-file]: a FIFO (named pipe) is not a regular file: skipped without being opened";
    for args in [&["check", "records/pipe.md"][..], &["check"][..]] {
        let (code, stdout, _) = run_in(dir.path(), args);
        assert_eq!(code, Some(1), "{args:?}: {stdout}");
        assert!(stdout.lines().any(|l| l == want), "{args:?}: {stdout}");
    }
    // Named on the command line of `ingest`, it once blocked forever holding the archive lock.
    let (code, stdout, stderr) =
        run_in(dir.path(), &["ingest", "records/pipe.md", "records/INC-2025-0023.md"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.lines().any(|l| l == want), "{stderr}");
    assert!(stdout.starts_with("2 records: 1 new, 0 new versions, 0 unchanged, 1 rejected"), "{stdout}");
    let (code, stdout, stderr) = run_in(dir.path(), &["build", "--json"]);
    assert_eq!(code, Some(1), "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ingest"]["rejected"][0]["diagnostics"][0]["rule"], "not-regular-file");
    assert_eq!(v["ingest"]["seen"], 2);
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_inbox_is_refused_unless_the_configuration_allows_it() {
    let dir = inbox();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let reference = std::fs::read_to_string(records().join("INC-2025-0023.md")).unwrap();
    std::fs::write(outside.join("secret.md"), reference.replace("INC-2025-0023", "INC-2025-0099")).unwrap();
    std::os::unix::fs::symlink("../outside/secret.md", dir.path().join("records/link.md")).unwrap();
    // A link inside the inbox is read.
    std::os::unix::fs::symlink("INC-2025-0023.md", dir.path().join("records/same.md")).unwrap();

    let (code, stdout, _) = run_in(dir.path(), &["check"]);
    assert_eq!(code, Some(1), "{stdout}");
    let target = std::fs::canonicalize(outside.join("secret.md")).unwrap();
    let inbox = std::fs::canonicalize(dir.path().join("records")).unwrap();
    assert_eq!(
        stdout,
        format!(
            "records/link.md:1: error[symlink-outside]: a symbolic link to `{}`, outside `{}`: not read (set \
             `allow_symlinks_outside_inbox: true` to read such links)\n\
             checked 3 records: 2 accepted, 1 rejected, 0 warnings\n",
            target.display(),
            inbox.display()
        )
    );
    let (code, _, stderr) = run_in(dir.path(), &["ingest"]);
    assert_eq!(code, Some(1), "{stderr}");
    let ledger = std::fs::read_to_string(dir.path().join("archive/ledger.jsonl")).unwrap();
    assert!(!ledger.contains("INC-2025-0099"), "the record outside was archived");

    std::fs::write(dir.path().join("incident-archive.yaml"), "allow_symlinks_outside_inbox: true\n").unwrap();
    let (code, stdout, _) = run_in(dir.path(), &["check"]);
    assert_eq!((code, stdout.as_str()), (Some(0), "checked 3 records: 3 accepted, 0 rejected, 0 warnings\n"));
    let (code, _, stderr) = run_in(dir.path(), &["ingest"]);
    assert_eq!(code, Some(0), "{stderr}");
    let ledger = std::fs::read_to_string(dir.path().join("archive/ledger.jsonl")).unwrap();
    assert!(ledger.contains("INC-2025-0099"));
}

#[test]
fn files_that_are_no_records_are_listed_not_silently_passed_over() {
    let dir = inbox();
    std::fs::write(dir.path().join("records/notes.txt"), "not a record").unwrap();
    std::fs::write(dir.path().join("records/.draft.md"), "# hidden").unwrap();
    let (code, stdout, stderr) = run_in(dir.path(), &["check"]);
    assert_eq!(code, Some(0));
    assert_eq!(stdout, "checked 1 record: 1 accepted, 0 rejected, 0 warnings; 2 other files skipped\n");
    assert_eq!(stderr, "");
    let (_, _, stderr) = run_in(dir.path(), &["-v", "check"]);
    assert!(stderr.contains("skipped `records/.draft.md`: hidden\n"), "{stderr}");
    assert!(stderr.contains("skipped `records/notes.txt`: not *.md\n"), "{stderr}");
    let skipped = serde_json::json!([
        {"path": "records/.draft.md", "reason": "hidden"},
        {"path": "records/notes.txt", "reason": "not *.md"}
    ]);
    let (code, stdout, _) = run_in(dir.path(), &["ingest", "--json"]);
    assert_eq!(code, Some(0));
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap()["skipped"], skipped);
    let (code, stdout, _) = run_in(dir.path(), &["build", "--json"]);
    assert_eq!(code, Some(0));
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap()["skipped"], skipped);
    let (_, stdout, _) = run_in(dir.path(), &["build"]);
    assert!(stdout.contains("skipped: 2 files that are no records (`-v` lists them)\n"), "{stdout}");
}

#[test]
fn a_retention_of_7975_years_is_refused_in_a_record_and_in_the_configuration() {
    let dir = inbox();
    let path = dir.path().join("records/INC-2025-0023.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("7 years (compliance requirement)", "7975 years")).unwrap();
    let (code, stdout, _) = run_in(dir.path(), &["check"]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.starts_with(
            "records/INC-2025-0023.md:251: error[retention-too-long]: retention `7975 years` is 7975 years; the most a record may ask for is 100 years\n"
        ),
        "{stdout}"
    );
    std::fs::write(dir.path().join("incident-archive.yaml"), "retention:\n  default_years: 7975\n").unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("retention.default_years: must be from 1 to 100 years, not 7975"), "{stderr}");
}

#[test]
fn blank_templates_are_rejected_and_yield_no_data() {
    let (code, out, _) = check(&["tests/fixtures/templates"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.matches("error[template-unfilled]").count(), 4, "{out}");
    assert!(out.contains("checked 4 records: 0 accepted, 4 rejected"), "{out}");
    let (code, out, _) = check(&["--json", "tests/fixtures/templates/prompts.md"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["accepted"], false);
    // No model: only the path, the verdict and the diagnostics.
    assert!(v.get("title").is_none() && v.get("sections").is_none(), "{v}");
}
