//! What operators read names things they know. The runbooks the shipped playbooks encode were
//! called "seed 000"… "seed 004" while cockpit was built; operators have never seen those
//! documents, so the word must not reach them: not in any command's `--help` (of the real
//! binary, every subcommand found by walking the command tree, so commands added later are
//! covered too), not in the playbooks (their text shows in the UI and the report), the example
//! inventory, the README, the changelog or anything under docs/, and not in what `cockpit
//! check`, `report`, `stats` and `journal verify` print. Every command's `--help` also ends
//! with examples.

use clap::CommandFactory;
use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::Command;

const COCKPIT: &str = env!("CARGO_BIN_EXE_cockpit");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seed_word() -> Regex {
    Regex::new(r"(?i)\bseed\b").expect("the pattern")
}

/// The lines of `text` that say "seed", with their numbers.
fn offending(text: &str) -> Vec<String> {
    let re = seed_word();
    text.lines()
        .enumerate()
        .filter(|(_, l)| re.is_match(l))
        .map(|(n, l)| format!("{}: {l}", n + 1))
        .collect()
}

/// The paths of every visible (sub)command, e.g. `["journal", "verify"]`; `[]` is `cockpit`.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        for sub in cmd.get_subcommands() {
            if sub.is_hide_set() || sub.get_name() == "help" {
                continue;
            }
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, out);
        }
    }
    let mut out = Vec::new();
    walk(&cockpit::cli::Cli::command(), Vec::new(), &mut out);
    out
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(COCKPIT)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cockpit");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn no_help_text_says_seed_and_each_command_shows_examples() {
    let paths = command_paths();
    assert!(
        paths.iter().any(|p| p == &["journal", "verify"]),
        "the walk found {paths:?}"
    );
    let mut bad = Vec::new();
    for path in &paths {
        for flag in ["--help", "-h"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let (ok, text) = run(&args);
            let shown = format!("cockpit {}", args.join(" "));
            assert!(ok, "{shown} failed:\n{text}");
            for line in offending(&text) {
                bad.push(format!("{shown}: {line}"));
            }
            if !text.contains("\nExamples:\n  cockpit") {
                bad.push(format!("{shown}: no \"Examples:\" block"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Files operators read: the playbooks, the README, the changelog and everything under docs/.
fn operator_files() -> Vec<PathBuf> {
    fn under(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.expect("a folder entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                under(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    under(&root().join("playbooks"), &mut files);
    under(&root().join("docs"), &mut files);
    files.push(root().join("README.md"));
    let changelog = root().join("CHANGELOG.md");
    if changelog.exists() {
        files.push(changelog);
    }
    files
}

#[test]
fn no_playbook_or_document_says_seed() {
    let files = operator_files();
    for wanted in [
        "playbooks/primary-app-down.toml",
        "docs/inventory.example.toml",
        "docs/procedures.md",
        "README.md",
    ] {
        assert!(
            files.iter().any(|f| f.ends_with(wanted)),
            "{wanted} was not looked at"
        );
    }
    let mut bad = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        let shown = file
            .strip_prefix(root())
            .unwrap_or(file)
            .display()
            .to_string();
        for line in offending(&text) {
            bad.push(format!("{shown}:{line}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn what_the_commands_print_does_not_say_seed() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let journal = tmp.path().join("journal.db");
    std::fs::copy(
        root().join("tests/fixtures/journals/drill-seed001.db"),
        &journal,
    )
    .expect("copy the drill journal");
    let j = journal.to_str().expect("a UTF-8 path");
    let playbooks = root().join("playbooks");
    let example = root().join("docs/inventory.example.toml");
    let invalid = root().join("tests/fixtures/invalid");
    let runs: Vec<Vec<&str>> = vec![
        vec!["report", j],
        vec!["report", j, "--format", "html"],
        vec!["stats", j],
        vec!["journal", "verify", j],
        vec![
            "check",
            example.to_str().expect("UTF-8"),
            playbooks.to_str().expect("UTF-8"),
        ],
        // Every diagnostic and hint `cockpit check` gives on broken files.
        vec!["check", invalid.to_str().expect("UTF-8")],
    ];
    let mut bad = Vec::new();
    for args in &runs {
        let (_, text) = run(args);
        assert!(text.len() > 100, "cockpit {}: {text}", args.join(" "));
        // The journal's own path is printed; its file name is the fixture's, not the tool's.
        let text = text.replace(j, "JOURNAL");
        for line in offending(&text) {
            bad.push(format!("cockpit {}: {line}", args.join(" ")));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_word_test_catches_what_it_must() {
    for said in [
        "seed 002's incident report",
        "(Seed 001 §4.3)",
        "the seed: /app",
        "SEED",
    ] {
        assert!(!offending(said).is_empty(), "{said}");
    }
    for fine in [
        "seeds/",
        "seeded",
        "reseed",
        "linseed oil",
        "drill-seed001.db",
    ] {
        assert!(offending(fine).is_empty(), "{fine}");
    }
}
