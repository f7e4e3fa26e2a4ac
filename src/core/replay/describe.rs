//! One line per journal entry, in words an operator reads on the timeline bar and searches.

use crate::core::health::HostState;
use crate::core::journal::{Entry, Record};
use crate::core::replay::shell_words;

/// A one-line summary of an entry: what happened, where, and the outcome.
pub fn describe(entry: &Entry) -> String {
    let what = match &entry.record {
        Record::SessionStarted {
            mode,
            version,
            role,
        } => {
            let role = role.map(|r| format!(", as {r}")).unwrap_or_default();
            format!("cockpit {version} started ({mode}{role})")
        }
        Record::SessionEnded { reason } => format!("cockpit stopped: {reason}"),
        Record::IncidentOpened {
            incident,
            title,
            severity,
            playbook_title,
            fleet,
            host,
            ..
        } => {
            let about = host
                .as_ref()
                .map(|h| format!(" about {h}"))
                .unwrap_or_default();
            let unwell: Vec<String> = fleet
                .iter()
                .filter(|(_, s)| !matches!(s, HostState::Up | HostState::Recovered))
                .map(|(h, s)| format!("{h} {}", s.name()))
                .collect();
            let unwell = if unwell.is_empty() {
                String::new()
            } else {
                format!(" ({})", unwell.join(", "))
            };
            format!(
                "incident {incident} opened{about}, {severity}: {title} — playbook {playbook_title}{unwell}"
            )
        }
        Record::SeverityChanged { severity, .. } => format!("severity changed to {severity}"),
        Record::StepCompleted { step, .. } => format!("step {step} ticked done"),
        Record::StepReopened { step, .. } => format!("step {step} reopened"),
        Record::StepSkipped { step, reason, .. } => format!("step {step} skipped: {reason}"),
        Record::NoteAdded {
            text,
            broadcast: true,
            ..
        } => format!("broadcast note: {text}"),
        Record::NoteAdded { text, .. } => format!("note: {text}"),
        Record::HostStateChanged {
            host,
            from,
            to,
            cause,
            ..
        } => format!("{host} {} → {} ({cause})", from.name(), to.name()),
        Record::HostPressureChanged {
            host,
            from,
            to,
            summary,
            ..
        } => format!("{host} pressure {from} → {to} ({summary})"),
        Record::FaultInjected { host, fault } => format!("drill fault on {host}: {fault}"),
        Record::FaultCleared { host } => format!("drill fault cleared on {host}"),
        Record::DrillClockAdvanced { minutes, .. } => {
            format!("drill clock moved {minutes} min ahead")
        }
        Record::LogPinned { host, text, .. } => format!("pinned {host} log: {text}"),
        Record::HostDiagnosed { host, .. } => format!("diagnosed {host}"),
        Record::HostKeyTrusted {
            host, fingerprint, ..
        } => format!("trusted host key of {host} ({fingerprint})"),
        Record::IncidentResolved { summary, .. } => format!("incident resolved: {summary}"),
        Record::StepStarted {
            step,
            attempt,
            targets,
            command,
            ..
        } => {
            let run = if *attempt > 1 {
                format!(" (run {attempt})")
            } else {
                String::new()
            };
            let on = if targets.is_empty() {
                String::new()
            } else {
                format!(" on {}", targets.join(", "))
            };
            match command {
                Some(c) => format!("step {step} started{run}{on}: {}", first_line(c)),
                None => format!("step {step} started{run}{on}"),
            }
        }
        Record::StepOutput {
            step,
            target,
            exit,
            rows,
            ok,
            reason,
            ..
        } => {
            let outcome = match (exit, rows) {
                (Some(code), _) => format!("exit {code}"),
                (None, Some(r)) => format!("{r} rows"),
                (None, None) => if *ok { "ok" } else { "failed" }.to_string(),
            };
            match reason {
                Some(r) => format!("step {step} on {target}: {outcome} — {r}"),
                None => format!("step {step} on {target}: {outcome}"),
            }
        }
        Record::StepFinished {
            step, ok, reason, ..
        } => match (ok, reason) {
            (true, _) => format!("step {step} passed"),
            (false, Some(r)) => format!("step {step} failed: {r}"),
            (false, None) => format!("step {step} failed"),
        },
        Record::VariableSet { name, value, .. } => format!("variable {name} = {value}"),
        Record::ConfirmationGiven { step, answer, .. } => {
            format!("confirmed step {step} ({answer})")
        }
        Record::DangerousRefused { step, refusal, .. } => {
            format!("refused dangerous step {step}: {refusal}")
        }
        Record::StepAnnotated { step, text, .. } => format!("remark on {step}: {text}"),
        Record::MilestoneCrossed { milestone, .. } => format!("milestone: {milestone}"),
        Record::SqlStatementStarted {
            database,
            statement,
            ..
        } => format!("sql on {database}: {}", first_line(statement)),
        Record::SqlStatementEnded {
            database,
            rows_affected,
            rows_returned,
            duration_ms,
            error,
            ..
        } => match error {
            Some(e) => format!("sql on {database} failed: {}", first_line(e)),
            None => format!(
                "sql on {database} done in {duration_ms} ms: {rows_affected} affected, {rows_returned} returned"
            ),
        },
        Record::SqlTransactionEnding {
            database,
            commit,
            reason,
            rows_affected,
            ..
        } => format!(
            "sql {} on {database} asked ({rows_affected} rows, {reason})",
            if *commit { "commit" } else { "rollback" }
        ),
        Record::SqlTransactionEnded {
            database,
            committed,
            error,
            ..
        } => match (committed, error) {
            (true, _) => format!("sql commit on {database}"),
            (false, Some(e)) => format!("sql rollback on {database}: {}", first_line(e)),
            (false, None) => format!("sql rollback on {database}"),
        },
        Record::SqlRefused {
            database, reason, ..
        } => format!("sql refused on {database}: {reason}"),
        Record::AdhocStarted {
            target,
            command,
            confirmation,
            ..
        } => {
            let confirmed = confirmation
                .as_ref()
                .map(|c| format!(" (confirmed with {c})"))
                .unwrap_or_default();
            format!(
                "off-script command on {target}: {}{confirmed}",
                first_line(command)
            )
        }
        Record::AdhocOutput {
            host, exit, reason, ..
        } => match (exit, reason) {
            (Some(code), _) => format!("off-script command on {host}: exit {code}"),
            (None, Some(r)) => format!("off-script command on {host}: {r}"),
            (None, None) => format!("off-script command on {host}: killed by a signal"),
        },
        Record::AdhocRefused {
            command, refusal, ..
        } => format!(
            "refused dangerous off-script command {}: {refusal}",
            first_line(command)
        ),
        Record::ShellStarted {
            session,
            host,
            term,
            cols,
            rows,
            ..
        } => shell_words::opened(*session, host, term, *cols, *rows),
        Record::ShellOutput {
            session, events, ..
        } => shell_words::output(*session, events),
        Record::ShellEnded {
            session,
            host,
            exit,
            reason,
            duration_ms,
            unrecorded_input,
            ..
        } => shell_words::ended(
            *session,
            host,
            *exit,
            reason.as_deref(),
            *duration_ms,
            *unrecorded_input,
        ),
        Record::NotificationQueued {
            channel,
            via,
            notice,
            ..
        } => format!(
            "{} queued for {via} ({channel}): {}",
            notice.about,
            first_line(&notice.headline)
        ),
        Record::NotificationAttempt {
            channel,
            via,
            about,
            attempt,
            outcome,
            ..
        } => attempt_words(about, channel, *via, *attempt, outcome),
        Record::HeadSigned { seq, key, .. } => {
            format!("journal head #{seq} signed with SSH key {key}")
        }
        Record::HeadNotSigned { seq, reason, .. } => {
            format!("journal head #{seq} not signed: {reason}")
        }
    };
    format!("{what} — {}", entry.actor)
}

/// One attempt at a notification: `team lead: delivered via DingTalk (oncall-dingtalk)`, or
/// why not and what comes next.
fn attempt_words(
    about: &str,
    channel: &str,
    via: crate::core::notify::ChannelKind,
    attempt: u32,
    outcome: &crate::core::notify::AttemptOutcome,
) -> String {
    use crate::core::notify::AttemptOutcome;
    match outcome {
        AttemptOutcome::Delivered { answer } => format!(
            "{about}: delivered via {via} ({channel}), attempt {attempt}: {}",
            first_line(answer)
        ),
        AttemptOutcome::Failed { error, retry_in_s } => format!(
            "{about}: {via} ({channel}) failed, attempt {attempt}: {}; retry in {retry_in_s} s",
            first_line(error)
        ),
        AttemptOutcome::GaveUp { error } => {
            format!("{about}: {via} ({channel}) given up: {}", first_line(error))
        }
    }
}

/// The first line of a multi-line text, marked when more follows.
fn first_line(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    if lines.next().is_some() {
        format!("{first} …")
    } else {
        first.to_string()
    }
}
