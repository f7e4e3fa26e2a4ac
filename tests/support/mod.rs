//! Fixtures shared by the test binaries (`tests/e2e`, `tests/servers`, `tests/offline`): each
//! binary's `main.rs` includes this module once, and its test modules `use crate::support::X`.

pub mod app_driver;
pub mod console;
pub mod dbservers;
pub mod headless;
pub mod journal_files;
pub mod log_lines;
pub mod notify_receivers;
pub mod ns_host;
pub mod private_pg;
pub mod real_fleet;
pub mod redaction;
pub mod runtime;
pub mod speed_servers;
pub mod speed_sqlite;
pub mod ssh_agent;
pub mod sshd;
pub mod sync_peer;
pub mod tmux;
pub mod tunnel_fleet;
