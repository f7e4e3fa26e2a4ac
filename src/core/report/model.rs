//! What a post-mortem says about one incident, as data: built from the journal by
//! [`crate::core::report::build`], written out by the Markdown and HTML renderers.

use crate::core::health::HostState;
use crate::core::incident::Incident;
use crate::core::journal::{Integrity, Record};
use crate::core::report::phases::Phases;
use crate::core::severity::Severity;

/// The post-mortem of one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The journal's name as shown (its file name).
    pub source: String,
    /// How far the journal verified.
    pub journal: JournalState,
    /// The incident as the journal folds it (steps, notes, pins, variables, final severity…).
    pub incident: Incident,
    /// Ids of the journal's other incidents.
    pub other_incidents: Vec<String>,
    /// Severity when the incident opened.
    pub initial_severity: Severity,
    /// Every severity change, in order.
    pub severity_changes: Vec<SeverityChange>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When each phase began.
    pub phases: Phases,
    /// The time targets and how the incident did against them.
    pub targets: Vec<TargetCheck>,
    /// Hosts the incident touched: unhealthy at opening, changed state, or acted on.
    pub hosts: Vec<HostInvolvement>,
    /// Hosts up at opening and otherwise not involved.
    pub uninvolved_hosts: usize,
    /// Databases steps or SQL statements were run against.
    pub databases: Vec<String>,
    /// Everyone with an entry in the incident, with how many.
    pub participants: Vec<(String, usize)>,
    /// Step runs, in the order they started.
    pub runs: Vec<StepRun>,
    /// SQL statements, in the order they were sent.
    pub statements: Vec<SqlStatement>,
    /// Ends of SQL transactions.
    pub transactions: Vec<TransactionEnd>,
    /// Refusals: guarded steps not confirmed, SQL statements refused.
    pub refusals: Vec<Refusal>,
    /// Off-script commands, in the order they were run.
    pub adhoc: Vec<AdhocCommand>,
    /// Interactive shells opened during the incident, in the order they opened.
    pub shells: Vec<ShellSession>,
    /// Notifications cockpit queued about the incident, in the order queued, with what
    /// became of each.
    pub notifications: Vec<Notification>,
    /// The timeline, one row per event that matters.
    pub timeline: Vec<TimelineRow>,
    /// The time of the journal's last entry (what "still open" is measured to).
    pub journal_end_ms: i64,
}

/// The state of the journal the report was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalState {
    /// How the chain ended.
    pub integrity: Integrity,
    /// Entries that verify (the report uses only these).
    pub verified: usize,
    /// Entries stored.
    pub stored: usize,
    /// Hash of the last verified entry.
    pub head: String,
}

/// A severity change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityChange {
    /// When (unix ms).
    pub at_ms: i64,
    /// Who.
    pub by: String,
    /// Before.
    pub from: Severity,
    /// After.
    pub to: Severity,
}

/// A time target and the incident's result against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetCheck {
    /// What the target is, e.g. `RTO (playbook)`.
    pub name: String,
    /// The limit (ms).
    pub limit_ms: i64,
    /// The result.
    pub outcome: TargetOutcome,
}

/// How an incident did against a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetOutcome {
    /// Resolved in `took_ms`, within the limit.
    Met {
        /// Time taken (ms).
        took_ms: i64,
    },
    /// Resolved in `took_ms`, over the limit.
    Missed {
        /// Time taken (ms).
        took_ms: i64,
    },
    /// Not resolved; open for `open_ms` at the end of the journal.
    Open {
        /// Time open so far (ms).
        open_ms: i64,
    },
}

/// A host and how the incident touched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInvolvement {
    /// Host name.
    pub host: String,
    /// Its state when the incident opened (None: not in the opening's snapshot).
    pub at_open: Option<HostState>,
    /// Its state changes during the incident: (when, from, to, cause).
    pub changes: Vec<(i64, HostState, HostState, String)>,
    /// Steps run on it.
    pub steps: Vec<String>,
    /// Off-script commands run on it.
    pub commands: usize,
    /// Interactive shells opened on it.
    pub shells: usize,
}

impl HostInvolvement {
    /// Something was done on it: a step run, an off-script command, a shell.
    pub fn acted_on(&self) -> bool {
        !self.steps.is_empty() || self.commands > 0 || self.shells > 0
    }

    /// Unhealthy at opening, or became unhealthy during the incident.
    pub fn affected(&self) -> bool {
        use crate::core::report::scope::unhealthy;
        self.at_open.is_some_and(unhealthy) || self.changes.iter().any(|c| unhealthy(c.2))
    }
}

/// One run of a step, with everything the journal says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRun {
    /// Step id.
    pub step: String,
    /// Step title (the id when the step is not in the opening's snapshot).
    pub title: String,
    /// Step kind (`command`, `sql`, `check`, `verify`…).
    pub kind: String,
    /// Which run of the step.
    pub attempt: u32,
    /// When it started (unix ms).
    pub at_ms: i64,
    /// Who started it.
    pub by: String,
    /// Hosts (or the database) it ran on.
    pub targets: Vec<String>,
    /// The command or statement, secrets masked.
    pub command: Option<String>,
    /// The confirmation typed for it: (answer, who).
    pub confirmation: Option<(String, String)>,
    /// Each target's result, with when it came.
    pub results: Vec<(i64, crate::core::incident::TargetResult)>,
    /// How it ended.
    pub end: RunEnd,
}

/// How a step run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// It finished: passed or failed.
    Finished {
        /// When (unix ms).
        at_ms: i64,
        /// Passed.
        ok: bool,
        /// Why it failed.
        reason: Option<String>,
    },
    /// A session started or ended before it finished: what it did is unknown.
    Interrupted,
    /// The journal ends before it finished.
    Unfinished,
}

/// A SQL statement sent by the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlStatement {
    /// When it was sent (unix ms).
    pub at_ms: i64,
    /// Who.
    pub by: String,
    /// Inventory database.
    pub database: String,
    /// The session's number for it.
    pub run: u64,
    /// The statement, secrets masked.
    pub statement: String,
    /// Bind parameters, secret ones masked.
    pub params: Vec<String>,
    /// Run inside a transaction the console opened.
    pub transaction: bool,
    /// The playbook step that handed it over.
    pub step: Option<String>,
    /// What was typed to allow it.
    pub confirmation: Option<String>,
    /// How it ended (None: the journal holds no end).
    pub ended: Option<SqlResult>,
    /// The transaction end that settled it (an index into [`Report::transactions`]).
    pub settled_by: Option<usize>,
}

/// The end of a SQL statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlResult {
    /// When (unix ms).
    pub at_ms: i64,
    /// How long it ran (ms).
    pub duration_ms: u64,
    /// Rows changed.
    pub rows_affected: u64,
    /// Rows returned.
    pub rows_returned: u64,
    /// The database's error.
    pub error: Option<String>,
}

/// The end of a SQL transaction: what was asked, and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionEnd {
    /// When it was asked (unix ms).
    pub at_ms: i64,
    /// Who asked (the operator, or cockpit on a timeout or quit).
    pub by: String,
    /// Inventory database.
    pub database: String,
    /// Commit asked (else rollback).
    pub commit: bool,
    /// `operator`, `timeout`, `quit`, `refused: …`.
    pub reason: String,
    /// Rows the transaction's statements affected.
    pub rows_affected: u64,
    /// What happened: (committed, error); None when the journal holds no outcome.
    pub outcome: Option<(bool, Option<String>)>,
}

/// An off-script command run during the incident (`!` in the Hosts pane), outside the
/// playbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdhocCommand {
    /// When it started (unix ms).
    pub at_ms: i64,
    /// Who ran it.
    pub by: String,
    /// Where it was asked to run: `host web-1`, `role nginx`, `tag edge`.
    pub target: String,
    /// The hosts it ran on, in order.
    pub hosts: Vec<String>,
    /// The command, secrets masked.
    pub command: String,
    /// What was typed to allow a dangerous one.
    pub confirmation: Option<String>,
    /// Each host's end as journaled, in the order they came: (host, exit status, why it did
    /// not exit).
    pub ends: Vec<(String, Option<i32>, Option<String>)>,
}

/// An interactive shell opened on a host during the incident, recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellSession {
    /// When it opened (unix ms).
    pub at_ms: i64,
    /// Who opened it.
    pub by: String,
    /// The journal's number for it (`cockpit journal export --session N`).
    pub session: u64,
    /// The host.
    pub host: String,
    /// How it ended, when the journal says.
    pub end: Option<ShellEnd>,
}

/// How a recorded shell ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellEnd {
    /// Exit status, when the host sent one.
    pub exit: Option<i32>,
    /// Why it ended otherwise.
    pub reason: Option<String>,
    /// How long it was open (ms).
    pub duration_ms: u64,
    /// Bytes typed while the host did not echo them, not in the record.
    pub unrecorded_input: u64,
}

/// A notification about the incident (a chat message, a webhook call, a mail) and what became
/// of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The notification's id.
    pub id: String,
    /// When it was queued (unix ms); None when the journal holds only its attempts.
    pub queued_at_ms: Option<i64>,
    /// The channel's name.
    pub channel: String,
    /// The channel's platform.
    pub via: crate::core::notify::ChannelKind,
    /// What it told (None when the journal holds only its attempts).
    pub kind: Option<crate::core::notify::NoticeKind>,
    /// What it was about in a few words: `team lead`, `incident opened`.
    pub about: String,
    /// Its headline, secrets masked (None when the journal holds only its attempts).
    pub headline: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Why the last failed attempt failed.
    pub last_error: Option<String>,
    /// Delivered, given up, or still waiting when the journal ends.
    pub end: NotificationEnd,
}

/// What became of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationEnd {
    /// The platform took it.
    Delivered {
        /// When (unix ms).
        at_ms: i64,
    },
    /// Cockpit stopped trying.
    GaveUp {
        /// When (unix ms).
        at_ms: i64,
        /// Why.
        error: String,
    },
    /// Neither, when the journal ends: it is still in the outbox.
    Pending,
}

/// Something cockpit refused to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// When (unix ms).
    pub at_ms: i64,
    /// Who tried.
    pub by: String,
    /// The step, or the database of a SQL statement.
    pub subject: String,
    /// For a SQL statement: the statement.
    pub statement: Option<String>,
    /// Why the step is guarded (empty for SQL).
    pub guarded_because: Vec<String>,
    /// What went wrong.
    pub refusal: String,
    /// A dangerous off-script command (`subject` its hosts, `statement` the command), not a
    /// step or a statement.
    pub off_script: bool,
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    /// When (unix ms).
    pub at_ms: i64,
    /// Who.
    pub by: String,
    /// What.
    pub event: TimelineEvent,
}

/// What a timeline row shows.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineEvent {
    /// A step run (an index into [`Report::runs`]), with its outputs and end folded in.
    Run(usize),
    /// A SQL statement (an index into [`Report::statements`]) with its end.
    Sql(usize),
    /// A transaction end (an index into [`Report::transactions`]).
    Transaction(usize),
    /// An off-script command (an index into [`Report::adhoc`]) with each host's end.
    Adhoc(usize),
    /// An interactive shell (an index into [`Report::shells`]) with its end; its output is
    /// in the journal (`cockpit replay`, `cockpit journal export --session N`).
    Shell(usize),
    /// Any other record, as it is.
    Record(Box<Record>),
}
