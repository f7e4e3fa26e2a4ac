//! Tests that need no server and no terminal: the app driven in process, the CLI, the journal
//! files, snapshots, corpora, layering. One binary for all of them, so the crate and its
//! dependencies are linked once (README, "Run the tests"); run one file with
//! `cargo test --test offline replay::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod adhoc_prompt;
mod app_flow;
mod cli_check;
mod cli_keys;
mod cli_report;
mod completions_man;
mod demo_world;
mod journal_export;
mod journal_resume;
mod journal_store;
mod journal_tamper;
mod keys_and_mouse;
mod layering;
mod line_splitter;
mod notify_flow;
mod palette;
mod pressure;
mod redaction_corpus;
mod replay;
mod report_golden;
mod roles;
mod schemas;
mod secret_prompt;
mod shared_view;
mod shell_cast_export;
mod shell_flow;
mod shell_quoting;
mod shell_random_templates;
mod shipped_playbooks;
mod team_flow;
mod ui_snapshots;
mod user_text;
