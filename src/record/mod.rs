//! Markdown → [`Incident`]: the record model, the section parsers, the sign-off gate and its diagnostics.
//!
//! [`parse`] runs in stages over one record, each linear in its size: the bytes are checked and
//! normalized (`input`), optional YAML front matter is split off, one pass of pulldown-cmark
//! events builds the document's blocks with their lines, the sections are found by their
//! normalized headings and read into the model, and the gate checks what compliance needs.
//! [`explain`] says, after the parse, where each kept field came from (`check --explain`).
//!
//! Every diagnostic names its rule. Errors (the record is rejected):
//!
//! | rule | when |
//! | --- | --- |
//! | `too-large`, `empty`, `binary`, `not-utf8`, `not-markdown` | the bytes are no Markdown record (over 10 MiB, blank, NUL or control bytes, not UTF-8, no headings or labels) |
//! | `too-complex`, `too-deep` | more than [`limits::MAX_ELEMENTS`] lines and markup characters, or lists and block quotes nested more than [`limits::MAX_DEPTH`] deep: refused before the model is built, so that parsing stays small (see [`limits`]) |
//! | `unreadable` | the file cannot be read (from [`parse_file`]), or is a link whose target cannot be read |
//! | `not-regular-file`, `symlink-outside` | from [`discover_with`]: a FIFO, socket or device, or a symbolic link under a folder to a file outside it; never opened |
//! | `front-matter-invalid` | the YAML front matter does not parse, is not a mapping, or is over 16 KiB |
//! | `id-missing`, `id-unsafe` | no id, or one not of the form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}` (`../x`, `/abs`, `a/b`, NUL, over 64 bytes) |
//! | `title-missing` | no title |
//! | `status-missing`, `status-not-closed` | no status (and no sign-off to take the record as closed), an empty one, or not one of a finished postmortem (`Resolved`, `Closed`, `Complete(d)`, `Final`, `Done`, `Published`) |
//! | `start-missing`, `start-invalid` | no start time, or one that cannot be read |
//! | `sign-off-missing` | no Sign-off section, no `Approved By`, or a placeholder (`TBD`, `[Name]`, `-`) |
//! | `sign-off-date-missing`, `sign-off-date-invalid` | no sign-off `Date`, or one that cannot be read or does not exist |
//! | `retention-too-long` | a `Retention` of more than [`values::MAX_RETENTION_YEARS`] years (refused rather than kept for less) |
//! | `template-unfilled` | the document is a template still to be filled in: a template's marks (prompts such as `[Date]`, `_What happened?_`, `TBD`; labels without values; blank table rows; a title such as `Title (incident #)`; two or more known sections with nothing under them) and no data outside the header values and the sign-off, or three or more marks and no moment stated at all (no model is returned) |
//! | `sidecar-invalid`, `sidecar-sign-off-conflict` | the sign-off sidecar (`X.signoff.yaml`) is no valid attestation, or attests another approver or date than the document's (see [`sidecar`]) |
//!
//! Warnings (the record is archived): `duration-mismatch`, `duration-invalid`, `date-invalid`,
//! `start-date-only` (a start known only to the day), `start-inferred` (no start given: taken
//! from the first dated timeline entry or a date in the summary), `status-inferred` (no status
//! given: a signed-off record is taken as closed),
//! `end-before-start`, `sign-off-before-incident`, `action-due-before-incident`,
//! `customer-users-sum`, `customer-accounts-sum`, `customer-value-invalid`, `severity-invalid`,
//! `retention-invalid`, `timeline-time-invalid`, `timeline-order`, `id-mismatch`,
//! `duplicate-field`, `duplicate-section`, `front-matter-mismatch`, `front-matter-value`,
//! `too-many-diagnostics`; from a sidecar: `sidecar-mismatch` (it states another value than the
//! document, which wins), `sidecar-orphan` (no record beside it).

mod blocks;
pub mod diagnostic;
mod discover;
pub mod explain;
mod frontmatter;
mod gate;
mod header;
mod input;
pub mod limits;
pub mod model;
pub(crate) mod sections;
pub mod sidecar;
pub mod summary;
mod timeline;
pub mod values;

use std::path::Path;

pub use diagnostic::{Diagnostic, Level};
pub use discover::{DiscoverError, DiscoverOptions, Discovery, Skipped, discover, discover_with};
pub use input::MAX_RECORD_BYTES;
pub use model::*;
pub use sidecar::{Attestation, parse_with_sidecar, sidecar_path};
pub use summary::{Kept, Summarized, Summary};

use blocks::{Block, Doc};
pub(crate) use header::{Header, Key, Slot, is_summary_label};

/// The result of parsing one record: the model (when the text could be read at all) and every
/// problem found. A record is accepted by the sign-off gate when it has no error diagnostics.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub incident: Option<Incident>,
    /// Sorted by line.
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

    /// The warning diagnostics only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.level == Level::Warning)
    }
}

/// At most this many diagnostics are kept per record; the rest are counted in one last warning.
pub const MAX_DIAGNOSTICS: usize = 200;

/// Diagnostics of one record as they are found.
pub(crate) struct Diags<'p> {
    path: &'p Path,
    list: Vec<Diagnostic>,
    dropped: usize,
}

impl<'p> Diags<'p> {
    fn new(path: &'p Path) -> Self {
        Self { path, list: Vec::new(), dropped: 0 }
    }

    fn push(&mut self, d: impl FnOnce(&Path) -> Diagnostic) {
        // Errors always count: a record must never pass the gate because warnings filled the list.
        if self.list.len() < MAX_DIAGNOSTICS {
            self.list.push(d(self.path));
        } else {
            self.dropped += 1;
        }
    }

    pub fn error(&mut self, line: usize, rule: &str, message: impl Into<String>) {
        if self.list.len() >= MAX_DIAGNOSTICS && !self.list.iter().any(|d| d.level == Level::Error) {
            self.list.pop();
            self.dropped += 1;
        }
        self.push(|p| Diagnostic::error(p, line, rule, message));
    }

    pub fn warn(&mut self, line: usize, rule: &str, message: impl Into<String>) {
        self.push(|p| Diagnostic::warning(p, line, rule, message));
    }

    /// The diagnostics sorted by line, with a last warning counting any that were dropped.
    fn finish(mut self) -> Vec<Diagnostic> {
        self.list.sort_by_key(|d| d.line);
        if self.dropped > 0 {
            let last = self.list.last().map_or(1, |d| d.line);
            let msg =
                format!("{} more diagnostics not shown (at most {MAX_DIAGNOSTICS} per record)", self.dropped);
            self.list.push(Diagnostic::warning(self.path, last, "too-many-diagnostics", msg));
        }
        self.list
    }
}

/// Parses and gates one record. `path` is only used to label diagnostics.
///
/// Never panics, whatever the bytes: input that is too large (over [`MAX_RECORD_BYTES`]),
/// empty, binary, not UTF-8 or not Markdown gives `incident: None` and one error.
pub fn parse(path: &Path, bytes: &[u8]) -> Parsed {
    parse_traced(path, bytes).0
}

/// [`parse`], with the header values as read and where each was written (for `check --explain`).
pub(crate) fn parse_traced(path: &Path, bytes: &[u8]) -> (Parsed, Header) {
    let mut diags = Diags::new(path);
    let mut header = Header::default();
    let incident = match input::decode(bytes) {
        Ok(text) => read(&text, &mut diags, &mut header),
        Err((rule, line, message)) => {
            diags.error(line, rule, message);
            None
        }
    };
    (Parsed { incident, diagnostics: diags.finish() }, header)
}

fn read(text: &str, diags: &mut Diags<'_>, header: &mut Header) -> Option<Incident> {
    let front = frontmatter::split(text);
    let body_start = front.as_ref().map_or(0, |(_, body)| *body);
    let mut doc = match Doc::read(text, body_start) {
        Ok(doc) => doc,
        Err((rule, line, message)) => {
            diags.error(line, rule, message);
            return None;
        }
    };
    let has_labels = doc.blocks.iter().any(|b| match b {
        Block::Lines(lines) => lines.iter().any(|l| l.label.is_some()),
        Block::List(items) => items.iter().any(|i| i.lines.iter().any(|l| l.label.is_some())),
        _ => false,
    });
    if front.is_none() && doc.headings.is_empty() && !has_labels {
        diags.error(
            1,
            "not-markdown",
            "no Markdown headings and no `**Label**:` fields: this is not an incident record",
        );
        return None;
    }

    let mut inc = Incident::default();
    let outline = sections::Outline::new(&doc, diags);
    doc.extent_ends = outline.extent_ends(&doc);
    sections::read_header(&doc, &outline, &mut inc, header, diags);
    if let Some((yaml, _)) = &front {
        let yaml = &text[yaml.clone()];
        frontmatter::apply(yaml, &mut inc, header, diags);
        inc.front_matter = Some(yaml.to_string());
    }
    sections::complete_header(&doc, &outline, header);
    gate::apply_header(header, &mut inc, diags);
    sections::infer_start(&doc, &outline, &mut inc, header, diags);
    sections::read_body(&doc, &outline, &mut inc, header, diags);
    gate::check(header, &inc, doc.lines.count(text.len()), diags);
    if sections::unfilled(&doc, &outline, &inc) {
        // Prompts and empty sections are no record: nothing of it is kept.
        let line = doc.headings.first().map_or(1, |h| h.line);
        diags.error(
            line,
            "template-unfilled",
            "the record is an unfilled template: its sections hold only headings, empty labels and prompts (`[Date]`, `_…_`, `TBD`)",
        );
        return None;
    }
    inc.sections = section_list(&doc, &outline);
    Some(inc)
}

/// Reads a record file: at most [`MAX_RECORD_BYTES`] + 1 bytes of it, enough for [`parse`] to
/// say it is too large without reading all of a huge file. Only a regular file is read: a FIFO,
/// a socket or a device is an error, found before it is opened, and opened (if it was swapped
/// in since) without blocking, then refused.
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let not_regular = |meta: &std::fs::Metadata| {
        let kind = discover::kind_name(meta);
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{kind} is not a regular file"))
    };
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = open.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_RECORD_BYTES as u64 + 1) as usize);
    file.take(MAX_RECORD_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads and parses one record file, returning its exact bytes (empty when it could not be
/// read) with the result; a file that cannot be read gets an `unreadable` error. Its sign-off
/// sidecar (`X.signoff.yaml` beside `X.md`), when there is one, is applied (see [`sidecar`]).
pub fn parse_file(path: &Path) -> (Vec<u8>, Parsed) {
    let (bytes, parsed, _) = parse_file_traced(path);
    (bytes, parsed)
}

/// [`parse_file`], with the header values as read (for `check --explain`).
pub(crate) fn parse_file_traced(path: &Path) -> (Vec<u8>, Parsed, Header) {
    match read_file(path) {
        Ok(bytes) => {
            let (mut parsed, header) = parse_traced(path, &bytes);
            match sidecar::read_sidecar(path) {
                Ok(Some((spath, sbytes))) => sidecar::apply(&mut parsed, path, &spath, &sbytes),
                Ok(None) => {}
                Err((spath, e)) => {
                    let msg = format!("cannot read the sign-off sidecar: {e}");
                    parsed.diagnostics.push(Diagnostic::error(&spath, 1, "sidecar-invalid", msg));
                }
            }
            (bytes, parsed, header)
        }
        Err(e) => {
            let d = Diagnostic::error(path, 1, "unreadable", format!("cannot read the record: {e}"));
            (Vec::new(), Parsed { incident: None, diagnostics: vec![d] }, Header::default())
        }
    }
}

/// Every section as written: the text before the first heading (when there is any), then one
/// per heading up to the next.
fn section_list(doc: &Doc<'_>, outline: &sections::Outline) -> Vec<Section> {
    let text = doc.text;
    let mut out = Vec::with_capacity(doc.headings.len() + 1);
    let first = doc.headings.first().map_or(text.len(), |h| h.start);
    let preamble = &text[doc.body_start..first];
    if !preamble.trim().is_empty() {
        out.push(Section {
            heading: String::new(),
            kind: SectionKind::Other,
            level: 0,
            line: doc.lines.line(doc.body_start),
            markdown: preamble.to_string(),
        });
    }
    for (i, h) in doc.headings.iter().enumerate() {
        out.push(Section {
            heading: h.text.clone(),
            kind: outline.kind(i),
            level: h.level,
            line: h.line,
            markdown: text[h.start..doc.section_end(i)].to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests;
