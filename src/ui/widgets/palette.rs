//! The command palette: the line typed, why the last Enter did nothing, and the completions
//! (each command with its description and key, from the key table), the chosen one marked.

use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::overlay::PalettePrompt;
use crate::ui::widgets::dialog_box::{dialog, input_line};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Widest the palette is drawn.
const WIDTH: u16 = 90;

/// Draws the palette over the panes.
pub fn palette(frame: &mut Frame<'_>, area: Rect, app: &App, prompt: &PalettePrompt) {
    let t = &app.theme;
    let mut lines = vec![input_line(&prompt.input, app, true)];
    if let Some(error) = &prompt.error {
        lines.push(Line::styled(error.clone(), t.text_danger()));
    }
    lines.push(Line::styled(
        format!(
            "{} completes · ↑/↓ choose · {} runs · {} closes",
            app.dialog_key(Action::NextField),
            app.dialog_key(Action::Confirm),
            app.dialog_key(Action::Cancel)
        ),
        t.text_dim(),
    ));
    let candidates = app.palette_candidates(prompt);
    let tallest = area.height.saturating_sub(4).clamp(6, 24);
    let room = usize::from(tallest.saturating_sub(2)).saturating_sub(lines.len());
    let selected = prompt.selected.unwrap_or(0);
    // The chosen candidate stays in view.
    let first = selected.saturating_sub(room.saturating_sub(1));
    let label_width = candidates
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(30);
    for (i, c) in candidates.iter().enumerate().skip(first).take(room) {
        let chosen = prompt.selected == Some(i);
        let style = if chosen { t.selection() } else { t.text() };
        let mut spans = vec![Span::styled(
            format!(
                "{} {:<label_width$}",
                if chosen { "›" } else { " " },
                c.label
            ),
            style,
        )];
        if !c.detail.is_empty() {
            spans.push(Span::styled(format!("  {}", c.detail), t.text_dim()));
        }
        if let Some(key) = c.action.and_then(|a| app.keymap.label_of(a)) {
            spans.push(Span::styled(format!("  ({key})"), t.accent()));
        }
        lines.push(Line::from(spans));
    }
    let width = area.width.saturating_sub(4).min(WIDTH);
    let height = (u16::try_from(lines.len()).unwrap_or(u16::MAX) + 2).min(tallest);
    dialog(frame, area, app, "Command", lines, width, height);
}
