//! The summary of a record: what the lists, the customer and owner pages, the action-item
//! tracker, the feed, `incidents.json`, the retention views and the summary cache show of it,
//! without the sections, the timeline and the narrative that only its own page and its index
//! document read.
//!
//! A parsed record takes a few times its size in memory; its [`Summary`] about a tenth of it,
//! so that the snapshot of a large archive keeps summaries ([`summaries_only`]) and parses a
//! record again when it needs the whole of it. Whoever needs only summary-level facts reads
//! them through [`Summarized`], the same from a whole [`Incident`] as from a [`Summary`],
//! without copying either; [`Kept`] is a parsed record as a stage keeps it, one or the other.
//!
//! It is the record stage's, below the archive and the snapshot, because `ingest` already
//! summarizes what it parsed for the snapshot that follows it, and `verify` reads its facts
//! from a whole record or a summary alike.
//!
//! A summary's JSON is the record as a summary leaves it: an [`Incident`]'s JSON whose other
//! fields are empty (`"timeline":[]`, `"sections":[]`…), the format `cache/summaries.json` has
//! always had. It is written from borrowed fields, and read back through [`Incident`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

use super::model::{
    ActionItem, CodeBlock, Communication, CustomerImpact, Detection, Field, Impact, Incident, LessonsLearned,
    Precision, Reference, Resolution, Retention, RootCause, Section, SelfHealing, SignOff, TechnicalDetails,
    TimelineEntry,
};
use super::sidecar::Attestation;

/// Parsed records take about four times their size in memory (measured on generated records:
/// 21 KB for 5.6 KB of Markdown).
const PARSED_EXPANSION: u64 = 4;

/// True when records of `bytes` in all, parsed whole, would not fit in `budget`: keep summaries.
pub fn summaries_only(bytes: u64, budget: u64) -> bool {
    bytes.saturating_mul(PARSED_EXPANSION) > budget
}

/// What a summary keeps of a record: the header values, the customer impact rows, the action
/// items, the sign-off, the retention and the root cause's one-line summary. Made from an
/// [`Incident`] (`Summary::from(&incident)` copies these fields, `Summary::from(incident)`
/// moves them).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(from = "Incident")]
pub struct Summary {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub severity_label: Option<String>,
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    pub start_precision: Option<Precision>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub duration_text: Option<String>,
    pub customer_impact: String,
    /// The root cause's `Primary Cause` text ([`RootCause::summary`]).
    pub root_cause_summary: String,
    /// [`Impact::users_affected`].
    pub users_affected: Option<u64>,
    /// [`Impact::customer_accounts`].
    pub customer_accounts: Option<u64>,
    /// [`Impact::impact_type`].
    pub impact_type: String,
    /// [`Impact::customers`].
    pub customers: Vec<CustomerImpact>,
    /// [`Impact::business`]: the Business Impact bullets as written (the site shows the SLA
    /// credits they state).
    pub business: Vec<Field>,
    pub action_items: Vec<ActionItem>,
    pub sign_off: SignOff,
    pub classification: String,
    pub retention: Retention,
    pub attestation: Option<Attestation>,
}

impl From<&Incident> for Summary {
    /// Copies the summary's fields, and nothing else, out of a whole record.
    fn from(i: &Incident) -> Summary {
        Summary {
            id: i.id.clone(),
            title: i.title.clone(),
            severity: i.severity.clone(),
            severity_label: i.severity_label.clone(),
            status: i.status.clone(),
            started_at: i.started_at,
            start_precision: i.start_precision,
            ended_at: i.ended_at,
            duration_seconds: i.duration_seconds,
            duration_text: i.duration_text.clone(),
            customer_impact: i.customer_impact.clone(),
            root_cause_summary: i.root_cause.summary.clone(),
            users_affected: i.impact.users_affected,
            customer_accounts: i.impact.customer_accounts,
            impact_type: i.impact.impact_type.clone(),
            customers: i.impact.customers.clone(),
            business: i.impact.business.clone(),
            action_items: i.action_items.clone(),
            sign_off: i.sign_off.clone(),
            classification: i.classification.clone(),
            retention: i.retention.clone(),
            attestation: i.attestation.clone(),
        }
    }
}

impl From<Incident> for Summary {
    /// Moves the summary's fields out of a whole record and drops the rest.
    fn from(i: Incident) -> Summary {
        Summary {
            id: i.id,
            title: i.title,
            severity: i.severity,
            severity_label: i.severity_label,
            status: i.status,
            started_at: i.started_at,
            start_precision: i.start_precision,
            ended_at: i.ended_at,
            duration_seconds: i.duration_seconds,
            duration_text: i.duration_text,
            customer_impact: i.customer_impact,
            root_cause_summary: i.root_cause.summary,
            users_affected: i.impact.users_affected,
            customer_accounts: i.impact.customer_accounts,
            impact_type: i.impact.impact_type,
            customers: i.impact.customers,
            business: i.impact.business,
            action_items: i.action_items,
            sign_off: i.sign_off,
            classification: i.classification,
            retention: i.retention,
            attestation: i.attestation,
        }
    }
}

impl From<Summary> for Incident {
    /// The record as its summary leaves it: the summary's fields, every other one empty.
    fn from(s: Summary) -> Incident {
        Incident {
            id: s.id,
            title: s.title,
            severity: s.severity,
            severity_label: s.severity_label,
            status: s.status,
            started_at: s.started_at,
            start_precision: s.start_precision,
            ended_at: s.ended_at,
            duration_seconds: s.duration_seconds,
            duration_text: s.duration_text,
            customer_impact: s.customer_impact,
            root_cause: RootCause { summary: s.root_cause_summary, ..RootCause::default() },
            impact: Impact {
                users_affected: s.users_affected,
                customer_accounts: s.customer_accounts,
                impact_type: s.impact_type,
                customers: s.customers,
                business: s.business,
                ..Impact::default()
            },
            action_items: s.action_items,
            sign_off: s.sign_off,
            classification: s.classification,
            retention: s.retention,
            attestation: s.attestation,
            ..Incident::default()
        }
    }
}

impl Serialize for Summary {
    /// As the record it stands for: see [`AsIncident`].
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        AsIncident(self).serialize(s)
    }
}

/// The summary-level facts of a record, read the same way from a whole [`Incident`] as from
/// its [`Summary`], borrowed: what the lists, the retention views, `incidents.json` and the
/// summary cache read of a record.
pub trait Summarized: Sync {
    fn id(&self) -> &str;
    fn title(&self) -> &str;
    /// `P1`..`P5`; empty when the record gives none.
    fn severity(&self) -> &str;
    fn severity_label(&self) -> Option<&str>;
    fn status(&self) -> &str;
    fn started_at(&self) -> Option<DateTime<Utc>>;
    fn start_precision(&self) -> Option<Precision>;
    fn ended_at(&self) -> Option<DateTime<Utc>>;
    fn duration_seconds(&self) -> Option<i64>;
    fn duration_text(&self) -> Option<&str>;
    fn customer_impact(&self) -> &str;
    /// The root cause's `Primary Cause` text.
    fn root_cause_summary(&self) -> &str;
    fn users_affected(&self) -> Option<u64>;
    fn customer_accounts(&self) -> Option<u64>;
    fn impact_type(&self) -> &str;
    /// The customer impact rows.
    fn customers(&self) -> &[CustomerImpact];
    /// The Business Impact bullets as written.
    fn business(&self) -> &[Field];
    fn action_items(&self) -> &[ActionItem];
    fn sign_off(&self) -> &SignOff;
    fn classification(&self) -> &str;
    fn retention(&self) -> &Retention;
    fn attestation(&self) -> Option<&Attestation>;
}

impl Summarized for Incident {
    fn id(&self) -> &str {
        &self.id
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn severity(&self) -> &str {
        &self.severity
    }
    fn severity_label(&self) -> Option<&str> {
        self.severity_label.as_deref()
    }
    fn status(&self) -> &str {
        &self.status
    }
    fn started_at(&self) -> Option<DateTime<Utc>> {
        self.started_at
    }
    fn start_precision(&self) -> Option<Precision> {
        self.start_precision
    }
    fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.ended_at
    }
    fn duration_seconds(&self) -> Option<i64> {
        self.duration_seconds
    }
    fn duration_text(&self) -> Option<&str> {
        self.duration_text.as_deref()
    }
    fn customer_impact(&self) -> &str {
        &self.customer_impact
    }
    fn root_cause_summary(&self) -> &str {
        &self.root_cause.summary
    }
    fn users_affected(&self) -> Option<u64> {
        self.impact.users_affected
    }
    fn customer_accounts(&self) -> Option<u64> {
        self.impact.customer_accounts
    }
    fn impact_type(&self) -> &str {
        &self.impact.impact_type
    }
    fn customers(&self) -> &[CustomerImpact] {
        &self.impact.customers
    }
    fn business(&self) -> &[Field] {
        &self.impact.business
    }
    fn action_items(&self) -> &[ActionItem] {
        &self.action_items
    }
    fn sign_off(&self) -> &SignOff {
        &self.sign_off
    }
    fn classification(&self) -> &str {
        &self.classification
    }
    fn retention(&self) -> &Retention {
        &self.retention
    }
    fn attestation(&self) -> Option<&Attestation> {
        self.attestation.as_ref()
    }
}

impl Summarized for Summary {
    fn id(&self) -> &str {
        &self.id
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn severity(&self) -> &str {
        &self.severity
    }
    fn severity_label(&self) -> Option<&str> {
        self.severity_label.as_deref()
    }
    fn status(&self) -> &str {
        &self.status
    }
    fn started_at(&self) -> Option<DateTime<Utc>> {
        self.started_at
    }
    fn start_precision(&self) -> Option<Precision> {
        self.start_precision
    }
    fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.ended_at
    }
    fn duration_seconds(&self) -> Option<i64> {
        self.duration_seconds
    }
    fn duration_text(&self) -> Option<&str> {
        self.duration_text.as_deref()
    }
    fn customer_impact(&self) -> &str {
        &self.customer_impact
    }
    fn root_cause_summary(&self) -> &str {
        &self.root_cause_summary
    }
    fn users_affected(&self) -> Option<u64> {
        self.users_affected
    }
    fn customer_accounts(&self) -> Option<u64> {
        self.customer_accounts
    }
    fn impact_type(&self) -> &str {
        &self.impact_type
    }
    fn customers(&self) -> &[CustomerImpact] {
        &self.customers
    }
    fn business(&self) -> &[Field] {
        &self.business
    }
    fn action_items(&self) -> &[ActionItem] {
        &self.action_items
    }
    fn sign_off(&self) -> &SignOff {
        &self.sign_off
    }
    fn classification(&self) -> &str {
        &self.classification
    }
    fn retention(&self) -> &Retention {
        &self.retention
    }
    fn attestation(&self) -> Option<&Attestation> {
        self.attestation.as_ref()
    }
}

/// The summary of a record (whole or a summary, nothing copied) serialized as the record its
/// summary stands for: exactly the JSON of `Incident::from(Summary::from(r))`, the summary's
/// fields in their places and every other field empty.
pub struct AsIncident<'a>(pub &'a dyn Summarized);

impl Serialize for AsIncident<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        as_incident(self.0, s)
    }
}

fn as_incident<S: Serializer>(r: &dyn Summarized, s: S) -> Result<S::Ok, S::Error> {
    // The fields of `Incident` in its order, with its serde attributes; a test compares the
    // output with the `Incident`'s.
    #[derive(Serialize)]
    struct Record<'a> {
        id: &'a str,
        title: &'a str,
        severity: &'a str,
        severity_label: Option<&'a str>,
        status: &'a str,
        started_at: Option<DateTime<Utc>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        start_precision: Option<Precision>,
        ended_at: Option<DateTime<Utc>>,
        duration_seconds: Option<i64>,
        duration_text: Option<&'a str>,
        customer_impact: &'a str,
        timeline: &'a [TimelineEntry],
        root_cause: RootCauseSummary<'a>,
        detection: Detection,
        impact: ImpactSummary<'a>,
        resolution: Resolution,
        self_healing: SelfHealing,
        communication: Communication,
        lessons_learned: LessonsLearned,
        action_items: &'a [ActionItem],
        technical_details_markdown: &'a str,
        technical_details: TechnicalDetails,
        references: &'a [Reference],
        sign_off: &'a SignOff,
        classification: &'a str,
        retention: &'a Retention,
        extra_fields: &'a [Field],
        // `front_matter`: none in a summary, and skipped when none.
        sections: &'a [Section],
        #[serde(skip_serializing_if = "Option::is_none")]
        attestation: Option<&'a Attestation>,
    }
    #[derive(Serialize)]
    struct RootCauseSummary<'a> {
        summary: &'a str,
        details_markdown: &'a str,
        contributing_factors: &'a [String],
        code_blocks: &'a [CodeBlock],
        fields: &'a [Field],
    }
    #[derive(Serialize)]
    struct ImpactSummary<'a> {
        users_affected: Option<u64>,
        customer_accounts: Option<u64>,
        impact_type: &'a str,
        user_fields: &'a [Field],
        customers: &'a [CustomerImpact],
        business: &'a [Field],
        text: &'a str,
    }
    Record {
        id: r.id(),
        title: r.title(),
        severity: r.severity(),
        severity_label: r.severity_label(),
        status: r.status(),
        started_at: r.started_at(),
        start_precision: r.start_precision(),
        ended_at: r.ended_at(),
        duration_seconds: r.duration_seconds(),
        duration_text: r.duration_text(),
        customer_impact: r.customer_impact(),
        timeline: &[],
        root_cause: RootCauseSummary {
            summary: r.root_cause_summary(),
            details_markdown: "",
            contributing_factors: &[],
            code_blocks: &[],
            fields: &[],
        },
        detection: Detection::default(),
        impact: ImpactSummary {
            users_affected: r.users_affected(),
            customer_accounts: r.customer_accounts(),
            impact_type: r.impact_type(),
            user_fields: &[],
            customers: r.customers(),
            business: r.business(),
            text: "",
        },
        resolution: Resolution::default(),
        self_healing: SelfHealing::default(),
        communication: Communication::default(),
        lessons_learned: LessonsLearned::default(),
        action_items: r.action_items(),
        technical_details_markdown: "",
        technical_details: TechnicalDetails::default(),
        references: &[],
        sign_off: r.sign_off(),
        classification: r.classification(),
        retention: r.retention(),
        extra_fields: &[],
        sections: &[],
        attestation: r.attestation(),
    }
    .serialize(s)
}

/// A parsed record as a stage keeps it: whole, or only its summary (what `ingest` hands to
/// the snapshot that follows it). Either is boxed, so that the two are moved around (into a
/// snapshot's records) without being copied.
#[derive(Debug, Clone, PartialEq)]
pub enum Kept {
    Whole(Box<Incident>),
    Summary(Box<Summary>),
}

impl Kept {
    /// `incident` whole, or only its summary when `summarize`.
    pub fn new(incident: Incident, summarize: bool) -> Kept {
        if summarize {
            Kept::Summary(Box::new(Summary::from(incident)))
        } else {
            Kept::Whole(Box::new(incident))
        }
    }

    /// The record whole, `None` when only its summary is kept.
    pub fn whole(&self) -> Option<&Incident> {
        match self {
            Kept::Whole(i) => Some(i),
            Kept::Summary(_) => None,
        }
    }

    /// Its summary-level facts, whole or summary alike.
    pub fn summary(&self) -> &dyn Summarized {
        match self {
            Kept::Whole(i) => i.as_ref(),
            Kept::Summary(s) => s.as_ref(),
        }
    }
}
