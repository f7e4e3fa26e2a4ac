//! Builds a [`Report`] from a journal's verified entries.

use crate::core::health::HostState;
use crate::core::incident::{TargetResult, Workspace};
use crate::core::journal::{Assessed, Entry, Record, StepSnapshot};
use crate::core::report::model::*;
use crate::core::report::phases::phases;
use crate::core::report::scope::{Scope, scope};
use crate::core::severity::Severity;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Why no report could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The journal opens no incident.
    #[error("the journal holds no incident ({entries} entries, none opens one)")]
    NoIncident {
        /// Entries read.
        entries: usize,
    },
    /// The asked incident is not in the journal.
    #[error("no incident {asked} in this journal; it holds: {}", known.join(", "))]
    UnknownIncident {
        /// The id asked for.
        asked: String,
        /// The ids the journal holds.
        known: Vec<String>,
    },
}

/// The report on incident `id` (default: the last one opened) of an assessed journal named
/// `source`.
pub fn build(assessed: &Assessed, source: &str, id: Option<&str>) -> Result<Report, ReportError> {
    let entries = &assessed.entries;
    let ws = Workspace::fold(entries);
    let incident = match id {
        Some(asked) => ws.incidents.iter().find(|i| i.id == asked).ok_or_else(|| {
            ReportError::UnknownIncident {
                asked: asked.to_string(),
                known: ws.incidents.iter().map(|i| i.id.clone()).collect(),
            }
        })?,
        None => ws.incidents.last().ok_or(ReportError::NoIncident {
            entries: entries.len(),
        })?,
    };
    let no_incident = || ReportError::NoIncident {
        entries: entries.len(),
    };
    let phases = phases(entries, &incident.id).ok_or_else(no_incident)?;
    let open = entries
        .iter()
        .position(|e| matches!(&e.record, Record::IncidentOpened { incident: i, .. } if *i == incident.id))
        .ok_or_else(no_incident)?;
    let Record::IncidentOpened {
        severity: initial_severity,
        fleet,
        ..
    } = &entries[open].record
    else {
        return Err(no_incident());
    };
    let first = phases
        .impact
        .as_ref()
        .and_then(|m| m.seq)
        .and_then(|seq| entries.iter().position(|e| e.seq == seq))
        .map_or(open, |i| i.min(open));
    let last = phases
        .resolved
        .as_ref()
        .and_then(|m| m.seq)
        .and_then(|seq| entries[open..].iter().position(|e| e.seq == seq))
        .map_or(entries.len() - 1, |i| open + i);
    let window = entries
        .iter()
        .enumerate()
        .filter(|(i, e)| match scope(&e.record) {
            Scope::Incident(id) => id == incident.id && *i >= open,
            Scope::Global => (first..=last).contains(i),
        });

    let mut walk = Walk::new(&incident.steps, *initial_severity, window.clone());
    let notifications = super::notifications::fold(window.clone().map(|(_, e)| e));
    for (_, e) in window {
        walk.entry(e);
    }

    let mut hosts: BTreeMap<String, HostInvolvement> = fleet
        .iter()
        .map(|(h, s)| {
            let involvement = HostInvolvement {
                host: h.clone(),
                at_open: Some(*s),
                changes: Vec::new(),
                steps: Vec::new(),
                commands: 0,
                shells: 0,
            };
            (h.clone(), involvement)
        })
        .collect();
    let blank = |host: &str| HostInvolvement {
        host: host.to_string(),
        at_open: None,
        changes: Vec::new(),
        steps: Vec::new(),
        commands: 0,
        shells: 0,
    };
    for (host, change) in walk.host_changes.drain(..) {
        hosts
            .entry(host.clone())
            .or_insert_with(|| blank(&host))
            .changes
            .push(change);
    }
    let mut databases = BTreeSet::new();
    for run in &walk.runs {
        for target in &run.targets {
            if run.kind == "sql" {
                databases.insert(target.clone());
                continue;
            }
            let h = hosts.entry(target.clone()).or_insert_with(|| blank(target));
            if !h.steps.contains(&run.step) {
                h.steps.push(run.step.clone());
            }
        }
    }
    for command in &walk.adhoc {
        for host in &command.hosts {
            hosts
                .entry(host.clone())
                .or_insert_with(|| blank(host))
                .commands += 1;
        }
    }
    for shell in &walk.shells {
        let host = &shell.host;
        hosts
            .entry(host.clone())
            .or_insert_with(|| blank(host))
            .shells += 1;
    }
    databases.extend(walk.statements.iter().map(|s| s.database.clone()));
    databases.extend(walk.transactions.iter().map(|t| t.database.clone()));
    let (hosts, uninvolved): (Vec<_>, Vec<_>) = hosts
        .into_values()
        .partition(|h| h.affected() || !h.changes.is_empty() || h.acted_on());

    let journal_end_ms = entries.last().map_or(phases.detected.at_ms, |e| e.at_ms);
    let targets = targets(
        incident.rto_minutes,
        *initial_severity,
        incident.severity,
        phases.time_to_resolve(),
        journal_end_ms.saturating_sub(phases.detected.at_ms),
    );
    Ok(Report {
        source: source.to_string(),
        journal: JournalState {
            integrity: assessed.integrity.clone(),
            verified: entries.len(),
            stored: assessed.stored,
            head: assessed.head().unwrap_or_default().to_string(),
        },
        other_incidents: ws
            .incidents
            .iter()
            .filter(|i| i.id != incident.id)
            .map(|i| i.id.clone())
            .collect(),
        initial_severity: *initial_severity,
        severity_changes: walk.severity_changes,
        resolved_by: walk.resolved_by,
        phases,
        targets,
        hosts,
        uninvolved_hosts: uninvolved.len(),
        databases: databases.into_iter().collect(),
        participants: walk.participants,
        runs: walk.runs,
        statements: walk.statements,
        transactions: walk.transactions,
        refusals: walk.refusals,
        adhoc: walk.adhoc,
        shells: walk.shells,
        notifications,
        timeline: walk.timeline,
        journal_end_ms,
        incident: incident.clone(),
    })
}

/// The RTO and the severity resolution targets, measured from opening to resolution as the
/// cockpit's incident clock does.
fn targets(
    rto_minutes: Option<u32>,
    initial: Severity,
    last: Severity,
    resolved_in: Option<i64>,
    open_for: i64,
) -> Vec<TargetCheck> {
    let check = |name: String, limit_ms: i64| TargetCheck {
        name,
        limit_ms,
        outcome: match resolved_in {
            Some(took_ms) if took_ms <= limit_ms => TargetOutcome::Met { took_ms },
            Some(took_ms) => TargetOutcome::Missed { took_ms },
            None => TargetOutcome::Open { open_ms: open_for },
        },
    };
    let resolve_ms = |s: Severity| s.targets().resolve.as_millis() as i64;
    let mut out = Vec::new();
    if let Some(m) = rto_minutes {
        out.push(check("RTO (playbook)".to_string(), i64::from(m) * 60_000));
    }
    out.push(check(
        format!("{initial} resolution target (at opening)"),
        resolve_ms(initial),
    ));
    if last != initial {
        out.push(check(
            format!("{last} resolution target (final severity)"),
            resolve_ms(last),
        ));
    }
    out
}

/// A host's state change: (when, from, to, cause).
type HostChange = (i64, HostState, HostState, String);

/// One pass over the incident's entries, grouping step runs and SQL into timeline rows.
struct Walk<'a> {
    steps: &'a [StepSnapshot],
    severity: Severity,
    /// (step, attempt) pairs that start in the window: their confirmations fold into the run.
    starts: HashSet<(&'a str, u32)>,
    // Keyed by text borrowed from the entries: looking a run up allocates nothing.
    confirmations: HashMap<(&'a str, u32), (String, String)>,
    run_at: HashMap<(&'a str, u32), usize>,
    unfinished: Vec<usize>,
    statement_at: HashMap<(&'a str, u64), usize>,
    unsettled: HashMap<&'a str, Vec<usize>>,
    ending_at: HashMap<&'a str, usize>,
    participant_at: HashMap<&'a str, usize>,
    participants: Vec<(String, usize)>,
    runs: Vec<StepRun>,
    statements: Vec<SqlStatement>,
    transactions: Vec<TransactionEnd>,
    refusals: Vec<Refusal>,
    adhoc: Vec<AdhocCommand>,
    /// Off-script runs by (who, their number): where their outputs go.
    adhoc_at: HashMap<(&'a str, u64), usize>,
    shells: Vec<ShellSession>,
    /// Shells still open, by their number: where their end goes.
    shell_at: HashMap<u64, usize>,
    /// Which notification attempts make a timeline row.
    attempt_rows: super::notifications::AttemptRows<'a>,
    timeline: Vec<TimelineRow>,
    severity_changes: Vec<SeverityChange>,
    host_changes: Vec<(String, HostChange)>,
    resolved_by: Option<String>,
}

impl<'a> Walk<'a> {
    fn new(
        steps: &'a [StepSnapshot],
        severity: Severity,
        window: impl Iterator<Item = (usize, &'a Entry)>,
    ) -> Self {
        let starts = window
            .filter_map(|(_, e)| match &e.record {
                Record::StepStarted { step, attempt, .. } => Some((step.as_str(), *attempt)),
                _ => None,
            })
            .collect();
        Self {
            steps,
            severity,
            starts,
            confirmations: HashMap::new(),
            run_at: HashMap::new(),
            unfinished: Vec::new(),
            statement_at: HashMap::new(),
            unsettled: HashMap::new(),
            ending_at: HashMap::new(),
            participant_at: HashMap::new(),
            participants: Vec::new(),
            runs: Vec::new(),
            statements: Vec::new(),
            transactions: Vec::new(),
            refusals: Vec::new(),
            adhoc: Vec::new(),
            adhoc_at: HashMap::new(),
            shells: Vec::new(),
            shell_at: HashMap::new(),
            attempt_rows: Default::default(),
            timeline: Vec::new(),
            severity_changes: Vec::new(),
            host_changes: Vec::new(),
            resolved_by: None,
        }
    }

    fn row(&mut self, e: &Entry, event: TimelineEvent) {
        self.timeline.push(TimelineRow {
            at_ms: e.at_ms,
            by: e.actor.clone(),
            event,
        });
    }

    fn as_is(&mut self, e: &Entry) {
        self.row(e, TimelineEvent::Record(Box::new(e.record.clone())));
    }

    fn count(&mut self, actor: &'a str) {
        match self.participant_at.get(actor) {
            Some(&i) => self.participants[i].1 += 1,
            None => {
                self.participant_at.insert(actor, self.participants.len());
                self.participants.push((actor.to_string(), 1));
            }
        }
    }

    fn entry(&mut self, e: &'a Entry) {
        self.count(&e.actor);
        match &e.record {
            Record::StepStarted {
                step,
                attempt,
                targets,
                command,
                ..
            } => self.start(e, step, *attempt, targets, command),
            Record::StepOutput { step, attempt, .. } => {
                match (
                    self.run_at.get(&(step.as_str(), *attempt)),
                    TargetResult::of(&e.record),
                ) {
                    (Some(&i), Some(result)) => self.runs[i].results.push((e.at_ms, result)),
                    _ => self.as_is(e),
                }
            }
            Record::StepFinished {
                step,
                attempt,
                ok,
                reason,
                ..
            } => match self.run_at.get(&(step.as_str(), *attempt)) {
                Some(&i) => {
                    self.runs[i].end = RunEnd::Finished {
                        at_ms: e.at_ms,
                        ok: *ok,
                        reason: reason.clone(),
                    };
                    self.unfinished.retain(|&u| u != i);
                }
                None => self.as_is(e),
            },
            Record::ConfirmationGiven {
                step,
                attempt,
                answer,
                ..
            } if self.starts.contains(&(step.as_str(), *attempt)) => {
                self.confirmations
                    .insert((step.as_str(), *attempt), (answer.clone(), e.actor.clone()));
            }
            Record::SessionStarted { .. } | Record::SessionEnded { .. } => {
                for i in self.unfinished.drain(..) {
                    self.runs[i].end = RunEnd::Interrupted;
                }
                self.as_is(e);
            }
            Record::SqlStatementStarted { .. }
            | Record::SqlStatementEnded { .. }
            | Record::SqlTransactionEnding { .. }
            | Record::SqlTransactionEnded { .. }
            | Record::SqlRefused { .. } => self.sql(e),
            Record::DangerousRefused {
                step,
                reasons,
                refusal,
                ..
            } => {
                self.refusals.push(Refusal {
                    at_ms: e.at_ms,
                    by: e.actor.clone(),
                    subject: step.clone(),
                    statement: None,
                    guarded_because: reasons.clone(),
                    refusal: refusal.clone(),
                    off_script: false,
                });
                self.as_is(e);
            }
            Record::AdhocStarted {
                run,
                target,
                targets,
                command,
                confirmation,
                ..
            } => {
                let i = self.adhoc.len();
                self.adhoc.push(AdhocCommand {
                    at_ms: e.at_ms,
                    by: e.actor.clone(),
                    target: target.clone(),
                    hosts: targets.clone(),
                    command: command.clone(),
                    confirmation: confirmation.clone(),
                    ends: Vec::new(),
                });
                self.adhoc_at.insert((e.actor.as_str(), *run), i);
                self.row(e, TimelineEvent::Adhoc(i));
            }
            Record::AdhocOutput {
                run,
                host,
                exit,
                reason,
                ..
            } => match self.adhoc_at.get(&(e.actor.as_str(), *run)) {
                Some(&i) => self.adhoc[i]
                    .ends
                    .push((host.clone(), *exit, reason.clone())),
                None => self.as_is(e),
            },
            Record::ShellStarted { session, host, .. } => {
                let i = self.shells.len();
                self.shells.push(ShellSession {
                    at_ms: e.at_ms,
                    by: e.actor.clone(),
                    session: *session,
                    host: host.clone(),
                    end: None,
                });
                self.shell_at.insert(*session, i);
                self.row(e, TimelineEvent::Shell(i));
            }
            // The screen is in the journal for `cockpit replay`; the report folds the shell
            // into the row where it opened.
            Record::ShellOutput { .. } => {}
            Record::ShellEnded {
                session,
                exit,
                reason,
                duration_ms,
                unrecorded_input,
                ..
            } => match self.shell_at.remove(session) {
                Some(i) => {
                    self.shells[i].end = Some(ShellEnd {
                        exit: *exit,
                        reason: reason.clone(),
                        duration_ms: *duration_ms,
                        unrecorded_input: *unrecorded_input,
                    });
                }
                None => self.as_is(e),
            },
            Record::AdhocRefused {
                command,
                targets,
                reasons,
                refusal,
                ..
            } => {
                self.refusals.push(Refusal {
                    at_ms: e.at_ms,
                    by: e.actor.clone(),
                    subject: targets.join(", "),
                    statement: Some(command.clone()),
                    guarded_because: reasons.clone(),
                    refusal: refusal.clone(),
                    off_script: true,
                });
                self.as_is(e);
            }
            Record::SeverityChanged { severity, .. } => {
                self.severity_changes.push(SeverityChange {
                    at_ms: e.at_ms,
                    by: e.actor.clone(),
                    from: self.severity,
                    to: *severity,
                });
                self.severity = *severity;
                self.as_is(e);
            }
            Record::HostStateChanged {
                host,
                from,
                to,
                cause,
                ..
            } => {
                self.host_changes
                    .push((host.clone(), (e.at_ms, *from, *to, cause.clone())));
                self.as_is(e);
            }
            Record::IncidentResolved { .. } => {
                self.resolved_by = Some(e.actor.clone());
                self.as_is(e);
            }
            // Queuing is cockpit's bookkeeping: the row is where the channel took it (or
            // first failed to), and Notifications lists every one.
            Record::NotificationQueued { .. } => {}
            Record::NotificationAttempt { id, outcome, .. } => {
                if self.attempt_rows.shows(id, outcome) {
                    self.as_is(e);
                }
            }
            _ => self.as_is(e),
        }
    }

    fn start(
        &mut self,
        e: &Entry,
        step: &'a str,
        attempt: u32,
        targets: &[String],
        command: &Option<String>,
    ) {
        let key = (step, attempt);
        let snapshot = self.steps.iter().find(|s| s.id == step);
        let i = self.runs.len();
        self.runs.push(StepRun {
            step: step.to_string(),
            title: snapshot.map_or_else(|| step.to_string(), |s| s.title.clone()),
            kind: snapshot.map_or_else(|| "unknown".to_string(), |s| s.kind.clone()),
            attempt,
            at_ms: e.at_ms,
            by: e.actor.clone(),
            targets: targets.to_vec(),
            command: command.clone(),
            confirmation: self.confirmations.remove(&key),
            results: Vec::new(),
            end: RunEnd::Unfinished,
        });
        self.run_at.insert(key, i);
        self.unfinished.push(i);
        self.row(e, TimelineEvent::Run(i));
    }

    fn sql(&mut self, e: &'a Entry) {
        match &e.record {
            Record::SqlStatementStarted {
                database,
                run,
                statement,
                params,
                transaction,
                step,
                confirmation,
                ..
            } => {
                let i = self.statements.len();
                self.statements.push(SqlStatement {
                    at_ms: e.at_ms,
                    by: e.actor.clone(),
                    database: database.clone(),
                    run: *run,
                    statement: statement.clone(),
                    params: params.clone(),
                    transaction: *transaction,
                    step: step.clone(),
                    confirmation: confirmation.clone(),
                    ended: None,
                    settled_by: None,
                });
                self.statement_at.insert((database.as_str(), *run), i);
                if *transaction {
                    self.unsettled.entry(database.as_str()).or_default().push(i);
                }
                self.row(e, TimelineEvent::Sql(i));
            }
            Record::SqlStatementEnded {
                database,
                run,
                duration_ms,
                rows_affected,
                rows_returned,
                error,
                ..
            } => match self.statement_at.get(&(database.as_str(), *run)) {
                Some(&i) => {
                    self.statements[i].ended = Some(SqlResult {
                        at_ms: e.at_ms,
                        duration_ms: *duration_ms,
                        rows_affected: *rows_affected,
                        rows_returned: *rows_returned,
                        error: error.clone(),
                    });
                }
                None => self.as_is(e),
            },
            Record::SqlTransactionEnding {
                database,
                commit,
                reason,
                rows_affected,
                ..
            } => {
                let t = self.transactions.len();
                for s in self.unsettled.remove(database.as_str()).unwrap_or_default() {
                    self.statements[s].settled_by = Some(t);
                }
                self.transactions.push(TransactionEnd {
                    at_ms: e.at_ms,
                    by: e.actor.clone(),
                    database: database.clone(),
                    commit: *commit,
                    reason: reason.clone(),
                    rows_affected: *rows_affected,
                    outcome: None,
                });
                self.ending_at.insert(database.as_str(), t);
                self.row(e, TimelineEvent::Transaction(t));
            }
            Record::SqlTransactionEnded {
                database,
                committed,
                error,
                ..
            } => match self.ending_at.remove(database.as_str()) {
                Some(t) => self.transactions[t].outcome = Some((*committed, error.clone())),
                None => self.as_is(e),
            },
            Record::SqlRefused {
                database,
                statement,
                reason,
                ..
            } => {
                self.refusals.push(Refusal {
                    at_ms: e.at_ms,
                    by: e.actor.clone(),
                    subject: database.clone(),
                    statement: Some(statement.clone()),
                    guarded_because: Vec::new(),
                    refusal: reason.clone(),
                    off_script: false,
                });
                self.as_is(e);
            }
            _ => self.as_is(e),
        }
    }
}
