//! The body of a transparency-log checkpoint
//! (<https://github.com/C2SP/C2SP/blob/main/tlog-checkpoint.md>), the note text that a log
//! signs to state its size and root:
//!
//! ```text
//! example.com/behind-the-sofa                    origin: which log
//! 20852163                                       tree size, decimal, no leading zeros
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=   base64 of the RFC 6962 root
//! ```
//!
//! each line ending in a newline, then optional extension lines (non-empty, opaque; the spec
//! advises against them). The origin is non-empty, with no white space at either end; the spec
//! recommends a schema-less URL, and the log's key name should match it. The root is a 32-byte
//! SHA-256, standard base64 with padding, decoded strictly so that a checkpoint prints back to
//! the exact text it was read from. Signed, a checkpoint is a [signed note](super::signed).
//!
//! A log must never sign two checkpoints inconsistent with each other: [`verify_consistency`]
//! checks, with an RFC 6962 consistency proof, that a later checkpoint's tree extends an
//! earlier one's.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::key::{SignerKey, VerifierKey};
use super::shown;
use super::signed::{NoteError, SignedNote, Verified};
use crate::archive::merkle::{self, Hash, ProofError};

/// Why a checkpoint text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint text does not end in a newline")]
    NoFinalNewline,
    #[error("a checkpoint has at least three lines (origin, tree size, root hash), this text has {0}")]
    TooFewLines(usize),
    #[error("line {line} of the checkpoint contains the control character U+{code:04X}")]
    ControlCharacter { line: usize, code: u32 },
    #[error("the origin line is empty")]
    EmptyOrigin,
    #[error("the origin `{0}` begins or ends with white space")]
    OriginSpaces(String),
    #[error("the tree size `{0}` is not a decimal number without leading zeros")]
    BadSize(String),
    #[error("the tree size `{0}` is larger than 18446744073709551615")]
    SizeTooLarge(String),
    #[error("the root hash `{0}` is not standard base64 with padding")]
    BadRoot(String),
    #[error("the root hash is {0} bytes, not the 32 of a SHA-256")]
    RootLength(usize),
    #[error("extension line {line} of the checkpoint is empty")]
    EmptyExtension { line: usize },
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// Why a later checkpoint was not shown to extend an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsistencyError {
    #[error("the checkpoints are of different logs: origin `{old}`, then `{new}`")]
    OriginMismatch { old: String, new: String },
    #[error("the tree of size {new_size} does not extend the tree of size {old_size}: {problem}")]
    Proof { old_size: u64, new_size: u64, problem: ProofError },
}

/// A checkpoint: origin, tree size, root and extension lines, each checked as the spec says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

fn check_controls(line: usize, s: &str) -> Result<(), CheckpointError> {
    match s.chars().find(|&c| c < ' ') {
        Some(c) => Err(CheckpointError::ControlCharacter { line, code: c as u32 }),
        None => Ok(()),
    }
}

fn check_origin(origin: &str) -> Result<(), CheckpointError> {
    check_controls(1, origin)?;
    if origin.is_empty() {
        return Err(CheckpointError::EmptyOrigin);
    }
    if origin.starts_with(char::is_whitespace) || origin.ends_with(char::is_whitespace) {
        return Err(CheckpointError::OriginSpaces(shown(origin)));
    }
    Ok(())
}

fn check_extension(line: usize, ext: &str) -> Result<(), CheckpointError> {
    check_controls(line, ext)?;
    if ext.is_empty() {
        return Err(CheckpointError::EmptyExtension { line });
    }
    Ok(())
}

fn parse_size(s: &str) -> Result<u64, CheckpointError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return Err(CheckpointError::BadSize(shown(s)));
    }
    s.parse().map_err(|_| CheckpointError::SizeTooLarge(s.to_string()))
}

fn parse_root(s: &str) -> Result<Hash, CheckpointError> {
    let raw = STANDARD.decode(s).map_err(|_| CheckpointError::BadRoot(shown(s)))?;
    raw.as_slice().try_into().map_err(|_| CheckpointError::RootLength(raw.len()))
}

impl Checkpoint {
    /// The checkpoint of the tree of `size` leaves whose RFC 6962 root is `root`, issued by the
    /// log `origin`.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Checkpoint, CheckpointError> {
        check_origin(origin)?;
        Ok(Checkpoint { origin: origin.to_string(), size, root, extensions: Vec::new() })
    }

    /// The same checkpoint with `lines` as its extension lines (each non-empty, one line).
    pub fn with_extensions(mut self, lines: Vec<String>) -> Result<Checkpoint, CheckpointError> {
        for (i, ext) in lines.iter().enumerate() {
            // A newline would make two lines of one.
            if let Some(p) = ext.find('\n') {
                return Err(CheckpointError::ControlCharacter {
                    line: 4 + i,
                    code: ext.as_bytes()[p] as u32,
                });
            }
            check_extension(4 + i, ext)?;
        }
        self.extensions = lines;
        Ok(self)
    }

    /// Reads a checkpoint's text, exactly: the body of a signed checkpoint (its
    /// [`SignedNote::text`]) or an unsigned checkpoint.
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::NoFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        if lines.len() < 3 {
            return Err(CheckpointError::TooFewLines(lines.len()));
        }
        check_origin(lines[0])?;
        check_controls(2, lines[1])?;
        let size = parse_size(lines[1])?;
        check_controls(3, lines[2])?;
        let root = parse_root(lines[2])?;
        for (i, ext) in lines[3..].iter().enumerate() {
            check_extension(4 + i, ext)?;
        }
        Ok(Checkpoint {
            origin: lines[0].to_string(),
            size,
            root,
            extensions: lines[3..].iter().map(|s| s.to_string()).collect(),
        })
    }

    /// Opens a signed checkpoint: verifies the note against `keys` (see
    /// [`SignedNote::verify`]), then reads its text.
    pub fn open(msg: &[u8], keys: &[VerifierKey]) -> Result<(Checkpoint, Verified), CheckpointError> {
        let verified = SignedNote::open(msg, keys)?;
        Ok((Checkpoint::parse(&verified.text)?, verified))
    }

    /// The signed checkpoint: this text signed by `key`.
    pub fn sign(&self, key: &SignerKey) -> Result<SignedNote, NoteError> {
        SignedNote::sign(&self.to_string(), key)
    }

    /// The log's identity.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The RFC 6962 root of the first [`Checkpoint::size`] leaves.
    pub fn root(&self) -> &Hash {
        &self.root
    }

    /// The extension lines, without their newlines.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }
}

impl fmt::Display for Checkpoint {
    /// The checkpoint text: origin, size, base64 root and extensions, each line `\n`-terminated.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.origin)?;
        writeln!(f, "{}", self.size)?;
        writeln!(f, "{}", STANDARD.encode(self.root))?;
        for ext in &self.extensions {
            writeln!(f, "{ext}")?;
        }
        Ok(())
    }
}

/// Checks that `new` extends `old`: the same log, and `proof` is an RFC 6962 consistency proof
/// from `old`'s tree to `new`'s (as [`merkle::consistency_proof`] makes it). Equal sizes need
/// equal roots and an empty proof; a smaller `new` never extends `old`.
pub fn verify_consistency(
    old: &Checkpoint,
    new: &Checkpoint,
    proof: &[Hash],
) -> Result<(), ConsistencyError> {
    if old.origin != new.origin {
        return Err(ConsistencyError::OriginMismatch { old: shown(&old.origin), new: shown(&new.origin) });
    }
    merkle::verify_consistency(old.size, new.size, proof, &old.root, &new.root)
        .map_err(|problem| ConsistencyError::Proof { old_size: old.size, new_size: new.size, problem })
}

#[cfg(test)]
mod tests {
    //! Vectors: a checkpoint signed by sum.golang.org, Go's checksum database, as
    //! transparency-dev/formats `log/note_test.go` (Apache-2.0) verifies it with the key `cmd/go`
    //! ships; the example of the C2SP tlog-checkpoint spec; the malformed bodies of
    //! transparency-dev/formats `log/checkpoint_test.go`; and the RFC 6962 roots and
    //! consistency proofs of the Certificate Transparency reference tree (the 8 leaves of
    //! `merkle_tree_test.cc`), all copied verbatim.

    use super::*;
    use crate::archive::merkle::{consistency_proof, leaf_hash, parse_hash, root};
    use crate::note::key::KeyId;

    const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
    const SUMDB_CHECKPOINT: &str = "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n";
    const SPEC_CHECKPOINT: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

    #[test]
    fn a_checkpoint_signed_by_go_checksum_database_verifies() {
        let key = VerifierKey::parse(SUMDB_VKEY).unwrap();
        let (cp, v) = Checkpoint::open(SUMDB_CHECKPOINT.as_bytes(), &[key]).unwrap();
        assert_eq!(cp.origin(), "go.sum database tree");
        assert_eq!(cp.size(), 6476701);
        assert_eq!(STANDARD.encode(cp.root()), "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=");
        assert!(cp.extensions().is_empty());
        assert_eq!(v.verified.len(), 1);
        assert_eq!(v.verified[0].key_id, KeyId(0x033de0ae));
        assert_eq!(cp.to_string(), v.text);
        assert_eq!(SignedNote::parse(SUMDB_CHECKPOINT.as_bytes()).unwrap().to_string(), SUMDB_CHECKPOINT);
        // One changed digit of the size, and the signature no longer holds.
        let forged = SUMDB_CHECKPOINT.replace("6476701", "6476702");
        let key = VerifierKey::parse(SUMDB_VKEY).unwrap();
        assert!(matches!(
            Checkpoint::open(forged.as_bytes(), &[key]),
            Err(CheckpointError::Note(NoteError::BadSignature { .. }))
        ));
    }

    #[test]
    fn the_spec_example_parses_and_prints_back() {
        let note = SignedNote::parse(SPEC_CHECKPOINT.as_bytes()).unwrap();
        let cp = Checkpoint::parse(note.text()).unwrap();
        assert_eq!(cp.origin(), "example.com/behind-the-sofa");
        assert_eq!(cp.size(), 20852163);
        assert_eq!(cp.to_string(), note.text());
        assert_eq!(note.to_string(), SPEC_CHECKPOINT);
        assert_eq!(note.signatures()[0].name, "example.com/behind-the-sofa");
    }

    #[test]
    fn malformed_checkpoints_are_refused_with_reasons() {
        use CheckpointError::*;
        let r32 = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        let cases: Vec<(String, CheckpointError)> = vec![
            // transparency-dev/formats `TestUnmarshalLogState`: its bodies that are not
            // checkpoints (its "valid" ones have roots that are not 32 bytes, or empty
            // extension lines, which this spec refuses).
            ("Head\n9944\n".into(), TooFewLines(2)),
            ("\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n".into(), EmptyOrigin),
            ("Log\n123\nYmFuYW5hcw==".into(), NoFinalNewline),
            (
                "Log\nbananas\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n".into(),
                BadSize("bananas".into()),
            ),
            (
                "Log\n-34\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n".into(),
                BadSize("-34".into()),
            ),
            (
                "Log\n3438945738945739845734895735\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n"
                    .into(),
                SizeTooLarge("3438945738945739845734895735".into()),
            ),
            ("Log\n123\nThisIsn'tBase64\n".into(), BadRoot("ThisIsn'tBase64".into())),
            ("Log\n123\nYmFuYW5hcw==\n".into(), RootLength(7)),
            (
                "Log\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n\n\n\n".into(),
                RootLength(37),
            ),
            (format!("Log\n9944\n{r32}\n\n\n\n"), EmptyExtension { line: 4 }),
            // The spec's other rules.
            (String::new(), NoFinalNewline),
            ("\n".into(), TooFewLines(1)),
            (format!(" Log\n1\n{r32}\n"), OriginSpaces(" Log".into())),
            (format!("Log\u{a0}\n1\n{r32}\n"), OriginSpaces("Log\\u{a0}".into())),
            (format!("L\rog\n1\n{r32}\n"), ControlCharacter { line: 1, code: 13 }),
            (format!("Log\n007\n{r32}\n"), BadSize("007".into())),
            (format!("Log\n+7\n{r32}\n"), BadSize("+7".into())),
            (format!("Log\n\n{r32}\n"), BadSize("".into())),
            (format!("Log\n 7\n{r32}\n"), BadSize(" 7".into())),
            (format!("Log\n18446744073709551616\n{r32}\n"), SizeTooLarge("18446744073709551616".into())),
            (format!("Log\n1\n{}\n", &r32[..43]), BadRoot(r32[..43].into())),
            (format!("Log\n1\n{}\n", r32.replace("I=", "J=")), BadRoot(r32.replace("I=", "J="))),
            (format!("Log\n1\n{r32}\next\n\n"), EmptyExtension { line: 5 }),
            (format!("Log\n1\n{r32}\nex\tt\n"), ControlCharacter { line: 4, code: 9 }),
        ];
        for (text, want) in cases {
            assert_eq!(Checkpoint::parse(&text), Err(want), "{text:?}");
        }
        assert_eq!(
            Checkpoint::parse("Log\n007\nx\n").unwrap_err().to_string(),
            "the tree size `007` is not a decimal number without leading zeros"
        );
    }

    #[test]
    fn checkpoints_print_and_parse_back() {
        let r = parse_hash("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328").unwrap();
        let texts = [
            format!("incidents.example/archive\n0\n{}\n", STANDARD.encode(merkle::empty_root())),
            format!("Acme incident archive\n8\n{}\n", STANDARD.encode(r)),
            format!("a\n18446744073709551615\n{}\nfirst extension\nsecond\n", STANDARD.encode(r)),
        ];
        for text in &texts {
            let cp = Checkpoint::parse(text).unwrap();
            assert_eq!(&cp.to_string(), text);
        }
        let built = Checkpoint::new("Acme incident archive", 8, r).unwrap();
        assert_eq!(built.to_string(), texts[1]);
        let ext = built.clone().with_extensions(vec!["x".into(), "y z".into()]).unwrap();
        assert_eq!(Checkpoint::parse(&ext.to_string()).unwrap(), ext);
        assert_eq!(
            built.clone().with_extensions(vec![String::new()]),
            Err(CheckpointError::EmptyExtension { line: 4 })
        );
        assert_eq!(
            built.with_extensions(vec!["a".into(), "b\nc".into()]),
            Err(CheckpointError::ControlCharacter { line: 5, code: 10 })
        );
        assert_eq!(Checkpoint::new("", 0, r), Err(CheckpointError::EmptyOrigin));
        assert_eq!(
            Checkpoint::new("a\nb", 0, r),
            Err(CheckpointError::ControlCharacter { line: 1, code: 10 })
        );
    }

    #[test]
    fn signed_checkpoints_open_with_the_verifier_key_only() {
        let key = SignerKey::generate("incidents.example/archive").unwrap();
        let r = root(&[leaf_hash(b"one"), leaf_hash(b"two")]);
        let cp = Checkpoint::new("incidents.example/archive", 2, r).unwrap();
        let signed = cp.sign(&key).unwrap().to_string();
        assert!(signed.starts_with(&format!("{cp}\n\u{2014} incidents.example/archive ")));
        let (back, v) = Checkpoint::open(signed.as_bytes(), &[key.verifier()]).unwrap();
        assert_eq!(back, cp);
        assert_eq!(v.verified.len(), 1);
        let other = SignerKey::generate("incidents.example/archive").unwrap();
        assert!(matches!(
            Checkpoint::open(signed.as_bytes(), &[other.verifier()]),
            Err(CheckpointError::Note(NoteError::NoVerifiedSignature { .. }))
        ));
        // A signed note whose text is not a checkpoint is refused after its signature checks.
        let note = SignedNote::sign("not a checkpoint\n", &key).unwrap().to_string();
        assert_eq!(
            Checkpoint::open(note.as_bytes(), &[key.verifier()]),
            Err(CheckpointError::TooFewLines(1))
        );
    }

    fn ct_leaves() -> Vec<Hash> {
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
            .iter()
            .map(|s| leaf_hash(&hex::decode(s).unwrap()))
            .collect()
    }

    fn h(s: &str) -> Hash {
        parse_hash(s).unwrap()
    }

    #[test]
    fn consistency_of_ct_reference_checkpoints() {
        // Roots of the reference tree at sizes 6 and 8, and the proof between them
        // (`kSHA256Roots`, `kSHA256Proofs` of merkle_tree_test.cc).
        let old = Checkpoint::new(
            "ct.example",
            6,
            h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
        )
        .unwrap();
        let new = Checkpoint::new(
            "ct.example",
            8,
            h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
        )
        .unwrap();
        let proof = [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ];
        assert_eq!(verify_consistency(&old, &new, &proof), Ok(()));
        assert_eq!(consistency_proof(&ct_leaves(), 6).unwrap(), proof);
        // The same checkpoint extends itself with an empty proof.
        assert_eq!(verify_consistency(&new, &new, &[]), Ok(()));
        // Backwards is refused, and so is another log's checkpoint.
        assert!(matches!(
            verify_consistency(&new, &old, &proof),
            Err(ConsistencyError::Proof { problem: ProofError::Shrunk { old: 8, new: 6 }, .. })
        ));
        let elsewhere = Checkpoint::new("other.example", 8, *new.root()).unwrap();
        assert_eq!(
            verify_consistency(&old, &elsewhere, &proof).unwrap_err().to_string(),
            "the checkpoints are of different logs: origin `ct.example`, then `other.example`"
        );
    }

    #[test]
    fn a_rewritten_history_is_refused() {
        let leaves: Vec<Hash> = (0..20u32).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
        let at = |l: &[Hash], n: usize| {
            Checkpoint::new("incidents.example/archive", n as u64, root(&l[..n])).unwrap()
        };
        let kept = at(&leaves, 11);
        // The archive only grew: consistent.
        let grown = at(&leaves, 20);
        assert_eq!(verify_consistency(&kept, &grown, &consistency_proof(&leaves, 11).unwrap()), Ok(()));
        // Rewritten: an entry before the kept size edited, removed, or two swapped, then more
        // appended. The rewritten archive's own proof does not reach the kept root.
        let mut edited = leaves.clone();
        edited[4] = leaf_hash(b"entry 4, edited");
        let mut removed = leaves.clone();
        removed.remove(7);
        let mut swapped = leaves.clone();
        swapped.swap(2, 3);
        for (what, history) in [("edited", edited), ("removed", removed), ("swapped", swapped)] {
            let n = history.len();
            let now = at(&history, n);
            let proof = consistency_proof(&history, 11).unwrap();
            let e = verify_consistency(&kept, &now, &proof).unwrap_err();
            assert!(matches!(e, ConsistencyError::Proof { .. }), "{what}: {e}");
            // Nor does the honest archive's proof fit the rewritten root.
            let honest = consistency_proof(&leaves, 11).unwrap();
            let same_size = at(&history, n.min(20));
            assert!(verify_consistency(&kept, &same_size, &honest).is_err(), "{what}");
        }
        // The same size with another root: a fork.
        let mut fork = leaves.clone();
        fork[10] = leaf_hash(b"other");
        assert_eq!(
            verify_consistency(&kept, &at(&fork, 11), &[]).unwrap_err().to_string(),
            "the tree of size 11 does not extend the tree of size 11: the two roots differ for trees of the same size"
        );
    }
}
