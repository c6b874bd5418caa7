//! Signed notes (<https://github.com/C2SP/C2SP/blob/main/signed-note.md>), as Go's
//! `golang.org/x/mod/sumdb/note` writes and reads them:
//!
//! ```text
//! If you think cryptography is the answer to your problem,
//! then you don't know what your problem is.
//!
//! — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=
//! ```
//!
//! The text ends in a newline and may hold empty lines; a blank line follows it, then one or
//! more signature lines: em dash (U+2014), space, key name, space, base64(key id ‖ signature),
//! newline. The signature is over the text, final newline included. The whole note is UTF-8
//! with no ASCII control character but newline; the text ends at the note's last blank line.
//!
//! Verification follows the spec: a signature whose key name and id match no given key is
//! ignored (another party's, or a rotated key's); one that matches a key must verify, or the
//! whole note is refused; and a note with no verified signature is refused, saying whose
//! signatures it carries. A note with more than [`MAX_SIGNATURES`] signature lines is refused
//! unread, as Go refuses it (the spec asks verifiers to accept at least 16).

use std::collections::HashSet;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::key::{KeyError, KeyId, SignerKey, VerifierKey, validate_name};
use super::shown;

/// The most signature lines a note may have.
pub const MAX_SIGNATURES: usize = 100;

/// What opens a signature line: em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Why a note could not be signed, read or trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the note is not valid UTF-8 (at byte {offset})")]
    NotUtf8 { offset: usize },
    #[error("line {line} contains the control character U+{code:04X}; a note may contain none but newline")]
    ControlCharacter { line: usize, code: u32 },
    #[error("the note text does not end in a newline")]
    TextNoFinalNewline,
    #[error("no blank line separates the note text from its signature lines")]
    NoBlankLine,
    #[error("the note has no signature line after its blank line")]
    NoSignatures,
    #[error("the last signature line does not end in a newline")]
    SignaturesNoFinalNewline,
    #[error("line {line} is not a signature line: {problem}")]
    SignatureLine { line: usize, problem: String },
    #[error("the note has more than {MAX_SIGNATURES} signature lines")]
    TooManySignatures,
    #[error("the verifier key `{key}` is given more than once")]
    AmbiguousKey { key: String },
    #[error("the signature by `{key}` is invalid: {problem}")]
    BadSignature { key: String, problem: String },
    #[error("no verifier key was given to check the note's signatures")]
    NoVerifierKeys,
    #[error("the note has no signature by {}; it is signed by {}", ticked(wanted), ticked(found))]
    NoVerifiedSignature { wanted: Vec<String>, found: Vec<String> },
}

/// `` `a`, `b` `` for a message.
fn ticked(labels: &[String]) -> String {
    labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")
}

/// One signature line: the key's name and id, and the signature bytes after the id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    /// The key name the line states.
    pub name: String,
    /// The key id, the first four bytes of the base64 data.
    pub key_id: KeyId,
    /// The signature proper (64 bytes for Ed25519; other algorithms' may differ).
    pub bytes: Vec<u8>,
}

impl Signature {
    /// `name+keyid`, how messages name the key.
    pub fn label(&self) -> String {
        format!("{}+{}", self.name, self.key_id)
    }

    /// The line, without its newline: `— name base64(keyid ‖ signature)`.
    pub fn line(&self) -> String {
        let mut raw = self.key_id.to_bytes().to_vec();
        raw.extend_from_slice(&self.bytes);
        format!("{SIG_PREFIX}{} {}", self.name, STANDARD.encode(raw))
    }

    fn by(key: &SignerKey, text: &str) -> Signature {
        Signature {
            name: key.name().to_string(),
            key_id: key.id(),
            bytes: key.sign(text.as_bytes()).to_vec(),
        }
    }
}

/// Checks that `text` can be signed: it ends in a newline and has no control character but
/// newline.
pub fn check_text(text: &str) -> Result<(), NoteError> {
    check_controls(text)?;
    if !text.ends_with('\n') {
        return Err(NoteError::TextNoFinalNewline);
    }
    Ok(())
}

fn check_controls(s: &str) -> Result<(), NoteError> {
    for (i, line) in s.split('\n').enumerate() {
        if let Some(c) = line.chars().find(|&c| c < ' ') {
            return Err(NoteError::ControlCharacter { line: i + 1, code: c as u32 });
        }
    }
    Ok(())
}

/// A note text with at least one signature line, parsed or signed here. Printing it gives the
/// exact bytes it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    text: String,
    signatures: Vec<Signature>,
}

/// The outcome of [`SignedNote::verify`]: the text, now trusted, and the signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The note text, final newline included.
    pub text: String,
    /// Signatures by the given keys, each key once, in the note's order.
    pub verified: Vec<Signature>,
    /// Signatures by keys not given (ignored), repeated lines once, in the note's order.
    pub unverified: Vec<Signature>,
}

impl SignedNote {
    /// Signs `text` with `key`.
    pub fn sign(text: &str, key: &SignerKey) -> Result<SignedNote, NoteError> {
        check_text(text)?;
        Ok(SignedNote { text: text.to_string(), signatures: vec![Signature::by(key, text)] })
    }

    /// Adds `key`'s signature after the others, in place of any signature line with the same
    /// key name and id (as Go's `note.Sign` does).
    pub fn add_signature(&mut self, key: &SignerKey) {
        self.signatures.retain(|s| !(s.name == key.name() && s.key_id == key.id()));
        self.signatures.push(Signature::by(key, &self.text));
    }

    /// Reads a signed note's syntax, checking no signature (see [`SignedNote::verify`]).
    pub fn parse(msg: &[u8]) -> Result<SignedNote, NoteError> {
        let s = std::str::from_utf8(msg).map_err(|e| NoteError::NotUtf8 { offset: e.valid_up_to() })?;
        check_controls(s)?;
        let split = s.rfind("\n\n").ok_or(NoteError::NoBlankLine)?;
        let (text, sigs) = (&s[..split + 1], &s[split + 2..]);
        let Some(sigs) = sigs.strip_suffix('\n') else {
            return Err(if sigs.is_empty() {
                NoteError::NoSignatures
            } else {
                NoteError::SignaturesNoFinalNewline
            });
        };
        // Line numbers count from the note's first line: the text's lines, the blank one.
        let first = text.matches('\n').count() + 2;
        let mut signatures = Vec::new();
        for (i, line) in sigs.split('\n').enumerate() {
            let sig = parse_signature_line(line)
                .map_err(|problem| NoteError::SignatureLine { line: first + i, problem })?;
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            signatures.push(sig);
        }
        Ok(SignedNote { text: text.to_string(), signatures })
    }

    /// The note text, final newline included: not to be trusted before [`SignedNote::verify`].
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// Checks the signatures against `keys`: Ok when at least one verifies and none by a given
    /// key fails. Signatures by other keys are ignored, as the spec requires.
    pub fn verify(&self, keys: &[VerifierKey]) -> Result<Verified, NoteError> {
        if keys.is_empty() {
            return Err(NoteError::NoVerifierKeys);
        }
        let mut out = Verified { text: self.text.clone(), verified: Vec::new(), unverified: Vec::new() };
        let mut seen_known = HashSet::new();
        let mut seen_unknown = HashSet::new();
        for sig in &self.signatures {
            let mut matching = keys.iter().filter(|k| k.name() == sig.name && k.id() == sig.key_id);
            let Some(key) = matching.next() else {
                if seen_unknown.insert(sig) {
                    out.unverified.push(sig.clone());
                }
                continue;
            };
            if matching.next().is_some() {
                return Err(NoteError::AmbiguousKey { key: shown(&sig.label()) });
            }
            if !seen_known.insert(sig.label()) {
                continue;
            }
            if sig.bytes.len() != 64 {
                let problem = format!("it is {} bytes long, an Ed25519 signature is 64", sig.bytes.len());
                return Err(NoteError::BadSignature { key: shown(&sig.label()), problem });
            }
            if !key.verify(self.text.as_bytes(), &sig.bytes) {
                let problem = "it does not verify: the text was changed after signing, or another key \
                               made the signature"
                    .to_string();
                return Err(NoteError::BadSignature { key: shown(&sig.label()), problem });
            }
            out.verified.push(sig.clone());
        }
        if out.verified.is_empty() {
            return Err(NoteError::NoVerifiedSignature {
                wanted: keys.iter().map(|k| shown(&k.label())).collect(),
                found: out.unverified.iter().map(|s| shown(&s.label())).collect(),
            });
        }
        Ok(out)
    }

    /// Parses `msg` and verifies it against `keys`.
    pub fn open(msg: &[u8], keys: &[VerifierKey]) -> Result<Verified, NoteError> {
        SignedNote::parse(msg)?.verify(keys)
    }
}

fn parse_signature_line(line: &str) -> Result<Signature, String> {
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or_else(|| "it does not begin with an em dash (U+2014) and a space".to_string())?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or_else(|| "it has no space between the key name and the signature".to_string())?;
    validate_name(name).map_err(|e| match e {
        KeyError::InvalidName { name, reason } => format!("the key name `{name}` is invalid: {reason}"),
        other => other.to_string(),
    })?;
    let raw =
        STANDARD.decode(b64).map_err(|_| "the signature is not standard base64 with padding".to_string())?;
    if raw.len() < 5 {
        return Err("the signature is shorter than a key id and one byte".into());
    }
    let key_id = KeyId(u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]));
    Ok(Signature { name: name.to_string(), key_id, bytes: raw[4..].to_vec() })
}

impl fmt::Display for SignedNote {
    /// The text, a blank line, the signature lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for s in &self.signatures {
            writeln!(f, "{}", s.line())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Vectors from Go's `golang.org/x/mod/sumdb/note` tests (`note_test.go`, `TestSign` and
    //! `TestOpen`, BSD-style licence) and the example of the C2SP signed-note spec (BSD-1-Clause
    //! or CC0), copied verbatim; Ed25519 is deterministic, so signing Go's text with Go's key
    //! must give Go's signature byte for byte. Two tests hand our signatures to independent
    //! Ed25519 implementations (OpenSSL, Python's `cryptography`).

    use super::*;

    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    /// The signed note of the C2SP signed-note spec: its text holds an empty line.
    const SPEC_NOTE: &str = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

    fn peter() -> VerifierKey {
        VerifierKey::parse(PETER_VKEY).unwrap()
    }
    fn enoch() -> VerifierKey {
        VerifierKey::parse(ENOCH_VKEY).unwrap()
    }
    fn sig_of(line: &str) -> Signature {
        parse_signature_line(line.trim_end_matches('\n')).unwrap()
    }

    #[test]
    fn signing_go_text_with_go_key_gives_go_bytes() {
        let key = SignerKey::parse(PETER_SKEY).unwrap();
        let note = SignedNote::sign(TEXT, &key).unwrap();
        assert_eq!(note.to_string(), format!("{TEXT}\n{PETER_SIG}"));
        // Signing again replaces the key's own signature rather than adding a second one.
        let mut again = note.clone();
        again.add_signature(&key);
        assert_eq!(again, note);
    }

    #[test]
    fn go_open_vectors() {
        let msg = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        // One verified, one ignored.
        let v = SignedNote::open(msg.as_bytes(), &[peter()]).unwrap();
        assert_eq!(v.text, TEXT);
        assert_eq!(v.verified, vec![sig_of(PETER_SIG)]);
        assert_eq!(v.unverified, vec![sig_of(ENOCH_SIG)]);
        assert_eq!(v.verified[0].key_id, KeyId(0xc74f20a3));
        assert_eq!(v.unverified[0].key_id, KeyId(0xaf0cfe78));
        // Both verified.
        let v = SignedNote::open(msg.as_bytes(), &[peter(), enoch()]).unwrap();
        assert_eq!(v.verified, vec![sig_of(PETER_SIG), sig_of(ENOCH_SIG)]);
        assert!(v.unverified.is_empty());
        // Neither: no key given, or only an unrelated one.
        assert_eq!(SignedNote::open(msg.as_bytes(), &[]), Err(NoteError::NoVerifierKeys));
        let other = SignerKey::generate("PeterNeumann").unwrap().verifier();
        let e = SignedNote::open(msg.as_bytes(), std::slice::from_ref(&other)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "the note has no signature by `{}`; it is signed by `PeterNeumann+c74f20a3`, `EnochRoot+af0cfe78`",
                other.label()
            )
        );
        // The same key given twice is ambiguous when a signature needs it, not otherwise.
        let enoch_only = format!("{TEXT}\n{ENOCH_SIG}");
        assert_eq!(
            SignedNote::open(enoch_only.as_bytes(), &[enoch(), peter(), enoch()]),
            Err(NoteError::AmbiguousKey { key: "EnochRoot+af0cfe78".into() })
        );
        let peter_only = format!("{TEXT}\n{PETER_SIG}");
        assert!(SignedNote::open(peter_only.as_bytes(), &[enoch(), peter(), enoch()]).is_ok());
    }

    #[test]
    fn too_many_signatures_are_refused() {
        let msg = format!("{TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES + 1));
        assert_eq!(SignedNote::parse(msg.as_bytes()), Err(NoteError::TooManySignatures));
        assert_eq!(SignedNote::open(msg.as_bytes(), &[peter()]), Err(NoteError::TooManySignatures));
        let msg = format!("{TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES));
        let v = SignedNote::open(msg.as_bytes(), &[peter()]).unwrap();
        assert_eq!(v.verified.len(), 1, "repeated signatures by one key count once");
    }

    #[test]
    fn a_bad_signature_by_a_known_key_refuses_the_note() {
        // Go's vector: four base64 characters inserted into the signature.
        let bad = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        let msg = format!("{TEXT}\n{bad}");
        match SignedNote::open(msg.as_bytes(), &[peter()]) {
            Err(NoteError::BadSignature { key, .. }) => assert_eq!(key, "PeterNeumann+c74f20a3"),
            other => panic!("{other:?}"),
        }
        // A changed text under a good signature.
        let msg = format!("{}\n{PETER_SIG}", TEXT.replace("answer", "Answer"));
        let e = SignedNote::open(msg.as_bytes(), &[peter()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the signature by `PeterNeumann+c74f20a3` is invalid: it does not verify: the text was changed \
             after signing, or another key made the signature"
        );
        // A bad signature by a key not given is ignored, as the spec requires.
        let msg = format!("{TEXT}\n{PETER_SIG}{bad}");
        assert!(SignedNote::open(msg.as_bytes(), &[enoch()]).is_err());
        let msg = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}{bad}");
        assert!(SignedNote::open(msg.as_bytes(), &[enoch()]).is_ok());
    }

    #[test]
    fn go_duplicated_verified_and_unverified_signatures() {
        let enoch_abcd = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
        let msg = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{enoch_abcd}");
        let v = SignedNote::open(msg.as_bytes(), &[peter()]).unwrap();
        assert_eq!(v.verified, vec![sig_of(PETER_SIG)]);
        assert_eq!(v.unverified, vec![sig_of(ENOCH_SIG), sig_of(&enoch_abcd)]);
    }

    #[test]
    fn a_signature_under_another_name_or_id_is_not_the_key() {
        // Go's `misnamedSig` and `wrongHash`: same bytes, but the name or the key id differ, so
        // they are some other key's, ignored, and the note has no signature by Peter.
        for sig in [PETER_SIG.replace("PeterNeumann", "CarmenSandiego"), PETER_SIG.replace("x08g", "xxxx")] {
            let msg = format!("{TEXT}\n{sig}");
            match SignedNote::open(msg.as_bytes(), &[peter()]) {
                Err(NoteError::NoVerifiedSignature { wanted, found }) => {
                    assert_eq!(wanted, vec!["PeterNeumann+c74f20a3".to_string()]);
                    assert_eq!(found.len(), 1);
                    assert_ne!(found[0], "PeterNeumann+c74f20a3");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn messages_show_invisible_characters_in_key_names() {
        let sig = PETER_SIG.replace("PeterNeumann", "Peter\u{202e}Neumann");
        let msg = format!("{TEXT}\n{sig}");
        let e = SignedNote::open(msg.as_bytes(), &[peter()]).unwrap_err().to_string();
        assert!(e.ends_with("it is signed by `Peter\\u{202e}Neumann+c74f20a3`"), "{e}");
    }

    #[test]
    fn malformed_notes_are_refused_with_reasons() {
        let line = |n: usize, p: &str| NoteError::SignatureLine { line: n, problem: p.to_string() };
        let bad_name = "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
        let cases: Vec<(Vec<u8>, NoteError)> = vec![
            // Go's `badMsgs`, in order.
            (TEXT.into(), NoteError::NoBlankLine),
            (format!("{TEXT}\n").into(), NoteError::NoSignatures),
            (
                format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]).into(),
                NoteError::SignaturesNoFinalNewline,
            ),
            (format!("\x01{TEXT}\n{PETER_SIG}").into(), NoteError::ControlCharacter { line: 1, code: 1 }),
            (
                [b"\xff".as_slice(), format!("{TEXT}\n{PETER_SIG}").as_bytes()].concat(),
                NoteError::NotUtf8 { offset: 0 },
            ),
            (format!("{TEXT}\n{bad_name}").into(), NoteError::SignaturesNoFinalNewline),
            (
                format!("{TEXT}\n{PETER_SIG}Unexpected line.\n").into(),
                line(5, "it does not begin with an em dash (U+2014) and a space"),
            ),
            // And each other reason.
            (
                format!("{TEXT}\n{bad_name}\n").into(),
                line(4, "the signature is not standard base64 with padding"),
            ),
            (
                format!("{TEXT}\n— a+b AAAAAAAA\n").into(),
                line(4, "the key name `a+b` is invalid: it contains `+`"),
            ),
            (
                format!("{TEXT}\n— PeterNeumann\n").into(),
                line(4, "it has no space between the key name and the signature"),
            ),
            (
                format!("{TEXT}\n— PeterNeumann \n").into(),
                line(4, "the signature is shorter than a key id and one byte"),
            ),
            (
                format!("{TEXT}\n— PeterNeumann AAAA\n").into(),
                line(4, "the signature is shorter than a key id and one byte"),
            ),
            (
                format!("{TEXT}\n— PeterNeumann AAAAAAA\n").into(),
                line(4, "the signature is not standard base64 with padding"),
            ),
            (
                format!("{TEXT}\n— PeterNeumann AAAAAAB=\n").into(),
                line(4, "the signature is not standard base64 with padding"),
            ),
            (
                format!("{TEXT}\n- PeterNeumann AAAAAAAA\n").into(),
                line(4, "it does not begin with an em dash (U+2014) and a space"),
            ),
            (
                format!("{TEXT}\n{PETER_SIG}").replace('\n', "\r\n").into(),
                NoteError::ControlCharacter { line: 1, code: 13 },
            ),
            (
                format!("{TEXT}\n{PETER_SIG}").replace("then", "then\t").into(),
                NoteError::ControlCharacter { line: 2, code: 9 },
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(SignedNote::parse(&msg), Err(want), "{:?}", String::from_utf8_lossy(&msg));
        }
    }

    #[test]
    fn the_spec_example_parses_and_prints_back() {
        let note = SignedNote::parse(SPEC_NOTE.as_bytes()).unwrap();
        assert_eq!(
            note.text(),
            "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
        );
        assert_eq!(note.signatures().len(), 1);
        assert_eq!(note.signatures()[0].name, "quasimodo.example/salvatore");
        assert_eq!(note.signatures()[0].bytes.len(), 64);
        assert_eq!(note.to_string(), SPEC_NOTE);
        // The spec publishes no key for it: with ours it is a note by nobody we know.
        assert!(matches!(
            SignedNote::open(SPEC_NOTE.as_bytes(), &[peter()]),
            Err(NoteError::NoVerifiedSignature { .. })
        ));
    }

    #[test]
    fn texts_are_checked_before_signing() {
        let key = SignerKey::parse(PETER_SKEY).unwrap();
        assert_eq!(SignedNote::sign("abc", &key), Err(NoteError::TextNoFinalNewline));
        assert_eq!(SignedNote::sign("", &key), Err(NoteError::TextNoFinalNewline));
        assert_eq!(SignedNote::sign("a\tb\n", &key), Err(NoteError::ControlCharacter { line: 1, code: 9 }));
        assert_eq!(
            SignedNote::sign("a\n\x1b[31m\n", &key),
            Err(NoteError::ControlCharacter { line: 2, code: 27 })
        );
    }

    #[test]
    fn sign_and_open_round_trip() {
        let a = SignerKey::generate("incidents.example/archive").unwrap();
        let b = SignerKey::generate("witness.example").unwrap();
        for text in ["\n", "a\n", "a\n\n", "a\n\nb\n", "— a b\n", "a\n\n— x AAAAAAAA\n", "ünïcödé — ✓\n"]
        {
            let mut note = SignedNote::sign(text, &a).unwrap();
            let printed = note.to_string();
            assert_eq!(SignedNote::parse(printed.as_bytes()).unwrap(), note, "{text:?}");
            let v = SignedNote::open(printed.as_bytes(), &[a.verifier()]).unwrap();
            assert_eq!(v.text, text);
            note.add_signature(&b);
            let printed = note.to_string();
            assert!(printed.ends_with(&format!("{}\n", note.signatures()[1].line())));
            let v = SignedNote::open(printed.as_bytes(), &[b.verifier(), a.verifier()]).unwrap();
            assert_eq!(v.verified.len(), 2);
            assert_eq!(v.verified[0].name, a.name());
        }
    }

    /// The public key as DER SubjectPublicKeyInfo: the fixed 12-byte prefix of an Ed25519 key
    /// (RFC 8410) and the 32 key bytes.
    fn spki_der(key: &VerifierKey) -> Vec<u8> {
        let mut der = hex::decode("302a300506032b6570032100").unwrap();
        der.extend_from_slice(&key.public_key());
        der
    }

    /// Notes signed by Go's key (Go's own vector) and by a fresh key.
    fn notes_to_check() -> Vec<(VerifierKey, SignedNote)> {
        let go = SignerKey::parse(PETER_SKEY).unwrap();
        let fresh = SignerKey::generate("incidents.example/archive").unwrap();
        let text = "incidents.example/archive\n12\nL2bLn/mPg1HcEfNlS4f0rBMPl5G0O4zNxvHw8W7wN9c=\n";
        vec![
            (go.verifier(), SignedNote::sign(TEXT, &go).unwrap()),
            (fresh.verifier(), SignedNote::sign(text, &fresh).unwrap()),
        ]
    }

    #[test]
    fn openssl_verifies_our_signatures() {
        if std::process::Command::new("openssl").arg("version").output().is_err() {
            println!("skipped: `openssl` is not installed, so no independent Ed25519 check ran");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let run = |msg: &[u8], key: &VerifierKey, sig: &[u8]| {
            std::fs::write(dir.path().join("pub.der"), spki_der(key)).unwrap();
            std::fs::write(dir.path().join("msg"), msg).unwrap();
            std::fs::write(dir.path().join("sig"), sig).unwrap();
            let out = std::process::Command::new("openssl")
                .args(["pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-rawin"])
                .args(["-in", "msg", "-sigfile", "sig"])
                .current_dir(dir.path())
                .output()
                .unwrap();
            (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
        };
        for (key, note) in notes_to_check() {
            let sig = &note.signatures()[0].bytes;
            let (ok, out) = run(note.text().as_bytes(), &key, sig);
            assert!(ok, "openssl refused our signature: {out}");
            assert!(out.contains("Signature Verified Successfully"), "{out}");
            // And OpenSSL refuses the signature of a changed text.
            let (ok, _) = run(note.text().replace('\n', " \n").as_bytes(), &key, sig);
            assert!(!ok, "openssl accepted a signature of another text");
        }
    }

    /// Reads a signed note and a verifier key with nothing but Python's standard library and the
    /// `cryptography` package: splits the note at its last blank line, checks the key id rule,
    /// verifies the Ed25519 signature. Exit 0 verified, 1 refused, 3 no `cryptography`.
    const PY_CHECK: &str = r#"
import base64, hashlib, sys
try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.exceptions import InvalidSignature
except ImportError:
    sys.exit(3)
note = open(sys.argv[1], 'rb').read().decode('utf-8')
vkey = open(sys.argv[2]).read()
name, key_id, data = vkey.split('+', 2)
raw = base64.b64decode(data, validate=True)
assert raw[0] == 1 and len(raw) == 33, 'not an Ed25519 verifier key'
assert hashlib.sha256(name.encode() + b'\n' + raw).digest()[:4].hex() == key_id, 'key id'
cut = note.rindex('\n\n')
text, lines = note[:cut + 1], note[cut + 2:].splitlines()
for line in lines:
    assert line.startswith('\u2014 '), line
    signer, b64 = line[2:].split(' ', 1)
    sig = base64.b64decode(b64, validate=True)
    if signer == name and sig[:4].hex() == key_id:
        try:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], text.encode('utf-8'))
            print('verified')
            sys.exit(0)
        except InvalidSignature:
            sys.exit(1)
sys.exit(1)
"#;

    #[test]
    fn python_cryptography_verifies_our_signatures() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("check.py");
        std::fs::write(&script, PY_CHECK).unwrap();
        let run = |note: &str, key: &VerifierKey| {
            std::fs::write(dir.path().join("note"), note).unwrap();
            std::fs::write(dir.path().join("vkey"), key.to_string()).unwrap();
            std::process::Command::new("python3")
                .arg(&script)
                .args(["note", "vkey"])
                .current_dir(dir.path())
                .output()
                .map(|o| (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned()))
        };
        for (key, note) in notes_to_check() {
            match run(&note.to_string(), &key) {
                Err(e) => {
                    println!("skipped: cannot run `python3` ({e}), so no independent Ed25519 check ran");
                    return;
                }
                Ok((Some(3), _)) => {
                    println!("skipped: Python's `cryptography` package is not importable");
                    return;
                }
                Ok((code, stderr)) => assert_eq!(code, Some(0), "python refused our note: {stderr}"),
            }
            let changed = note.to_string().replacen('\n', " \n", 1);
            assert_eq!(run(&changed, &key).unwrap().0, Some(1), "python accepted a changed text");
        }
    }
}
