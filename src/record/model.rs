//! The typed record: what a signed-off postmortem says, as data (the JSON contract of
//! `check --json` and `show --json`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One incident postmortem, parsed from Markdown.
///
/// Field names and types are the contract printed by `check --json` and `show --json`. What
/// lists and large snapshots keep of it is its [`super::Summary`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Incident {
    /// `INC-2025-0023`; safe form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}` after the gate.
    pub id: String,
    pub title: String,
    /// `P1`..`P5`; empty when the record gives none.
    pub severity: String,
    /// The label in parentheses after the severity (`High`).
    pub severity_label: Option<String>,
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    /// How precisely the start is known when it is less than a time of day: `day` for a date
    /// written without a time (`started_at` is then 00:00 UTC of that day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_precision: Option<Precision>,
    pub ended_at: Option<DateTime<Utc>>,
    /// `ended_at - started_at` when both exist, else the stated duration.
    pub duration_seconds: Option<i64>,
    /// The duration as written (`44 minutes 35 seconds`).
    pub duration_text: Option<String>,
    /// The summary's `Customer Impact` line.
    pub customer_impact: String,
    pub timeline: Vec<TimelineEntry>,
    pub root_cause: RootCause,
    pub detection: Detection,
    pub impact: Impact,
    pub resolution: Resolution,
    pub self_healing: SelfHealing,
    pub communication: Communication,
    pub lessons_learned: LessonsLearned,
    pub action_items: Vec<ActionItem>,
    /// The Technical Details section as Markdown.
    pub technical_details_markdown: String,
    /// The Technical Details section's labelled values and code blocks.
    #[serde(default)]
    pub technical_details: TechnicalDetails,
    pub references: Vec<Reference>,
    pub sign_off: SignOff,
    pub classification: String,
    pub retention: Retention,
    /// Labelled lines of the summary and sign-off that have no typed field (`Services`, …).
    #[serde(default)]
    pub extra_fields: Vec<Field>,
    /// The YAML front matter as written, when the record has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_matter: Option<String>,
    /// Every section of the document, in order, losslessly: one per heading (any level), plus
    /// one with an empty heading (level 0) for text before the first heading. Concatenating the
    /// `markdown` of all sections gives back the document after its front matter (with line ends
    /// as `\n`, without a byte-order mark, and without blank lines before the first heading).
    pub sections: Vec<Section>,
    /// The sign-off attested on import by a sidecar (`X.signoff.yaml`), when the record has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<super::sidecar::Attestation>,
}

/// How precisely a time is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// The date only.
    Day,
}

/// A `**Label**: value` pair kept as written, for fields without a typed home.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

/// A fenced code block (`sql`, `yaml`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CodeBlock {
    /// The info string's first word; empty when none.
    pub lang: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Full UTC timestamp: the time of day resolved against `started_at`'s date (or the date
    /// the entry or a date line above it names), rolling over midnight when a time is earlier
    /// than the one before.
    pub at: DateTime<Utc>,
    pub text: String,
    /// The time as written when it could not be placed (no date to put it on, or not a time
    /// of day); `at` is then the entry before's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unplaced: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RootCause {
    /// The `Primary Cause` text.
    pub summary: String,
    /// The whole section as Markdown.
    pub details_markdown: String,
    pub contributing_factors: Vec<String>,
    pub code_blocks: Vec<CodeBlock>,
    /// Other labelled fields (`Problem`, …).
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Detection {
    pub how_detected: String,
    pub time_to_detect: String,
    pub method: String,
    /// `time_to_detect` read as a duration (`47 seconds after …` → 47).
    #[serde(default)]
    pub time_to_detect_seconds: Option<u64>,
    /// The alert rule (the code block under `Alert Configuration`).
    pub alert_rule: Option<CodeBlock>,
    pub fields: Vec<Field>,
    pub details_markdown: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Impact {
    /// `~1,247 users` → 1247.
    pub users_affected: Option<u64>,
    /// `across 12 customer accounts` → 12.
    pub customer_accounts: Option<u64>,
    pub impact_type: String,
    /// User Impact bullets as written.
    pub user_fields: Vec<Field>,
    pub customers: Vec<CustomerImpact>,
    /// Business Impact bullets as written.
    pub business: Vec<Field>,
    /// The impact as prose (paragraphs and plain bullets of the impact sections, as written),
    /// beside the typed values and the per-customer table.
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerImpact {
    /// `Others (8 accounts)` keeps its name as written.
    pub name: String,
    pub users_affected: Option<u64>,
    /// Upper bound of the delay (`18-25s` → 25).
    pub max_delay_seconds: Option<u64>,
    /// Lower bound when a range is given (`18-25s` → 18).
    pub min_delay_seconds: Option<u64>,
    pub complaints: Option<u64>,
    /// For grouped rows like `Others (8 accounts)`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub accounts: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Resolution {
    pub immediate: Vec<Step>,
    pub short_term: Vec<Step>,
    pub long_term: Vec<Step>,
}

/// One resolution step: ✅ / `[x]` is done, ⏳ / ❌ / `[ ]` is not.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Step {
    pub done: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelfHealing {
    pub fields: Vec<Field>,
    /// Bulleted `why it did not fully resolve` items.
    pub why_not_resolved: Vec<String>,
    pub recommendations: Vec<String>,
    pub markdown: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Communication {
    pub internal: Vec<Field>,
    pub external: Vec<Field>,
    pub templates: Vec<CodeBlock>,
    pub markdown: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LessonsLearned {
    pub went_well: Vec<String>,
    pub to_improve: Vec<String>,
    /// Where we got lucky.
    #[serde(default)]
    pub lucky: Vec<String>,
    /// Lessons under a Lessons heading that say neither what went well nor what to improve
    /// (a plain list or paragraphs: `Further learnings`).
    #[serde(default)]
    pub learnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: String,
    pub action: String,
    pub owner: String,
    pub due: Option<NaiveDate>,
    /// As written, without the emoji (`Done`, `In Progress`, `Planned`).
    pub status: String,
    /// True for `Done` / `Closed` / `Complete(d)` / ✅.
    pub done: bool,
    /// The ticket that tracks it (`JIRA-123`, `#456`, a URL), from a Ticket/Bug column or the
    /// item's text; empty when none is named.
    #[serde(default)]
    pub ticket: String,
}

/// The Technical Details section, beyond its Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TechnicalDetails {
    /// Labelled values (`Version`: `v3.4.7`, `Connection pool utilization`: `100% (peak)`, …).
    pub fields: Vec<Field>,
    pub code_blocks: Vec<CodeBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reference {
    pub label: String,
    pub text: String,
    /// Link target when the reference is a Markdown link.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SignOff {
    pub incident_commander: String,
    pub reviewed_by: String,
    pub approved_by: String,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Retention {
    /// Years of retention stated by the record; `None` means the configured default applies.
    pub years: Option<u32>,
    pub text: String,
}

/// One section of the document as written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    /// What the section is, as the parser classified its heading (the one classifier: the
    /// site draws its typed panels from this).
    #[serde(default)]
    pub kind: SectionKind,
    /// Heading level (1 for `#`).
    pub level: u8,
    /// 1-based line of the heading.
    pub line: usize,
    /// The section as written, from its heading line (included) up to the next heading.
    pub markdown: String,
}

/// What a section is, from its normalized heading (see the synonym table in the parser).
///
/// Subsection kinds (`user_impact`, `immediate`, `went_well`, …) are read wherever they stand;
/// `internal` / `external` only under a Communication section; `title` is the document's first
/// heading when it is of level 1 and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Title,
    Summary,
    Timeline,
    /// A heading inside the timeline that is an entry or a day (`### 14:02 - …`, `### March 5`).
    TimelineEntry,
    RootCause,
    /// What set the incident off (beside the root cause).
    Trigger,
    ContributingFactors,
    Detection,
    Impact,
    UserImpact,
    CustomerImpact,
    BusinessImpact,
    Resolution,
    Immediate,
    ShortTerm,
    LongTerm,
    SelfHealing,
    Communication,
    Internal,
    External,
    Lessons,
    WentWell,
    ToImprove,
    /// Where we got lucky.
    Lucky,
    ActionItems,
    Technical,
    References,
    SignOff,
    /// Anything else (kept as Markdown).
    #[default]
    Other,
}
