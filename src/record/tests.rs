//! Tests of the parser: the reference record (values and snapshot), the same record written in
//! the ways people write it, every gate rule and warning, and random or mutated input.

use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;

const REFERENCE: &str = include_str!("../../records/INC-2025-0023.md");

fn parse_str(text: &str) -> Parsed {
    parse(Path::new("t.md"), text.as_bytes())
}

fn incident(text: &str) -> Incident {
    let p = parse_str(text);
    assert!(p.accepted(), "not accepted: {:#?}", p.diagnostics);
    p.incident.unwrap()
}

fn reference() -> Incident {
    let p = parse_str(REFERENCE);
    assert!(p.diagnostics.is_empty(), "{:#?}", p.diagnostics);
    p.incident.unwrap()
}

/// The model without the fields that keep Markdown exactly as written (they differ whenever
/// the writing differs), for comparing variants of the same record.
fn semantic(mut inc: Incident) -> Incident {
    inc.sections.clear();
    inc.root_cause.details_markdown.clear();
    inc.detection.details_markdown.clear();
    inc.self_healing.markdown.clear();
    inc.communication.markdown.clear();
    inc.technical_details_markdown.clear();
    inc.front_matter = None;
    inc
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("`{needle}` not in text")) + 1
}

/// The diagnostics of `text` under `rule`, as printed.
fn rule(text: &str, rule: &str) -> Vec<String> {
    parse_str(text).diagnostics.iter().filter(|d| d.rule == rule).map(ToString::to_string).collect()
}

/// `text` with the line containing `needle` replaced by `with` (or removed when `with` is None).
fn edit_line(text: &str, needle: &str, with: Option<&str>) -> String {
    let mut out = String::new();
    let mut done = false;
    for line in text.split_inclusive('\n') {
        if !done && line.contains(needle) {
            done = true;
            if let Some(w) = with {
                out.push_str(w);
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    assert!(done, "`{needle}` not in text");
    out
}

/// `text` without the `## heading` section (up to the next `## ` heading).
fn without_section(text: &str, heading: &str) -> String {
    let start = text.find(&format!("\n## {heading}\n")).expect("section") + 1;
    let end = text[start + 3..].find("\n## ").map_or(text.len(), |i| start + 3 + i + 1);
    format!("{}{}", &text[..start], &text[end..])
}

// ---------------------------------------------------------------- the reference record

#[test]
fn reference_values_are_exact() {
    let inc = reference();
    assert_eq!(inc.id, "INC-2025-0023");
    assert_eq!(inc.title, "Database Connection Pool Exhaustion - Production");
    assert_eq!((inc.severity.as_str(), inc.severity_label.as_deref()), ("P1", Some("High")));
    assert_eq!(inc.status, "Resolved");
    assert_eq!(inc.started_at, Some(Utc.with_ymd_and_hms(2025, 1, 14, 14, 23, 47).unwrap()));
    assert_eq!(inc.ended_at, Some(Utc.with_ymd_and_hms(2025, 1, 14, 15, 8, 22).unwrap()));
    assert_eq!(inc.duration_seconds, Some(2675));
    assert_eq!(inc.customer_impact, "Moderate (12 customers experienced degraded performance)");

    assert_eq!(inc.timeline.len(), 11);
    assert_eq!(inc.timeline[0].at, Utc.with_ymd_and_hms(2025, 1, 14, 14, 23, 47).unwrap());
    assert_eq!(inc.timeline[0].text, "Alert fired: \"Database connection pool utilization > 95%\"");
    assert_eq!(inc.timeline[10].at, Utc.with_ymd_and_hms(2025, 1, 14, 15, 8, 22).unwrap());
    assert_eq!(inc.timeline[10].text, "Incident closed");

    assert!(inc.root_cause.summary.starts_with("Inefficient SQL query introduced in deployment `v3.4.7`"));
    assert_eq!(inc.root_cause.contributing_factors.len(), 4);
    assert_eq!(inc.root_cause.code_blocks[0].lang, "sql");
    assert_eq!(inc.detection.how_detected, "Automated monitoring (Prometheus alert)");
    assert_eq!(inc.detection.time_to_detect_seconds, Some(47));
    assert!(
        inc.detection.alert_rule.as_ref().unwrap().code.starts_with("alert: DatabaseConnectionPoolHigh\n")
    );

    let imp = &inc.impact;
    assert_eq!((imp.users_affected, imp.customer_accounts), (Some(1247), Some(12)));
    assert_eq!(imp.customers.len(), 5);
    let gb = &imp.customers[0];
    assert_eq!(
        (gb.name.as_str(), gb.users_affected, gb.max_delay_seconds, gb.complaints, gb.accounts),
        ("GlobalBank Corp", Some(347), Some(45), Some(2), None)
    );
    let others = &imp.customers[4];
    assert_eq!(
        (others.name.as_str(), others.accounts, others.min_delay_seconds, others.max_delay_seconds),
        ("Others (8 accounts)", Some(8), Some(18), Some(25))
    );
    assert_eq!(imp.business.len(), 4);

    let r = &inc.resolution;
    assert_eq!((r.immediate.len(), r.short_term.len(), r.long_term.len()), (4, 5, 5));
    assert!(r.immediate.iter().chain(&r.short_term).all(|s| s.done));
    assert!(r.long_term.iter().all(|s| !s.done));
    assert_eq!(r.long_term[0].text, "Implement automatic slow query detection and termination");

    assert_eq!(inc.self_healing.why_not_resolved.len(), 3);
    assert_eq!(inc.self_healing.recommendations.len(), 3);
    assert_eq!((inc.communication.internal.len(), inc.communication.external.len()), (4, 3));
    assert_eq!(inc.communication.templates.len(), 1);
    assert_eq!((inc.lessons_learned.went_well.len(), inc.lessons_learned.to_improve.len()), (5, 5));

    assert_eq!(inc.action_items.len(), 5);
    let ai2 = &inc.action_items[1];
    assert_eq!((ai2.id.as_str(), ai2.status.as_str(), ai2.done), ("AI-2025-002", "In Progress", false));
    assert_eq!(ai2.due, NaiveDate::from_ymd_opt(2025, 1, 25));
    assert_eq!((inc.action_items[0].status.as_str(), inc.action_items[0].done), ("Done", true));

    assert!(inc.technical_details_markdown.starts_with("### System Metrics During Incident"));
    assert_eq!(inc.technical_details.code_blocks.len(), 2);
    assert_eq!(inc.references.len(), 5);
    assert_eq!(inc.references[0].url.as_deref(), Some("../incident_timelines/INC-2025-0023-timeline.json"));

    assert_eq!(inc.sign_off.incident_commander, "Sarah Mitchell, Senior SRE");
    assert_eq!(inc.sign_off.reviewed_by, "David Chen, VP Engineering");
    assert_eq!(inc.sign_off.approved_by, "Maria Garcia, CISO");
    assert_eq!(inc.sign_off.date, NaiveDate::from_ymd_opt(2025, 1, 15));
    assert_eq!(inc.classification, "Internal - Engineering Team");
    assert_eq!(
        (inc.retention.years, inc.retention.text.as_str()),
        (Some(7), "7 years (compliance requirement)")
    );
}

#[test]
fn reference_snapshot() {
    insta::assert_json_snapshot!("reference_record", reference());
}

#[test]
fn sections_are_lossless() {
    let inc = reference();
    assert_eq!(inc.sections.len(), 27);
    assert_eq!(inc.sections[0].heading, "Incident Report: INC-2025-0023");
    assert_eq!((inc.sections[0].level, inc.sections[0].line), (1, 1));
    let last = inc.sections.last().unwrap();
    assert_eq!(last.heading, "Sign-off");
    assert!(last.markdown.ends_with("**Retention**: 7 years (compliance requirement)\n"));
    let joined: String = inc.sections.iter().map(|s| s.markdown.as_str()).collect();
    assert_eq!(joined, REFERENCE);
}

#[test]
fn sections_carry_the_kind_the_parser_gave_them() {
    let inc = reference();
    let kind = |heading: &str| inc.sections.iter().find(|s| s.heading == heading).map(|s| s.kind);
    assert_eq!(kind("Incident Report: INC-2025-0023"), Some(SectionKind::Title));
    assert_eq!(kind("Timeline"), Some(SectionKind::Timeline));
    assert_eq!(kind("Customer-Specific Impact"), Some(SectionKind::CustomerImpact));
    assert_eq!(kind("Short-term Fixes (Within 24 hours)"), Some(SectionKind::ShortTerm));
    assert_eq!(kind("Action Items"), Some(SectionKind::ActionItems));
    assert_eq!(kind("System Metrics During Incident"), Some(SectionKind::Other));
    // The same table decides for every heading, whatever its words around the synonym.
    let text = REFERENCE.replace("## Timeline", "## 2. Chronology (all times UTC)");
    let inc = incident(&text);
    assert_eq!(inc.timeline.len(), 11);
    let s = inc.sections.iter().find(|s| s.heading.contains("Chronology")).unwrap();
    assert_eq!(s.kind, SectionKind::Timeline);
    let json = serde_json::to_value(s).unwrap();
    assert_eq!(json["kind"], "timeline");
}

#[test]
fn unknown_sections_and_preamble_are_kept() {
    let text = REFERENCE.replacen(
        "## Incident Summary",
        "Some words before.\n\n## Postmortem Notes\n\nKept.\n\n## Incident Summary",
        1,
    );
    let text = format!("Draft banner\n\n{text}");
    let inc = incident(&text);
    assert_eq!((inc.sections[0].heading.as_str(), inc.sections[0].level), ("", 0));
    assert_eq!(inc.sections[0].markdown, "Draft banner\n\n");
    assert!(inc.sections.iter().any(|s| s.heading == "Postmortem Notes" && s.markdown.contains("Kept.")));
    let joined: String = inc.sections.iter().map(|s| s.markdown.as_str()).collect();
    assert_eq!(joined, text);
    assert_eq!(semantic(inc), semantic(reference()));
}

// ---------------------------------------------------------------- tolerance

#[test]
fn crlf_line_ends_parse_the_same() {
    assert_eq!(incident(&REFERENCE.replace('\n', "\r\n")), reference());
}

#[test]
fn a_byte_order_mark_parses_the_same() {
    assert_eq!(incident(&format!("\u{feff}{REFERENCE}")), reference());
    assert_eq!(incident(&format!("\u{feff}{}", REFERENCE.replace('\n', "\r\n"))), reference());
}

#[test]
fn colon_inside_the_bold_label_parses_the_same() {
    let text = REFERENCE.replace("**:", ":**");
    assert_ne!(text, REFERENCE);
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

#[test]
fn deeper_heading_levels_parse_the_same() {
    let text: String = REFERENCE
        .split_inclusive('\n')
        .map(|l| if l.starts_with("##") { format!("#{l}") } else { l.to_string() })
        .collect();
    assert!(text.contains("\n### Timeline\n") && text.contains("\n#### User Impact\n"));
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

#[test]
fn sections_written_as_level_three_parse_the_same() {
    // `##` written `###`: sections and their subsections end up at one level.
    let text = REFERENCE.replace("\n## ", "\n### ");
    assert!(!text.contains("\n## "));
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

#[test]
fn sections_in_another_order_parse_the_same() {
    let (title, rest) = REFERENCE.split_once("\n## ").unwrap();
    let mut sections: Vec<String> = rest.split("\n## ").map(|s| format!("## {}\n", s.trim_end())).collect();
    sections.reverse();
    let text = format!("{title}\n{}", sections.join("\n"));
    assert!(text.find("## Sign-off").unwrap() < text.find("## Incident Summary").unwrap());
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

/// Replaces the marker after a list number (`1. ✅`) and at the start of table cells (`| ✅`).
fn with_markers(done: &str, open: &str) -> String {
    REFERENCE
        .split_inclusive('\n')
        .map(|l| {
            let numbered = l
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if numbered || l.starts_with('|') {
                l.replace("✅ ", &format!("{done} ")).replace("⏳ ", &format!("{open} "))
            } else {
                l.to_string()
            }
        })
        .collect()
}

#[test]
fn task_list_checkboxes_parse_the_same() {
    let text = with_markers("[x]", "[ ]");
    assert!(text.contains("1. [x] **14:29**") && text.contains("| [ ] In Progress |"));
    assert_eq!(semantic(incident(&text)), semantic(reference()));
    let bullets = text.replace("\n1. [", "\n- [").replace("\n2. [", "\n- [").replace("\n3. [", "\n- [");
    assert_eq!(semantic(incident(&bullets)), semantic(reference()));
}

#[test]
fn cross_and_check_marks_parse_the_same() {
    let text = with_markers("✔️", "❌");
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

#[test]
fn extra_spaces_in_table_cells_parse_the_same() {
    let text: String = REFERENCE
        .split_inclusive('\n')
        .map(|l| if l.starts_with('|') { l.replace('|', "   |   ") } else { l.to_string() })
        .collect();
    assert!(text.contains("|    GlobalBank Corp    |"));
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

#[test]
fn optional_sections_missing_parse_to_the_rest() {
    let mut text = REFERENCE.to_string();
    for s in ["Self-Healing Performance", "Communication", "Technical Details", "References", "Detection"] {
        text = without_section(&text, s);
    }
    let mut want = reference();
    want.self_healing = SelfHealing::default();
    want.communication = Communication::default();
    want.technical_details = TechnicalDetails::default();
    want.technical_details_markdown.clear();
    want.references.clear();
    want.detection = Detection::default();
    assert_eq!(semantic(incident(&text)), semantic(want));
}

#[test]
fn summary_and_timeline_without_bold_parse_the_same() {
    let summary_start = line_of(REFERENCE, "## Incident Summary");
    let timeline_end = line_of(REFERENCE, "## Root Cause");
    let text: String = REFERENCE
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if (summary_start..timeline_end).contains(&(i + 1)) { l.replace("**", "") } else { l.to_string() }
        })
        .collect();
    assert!(text.contains("\nIncident ID: INC-2025-0023  \n") && text.contains("\n14:24:12 - Automated"));
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

#[test]
fn summary_as_a_key_value_table_parses_the_same() {
    let start = REFERENCE.find("**Incident ID**").unwrap();
    let end = REFERENCE.find("## Timeline").unwrap();
    let rows: String = REFERENCE[start..end]
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (label, value) = l.trim_end().split_once("**: ").unwrap();
            format!("| {} | {} |\n", label.trim_start_matches("**"), value)
        })
        .collect();
    let text = format!("{}| Field | Value |\n|---|---|\n{rows}\n{}", &REFERENCE[..start], &REFERENCE[end..]);
    assert!(text.contains("| Incident ID | INC-2025-0023 |\n| Title |"));
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

#[test]
fn sign_off_as_a_table_of_roles_parses_the_same() {
    let table = "| Role | Name | Date |\n|------|------|------|\n\
                 | Incident Commander | Sarah Mitchell, Senior SRE | |\n\
                 | Reviewed By | David Chen, VP Engineering | 2025-01-15 |\n\
                 | Approved By | Maria Garcia, CISO | 2025-01-15 |\n";
    let start = REFERENCE.find("**Incident Commander**").unwrap();
    let end = REFERENCE.find("---\n\n**Classification**").unwrap();
    let text = format!("{}{table}\n{}", &REFERENCE[..start], &REFERENCE[end..]);
    assert_eq!(semantic(incident(&text)), semantic(reference()));
    let line = line_of(&text, "| Approved By |");
    let late = text.replace("| Maria Garcia, CISO | 2025-01-15 |", "| Maria Garcia, CISO | 2025-02-30 |");
    assert_eq!(
        rule(&late, "sign-off-date-invalid"),
        [format!(
            "t.md:{line}: error[sign-off-date-invalid]: sign-off `Date` cannot be read: `2025-02-30` is not a date that exists"
        )]
    );
}

#[test]
fn dates_written_in_words_and_12_hour_times_parse_the_same() {
    let text = REFERENCE
        .replace("2025-01-14 14:23:47 UTC", "January 14, 2025 2:23:47 PM UTC")
        .replace("2025-01-14 15:08:22 UTC", "14 Jan 2025 at 15:08:22")
        .replace("**Date**: 2025-01-15", "**Date**: January 15, 2025");
    assert_eq!(semantic(incident(&text)), semantic(reference()));
}

/// The reference with its summary section replaced by YAML front matter.
fn with_front_matter(extra: &str) -> String {
    let fm = "---\nid: INC-2025-0023\ntitle: Database Connection Pool Exhaustion - Production\nseverity: P1 (High)\n\
              status: Resolved\nstart: 2025-01-14T14:23:47Z\nend: \"2025-01-14 15:08:22 UTC\"\n\
              duration: 44 minutes 35 seconds\n\
              customer_impact: Moderate (12 customers experienced degraded performance)\n";
    format!("{fm}{extra}---\n{}", without_section(REFERENCE, "Incident Summary"))
}

#[test]
fn front_matter_gives_the_summary_fields() {
    let inc = incident(&with_front_matter(""));
    assert!(inc.front_matter.as_deref().unwrap().starts_with("id: INC-2025-0023\n"));
    assert_eq!(semantic(inc), semantic(reference()));
    let inc = incident(&with_front_matter("services: [db]\nteam: platform\n"));
    assert_eq!(inc.extra_fields, [Field { label: "team".into(), value: "platform".into() }]);
}

#[test]
fn front_matter_lines_count_in_diagnostics() {
    let text = with_front_matter("").replace("status: Resolved", "status: Investigating");
    assert_eq!(
        rule(&text, "status-not-closed"),
        [
            "t.md:5: error[status-not-closed]: status is `Investigating`; only a finished postmortem (`Resolved`, `Closed`, `Complete`, `Final`, `Done`, `Published`) can be archived"
        ]
    );
    let text = edit_line(&with_front_matter(""), "**Approved By**", None);
    let line = line_of(&text, "## Sign-off");
    assert_eq!(
        rule(&text, "sign-off-missing"),
        [format!("t.md:{line}: error[sign-off-missing]: no `Approved By` in the Sign-off section")]
    );
}

#[test]
fn front_matter_and_summary_disagreeing_is_a_warning() {
    let text = format!("---\nstatus: Closed\n---\n{REFERENCE}");
    let p = parse_str(&text);
    assert!(p.accepted());
    assert_eq!(p.incident.unwrap().status, "Closed");
    let line = line_of(&text, "**Status**");
    assert_eq!(
        rule(&text, "front-matter-mismatch"),
        [format!(
            "t.md:{line}: warning[front-matter-mismatch]: `Status` is `Resolved` here but `Closed` in the front matter (line 2); the front matter is used"
        )]
    );
}

#[test]
fn front_matter_lists_are_not_values() {
    let text = format!("---\ntitle:\n  - a\n  - b\n---\n{REFERENCE}");
    assert_eq!(
        warned(&text, "front-matter-value"),
        ["t.md:2: warning[front-matter-value]: front matter `title` is not a single value; ignored"]
    );
    assert_eq!(incident(&text).title, "Database Connection Pool Exhaustion - Production");
}

#[test]
fn timeline_rolls_over_midnight() {
    let text = REFERENCE
        .replace("2025-01-14 14:23:47 UTC", "2025-01-14 23:50:00 UTC")
        .replace("2025-01-14 15:08:22 UTC", "2025-01-15 00:34:35 UTC")
        .replace("**14:23:47**", "**23:50:00**")
        .replace("**14:24:12**", "**23:58:10**")
        .replace("**14:25:38**", "**00:02:00**");
    let inc = incident(&text);
    let at: Vec<String> = inc.timeline.iter().take(4).map(|e| e.at.to_rfc3339()).collect();
    assert_eq!(
        at,
        [
            "2025-01-14T23:50:00+00:00",
            "2025-01-14T23:58:10+00:00",
            "2025-01-15T00:02:00+00:00",
            "2025-01-15T14:27:15+00:00"
        ]
    );
    assert_eq!(inc.duration_seconds, Some(2675));
}

#[test]
fn timeline_times_with_a_zone_or_a_12_hour_clock_parse_the_same() {
    let bold_utc = REFERENCE.replace(":47** -", ":47 UTC** -").replace("**14:24:12**", "**14:24:12Z**");
    assert!(bold_utc.contains("**14:23:47 UTC** -"));
    assert_eq!(semantic(incident(&bold_utc)), semantic(reference()));
    let plain =
        REFERENCE.replace("**14:23:47** -", "14:23:47 UTC -").replace("**14:24:12** -", "2:24:12 PM -");
    assert_eq!(semantic(incident(&plain)), semantic(reference()));
    let bold_pm = REFERENCE.replace("**15:08:22** -", "**3:08:22 p.m.** -");
    assert_eq!(semantic(incident(&bold_pm)), semantic(reference()));
}

#[test]
fn timeline_with_full_timestamps_and_tables() {
    // A date and time split by a no-break space.
    let text = REFERENCE.replace("**14:24:12**", "2025-01-14\u{a0}14:24:12");
    assert_eq!(incident(&text).timeline[1].at.to_rfc3339(), "2025-01-14T14:24:12+00:00");

    let table = "## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n| 2025-01-13 22:00 | Deploy |\n| 14:23:47 | Alert |\n\n";
    let text = REFERENCE.replace("## Timeline\n", &format!("{table}## Old Timeline\n"));
    let inc = incident(&text);
    let got: Vec<(String, &str)> =
        inc.timeline.iter().map(|e| (e.at.to_rfc3339(), e.text.as_str())).collect();
    assert_eq!(
        got,
        [("2025-01-13T22:00:00+00:00".into(), "Deploy"), ("2025-01-14T14:23:47+00:00".into(), "Alert")]
    );
}

#[test]
fn customer_cells_in_other_units() {
    let text = REFERENCE
        .replace("| GlobalBank Corp | 347 | 45s | 2 |", "| GlobalBank Corp | 347 | 2m | 2 |")
        .replace("| HealthTech Systems | 189 | 38s | 1 |", "| HealthTech Systems | 189 | 1m 30s | 1 |")
        .replace("~1,247 users", "~2,234 users")
        .replace("| RetailChain Inc | 156 | 29s | 0 |", "| RetailChain Inc | 1,143 | 29 seconds | 0 |");
    let inc = incident(&text);
    let c = &inc.impact.customers;
    assert_eq!(
        (c[0].max_delay_seconds, c[1].max_delay_seconds, c[2].max_delay_seconds),
        (Some(120), Some(90), Some(29))
    );
    assert_eq!(c[2].users_affected, Some(1143));
    assert!(parse_str(&text).diagnostics.is_empty());
}

// ---------------------------------------------------------------- gate rules (errors)

#[test]
fn rule_id_missing() {
    let text = edit_line(REFERENCE, "**Incident ID**", None)
        .replace("# Incident Report: INC-2025-0023", "# Incident Report");
    assert_eq!(
        rule(&text, "id-missing"),
        ["t.md:3: error[id-missing]: no `Incident ID` in the summary or front matter"]
    );
    // The title's id stands in for a missing field.
    let text = edit_line(REFERENCE, "**Incident ID**", None);
    assert_eq!(incident(&text).id, "INC-2025-0023");
}

#[test]
fn rule_id_unsafe_rejects_ids_that_escape_a_folder() {
    let long = "A".repeat(300);
    for id in ["../x", "/abs", "a/b", "..", ".hidden", "a b", "-x", "é", long.as_str()] {
        let text = REFERENCE.replace("INC-2025-0023", id);
        let shown = values::shown(id);
        let len = if id.len() > 64 { format!(" ({} bytes)", id.len()) } else { String::new() };
        assert_eq!(
            rule(&text, "id-unsafe"),
            [format!(
                "t.md:5: error[id-unsafe]: id `{shown}`{len} is not of the safe form `[A-Za-z0-9][A-Za-z0-9._-]{{0,63}}`"
            )],
            "{id}"
        );
    }
    // A NUL can only come from front matter escapes (in the text itself it makes the file binary).
    let text = format!(
        "---\nid: \"a\\0b\"\n---\n{}",
        edit_line(REFERENCE, "**Incident ID**", None).replace("# Incident Report: INC-2025-0023", "# Report")
    );
    assert_eq!(
        rule(&text, "id-unsafe"),
        ["t.md:2: error[id-unsafe]: id `a\\u{0}b` is not of the safe form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`"]
    );
    let p = parse(Path::new("t.md"), REFERENCE.replace("INC-2025-0023", "a\0b").as_bytes());
    assert!(!p.accepted() && p.diagnostics[0].rule == "binary");
}

#[test]
fn rule_title_missing() {
    let text = edit_line(REFERENCE, "**Title**", None);
    assert_eq!(
        rule(&text, "title-missing"),
        ["t.md:3: error[title-missing]: no `Title` in the summary or front matter"]
    );
    let text = edit_line(REFERENCE, "**Title**", Some("**Title**:  "));
    assert_eq!(rule(&text, "title-missing"), ["t.md:6: error[title-missing]: `Title` is empty"]);
}

#[test]
fn rule_status_missing_and_not_closed() {
    // Without a sign-off, a record without a status is not closed.
    let text = without_section(&edit_line(REFERENCE, "**Status**", None), "Sign-off");
    assert_eq!(
        rule(&text, "status-missing"),
        ["t.md:3: error[status-missing]: no `Status` in the summary or front matter"]
    );
    // Signed off (an approver and a date), it is: most templates have no status.
    let text = edit_line(REFERENCE, "**Status**", None);
    assert_eq!(
        warned(&text, "status-inferred"),
        [
            "t.md:240: warning[status-inferred]: no `Status` is given; the signed-off record is taken as `Closed`"
        ]
    );
    assert_eq!(incident(&text).status, "Closed");
    // An empty status, or one with the approver a placeholder, is still missing.
    let text = edit_line(REFERENCE, "**Status**", Some("**Status**: "));
    assert_eq!(rule(&text, "status-missing"), ["t.md:8: error[status-missing]: `Status` is empty"]);
    let text = edit_line(REFERENCE, "**Status**", None).replace("Maria Garcia, CISO", "TBD");
    assert_eq!(rule(&text, "status-missing").len(), 1);
    for status in ["Investigating", "Monitoring", "Open"] {
        let text = REFERENCE.replace("**Status**: Resolved", &format!("**Status**: {status}"));
        assert_eq!(
            rule(&text, "status-not-closed"),
            [format!(
                "t.md:8: error[status-not-closed]: status is `{status}`; only a finished postmortem (`Resolved`, `Closed`, `Complete`, `Final`, `Done`, `Published`) can be archived"
            )]
        );
    }
    assert!(parse_str(&REFERENCE.replace("**Status**: Resolved", "**Status**: closed")).accepted());
}

#[test]
fn rule_start_missing_and_invalid() {
    let text = edit_line(REFERENCE, "**Start Time**", None);
    assert_eq!(
        rule(&text, "start-missing"),
        ["t.md:3: error[start-missing]: no `Start Time` in the summary or front matter"]
    );
    let cases = [
        ("2025-13-45 14:23:47 UTC", "`2025-13-45` is not a date that exists"),
        ("2025-02-30 14:23:47 UTC", "`2025-02-30` is not a date that exists"),
        ("yesterday afternoon", "`yesterday afternoon` is not a date (expected `YYYY-MM-DD`)"),
        (
            "2025-01-14 14:23:47 XST",
            "unknown time zone `XST` (write `UTC`, an offset like `+01:00`, an abbreviation like `PDT` or a name like `Europe/Berlin`)",
        ),
        ("2025-01-14 25:61 UTC", "`25:61` is not a time of day"),
    ];
    for (value, why) in cases {
        let text = REFERENCE.replace("2025-01-14 14:23:47 UTC", value);
        assert_eq!(
            rule(&text, "start-invalid"),
            [format!("t.md:9: error[start-invalid]: `Start Time` cannot be read: {why}")]
        );
    }
}

#[test]
fn rule_sign_off_missing() {
    let text = without_section(REFERENCE, "Sign-off");
    let last = text.lines().count();
    assert_eq!(
        rule(&text, "sign-off-missing"),
        [format!(
            "t.md:{last}: error[sign-off-missing]: no Sign-off section (it needs `Approved By` and `Date`): the record is not signed off"
        )]
    );
    let text = edit_line(REFERENCE, "**Approved By**", None);
    assert_eq!(
        rule(&text, "sign-off-missing"),
        ["t.md:241: error[sign-off-missing]: no `Approved By` in the Sign-off section"]
    );
    for placeholder in ["TBD", "[Name]", "pending", "-"] {
        let text = REFERENCE.replace("Maria Garcia, CISO", placeholder);
        assert_eq!(
            rule(&text, "sign-off-missing"),
            [format!(
                "t.md:245: error[sign-off-missing]: `Approved By` is `{placeholder}`, not a name: the record is not signed off"
            )]
        );
    }
    let text = REFERENCE.replace("**Approved By**: Maria Garcia, CISO", "**Approved By**:");
    assert_eq!(
        rule(&text, "sign-off-missing"),
        ["t.md:245: error[sign-off-missing]: `Approved By` is empty: the record is not signed off"]
    );
}

#[test]
fn rule_sign_off_date_missing_and_invalid() {
    let text = edit_line(REFERENCE, "**Date**: 2025-01-15", None);
    assert_eq!(
        rule(&text, "sign-off-date-missing"),
        ["t.md:241: error[sign-off-date-missing]: no `Date` in the Sign-off section"]
    );
    for (value, why) in [
        ("2025-02-30", "`2025-02-30` is not a date that exists"),
        ("TBD", "`TBD` is not a date (expected `YYYY-MM-DD`)"),
    ] {
        let text = REFERENCE.replace("**Date**: 2025-01-15", &format!("**Date**: {value}"));
        assert_eq!(
            rule(&text, "sign-off-date-invalid"),
            [format!("t.md:246: error[sign-off-date-invalid]: sign-off `Date` cannot be read: {why}")]
        );
    }
}

fn refused(bytes: &[u8]) -> String {
    let p = parse(Path::new("t.md"), bytes);
    assert!(p.incident.is_none() && !p.accepted());
    assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
    p.diagnostics[0].to_string()
}

#[test]
fn rules_for_input_that_is_no_record() {
    assert_eq!(refused(b""), "t.md:1: error[empty]: the record is empty");
    assert_eq!(refused(b"\n\n  \n"), "t.md:1: error[empty]: the record is empty");
    let mut bin = REFERENCE.as_bytes()[..200].to_vec();
    bin.extend_from_slice(&[0, 1, 2, 3]);
    assert_eq!(
        refused(&bin),
        "t.md:9: error[binary]: the record is binary (it contains NUL bytes), not Markdown text"
    );
    assert_eq!(
        refused(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        "t.md:3: error[binary]: the record is binary (it contains NUL bytes), not Markdown text"
    );
    let mut latin1 = b"# Incident Report\n\n**Title**: Caf".to_vec();
    latin1.push(0xE9);
    assert_eq!(
        refused(&latin1),
        "t.md:3: error[not-utf8]: the record is not UTF-8 text (invalid byte at offset 33)"
    );
    let big = vec![b'a'; 50 * 1024 * 1024];
    assert_eq!(
        refused(&big),
        "t.md:1: error[too-large]: the record is 52428800 bytes; the limit is 10485760 bytes (10 MiB)"
    );
    for not_md in [
        "{\"id\": \"INC-1\", \"status\": \"Resolved\"}",
        "just a line of text\nand another\n",
        "<html><body><p>hi</p></body></html>",
    ] {
        assert_eq!(
            refused(not_md.as_bytes()),
            "t.md:1: error[not-markdown]: no Markdown headings and no `**Label**:` fields: this is not an incident record"
        );
    }
}

#[test]
fn rule_front_matter_invalid() {
    let text = format!("---\nid: [unclosed\ntitle: x\n---\n{REFERENCE}");
    let got = rule(&text, "front-matter-invalid");
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with("t.md:3: error[front-matter-invalid]: the front matter is not valid YAML: "),
        "{got:?}"
    );
    let text = format!("---\n- a\n- b\n---\n{REFERENCE}");
    assert_eq!(
        rule(&text, "front-matter-invalid"),
        ["t.md:2: error[front-matter-invalid]: the front matter is not a mapping of keys to values"]
    );
    // Too large to be read: a key per line would be read in time quadratic in the lines.
    let keys: String = (0..2000).map(|i| format!("k{i:04}: v\n")).collect();
    let text = format!("---\n{keys}---\n{REFERENCE}");
    assert_eq!(
        rule(&text, "front-matter-invalid"),
        [
            "t.md:2: error[front-matter-invalid]: the front matter is 18000 bytes; the limit is 16384 bytes (16 KiB)"
        ]
    );
}

#[test]
fn rule_too_complex_refuses_before_parsing() {
    // An adversarial record: 10 MiB of one-line list items took 2.5 GB to parse.
    let head = edit_line(REFERENCE, "**Retention**", None);
    let text = format!("{head}\n## Notes\n\n{}", "- x\n".repeat((MAX_RECORD_BYTES - head.len() - 12) / 4));
    let (p, peak) = heap::peak(|| parse_str(&text));
    // The line where the count passes the limit.
    let mut seen = 0;
    let line = text.lines().position(|l| {
        seen += limits::count(&format!("{l}\n"));
        seen > limits::MAX_ELEMENTS
    });
    let line = line.unwrap() + 1;
    assert_eq!(
        refused_parsed(p),
        format!(
            "t.md:{line}: error[too-complex]: the record has {} elements (lines, markup characters such as `*`, `[`, `|`, `>`, and list markers); the limit is 100000, passed on this line: split the record, or link long logs and tables instead of pasting them",
            limits::count(&text)
        )
    );
    assert!(peak < 64 << 10, "refused in {peak} bytes");
    // Each kind of element counts: markup alone, lines alone.
    for unit in ["[", "\n", "|", "> ", "1. "] {
        let text = format!("{REFERENCE}\n{}", unit.repeat(limits::MAX_ELEMENTS));
        assert_eq!(parse_str(&text).diagnostics[0].rule, "too-complex", "{unit:?}");
    }
}

#[test]
fn rule_too_deep() {
    let nested = |depth: usize, unit: &str| format!("{REFERENCE}\n## Notes\n\n{}x\n", unit.repeat(depth));
    let line = REFERENCE.lines().count() + 4;
    for unit in ["- ", "> ", "1. ", "> - "] {
        let depth = limits::MAX_DEPTH / unit.trim().split(' ').count();
        assert!(parse_str(&nested(depth, unit)).accepted(), "{unit:?}");
        assert_eq!(
            refused_parsed(parse_str(&nested(depth + 1, unit))),
            format!(
                "t.md:{line}: error[too-deep]: lists and block quotes are nested more than 16 deep here; the limit is 16"
            )
        );
    }
    // Nested by indentation, one item a line.
    let items: String = (0..=limits::MAX_DEPTH).map(|i| format!("{}- x\n", "  ".repeat(i))).collect();
    let p = parse_str(&format!("{REFERENCE}\n## Notes\n\n{items}"));
    assert_eq!(p.diagnostics[0].rule, "too-deep");
    assert_eq!(p.diagnostics[0].line, line + limits::MAX_DEPTH);
}

/// The one error of a record refused as a whole.
fn refused_parsed(p: Parsed) -> String {
    assert!(p.incident.is_none() && !p.accepted());
    assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
    p.diagnostics[0].to_string()
}

#[test]
fn every_problem_in_a_file_is_reported() {
    let text = REFERENCE
        .replace("**Incident ID**: INC-2025-0023", "**Incident ID**: ../etc/passwd")
        .replace("**Status**: Resolved", "**Status**: Investigating")
        .replace("2025-01-14 14:23:47 UTC", "soon")
        .replace("**Date**: 2025-01-15", "**Date**: 2025-02-30")
        .replace("Maria Garcia, CISO", "TBD");
    let text = edit_line(&text, "**Title**", None);
    let p = parse_str(&text);
    let rules: Vec<(usize, &str)> = p.errors().map(|d| (d.line, d.rule.as_str())).collect();
    assert_eq!(
        rules,
        [
            (3, "title-missing"),
            (5, "id-unsafe"),
            (7, "status-not-closed"),
            (8, "start-invalid"),
            (244, "sign-off-missing"),
            (245, "sign-off-date-invalid"),
        ]
    );
    // The id in the title differs from the field: a warning too.
    // The timeline cannot be placed without a start: kept unplaced (the start is the error).
    assert_eq!(p.warnings().map(|d| d.rule.as_str()).collect::<Vec<_>>(), ["id-mismatch"]);
    let inc = p.incident.unwrap();
    assert_eq!(inc.timeline.len(), 11);
    assert_eq!(inc.timeline[0].unplaced.as_deref(), Some("**14:23:47**"));
}

// ---------------------------------------------------------------- warnings

fn warned(text: &str, rule_name: &str) -> Vec<String> {
    let p = parse_str(text);
    assert!(p.accepted(), "{:#?}", p.diagnostics);
    rule(text, rule_name)
}

#[test]
fn warning_duration_mismatch_and_invalid() {
    let text = REFERENCE.replace("44 minutes 35 seconds", "40 minutes");
    assert_eq!(
        warned(&text, "duration-mismatch"),
        [
            "t.md:11: warning[duration-mismatch]: stated duration `40 minutes` is 2400 s, but `End Time` - `Start Time` is 2675 s"
        ]
    );
    // Rounded to the unit written is not a mismatch.
    assert!(
        warned(&REFERENCE.replace("44 minutes 35 seconds", "45 minutes"), "duration-mismatch").is_empty()
    );
    let text = REFERENCE.replace("44 minutes 35 seconds", "most of the afternoon");
    assert_eq!(
        warned(&text, "duration-invalid"),
        [
            "t.md:11: warning[duration-invalid]: duration `most of the afternoon` cannot be read (write e.g. `44 minutes 35 seconds`)"
        ]
    );
    // Without an end time, the stated duration is the duration.
    let inc = incident(&edit_line(REFERENCE, "**End Time**", None));
    assert_eq!((inc.ended_at, inc.duration_seconds), (None, Some(2675)));
}

#[test]
fn warning_customer_users_and_accounts_sum() {
    let text = REFERENCE.replace("| GlobalBank Corp | 347 |", "| GlobalBank Corp | 340 |");
    let line = line_of(&text, "| Customer | Users Affected");
    assert_eq!(
        warned(&text, "customer-users-sum"),
        [format!(
            "t.md:{line}: warning[customer-users-sum]: the customer rows add up to 1240 users, but `Users Affected` says 1247"
        )]
    );
    let text = REFERENCE.replace("Others (8 accounts)", "Others (9 accounts)");
    assert_eq!(
        warned(&text, "customer-accounts-sum"),
        [format!(
            "t.md:{line}: warning[customer-accounts-sum]: the customer rows cover 13 accounts, but the impact states 12"
        )]
    );
}

#[test]
fn warning_customer_value_invalid() {
    let text = REFERENCE.replace("| 347 | 45s | 2 |", "| lots | slow | 2 |");
    let line = line_of(&text, "| GlobalBank Corp");
    assert_eq!(
        warned(&text, "customer-value-invalid"),
        [
            format!(
                "t.md:{line}: warning[customer-value-invalid]: `Users Affected` `lots` of customer `GlobalBank Corp` could not be read"
            ),
            format!(
                "t.md:{line}: warning[customer-value-invalid]: `Max Delay` `slow` of customer `GlobalBank Corp` could not be read"
            ),
        ]
    );
}

#[test]
fn warning_action_due_before_incident() {
    let text = REFERENCE.replace("| DB Team | 2025-01-20 |", "| DB Team | 2025-01-10 |");
    let line = line_of(&text, "| AI-2025-001");
    assert_eq!(
        warned(&text, "action-due-before-incident"),
        [format!(
            "t.md:{line}: warning[action-due-before-incident]: action item `AI-2025-001` is due 2025-01-10, before the incident started (2025-01-14)"
        )]
    );
}

#[test]
fn warning_date_invalid() {
    let text = REFERENCE.replace("| Platform | 2025-01-25 |", "| Platform | 2025-02-30 |");
    let line = line_of(&text, "| AI-2025-002");
    assert_eq!(
        warned(&text, "date-invalid"),
        [format!(
            "t.md:{line}: warning[date-invalid]: due date of action item `AI-2025-002`: `2025-02-30` is not a date that exists"
        )]
    );
    let text = REFERENCE.replace("2025-01-14 15:08:22 UTC", "2025-01-32 15:08:22 UTC");
    assert_eq!(
        warned(&text, "date-invalid"),
        ["t.md:10: warning[date-invalid]: `End Time` cannot be read: `2025-01-32` is not a date that exists"]
    );
}

#[test]
fn warning_end_before_start_and_sign_off_before_incident() {
    let text = REFERENCE
        .replace("2025-01-14 15:08:22 UTC", "2025-01-14 13:08:22 UTC")
        .replace("44 minutes 35 seconds", "");
    assert_eq!(
        warned(&text, "end-before-start"),
        [
            "t.md:10: warning[end-before-start]: `End Time` 2025-01-14 13:08:22 UTC is before `Start Time` 2025-01-14 14:23:47 UTC"
        ]
    );
    let text = REFERENCE.replace("**Date**: 2025-01-15", "**Date**: 2025-01-13");
    assert_eq!(
        warned(&text, "sign-off-before-incident"),
        [
            "t.md:246: warning[sign-off-before-incident]: sign-off date 2025-01-13 is before the incident started (2025-01-14)"
        ]
    );
}

#[test]
fn warning_severity_and_retention_invalid() {
    let text = REFERENCE.replace("P1 (High)", "Critical");
    assert_eq!(
        warned(&text, "severity-invalid"),
        ["t.md:7: warning[severity-invalid]: severity `Critical` is not one of `P1`..`P5`"]
    );
    let inc = incident(&REFERENCE.replace("P1 (High)", "SEV-2 (Medium)"));
    assert_eq!((inc.severity.as_str(), inc.severity_label.as_deref()), ("P2", Some("Medium")));
    let text = REFERENCE.replace("7 years (compliance requirement)", "until further notice");
    assert_eq!(
        warned(&text, "retention-invalid"),
        [
            "t.md:251: warning[retention-invalid]: retention `until further notice` states no number of years; the configured default applies"
        ]
    );
    assert_eq!(incident(&text).retention.years, None);
}

#[test]
fn rule_retention_too_long() {
    let text = REFERENCE.replace("7 years (compliance requirement)", "7975 years");
    assert_eq!(
        rule(&text, "retention-too-long"),
        [
            "t.md:251: error[retention-too-long]: retention `7975 years` is 7975 years; the most a record may ask for is 100 years"
        ]
    );
    assert!(!parse_str(&text).accepted());
    // What the record states is kept (verify compares it with the ledger).
    assert_eq!(parse_str(&text).incident.unwrap().retention.years, Some(7975));
    let inc = incident(&REFERENCE.replace("7 years (compliance requirement)", "100 years"));
    assert_eq!(inc.retention.years, Some(values::MAX_RETENTION_YEARS));
}

#[test]
fn warning_timeline_time_invalid_and_order() {
    let text = REFERENCE.replace("**14:24:12**", "**25:61**");
    assert_eq!(
        warned(&text, "timeline-time-invalid"),
        [
            "t.md:17: warning[timeline-time-invalid]: timeline time `25:61` is not a time of day; the entry is kept unplaced"
        ]
    );
    // Kept with its text, after the entry before, never dropped.
    let inc = incident(&text);
    assert_eq!(inc.timeline.len(), 11);
    assert_eq!(inc.timeline[1].unplaced.as_deref(), Some("25:61"));
    assert_eq!(inc.timeline[1].text, "Automated page sent to on-call engineer (Sarah Mitchell)");
    assert_eq!(inc.timeline[1].at, inc.timeline[0].at);
    let text = REFERENCE.replace("**14:25:38**", "**14:20:38**");
    assert_eq!(
        warned(&text, "timeline-order"),
        [
            "t.md:18: warning[timeline-order]: timeline entry at `14:20:38` is earlier than the one before (`14:24:12`)"
        ]
    );
    assert_eq!(incident(&text).timeline[2].at.to_rfc3339(), "2025-01-14T14:20:38+00:00");
}

#[test]
fn warning_id_mismatch_duplicates() {
    let text = REFERENCE.replace("# Incident Report: INC-2025-0023", "# Incident Report: INC-2025-0024");
    assert_eq!(
        warned(&text, "id-mismatch"),
        [
            "t.md:1: warning[id-mismatch]: the title names `INC-2025-0024` but `Incident ID` is `INC-2025-0023`"
        ]
    );
    let text =
        REFERENCE.replace("**Status**: Resolved  \n", "**Status**: Resolved  \n**Status**: Closed  \n");
    assert_eq!(
        warned(&text, "duplicate-field"),
        [
            "t.md:9: warning[duplicate-field]: `Status` given again as `Closed`; the first value (`Resolved`, line 8) is used"
        ]
    );
    let text = format!("{REFERENCE}\n## Timeline\n\n**01:00:00** - Extra\n");
    let line = text.lines().count() - 2;
    assert_eq!(
        warned(&text, "duplicate-section"),
        [format!(
            "t.md:{line}: warning[duplicate-section]: a second `Timeline` section (the first is on line 14); only the first is read"
        )]
    );
    assert_eq!(incident(&text).timeline.len(), 11);
}

#[test]
fn too_many_diagnostics_are_counted_not_listed() {
    let mut text = REFERENCE.to_string();
    for _ in 0..300 {
        text.push_str("\n## Timeline\n");
    }
    let p = parse_str(&text);
    assert!(p.accepted());
    assert_eq!(p.diagnostics.len(), MAX_DIAGNOSTICS + 1);
    let last = p.diagnostics.last().unwrap();
    assert_eq!(
        (last.rule.as_str(), last.message.as_str()),
        ("too-many-diagnostics", "100 more diagnostics not shown (at most 200 per record)")
    );
    // An error still gets in when warnings filled the list.
    let p = parse_str(&text.replace("**Status**: Resolved", "**Status**: Open"));
    assert!(!p.accepted());
}

#[test]
fn files_are_read_capped_and_unreadable_ones_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (bytes, p) = parse_file(dir.path());
    assert!(bytes.is_empty() && p.incident.is_none());
    assert_eq!(p.diagnostics[0].rule, "unreadable");
    let big = dir.path().join("big.md");
    std::fs::File::create(&big).unwrap().set_len(50 * 1024 * 1024).unwrap();
    let (bytes, p) = parse_file(&big);
    assert_eq!(bytes.len(), MAX_RECORD_BYTES + 1);
    assert_eq!(p.diagnostics[0].rule, "too-large");
    let ok = dir.path().join("ok.md");
    std::fs::write(&ok, REFERENCE).unwrap();
    let (bytes, p) = parse_file(&ok);
    assert_eq!(bytes, REFERENCE.as_bytes());
    assert!(p.accepted());
}

// ---------------------------------------------------------------- no input panics

mod no_panic {
    use proptest::prelude::*;

    use super::*;

    fn check(bytes: &[u8]) {
        let p = parse(Path::new("f.md"), bytes);
        // Whatever came in, the result is consistent: rejected records say why.
        if !p.accepted() {
            assert!(p.errors().next().is_some());
        }
        if let Some(inc) = &p.incident {
            serde_json::to_string(inc).unwrap();
        }
    }

    proptest! {
        #[test]
        fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            check(&bytes);
        }

        #[test]
        fn markdownish_text(s in "[#*|\\-\\[\\]x ✅⏳:`>\n0-9a-zA-Z.()~,_]{0,600}") {
            check(s.as_bytes());
        }

        #[test]
        fn mutated_reference(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..24)) {
            let mut bytes = REFERENCE.as_bytes().to_vec();
            for (at, byte, op) in edits {
                let i = at.index(bytes.len() + 1);
                match op {
                    0 => bytes.insert(i, byte),
                    1 if i < bytes.len() => { bytes.remove(i); }
                    2 if i < bytes.len() => bytes[i] = byte,
                    _ => bytes.truncate(i),
                }
            }
            check(&bytes);
        }

        #[test]
        fn timeline_and_template_shaped_text(s in "[0-9: APMUTCESDJanuryMchOtobe,.()*_`~\\-|#\n\\[\\]?≈−é]{0,500}") {
            check(format!("# T\n\n**Start Time**: 2024-03-05\n\n## Timeline\n\n{s}\n\n## Action Items\n\n{s}\n").as_bytes());
            let _ = super::super::timeline::scan(&s, Some(2024));
            let _ = values::is_prompt(&s);
        }

        #[test]
        fn spliced_reference_lines(picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..80)) {
            let lines: Vec<&str> = REFERENCE.lines().collect();
            let text: String = picks.iter().map(|i| format!("{}\n", lines[i.index(lines.len())])).collect();
            check(text.as_bytes());
        }
    }

    #[test]
    fn every_prefix_of_the_reference() {
        let bytes = REFERENCE.as_bytes();
        for end in (0..bytes.len()).step_by(37) {
            check(&bytes[..end]);
        }
    }

    #[test]
    fn pathological_shapes() {
        let deep_list: String = (0..3000).map(|i| format!("{}- x\n", "  ".repeat(i % 200))).collect();
        let deep_quote = format!("{}x\n", ">".repeat(5000));
        let headings = "## Timeline\n".repeat(20_000);
        let labels = "**Incident ID**: a\n".repeat(20_000);
        let table = format!("| Customer | Users |\n|---|---|\n{}", "| a | 1 |\n".repeat(20_000));
        let brackets = "[".repeat(50_000);
        let stars = "**a".repeat(30_000);
        for text in [deep_list, deep_quote, headings, labels, table, brackets, stars] {
            check(text.as_bytes());
        }
    }
}

#[test]
fn a_summary_keeps_what_lists_show_and_drops_the_rest() {
    let inc = reference();
    let summary = Summary::from(&inc);
    assert_eq!(Summary::from(inc.clone()), summary, "copied and moved out alike");
    assert_eq!((&summary.id, &summary.title, &summary.severity), (&inc.id, &inc.title, &inc.severity));
    assert_eq!(summary.customers, inc.impact.customers);
    assert_eq!(summary.action_items, inc.action_items);
    assert_eq!(summary.sign_off, inc.sign_off);
    assert_eq!(summary.root_cause_summary, inc.root_cause.summary);
    let as_record = Incident::from(summary.clone());
    assert!(
        as_record.sections.is_empty() && as_record.timeline.is_empty() && as_record.references.is_empty()
    );
    assert!(!inc.sections.is_empty() && !inc.timeline.is_empty());
    assert_eq!(Summary::from(&as_record), summary, "the record a summary stands for has the same summary");
    // A summary survives the JSON of the summary cache unchanged.
    let back: Summary = serde_json::from_slice(&serde_json::to_vec(&summary).unwrap()).unwrap();
    assert_eq!(back, summary);
}

/// The summary cache holds a summary as the record it stands for: an `Incident`'s JSON with
/// every other field empty. A summary and a whole record (through `Summarized`, nothing
/// copied) write exactly that JSON, every field the summary keeps set, so that an `Incident`
/// field the summary's writer does not know of fails here.
#[test]
fn a_summary_is_written_as_the_record_it_stands_for() {
    let mut inc = reference();
    inc.start_precision = Some(Precision::Day);
    inc.severity_label = Some("Critical".into());
    inc.duration_text = Some("2 hours".into());
    inc.impact.customer_accounts = Some(12);
    inc.impact.users_affected = Some(1247);
    inc.impact.impact_type = "latency".into();
    inc.classification = "Internal".into();
    inc.retention = Retention { years: Some(10), text: "10 years".into() };
    inc.front_matter = Some("title: x".into());
    inc.attestation = Some(Attestation {
        sidecar: "ab".repeat(32),
        approved_by: "Jane Doe".into(),
        approved_on: NaiveDate::from_ymd_opt(2025, 1, 20).unwrap(),
        reference: Some("TICKET-1".into()),
        supplied: vec!["approved_by".into()],
    });
    let summary = Summary::from(&inc);
    let want = serde_json::to_string(&Incident::from(summary.clone())).unwrap();
    assert_eq!(serde_json::to_string(&summary).unwrap(), want);
    assert_eq!(serde_json::to_string(&summary::AsIncident(&inc)).unwrap(), want, "from the whole record");
    let defaults = serde_json::to_value(Incident::default()).unwrap();
    let written = serde_json::to_value(&summary).unwrap();
    for key in ["start_precision", "attestation", "severity_label", "duration_text", "classification"] {
        assert_ne!(written.get(key), defaults.get(key), "`{key}` is set, so that it is compared");
    }
    assert!(written.get("front_matter").is_none(), "a summary keeps no front matter");
    // Read back through `Incident`: the same summary.
    assert_eq!(serde_json::from_str::<Summary>(&want).unwrap(), summary);
}

/// `Kept` is whole or a summary; either reads the same summary-level facts.
#[test]
fn a_kept_record_reads_the_same_facts_whole_or_summarized() {
    let inc = reference();
    let (whole, summarized) = (Kept::new(inc.clone(), false), Kept::new(inc.clone(), true));
    assert_eq!(whole.whole(), Some(&inc));
    assert_eq!(summarized.whole(), None);
    assert_eq!(summarized, Kept::Summary(Box::new(Summary::from(&inc))));
    for kept in [&whole, &summarized] {
        let s = kept.summary();
        assert_eq!(
            (s.id(), s.title(), s.severity()),
            (inc.id.as_str(), inc.title.as_str(), inc.severity.as_str())
        );
        assert_eq!(
            (s.started_at(), s.customers(), s.action_items()),
            (inc.started_at, &inc.impact.customers[..], &inc.action_items[..])
        );
        assert_eq!(
            (s.sign_off(), s.retention(), s.root_cause_summary()),
            (&inc.sign_off, &inc.retention, inc.root_cause.summary.as_str())
        );
    }
    assert!(summary::summaries_only(100, 399) && !summary::summaries_only(100, 400), "four times the bytes");
}

// ---------------------------------------------------------------- bounded memory

/// Counts the heap bytes of each thread, so that a test can measure what one parse allocates
/// at its peak (the binary uses another allocator; the sizes asked for are the same).
mod heap {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn add(delta: isize) {
        let _ = LIVE.try_with(|live| {
            let now = live.get() + delta;
            live.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
    }

    struct Counting;

    // SAFETY: every call goes to the system allocator unchanged; only sizes are counted.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            add(layout.size() as isize);
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            add(layout.size() as isize);
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            add(-(layout.size() as isize));
        }

        /// Counted as a new block before the old one is freed: a moving reallocation holds both.
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            add(new_size as isize);
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            add(-(layout.size() as isize));
            p
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    /// What `f` returns, and the most heap it held at once on this thread (bytes).
    pub fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let start = LIVE.with(Cell::get);
        PEAK.with(|p| p.set(start));
        let out = f();
        (out, (PEAK.with(Cell::get) - start).max(0) as usize)
    }
}

/// A signed-off record with `unit` repeated after `section` (then `tail`), as many times as
/// the limits accept: up to [`limits::MAX_ELEMENTS`] and [`MAX_RECORD_BYTES`].
fn worst(section: &str, unit: &str, tail: &str) -> String {
    let head = format!(
        "# Incident Report: INC-1\n\n## Incident Summary\n\n**Incident ID**: INC-1\n**Title**: Worst\n\
         **Status**: Resolved\n**Start Time**: 2025-01-14 14:23:47 UTC\n\n## Sign-off\n\n\
         **Approved By**: Maria Garcia\n**Date**: 2025-01-15\n\n{section}"
    );
    let fixed = limits::count(&format!("{head}{tail}"));
    // Elements in 64 units (a last line without a newline does not count: more units follow).
    let per_64 = limits::count(&format!("{}\n", unit.repeat(64))) - 1;
    let by_elements = match per_64 {
        0 => usize::MAX,
        n => (limits::MAX_ELEMENTS - fixed - 2) * 64 / n,
    };
    let by_bytes = (MAX_RECORD_BYTES - head.len() - tail.len()) / unit.len();
    format!("{head}{}{tail}", unit.repeat(by_elements.min(by_bytes)))
}

/// The shapes that cost the most per byte or per element, each as large as accepted.
fn worst_shapes() -> Vec<(&'static str, String)> {
    let t = "## Notes\n\n";
    vec![
        ("list items", worst("## What Went Well\n\n", "- x\n", "")),
        ("ordered items", worst("## What Went Well\n\n", "1. x\n", "")),
        ("nested lists", worst(t, &format!("{}x\n", "- ".repeat(limits::MAX_DEPTH)), "")),
        ("nested quotes", worst(t, &format!("{}x\n\n", "> ".repeat(limits::MAX_DEPTH)), "")),
        ("task items", worst("## What Went Well\n\n", "- [x] a\n", "")),
        ("resolution steps", worst("## Resolution\n\n", "1. ✅ a\n", "")),
        ("table rows", worst(&format!("{t}| a | b |\n|---|---|\n"), "|a|b|\n", "")),
        ("rows without pipes", worst(&format!("{t}| a | b |\n|---|---|\n"), "a\n", "")),
        (
            "rows of a wide table",
            worst(&format!("{t}{}|\n{}|\n", "|a".repeat(2000), "|-".repeat(2000)), "a\n", ""),
        ),
        (
            "action items",
            worst(
                "## Action Items\n\n| ID | Action | Owner | Due | Status |\n|---|---|---|---|---|\n",
                "|1|a|o|2025-01-20|x|\n",
                "",
            ),
        ),
        (
            "customer rows",
            worst("## Customer Impact\n\n| Customer | Users Affected |\n|---|---|\n", "|a|1|\n", ""),
        ),
        ("headings", worst("", "# a\n", "")),
        ("setext headings", worst("", "a\n=\n", "")),
        ("timeline entries", worst("## Timeline\n\n", "**14:23:47** - a  \n", "")),
        ("timeline lines", worst("## Timeline\n\n", "14:23 a\n", "")),
        ("labels", worst(t, "**a**: b  \n", "")),
        ("summary labels", worst("## Summary\n\n", "a: b\n", "")),
        ("paragraph lines", worst(t, "a\n", "")),
        ("paragraphs", worst(t, "a\n\n", "")),
        ("hard breaks", worst(t, "a  \n", "")),
        ("emphasis", worst(t, "*a* ", "")),
        ("links", worst("## References\n\n", "[a](b) ", "")),
        ("autolinks", worst(t, "<http://a> ", "")),
        ("code spans", worst(t, "`a` ", "")),
        ("brackets", worst(t, "[", "")),
        ("entities", worst(t, "&amp;", "")),
        ("inline html", worst(t, "<b>", "")),
        ("html blocks", worst(t, "<div>\n\n", "")),
        ("code blocks", worst("## Technical Details\n\n", "```\nx\n```\n", "")),
        (
            "one code block",
            worst("## Technical Details\n\n```\n", &format!("{}\n", "x".repeat(100)), "```\n"),
        ),
        (
            "prose",
            worst(t, "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n", ""),
        ),
        ("one long line", worst(t, "x", "")),
    ]
}

#[test]
fn the_worst_accepted_shapes_parse_in_bounded_memory() {
    for (name, text) in worst_shapes() {
        let (p, peak) = heap::peak(|| parse_str(&text));
        let elements = limits::count(&text);
        eprintln!(
            "{name:>22}: {:>8} bytes {elements:>6} elements: peak {:>6.1} MB = {:>5.1} x size, {:>4} B/element",
            text.len(),
            peak as f64 / 1e6,
            peak as f64 / text.len() as f64,
            peak / elements.max(1)
        );
        assert!(p.accepted(), "{name}: {:#?}", &p.diagnostics[..p.diagnostics.len().min(3)]);
        // Measured: at most 73 MB (the rows of a wide table, each padded to the header's
        // width); records of megabytes take at most 6 times their size.
        assert!(peak < PARSE_HEAP_BOUND, "{name}: {peak} bytes");
        if text.len() >= 1 << 20 {
            assert!(peak < 20 * text.len(), "{name}: {peak} bytes for {} bytes", text.len());
        }
    }
}

/// What the parse of any accepted record may hold at once (the heap, not counting the bytes
/// read): a little above the worst shape measured, and so about 100 MB of resident memory
/// in the binary.
const PARSE_HEAP_BOUND: usize = 80 << 20;
// ---------------------------------------------------------------- the templates people use

#[test]
fn the_synonym_table_classifies_the_common_template_headings() {
    use SectionKind as K;
    for (heading, kind) in [
        ("Root Cause(s)", K::RootCause),
        ("Root Causes", K::RootCause),
        ("3. Cause", K::RootCause),
        ("Trigger", K::Trigger),
        ("Contributing Factors", K::ContributingFactors),
        ("Details", K::RootCause),
        ("Lessons Learnt", K::Lessons),
        ("Further learnings", K::Lessons),
        ("What went well?", K::WentWell),
        ("What didn't go well", K::ToImprove),
        ("Where we got lucky", K::Lucky),
        ("Action Items & Follow-ups", K::ActionItems),
        ("Follow-ups", K::ActionItems),
        ("Corrective and Preventative Measures", K::ActionItems),
        ("Remediation", K::ActionItems),
        ("Prevention", K::ActionItems),
        ("Next steps", K::ActionItems),
        ("Impact", K::Impact),
        ("Customer Impact", K::CustomerImpact),
        ("Overview", K::Summary),
        ("Description", K::Summary),
        ("Timeline (all times in Pacific Time)", K::Timeline),
        ("Chronology", K::Timeline),
        ("Sequence of Events", K::Timeline),
        ("Supporting information", K::References),
        ("Impact on the roadmap", K::Other),
        ("Detailed description of the fix", K::Other),
    ] {
        assert_eq!(sections::classify(&values::normalize(heading)), kind, "{heading}");
    }
}

/// A postmortem in the shape of the SRE book's example: header labels under the title, the
/// cause and trigger as labels, lessons in three lists, a sign-off added for the archive.
const SRE_BOOK_SHAPE: &str = "\
# Checkout Cart Postmortem (incident #812)

Date: 2024-03-05
Authors: ana, bo
Status: Closed
Start Time: 2024-03-05 09:12 UTC
Summary: Carts emptied for 41 minutes after a cache flush.
Impact: About 9,000 carts lost their items.
Root Causes: A flush script ran against the production cache cluster instead of staging.
Trigger: A shell alias pointed at the wrong cluster.
Resolution: Restored carts from the hourly snapshot.
Detection: Support tickets spiked and the cart-size dashboard dropped to zero.

## Lessons Learned

### What went well

- The hourly snapshot was complete.

### What went wrong

- Nobody noticed the alias change.
- The flush script had no confirmation prompt.

### Where we got lucky

- It happened outside the sales peak.

## Timeline

**09:12** - Flush script started
**09:20** - First support ticket

## Sign-off

**Approved By**: Dana Ruiz
**Date**: 2024-03-08
";

#[test]
fn a_record_in_the_sre_book_shape() {
    let inc = incident(&format!("**Incident ID**: CART-812\n\n{SRE_BOOK_SHAPE}"));
    assert_eq!(inc.title, "Checkout Cart Postmortem (incident #812)");
    assert_eq!(inc.status, "Closed");
    assert_eq!(inc.customer_impact, "About 9,000 carts lost their items.");
    assert_eq!(
        inc.root_cause.summary,
        "A flush script ran against the production cache cluster instead of staging."
    );
    assert_eq!(inc.root_cause.fields.last().unwrap().value, "A shell alias pointed at the wrong cluster.");
    assert!(inc.detection.how_detected.starts_with("Support tickets spiked"));
    assert_eq!(inc.resolution.immediate[0].text, "Restored carts from the hourly snapshot.");
    let l = &inc.lessons_learned;
    assert_eq!((l.went_well.len(), l.to_improve.len(), l.lucky.len()), (1, 2, 1));
    assert_eq!(l.lucky[0], "It happened outside the sales peak.");
    assert_eq!(inc.timeline.len(), 2);
    // The routed labels have a typed home; `Summary` and `Authors` do not.
    let extra: Vec<&str> = inc.extra_fields.iter().map(|f| f.label.as_str()).collect();
    assert!(extra.ends_with(&["Authors", "Summary"]), "{extra:?}");
    let kinds: Vec<SectionKind> = inc.sections.iter().map(|s| s.kind).collect();
    assert!(kinds.contains(&SectionKind::Lucky) && kinds.contains(&SectionKind::ToImprove));
}

#[test]
fn the_level_one_heading_is_the_title_when_nothing_else_gives_one() {
    let body = "\n\n## Summary\n\n**Incident ID**: X-1\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    for (h1, title, id) in [
        ("# Checkout errors after deploy", "Checkout errors after deploy", "X-1"),
        ("Checkout errors after deploy\n============================", "Checkout errors after deploy", "X-1"),
        ("# Postmortem: Checkout errors", "Checkout errors", "X-1"),
        ("# Post-mortem: Checkout errors", "Checkout errors", "X-1"),
    ] {
        let inc = incident(&format!("{h1}{body}"));
        assert_eq!((inc.title.as_str(), inc.id.as_str()), (title, id), "{h1}");
    }
    // `ID: title` names both; the summary's id still wins.
    let text = format!("# INC-77: Checkout errors{}", body.replace("**Incident ID**: X-1\n", ""));
    let inc = incident(&text);
    assert_eq!((inc.title.as_str(), inc.id.as_str()), ("Checkout errors", "INC-77"));
    // A `Title` label or the front matter wins over the heading, without a warning.
    let text = format!("# Heading words{}", body.replace("**Status**", "**Title**: Labelled\n**Status**"));
    let p = parse_str(&text);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.incident.unwrap().title, "Labelled");
    let text = format!("---\ntitle: From YAML\n---\n# Heading words{body}");
    let p = parse_str(&text);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.incident.unwrap().title, "From YAML");
}

#[test]
fn header_labels_are_read_under_any_heading() {
    let text = "# Search outage\n\n## Key facts\n\n**Incident ID**: S-9\n**Severity**: SEV-2\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    let inc = incident(text);
    assert_eq!((inc.id.as_str(), inc.severity.as_str(), inc.status.as_str()), ("S-9", "P2", "Resolved"));
    // Not under the sign-off, the action items or the timeline, where labels mean other things.
    let text = "# Search outage\n\n## Summary\n\n**Incident ID**: S-9\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Action Items\n\n- **Status**: Open\n";
    assert_eq!(rule(text, "status-missing").len(), 1);
}

#[test]
fn what_went_wrong_is_the_cause_alone_and_a_lesson_beside_what_went_well() {
    let base = "# Cache outage\n\n**Incident ID**: C-1\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n";
    let sign = "\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    let alone = format!("{base}## What went wrong\n\nThe eviction policy dropped hot keys.\n{sign}");
    assert_eq!(incident(&alone).root_cause.summary, "The eviction policy dropped hot keys.");
    let beside =
        format!("{base}## What went well\n\n- Fast rollback\n\n## What went wrong\n\n- Slow paging\n{sign}");
    let inc = incident(&beside);
    assert_eq!(inc.lessons_learned.to_improve, ["Slow paging"]);
    assert!(inc.root_cause.summary.is_empty());
}

#[test]
fn contributing_factors_and_trigger_sections_feed_the_root_cause() {
    let text = "# Queue backlog\n\n**Incident ID**: Q-4\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Root Cause\n\nThe consumer pool was sized for last year's traffic.\n\n## Trigger\n\nA marketing email doubled sign-ups.\n\n## Contributing Factors\n\n- No autoscaling\n- Alert threshold too high\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    let p = parse_str(text);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let rc = p.incident.unwrap().root_cause;
    assert_eq!(rc.summary, "The consumer pool was sized for last year's traffic.");
    assert_eq!(rc.contributing_factors, ["No autoscaling", "Alert threshold too high"]);
    assert_eq!(
        rc.fields,
        [Field { label: "Trigger".into(), value: "A marketing email doubled sign-ups.".into() }]
    );
}

#[test]
fn rule_template_unfilled_rejects_blank_templates_and_keeps_nothing() {
    for name in ["book-headings.md", "prompts.md", "labels-and-table.md"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates").join(name);
        let p = parse(&path, &std::fs::read(&path).unwrap());
        assert!(p.incident.is_none(), "{name}: a template yields no data");
        assert!(p.errors().any(|d| d.rule == "template-unfilled"), "{name}: {:#?}", p.diagnostics);
    }
    // The same template with its id, approver and date given is still a template.
    let text = "# Title (incident #)\n\n**Incident ID**: T-1\n\n## Summary\n\n## Root Cause\n\n## Timeline\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    assert_eq!(
        rule(text, "template-unfilled"),
        [
            "t.md:1: error[template-unfilled]: the record is an unfilled template: its sections hold only headings, empty labels and prompts (`[Date]`, `_…_`, `TBD`)"
        ]
    );
    // One line of data makes it a record (rejected or not for other reasons).
    let filled = text.replace("## Root Cause\n", "## Root Cause\n\nA disk filled up.\n");
    assert!(rule(&filled, "template-unfilled").is_empty());
    // A record without prompts or empty sections is no template, however short.
    let short = "# Disk full\n\n**Incident ID**: T-1\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    assert!(parse_str(short).accepted());
}

#[test]
fn template_prompts_left_in_a_filled_record_never_land_in_a_field() {
    let text = "\
# Disk full on the build cache

**Incident ID**: T-2
**Status**: Resolved
**Start Time**: 2024-03-05 09:12 UTC
**Severity**: [SEV]
**Region**: <region>

## Root Cause

_What caused this? Keep asking why._

The build cache volume had no retention policy.

## Timeline

**09:12** - Builds start failing
**09:30** - [what happened next]

## Lessons Learned

### What went well

- Rollback took two minutes
- _Add more_

## Action Items

| Action | Owner | Due |
|--------|-------|-----|
| Add a retention policy | Build team | 2024-03-20 |
| [Action] | [Owner] | [Date] |
|  |  |  |

## Sign-off

**Approved By**: Dana Ruiz
**Date**: 2024-03-08
";
    let p = parse_str(text);
    assert!(p.diagnostics.is_empty(), "{:#?}", p.diagnostics);
    let inc = p.incident.unwrap();
    assert_eq!(inc.root_cause.summary, "The build cache volume had no retention policy.");
    assert_eq!(inc.timeline.len(), 1);
    assert_eq!(inc.lessons_learned.went_well, ["Rollback took two minutes"]);
    assert_eq!(inc.action_items.len(), 1);
    assert_eq!(inc.action_items[0].action, "Add a retention policy");
    assert_eq!(inc.severity, "");
    assert_eq!(inc.extra_fields, [Field { label: "Region".into(), value: String::new() }]);
    // The Markdown copies keep the document as written; the fields hold no prompt.
    let json = serde_json::to_string(&semantic(inc)).unwrap();
    for prompt in ["[SEV]", "<region>", "What caused this", "what happened next", "Add more", "[Action]"] {
        assert!(!json.contains(prompt), "{prompt} landed in a field");
    }
}

#[test]
fn a_prompt_as_the_title_is_no_title() {
    let body = "\n\n**Incident ID**: T-3\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Root Cause\n\nA disk filled up.\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    for h1 in
        ["# [Incident title]", "# Title (incident #)", "# Title of the incident", "# Postmortem Template"]
    {
        assert_eq!(rule(&format!("{h1}{body}"), "title-missing").len(), 1, "{h1}");
    }
}

// ---------------------------------------------------------------- timelines in every form

/// A small accepted record around a timeline section (`heading` is its heading line).
fn with_timeline(start: &str, heading: &str, timeline: &str) -> String {
    format!(
        "# Search outage\n\n**Incident ID**: T-9\n**Status**: Resolved\n**Start Time**: {start}\n\n{heading}\n\n{timeline}\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n"
    )
}

/// The timeline as (UTC time, text).
fn entries(text: &str) -> Vec<(String, String)> {
    let p = parse_str(text);
    assert!(p.accepted(), "{:#?}", p.diagnostics);
    p.incident
        .unwrap()
        .timeline
        .into_iter()
        .map(|e| (e.at.format("%m-%d %H:%M").to_string(), e.text))
        .collect()
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn timeline_list_items_with_zones_ranges_markup_and_approximate_times() {
    let text = with_timeline(
        "2024-03-05 13:50 UTC",
        "## Timeline",
        "- 14:02 UTC: Alert fired\n- **14:05** - Paged on-call\n- `14:07` Rolled back\n- 14:10-14:12: Caches warmed\n- ~14:30 Error rate normal\n* 9:44 PM: Postmortem scheduled\n* ~01:30 Backfill finished",
    );
    assert_eq!(
        entries(&text),
        pairs(&[
            ("03-05 14:02", "Alert fired"),
            ("03-05 14:05", "Paged on-call"),
            ("03-05 14:07", "Rolled back"),
            ("03-05 14:10", "Caches warmed"),
            ("03-05 14:30", "Error rate normal"),
            ("03-05 21:44", "Postmortem scheduled"),
            ("03-06 01:30", "Backfill finished"),
        ])
    );
}

#[test]
fn timeline_paragraph_lines_under_a_date_line_with_a_zone_note() {
    // The SRE book's shape: a date line with the zone, then one line per event.
    let text = with_timeline(
        "2024-03-05 21:40 UTC",
        "## Timeline",
        "2024-03-05 (all times in PDT)\n\n14:51 Traffic to search grows tenfold\n14:53 Backends start failing\n15:10 Load shedding enabled\n\n2024-03-06\n\n09:00 Postmortem meeting",
    );
    assert_eq!(
        entries(&text),
        pairs(&[
            ("03-05 21:51", "Traffic to search grows tenfold"),
            ("03-05 21:53", "Backends start failing"),
            ("03-05 22:10", "Load shedding enabled"),
            ("03-06 16:00", "Postmortem meeting"),
        ])
    );
}

#[test]
fn timeline_heading_with_a_zone_and_entries_as_headings() {
    let text = with_timeline(
        "2025-07-11 19:30 UTC",
        "## Timeline (all times in Pacific Time)",
        "### 12:35 - Deploy started\n\nThe deploy went out to all regions.\n\n### July 11, 2025, 12:42 PM\n\nFirst customer report.\n\n### 2025-07-12 09:15\n\nFix verified the next morning.",
    );
    assert_eq!(
        entries(&text),
        pairs(&[
            // Details under an entry's heading belong to it.
            ("07-11 19:35", "Deploy started The deploy went out to all regions."),
            ("07-11 19:42", "First customer report."),
            ("07-12 16:15", "Fix verified the next morning."),
        ])
    );
}

#[test]
fn timeline_date_headings_set_the_day_over_several_days() {
    let text = with_timeline(
        "2024-03-05 23:40 UTC",
        "## Sequence of Events",
        "### Tuesday, March 5\n\n- 23:45 Disk alarms\n- 23:58 Failover started\n\n### Wednesday, March 6\n\n- 00:20 Failover done\n- 16:00 Root cause found\n\n### March 8th\n\n- 10:00 Fix deployed",
    );
    assert_eq!(
        entries(&text),
        pairs(&[
            ("03-05 23:45", "Disk alarms"),
            ("03-05 23:58", "Failover started"),
            ("03-06 00:20", "Failover done"),
            ("03-06 16:00", "Root cause found"),
            ("03-08 10:00", "Fix deployed"),
        ])
    );
}

#[test]
fn timeline_table_rows_with_a_zone_in_the_header_and_a_date_column() {
    let text = with_timeline(
        "2024-03-05 13:00 UTC",
        "## Chronology",
        "| Date | Time (CET) | Who | What happened |\n|---|---|---|---|\n| 2024-03-05 | 14:02 | bot | Alert fired |\n| 2024-03-05 | 14:10 | ana | Rolled back |\n| 2024-03-06 | 09:00 | bo | Postmortem |",
    );
    assert_eq!(
        entries(&text),
        pairs(&[
            ("03-05 13:02", "Alert fired"),
            ("03-05 13:10", "Rolled back"),
            ("03-06 08:00", "Postmortem")
        ])
    );
}

#[test]
fn timeline_entries_name_their_own_zone_and_twelve_hour_times() {
    let text = with_timeline(
        "2024-03-05 13:00 UTC",
        "## Timeline",
        "- 14:02 CET - Alert in Frankfurt\n- 9:10 AM EST - New York notices\n- 2024-03-05 07:30 America/Los_Angeles - Seattle joins\n- 3:45 p.m. (UTC) - Resolved",
    );
    assert_eq!(
        entries(&text),
        pairs(&[
            ("03-05 13:02", "Alert in Frankfurt"),
            ("03-05 14:10", "New York notices"),
            ("03-05 15:30", "Seattle joins"),
            ("03-05 15:45", "Resolved"),
        ])
    );
}

#[test]
fn a_timeline_entry_that_cannot_be_placed_is_kept() {
    // No start, no date line: the entries are kept unplaced; the start is the error.
    let text = "# Search outage\n\n## Timeline\n\n- 14:02 Alert fired\n- 14:05 Paged\n";
    let p = parse_str(text);
    assert!(p.errors().any(|d| d.rule == "start-missing"));
    let inc = p.incident.unwrap();
    assert_eq!(inc.timeline.len(), 2);
    assert_eq!(inc.timeline[1].unplaced.as_deref(), Some("14:05"));
    assert_eq!(inc.timeline[1].text, "Paged");
}

// ---------------------------------------------------------------- start, dates and status

#[test]
fn a_date_without_a_time_is_a_start_known_to_the_day() {
    let text = REFERENCE.replace("**Start Time**: 2025-01-14 14:23:47 UTC", "**Start Time**: 2025-01-14");
    let p = parse_str(&text);
    assert!(p.accepted(), "{:#?}", p.diagnostics);
    let warned: Vec<String> =
        p.diagnostics.iter().filter(|d| d.rule == "start-date-only").map(ToString::to_string).collect();
    assert_eq!(
        warned,
        [
            "t.md:9: warning[start-date-only]: the start `2025-01-14` is a date without a time of day; kept as that day"
        ]
    );
    let inc = p.incident.unwrap();
    assert_eq!(inc.started_at, Some(Utc.with_ymd_and_hms(2025, 1, 14, 0, 0, 0).unwrap()));
    assert_eq!(inc.start_precision, Some(Precision::Day));
    // The timeline is placed on that day; the duration is the stated one.
    assert_eq!(inc.timeline[0].at, Utc.with_ymd_and_hms(2025, 1, 14, 14, 23, 47).unwrap());
    assert_eq!(inc.duration_seconds, Some(2675));
    assert_eq!(serde_json::to_value(&inc).unwrap()["start_precision"], "day");
    assert!(serde_json::to_value(reference()).unwrap().get("start_precision").is_none());
}

#[test]
fn the_start_from_date_labels_headings_and_header_tables() {
    let tail = "\n\n## Root Cause\n\nA disk filled up.\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    let cases = [
        ("Date: 2024-03-05\nStatus: Complete", "2024-03-05T00:00:00Z", true),
        ("**Date/time**: 2024-03-05 14:00 PDT\n**Status**: Final", "2024-03-05T21:00:00Z", false),
        ("**Incident date**: March 5, 2024\n**Status**: Done", "2024-03-05T00:00:00Z", true),
        (
            "**Detected**: Tuesday, March 5, 2024 2:30 PM EST\n**Status**: Published",
            "2024-03-05T19:30:00Z",
            false,
        ),
        (
            "| Incident | Date | Status |\n|---|---|---|\n| Q-4 | 2024-03-05 09:12 UTC | Closed, action items in progress |",
            "2024-03-05T09:12:00Z",
            false,
        ),
        (
            "| Field | Value |\n|---|---|\n| Start | 2024-03-05 09:12 |\n| Status | Resolved |",
            "2024-03-05T09:12:00Z",
            false,
        ),
        ("### Date\n\n2024-03-05\n\n### Status\n\nComplete", "2024-03-05T00:00:00Z", true),
    ];
    for (header, start, day) in cases {
        let text = format!("# Queue backlog\n\n**Incident ID**: Q-4\n\n{header}{tail}");
        let p = parse_str(&text);
        assert!(p.accepted(), "{header}: {:#?}", p.diagnostics);
        let inc = p.incident.unwrap();
        assert_eq!(
            inc.started_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).as_deref(),
            Some(start),
            "{header}"
        );
        assert_eq!(inc.start_precision.is_some(), day, "{header}");
    }
    // A start and a date: the start wins, with no duplicate warning.
    let text = format!(
        "# Queue backlog\n\n**Incident ID**: Q-4\n**Date**: 2024-03-04\n**Start Time**: 2024-03-05 09:12 UTC\n**Status**: Resolved{tail}"
    );
    let p = parse_str(&text);
    assert!(p.diagnostics.is_empty(), "{:#?}", p.diagnostics);
    assert_eq!(p.incident.unwrap().started_at, Some(Utc.with_ymd_and_hms(2024, 3, 5, 9, 12, 0).unwrap()));
}

#[test]
fn finished_statuses_pass_and_drafts_do_not() {
    for status in ["Complete", "Final", "Done", "Closed, action items in progress", "Published"] {
        let text = REFERENCE.replace("**Status**: Resolved", &format!("**Status**: {status}"));
        assert!(parse_str(&text).accepted(), "{status}");
    }
    for status in ["Draft", "In review", "Open"] {
        let text = REFERENCE.replace("**Status**: Resolved", &format!("**Status**: {status}"));
        assert_eq!(rule(&text, "status-not-closed").len(), 1, "{status}");
    }
}

// ---------------------------------------------------------------- action items in every form

/// (action, owner, ticket, done, due) of each item.
fn items(text: &str) -> Vec<(String, String, String, bool, Option<NaiveDate>)> {
    let p = parse_str(text);
    assert!(p.accepted(), "{:#?}", p.diagnostics);
    p.incident
        .unwrap()
        .action_items
        .into_iter()
        .map(|a| (a.action, a.owner, a.ticket, a.done, a.due))
        .collect()
}

fn record_with(sections: &str) -> String {
    format!(
        "# Queue backlog\n\n**Incident ID**: Q-4\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Root Cause\n\nThe consumer pool was too small.\n\n{sections}\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n"
    )
}

#[test]
fn action_items_from_every_table_under_action_headings() {
    let text = record_with(
        "## Action Items\n\n### Mitigate\n\n| Action Item | Type | Owner | Bug |\n|---|---|---|---|\n| Autoscale the consumers | mitigate | ana | OPS-101 |\n| | | | |\n\n### Prevent\n\n| Task | Assignee | Due | Priority | Ticket |\n|---|---|---|---|---|\n| Load-test the queue | bo | 2024-04-01 | P2 | https://tracker.example/T/77 |\n| [Task] | [Who] | [When] | | |",
    );
    let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day);
    assert_eq!(
        items(&text),
        [
            ("Autoscale the consumers".into(), "ana".into(), "OPS-101".into(), false, None),
            (
                "Load-test the queue".into(),
                "bo".into(),
                "https://tracker.example/T/77".into(),
                false,
                d(4, 1)
            ),
        ]
    );
}

#[test]
fn action_items_from_checkbox_numbered_and_bullet_lists() {
    let text = record_with(
        "## Follow-ups\n\n- [x] Raise the pool size (owner: ana) JIRA-12\n- [ ] Alert on consumer lag @bo, due 2024-03-20\n\n## Next steps\n\n1. Write a runbook for backlogs (Platform team)\n2. Review the retry policy\n   - Owner: cy\n   - Ticket: #456\n\n## Prevention\n\n* Add a queue-depth SLO — see https://wiki.example/slo",
    );
    let d = NaiveDate::from_ymd_opt(2024, 3, 20);
    assert_eq!(
        items(&text),
        [
            ("Raise the pool size (owner: ana) JIRA-12".into(), "ana".into(), "JIRA-12".into(), true, None),
            ("Alert on consumer lag @bo, due 2024-03-20".into(), "bo".into(), String::new(), false, d),
            (
                "Write a runbook for backlogs (Platform team)".into(),
                "Platform team".into(),
                String::new(),
                false,
                None
            ),
            ("Review the retry policy".into(), "cy".into(), "#456".into(), false, None),
            (
                "Add a queue-depth SLO — see https://wiki.example/slo".into(),
                String::new(),
                "https://wiki.example/slo".into(),
                false,
                None
            ),
        ]
    );
}

#[test]
fn action_items_without_an_action_heading_still_come_from_the_first_table() {
    let text = record_with(
        "## Work\n\n| Action | Owner | Due |\n|---|---|---|\n| Resize the pool | ana | 2024-03-10 |",
    );
    assert_eq!(items(&text).len(), 1);
}

// ---------------------------------------------------------------- lessons and impact

#[test]
fn lessons_as_lists_paragraphs_and_labelled_lines() {
    let text = record_with(
        "## Lessons Learned\n\n**What went well**: The pager woke the right person.\n\n### What didn't go well\n\nThe dashboards lagged by ten minutes.\n\nNobody owned the queue.\n\n### Where we got lucky\n\n- It was a quiet weekend",
    );
    let l = incident(&text).lessons_learned;
    assert_eq!(l.went_well, ["The pager woke the right person."]);
    assert_eq!(l.to_improve, ["The dashboards lagged by ten minutes.", "Nobody owned the queue."]);
    assert_eq!(l.lucky, ["It was a quiet weekend"]);
    assert!(l.learnings.is_empty());
    // A Lessons section without the split: its own list or paragraphs.
    let text = record_with("## Further learnings\n\n- Queues need an SLO\n- Backlogs hide in averages");
    let l = incident(&text).lessons_learned;
    assert_eq!(l.learnings, ["Queues need an SLO", "Backlogs hide in averages"]);
}

#[test]
fn impact_prose_is_kept_beside_the_customer_table() {
    let text = record_with(
        "## Impact\n\nAbout 3,000 orders were delayed by up to an hour.\n\n- Checkout stayed up\n- **Users Affected**: 3,000\n\n### Customer Impact\n\nTwo large tenants noticed.\n\n| Customer | Users Affected |\n|---|---|\n| Acme | 2,000 |\n| Globex | 1,000 |",
    );
    let imp = incident(&text).impact;
    assert_eq!(
        imp.text,
        "About 3,000 orders were delayed by up to an hour.\n- Checkout stayed up\nTwo large tenants noticed."
    );
    assert_eq!(imp.users_affected, Some(3000));
    assert_eq!(imp.customers.len(), 2);
    assert!(reference().impact.text.is_empty());
}

#[test]
fn without_a_start_the_first_dated_timeline_entry_or_a_summary_date_is_taken() {
    let tail = "\n## Root Cause\n\nA certificate was not trusted.\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2025-07-15\n";
    let text = format!(
        "# INC-4410: Login failures\n\n**Status**: Closed\n\n## Timeline\n\n### July 11, 2025, 12:42 PM\n\nRotation job runs.\n\n### 12:49 PM\n\nFirst reports.\n{tail}"
    );
    let p = parse_str(&text);
    assert!(p.accepted(), "{:#?}", p.diagnostics);
    assert_eq!(
        rule(&text, "start-inferred"),
        [
            "t.md:5: warning[start-inferred]: no start is given; the start is taken from the first timeline entry: `2025-07-11 12:42:00 UTC`"
        ]
    );
    let inc = p.incident.unwrap();
    assert_eq!(inc.started_at, Some(Utc.with_ymd_and_hms(2025, 7, 11, 12, 42, 0).unwrap()));
    assert_eq!(inc.timeline.len(), 2);
    assert_eq!(inc.timeline[1].at, Utc.with_ymd_and_hms(2025, 7, 11, 12, 49, 0).unwrap());

    let text = format!(
        "# Search latency spike\n\n**Incident ID**: S-14\n**Status**: Resolved\n\n## Overview\n\nSearch was slow for 35 minutes on Tuesday, May 7, 2024.\n\n## Timeline\n\nAll times are in CEST.\n\n- 3:05 PM - Upgrade starts\n- 3:12 PM - Alert fires\n{tail}"
    );
    let p = parse_str(&text);
    assert!(p.accepted(), "{:#?}", p.diagnostics);
    let inc = p.incident.unwrap();
    assert_eq!(
        (inc.started_at, inc.start_precision),
        (Some(Utc.with_ymd_and_hms(2024, 5, 7, 0, 0, 0).unwrap()), Some(Precision::Day))
    );
    assert_eq!(inc.timeline[0].at, Utc.with_ymd_and_hms(2024, 5, 7, 13, 5, 0).unwrap());
    // A given start is never replaced.
    assert!(rule(REFERENCE, "start-inferred").is_empty());
}

#[test]
fn fault_and_details_are_the_cause_only_without_a_root_cause_heading() {
    let base = "# Billing emails sent twice\n\n**Incident ID**: B-7\n**Status**: Closed\n**Start Time**: 2024-02-02 08:10 UTC\n\n## Fault\n\nThe provider answered slowly.\n";
    let sign = "\n## Sign-off\n\n**Approved By**: Jo Evans\n**Date**: 2024-02-09\n";
    let inc = incident(&format!("{base}{sign}"));
    assert_eq!(inc.root_cause.summary, "The provider answered slowly.");
    let text = format!("{base}\n## Root cause\n\nRetries were not idempotent.\n{sign}");
    let p = parse_str(&text);
    assert!(p.diagnostics.is_empty(), "{:#?}", p.diagnostics);
    assert_eq!(p.incident.unwrap().root_cause.summary, "Retries were not idempotent.");
}

#[test]
fn lessons_and_action_items_under_bold_lines_instead_of_headings() {
    let text = record_with(
        "## Lessons Learned\n\n**What went well**\n\n- Alerts fired early\n\n**What didn't go well**\n\n- The runbook was stale\n- Paging took 10 minutes\n\n**Where we got lucky**\n\n- Low traffic\n\n## Notes\n\n**Action items:**\n\n- Update the runbook (owner: ana)",
    );
    let inc = incident(&text);
    let l = &inc.lessons_learned;
    assert_eq!((l.went_well.len(), l.to_improve.len(), l.lucky.len()), (1, 2, 1));
    assert_eq!(inc.action_items.len(), 1);
    assert_eq!(inc.action_items[0].owner, "ana");
}

#[test]
fn timeline_under_a_bold_line_and_in_a_code_block() {
    let text = record_with(
        "## What happened\n\n**Timeline:**\n\n- 09:20 Backlog alarm\n- 09:41 Consumers scaled out\n\nThe backlog drained by 10:05.",
    );
    assert_eq!(
        entries(&text),
        pairs(&[("03-05 09:20", "Backlog alarm"), ("03-05 09:41", "Consumers scaled out")])
    );
    let text = with_timeline(
        "2024-03-05 13:50 UTC",
        "## Timeline",
        "All times in UTC.\n\n```\n14:02  alert fired\n14:09  rollback started\n```",
    );
    assert_eq!(entries(&text), pairs(&[("03-05 14:02", "alert fired"), ("03-05 14:09", "rollback started")]));
}

#[test]
fn a_first_entry_after_midnight_follows_a_late_start() {
    let text = with_timeline("2024-03-05 23:50 UTC", "## Timeline", "- 00:10 Pager fires\n- 00:30 Fixed");
    assert_eq!(entries(&text), pairs(&[("03-06 00:10", "Pager fires"), ("03-06 00:30", "Fixed")]));
    // A dated H1 names no id.
    let inc = incident(&text.replace("# Search outage", "# 2024-03-05: Search outage"));
    assert_eq!((inc.id.as_str(), inc.title.as_str()), ("T-9", "Search outage"));
}

#[test]
fn zone_notes_and_dates_in_more_words() {
    let text = with_timeline(
        "2018-10-21 22:00 UTC",
        "## Timeline",
        "All timestamps are in PDT.\n\n**2018 October 21 22:52**\n\nA network partition starts.\n\n- 23:10 Failover completes",
    );
    assert_eq!(
        entries(&text),
        pairs(&[("10-22 05:52", "A network partition starts."), ("10-22 06:10", "Failover completes")])
    );
    let text =
        with_timeline("2023-06-12 15:00 UTC", "## Timeline", "Time zone: US/Pacific\n\n- 08:05 Errors begin");
    assert_eq!(entries(&text), pairs(&[("06-12 15:05", "Errors begin")]));
}

#[test]
fn a_labelled_cause_under_any_heading() {
    let text = "# Cache outage\n\n**Incident ID**: C-2\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Analysis\n\n**Root cause:** The eviction policy dropped hot keys.\n\n**Detection:** A customer report.\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    let inc = incident(text);
    assert_eq!(inc.root_cause.summary, "The eviction policy dropped hot keys.");
    assert_eq!(inc.detection.how_detected, "A customer report.");
}

#[test]
fn timeline_times_with_a_colon_after_them_and_offsets() {
    let text = with_timeline(
        "2024-03-05 09:00 UTC",
        "## Timeline",
        "- 9:44: Disk alarm\n- 11:50 +02:00 - Office in Berlin notices\n- 2024-03-05T10:15:30Z: Fix deployed",
    );
    assert_eq!(
        entries(&text),
        pairs(&[
            ("03-05 09:44", "Disk alarm"),
            ("03-05 09:50", "Office in Berlin notices"),
            ("03-05 10:15", "Fix deployed"),
        ])
    );
}

#[test]
fn a_bug_column_with_a_state_or_a_number() {
    let text = record_with(
        "## Action Items\n\n| Action Item | Type | Owner | Bug |\n|---|---|---|---|\n| Update the playbook | mitigate | ana | n/a **DONE** |\n| Cap the cache | prevent | bo | Bug 5554823 |\n| Review alerts | process | cy | n/a |",
    );
    assert_eq!(
        items(&text),
        [
            ("Update the playbook".into(), "ana".into(), String::new(), true, None),
            ("Cap the cache".into(), "bo".into(), "Bug 5554823".into(), false, None),
            ("Review alerts".into(), "cy".into(), String::new(), false, None),
        ]
    );
}

#[test]
fn more_template_headings_and_bracketed_title_blanks() {
    use SectionKind as K;
    for (heading, kind) in [
        ("Incident Follow-ups", K::ActionItems),
        ("The Timeline", K::Timeline),
        ("Messaging", K::Communication),
        ("Blameless root cause", K::RootCause),
        ("Incident response", K::Other),
    ] {
        assert_eq!(sections::classify(&values::normalize(heading)), kind, "{heading}");
    }
    let body = "\n\n**Incident ID**: T-3\n**Status**: Resolved\n**Start Time**: 2024-03-05 09:12 UTC\n\n## Root Cause\n\nA disk filled up.\n\n## Sign-off\n\n**Approved By**: Dana Ruiz\n**Date**: 2024-03-08\n";
    assert_eq!(rule(&format!("# [Incident Name] Postmortem{body}"), "title-missing").len(), 1);
    assert_eq!(incident(&format!("# [Resolved] Search outage{body}")).title, "[Resolved] Search outage");
}

#[test]
fn a_heading_of_repeated_skipped_words_is_classified_without_recursing_deeply() {
    let heading = format!("## {}timeline\n", "the incident ".repeat(200_000));
    let p = parse_str(&heading);
    assert_eq!(p.incident.unwrap().sections[0].kind, SectionKind::Other);
    assert_eq!(sections::classify("the incident timeline"), SectionKind::Other);
    assert_eq!(sections::classify("the timeline"), SectionKind::Timeline);
}
