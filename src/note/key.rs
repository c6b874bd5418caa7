//! Ed25519 signer and verifier keys in the text form that Go's `golang.org/x/mod/sumdb/note`
//! reads and writes, and the C2SP signed-note key id
//! (<https://github.com/C2SP/C2SP/blob/main/signed-note.md>):
//!
//! ```text
//! verifier key   name+keyid+base64(0x01 ‖ 32-byte public key)
//! signer key     PRIVATE+KEY+name+keyid+base64(0x01 ‖ 32-byte seed)
//! key id         SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[..4], big-endian, 8 hex digits
//! ```
//!
//! `0x01` is the signed-note signature type of Ed25519 (RFC 8032). A key name is non-empty and
//! holds no `+` and no Unicode white space (the spec's rule), nor control characters (a note
//! could not carry them in its signature line). Base64 is the standard alphabet with padding
//! (RFC 4648 §4), decoded strictly so that a key prints back to the text it was read from. The
//! signer key is a secret: it has no `Display`, its `Debug` leaves the seed out, and no error
//! message quotes it.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::shown;

/// The signed-note signature type of Ed25519.
pub const ALG_ED25519: u8 = 0x01;

/// The prefix of a signer key's text, which keeps it from being taken for a verifier key.
const PRIVATE_PREFIX: &str = "PRIVATE+KEY+";

/// Why a key could not be read or made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("key name `{name}` is invalid: {reason}")]
    InvalidName { name: String, reason: &'static str },
    #[error("a verifier key has the form `name+keyid+base64`, this text has no {missing}")]
    NotVerifierKey { missing: &'static str },
    #[error("this is a signer (private) key, not a verifier key; give its verifier key")]
    PrivateKeyGiven,
    #[error("a signer key has the form `PRIVATE+KEY+name+keyid+base64`, this text {problem}")]
    NotSignerKey { problem: &'static str },
    #[error("the key id `{0}` is not 8 hexadecimal digits")]
    BadKeyId(String),
    #[error("the key data is not standard base64 with padding")]
    BadBase64,
    #[error("unknown key algorithm `0x{0:02x}`: only Ed25519 (`0x01`) is supported")]
    UnknownAlgorithm(u8),
    #[error("the key data is empty")]
    EmptyKey,
    #[error("an Ed25519 key is 32 bytes after its algorithm byte, this one is {0}")]
    WrongLength(usize),
    #[error("the public key is not a valid Ed25519 point")]
    InvalidPoint,
    #[error("the key id `{stated}` does not belong to this name and key (it would be `{computed}`)")]
    KeyIdMismatch { stated: KeyId, computed: KeyId },
    #[error("cannot read the operating system's randomness: {0}")]
    Randomness(String),
}

/// A key id: the first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), read big-endian.
/// Printed as 8 lowercase hexadecimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub u32);

impl KeyId {
    /// The key id of an Ed25519 public key under `name`.
    pub fn of(name: &str, public: &[u8; 32]) -> KeyId {
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update(b"\n");
        h.update([ALG_ED25519]);
        h.update(public);
        let d = h.finalize();
        KeyId(u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
    }

    /// The id's four bytes as they open a signature.
    pub fn to_bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }

    /// Reads 8 hexadecimal digits (either case, as Go does).
    fn parse(s: &str) -> Result<KeyId, KeyError> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(KeyError::BadKeyId(s.to_string()));
        }
        u32::from_str_radix(s, 16).map(KeyId).map_err(|_| KeyError::BadKeyId(s.to_string()))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

/// Checks a key name: non-empty, no `+`, no Unicode white space (the signed-note rule), and no
/// control character (which no note may contain).
pub fn validate_name(name: &str) -> Result<(), KeyError> {
    let bad = |reason| Err(KeyError::InvalidName { name: shown(name), reason });
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.contains('+') {
        return bad("it contains `+`");
    }
    if name.chars().any(char::is_whitespace) {
        return bad("it contains white space");
    }
    if name.chars().any(char::is_control) {
        return bad("it contains a control character");
    }
    Ok(())
}

/// Splits `name+keyid+data` at its first two `+` (the base64 data may hold more).
fn split_key(s: &str) -> Option<(&str, &str, &str)> {
    let (name, rest) = s.split_once('+')?;
    let (id, data) = rest.split_once('+')?;
    Some((name, id, data))
}

/// Decodes `base64(0x01 ‖ 32 bytes)`.
fn decode_key_data(data: &str) -> Result<[u8; 32], KeyError> {
    let raw = STANDARD.decode(data).map_err(|_| KeyError::BadBase64)?;
    let (&alg, key) = raw.split_first().ok_or(KeyError::EmptyKey)?;
    if alg != ALG_ED25519 {
        return Err(KeyError::UnknownAlgorithm(alg));
    }
    key.try_into().map_err(|_| KeyError::WrongLength(key.len()))
}

fn encode_key_data(key: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(33);
    raw.push(ALG_ED25519);
    raw.extend_from_slice(key);
    STANDARD.encode(raw)
}

/// A public key that checks signatures: a name, its key id and an Ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: KeyId,
    key: VerifyingKey,
}

impl VerifierKey {
    /// Reads `name+keyid+base64(0x01 ‖ public key)`, exactly (no surrounding white space): the
    /// name must be valid and the key id must be the one computed from the name and key.
    pub fn parse(text: &str) -> Result<VerifierKey, KeyError> {
        if text.starts_with(PRIVATE_PREFIX) {
            return Err(KeyError::PrivateKeyGiven);
        }
        let Some((name, id, data)) = split_key(text) else {
            let missing = if text.contains('+') { "key data" } else { "key id" };
            return Err(KeyError::NotVerifierKey { missing });
        };
        validate_name(name)?;
        let stated = KeyId::parse(id)?;
        let public = decode_key_data(data)?;
        let computed = KeyId::of(name, &public);
        if stated != computed {
            return Err(KeyError::KeyIdMismatch { stated, computed });
        }
        let key = VerifyingKey::from_bytes(&public).map_err(|_| KeyError::InvalidPoint)?;
        Ok(VerifierKey { name: name.to_string(), id: stated, key })
    }

    /// The key of `name` for an Ed25519 public key.
    pub fn from_public(name: &str, public: &[u8; 32]) -> Result<VerifierKey, KeyError> {
        validate_name(name)?;
        let key = VerifyingKey::from_bytes(public).map_err(|_| KeyError::InvalidPoint)?;
        Ok(VerifierKey { name: name.to_string(), id: KeyId::of(name, public), key })
    }

    /// The key's name, as signature lines carry it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The 32-byte Ed25519 public key (RFC 8032 encoding).
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// `name+keyid`, how messages name the key.
    pub fn label(&self) -> String {
        format!("{}+{}", self.name, self.id)
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`. Strict verification
    /// (RFC 8032 with canonical `S` and no small-order points), which every honest signer's
    /// signature passes.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else { return false };
        self.key.verify_strict(message, &sig).is_ok()
    }
}

impl fmt::Display for VerifierKey {
    /// `name+keyid+base64(0x01 ‖ public key)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}+{}", self.name, self.id, encode_key_data(self.key.as_bytes()))
    }
}

/// A private key that signs notes: a name, its key id and an Ed25519 seed.
#[derive(Clone)]
pub struct SignerKey {
    name: String,
    id: KeyId,
    key: SigningKey,
}

impl SignerKey {
    /// A new key named `name` from 32 bytes of the operating system's randomness.
    pub fn generate(name: &str) -> Result<SignerKey, KeyError> {
        validate_name(name)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Randomness(e.to_string()))?;
        SignerKey::from_seed(name, &seed)
    }

    /// The key of `name` for an Ed25519 seed (RFC 8032's 32-byte private key).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<SignerKey, KeyError> {
        validate_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let id = KeyId::of(name, key.verifying_key().as_bytes());
        Ok(SignerKey { name: name.to_string(), id, key })
    }

    /// Reads `PRIVATE+KEY+name+keyid+base64(0x01 ‖ seed)`, exactly (no surrounding white
    /// space): the key id must be the one of the public key the seed gives.
    pub fn parse(text: &str) -> Result<SignerKey, KeyError> {
        let Some(rest) = text.strip_prefix(PRIVATE_PREFIX) else {
            return Err(KeyError::NotSignerKey { problem: "does not begin with `PRIVATE+KEY+`" });
        };
        let Some((name, id, data)) = split_key(rest) else {
            return Err(KeyError::NotSignerKey { problem: "lacks its key id or key data" });
        };
        validate_name(name)?;
        let stated = KeyId::parse(id)?;
        let seed = decode_key_data(data)?;
        let key = SignerKey::from_seed(name, &seed)?;
        if key.id != stated {
            return Err(KeyError::KeyIdMismatch { stated, computed: key.id });
        }
        Ok(key)
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The verifier key to hand to whoever checks this key's signatures.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey { name: self.name.clone(), id: self.id, key: self.key.verifying_key() }
    }

    /// `PRIVATE+KEY+name+keyid+base64(0x01 ‖ seed)`: the secret, to be stored with care.
    pub fn private_text(&self) -> String {
        format!("{PRIVATE_PREFIX}{}+{}+{}", self.name, self.id, encode_key_data(self.key.as_bytes()))
    }

    /// The Ed25519 signature of `message` (deterministic: the same key and message always give
    /// the same 64 bytes).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerKey")
            .field("name", &self.name)
            .field("id", &self.id)
            .field("verifier", &self.verifier().to_string())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    //! Vectors from Go's `golang.org/x/mod/sumdb/note` tests (`note_test.go`, BSD-style
    //! licence), transparency-dev/formats `log/note_test.go` (Apache-2.0) and the
    //! sum.golang.org key that `cmd/go` ships; copied verbatim.

    use super::*;

    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

    /// (signer key, verifier key) pairs of transparency-dev/formats `log/note_test.go`.
    const PAIRS: [(&str, &str); 4] = [
        (
            "PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ",
            "Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs",
        ),
        (
            "PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci",
            "Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH",
        ),
        (
            "PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+",
            "KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj",
        ),
        (
            "PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU",
            "Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots",
        ),
    ];

    #[test]
    fn go_verifier_keys_parse_and_print_back() {
        for text in [PETER_VKEY, ENOCH_VKEY, SUMDB_VKEY] {
            let k = VerifierKey::parse(text).unwrap();
            assert_eq!(k.to_string(), text);
        }
        let peter = VerifierKey::parse(PETER_VKEY).unwrap();
        assert_eq!(peter.name(), "PeterNeumann");
        assert_eq!(peter.id(), KeyId(0xc74f20a3));
        assert_eq!(peter.label(), "PeterNeumann+c74f20a3");
        let sumdb = VerifierKey::parse(SUMDB_VKEY).unwrap();
        assert_eq!((sumdb.name(), sumdb.id()), ("sum.golang.org", KeyId(0x033de0ae)));
    }

    #[test]
    fn key_id_is_the_spec_hash() {
        // The ids stated in the vectors are SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[..4].
        for text in [PETER_VKEY, ENOCH_VKEY, SUMDB_VKEY] {
            let k = VerifierKey::parse(text).unwrap();
            assert_eq!(KeyId::of(k.name(), &k.public_key()).to_string(), text.split('+').nth(1).unwrap());
        }
        // Computed independently of `KeyId::of`, straight from the key text.
        let (name, _, data) = split_key(PETER_VKEY).unwrap();
        let mut input = format!("{name}\n").into_bytes();
        input.extend(STANDARD.decode(data).unwrap());
        assert_eq!(hex::encode(&Sha256::digest(&input)[..4]), "c74f20a3");
    }

    #[test]
    fn go_signer_key_gives_its_verifier_key() {
        let s = SignerKey::parse(PETER_SKEY).unwrap();
        assert_eq!(s.name(), "PeterNeumann");
        assert_eq!(s.id(), KeyId(0xc74f20a3));
        assert_eq!(s.verifier().to_string(), PETER_VKEY);
        assert_eq!(s.private_text(), PETER_SKEY);
        for (skey, vkey) in PAIRS {
            let s = SignerKey::parse(skey).unwrap();
            assert_eq!(s.verifier().to_string(), vkey);
            assert_eq!(s.private_text(), skey);
            assert_eq!(VerifierKey::parse(vkey).unwrap(), s.verifier());
        }
    }

    /// Go's `TestNewVerifier` and `TestNewSigner`: every proper substring of a key, and the key
    /// with any one byte incremented, is refused.
    fn assert_manglings_refused(text: &str, parse: impl Fn(&str) -> bool) {
        let b = text.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if (i, j) != (0, b.len())
                    && let Ok(s) = std::str::from_utf8(&b[i..j])
                {
                    assert!(!parse(s), "substring {s:?} was accepted");
                }
            }
        }
        for i in 0..b.len() {
            let mut m = b.to_vec();
            m[i] += 1;
            if let Ok(s) = std::str::from_utf8(&m) {
                assert!(!parse(s), "mangled {s:?} was accepted");
            }
        }
    }

    #[test]
    fn mangled_verifier_keys_are_refused() {
        assert_manglings_refused(PETER_VKEY, |s| VerifierKey::parse(s).is_ok());
        // Go's two hand-made bad keys: wrong length with an adjusted key id, and an unknown
        // algorithm with an adjusted key id. (The first ends in a base64 group with non-zero
        // unused bits: Go reads it and then refuses the length, strict base64 refuses it first.)
        assert_eq!(
            VerifierKey::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="),
            Err(KeyError::BadBase64)
        );
        assert_eq!(
            VerifierKey::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEQ=="),
            Err(KeyError::WrongLength(36))
        );
        assert_eq!(
            VerifierKey::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            Err(KeyError::UnknownAlgorithm(0x65))
        );
    }

    #[test]
    fn mangled_signer_keys_are_refused() {
        assert_manglings_refused(PETER_SKEY, |s| SignerKey::parse(s).is_ok());
    }

    #[test]
    fn errors_name_the_problem() {
        let e = |s: &str| VerifierKey::parse(s).unwrap_err().to_string();
        assert_eq!(
            e(PETER_SKEY),
            "this is a signer (private) key, not a verifier key; give its verifier key"
        );
        assert_eq!(
            e("PeterNeumann"),
            "a verifier key has the form `name+keyid+base64`, this text has no key id"
        );
        assert_eq!(
            e("PeterNeumann+c74f20a3"),
            "a verifier key has the form `name+keyid+base64`, this text has no key data"
        );
        assert_eq!(e("PeterNeumann+c74f20a+ARpc"), "the key id `c74f20a` is not 8 hexadecimal digits");
        assert_eq!(e("PeterNeumann+c74f20a3+ARpc2QcU!"), "the key data is not standard base64 with padding");
        assert_eq!(
            e("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            "the key id `c74f20a4` does not belong to this name and key (it would be `c74f20a3`)"
        );
        assert_eq!(
            e("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
            "key name `Peter Neumann` is invalid: it contains white space"
        );
        let s = |t: &str| SignerKey::parse(t).unwrap_err().to_string();
        assert_eq!(
            s(PETER_VKEY),
            "a signer key has the form `PRIVATE+KEY+name+keyid+base64`, this text does not begin with `PRIVATE+KEY+`"
        );
        // A wrong id is reported without quoting the secret.
        let wrong = PETER_SKEY.replace("c74f20a3", "00000000");
        let msg = s(&wrong);
        assert_eq!(
            msg,
            "the key id `00000000` does not belong to this name and key (it would be `c74f20a3`)"
        );
        assert!(!msg.contains("AYEKFALV"));
        // Uppercase hex is read as Go reads it, and printed back in lowercase.
        let upper = PETER_VKEY.replace("c74f20a3", "C74F20A3");
        assert_eq!(VerifierKey::parse(&upper).unwrap().to_string(), PETER_VKEY);
    }

    #[test]
    fn key_names_follow_the_spec() {
        for good in ["PeterNeumann", "example.com/log42", "Señor-1", "a", "sum.golang.org"] {
            assert_eq!(validate_name(good), Ok(()), "{good:?}");
        }
        let reason = |n: &str| match validate_name(n) {
            Err(KeyError::InvalidName { reason, .. }) => reason,
            other => panic!("{n:?}: {other:?}"),
        };
        assert_eq!(reason(""), "it is empty");
        assert_eq!(reason("a+b"), "it contains `+`");
        for space in [" ", "\t", "\n", "\r", "\u{a0}", "\u{85}", "\u{2003}", "\u{3000}", "\u{2028}"] {
            assert_eq!(reason(&format!("a{space}b")), "it contains white space", "{space:?}");
        }
        assert_eq!(reason("a\u{1}b"), "it contains a control character");
        // Messages show what is invisible.
        assert_eq!(
            validate_name("a\u{a0}b").unwrap_err().to_string(),
            "key name `a\\u{a0}b` is invalid: it contains white space"
        );
        assert_eq!(reason("a\u{7f}b"), "it contains a control character");
        assert!(SignerKey::generate("bad name").is_err());
        assert!(SignerKey::from_seed("", &[0; 32]).is_err());
    }

    #[test]
    fn generated_keys_round_trip_and_differ() {
        let a = SignerKey::generate("incidents.example/archive").unwrap();
        let b = SignerKey::generate("incidents.example/archive").unwrap();
        assert_ne!(a.private_text(), b.private_text());
        let again = SignerKey::parse(&a.private_text()).unwrap();
        assert_eq!(again.verifier(), a.verifier());
        let v = VerifierKey::parse(&a.verifier().to_string()).unwrap();
        assert_eq!(v, a.verifier());
        assert_eq!(v.id(), KeyId::of(v.name(), &v.public_key()));
        let sig = a.sign(b"hi");
        assert!(v.verify(b"hi", &sig));
        assert!(!v.verify(b"ho", &sig));
        assert!(!b.verifier().verify(b"hi", &sig));
        assert!(!v.verify(b"hi", &sig[..63]));
        // The secret stays out of `Debug`.
        let prefix = format!("PRIVATE+KEY+{}+{}+", a.name(), a.id());
        let seed_b64 = a.private_text()[prefix.len()..].to_string();
        assert!(!format!("{a:?}").contains(&seed_b64));
    }
}
