//! Adapters that talk to the world: journal store, config files, health probes, log tails,
//! the operator's identity. No UI crates here.

pub mod bounded_read;
pub mod catalog;
pub mod config_files;
pub mod fleet;
pub mod head_sign;
pub mod host_exec;
pub mod identity;
pub mod journal_lock;
pub mod journal_store;
pub mod notify;
pub mod paths;
pub mod probe;
pub mod resume_point;
pub mod secret_source;
pub mod shared;
pub mod shell;
pub mod sql;
pub mod ssh;
pub mod tail;
