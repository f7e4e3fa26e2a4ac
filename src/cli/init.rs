//! `cockpit init`: writes a first, commented inventory offering the `Host` entries of
//! `~/.ssh/config`, never over an existing file unless `--force`, then says what to run next.

use crate::cli::{Cli, EXIT_INVALID, config_files};
use crate::core::diagnostic::SourceFile;
use crate::core::first_inventory::{Offered, SCHEMA_FILE, comment_text, inventory_text, judge};
use crate::core::inventory;
use crate::core::schema::inventory_schema_json;
use crate::core::template::shell_quote;
use crate::io::ssh::{home, host_patterns, load_ssh_config};
use ssh2_config::SshConfig;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The "Examples:" block at the end of `cockpit init --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  cockpit init                 Write ~/.config/cockpit/inventory.toml from your ~/.ssh/config
  cockpit init --force         Replace the inventory that is there with a new one
  cockpit --config ./ops init  Write ./ops/inventory.toml instead";

/// Skipped patterns listed by name before the rest are only counted.
const SKIPS_SHOWN: usize = 10;

/// Runs `cockpit init`; 0 when the inventory was written, 2 when one is already there (and
/// `--force` not given), 1 when it could not be written.
pub fn run(cli: &Cli, force: bool) -> i32 {
    let target = target_path(cli);
    if !force && std::fs::symlink_metadata(&target).is_ok() {
        eprintln!(
            "error: {} already exists; it was left as it is.\n  \
             `cockpit check` validates it; `cockpit init --force` replaces it with a new one",
            target.display()
        );
        return EXIT_INVALID;
    }
    let ssh_path = home().join(".ssh").join("config");
    let shown = shown_path(&ssh_path);
    let (hosts, skipped) = match load_ssh_config(&ssh_path) {
        Ok(Some(config)) => {
            let (hosts, mut skipped) = offered_hosts(&config);
            let hosts = followable(hosts, &config, &mut skipped);
            (hosts, skipped)
        }
        Ok(None) => (Vec::new(), Vec::new()),
        Err(e) => {
            eprintln!(
                "warning: cannot read {shown}, so no host is offered from it: {}",
                comment_text(&e, 300)
            );
            (Vec::new(), Vec::new())
        }
    };
    let text = inventory_text(&hosts, &shown);
    // What is written must pass `cockpit check`: a file that does not is never written.
    if let Err(d) = inventory::parse(&SourceFile::new(target.display().to_string(), &*text)) {
        eprintln!(
            "{d}\nerror: the inventory cockpit init made is invalid (a bug: please report it)"
        );
        return 1;
    }
    if let Err(e) = write_atomically(&target, text.as_bytes(), force) {
        eprintln!("error: cannot write {}: {e}", target.display());
        return if e.kind() == std::io::ErrorKind::AlreadyExists {
            EXIT_INVALID
        } else {
            1
        };
    }
    let schema = target
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(SCHEMA_FILE);
    let written = schema
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| write_atomically(&schema, inventory_schema_json().as_bytes(), true));
    if let Err(e) = written {
        eprintln!(
            "warning: cannot write {} (editors use it to complete the inventory): {e}",
            schema.display()
        );
    }
    report(cli, &target, &shown, &hosts, &skipped);
    0
}

/// Where the inventory goes: `--config` (a folder, or a path ending in `/` or without a
/// `.toml` extension, gets `inventory.toml` inside it), else the user's config folder.
fn target_path(cli: &Cli) -> PathBuf {
    match &cli.config {
        Some(p) => {
            let folder = p.is_dir()
                || p.as_os_str().as_encoded_bytes().ends_with(b"/")
                || !(p.extension().is_some_and(|e| e == "toml") || p.exists());
            if folder {
                p.join("inventory.toml")
            } else {
                p.clone()
            }
        }
        None => config_files(None).user_inventory(),
    }
}

/// `~/…` for a path under the home folder, as the operator thinks of it.
fn shown_path(path: &Path) -> String {
    match path.strip_prefix(home()) {
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

/// The hosts offered from an ssh config, and the patterns skipped with why.
fn offered_hosts(config: &SshConfig) -> (Vec<Offered>, Vec<(String, String)>) {
    let mut hosts: Vec<Offered> = Vec::new();
    let mut skipped = Vec::new();
    for (pattern, negated) in host_patterns(config) {
        match judge(&pattern, negated, &hosts) {
            Ok(name) => {
                let summary = summary(config, &pattern);
                hosts.push(Offered {
                    alias: pattern,
                    name,
                    summary,
                });
            }
            // `*` (also the parser's own catch-all for options before the first `Host` line)
            // is never a host: not worth a word.
            Err(_) if pattern == "*" => {}
            Err(why) => skipped.push((pattern, why.reason().to_string())),
        }
    }
    (hosts, skipped)
}

/// The offered hosts whose ProxyJump cockpit can follow; the others (a hop that does not
/// parse, a loop, too many hops: `cockpit check` would refuse them) are skipped with why.
fn followable(
    hosts: Vec<Offered>,
    config: &SshConfig,
    skipped: &mut Vec<(String, String)>,
) -> Vec<Offered> {
    let text = inventory_text(&hosts, "");
    let Ok(inv) = inventory::parse(&SourceFile::new("init", text)) else {
        return hosts;
    };
    let refused: Vec<(String, String)> = inv
        .hosts
        .iter()
        .filter_map(|h| {
            let why = crate::io::ssh::resolve(h, &inv.settings, Some(config)).err()?;
            Some((h.name.clone(), why))
        })
        .collect();
    let mut kept = Vec::new();
    for host in hosts {
        match refused.iter().find(|(name, _)| *name == host.name) {
            Some((_, why)) => skipped.push((host.alias, comment_text(why, 200))),
            None => kept.push(host),
        }
    }
    kept
}

/// What the ssh config says about an alias: `10.0.0.5, user deploy, port 2222, via bastion`.
fn summary(config: &SshConfig, alias: &str) -> String {
    let params = config.query(alias);
    let mut parts = Vec::new();
    if let Some(name) = params
        .host_name
        .map(|n| n.replace("%h", alias))
        .filter(|n| n != alias)
    {
        parts.push(name);
    }
    if let Some(user) = params.user {
        parts.push(format!("user {user}"));
    }
    if let Some(port) = params.port.filter(|p| *p != 22) {
        parts.push(format!("port {port}"));
    }
    if let Some(jump) = params
        .proxy_jump
        .filter(|j| !j.is_empty() && j[0] != "none")
    {
        parts.push(format!("via {}", jump.join(",")));
    }
    parts.join(", ")
}

/// Writes `bytes` to a temporary file (mode 0600) next to `target`, then renames it into place:
/// a reader never sees half a file, and a failure leaves the target as it was. Without `force`
/// the rename refuses to replace a file that appeared meanwhile.
fn write_atomically(target: &Path, bytes: &[u8], force: bool) -> std::io::Result<()> {
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".inventory-")
        .suffix(".toml.tmp")
        .tempfile_in(folder)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    if force {
        temp.persist(target).map_err(|e| e.error)?;
    } else {
        temp.persist_noclobber(target).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Says what was written and what to run next.
fn report(
    cli: &Cli,
    target: &Path,
    ssh_shown: &str,
    hosts: &[Offered],
    skipped: &[(String, String)],
) {
    match hosts.len() {
        0 => println!(
            "wrote {}: no host found in {ssh_shown}; it holds a commented example host to copy",
            target.display()
        ),
        n => println!(
            "wrote {}: {n} host{} from {ssh_shown}; give each its role there",
            target.display(),
            if n == 1 { "" } else { "s" }
        ),
    }
    for (pattern, why) in skipped.iter().take(SKIPS_SHOWN) {
        println!("  skipped Host {:?}: {why}", comment_text(pattern, 60));
    }
    if skipped.len() > SKIPS_SHOWN {
        println!(
            "  and {} more Host patterns skipped",
            skipped.len() - SKIPS_SHOWN
        );
    }
    let shared = config_files(None).system_dir.join("inventory.toml");
    if cli.config.is_none() && shared.exists() {
        println!(
            "note: it takes the place of the system-wide {} for you",
            shared.display()
        );
    }
    // `--config` given on the command line must be given again; COCKPIT_CONFIG stays set.
    let flag = match &cli.config {
        Some(p) if std::env::var_os("COCKPIT_CONFIG").as_deref() != Some(p.as_os_str()) => {
            format!(" --config {}", shell_quote(&target.display().to_string()))
        }
        _ => String::new(),
    };
    println!("next:");
    println!("  cockpit{flag} check    validates it");
    println!("  cockpit{flag}          opens the cockpit on it");
}
