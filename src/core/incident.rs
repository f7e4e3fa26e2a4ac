//! Incident state as a fold over journal entries: resume, replay and report share this code.

use crate::core::health::HostState;
use crate::core::journal::{Entry, Milestone, Provenance, Record, StepSnapshot};
use crate::core::metrics::Level;
use crate::core::severity::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a step of an incident stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepStatus {
    /// Not done yet.
    Pending,
    /// Done.
    Done {
        /// Who did it.
        by: String,
        /// When (unix ms).
        at_ms: i64,
    },
    /// Skipped on purpose.
    Skipped {
        /// Who skipped it.
        by: String,
        /// When (unix ms).
        at_ms: i64,
        /// Why.
        reason: String,
    },
    /// A run of it is under way.
    Running {
        /// Which run (1, 2, … per retry).
        attempt: u32,
        /// Who started it.
        by: String,
        /// When it started (unix ms).
        since_ms: i64,
    },
    /// Its last run failed.
    Failed {
        /// Which run.
        attempt: u32,
        /// Who ran it.
        by: String,
        /// When it ended (unix ms).
        at_ms: i64,
        /// Why.
        reason: String,
    },
    /// A run started but cockpit stopped before it finished: what it did is unknown.
    Interrupted {
        /// Which run.
        attempt: u32,
        /// When it started (unix ms).
        since_ms: i64,
    },
}

impl StepStatus {
    /// Who ran, ticked or skipped the step, if anyone.
    pub fn by(&self) -> Option<&str> {
        match self {
            StepStatus::Done { by, .. }
            | StepStatus::Skipped { by, .. }
            | StepStatus::Running { by, .. }
            | StepStatus::Failed { by, .. } => Some(by),
            StepStatus::Pending | StepStatus::Interrupted { .. } => None,
        }
    }

    /// Done or skipped: nothing more to do for it.
    pub fn is_finished(&self) -> bool {
        matches!(self, StepStatus::Done { .. } | StepStatus::Skipped { .. })
    }
}

/// A variable value the journal knows for an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownVariable {
    /// The value (`***` for a secret: it is not in the journal).
    pub value: String,
    /// Where it came from.
    pub provenance: Provenance,
    /// Whether it is secret.
    pub secret: bool,
    /// Who set it (or ran the step that captured it).
    pub by: String,
    /// When (unix ms).
    pub at_ms: i64,
}

/// One target's result in a step run, as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetResult {
    /// The run.
    pub attempt: u32,
    /// The host (or database).
    pub target: String,
    /// Exit status of a command.
    pub exit: Option<i32>,
    /// Rows affected by a statement.
    pub rows: Option<u64>,
    /// Whether it met the expectation.
    pub ok: bool,
    /// The end of its output.
    pub output: String,
    /// Why it failed.
    pub reason: Option<String>,
}

impl TargetResult {
    /// The result a `step_output` record carries (None for any other record).
    pub fn of(record: &Record) -> Option<Self> {
        let Record::StepOutput {
            attempt,
            target,
            exit,
            rows,
            ok,
            output,
            reason,
            ..
        } = record
        else {
            return None;
        };
        Some(Self {
            attempt: *attempt,
            target: target.clone(),
            exit: *exit,
            rows: *rows,
            ok: *ok,
            output: output.clone(),
            reason: reason.clone(),
        })
    }
}

/// A remark the operator wrote on a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepAnnotation {
    /// The step.
    pub step: String,
    /// Who wrote it.
    pub by: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// The remark.
    pub text: String,
}

/// A note written during an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Who wrote it.
    pub by: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// The text.
    pub text: String,
    /// Whether it was broadcast to the incident's notification channels.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub broadcast: bool,
}

/// A log line the operator pinned into the journal as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedLine {
    /// Who pinned it.
    pub by: String,
    /// When (unix ms).
    pub at_ms: i64,
    /// Host the line came from.
    pub host: String,
    /// The line.
    pub text: String,
}

/// One incident, as the journal tells it. Saved in the journal's resume point, where a
/// resolved incident is settled ([`Workspace::settled`]): its empty history is left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Id, e.g. `INC-20261121-0312`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Current severity.
    pub severity: Severity,
    /// Playbook id.
    pub playbook: String,
    /// Playbook title.
    pub playbook_title: String,
    /// The playbook's RTO in minutes.
    pub rto_minutes: Option<u32>,
    /// The playbook's own status checkpoints (minutes), if it has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint_minutes: Option<Vec<u32>>,
    /// Steps as they were when the incident opened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepSnapshot>,
    /// The incident's host: the one that matched the playbook's trigger when it opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Status per step id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub progress: BTreeMap<String, StepStatus>,
    /// Notes, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Log lines pinned during the incident, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned: Vec<PinnedLine>,
    /// Opened when (unix ms).
    pub opened_at_ms: i64,
    /// Opened by.
    pub opened_by: String,
    /// Resolved when and with what summary.
    pub resolved: Option<(i64, String)>,
    /// Runs started per step id (the next run is one more).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attempts: BTreeMap<String, u32>,
    /// Results of each step's latest run, per step id, in the order they came.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub results: BTreeMap<String, Vec<TargetResult>>,
    /// Variable values journaled, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, KnownVariable>,
    /// Clock milestones journaled, with when (unix ms), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<(Milestone, i64)>,
    /// Remarks on steps, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<StepAnnotation>,
    /// The latest confirmation of each guarded step, per step id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub confirmations: BTreeMap<String, Confirmation>,
    /// Off-script commands run during the incident, oldest first, as journaled (secrets
    /// masked, after `role:NAME` / `tag:NAME` when they ran on one): the history the ad-hoc
    /// prompt recalls, and how the next run is numbered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adhoc: Vec<String>,
}

/// Who confirmed a guarded step's run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Confirmation {
    /// The run it allowed.
    pub attempt: u32,
    /// Who confirmed (the entry's actor).
    pub by: String,
    /// When (unix ms).
    pub at_ms: i64,
}

impl Incident {
    /// The status of a step (pending when never touched).
    pub fn status(&self, step: &str) -> &StepStatus {
        self.progress.get(step).unwrap_or(&StepStatus::Pending)
    }

    /// Steps done or skipped, and the total.
    pub fn progress_counts(&self) -> (usize, usize) {
        let finished = self
            .steps
            .iter()
            .filter(|s| self.status(&s.id).is_finished())
            .count();
        (finished, self.steps.len())
    }

    /// The attempt number the next run of a step gets.
    pub fn next_attempt(&self, step: &str) -> u32 {
        self.attempts.get(step).copied().unwrap_or(0) + 1
    }

    /// The milestones already journaled (pass to `ClockTargets::due`).
    pub fn journaled_milestones(&self) -> Vec<Milestone> {
        self.milestones.iter().map(|(m, _)| m.clone()).collect()
    }

    /// Every step `actor` was running becomes interrupted: their session that ran it is gone.
    /// Steps another operator runs go on (in a shared journal, their session is not this one).
    fn interrupt_running(&mut self, actor: &str) {
        for status in self.progress.values_mut() {
            if let StepStatus::Running {
                attempt,
                since_ms,
                by,
            } = status
                && by == actor
            {
                *status = StepStatus::Interrupted {
                    attempt: *attempt,
                    since_ms: *since_ms,
                };
            }
        }
    }

    /// Drops the steps' history: what a live session never reads of a resolved incident.
    fn settle(&mut self) {
        self.steps = Vec::new();
        self.progress = BTreeMap::new();
        self.notes = Vec::new();
        self.pinned = Vec::new();
        self.attempts = BTreeMap::new();
        self.results = BTreeMap::new();
        self.variables = BTreeMap::new();
        self.milestones = Vec::new();
        self.annotations = Vec::new();
        self.confirmations = BTreeMap::new();
        self.adhoc = Vec::new();
    }

    /// Whether the incident is still open.
    pub fn is_open(&self) -> bool {
        self.resolved.is_none()
    }
}

/// The line the prompt recalls for a journaled run: the command after `role:NAME` or
/// `tag:NAME` when it ran on a role or tag (`target` as `adhoc_started` records it), else the
/// command alone (it runs on whichever host is selected then).
pub fn adhoc_recall_line(target: &str, command: &str) -> String {
    match target.split_once(' ') {
        Some((kind @ ("role" | "tag"), name)) => format!("{kind}:{name} {command}"),
        _ => command.to_string(),
    }
}

/// Everything the journal says, folded.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Workspace {
    /// Incidents in the order they were opened.
    pub incidents: Vec<Incident>,
    /// Last journaled state per host.
    pub host_states: BTreeMap<String, HostState>,
    /// Last journaled resource pressure per host, with what the metrics said.
    pub host_pressure: BTreeMap<String, (Level, String)>,
    /// Drill faults active per host.
    pub faults: BTreeMap<String, String>,
    /// Log lines pinned while no incident was open, oldest first.
    pub loose_pins: Vec<PinnedLine>,
    /// Off-script commands run while no incident was open, oldest first (secrets masked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loose_adhoc: Vec<String>,
    /// Interactive shells recorded in the journal (the last one's number).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shells: u64,
    /// How far the drill's clock runs ahead of the wall clock (ms): the sum of its
    /// `drill_clock_advanced` entries.
    #[serde(default)]
    pub drill_clock_ms: i64,
    /// Notifications queued and not yet delivered or given up.
    #[serde(default)]
    pub outbox: crate::core::notify::Outbox,
    /// Sequence number of the last entry folded.
    pub last_seq: u64,
    /// Entries folded.
    pub entries: u64,
}

impl Workspace {
    /// Folds entries from the start.
    pub fn fold<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Self {
        let mut ws = Self::default();
        for e in entries {
            ws.apply(e);
        }
        ws
    }

    /// The workspace as a live session needs it: a resolved incident keeps what names it (id,
    /// title, severity, playbook, who opened it and when, its resolution) and drops its steps'
    /// history, which only replay and the report read, from the journal itself. A journal of a
    /// thousand past incidents then resumes from a small saved fold (the journal store's resume
    /// point). Settling commutes with folding: folding on from a settled workspace and settling
    /// gives the settled fold of the whole.
    pub fn settled(mut self) -> Self {
        for incident in self.incidents.iter_mut().filter(|i| !i.is_open()) {
            incident.settle();
        }
        self
    }

    /// The incident currently open (the latest one not resolved).
    pub fn open_incident(&self) -> Option<&Incident> {
        self.incidents.iter().rev().find(|i| i.is_open())
    }

    /// The off-script commands run on `incident` (or with no incident open, for None), oldest
    /// first, secrets masked: the history the ad-hoc prompt recalls. The next run's number is
    /// one more than its length.
    pub fn adhoc_history(&self, incident: Option<&str>) -> &[String] {
        match incident {
            Some(id) => self
                .incidents
                .iter()
                .rev()
                .find(|i| i.id == id)
                .map_or(&[][..], |i| i.adhoc.as_slice()),
            None => &self.loose_adhoc,
        }
    }

    /// Searched from the newest: entries are nearly always about the latest incident, so a
    /// journal of hundreds of incidents folds in linear time.
    fn incident_mut(&mut self, id: &str) -> Option<&mut Incident> {
        self.incidents.iter_mut().rev().find(|i| i.id == id)
    }

    /// Applies one entry. Entries about unknown incidents change nothing.
    pub fn apply(&mut self, entry: &Entry) {
        self.last_seq = entry.seq;
        self.entries += 1;
        let (by, at_ms) = (entry.actor.clone(), entry.at_ms);
        match &entry.record {
            Record::IncidentOpened {
                incident,
                title,
                severity,
                playbook,
                playbook_title,
                rto_minutes,
                checkpoint_minutes,
                steps,
                fleet,
                host,
                ..
            } => {
                self.host_states
                    .extend(fleet.iter().map(|(h, s)| (h.clone(), *s)));
                self.incidents.push(Incident {
                    id: incident.clone(),
                    title: title.clone(),
                    severity: *severity,
                    playbook: playbook.clone(),
                    playbook_title: playbook_title.clone(),
                    rto_minutes: *rto_minutes,
                    checkpoint_minutes: checkpoint_minutes.clone(),
                    steps: steps.clone(),
                    host: host.clone(),
                    progress: BTreeMap::new(),
                    notes: Vec::new(),
                    pinned: Vec::new(),
                    opened_at_ms: at_ms,
                    opened_by: by,
                    resolved: None,
                    attempts: BTreeMap::new(),
                    results: BTreeMap::new(),
                    variables: BTreeMap::new(),
                    milestones: Vec::new(),
                    annotations: Vec::new(),
                    confirmations: BTreeMap::new(),
                    adhoc: Vec::new(),
                });
            }
            Record::SeverityChanged { incident, severity } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.severity = *severity;
                }
            }
            Record::StepCompleted { incident, step } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.progress
                        .insert(step.clone(), StepStatus::Done { by, at_ms });
                }
            }
            Record::StepSkipped {
                incident,
                step,
                reason,
            } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.progress.insert(
                        step.clone(),
                        StepStatus::Skipped {
                            by,
                            at_ms,
                            reason: reason.clone(),
                        },
                    );
                }
            }
            Record::StepReopened { incident, step } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.progress.remove(step);
                }
            }
            Record::NoteAdded {
                incident,
                text,
                broadcast,
            } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.notes.push(Note {
                        by,
                        at_ms,
                        text: text.clone(),
                        broadcast: *broadcast,
                    });
                }
            }
            Record::LogPinned {
                incident,
                host,
                text,
            } => {
                let pin = PinnedLine {
                    by,
                    at_ms,
                    host: host.clone(),
                    text: text.clone(),
                };
                match incident {
                    Some(id) => {
                        if let Some(i) = self.incident_mut(id) {
                            i.pinned.push(pin);
                        }
                    }
                    None => self.loose_pins.push(pin),
                }
            }
            Record::IncidentResolved { incident, summary } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.resolved = Some((at_ms, summary.clone()));
                }
            }
            Record::HostStateChanged { host, to, .. } => {
                self.host_states.insert(host.clone(), *to);
            }
            Record::HostPressureChanged {
                host, to, summary, ..
            } => {
                self.host_pressure
                    .insert(host.clone(), (*to, summary.clone()));
            }
            Record::FaultInjected { host, fault } => {
                self.faults.insert(host.clone(), fault.clone());
            }
            Record::FaultCleared { host } => {
                self.faults.remove(host);
            }
            Record::ShellStarted { session, .. } => self.shells = self.shells.max(*session),
            Record::SessionStarted { .. } | Record::SessionEnded { .. } => {
                for i in &mut self.incidents {
                    i.interrupt_running(&entry.actor);
                }
            }
            Record::AdhocStarted {
                incident,
                target,
                command,
                ..
            } => {
                let line = adhoc_recall_line(target, command);
                match incident {
                    Some(id) => {
                        if let Some(i) = self.incident_mut(id) {
                            i.adhoc.push(line);
                        }
                    }
                    None => self.loose_adhoc.push(line),
                }
            }
            Record::DrillClockAdvanced { minutes, .. } => {
                self.drill_clock_ms = self
                    .drill_clock_ms
                    .saturating_add(i64::from(*minutes) * 60_000);
            }
            Record::NotificationQueued {
                id,
                channel,
                via,
                notice,
                ..
            } => self.outbox.queue(at_ms, &by, id, channel, *via, notice),
            Record::NotificationAttempt {
                id,
                attempt,
                outcome,
                ..
            } => self.outbox.attempted(at_ms, id, *attempt, outcome),
            Record::HostDiagnosed { .. }
            | Record::AdhocOutput { .. }
            | Record::AdhocRefused { .. }
            | Record::ShellOutput { .. }
            | Record::ShellEnded { .. }
            | Record::HeadSigned { .. }
            | Record::HeadNotSigned { .. }
            | Record::HostKeyTrusted { .. }
            | Record::DangerousRefused { .. }
            | Record::SqlStatementStarted { .. }
            | Record::SqlStatementEnded { .. }
            | Record::SqlTransactionEnding { .. }
            | Record::SqlTransactionEnded { .. }
            | Record::SqlRefused { .. } => {}
            Record::StepStarted {
                incident,
                step,
                attempt,
                ..
            } => {
                if let Some(i) = self.incident_mut(incident) {
                    let runs = i.attempts.entry(step.clone()).or_insert(0);
                    *runs = (*runs).max(*attempt);
                    i.results.insert(step.clone(), Vec::new());
                    i.progress.insert(
                        step.clone(),
                        StepStatus::Running {
                            attempt: *attempt,
                            by,
                            since_ms: at_ms,
                        },
                    );
                }
            }
            Record::ConfirmationGiven {
                incident,
                step,
                attempt,
                ..
            } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.confirmations.insert(
                        step.clone(),
                        Confirmation {
                            attempt: *attempt,
                            by,
                            at_ms,
                        },
                    );
                }
            }
            Record::StepOutput { incident, step, .. } => {
                if let (Some(i), Some(result)) =
                    (self.incident_mut(incident), TargetResult::of(&entry.record))
                {
                    i.results.entry(step.clone()).or_default().push(result);
                }
            }
            Record::StepFinished {
                incident,
                step,
                attempt,
                ok,
                reason,
            } => {
                if let Some(i) = self.incident_mut(incident) {
                    let runs = i.attempts.entry(step.clone()).or_insert(0);
                    *runs = (*runs).max(*attempt);
                    let status = if *ok {
                        StepStatus::Done { by, at_ms }
                    } else {
                        StepStatus::Failed {
                            attempt: *attempt,
                            by,
                            at_ms,
                            reason: reason.clone().unwrap_or_else(|| "failed".to_string()),
                        }
                    };
                    i.progress.insert(step.clone(), status);
                }
            }
            Record::VariableSet {
                incident,
                name,
                value,
                provenance,
                secret,
            } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.variables.insert(
                        name.clone(),
                        KnownVariable {
                            value: value.clone(),
                            provenance: provenance.clone(),
                            secret: *secret,
                            by,
                            at_ms,
                        },
                    );
                }
            }
            Record::StepAnnotated {
                incident,
                step,
                text,
            } => {
                if let Some(i) = self.incident_mut(incident) {
                    i.annotations.push(StepAnnotation {
                        step: step.clone(),
                        by,
                        at_ms,
                        text: text.clone(),
                    });
                }
            }
            Record::MilestoneCrossed {
                incident,
                milestone,
            } => {
                if let Some(i) = self.incident_mut(incident)
                    && !i.milestones.iter().any(|(m, _)| m == milestone)
                {
                    i.milestones.push((milestone.clone(), at_ms));
                }
            }
        }
    }
}

/// A new incident id from the opening time (UTC), unique among `existing`.
pub fn new_incident_id(now_ms: i64, existing: &[Incident]) -> String {
    let stamp = chrono::DateTime::from_timestamp_millis(now_ms)
        .map(|t| t.format("%Y%m%d-%H%M").to_string())
        .unwrap_or_else(|| now_ms.to_string());
    let base = format!("INC-{stamp}");
    let taken = |id: &str| existing.iter().any(|i| i.id == id);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .unwrap_or(base)
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::redact::Redactor;

    fn entries(records: Vec<Record>) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for (i, r) in records.into_iter().enumerate() {
            let prev = out.last().map(|e| (e.seq, e.hash.clone()));
            let sealed = Entry::seal(
                prev.as_ref().map(|(s, h)| (*s, h.as_str())),
                1000 * i as i64,
                "op@bastion",
                &r,
                &Redactor::default(),
            );
            out.extend(sealed.ok());
        }
        out
    }

    fn opened() -> Record {
        Record::IncidentOpened {
            host: None,
            checkpoint_minutes: None,
            incident: "INC-1".into(),
            title: "主应用服务器宕机".into(),
            severity: Severity::P0,
            playbook: "primary-app-down".into(),
            playbook_title: "Primary down".into(),
            rto_minutes: Some(30),
            steps: ["a", "b", "c"]
                .iter()
                .map(|s| StepSnapshot {
                    id: s.to_string(),
                    title: s.to_string(),
                    kind: "manual".into(),
                })
                .collect(),
            fleet: [("app-primary".to_string(), HostState::Down)].into(),
            unhealthy_since_ms: None,
        }
    }

    #[test]
    fn fold_tracks_steps_notes_severity_and_resolution() {
        let inc = || "INC-1".to_string();
        let es = entries(vec![
            opened(),
            Record::StepCompleted {
                incident: inc(),
                step: "a".into(),
            },
            Record::StepSkipped {
                incident: inc(),
                step: "b".into(),
                reason: "n/a".into(),
            },
            Record::StepCompleted {
                incident: inc(),
                step: "c".into(),
            },
            Record::StepReopened {
                incident: inc(),
                step: "c".into(),
            },
            Record::SeverityChanged {
                incident: inc(),
                severity: Severity::P1,
            },
            Record::NoteAdded {
                broadcast: false,
                incident: inc(),
                text: "backup restored".into(),
            },
        ]);
        let ws = Workspace::fold(&es);
        let Some(i) = ws.open_incident() else {
            panic!("no open incident")
        };
        assert_eq!(i.severity, Severity::P1);
        assert_eq!(i.progress_counts(), (2, 3));
        assert!(matches!(
            i.status("a"),
            StepStatus::Done { at_ms: 1000, .. }
        ));
        assert_eq!(i.status("c"), &StepStatus::Pending);
        assert_eq!(i.notes.len(), 1);
        assert_eq!(ws.last_seq, 7);
        assert_eq!(ws.host_states.get("app-primary"), Some(&HostState::Down));

        let mut more = es.clone();
        more.extend(
            entries(vec![Record::IncidentResolved {
                incident: inc(),
                summary: "ok".into(),
            }])
            .into_iter()
            .map(|mut e| {
                e.seq = 8;
                e
            }),
        );
        assert!(Workspace::fold(&more).open_incident().is_none());
    }

    #[test]
    fn pins_go_to_their_incident_or_stay_loose() {
        let es = entries(vec![
            Record::LogPinned {
                incident: None,
                host: "nginx-1".into(),
                text: "before".into(),
            },
            opened(),
            Record::LogPinned {
                incident: Some("INC-1".into()),
                host: "app-backup".into(),
                text: "Cannot connect to database".into(),
            },
            Record::LogPinned {
                incident: Some("INC-unknown".into()),
                host: "x".into(),
                text: "ignored".into(),
            },
        ]);
        let ws = Workspace::fold(&es);
        assert_eq!(ws.loose_pins.len(), 1);
        assert_eq!(ws.loose_pins[0].text, "before");
        let pinned = ws
            .open_incident()
            .map(|i| i.pinned.clone())
            .unwrap_or_default();
        assert_eq!(
            pinned,
            vec![PinnedLine {
                by: "op@bastion".into(),
                at_ms: 2000,
                host: "app-backup".into(),
                text: "Cannot connect to database".into(),
            }]
        );
    }

    #[test]
    fn fold_is_the_same_however_it_is_split() {
        let es = entries(vec![
            opened(),
            Record::StepCompleted {
                incident: "INC-1".into(),
                step: "a".into(),
            },
        ]);
        let mut ws = Workspace::fold(&es[..1]);
        ws.apply(&es[1]);
        assert_eq!(ws, Workspace::fold(&es));
    }

    #[test]
    fn settling_commutes_with_folding_and_survives_a_round_trip() {
        let on = |id: &str| {
            let mut r = opened();
            if let Record::IncidentOpened { incident, .. } = &mut r {
                *incident = id.into();
            }
            r
        };
        let done = |id: &str, step: &str| Record::StepCompleted {
            incident: id.into(),
            step: step.into(),
        };
        let note = |id: &str| Record::NoteAdded {
            broadcast: false,
            incident: id.into(),
            text: "数据库已切换".into(),
        };
        let es = entries(vec![
            on("INC-1"),
            done("INC-1", "a"),
            note("INC-1"),
            Record::StepStarted {
                incident: "INC-1".into(),
                step: "b".into(),
                attempt: 1,
                targets: vec!["app-backup".into()],
                command: Some("true".into()),
            },
            Record::IncidentResolved {
                incident: "INC-1".into(),
                summary: "restored".into(),
            },
            // Entries about a resolved incident still come (a late note, a severity fix).
            note("INC-1"),
            Record::SeverityChanged {
                incident: "INC-1".into(),
                severity: Severity::P2,
            },
            on("INC-2"),
            done("INC-2", "a"),
            Record::SessionEnded {
                reason: "quit".into(),
            },
            note("INC-2"),
        ]);
        let whole = Workspace::fold(&es).settled();
        assert!(whole.incidents[0].notes.is_empty(), "INC-1 is settled");
        assert_eq!(whole.incidents[0].severity, Severity::P2);
        assert_eq!(
            whole.incidents[1].notes.len(),
            1,
            "INC-2 is open: kept whole"
        );
        for cut in 0..=es.len() {
            let mut ws = Workspace::fold(&es[..cut]).settled();
            for e in &es[cut..] {
                ws.apply(e);
            }
            assert_eq!(ws.settled(), whole, "split at {cut}");
        }
        let saved = serde_json::to_string(&whole).unwrap_or_default();
        assert_eq!(serde_json::from_str::<Workspace>(&saved).ok(), Some(whole));
    }

    #[test]
    fn step_runs_fold_into_status_attempts_and_results() {
        let inc = || "INC-1".to_string();
        let started = |attempt| Record::StepStarted {
            incident: inc(),
            step: "a".into(),
            attempt,
            targets: vec!["app-backup".into()],
            command: Some("mysql < x".into()),
        };
        let es = entries(vec![
            opened(),
            started(1),
            Record::StepOutput {
                incident: inc(),
                step: "a".into(),
                attempt: 1,
                target: "app-backup".into(),
                exit: Some(1),
                rows: None,
                ok: false,
                output: "ERROR 1045".into(),
                reason: Some("exit 1, expected 0".into()),
            },
            Record::StepFinished {
                incident: inc(),
                step: "a".into(),
                attempt: 1,
                ok: false,
                reason: Some("app-backup: exit 1, expected 0".into()),
            },
        ]);
        let ws = Workspace::fold(&es);
        let Some(i) = ws.open_incident() else {
            panic!("no incident")
        };
        assert!(matches!(
            i.status("a"),
            StepStatus::Failed { attempt: 1, reason, .. } if reason == "app-backup: exit 1, expected 0"
        ));
        assert_eq!(i.results.get("a").map(Vec::len), Some(1));
        assert_eq!(i.next_attempt("a"), 2);
        assert_eq!(i.progress_counts(), (0, 3));

        let mut more = es.clone();
        more.extend(entries(vec![opened(), started(2)]).into_iter().skip(1));
        let ws = Workspace::fold(&more);
        let i = ws.open_incident().cloned();
        assert!(matches!(
            i.as_ref().map(|i| i.status("a")),
            Some(StepStatus::Running { attempt: 2, .. })
        ));
        assert_eq!(
            i.and_then(|i| i.results.get("a").map(Vec::len)),
            Some(0),
            "a new run starts with no results"
        );
    }

    #[test]
    fn another_operators_session_does_not_interrupt_my_running_step() {
        let es = entries(vec![
            opened(),
            Record::StepStarted {
                incident: "INC-1".into(),
                step: "b".into(),
                attempt: 1,
                targets: Vec::new(),
                command: None,
            },
        ]);
        let mut ws = Workspace::fold(&es);
        for record in [
            Record::SessionStarted {
                version: "0.1.0".into(),
                mode: "live".into(),
                role: None,
            },
            Record::SessionEnded {
                reason: "operator quit".into(),
            },
        ] {
            let Ok(theirs) =
                Entry::seal(None, 5000, "bob@bastion-2", &record, &Redactor::default())
            else {
                panic!("sealing a test entry failed");
            };
            ws.apply(&theirs);
        }
        assert!(matches!(
            ws.open_incident().map(|i| i.status("b")),
            Some(StepStatus::Running { attempt: 1, .. })
        ));
    }

    #[test]
    fn a_run_without_its_finish_reads_as_interrupted_after_a_restart() {
        let es = entries(vec![
            opened(),
            Record::StepStarted {
                incident: "INC-1".into(),
                step: "b".into(),
                attempt: 1,
                targets: Vec::new(),
                command: None,
            },
            Record::SessionStarted {
                version: "0.1.0".into(),
                mode: "live".into(),
                role: None,
            },
        ]);
        let ws = Workspace::fold(&es);
        assert!(matches!(
            ws.open_incident().map(|i| i.status("b")),
            Some(StepStatus::Interrupted {
                attempt: 1,
                since_ms: 1000
            })
        ));
    }

    #[test]
    fn variables_milestones_and_annotations_fold_once() {
        use crate::core::journal::{Milestone, Provenance};
        let crossed = || Record::MilestoneCrossed {
            incident: "INC-1".into(),
            milestone: Milestone::Escalation {
                who: "team lead".into(),
            },
        };
        let es = entries(vec![
            opened(),
            Record::VariableSet {
                incident: "INC-1".into(),
                name: "failed_ip".into(),
                value: "198.51.100.86".into(),
                provenance: Provenance::IncidentFact {
                    host: "app-primary".into(),
                    fact: "public_ip".into(),
                },
                secret: false,
            },
            crossed(),
            crossed(),
            Record::StepAnnotated {
                incident: "INC-1".into(),
                step: "a".into(),
                text: "dump is from 03:00".into(),
            },
        ]);
        let ws = Workspace::fold(&es);
        let Some(i) = ws.open_incident() else {
            panic!("no incident")
        };
        assert_eq!(
            i.variables.get("failed_ip").map(|v| v.value.as_str()),
            Some("198.51.100.86")
        );
        assert_eq!(
            i.journaled_milestones(),
            [Milestone::Escalation {
                who: "team lead".into()
            }]
        );
        assert_eq!(i.milestones[0].1, 2000);
        assert_eq!(i.annotations.len(), 1);
        assert_eq!(i.annotations[0].text, "dump is from 03:00");
    }

    #[test]
    fn incident_ids_are_unique() {
        let ws = Workspace::fold(&entries(vec![opened()]));
        let id = new_incident_id(0, &ws.incidents);
        assert_eq!(id, "INC-19700101-0000");
        let mut taken = ws.incidents.clone();
        taken[0].id = id.clone();
        assert_eq!(new_incident_id(0, &taken), "INC-19700101-0000-2");
    }
}
