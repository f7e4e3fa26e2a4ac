//! The box every dialog is drawn in: centred over the panes, cleared, with a double border
//! and a title, and the text field line dialogs share. The dialogs' own modules lay out what
//! goes inside.

use crate::ui::app::App;
use crate::ui::overlay::LineInput;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

/// A centred box with a title.
pub fn dialog(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    title: &str,
    lines: Vec<Line<'_>>,
    width: u16,
    height: u16,
) {
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(app.theme.border(true))
        .title(Line::styled(format!(" {title} "), app.theme.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// A `width`×`height` box in the middle of `area` (as much as fits).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    rect
}

/// A dialog as tall as its lines need once wrapped.
pub fn dialog_fitting(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    title: &str,
    lines: Vec<Line<'_>>,
) {
    const WIDTH: u16 = 84;
    let inner = usize::from(WIDTH - 2);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX);
    dialog(frame, area, app, title, lines, WIDTH, height);
}

/// A text field's line: `> `, the text and the cursor.
pub fn input_line<'a>(input: &LineInput, app: &App, focused: bool) -> Line<'a> {
    let (before, after): (String, String) = {
        let chars: Vec<char> = input.text.chars().collect();
        let cut = input.cursor.min(chars.len());
        (chars[..cut].iter().collect(), chars[cut..].iter().collect())
    };
    let cursor = if focused { "▏" } else { "" };
    Line::from(vec![
        Span::raw("> "),
        Span::styled(before, app.theme.text()),
        Span::styled(cursor, app.theme.accent()),
        Span::styled(after, app.theme.text()),
    ])
}
