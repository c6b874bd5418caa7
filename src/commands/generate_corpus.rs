//! `generate-corpus` (hidden): a deterministic synthetic corpus for the benchmarks.

use std::time::Instant;

use incident_archive::corpus::Corpus;

use super::{Context, Outcome};
use crate::cli::GenerateCorpusArgs;
use crate::error::{Error, ResultExt as _};

/// Writes `count` records for `seed` as `<out>/<id>.md` and says how much it wrote.
pub fn run(ctx: &Context, o: GenerateCorpusArgs) -> Result<Outcome, Error> {
    let started = Instant::now();
    let corpus = Corpus::new(o.count, o.seed);
    let written =
        corpus.write(&o.out).with_context(|| format!("cannot write the corpus to `{}`", o.out.display()))?;
    ctx.out.info(format!(
        "wrote {} records ({:.1} MB, seed {}) to `{}` in {:.2} s",
        written.records,
        written.bytes as f64 / 1e6,
        o.seed,
        o.out.display(),
        started.elapsed().as_secs_f64()
    ));
    Ok(Outcome::Ok)
}
