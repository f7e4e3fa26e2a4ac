//! Tests against real servers started on loopback: OpenSSH sshd (tests/support/sshd.rs),
//! MariaDB and PostgreSQL, private PostgreSQL clusters. One binary for all of them, so the
//! crate and its dependencies are linked once (README, "Run the tests"); run one file with
//! `cargo test --test servers ssh_fleet::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod adhoc;
mod demo_ssh;
mod diagnose_corpus;
mod exec_as;
mod host_exec;
mod hostile_store;
mod journal_signing;
mod notify_cli;
mod notify_email;
mod notify_http;
mod private_pg;
mod shared_claims;
mod shared_journal;
mod shared_sync;
mod shell_corpus;
mod sql_console;
mod sql_guard_corpus;
mod sql_servers;
mod sql_session;
mod sql_tunnel;
mod ssh_fleet;
mod ssh_harness;
mod ssh_jump_chain;
mod ssh_shell;
mod ssh_transport;
mod ssh_tunnel;
