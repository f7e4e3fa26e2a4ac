//! Keys of the dialogs drawn over the panes. Every key goes through the key table's dialog
//! scope ([`Keymap::dialog_action`](crate::ui::keymap::Keymap::dialog_action)); each dialog
//! acts on the actions it has a use for and keeps itself open on the others. Dialogs with a
//! text field hand the keys that type to it.

use super::App;
use crate::core::journal::Record;
use crate::core::severity::Severity;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::overlay::{LineInput, Overlay, PromptKind};
use crate::ui::pane::Pane;
use crossterm::event::KeyEvent;

/// Rows a report scrolls per page.
const REPORT_PAGE: u16 = 20;

impl App {
    /// A key while `overlay` is open (taken out of the app: a dialog that stays open puts
    /// itself back).
    pub(super) fn on_overlay_key(&mut self, overlay: Overlay, key: KeyEvent) -> Vec<Command> {
        match overlay {
            Overlay::Help => {
                self.on_help_key(key);
                Vec::new()
            }
            Overlay::HostDetail(i) => self.on_host_detail_key(i, key),
            Overlay::Report {
                title,
                text,
                scroll,
            } => {
                self.on_report_key(title, text, scroll, key);
                Vec::new()
            }
            Overlay::ConfirmQuit => match self.keymap.dialog_action(&key, false) {
                Some(Action::AnswerYes) => {
                    let mut commands = self.roll_back_on_quit();
                    let reason = if self.incident().is_some() {
                        "operator quit with incident open"
                    } else {
                        "operator quit with transactions open"
                    };
                    commands.extend(self.end_adhoc_on_quit());
                    commands.push(Command::Quit(reason.into()));
                    commands
                }
                _ => Vec::new(),
            },
            Overlay::ConfirmTickWaiting { step, reasons } => {
                match self.keymap.dialog_action(&key, false) {
                    Some(Action::AnswerYes) => self.tick_waiting_step(step, &reasons),
                    _ => Vec::new(),
                }
            }
            Overlay::Prompt(kind, mut input) => match self.keymap.dialog_action(&key, true) {
                Some(Action::Cancel) => Vec::new(),
                Some(Action::Confirm) => self.submit_prompt(kind, input),
                _ => {
                    input.edit(&key);
                    self.overlay = Some(Overlay::Prompt(kind, input));
                    Vec::new()
                }
            },
            Overlay::SeverityPicker(i) => self.pick(
                key,
                i,
                Severity::ALL.len(),
                Overlay::SeverityPicker,
                |app, i| app.choose_severity(i),
            ),
            Overlay::FaultPicker(i) => self.pick(
                key,
                i,
                self.drill_hosts.len(),
                Overlay::FaultPicker,
                |app, i| {
                    let (host, fault) = app.drill_hosts.get(i)?.clone();
                    Some(if fault.is_some() {
                        Command::ClearFault(host)
                    } else {
                        Command::InjectFault(host)
                    })
                },
            ),
            Overlay::OpenIncident(form) => self.on_form_key(form, key),
            Overlay::IncidentPicker(index) => self.on_picker_key(index, key),
            Overlay::LogPrompt(prompt) => self.on_log_prompt_key(prompt, key),
            Overlay::TrustHostKey { host, offer } => self.on_trust_key(host, offer, key),
            Overlay::Passphrase(prompt) => self.on_passphrase_key(prompt, key),
            Overlay::ConfirmStep(confirm) => self.on_confirm_step_key(confirm, key),
            Overlay::Adhoc(prompt) => self.on_adhoc_key(prompt, key),
            Overlay::ConfirmAdhoc(confirm) => self.on_confirm_adhoc_key(confirm, key),
            Overlay::SqlDecision(database) => self.on_sql_decision_key(database, key),
            Overlay::SqlDanger(dialog) => self.on_sql_danger_key(dialog, key),
            Overlay::SqlCommitTyped(dialog) => self.on_sql_commit_typed_key(dialog, key),
            Overlay::SqlHistory(pick) => {
                self.on_sql_history_key(pick, key);
                Vec::new()
            }
            Overlay::Palette(prompt) => self.on_palette_key(prompt, key),
        }
    }

    /// The help closes on the dialog's confirm and cancel keys, and on the keys that opened
    /// it or would quit (whatever `[keys]` made them).
    fn on_help_key(&mut self, key: KeyEvent) {
        let close = matches!(
            self.keymap.dialog_action(&key, false),
            Some(Action::Confirm | Action::Cancel)
        ) || matches!(
            self.keymap.action_for(self.focus, &key),
            Some(Action::ToggleHelp | Action::Quit)
        );
        if !close {
            self.overlay = Some(Overlay::Help);
        }
    }

    /// A host's details: the Hosts pane's diagnose key works there too.
    fn on_host_detail_key(&mut self, host: usize, key: KeyEvent) -> Vec<Command> {
        if self.keymap.action_for(Pane::Hosts, &key) == Some(Action::Diagnose) {
            if !self.allowed(Action::Diagnose) {
                return Vec::new();
            }
            return self.diagnose(host);
        }
        let close = matches!(
            self.keymap.dialog_action(&key, false),
            Some(Action::Confirm | Action::Cancel | Action::Close)
        );
        if !close {
            self.overlay = Some(Overlay::HostDetail(host));
        }
        Vec::new()
    }

    /// A report scrolls, and closes on confirm, cancel or close.
    fn on_report_key(&mut self, title: String, text: String, scroll: u16, key: KeyEvent) {
        let scroll = match self.keymap.dialog_action(&key, false) {
            Some(Action::Confirm | Action::Cancel | Action::Close) => return,
            Some(Action::Down) => scroll.saturating_add(1),
            Some(Action::Up) => scroll.saturating_sub(1),
            Some(Action::PageDown) => scroll.saturating_add(REPORT_PAGE),
            Some(Action::PageUp) => scroll.saturating_sub(REPORT_PAGE),
            Some(Action::Top) => 0,
            _ => scroll,
        };
        let lines = u16::try_from(text.lines().count()).unwrap_or(u16::MAX);
        self.overlay = Some(Overlay::Report {
            title,
            text,
            scroll: scroll.min(lines),
        });
    }

    /// Up, down, confirm and cancel over a list dialog.
    fn pick(
        &mut self,
        key: KeyEvent,
        index: usize,
        len: usize,
        reopen: fn(usize) -> Overlay,
        choose: impl FnOnce(&mut Self, usize) -> Option<Command>,
    ) -> Vec<Command> {
        let last = len.saturating_sub(1);
        let index = match self.keymap.dialog_action(&key, false) {
            Some(Action::Cancel) => return Vec::new(),
            Some(Action::Confirm) => return choose(self, index).into_iter().collect(),
            Some(Action::Up) => index.saturating_sub(1),
            Some(Action::Down) => (index + 1).min(last),
            _ => index,
        };
        self.overlay = Some(reopen(index));
        Vec::new()
    }

    /// The severity picker's choice (index into `Severity::ALL`): journaled.
    pub(super) fn choose_severity(&mut self, index: usize) -> Option<Command> {
        let incident = self.incident()?.id.clone();
        let severity = *Severity::ALL.get(index)?;
        Some(self.journal(Record::SeverityChanged { incident, severity }))
    }

    /// A typed prompt answered: journals the note, reason, summary or remark it asked for.
    pub(super) fn submit_prompt(&mut self, kind: PromptKind, input: LineInput) -> Vec<Command> {
        let text = input.text.trim().to_string();
        if let PromptKind::ExportCsv(database) = &kind {
            return self.export_csv(database, &text);
        }
        let Some(incident) = self.incident().map(|i| i.id.clone()) else {
            return Vec::new();
        };
        if text.is_empty() {
            self.flash("nothing typed: a reason or text is required", true);
            self.overlay = Some(Overlay::Prompt(kind, input));
            return Vec::new();
        }
        let record = match kind {
            PromptKind::Variable { name, step, .. } => {
                return self.on_variable_typed(&name, text, &step);
            }
            PromptKind::Annotation(step) => Record::StepAnnotated {
                incident,
                step,
                text,
            },
            PromptKind::Note => Record::NoteAdded {
                incident,
                text,
                broadcast: false,
            },
            PromptKind::AdvanceClock => match drill_minutes(&text) {
                Some(minutes) => Record::DrillClockAdvanced {
                    incident: Some(incident),
                    minutes,
                },
                None => {
                    self.flash(
                        format!("`{text}`: minutes from 1 to 1440, e.g. 15, 90m or 2h"),
                        true,
                    );
                    self.overlay = Some(Overlay::Prompt(kind, input));
                    return Vec::new();
                }
            },
            PromptKind::Broadcast => Record::NoteAdded {
                incident,
                text,
                broadcast: true,
            },
            PromptKind::SkipReason(step) => Record::StepSkipped {
                incident,
                step,
                reason: text,
            },
            PromptKind::ResolveSummary => Record::IncidentResolved {
                incident,
                summary: text,
            },
            PromptKind::ExportCsv(_) => return Vec::new(),
        };
        vec![self.journal(record)]
    }
}

/// Minutes typed for the drill clock: `15`, `15m`, `90 min`, `2h`; from 1 to 1440 (a day).
fn drill_minutes(text: &str) -> Option<u32> {
    let t = text.trim().to_ascii_lowercase();
    let (number, scale) = if let Some(h) = t.strip_suffix('h') {
        (h, 60)
    } else if let Some(m) = t.strip_suffix("min").or_else(|| t.strip_suffix('m')) {
        (m, 1)
    } else {
        (t.as_str(), 1)
    };
    let minutes = number.trim().parse::<u32>().ok()?.checked_mul(scale)?;
    (1..=1440).contains(&minutes).then_some(minutes)
}

#[cfg(test)]
mod drill_minutes_tests {
    use super::drill_minutes;

    #[test]
    fn minutes_hours_and_nonsense() {
        for (typed, minutes) in [
            ("15", Some(15)),
            ("15m", Some(15)),
            (" 90 min ", Some(90)),
            ("2h", Some(120)),
            ("24H", Some(1440)),
        ] {
            assert_eq!(drill_minutes(typed), minutes, "{typed}");
        }
        for typed in [
            "0",
            "-5",
            "1441",
            "25h",
            "h",
            "",
            "1e3",
            "15s",
            "99999999999h",
            "十五",
        ] {
            assert_eq!(drill_minutes(typed), None, "{typed}");
        }
    }
}
