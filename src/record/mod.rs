//! Markdown → [`Incident`]: the record model, the section parsers, the sign-off gate and its diagnostics.

pub mod diagnostic;
pub mod model;

use std::path::Path;

pub use diagnostic::{Diagnostic, Level};
pub use model::*;

/// The result of parsing one record: the model (when the text could be read at all) and every
/// problem found. A record is accepted by the sign-off gate when it has no error diagnostics.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub incident: Option<Incident>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// True when the sign-off gate lets the record into the archive.
    pub fn accepted(&self) -> bool {
        self.incident.is_some() && !self.diagnostics.iter().any(|d| d.level == Level::Error)
    }

    /// The error diagnostics only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.level == Level::Error)
    }
}

/// Parses and gates one record. `path` is only used to label diagnostics.
///
/// Never panics, whatever the bytes.
pub fn parse(path: &Path, bytes: &[u8]) -> Parsed {
    stub::parse(path, bytes)
}

/// Placeholder until the pulldown-cmark parser lands: reads the summary and sign-off labels only.
mod stub {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime};

    pub fn parse(path: &Path, bytes: &[u8]) -> Parsed {
        let mut diagnostics = Vec::new();
        let Ok(text) = std::str::from_utf8(bytes) else {
            diagnostics.push(Diagnostic::error(path, 1, "not-utf8", "the record is not UTF-8 text"));
            return Parsed { incident: None, diagnostics };
        };
        let mut inc = Incident::default();
        for line in text.lines() {
            let l = line.trim().trim_start_matches("- ");
            let Some(rest) = l.strip_prefix("**") else { continue };
            let Some((label, value)) = rest.split_once("**") else { continue };
            let label = label.trim_end_matches(':').trim();
            let value = value.trim_start_matches(':').trim().to_string();
            match label {
                "Incident ID" => inc.id = value,
                "Title" => inc.title = value,
                "Severity" => inc.severity = value.split_whitespace().next().unwrap_or("").into(),
                "Status" => inc.status = value,
                "Start Time" => {
                    inc.started_at =
                        NaiveDateTime::parse_from_str(value.trim_end_matches(" UTC"), "%Y-%m-%d %H:%M:%S")
                            .ok()
                            .map(|d| d.and_utc())
                }
                "End Time" => {
                    inc.ended_at =
                        NaiveDateTime::parse_from_str(value.trim_end_matches(" UTC"), "%Y-%m-%d %H:%M:%S")
                            .ok()
                            .map(|d| d.and_utc())
                }
                "Approved By" => inc.sign_off.approved_by = value,
                "Date" => inc.sign_off.date = NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok(),
                "Retention" => {
                    inc.retention.years = value.split_whitespace().next().and_then(|y| y.parse().ok());
                    inc.retention.text = value;
                }
                _ => {}
            }
        }
        if inc.id.is_empty() {
            diagnostics.push(Diagnostic::error(path, 1, "id-missing", "no `Incident ID`"));
        }
        if inc.sign_off.approved_by.is_empty() {
            diagnostics.push(Diagnostic::error(
                path,
                1,
                "sign-off-missing",
                "no `Approved By` in the Sign-off section",
            ));
        }
        Parsed { incident: Some(inc), diagnostics }
    }
}
