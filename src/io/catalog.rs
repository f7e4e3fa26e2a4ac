//! Loading the user's files: the inventory, and playbooks (shipped ones plus the user's own).

use crate::core::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::core::inventory::{self, Inventory};
use crate::core::playbook::{self, Playbook};
use crate::embedded::SHIPPED_PLAYBOOKS;
use crate::io::bounded_read::{Kind, ReadError, read_bytes};
use crate::io::config_files::{Folder, layered_files};
use std::path::Path;

/// Reads a TOML file for parsing (a regular file of at most 4 MiB); a missing, unreadable,
/// special or oversize file becomes a located diagnostic.
pub fn read_source(path: &Path) -> Result<SourceFile, Diagnostics> {
    let name = path.display().to_string();
    match read_bytes(path, Kind::Toml) {
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
            message: match e {
                ReadError::Io { source, .. } => format!("cannot read file: {source}"),
                other => other.reason(),
            },
            expected: None,
        }
        .into()),
    }
}

/// Reads and validates an inventory file.
pub fn load_inventory(path: &Path) -> Result<Inventory, Diagnostics> {
    inventory::parse(&read_source(path)?)
}

/// A shipped playbook set aside because the operator's fleet lacks what it refers to (a seed's
/// fleet other than theirs): not an error, just not offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplicable {
    /// Where it came from, e.g. `playbooks/rabbitmq-node-down.toml`.
    pub path: String,
    /// Its id.
    pub id: String,
    /// What the fleet lacks, e.g. "no host has role `rabbitmq`".
    pub missing: Vec<String>,
}

impl std::fmt::Display for NotApplicable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: playbook `{}` not applicable to this fleet: {}",
            self.path,
            self.id,
            self.missing.join("; ")
        )
    }
}

/// What loading the playbooks found.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Playbooks the operator can use.
    pub playbooks: Vec<Playbook>,
    /// Invalid files: every user playbook with a problem (references to hosts, roles or
    /// databases the inventory lacks included), and shipped ones that do not parse.
    pub problems: Vec<Diagnostics>,
    /// Shipped playbooks written for another kind of fleet, set aside.
    pub not_applicable: Vec<NotApplicable>,
}

impl Catalog {
    /// Adds a playbook, replacing one with the same id.
    fn add(&mut self, p: Playbook) {
        self.playbooks.retain(|q| q.id != p.id);
        self.playbooks.push(p);
    }
}

/// Whether a valid shipped playbook fits the fleet: `None` when it does (or when there is no
/// inventory to judge by), what it lacks otherwise.
pub fn shipped_applicability(
    path: &str,
    playbook: &Playbook,
    inventory: Option<&Inventory>,
) -> Option<NotApplicable> {
    let missing = playbook.missing_references(inventory?);
    (!missing.is_empty()).then(|| NotApplicable {
        path: path.to_string(),
        id: playbook.id.clone(),
        missing,
    })
}

/// Playbooks available to the operator: the shipped ones, then every `*.toml` of `user_dir`
/// (a user playbook with the same id replaces the shipped one). Invalid files are reported,
/// not fatal: the rest stay usable. Shipped playbooks are checked for structure only, then set
/// aside when they name hosts, roles or databases the inventory lacks; the user's own are
/// checked strictly against the inventory.
pub fn load_catalog(user_dir: Option<&Path>, inventory: Option<&Inventory>) -> Catalog {
    let folders: Vec<Folder> = user_dir
        .map(|d| Folder {
            path: d.to_path_buf(),
            system: false,
        })
        .into_iter()
        .collect();
    load_catalog_from(&folders, inventory)
}

/// Like [`load_catalog`] over several playbook folders, highest precedence first (the user's,
/// then the system-wide one): the shipped playbooks, then the system-wide ones (offered like
/// the shipped ones: set aside when this fleet lacks what they name), then the user's own; a
/// later one replaces an earlier one with the same id, and a user's file replaces the
/// system-wide file of the same name.
pub fn load_catalog_from(folders: &[Folder], inventory: Option<&Inventory>) -> Catalog {
    let mut catalog = Catalog::default();
    for (name, text) in SHIPPED_PLAYBOOKS {
        match playbook::parse(&SourceFile::new(*name, *text), None) {
            Ok(p) => match shipped_applicability(name, &p, inventory) {
                None => catalog.add(p),
                Some(n) => catalog.not_applicable.push(n),
            },
            Err(d) => catalog.problems.push(d),
        }
    }
    let files = layered_files(folders);
    for (path, folder) in files.iter().rev() {
        let parsed = read_source(path).and_then(|src| {
            let strict = if folder.system { None } else { inventory };
            playbook::parse(&src, strict).map(|p| (src.path, p))
        });
        match parsed {
            Ok((shown, p)) => {
                catalog.not_applicable.retain(|n| n.id != p.id);
                match folder
                    .system
                    .then(|| shipped_applicability(&shown, &p, inventory))
                    .flatten()
                {
                    Some(n) => catalog.not_applicable.push(n),
                    None => catalog.add(p),
                }
            }
            Err(d) => catalog.problems.push(d),
        }
    }
    catalog
}

/// [`load_catalog`] without the set-aside list: the usable playbooks and the invalid files.
pub fn load_playbooks(
    user_dir: Option<&Path>,
    inventory: Option<&Inventory>,
) -> (Vec<Playbook>, Vec<Diagnostics>) {
    let catalog = load_catalog(user_dir, inventory);
    (catalog.playbooks, catalog.problems)
}
