//! Loading the user's files: the inventory, and playbooks (shipped ones plus the user's own).

use crate::core::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::core::inventory::{self, Inventory};
use crate::core::playbook::{self, Playbook};
use crate::embedded::SHIPPED_PLAYBOOKS;
use std::path::Path;

/// Reads a file for parsing; a missing or unreadable file becomes a located diagnostic.
pub fn read_source(path: &Path) -> Result<SourceFile, Diagnostics> {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(name, text)),
            Err(e) => {
                let src = SourceFile::new(name, String::from_utf8_lossy(e.as_bytes()).into_owned());
                let at = e.utf8_error().valid_up_to();
                Err(src
                    .error(
                        Some(at..at),
                        "file is not valid UTF-8",
                        Some("a UTF-8 encoded TOML file".into()),
                    )
                    .into())
            }
        },
        Err(e) => Err(Diagnostic {
            path: name,
            line: 1,
            column: 1,
            message: format!("cannot read file: {e}"),
            expected: None,
        }
        .into()),
    }
}

/// Reads and validates an inventory file.
pub fn load_inventory(path: &Path) -> Result<Inventory, Diagnostics> {
    inventory::parse(&read_source(path)?)
}

/// Playbooks available to the operator: the shipped ones, then every `*.toml` of `user_dir`
/// (a user playbook with the same id replaces the shipped one). Invalid files are reported,
/// not fatal: the rest stay usable.
pub fn load_playbooks(
    user_dir: Option<&Path>,
    inventory: Option<&Inventory>,
) -> (Vec<Playbook>, Vec<Diagnostics>) {
    let mut playbooks: Vec<Playbook> = Vec::new();
    let mut problems = Vec::new();
    let mut add = |result: Result<Playbook, Diagnostics>| match result {
        Ok(p) => {
            playbooks.retain(|q| q.id != p.id);
            playbooks.push(p);
        }
        Err(d) => problems.push(d),
    };
    for (name, text) in SHIPPED_PLAYBOOKS {
        add(playbook::parse(&SourceFile::new(*name, *text), inventory));
    }
    if let Some(dir) = user_dir {
        for path in toml_files(dir) {
            add(read_source(&path).and_then(|src| playbook::parse(&src, inventory)));
        }
    }
    (playbooks, problems)
}

/// `*.toml` files directly in a folder, sorted; none when it does not exist.
pub fn toml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
