//! The command palette: the line typed, why the last Enter did nothing, and the completions
//! (each command with its description and key, from the key table), the chosen one marked.

use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::overlay::{LineInput, PalettePrompt};
use crate::ui::text;
use crate::ui::widgets::dialog_box::{dialog, input_line};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Widest the palette is drawn.
const WIDTH: u16 = 90;

/// The part of a long line around the cursor that fits `room` columns, `…` where cut: the
/// line stays one row, so the candidates and the reason stay in view.
fn in_view(input: &LineInput, room: usize) -> LineInput {
    if text::width(&input.text) <= room {
        return input.clone();
    }
    let chars: Vec<char> = input.text.chars().collect();
    let cursor = input.cursor.min(chars.len());
    let cols = |from: usize, to: usize| text::width(&chars[from..to].iter().collect::<String>());
    let mut start = cursor;
    while start > 0 && cols(start - 1, cursor) < room - 1 {
        start -= 1;
    }
    let mut end = cursor;
    while end < chars.len() && cols(start, end + 1) < room - 1 {
        end += 1;
    }
    let cut = if start > 0 { "…" } else { "" };
    let shown: String = chars[start..end].iter().collect();
    LineInput {
        text: format!("{cut}{shown}"),
        cursor: cursor - start + cut.chars().count(),
    }
}

/// Draws the palette over the panes.
pub fn palette(frame: &mut Frame<'_>, area: Rect, app: &App, prompt: &PalettePrompt) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4).min(WIDTH);
    // `> `, the cursor and the borders take 5 columns.
    let room = usize::from(width).saturating_sub(5).max(2);
    let mut lines = vec![input_line(&in_view(&prompt.input, room), app, true)];
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
        .map(|c| text::width(&c.label))
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
    let height = (u16::try_from(lines.len()).unwrap_or(u16::MAX) + 2).min(tallest);
    dialog(frame, area, app, "Command", lines, width, height);
}
