//! `key generate|public`: the Ed25519 keys that sign the archive's checkpoints, in the text
//! form of C2SP signed notes (Go's `sumdb/note`). The private key goes to a new file of mode
//! 0600; the verifier key, which auditors are given, to standard output.

use incident_archive::note::SignerKey;
use incident_archive::note::publish::{self, Published};

use super::{Outcome, emit};
use crate::cli::{GlobalArgs, KeyCmd};
use crate::error::{Error, ResultExt as _};

pub fn run(global: &GlobalArgs, o: KeyCmd) -> Result<Outcome, Error> {
    match o {
        KeyCmd::Generate { name, out } => {
            let key = SignerKey::generate(&name).map_err(|e| Error::msg(e.to_string()))?;
            publish::create_key_file(&out, &key)
                .with_context(|| format!("cannot write the private key `{}`", out.display()))?;
            if !global.quiet {
                eprintln!(
                    "wrote the private key `{}` (mode 0600; keep it secret); its verifier key follows",
                    out.display()
                );
            }
            emit(&format!("{}\n", key.verifier()))?;
        }
        KeyCmd::Public { key } => {
            let file = publish::read_signer_key(&key)?;
            if let Some(w) = &file.warning {
                eprintln!("warning: {w}");
            }
            emit(&format!("{}\n", file.key.verifier()))?;
        }
    }
    Ok(Outcome::Ok)
}

/// One line saying what a run wrote to `archive/checkpoint`.
pub fn published_line(p: &Published) -> String {
    format!(
        "checkpoint: `{}` states size {} root {}, {}",
        p.path.display(),
        p.size,
        p.root,
        match &p.signed_by {
            Some(k) => format!("signed by `{k}`"),
            None => "unsigned (no `signing.key`)".to_string(),
        }
    )
}
