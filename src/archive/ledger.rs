//! The ledger: `ledger.jsonl`, append-only, one canonical JSON entry a line, hash-chained by
//! `prev` and covered by the RFC 6962 Merkle root. The source of truth of the archive.
//!
//! An entry's bytes are exactly `serde_json::to_vec(&entry)` (fields in declaration order, no
//! spaces), followed by `\n`. `prev` is the SHA-256 of the previous line's bytes (without the
//! newline); the first entry's `prev` is [`GENESIS`]. A line is committed once its `\n` is on
//! disk: a final line without one is an interrupted append.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{ArchiveError, io};
use super::merkle::{self, Hash};

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The first version of a record.
    Ingest,
    /// Different bytes for a known id; the old object stays.
    NewVersion,
    /// A legal hold: the record cannot be purged until released.
    LegalHold,
    /// The end of a legal hold.
    ReleaseHold,
    /// The record's bytes were disposed of; the entry keeps the hash.
    Purge,
}

impl Action {
    /// The name used in the ledger (`new_version`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Ingest => "ingest",
            Action::NewVersion => "new_version",
            Action::LegalHold => "legal_hold",
            Action::ReleaseHold => "release_hold",
            Action::Purge => "purge",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The sign-off fields a ledger entry keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerSignOff {
    pub approved_by: String,
    pub date: NaiveDate,
}

/// An object an entry names besides the record's own (the sign-off sidecar).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerObject {
    /// SHA-256 of the bytes, hex: the object's name.
    pub object: String,
    /// Length of the object in bytes.
    pub size: u64,
}

/// One ledger entry. Field order is the serialization order and part of the format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// 0 for the first entry; always the entry's line index.
    pub seq: u64,
    /// When the change was made (UTC, whole seconds).
    #[serde(with = "utc_seconds")]
    pub at: DateTime<Utc>,
    pub action: Action,
    pub id: String,
    /// SHA-256 of the record's bytes (the current version for holds and purges).
    pub object: String,
    /// Length of the object in bytes.
    pub size: u64,
    /// The record's title, in entries written before this version only: a disposed-of record's
    /// title must not outlive its bytes, and the append-only ledger can never be rewritten, so
    /// entries no longer carry it. Read so that such entries keep their exact bytes (and the
    /// chain and root their hashes); absent from every entry written now. Nothing reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The sign-off sidecar (`X.signoff.yaml`) archived with the record as an object of its
    /// own, in the entries of attested records only (absent otherwise, so that every other
    /// entry keeps the bytes it has always had). Holds and purges carry the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<LedgerObject>,
    pub sign_off: LedgerSignOff,
    /// The retention period applied (the record's own, else the configured default).
    pub retention_years: u32,
    /// Sign-off date + retention period; never decreases for an id.
    pub retain_until: NaiveDate,
    /// Why (holds, releases, purges); `null` otherwise.
    pub reason: Option<String>,
    /// SHA-256 of the previous line, hex.
    pub prev: String,
}

impl Entry {
    /// The canonical bytes of the entry (without the newline).
    pub fn to_line(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an entry always serializes")
    }
}

/// `at` as `2025-01-15T09:30:00Z`.
mod utc_seconds {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Secs, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s).map(|t| t.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

/// SHA-256 of a line, the value the next entry's `prev` must carry.
pub fn line_hash(line: &[u8]) -> Hash {
    Sha256::digest(line).into()
}

/// One complete line of the ledger file.
#[derive(Debug, Clone)]
pub struct Line {
    /// Byte range of the line in the file, without its newline.
    pub start: usize,
    pub end: usize,
    /// SHA-256 of the line.
    pub hash: Hash,
    /// RFC 6962 leaf hash of the line.
    pub leaf: Hash,
    /// The entry, or why the line is not a valid canonical entry.
    pub entry: Result<Entry, String>,
}

/// The ledger file as read: its complete lines and any incomplete final line.
#[derive(Debug, Clone, Default)]
pub struct LedgerFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub lines: Vec<Line>,
    /// Start offset of a final line without `\n` (an interrupted append, or damage).
    pub tail: Option<usize>,
}

impl LedgerFile {
    /// Reads and parses the ledger (in parallel). A missing file is an empty ledger.
    pub fn read(path: &Path) -> Result<LedgerFile, ArchiveError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(ArchiveError::Io { path: path.to_path_buf(), source: e }),
        };
        Ok(Self::parse(path, bytes))
    }

    /// Parses ledger bytes.
    pub fn parse(path: &Path, bytes: Vec<u8>) -> LedgerFile {
        let mut ranges = Vec::new();
        let mut start = 0;
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                ranges.push((start, i));
                start = i + 1;
            }
        }
        let tail = (start < bytes.len()).then_some(start);
        let lines = ranges
            .par_iter()
            .map(|&(s, e)| {
                let line = &bytes[s..e];
                Line {
                    start: s,
                    end: e,
                    hash: line_hash(line),
                    leaf: merkle::leaf_hash(line),
                    entry: parse_entry(line),
                }
            })
            .collect();
        LedgerFile { path: path.to_path_buf(), bytes, lines, tail }
    }

    /// The bytes of line `i` (0-based), without the newline.
    pub fn line_bytes(&self, i: usize) -> &[u8] {
        let l = &self.lines[i];
        &self.bytes[l.start..l.end]
    }

    /// Length of the committed part (up to the last newline).
    pub fn committed_len(&self) -> u64 {
        self.tail.unwrap_or(self.bytes.len()) as u64
    }

    /// Leaf hashes of the complete lines.
    pub fn leaves(&self) -> Vec<Hash> {
        self.lines.iter().map(|l| l.leaf).collect()
    }

    /// The Merkle root over the first `n` lines.
    pub fn root_of(&self, n: usize) -> Hash {
        let leaves: Vec<Hash> = self.lines[..n].iter().map(|l| l.leaf).collect();
        merkle::root(&leaves)
    }

    /// The `prev` value for the next appended entry.
    pub fn next_prev(&self) -> String {
        self.lines.last().map(|l| hex::encode(l.hash)).unwrap_or_else(|| GENESIS.to_string())
    }
}

/// Parses one line into an entry, insisting on the canonical form.
pub fn parse_entry(line: &[u8]) -> Result<Entry, String> {
    let entry: Entry = serde_json::from_slice(line).map_err(|e| format!("not a ledger entry: {e}"))?;
    if entry.to_line() != line {
        return Err("not in the canonical form this archive writes".into());
    }
    Ok(entry)
}

/// Appends lines (each already ending in `\n`) with a single write and fsync.
pub fn append(path: &Path, lines: &[u8]) -> Result<(), ArchiveError> {
    let mut f = OpenOptions::new().append(true).create(true).open(path).map_err(io(path))?;
    f.write_all(lines).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// Cuts the file to `len` bytes and fsyncs it (drops an interrupted final line).
pub fn truncate(path: &Path, len: u64) -> Result<(), ArchiveError> {
    let f = OpenOptions::new().write(true).open(path).map_err(io(path))?;
    f.set_len(len).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The attestation is written only when present, between `size` and `sign_off`: an entry
    /// without one has the bytes it always had.
    #[test]
    fn an_attestation_is_written_only_when_present() {
        let plain = sample(0, GENESIS);
        let line = String::from_utf8(plain.to_line()).unwrap();
        assert!(!line.contains("attestation"));
        assert_eq!(parse_entry(line.as_bytes()).unwrap(), plain);
        let mut attested = sample(0, GENESIS);
        attested.attestation = Some(LedgerObject { object: "cd".repeat(32), size: 99 });
        let line = String::from_utf8(attested.to_line()).unwrap();
        let want =
            format!(r#","size":12,"attestation":{{"object":"{}","size":99}},"sign_off":"#, "cd".repeat(32));
        assert!(line.contains(&want), "{line}");
        assert_eq!(parse_entry(line.as_bytes()).unwrap(), attested);
    }

    pub fn sample(seq: u64, prev: &str) -> Entry {
        Entry {
            seq,
            at: "2025-01-16T08:00:00Z".parse().unwrap(),
            action: Action::Ingest,
            id: "INC-2025-0023".into(),
            object: "ab".repeat(32),
            size: 12,
            title: None,
            attestation: None,
            sign_off: LedgerSignOff {
                approved_by: "Maria Garcia, CISO".into(),
                date: NaiveDate::from_ymd_opt(2025, 1, 15).unwrap(),
            },
            retention_years: 7,
            retain_until: NaiveDate::from_ymd_opt(2032, 1, 15).unwrap(),
            reason: None,
            prev: prev.into(),
        }
    }

    #[test]
    fn canonical_line_has_the_contract_fields_in_order() {
        let line = String::from_utf8(sample(0, GENESIS).to_line()).unwrap();
        let keys = [
            "seq",
            "at",
            "action",
            "id",
            "object",
            "size",
            "sign_off",
            "retention_years",
            "retain_until",
            "reason",
            "prev",
        ];
        let mut last = 0;
        for k in keys {
            let pos = line.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("{k} missing in {line}"));
            assert!(pos >= last, "{k} out of order in {line}");
            last = pos;
        }
        assert!(line.contains(r#""at":"2025-01-16T08:00:00Z""#), "{line}");
        assert!(line.contains(r#""sign_off":{"approved_by":"Maria Garcia, CISO","date":"2025-01-15"}"#));
        assert!(line.contains(r#""retain_until":"2032-01-15","reason":null"#));
        assert!(line.contains(r#""size":12,"sign_off":"#) && !line.contains("title"), "{line}");
        assert_eq!(parse_entry(line.as_bytes()).unwrap(), sample(0, GENESIS));
    }

    /// An entry written before entries stopped carrying the title is read, and serializes
    /// again to exactly its bytes: its hash, the chain and the root do not change.
    #[test]
    fn an_entry_with_a_title_from_before_keeps_its_exact_bytes() {
        let old = concat!(
            r#"{"seq":4,"at":"2026-02-01T03:00:00Z","action":"purge","id":"INC-2015-0001","#,
            r#""object":"3d6eb8b4f757ffdb8d8cd5941516bfe1cad7bbf5b45247a52951ac244850c7b8","size":8979,"#,
            r#""title":"Quillfennick \"Replica\" Stall – Archived Before","#,
            r#""sign_off":{"approved_by":"Maria Garcia, CISO","date":"2015-01-15"},"retention_years":1,"#,
            r#""retain_until":"2016-01-15","reason":"retention period elapsed","#,
            r#""prev":"026b7f33a3e0db7318ecce253bd9bd3e40fbdf42dfd8300f41584df27304448b"}"#
        );
        let e = parse_entry(old.as_bytes()).unwrap();
        assert_eq!(e.title.as_deref(), Some("Quillfennick \"Replica\" Stall – Archived Before"));
        assert_eq!(e.to_line(), old.as_bytes());
        // An empty title is a title too; `null` was never written and is not canonical.
        let empty = old.replace(r#""Quillfennick \"Replica\" Stall – Archived Before""#, r#""""#);
        assert_eq!(parse_entry(empty.as_bytes()).unwrap().to_line(), empty.as_bytes());
        let null = old.replace(r#""Quillfennick \"Replica\" Stall – Archived Before""#, "null");
        assert!(parse_entry(null.as_bytes()).unwrap_err().contains("canonical"));
        // Elsewhere than after `size`, it is not the canonical form either.
        let moved = old
            .replace(r#","title":"Quillfennick \"Replica\" Stall – Archived Before""#, "")
            .replacen('{', r#"{"title":"x","#, 1);
        assert!(parse_entry(moved.as_bytes()).is_err());
    }

    #[test]
    fn non_canonical_lines_are_refused() {
        let line = String::from_utf8(sample(0, GENESIS).to_line()).unwrap();
        let spaced = line.replace(",\"at\"", ", \"at\"");
        assert!(parse_entry(spaced.as_bytes()).unwrap_err().contains("canonical"));
        let offset = line.replace("08:00:00Z", "09:00:00+01:00");
        assert!(parse_entry(offset.as_bytes()).unwrap_err().contains("canonical"));
        let extra = line.replacen('{', "{\"x\":1,", 1);
        assert!(parse_entry(extra.as_bytes()).is_err());
    }

    #[test]
    fn incomplete_final_line_is_a_tail() {
        let a = sample(0, GENESIS).to_line();
        let mut bytes = a.clone();
        bytes.push(b'\n');
        bytes.extend_from_slice(&a[..10]);
        let f = LedgerFile::parse(Path::new("l"), bytes);
        assert_eq!(f.lines.len(), 1);
        assert_eq!(f.tail, Some(a.len() + 1));
        assert_eq!(f.committed_len(), a.len() as u64 + 1);
        assert_eq!(f.next_prev(), hex::encode(line_hash(&a)));
    }
}
