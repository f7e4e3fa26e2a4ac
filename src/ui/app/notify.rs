//! Telling people: each entry this cockpit journals may send notices (an incident opened, an
//! escalation level reached, …). They are journaled as queued first, then sent off the UI
//! task one per channel at a time; each attempt comes back as an event and is journaled, and
//! a failed one is tried again later. What is still queued when cockpit stops is in the
//! journal's outbox and sent on the next start. A notice goes out as the journal stored it,
//! so the journal's masking of secrets is the one that counts.

use super::{App, RunMode};
use crate::core::journal::{Entry, Record};
use crate::core::notice_routes::{RouteContext, notices_for};
use crate::core::notify::outbox::{MAX_WAITING_PER_CHANNEL, after_failure};
use crate::core::notify::{AttemptOutcome, Pending};
use crate::ui::command::Command;
use std::collections::{BTreeMap, BTreeSet};

/// The attempts under way, per channel: at most one each, so a channel's notices go out in
/// the order they were queued.
#[derive(Debug, Default)]
pub struct NotifyState {
    /// Channel name → the notification id being sent or whose attempt is being journaled.
    in_flight: BTreeMap<String, String>,
    /// Channels already said to be failing on the status line's flash (said once per run of
    /// failures).
    said_failing: BTreeSet<String>,
    /// Whether this session has looked at the outbox yet: at its first look, whatever waits is
    /// sent at once, its retry delay from an earlier session not waited for (the channel may
    /// have been fixed in between: that is often why cockpit was started again).
    looked: bool,
}

impl App {
    /// Journals, as queued, the notices a newly stored entry of this cockpit sends. Called
    /// before the entry is folded: the routes read the incident as it stood before it.
    pub(super) fn queue_notices(&mut self, entry: &Entry) -> Vec<Command> {
        if self.mode == RunMode::Replay {
            return Vec::new();
        }
        let incident = entry
            .record
            .incident()
            .and_then(|id| self.workspace.incidents.iter().rev().find(|i| i.id == id));
        let context = RouteContext {
            channels: &self.inventory.notify,
            escalation: &self.inventory.settings.escalation,
            incident,
            drill: self.mode == RunMode::Demo,
            hosts: &self.workspace.host_states,
            journal: &self.journal_label,
        };
        let routed = notices_for(entry, &context);
        if routed.is_empty() {
            if matches!(
                entry.record,
                Record::NoteAdded {
                    broadcast: true,
                    ..
                }
            ) {
                self.flash(
                    "note journaled; no notification channel carries broadcast notes",
                    true,
                );
            }
            return Vec::new();
        }
        let me = self.operator.to_string();
        let mut commands = Vec::new();
        for r in routed {
            let incident = r.notice.incident.clone();
            let full =
                self.workspace.outbox.waiting(&me, Some(&r.channel)) >= MAX_WAITING_PER_CHANNEL;
            let (id, channel, via, about) = (
                r.id.clone(),
                r.channel.clone(),
                r.via,
                r.notice.about.clone(),
            );
            commands.push(self.journal(Record::NotificationQueued {
                incident: incident.clone(),
                id: r.id,
                channel: r.channel,
                via: r.via,
                notice: r.notice,
            }));
            if full {
                commands.push(self.journal(Record::NotificationAttempt {
                    incident,
                    id,
                    channel: channel.clone(),
                    via,
                    about,
                    attempt: 0,
                    outcome: AttemptOutcome::GaveUp {
                        error: format!(
                            "{MAX_WAITING_PER_CHANNEL} notifications already wait on {channel}"
                        ),
                    },
                }));
            }
        }
        commands
    }

    /// Sends each channel's oldest waiting notice whose time has come, when none of that
    /// channel's is under way.
    pub(super) fn send_due_notices(&mut self) -> Vec<Command> {
        if self.mode == RunMode::Replay || self.journal_unconfirmed {
            return Vec::new();
        }
        let me = self.operator.to_string();
        let busy: BTreeSet<String> = self.notify.in_flight.keys().cloned().collect();
        let now = if std::mem::replace(&mut self.notify.looked, true) {
            self.now_ms
        } else {
            i64::MAX
        };
        let due: Vec<Pending> = self
            .workspace
            .outbox
            .due(&me, now, &busy)
            .into_iter()
            .cloned()
            .collect();
        let mut commands = Vec::new();
        for p in due {
            self.notify
                .in_flight
                .insert(p.channel.clone(), p.id.clone());
            let attempt = p.attempts + 1;
            if self.inventory.notify.iter().any(|c| c.name == p.channel) {
                commands.push(Command::Notify {
                    id: p.id,
                    channel: p.channel,
                    notice: p.notice,
                    attempt,
                });
            } else {
                let error = format!("no channel named {} in the inventory any more", p.channel);
                commands.push(self.journal_attempt(
                    &p,
                    attempt - 1,
                    AttemptOutcome::GaveUp { error },
                ));
            }
        }
        commands
    }

    /// An attempt at sending came back: journal it (a failure with when it is tried again).
    pub(super) fn on_notified(
        &mut self,
        id: String,
        attempt: u32,
        result: Result<String, String>,
    ) -> Vec<Command> {
        let Some(p) = self
            .workspace
            .outbox
            .pending
            .iter()
            .find(|p| p.id == id)
            .cloned()
        else {
            return Vec::new();
        };
        let outcome = match result {
            Ok(answer) => {
                self.notify.said_failing.remove(&p.channel);
                AttemptOutcome::Delivered { answer }
            }
            Err(error) => {
                let error = self.redactor.redact(&error);
                if self.notify.said_failing.insert(p.channel.clone()) {
                    self.flash(
                        format!("notification via {} failed: {error}; retrying", p.channel),
                        true,
                    );
                }
                after_failure(attempt, error)
            }
        };
        if let AttemptOutcome::GaveUp { error } = &outcome {
            self.flash(
                format!("notification via {} given up: {error}", p.channel),
                true,
            );
        }
        vec![self.journal_attempt(&p, attempt, outcome)]
    }

    fn journal_attempt(&mut self, p: &Pending, attempt: u32, outcome: AttemptOutcome) -> Command {
        self.journal(Record::NotificationAttempt {
            incident: p.notice.incident.clone(),
            id: p.id.clone(),
            channel: p.channel.clone(),
            via: p.via,
            about: p.notice.about.clone(),
            attempt,
            outcome,
        })
    }

    /// An attempt is journaled: its channel may send again.
    pub(super) fn on_attempt_journaled(&mut self, record: &Record) {
        if let Record::NotificationAttempt { id, channel, .. } = record
            && self.notify.in_flight.get(channel) == Some(id)
        {
            self.notify.in_flight.remove(channel);
        }
    }

    /// The channels failing now, with their oldest waiting notice: for the status line.
    pub fn failing_channels(&self) -> Vec<&Pending> {
        self.workspace.outbox.failing(&self.operator.to_string())
    }

    /// Notifications this cockpit queued that wait to be sent.
    pub fn notices_waiting(&self) -> usize {
        self.workspace
            .outbox
            .waiting(&self.operator.to_string(), None)
    }
}
