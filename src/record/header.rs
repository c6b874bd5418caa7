//! The header values of a record (id, title, severity, status, times, duration, customer impact,
//! classification, retention, and the sign-off's approver and date), each with the line it came
//! from, gathered from the summary, the front matter and the sign-off before they are checked.

use super::Diags;
use super::model::{Field, SectionKind};
use super::values::shown;

/// A header value as written (plain text) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    pub value: String,
    pub line: usize,
    pub front_matter: bool,
    /// How it was written: what `check --explain` names as its source.
    pub via: Via,
}

/// How a header value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Via {
    /// `**Status**: Resolved`, a header table's column or cell: the label as written.
    Label(String),
    /// `### Status` with the value under it: the heading as written.
    Heading(String),
    /// The document's level-1 heading.
    Title,
    /// A front matter key as written.
    FrontMatter(String),
    /// Written nowhere: taken from other text (an inferred start).
    Inferred,
}

/// The summary fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Id,
    Title,
    Severity,
    Status,
    Start,
    End,
    Duration,
    CustomerImpact,
    Classification,
    Retention,
    /// The incident's date (`Date`, `Incident Date`, `Detected`): the start when no start is given.
    Date,
    /// The zone of the record's times written without one (`Timezone: America/New_York`).
    Zone,
}

impl Key {
    const COUNT: usize = 12;

    /// The label as the reference record writes it.
    pub fn name(self) -> &'static str {
        match self {
            Key::Id => "Incident ID",
            Key::Title => "Title",
            Key::Severity => "Severity",
            Key::Status => "Status",
            Key::Start => "Start Time",
            Key::End => "End Time",
            Key::Duration => "Duration",
            Key::CustomerImpact => "Customer Impact",
            Key::Classification => "Classification",
            Key::Retention => "Retention",
            Key::Date => "Date",
            Key::Zone => "Timezone",
        }
    }

    /// A summary label (normalized) or front matter key: `incident id`, `started at`, `sev`, …
    pub fn from_label(norm: &str) -> Option<Key> {
        Some(match norm {
            "incident id" | "id" | "incident" | "incident number" | "incident no" | "incident ref" => Key::Id,
            "title" | "incident title" | "name" => Key::Title,
            "severity" | "sev" | "priority" | "severity level" => Key::Severity,
            "status" | "incident status" | "state" => Key::Status,
            "start time"
            | "start"
            | "started"
            | "started at"
            | "start date"
            | "incident start"
            | "start time utc"
            | "start utc"
            | "starttime"
            | "began"
            | "began at"
            | "impact start"
            | "start of impact"
            | "incident start time"
            | "outage start"
            | "start date time"
            | "impact started"
            | "impact started at"
            | "incident started"
            | "incident started at"
            | "start of incident"
            | "outage began" => Key::Start,
            "date" | "date time" | "incident date" | "date of incident" | "incident date time"
            | "detected" | "detected at" | "detection time" | "detecttime" | "detect time"
            | "detected on" | "when" | "occurred" | "occurred at" | "occurred on" | "reported"
            | "reported at" | "reported on" | "declared" | "declared at" | "opened at" | "first detected" => {
                Key::Date
            }
            "end time" | "end" | "ended" | "ended at" | "endtime" | "end date" | "incident end"
            | "end time utc" | "end utc" | "resolved at" | "resolved on" | "impact ended"
            | "impact ended at" | "end of impact" | "recovered at" | "mitigated at" => Key::End,
            "duration" | "total duration" | "incident duration" => Key::Duration,
            "customer impact" | "impact" => Key::CustomerImpact,
            "timezone" | "time zone" | "tz" => Key::Zone,
            _ => return None,
        })
    }

    /// Labels read wherever they stand: `Classification`, `Retention`.
    pub fn from_global_label(norm: &str) -> Option<Key> {
        match norm {
            "classification" | "data classification" => Some(Key::Classification),
            "retention" | "retention period" => Some(Key::Retention),
            _ => None,
        }
    }
}

/// True when a normalized summary label names a value the summary shows as typed (id, title,
/// severity, status, start, end, duration, customer impact), so that a page may draw the
/// summary from the model instead of its Markdown.
pub(crate) fn is_summary_label(norm: &str) -> bool {
    Key::from_label(norm).is_some_and(|k| !matches!(k, Key::Classification | Key::Retention))
}

/// Header values and the lines the gate points at.
#[derive(Debug, Default)]
pub(crate) struct Header {
    slots: [Option<Slot>; Key::COUNT],
    /// The id named by `# Incident Report: <id>`.
    pub title_id: Option<Slot>,
    pub summary_line: Option<usize>,
    pub front_matter_line: Option<usize>,
    pub sign_off_line: Option<usize>,
    pub approved_by: Option<Slot>,
    pub sign_off_date: Option<Slot>,
    pub users_affected_line: Option<usize>,
    pub customers_line: Option<usize>,
    /// The line of each action item, in order.
    pub action_lines: Vec<usize>,
    /// Labels among the header values that name a section (`Root Causes: …`), with its kind.
    pub narrative: Vec<(SectionKind, Field)>,
}

impl Header {
    pub fn get(&self, key: Key) -> Option<&Slot> {
        self.slots[key as usize].as_ref()
    }

    /// A value from the document: the first one counts; a different repeat is a warning.
    pub fn set(&mut self, key: Key, slot: Slot, diags: &mut Diags<'_>) {
        match &self.slots[key as usize] {
            None => self.slots[key as usize] = Some(slot),
            Some(old) if old.value != slot.value => diags.warn(
                slot.line,
                "duplicate-field",
                format!(
                    "`{}` given again as `{}`; the first value (`{}`, line {}) is used",
                    key.name(),
                    shown(&slot.value),
                    shown(&old.value),
                    old.line
                ),
            ),
            Some(_) => {}
        }
    }

    /// A value found outside the summary: used only when the summary and the front matter
    /// give none.
    pub fn set_if_missing(&mut self, key: Key, slot: Slot) {
        let old = &mut self.slots[key as usize];
        if old.is_none() {
            *old = Some(slot);
        }
    }

    /// The record's `Timezone`, when it names one that can be read.
    pub fn zone(&self) -> super::values::Zone {
        self.get(Key::Zone)
            .and_then(|z| super::values::parse_zone(&z.value))
            .unwrap_or(super::values::Zone::UTC)
    }

    /// Without a start (or with an empty one), the incident's `Date` is the start.
    pub fn date_as_start(&mut self) {
        let start_empty = self.get(Key::Start).is_none_or(|s| s.value.is_empty());
        if start_empty && let Some(date) = self.get(Key::Date).filter(|d| !d.value.is_empty()).cloned() {
            self.slots[Key::Start as usize] = Some(date);
        }
    }

    /// A value from the front matter: it wins over the document, with a warning when they differ.
    pub fn set_front_matter(&mut self, key: Key, slot: Slot, diags: &mut Diags<'_>) {
        if let Some(old) = &self.slots[key as usize]
            && !old.front_matter
            && old.value != slot.value
        {
            diags.warn(
                old.line,
                "front-matter-mismatch",
                format!(
                    "`{}` is `{}` here but `{}` in the front matter (line {}); the front matter is used",
                    key.name(),
                    shown(&old.value),
                    shown(&slot.value),
                    slot.line
                ),
            );
        }
        self.slots[key as usize] = Some(slot);
    }

    /// Where to point when a header value is missing: the summary heading, else the front
    /// matter, else line 1.
    pub fn missing_line(&self) -> usize {
        self.summary_line.or(self.front_matter_line).unwrap_or(1)
    }
}
