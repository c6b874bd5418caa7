//! One archived record → one tantivy document: the text of each searchable section, the labels
//! used as facets and filters, and the dates.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use tantivy::TantivyDocument;

use super::schema::Fields;
use crate::record::{CustomerImpact, Field, Incident, Step};

/// Builds the document of a record's current version.
pub fn build(fields: &Fields, inc: &Incident) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    let f =
        |name: &str| fields.search[super::schema::SEARCH_FIELDS.iter().position(|s| s.name == name).unwrap()];
    doc.add_text(fields.key, &inc.id);
    doc.add_text(fields.id, &inc.id);
    doc.add_text(fields.title, &inc.title);
    doc.add_text(fields.text, plain_text(inc));
    add_nonempty(&mut doc, fields.summary, summary(inc));
    add_nonempty(&mut doc, f("root_cause"), root_cause_text(inc));
    for factor in &inc.root_cause.contributing_factors {
        add_nonempty(&mut doc, f("factors"), factor.clone());
    }
    add_nonempty(&mut doc, f("detection"), detection_text(inc));
    add_nonempty(&mut doc, f("impact"), impact_text(inc));
    for e in &inc.timeline {
        add_nonempty(&mut doc, f("timeline"), e.text.clone());
    }
    for step in steps(inc) {
        add_nonempty(&mut doc, f("resolution"), step.text.clone());
    }
    let l = &inc.lessons_learned;
    for l in l.went_well.iter().chain(&l.to_improve).chain(&l.lucky).chain(&l.learnings) {
        add_nonempty(&mut doc, f("lessons"), l.clone());
    }
    for l in &inc.lessons_learned.went_well {
        add_nonempty(&mut doc, f("went_well"), l.clone());
    }
    for l in &inc.lessons_learned.to_improve {
        add_nonempty(&mut doc, f("to_improve"), l.clone());
    }
    for a in &inc.action_items {
        add_nonempty(&mut doc, f("actions"), format!("{} {} {} {}", a.id, a.action, a.owner, a.status));
        add_nonempty(&mut doc, f("owner"), a.owner.clone());
    }
    for c in &inc.impact.customers {
        add_nonempty(&mut doc, f("customer"), c.name.clone());
    }
    add_nonempty(&mut doc, fields.severity, inc.severity.clone());
    add_nonempty(&mut doc, fields.status, inc.status.clone());
    if let Some(year) = year(inc) {
        doc.add_text(fields.year, year.to_string());
    }
    for name in customer_names(inc) {
        doc.add_text(fields.customer_name, name);
    }
    for owner in owner_names(inc) {
        doc.add_text(fields.owner_name, owner);
    }
    if let Some(t) = inc.started_at {
        doc.add_date(fields.started, to_tantivy(t));
    }
    if let Some(d) = inc.sign_off.date {
        doc.add_date(fields.signed_off, to_tantivy(midnight(d)));
    }
    doc
}

fn add_nonempty(doc: &mut TantivyDocument, field: tantivy::schema::Field, text: String) {
    if !text.trim().is_empty() {
        doc.add_text(field, text);
    }
}

/// Longest summary, in characters (as long as the CLI's snippets; every result row of the
/// browser search carries one, and ten rows are part of a first query's bytes).
const SUMMARY_CHARS: usize = 200;

/// The passage the browser shows under a result: the primary cause, then the customer impact,
/// cut at a word boundary.
pub fn summary(inc: &Incident) -> String {
    let cause = if inc.root_cause.summary.trim().is_empty() {
        root_cause_text(inc).lines().next().unwrap_or_default().to_string()
    } else {
        markdown_to_text(&inc.root_cause.summary).replace('\n', " ")
    };
    let mut s = cause.trim().to_string();
    let impact = inc.customer_impact.trim();
    if !impact.is_empty() {
        if !s.is_empty() {
            s.push_str(" — ");
        }
        s.push_str("Customer impact: ");
        s.push_str(impact);
    }
    if s.chars().count() <= SUMMARY_CHARS {
        return s;
    }
    let cut = s.char_indices().nth(SUMMARY_CHARS).map_or(s.len(), |(i, _)| i);
    let cut = s[..cut].rfind(char::is_whitespace).unwrap_or(cut);
    format!("{}…", s[..cut].trim_end())
}

/// The year used by the `year` facet: the start's, else the sign-off's.
pub fn year(inc: &Incident) -> Option<i32> {
    inc.started_at.map(|t| t.year()).or(inc.sign_off.date.map(|d| d.year()))
}

/// Customer names for facets and filters: real customers as written, without grouped rows
/// such as `Others (8 accounts)`; each name once.
pub fn customer_names(inc: &Incident) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for CustomerImpact { name, accounts, .. } in &inc.impact.customers {
        let name = name.trim();
        if accounts.is_none() && !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// Action-item owners, each once.
pub fn owner_names(inc: &Incident) -> Vec<String> {
    let mut owners: Vec<String> = Vec::new();
    for a in &inc.action_items {
        let o = a.owner.trim();
        if !o.is_empty() && !owners.iter().any(|n| n == o) {
            owners.push(o.to_string());
        }
    }
    owners
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// Converts a chrono timestamp to tantivy's.
pub fn to_tantivy(t: DateTime<Utc>) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(t.timestamp())
}

/// Converts a tantivy timestamp back.
pub fn from_tantivy(t: tantivy::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.into_timestamp_secs(), 0)
}

fn steps(inc: &Incident) -> impl Iterator<Item = &Step> {
    inc.resolution.immediate.iter().chain(&inc.resolution.short_term).chain(&inc.resolution.long_term)
}

fn fields_text(out: &mut String, fields: &[Field]) {
    for f in fields {
        push(out, &f.label);
        push(out, &f.value);
    }
}

fn push(out: &mut String, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(s);
    }
}

fn root_cause_text(inc: &Incident) -> String {
    let rc = &inc.root_cause;
    if !rc.details_markdown.trim().is_empty() {
        return markdown_to_text(&rc.details_markdown);
    }
    let mut out = String::new();
    push(&mut out, &rc.summary);
    fields_text(&mut out, &rc.fields);
    for f in &rc.contributing_factors {
        push(&mut out, f);
    }
    for c in &rc.code_blocks {
        push(&mut out, &c.code);
    }
    out
}

fn detection_text(inc: &Incident) -> String {
    let d = &inc.detection;
    if !d.details_markdown.trim().is_empty() {
        return markdown_to_text(&d.details_markdown);
    }
    let mut out = String::new();
    push(&mut out, &d.how_detected);
    push(&mut out, &d.time_to_detect);
    push(&mut out, &d.method);
    if let Some(rule) = &d.alert_rule {
        push(&mut out, &rule.code);
    }
    fields_text(&mut out, &d.fields);
    out
}

fn impact_text(inc: &Incident) -> String {
    let i = &inc.impact;
    let mut out = String::new();
    push(&mut out, &inc.customer_impact);
    push(&mut out, &i.text);
    push(&mut out, &i.impact_type);
    fields_text(&mut out, &i.user_fields);
    for c in &i.customers {
        push(&mut out, &c.name);
    }
    fields_text(&mut out, &i.business);
    out
}

/// The whole record as plain text: what `text` indexes, what snippets are cut from.
///
/// Built from the lossless `sections[]` when the parser provides them, else from the typed
/// fields. Markdown markup is dropped so snippets read as prose.
pub fn plain_text(inc: &Incident) -> String {
    let mut out = String::new();
    push(&mut out, &inc.title);
    if !inc.sections.is_empty() {
        // Each section's Markdown starts with its own heading line.
        for s in &inc.sections {
            push(&mut out, &markdown_to_text(&s.markdown));
        }
        return out;
    }
    push(&mut out, &inc.id);
    for (label, value) in [
        ("Severity", inc.severity.as_str()),
        ("Status", inc.status.as_str()),
        ("Customer Impact", inc.customer_impact.as_str()),
    ] {
        if !value.is_empty() {
            push(&mut out, &format!("{label}: {value}"));
        }
    }
    for e in &inc.timeline {
        push(&mut out, &e.text);
    }
    push(&mut out, &root_cause_text(inc));
    push(&mut out, &detection_text(inc));
    push(&mut out, &impact_text(inc));
    for s in steps(inc) {
        push(&mut out, &s.text);
    }
    fields_text(&mut out, &inc.self_healing.fields);
    for s in inc.self_healing.why_not_resolved.iter().chain(&inc.self_healing.recommendations) {
        push(&mut out, s);
    }
    fields_text(&mut out, &inc.communication.internal);
    fields_text(&mut out, &inc.communication.external);
    let l = &inc.lessons_learned;
    for l in l.went_well.iter().chain(&l.to_improve).chain(&l.lucky).chain(&l.learnings) {
        push(&mut out, l);
    }
    for a in &inc.action_items {
        push(&mut out, &format!("{} {} {} {}", a.id, a.action, a.owner, a.status));
    }
    push(&mut out, &markdown_to_text(&inc.technical_details_markdown));
    for r in &inc.references {
        push(&mut out, &format!("{} {}", r.label, r.text));
    }
    let s = &inc.sign_off;
    for v in [&s.incident_commander, &s.reviewed_by, &s.approved_by, &inc.classification, &inc.retention.text]
    {
        push(&mut out, v);
    }
    out
}

/// Markdown → readable plain text: emphasis, code ticks, heading marks, table pipes and rules
/// dropped; one line per source line, blank lines removed.
pub fn markdown_to_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for line in md.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with("```") || t.chars().all(|c| matches!(c, '-' | '|' | ':' | ' ' | '='))
        {
            continue;
        }
        let t = t.trim_start_matches('#').trim_start();
        let mut cleaned = String::with_capacity(t.len());
        let mut prev_space = true;
        for c in t.chars() {
            let c = match c {
                '*' | '`' | '|' => ' ',
                c => c,
            };
            if c == ' ' {
                if !prev_space {
                    cleaned.push(' ');
                }
                prev_space = true;
            } else {
                cleaned.push(c);
                prev_space = false;
            }
        }
        push(&mut out, cleaned.trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_prose() {
        let md = "**Primary Cause**: Inefficient `SQL` query\n\n| a | b |\n|---|---|\n| x | y |\n```sql\nSELECT 1\n```";
        assert_eq!(markdown_to_text(md), "Primary Cause : Inefficient SQL query\na b\nx y\nSELECT 1");
    }

    #[test]
    fn grouped_customer_rows_are_not_facets() {
        let mut inc = Incident::default();
        for (name, accounts) in
            [("GlobalBank Corp", None), ("Others (8 accounts)", Some(8)), ("GlobalBank Corp", None)]
        {
            inc.impact.customers.push(CustomerImpact { name: name.into(), accounts, ..Default::default() });
        }
        assert_eq!(customer_names(&inc), ["GlobalBank Corp"]);
    }
}
