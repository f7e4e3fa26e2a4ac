//! End-to-end tests: the real `cockpit` binary in a real terminal (tmux), driven by keys and
//! read back from the screen and the journal it leaves. One binary for all of them, so the
//! crate and its dependencies are linked once (README, "Run the tests"); run one file with
//! `cargo test --test e2e e2e_tmux::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod bounded_input;
mod cli_init;
mod crash_trials;
mod e2e_adhoc;
mod e2e_demo_drill;
mod e2e_keys_mouse;
mod e2e_notify;
mod e2e_palette;
mod e2e_panic;
mod e2e_pictures;
mod e2e_playbook_run;
mod e2e_redaction;
mod e2e_replay;
mod e2e_roles;
mod e2e_shared_live;
mod e2e_shell;
mod e2e_shell_cast;
mod e2e_sql_console;
mod e2e_ssh_access;
mod e2e_team;
mod e2e_tmux;
mod journal_lock;
mod journal_resume;
mod log_rotation;
