//! Integration tests of `build`.

/// The hidden `generate-corpus` subcommand: the benchmarks' deterministic synthetic records.
mod corpus {
    use std::collections::BTreeMap;
    use std::path::Path;

    use crate::common::bin;

    fn generate(dir: &Path, count: &str, seed: &str) {
        bin()
            .args(["generate-corpus", "--count", count, "--seed", seed, "--out"])
            .arg(dir)
            .assert()
            .success()
            .stderr(predicates::str::contains(format!("wrote {count} records")));
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
    }

    #[test]
    fn every_generated_record_passes_check_without_a_warning() {
        let tmp = tempfile::tempdir().unwrap();
        generate(tmp.path(), "200", "5");
        bin()
            .arg("check")
            .arg(tmp.path())
            .assert()
            .success()
            .stdout(predicates::str::contains("checked 200 records: 200 accepted, 0 rejected, 0 warnings"));
    }

    #[test]
    fn an_unwritable_folder_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("taken");
        std::fs::write(&file, "not a folder").unwrap();
        bin()
            .args(["generate-corpus", "--count", "3", "--out"])
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("cannot write the corpus to"));
    }
}
