//! The open-incident form: a playbook, a severity and a title. Its keys go through the key
//! table's dialog scope; the title field takes the keys that type.

use super::App;
use crate::core::journal::Record;
use crate::core::severity::Severity;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::overlay::{FormField, LineInput, OpenForm, Overlay};
use crossterm::event::KeyEvent;

impl App {
    /// Opens the form on the playbook the grid suggests (the first one otherwise).
    pub(super) fn start_open_incident(&mut self) {
        if self.playbooks.is_empty() {
            self.flash("no playbooks loaded: run `cockpit check` to see why", true);
            return;
        }
        let playbook = self.suggestions().first().map_or(0, |(i, _)| *i);
        let severity = self.playbooks[playbook].severity;
        self.overlay = Some(Overlay::OpenIncident(OpenForm {
            playbook,
            severity,
            title: LineInput::default(),
            field: FormField::Playbook,
        }));
    }

    /// A key in the form: Tab and Shift-Tab move between fields, up and down choose a
    /// playbook, left and right (or up and down) a severity, and the title field edits.
    pub(super) fn on_form_key(&mut self, mut form: OpenForm, key: KeyEvent) -> Vec<Command> {
        let count = self.playbooks.len();
        let typing = form.field == FormField::Title;
        let action = self.keymap.dialog_action(&key, typing);
        match action {
            Some(Action::Cancel) => return Vec::new(),
            Some(Action::Confirm) => return self.submit_open(form),
            Some(Action::NextField) => {
                form.field = match form.field {
                    FormField::Playbook => FormField::Severity,
                    FormField::Severity => FormField::Title,
                    FormField::Title => FormField::Playbook,
                }
            }
            Some(Action::PreviousField) => {
                form.field = match form.field {
                    FormField::Playbook => FormField::Title,
                    FormField::Severity => FormField::Playbook,
                    FormField::Title => FormField::Severity,
                }
            }
            _ => match form.field {
                FormField::Playbook => {
                    let next = match action {
                        Some(Action::Up) => form.playbook.saturating_sub(1),
                        Some(Action::Down) => (form.playbook + 1).min(count.saturating_sub(1)),
                        _ => form.playbook,
                    };
                    if next != form.playbook {
                        form.playbook = next;
                        form.severity = self.playbooks[next].severity;
                    }
                }
                FormField::Severity => {
                    let i = Severity::ALL
                        .iter()
                        .position(|s| *s == form.severity)
                        .unwrap_or(0);
                    let j = match action {
                        Some(Action::PreviousChoice | Action::Up) => i.saturating_sub(1),
                        Some(Action::NextChoice | Action::Down) => (i + 1).min(3),
                        _ => i,
                    };
                    form.severity = Severity::ALL[j];
                }
                FormField::Title => {
                    form.title.edit(&key);
                }
            },
        }
        self.overlay = Some(Overlay::OpenIncident(form));
        Vec::new()
    }

    /// The form sent: journals the incident opened (a blank title takes the playbook's).
    fn submit_open(&mut self, form: OpenForm) -> Vec<Command> {
        let Some(playbook) = self.playbooks.get(form.playbook) else {
            return Vec::new();
        };
        let title = match form.title.text.trim() {
            "" => playbook.title.clone(),
            t => t.to_string(),
        };
        let record = Record::IncidentOpened {
            incident: match self.team.session() {
                Some(session) => crate::core::team::shared_incident_id(
                    self.now_ms,
                    &self.workspace.incidents,
                    session,
                ),
                None => {
                    crate::core::incident::new_incident_id(self.now_ms, &self.workspace.incidents)
                }
            },
            title,
            severity: form.severity,
            playbook: playbook.id.clone(),
            playbook_title: playbook.title.clone(),
            rto_minutes: playbook.rto_minutes,
            checkpoint_minutes: playbook.checkpoint_minutes.clone(),
            fleet: self
                .hosts
                .iter()
                .map(|h| (h.name.clone(), h.tracker.state))
                .collect(),
            steps: playbook.step_snapshots(),
            unhealthy_since_ms: self
                .hosts
                .iter()
                .filter_map(|h| h.tracker.unhealthy_since_ms)
                .min(),
            host: playbook
                .trigger
                .as_ref()
                .and_then(|t| crate::core::run::opening_host(t, &self.host_signals())),
        };
        vec![self.journal(record)]
    }
}
