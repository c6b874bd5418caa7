//! `check --explain FILE`: where each kept field came from, or why it is empty.

use std::path::Path;

use crate::common::{bin, fixture, repo};

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin().current_dir(dir).arg("check").args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// The Atlassian-shaped record beside a sidecar that attests its sign-off and supplies the
/// severity and retention the document lacks.
fn atlassian_with_sidecar() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("shapes/atlassian.md"), dir.path().join("atlassian.md")).unwrap();
    std::fs::write(
        dir.path().join("atlassian.signoff.yaml"),
        "approved_by: Jo Evans\napproved_on: 2024-02-09\nreference: CAB-2024-031\nseverity: P3\nretention_years: 10\n",
    )
    .unwrap();
    dir
}

#[test]
fn explain_of_the_reference_record() {
    let (code, out, err) = run_in(&repo(), &["--explain", "tests/fixtures/archive/INC-2025-0023.md"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("explain_reference_record", out);
}

#[test]
fn explain_of_a_shape_with_a_sidecar() {
    let dir = atlassian_with_sidecar();
    let (code, out, err) = run_in(dir.path(), &["--explain", "atlassian.md"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("severity: P3 — sidecar atlassian.signoff.yaml (attested), key `severity`"),
        "{out}"
    );
    insta::assert_snapshot!("explain_atlassian_with_sidecar", out);
}

#[test]
fn explain_json_names_each_source() {
    let dir = atlassian_with_sidecar();
    let (code, out, err) = run_in(dir.path(), &["--explain", "--json", "atlassian.md"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["path"], "atlassian.md");
    assert_eq!(v["accepted"], true);
    assert!(v["diagnostics"].is_array());
    let fields = v["fields"].as_array().unwrap();
    let field = |name: &str| fields.iter().find(|f| f["field"] == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(field("id")["value"], "BILL-77");
    assert_eq!(
        field("id")["source"],
        serde_json::json!({"kind": "label", "line": 3, "label": "Incident ID"})
    );
    assert_eq!(field("title")["source"], serde_json::json!({"kind": "h1", "line": 1}));
    assert_eq!(
        field("severity")["source"],
        serde_json::json!({"kind": "sidecar", "label": "severity", "detail": "atlassian.signoff.yaml"})
    );
    assert_eq!(field("retention")["value"], "10 years");
    assert_eq!(field("retention")["source"]["kind"], "sidecar");
    // The document's own sign-off is kept; the sidecar only attests it.
    assert_eq!(field("sign_off.approved_by")["source"]["kind"], "label");
    assert_eq!(field("timeline")["source"]["kind"], "heading");
    assert_eq!(field("timeline")["source"]["heading"], "## Timeline");
    assert_eq!(field("timeline")["source"]["detail"], "timeline");
    let customer_impact = field("customer_impact");
    assert_eq!(customer_impact["value"], "");
    assert_eq!(customer_impact["source"]["kind"], "none");
    let kinds = ["label", "heading", "front_matter", "sidecar", "h1", "inferred", "default", "none"];
    for f in fields {
        assert!(kinds.contains(&f["source"]["kind"].as_str().unwrap()), "{f}");
    }
}

#[test]
fn explain_of_a_rejected_record_exits_1_with_its_errors() {
    let (code, out, _) = run_in(&repo(), &["--explain", "tests/fixtures/invalid/no-approver.md"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(": rejected"), "{out}");
    assert!(out.contains("error[sign-off-missing]"), "{out}");
    assert!(
        out.contains("sign_off.approved_by: (empty) — no label `Approved By` in the Sign-off section"),
        "{out}"
    );
}

#[test]
fn explain_takes_exactly_one_file() {
    let (code, _, err) = run_in(
        &repo(),
        &["--explain", "tests/fixtures/archive/INC-2025-0023.md", "tests/fixtures/shapes/sre.md"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("`--explain` takes exactly one file, not 2"), "{err}");
    let (code, _, err) = run_in(&repo(), &["--explain", "tests/fixtures/shapes"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a file"), "{err}");
    let (code, _, err) = run_in(&repo(), &["--explain"]);
    assert_eq!(code, 2);
    assert!(err.contains("not 0"), "{err}");
}

#[test]
fn check_json_is_unchanged_by_explain() {
    // `check --json` prints the model, not the explanation.
    let (code, out, _) = run_in(&repo(), &["--json", "tests/fixtures/archive/INC-2025-0023.md"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.get("fields").is_none() && v["id"] == "INC-2025-0023");
}

#[test]
fn explain_of_an_unfilled_template_keeps_nothing() {
    let (code, out, _) = run_in(&repo(), &["--explain", "tests/fixtures/templates/book-headings.md"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("nothing is kept: the record could not be read"), "{out}");
    assert!(out.contains("error[template-unfilled]"), "{out}");
    let (code, out, _) =
        run_in(&repo(), &["--explain", "--json", "tests/fixtures/templates/book-headings.md"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["fields"], serde_json::json!([]));
    assert_eq!(v["accepted"], false);
}
