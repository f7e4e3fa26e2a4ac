//! Where cockpit keeps things, following the XDG base directory spec.

use std::path::PathBuf;

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

fn xdg(var: &str, fallback: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home().join(fallback))
}

/// `$XDG_CONFIG_HOME/cockpit` (default `~/.config/cockpit`): inventory, playbooks, themes.
pub fn config_dir() -> PathBuf {
    xdg("XDG_CONFIG_HOME", ".config").join("cockpit")
}

/// `$XDG_STATE_HOME/cockpit` (default `~/.local/state/cockpit`): the journal and the log file.
pub fn state_dir() -> PathBuf {
    xdg("XDG_STATE_HOME", ".local/state").join("cockpit")
}

/// The default inventory file.
pub fn default_inventory() -> PathBuf {
    config_dir().join("inventory.toml")
}

/// The default journal file.
pub fn default_journal() -> PathBuf {
    state_dir().join("journal.db")
}

/// `$XDG_STATE_HOME/cockpit/sql-history`: the SQL console's statements, one file per database.
pub fn sql_history_dir() -> PathBuf {
    state_dir().join("sql-history")
}

/// The system-wide folder shared by everyone on a bastion, read after the user's own:
/// `/etc/cockpit`, or `$COCKPIT_SYSTEM_CONFIG_DIR` when that is an absolute path (for packagers
/// and tests, which cannot write to `/etc`).
pub fn system_config_dir() -> PathBuf {
    std::env::var_os("COCKPIT_SYSTEM_CONFIG_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| PathBuf::from("/etc/cockpit"))
}
