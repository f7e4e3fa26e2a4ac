//! Journal entries, the records they carry, and the hash chain that makes tampering visible.
//!
//! An entry's hash is SHA-256 over every column the journal stores for it: its sequence
//! number, time, actor, kind, the exact JSON text of its record and the previous entry's hash
//! ([`HashRule::Full`], schema 2). Journals of schema 1 hashed all but the kind
//! ([`HashRule::WithoutKind`]); they still verify under that rule, their kind checked against
//! the record instead. The stored JSON text is what is hashed, so any changed byte, deleted or
//! reordered entry breaks the chain at a precise place.

use crate::core::health::HostState;
use crate::core::metrics::Level;
use crate::core::redact::Redactor;
use crate::core::severity::Severity;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

mod vocabulary;

pub use vocabulary::{Milestone, Provenance};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Journal format version written into new journals; readers refuse newer ones.
pub const SCHEMA_VERSION: u32 = 2;

/// Which columns an entry's hash covers; a journal's schema version says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashRule {
    /// Schema 1: seq, time, actor, record text and previous hash; not the kind column.
    WithoutKind,
    /// Schema 2 on: every stored column (seq, time, actor, kind, record text, previous hash).
    #[default]
    Full,
}

impl HashRule {
    /// The rule of a journal of schema `version`.
    pub fn for_schema(version: u32) -> HashRule {
        if version <= 1 {
            HashRule::WithoutKind
        } else {
            HashRule::Full
        }
    }

    /// The hash of an entry's columns under this rule.
    pub fn hash(
        self,
        seq: u64,
        at_ms: i64,
        actor: &str,
        kind: &str,
        body: &str,
        prev_hash: &str,
    ) -> String {
        match self {
            HashRule::WithoutKind => entry_hash(seq, at_ms, actor, body, prev_hash),
            HashRule::Full => entry_hash_full(seq, at_ms, actor, kind, body, prev_hash),
        }
    }

    /// What the rule covers, in words.
    pub fn describe(self) -> &'static str {
        match self {
            HashRule::WithoutKind => {
                "schema 1 rule: the hash covers seq, time, actor, record text and previous hash; the kind column is checked against the record"
            }
            HashRule::Full => {
                "schema 2 rule: the hash covers every stored column (seq, time, actor, kind, record text, previous hash)"
            }
        }
    }
}

/// One step as it was when the incident opened, so replay and report need no playbook file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSnapshot {
    /// Step id.
    pub id: String,
    /// Step title.
    pub title: String,
    /// Step kind (`manual`, `command`, …).
    pub kind: String,
}

/// What happened. Every state-changing action of cockpit is one of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// cockpit started on a journal.
    SessionStarted {
        /// cockpit version.
        version: String,
        /// `live` or `demo`.
        mode: String,
        /// The role of the person at the keyboard (absent in journals written before roles).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<crate::core::role::Role>,
    },
    /// cockpit stopped (quit, signal, lost terminal).
    SessionEnded {
        /// Why.
        reason: String,
    },
    /// An incident was opened.
    IncidentOpened {
        /// Incident id.
        incident: String,
        /// Title typed by the operator.
        title: String,
        /// Starting severity.
        severity: Severity,
        /// Playbook id.
        playbook: String,
        /// Playbook title.
        playbook_title: String,
        /// The playbook's RTO in minutes.
        rto_minutes: Option<u32>,
        /// The playbook's own status checkpoints (minutes), when it has them; absent: the
        /// inventory's for the severity.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        checkpoint_minutes: Option<Vec<u32>>,
        /// The playbook's steps at that moment.
        steps: Vec<StepSnapshot>,
        /// Each host's state when the incident opened (the detection picture).
        #[serde(default)]
        fleet: BTreeMap<String, HostState>,
        /// When the first of the hosts unhealthy at opening became unhealthy, as cockpit's
        /// health checks saw it (unix ms): the earliest evidence of impact. Absent when no
        /// host was unhealthy, and in journals written before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unhealthy_since_ms: Option<i64>,
        /// The incident's host: the one that matched the playbook's trigger when it opened
        /// (steps with `target = "incident"` run there). Absent when none matched.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        host: Option<String>,
    },
    /// Severity changed.
    SeverityChanged {
        /// Incident id.
        incident: String,
        /// New severity.
        severity: Severity,
    },
    /// A step was done (ticked by the operator, or passed).
    StepCompleted {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
    },
    /// A done or skipped step was opened again.
    StepReopened {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
    },
    /// A step was skipped.
    StepSkipped {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
        /// Why.
        reason: String,
    },
    /// The operator wrote a note.
    NoteAdded {
        /// Incident id.
        incident: String,
        /// The note.
        text: String,
        /// Whether the operator broadcast it to the incident's channels.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        broadcast: bool,
    },
    /// A host changed health state.
    HostStateChanged {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Host name.
        host: String,
        /// State before.
        from: HostState,
        /// State after.
        to: HostState,
        /// The failing check or reason.
        cause: String,
    },
    /// A host's resource pressure (CPU, memory, disk) changed level. Apart from its state:
    /// a busy host is not a down one.
    HostPressureChanged {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Host name.
        host: String,
        /// Level before.
        from: Level,
        /// Level after.
        to: Level,
        /// What the metrics said, e.g. `cpu 97% (critical) · load 3.10/2 · mem 41%`.
        summary: String,
    },
    /// A drill fault was injected into the demo fleet.
    FaultInjected {
        /// Host name.
        host: String,
        /// What was done to it.
        fault: String,
    },
    /// A drill fault was cleared.
    FaultCleared {
        /// Host name.
        host: String,
    },
    /// The drill's clock was moved ahead (`cockpit demo` only), so escalation levels and
    /// checkpoints can be rehearsed without waiting for them: every time after this entry is
    /// drill time, this much ahead of the wall clock (and of the entries before it).
    DrillClockAdvanced {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Minutes moved ahead.
        minutes: u32,
    },
    /// The operator pinned a log line as evidence.
    LogPinned {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Host the line came from.
        host: String,
        /// The line (already redacted when captured).
        text: String,
    },
    /// A host's diagnose bundle ran; the report as it came back (or why it did not run).
    HostDiagnosed {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The host.
        host: String,
        /// The report, trimmed to a size the journal keeps.
        report: String,
    },
    /// The operator trusted a host key cockpit did not know; it was written to known_hosts.
    HostKeyTrusted {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The inventory host.
        host: String,
        /// `host` or `[host]:port`, as known_hosts records it.
        address: String,
        /// Key type.
        algorithm: String,
        /// SHA256 fingerprint the operator saw.
        fingerprint: String,
        /// The known_hosts file written.
        known_hosts: String,
    },
    /// The incident was resolved.
    IncidentResolved {
        /// Incident id.
        incident: String,
        /// Closing summary.
        summary: String,
    },
    /// A run of a step began. Until its `step_finished`, the step is running; a session that
    /// starts or ends in between leaves it interrupted.
    StepStarted {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
        /// 1 for the first run, then one more per retry.
        attempt: u32,
        /// Hosts it runs on (or the database of a sql step), in order.
        #[serde(default)]
        targets: Vec<String>,
        /// The command or statement as rendered, secrets masked.
        #[serde(default)]
        command: Option<String>,
    },
    /// One target's part of a step run ended: a host's command or check, a database's statement.
    StepOutput {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
        /// The run.
        attempt: u32,
        /// The host (or database).
        target: String,
        /// Exit status of a command (None: killed, timed out, lost, or not a command).
        #[serde(default)]
        exit: Option<i32>,
        /// Rows affected by a statement.
        #[serde(default)]
        rows: Option<u64>,
        /// Whether this part met the expectation.
        ok: bool,
        /// The end of the output (bounded, secrets masked).
        #[serde(default)]
        output: String,
        /// Why it failed, when it did.
        #[serde(default)]
        reason: Option<String>,
    },
    /// A run of a step ended.
    StepFinished {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
        /// The run.
        attempt: u32,
        /// Passed or failed.
        ok: bool,
        /// Why it failed, when it did.
        #[serde(default)]
        reason: Option<String>,
    },
    /// A playbook variable got a value.
    VariableSet {
        /// Incident id.
        incident: String,
        /// Variable name.
        name: String,
        /// The value (`***` when secret).
        value: String,
        /// Where it came from.
        provenance: Provenance,
        /// Whether it is secret.
        #[serde(default)]
        secret: bool,
    },
    /// The operator confirmed a guarded step.
    ConfirmationGiven {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
        /// The run it allows.
        attempt: u32,
        /// What was answered (`yes`, or the name typed).
        answer: String,
    },
    /// A guarded step was not run: the confirmation was wrong or withdrawn.
    DangerousRefused {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
        /// Why the step is guarded.
        reasons: Vec<String>,
        /// What went wrong (wrong name typed, cancelled).
        refusal: String,
    },
    /// The operator wrote a remark on a step.
    StepAnnotated {
        /// Incident id.
        incident: String,
        /// Step id.
        step: String,
        /// The remark.
        text: String,
    },
    /// The incident clock passed a target or an escalation level.
    MilestoneCrossed {
        /// Incident id.
        incident: String,
        /// Which.
        milestone: Milestone,
    },
    /// The SQL console sent a statement to a database (recorded before it is sent).
    SqlStatementStarted {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Inventory database.
        database: String,
        /// This session's number for the statement, matching its `sql_statement_ended`.
        run: u64,
        /// The statement, secrets masked.
        statement: String,
        /// Bind parameters in order, secret ones masked.
        #[serde(default)]
        params: Vec<String>,
        /// Whether it runs inside a transaction the console opened for it.
        transaction: bool,
        /// The playbook step that handed it over, if any.
        #[serde(default)]
        step: Option<String>,
        /// What the operator typed to allow a guarded statement.
        #[serde(default)]
        confirmation: Option<String>,
    },
    /// A statement of the SQL console ended.
    SqlStatementEnded {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Inventory database.
        database: String,
        /// Its `sql_statement_started` number.
        run: u64,
        /// How long it ran, milliseconds.
        duration_ms: u64,
        /// Rows changed (MySQL/MariaDB: rows matched).
        rows_affected: u64,
        /// Rows returned.
        rows_returned: u64,
        /// A transaction is open after it, waiting for commit or rollback.
        transaction_open: bool,
        /// The database's error, when it failed (secrets masked).
        #[serde(default)]
        error: Option<String>,
    },
    /// The operator (or a timeout, a quit, a lost connection) ends an open transaction; recorded
    /// before the commit or rollback is sent.
    SqlTransactionEnding {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Inventory database.
        database: String,
        /// Commit (else roll back).
        commit: bool,
        /// `operator`, `timeout`, `quit`, `refused: …`.
        reason: String,
        /// Rows the transaction's statements affected.
        rows_affected: u64,
    },
    /// An open transaction ended.
    SqlTransactionEnded {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Inventory database.
        database: String,
        /// Committed (else rolled back).
        committed: bool,
        /// Why it did not end as asked, when it did not.
        #[serde(default)]
        error: Option<String>,
    },
    /// The SQL console refused a statement (read-only database, a guarded statement not
    /// confirmed) and ran nothing.
    SqlRefused {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// Inventory database.
        database: String,
        /// The statement, secrets masked.
        statement: String,
        /// Why.
        reason: String,
    },
    /// The operator ran an off-script (ad-hoc) command, not a playbook step: recorded before it
    /// is sent to any host. The entry's actor is the operator who ran it.
    AdhocStarted {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// This incident's number for the run (1, 2, …), matching its `adhoc_output` records.
        run: u64,
        /// What the operator asked for: `host NAME`, `role NAME` or `tag NAME`.
        target: String,
        /// The hosts it runs on, in order.
        targets: Vec<String>,
        /// The command, secrets masked.
        command: String,
        /// Run on every host at once (a read-only command), else one host after another.
        parallel: bool,
        /// What the operator typed to allow a dangerous command.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmation: Option<String>,
    },
    /// An off-script command ended on one host (or never ran there).
    AdhocOutput {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The run's number (its `adhoc_started`).
        run: u64,
        /// The host.
        host: String,
        /// Exit status (None: killed, timed out, lost, or not run).
        #[serde(default)]
        exit: Option<i32>,
        /// The end of the output (bounded, secrets masked).
        #[serde(default)]
        output: String,
        /// Why it did not end with an exit status, when it did not.
        #[serde(default)]
        reason: Option<String>,
    },
    /// A dangerous off-script command was not run: the typed confirmation was wrong or
    /// withdrawn.
    AdhocRefused {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The command, secrets masked.
        command: String,
        /// The hosts it would have run on.
        targets: Vec<String>,
        /// Why it is guarded.
        reasons: Vec<String>,
        /// What went wrong (wrong name typed, cancelled).
        refusal: String,
    },
    /// The operator opened an interactive shell on a host: recorded before the shell starts.
    /// Its screen follows in `shell_output` records with the same `session`.
    ShellStarted {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The journal's number for the shell (1, 2, …), matching its other records; what
        /// `cockpit journal export --session N` takes.
        session: u64,
        /// The inventory host.
        host: String,
        /// The terminal type asked for (`TERM`).
        term: String,
        /// The terminal's width in columns when it opened.
        cols: u16,
        /// Its height in rows.
        rows: u16,
    },
    /// A stretch of a recorded shell, as asciicast v2 events: the host's output, what the
    /// operator typed that the host echoed back (never input typed while echo was off), and
    /// window resizes; secrets masked.
    ShellOutput {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The shell's number (its `shell_started`).
        session: u64,
        /// The events, times in seconds since the shell started.
        events: Vec<crate::core::shell::CastEvent>,
    },
    /// A recorded shell ended: the operator left it, the host closed it, or the connection
    /// was lost.
    ShellEnded {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The shell's number (its `shell_started`).
        session: u64,
        /// The host.
        host: String,
        /// The shell's exit status, when the host sent one.
        #[serde(default)]
        exit: Option<i32>,
        /// Why it ended otherwise (connection lost, closed with `~.`), when it did.
        #[serde(default)]
        reason: Option<String>,
        /// How long it was open, in milliseconds.
        duration_ms: u64,
        /// Bytes the operator typed that are not in the record: typed while the host did not
        /// echo them (a password prompt), so they were left out.
        #[serde(default)]
        unrecorded_input: u64,
    },
    /// A notification was queued for a channel: recorded before it is sent, so a restart
    /// sends what is still waiting. Its attempts follow in `notification_attempt` records.
    NotificationQueued {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The notification's id (also sent to webhook receivers, to drop a repeat).
        id: String,
        /// The channel's name.
        channel: String,
        /// The channel's platform.
        via: crate::core::notify::ChannelKind,
        /// What it says (secrets masked).
        notice: crate::core::notify::Notice,
    },
    /// One attempt at sending a queued notification, and how it ended.
    NotificationAttempt {
        /// Incident id, if one was open.
        incident: Option<String>,
        /// The notification's id (its `notification_queued`).
        id: String,
        /// The channel's name.
        channel: String,
        /// The channel's platform.
        via: crate::core::notify::ChannelKind,
        /// What the notification was about, in words (its notice's `about`), e.g. `team lead`.
        about: String,
        /// Which attempt, from 1 (0: given up before any, e.g. the channel is gone).
        attempt: u32,
        /// Delivered, failed (and when it is tried again), or given up.
        outcome: crate::core::notify::AttemptOutcome,
    },
    /// The journal head was signed with the operator's SSH key through the SSH agent, in the
    /// `ssh-keygen -Y sign` format; the same signature goes to the sidecar file.
    HeadSigned {
        /// The signed entry's sequence number.
        seq: u64,
        /// The signed entry's hash.
        hash: String,
        /// The journal's id (the hash of its first entry).
        journal: String,
        /// The signing key's SHA256 fingerprint.
        key: String,
        /// The armored signature (`-----BEGIN SSH SIGNATURE-----`).
        signature: String,
    },
    /// The journal head could not be signed (no SSH agent, no key in it, a refusal, a timeout).
    HeadNotSigned {
        /// The entry that was to be signed.
        seq: u64,
        /// Its hash.
        hash: String,
        /// Why not.
        reason: String,
    },
}

impl Record {
    /// Whether the record is cockpit's own note about signing the head, not an action.
    pub fn is_signature(&self) -> bool {
        matches!(
            self,
            Record::HeadSigned { .. } | Record::HeadNotSigned { .. }
        )
    }

    /// The `type` tag as written in the journal.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::SessionStarted { .. } => "session_started",
            Record::SessionEnded { .. } => "session_ended",
            Record::IncidentOpened { .. } => "incident_opened",
            Record::SeverityChanged { .. } => "severity_changed",
            Record::StepCompleted { .. } => "step_completed",
            Record::StepReopened { .. } => "step_reopened",
            Record::StepSkipped { .. } => "step_skipped",
            Record::NoteAdded { .. } => "note_added",
            Record::HostStateChanged { .. } => "host_state_changed",
            Record::HostPressureChanged { .. } => "host_pressure_changed",
            Record::FaultInjected { .. } => "fault_injected",
            Record::FaultCleared { .. } => "fault_cleared",
            Record::DrillClockAdvanced { .. } => "drill_clock_advanced",
            Record::LogPinned { .. } => "log_pinned",
            Record::HostDiagnosed { .. } => "host_diagnosed",
            Record::HostKeyTrusted { .. } => "host_key_trusted",
            Record::IncidentResolved { .. } => "incident_resolved",
            Record::StepStarted { .. } => "step_started",
            Record::StepOutput { .. } => "step_output",
            Record::StepFinished { .. } => "step_finished",
            Record::VariableSet { .. } => "variable_set",
            Record::ConfirmationGiven { .. } => "confirmation_given",
            Record::DangerousRefused { .. } => "dangerous_refused",
            Record::StepAnnotated { .. } => "step_annotated",
            Record::MilestoneCrossed { .. } => "milestone_crossed",
            Record::SqlStatementStarted { .. } => "sql_statement_started",
            Record::SqlStatementEnded { .. } => "sql_statement_ended",
            Record::SqlTransactionEnding { .. } => "sql_transaction_ending",
            Record::SqlTransactionEnded { .. } => "sql_transaction_ended",
            Record::SqlRefused { .. } => "sql_refused",
            Record::AdhocStarted { .. } => "adhoc_started",
            Record::AdhocOutput { .. } => "adhoc_output",
            Record::AdhocRefused { .. } => "adhoc_refused",
            Record::ShellStarted { .. } => "shell_started",
            Record::ShellOutput { .. } => "shell_output",
            Record::ShellEnded { .. } => "shell_ended",
            Record::NotificationQueued { .. } => "notification_queued",
            Record::NotificationAttempt { .. } => "notification_attempt",
            Record::HeadSigned { .. } => "head_signed",
            Record::HeadNotSigned { .. } => "head_not_signed",
        }
    }

    /// The incident the record names (its `incident` field), if any.
    pub fn incident(&self) -> Option<&str> {
        use Record::*;
        match self {
            IncidentOpened { incident, .. }
            | SeverityChanged { incident, .. }
            | StepCompleted { incident, .. }
            | StepReopened { incident, .. }
            | StepSkipped { incident, .. }
            | NoteAdded { incident, .. }
            | IncidentResolved { incident, .. }
            | StepStarted { incident, .. }
            | StepOutput { incident, .. }
            | StepFinished { incident, .. }
            | VariableSet { incident, .. }
            | ConfirmationGiven { incident, .. }
            | DangerousRefused { incident, .. }
            | StepAnnotated { incident, .. }
            | MilestoneCrossed { incident, .. } => Some(incident),
            HostStateChanged { incident, .. }
            | HostPressureChanged { incident, .. }
            | LogPinned { incident, .. }
            | HostDiagnosed { incident, .. }
            | HostKeyTrusted { incident, .. }
            | SqlStatementStarted { incident, .. }
            | SqlStatementEnded { incident, .. }
            | SqlTransactionEnding { incident, .. }
            | SqlTransactionEnded { incident, .. }
            | SqlRefused { incident, .. }
            | AdhocStarted { incident, .. }
            | AdhocOutput { incident, .. }
            | AdhocRefused { incident, .. }
            | ShellStarted { incident, .. }
            | ShellOutput { incident, .. }
            | ShellEnded { incident, .. }
            | NotificationQueued { incident, .. }
            | DrillClockAdvanced { incident, .. }
            | NotificationAttempt { incident, .. } => incident.as_deref(),
            SessionStarted { .. }
            | SessionEnded { .. }
            | FaultInjected { .. }
            | FaultCleared { .. }
            | HeadSigned { .. }
            | HeadNotSigned { .. } => None,
        }
    }
}

/// A sealed journal entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Position in the journal, from 1, without gaps.
    pub seq: u64,
    /// When it happened, unix milliseconds UTC.
    pub at_ms: i64,
    /// Who did it (`user@host`).
    pub actor: String,
    /// The record, parsed.
    pub record: Record,
    /// The exact JSON text the hash covers.
    pub body: String,
    /// Hash of the previous entry ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// This entry's hash, hex.
    pub hash: String,
}

/// The hash of an entry's fields under the schema 1 rule (the kind column left out).
pub fn entry_hash(seq: u64, at_ms: i64, actor: &str, body: &str, prev_hash: &str) -> String {
    length_prefixed_sha256(&[
        seq.to_string().as_bytes(),
        at_ms.to_string().as_bytes(),
        actor.as_bytes(),
        body.as_bytes(),
        prev_hash.as_bytes(),
    ])
}

/// The hash of every stored column of an entry (the schema 2 rule): the kind goes after the
/// actor.
pub fn entry_hash_full(
    seq: u64,
    at_ms: i64,
    actor: &str,
    kind: &str,
    body: &str,
    prev_hash: &str,
) -> String {
    length_prefixed_sha256(&[
        seq.to_string().as_bytes(),
        at_ms.to_string().as_bytes(),
        actor.as_bytes(),
        kind.as_bytes(),
        body.as_bytes(),
        prev_hash.as_bytes(),
    ])
}

/// SHA-256 over parts, each preceded by its length in bytes (8 bytes big-endian), as hex.
fn length_prefixed_sha256(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// Redacts every string of a record's JSON, so secrets never get into a sealed entry.
fn redact_json(value: &mut serde_json::Value, redactor: &Redactor) {
    match value {
        serde_json::Value::String(s) => *s = redactor.redact(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| redact_json(v, redactor)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| redact_json(v, redactor)),
        _ => {}
    }
}

impl Entry {
    /// Seals a record after `prev` (None for the first entry) under the current hash rule,
    /// redacting its text first.
    pub fn seal(
        prev: Option<(u64, &str)>,
        at_ms: i64,
        actor: &str,
        record: &Record,
        redactor: &Redactor,
    ) -> Result<Entry, serde_json::Error> {
        Entry::seal_with(HashRule::Full, prev, at_ms, actor, record, redactor)
    }

    /// Seals a record under `rule` (a journal keeps the rule of its schema).
    pub fn seal_with(
        rule: HashRule,
        prev: Option<(u64, &str)>,
        at_ms: i64,
        actor: &str,
        record: &Record,
        redactor: &Redactor,
    ) -> Result<Entry, serde_json::Error> {
        let mut value = serde_json::to_value(record)?;
        // A signature is cockpit's own text (hex, base64, a key fingerprint) and holds no
        // secret; masking a short secret value inside its base64 would break it.
        if !record.is_signature() {
            redact_json(&mut value, redactor);
        }
        let body = serde_json::to_string(&value)?;
        let record: Record = serde_json::from_value(value)?;
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_string()),
            None => (1, GENESIS_HASH.to_string()),
        };
        let actor = redactor.redact(actor);
        let hash = rule.hash(seq, at_ms, &actor, record.kind(), &body, &prev_hash);
        Ok(Entry {
            seq,
            at_ms,
            actor,
            record,
            body,
            prev_hash,
            hash,
        })
    }
}

/// An entry as stored, before its record is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Stored sequence number.
    pub seq: i64,
    /// Stored time.
    pub at_ms: i64,
    /// Stored actor.
    pub actor: String,
    /// Stored kind (the record's `type` tag, in its own column).
    pub kind: String,
    /// Stored JSON text of the record.
    pub body: String,
    /// Stored previous hash.
    pub prev_hash: String,
    /// Stored hash.
    pub hash: String,
}

impl From<Entry> for StoredEntry {
    /// The entry as the store writes it.
    fn from(e: Entry) -> Self {
        StoredEntry {
            seq: e.seq as i64,
            at_ms: e.at_ms,
            actor: e.actor,
            kind: e.record.kind().to_string(),
            body: e.body,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// Why the chain is broken, at which entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry is complete but does not match its hash: it was changed after it was written.
    HashMismatch {
        /// Sequence number as stored.
        seq: i64,
    },
    /// The entry's bytes are incomplete (its record text stops short, a hash is not a whole
    /// digest, a column is empty), as a write cut short by a crash could leave it.
    Incomplete {
        /// Sequence number as stored.
        seq: i64,
        /// What is incomplete.
        what: &'static str,
    },
    /// The kind column names another kind than the record's own tag.
    KindMismatch {
        /// Sequence number as stored.
        seq: i64,
        /// The kind column.
        stored: String,
        /// The record's tag.
        record: String,
    },
    /// The entry does not follow the one before it (an entry deleted, moved or inserted).
    LinkMismatch {
        /// Sequence number as stored.
        seq: i64,
    },
    /// Sequence numbers jump.
    SequenceGap {
        /// The number expected.
        expected: u64,
        /// The number found.
        found: i64,
    },
    /// The record cannot be read by this version.
    UnreadableRecord {
        /// Sequence number as stored.
        seq: i64,
        /// Parser message.
        reason: String,
    },
    /// A shared journal's entry does not match the local journal entry it says it copies
    /// (its origin seal), or that journal's entries do not follow each other.
    OriginMismatch {
        /// Shared sequence number as stored.
        seq: i64,
        /// The local journal's id (the hash of its first entry), as stored.
        origin: String,
        /// The entry's number in that journal, as stored.
        origin_seq: i64,
        /// What is wrong.
        what: String,
    },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainBreak::HashMismatch { seq } => write!(
                f,
                "entry #{seq}: content does not match its hash (changed after it was written)"
            ),
            ChainBreak::Incomplete { seq, what } => {
                write!(f, "entry #{seq}: incomplete ({what})")
            }
            ChainBreak::KindMismatch {
                seq,
                stored,
                record,
            } => write!(
                f,
                "entry #{seq}: its kind column says {stored:?} but its record is {record:?} (changed after it was written)"
            ),
            ChainBreak::LinkMismatch { seq } => write!(
                f,
                "entry #{seq}: does not link to the entry before it (an entry was deleted, reordered or inserted)"
            ),
            ChainBreak::SequenceGap { expected, found } => write!(
                f,
                "entry #{found}: expected entry #{expected} here (entries missing)"
            ),
            ChainBreak::UnreadableRecord { seq, reason } => write!(
                f,
                "entry #{seq}: record not readable by this version: {reason}"
            ),
            ChainBreak::OriginMismatch {
                seq,
                origin,
                origin_seq,
                what,
            } => write!(
                f,
                "entry #{seq} (entry #{origin_seq} of journal {}): {what}",
                short_id(origin)
            ),
        }
    }
}

/// Checks stored entries in order under the current rule; returns the parsed entries, or the
/// first break.
pub fn verify_chain(stored: &[StoredEntry]) -> Result<Vec<Entry>, (ChainBreak, Vec<Entry>)> {
    let mut verifier = ChainVerifier::default();
    for s in stored {
        if verifier.is_broken() {
            break;
        }
        verifier.push(s.clone());
    }
    verifier.into_chain()
}

/// Verifies a journal entry by entry, as it is read, so reading and checking a large journal
/// overlap and its text is never held twice. Entries after the first break are only counted.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    rule: HashRule,
    /// The verified entry the first one pushed follows (none: the journal's start).
    anchor: Option<(u64, String)>,
    entries: Vec<Entry>,
    brk: Option<ChainBreak>,
    stored: usize,
}

impl ChainVerifier {
    /// A verifier for a journal hashed under `rule`.
    pub fn new(rule: HashRule) -> Self {
        ChainVerifier {
            rule,
            ..ChainVerifier::default()
        }
    }

    /// A verifier for the entries after `anchor` (its number and hash), an entry verified
    /// before: the first one pushed must follow it.
    pub fn after(rule: HashRule, anchor: (u64, String)) -> Self {
        ChainVerifier {
            rule,
            anchor: Some(anchor),
            ..ChainVerifier::default()
        }
    }

    /// Checks the next stored entry against the ones before it.
    pub fn push(&mut self, s: StoredEntry) {
        self.stored += 1;
        if self.brk.is_some() {
            return;
        }
        let prev = match self.entries.last() {
            Some(p) => Some((p.seq, p.hash.as_str())),
            None => self
                .anchor
                .as_ref()
                .map(|(seq, hash)| (*seq, hash.as_str())),
        };
        match check_after(self.rule, prev, s) {
            Ok(e) => self.entries.push(e),
            Err(b) => self.brk = Some(b),
        }
    }

    /// Whether the chain broke already.
    pub fn is_broken(&self) -> bool {
        self.brk.is_some()
    }

    /// The verified entries, or the first break with the entries before it.
    pub fn into_chain(self) -> Result<Vec<Entry>, (ChainBreak, Vec<Entry>)> {
        match self.brk {
            None => Ok(self.entries),
            Some(b) => Err((b, self.entries)),
        }
    }

    /// The verified entries, and a torn last entry (incomplete bytes, as a crash could leave
    /// them) told from any other break (tampering: a complete entry with a wrong hash, link,
    /// kind or number, the last entry included).
    pub fn finish(self) -> Assessed {
        let stored = self.stored;
        let at_last = self.entries.len() + 1 == stored;
        let integrity = match self.brk {
            None => Integrity::Intact,
            Some(brk @ ChainBreak::Incomplete { .. }) if at_last => Integrity::TornTail(brk),
            Some(brk) => Integrity::Broken(brk),
        };
        Assessed {
            entries: self.entries,
            integrity,
            stored,
            rule: self.rule,
        }
    }
}

/// Whether `text` is a whole SHA-256 digest as cockpit writes it (64 lowercase hex digits).
fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What is incomplete in a stored entry, if anything: the bytes a write cut short would lack.
fn incompleteness(s: &StoredEntry) -> Option<&'static str> {
    if !is_digest(&s.hash) {
        return Some("its hash is not a whole digest");
    }
    if !is_digest(&s.prev_hash) {
        return Some("its previous hash is not a whole digest");
    }
    if s.actor.is_empty() {
        return Some("its actor is empty");
    }
    if s.kind.is_empty() {
        return Some("its kind is empty");
    }
    None
}

/// Whether a record text stops before its end, as a write cut short leaves it (asked only of
/// a text that did not parse as a record: one that does is whole).
fn stops_short(body: &str) -> bool {
    matches!(serde_json::from_str::<serde::de::IgnoredAny>(body), Err(e) if e.is_eof())
}

/// The entry `s` is, if it follows `prev` (None: it must be the first), or why not.
/// A journal id as shown: its first 16 hex digits (the whole text when shorter).
pub fn short_id(id: &str) -> &str {
    id.get(..16).unwrap_or(id)
}

/// Checks one stored entry as the next after `prev` (its seq and hash; `None`: the first
/// entry): sequence, completeness, hash under `rule`, link, record and kind.
pub fn check_after(
    rule: HashRule,
    prev: Option<(u64, &str)>,
    s: StoredEntry,
) -> Result<Entry, ChainBreak> {
    let expected = prev.map_or(1, |(seq, _)| seq + 1);
    let prev_hash = prev.map_or(GENESIS_HASH, |(_, hash)| hash);
    if s.seq != expected as i64 {
        return Err(ChainBreak::SequenceGap {
            expected,
            found: s.seq,
        });
    }
    if let Some(what) = incompleteness(&s) {
        return Err(ChainBreak::Incomplete { seq: s.seq, what });
    }
    // The record text is parsed once; only a text that does not parse is looked at again, to
    // tell one cut short (a torn write) from one changed.
    let record = serde_json::from_str::<Record>(&s.body);
    if record.is_err() && stops_short(&s.body) {
        return Err(ChainBreak::Incomplete {
            seq: s.seq,
            what: "its record text stops before its end",
        });
    }
    if rule.hash(expected, s.at_ms, &s.actor, &s.kind, &s.body, &s.prev_hash) != s.hash {
        return Err(ChainBreak::HashMismatch { seq: s.seq });
    }
    if s.prev_hash != prev_hash {
        return Err(ChainBreak::LinkMismatch { seq: s.seq });
    }
    let record = record.map_err(|e| ChainBreak::UnreadableRecord {
        seq: s.seq,
        reason: e.to_string(),
    })?;
    if record.kind() != s.kind {
        return Err(ChainBreak::KindMismatch {
            seq: s.seq,
            stored: s.kind,
            record: record.kind().to_string(),
        });
    }
    Ok(Entry {
        seq: expected,
        at_ms: s.at_ms,
        actor: s.actor,
        record,
        body: s.body,
        prev_hash: s.prev_hash,
        hash: s.hash,
    })
}

/// How far a journal read for replay, report or export can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    /// Every entry verifies; the head hash is the last entry's.
    Intact,
    /// Every entry verifies except the last, whose bytes are incomplete (its record text stops
    /// short, a hash is cut), as a write cut short by a crash could leave it. The entries
    /// before it are used; the torn one is left out and reported.
    TornTail(ChainBreak),
    /// A complete entry does not verify (a wrong hash, link, kind or number, the last entry
    /// included): the journal was changed after it was written. Only the entries before the
    /// break are used, and only when the reader forces it.
    Broken(ChainBreak),
}

/// A journal's entries as far as they verify, and what happened after that.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessed {
    /// Entries that verify, in order.
    pub entries: Vec<Entry>,
    /// How the chain ended.
    pub integrity: Integrity,
    /// Entries stored, including any that did not verify.
    pub stored: usize,
    /// The hash rule the journal was verified under.
    pub rule: HashRule,
}

impl Assessed {
    /// The hash of the last verified entry (None for an empty journal).
    pub fn head(&self) -> Option<&str> {
        self.entries.last().map(|e| e.hash.as_str())
    }
}

/// Verifies stored entries under the current rule and tells a torn last entry (a crash) from
/// tampering.
pub fn assess(stored: &[StoredEntry]) -> Assessed {
    let mut verifier = ChainVerifier::default();
    for s in stored {
        verifier.push(s.clone());
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<StoredEntry> {
        let redactor = Redactor::default();
        let mut out: Vec<StoredEntry> = Vec::new();
        let mut prev: Option<(u64, String)> = None;
        for i in 0..n {
            let record = Record::NoteAdded {
                broadcast: false,
                incident: "INC-1".into(),
                text: format!("note {i}"),
            };
            let e = Entry::seal(
                prev.as_ref().map(|(s, h)| (*s, h.as_str())),
                i as i64,
                "op@bastion",
                &record,
                &redactor,
            );
            let Ok(e) = e else { panic!("seal failed") };
            prev = Some((e.seq, e.hash.clone()));
            out.push(e.into());
        }
        out
    }

    fn first_break(stored: &[StoredEntry]) -> Option<ChainBreak> {
        verify_chain(stored).err().map(|(b, _)| b)
    }

    #[test]
    fn assess_tells_a_torn_tail_from_tampering() {
        let intact = chain(4);
        assert_eq!(assess(&intact).integrity, Integrity::Intact);
        assert_eq!(assess(&intact).head(), Some(intact[3].hash.as_str()));

        let mut torn = chain(4);
        torn[3].body.truncate(10);
        let a = assess(&torn);
        assert_eq!(
            a.integrity,
            Integrity::TornTail(ChainBreak::Incomplete {
                seq: 4,
                what: "its record text stops before its end"
            })
        );
        assert_eq!((a.entries.len(), a.stored), (3, 4));

        let mut cut_hash = chain(4);
        cut_hash[3].hash.truncate(40);
        assert!(matches!(
            assess(&cut_hash).integrity,
            Integrity::TornTail(ChainBreak::Incomplete { seq: 4, .. })
        ));

        // A complete last entry with a wrong hash is no crash: it was changed.
        let mut last_changed = chain(4);
        last_changed[3].body = last_changed[3].body.replace("note", "nope");
        assert_eq!(
            assess(&last_changed).integrity,
            Integrity::Broken(ChainBreak::HashMismatch { seq: 4 })
        );
        let mut last_hash = chain(4);
        last_hash[3].hash = "0".repeat(64);
        assert_eq!(
            assess(&last_hash).integrity,
            Integrity::Broken(ChainBreak::HashMismatch { seq: 4 })
        );

        // An incomplete entry before the last cannot be a crash.
        let mut torn_early = chain(4);
        torn_early[1].body.truncate(10);
        assert!(matches!(
            assess(&torn_early).integrity,
            Integrity::Broken(ChainBreak::Incomplete { seq: 2, .. })
        ));

        let mut changed = chain(4);
        changed[2].body = changed[2].body.replace("note", "nope");
        assert_eq!(
            assess(&changed).integrity,
            Integrity::Broken(ChainBreak::HashMismatch { seq: 3 })
        );

        let mut deleted_last_link = chain(4);
        deleted_last_link.remove(2);
        assert!(matches!(
            assess(&deleted_last_link).integrity,
            Integrity::Broken(ChainBreak::SequenceGap { .. })
        ));
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)).map(|e| e.len()).ok(), Some(5));
    }

    #[test]
    fn changed_byte_is_found() {
        let mut c = chain(5);
        c[2].body = c[2].body.replace("note 2", "note X");
        assert_eq!(first_break(&c), Some(ChainBreak::HashMismatch { seq: 3 }));
    }

    #[test]
    fn deleted_entry_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            first_break(&c),
            Some(ChainBreak::SequenceGap {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn deleted_and_renumbered_entry_is_found() {
        let mut c = chain(5);
        c.remove(1);
        // A forger renumbers and rehashes the rest, but cannot fix the link to entry 1.
        for (i, s) in c.iter_mut().enumerate().skip(1) {
            s.seq = i as i64 + 1;
            s.hash = HashRule::Full.hash(
                s.seq as u64,
                s.at_ms,
                &s.actor,
                &s.kind,
                &s.body,
                &s.prev_hash,
            );
        }
        assert_eq!(first_break(&c), Some(ChainBreak::LinkMismatch { seq: 2 }));
    }

    #[test]
    fn every_column_is_covered_by_the_hash() {
        let mut kind = chain(3);
        kind[1].kind = "step_completed".into();
        assert_eq!(
            first_break(&kind),
            Some(ChainBreak::HashMismatch { seq: 2 })
        );
        let mut actor = chain(3);
        actor[1].actor = "mallory@bastion".into();
        assert_eq!(
            first_break(&actor),
            Some(ChainBreak::HashMismatch { seq: 2 })
        );
        let mut at = chain(3);
        at[1].at_ms += 1;
        assert_eq!(first_break(&at), Some(ChainBreak::HashMismatch { seq: 2 }));
    }

    #[test]
    fn schema_1_journals_verify_under_their_rule_with_the_kind_checked() {
        let mut old: Vec<StoredEntry> = Vec::new();
        let mut prev: Option<(u64, String)> = None;
        for i in 0..3 {
            let record = Record::NoteAdded {
                broadcast: false,
                incident: "I".into(),
                text: format!("n{i}"),
            };
            let e = Entry::seal_with(
                HashRule::WithoutKind,
                prev.as_ref().map(|(s, h)| (*s, h.as_str())),
                i,
                "op@b",
                &record,
                &Redactor::default(),
            );
            let Ok(e) = e else { panic!("seal failed") };
            assert_eq!(e.hash, entry_hash(e.seq, i, "op@b", &e.body, &e.prev_hash));
            prev = Some((e.seq, e.hash.clone()));
            old.push(e.into());
        }
        let verify = |stored: &[StoredEntry]| {
            let mut v = ChainVerifier::new(HashRule::WithoutKind);
            stored.iter().for_each(|s| v.push(s.clone()));
            v.finish()
        };
        assert_eq!(verify(&old).integrity, Integrity::Intact);
        assert_eq!(verify(&old).rule, HashRule::WithoutKind);
        assert!(matches!(
            assess(&old).integrity,
            Integrity::Broken(ChainBreak::HashMismatch { seq: 1 })
        ));
        old[1].kind = "step_completed".into();
        assert!(matches!(
            verify(&old).integrity,
            Integrity::Broken(ChainBreak::KindMismatch { seq: 2, .. })
        ));
    }

    #[test]
    fn swapped_entries_are_found() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert!(matches!(
            first_break(&c),
            Some(ChainBreak::SequenceGap {
                expected: 2,
                found: 3
            })
        ));
    }

    #[test]
    fn pinned_line_is_tagged_log_pinned() {
        let record = Record::LogPinned {
            incident: Some("INC-1".into()),
            host: "nginx-2".into(),
            text: "upstream 502".into(),
        };
        assert_eq!(record.kind(), "log_pinned");
        let body = serde_json::to_string(&record).unwrap_or_default();
        assert!(body.contains(r#""type":"log_pinned""#), "{body}");
    }

    #[test]
    fn step_records_read_back_and_old_fields_default() {
        let record = Record::StepStarted {
            incident: "I".into(),
            step: "find-backup".into(),
            attempt: 2,
            targets: vec!["app-backup".into()],
            command: Some("ls -1t /shell/sql_backup".into()),
        };
        let body = serde_json::to_string(&record).unwrap_or_default();
        assert!(body.contains(r#""type":"step_started""#), "{body}");
        assert_eq!(serde_json::from_str::<Record>(&body).ok(), Some(record));
        let minimal = r#"{"type":"step_finished","incident":"I","step":"s","attempt":1,"ok":true}"#;
        assert!(matches!(
            serde_json::from_str::<Record>(minimal),
            Ok(Record::StepFinished { reason: None, .. })
        ));
        let var = Record::VariableSet {
            incident: "I".into(),
            name: "backup_file".into(),
            value: "/x.sql".into(),
            provenance: Provenance::Capture {
                step: "find-backup".into(),
            },
            secret: false,
        };
        let body = serde_json::to_string(&var).unwrap_or_default();
        assert!(
            body.contains(r#""provenance":{"from":"capture","step":"find-backup"}"#),
            "{body}"
        );
        assert_eq!(var.kind(), "variable_set");
    }

    #[test]
    fn the_incident_a_record_names_is_its_incident_field() {
        let records = [
            Record::StepReopened {
                incident: "I-1".into(),
                step: "s".into(),
            },
            Record::HostDiagnosed {
                incident: Some("I-2".into()),
                host: "h".into(),
                report: "ok".into(),
            },
            Record::HostKeyTrusted {
                incident: None,
                host: "h".into(),
                address: "[h]:22".into(),
                algorithm: "ssh-ed25519".into(),
                fingerprint: "SHA256:x".into(),
                known_hosts: "/k".into(),
            },
            Record::SqlRefused {
                incident: Some("I-3".into()),
                database: "speed".into(),
                statement: "drop table t".into(),
                reason: "read-only".into(),
            },
            Record::FaultCleared { host: "h".into() },
        ];
        for r in &records {
            let json = serde_json::to_value(r).unwrap_or_default();
            assert_eq!(r.incident(), json["incident"].as_str(), "{json}");
        }
    }

    #[test]
    fn sealing_redacts_secrets() {
        let record = Record::NoteAdded {
            broadcast: false,
            incident: "I".into(),
            text: "ran mysql -p'hunter2' speed".into(),
        };
        let e = Entry::seal(None, 0, "op@b", &record, &Redactor::default());
        let body = e.map(|e| e.body).unwrap_or_default();
        assert!(!body.contains("hunter2"), "{body}");
        assert!(body.contains("-p***"), "{body}");
    }
}
