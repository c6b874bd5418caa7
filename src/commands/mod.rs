//! One file per subcommand: each turns checked options into one library call and prints the result.

pub mod build;
pub mod check;
pub mod generate_corpus;
pub mod index;
pub mod ingest;
pub mod proof;
pub mod retention;
pub mod search;
pub mod show;
pub mod site;
pub mod verify;

use std::borrow::Cow;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::progress::{NoProgress, Progress};

/// Settings shared by every command.
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub config: Option<PathBuf>,
    pub archive: Option<PathBuf>,
    pub quiet: bool,
    pub verbose: u8,
}

/// One command with its options.
#[derive(Debug)]
pub enum Command {
    Check(check::Options),
    Ingest(ingest::Options),
    Verify(verify::Options),
    Show(show::Options),
    Proof(proof::Options),
    VerifyProof(proof::VerifyOptions),
    Retention(retention::Options),
    Index(index::Options),
    Search(search::Options),
    Site(site::Options),
    Build(build::Options),
    GenerateCorpus(generate_corpus::Options),
}

/// How a command ended; the process exit code is its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: all good.
    Ok = 0,
    /// 1: finished, but found problems a human must look at.
    Problems = 1,
    /// 2: usage or fatal error.
    Fatal = 2,
    /// 3: another run holds the archive lock.
    Locked = 3,
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

/// Runs one command and maps every failure to an exit code, printing the error chain.
pub fn run(global: Global, command: Command) -> Outcome {
    let ctx = match context(&global) {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("error: {}", term_lines(&format!("{e:#}")));
            return Outcome::Fatal;
        }
    };
    let result = match command {
        Command::Check(o) => check::run(&ctx, o),
        Command::Ingest(o) => ingest::run(&ctx, o),
        Command::Verify(o) => verify::run(&ctx, o),
        Command::Show(o) => show::run(&ctx, o),
        Command::Proof(o) => proof::run(&ctx, o),
        Command::VerifyProof(o) => proof::run_verify(&ctx, o),
        Command::Retention(o) => retention::run(&ctx, o),
        Command::Index(o) => index::run(&ctx, o),
        Command::Search(o) => search::run(&ctx, o),
        Command::Site(o) => site::run(&ctx, o),
        Command::Build(o) => build::run(&ctx, o),
        Command::GenerateCorpus(o) => generate_corpus::run(&ctx, o),
    };
    match result {
        Ok(outcome) => outcome,
        // `| head` closed the pipe: the reader has what it wanted.
        Err(e) if is_broken_pipe(&e) => Outcome::Ok,
        Err(e) => {
            let site_locked = matches!(e.downcast_ref(), Some(crate::site::SiteError::Locked { .. }));
            if let Some(crate::archive::ArchiveError::Locked { .. }) = e.downcast_ref() {
                eprintln!("error: {}", term_lines(&format!("{e:#}")));
                return Outcome::Locked;
            }
            if site_locked {
                eprintln!("error: {}", term_lines(&format!("{e:#}")));
                return Outcome::Locked;
            }
            eprintln!("error: {}", term_lines(&format!("{e:#}")));
            Outcome::Fatal
        }
    }
}

fn context(global: &Global) -> anyhow::Result<Context> {
    let mut config = Config::load(global.config.as_deref())?;
    if let Some(a) = &global.archive {
        config.archive = a.clone();
    }
    Ok(Context { config, out: Output::detect(global.quiet, global.verbose) })
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// Writes `text` to standard output at once; a closed pipe (`| head`) ends the output quietly
/// instead of panicking as `println!` does.
pub fn emit(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// One line of record text for the terminal: every control a terminal would act on (ESC, CSI,
/// the other C0 and C1 controls, DEL), line and paragraph breaks, bidi overrides and
/// noncharacters as visible escapes (`\u{1b}`, `\u{a}`, `\u{202e}`), so that a record can
/// neither drive the terminal nor fake a line of the output. Tabs stay.
pub fn term(s: &str) -> Cow<'_, str> {
    crate::text::escape_where(s, |c| {
        crate::text::is_hidden(c) || matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
    })
}

/// Like [`term`] for text of several lines: newlines and tabs stay.
pub fn term_lines(s: &str) -> Cow<'_, str> {
    crate::text::escape_where(s, |c| crate::text::is_hidden(c) || matches!(c, '\r' | '\u{2028}' | '\u{2029}'))
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
