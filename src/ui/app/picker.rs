//! Several incidents at once: the picker lists the open ones (newest first) and makes the
//! chosen one the incident in front of the operator.

use super::App;
use crate::core::incident::Incident;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::overlay::Overlay;
use crate::ui::pane::Pane;
use crossterm::event::KeyEvent;

impl App {
    /// The open incidents, newest first.
    pub fn open_incidents(&self) -> Vec<&Incident> {
        self.workspace
            .incidents
            .iter()
            .rev()
            .filter(|i| i.is_open())
            .collect()
    }

    /// `I`: the picker, on the incident in front of the operator (or the newest).
    pub(super) fn open_picker(&mut self) {
        let open = self.open_incidents();
        if open.is_empty() {
            self.say_no_incident();
            return;
        }
        let at = open
            .iter()
            .position(|i| Some(i.id.as_str()) == self.active.as_deref())
            .unwrap_or(0);
        self.overlay = Some(Overlay::IncidentPicker(at));
    }

    /// Up/down move, Enter works on the selected incident, Esc keeps the current one.
    pub(super) fn on_picker_key(&mut self, index: usize, key: KeyEvent) -> Vec<Command> {
        let count = self.open_incidents().len();
        let index = match self.keymap.dialog_action(&key, false) {
            Some(Action::Cancel | Action::Close) => return Vec::new(),
            Some(Action::Confirm) => {
                self.choose_incident(index);
                return Vec::new();
            }
            Some(Action::Up) => index.saturating_sub(1),
            Some(Action::Down) => (index + 1).min(count.saturating_sub(1)),
            Some(Action::Top) => 0,
            Some(Action::Bottom) => count.saturating_sub(1),
            _ => index,
        };
        self.overlay = Some(Overlay::IncidentPicker(index));
        Vec::new()
    }

    /// Makes the `index`th open incident the one in front of the operator. Not while a step
    /// runs or waits for its claim: its records name the incident it started on.
    fn choose_incident(&mut self, index: usize) {
        let Some(id) = self.open_incidents().get(index).map(|i| i.id.clone()) else {
            return;
        };
        if self.active.as_deref() == Some(id.as_str()) && self.incident().is_some() {
            return;
        }
        if let Some(step) = self.steps.running_step().or(self.team.claiming()) {
            let text = format!("step `{step}` is running: switch incidents once it ends");
            self.show_error(text);
            return;
        }
        self.active = Some(id.clone());
        self.step_cursor = self.first_open_step();
        self.focus = Pane::Playbook;
        self.flash(format!("working on incident {id}"), false);
    }
}
