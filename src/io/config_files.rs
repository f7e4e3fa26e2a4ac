//! Which configuration files cockpit reads: the user's own folder first
//! (`$XDG_CONFIG_HOME/cockpit`, or `--config`), then the system-wide folder (`/etc/cockpit`)
//! that a shared bastion's administrator fills for everyone. The user's inventory wins; without
//! one, the system-wide inventory is used. Playbooks and themes come from both folders, a
//! user's file replacing the system-wide file of the same name (and a playbook the one with the
//! same id).

use crate::io::paths;
use std::path::{Path, PathBuf};

/// Where the inventory in use was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryOrigin {
    /// Named by `--config` (or `COCKPIT_CONFIG`).
    Given,
    /// The user's own config folder.
    User,
    /// The system-wide folder, because the user has no inventory.
    System,
    /// Nowhere: neither the user nor the system folder holds one (the path is the user's).
    Missing,
}

/// A folder of playbooks or themes, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// The folder.
    pub path: PathBuf,
    /// The system-wide folder: its playbooks are offered like the built-in ones (set aside,
    /// not errors, when they name hosts or roles this inventory lacks).
    pub system: bool,
}

/// The files cockpit reads for a session or a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFiles {
    /// The inventory file in use (the user's own path when there is none anywhere).
    pub inventory: PathBuf,
    /// Where it was found.
    pub origin: InventoryOrigin,
    /// The user's config folder (the inventory's folder when `--config` names a file).
    pub user_dir: PathBuf,
    /// The system-wide folder (`/etc/cockpit`, or `$COCKPIT_SYSTEM_CONFIG_DIR`).
    pub system_dir: PathBuf,
}

impl ConfigFiles {
    /// Finds the files for `config` (`--config`: an inventory file or a folder holding
    /// `inventory.toml`), else the user's config folder, falling back to the system-wide one.
    pub fn locate(config: Option<&Path>) -> Self {
        let system_dir = paths::system_config_dir();
        match config {
            Some(p) if p.is_dir() => Self {
                inventory: p.join("inventory.toml"),
                origin: InventoryOrigin::Given,
                user_dir: p.to_path_buf(),
                system_dir,
            },
            Some(p) => Self {
                inventory: p.to_path_buf(),
                origin: InventoryOrigin::Given,
                user_dir: p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
                system_dir,
            },
            None => {
                let user_dir = paths::config_dir();
                let mine = user_dir.join("inventory.toml");
                let shared = system_dir.join("inventory.toml");
                let (inventory, origin) = if exists(&mine) {
                    (mine, InventoryOrigin::User)
                } else if exists(&shared) {
                    (shared, InventoryOrigin::System)
                } else {
                    (mine, InventoryOrigin::Missing)
                };
                Self {
                    inventory,
                    origin,
                    user_dir,
                    system_dir,
                }
            }
        }
    }

    /// The user's own inventory path (where `cockpit init` writes), whichever is in use.
    pub fn user_inventory(&self) -> PathBuf {
        match self.origin {
            InventoryOrigin::Given => self.inventory.clone(),
            _ => self.user_dir.join("inventory.toml"),
        }
    }

    /// The config folders, the user's first; the system-wide one only when it is another.
    pub fn folders(&self) -> Vec<Folder> {
        let mut out = vec![Folder {
            path: self.user_dir.clone(),
            system: false,
        }];
        if !same_folder(&self.user_dir, &self.system_dir) {
            out.push(Folder {
                path: self.system_dir.clone(),
                system: true,
            });
        }
        out
    }

    /// The `playbooks/` folders, the user's first.
    pub fn playbook_folders(&self) -> Vec<Folder> {
        self.sub_folders("playbooks")
    }

    /// The `themes/` folders, the user's first.
    pub fn theme_folders(&self) -> Vec<Folder> {
        self.sub_folders("themes")
    }

    /// The themes folder to load theme `name` from: the first that holds `NAME.toml`, else
    /// the user's (where a built-in theme is looked up in vain, harmlessly).
    pub fn theme_dir(&self, name: &str) -> PathBuf {
        let folders = self.theme_folders();
        folders
            .iter()
            .find(|f| f.path.join(format!("{name}.toml")).exists())
            .or(folders.first())
            .map_or_else(|| self.user_dir.join("themes"), |f| f.path.clone())
    }

    fn sub_folders(&self, sub: &str) -> Vec<Folder> {
        self.folders()
            .into_iter()
            .map(|f| Folder {
                path: f.path.join(sub),
                system: f.system,
            })
            .collect()
    }
}

/// Whether the path names something (a dangling symlink or a FIFO included: it is then
/// reported when read, rather than silently replaced by the system-wide file).
fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Whether two paths are the same folder (by their canonical form when both exist).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Of several folders (highest precedence first), each `*.toml` file to read, with its
/// folder, highest precedence first: a file whose name a folder of higher precedence also
/// holds is left out (the user's `playbooks/x.toml` replaces the system-wide `x.toml`).
pub fn layered_files(folders: &[Folder]) -> Vec<(PathBuf, Folder)> {
    let mut files: Vec<(PathBuf, Folder)> = Vec::new();
    for folder in folders {
        for path in toml_files(&folder.path) {
            let replaced = files.iter().any(|(p, _)| p.file_name() == path.file_name());
            if !replaced {
                files.push((path, folder.clone()));
            }
        }
    }
    files
}

/// `*.toml` files directly in a folder, sorted; none when it does not exist.
pub fn toml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                // Anything but a folder: a FIFO or device named `*.toml` is reported, not
                // skipped in silence.
                .filter(|p| p.extension().is_some_and(|e| e == "toml") && !p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(user: &Path, system: &Path) -> ConfigFiles {
        ConfigFiles {
            inventory: user.join("inventory.toml"),
            origin: InventoryOrigin::User,
            user_dir: user.to_path_buf(),
            system_dir: system.to_path_buf(),
        }
    }

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, "").expect("write");
    }

    #[test]
    fn a_theme_is_taken_from_the_first_folder_holding_it() {
        let dir = tempfile::tempdir().expect("temp");
        let (user, system) = (dir.path().join("user"), dir.path().join("etc"));
        let config = files(&user, &system);
        touch(&system.join("themes/team.toml"));
        assert_eq!(config.theme_dir("team"), system.join("themes"));
        assert_eq!(config.theme_dir("dark"), user.join("themes"));
        touch(&user.join("themes/team.toml"));
        assert_eq!(config.theme_dir("team"), user.join("themes"));
    }

    #[test]
    fn the_system_folder_is_read_once_and_after_the_users() {
        let dir = tempfile::tempdir().expect("temp");
        let (user, system) = (dir.path().join("user"), dir.path().join("etc"));
        let config = files(&user, &system);
        let folders: Vec<(PathBuf, bool)> = config
            .playbook_folders()
            .into_iter()
            .map(|f| (f.path, f.system))
            .collect();
        assert_eq!(
            folders,
            vec![
                (user.join("playbooks"), false),
                (system.join("playbooks"), true)
            ]
        );
        std::fs::create_dir_all(&user).expect("folder");
        let same = files(&user, &dir.path().join("user/../user"));
        assert_eq!(same.folders().len(), 1);
    }

    #[test]
    fn a_users_file_hides_the_system_file_of_the_same_name() {
        let dir = tempfile::tempdir().expect("temp");
        let (user, system) = (dir.path().join("user"), dir.path().join("etc"));
        for p in ["user/a.toml", "etc/a.toml", "etc/b.toml"] {
            touch(&dir.path().join(p));
        }
        let folders = [
            Folder {
                path: user.clone(),
                system: false,
            },
            Folder {
                path: system.clone(),
                system: true,
            },
        ];
        let found: Vec<PathBuf> = layered_files(&folders)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(found, vec![user.join("a.toml"), system.join("b.toml")]);
    }
}
