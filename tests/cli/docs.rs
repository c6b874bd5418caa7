//! `completions SHELL` and `man [COMMAND…]`: made from the same definitions as the arguments,
//! so they name every command `--help` lists, and they read no configuration.

use std::path::Path;

use crate::common::bin;

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin().current_dir(dir).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// The commands `--help` lists (its `Commands:` section), without `help`.
fn commands_in_help() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let (code, help, _) = run_in(dir.path(), &["--help"]);
    assert_eq!(code, 0);
    let names: Vec<String> = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    for expected in ["check", "ingest", "verify-proof", "retention", "search", "build", "completions", "man"]
    {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
    names
}

#[test]
fn the_bash_completions_name_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let (code, script, err) = run_in(dir.path(), &["completions", "bash"]);
    assert_eq!(code, 0, "{err}");
    assert!(script.contains("complete -F _incident__archive"), "a bash completion function");
    for name in commands_in_help() {
        assert!(script.contains(&format!(",{name})")), "`{name}` is completed:\n{script}");
    }
    for name in ["report", "hold", "release", "purge"] {
        assert!(script.contains(&format!("retention,{name})")), "`retention {name}` is completed");
    }
    assert!(script.contains("--dry-run") && script.contains("--as-of"), "options are completed");
}

#[test]
fn every_shell_gets_a_script() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, script, err) = run_in(dir.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(script.contains("incident-archive") && script.contains("verify-proof"), "{shell}");
    }
    let (code, _, err) = run_in(dir.path(), &["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error: {err}");
    assert!(err.contains("possible values: bash, elvish, fish, powershell, zsh"), "{err}");
}

#[test]
fn the_man_page_is_roff_naming_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let (code, page, err) = run_in(dir.path(), &["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(page.lines().any(|l| l.starts_with(".TH incident-archive 1")), "{page}");
    assert!(page.contains(".SH SYNOPSIS") && page.contains(".SH SUBCOMMANDS"), "{page}");
    // roff writes a hyphen as `\-`.
    let text = page.replace("\\-", "-");
    for name in commands_in_help() {
        assert!(text.contains(&format!("incident-archive-{name}(1)")), "`{name}` in the man page:\n{page}");
    }
    assert!(!text.contains("generate-corpus"), "hidden commands stay hidden");
}

#[test]
fn each_command_has_its_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for name in commands_in_help() {
        let (code, page, err) = run_in(dir.path(), &["man", &name]);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(page.contains(&format!(".TH incident-archive-{name} 1")), "{page}");
    }
    let (code, page, _) = run_in(dir.path(), &["man", "retention", "purge"]);
    assert_eq!(code, 0);
    let text = page.replace("\\-", "-");
    assert!(text.contains(".TH incident-archive-retention-purge 1"), "{page}");
    assert!(text.contains("--dry-run") && text.contains("--reason"), "its options: {page}");
    let (code, out, err) = run_in(dir.path(), &["man", "retention", "nope"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err, "error: no command `retention nope`: `incident-archive --help` lists them\n");
}

#[test]
fn completions_and_man_read_no_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("incident-archive.yaml"), "archive: [").unwrap();
    let (code, _, err) = run_in(dir.path(), &["verify"]);
    assert_eq!(code, 2, "the broken configuration is read by the other commands: {err}");
    assert_eq!(run_in(dir.path(), &["completions", "fish"]).0, 0);
    assert_eq!(run_in(dir.path(), &["man"]).0, 0);
}
