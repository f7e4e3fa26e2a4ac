//! Work `App::update` asks the runtime to do; results come back as events.

use crate::core::journal::Record;
use crate::core::secret::Secret;
use crate::io::sql::{SpoolExport, SqlStatement};
use crate::io::ssh::HostKeyOffer;
use std::path::PathBuf;

/// A request from the app state to the outside world.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Append to the journal; the app changes when the entry comes back.
    Journal(Record),
    /// Drill only: run the clock this far (ms) ahead of the wall clock from now on.
    SetDrillClock {
        /// How far ahead, in all (not a step).
        offset_ms: i64,
    },
    /// Send a queued notification through its channel (one attempt); the answer comes back as
    /// [`crate::ui::event::Event::Notified`].
    Notify {
        /// The notification.
        id: String,
        /// The channel's name.
        channel: String,
        /// What it says.
        notice: crate::core::notify::Notice,
        /// Which attempt, from 1.
        attempt: u32,
    },
    /// Inject a drill fault into a host of the demo fleet.
    InjectFault(String),
    /// Clear a drill fault.
    ClearFault(String),
    /// Run the read-only diagnose bundle on a host; the report comes back as an event.
    Diagnose {
        /// The host.
        host: String,
        /// The bundle: one read-only shell command (`core::diagnose::diagnose_command`).
        bundle: String,
    },
    /// Record a host key the operator trusted in known_hosts, then reconnect the host.
    TrustHostKey {
        /// The inventory host.
        host: String,
        /// The key, as offered.
        offer: HostKeyOffer,
    },
    /// Hand a key passphrase to the fleet (memory only) so waiting hosts retry.
    SupplyPassphrase {
        /// The key file.
        key: PathBuf,
        /// What the operator typed.
        passphrase: Secret,
    },
    /// Run a playbook step's command on a host, reporting output as it arrives.
    RunOnHost {
        /// The host.
        host: String,
        /// The command (holds real secret values: never log it).
        command: String,
        /// Its time limit.
        timeout: std::time::Duration,
    },
    /// Run an off-script command on a host, reporting output as it arrives.
    RunAdhoc {
        /// The host.
        host: String,
        /// The command as typed (may hold secrets: never log it).
        command: String,
        /// Its time limit.
        timeout: std::time::Duration,
    },
    /// Open an interactive shell on a host; the cockpit steps aside while it runs. Sent once
    /// its `shell_started` record is stored.
    OpenShell {
        /// The host.
        host: String,
        /// The shell's number.
        session: u64,
        /// The terminal type (`TERM`).
        term: String,
        /// The terminal's size, columns and rows.
        size: (u16, u16),
    },
    /// End the running shell (the terminal comes back), saying why.
    StopShell {
        /// The shell's number.
        session: u64,
        /// Why, as its end will say.
        reason: String,
    },
    /// Run a statement of the SQL console; rows and its end come back as events.
    RunStatement {
        /// The inventory database.
        database: String,
        /// The console's number for it.
        run: u64,
        /// What to run (holds real parameter values: never log it).
        statement: SqlStatement,
    },
    /// Ask the server to cancel the statement running on a database.
    CancelSql {
        /// The inventory database.
        database: String,
    },
    /// Commit or roll back the open transaction of a database.
    FinishSql {
        /// The inventory database.
        database: String,
        /// Commit (else roll back).
        commit: bool,
    },
    /// Write a result's rows as CSV to a file, off the UI task; the end comes back as an
    /// event.
    ExportCsv {
        /// The file.
        path: PathBuf,
        /// The rows (what the grid held when the operator asked).
        rows: SpoolExport,
        /// Every row of the statement had arrived.
        complete: bool,
    },
    /// Claim a step on the shared journal before running it; the answer comes back as
    /// `Event::Claimed` (an error, after at most ~2 s, when the store is offline).
    ClaimStep {
        /// The incident.
        incident: String,
        /// The step.
        step: String,
    },
    /// Extend the running step's claim; the answer comes back as `Event::ClaimRenewed`.
    RenewClaim {
        /// The incident.
        incident: String,
        /// The step.
        step: String,
    },
    /// Give a step's claim back (its run is over); nothing comes back.
    ReleaseClaim {
        /// The incident.
        incident: String,
        /// The step.
        step: String,
    },
    /// Stop cockpit (after journaling the end of the session).
    Quit(String),
}
