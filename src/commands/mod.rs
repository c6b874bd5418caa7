//! One file per subcommand: each takes its arguments (the clap structs of [`crate::cli`]), makes
//! one library call and prints the result.

pub mod build;
pub mod check;
pub mod completions;
pub mod consistency;
pub mod evidence;
pub mod export;
pub mod index;
pub mod ingest;
pub mod key;
pub mod man;
pub mod proof;
pub mod retention;
pub mod search;
pub mod show;
pub mod site;
pub mod verify;

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::Arc;

use incident_archive::config::Config;
use incident_archive::progress::{NoProgress, Progress};

use crate::cli::{Cli, Cmd, GlobalArgs};
use crate::error::Error;

/// How a command that ran to its end went; the process exit code is its value. A command that
/// could not finish returns an [`Error`] instead, which knows its own code (2 or 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: all good.
    Ok = 0,
    /// 1: finished, but found problems a human must look at.
    Problems = 1,
}

/// What a command gets: the configuration with flags applied, and how to talk to the user.
#[derive(Debug, Clone)]
pub struct Context {
    pub config: Config,
    pub out: Output,
}

/// Where and how to print.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub quiet: bool,
    pub verbose: u8,
    /// Standard error is a terminal: progress bars are drawn.
    pub progress: bool,
    /// Standard output is a terminal and `NO_COLOR` is not set.
    pub color: bool,
    /// Standard output is a terminal.
    pub terminal: bool,
}

impl Output {
    fn detect(quiet: bool, verbose: u8) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            quiet,
            verbose,
            progress: !quiet && std::io::stderr().is_terminal(),
            color: !no_color && std::io::stdout().is_terminal(),
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// A line of progress or information on standard error, unless `-q`; record text in it
    /// cannot drive the terminal ([`term_lines`]).
    pub fn info(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{}", term_lines(&msg.to_string()));
        }
    }

    /// A detail shown with `-v` (sanitised like [`Output::info`]).
    pub fn detail(&self, msg: impl std::fmt::Display) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("{}", term_lines(&msg.to_string()));
        }
    }

    /// A progress bar on a terminal; nothing otherwise (CI, cron).
    pub fn bar(&self, len: u64, what: &str) -> Arc<dyn Progress> {
        if !self.progress {
            return Arc::new(NoProgress);
        }
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} {wide_msg}")
                .expect("static template")
                .progress_chars("=> "),
        );
        bar.set_prefix(what.to_string());
        Arc::new(Bar(bar))
    }
}

/// indicatif's progress bar as the library's [`Progress`]: indicatif stays in the command layer.
/// (A type of this layer, so that the impl is allowed wherever the layer lives.)
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, phase: &str, len: u64) {
        self.0.set_length(len);
        self.0.set_position(0);
        self.0.set_prefix(phase.to_string());
    }

    fn inc(&self, n: u64) {
        self.0.inc(n);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Runs the command the arguments name, with the configuration they point at (the completion
/// scripts and manual pages are made from the argument definitions alone, reading none).
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    let ctx = || context(&cli.global);
    match cli.command {
        Cmd::Check(o) => check::run(&ctx()?, o),
        Cmd::Ingest(o) => ingest::run(&ctx()?, o),
        Cmd::Verify(o) => verify::run(&ctx()?, o),
        Cmd::Show(o) => show::run(&ctx()?, o),
        Cmd::Proof(o) => proof::run(&ctx()?, o),
        Cmd::VerifyProof(o) => proof::run_verify(&ctx()?, o),
        Cmd::Retention(o) => retention::run(&ctx()?, o),
        Cmd::Index(o) => index::run(&ctx()?, o),
        Cmd::Search(o) => search::run(&ctx()?, o),
        Cmd::Site(o) => site::run(&ctx()?, o),
        Cmd::Build(o) => build::run(&ctx()?, o),
        Cmd::Key(o) => key::run(&cli.global, o),
        Cmd::Consistency(o) => consistency::run(&ctx()?, o),
        Cmd::Export(crate::cli::ExportCmd::Evidence(o)) => evidence::run_export(&ctx()?, o),
        Cmd::Export(crate::cli::ExportCmd::Search(o)) => export::run_search(&ctx()?, o),
        Cmd::VerifyBundle(o) => evidence::run_verify(&ctx()?, o),
        Cmd::Completions(o) => completions::run(o),
        Cmd::Man(o) => man::run(o),
    }
}

/// The exit code of a command's result; an error is printed first, as its chain, on standard
/// error (a closed pipe is not an error: `| head` has what it wanted).
pub fn exit_code(result: Result<Outcome, Error>) -> u8 {
    match result {
        Ok(outcome) => outcome as u8,
        Err(e) if e.is_broken_pipe() => Outcome::Ok as u8,
        Err(e) => {
            eprintln!("error: {}", term_lines(&e.message()));
            e.code()
        }
    }
}

fn context(global: &GlobalArgs) -> Result<Context, Error> {
    let mut config = Config::load(global.config.as_deref())?;
    if let Some(a) = &global.archive {
        config.archive = a.clone();
    }
    if let Some(k) = &global.signing_key {
        config.signing.key = Some(k.clone());
    }
    Ok(Context { config, out: Output::detect(global.quiet, global.verbose) })
}

/// Writes `text` to standard output at once; a closed pipe (`| head`) ends the output quietly
/// instead of panicking as `println!` does.
pub fn emit(text: &str) -> std::io::Result<()> {
    emit_bytes(text.as_bytes())
}

/// Writes `bytes` to standard output at once, ending quietly on a closed pipe like [`emit`].
pub fn emit_bytes(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// One line of record text for the terminal: every control a terminal would act on (ESC, CSI,
/// the other C0 and C1 controls, DEL), line and paragraph breaks, bidi overrides and
/// noncharacters as visible escapes (`\u{1b}`, `\u{a}`, `\u{202e}`), so that a record can
/// neither drive the terminal nor fake a line of the output. Tabs stay.
pub fn term(s: &str) -> Cow<'_, str> {
    incident_archive::text::escape_where(s, |c| {
        incident_archive::text::is_hidden(c) || matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
    })
}

/// Like [`term`] for text of several lines: newlines and tabs stay.
pub fn term_lines(s: &str) -> Cow<'_, str> {
    incident_archive::text::escape_where(s, |c| {
        incident_archive::text::is_hidden(c) || matches!(c, '\r' | '\u{2028}' | '\u{2029}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_carries_no_control() {
        let s = "t\u{1b}[2J\u{1b}]0;x\u{7}\u{9b}31m\u{7f}\0\r\u{202e}gnp.exe\u{2028}\ta\nb";
        assert_eq!(
            term(s),
            "t\\u{1b}[2J\\u{1b}]0;x\\u{7}\\u{9b}31m\\u{7f}\\u{0}\\u{d}\\u{202e}gnp.exe\\u{2028}\ta\\u{a}b"
        );
        assert_eq!(term_lines("a\u{1b}[1m\nb\tc\r"), "a\\u{1b}[1m\nb\tc\\u{d}");
        assert!(matches!(term("Évidemment, שלום \u{200f}"), Cow::Borrowed(_)));
    }
}
