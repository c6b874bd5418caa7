//! Evidence bundles: `export evidence` and `verify-bundle`, checked as an auditor would, with
//! `sha256sum`, `openssl`, `tar` and the bundle's own `verify.py` (python3), then tampered with.

use std::path::{Path, PathBuf};
use std::process::Command;

use incident_archive::archive::sha256_hex;
use incident_archive::note::SignerKey;

use crate::common::{bin, copy_tree, files, fixture, records};

/// A record imported with a sign-off sidecar (see `sidecar.rs`).
const DOC: &str = "# Outage of the payment API\n\n**Title**: Outage of the payment API\n\
    **Status**: Resolved\n**Start Time**: 2020-07-09 10:00 UTC\n\n## Root Cause\n\nA bad deploy.\n";
const SIDECAR: &str = "id: EXT-2020-0709\napproved_by: Jane Doe, Head of Compliance\n\
    approved_on: 2020-07-20\nreference: TICKET-123\n";

const ID: &str = "INC-2025-0023";
const EXT: &str = "EXT-2020-0709";
const OTHER: &str = "INC-2024-0003";

fn key() -> SignerKey {
    SignerKey::from_seed("audit.example.com", &[7; 32]).unwrap()
}

/// An archive of three records: `ID` in two versions, `EXT` imported with its sidecar, and
/// `OTHER`, which the bundles leave out; indexed. The key file is `key`.
fn setup(dir: &Path) {
    let inbox = dir.join("records");
    std::fs::create_dir_all(&inbox).unwrap();
    let original = std::fs::read(fixture("archive").join(format!("{ID}.md"))).unwrap();
    std::fs::write(inbox.join(format!("{ID}.md")), &original).unwrap();
    std::fs::copy(records().join(format!("{OTHER}.md")), inbox.join(format!("{OTHER}.md"))).unwrap();
    std::fs::write(inbox.join("ext.md"), DOC).unwrap();
    std::fs::write(inbox.join("ext.signoff.yaml"), SIDECAR).unwrap();
    run(dir, &["ingest", "-q"], "2026-01-31T02:00:00Z");
    let mut changed = original.clone();
    changed.extend_from_slice(b"\nAddendum: the query timeout was lowered to 30 seconds.\n");
    std::fs::write(inbox.join(format!("{ID}.md")), &changed).unwrap();
    run(dir, &["ingest", "-q"], "2026-02-01T02:00:00Z");
    run(dir, &["index", "-q"], "2026-02-01T02:00:00Z");
    std::fs::write(dir.join("key"), format!("{}\n", key().private_text())).unwrap();
}

fn run(dir: &Path, args: &[&str], now: &str) {
    bin().current_dir(dir).env("INCIDENT_ARCHIVE_NOW", now).args(args).assert().success();
}

/// `export evidence ARGS --out OUT --signing-key key` in `dir`, which must succeed.
fn export(dir: &Path, args: &[&str], out: &str) -> PathBuf {
    bin()
        .current_dir(dir)
        .args(["export", "evidence"])
        .args(args)
        .args(["--out", out, "--signing-key", "key"])
        .assert()
        .success();
    dir.join(out)
}

/// Runs a tool that is not this program in `dir`: (exit code, stdout + stderr).
fn tool(dir: &Path, program: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(program).current_dir(dir).env("TZ", "UTC").args(args).output().expect(program);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// `verify-bundle PATH` from `dir`: (exit code, stdout).
fn verify_bundle(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = bin().current_dir(dir).arg("verify-bundle").args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The bundle passes every independent check: `sha256sum -c`, the shipped `verify.py`, and
/// `openssl` on the signature.
fn standard_tools_pass(bundle: &Path) {
    let (code, text) = tool(bundle, "sha256sum", &["-c", "--strict", "SHA256SUMS"]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("FAILED"), "{text}");
    let (code, text) = tool(bundle, "python3", &["verify.py"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.ends_with("bundle verified\n"), "{text}");
    assert!(text.contains("Ed25519 signature verifies"), "{text}");
    assert!(text.contains("(3 proofs checked)"), "{text}");
    let (code, text) = tool(
        bundle,
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "checkpoint.pem",
            "-rawin",
            "-in",
            "checkpoint.txt",
            "-sigfile",
            "checkpoint.sig",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Signature Verified Successfully"), "{text}");
    // And an independent Ed25519 library (python's `cryptography`), from the PEM.
    let program = "from cryptography.hazmat.primitives.serialization import load_pem_public_key\n\
        key = load_pem_public_key(open('checkpoint.pem', 'rb').read())\n\
        key.verify(open('checkpoint.sig', 'rb').read(), open('checkpoint.txt', 'rb').read())\n\
        print('verified')\n";
    let (code, text) = tool(bundle, "python3", &["-c", program]);
    assert_eq!((code, text.trim()), (0, "verified"), "{text}");
}

fn ledger_lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("archive/ledger.jsonl")).unwrap().lines().map(str::to_string).collect()
}

fn object(dir: &Path, sha: &str) -> Vec<u8> {
    std::fs::read(dir.join("archive/objects").join(&sha[..2]).join(&sha[2..])).unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_bundle_checks_with_standard_tools_as_a_folder_and_as_a_tar_gz() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    setup(dir);
    let folder = export(dir, &[ID, EXT], "bundle");
    let tarball = export(dir, &[ID, EXT], "bundle.tar.gz");

    // What is in it: every version's exact bytes, the sidecar, the selected records' ledger
    // lines only (in seq order), a proof of each.
    let ledger = ledger_lines(dir);
    let ours: Vec<&String> = ledger.iter().filter(|l| !l.contains(OTHER)).collect();
    assert_eq!(ours.len(), 3, "{ledger:?}");
    let entries = std::fs::read_to_string(folder.join("ledger/entries.jsonl")).unwrap();
    assert_eq!(entries.lines().collect::<Vec<_>>(), ours);
    for line in &ours {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        let proof = json(&folder.join(format!("proofs/{}.json", e["seq"])));
        assert_eq!(proof["entry"], line.as_str());
        assert_eq!(proof["tree_size"], ledger.len());
    }
    let manifest = json(&folder.join("manifest.json"));
    let ids: Vec<&str> =
        manifest["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [EXT, ID]);
    for (id, version) in [(ID, 1), (ID, 2), (EXT, 1)] {
        let path = folder.join(format!("records/{id}/v{version}.md"));
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(object(dir, &sha256_hex(&bytes)), bytes, "{id} v{version} is an archived object");
        assert!(folder.join(format!("records/{id}/v{version}.json")).exists());
    }
    assert_ne!(
        std::fs::read(folder.join(format!("records/{ID}/v1.md"))).unwrap(),
        std::fs::read(folder.join(format!("records/{ID}/v2.md"))).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(folder.join(format!("records/{EXT}/v1.signoff.yaml"))).unwrap(),
        SIDECAR
    );
    assert!(!folder.join(format!("records/{OTHER}")).exists());
    let parsed = json(&folder.join(format!("records/{EXT}/v1.json")));
    assert_eq!(parsed["id"], EXT);
    assert_eq!(parsed["sign_off"]["approved_by"], "Jane Doe, Head of Compliance");
    // The checkpoint is the archive's committed tree, signed by the key.
    let cp = std::fs::read_to_string(folder.join("checkpoint.txt")).unwrap();
    let committed = json(&dir.join("archive/checkpoint.json"));
    assert_eq!(cp.lines().nth(1).unwrap(), committed["size"].to_string());
    assert_eq!(manifest["root"], committed["root"]);
    assert_eq!(
        std::fs::read_to_string(folder.join("checkpoint.pub")).unwrap(),
        format!("{}\n", key().verifier())
    );

    standard_tools_pass(&folder);
    let (code, out) = verify_bundle(dir, &["bundle"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("extends the bundle's tree"), "{out}");

    // The .tar.gz: the same files under `evidence/`, which extract and check the same way.
    let x = dir.join("x");
    std::fs::create_dir(&x).unwrap();
    let (code, text) = tool(&x, "tar", &["xzf", tarball.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let extracted = x.join("evidence");
    let rel = |root: &Path| -> Vec<PathBuf> {
        files(root).into_iter().map(|p| p.strip_prefix(root).unwrap().to_path_buf()).collect()
    };
    assert_eq!(rel(&extracted), rel(&folder));
    for p in rel(&folder) {
        assert_eq!(
            std::fs::read(extracted.join(&p)).unwrap(),
            std::fs::read(folder.join(&p)).unwrap(),
            "{p:?}"
        );
    }
    standard_tools_pass(&extracted);
    let (code, out) = verify_bundle(dir, &["bundle.tar.gz"]);
    assert_eq!(code, 0, "{out}");
    // Away from the archive, the bundle checks on its own and says what it could not compare.
    let (code, out) = verify_bundle(&x, &[tarball.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("note: no archive at hand"), "{out}");
}

#[test]
fn the_same_export_gives_the_same_bytes() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    setup(dir);
    let a = std::fs::read(export(dir, &[], "a.tar.gz")).unwrap();
    let b = std::fs::read(export(dir, &[], "b.tar.gz")).unwrap();
    assert_eq!(a, b);
    // gzip: no time (bytes 4..8), no file name (FLG 0).
    assert_eq!(&a[..4], &[0x1f, 0x8b, 8, 0]);
    assert_eq!(&a[4..8], &[0, 0, 0, 0]);
    let (code, list) = tool(dir, "tar", &["tvzf", "a.tar.gz", "--numeric-owner"]);
    assert_eq!(code, 0, "{list}");
    let names: Vec<&str> = list.lines().map(|l| l.split_whitespace().last().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries in sorted order");
    for l in list.lines() {
        assert!(l.contains(" 0/0 ") && l.contains("2026-02-01 02:00"), "{l}");
        assert!(
            l.starts_with("-rw-r--r--") || l.starts_with("drwxr-xr-x") || l.starts_with("-rwxr-xr-x"),
            "{l}"
        );
    }
    // No selector: every record.
    let m = json(&export(dir, &[], "all").join("manifest.json"));
    assert_eq!(m["records"].as_array().unwrap().len(), 3);
    // Folders: the same files, bytes, modes and times.
    let f1 = export(dir, &[ID], "f1");
    std::fs::create_dir(dir.join("f2")).unwrap(); // an empty folder is fine
    let f2 = export(dir, &[ID], "f2");
    let (l1, l2) = (files(&f1), files(&f2));
    assert_eq!(l1.len(), l2.len());
    for (p1, p2) in l1.iter().zip(&l2) {
        assert_eq!(p1.strip_prefix(&f1).unwrap(), p2.strip_prefix(&f2).unwrap());
        assert_eq!(std::fs::read(p1).unwrap(), std::fs::read(p2).unwrap());
        let (m1, m2) = (std::fs::metadata(p1).unwrap(), std::fs::metadata(p2).unwrap());
        assert_eq!(m1.modified().unwrap(), m2.modified().unwrap());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(m1.permissions().mode() & 0o777, m2.permissions().mode() & 0o777);
    }
}

/// Rewrites `SHA256SUMS` after a change, as a forger who knows the format would.
fn rewrite_sums(bundle: &Path) {
    let mut sums = String::new();
    for p in files(bundle) {
        let rel = p.strip_prefix(bundle).unwrap().to_str().unwrap().to_string();
        if rel != "SHA256SUMS" {
            sums.push_str(&format!("{}  {rel}\n", sha256_hex(&std::fs::read(&p).unwrap())));
        }
    }
    std::fs::write(bundle.join("SHA256SUMS"), sums).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    for p in files(from) {
        let target = to.join(p.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&p, &target).unwrap();
    }
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

#[test]
fn each_kind_of_tampering_is_named_by_verify_bundle_and_by_verify_py() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    setup(dir);
    let good = export(dir, &[ID, EXT], "good");
    let other_line = ledger_lines(dir).into_iter().find(|l| l.contains(OTHER)).unwrap();
    let proof_seq = json(&good.join("manifest.json"))["records"][1]["entries"][0].as_u64().unwrap();
    let proof = format!("proofs/{proof_seq}.json");

    type Tamper = Box<dyn Fn(&Path)>;
    let flip_record: Tamper = Box::new(|b: &Path| {
        let p = b.join(format!("records/{ID}/v1.md"));
        let mut bytes = std::fs::read(&p).unwrap();
        bytes[100] ^= 0x01;
        std::fs::write(&p, bytes).unwrap();
    });
    let cases: Vec<(&str, Tamper, bool, Vec<String>)> = vec![
        (
            "a byte of a record",
            flip_record,
            false,
            vec![
                format!("records/{ID}/v1.md: error[file-changed]"),
                format!("records/{ID}/v1.md: error[object-mismatch]"),
            ],
        ),
        (
            "a byte of a record, SHA256SUMS rewritten",
            Box::new(|b: &Path| {
                edit(&b.join(format!("records/{ID}/v2.md")), |s| s.replacen("P1", "P3", 1));
                rewrite_sums(b);
            }),
            false,
            vec![format!("records/{ID}/v2.md: error[object-mismatch]")],
        ),
        (
            "a hash of a proof",
            Box::new(move |b: &Path| {
                let p = b.join(format!("proofs/{proof_seq}.json"));
                let mut v = json(&p);
                let h = v["audit_path"][0].as_str().unwrap().to_string();
                let flipped = format!("{}{}", if h.starts_with('0') { '1' } else { '0' }, &h[1..]);
                v["audit_path"][0] = flipped.into();
                std::fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
                rewrite_sums(b);
            }),
            false,
            vec![format!("{proof}: error[proof-invalid]")],
        ),
        (
            "the checkpoint's root",
            Box::new(|b: &Path| {
                let forged = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
                for name in ["checkpoint", "checkpoint.txt"] {
                    edit(&b.join(name), |s| {
                        let root = s.lines().nth(2).unwrap().to_string();
                        s.replacen(&root, forged, 1)
                    });
                }
                rewrite_sums(b);
            }),
            true,
            vec![
                "checkpoint: error[signature-invalid]".into(),
                "checkpoint.txt: error[checkpoint-mismatch]".into(),
                format!("{proof}: error[proof-invalid]"),
            ],
        ),
        (
            "the checkpoint's signature",
            Box::new(|b: &Path| {
                edit(&b.join("checkpoint"), |s| {
                    let (text, sig) = s.rsplit_once(' ').unwrap();
                    let mut sig: Vec<char> = sig.chars().collect();
                    sig[20] = if sig[20] == 'A' { 'B' } else { 'A' };
                    format!("{text} {}", sig.into_iter().collect::<String>())
                });
                rewrite_sums(b);
            }),
            true,
            vec!["checkpoint: error[signature-invalid]".into()],
        ),
        (
            "a removed record",
            Box::new(|b: &Path| {
                std::fs::remove_file(b.join(format!("records/{EXT}/v1.signoff.yaml"))).unwrap()
            }),
            false,
            vec![format!("records/{EXT}/v1.signoff.yaml: error[file-missing]")],
        ),
        (
            "a removed proof, SHA256SUMS rewritten",
            Box::new(move |b: &Path| {
                std::fs::remove_file(b.join(format!("proofs/{proof_seq}.json"))).unwrap();
                rewrite_sums(b);
            }),
            false,
            vec![format!("{proof}: error[proof-missing]"), format!("{proof}: error[file-missing]")],
        ),
        (
            "an added ledger line",
            Box::new(move |b: &Path| {
                edit(&b.join("ledger/entries.jsonl"), |s| format!("{s}{other_line}\n"));
                rewrite_sums(b);
            }),
            false,
            vec!["ledger/entries.jsonl:4: error[entry-unexpected]".into()],
        ),
    ];
    for (i, (what, tamper, openssl_fails, expected)) in cases.iter().enumerate() {
        let b = dir.join(format!("t{i}"));
        copy_dir(&good, &b);
        tamper(&b);
        let (code, out) = verify_bundle(dir, &[b.to_str().unwrap()]);
        assert_eq!(code, 1, "{what}: verify-bundle\n{out}");
        let (py, py_out) = tool(&b, "python3", &[good.join("verify.py").to_str().unwrap(), "."]);
        assert_eq!(py, 1, "{what}: verify.py\n{py_out}");
        for e in expected {
            assert!(out.contains(e.as_str()), "{what}: verify-bundle names `{e}`\n{out}");
            assert!(py_out.contains(e.as_str()), "{what}: verify.py names `{e}`\n{py_out}");
        }
        if *openssl_fails {
            let args = ["pkeyutl", "-verify", "-pubin", "-inkey", "checkpoint.pem", "-rawin", "-in"];
            let sig = if what.contains("signature") {
                // The note's signature line is what was changed: openssl checks the raw copy,
                // which is no longer the note's (verify-bundle names that too).
                let note = std::fs::read_to_string(b.join("checkpoint")).unwrap();
                let b64 = note.trim_end().rsplit_once(' ').unwrap().1.to_string();
                use base64::Engine as _;
                let raw = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
                std::fs::write(b.join("forged.sig"), &raw[4..]).unwrap();
                "forged.sig"
            } else {
                "checkpoint.sig"
            };
            let (code, text) =
                tool(&b, "openssl", &[&args[..], &["checkpoint.txt", "-sigfile", sig]].concat());
            assert_ne!(code, 0, "{what}: openssl refuses\n{text}");
        }
    }
    // The sums of an untouched copy still check; of a changed one, `sha256sum -c` fails.
    let (code, _) = tool(&dir.join("t0"), "sha256sum", &["-c", "--quiet", "SHA256SUMS"]);
    assert_ne!(code, 0);
}

#[test]
fn query_and_customer_select_the_records_search_finds() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    crate::common::copy_records(&records(), &dir.join("records"));
    run(dir, &["ingest", "-q"], "2026-01-31T02:00:00Z");
    run(dir, &["index", "-q"], "2026-01-31T02:00:00Z");
    std::fs::write(dir.join("key"), key().private_text()).unwrap();
    let search = |args: &[&str]| -> Vec<String> {
        let out = bin()
            .current_dir(dir)
            .arg("search")
            .args(args)
            .args(["--limit", "1000", "--json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut ids: Vec<String> =
            v["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect();
        ids.sort();
        ids
    };
    let bundled = |out: &Path| -> Vec<String> {
        json(&out.join("manifest.json"))["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = search(&["*"]);
    assert_eq!(all.len(), 32);

    let by_query = search(&["deploy"]);
    assert!(
        by_query.len() > 10 && by_query.len() < all.len(),
        "{by_query:?}: more than a page of hits, not all"
    );
    assert_eq!(bundled(&export(dir, &["--query", "deploy"], "q")), by_query);

    let customer = ["--customer", "GlobalBank Corp"];
    let by_customer = search(&[&["*"][..], &customer[..]].concat());
    assert!(!by_customer.is_empty() && by_customer.len() < all.len(), "{by_customer:?}");
    assert_eq!(bundled(&export(dir, &customer, "c")), by_customer);

    // Combined with AND: the query, the customer, a date range and ids.
    let both = search(&["deploy", "--customer", "GlobalBank Corp", "--since", "2020-01-01"]);
    let out =
        export(dir, &["--query", "deploy", "--customer", "GlobalBank Corp", "--since", "2020-01-01"], "qc");
    assert_eq!(bundled(&out), both);
    let first = &by_query[0];
    let out = export(
        dir,
        &[first.as_str(), all.iter().find(|i| !by_query.contains(i)).unwrap(), "--query", "deploy"],
        "i",
    );
    assert_eq!(bundled(&out), std::slice::from_ref(first));
    let (code, out) = verify_bundle(dir, &["qc"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn bad_input_exits_2_and_the_key_is_checked() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    setup(dir);
    let fails = |args: &[&str], needle: &str| {
        let out = bin().current_dir(dir).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    fails(&["export", "evidence", "INC-1999-0001", "--out", "u"], "no record `INC-1999-0001`");
    std::fs::create_dir(dir.join("full")).unwrap();
    std::fs::write(dir.join("full/x"), "x").unwrap();
    fails(&["export", "evidence", "--out", "full"], "not empty");
    fails(&["export", "evidence", "--query", "title:", "--out", "q"], "invalid query");
    fails(&["export", "evidence", "--query", "zzzznothing", "--out", "q"], "no record matches");
    fails(&["export", "evidence", "--out", "n", "--signing-key", "nokey"], "signing key");
    fails(&["verify-bundle", "nothing-here"], "not a readable evidence bundle");
    std::fs::write(dir.join("junk.tar.gz"), "not gzip").unwrap();
    fails(&["verify-bundle", "junk.tar.gz"], "not a readable evidence bundle");
    fails(&["verify-bundle", "junk.tar.gz", "--vkey", "nonsense"], "--vkey");
    assert!(!dir.join("u").exists() && !dir.join("q").exists() && !dir.join("n").exists());

    // The key the auditor holds: the right one passes, another is named.
    export(dir, &[ID], "b");
    let vkey = key().verifier().to_string();
    let (code, out) = verify_bundle(dir, &["b", "--vkey", &vkey]);
    assert_eq!(code, 0, "{out}");
    let other = SignerKey::from_seed("audit.example.com", &[8; 32]).unwrap().verifier().to_string();
    let (code, out) = verify_bundle(dir, &["b", "--vkey", &other]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("checkpoint.pub: error[key-mismatch]"), "{out}");
    assert!(out.contains("checkpoint: error[signature-invalid]"), "{out}");
    // Unsigned (no key configured): it checks, says so, and fails against a key.
    bin().current_dir(dir).args(["export", "evidence", ID, "--out", "u"]).assert().success();
    assert!(!dir.join("u/checkpoint.sig").exists());
    assert!(std::fs::read_to_string(dir.join("u/VERIFY.md")).unwrap().contains("not signed"));
    let (code, out) = verify_bundle(dir, &["u"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("note: the checkpoint is not signed"), "{out}");
    let (code, _) = tool(&dir.join("u"), "python3", &["verify.py"]);
    assert_eq!(code, 0);
    let (code, out) = verify_bundle(dir, &["u", "--vkey", &vkey]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("checkpoint: error[signature-missing]"), "{out}");
    // An index behind the archive could miss records: a selection through it is refused.
    std::fs::copy(records().join("INC-2026-0002.md"), dir.join("records/INC-2026-0002.md")).unwrap();
    run(dir, &["ingest", "-q"], "2026-02-02T02:00:00Z");
    fails(&["export", "evidence", "--query", "deploy", "--out", "s"], "could miss records");
    // Ids alone do not need the index.
    bin().current_dir(dir).args(["export", "evidence", "INC-2026-0002", "--out", "s"]).assert().success();
}

#[test]
fn verify_bundle_where_the_archive_is_checks_that_it_extends_the_bundle() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    setup(dir);
    export(dir, &[ID], "b");
    // The archive grows: still consistent.
    std::fs::copy(records().join("INC-2026-0002.md"), dir.join("records/INC-2026-0002.md")).unwrap();
    run(dir, &["ingest", "-q"], "2026-02-02T02:00:00Z");
    let (code, out) = verify_bundle(dir, &["b"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("extends the bundle's tree"), "{out}");
    // Another archive whose history differs (another fourth entry): refused.
    let o = dir.join("o");
    std::fs::create_dir_all(o.join("records")).unwrap();
    std::fs::copy(fixture("archive").join(format!("{ID}.md")), o.join(format!("records/{ID}.md"))).unwrap();
    for f in ["ext.md", "ext.signoff.yaml", &format!("{OTHER}.md"), "INC-2026-0002.md"] {
        std::fs::copy(dir.join("records").join(f), o.join("records").join(f)).unwrap();
    }
    run(&o, &["ingest", "-q"], "2026-01-31T02:00:00Z");
    let bundle = dir.join("b");
    let (code, out) = verify_bundle(&o, &[bundle.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("checkpoint: error[archive-inconsistent]"), "{out}");
}

/// `tests/fixtures/ledger-with-titles`: `INC-2015-0001` ingested, `INC-2025-0023` ingested,
/// held and released, then `INC-2015-0001` purged; every entry carries a title (written before
/// entries stopped carrying one). A bundle of the record holds its own lines only, none of the
/// purged record's (with its title); a bundle of the purged record holds its entries and their
/// proofs, no bytes, and says so.
#[test]
fn a_bundle_holds_only_its_records_lines_and_a_purged_records_entries_without_bytes() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    copy_tree(&fixture("ledger-with-titles"), &dir.join("archive"));
    let export = |args: &[&str], out: &str| {
        bin()
            .current_dir(dir)
            .args(["export", "evidence"])
            .args(args)
            .args(["--out", out])
            .assert()
            .success();
        dir.join(out)
    };
    let b = export(&[ID], "kept");
    let entries = std::fs::read_to_string(b.join("ledger/entries.jsonl")).unwrap();
    let seqs: Vec<u64> = entries
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    for p in files(&b) {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).to_lowercase();
        assert!(!text.contains("quillfennick"), "{p:?} holds the purged record's title");
    }

    let b = export(&["INC-2015-0001"], "purged");
    let m = json(&b.join("manifest.json"));
    let r = &m["records"][0];
    assert_eq!(r["id"], "INC-2015-0001");
    assert_eq!(r["entries"], serde_json::json!([0, 4]));
    assert!(r["purged"]["note"].as_str().unwrap().contains("disposed of"), "{r}");
    assert!(r["versions"][0]["original"].is_null(), "{r}");
    assert!(!b.join("records").exists());
    assert!(b.join("proofs/0.json").exists() && b.join("proofs/4.json").exists());
    let (code, out) = verify_bundle(dir, &["purged"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = tool(&b, "python3", &["verify.py"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = tool(&b, "sha256sum", &["-c", "--strict", "SHA256SUMS"]);
    assert_eq!(code, 0, "{out}");
    // No selector: both records, the purged one without bytes.
    let b = export(&[], "all");
    assert_eq!(json(&b.join("manifest.json"))["records"].as_array().unwrap().len(), 2);
    assert_eq!(std::fs::read_to_string(b.join("ledger/entries.jsonl")).unwrap().lines().count(), 5);
    let (code, out) = verify_bundle(dir, &["all", "--json"]);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["failures"], serde_json::json!([]));
    assert_eq!(report["tree_size"], 5);
    assert_eq!(report["archive_consistent"], true);
    assert_eq!(report["signature_verified"], false);
}

/// The shipped checker's own cryptography: RFC 8032's first Ed25519 test vector, and RFC 6962
/// inclusion proofs, checked against the Rust code's, for every leaf of trees of 1 to 9 leaves.
#[test]
fn the_shipped_checker_implements_rfc_8032_and_rfc_6962() {
    let script = crate::common::repo().join("src/evidence");
    let mut cases = Vec::new();
    for size in 1..=9usize {
        let leaves: Vec<[u8; 32]> = (0..size)
            .map(|i| incident_archive::archive::merkle::leaf_hash(format!("{i}").as_bytes()))
            .collect();
        let root = hex::encode(incident_archive::archive::merkle::root(&leaves));
        for i in 0..size {
            let path = incident_archive::archive::merkle::inclusion_proof(&leaves, i).unwrap();
            let path: Vec<String> = path.iter().map(hex::encode).collect();
            cases.push(serde_json::json!({"i": i, "size": size, "leaf": hex::encode(leaves[i]), "path": path, "root": root}));
        }
    }
    let t = tempfile::tempdir().unwrap();
    let cases_file = t.path().join("rfc6962.json");
    std::fs::write(&cases_file, serde_json::to_vec(&cases).unwrap()).unwrap();
    let program = r#"
import json, sys
import verify as v
pk = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
sig = bytes.fromhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
assert v.ed25519_verify(pk, b"", sig)
assert not v.ed25519_verify(pk, b"x", sig)
assert not v.ed25519_verify(pk, b"", sig[:10] + bytes([sig[10] ^ 1]) + sig[11:])
cases = json.load(open(sys.argv[1]))
for c in cases:
    path = [bytes.fromhex(h) for h in c["path"]]
    leaf, root = bytes.fromhex(c["leaf"]), bytes.fromhex(c["root"])
    assert v.root_from_inclusion(c["i"], c["size"], leaf, path) == root, c
    assert v.root_from_inclusion(c["i"], c["size"], bytes([leaf[0] ^ 1]) + leaf[1:], path) != root, c
    assert v.root_from_inclusion(c["size"], c["size"], leaf, path) is None, c
    if path:
        assert v.root_from_inclusion(c["i"], c["size"], leaf, path[:-1]) != root, c
print("ok", len(cases))
"#;
    let out = Command::new("python3")
        .current_dir(&script)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args(["-c", program, cases_file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert_eq!(text.trim(), "ok 45");
}

/// With `signing.keep`, a bundle's checkpoint is signed only when the archive's tree extends
/// the kept one: never two signed checkpoints inconsistent with each other.
#[test]
fn a_checkpoint_that_does_not_extend_the_kept_one_is_not_signed() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    setup(dir);
    std::fs::write(dir.join("incident-archive.yaml"), "signing:\n  key: key\n  keep: kept\n").unwrap();
    let export =
        |out: &str| bin().current_dir(dir).args(["export", "evidence", ID, "--out", out]).output().unwrap();
    // No kept checkpoint yet: signed.
    assert!(export("a").status.success());
    assert!(dir.join("a/checkpoint.sig").exists());
    // Kept from that bundle, the archive grown since: signed.
    std::fs::copy(dir.join("a/checkpoint"), dir.join("kept")).unwrap();
    std::fs::copy(records().join("INC-2026-0002.md"), dir.join("records/INC-2026-0002.md")).unwrap();
    run(dir, &["ingest", "-q"], "2026-02-02T02:00:00Z");
    assert!(export("b").status.success());
    // A kept checkpoint of another history (its root changed): refused, nothing written.
    let kept = std::fs::read_to_string(dir.join("a/checkpoint.txt")).unwrap();
    let root = kept.lines().nth(2).unwrap().to_string();
    std::fs::write(dir.join("kept"), kept.replace(&root, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))
        .unwrap();
    let out = export("c");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("refusing to sign a checkpoint that does not extend the kept one"), "{err}");
    assert!(!dir.join("c").exists());
}
