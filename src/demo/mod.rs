//! `cockpit demo`: a simulated fleet modelled on seed 001 — two nginx machines, the primary
//! and backup application servers, and the machine keeping SQL backups — on loopback, each
//! host with its own SSH server, health endpoint and growing log, plus a SQLite `speed`
//! database. It is reached through the same inventory, SSH transport, probes and tails as a
//! real fleet, and takes injected faults (drill mode).
//!
//! Each host's folder is a small world where seed 001 §4.3's commands really work: the seed's
//! absolute paths (`/shell`, `/wwwroot`, `/etc/nginx`, `/var/log`) lead into it, it holds the
//! files the procedure reads and edits, and `mysql`, `systemctl`, `nginx` and `crontab` are
//! simulated by the cockpit binary (`cockpit demo-shim`, hidden), leaving traces in
//! [`STATE_FILE`] and the demo databases.

mod fleet;
mod health;
mod host_metrics;
mod hosts;
mod inventory;
mod logs;
mod mysql_dialect;
mod mysql_lexer;
mod process_group;
mod shim;
mod speed_db;
mod ssh_command;
mod ssh_handler;
mod ssh_keys;
mod ssh_server;
mod virtual_root;
mod world;

pub use fleet::{DemoFleet, DemoOptions};
pub use hosts::{DEMO_HOSTS, DemoHostSpec};
pub use inventory::{DemoHostPorts, inventory_toml};
pub use mysql_dialect::mysql_to_sqlite;
pub use shim::{STATE_FILE, run_shim};
pub use speed_db::create_speed_db;
pub use ssh_keys::{CLIENT_KEY_FILE, KNOWN_HOSTS_FILE};
pub use virtual_root::{MAPPED_PREFIXES, map_command};
