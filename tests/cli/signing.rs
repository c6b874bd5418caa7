//! Signed checkpoints (`archive/checkpoint`), `key generate|public` and `consistency`, checked
//! as an auditor would: the signature with `openssl pkeyutl` and with Python's `cryptography`
//! (the C2SP key id computed in Python), the consistency proof with an RFC 6962 verifier
//! written here in Python, and the refusals (a rewritten archive, a forged signature, a
//! checkpoint the archive does not extend) by their exit codes and the files they leave.

use std::fs;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{self, Run};

/// The archive's clock in these tests (ledger times).
const NOW: &str = "2026-11-28T02:00:00Z";

/// A temp project: records copied in on demand, the binary run in its folder.
struct Project {
    dir: tempfile::TempDir,
}

/// The sample records, sorted by name.
fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(common::records())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    v.sort();
    v
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("records")).unwrap();
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    /// Copies the sample records `range` into the inbox.
    fn add(&self, range: std::ops::Range<usize>) {
        for p in &samples()[range] {
            fs::copy(p, self.join("records").join(p.file_name().unwrap())).unwrap();
        }
    }

    fn config(&self, yaml: &str) {
        fs::write(self.join("incident-archive.yaml"), yaml).unwrap();
    }

    fn run_at(&self, now: &str, args: &[&str]) -> Run {
        Run::of(common::bin().current_dir(self.path()).env("INCIDENT_ARCHIVE_NOW", now).args(args))
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_at(NOW, args)
    }

    /// Runs and expects exit 0; returns standard output.
    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "{args:?}\nstdout {}\nstderr {}", r.stdout, r.stderr);
        r.stdout
    }

    /// `key generate` into `file`; returns the verifier key printed.
    fn key(&self, name: &str, file: &str) -> String {
        self.ok(&["key", "generate", "--name", name, "--out", file]).trim_end().to_string()
    }

    fn checkpoint(&self) -> String {
        fs::read_to_string(self.join("archive/checkpoint")).unwrap()
    }
}

/// Runs `python3 -c SCRIPT ARGS…`; returns its exit code and output.
fn python(script: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new("python3").arg("-c").arg(script).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Checks a signed checkpoint (argv[1]) with the verifier key (argv[2]) as the C2SP signed-note
/// spec says, with `cryptography`'s Ed25519: the key id is SHA-256(name ‖ "\n" ‖ 0x01 ‖
/// public key)[..4], the signature line's base64 opens with it, and the signature is over the
/// text before the blank line, final newline included. Prints the key id.
const PY_SIGNATURE: &str = r#"
import base64, hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
note = open(sys.argv[1], "rb").read().decode()
name, keyid, data = sys.argv[2].split("+", 2)
raw = base64.b64decode(data, validate=True)
assert raw[0] == 1 and len(raw) == 33, "an Ed25519 key"
pub = raw[1:]
computed = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pub).digest()[:4]
assert computed.hex() == keyid, (computed.hex(), keyid)
text, sigs = note[: note.rindex("\n\n") + 1], note[note.rindex("\n\n") + 2 :]
lines = sigs.strip("\n").split("\n")
assert len(lines) == 1, lines
dash, signer, b64 = lines[0].split(" ")
assert dash == "\u2014" and signer == name, lines[0]
sig = base64.b64decode(b64, validate=True)
assert sig[:4] == computed, "the signature line opens with the key id"
Ed25519PublicKey.from_public_bytes(pub).verify(sig[4:], text.encode())
print("verified", computed.hex())
"#;

/// An RFC 6962 / RFC 9162 §2.1.4.2 consistency verifier, independent of the program: argv[1]
/// is the JSON `consistency --json` printed (sizes, base64 roots and proof). Exits 0 when the
/// proof shows the new tree extends the old.
const PY_CONSISTENCY: &str = r#"
import base64, hashlib, json, sys
r = json.load(open(sys.argv[1]))
h = lambda b: base64.b64decode(b, validate=True)
node = lambda l, r: hashlib.sha256(b"\x01" + l + r).digest()
m, n = r["old"]["size"], r["new"]["size"]
old, new, proof = h(r["old"]["root"]), h(r["new"]["root"]), [h(p) for p in r["proof"]]
def verify():
    if m == n:
        return not proof and old == new
    if m == 0:
        return not proof
    path = ([old] if m & (m - 1) == 0 else []) + proof
    if not path:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1; sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1; sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    return sn == 0 and fr == old and sr == new
sys.exit(0 if m <= n and verify() else 1)
"#;

#[test]
fn key_generate_writes_a_private_key_of_mode_0600_and_never_overwrites_one() {
    let p = Project::new();
    let vkey = p.key("archive.example.com/incidents", "k");
    let file = p.join("k");
    let meta = fs::metadata(&file).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let private = fs::read_to_string(&file).unwrap();
    assert!(private.starts_with("PRIVATE+KEY+archive.example.com/incidents+"), "{private}");
    assert!(private.ends_with('\n') && private.matches('\n').count() == 1, "{private:?}");
    let parsed = incident_archive::note::VerifierKey::parse(&vkey).unwrap();
    assert_eq!(parsed.name(), "archive.example.com/incidents");
    let signer = incident_archive::note::SignerKey::parse(private.trim_end()).unwrap();
    assert_eq!(signer.verifier(), parsed, "the printed verifier key is the private key's");
    assert_eq!(p.ok(&["key", "public", "k"]).trim_end(), vkey);

    // Never over an existing file: exit 2, the key as it was.
    let again = p.run(&["key", "generate", "--name", "other", "--out", "k"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("never overwritten"), "{}", again.stderr);
    assert_eq!(fs::read_to_string(&file).unwrap(), private);
    // A name the spec refuses, and a key file others may read (a warning).
    assert_eq!(p.run(&["key", "generate", "--name", "a+b", "--out", "k2"]).code, 2);
    assert!(!p.join("k2").exists());
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    let public = p.run(&["key", "public", "k"]);
    assert_eq!(public.code, 0);
    assert!(public.stderr.contains("may be read by others (mode 0644)"), "{}", public.stderr);
}

#[test]
fn a_build_with_a_key_writes_a_checkpoint_that_openssl_and_python_verify() {
    let p = Project::new();
    p.add(0..6);
    let vkey = p.key("archive.example.com/incidents", "archive.key");
    p.config("signing:\n  key: archive.key\n  origin: archive.example.com/incidents\n");
    let report = p.run(&["build", "--json", "--as-of", "2026-11-28"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let report = report.json();
    let note = p.checkpoint();
    let (text, sig_line) = note.split_once("\n\n").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "archive.example.com/incidents");
    assert_eq!(lines[1], "6");
    let root_hex = report["verify"]["root"].as_str().unwrap();
    let root = base64_decode(lines[2]);
    assert_eq!(hex(&root), root_hex, "the checkpoint states the archive's RFC 6962 root");
    let parts: Vec<&str> = vkey.splitn(3, '+').collect();
    assert_eq!(report["checkpoint"]["signed_by"].as_str().unwrap(), format!("{}+{}", parts[0], parts[1]));
    assert!(sig_line.starts_with("\u{2014} archive.example.com/incidents "), "{sig_line}");

    // Python's `cryptography`, with the key id computed by the spec's rule.
    let (code, out) = python(PY_SIGNATURE, &[p.join("archive/checkpoint").to_str().unwrap(), &vkey]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("verified {}", vkey.split('+').nth(1).unwrap())), "{out}");

    // OpenSSL: the public key as SubjectPublicKeyInfo DER, the text as signed, the 64 bytes.
    let public = &base64_decode(parts[2])[1..];
    let mut der = hex_decode("302a300506032b6570032100");
    der.extend_from_slice(public);
    fs::write(p.join("pub.der"), &der).unwrap();
    fs::write(p.join("msg"), format!("{text}\n")).unwrap();
    let sig = base64_decode(sig_line.trim_end().rsplit_once(' ').unwrap().1);
    fs::write(p.join("sig"), &sig[4..]).unwrap();
    let openssl = |msg: &str| {
        Command::new("openssl")
            .current_dir(p.path())
            .args(["pkeyutl", "-verify", "-pubin", "-inkey", "pub.der", "-keyform", "DER", "-rawin"])
            .args(["-in", msg, "-sigfile", "sig"])
            .output()
            .unwrap()
    };
    let out = openssl("msg");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Signature Verified Successfully"));
    // A changed size is caught by both.
    fs::write(p.join("forged"), text.replacen("\n6\n", "\n7\n", 1) + "\n").unwrap();
    assert!(!openssl("forged").status.success());
    let forged = note.replacen("\n6\n", "\n7\n", 1);
    fs::write(p.join("forged-note"), forged).unwrap();
    assert_ne!(python(PY_SIGNATURE, &[p.join("forged-note").to_str().unwrap(), &vkey]).0, 0);

    // `verify` checks the signature with the configured key.
    let v = p.run(&["verify"]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

#[test]
fn without_a_key_the_checkpoint_is_unsigned_and_a_second_build_leaves_it() {
    let p = Project::new();
    p.add(0..4);
    p.config("site:\n  title: \"ACME Postmortems\"\n");
    p.ok(&["build", "--as-of", "2026-11-28"]);
    let text = p.checkpoint();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0], "acme-postmortems", "the origin derives from the site title");
    assert_eq!(lines[1], "4");
    let file = p.join("archive/checkpoint");
    let ino = fs::metadata(&file).unwrap().ino();

    // Nothing new: the file is left as it was (same bytes, not even rewritten).
    p.ok(&["build", "--as-of", "2026-11-28"]);
    assert_eq!(p.checkpoint(), text);
    assert_eq!(fs::metadata(&file).unwrap().ino(), ino);

    // Renaming the site keeps the origin of the checkpoint the archive has.
    p.config("site:\n  title: \"ACME Incident Reviews\"\n");
    p.add(4..5);
    p.ok(&["ingest"]);
    let grown = p.checkpoint();
    assert!(grown.starts_with("acme-postmortems\n5\n"), "{grown}");

    // A hold changes the archive: a new checkpoint; so a key configured now signs it.
    let vkey = p.key("acme-postmortems", "k");
    p.ok(&["--signing-key", "k", "retention", "hold", "INC-2018-0004", "--reason", "audit"]);
    let signed = p.checkpoint();
    assert!(signed.starts_with("acme-postmortems\n6\n") && signed.contains("\n\n\u{2014} acme-postmortems "));
    let (code, out) = python(PY_SIGNATURE, &[file.to_str().unwrap(), &vkey]);
    assert_eq!(code, 0, "{out}");
    // An unsigned checkpoint of the same tree is replaced by a signed one, and then kept.
    let ino = fs::metadata(&file).unwrap().ino();
    p.ok(&["--signing-key", "k", "ingest"]);
    assert_eq!(fs::metadata(&file).unwrap().ino(), ino);
}

/// Builds a project of `range` of the samples at `now` with no configuration; returns it.
fn archive_of(range: std::ops::Range<usize>, now: &str) -> Project {
    let p = Project::new();
    p.add(range);
    let r = p.run_at(now, &["ingest"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    p
}

#[test]
fn consistency_proves_a_kept_checkpoint_and_python_checks_the_proof() {
    let p = Project::new();
    p.add(0..5);
    let vkey = p.key("incident-archive", "k");
    p.config("signing:\n  key: k\n");
    p.ok(&["ingest"]);
    let kept = p.join("kept-2026");
    fs::copy(p.join("archive/checkpoint"), &kept).unwrap();
    // A year of records later (sizes that are not powers of two, and one that is).
    for end in [13, 16] {
        p.add(5..end);
        p.ok(&["ingest"]);
        let r = p.run(&["consistency", "kept-2026", "--vkey", &vkey, "--json"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let json = r.json();
        assert_eq!(json["consistent"], true);
        assert_eq!(json["old"]["size"], 5);
        assert_eq!(json["new"]["size"], end);
        assert!(json["signature"].as_str().unwrap().starts_with("verified by `incident-archive+"));
        let current = p.checkpoint();
        assert!(current.contains(&format!("\n{end}\n{}\n", json["new"]["root"].as_str().unwrap())));
        fs::write(p.join("proof.json"), &r.stdout).unwrap();
        let (code, out) = python(PY_CONSISTENCY, &[p.join("proof.json").to_str().unwrap()]);
        assert_eq!(code, 0, "the proof checks with an independent RFC 6962 verifier: {out}");
        // The same proof with one hash changed does not.
        let mut bad = json.clone();
        bad["proof"][0] = Value::String(base64_encode(&[7u8; 32]));
        fs::write(p.join("bad.json"), bad.to_string()).unwrap();
        assert_eq!(python(PY_CONSISTENCY, &[p.join("bad.json").to_str().unwrap()]).0, 1);
    }
    let text = p.ok(&["consistency", "kept-2026"]);
    assert!(text.contains("old: incident-archive size 5 root "), "{text}");
    assert!(text.contains("signature: not checked"), "{text}");
    assert!(text.contains("ok: the archive (size 16) extends the old checkpoint (size 5)"), "{text}");
    // The checkpoint of the archive itself: an empty proof.
    let same = p.run(&["consistency", "archive/checkpoint", "--json"]).json();
    assert_eq!(
        (same["consistent"].clone(), same["proof"].clone()),
        (Value::Bool(true), serde_json::json!([]))
    );
}

#[test]
fn a_checkpoint_of_a_rewritten_archive_is_refused() {
    let p = archive_of(0..8, NOW);
    // The same records ingested at another time: another ledger of the same size (history
    // rewritten), and a larger one.
    let same_size = archive_of(0..8, "2026-11-29T02:00:00Z");
    let larger = archive_of(0..10, "2026-11-29T02:00:00Z");
    let other = archive_of(8..16, NOW);
    for (what, q) in [("same size", &same_size), ("larger", &larger), ("other records", &other)] {
        let r = p.run(&["consistency", q.join("archive/checkpoint").to_str().unwrap()]);
        assert_eq!(r.code, 1, "{what}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("error: the archive does not extend the old checkpoint"),
            "{what}: {}",
            r.stdout
        );
    }
    let r = p.run(&["consistency", larger.join("archive/checkpoint").to_str().unwrap(), "--json"]);
    assert!(
        r.json()["problem"].as_str().unwrap().contains("the old tree is larger: 10 entries"),
        "{}",
        r.stdout
    );

    // An edited ledger: a checkpoint kept, then the archive's history rewritten and grown.
    let kept = p.join("kept");
    fs::copy(p.join("archive/checkpoint"), &kept).unwrap();
    fs::remove_dir_all(p.join("archive")).unwrap();
    p.add(8..10);
    assert_eq!(p.run_at("2026-11-30T02:00:00Z", &["ingest"]).code, 0);
    let r = p.run(&["consistency", "kept"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // Another origin is another log.
    let renamed = fs::read_to_string(p.join("archive/checkpoint")).unwrap().replacen(
        "incident-archive",
        "elsewhere",
        1,
    );
    fs::write(p.join("renamed"), renamed).unwrap();
    let r = p.run(&["consistency", "renamed", "--json"]);
    assert_eq!(r.code, 1);
    assert!(r.json()["problem"].as_str().unwrap().contains("different logs"), "{}", r.stdout);
}

#[test]
fn a_forged_signature_is_refused_with_vkey_and_bad_input_is_exit_2() {
    let p = Project::new();
    p.add(0..3);
    let vkey = p.key("incident-archive", "k");
    let other = p.key("incident-archive", "other");
    p.config("signing:\n  key: k\n");
    p.ok(&["ingest"]);
    let note = p.checkpoint();
    // The signature of a changed text, and another key's signature of the same text.
    let (text, sig) = note.split_once("\n\n").unwrap();
    let forged_text = text.replacen("\n3\n", "\n2\n", 1);
    fs::write(p.join("forged"), format!("{forged_text}\n\n{sig}")).unwrap();
    let mut raw = base64_decode(sig.trim_end().rsplit_once(' ').unwrap().1);
    raw[10] ^= 1;
    fs::write(p.join("flipped"), format!("{text}\n\n\u{2014} incident-archive {}\n", base64_encode(&raw)))
        .unwrap();
    for (file, key) in [("forged", &vkey), ("flipped", &vkey), ("archive/checkpoint", &other)] {
        let r = p.run(&["consistency", file, "--vkey", key]);
        assert_eq!(r.code, 1, "{file}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("signature does not check"), "{file}: {}", r.stdout);
    }
    // The verifier key in a file does as well as its text.
    fs::write(p.join("vkey"), format!("{vkey}\n")).unwrap();
    assert_eq!(p.run(&["consistency", "archive/checkpoint", "--vkey", "vkey"]).code, 0);
    // An unsigned checkpoint, when a signature is asked for.
    fs::write(p.join("bare"), format!("{text}\n")).unwrap();
    assert_eq!(p.run(&["consistency", "bare", "--vkey", &vkey]).code, 1);
    assert_eq!(p.run(&["consistency", "bare"]).code, 0);

    // Bad input: exit 2.
    fs::write(p.join("garbage"), "not a checkpoint\n").unwrap();
    for args in [
        &["consistency", "missing"][..],
        &["consistency", "garbage"],
        &["consistency", "archive/checkpoint", "--vkey", "nonsense"],
        &["consistency", "archive/checkpoint", "--archive", "nowhere"],
    ] {
        let r = p.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn build_refuses_to_sign_over_a_checkpoint_it_does_not_extend_and_keeps_the_old_files() {
    let p = Project::new();
    p.add(0..4);
    p.key("incident-archive", "k");
    fs::create_dir_all(p.join("state")).unwrap();
    p.config("signing:\n  key: k\n  keep: state/last-checkpoint\n");
    p.ok(&["build", "--as-of", "2026-11-28"]);
    assert_eq!(fs::read_to_string(p.join("state/last-checkpoint")).unwrap(), p.checkpoint());

    // `archive/checkpoint` replaced by the checkpoint of another history (larger).
    let other = archive_of(4..10, NOW);
    let foreign = fs::read(other.join("archive/checkpoint")).unwrap();
    fs::write(p.join("archive/checkpoint"), &foreign).unwrap();
    let kept_before = fs::read(p.join("state/last-checkpoint")).unwrap();
    p.add(4..5);
    let r = p.run(&["build", "--as-of", "2026-11-28"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("refusing to sign"), "{}", r.stderr);
    assert!(r.stderr.contains("size 6") && r.stderr.contains("size 5"), "both sizes: {}", r.stderr);
    assert_eq!(fs::read(p.join("archive/checkpoint")).unwrap(), foreign, "the old file stays");
    assert_eq!(fs::read(p.join("state/last-checkpoint")).unwrap(), kept_before);
    // `verify` names it.
    let v = p.run(&["verify", "--json"]);
    assert_eq!(v.code, 1);
    assert_eq!(v.json()["problems"][0]["kind"], "checkpoint-signed-invalid", "{}", v.stdout);

    // The kept copy replaced by another history (the same size as the archive's): refused too,
    // though `archive/checkpoint` itself is consistent.
    fs::remove_file(p.join("archive/checkpoint")).unwrap();
    let same = archive_of(0..5, "2026-12-01T02:00:00Z");
    let foreign = fs::read(same.join("archive/checkpoint")).unwrap();
    fs::write(p.join("state/last-checkpoint"), &foreign).unwrap();
    p.add(5..6);
    let r = p.run(&["ingest"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("state/last-checkpoint"), "{}", r.stderr);
    assert!(!p.join("archive/checkpoint").exists(), "nothing signed");
    assert_eq!(fs::read(p.join("state/last-checkpoint")).unwrap(), foreign);

    // The right copy back: the next run signs, and updates the copy.
    fs::write(p.join("state/last-checkpoint"), &kept_before).unwrap();
    p.ok(&["ingest"]);
    assert!(p.checkpoint().starts_with("incident-archive\n6\n"), "{}", p.checkpoint());
    assert_eq!(fs::read_to_string(p.join("state/last-checkpoint")).unwrap(), p.checkpoint());
    p.ok(&["verify"]);

    // A copy kept inside the archive is no copy: refused, nothing signed (exit 2).
    p.config("signing:\n  key: k\n  keep: archive/last\n");
    let r = p.run(&["ingest"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("is inside the archive"), "{}", r.stderr);
    assert!(!p.join("archive/last").exists());
}

#[test]
fn verify_checks_the_signed_checkpoint() {
    let p = Project::new();
    p.add(0..3);
    p.key("incident-archive", "k");
    p.key("incident-archive", "other");
    p.config("signing:\n  key: k\n");
    p.ok(&["ingest"]);
    let earlier = p.checkpoint();
    p.add(3..5);
    p.ok(&["ingest"]);
    let current = p.checkpoint();
    let file = p.join("archive/checkpoint");

    // An earlier tree that the ledger extends: a note (a run stopped before writing it).
    fs::write(&file, &earlier).unwrap();
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("states an earlier tree (3 of the 5 committed entries)"), "{}", r.stderr);
    // The next run that takes the write lock writes the current one, though it adds nothing.
    p.ok(&["ingest"]);
    assert_eq!(p.checkpoint(), current);
    // `retention purge --dry-run` writes nothing.
    fs::write(&file, &earlier).unwrap();
    p.ok(&["retention", "purge", "--dry-run"]);
    assert_eq!(p.checkpoint(), earlier);
    fs::write(&file, &current).unwrap();

    // Signed by another key, malformed, not extended: problems.
    let key = |f: &str| {
        incident_archive::note::SignerKey::parse(fs::read_to_string(p.join(f)).unwrap().trim_end()).unwrap()
    };
    let sign =
        |body: &str, k: &str| incident_archive::note::SignedNote::sign(body, &key(k)).unwrap().to_string();
    let body = format!("{}\n", current.split_once("\n\n").unwrap().0);
    let larger = body.replacen("incident-archive\n5\n", "incident-archive\n9\n", 1);
    for (what, bytes) in [
        ("another key", sign(&body, "other")),
        ("malformed", "incident-archive\nsix\n".to_string()),
        ("not extended", sign(&larger, "k")),
    ] {
        fs::write(&file, &bytes).unwrap();
        let r = p.run(&["verify", "--json"]);
        assert_eq!(r.code, 1, "{what}: {}{}", r.stdout, r.stderr);
        let problems = r.json()["problems"].clone();
        assert_eq!(problems.as_array().unwrap().len(), 1, "{what}: {problems}");
        assert_eq!(problems[0]["kind"], "checkpoint-signed-invalid", "{what}: {problems}");
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}
