//! The section readers: classify each heading by its normalized text (whatever its level or
//! place) with one synonym table, the one classifier of the program (the site draws its panels
//! from the kinds it gives), and read each section into the model: summary, root cause,
//! detection, impact, resolution, self-healing, communication, lessons learned, action items,
//! technical details, references and sign-off (the timeline has its own reader, `timeline`);
//! also the header values written elsewhere than in the summary, a start when none is given,
//! and whether the document is still an unfilled template.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::blocks::{Block, Cell, Doc, Item, Line, Table};
use super::model::*;
use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use super::header::Via;
use super::values::{self, normalize, starts_with_words as sw};
use super::{Diags, Header, Key, Slot};

pub(crate) use super::model::SectionKind as Kind;

/// Kinds read wherever they stand that do not end their parent's extent.
fn is_subsection(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::UserImpact
            | Kind::CustomerImpact
            | Kind::BusinessImpact
            | Kind::Immediate
            | Kind::ShortTerm
            | Kind::LongTerm
            | Kind::Internal
            | Kind::External
            | Kind::WentWell
            | Kind::ToImprove
            | Kind::Lucky
            | Kind::Trigger
            | Kind::ContributingFactors
            | Kind::TimelineEntry
    )
}

/// How a synonym matches a normalized heading or label.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Match {
    /// The whole text, or its first words (`root cause analysis` by `root cause`).
    Prefix,
    /// The whole text only.
    Exact,
}

/// The synonym table: normalized heading (or label) words → kind. The longest match of the
/// text's leading words wins.
const SYNONYMS: &[(&str, Kind, Match)] = {
    use Kind::*;
    use Match::*;
    &[
        ("summary", Summary, Prefix),
        ("incident summary", Summary, Prefix),
        ("executive summary", Summary, Prefix),
        ("issue summary", Summary, Prefix),
        ("overview", Summary, Prefix),
        ("incident overview", Summary, Prefix),
        ("incident details", Summary, Prefix),
        ("incident information", Summary, Prefix),
        ("key information", Summary, Prefix),
        ("description", Summary, Exact),
        ("incident description", Summary, Prefix),
        ("brief description", Summary, Prefix),
        ("tl dr", Summary, Exact),
        ("tldr", Summary, Exact),
        ("timeline", Timeline, Prefix),
        ("incident timeline", Timeline, Prefix),
        ("detailed timeline", Timeline, Prefix),
        ("event timeline", Timeline, Prefix),
        ("timeline of events", Timeline, Prefix),
        ("chronology", Timeline, Prefix),
        ("sequence of events", Timeline, Prefix),
        ("chain of events", Timeline, Prefix),
        ("root cause", RootCause, Prefix),
        ("root causes", RootCause, Prefix),
        ("cause", RootCause, Prefix),
        ("causes", RootCause, Prefix),
        ("blameless root cause", RootCause, Prefix),
        ("what caused the incident", RootCause, Prefix),
        ("what caused this", RootCause, Prefix),
        ("what caused it", RootCause, Prefix),
        ("why it happened", RootCause, Prefix),
        ("why did it happen", RootCause, Prefix),
        ("why this happened", RootCause, Prefix),
        ("why did this happen", RootCause, Prefix),
        ("fault", RootCause, Exact),
        ("details", RootCause, Exact),
        ("what happened", RootCause, Exact),
        ("trigger", Trigger, Prefix),
        ("triggers", Trigger, Prefix),
        ("contributing factors", ContributingFactors, Prefix),
        ("contributing factor", ContributingFactors, Prefix),
        ("contributing causes", ContributingFactors, Prefix),
        ("detection", Detection, Prefix),
        ("how it was detected", Detection, Prefix),
        ("how was it detected", Detection, Prefix),
        ("how we found out", Detection, Prefix),
        ("impact analysis", Impact, Prefix),
        ("impact assessment", Impact, Prefix),
        ("impact", Impact, Exact),
        ("impact and severity", Impact, Exact),
        ("description of impact", Impact, Prefix),
        ("detailed description of impact", Impact, Prefix),
        ("customer facing impact", CustomerImpact, Prefix),
        ("user impact", UserImpact, Prefix),
        ("users impact", UserImpact, Prefix),
        ("end user impact", UserImpact, Prefix),
        ("customer specific impact", CustomerImpact, Prefix),
        ("customer impact", CustomerImpact, Prefix),
        ("impact by customer", CustomerImpact, Prefix),
        ("impact on customers", CustomerImpact, Prefix),
        ("customers affected", CustomerImpact, Prefix),
        ("business impact", BusinessImpact, Prefix),
        ("resolution", Resolution, Prefix),
        ("mitigation", Resolution, Prefix),
        ("mitigation and resolution", Resolution, Prefix),
        ("recovery", Resolution, Exact),
        ("how it was resolved", Resolution, Prefix),
        ("immediate", Immediate, Prefix),
        ("short term", ShortTerm, Prefix),
        ("long term", LongTerm, Prefix),
        ("self healing", SelfHealing, Prefix),
        ("communication", Communication, Prefix),
        ("communications", Communication, Prefix),
        ("messaging", Communication, Prefix),
        ("internal", Internal, Prefix),
        ("external", External, Prefix),
        ("lessons learned", Lessons, Prefix),
        ("lessons learnt", Lessons, Prefix),
        ("lessons", Lessons, Prefix),
        ("learnings", Lessons, Prefix),
        ("key learnings", Lessons, Prefix),
        ("further learnings", Lessons, Prefix),
        ("takeaways", Lessons, Prefix),
        ("key takeaways", Lessons, Prefix),
        ("how d we do", Lessons, Prefix),
        ("how did we do", Lessons, Prefix),
        ("what went well", WentWell, Prefix),
        ("went well", WentWell, Prefix),
        ("what went right", WentWell, Prefix),
        ("went right", WentWell, Prefix),
        ("things that went well", WentWell, Prefix),
        ("what worked", WentWell, Prefix),
        ("what worked well", WentWell, Prefix),
        ("what we did well", WentWell, Prefix),
        ("what could be improved", ToImprove, Prefix),
        ("what went wrong", ToImprove, Prefix),
        ("things that went wrong", ToImprove, Prefix),
        ("what went badly", ToImprove, Prefix),
        ("what went poorly", ToImprove, Prefix),
        ("what could have gone better", ToImprove, Prefix),
        ("what could have been better", ToImprove, Prefix),
        ("what didn t go well", ToImprove, Prefix),
        ("what didn t go so well", ToImprove, Prefix),
        ("what did not go well", ToImprove, Prefix),
        ("didn t go well", ToImprove, Prefix),
        ("did not go well", ToImprove, Prefix),
        ("went badly", ToImprove, Prefix),
        ("could be improved", ToImprove, Prefix),
        ("could have gone better", ToImprove, Prefix),
        ("what could have been done better", ToImprove, Prefix),
        ("to improve", ToImprove, Prefix),
        ("areas for improvement", ToImprove, Prefix),
        ("opportunities for improvement", ToImprove, Prefix),
        ("where we got lucky", Lucky, Prefix),
        ("where did we get lucky", Lucky, Prefix),
        ("where we were lucky", Lucky, Prefix),
        ("where were we lucky", Lucky, Prefix),
        ("what was lucky", Lucky, Prefix),
        ("lucky", Lucky, Exact),
        ("action items", ActionItems, Prefix),
        ("action item", ActionItems, Prefix),
        ("actions", ActionItems, Exact),
        ("action plan", ActionItems, Prefix),
        ("follow up actions", ActionItems, Prefix),
        ("follow ups", ActionItems, Prefix),
        ("follow up", ActionItems, Exact),
        ("follow up items", ActionItems, Prefix),
        ("followups", ActionItems, Prefix),
        ("corrective actions", ActionItems, Prefix),
        ("corrective action", ActionItems, Prefix),
        ("corrective and preventative measures", ActionItems, Prefix),
        ("corrective and preventive measures", ActionItems, Prefix),
        ("corrective and preventative actions", ActionItems, Prefix),
        ("corrective and preventive actions", ActionItems, Prefix),
        ("remediation", ActionItems, Prefix),
        ("remediations", ActionItems, Prefix),
        ("prevention", ActionItems, Prefix),
        ("preventive actions", ActionItems, Prefix),
        ("preventative actions", ActionItems, Prefix),
        ("preventive measures", ActionItems, Prefix),
        ("next steps", ActionItems, Prefix),
        ("what we re doing", ActionItems, Prefix),
        ("what we are doing", ActionItems, Prefix),
        ("what we will do", ActionItems, Prefix),
        ("what we re changing", ActionItems, Prefix),
        ("what we are changing", ActionItems, Prefix),
        ("preventing recurrence", ActionItems, Prefix),
        ("preventing this in the future", ActionItems, Prefix),
        ("future work", ActionItems, Prefix),
        ("follow up work", ActionItems, Prefix),
        ("going forward", ActionItems, Prefix),
        ("improvements", ActionItems, Exact),
        ("technical details", Technical, Prefix),
        ("technical detail", Technical, Prefix),
        ("technical analysis", Technical, Prefix),
        ("references", References, Prefix),
        ("reference", References, Prefix),
        ("links", References, Prefix),
        ("related links", References, Prefix),
        ("supporting information", References, Prefix),
        ("supporting documents", References, Prefix),
        ("supporting material", References, Prefix),
        ("related incidents", References, Prefix),
        ("related records", References, Prefix),
        ("related documents", References, Prefix),
        ("sign off", SignOff, Prefix),
        ("signoff", SignOff, Prefix),
        ("sign offs", SignOff, Prefix),
        ("approval", SignOff, Prefix),
        ("approvals", SignOff, Prefix),
        ("approved", SignOff, Prefix),
        ("review and approval", SignOff, Prefix),
    ]
};

/// The most words a synonym has.
const MAX_SYNONYM_WORDS: usize = 6;

/// Hashed with rustc's Fx (`rustc-hash`), not SipHash: the keys are a few short words, looked up
/// for every heading of every record, where SipHash's start-up cost dominates.
type SynonymTable = FxHashMap<&'static str, (Kind, Match)>;

fn synonyms() -> &'static SynonymTable {
    static TABLE: OnceLock<SynonymTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        debug_assert!(SYNONYMS.iter().all(|(s, ..)| s.split(' ').count() <= MAX_SYNONYM_WORDS));
        SYNONYMS.iter().map(|&(s, k, m)| (s, (k, m))).collect()
    })
}

/// The kind a normalized heading or label names, by the synonym table: a lookup of its leading
/// words, longest first, after any section number (`3 root cause`). `Other` when none matches.
pub(crate) fn classify(norm: &str) -> Kind {
    let mut n = norm;
    while let Some((first, rest)) = n.split_once(' ') {
        if first.bytes().all(|b| b.is_ascii_digit()) {
            n = rest;
        } else {
            break;
        }
    }
    let table = synonyms();
    // The ends of the first words: `n[..end]` is each candidate, longest first.
    let mut ends: [usize; MAX_SYNONYM_WORDS] = [0; MAX_SYNONYM_WORDS];
    let mut count = 0;
    for (i, b) in n.bytes().enumerate() {
        if b == b' ' {
            ends[count] = i;
            count += 1;
            if count == MAX_SYNONYM_WORDS {
                break;
            }
        }
    }
    if count < MAX_SYNONYM_WORDS {
        ends[count] = n.len();
        count += 1;
    }
    for &end in ends[..count].iter().rev() {
        if let Some(&(kind, how)) = table.get(&n[..end])
            && (how == Match::Prefix || end == n.len())
        {
            return kind;
        }
    }
    // `Incident Follow-ups`, `The Timeline`: the words after (once: no loop on `the the …`).
    match n.split_once(' ') {
        Some(("incident" | "the" | "our", rest)) if !rest.starts_with(['i', 't', 'o']) || !prefixed(rest) => {
            classify(rest)
        }
        _ => Kind::Other,
    }
}

/// True when `n` starts with a word [`classify`] skips.
fn prefixed(n: &str) -> bool {
    matches!(n.split_once(' '), Some(("incident" | "the" | "our", _)))
}

/// The kind of a heading from its class (its [`classify`]); `parent` is the last top-level
/// kind seen (for `Internal` / `External`, which only mean something under Communication).
fn kind_of(class: Kind, parent: Kind) -> Kind {
    match class {
        Kind::Internal | Kind::External if parent != Kind::Communication => Kind::Other,
        kind => kind,
    }
}

/// Headings classified: the first heading of each kind.
pub(crate) struct Outline {
    first: HashMap<Kind, usize>,
    kinds: Vec<Kind>,
}

impl Outline {
    pub fn new(doc: &Doc<'_>, diags: &mut Diags<'_>) -> Outline {
        let mut first: HashMap<Kind, usize> = HashMap::new();
        let mut kinds = Vec::with_capacity(doc.headings.len());
        let mut parent = Kind::Other;
        // `What went wrong` lists what to improve beside `What went well` or under a Lessons
        // heading; alone, it tells the cause. `Fault`, `Details` and `What happened` are the cause
        // only when no heading names the root cause.
        let weak = |n: &str| sw(n, "what went wrong") || matches!(n, "fault" | "details" | "what happened");
        let classes: Vec<Kind> = doc.headings.iter().map(|h| classify(&h.norm)).collect();
        let went_well = classes.contains(&Kind::WentWell);
        let root_cause =
            classes.iter().zip(&doc.headings).any(|(k, h)| *k == Kind::RootCause && !weak(&h.norm));
        // The level of the timeline heading whose sub-headings are being read.
        let mut timeline: Option<u8> = None;
        for (i, h) in doc.headings.iter().enumerate() {
            let mut kind = kind_of(classes[i], parent);
            timeline = timeline.filter(|&level| h.level > level);
            if timeline.is_some()
                && kind == Kind::Other
                && super::timeline::scan(&h.text, Some(2000)).is_some()
            {
                kind = Kind::TimelineEntry;
            }
            if kind == Kind::Timeline {
                timeline = Some(h.level);
            }
            if kind == Kind::Other && i == 0 && h.level == 1 {
                kind = Kind::Title;
            }
            if kind == Kind::ToImprove
                && parent != Kind::Lessons
                && !went_well
                && !root_cause
                && sw(&h.norm, "what went wrong")
            {
                kind = Kind::RootCause;
            }
            if kind == Kind::RootCause && root_cause && weak(&h.norm) {
                kind = Kind::Other;
            }
            if kind != Kind::Other && !is_subsection(kind) {
                parent = kind;
            }
            if kind != Kind::Other {
                if let Some(&prev) = first.get(&kind)
                    && !matches!(kind, Kind::Summary | Kind::TimelineEntry)
                {
                    diags.warn(
                        h.line,
                        "duplicate-section",
                        format!(
                            "a second `{}` section (the first is on line {}); only the first is read",
                            values::shown(&h.text),
                            doc.headings[prev].line
                        ),
                    );
                } else {
                    // Every Summary section is read (`Key Information` and `Summary`).
                    first.entry(kind).or_insert(i);
                }
            }
            kinds.push(kind);
        }
        Outline { first, kinds }
    }

    /// Where each heading's extent ends. Normally at the next heading of the same or a higher
    /// level. In a flat document (every section heading at one level, as when `##` is written
    /// `###` throughout), a section instead runs on over unknown headings and its own known
    /// subsections, up to the next known section.
    pub fn extent_ends(&self, doc: &Doc<'_>) -> Vec<usize> {
        let hs = &doc.headings;
        let n = hs.len();
        let mut ends = vec![n; n];
        // The next heading at the same or a higher level, with a stack: linear in the headings.
        let mut open: Vec<usize> = Vec::new();
        for i in 0..n {
            while let Some(&top) = open.last().filter(|&&t| hs[t].level >= hs[i].level) {
                ends[top] = i;
                open.pop();
            }
            open.push(i);
        }
        let mut levels = hs.iter().zip(&self.kinds).filter(|(_, k)| **k != Kind::Title).map(|(h, _)| h.level);
        let flat = levels.next().is_some_and(|l| levels.all(|m| m == l));
        if flat {
            let (mut next_known, mut next_section) = (n, n);
            for i in (0..n).rev() {
                let kind = self.kinds[i];
                if kind != Kind::Other && kind != Kind::Title {
                    ends[i] = if is_subsection(kind) { next_known } else { next_section };
                }
                if kind != Kind::Other {
                    next_known = i;
                    if !is_subsection(kind) {
                        next_section = i;
                    }
                }
            }
        }
        ends
    }

    pub fn find(&self, kind: Kind) -> Option<usize> {
        self.first.get(&kind).copied()
    }

    /// The kind of heading `h`.
    pub fn kind(&self, h: usize) -> Kind {
        self.kinds.get(h).copied().unwrap_or_default()
    }
}

/// Every labelled line of `blocks`: paragraph lines and the first line of list items.
fn labelled<'d, 'a>(blocks: &'d [Block<'a>]) -> impl Iterator<Item = &'d Line<'a>> {
    blocks
        .iter()
        .flat_map(|b| -> Box<dyn Iterator<Item = &'d Line<'a>> + 'd> {
            match b {
                Block::Lines(lines) => Box::new(lines.iter()),
                Block::List(items) => Box::new(items.iter().filter_map(|i| i.lines.first())),
                Block::Table(t) => Box::new(t.pairs.iter()),
                Block::Code(_) => Box::new(std::iter::empty()),
            }
        })
        .filter(|l| l.label.is_some())
}

/// The labelled lines of paragraphs only (not of list items).
fn labelled_paragraphs<'d, 'a>(blocks: &'d [Block<'a>]) -> impl Iterator<Item = &'d Line<'a>> {
    blocks
        .iter()
        .flat_map(|b| match b {
            Block::Lines(lines) => lines.as_slice(),
            _ => &[],
        })
        .filter(|l| l.label.is_some())
}

/// A field as the model keeps it: label as written, value as inline Markdown (empty when it
/// is a template's prompt).
fn field(line: &Line<'_>) -> Field {
    let value = line.label.as_ref().map_or("", |l| l.value_src);
    // `*Label:* value`: the italic's closing mark is no part of the value.
    let value = value.strip_prefix("* ").or_else(|| value.strip_prefix("_ ")).unwrap_or(value).trim_start();
    Field {
        label: line.label_text().to_string(),
        value: if values::is_prompt(value) { String::new() } else { value.to_string() },
    }
}

/// A labelled line whose value is data: not empty, not a template's prompt.
fn filled(line: &Line<'_>) -> bool {
    !line.value_plain().is_empty() && !values::is_prompt(line.label.as_ref().map_or("", |l| l.value_src))
}

/// The block right after a paragraph whose last line has a label matching `pred`
/// (`**Contributing Factors**:` followed by a list or a code block).
fn attached<'d, 'a>(blocks: &'d [Block<'a>], pred: impl Fn(&str) -> bool) -> Option<&'d Block<'a>> {
    blocks.windows(2).find_map(|w| match &w[0] {
        Block::Lines(lines) if lines.last().is_some_and(|l| l.label.is_some() && pred(l.label_norm())) => {
            Some(&w[1])
        }
        _ => None,
    })
}

fn list_texts<'i, 'a: 'i>(items: impl IntoIterator<Item = &'i Item<'a>>) -> Vec<String> {
    items
        .into_iter()
        .map(|i| {
            let src = i.src();
            let (_, rest) = values::strip_marker(&src);
            rest.to_string()
        })
        .filter(|t| !t.is_empty() && !values::is_prompt(t))
        .collect()
}

fn all_list_items<'d, 'a>(blocks: &'d [Block<'a>]) -> impl Iterator<Item = &'d Item<'a>> {
    blocks.iter().flat_map(|b| match b {
        Block::List(items) => items.as_slice(),
        _ => &[],
    })
}

fn code_blocks(blocks: &[Block<'_>]) -> Vec<CodeBlock> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Code(c) => Some(CodeBlock { lang: c.lang.clone(), code: c.code.clone() }),
            _ => None,
        })
        .collect()
}

/// Reads the header values (summary, classification, retention, sign-off) into `header`, with
/// their lines, for the front matter to complete and the gate to check.
pub(crate) fn read_header(
    doc: &Doc<'_>,
    outline: &Outline,
    inc: &mut Incident,
    header: &mut Header,
    diags: &mut Diags<'_>,
) {
    summary(doc, outline, inc, header, diags);
    global_fields(doc, header, diags);
    sign_off(doc, outline, inc, header);
}

/// Reads every other section into `inc`; needs the header applied (the start time resolves the
/// timeline, the summary's customer count completes the impact).
pub(crate) fn read_body(
    doc: &Doc<'_>,
    outline: &Outline,
    inc: &mut Incident,
    header: &mut Header,
    diags: &mut Diags<'_>,
) {
    let extent = |k: Kind| outline.find(k).map_or(&[][..], |h| doc.extent_blocks(h));
    let body = |k: Kind| outline.find(k).map_or("", |h| doc.extent_body(h)).to_string();
    let zone = header.get(Key::Zone).and_then(|z| values::parse_zone(&z.value));
    super::timeline::read(doc, outline, zone, inc, diags);
    root_cause(doc, outline, header, inc);
    inc.root_cause.details_markdown = body(Kind::RootCause);
    detection(extent(Kind::Detection), &mut inc.detection);
    if inc.detection.how_detected.is_empty() {
        // `Detection: …` among the header labels, or a section of prose.
        inc.detection.how_detected =
            narrative(header, Kind::Detection).map(str::to_string).unwrap_or_else(|| {
                if inc.detection.fields.is_empty() {
                    first_text(extent(Kind::Detection))
                } else {
                    String::new()
                }
            });
    }
    inc.detection.details_markdown = body(Kind::Detection);
    impact(doc, outline, inc, header);
    customers(doc, inc, header, diags);
    resolution(doc, outline, &mut inc.resolution);
    let r = &mut inc.resolution;
    if r.immediate.is_empty() && r.short_term.is_empty() && r.long_term.is_empty() {
        // `Resolution: …` among the header labels, or a section of prose: what was done.
        let text = narrative(header, Kind::Resolution)
            .map(str::to_string)
            .unwrap_or_else(|| first_text(extent(Kind::Resolution)));
        if !text.is_empty() {
            r.immediate.push(Step { done: true, text });
        }
    }
    self_healing(extent(Kind::SelfHealing), &mut inc.self_healing);
    inc.self_healing.markdown = body(Kind::SelfHealing);
    communication(doc, outline, &mut inc.communication);
    inc.communication.markdown = body(Kind::Communication);
    lessons(doc, outline, header, &mut inc.lessons_learned);
    action_items(doc, outline, inc, header, diags);
    let tech = extent(Kind::Technical);
    inc.technical_details.fields = labelled(tech).filter(|l| filled(l)).map(field).collect();
    inc.technical_details.code_blocks = code_blocks(tech);
    inc.technical_details_markdown = body(Kind::Technical);
    inc.references = references(extent(Kind::References));
}

fn summary(doc: &Doc<'_>, outline: &Outline, inc: &mut Incident, header: &mut Header, diags: &mut Diags<'_>) {
    header.summary_line = outline.find(Kind::Summary).map(|h| doc.headings[h].line);
    let title = outline.find(Kind::Title);
    if let Some(t) = title {
        let h = &doc.headings[t];
        let (_, id) = heading_title(&h.text);
        // `# Incident Report: INC-2025-0023` names the id too.
        if let Some(id) = id {
            header.title_id =
                Some(Slot { value: id.to_string(), line: h.line, front_matter: false, via: Via::Title });
        }
    }
    let summaries = (0..doc.headings.len()).filter(|&i| outline.kind(i) == Kind::Summary);
    let regions = [Some(doc.preamble_blocks()), title.map(|t| doc.own_blocks(t))]
        .into_iter()
        .flatten()
        .chain(summaries.map(|s| doc.extent_blocks(s)));
    for blocks in regions {
        for b in blocks {
            if let Block::Table(t) = b {
                for (key, slot) in header_table(t) {
                    header.set(key, slot, diags);
                }
            }
        }
        for line in labelled(blocks) {
            let norm = line.label_norm();
            match Key::from_label(norm) {
                Some(key) => header.set(key, slot(line), diags),
                None if Key::from_global_label(norm).is_some() => {}
                // `Root Causes: …`, `Trigger: …`, `Detection: …` among the header labels: the
                // content of a section written as one line.
                None => match classify(norm) {
                    kind @ (Kind::RootCause
                    | Kind::Trigger
                    | Kind::ContributingFactors
                    | Kind::Detection
                    | Kind::Resolution
                    | Kind::WentWell
                    | Kind::ToImprove
                    | Kind::Lucky) => header.narrative.push((kind, field(line))),
                    _ => inc.extra_fields.push(field(line)),
                },
            }
        }
    }
}

/// The title and the id a level-1 heading gives: `Incident Report: INC-2025-0023` names only
/// the id; `INC-123: Checkout errors` both; `Postmortem: Checkout errors` the title after the
/// word that says what the document is; anything else is the title as written.
fn heading_title(text: &str) -> (Option<&str>, Option<&str>) {
    const KINDS: [&str; 12] = [
        "postmortem",
        "post mortem",
        "incident report",
        "incident",
        "incident postmortem",
        "postmortem report",
        "post incident review",
        "incident review",
        "rca",
        "root cause analysis",
        "retrospective",
        "outage report",
    ];
    let text = text.trim();
    // `Incident Review — DNS failures` as well as `Postmortem: DNS failures`.
    let dash = [" — ", " – ", " - "]
        .iter()
        .find_map(|d| text.split_once(d))
        .filter(|(before, _)| KINDS.contains(&normalize(before).as_str()));
    if let Some((_, after)) = dash {
        return (Some(after.trim()), None);
    }
    let Some((before, after)) = text.split_once(':') else { return (Some(text), None) };
    let (before, after) = (before.trim(), after.trim());
    if after.is_empty() {
        return (Some(before), None);
    }
    if !after.contains(char::is_whitespace) {
        return (None, Some(after));
    }
    // `2024-03-05: Database outage`: a date, not an id.
    if values::parse_date(before).is_ok() {
        return (Some(after), None);
    }
    if values::is_safe_id(before) && before.bytes().any(|b| b.is_ascii_digit()) {
        return (Some(after), Some(before));
    }
    if KINDS.contains(&normalize(before).as_str()) {
        return (Some(after), None);
    }
    (Some(text), None)
}

/// A template's title line: `[Incident title]`, `Title (incident #)`, `Title of the incident`,
/// `Postmortem Template`.
fn title_prompt(title: &str) -> bool {
    let n = normalize(title);
    // `[Incident Name] Postmortem`: a bracketed blank to fill.
    let blank = title.split('[').skip(1).filter_map(|b| b.split_once(']')).any(|(inner, _)| {
        let i = normalize(inner);
        ["name", "title", "incident", "date", "service", "summary", "product"]
            .iter()
            .any(|w| i.split(' ').any(|x| x == *w))
    });
    blank
        || values::is_prompt(title)
        || sw(&n, "title")
        || sw(&n, "incident title")
        || sw(&n, "name of the incident")
        || n.split(' ').any(|w| w == "template")
}

/// Completes the header after the summary and the front matter: header labels written under
/// any other heading (not in the sign-off, timeline, action items or other sections whose
/// labels mean something else) fill the values still missing, and the document's level-1
/// heading is the title when nothing else gives one.
pub(crate) fn complete_header(doc: &Doc<'_>, outline: &Outline, header: &mut Header) {
    let mut skip_below: Option<u8> = None;
    for (i, h) in doc.headings.iter().enumerate() {
        if skip_below.is_some_and(|level| h.level > level) {
            continue;
        }
        skip_below = None;
        let kind = outline.kind(i);
        let readable = matches!(
            kind,
            Kind::Title
                | Kind::Summary
                | Kind::Other
                | Kind::RootCause
                | Kind::Trigger
                | Kind::Detection
                | Kind::Impact
                | Kind::UserImpact
                | Kind::CustomerImpact
        );
        if !readable {
            skip_below = Some(h.level);
            continue;
        }
        for line in labelled(doc.own_blocks(i)) {
            let norm = line.label_norm();
            // Words that name other things too (`Name`, `State`, `Date`, `Impact`) count only
            // in the summary.
            if matches!(
                norm,
                "name" | "incident" | "state" | "impact" | "priority" | "start" | "end" | "date"
            ) {
                continue;
            }
            if let Some(key) = Key::from_label(norm) {
                header.set_if_missing(key, slot(line));
            } else if kind == Kind::Other
                && let narrative @ (Kind::RootCause | Kind::Trigger | Kind::Detection | Kind::Resolution) =
                    classify(norm)
            {
                // `**Root cause:** …` under `## Analysis`: after those among the header labels.
                header.narrative.push((narrative, field(line)));
            }
        }
    }
    // `### Status` with `Complete` under it: a header value written as a heading.
    for (i, h) in doc.headings.iter().enumerate() {
        if outline.kind(i) != Kind::Other {
            continue;
        }
        if let Some(key) = Key::from_label(&h.norm)
            && let Some(Block::Lines(lines)) = doc.own_blocks(i).first()
            && let [line] = lines.as_slice()
            && line.label.is_none()
            && !values::is_prompt(line.src)
        {
            header.set_if_missing(
                key,
                Slot {
                    value: line.plain.trim().to_string(),
                    line: line.line,
                    front_matter: false,
                    via: Via::Heading(h.text.clone()),
                },
            );
        }
    }
    header.date_as_start();
    if let Some(t) = outline.find(Kind::Title) {
        let h = &doc.headings[t];
        if let (Some(title), _) = heading_title(&h.text)
            && !title_prompt(title)
        {
            header.set_if_missing(
                Key::Title,
                Slot { value: title.to_string(), line: h.line, front_matter: false, via: Via::Title },
            );
        }
    }
}

/// A header value; a template's prompt (`[Date]`, `TBD`) is no value.
/// The header values of a table that is not a two-column one: a row of values under a row of
/// labels (`| Incident | Date | Status |`), or label and value side by side twice
/// (`| Start Time | … | Detected By | … |`).
fn header_table(t: &Table<'_>) -> Vec<(Key, Slot)> {
    let value = |c: &Cell<'_>, line: usize, label: &Cell<'_>| {
        let v = if values::is_prompt(c.src) { "" } else { c.plain.trim() };
        Slot {
            value: v.to_string(),
            line,
            front_matter: false,
            via: Via::Label(label.plain.trim().to_string()),
        }
    };
    let mut out = Vec::new();
    if t.header.len() > 2 && t.rows.len() == 1 {
        let keys: Vec<Option<Key>> = t.header_norm.iter().map(|n| Key::from_label(n)).collect();
        if keys.iter().flatten().count() >= 2 {
            let row = &t.rows[0];
            for ((key, c), label) in keys.iter().zip(&row.cells).zip(&t.header) {
                if let Some(k) = key {
                    out.push((*k, value(c, row.line, label)));
                }
            }
        }
    } else if t.header.len() == 4 {
        let rows = std::iter::once((t.line, &t.header)).chain(t.rows.iter().map(|r| (r.line, &r.cells)));
        for (line, cells) in rows {
            for pair in cells.chunks(2) {
                if let [k, v] = pair
                    && let Some(key) = Key::from_label(&normalize(&k.plain))
                {
                    out.push((key, value(v, line, k)));
                }
            }
        }
    }
    out
}

fn slot(line: &Line<'_>) -> Slot {
    let value = if filled(line) { line.value_plain() } else { "" };
    let via = Via::Label(line.label_text().to_string());
    Slot { value: value.to_string(), line: line.line, front_matter: false, via }
}

/// `Classification` and `Retention` may stand anywhere (usually after the sign-off).
fn global_fields(doc: &Doc<'_>, header: &mut Header, diags: &mut Diags<'_>) {
    for line in labelled(&doc.blocks) {
        if let Some(key) = Key::from_global_label(line.label_norm()) {
            header.set(key, slot(line), diags);
        }
    }
}

fn value_of<'d>(blocks: &'d [Block<'_>], labels: &[&str]) -> Option<&'d Line<'d>> {
    labelled(blocks).find(|l| labels.contains(&l.label_norm()))
}

/// The text of the first paragraph of `blocks`, else the items of its first list joined by `; `.
fn first_text(blocks: &[Block<'_>]) -> String {
    let paragraph = blocks.iter().find_map(paragraph_text);
    paragraph
        .or_else(|| {
            blocks.iter().find_map(|b| match b {
                Block::List(items) => Some(list_texts(items).join("; ")),
                _ => None,
            })
        })
        .unwrap_or_default()
}

/// A paragraph's lines as written, joined by a space, without the lines that are a
/// template's prompts; `None` for other blocks and for paragraphs of prompts only.
fn paragraph_text(block: &Block<'_>) -> Option<String> {
    let Block::Lines(lines) = block else { return None };
    let text = lines.iter().map(|l| l.src).filter(|s| !values::is_prompt(s)).collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// The value of the first header label of `kind` (`Root Causes: …` under the title).
fn narrative(header: &Header, kind: Kind) -> Option<&str> {
    header.narrative.iter().find(|(k, f)| *k == kind && !f.value.is_empty()).map(|(_, f)| f.value.as_str())
}

fn root_cause(doc: &Doc<'_>, outline: &Outline, header: &Header, inc: &mut Incident) {
    const SUMMARY: [&str; 5] = ["primary cause", "root cause", "cause", "summary", "primary root cause"];
    let section = outline.find(Kind::RootCause);
    let blocks = section.map_or(&[][..], |h| doc.extent_blocks(h));
    let rc = &mut inc.root_cause;
    let primary = value_of(blocks, &SUMMARY);
    rc.summary = match primary {
        Some(l) => field(l).value,
        None => blocks.iter().find_map(paragraph_text).unwrap_or_default(),
    };
    if rc.summary.is_empty() {
        // A cause written as a list, as one line among the header labels, or only as a trigger.
        rc.summary = first_text(blocks);
    }
    let trigger = outline
        .find(Kind::Trigger)
        .map(|h| first_text(doc.own_blocks(h)))
        .filter(|t| !t.is_empty())
        .or_else(|| narrative(header, Kind::Trigger).map(str::to_string));
    if rc.summary.is_empty() {
        rc.summary = narrative(header, Kind::RootCause)
            .map(str::to_string)
            .or_else(|| trigger.clone())
            .unwrap_or_default();
    }
    let factors = match attached(blocks, |n| sw(n, "contributing")) {
        Some(Block::List(items)) => Some(list_texts(items)),
        _ => None,
    };
    rc.contributing_factors = factors
        .or_else(|| {
            // Or a `### Contributing Factors` heading inside the section.
            let start = section?;
            (start + 1..doc.extent_end(start))
                .find(|&h| sw(&doc.headings[h].norm, "contributing"))
                .map(|h| all_list_items(doc.own_blocks(h)).map(Item::src).collect())
        })
        .or_else(|| {
            // Or a Contributing Factors section elsewhere.
            let h = outline.find(Kind::ContributingFactors)?;
            let items: Vec<String> = list_texts(all_list_items(doc.own_blocks(h)));
            if items.is_empty() {
                Some(vec![first_text(doc.own_blocks(h))].into_iter().filter(|t| !t.is_empty()).collect())
            } else {
                Some(items)
            }
        })
        .or_else(|| narrative(header, Kind::ContributingFactors).map(|v| vec![v.to_string()]))
        .unwrap_or_default();
    if rc.summary.is_empty()
        && let Some(first) = rc.contributing_factors.first()
    {
        rc.summary = first.clone();
    }
    rc.code_blocks = code_blocks(blocks);
    rc.fields = labelled(blocks)
        .filter(|l| !SUMMARY.contains(&l.label_norm()) && !sw(l.label_norm(), "contributing"))
        .filter(|l| filled(l))
        .map(field)
        .collect();
    if let Some(t) = trigger {
        rc.fields.push(Field { label: "Trigger".to_string(), value: t });
    }
}

/// The longest leading run of words that reads as a duration: `47 seconds after …` → 47.
fn leading_duration(s: &str) -> Option<u64> {
    let words: Vec<&str> = s.split_whitespace().take(8).collect();
    (1..=words.len())
        .rev()
        .find_map(|n| values::parse_duration(&words[..n].join(" "), None))
        .map(|x| x.round() as u64)
}

fn detection(blocks: &[Block<'_>], d: &mut Detection) {
    let plain =
        |labels: &[&str]| value_of(blocks, labels).map(|l| l.value_plain().to_string()).unwrap_or_default();
    d.how_detected = plain(&["how detected", "detected by", "detection source", "source"]);
    d.time_to_detect = plain(&["time to detect", "ttd", "detection time", "time to detection"]);
    d.method = plain(&["detection method", "method"]);
    d.time_to_detect_seconds = leading_duration(&d.time_to_detect);
    let rule = match attached(blocks, |n| n.contains("alert")) {
        Some(Block::Code(c)) => Some(c),
        _ => blocks.iter().find_map(|b| match b {
            Block::Code(c) => Some(c),
            _ => None,
        }),
    };
    d.alert_rule = rule.map(|c| CodeBlock { lang: c.lang.clone(), code: c.code.clone() });
    d.fields = labelled(blocks).filter(|l| filled(l)).map(field).collect();
}

/// The prose of `blocks`: paragraphs (without labelled lines) and plain bullets, as written,
/// one per line; prompts left out.
fn prose(blocks: &[Block<'_>], out: &mut Vec<String>) {
    for b in blocks {
        match b {
            Block::Lines(lines) => {
                let text = lines
                    .iter()
                    .filter(|l| l.label.is_none() && !values::is_prompt(l.src))
                    .map(|l| l.src)
                    .collect::<Vec<_>>()
                    .join(" ");
                if !text.is_empty() {
                    out.push(text);
                }
            }
            Block::List(items) => {
                for i in items {
                    if i.lines.first().is_some_and(|l| l.label.is_none()) {
                        out.extend(list_texts([i]).into_iter().map(|t| format!("- {t}")));
                    }
                }
            }
            _ => {}
        }
    }
}

fn impact(doc: &Doc<'_>, outline: &Outline, inc: &mut Incident, header: &mut Header) {
    let own = |k: Kind| outline.find(k).map(|h| doc.extent_blocks(h));
    let mut text = Vec::new();
    for k in [Kind::Impact, Kind::UserImpact, Kind::CustomerImpact] {
        if let Some(h) = outline.find(k) {
            prose(doc.own_blocks(h), &mut text);
        }
    }
    inc.impact.text = text.join("\n");
    let user_blocks = own(Kind::UserImpact)
        .or_else(|| outline.find(Kind::Impact).map(|h| doc.own_blocks(h)))
        .unwrap_or(&[]);
    let imp = &mut inc.impact;
    imp.user_fields = labelled(user_blocks).filter(|l| filled(l)).map(field).collect();
    if let Some(l) =
        value_of(user_blocks, &["users affected", "affected users", "users", "total users affected"])
    {
        imp.users_affected = values::first_count(l.value_plain());
        header.users_affected_line = Some(l.line);
        const WORDS: [&str; 4] = ["customer", "customers", "account", "accounts"];
        imp.customer_accounts = values::count_before(l.value_plain(), &WORDS);
    }
    if imp.customer_accounts.is_none() {
        let stated = value_of(user_blocks, &["customer accounts", "customers affected", "accounts affected"]);
        imp.customer_accounts = stated.and_then(|l| values::first_count(l.value_plain()));
    }
    if imp.customer_accounts.is_none() {
        imp.customer_accounts =
            values::count_before(&inc.customer_impact, &["customers", "customer", "accounts"]);
    }
    imp.impact_type = value_of(user_blocks, &["impact type", "type"])
        .map(|l| l.value_plain().to_string())
        .unwrap_or_default();
    imp.business = own(Kind::BusinessImpact)
        .map(|b| labelled(b).filter(|l| filled(l)).map(field).collect())
        .unwrap_or_default();
}

/// The column of `table` whose normalized header satisfies `pred`.
fn column(table: &Table<'_>, pred: impl Fn(&str) -> bool) -> Option<usize> {
    table.header_norm.iter().position(|n| pred(n))
}

fn cell<'t, 'a>(cells: &'t [Cell<'a>], col: Option<usize>) -> Option<&'t Cell<'a>> {
    col.and_then(|c| cells.get(c))
}

/// True for an empty cell or a dash / `N/A` meaning "nothing stated".
fn blank(s: &str) -> bool {
    let t = s.trim();
    t.chars().all(|c| !c.is_alphanumeric())
        || ["n/a", "na", "unknown", "tbd"].iter().any(|w| t.eq_ignore_ascii_case(w))
}

/// Reads the per-customer table wherever it is and warns when the rows disagree with the totals.
fn customers(doc: &Doc<'_>, inc: &mut Incident, header: &mut Header, diags: &mut Diags<'_>) {
    let is_name = |n: &str| sw(n, "customer") || matches!(n, "name" | "account" | "client" | "tenant");
    let table = doc.blocks.iter().find_map(|b| match b {
        Block::Table(t) if column(t, is_name).is_some() && column(t, |n| n.contains("users")).is_some() => {
            Some(t)
        }
        _ => None,
    });
    let Some(table) = table else { return };
    header.customers_line = Some(table.line);
    let name = column(table, is_name);
    let users = column(table, |n| n.contains("users"));
    let delay = column(table, |n| n.contains("delay") || n.contains("latency"));
    let complaints = column(table, |n| n.contains("complaint"));
    for row in &table.rows {
        let name_text = cell(&row.cells, name).map_or("", |c| c.plain.trim()).to_string();
        let mut c = CustomerImpact { name: name_text.clone(), ..CustomerImpact::default() };
        if name_text.contains('(') {
            c.accounts = values::count_before(&name_text, &["account", "accounts", "customers", "tenants"]);
        }
        let mut bad = |column: &str, text: &str| {
            diags.warn(
                row.line,
                "customer-value-invalid",
                format!(
                    "`{}` `{}` of customer `{}` could not be read",
                    column,
                    values::shown(text),
                    values::shown(&name_text)
                ),
            )
        };
        if let Some(x) = cell(&row.cells, users).filter(|x| !blank(&x.plain)) {
            c.users_affected = values::parse_count(&x.plain);
            if c.users_affected.is_none() {
                bad("Users Affected", &x.plain);
            }
        }
        if let Some(x) = cell(&row.cells, delay).filter(|x| !blank(&x.plain)) {
            match values::parse_delay_range(&x.plain) {
                Some((lo, hi)) => {
                    c.max_delay_seconds = Some(hi);
                    c.min_delay_seconds = (lo != hi).then_some(lo);
                }
                None => bad("Max Delay", &x.plain),
            }
        }
        if let Some(x) = cell(&row.cells, complaints).filter(|x| !blank(&x.plain)) {
            c.complaints = values::parse_count(&x.plain);
            if c.complaints.is_none() {
                bad("Complaints", &x.plain);
            }
        }
        inc.impact.customers.push(c);
    }
    let rows = &inc.impact.customers;
    if let Some(total) = inc.impact.users_affected
        && !rows.is_empty()
        && rows.iter().all(|c| c.users_affected.is_some())
    {
        let sum: u64 = rows.iter().filter_map(|c| c.users_affected).sum();
        if sum != total {
            diags.warn(
                table.line,
                "customer-users-sum",
                format!("the customer rows add up to {sum} users, but `Users Affected` says {total}"),
            );
        }
    }
    if let Some(stated) = inc.impact.customer_accounts
        && !rows.is_empty()
    {
        let accounts: u64 = rows.iter().map(|c| c.accounts.unwrap_or(1)).sum();
        if accounts != stated {
            diags.warn(
                table.line,
                "customer-accounts-sum",
                format!("the customer rows cover {accounts} accounts, but the impact states {stated}"),
            );
        }
    }
}

fn steps<'i, 'a: 'i>(items: impl IntoIterator<Item = &'i Item<'a>>) -> Vec<Step> {
    items
        .into_iter()
        .map(|i| {
            let src = i.src();
            let (marker, rest) = values::strip_marker(&src);
            Step { done: i.task().or(marker).unwrap_or(false), text: rest.to_string() }
        })
        .filter(|s| !s.text.is_empty() && !values::is_prompt(&s.text))
        .collect()
}

fn resolution(doc: &Doc<'_>, outline: &Outline, r: &mut Resolution) {
    let list = |k: Kind| outline.find(k).map(|h| steps(all_list_items(doc.extent_blocks(h))));
    let own = outline.find(Kind::Resolution).map_or(&[][..], |h| doc.extent_blocks(h));
    let labelled_list = |prefix: &str| match attached(own, |n| sw(n, prefix)) {
        Some(Block::List(items)) => Some(steps(items)),
        _ => None,
    };
    r.immediate = list(Kind::Immediate).or_else(|| labelled_list("immediate")).unwrap_or_default();
    r.short_term = list(Kind::ShortTerm).or_else(|| labelled_list("short term")).unwrap_or_default();
    r.long_term = list(Kind::LongTerm).or_else(|| labelled_list("long term")).unwrap_or_default();
    if r.immediate.is_empty() && r.short_term.is_empty() && r.long_term.is_empty() {
        // A Resolution section with one plain list: what was done during the incident.
        if let Some(h) = outline.find(Kind::Resolution) {
            r.immediate = steps(all_list_items(doc.own_blocks(h)));
        }
    }
}

fn self_healing(blocks: &[Block<'_>], s: &mut SelfHealing) {
    s.fields = labelled_paragraphs(blocks).filter(|l| filled(l)).map(field).collect();
    let list = |pred: &dyn Fn(&str) -> bool| match attached(blocks, pred) {
        Some(Block::List(items)) => list_texts(items),
        _ => Vec::new(),
    };
    s.why_not_resolved = list(&|n| sw(n, "why") || n.contains("not fully") || n.contains("didn t"));
    s.recommendations = list(&|n| n.contains("recommend"));
}

fn communication(doc: &Doc<'_>, outline: &Outline, c: &mut Communication) {
    let fields = |k: Kind| {
        let blocks = outline.find(k).map_or(&[][..], |h| doc.extent_blocks(h));
        labelled(blocks).filter(|l| filled(l)).map(field).collect()
    };
    c.internal = fields(Kind::Internal);
    c.external = fields(Kind::External);
    c.templates =
        outline.find(Kind::Communication).map(|h| code_blocks(doc.extent_blocks(h))).unwrap_or_default();
}

/// The lessons of a section: its list items, else its paragraphs, one each.
fn lesson_texts(blocks: &[Block<'_>]) -> Vec<String> {
    let items = list_texts(all_list_items(blocks));
    if !items.is_empty() {
        return items;
    }
    blocks.iter().filter_map(paragraph_text).collect()
}

fn lessons(doc: &Doc<'_>, outline: &Outline, header: &Header, l: &mut LessonsLearned) {
    let own = outline.find(Kind::Lessons).map_or(&[][..], |h| doc.extent_blocks(h));
    let read = |k: Kind, pred: &dyn Fn(&str) -> bool| -> Vec<String> {
        if let Some(h) = outline.find(k) {
            return lesson_texts(doc.own_blocks(h));
        }
        match attached(own, pred) {
            Some(Block::List(items)) => list_texts(items),
            // `**What went well**: fast paging.`
            _ => labelled(own)
                .find(|line| pred(line.label_norm()) && filled(line))
                .map(|line| vec![field(line).value])
                .or_else(|| narrative(header, k).map(|v| vec![v.to_string()]))
                .unwrap_or_default(),
        }
    };
    // Or a bold line such as `**What didn't go well**` over a list.
    l.went_well = read(Kind::WentWell, &|n| classify(n) == Kind::WentWell);
    l.to_improve = read(Kind::ToImprove, &|n| classify(n) == Kind::ToImprove);
    l.lucky = read(Kind::Lucky, &|n| classify(n) == Kind::Lucky);
    // A Lessons section's own list or paragraphs, when it has no well / improve split.
    if l.went_well.is_empty()
        && l.to_improve.is_empty()
        && l.lucky.is_empty()
        && let Some(h) = outline.find(Kind::Lessons)
    {
        l.learnings = lesson_texts(doc.own_blocks(h));
    }
}

fn is_action_col(n: &str) -> bool {
    matches!(
        n,
        "action"
            | "action item"
            | "action items"
            | "task"
            | "tasks"
            | "item"
            | "description"
            | "actions"
            | "todo"
            | "to do"
            | "follow up"
            | "remediation"
            | "what"
            | "corrective action"
            | "title"
            | "summary"
    )
}

fn is_due_col(n: &str) -> bool {
    sw(n, "due") || sw(n, "deadline") || sw(n, "target date") || n == "eta" || n == "by when" || n == "when"
}

fn is_owner_col(n: &str) -> bool {
    matches!(n, "owner" | "owners" | "assignee" | "assigned to" | "responsible" | "team" | "who" | "dri")
}

fn is_ticket_col(n: &str) -> bool {
    matches!(n, "ticket" | "tickets" | "bug" | "bugs" | "issue" | "jira" | "link" | "tracking" | "reference")
        || sw(n, "bug")
        || sw(n, "ticket")
        || sw(n, "issue")
}

fn is_status_col(n: &str) -> bool {
    matches!(n, "status" | "state" | "done")
}

/// Reads the action items: every action-item table and list under an action heading (Action
/// Items, Follow-ups, Corrective Actions, …), else the first action-item table anywhere (a
/// table with an action column and an owner or due-date column).
fn action_items(
    doc: &Doc<'_>,
    outline: &Outline,
    inc: &mut Incident,
    header: &mut Header,
    diags: &mut Diags<'_>,
) {
    let mut regions: Vec<&[Block<'_>]> = Vec::new();
    let mut covered_to = 0;
    for i in 0..doc.headings.len() {
        if outline.kind(i) != Kind::ActionItems || i < covered_to {
            continue;
        }
        covered_to = doc.extent_end(i);
        regions.push(doc.extent_blocks(i));
    }
    let mut items: Vec<(ActionItem, usize)> = Vec::new();
    for blocks in &regions {
        for b in *blocks {
            match b {
                Block::Table(t) => {
                    let known = [is_action_col, is_due_col, is_owner_col, is_ticket_col, is_status_col];
                    let any_known = t.header_norm.iter().any(|n| known.iter().any(|f| f(n)));
                    if any_known && t.header.len() >= 2 {
                        table_items(t, true, &mut items, diags);
                    }
                }
                Block::List(list) => list_items(list, &mut items, diags),
                _ => {}
            }
        }
    }
    if items.is_empty() {
        // `**Action items:**` over a list, under any heading.
        for w in doc.blocks.windows(2) {
            if let (Block::Lines(lines), Block::List(list)) = (&w[0], &w[1])
                && lines.last().is_some_and(|l| {
                    l.label.is_some()
                        && l.value_plain().is_empty()
                        && classify(l.label_norm()) == Kind::ActionItems
                })
            {
                list_items(list, &mut items, diags);
            }
        }
    }
    if items.is_empty() {
        let table = doc.blocks.iter().find_map(|b| match b {
            Block::Table(t)
                if column(t, |n| {
                    matches!(n, "action" | "action item" | "task" | "item" | "description" | "actions")
                })
                .is_some()
                    && (column(t, is_due_col).is_some() || column(t, is_owner_col).is_some()) =>
            {
                Some(t)
            }
            _ => None,
        });
        if let Some(t) = table {
            table_items(t, false, &mut items, diags);
        }
    }
    for (item, line) in items {
        header.action_lines.push(line);
        inc.action_items.push(item);
    }
}

/// A due date as written, with a warning when it cannot be read.
fn due_date(text: &str, id: &str, line: usize, diags: &mut Diags<'_>) -> Option<NaiveDate> {
    if blank(text) || values::is_prompt(text) {
        return None;
    }
    match values::parse_date(text) {
        Ok(d) => Some(d),
        Err(why) => {
            diags.warn(
                line,
                "date-invalid",
                format!("due date of action item `{}`: {why}", values::shown(id)),
            );
            None
        }
    }
}

/// The rows of an action-item table; `loose` (under an action heading) takes the first
/// other column as the action when none is named so.
fn table_items(table: &Table<'_>, loose: bool, out: &mut Vec<(ActionItem, usize)>, diags: &mut Diags<'_>) {
    let id = table.header.iter().zip(&table.header_norm).position(|(c, n)| {
        n == "id" || n.ends_with(" id") || c.plain.trim() == "#" || n == "ref" || n == "no"
    });
    let owner = column(table, is_owner_col);
    let due = column(table, is_due_col);
    let status = column(table, is_status_col);
    let ticket = column(table, is_ticket_col);
    let others = [id, owner, due, status, ticket];
    let action = column(table, is_action_col)
        .or_else(|| loose.then(|| (0..table.header.len()).find(|c| !others.contains(&Some(*c)))).flatten());
    if action.is_none() {
        return;
    }
    for row in &table.rows {
        // A template's blank rows (`|  |  |`, `| [Action] | [Owner] |`) are no items.
        let action_src = cell(&row.cells, action).map_or("", |c| c.src);
        if blank(action_src) || values::is_prompt(action_src) {
            continue;
        }
        let text = |col: Option<usize>| {
            cell(&row.cells, col)
                .map_or("", |c| if values::is_prompt(c.src) { "" } else { c.plain.trim() })
                .to_string()
        };
        let mut item = ActionItem {
            id: text(id),
            action: action_src.to_string(),
            owner: text(owner),
            ..ActionItem::default()
        };
        item.due = due_date(&text(due), &item.id, row.line, diags);
        let status_text = text(status);
        let (marker, rest) = values::strip_marker(&status_text);
        item.status = rest.to_string();
        item.done = marker.unwrap_or(false) || values::is_done_status(rest);
        item.ticket = match cell(&row.cells, ticket) {
            Some(c) if !blank(c.src) && !values::is_prompt(c.src) => {
                // `n/a **DONE**` in a Bug column (the SRE book's way): a state, no ticket.
                let words: Vec<&str> = c.plain.split_whitespace().collect();
                if words.iter().any(|w| item_state(w) == Some(true)) {
                    item.done = true;
                }
                let number = c.plain.trim().trim_start_matches(|c: char| !c.is_ascii_digit());
                ticket_in(c.src)
                    .or_else(|| {
                        let n: String = number.chars().take_while(char::is_ascii_digit).collect();
                        (!n.is_empty() && words.len() <= 3).then(|| c.plain.trim().to_string())
                    })
                    .unwrap_or_default()
            }
            _ => ticket_in(action_src).unwrap_or_default(),
        };
        if item.owner.is_empty() {
            item.owner = owner_in(&item.action).unwrap_or_default();
        }
        out.push((item, row.line));
    }
}

/// The items of a list under an action heading: `- [ ] Add an alert (owner: ana, due
/// 2024-03-20, JIRA-12)`, `1. Rotate keys @bo`. A sub-item that only says `Owner: …`, `Due: …`,
/// `Ticket: …` or `Status: …` completes the item above it.
fn list_items(list: &[Item<'_>], out: &mut Vec<(ActionItem, usize)>, diags: &mut Diags<'_>) {
    for it in list {
        let Some(first) = it.lines.first() else { continue };
        let src = it.src();
        let (marker, text) = values::strip_marker(&src);
        let text = text.trim();
        if text.is_empty() || values::is_prompt(text) {
            continue;
        }
        if let Some(label) = &first.label
            && it.lines.len() == 1
            && let Some((prev, _)) = out.last_mut()
        {
            let value = first.value_plain().trim();
            let n = label.norm.as_str();
            if is_owner_col(n) && prev.owner.is_empty() {
                prev.owner = value.to_string();
                continue;
            }
            if is_due_col(n) && prev.due.is_none() {
                prev.due = due_date(value, &prev.id, first.line, diags);
                continue;
            }
            if is_ticket_col(n) && prev.ticket.is_empty() {
                prev.ticket = ticket_in(label.value_src).unwrap_or_else(|| value.to_string());
                continue;
            }
            if is_status_col(n) && prev.status.is_empty() {
                prev.status = value.to_string();
                prev.done = prev.done || values::is_done_status(value);
                continue;
            }
        }
        // `… (done)` at the end.
        let written_state = text
            .trim_end_matches('.')
            .strip_suffix(')')
            .and_then(|x| x.rsplit_once('('))
            .and_then(|(_, state)| item_state(state));
        let done = it.task().or(marker).or(written_state);
        let mut item = ActionItem {
            action: text.to_string(),
            owner: owner_in(text).unwrap_or_default(),
            ticket: ticket_in(text).unwrap_or_default(),
            done: done.unwrap_or(false),
            ..ActionItem::default()
        };
        if let Some(d) = done {
            item.status = if d { "Done" } else { "Open" }.to_string();
        }
        item.due = due_in(text);
        out.push((item, first.line));
    }
}

/// The owner named inside an item: `Owner: ana`, `owner: ana,`, `@ana`, `(ana)` at the end.
fn owner_in(text: &str) -> Option<String> {
    // `Test rollbacks — Ken — PAY-1201`: a short name between dashes or bars.
    for sep in [" — ", " – ", " | "] {
        let parts: Vec<&str> = text.split(sep).map(str::trim).collect();
        if let Some(name) = parts.iter().skip(1).find(|p| {
            !p.is_empty()
                && p.split_whitespace().count() <= 3
                && p.starts_with(|c: char| c.is_alphabetic() || c == '@')
                && !p.contains(|c: char| c.is_ascii_digit() || c == ':' || c == '/')
                && ticket_in(p).is_none()
                && item_state(p).is_none()
        }) {
            return Some(name.trim_start_matches('@').to_string());
        }
    }
    let lower = text.to_ascii_lowercase();
    for key in ["owner:", "owners:", "assignee:", "assigned to:", "assigned to", "owner -"] {
        if let Some(at) = lower.find(key) {
            let rest = text[at + key.len()..].trim_start_matches([' ', '*', '_']);
            let end = rest.find([',', ';', ')', '|', '\n']).unwrap_or(rest.len());
            let name = rest[..end].trim().trim_end_matches(['*', '_', '.']).trim();
            if !name.is_empty() {
                return Some(name.to_string());
            }
        }
    }
    if let Some(at) = text.find('@') {
        let before = text[..at].chars().next_back();
        if before.is_none_or(|c| c.is_whitespace() || c == '(') {
            let name: String = text[at + 1..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            let name = name.trim_end_matches('.');
            if !name.is_empty() {
                return Some(name.to_string());
            }
        }
    }
    // `(ana)` or `(Platform team)` at the end: a name, not a remark (few words, no digits).
    let t = text.trim_end().trim_end_matches('.');
    if let Some(inner) = t.strip_suffix(')').and_then(|x| x.rsplit_once('(')).map(|(_, i)| i.trim())
        && !inner.is_empty()
        && item_state(inner).is_none()
        && inner.split_whitespace().count() <= 3
        && !inner.contains(|c: char| c.is_ascii_digit() || c == ':' || c == '/')
        && inner.starts_with(|c: char| c.is_alphabetic())
    {
        return Some(inner.to_string());
    }
    None
}

/// A state written in an item (`(done)`, `(in progress)`): done or not.
fn item_state(s: &str) -> Option<bool> {
    let n = normalize(s);
    if values::is_done_status(&n) {
        return Some(true);
    }
    matches!(
        n.as_str(),
        "open"
            | "in progress"
            | "planned"
            | "wip"
            | "todo"
            | "pending"
            | "ongoing"
            | "not started"
            | "blocked"
    )
    .then_some(false)
}

/// A ticket named inside a text: a key (`JIRA-123`, `OPS-7`), `#456`, or a URL.
fn ticket_in(text: &str) -> Option<String> {
    // Every form below has a `-`, a `#` or a `:` (most action texts have none).
    if !text.contains(['-', '#', ':']) {
        return None;
    }
    let words =
        text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | ',' | ';' | '|'));
    let mut url = None;
    for w in words {
        let w = w.trim_matches(|c: char| matches!(c, '.' | ':' | '*' | '_' | '`' | '<' | '>'));
        if let Some((key, num)) = w.split_once('-')
            && key.len() >= 2
            && key.len() <= 12
            && key.starts_with(|c: char| c.is_ascii_uppercase())
            && key.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && !num.is_empty()
            && num.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(w.to_string());
        }
        if let Some(num) = w.strip_prefix('#')
            && !num.is_empty()
            && num.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(w.to_string());
        }
        if url.is_none() && (w.starts_with("https://") || w.starts_with("http://")) {
            url = Some(w.to_string());
        }
    }
    url
}

/// A due date inside an item: `due 2024-03-20`, `Due: March 20, 2024`, `by 2024-03-20`.
fn due_in(text: &str) -> Option<NaiveDate> {
    let lower = text.to_ascii_lowercase();
    ["due:", "due by", "due", "by", "deadline:", "eta:"].iter().find_map(|key| {
        let at = lower
            .match_indices(key)
            .find(|(i, _)| *i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric())?
            .0;
        let rest = text[at + key.len()..].trim_start_matches([' ', ':']);
        let end = rest.find([',', ';', ')', '(']).unwrap_or(rest.len());
        let candidate = rest[..end].trim().trim_end_matches('.');
        values::parse_date(candidate)
            .ok()
            .or_else(|| candidate.split_whitespace().next().and_then(|w| values::parse_date(w).ok()))
    })
}

fn references(blocks: &[Block<'_>]) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut push = |line: &Line<'_>| {
        let (label, text) = match &line.label {
            Some(_) => (line.label_text(), line.value_plain()),
            None => ("", line.plain.trim()),
        };
        if !text.is_empty() || line.link.is_some() {
            out.push(Reference {
                label: label.to_string(),
                text: text.to_string(),
                url: line.link.as_deref().map(str::to_string),
            });
        }
    };
    for b in blocks {
        match b {
            Block::Lines(lines) => {
                lines.iter().filter(|l| l.label.is_some() || l.link.is_some()).for_each(&mut push)
            }
            Block::List(items) => items.iter().filter_map(|i| i.lines.first()).for_each(&mut push),
            _ => {}
        }
    }
    out
}

/// A role in the sign-off.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Commander,
    Reviewer,
    Approver,
    Date,
}

fn role(norm: &str) -> Option<Role> {
    Some(match norm {
        "incident commander" | "commander" | "ic" => Role::Commander,
        "reviewed by" | "reviewer" | "reviewers" => Role::Reviewer,
        "approved by" | "approver" | "approval" => Role::Approver,
        "date" | "sign off date" | "approval date" | "approved on" | "signed off" | "signed off on"
        | "date approved" => Role::Date,
        _ => return None,
    })
}

fn sign_off(doc: &Doc<'_>, outline: &Outline, inc: &mut Incident, header: &mut Header) {
    let Some(h) = outline.find(Kind::SignOff) else { return };
    header.sign_off_line = Some(doc.headings[h].line);
    let blocks = doc.extent_blocks(h);
    let mut set = |role: Role, value: &str, line: usize, label: &str, inc: &mut Incident| {
        let s = &mut inc.sign_off;
        let slot =
            || Slot { value: value.to_string(), line, front_matter: false, via: Via::Label(label.into()) };
        match role {
            Role::Commander if s.incident_commander.is_empty() => s.incident_commander = value.to_string(),
            Role::Reviewer if s.reviewed_by.is_empty() => s.reviewed_by = value.to_string(),
            Role::Approver if header.approved_by.is_none() => header.approved_by = Some(slot()),
            Role::Date if header.sign_off_date.is_none() => header.sign_off_date = Some(slot()),
            _ => {}
        }
    };
    for line in labelled(blocks) {
        let n = line.label_norm();
        match role(n) {
            Some(r) => set(r, line.value_plain(), line.line, line.label_text(), inc),
            None if Key::from_global_label(n).is_some() => {}
            None => inc.extra_fields.push(field(line)),
        }
    }
    // A table of roles: `| Role | Name | Date |`.
    for b in blocks {
        let Block::Table(t) = b else { continue };
        if t.header.len() < 3 {
            continue;
        }
        let role_col =
            column(t, |n| matches!(n, "role" | "title" | "sign off" | "signoff" | "function")).unwrap_or(0);
        let name_col =
            column(t, |n| matches!(n, "name" | "signed by" | "person" | "who" | "signatory")).unwrap_or(1);
        let date_col = column(t, |n| n.contains("date") || matches!(n, "signed" | "when"));
        for row in &t.rows {
            let Some(r) = row.cells.get(role_col).and_then(|c| role(&normalize(&c.plain))) else { continue };
            let name = row.cells.get(name_col).map_or("", |c| c.plain.trim());
            let label = row.cells.get(role_col).map_or("", |c| c.plain.trim());
            set(r, name, row.line, label, inc);
            if r == Role::Approver
                && let Some(c) = date_col
                && let Some(date) = row.cells.get(c)
            {
                let label = t.header.get(c).map_or("Date", |h| h.plain.trim());
                set(Role::Date, date.plain.trim(), row.line, label, inc);
            }
        }
    }
}

/// True when the document is a template still to be filled in: it bears a template's marks
/// (prompts, labels without values, blank table rows, a title such as `Title (incident #)`,
/// or two known sections with nothing under them) and nothing in it is data. The header
/// values and the sign-off do not count as data: an operator may give those for a template.
/// A template whose instructions are written as plain sentences (`Analysis here.`, `- Owner /
/// deadline / task 1`) reads as data; it is still a template when it bears at least
/// [`SKELETON_MARKS`] marks and states no moment at all (no start, no timeline entry): every
/// postmortem says when its incident happened.
pub(crate) fn unfilled(doc: &Doc<'_>, outline: &Outline, inc: &Incident) -> bool {
    let l = &inc.lessons_learned;
    let r = &inc.resolution;
    let model_data = !inc.timeline.is_empty()
        || !inc.root_cause.summary.is_empty()
        || !inc.root_cause.contributing_factors.is_empty()
        || !inc.detection.how_detected.is_empty()
        || !inc.customer_impact.is_empty()
        || inc.impact.users_affected.is_some()
        || !inc.impact.customers.is_empty()
        || !inc.impact.text.is_empty()
        || !(l.went_well.is_empty()
            && l.to_improve.is_empty()
            && l.lucky.is_empty()
            && l.learnings.is_empty())
        || !inc.action_items.is_empty()
        || !(r.immediate.is_empty() && r.short_term.is_empty() && r.long_term.is_empty());
    let moment = inc.started_at.is_some() || !inc.timeline.is_empty();
    if model_data && moment {
        return false;
    }
    let mut data = model_data;
    let (mut marks, mut empty_sections) = (0usize, 0usize);
    let hs = &doc.headings;
    for (i, h) in hs.iter().enumerate() {
        let kind = outline.kind(i);
        let own = doc.own_blocks(i);
        if own.is_empty() && kind != Kind::Other && hs.get(i + 1).is_none_or(|n| n.level <= h.level) {
            empty_sections += 1;
        }
        if kind == Kind::Title && title_prompt(&h.text) {
            marks += 1;
        }
        if matches!(kind, Kind::SignOff | Kind::References) {
            continue;
        }
        // The title's own lines are header values or a template's instructions, not data.
        let header = matches!(kind, Kind::Title | Kind::Summary);
        for b in own {
            match b {
                Block::Lines(lines) => {
                    for line in lines {
                        if line.label.is_some() {
                            if !filled(line) {
                                marks += 1;
                            } else if !header {
                                data = true;
                            }
                        } else if values::is_prompt(line.src) {
                            marks += 1;
                        } else if kind != Kind::Title && !line.src.is_empty() {
                            data = true;
                        }
                    }
                }
                Block::List(items) => {
                    for item in items {
                        let src = item.src();
                        let (_, text) = values::strip_marker(&src);
                        if text.is_empty() || values::is_prompt(text) || prompt_item(text) {
                            marks += 1;
                        } else if kind != Kind::Title {
                            data = true;
                        }
                    }
                }
                Block::Table(t) => {
                    for row in &t.rows {
                        let filled_cells =
                            row.cells.iter().filter(|c| !blank(c.src) && !values::is_prompt(c.src)).count();
                        if filled_cells == 0 {
                            marks += 1;
                        } else if filled_cells * 2 > row.cells.len().max(t.header.len()) && !header {
                            data = true;
                        }
                    }
                }
                Block::Code(c) => {
                    if !c.code.trim().is_empty() {
                        data = true;
                    }
                }
            }
        }
    }
    if data { !moment && marks >= SKELETON_MARKS } else { marks > 0 || empty_sections >= 2 }
}

/// How many template marks make a document that states no moment a template (see [`unfilled`]).
const SKELETON_MARKS: usize = 3;

/// A list item that is a template's line: a label left without its value (`- Incident ID:`), a
/// label whose value is a prompt (`- Date: YYYY-MM-DD`), or an entry whose time is a prompt
/// (`- HH:MM - Detection`).
fn prompt_item(text: &str) -> bool {
    let t = text.trim();
    let starts = |p: &str| t.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    if t.ends_with(':') || starts("hh:mm") || starts("yyyy-mm-dd") {
        return true;
    }
    t.split_once(':').is_some_and(|(label, value)| {
        !label.trim().is_empty() && label.len() <= 40 && values::is_prompt(value.trim())
    })
}

/// Without any start, takes the one a careful reader would (before the timeline is placed on
/// it): the first timeline entry that names its own date and time, else the first date (with its year) written in the summary or
/// under the title (`… on Tuesday, May 7, 2024.`), with a `start-inferred` warning.
pub(crate) fn infer_start(
    doc: &Doc<'_>,
    outline: &Outline,
    inc: &mut Incident,
    header: &mut Header,
    diags: &mut Diags<'_>,
) {
    if inc.started_at.is_some() || header.get(Key::Start).is_some_and(|s| !s.value.is_empty()) {
        return;
    }
    // A date in the prose (or the title) also gives the year of timeline dates without one.
    let mut prose = None;
    if let Some(t) = outline.find(Kind::Title)
        && let Some((at, day)) = date_in(&doc.headings[t].text)
    {
        prose = Some((at, day, doc.headings[t].line, "a date in the title"));
    }
    if prose.is_none() {
        let regions = [
            Some(doc.preamble_blocks()),
            outline.find(Kind::Title).map(|t| doc.own_blocks(t)),
            outline.find(Kind::Summary).map(|s| doc.extent_blocks(s)),
        ];
        'regions: for blocks in regions.into_iter().flatten() {
            for b in blocks {
                let Block::Lines(lines) = b else { continue };
                // Prose only: a labelled line is a value of its own (`End Time`, …).
                for l in lines.iter().filter(|l| l.label.is_none()) {
                    if let Some((at, day)) = date_in(&l.plain) {
                        prose = Some((at, day, l.line, "a date in the summary"));
                        break 'regions;
                    }
                }
            }
        }
    }
    let year = prose.map(|(at, ..)| chrono::Datelike::year(&at));
    let first = super::timeline::first_dated(doc, outline, header.zone(), year).map(|at| {
        let line = outline.find(Kind::Timeline).map_or(1, |h| doc.headings[h].line);
        (at, false, line, "the first timeline entry")
    });
    let Some((at, day, line, whence)) = first.or(prose) else { return };
    inc.started_at = Some(at);
    if day {
        inc.start_precision = Some(Precision::Day);
    }
    let value =
        if day { at.format("%Y-%m-%d").to_string() } else { at.format("%Y-%m-%d %H:%M:%S UTC").to_string() };
    diags.warn(
        line,
        "start-inferred",
        format!("no start is given; the start is taken from {whence}: `{value}`"),
    );
    header.set_if_missing(Key::Start, Slot { value, line, front_matter: false, via: Via::Inferred });
}

/// The first date with a year in running text, with its time when one follows: the instant and
/// whether it is a day only.
fn date_in(text: &str) -> Option<(chrono::DateTime<chrono::Utc>, bool)> {
    let starts = std::iter::once(0).chain(text.match_indices(' ').map(|(i, _)| i + 1));
    starts.filter(|&i| i < text.len()).find_map(|i| {
        let (stamp, _) = super::timeline::scan(&text[i..], None)?;
        let date = stamp.date?;
        Some(match stamp.time {
            Some(t) => (stamp.zone.unwrap_or(values::Zone::UTC).to_utc(date.and_time(t)), false),
            None => (date.and_time(chrono::NaiveTime::MIN).and_utc(), true),
        })
    })
}
