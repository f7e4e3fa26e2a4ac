//! Dependencies point one way, `ui → io → core`: this test reads the sources and fails when a
//! layer reaches a crate or a layer it must not.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("source folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Lines of `layer` that mention any forbidden path, ignoring comments.
fn violations(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for f in forbidden {
                let hit = code
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .any(|word| word == *f || word.starts_with(&format!("{f}::")));
                if hit {
                    found.push(format!(
                        "{}:{}: uses `{f}`: {}",
                        file.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn core_is_pure() {
    let found = violations(
        "core",
        &[
            "ratatui",
            "crossterm",
            "ratatui_textarea",
            "tokio",
            "russh",
            "sqlx",
            "reqwest",
            "crate::io",
            "crate::ui",
            "crate::demo",
            "crate::cli",
            "std::fs",
            "std::net",
            "std::process",
        ],
    );
    assert!(
        found.is_empty(),
        "src/core must stay pure:\n{}",
        found.join("\n")
    );
}

#[test]
fn io_does_not_know_the_ui() {
    let found = violations(
        "io",
        &[
            "ratatui",
            "crossterm",
            "ratatui_textarea",
            "crate::ui",
            "crate::demo",
            "crate::cli",
        ],
    );
    assert!(
        found.is_empty(),
        "src/io must not import UI crates:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_ui_draws() {
    for layer in ["demo", "cli"] {
        let found = violations(layer, &["ratatui", "crossterm", "ratatui_textarea"]);
        assert!(
            found.is_empty(),
            "src/{layer} must not import UI crates:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_checker_catches_a_violation() {
    // Guard against a checker that can never fail: the ui layer does use ratatui.
    assert!(!violations("ui", &["ratatui"]).is_empty());
}
