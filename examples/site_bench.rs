//! Scratch benchmark of the site stage (not committed).
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use incident_archive::archive::{ArchivedRecord, Snapshot, VersionInfo};
use incident_archive::record::*;
use incident_archive::site::{self, SiteOptions};
use sha2::{Digest, Sha256};
use std::time::Instant;

fn dt(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 in a fixture")
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date in a fixture")
}

fn field(label: &str, value: &str) -> Field {
    Field { label: label.into(), value: value.into() }
}

fn step(done: bool, text: &str) -> Step {
    Step { done, text: text.into() }
}

fn item(id: &str, action: &str, owner: &str, due: &str, status: &str) -> ActionItem {
    ActionItem {
        id: id.into(),
        action: action.into(),
        owner: owner.into(),
        due: Some(day(due)),
        status: status.into(),
        done: status == "Done",
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

/// Splits a record into its sections the way the model keeps them: one per heading, its body
/// up to the next heading of any level (headings inside code fences do not count).
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
                level: hashes as u8,
                line: n + 1,
                markdown: String::new(),
            });
        } else if let Some(s) = out.last_mut() {
            s.markdown.push_str(line);
            s.markdown.push('\n');
        }
    }
    for s in &mut out {
        s.markdown = s.markdown.trim_matches('\n').to_string() + "\n";
    }
    out
}

fn section<'a>(sections: &'a [Section], heading: &str) -> &'a str {
    &sections.iter().find(|s| s.heading == heading).expect("section in the fixture").markdown
}

/// The reference record `INC-2025-0023` as the model holds it.
fn reference() -> Incident {
    let text = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("records").join("INC-2025-0023.md"),
    )
    .unwrap();
    let sections = split_sections(&text);
    let t = |hms: &str| dt(&format!("2025-01-14T{hms}Z"));
    Incident {
        id: "INC-2025-0023".into(),
        title: "Database Connection Pool Exhaustion - Production".into(),
        severity: "P1".into(),
        severity_label: Some("High".into()),
        status: "Resolved".into(),
        started_at: Some(t("14:23:47")),
        ended_at: Some(t("15:08:22")),
        duration_seconds: Some(2675),
        duration_text: Some("44 minutes 35 seconds".into()),
        customer_impact: "Moderate (12 customers experienced degraded performance)".into(),
        timeline: [
            ("14:23:47", "Alert fired: \"Database connection pool utilization > 95%\""),
            ("14:24:12", "Automated page sent to on-call engineer (Sarah Mitchell)"),
            ("14:25:38", "On-call acknowledged, began investigation"),
            ("14:27:15", "Identified: Slow query causing connection leak"),
            ("14:29:42", "Self-healing attempted: Increase pool size"),
            ("14:32:08", "Self-healing result: Partial mitigation, connections still leaking"),
            ("14:34:55", "Manual intervention: Killed long-running queries"),
            ("14:37:21", "Deployed hotfix: Added query timeout"),
            ("14:42:10", "Monitoring: Pool utilization declining"),
            ("14:55:33", "Verified: All services recovered"),
            ("15:08:22", "Incident closed"),
        ]
        .iter()
        .map(|(at, text)| TimelineEntry { at: t(at), text: (*text).into() })
        .collect(),
        root_cause: RootCause {
            summary: "Inefficient SQL query introduced in deployment `v3.4.7` causing database connections to remain open indefinitely.".into(),
            details_markdown: section(&sections, "Root Cause").into(),
            contributing_factors: vec![
                "Code review missed missing index".into(),
                "Load testing didn't include this query pattern".into(),
                "Query timeout not configured (default: unlimited)".into(),
                "Connection pool size not auto-scaling".into(),
            ],
            code_blocks: vec![CodeBlock {
                lang: "sql".into(),
                code: "SELECT * FROM user_activities \nWHERE timestamp > NOW() - INTERVAL '30 days' \nORDER BY user_id, timestamp;\n".into(),
            }],
            fields: vec![field("Problem", "Missing index on `(user_id, timestamp)` combined with full table scan on 847M row table caused queries to take 120+ seconds, exhausting connection pool (max 100 connections).")],
        },
        detection: Detection {
            how_detected: "Automated monitoring (Prometheus alert)".into(),
            time_to_detect: "47 seconds after first slow query execution".into(),
            method: "Effective - caught early before complete outage".into(),
            alert_rule: Some(CodeBlock {
                lang: "yaml".into(),
                code: "alert: DatabaseConnectionPoolHigh\nexpr: db_connection_pool_active / db_connection_pool_max > 0.95\nfor: 1m\nseverity: critical\n".into(),
            }),
            fields: Vec::new(),
            details_markdown: section(&sections, "Detection").into(),
        },
        impact: Impact {
            users_affected: Some(1247),
            customer_accounts: Some(12),
            impact_type: "Slow API responses (15-45 second delays)".into(),
            user_fields: vec![
                field("Users Affected", "~1,247 users across 12 customer accounts"),
                field("Impact Type", "Slow API responses (15-45 second delays)"),
                field("No Data Loss", "All transactions eventually completed"),
                field("API Error Rate", "Increased from 0.2% to 8.7%"),
            ],
            customers: vec![
                customer("GlobalBank Corp", 347, 45, None, 2, None),
                customer("HealthTech Systems", 189, 38, None, 1, None),
                customer("RetailChain Inc", 156, 29, None, 0, None),
                customer("TechStartup LLC", 143, 33, None, 1, None),
                customer("Others (8 accounts)", 412, 25, Some(18), 0, Some(8)),
            ],
            business: vec![
                field("Revenue Impact", "Minimal (~$150 in SLA credits)"),
                field("Reputation Impact", "Low (proactive communication)"),
                field("Support Tickets", "4 tickets opened"),
                field("Customer Churn Risk", "None identified"),
            ],
        },
        resolution: Resolution {
            immediate: vec![
                step(true, "**14:29** - Self-healing increased pool size from 100 → 150 connections"),
                step(true, "**14:34** - Manually killed 23 long-running queries"),
                step(true, "**14:37** - Deployed hotfix with query timeout (30 seconds)"),
                step(true, "**14:42** - Monitored recovery metrics"),
            ],
            short_term: vec![
                step(true, "Added missing index on `user_activities(user_id, timestamp)`"),
                step(true, "Set global query timeout: 30 seconds"),
                step(true, "Increased connection pool max to 200"),
                step(true, "Added connection pool auto-scaling"),
                step(true, "Improved monitoring (added query performance metrics)"),
            ],
            long_term: vec![
                step(false, "Implement automatic slow query detection and termination"),
                step(false, "Add query performance testing to CI/CD pipeline"),
                step(false, "Database query review as part of code review checklist"),
                step(false, "Implement connection pool circuit breaker"),
                step(false, "Enhanced load testing scenarios"),
            ],
        },
        self_healing: SelfHealing {
            fields: vec![
                field("Self-Healing Actions Taken", "1"),
                field("Action", "Increase database connection pool size"),
                field("Result", "Partial success (bought time for manual intervention)"),
                field("Effectiveness", "60% - Prevented complete outage but didn't resolve root cause"),
            ],
            why_not_resolved: vec![
                "Increasing pool size treated symptom, not cause".into(),
                "Connections still leaked due to slow queries".into(),
                "Self-healing not configured to kill long-running queries".into(),
            ],
            recommendations: vec![
                "Add playbook: Detect and kill queries > 30 seconds".into(),
                "Add playbook: Auto-rollback recent deployments if connection pool spikes".into(),
                "Improve decision tree to identify connection leak pattern".into(),
            ],
            markdown: section(&sections, "Self-Healing Performance").into(),
        },
        communication: Communication {
            internal: vec![
                field("Incident Slack Channel", "#incident-2025-0023"),
                field("Status Updates", "Every 10 minutes"),
                field("Participants", "8 engineers, 2 customer success managers"),
                field("Post-Mortem Meeting", "Scheduled for 2025-01-15"),
            ],
            external: vec![
                field("Customer Notification", "Sent at 14:40 (17 minutes into incident)"),
                field("Status Page", "Updated every 15 minutes"),
                field("Final Communication", "Sent at 15:20 (after verification)"),
            ],
            templates: Vec::new(),
            markdown: section(&sections, "External").into(),
        },
        lessons_learned: LessonsLearned {
            went_well: vec![
                "Fast detection (47 seconds)".into(),
                "Quick acknowledgment by on-call (1m 51s)".into(),
                "Effective troubleshooting (identified root cause in < 4 minutes)".into(),
                "Proactive customer communication".into(),
                "Self-healing prevented complete outage".into(),
            ],
            to_improve: vec![
                "Code review should have caught missing index".into(),
                "Load testing scenarios insufficient".into(),
                "Query timeouts should have been configured from day 1".into(),
                "Self-healing could be more aggressive (kill slow queries)".into(),
                "Better database change management process".into(),
            ],
        },
        action_items: vec![
            item("AI-2025-001", "Add index review to code review checklist", "DB Team", "2025-01-20", "Done"),
            item("AI-2025-002", "Implement auto-kill for queries > 30s", "Platform", "2025-01-25", "In Progress"),
            item("AI-2025-003", "Add slow query testing to CI/CD", "QA Team", "2025-01-30", "Planned"),
            item("AI-2025-004", "Update self-healing playbooks", "Platform", "2025-01-22", "Done"),
            item("AI-2025-005", "Document database change process", "DB Team", "2025-01-27", "In Progress"),
        ],
        technical_details_markdown: section(&sections, "Technical Details").into(),
        references: vec![Reference {
            label: "Incident Timeline".into(),
            text: "incident_timelines/INC-2025-0023-timeline.json".into(),
            url: Some("../incident_timelines/INC-2025-0023-timeline.json".into()),
        }],
        sign_off: SignOff {
            incident_commander: "Sarah Mitchell, Senior SRE".into(),
            reviewed_by: "David Chen, VP Engineering".into(),
            approved_by: "Maria Garcia, CISO".into(),
            date: Some(day("2025-01-15")),
        },
        classification: "Internal - Engineering Team".into(),
        retention: Retention { years: Some(7), text: "7 years (compliance requirement)".into() },
        sections,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The archived state of one record: one version ingested the day after sign-off.
fn archived(inc: Incident, seq: u64) -> ArchivedRecord {
    let object = sha256_hex(format!("{}{}", inc.id, seq).as_bytes());
    let signed = inc.sign_off.date.unwrap_or(day("2025-01-15"));
    let years = inc.retention.years.unwrap_or(7);
    let ingested_at = signed.and_hms_opt(2, 0, 0).unwrap().and_utc() + Duration::days(1);
    ArchivedRecord {
        id: inc.id.clone(),
        title: inc.title.clone(),
        object: object.clone(),
        versions: vec![VersionInfo { version: 1, object, seq, ingested_at }],
        retain_until: signed.checked_add_months(Months::new(12 * years)).unwrap(),
        legal_hold: None,
        purged: None,
        last_seq: seq,
        incident: Some(inc),
    }
}

fn snapshot(mut records: Vec<ArchivedRecord>) -> Snapshot {
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let ledger_len = records.iter().map(|r| r.last_seq + 1).max().unwrap_or(0);
    let root = sha256_hex(records.iter().map(|r| r.object.as_str()).collect::<String>().as_bytes());
    Snapshot { root, ledger_len, records }
}

fn rss_mb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let l = s.lines().find(|l| l.starts_with("VmHWM")).unwrap();
    l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let out = std::path::PathBuf::from(std::env::args().nth(2).unwrap());
    let date = std::env::args().nth(3).unwrap_or("2026-06-01".into());
    let t = Instant::now();
    let base = reference();
    let customers = ["GlobalBank Corp", "HealthTech Systems", "RetailChain Inc", "TechStartup LLC"];
    let owners = ["DB Team", "Platform", "QA Team", "SRE", "Security"];
    let mut records = Vec::with_capacity(n);
    for i in 0..n {
        let mut inc = base.clone();
        inc.id = format!("INC-{:06}", i);
        let shift = if i >= n - 10 {
            // The nightly's new records are the latest.
            Duration::days(365 * 2 + 30) + Duration::hours(i as i64 % 24)
        } else {
            Duration::hours((i as i64 * 7919) % (8 * 365 * 24)) - Duration::days(365 * 6)
        };
        inc.started_at = inc.started_at.map(|t| t + shift);
        inc.ended_at = inc.ended_at.map(|t| t + shift);
        for e in &mut inc.timeline {
            e.at += shift;
        }
        inc.severity = format!("P{}", 1 + (i * 31) % 4);
        for (k, c) in inc.impact.customers.iter_mut().enumerate() {
            if c.accounts.is_none() {
                c.name = if k == 0 {
                    customers[i % 4].to_string()
                } else {
                    format!("Customer {}", (i * 13 + k * 101) % 3000)
                };
            }
        }
        for (k, a) in inc.action_items.iter_mut().enumerate() {
            a.owner =
                if k < 2 { owners[(i + k) % 5].to_string() } else { format!("Team {}", (i * 7 + k) % 400) };
            a.due = a.due.map(|d| d + shift);
            a.id = format!("AI-{i}-{k}");
        }
        inc.sign_off.date = inc.sign_off.date.map(|d| d + shift);
        records.push(archived(inc, i as u64));
    }
    let extra: Vec<ArchivedRecord> = records.split_off(n - 10);
    let snap = snapshot(records.clone());
    eprintln!("snapshot of {n}: {:.2}s, rss {} MB", t.elapsed().as_secs_f64(), rss_mb());
    let mut opts = SiteOptions {
        title: "Incident archive".into(),
        base_url: String::new(),
        build_date: date.parse::<NaiveDate>().unwrap(),
        templates: None,
    };
    let run = |label: &str, snap: &Snapshot, opts: &SiteOptions| {
        let (t, c0) = (Instant::now(), cpu());
        let r = site::generate(snap, opts, &out, Vec::new()).unwrap();
        let mut cats = std::collections::BTreeMap::<String, usize>::new();
        for p in &r.rendered_pages {
            *cats.entry(p.split(['/', '.']).next().unwrap().to_string()).or_default() += 1;
        }
        if r.rendered < 1000 {
            eprintln!(
                "  rendered: {cats:?} {:?}",
                r.rendered_pages
                    .iter()
                    .filter(|p| !p.starts_with("incidents/INC"))
                    .take(40)
                    .collect::<Vec<_>>()
            );
        }
        eprintln!(
            "{label}: cpu {:.2}s wall {:.2}s rss {} MB; files {} rendered {} reused {} {:?}",
            cpu() - c0,
            t.elapsed().as_secs_f64(),
            rss_mb(),
            r.files,
            r.rendered,
            r.reused,
            r.write
        );
    };
    if std::env::var_os("NIGHTLY_ONLY").is_none() {
        run("full (n-10)", &snap, &opts);
    }
    let mut all = records;
    all.extend(extra);
    let snap2 = snapshot(all);
    run("nightly +10", &snap2, &opts);
    run("nothing new", &snap2, &opts);
    opts.build_date = opts.build_date.succ_opt().unwrap();
    run("next day", &snap2, &opts);
}
