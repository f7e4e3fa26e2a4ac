//! The command palette (`:`): a typed command runs the very action its key runs, through
//! `update` (so a role's refusal and every dialog's guard apply as they do to the key); an
//! argument then answers the dialog that action opened, as the operator would have.

use super::App;
use crate::core::run::adhoc::target_words;
use crate::ui::action::Action;
use crate::ui::command::Command;
use crate::ui::keymap::palette::{self, Arg, ArgKind, Candidate, Parsed, Sources, Verb};
use crate::ui::overlay::{LineInput, Overlay, PalettePrompt};
use crate::ui::pane::Pane;
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;

/// Why the palette takes no more text.
pub(super) fn too_long() -> String {
    format!("a command takes at most {} characters", palette::MAX_INPUT)
}

impl App {
    /// The palette's commands: the key table's actions that have a palette name.
    pub fn palette_verbs(&self) -> Vec<Verb> {
        palette::verbs()
    }

    /// The live names the palette completes arguments from.
    pub fn palette_sources(&self) -> Sources {
        Sources {
            hosts: self.hosts.iter().map(|h| h.name.clone()).collect(),
            playbooks: self.playbooks.iter().map(|p| p.id.clone()).collect(),
            themes: Theme::built_in_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            targets: target_words(&self.inventory),
        }
    }

    /// The completions of what the palette holds.
    pub fn palette_candidates(&self, prompt: &PalettePrompt) -> Vec<Candidate> {
        palette::candidates(
            &prompt.input.text,
            &self.palette_verbs(),
            &self.palette_sources(),
        )
    }

    /// Keys of the palette: typing, Tab completes, ↑/↓ choose a candidate, Enter runs, Esc
    /// closes.
    pub(super) fn on_palette_key(
        &mut self,
        mut prompt: PalettePrompt,
        key: KeyEvent,
    ) -> Vec<Command> {
        let count = self.palette_candidates(&prompt).len();
        match self.keymap.dialog_action(&key, true) {
            Some(Action::Cancel) => return Vec::new(),
            Some(Action::Confirm) => return self.run_palette(prompt),
            Some(Action::NextField) => self.complete(&mut prompt),
            Some(Action::Down) if count > 0 => {
                prompt.selected = Some(prompt.selected.map_or(0, |i| (i + 1).min(count - 1)));
            }
            Some(Action::Up) if count > 0 => {
                prompt.selected = Some(prompt.selected.map_or(0, |i| i.saturating_sub(1)));
            }
            _ => {
                let before = prompt.input.clone();
                if prompt.input.edit(&key) {
                    prompt.selected = None;
                    prompt.error = None;
                    if prompt.input.text.chars().count() > palette::MAX_INPUT {
                        prompt.input = before;
                        prompt.error = Some(too_long());
                    }
                }
            }
        }
        self.overlay = Some(Overlay::Palette(prompt));
        Vec::new()
    }

    /// Tab: the chosen candidate (the first one otherwise) becomes the line.
    fn complete(&mut self, prompt: &mut PalettePrompt) {
        let candidates = self.palette_candidates(prompt);
        if let Some(c) = candidates.get(prompt.selected.unwrap_or(0)) {
            prompt.input = LineInput::with_text(c.line.clone());
            prompt.selected = None;
            prompt.error = None;
        }
    }

    /// Enter: the chosen candidate, else the line typed, is parsed and run; a line that does
    /// not parse keeps the palette open saying why, and changes nothing.
    fn run_palette(&mut self, mut prompt: PalettePrompt) -> Vec<Command> {
        if let Some(i) = prompt.selected {
            if let Some(c) = self.palette_candidates(&prompt).get(i) {
                prompt.input = LineInput::with_text(c.line.clone());
            }
            prompt.selected = None;
        }
        let parsed = palette::parse(
            &prompt.input.text,
            &self.palette_verbs(),
            &self.palette_sources(),
        );
        match parsed {
            Ok(None) => Vec::new(),
            Ok(Some(parsed)) => self.run_parsed(parsed),
            Err(reason) => {
                prompt.error = Some(reason);
                self.overlay = Some(Overlay::Palette(prompt));
                Vec::new()
            }
        }
    }

    /// Runs a parsed command: its action through `update`, then its argument given to what
    /// the action opened (nothing more when the action was refused or opened nothing).
    fn run_parsed(&mut self, parsed: Parsed) -> Vec<Command> {
        let Parsed { verb, arg } = parsed;
        // A theme named is switched to by the handler of the theme key (which, alone, cycles).
        if let (ArgKind::Theme, Arg::Index(i)) = (verb.arg, &arg) {
            if self.allowed(verb.action) {
                let name = Theme::built_in_names().get(*i).map(|n| n.to_string());
                self.switch_theme(name.as_deref());
            }
            return Vec::new();
        }
        // `shell HOST` picks the host first, then opens the shell there.
        if let (Action::OpenShell, Arg::Index(i)) = (verb.action, &arg) {
            let mut commands = self.update(Action::FocusHosts);
            commands.extend(self.update(Action::Click {
                pane: Pane::Hosts,
                item: u64::try_from(*i).ok(),
            }));
            commands.extend(self.update(Action::OpenShell));
            return commands;
        }
        let mut commands = self.update(verb.action);
        match (verb.arg, arg, self.overlay.take()) {
            (_, Arg::Nothing, overlay) => self.overlay = overlay,
            (ArgKind::Host, Arg::Index(i), overlay) => {
                self.overlay = overlay;
                if self.focus == Pane::Hosts {
                    let item = u64::try_from(i).ok();
                    commands.extend(self.update(Action::Click {
                        pane: Pane::Hosts,
                        item,
                    }));
                }
            }
            (ArgKind::Playbook, Arg::Index(i), Some(Overlay::OpenIncident(mut form))) => {
                if let Some(playbook) = self.playbooks.get(i) {
                    form.playbook = i;
                    form.severity = playbook.severity;
                }
                self.overlay = Some(Overlay::OpenIncident(form));
            }
            (ArgKind::Severity, Arg::Index(i), Some(Overlay::SeverityPicker(_))) => {
                commands.extend(self.choose_severity(i));
            }
            (ArgKind::Text, Arg::Text(text), Some(Overlay::Prompt(kind, _))) => {
                commands.extend(self.submit_prompt(kind, LineInput::with_text(text)));
            }
            (ArgKind::CommandLine, Arg::Text(text), Some(Overlay::Adhoc(mut prompt))) => {
                prompt.input = LineInput::with_text(text);
                commands.extend(self.submit_adhoc(prompt));
            }
            // Whatever the action opened instead (a refusal, another dialog) stays as is.
            (_, _, overlay) => self.overlay = overlay,
        }
        commands
    }

    /// Switches to the named built-in theme, or to the next one: said on the status line.
    pub(super) fn switch_theme(&mut self, name: Option<&str>) {
        let names = Theme::built_in_names();
        let next = match name {
            Some(n) => n.to_string(),
            None => {
                let at = names.iter().position(|n| *n == self.theme.name);
                let next = at.map_or(0, |i| (i + 1) % names.len().max(1));
                names.get(next).map_or_else(String::new, |n| n.to_string())
            }
        };
        let monochrome = self.theme.is_monochrome();
        match Theme::built_in_named(&next, monochrome) {
            Some(theme) => {
                self.theme = theme;
                let note = if monochrome {
                    " (NO_COLOR is set: no colours shown)"
                } else {
                    ""
                };
                self.flash(format!("theme: {next}{note}"), false);
            }
            None => self.flash(format!("no built-in theme named `{next}`"), true),
        }
    }
}
