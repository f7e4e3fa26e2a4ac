//! `cockpit demo`: a simulated fleet modelled on seed 001 — two nginx machines, the primary
//! and backup application servers, and the machine keeping SQL backups — on loopback, with
//! growing logs, health endpoints and a SQLite `speed` database. It is reached through the
//! same inventory, probes and tails as a real fleet, and takes injected faults (drill mode).

mod fleet;
mod inventory;
mod logs;
mod speed_db;

pub use fleet::{DEMO_HOSTS, DemoFleet, DemoHostSpec};
pub use inventory::inventory_toml;
pub use speed_db::create_speed_db;
