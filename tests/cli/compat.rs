//! An archive written by an earlier release of the program stays readable, verifiable and
//! unchanged. `tests/fixtures/previous-release/archive` was written by the release before the
//! code was restructured into its current modules: three bundled records, a public postmortem
//! imported with an attested sign-off (`sre.signoff.yaml`), a second version of one record, two
//! legal holds and a release, and a purge. Its bytes are the evidence; nothing this build does
//! may change them. (`scripts/compat.sh OLD_BINARY` checks the same against any earlier binary,
//! and that its site rebuilds byte-identical.)

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common;

/// Every file of the archive's evidence (format marker, ledger, checkpoint, objects), with its
/// bytes: not the derived `index/` and `cache/`, nor the lock.
fn evidence(archive: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    common::files(archive)
        .into_iter()
        .map(|p| p.strip_prefix(archive).unwrap().to_path_buf())
        .filter(|p| !p.starts_with("index") && !p.starts_with("cache") && *p != Path::new(".lock"))
        .map(|p| {
            let bytes = fs::read(archive.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = common::bin().current_dir(dir).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn an_archive_of_the_previous_release_verifies_and_building_over_it_changes_none_of_its_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    common::copy_tree(&common::fixture("previous-release/archive"), &archive);
    fs::create_dir(tmp.path().join("inbox")).unwrap();
    let before = evidence(&archive);
    assert_eq!(before.keys().filter(|p| p.starts_with("objects")).count(), 5, "{:?}", before.keys());

    let (code, out, err) = run(tmp.path(), &["verify", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["entries"], 9, "{report}");
    assert_eq!(report["problems"], serde_json::json!([]), "{report}");

    // A nightly build with nothing new: index, site and verify over the old archive.
    let (code, out, err) = run(tmp.path(), &["build", "--as-of", "2026-12-01", "inbox"]);
    assert_eq!(code, 0, "{out}{err}");
    // The one file added: the checkpoint of the old ledger as it is (an archive of the earlier
    // release has none), which every run that holds the write lock writes.
    let mut after = evidence(&archive);
    let checkpoint = String::from_utf8(after.remove(Path::new("checkpoint")).unwrap()).unwrap();
    let root =
        serde_json::from_slice::<serde_json::Value>(&before[Path::new("checkpoint.json")]).unwrap()["root"]
            .as_str()
            .unwrap()
            .to_string();
    let root =
        root.as_bytes().chunks(2).map(|h| u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap());
    use base64::Engine as _;
    let root = base64::engine::general_purpose::STANDARD.encode(root.collect::<Vec<u8>>());
    assert_eq!(checkpoint, format!("incident-archive\n9\n{root}\n"));
    assert_eq!(after, before, "the build changed the archive's evidence");

    // What the earlier release recorded reads back the same way.
    let (code, out, _) = run(tmp.path(), &["show", "INC-2025-0023", "--json"]);
    assert_eq!(code, 0);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["provenance"]["versions"].as_array().map(Vec::len), Some(2), "{shown}");
    let (code, out, _) = run(tmp.path(), &["show", "INC-2018-0004", "--json"]);
    assert_eq!(code, 0);
    let purged: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(purged.get("title").is_none(), "nothing of a purged record's text: {purged}");
    assert_eq!(purged["provenance"]["purged"]["reason"], "Retention period ended", "{purged}");
    let (code, out, _) = run(tmp.path(), &["show", "INC-2021-0005", "--json"]);
    assert_eq!(code, 0);
    let held: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(held["provenance"]["legal_hold"]["reason"], "Litigation hold LIT-2026-07", "{held}");
    let attested = fs::read_to_string(tmp.path().join("public/incidents/PH-2231.html")).unwrap();
    assert!(attested.contains("sign-off attested on import"), "the sidecar's attestation is shown");
    let (code, out, err) = run(tmp.path(), &["search", "Lena", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PH-2231"), "{out}");

    let (code, out, err) = run(tmp.path(), &["verify"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut after = evidence(&archive);
    after.remove(Path::new("checkpoint"));
    assert_eq!(after, before);
}
