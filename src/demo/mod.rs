//! `cockpit demo`: a simulated fleet modelled on seed 001 — two nginx machines, the primary
//! and backup application servers, and the machine keeping SQL backups — on loopback, each
//! host with its own SSH server, health endpoint and growing log, plus a SQLite `speed`
//! database. It is reached through the same inventory, SSH transport, probes and tails as a
//! real fleet, and takes injected faults (drill mode).

mod fleet;
mod health;
mod host_metrics;
mod inventory;
mod logs;
mod process_group;
mod speed_db;
mod ssh_command;
mod ssh_handler;
mod ssh_keys;
mod ssh_server;

pub use fleet::{DEMO_HOSTS, DemoFleet, DemoHostSpec};
pub use inventory::{DemoHostPorts, inventory_toml};
pub use speed_db::create_speed_db;
pub use ssh_keys::{CLIENT_KEY_FILE, KNOWN_HOSTS_FILE};
