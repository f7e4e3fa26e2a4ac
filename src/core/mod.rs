//! Pure domain: inventory, playbooks, incident state, journal entries and their hash chain,
//! health state, redaction. No UI, no I/O crates — a test keeps it that way.

pub mod choices;
pub mod diagnose;
pub mod diagnostic;
pub mod drill;
pub mod export;
pub mod first_inventory;
pub mod head_seal;
pub mod health;
pub mod incident;
pub mod inventory;
pub mod journal;
pub mod keys;
pub mod metrics;
pub mod notice_routes;
pub mod notify;
pub mod operator;
pub mod playbook;
pub mod redact;
pub mod replay;
pub mod report;
pub mod role;
pub mod run;
pub mod schema;
pub mod secret;
pub mod settings;
pub mod severity;
pub mod shared_chain;
pub mod shell;
pub mod sql;
pub mod team;
pub mod template;
pub mod terminal_text;
pub mod toml_string;
