//! Signed notes and transparency-log checkpoints: the text formats in which the archive will
//! state its size and root so that a third party can check them with standard tools.
//!
//! Three layers, each a C2SP specification shared with Go's checksum database, Sigstore and the
//! other transparency logs, so that their tools read what this module writes:
//!
//! - [`key`]: Ed25519 signer and verifier keys in the text form of Go's
//!   `golang.org/x/mod/sumdb/note` (`name+keyid+base64`, `PRIVATE+KEY+name+keyid+base64`) and
//!   the key id of <https://github.com/C2SP/C2SP/blob/main/signed-note.md>.
//! - [`signed`]: a note, a text signed by one or more keys
//!   (<https://github.com/C2SP/C2SP/blob/main/signed-note.md>): the text, a blank line, then
//!   one `— name base64(keyid ‖ signature)` line per signature.
//! - [`checkpoint`]: the text of a checkpoint
//!   (<https://github.com/C2SP/C2SP/blob/main/tlog-checkpoint.md>): origin, tree size and
//!   base64 RFC 6962 root, one a line, and a check that a later checkpoint extends an earlier
//!   one given a consistency proof ([`crate::archive::merkle`] computes the roots and proofs).
//!
//! - [`publish`]: the archive's signed checkpoint, `archive/checkpoint`, written after every
//!   run that changes the archive and never over a checkpoint the tree does not extend; the
//!   key files. The only part of this module that reads or writes files, and the only one
//!   that knows the archive beyond its Merkle tree.

pub mod checkpoint;
pub mod key;
pub mod publish;
pub mod signed;

pub use checkpoint::{Checkpoint, CheckpointError, ConsistencyError, verify_consistency};
pub use key::{KeyError, KeyId, SignerKey, VerifierKey};
pub use signed::{NoteError, Signature, SignedNote, Verified};

/// A value of a key, note or checkpoint as an error message quotes it: controls, the hidden
/// characters of [`crate::text`] and white space other than the plain space as visible escapes
/// (`\u{a0}`), so that a message never hides what was wrong.
pub(crate) fn shown(s: &str) -> String {
    crate::text::escape_where(s, |c| {
        c.is_control() || crate::text::is_hidden(c) || (c.is_whitespace() && c != ' ')
    })
    .into_owned()
}
