//! The incident clock: targets and escalation levels the clock passes are journaled once each
//! and flagged in the status line.

use super::App;
use crate::core::journal::Record;
use crate::core::run::clock::elapsed_between;
use crate::core::run::{ClockTargets, Deadlines, Milestone};
use crate::ui::command::Command;

impl App {
    /// What the open incident's clock measures against.
    pub fn clock_targets(&self) -> Option<ClockTargets<'_>> {
        let incident = self.incident()?;
        Some(ClockTargets {
            severity: incident.severity,
            rto_minutes: incident.rto_minutes,
            escalation: &self.inventory.settings.escalation,
            responded: true,
        })
    }

    /// The open incident's deadlines now.
    pub fn deadlines(&self) -> Option<Deadlines> {
        let incident = self.incident()?;
        let elapsed = elapsed_between(incident.opened_at_ms, self.now_ms);
        Some(self.clock_targets()?.deadlines(elapsed))
    }

    /// Journals each milestone the clock has passed that the journal does not hold yet
    /// (nor has on its way to the disk).
    pub(super) fn journal_due_milestones(&mut self) -> Vec<Command> {
        let Some(incident) = self.incident() else {
            return Vec::new();
        };
        let id = incident.id.clone();
        let elapsed = elapsed_between(incident.opened_at_ms, self.now_ms);
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
            self.flash(format!("{id}: {milestone}"), true);
            self.milestones_sent.push((id.clone(), milestone.clone()));
            commands.push(self.journal(Record::MilestoneCrossed {
                incident: id.clone(),
                milestone,
            }));
        }
        commands
    }
}
