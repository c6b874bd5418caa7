//! `check`: parse records and run the sign-off gate, archiving nothing.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;

use super::{Context, Outcome};
use crate::record::{self, Diagnostic, Incident, Level, Parsed};

#[derive(Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub json: bool,
}

/// One checked file.
pub struct Checked {
    pub path: PathBuf,
    pub parsed: Parsed,
}

/// Reads a record, at most [`record::MAX_RECORD_BYTES`] + 1 bytes of it (enough for the parser to
/// say it is too large without reading all of a huge file).
pub fn read_record(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(record::MAX_RECORD_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads and parses `files` in parallel, in their order; a file that cannot be read gets an
/// `unreadable` error diagnostic.
pub fn check_files(files: &[PathBuf]) -> Vec<Checked> {
    files
        .par_iter()
        .map(|path| {
            let parsed = match read_record(path) {
                Ok(bytes) => record::parse(path, &bytes),
                Err(e) => Parsed {
                    incident: None,
                    diagnostics: vec![Diagnostic::error(
                        path,
                        1,
                        "unreadable",
                        format!("cannot read the record: {e}"),
                    )],
                },
            };
            Checked { path: path.clone(), parsed }
        })
        .collect()
}

pub fn run(ctx: &Context, o: Options) -> anyhow::Result<Outcome> {
    let single_file = o.paths.len() == 1 && o.paths[0].is_file();
    let paths = if o.paths.is_empty() { vec![ctx.config.inbox.clone()] } else { o.paths };
    let files = match record::discover(&paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(Outcome::Fatal);
        }
    };
    let checked = check_files(&files);
    let rejected = checked.iter().filter(|c| !c.parsed.accepted()).count();
    let warnings: usize = checked.iter().map(|c| c.parsed.warnings().count()).sum();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if o.json {
        if single_file && checked.len() == 1 {
            serde_json::to_writer_pretty(&mut out, &report(&checked[0]))
        } else {
            serde_json::to_writer_pretty(&mut out, &checked.iter().map(report).collect::<Vec<_>>())
        }
        .context("writing JSON")?;
        writeln!(out)?;
    } else {
        for c in &checked {
            for d in &c.parsed.diagnostics {
                if ctx.out.quiet && d.level == Level::Warning {
                    continue;
                }
                writeln!(out, "{}", paint(d, ctx.out.color))?;
            }
            if c.parsed.accepted() {
                ctx.out.detail(format_args!("ok {}", c.path.display()));
            }
        }
        if !ctx.out.quiet {
            let noun = if checked.len() == 1 { "record" } else { "records" };
            let warn_noun = if warnings == 1 { "warning" } else { "warnings" };
            writeln!(
                out,
                "checked {} {noun}: {} accepted, {rejected} rejected, {warnings} {warn_noun}",
                checked.len(),
                checked.len() - rejected,
            )?;
        }
    }
    out.flush()?;
    if files.is_empty() {
        ctx.out.info(format_args!(
            "note: no `*.md` records under {}",
            paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(if rejected > 0 { Outcome::Problems } else { Outcome::Ok })
}

/// The record's model with its keys at the top level (in the model's order), then `path`,
/// `accepted` and `diagnostics`.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    incident: Option<&'a Incident>,
    path: String,
    accepted: bool,
    diagnostics: &'a [Diagnostic],
}

fn report(c: &Checked) -> Report<'_> {
    Report {
        incident: c.parsed.incident.as_ref(),
        path: c.path.display().to_string(),
        accepted: c.parsed.accepted(),
        diagnostics: &c.parsed.diagnostics,
    }
}

/// `path:line: error[rule]: message`, with the level coloured on a terminal.
fn paint(d: &Diagnostic, color: bool) -> String {
    if !color {
        return d.to_string();
    }
    let (word, code) = match d.level {
        Level::Error => ("error", "1;31"),
        Level::Warning => ("warning", "1;33"),
    };
    format!("{}:{}: \x1b[{code}m{word}[{}]\x1b[0m: {}", d.path.display(), d.line, d.rule, d.message)
}
