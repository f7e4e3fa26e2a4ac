//! `cockpit journal verify` and `cockpit journal export`.

mod export;
mod import;
mod output;
mod signatures;
mod verify;

use crate::cli::{Cli, JournalCommand, locate};

/// Runs a `cockpit journal` subcommand; returns the exit status.
pub fn run(cli: &Cli, command: &JournalCommand) -> i32 {
    let runtime = match crate::cli::journal_runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    match command {
        JournalCommand::Verify {
            file,
            expect_head,
            allowed_signers,
        } => verify::verify(
            &runtime,
            &locate(cli, file),
            expect_head.as_deref(),
            allowed_signers.as_deref(),
        ),
        JournalCommand::Export {
            file,
            format,
            output,
            force,
            incident,
            session,
        } => export::export(
            &runtime,
            &export::Request {
                file: &locate(cli, file),
                format: *format,
                output: output.as_deref(),
                force: *force,
                incident: incident.as_deref(),
                session: *session,
            },
        ),
        JournalCommand::Import { file, target } => {
            import::import(&runtime, file, &locate(cli, target))
        }
    }
}
