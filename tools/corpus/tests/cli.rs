//! The `incident-corpus` binary end to end: the same seed writes the same bytes (those of the
//! library), what it says, `-q`, and a folder it cannot write.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use incident_corpus::Corpus;
use predicates::prelude::PredicateBooleanExt as _;

fn bin() -> Command {
    Command::cargo_bin("incident-corpus").expect("binary built")
}

fn generate(dir: &Path, count: &str, seed: &str) {
    bin().args(["--count", count, "--seed", seed, "--out"]).arg(dir).assert().success().stdout("").stderr(
        predicates::str::starts_with(format!("wrote {count} records ("))
            .and(predicates::str::contains(format!(" MB, seed {seed}) to `{}` in ", dir.display()))),
    );
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    generate(&a, "120", "7");
    generate(&b, "120", "7");
    generate(&c, "120", "8");
    let (a, b, c) = (files(&a), files(&b), files(&c));
    assert_eq!(a.len(), 120);
    assert!(a.keys().all(|name| name.starts_with("INC-") && name.ends_with(".md")));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let mean = a.values().map(Vec::len).sum::<usize>() / a.len();
    assert!((2_000..=6_000).contains(&mean), "mean record size {mean}");

    // The binary writes what the library renders.
    let corpus = Corpus::new(120, 7);
    for i in 0..corpus.len() {
        assert_eq!(a[&format!("{}.md", corpus.id(i))], corpus.record(i).into_bytes());
    }
}

#[test]
fn quiet_prints_nothing_and_the_defaults_are_seed_1() {
    let tmp = tempfile::tempdir().unwrap();
    bin().args(["-q", "--count", "5", "--out"]).arg(tmp.path()).assert().success().stdout("").stderr("");
    let corpus = Corpus::new(5, 1);
    assert_eq!(files(tmp.path()).len(), 5);
    assert_eq!(
        std::fs::read(tmp.path().join(format!("{}.md", corpus.id(4)))).unwrap(),
        corpus.record(4).into_bytes()
    );
}

#[test]
fn an_unwritable_folder_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("taken");
    std::fs::write(&file, "not a folder").unwrap();
    bin().args(["--count", "3", "--out"]).arg(&file).assert().code(2).stderr(predicates::str::starts_with(
        format!(
            "error: cannot write the corpus to `{}`: cannot create the folder `{}`: ",
            file.display(),
            file.display()
        ),
    ));
}

#[test]
fn a_missing_out_is_a_usage_error() {
    bin().args(["--count", "3"]).assert().code(2).stderr(predicates::str::contains("--out"));
}
