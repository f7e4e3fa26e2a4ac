//! Pasted text (bracketed paste): it goes into the text field or editor that has focus and
//! nowhere else. Pasted characters are never read as key presses, so a pasted `R` cannot
//! resolve the incident nor a pasted `y` answer a confirmation.

use super::App;
use crate::ui::command::Command;
use crate::ui::overlay::{FormField, Overlay};
use crate::ui::pane::Pane;

/// The status message when nothing could take the paste.
pub const PASTE_IGNORED: &str = "paste ignored: no text field has focus";

/// The status message when a one-line field kept only the first line of a paste.
pub const FIRST_LINE_ONLY: &str = "pasted the first line only: this field takes one line";

/// Pasted text for a one-line field: line breaks as the terminal sends them (`\r`, `\r\n` or
/// `\n`) end it, tabs become spaces, other control characters (escape sequences) are dropped.
/// Also whether something other than blank space came after the first line break.
pub fn one_line(text: &str) -> (String, bool) {
    let text = multi_line(text);
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let first = first.replace('\t', " ");
    (first, !rest.trim().is_empty())
}

/// Pasted text for the SQL editor: every line break made `\n`, tabs kept, other control
/// characters dropped.
pub fn multi_line(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

impl App {
    /// Puts pasted text into the focused text field, or says why it went nowhere.
    pub(super) fn on_paste(&mut self, text: &str) -> Vec<Command> {
        let Some(mut overlay) = self.overlay.take() else {
            if self.focus == Pane::Sql && self.console.editing {
                self.paste_into_editor(text);
            } else {
                self.flash(PASTE_IGNORED, true);
            }
            return Vec::new();
        };
        let (line, cut) = one_line(text);
        let took = match &mut overlay {
            Overlay::Prompt(_, input) => input.insert_str(&line),
            Overlay::OpenIncident(form) if form.field == FormField::Title => {
                form.title.insert_str(&line)
            }
            Overlay::LogPrompt(prompt) => prompt.input.insert_str(&line),
            Overlay::Adhoc(prompt) => prompt.input.insert_str(&line),
            Overlay::Palette(prompt) => {
                prompt.selected = None;
                let room = crate::ui::keymap::palette::MAX_INPUT
                    .saturating_sub(prompt.input.text.chars().count());
                if line.chars().count() > room {
                    prompt.error = Some(super::palette::too_long());
                    true
                } else {
                    prompt.error = None;
                    prompt.input.insert_str(&line)
                }
            }
            Overlay::SqlHistory(pick) => {
                pick.selected = 0;
                pick.query.insert_str(&line)
            }
            Overlay::Passphrase(prompt) => {
                prompt.paste(&line);
                true
            }
            Overlay::ConfirmStep(_) | Overlay::ConfirmAdhoc(_) | Overlay::SqlDanger(_) => {
                self.overlay = Some(overlay);
                self.flash(
                    "paste ignored: type the name to confirm a dangerous action",
                    true,
                );
                return Vec::new();
            }
            _ => false,
        };
        self.overlay = Some(overlay);
        if !took {
            self.flash(PASTE_IGNORED, true);
        } else if cut {
            self.flash(FIRST_LINE_ONLY, false);
        }
        Vec::new()
    }

    fn paste_into_editor(&mut self, text: &str) {
        let text = multi_line(text);
        if let Some(db) = self.console.dbs.get_mut(self.console.selected) {
            db.editor.paste(&text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_cuts_at_the_first_break_of_any_kind() {
        assert_eq!(
            one_line("Restart go-api\r"),
            ("Restart go-api".into(), false)
        );
        assert_eq!(one_line("a\tb\r\nc"), ("a b".into(), true));
        assert_eq!(one_line("x\x1b[2~y\nz"), ("x[2~y".into(), true));
        assert_eq!(one_line("plain"), ("plain".into(), false));
    }

    #[test]
    fn multi_line_keeps_lines_and_tabs() {
        assert_eq!(
            multi_line("SELECT 1\r\tFROM t\r\n;\x07"),
            "SELECT 1\n\tFROM t\n;"
        );
    }
}
