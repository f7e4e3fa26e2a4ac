//! The host grid: state, role, failing check, latency and since when.

use crate::core::health::HostState;
use crate::core::metrics::Level;
use crate::ui::app::{App, RunMode};
use crate::ui::hostrow::HostRow;
use crate::ui::layout;
use crate::ui::text::{fit, short_duration};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Clear, Row, StatefulWidget, Table, TableState, Widget};

/// A glyph per state, so state reads without colour too.
pub fn state_glyph(state: HostState) -> &'static str {
    match state {
        HostState::Up => "●",
        HostState::Degraded => "◐",
        HostState::Down => "✖",
        HostState::Recovering => "◔",
        HostState::Recovered => "◉",
        HostState::Unknown => "·",
    }
}

/// A host under pressure, in the check column while its checks pass: the worst resource with
/// its level's glyph (`▲` warning, `▲▲` critical, so it reads without colour) and colour. The
/// state beside it stays what the checks say: a busy host is up.
fn pressure_badge(row: &HostRow, t: &Theme) -> Span<'static> {
    let level = row.pressure.level();
    let worst = row
        .pressure
        .current
        .as_ref()
        .and_then(|p| p.summary.split(" · ").next())
        .unwrap_or(level.name());
    let (glyph, style) = match level {
        Level::Critical => ("▲▲", t.text_danger()),
        _ => ("▲", t.text_warning()),
    };
    Span::styled(format!("{glyph} {worst}"), style)
}

/// Draws the grid.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    if app.hosts.is_empty() {
        let lines = vec![
            Line::from("No hosts in the inventory."),
            Line::from("See README: Inventory format."),
        ];
        frame.render_widget(
            crate::ui::widgets::placeholder(lines, app.theme.text_dim()),
            area,
        );
        return;
    }
    let t = &app.theme;
    let header =
        Row::new(["", "host", "role", "state", "check / latency", "since"]).style(t.text_dim());
    // Only the rows up to the last one in view are built: the table draws none after it.
    let in_view = layout::host_rows(area);
    let end = match in_view {
        0 => usize::MAX,
        n => layout::in_view(app.host_scroll, app.host_cursor, n).saturating_add(n),
    };
    let rows = app.hosts.iter().take(end).map(|h| row(app, h));
    let mut state = TableState::default()
        .with_offset(app.host_scroll)
        .with_selected(Some(app.host_cursor));
    frame.render_stateful_widget(table(app, rows).header(header), area, &mut state);
}

/// Draws again, into `buf`, the row of each host of `hosts` that is in view, exactly as
/// [`draw`] draws it in the pane's inside `area`: a table's rows are laid out by the pane's
/// width alone, so a row drawn as a one-row table is the same cells. A recording redraws
/// the rows that changed instead of the pane. Adds to `drawn` the area of each row drawn.
pub fn draw_rows(
    buf: &mut Buffer,
    area: Rect,
    app: &App,
    hosts: impl Iterator<Item = usize>,
    drawn: &mut Vec<Rect>,
) {
    for (index, host, row_area) in rows_in_view(area, app, hosts) {
        Clear.render(row_area, buf);
        let mut state =
            TableState::default().with_selected((index == app.host_cursor).then_some(0));
        StatefulWidget::render(
            table(app, std::iter::once(row(app, host))),
            row_area,
            buf,
            &mut state,
        );
        drawn.push(row_area);
    }
}

/// Draws again, into `buf`, the `since` cell of each host of `hosts` that is in view, exactly
/// as [`draw`] draws it in the pane's inside `area`: the cell the table lays out for the
/// column (by the pane's width alone), its text, and the selection's style on the selected
/// row. A host's `since` ticks every second while the rest of its row stays: a recording
/// draws that cell alone. Adds to `drawn` the area of each cell drawn.
pub fn draw_since(
    buf: &mut Buffer,
    area: Rect,
    app: &App,
    hosts: impl Iterator<Item = usize>,
    drawn: &mut Vec<Rect>,
) {
    let columns = Layout::horizontal(WIDTHS)
        .flex(Flex::Start)
        .spacing(COLUMN_SPACING)
        .split(Rect::new(0, 0, area.width, 1));
    let Some(column) = columns.last() else {
        return;
    };
    for (index, host, row_area) in rows_in_view(area, app, hosts) {
        let cell = Rect {
            x: row_area.x + column.x,
            width: column.width,
            ..row_area
        };
        Clear.render(cell, buf);
        Text::from(since(app, host)).render(cell, buf);
        if index == app.host_cursor {
            buf.set_style(cell, app.theme.selection());
        }
        drawn.push(cell);
    }
}

/// Each host of `hosts` that is in view in the pane's inside `area`, with its row's area.
fn rows_in_view(
    area: Rect,
    app: &App,
    hosts: impl Iterator<Item = usize>,
) -> impl Iterator<Item = (usize, &HostRow, Rect)> {
    let rows = layout::host_rows(area);
    let first = layout::in_view(app.host_scroll, app.host_cursor, rows);
    hosts.filter_map(move |index| {
        let host = app.hosts.get(index)?;
        let line = layout::line_in_view(index, first, rows)?;
        let row_area = Rect {
            y: area.y + 1 + line,
            height: 1,
            ..area
        };
        Some((index, host, row_area))
    })
}

/// The grid's columns: state glyph, name, role, state, check or latency, since when.
const WIDTHS: [Constraint; 6] = [
    Constraint::Length(1),
    Constraint::Length(12),
    Constraint::Length(12),
    Constraint::Length(10),
    Constraint::Min(10),
    Constraint::Length(6),
];

/// Blank columns between two of the grid's columns.
const COLUMN_SPACING: u16 = 1;

/// The grid's table of `rows`, without its header.
fn table<'a>(app: &App, rows: impl IntoIterator<Item = Row<'a>>) -> Table<'a> {
    Table::new(rows, WIDTHS)
        .flex(Flex::Start)
        .row_highlight_style(app.theme.selection())
        .column_spacing(COLUMN_SPACING)
}

/// How long a host has been in its state, as its row shows it.
fn since(app: &App, h: &HostRow) -> Span<'static> {
    Span::styled(
        short_duration(app.now_ms - h.tracker.since_ms),
        app.theme.text_dim(),
    )
}

/// One host's row: state glyph, name, role, state, check or latency, since when.
fn row<'a>(app: &App, h: &HostRow) -> Row<'a> {
    let t = &app.theme;
    let state = h.tracker.state;
    let detail = match (&h.tracker.failing, h.latency_ms()) {
        (Some(failing), _) => Span::styled(failing.clone(), t.text_danger()),
        _ if h.pressure.level() > Level::Normal => pressure_badge(h, t),
        (None, Some(ms)) => Span::styled(format!("ok {ms}ms"), t.text_dim()),
        (None, None) => Span::styled(
            if app.mode == RunMode::Replay {
                // The journal keeps state changes, not every probe.
                "—"
            } else if h.probed_at_ms.is_some() {
                "no checks"
            } else {
                "probing…"
            },
            t.text_dim(),
        ),
    };
    Row::new(vec![
        Cell::from(Span::styled(state_glyph(state), t.host_state(state))),
        Cell::from(h.name.clone()),
        Cell::from(Span::styled(h.role.clone(), t.text_dim())),
        Cell::from(Span::styled(fit(state.name(), 10), t.host_state(state))),
        Cell::from(detail),
        Cell::from(since(app, h)),
    ])
}

/// The host drawn at line `y` of the pane's inside `area` (below the header), as [`draw`]
/// lays the table out: the selected row kept in view from the top.
pub fn row_at(app: &App, area: Rect, y: u16) -> Option<usize> {
    let rows = layout::host_rows(area);
    let first = area.y + 1;
    if rows == 0 || y < first || usize::from(y - first) >= rows {
        return None;
    }
    let offset = layout::in_view(app.host_scroll, app.host_cursor, rows);
    let index = offset + usize::from(y - first);
    (index < app.hosts.len()).then_some(index)
}
