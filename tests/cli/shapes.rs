//! Postmortems in the shapes people write them (the SRE book's, Atlassian's, PagerDuty's, a
//! timeline of dated headings, Morgue-like front matter, plain prose, a tool's export with a key
//! information table and timestamped lines; our own text in those
//! styles, under `tests/fixtures/shapes/`) pass the gate with what a careful reader extracts.

use serde_json::Value;

use crate::common::{bin, fixture};

/// `check --json` of one shape.
fn checked(name: &str) -> Value {
    let out = bin().arg("check").arg("--json").arg(fixture("shapes").join(name)).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_shape_passes_with_its_title_start_timeline_cause_lessons_and_actions() {
    // (file, title, start, timeline entries, lessons, action items)
    let cases = [
        ("sre.md", "Photo Upload Outage Postmortem (incident #2231)", "2023-08-14T00:00:00Z", 6, 5, 3),
        ("atlassian.md", "Billing emails sent twice", "2024-02-02T08:10:00Z", 5, 2, 3),
        ("pagerduty.md", "Search latency spike in EU", "2024-05-07T00:00:00Z", 5, 3, 2),
        ("headings.md", "Login failures after certificate rotation", "2025-07-11T12:42:00Z", 4, 0, 3),
        ("morgue.md", "Checkout latency during flash sale", "2024-11-29T14:00:00Z", 4, 0, 2),
        ("prose.md", "API outage on March 3", "2024-03-03T02:14:00Z", 4, 0, 3),
        ("export.md", "Webhook deliveries delayed", "2024-10-02T16:40:00Z", 4, 0, 2),
        ("setext.md", "Payment API degradation", "2024-02-14T00:00:00Z", 5, 3, 3),
        ("review.md", "DNS resolution failures (2024-06-03)", "2024-06-03T14:10:00Z", 3, 2, 2),
    ];
    for (name, title, start, timeline, lessons, actions) in cases {
        let v = checked(name);
        assert_eq!(v["accepted"], true, "{name}: {}", v["diagnostics"]);
        assert_eq!(v["title"], title, "{name}");
        assert_eq!(v["started_at"], start, "{name}");
        assert_eq!(v["timeline"].as_array().unwrap().len(), timeline, "{name}");
        assert!(!v["root_cause"]["summary"].as_str().unwrap().is_empty(), "{name}: no root cause");
        let l = &v["lessons_learned"];
        let count = ["went_well", "to_improve", "lucky", "learnings"]
            .iter()
            .map(|k| l[k].as_array().unwrap().len())
            .sum::<usize>();
        assert_eq!(count, lessons, "{name}");
        assert_eq!(v["action_items"].as_array().unwrap().len(), actions, "{name}");
    }
}

#[test]
fn the_shapes_keep_their_zones_tickets_and_owners() {
    let v = checked("pagerduty.md");
    // `All times are in CEST.`: 3:05 PM CEST is 13:05 UTC.
    assert_eq!(v["timeline"][0]["at"], "2024-05-07T13:05:00Z");
    assert_eq!(v["action_items"][0]["ticket"], "SRCH-301");
    let v = checked("morgue.md");
    // `timezone: America/New_York` in the front matter.
    assert_eq!(v["ended_at"], "2024-11-29T14:45:00Z");
    assert_eq!(v["severity"], "P2");
    let v = checked("prose.md");
    let items = v["action_items"].as_array().unwrap();
    assert_eq!((items[0]["done"].as_bool(), items[0]["owner"].as_str()), (Some(true), Some("")));
    let v = checked("export.md");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{}", v["diagnostics"]);
    assert_eq!((v["id"].as_str(), v["ended_at"].as_str()), (Some("INC-2045"), Some("2024-10-02T18:05:00Z")));
    assert_eq!(v["action_items"][0]["done"], true);
    let v = checked("setext.md");
    // `Timeline (all times in EST)` as a setext heading; owners between dashes.
    assert_eq!(v["timeline"][0]["at"], "2024-02-14T16:02:00Z");
    assert_eq!(
        (v["action_items"][0]["owner"].as_str(), v["action_items"][2]["done"].as_bool()),
        (Some("Ken"), Some(true))
    );
    let v = checked("review.md");
    // `03 Jun 14:10` takes its year from the title's date.
    assert_eq!(v["sign_off"]["approved_by"], "Mei Lin");
    let v = checked("sre.md");
    assert_eq!(v["lessons_learned"]["lucky"][0], "The incident happened in a low-traffic hour for Asia.");
    assert_eq!(v["status"], "Complete, action items in progress");
}
