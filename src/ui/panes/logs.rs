//! Live logs of every host, merged, newest at the bottom.

use crate::ui::app::App;
use crate::ui::text::fit;
use chrono::TimeZone;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the log view; only the visible rows are built.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let rows = area.height.saturating_sub(1) as usize;
    if app.logs.is_empty() {
        let lines = vec![
            Line::from("Waiting for log lines…"),
            Line::from("Hosts list their log files in the inventory (`logs = [...]`)."),
        ];
        frame.render_widget(crate::ui::draw::placeholder(lines, t.text_dim()), area);
        return;
    }
    let host_cols = app
        .hosts
        .iter()
        .map(|h| crate::ui::text::width(&h.name))
        .max()
        .unwrap_or(8)
        .min(14);
    let mut lines: Vec<Line<'_>> = app
        .logs
        .window(rows, app.log_offset)
        .map(|l| {
            let time = chrono::Local
                .timestamp_millis_opt(l.at_ms)
                .single()
                .map(|t| t.format("%H:%M:%S").to_string())
                .unwrap_or_default();
            let style = if l.marker {
                t.text_warning()
            } else if l.highlighted {
                t.log_highlight()
            } else {
                t.text()
            };
            Line::from(vec![
                Span::styled(format!("{time} "), t.text_dim()),
                Span::styled(format!("{} ", fit(&l.host, host_cols)), t.accent()),
                Span::styled(l.text.clone(), style),
            ])
        })
        .collect();
    while lines.len() < rows {
        lines.insert(0, Line::from(""));
    }
    let mut footer = vec![Span::styled(
        if app.log_follow {
            "following"
        } else {
            "paused (f: follow)"
        },
        if app.log_follow {
            t.text_ok()
        } else {
            t.text_warning()
        },
    )];
    footer.push(Span::styled(
        format!(" · {} lines", app.logs.len()),
        t.text_dim(),
    ));
    if app.logs.dropped > 0 {
        footer.push(Span::styled(
            format!(" · {} older lines skipped (buffer full)", app.logs.dropped),
            t.text_warning(),
        ));
    }
    lines.push(Line::from(footer));
    frame.render_widget(Paragraph::new(lines), area);
}
