//! The off-script command prompt: the line typed, how to aim it, and the latest command's
//! output under it, live while it runs.

use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::overlay::AdhocPrompt;
use crate::ui::widgets::dialog_box::{dialog, input_line};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Widest the prompt is drawn.
const WIDTH: u16 = 110;

/// Draws the prompt over the panes.
pub fn adhoc_prompt(frame: &mut Frame<'_>, area: Rect, app: &App, prompt: &AdhocPrompt) {
    let t = &app.theme;
    let selected = app
        .hosts
        .get(app.host_cursor)
        .map_or("the selected host", |h| h.name.as_str());
    let mut lines = vec![
        input_line(&prompt.input, app, true),
        Line::styled(
            format!(
                "{} runs it on {selected} · start with role:NAME, tag:NAME or host:NAME for \
                 others · ↑/↓ history · {} closes",
                app.dialog_key(Action::Confirm),
                app.dialog_key(Action::Cancel)
            ),
            t.text_dim(),
        ),
    ];
    let tallest = area.height.saturating_sub(4).clamp(8, 40);
    let width = area.width.saturating_sub(4).min(WIDTH);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    // Rows a line takes once wrapped.
    let rows = |line: &Line<'_>| line.width().max(1).div_ceil(inner);
    let mut used: usize = lines.iter().map(rows).sum();
    let output = app.adhoc.output().all_lines();
    if !output.is_empty() {
        lines.push(Line::from(""));
        used += 1;
        // The newest lines that fit, oldest first.
        let room = usize::from(tallest.saturating_sub(2)).saturating_sub(used);
        let mut shown: Vec<Line<'_>> = Vec::new();
        let mut taken = 0;
        for text in output.into_iter().rev() {
            let line = Line::styled(text, t.text());
            taken += rows(&line);
            if taken > room {
                break;
            }
            shown.push(line);
        }
        used += shown.iter().map(rows).sum::<usize>();
        lines.extend(shown.into_iter().rev());
    }
    let title = match app.adhoc.running_on().as_slice() {
        [] => "Off-script command (journaled)".to_string(),
        hosts => format!("Off-script command — running on {}", hosts.join(", ")),
    };
    // As tall as what it shows, up to most of the screen (the output keeps its newest lines).
    let height = (u16::try_from(used).unwrap_or(u16::MAX) + 2).min(tallest);
    dialog(frame, area, app, &title, lines, width, height);
}
