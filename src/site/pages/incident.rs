//! The incident pages (`incidents/<ID>.html`): a record's provenance, its impact table and
//! action items with links, and its sections laid out as typed panels or Markdown.

use chrono::NaiveDate;
use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;

use super::lists::year_path;
use super::retention::retention_state;
use crate::record::values::normalize;
use crate::record::{Incident, SectionKind, is_summary_label};
use crate::site::SiteError;
use crate::site::context::{
    AttestationRow, Block, ImpactRow, IncidentPage, ItemRow, Link, Neighbour, ProofRow, Provenance, TocEntry,
    VersionRow,
};
use crate::site::data::{ItemRef, item_state};
use crate::site::evidence::proof_path;
use crate::site::markdown::Anchors;
use crate::site::pages::Originals;
use crate::site::pages::print::print_css_path;
use crate::site::render::Renderer;
use crate::snapshot::ArchivedRecord;

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// An incident page is keyed by its record's object hash (the parsed incident is a function
    /// of those bytes and of this program's version, which the template hash includes) plus
    /// everything else on the page, instead of by the whole parsed record: hashing 10,000
    /// records' text again at every build would cost more than it saves.
    pub(super) fn render_incident(&self, rec: usize) -> Result<(), SiteError> {
        let page = self.incident_page(rec);
        let key = IncidentKey {
            object: page.record.object,
            record: &page.record,
            year: &page.year,
            customers: &page.customers,
            action_items: &page.action_items,
            prev: &page.prev,
            next: &page.next,
        };
        // The whole record (parsed again when the snapshot kept only its summary; none when it
        // has no incident) and its sections' layout are needed only when the page is rendered;
        // these values take precedence over the page data. The record's evidence bundle, made
        // in the same job, takes the same parse.
        let parsed = std::sync::OnceLock::new();
        let full =
            || parsed.get_or_init(|| self.data.snapshot.full_incident(self.data.record(rec))).as_deref();
        let whole = || {
            let full = full();
            let (blocks, toc) = full.map(layout).unwrap_or_default();
            let diffs = self.version_diffs(self.data.record(rec));
            self.observe(&blocks);
            self.observe(&toc);
            self.observe(&diffs);
            minijinja::context! {
                incident => Value::from(Serde(full)),
                blocks => Value::from(Serde(blocks)),
                toc => Value::from(Serde(toc)),
                diffs => Value::from(Serde(diffs)),
            }
        };
        self.page_keyed(self.data.paths[rec].clone(), "incident.html", &page, &key, &whole)?;
        self.render_print_css(rec)?;
        self.render_bundle(rec, &full)
    }

    fn incident_page(&self, rec: usize) -> IncidentPage<'r> {
        let d = self.data;
        let record = d.record(rec);
        let mut provenance = provenance(record, d.build_date, &self.originals);
        provenance.bundle = self.bundles.as_ref().and_then(|b| b.paths.get(&rec)).cloned();
        for (row, v) in provenance.versions.iter_mut().zip(&record.versions) {
            row.after_sign_off = self.version_after_sign_off(record, v);
        }
        provenance.changed_after_sign_off = provenance.versions.iter().any(|v| v.after_sign_off);
        let Some(inc) = record.summary() else {
            return IncidentPage {
                nav: "incidents",
                print_css: print_css_path(&d.paths[rec]),
                year: None,
                record: provenance,
                customers: Vec::new(),
                action_items: Vec::new(),
                prev: None,
                next: None,
            };
        };
        let customers = inc
            .customers()
            .iter()
            .zip(&d.row_customer[rec])
            .map(|(c, customer)| ImpactRow {
                name: &c.name,
                path: customer.map(|i| d.customers[i as usize].path.as_str()),
                users_affected: c.users_affected,
                max_delay_seconds: c.max_delay_seconds,
                min_delay_seconds: c.min_delay_seconds,
                complaints: c.complaints,
                accounts: c.accounts,
            })
            .collect();
        let action_items = inc
            .action_items()
            .iter()
            .enumerate()
            .map(|(item, ai)| self.item_row(&ItemRef { rec, item, state: item_state(ai, d.build_date) }))
            .collect();
        IncidentPage {
            nav: "incidents",
            print_css: print_css_path(&d.paths[rec]),
            year: inc.started_at().map(|t| {
                let y = chrono::Datelike::year(&t);
                Link { label: y.to_string(), path: year_path(Some(y)) }
            }),
            record: provenance,
            customers,
            action_items,
            prev: self.neighbour(rec, 1),
            next: self.neighbour(rec, -1),
        }
    }

    /// The incident `step` places after `rec` in the incident lists' order (newest first: `1`
    /// is the next older, `-1` the next newer), for the previous and next links.
    fn neighbour(&self, rec: usize, step: isize) -> Option<Neighbour<'r>> {
        let d = self.data;
        let at = *self.list_position.get(rec).filter(|&&at| at != usize::MAX)?;
        let other = *d.by_date.get(at.checked_add_signed(step)?)?;
        let r = d.record(other);
        Some(Neighbour { id: &r.id, title: d.summary(other).title(), path: &d.paths[other] })
    }
}

/// What an incident page's key is made of (see `Renderer::render_incident`).
#[derive(Serialize)]
struct IncidentKey<'k, 'a> {
    object: &'a str,
    record: &'k Provenance<'a>,
    year: &'k Option<Link>,
    customers: &'k [ImpactRow<'a>],
    action_items: &'k [ItemRow<'a>],
    prev: &'k Option<Neighbour<'a>>,
    next: &'k Option<Neighbour<'a>>,
}

/// A record's provenance as its page shows it on `today`.
fn provenance<'a>(r: &'a ArchivedRecord, today: NaiveDate, originals: &Originals) -> Provenance<'a> {
    let proof = |seq: u64| originals.proofs.contains_key(&seq).then(|| proof_path(seq));
    Provenance {
        id: &r.id,
        title: r.title(),
        object: &r.object,
        object_path: if r.object.len() > 2 {
            format!("objects/{}/{}", &r.object[..2], &r.object[2..])
        } else {
            r.object.clone()
        },
        versions: r
            .versions
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                object: &v.object,
                seq: v.seq,
                ingested_at: v.ingested_at,
                current: r.versions.last().is_some_and(|last| last.seq == v.seq),
                original: originals.path_of(&v.object).map(str::to_string),
                sidecar: v
                    .attestation
                    .as_ref()
                    .and_then(|a| originals.path_of(&a.object))
                    .map(str::to_string),
                proof: proof(v.seq),
                after_sign_off: false,
            })
            .collect(),
        first_ingested_at: r.versions.first().map(|v| v.ingested_at),
        ingested_at: r.versions.last().map(|v| v.ingested_at),
        retain_until: r.retain_until,
        retention: retention_state(r, today),
        retention_years: r.retention_years,
        legal_hold: r.legal_hold.as_ref(),
        purged: r.purged(),
        last_seq: r.last_seq,
        size: r.size,
        signed_off_by: &r.sign_off.approved_by,
        signed_off: (!r.sign_off.approved_by.is_empty()).then_some(r.sign_off.date),
        error: r.error(),
        attestation: r.versions.last().and_then(|v| v.attestation.as_ref()).map(|a| AttestationRow {
            sidecar: &a.object,
            size: a.size,
            reference: r.summary().and_then(|i| i.attestation()).and_then(|a| a.reference.as_deref()),
        }),
        proof: originals.proofs.get(&r.last_seq).map(|p| ProofRow {
            path: proof_path(r.last_seq),
            seq: r.last_seq,
            tree_size: r.last_seq + 1,
            root: hex::encode(p.root),
        }),
        changed_after_sign_off: false,
        bundle: None,
    }
}

// ----- the incident page's sections -----

/// A typed panel the incident template knows how to draw, or plain Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Summary,
    Timeline,
    Impact,
    Resolution,
    Lessons,
    ActionItems,
    SignOff,
    Markdown,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Summary => "summary",
            Kind::Timeline => "timeline",
            Kind::Impact => "impact",
            Kind::Resolution => "resolution",
            Kind::Lessons => "lessons",
            Kind::ActionItems => "action_items",
            Kind::SignOff => "sign_off",
            Kind::Markdown => "markdown",
        }
    }

    /// The kind named `name` (the inverse of [`Kind::name`]).
    fn from_name(name: &str) -> Kind {
        [
            Kind::Summary,
            Kind::Timeline,
            Kind::Impact,
            Kind::Resolution,
            Kind::Lessons,
            Kind::ActionItems,
            Kind::SignOff,
        ]
        .into_iter()
        .find(|k| k.name() == name)
        .unwrap_or(Kind::Markdown)
    }

    /// The panel for a section, by the kind the parser gave it.
    fn of(section: SectionKind) -> Kind {
        match section {
            SectionKind::Summary => Kind::Summary,
            SectionKind::Timeline => Kind::Timeline,
            SectionKind::Impact => Kind::Impact,
            SectionKind::Resolution => Kind::Resolution,
            SectionKind::Lessons => Kind::Lessons,
            SectionKind::ActionItems => Kind::ActionItems,
            SectionKind::SignOff => Kind::SignOff,
            _ => Kind::Markdown,
        }
    }
}

/// Subsections a typed panel already shows.
fn is_child(parent: Kind, section: SectionKind) -> bool {
    use SectionKind as S;
    match parent {
        Kind::Impact => matches!(section, S::UserImpact | S::CustomerImpact | S::BusinessImpact),
        Kind::Resolution => matches!(section, S::Immediate | S::ShortTerm | S::LongTerm),
        Kind::Lessons => matches!(section, S::WentWell | S::ToImprove | S::Lucky),
        Kind::Timeline => section == S::TimelineEntry,
        _ => false,
    }
}

/// The `**Label**` names used in a section.
fn labels(markdown: &str) -> impl Iterator<Item = String> + '_ {
    markdown.lines().filter_map(|l| {
        let l = l.trim_start();
        let l = l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")).unwrap_or(l).trim_start();
        let rest = l.strip_prefix("**")?;
        let end = rest.find("**")?;
        Some(normalize(rest[..end].trim_end_matches(':')))
    })
}

/// True when every line of a summary section is a value the summary panel shows (`**Status**:
/// …`, `Status: …`, a table row): prose (`## Summary` with a paragraph) stays Markdown.
fn only_summary_values(markdown: &str) -> bool {
    markdown.lines().map(str::trim).filter(|l| !l.is_empty()).all(|l| {
        if l.starts_with('|') {
            return true;
        }
        let l = l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")).unwrap_or(l).trim_start();
        let label = match l.strip_prefix("**") {
            Some(rest) => rest.find("**").map(|end| &rest[..end]),
            None => l.split_once(':').map(|(label, _)| label),
        };
        label.is_some_and(|label| is_summary_label(&normalize(label.trim_end_matches(':'))))
    })
}

/// True when the typed panel shows everything the section says.
fn typed_covers(kind: Kind, inc: &Incident, markdown: &str) -> bool {
    let known: &[&str] = match kind {
        Kind::SignOff => {
            &["incident commander", "reviewed by", "approved by", "date", "classification", "retention"]
        }
        _ => &[],
    };
    let labels_known = || labels(markdown).all(|l| known.contains(&l.as_str()));
    match kind {
        Kind::Summary => only_summary_values(markdown),
        Kind::SignOff => {
            labels_known() && (!inc.sign_off.approved_by.is_empty() || inc.sign_off.date.is_some())
        }
        Kind::Timeline => !inc.timeline.is_empty(),
        Kind::Impact => {
            let i = &inc.impact;
            i.users_affected.is_some()
                || !i.text.is_empty()
                || !i.user_fields.is_empty()
                || !i.customers.is_empty()
                || !i.business.is_empty()
        }
        Kind::Resolution => {
            let r = &inc.resolution;
            !(r.immediate.is_empty() && r.short_term.is_empty() && r.long_term.is_empty())
        }
        Kind::Lessons => {
            let l = &inc.lessons_learned;
            !(l.went_well.is_empty()
                && l.to_improve.is_empty()
                && l.lucky.is_empty()
                && l.learnings.is_empty())
        }
        Kind::ActionItems => !inc.action_items.is_empty(),
        Kind::Markdown => false,
    }
}

/// A section's Markdown without its heading line (the model keeps it: `## Root Cause`, or a
/// setext heading's two lines).
fn section_body(markdown: &str) -> &str {
    let mut lines = markdown.splitn(3, '\n');
    let first = lines.next().unwrap_or("");
    if first.trim_start().starts_with('#') {
        return markdown[first.len()..].trim_start_matches(['\r', '\n']);
    }
    let second = lines.next().unwrap_or("").trim();
    if !second.is_empty() && (second.bytes().all(|b| b == b'=') || second.bytes().all(|b| b == b'-')) {
        return lines.next().unwrap_or("");
    }
    markdown
}

/// Ids the incident page gives its own elements (`base.html`, `incident.html`, the macros it
/// calls, and the live region `site.js` adds): no heading anchor takes one, whatever the
/// record's headings say (`## Main` is `main-1`). A test holds the templates to this list.
pub const RESERVED_IDS: &[&str] =
    &["main", "toc", "provenance-h", "diffs-h", "record-items", "items", "incidents", "copy-status"];

/// The headings a typed panel draws itself, by part, when the model has that part.
fn panel_parts(kind: Kind, inc: &Incident) -> Vec<(&'static str, &'static str)> {
    let mut parts = Vec::new();
    let mut add = |present: bool, key, heading| {
        if present {
            parts.push((key, heading));
        }
    };
    match kind {
        Kind::Impact => {
            let i = &inc.impact;
            add(!i.user_fields.is_empty(), "user_impact", "User impact");
            add(!i.customers.is_empty(), "customer_impact", "Customer-specific impact");
            add(!i.business.is_empty(), "business_impact", "Business impact");
        }
        Kind::Resolution => {
            let r = &inc.resolution;
            add(!r.immediate.is_empty(), "immediate", "Immediate actions");
            add(!r.short_term.is_empty(), "short_term", "Short-term fixes");
            add(!r.long_term.is_empty(), "long_term", "Long-term improvements");
        }
        Kind::Lessons => {
            let l = &inc.lessons_learned;
            add(true, "went_well", "What went well");
            add(true, "to_improve", "What could be improved");
            add(!l.learnings.is_empty(), "learnings", "Lessons");
            add(!l.lucky.is_empty(), "lucky", "Where we got lucky");
        }
        _ => {}
    }
    parts
}

/// The incident page's sections in document order, their anchors and its table of contents.
fn layout(inc: &Incident) -> (Vec<Block<'_>>, Vec<TocEntry<'_>>) {
    let mut blocks = sections(inc);
    let mut anchors = Anchors::new(RESERVED_IDS);
    let mut toc: Vec<TocEntry<'_>> = Vec::new();
    for b in &mut blocks {
        if b.heading.is_empty() {
            continue;
        }
        b.anchor = anchors.take(b.heading);
        let mut entries =
            vec![TocEntry { anchor: b.anchor.clone(), heading: b.heading, children: Vec::new() }];
        for (key, heading) in panel_parts(Kind::from_name(b.kind), inc) {
            let anchor = anchors.take(heading);
            entries.push(TocEntry { anchor: anchor.clone(), heading, children: Vec::new() });
            b.anchors.insert(key, anchor);
        }
        match toc.last_mut() {
            Some(section) if b.level > 2 => section.children.extend(entries),
            _ => {
                let mut entries = entries.into_iter();
                let mut top = entries.next().expect("the block's own entry");
                top.children.extend(entries);
                toc.push(top);
            }
        }
    }
    (blocks, toc)
}

/// The incident page's sections in document order: a typed panel where the model has the
/// section's content, the section's own Markdown otherwise, so that nothing is dropped.
fn sections(inc: &Incident) -> Vec<Block<'_>> {
    let block = |kind: Kind, heading, level, markdown| Block {
        kind: kind.name(),
        heading,
        level,
        markdown,
        anchor: String::new(),
        anchors: Default::default(),
    };
    let mut out = Vec::new();
    let mut typed: Vec<(Kind, u8)> = Vec::new();
    // A panel shows the model, which the parser reads from the first section of each kind.
    let mut drawn: Vec<Kind> = Vec::new();
    for s in &inc.sections {
        while typed.last().is_some_and(|(_, level)| *level >= s.level) {
            typed.pop();
        }
        let body = section_body(&s.markdown);
        if s.level <= 1 {
            if !body.trim().is_empty() {
                out.push(block(Kind::Markdown, "", 2, body));
            }
            continue;
        }
        if typed.iter().any(|(k, _)| is_child(*k, s.kind)) {
            continue;
        }
        let kind = Kind::of(s.kind);
        if kind != Kind::Markdown && !drawn.contains(&kind) && typed_covers(kind, inc, body) {
            drawn.push(kind);
            out.push(block(kind, &s.heading, s.level.clamp(2, 4), body));
            typed.push((kind, s.level));
        } else if !body.trim().is_empty() || s.level == 2 {
            out.push(block(Kind::Markdown, &s.heading, s.level.clamp(2, 4), body));
        }
    }
    if inc.sections.is_empty() {
        // A record known only by its model: the typed panels that have content.
        for (kind, heading) in [
            (Kind::Timeline, "Timeline"),
            (Kind::Impact, "Impact"),
            (Kind::Resolution, "Resolution"),
            (Kind::Lessons, "Lessons Learned"),
            (Kind::ActionItems, "Action Items"),
            (Kind::SignOff, "Sign-off"),
        ] {
            if typed_covers(kind, inc, "") {
                out.push(block(kind, heading, 2, ""));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_follow_the_parsers_section_kinds() {
        assert_eq!(Kind::of(SectionKind::SignOff), Kind::SignOff);
        assert_eq!(Kind::of(SectionKind::Impact), Kind::Impact);
        assert_eq!(Kind::of(SectionKind::SelfHealing), Kind::Markdown);
        assert!(is_child(Kind::Impact, SectionKind::CustomerImpact));
        assert!(is_child(Kind::Resolution, SectionKind::LongTerm));
        assert!(!is_child(Kind::Lessons, SectionKind::ActionItems));
    }

    fn page_blocks(text: &str) -> Vec<(String, &'static str)> {
        let parsed = crate::record::parse(std::path::Path::new("t.md"), text.as_bytes());
        let inc = parsed.incident.expect("parsed");
        sections(&inc).iter().map(|b| (b.heading.to_string(), b.kind)).collect()
    }

    #[test]
    fn a_timeline_under_any_of_its_headings_is_drawn_as_a_timeline() {
        // The site once classified headings itself and drew `## Chronology` as plain Markdown.
        for heading in ["Timeline", "Chronology", "Incident Timeline"] {
            let text = format!(
                "# T\n\n## Summary\n\n**Start Time**: 2025-01-14 14:00 UTC\n\n## {heading}\n\n- 14:02 - Alert\n"
            );
            assert!(page_blocks(&text).contains(&(heading.to_string(), "timeline")), "{heading}");
        }
    }

    #[test]
    fn entries_written_as_headings_are_drawn_once_in_the_timeline() {
        let text = "# T\n\n## Summary\n\n**Start Time**: 2025-07-11 12:00 UTC\n\n## Timeline\n\n### 12:42 PM\n\nRotation job runs.\n\n### 12:49 PM\n\nFirst reports.\n\n### Notes\n\nKept.\n";
        let blocks = page_blocks(text);
        let headings: Vec<&str> = blocks.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(headings, ["Summary", "Timeline", "Notes"], "{blocks:?}");
        assert_eq!(blocks[1].1, "timeline");
    }

    #[test]
    fn only_the_first_section_of_a_kind_is_a_panel() {
        let text = "# T\n\n## Summary\n\n**Start Time**: 2025-01-14 14:00 UTC\n\n## Timeline\n\n- 14:02 - Alert\n\n## Timeline\n\n- 14:09 - Again\n";
        let blocks = page_blocks(text);
        let kinds: Vec<&str> = blocks.iter().filter(|(h, _)| h == "Timeline").map(|b| b.1).collect();
        assert_eq!(kinds, ["timeline", "markdown"]);
    }

    #[test]
    fn section_bodies_lose_their_heading() {
        assert_eq!(section_body("## Root Cause\n\nText\n"), "Text\n");
        assert_eq!(section_body("## Root Cause\r\n\r\nText\r\n"), "Text\r\n");
        assert_eq!(section_body("Root Cause\n==========\nText\n"), "Text\n");
        assert_eq!(section_body("Text only\n"), "Text only\n");
        assert_eq!(section_body("# Title"), "");
    }

    #[test]
    fn unknown_summary_labels_keep_the_markdown() {
        let inc = Incident::default();
        assert!(typed_covers(Kind::Summary, &inc, "**Incident ID**: X  \n**Title**: Y"));
        assert!(!typed_covers(Kind::Summary, &inc, "**Incident ID**: X  \n**Region**: eu-west-1"));
        assert!(typed_covers(Kind::Summary, &inc, "Status: Closed\n| Severity | P2 |\n"));
        // A summary of prose is kept as written, not replaced by the panel.
        assert!(!typed_covers(Kind::Summary, &inc, "Uploads failed for 52 minutes."));
        assert!(!typed_covers(Kind::Summary, &inc, "**Status**: Closed\n\nUploads failed for 52 minutes."));
    }

    fn toc_of(text: &str) -> Vec<(String, Vec<String>)> {
        let parsed = crate::record::parse(std::path::Path::new("t.md"), text.as_bytes());
        let inc = parsed.incident.expect("parsed");
        let (_, toc) = layout(&inc);
        toc.iter()
            .map(|e| (e.anchor.clone(), e.children.iter().map(|c| c.anchor.clone()).collect()))
            .collect()
    }

    #[test]
    fn the_reference_record_has_anchors_named_after_its_headings() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/records/INC-2025-0023.md"))
            .unwrap();
        let toc = toc_of(&text);
        let top: Vec<&str> = toc.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            top,
            [
                "incident-summary",
                "timeline",
                "root-cause",
                "detection",
                "impact-analysis",
                "resolution",
                "self-healing-performance",
                "communication",
                "lessons-learned",
                "technical-details",
                "references",
                "sign-off"
            ]
        );
        let children = |a: &str| toc.iter().find(|(x, _)| x == a).unwrap().1.clone();
        // The impact panel's own headings, not the record's subsections it draws.
        assert_eq!(
            children("impact-analysis"),
            ["user-impact", "customer-specific-impact", "business-impact"]
        );
        assert_eq!(children("communication"), ["internal", "external"]);
        assert_eq!(
            children("lessons-learned"),
            ["what-went-well", "what-could-be-improved", "action-items"],
            "the panel's two columns, then the record's own subsection"
        );
        assert_eq!(
            children("resolution"),
            ["immediate-actions", "short-term-fixes", "long-term-improvements"]
        );
        // The same record laid out again: the same anchors.
        assert_eq!(toc_of(&text), toc);
    }

    #[test]
    fn anchors_are_unique_on_the_page_and_leave_its_own_ids_alone() {
        let text = "# T\n\n## Notes\n\nA.\n\n## Notes\n\nB.\n\n### Main\n\nC.\n\n## Provenance H\n\nD.\n\n## TOC\n\nE.\n\n## Übersicht\n\nF.\n\n## 🔥\n\nG.\n";
        let toc = toc_of(text);
        let ids: Vec<&str> = toc
            .iter()
            .flat_map(|(a, c)| std::iter::once(a.as_str()).chain(c.iter().map(String::as_str)))
            .collect();
        assert_eq!(ids, ["notes", "notes-1", "main-1", "provenance-h-1", "toc-1", "übersicht", "section"]);
        assert_eq!(toc[1].1, ["main-1"], "a level-3 section is listed under its section");
    }

    /// Every id the incident page's templates (and site.js) give an element is reserved, so that
    /// no heading anchor can take it.
    #[test]
    fn the_reserved_ids_are_the_pages_own() {
        let sources = [
            include_str!("../../../site-templates/base.html"),
            include_str!("../../../site-templates/incident.html"),
            include_str!("../../../site-templates/macros.html"),
        ];
        let mut found = Vec::new();
        for src in sources {
            for part in src.split("id=\"").skip(1) {
                let id = &part[..part.find('"').unwrap()];
                if !id.contains("{{") {
                    found.push(id.to_string());
                }
            }
            // Ids passed to the macros: `id="x"` as an argument is caught above.
        }
        let js = include_str!("../../../site-templates/assets/site.js");
        for part in js.split(".id = \"").skip(1) {
            found.push(part[..part.find('"').unwrap()].to_string());
        }
        for part in ["provenance-h", "diffs-h"] {
            assert!(found.iter().any(|f| f == part), "{part} not found in the templates: {found:?}");
        }
        for id in &found {
            assert!(
                RESERVED_IDS.contains(&id.as_str()),
                "`{id}` is an id of the incident page: add it to RESERVED_IDS"
            );
        }
    }
}
