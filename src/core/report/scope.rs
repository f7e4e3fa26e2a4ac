//! Which incident a journal record belongs to, and whether it was an operator's act.

use crate::core::health::HostState;
use crate::core::journal::Provenance;
use crate::core::journal::Record;

/// Whom a record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// One incident.
    Incident(&'a str),
    /// No incident: sessions, drill faults, and acts taken while none was open.
    Global,
}

/// The incident a record names, if any.
pub fn scope(record: &Record) -> Scope<'_> {
    record.incident().map_or(Scope::Global, Scope::Incident)
}

/// What an operator did, when the record is an operator's act on an incident (not something
/// cockpit recorded by itself: outputs, clock milestones, host states, captured values).
pub fn operator_act(record: &Record) -> Option<&'static str> {
    use Record::*;
    Some(match record {
        NoteAdded { .. } => "wrote a note",
        LogPinned { .. } => "pinned a log line",
        StepStarted { .. } => "started a step",
        StepCompleted { .. } => "ticked a step",
        StepSkipped { .. } => "skipped a step",
        StepReopened { .. } => "reopened a step",
        StepAnnotated { .. } => "wrote a remark on a step",
        ConfirmationGiven { .. } => "confirmed a guarded step",
        DangerousRefused { .. } => "answered a guarded step's confirmation",
        SeverityChanged { .. } => "changed the severity",
        SqlStatementStarted { .. } => "ran a SQL statement",
        SqlRefused { .. } => "tried a SQL statement",
        SqlTransactionEnding { reason, .. } if reason == "operator" => "ended a SQL transaction",
        HostDiagnosed { .. } => "diagnosed a host",
        AdhocStarted { .. } => "ran an off-script command",
        AdhocRefused { .. } => "tried a dangerous off-script command",
        ShellStarted { .. } => "opened an off-script shell",
        HostKeyTrusted { .. } => "trusted a host key",
        VariableSet {
            provenance: Provenance::Prompt,
            ..
        } => "typed a variable's value",
        _ => return None,
    })
}

/// Degraded, down or recovering: the host is not serving as it should.
pub fn unhealthy(state: HostState) -> bool {
    matches!(
        state,
        HostState::Degraded | HostState::Down | HostState::Recovering
    )
}

/// Up or recovered.
pub fn healthy(state: HostState) -> bool {
    matches!(state, HostState::Up | HostState::Recovered)
}
