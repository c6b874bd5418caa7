//! Where each kept field of a record came from (`check --explain`): computed after the parse from
//! what the parser retains (the header values with their lines and how they were written, the
//! sections with their headings, lines and kinds, the sidecar's `supplied` list, the `*-inferred`
//! diagnostics), so that an operator can see what an import will keep, and why a field is empty.

use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::header::Via;
use super::model::{Incident, Section, SectionKind as Kind};
use super::values::{normalize, shown};
use super::{Diagnostic, Header, Key, Parsed, Slot};

/// What kind of place a field's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A labelled line or a header table's cell (`**Status**: Resolved`).
    Label,
    /// A section, by its heading (or a heading with the value under it).
    Heading,
    /// A key of the YAML front matter.
    FrontMatter,
    /// The sign-off sidecar (`X.signoff.yaml`), attested.
    Sidecar,
    /// The document's level-1 heading.
    H1,
    /// Not written: inferred from other text.
    Inferred,
    /// Not written: the configured default applies.
    Default,
    /// Nowhere: the field is empty (`detail` says why).
    None,
}

/// Where one field came from, or why it is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    /// The 1-based line (of the record, or of the sidecar for `sidecar`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The label or front matter or sidecar key as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The heading as written (`## Root Causes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// More: the section's kind, where an inference came from, why a field is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Source {
    fn new(kind: SourceKind, line: Option<usize>) -> Self {
        Self { kind, line, label: None, heading: None, detail: None }
    }

    fn label(mut self, label: &str) -> Self {
        self.label = Some(label.to_string());
        self
    }

    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Empty, for the reason given.
    fn none(line: Option<usize>, why: impl Into<String>) -> Self {
        Self::new(SourceKind::None, line).detail(why)
    }

    /// A section of the document.
    fn section(s: &Section) -> Self {
        let mut src = Self::new(SourceKind::Heading, Some(s.line)).detail(kind_name(s.kind));
        src.heading = Some(heading_as_written(s));
        src
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = self.label.as_deref().unwrap_or("");
        let detail = self.detail.as_deref().unwrap_or("");
        let at = self.line.map(|l| format!("line {l}, ")).unwrap_or_default();
        match self.kind {
            SourceKind::Label => write!(f, "{at}label `{label}`")?,
            SourceKind::Heading => {
                let heading = self.heading.as_deref().unwrap_or("");
                return write!(f, "{at}heading `{heading}` ({detail})");
            }
            SourceKind::FrontMatter => {
                write!(f, "front matter key `{label}`")?;
                if let Some(l) = self.line {
                    write!(f, " (line {l})")?;
                }
            }
            SourceKind::Sidecar => return write!(f, "sidecar {detail} (attested), key `{label}`"),
            SourceKind::H1 => write!(f, "H1 at {}", at.trim_end_matches(", "))?,
            SourceKind::Inferred => {
                write!(f, "inferred from {detail}")?;
                return match self.line {
                    Some(l) => write!(f, " (line {l})"),
                    None => Ok(()),
                };
            }
            SourceKind::Default | SourceKind::None => return write!(f, "{detail}"),
        }
        if !detail.is_empty() {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

/// One field of the record model that an import keeps: its value (shortened) and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldSource {
    pub field: &'static str,
    /// Empty when the field is.
    pub value: String,
    pub source: Source,
}

impl fmt::Display for FieldSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}: (empty) — {}", self.field, self.source)
        } else {
            write!(f, "{}: {} — {}", self.field, self.value, self.source)
        }
    }
}

/// A record explained: `check --explain --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub path: String,
    pub accepted: bool,
    pub fields: Vec<FieldSource>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads, parses and explains one record file, with its sidecar when there is one;
/// `default_years` is the configured retention.
pub fn explain_file(path: &Path, default_years: u32) -> Explanation {
    let (bytes, parsed, header) = super::parse_file_traced(path);
    let sidecar = super::sidecar_path(path)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    explain(path, &bytes, &parsed, &header, &sidecar, default_years)
}

/// The longest value shown, in characters.
const SHOWN: usize = 60;

/// A value on one line, at most [`SHOWN`] characters.
fn short(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= SHOWN {
        return one;
    }
    let cut: String = one.chars().take(SHOWN - 1).collect();
    format!("{}…", cut.trim_end())
}

fn kind_name(kind: Kind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn heading_as_written(s: &Section) -> String {
    if s.level == 0 {
        return "(before the first heading)".to_string();
    }
    // A setext heading is shown as its ATX equivalent.
    format!("{} {}", "#".repeat(s.level as usize), s.heading)
}

/// What explaining a record reads.
struct Ctx<'a> {
    inc: &'a Incident,
    header: &'a Header,
    parsed: &'a Parsed,
    path: &'a Path,
    /// The record's text, for a line's words.
    lines: Vec<&'a str>,
    sidecar: &'a str,
}

impl Ctx<'_> {
    fn supplied(&self, key: &str) -> bool {
        self.inc.attestation.as_ref().is_some_and(|a| a.supplied.iter().any(|s| s == key))
    }

    fn sidecar_source(&self, key: &str) -> Source {
        Source::new(SourceKind::Sidecar, None).label(key).detail(self.sidecar)
    }

    fn diagnostic(&self, rule: &str) -> Option<&Diagnostic> {
        self.parsed.diagnostics.iter().find(|d| d.rule == rule)
    }

    fn section(&self, kind: Kind) -> Option<&Section> {
        self.inc.sections.iter().find(|s| s.kind == kind)
    }

    /// The first section of these kinds, in the order given.
    fn first_of(&self, kinds: &[Kind]) -> Option<&Section> {
        kinds.iter().find_map(|&k| self.section(k))
    }

    fn headings_seen(&self) -> String {
        let seen: Vec<String> = self
            .inc
            .sections
            .iter()
            .filter(|s| s.level > 0)
            .take(8)
            .map(|s| format!("`{}`", short(&shown(&s.heading))))
            .collect();
        let more = self.inc.sections.iter().filter(|s| s.level > 0).count().saturating_sub(seen.len());
        match (seen.is_empty(), more) {
            (true, _) => "no headings".to_string(),
            (false, 0) => format!("headings seen: {}", seen.join(", ")),
            (false, n) => format!("headings seen: {}, and {n} more", seen.join(", ")),
        }
    }

    /// Why there is no section of `kind`.
    fn no_section(&self, kind: Kind) -> Source {
        Source::none(None, format!("no section of kind {} ({})", kind_name(kind), self.headings_seen()))
    }

    /// A label among the header labels that holds a section's content (`Root Causes: …`).
    fn narrative(&self, kinds: &[Kind]) -> Option<Source> {
        let (kind, field) = kinds
            .iter()
            .find_map(|&k| self.header.narrative.iter().find(|(nk, f)| *nk == k && !f.value.is_empty()))?;
        let line = self.lines.iter().position(|l| {
            l.find(field.label.as_str()).is_some_and(|at| l[at + field.label.len()..].contains(':'))
        });
        Some(
            Source::new(SourceKind::Label, line.map(|i| i + 1))
                .label(&field.label)
                .detail(format!("a line of kind {}", kind_name(*kind))),
        )
    }

    /// The section holding line `line`: the last one starting at or before it.
    fn section_at(&self, line: usize) -> Option<&Section> {
        self.inc.sections.iter().rev().find(|s| s.line <= line)
    }

    /// `**Timeline**:` on a line of its own, when no heading names the timeline.
    fn bold_timeline(&self) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| {
                let t = l.trim();
                !t.starts_with('#')
                    && (t.starts_with("**") || t.starts_with("__"))
                    && super::sections::classify(&normalize(t)) == Kind::Timeline
            })
            .map(|i| i + 1)
    }
}

/// Explains a parsed record (with the header the parse read): every kept field, its value and
/// its source. `sidecar` is the sidecar's file name, shown for the values it supplied.
pub(crate) fn explain(
    path: &Path,
    bytes: &[u8],
    parsed: &Parsed,
    header: &Header,
    sidecar: &str,
    default_years: u32,
) -> Explanation {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let empty = Incident::default();
    let inc = parsed.incident.as_ref().unwrap_or(&empty);
    let ctx = Ctx {
        inc,
        header,
        parsed,
        path,
        lines: text.split('\n').map(|l| l.trim_end_matches('\r')).collect(),
        sidecar,
    };
    let fields = match &parsed.incident {
        Some(_) => fields(&ctx, default_years),
        None => Vec::new(),
    };
    Explanation {
        path: path.display().to_string(),
        accepted: parsed.accepted(),
        fields,
        diagnostics: parsed.diagnostics.clone(),
    }
}

fn fields(c: &Ctx<'_>, default_years: u32) -> Vec<FieldSource> {
    let inc = c.inc;
    let h = c.header;
    let mut out = Vec::new();
    let mut push = |field: &'static str, value: String, source: Source| {
        out.push(FieldSource { field, value: short(&value), source })
    };

    let id_slot = h.get(Key::Id).or(h.title_id.as_ref());
    push("id", inc.id.clone(), header_source(c, Key::Id, Some("id"), id_slot, !inc.id.is_empty()));
    let slot = h.get(Key::Title);
    push(
        "title",
        inc.title.clone(),
        header_source(c, Key::Title, Some("title"), slot, !inc.title.is_empty()),
    );
    let severity = match &inc.severity_label {
        Some(l) if !inc.severity.is_empty() => format!("{} ({l})", inc.severity),
        _ => inc.severity.clone(),
    };
    let slot = h.get(Key::Severity);
    push(
        "severity",
        severity,
        header_source(c, Key::Severity, Some("severity"), slot, !inc.severity.is_empty()),
    );
    let status = match c.diagnostic("status-inferred") {
        Some(d) if !c.supplied("status") && d.path == c.path => Source::new(SourceKind::Inferred, Some(d.line))
            .detail("the sign-off: a record signed off without a status is taken as closed"),
        Some(_) if !c.supplied("status") => Source::new(SourceKind::Inferred, None).detail(format!(
            "the sign-off attested by the sidecar {}: a record signed off without a status is taken as closed",
            c.sidecar
        )),
        _ => header_source(c, Key::Status, Some("status"), h.get(Key::Status), !inc.status.is_empty()),
    };
    push("status", inc.status.clone(), status);

    let day = inc.start_precision.is_some();
    let start = inc
        .started_at
        .map(|t| {
            if day {
                format!("{} (day precision)", t.format("%Y-%m-%d"))
            } else {
                t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
            }
        })
        .unwrap_or_default();
    let inferred = c.diagnostic("start-inferred").filter(|d| d.path == c.path && !c.supplied("started_at"));
    let source = match inferred {
        Some(d) => {
            // `… the start is taken from the first timeline entry: `…``
            let whence = d
                .message
                .split_once("taken from ")
                .and_then(|(_, r)| r.split_once(':'))
                .map_or("the text", |(w, _)| w);
            Source::new(SourceKind::Inferred, Some(d.line)).detail(whence)
        }
        None => {
            let slot = h.get(Key::Start);
            let mut s = header_source(c, Key::Start, Some("started_at"), slot, inc.started_at.is_some());
            let is_date = slot.is_some_and(|s| match &s.via {
                Via::Label(l) | Via::Heading(l) | Via::FrontMatter(l) => {
                    Key::from_label(&normalize(l)) == Some(Key::Date)
                }
                _ => false,
            });
            if is_date && inc.started_at.is_some() {
                s.detail = Some("the incident's date: no start is given".to_string());
            }
            if slot.is_none() && inc.started_at.is_none() {
                s = Source::none(
                    None,
                    "no label `Start Time` or `Date`, no front matter key, no sidecar value, no dated timeline entry or date in the summary",
                );
            }
            s
        }
    };
    push("started_at", start, source);
    let end = inc.ended_at.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or_default();
    push("ended_at", end, header_source(c, Key::End, None, h.get(Key::End), inc.ended_at.is_some()));
    let duration_slot = h.get(Key::Duration).filter(|s| !s.value.is_empty());
    let (duration, source) = match (inc.duration_seconds, duration_slot) {
        (Some(secs), Some(s)) if inc.started_at.is_none() || inc.ended_at.is_none() || day => {
            (format!("{secs} s (`{}`)", s.value), slot_source(s))
        }
        (Some(secs), Some(s)) => (
            format!("{secs} s (`{}`)", s.value),
            slot_source(s).detail("checked against `End Time` - `Start Time`, which is kept"),
        ),
        (Some(secs), None) => {
            let line = h.get(Key::End).map(|s| s.line);
            (format!("{secs} s"), Source::new(SourceKind::Inferred, line).detail("`End Time` - `Start Time`"))
        }
        (None, _) => {
            let s = header_source(c, Key::Duration, None, h.get(Key::Duration), false);
            let s = match s.kind {
                SourceKind::None if duration_slot.is_none() => Source::none(
                    None,
                    "no label `Duration`, no front matter key, and no start and end (with a time of day) to take it from",
                ),
                _ => s,
            };
            (String::new(), s)
        }
    };
    push("duration", duration, source);
    let slot = h.get(Key::CustomerImpact);
    let has = !inc.customer_impact.is_empty();
    push(
        "customer_impact",
        inc.customer_impact.clone(),
        header_source(c, Key::CustomerImpact, None, slot, has),
    );

    let (value, source) = timeline(c);
    push("timeline", value, source);

    // The root cause.
    let rc = &inc.root_cause;
    let section = c.section(Kind::RootCause);
    let source = if rc.summary.is_empty() {
        match section {
            Some(s) => Source::none(
                Some(s.line),
                format!("section `{}` holds no text that is read", heading_as_written(s)),
            ),
            None => c.no_section(Kind::RootCause),
        }
    } else {
        section
            .map(Source::section)
            .or_else(|| c.narrative(&[Kind::RootCause, Kind::Trigger]))
            .or_else(|| c.first_of(&[Kind::Trigger, Kind::ContributingFactors]).map(Source::section))
            .unwrap_or_else(|| c.no_section(Kind::RootCause))
    };
    push("root_cause.summary", rc.summary.clone(), source);
    let details = rc.details_markdown.lines().filter(|l| !l.trim().is_empty()).count();
    let source = match section {
        Some(s) => Source::section(s),
        None => c.no_section(Kind::RootCause),
    };
    let value = match details {
        0 => String::new(),
        1 => "1 line of Markdown".to_string(),
        n => format!("{n} lines of Markdown"),
    };
    push("root_cause.details", value, source);
    let n = rc.contributing_factors.len();
    let source = if n == 0 {
        Source::none(
            None,
            "no `Contributing Factors` list in the root cause, no section of kind contributing_factors",
        )
    } else {
        c.section(Kind::ContributingFactors)
            .filter(|_| section.is_none_or(|s| !s.markdown.to_lowercase().contains("contributing")))
            .or(section)
            .map(Source::section)
            .or_else(|| c.narrative(&[Kind::ContributingFactors]))
            .unwrap_or_else(|| c.no_section(Kind::ContributingFactors))
    };
    push("root_cause.contributing_factors", count(n, "factor"), source);

    let d = &inc.detection;
    let value = [&d.how_detected, &d.method].into_iter().find(|v| !v.is_empty()).cloned().unwrap_or_default();
    let source = match c.section(Kind::Detection) {
        Some(s) if !value.is_empty() || !d.fields.is_empty() => Source::section(s),
        Some(s) => Source::none(
            Some(s.line),
            format!("section `{}` holds no text that is read", heading_as_written(s)),
        ),
        None => c.narrative(&[Kind::Detection]).unwrap_or_else(|| c.no_section(Kind::Detection)),
    };
    push("detection", value, source);

    let (value, source) = impact(c);
    push("impact", value, source);

    let r = &inc.resolution;
    let steps = r.immediate.len() + r.short_term.len() + r.long_term.len();
    let value = if steps == 0 {
        String::new()
    } else {
        format!(
            "{} immediate, {} short term, {} long term",
            r.immediate.len(),
            r.short_term.len(),
            r.long_term.len()
        )
    };
    let source = match c.section(Kind::Resolution) {
        Some(s) if steps > 0 => Source::section(s),
        Some(s) => Source::none(
            Some(s.line),
            format!("section `{}` holds no step that is read", heading_as_written(s)),
        ),
        None => c
            .narrative(&[Kind::Resolution])
            .filter(|_| steps > 0)
            .or_else(|| c.first_of(&[Kind::Immediate, Kind::ShortTerm, Kind::LongTerm]).map(Source::section))
            .unwrap_or_else(|| c.no_section(Kind::Resolution)),
    };
    push("resolution", value, source);

    let (value, source) = lessons(c);
    push("lessons", value, source);
    let (value, source) = action_items(c);
    push("action_items", value, source);

    // The sign-off.
    let sign_off_empty = |label: &str| match h.sign_off_line {
        None => c.no_section(Kind::SignOff),
        Some(line) => {
            Source::none(Some(line), format!("no label `{label}` in the Sign-off section at line {line}"))
        }
    };
    let source = if c.supplied("approved_by") {
        c.sidecar_source("approved_by")
    } else {
        match &h.approved_by {
            Some(s) if super::values::is_placeholder(&inc.sign_off.approved_by) && !s.value.is_empty() => {
                slot_source(s).detail("a placeholder, not a name: the record is not signed off")
            }
            Some(s) if !inc.sign_off.approved_by.is_empty() => slot_source(s),
            Some(s) => empty_slot(c, s, "Approved By"),
            None => sign_off_empty("Approved By"),
        }
    };
    // A sign-off the document states and its sidecar attests.
    let attested = |mut s: Source| {
        if inc.attestation.is_some() && !matches!(s.kind, SourceKind::None | SourceKind::Sidecar) {
            s.detail = Some(format!("attested by the sidecar {}", c.sidecar));
        }
        s
    };
    push("sign_off.approved_by", inc.sign_off.approved_by.clone(), attested(source));
    let date = inc.sign_off.date.map(|d| d.to_string()).unwrap_or_default();
    let source = if c.supplied("approved_on") {
        c.sidecar_source("approved_on")
    } else {
        match &h.sign_off_date {
            Some(s) if inc.sign_off.date.is_some() => slot_source(s),
            Some(s) => empty_slot(c, s, "Date"),
            None => sign_off_empty("Date"),
        }
    };
    push("sign_off.date", date, attested(source));

    let slot = h.get(Key::Retention);
    let (value, source) = match (inc.retention.years, slot) {
        (Some(y), _) if c.supplied("retention_years") => (years(y), c.sidecar_source("retention_years")),
        (Some(y), Some(s)) => (years(y), slot_source(s)),
        (Some(y), None) => (years(y), Source::new(SourceKind::Inferred, None).detail("the document")),
        (None, slot) => {
            let why = match slot {
                Some(s) => format!(
                    "default ({}, configuration): `{}` at line {} states no number of years",
                    years(default_years),
                    shown(&s.value),
                    s.line
                ),
                None => format!("default ({}, configuration)", years(default_years)),
            };
            (years(default_years), Source::new(SourceKind::Default, slot.map(|s| s.line)).detail(why))
        }
    };
    push("retention", value, source);
    out
}

fn years(y: u32) -> String {
    if y == 1 { "1 year".to_string() } else { format!("{y} years") }
}

fn count(n: usize, noun: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// Where a header value was written.
fn slot_source(s: &Slot) -> Source {
    match &s.via {
        Via::Label(l) => Source::new(SourceKind::Label, Some(s.line)).label(l),
        Via::Heading(hd) => {
            let mut src = Source::new(SourceKind::Heading, Some(s.line)).detail("the line under it");
            src.heading = Some(hd.clone());
            src
        }
        Via::Title => Source::new(SourceKind::H1, Some(s.line)),
        Via::FrontMatter(k) => Source::new(SourceKind::FrontMatter, Some(s.line)).label(k),
        Via::Inferred => Source::new(SourceKind::Inferred, Some(s.line)).detail("the text"),
    }
}

/// Why a header value that was written is empty: a template's prompt, nothing, or a value that
/// cannot be read.
fn empty_slot(c: &Ctx<'_>, s: &Slot, name: &str) -> Source {
    let where_ = match &s.via {
        Via::Label(l) | Via::FrontMatter(l) | Via::Heading(l) => format!("`{}`", shown(l)),
        _ => format!("`{name}`"),
    };
    if !s.value.is_empty() {
        return Source::none(
            Some(s.line),
            format!(
                "{where_} at line {} is `{}`, which cannot be read (see the diagnostics)",
                s.line,
                shown(&s.value)
            ),
        );
    }
    let raw = c.lines.get(s.line.wrapping_sub(1)).copied().unwrap_or("");
    let after = match &s.via {
        Via::Label(l) => raw.find(l.as_str()).map_or("", |at| &raw[at + l.len()..]),
        _ => raw,
    };
    let rest = after.trim_matches(|ch: char| ch.is_whitespace() || matches!(ch, '*' | '_' | ':'));
    let why = if raw.trim_start().starts_with('|') {
        format!("the table cell of {where_} at line {} is empty or a template prompt", s.line)
    } else if rest.is_empty() {
        format!("{where_} at line {} is empty", s.line)
    } else {
        format!("template prompt at line {} ignored", s.line)
    };
    Source::none(Some(s.line), why)
}

/// A header value: the sidecar's when it supplied it, else where the document wrote it, else why
/// it is empty.
fn header_source(
    c: &Ctx<'_>,
    key: Key,
    sidecar_key: Option<&str>,
    slot: Option<&Slot>,
    has_value: bool,
) -> Source {
    if let Some(k) = sidecar_key.filter(|k| c.supplied(k)) {
        return c.sidecar_source(k);
    }
    match slot {
        Some(s) if has_value => slot_source(s),
        Some(s) => empty_slot(c, s, key.name()),
        None if has_value => Source::new(SourceKind::Inferred, None).detail("the document"),
        None => {
            let sidecar = if sidecar_key.is_some() { ", no sidecar value" } else { "" };
            Source::none(None, format!("no label `{}`, no front matter key{sidecar}", key.name()))
        }
    }
}

fn timeline(c: &Ctx<'_>) -> (String, Source) {
    let n = c.inc.timeline.len();
    let unplaced = c.inc.timeline.iter().filter(|e| e.unplaced.is_some()).count();
    let value = match (n, unplaced) {
        (0, _) => String::new(),
        (n, 0) => count(n, "entry").replace("entrys", "entries"),
        (n, u) => format!("{} ({u} unplaced)", count(n, "entry").replace("entrys", "entries")),
    };
    let source = match c.section(Kind::Timeline) {
        Some(s) if n > 0 => Source::section(s),
        Some(s) => Source::none(
            Some(s.line),
            format!("section `{}` has no entry that starts with a time", heading_as_written(s)),
        ),
        None => match c.bold_timeline() {
            Some(line) if n > 0 => Source::new(SourceKind::Label, Some(line))
                .label("Timeline")
                .detail("a bold line over the entries"),
            _ => c.no_section(Kind::Timeline),
        },
    };
    (value, source)
}

fn impact(c: &Ctx<'_>) -> (String, Source) {
    let imp = &c.inc.impact;
    let mut parts = Vec::new();
    if let Some(u) = imp.users_affected {
        parts.push(format!("{u} users"));
    }
    if let Some(a) = imp.customer_accounts {
        parts.push(format!("{a} customer accounts"));
    }
    if !imp.customers.is_empty() {
        parts.push(format!("{} customers in a table", imp.customers.len()));
    }
    if !imp.text.is_empty() {
        parts.push(format!("prose of {} characters", imp.text.chars().count()));
    }
    let value = parts.join(", ");
    let kinds = [Kind::Impact, Kind::UserImpact, Kind::CustomerImpact, Kind::BusinessImpact];
    let source = match c.first_of(&kinds) {
        Some(s) if !value.is_empty() => Source::section(s),
        Some(s) => Source::none(
            Some(s.line),
            format!("section `{}` holds nothing that is read", heading_as_written(s)),
        ),
        None if imp.customer_accounts.is_some() => match c.header.get(Key::CustomerImpact) {
            Some(s) => slot_source(s).detail("the count of customers in it"),
            None => Source::new(SourceKind::Label, None),
        },
        None => c.no_section(Kind::Impact),
    };
    (value, source)
}

fn lessons(c: &Ctx<'_>) -> (String, Source) {
    let l = &c.inc.lessons_learned;
    let total = l.went_well.len() + l.to_improve.len() + l.lucky.len() + l.learnings.len();
    let value = if total == 0 {
        String::new()
    } else {
        format!(
            "{} went well, {} to improve, {} lucky, {} learnings",
            l.went_well.len(),
            l.to_improve.len(),
            l.lucky.len(),
            l.learnings.len()
        )
    };
    let kinds = [Kind::Lessons, Kind::WentWell, Kind::ToImprove, Kind::Lucky];
    let source = match c.first_of(&kinds) {
        Some(s) if total > 0 => {
            let mut src = Source::section(s);
            let others: Vec<String> = kinds
                .iter()
                .filter_map(|&k| c.section(k))
                .filter(|o| o.line != s.line)
                .map(|o| format!("`{}` line {}", heading_as_written(o), o.line))
                .collect();
            if !others.is_empty() {
                src.detail = Some(format!("{}; also {}", kind_name(s.kind), others.join(", ")));
            }
            src
        }
        Some(s) => Source::none(
            Some(s.line),
            format!("section `{}` holds nothing that is read", heading_as_written(s)),
        ),
        None => c
            .narrative(&[Kind::WentWell, Kind::ToImprove, Kind::Lucky])
            .filter(|_| total > 0)
            .unwrap_or_else(|| c.no_section(Kind::Lessons)),
    };
    (value, source)
}

fn action_items(c: &Ctx<'_>) -> (String, Source) {
    let n = c.inc.action_items.len();
    if n == 0 {
        let source = match c.section(Kind::ActionItems) {
            Some(s) => Source::none(
                Some(s.line),
                format!("section `{}` holds no table or list of actions that is read", heading_as_written(s)),
            ),
            None => c.no_section(Kind::ActionItems),
        };
        return (String::new(), source);
    }
    // Where the items stand: each table or list, by the section holding it.
    let mut groups: Vec<(usize, bool, usize)> = Vec::new(); // (section line, table, items)
    for &line in &c.header.action_lines {
        let table = c.lines.get(line.wrapping_sub(1)).is_some_and(|l| l.trim_start().starts_with('|'));
        let at = c.section_at(line).map_or(0, |s| s.line);
        match groups.iter_mut().find(|g| g.0 == at && g.1 == table) {
            Some(g) => g.2 += 1,
            None => groups.push((at, table, 1)),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|&(at, table, k)| {
            let what = if table { "a table" } else { "a list" };
            match c.inc.sections.iter().find(|s| s.line == at) {
                Some(s) => format!("{k} from {what} under `{}` (line {at})", heading_as_written(s)),
                None => format!("{k} from {what}"),
            }
        })
        .collect();
    let first = groups.first().and_then(|g| c.inc.sections.iter().find(|s| s.line == g.0));
    let mut source = match first {
        Some(s) => Source::section(s),
        None => Source::new(SourceKind::Label, None),
    };
    source.detail = Some(parts.join("; "));
    (count(n, "item"), source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn run(doc: &str, side: Option<&str>) -> Explanation {
        let path = Path::new("X.md");
        let (mut parsed, header) = super::super::parse_traced(path, doc.as_bytes());
        if let Some(side) = side {
            super::super::sidecar::apply(&mut parsed, path, Path::new("X.signoff.yaml"), side.as_bytes());
        }
        explain(path, doc.as_bytes(), &parsed, &header, "X.signoff.yaml", 7)
    }

    fn field<'e>(e: &'e Explanation, name: &str) -> &'e FieldSource {
        e.fields.iter().find(|f| f.field == name).unwrap_or_else(|| panic!("no field {name}: {e:#?}"))
    }

    const LABELS: &str = "# INC-7: Checkout errors\n\n## Summary\n\n**Status**: Resolved\n**Severity**: P2\n\
        **Start Time**: 2024-03-05 14:00 UTC\n**End Time**: 2024-03-05 15:00 UTC\n\n\
        ## Root Causes\n\nA bad deploy.\n\n## Action Items\n\n| Action | Owner |\n| --- | --- |\n\
        | Add a canary | ana |\n| Alert on errors | bo |\n\n## Sign-off\n\n**Approved By**: Jane\n**Date**: 2024-03-08\n";

    #[test]
    fn labels_headings_and_the_title_are_named_with_their_lines() {
        let e = run(LABELS, None);
        assert!(e.accepted, "{:?}", e.diagnostics);
        let id = field(&e, "id");
        assert_eq!((id.value.as_str(), id.source.kind, id.source.line), ("INC-7", SourceKind::H1, Some(1)));
        assert_eq!(field(&e, "title").source.to_string(), "H1 at line 1");
        let status = field(&e, "status");
        assert_eq!(status.value, "Resolved");
        assert_eq!(status.source.to_string(), "line 5, label `Status`");
        assert_eq!(field(&e, "duration").source.kind, SourceKind::Inferred);
        assert_eq!(field(&e, "duration").value, "3600 s");
        let rc = field(&e, "root_cause.summary");
        assert_eq!(rc.value, "A bad deploy.");
        assert_eq!(rc.source.to_string(), "line 10, heading `## Root Causes` (root_cause)");
        let actions = field(&e, "action_items");
        assert_eq!(actions.value, "2 items");
        assert_eq!(
            actions.source.detail.as_deref(),
            Some("2 from a table under `## Action Items` (line 14)")
        );
        assert_eq!(field(&e, "sign_off.approved_by").source.to_string(), "line 23, label `Approved By`");
        let retention = field(&e, "retention");
        assert_eq!((retention.value.as_str(), retention.source.kind), ("7 years", SourceKind::Default));
        assert_eq!(retention.source.to_string(), "default (7 years, configuration)");
    }

    #[test]
    fn an_empty_field_says_why() {
        let e = run(LABELS, None);
        let t = field(&e, "timeline");
        assert_eq!(t.value, "");
        assert_eq!(
            t.source.to_string(),
            "no section of kind timeline (headings seen: `INC-7: Checkout errors`, `Summary`, `Root Causes`, `Action Items`, `Sign-off`)"
        );
        let ci = field(&e, "customer_impact");
        assert_eq!(ci.source.kind, SourceKind::None);
        assert_eq!(ci.source.to_string(), "no label `Customer Impact`, no front matter key");
        let doc = LABELS.replace("**Severity**: P2", "**Severity**: [P1-P5]");
        let e = run(&doc, None);
        assert_eq!(field(&e, "severity").source.to_string(), "template prompt at line 6 ignored");
        let doc = LABELS.replace("**Severity**: P2\n", "");
        let e = run(&doc, None);
        assert_eq!(
            field(&e, "severity").source.to_string(),
            "no label `Severity`, no front matter key, no sidecar value"
        );
    }

    #[test]
    fn front_matter_keys_are_named() {
        let doc = format!("---\nid: FM-1\nseverity: P3\n---\n{}", LABELS.replace("**Severity**: P2\n", ""));
        let e = run(&doc, None);
        let id = field(&e, "id");
        assert_eq!(id.value, "FM-1");
        assert_eq!(id.source.to_string(), "front matter key `id` (line 2)");
        assert_eq!(field(&e, "severity").source.kind, SourceKind::FrontMatter);
        assert_eq!(field(&e, "severity").source.label.as_deref(), Some("severity"));
    }

    #[test]
    fn a_sidecar_supplied_id_and_sign_off_are_attested() {
        let doc = "# Outage of the payment API\n\n**Status**: Resolved\n**Start Time**: 2020-07-09 10:00 UTC\n\n\
            ## Root Cause\n\nA bad deploy.\n";
        let e = run(doc, Some("id: EXT-1\napproved_by: Jane Doe\napproved_on: 2020-07-20\n"));
        assert!(e.accepted, "{:?}", e.diagnostics);
        let id = field(&e, "id");
        assert_eq!(id.value, "EXT-1");
        assert_eq!(id.source.to_string(), "sidecar X.signoff.yaml (attested), key `id`");
        assert_eq!(field(&e, "sign_off.approved_by").source.kind, SourceKind::Sidecar);
        let date = field(&e, "sign_off.date");
        assert_eq!((date.value.as_str(), date.source.kind), ("2020-07-20", SourceKind::Sidecar));
        assert_eq!(field(&e, "status").source.kind, SourceKind::Label);
    }

    #[test]
    fn an_inferred_start_and_status_say_from_what() {
        let doc = "# Outage of the payment API\n\n## Timeline\n\n- 2020-07-09 10:00 UTC: alerts fired\n\
            - 10:30 UTC: rolled back\n\n## Root Cause\n\nA bad deploy.\n\n## Sign-off\n\n**Approved By**: J\n**Date**: 2020-07-20\n";
        let e = run(doc, None);
        let start = field(&e, "started_at");
        assert_eq!(start.value, "2020-07-09 10:00:00 UTC");
        assert_eq!(start.source.to_string(), "inferred from the first timeline entry (line 3)");
        let status = field(&e, "status");
        assert_eq!((status.value.as_str(), status.source.kind), ("Closed", SourceKind::Inferred));
        assert_eq!(status.source.line, Some(12));
        let t = field(&e, "timeline");
        assert_eq!(t.value, "2 entries");
        assert_eq!(t.source.to_string(), "line 3, heading `## Timeline` (timeline)");
    }

    #[test]
    fn a_date_only_start_shows_its_precision_and_label() {
        let doc = LABELS.replace("**Start Time**: 2024-03-05 14:00 UTC", "**Date**: 2024-03-05");
        let e = run(&doc, None);
        let start = field(&e, "started_at");
        assert_eq!(start.value, "2024-03-05 (day precision)");
        assert_eq!(start.source.to_string(), "line 7, label `Date` (the incident's date: no start is given)");
        // No duration from a start known to the day.
        assert_eq!(field(&e, "duration").source.kind, SourceKind::None);
    }

    #[test]
    fn a_bold_timeline_line_is_named() {
        let doc = LABELS.replace(
            "## Root Causes",
            "**Timeline:**\n\n- 14:00 alerts fired\n- 14:20 rolled back\n\n## Root Causes",
        );
        let e = run(&doc, None);
        let t = field(&e, "timeline");
        assert_eq!(t.value, "2 entries");
        assert_eq!(t.source.to_string(), "line 10, label `Timeline` (a bold line over the entries)");
    }

    #[test]
    fn a_status_inferred_from_a_sidecar_sign_off_names_the_sidecar() {
        let doc = "# Outage of the payment API\n\n**Start Time**: 2020-07-09 10:00 UTC\n\n## Root Cause\n\nA bad deploy.\n";
        let e = run(doc, Some("id: EXT-2\napproved_by: Jane Doe\napproved_on: 2020-07-20\n"));
        assert!(e.accepted, "{:?}", e.diagnostics);
        let status = field(&e, "status");
        assert_eq!(status.value, "Closed");
        assert_eq!(
            status.source.to_string(),
            "inferred from the sign-off attested by the sidecar X.signoff.yaml: a record signed off without a status is taken as closed"
        );
    }

    #[test]
    fn a_section_written_as_one_label_is_named_with_its_line() {
        let doc = LABELS
            .replace("## Root Causes\n\nA bad deploy.\n", "")
            .replace("**Severity**: P2\n", "**Severity**: P2\n**Root Causes**: A bad deploy.\n");
        let e = run(&doc, None);
        let rc = field(&e, "root_cause.summary");
        assert_eq!(rc.value, "A bad deploy.");
        assert_eq!(rc.source.to_string(), "line 7, label `Root Causes` (a line of kind root_cause)");
        assert_eq!(field(&e, "root_cause.details").source.kind, SourceKind::None);
    }

    #[test]
    fn a_placeholder_approver_is_named_as_one() {
        let e = run(&LABELS.replace("**Approved By**: Jane", "**Approved By**: TBD"), None);
        assert!(!e.accepted);
        assert_eq!(
            field(&e, "sign_off.approved_by").source.to_string(),
            "line 23, label `Approved By` (a placeholder, not a name: the record is not signed off)"
        );
    }

    #[test]
    fn the_json_has_the_documented_shape() {
        let e = run(LABELS, None);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["path"], "X.md");
        assert_eq!(v["accepted"], true);
        let status = v["fields"].as_array().unwrap().iter().find(|f| f["field"] == "status").unwrap();
        assert_eq!(status["source"], serde_json::json!({"kind": "label", "line": 5, "label": "Status"}));
    }
}
