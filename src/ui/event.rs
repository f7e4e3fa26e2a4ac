//! The one event type the UI loop handles: input, time, and reports from workers.

use crate::core::journal::Entry;
use crate::core::team::{Claim, Present};
use crate::io::fleet::FleetEvent;
use crate::io::shared::SyncReport;
use crate::io::sql::{RowBatch, SqlFailure, StatementDone};
use crate::io::ssh::{ExecOutput, HostKeyOffer};
use crate::ui::action::Action;
use crossterm::event::KeyEvent;

/// Something that happened, for `App` to react to.
#[derive(Debug, Clone)]
pub enum Event {
    /// A key press.
    Key(KeyEvent),
    /// A click or a turn of the wheel (only while the mouse is captured), as the action it
    /// means on the screen it was made on ([`crate::ui::mouse::action_for`]).
    Mouse(Action),
    /// Text pasted into the terminal (bracketed paste): it goes to the text field or editor
    /// that has focus, never to key bindings.
    Paste(String),
    /// The terminal changed size.
    Resize,
    /// A second passed (clocks move).
    Tick,
    /// An attempt at sending a notification came back: the platform's answer, or why not.
    Notified {
        /// The notification.
        id: String,
        /// Which attempt, from 1.
        attempt: u32,
        /// The platform's answer (secrets masked), or why it was not delivered.
        result: Result<String, String>,
    },
    /// The fleet worker reported.
    Fleet(FleetEvent),
    /// The journal stored an entry.
    Journaled(Entry),
    /// A host's diagnose bundle finished: its report, or why it could not run.
    Diagnosed {
        /// The host.
        host: String,
        /// The report text, or the reason it failed.
        result: Result<String, String>,
    },
    /// A trusted host key was written to known_hosts, or why not.
    HostKeyTrusted {
        /// The inventory host.
        host: String,
        /// The key.
        offer: HostKeyOffer,
        /// Done, or the reason it was not.
        result: Result<(), String>,
    },
    /// Output of a running step's command, as it arrives.
    StepProgress {
        /// The host.
        host: String,
        /// A piece of its output.
        text: String,
    },
    /// A step's command ended on a host (or could not run there).
    StepExecuted {
        /// The host.
        host: String,
        /// Its output and status, or why it did not run.
        result: Result<ExecOutput, String>,
    },
    /// Output of a running off-script command, as it arrives.
    AdhocProgress {
        /// The host.
        host: String,
        /// A piece of its output.
        text: String,
    },
    /// An off-script command ended on a host (or could not run there).
    AdhocExecuted {
        /// The host.
        host: String,
        /// Its output and status, or why it did not run.
        result: Result<ExecOutput, String>,
    },
    /// The interactive shell recorded more, or ended (the terminal is the cockpit's again).
    Shell(crate::io::shell::ShellReport),
    /// Columns or rows of a running statement.
    SqlRows {
        /// The database.
        database: String,
        /// The console's number for the statement.
        run: u64,
        /// What arrived.
        batch: RowBatch,
    },
    /// A statement ended (after all its rows were reported).
    SqlDone {
        /// The database.
        database: String,
        /// The console's number for the statement.
        run: u64,
        /// What it did, or why it failed.
        result: Result<StatementDone, SqlFailure>,
    },
    /// A database's open transaction was committed or rolled back.
    SqlFinished {
        /// The database.
        database: String,
        /// Committed (else rolled back).
        committed: bool,
        /// Done, or why not.
        result: Result<(), String>,
    },
    /// A CSV export ended.
    CsvExported {
        /// The file.
        path: std::path::PathBuf,
        /// Every row of the statement had arrived when it started.
        complete: bool,
        /// Rows written, or what went wrong (naming the file).
        result: Result<u64, String>,
    },
    /// The answer to a step's claim: granted, held by someone else, or the store's error.
    Claimed {
        /// The incident.
        incident: String,
        /// The step.
        step: String,
        /// The claim's answer, or why the store could not answer.
        result: Result<Claim, String>,
    },
    /// The answer to a renewal of the running step's claim: still ours, lost, or the
    /// store's error.
    ClaimRenewed {
        /// The incident.
        incident: String,
        /// The step.
        step: String,
        /// Still held, or why the store could not answer.
        result: Result<bool, String>,
    },
    /// Who is on the shared store now (every heartbeat, and when someone comes or goes).
    Presence(Vec<Present>),
    /// The shared journal link reported: its status, or the team's entries.
    Shared(SyncReport),
    /// The journal failed to store a record.
    JournalFailed(String),
    /// The journal's chain is broken before the entry the session resumed from (found by the
    /// writer's check after the first frame): nothing is written to it, and cockpit stops.
    JournalBroken(String),
    /// The journal writer verified the journal (the entries before the resume point the
    /// session started from) and may store records now; with the fold of every entry when the
    /// resume point's did not match it (the session shows that one instead).
    JournalConfirmed(Option<Box<crate::core::incident::Workspace>>),
    /// cockpit must stop: a signal, or the terminal went away.
    Shutdown(String),
}
