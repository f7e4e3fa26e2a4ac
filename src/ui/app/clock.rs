//! The incident clock: targets and escalation levels the clock passes are journaled once each
//! and flagged in the status line.

use super::App;
use crate::core::journal::Record;
use crate::core::role::Role;
use crate::core::run::clock::elapsed_between;
use crate::core::run::{ClockTargets, Deadlines, Milestone};
use crate::ui::command::Command;
use std::time::Duration;

/// How long another operator's cockpit waits for the incident opener's to journal a milestone
/// before it journals the milestone itself.
pub const MILESTONE_STANDIN_DELAY: Duration = Duration::from_secs(30);

impl App {
    /// What the open incident's clock measures against.
    pub fn clock_targets(&self) -> Option<ClockTargets<'_>> {
        let incident = self.incident()?;
        let settings = &self.inventory.settings;
        let checkpoints: &[u32] = match &incident.checkpoint_minutes {
            Some(own) => own,
            None if settings.checkpoint_severities.contains(&incident.severity) => {
                &settings.checkpoint_minutes
            }
            None => &[],
        };
        Some(ClockTargets {
            severity: incident.severity,
            rto_minutes: incident.rto_minutes,
            escalation: &settings.escalation,
            responded: true,
            checkpoints,
        })
    }

    /// The open incident's deadlines now.
    pub fn deadlines(&self) -> Option<Deadlines> {
        let incident = self.incident()?;
        let elapsed = elapsed_between(incident.opened_at_ms, self.now_ms);
        Some(self.clock_targets()?.deadlines(elapsed))
    }

    /// How long after a milestone falls due this cockpit journals it, if ever. On a shared
    /// journal every cockpit's clock passes it in the same second: the incident's opener
    /// journals it at once, another operator only when it is still missing after
    /// [`MILESTONE_STANDIN_DELAY`] (the opener's cockpit is gone or offline), and an observer
    /// never, so the team's timeline holds each milestone once.
    fn milestone_delay(&self, opened_by: &str) -> Option<Duration> {
        if self.shared.is_none() || opened_by == self.operator.to_string() {
            Some(Duration::ZERO)
        } else if self.role == Role::Observer {
            None
        } else {
            Some(MILESTONE_STANDIN_DELAY)
        }
    }

    /// Journals each milestone the clock has passed that the journal does not hold yet
    /// (nor has on its way to the disk).
    pub(super) fn journal_due_milestones(&mut self) -> Vec<Command> {
        let Some(incident) = self.incident().filter(|_| !self.journal_unconfirmed) else {
            return Vec::new();
        };
        let Some(delay) = self.milestone_delay(&incident.opened_by) else {
            return Vec::new();
        };
        let id = incident.id.clone();
        let Some(elapsed) = elapsed_between(incident.opened_at_ms, self.now_ms).checked_sub(delay)
        else {
            return Vec::new();
        };
        let mut known = incident.journaled_milestones();
        known.extend(
            self.milestones_sent
                .iter()
                .filter(|(i, _)| *i == id)
                .map(|(_, m)| m.clone()),
        );
        let due: Vec<Milestone> = self
            .clock_targets()
            .map(|c| c.due(elapsed, &known))
            .unwrap_or_default();
        let mut commands = Vec::new();
        for milestone in due {
            self.announce(format!("{id}: {milestone}"), true);
            self.milestones_sent.push((id.clone(), milestone.clone()));
            commands.push(self.journal(Record::MilestoneCrossed {
                incident: id.clone(),
                milestone,
            }));
        }
        commands
    }
}
