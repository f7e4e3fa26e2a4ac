//! `cockpit check [PATHS]`: validates inventories, playbooks and themes, each error located.

use crate::cli::{Cli, EXIT_INVALID, config_files};
use crate::core::diagnostic::{Diagnostics, SourceFile};
use crate::core::inventory::{self, Inventory, Transport};
use crate::core::playbook;
use crate::embedded::SHIPPED_PLAYBOOKS;
use crate::io::catalog::{read_source, shipped_applicability};
use crate::io::config_files::{ConfigFiles, InventoryOrigin};
use crate::io::ssh;
use crate::ui::theme::Theme;
use std::path::{Path, PathBuf};

/// What a TOML file is, judged by its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Inventory,
    Playbook,
    Theme,
}

fn kind_of(src: &SourceFile) -> Result<FileKind, Diagnostics> {
    let table: toml::Table = toml::from_str(&src.text).map_err(|e| src.toml_error(&e))?;
    let has = |k: &str| table.contains_key(k);
    if has("steps") || has("severity") {
        Ok(FileKind::Playbook)
    } else if has("hosts") || has("databases") || has("settings") || has("keys") || has("notify") {
        Ok(FileKind::Inventory)
    } else if has("colors") {
        Ok(FileKind::Theme)
    } else {
        Err(src
            .error(None, "cannot tell what this file is", Some("an inventory ([[hosts]]), a playbook (id, severity, [[steps]]) or a theme ([colors])".into()))
            .into())
    }
}

/// Every `*.toml` file under a path (the path itself when it is a file), sorted.
fn expand(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        children.sort();
        for child in children {
            // Sub-folders are entered only when real (a symlink loop cannot recurse forever);
            // every `*.toml` entry is checked, so a FIFO or device by that name is reported.
            let real_dir = std::fs::symlink_metadata(&child).is_ok_and(|m| m.is_dir());
            if real_dir || (child.extension().is_some_and(|e| e == "toml") && !child.is_dir()) {
                expand(&child, out);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// Hosts of the inventory whose `ssh = "alias"` has a ProxyJump in `~/.ssh/config` that
/// cockpit refuses to follow (a hop that does not parse, a loop, more than 8 hops).
fn proxy_jump_errors(src: &SourceFile, inv: &Inventory) -> Option<Diagnostics> {
    let config = ssh::load_ssh_config(&ssh::home().join(".ssh/config")).ok()??;
    let found: Vec<_> = inv
        .hosts
        .iter()
        .filter(|h| h.transport == Transport::Ssh)
        .filter_map(|h| {
            let alias = h.ssh_alias.as_deref()?;
            let reason = ssh::resolve(h, &inv.settings, Some(&config)).err()?;
            let quoted = toml::Value::String(alias.to_string()).to_string();
            let span = src.text.find(&quoted).map(|at| at..at + quoted.len());
            Some(src.error(
                span,
                format!("host `{}`: ~/.ssh/config: {reason}", h.name),
                None,
            ))
        })
        .collect();
    (!found.is_empty()).then_some(Diagnostics(found))
}

/// The files of the operator's config, as a session reads them: the inventory in use, then
/// the playbooks and themes of the user's folder and of the system-wide one (a system-wide
/// file the user's folder replaces is left out). Says which folders and inventory are read.
/// Each file comes with whether it is system-wide.
fn config_files_to_check(config: &ConfigFiles) -> Vec<(PathBuf, bool)> {
    let mut files = Vec::new();
    let folders = config.folders();
    let shown: Vec<String> = folders
        .iter()
        .map(|f| {
            let whose = if f.system { "the system-wide " } else { "" };
            format!("{whose}{}", f.path.display())
        })
        .collect();
    println!("reading {}", shown.join(", then "));
    let system_inventory = config.system_dir.join("inventory.toml");
    match config.origin {
        InventoryOrigin::Missing => println!(
            "note: no inventory at {} nor at {} (`cockpit init` writes one; see README: Inventory)",
            config.inventory.display(),
            system_inventory.display()
        ),
        InventoryOrigin::Given if !config.inventory.exists() => println!(
            "note: no inventory at {} (`cockpit init` writes one; see README: Inventory)",
            config.inventory.display()
        ),
        InventoryOrigin::System => println!(
            "note: no inventory at {}; using the system-wide {}",
            config.user_inventory().display(),
            config.inventory.display()
        ),
        InventoryOrigin::Given | InventoryOrigin::User => {}
    }
    if config.inventory.exists() {
        files.push((
            config.inventory.clone(),
            config.origin == InventoryOrigin::System,
        ));
    }
    for layers in [config.playbook_folders(), config.theme_folders()] {
        let Some(mine) = layers.first().map(|f| f.path.clone()) else {
            continue;
        };
        for folder in layers.iter().filter(|f| f.path.is_dir()) {
            let mut found = Vec::new();
            expand(&folder.path, &mut found);
            for path in found {
                // A session reads each folder's own files, the user's replacing the
                // system-wide ones of the same name.
                let replaced_by = match (folder.system, path.file_name()) {
                    (true, Some(name)) if path.parent() == Some(folder.path.as_path()) => {
                        Some(mine.join(name)).filter(|p| std::fs::symlink_metadata(p).is_ok())
                    }
                    _ => None,
                };
                match replaced_by {
                    Some(by) => println!(
                        "note: {} is replaced by your {}",
                        path.display(),
                        by.display()
                    ),
                    None => files.push((path, folder.system)),
                }
            }
        }
    }
    files
}

/// An invalid inventory's problems, with what its `[keys]` table has wrong besides (an
/// unreadable key string stops the inventory before the key table is judged): one run says all.
fn keys_too(src: &SourceFile, found: Diagnostics) -> Diagnostics {
    let Ok((keys, _)) = inventory::keys_with_problems(src) else {
        return found;
    };
    let Err(more) = crate::ui::keymap::Keymap::with_remaps(&keys.remaps) else {
        return found;
    };
    let mut all = found.0;
    for d in more.0 {
        if !all.contains(&d) {
            all.push(d);
        }
    }
    Diagnostics::sorted(all)
}

/// Runs the check; prints what it found; 0 when every file is valid, 2 otherwise.
pub fn run(cli: &Cli, paths: &[PathBuf]) -> i32 {
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let with_shipped = paths.is_empty();
    if paths.is_empty() {
        files = config_files_to_check(&config_files(cli.config.as_ref()));
    } else {
        for p in paths {
            let mut found = Vec::new();
            expand(p, &mut found);
            files.extend(found.into_iter().map(|f| (f, false)));
        }
    }

    let mut sources = Vec::new();
    let mut failures = Vec::new();
    for (path, system) in &files {
        match read_source(path).and_then(|src| kind_of(&src).map(|k| (k, src, *system))) {
            Ok(found) => sources.push(found),
            Err(d) => failures.push(d),
        }
    }
    let shipped: Vec<SourceFile> = if with_shipped {
        SHIPPED_PLAYBOOKS
            .iter()
            .map(|(name, text)| SourceFile::new(format!("(built in) {name}"), *text))
            .collect()
    } else {
        Vec::new()
    };

    let mut inventories: Vec<Inventory> = Vec::new();
    let mut ok = Vec::new();
    for (_, src, _) in sources.iter().filter(|(k, _, _)| *k == FileKind::Inventory) {
        match inventory::parse(src)
            .and_then(|inv| crate::ui::keymap::Keymap::with_remaps(&inv.keys.remaps).map(|_| inv))
        {
            Ok(inv) if let Some(d) = proxy_jump_errors(src, &inv) => failures.push(d),
            Ok(inv) => {
                let channels = match inv.notify.len() {
                    0 => String::new(),
                    1 => ", 1 notification channel".to_string(),
                    n => format!(", {n} notification channels"),
                };
                ok.push(format!(
                    "{}: inventory, {} hosts, {} databases{channels}",
                    src.path,
                    inv.hosts.len(),
                    inv.databases.len()
                ));
                inventories.push(inv);
            }
            Err(d) => failures.push(keys_too(src, d)),
        }
    }
    // References are checked against the inventory when exactly one is given.
    let against = match inventories.as_slice() {
        [one] => Some(one),
        _ => None,
    };
    for (kind, src, system) in &sources {
        match kind {
            FileKind::Inventory => {}
            // System-wide playbooks are offered like the built-in ones: set aside, not
            // errors, when this fleet lacks what they name.
            FileKind::Playbook if *system => match playbook::parse(src, None) {
                Ok(p) => ok.push(match shipped_applicability(&src.path, &p, against) {
                    None => format!("{}: playbook `{}`, {} steps", src.path, p.id, p.steps.len()),
                    Some(n) => n.to_string(),
                }),
                Err(d) => failures.push(d),
            },
            FileKind::Playbook => match playbook::parse(src, against) {
                Ok(p) => ok.push(format!(
                    "{}: playbook `{}`, {} steps",
                    src.path,
                    p.id,
                    p.steps.len()
                )),
                Err(d) => failures.push(d),
            },
            FileKind::Theme => match Theme::parse(src, None) {
                Ok(t) => ok.push(format!("{}: theme `{}`", src.path, t.name)),
                Err(d) => failures.push(d),
            },
        }
    }
    // Built-in playbooks written for another kind of fleet are set aside, not errors.
    for src in &shipped {
        match playbook::parse(src, None) {
            Ok(p) => ok.push(match shipped_applicability(&src.path, &p, against) {
                None => format!("{}: playbook `{}`, {} steps", src.path, p.id, p.steps.len()),
                Some(n) => n.to_string(),
            }),
            Err(d) => failures.push(d),
        }
    }
    for line in &ok {
        println!("ok: {line}");
    }
    for d in &failures {
        eprintln!("{d}");
    }
    let total = ok.len() + failures.len();
    if against.is_none() && inventories.len() > 1 {
        println!(
            "note: several inventories given; playbook host/role/database references were not checked"
        );
    }
    if failures.is_empty() {
        println!("{total} files checked, all valid");
        0
    } else {
        eprintln!("{total} files checked, {} invalid", failures.len());
        EXIT_INVALID
    }
}
