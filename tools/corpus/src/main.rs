//! The `incident-corpus` binary: writes a deterministic synthetic corpus to a folder, for the
//! benchmarks (`benches/run.sh`, `benches/browser-suite.sh`) and the browser tests.
//!
//! `incident-corpus --count N --seed S --out DIR [-q]` says what it wrote on standard error
//! (nothing with `-q`); exit 0 when written, 2 on a usage error or when the folder cannot be
//! written, the error chain on standard error.

use std::borrow::Cow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use incident_corpus::Corpus;

/// Write a deterministic synthetic corpus of signed-off incident records (for benchmarks).
#[derive(Debug, Parser)]
#[command(name = "incident-corpus", version)]
struct Args {
    /// Number of records.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print only errors.
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", visible(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// Writes `count` records for `seed` as `<out>/<id>.md` and says how much it wrote.
fn run(args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let corpus = Corpus::new(args.count, args.seed);
    let written = corpus
        .write(&args.out)
        .with_context(|| format!("cannot write the corpus to `{}`", args.out.display()))?;
    if !args.quiet {
        let line = format!(
            "wrote {} records ({:.1} MB, seed {}) to `{}` in {:.2} s",
            written.records,
            written.bytes as f64 / 1e6,
            args.seed,
            args.out.display(),
            started.elapsed().as_secs_f64()
        );
        eprintln!("{}", visible(&line));
    }
    Ok(())
}

/// `s` with the characters a terminal would act on (controls other than newline and tab, bidi
/// overrides, line and paragraph separators, noncharacters) as visible escapes (`\u{1b}`), as
/// incident-archive prints a path: a folder name cannot drive the terminal.
fn visible(s: &str) -> Cow<'_, str> {
    let hidden = |c: char| match c {
        '\t' | '\n' => false,
        '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        '\u{FDD0}'..='\u{FDEF}' => true,
        c => c.is_control() || (c as u32 & 0xFFFE) == 0xFFFE,
    };
    if !s.contains(hidden) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars().map(|c| if hidden(c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() }).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_cannot_drive_the_terminal() {
        assert_eq!(visible("out/a\u{1b}[2J\u{202e}b\r\tc\nd"), "out/a\\u{1b}[2J\\u{202e}b\\u{d}\tc\nd");
        assert!(matches!(visible("benches/out/records-1000"), Cow::Borrowed(_)));
    }
}
