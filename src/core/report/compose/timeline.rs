//! The timeline: one row per event that matters, step runs and SQL statements folded into one
//! row each with their outcome.

use super::phrase::{outcome, rows};
use super::{push_step_ref, rel, rich, short, step_ref};
use crate::core::journal::Record;
use crate::core::report::doc::{Block, Line, code, strong, text};
use crate::core::report::format;
use crate::core::report::model::{Report, RunEnd, TimelineEvent};
use crate::core::report::scope::unhealthy;
use crate::core::severity::Severity;

/// Longest command or statement shown in a timeline row.
const PREVIEW: usize = 60;

pub(super) fn timeline<'a>(r: &'a Report, blocks: &mut Vec<Block<'a>>) {
    blocks.push(Block::Heading(2, "Timeline".into()));
    let day = format::day(r.incident.opened_at_ms);
    blocks.push(Block::Para(vec![text(format!(
        "Times in UTC on {day}, offsets from the opening. A step run's outputs and end are \
         folded into the row where it started (details under Actions taken)."
    ))]));
    let mut severity = r.initial_severity;
    let rows = r
        .timeline
        .iter()
        .filter_map(|row| {
            let what = match &row.event {
                TimelineEvent::Run(i) => run(r, *i),
                TimelineEvent::Sql(i) => sql(r, *i),
                TimelineEvent::Transaction(t) => transaction(r, *t),
                TimelineEvent::Adhoc(i) => adhoc(r, *i),
                TimelineEvent::Shell(i) => shell(r, *i),
                TimelineEvent::Record(record) => record_line(r, record, &mut severity),
            };
            // A record with nothing to say (a shell's output batch) makes no row.
            if what.is_empty() {
                return None;
            }
            Some(vec![
                vec![text(rel(r, row.at_ms))],
                vec![text(format::clock_on(row.at_ms, r.incident.opened_at_ms))],
                vec![text(row.by.as_str())],
                what,
            ])
        })
        .collect();
    blocks.push(Block::Table {
        head: vec![
            "From opening".into(),
            "UTC".into(),
            "Who".into(),
            "What".into(),
        ],
        rows,
    });
}

fn run(r: &Report, i: usize) -> Line<'_> {
    let Some(run) = r.runs.get(i) else {
        return vec![text("(missing step run)")];
    };
    let mut line = Vec::with_capacity(12);
    line.push(text(format!("ran {} step ", run.kind)));
    push_step_ref(&mut line, r, &run.step);
    if run.attempt > 1 {
        line.push(text(format!(", attempt {}", run.attempt)));
    }
    if !run.targets.is_empty() {
        let mut on = String::with_capacity(64);
        for (n, target) in run.targets.iter().enumerate() {
            on.push_str(if n == 0 { " on " } else { ", " });
            on.push_str(target);
        }
        line.push(text(on));
    }
    if let Some(command) = &run.command {
        line.push(text(": "));
        line.push(code(short(command, PREVIEW)));
    }
    if let Some((answer, _)) = &run.confirmation {
        line.push(text(" (confirmed with "));
        line.push(code(answer.as_str()));
        line.push(text(")"));
    }
    line.push(text(" → "));
    line.push(match &run.end {
        RunEnd::Finished {
            ok: true, at_ms, ..
        } => strong(format!(
            "passed in {}",
            format::duration(at_ms.saturating_sub(run.at_ms))
        )),
        RunEnd::Finished {
            ok: false, reason, ..
        } => strong(format!(
            "failed: {}",
            reason.as_deref().unwrap_or("no reason given")
        )),
        RunEnd::Interrupted => strong("interrupted: cockpit stopped before it finished"),
        RunEnd::Unfinished => strong("no end in the journal"),
    });
    line
}

fn sql(r: &Report, i: usize) -> Line<'_> {
    let Some(s) = r.statements.get(i) else {
        return vec![text("(missing statement)")];
    };
    let mut line = vec![
        text("SQL on "),
        code(s.database.as_str()),
        text(": "),
        code(short(&s.statement, PREVIEW)),
        text(" → "),
    ];
    line.push(match &s.ended {
        Some(end) => match &end.error {
            Some(e) => strong(format!("error: {}", short(e, PREVIEW))),
            None => text(format!(
                "{} affected, {} returned",
                rows(end.rows_affected),
                rows(end.rows_returned)
            )),
        },
        None => strong("no end in the journal"),
    });
    line
}

fn adhoc(r: &Report, i: usize) -> Line<'_> {
    let Some(a) = r.adhoc.get(i) else {
        return vec![text("(missing off-script command)")];
    };
    let on = if a.target.starts_with("host ") {
        a.hosts.join(", ")
    } else {
        format!("{} ({})", a.target, a.hosts.join(", "))
    };
    let mut line = vec![
        strong("off-script"),
        text(format!(" command on {on}: ")),
        code(short(&a.command, PREVIEW)),
    ];
    if let Some(answer) = &a.confirmation {
        line.push(text(" (confirmed with "));
        line.push(code(answer.as_str()));
        line.push(text(")"));
    }
    let ends: Vec<String> = a
        .hosts
        .iter()
        .map(|host| {
            let end = a.ends.iter().find(|(h, _, _)| h == host);
            let how = match end {
                Some((_, Some(code), _)) => format!("exit {code}"),
                Some((_, None, Some(reason))) => reason.clone(),
                Some((_, None, None)) => "killed by a signal".to_string(),
                None => "no end in the journal".to_string(),
            };
            format!("{host} {how}")
        })
        .collect();
    line.push(text(" → "));
    line.push(strong(ends.join("; ")));
    line
}

fn shell(r: &Report, i: usize) -> Line<'_> {
    let Some(s) = r.shells.get(i) else {
        return vec![text("(missing off-script shell)")];
    };
    let mut line = vec![
        strong("off-script"),
        text(format!(" shell {} on ", s.session)),
        code(s.host.as_str()),
        text(" → "),
    ];
    let Some(end) = &s.end else {
        line.push(strong("no end in the journal"));
        return line;
    };
    let how = match (end.exit, &end.reason) {
        (_, Some(reason)) => reason.clone(),
        (Some(code), None) => format!("exit {code}"),
        (None, None) => "closed".to_string(),
    };
    line.push(text(format!(
        "open {}, ",
        format::duration(i64::try_from(end.duration_ms).unwrap_or(i64::MAX))
    )));
    line.push(strong(how));
    if end.unrecorded_input > 0 {
        line.push(text(format!(
            "; {} typed while echo was off not recorded",
            plural_bytes(end.unrecorded_input)
        )));
    }
    line
}

/// `1 byte`, `12 bytes`.
fn plural_bytes(n: u64) -> String {
    format!("{n} byte{}", if n == 1 { "" } else { "s" })
}

fn transaction(r: &Report, t: usize) -> Line<'_> {
    let Some(t) = r.transactions.get(t) else {
        return vec![text("(missing transaction)")];
    };
    let asked = if t.commit { "commit" } else { "rollback" };
    let mut line = vec![
        text(format!("{asked} on ")),
        code(t.database.as_str()),
        text(format!(
            " ({}, {} in the transaction) → ",
            t.reason,
            rows(t.rows_affected)
        )),
    ];
    line.push(strong(outcome(t)));
    line
}

fn record_line<'a>(r: &'a Report, record: &'a Record, severity: &mut Severity) -> Line<'a> {
    use Record::*;
    match record {
        SessionStarted {
            version,
            mode,
            role,
        } => {
            let role = role.map(|r| format!(", as {r}")).unwrap_or_default();
            vec![text(format!(
                "cockpit {version} started ({mode} mode{role})"
            ))]
        }
        SessionEnded { reason } => vec![text(format!("cockpit stopped: {reason}"))],
        HeadSigned { seq, key, .. } => vec![text(format!(
            "journal head #{seq} signed with SSH key {key}"
        ))],
        HeadNotSigned { seq, reason, .. } => {
            vec![text(format!("journal head #{seq} not signed: {reason}"))]
        }
        IncidentOpened {
            severity: s,
            playbook,
            steps,
            fleet,
            ..
        } => {
            let down: Vec<String> = fleet
                .iter()
                .filter(|(_, st)| unhealthy(**st))
                .map(|(h, st)| format!("{h} ({st})"))
                .collect();
            let mut line = vec![
                strong("incident opened"),
                text(format!(" at {s} with playbook ")),
                code(playbook.as_str()),
                text(format!(" ({} steps)", steps.len())),
            ];
            if !down.is_empty() {
                line.push(text(format!("; unhealthy: {}", down.join(", "))));
            }
            line
        }
        SeverityChanged { severity: to, .. } => {
            let from = std::mem::replace(severity, *to);
            vec![strong(format!("severity {from} → {to}"))]
        }
        StepCompleted { step, .. } => tagged("ticked step ", step_ref(r, step), " done"),
        StepReopened { step, .. } => tagged("reopened step ", step_ref(r, step), ""),
        StepSkipped { step, reason, .. } => {
            tagged("skipped step ", step_ref(r, step), &format!(": {reason}"))
        }
        NoteAdded {
            text: note,
            broadcast: true,
            ..
        } => vec![strong("broadcast note:"), text(format!(" {note}"))],
        NoteAdded { text: note, .. } => vec![text("note: "), text(note.as_str())],
        HostStateChanged {
            host,
            from,
            to,
            cause,
            ..
        } => vec![
            text("host "),
            strong(host.as_str()),
            text(format!(" {from} → {to} ({cause})")),
        ],
        HostPressureChanged {
            host,
            from,
            to,
            summary,
            ..
        } => vec![
            text("host "),
            strong(host.as_str()),
            text(format!(" pressure {from} → {to} ({summary})")),
        ],
        FaultInjected { host, fault } => vec![
            text("drill: fault injected on "),
            strong(host.as_str()),
            text(format!(": {fault}")),
        ],
        FaultCleared { host } => vec![text(format!("drill: fault on {host} cleared"))],
        DrillClockAdvanced { minutes, .. } => vec![text(format!(
            "drill: clock moved {minutes} min ahead (later times are drill time)"
        ))],
        LogPinned {
            host, text: line, ..
        } => vec![
            text(format!("pinned a log line of {host}: ")),
            code(short(line, 100)),
        ],
        HostDiagnosed { host, .. } => vec![text(format!(
            "diagnosed {host} (the report is kept in the journal)"
        ))],
        HostKeyTrusted {
            host,
            address,
            algorithm,
            fingerprint,
            ..
        } => vec![
            text(format!(
                "trusted the host key of {host} at {address}: {algorithm} "
            )),
            code(fingerprint.as_str()),
        ],
        IncidentResolved { summary, .. } => {
            vec![strong("incident resolved"), text(format!(": {summary}"))]
        }
        StepOutput {
            step, target, ok, ..
        } => tagged(
            "output of step ",
            step_ref(r, step),
            &format!(" on {target}: {}", if *ok { "ok" } else { "failed" }),
        ),
        StepFinished { step, ok, .. } => tagged(
            "step ",
            step_ref(r, step),
            if *ok { " passed" } else { " failed" },
        ),
        VariableSet {
            name,
            value,
            provenance,
            ..
        } => vec![
            text("variable "),
            code(name.as_str()),
            text(" = "),
            code(short(value, PREVIEW)),
            text(" ("),
        ]
        .into_iter()
        .chain(rich(&provenance.to_string()))
        .chain([text(")")])
        .collect(),
        ConfirmationGiven { step, answer, .. } => {
            let mut line = tagged("confirmed step ", step_ref(r, step), " with ");
            line.push(code(answer.as_str()));
            line
        }
        DangerousRefused { step, refusal, .. } => {
            let mut line = tagged("refused to run guarded step ", step_ref(r, step), ": ");
            line.extend(rich(refusal));
            line
        }
        StepAnnotated {
            step, text: remark, ..
        } => tagged("remark on step ", step_ref(r, step), &format!(": {remark}")),
        MilestoneCrossed { milestone, .. } => vec![text(format!("clock: {milestone}"))],
        StepStarted {
            step,
            attempt,
            command,
            ..
        } => {
            let mut line = tagged(
                "started step ",
                step_ref(r, step),
                &format!(", attempt {attempt}"),
            );
            if let Some(c) = command {
                line.push(text(": "));
                line.push(code(short(c, PREVIEW)));
            }
            line
        }
        SqlStatementStarted {
            database,
            statement,
            ..
        } => vec![
            text("SQL on "),
            code(database.as_str()),
            text(": "),
            code(short(statement, PREVIEW)),
        ],
        SqlStatementEnded {
            database,
            rows_affected,
            error,
            ..
        } => vec![text(format!(
            "SQL statement on {database} ended: {}{}",
            rows(*rows_affected),
            error
                .as_ref()
                .map_or(String::new(), |e| format!(", error: {e}"))
        ))],
        SqlTransactionEnding {
            database,
            commit,
            reason,
            ..
        } => vec![text(format!(
            "{} asked on {database} ({reason})",
            if *commit { "commit" } else { "rollback" }
        ))],
        SqlTransactionEnded {
            database,
            committed,
            error,
            ..
        } => vec![text(format!(
            "transaction on {database} {}{}",
            if *committed {
                "committed"
            } else {
                "rolled back"
            },
            error.as_ref().map_or(String::new(), |e| format!(": {e}"))
        ))],
        AdhocStarted {
            target,
            targets,
            command,
            confirmation,
            ..
        } => {
            let mut line = vec![
                strong("off-script"),
                text(format!(" command on {target} ({}): ", targets.join(", "))),
                code(short(command, PREVIEW)),
            ];
            if let Some(answer) = confirmation {
                line.push(text(" (confirmed with "));
                line.push(code(answer.as_str()));
                line.push(text(")"));
            }
            line
        }
        AdhocOutput {
            host, exit, reason, ..
        } => {
            let end = match (exit, reason) {
                (Some(code), _) => format!("exit {code}"),
                (None, Some(r)) => r.clone(),
                (None, None) => "killed by a signal".to_string(),
            };
            vec![
                strong("off-script"),
                text(format!(" command on {host} ended: {end}")),
            ]
        }
        ShellStarted { session, host, .. } => vec![
            strong("off-script"),
            text(format!(" shell {session} opened on {host}")),
        ],
        ShellOutput { .. } => Vec::new(),
        ShellEnded {
            session,
            host,
            exit,
            reason,
            ..
        } => {
            let end = match (exit, reason) {
                (_, Some(r)) => r.clone(),
                (Some(code), None) => format!("exit {code}"),
                (None, None) => "closed".to_string(),
            };
            vec![
                strong("off-script"),
                text(format!(" shell {session} on {host} ended: {end}")),
            ]
        }
        NotificationQueued {
            channel, notice, ..
        } => vec![text(format!(
            "notification queued for {channel}: {}",
            notice.headline
        ))],
        NotificationAttempt {
            id,
            channel,
            via,
            about,
            outcome,
            ..
        } => super::notifications::attempt_line(r, id, about, channel, *via, outcome),
        AdhocRefused {
            command, refusal, ..
        } => {
            let mut line = vec![
                text("refused to run a dangerous "),
                strong("off-script"),
                text(" command "),
                code(short(command, PREVIEW)),
                text(": "),
            ];
            line.extend(rich(refusal));
            line
        }
        SqlRefused {
            database,
            statement,
            reason,
            ..
        } => vec![
            text("SQL refused on "),
            code(database.as_str()),
            text(": "),
            code(short(statement, PREVIEW)),
            text(format!(" ({reason})")),
        ],
    }
}

/// `prefix` + step reference + `suffix`.
fn tagged<'a>(prefix: &str, step: Line<'a>, suffix: &str) -> Line<'a> {
    let mut line = vec![text(prefix.to_string())];
    line.extend(step);
    if !suffix.is_empty() {
        line.push(text(suffix.to_string()));
    }
    line
}
