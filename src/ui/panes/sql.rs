//! The SQL pane: the databases, the editor (keywords highlighted), the parameters a playbook
//! step bound, the result grid and what the last action did.

use crate::core::sql::highlight::{TokenKind, highlight_lines};
use crate::core::sql::layout::display_width;
use crate::ui::action::Action;
use crate::ui::app::{App, RunMode};
use crate::ui::console::{DbConsole, Link, range_text};
use crate::ui::pane::Pane;
use crate::ui::text::short_duration;
use crate::ui::widgets::result_grid::grid_lines;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Draws the console of the shown database.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(db) = app.console.current() else {
        let lines = vec![
            Line::styled("No databases in the inventory.", t.text_dim()),
            Line::styled(
                "Add [[databases]] to inventory.toml to use the SQL console.",
                t.text_dim(),
            ),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    };
    let editor_rows = u16::try_from(db.editor.area().lines().len())
        .unwrap_or(u16::MAX)
        .saturating_add(2)
        .clamp(4, (area.height / 3).max(4));
    let params_rows = u16::from(db.handover.is_some());
    let [tabs, editor, params, grid, message] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(editor_rows),
        Constraint::Length(params_rows),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(tab_line(app)), tabs);
    draw_editor(frame, editor, app, db);
    if let Some(h) = &db.handover {
        let mut spans = vec![Span::styled(format!("step {} · ", h.step), t.text_dim())];
        for (i, value) in h.shown.iter().enumerate() {
            spans.push(Span::styled(format!("${} = ", i + 1), t.text_dim()));
            spans.push(Span::styled(
                format!("'{}'  ", crate::ui::text::printable(value)),
                t.accent(),
            ));
        }
        if let Some(range) = h.expected_rows {
            spans.push(Span::styled(
                format!("· expects {} row(s)", range_text(range)),
                t.text_dim(),
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), params);
    }
    draw_grid(frame, grid, app, db);
    let shown = u64::from(grid.height.saturating_sub(1));
    frame.render_widget(Paragraph::new(message_line(app, db, shown)), message);
}

/// The databases, the shown one marked, with what each is doing.
fn tab_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, db) in app.console.dbs.iter().enumerate() {
        let style = if i == app.console.selected {
            t.selection()
        } else {
            t.text_dim()
        };
        // A replay knows the database's name, not its driver.
        let label = if app.mode == RunMode::Replay {
            format!(" {} ", db.name)
        } else {
            format!(" {} {} ", db.name, db.driver.name())
        };
        spans.push(Span::styled(label, style));
        if db.read_only {
            spans.push(Span::styled("ro ", t.text_warning()));
        }
        match &db.link {
            Link::Down(_) => spans.push(Span::styled("✗ ", t.text_danger())),
            Link::Up => spans.push(Span::styled("● ", t.text_ok())),
            Link::Idle => {}
        }
        if let Some(tx) = &db.transaction {
            spans.push(Span::styled(
                format!("txn {} ", short_duration(app.now_ms - tx.since_ms)),
                t.text_warning(),
            ));
        }
        if let Some(r) = &db.running {
            spans.push(Span::styled(
                format!("running {} ", short_duration(app.now_ms - r.started_ms)),
                t.accent(),
            ));
        }
    }
    Line::from(spans)
}

/// The editor, with keywords, strings, numbers, comments and placeholders coloured.
/// How the editor's title names the key that leaves it.
fn leave(app: &App) -> String {
    app.keymap
        .key_for(crate::ui::keymap::Scope::Editor, Action::LeaveEditor)
        .unwrap_or_else(|| format!("[keys] {}", Action::LeaveEditor.name()))
}

fn draw_editor(frame: &mut Frame<'_>, area: Rect, app: &App, db: &DbConsole) {
    let t = &app.theme;
    let editing = app.console.editing && app.focus == Pane::Sql;
    let title = match (&db.via_host, editing) {
        _ if app.mode == RunMode::Replay => " the last statement, as journaled ".to_string(),
        (Some(host), true) => format!(" editing · via {host} · {} leaves ", leave(app)),
        (Some(host), false) => format!(" via {host} · {} edits ", app.key(Action::EditSql)),
        (None, true) => format!(
            " editing · {} runs · {} leaves ",
            app.key(Action::RunSql),
            leave(app)
        ),
        (None, false) => format!(
            " {} edits · {} runs ",
            app.key(Action::EditSql),
            app.key(Action::RunSql)
        ),
    };
    let block = Block::default()
        .borders(Borders::TOP | Borders::BOTTOM)
        .border_style(t.border(editing))
        .title(Span::styled(title, t.text_dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let textarea = db.editor.area();
    if !editing {
        // A secret typed into a statement shows only while the operator edits it.
        let text = db.editor.text();
        let shown = app.redactor.redact(&text);
        if shown != text {
            let lines: Vec<Line<'_>> = shown
                .lines()
                .map(|l| Line::styled(l.to_string(), t.text()))
                .collect();
            let (top, left) = textarea.scroll_offset();
            frame.render_widget(Paragraph::new(lines).scroll((top, left)), inner);
            return;
        }
    }
    frame.render_widget(textarea, inner);
    if !editing {
        // Only the focused editor shows a cursor.
        hide_cursor(frame.buffer_mut(), inner, textarea);
    }
    colour_tokens(frame.buffer_mut(), inner, app, textarea, db.driver);
}

fn hide_cursor(buffer: &mut Buffer, area: Rect, textarea: &ratatui_textarea::TextArea<'_>) {
    let (top, left) = textarea.scroll_offset();
    let ratatui_textarea::DataCursor(row, col) = textarea.cursor();
    let Some(line) = textarea.lines().get(row) else {
        return;
    };
    let x = line
        .chars()
        .take(col)
        .map(|c| display_width(c.encode_utf8(&mut [0; 4])))
        .sum::<usize>()
        .saturating_sub(usize::from(left));
    let y = row.saturating_sub(usize::from(top));
    let (Ok(x), Ok(y)) = (u16::try_from(x), u16::try_from(y)) else {
        return;
    };
    if x < area.width
        && y < area.height
        && let Some(cell) = buffer.cell_mut((area.x + x, area.y + y))
    {
        cell.modifier.remove(Modifier::REVERSED);
    }
}

fn colour_tokens(
    buffer: &mut Buffer,
    area: Rect,
    app: &App,
    textarea: &ratatui_textarea::TextArea<'_>,
    driver: crate::core::inventory::Driver,
) {
    let t = &app.theme;
    let (top, left) = textarea.scroll_offset();
    let lines = textarea.lines();
    let tokens = highlight_lines(lines, driver);
    for (y, (line, tokens)) in lines
        .iter()
        .zip(tokens)
        .skip(usize::from(top))
        .take(usize::from(area.height))
        .enumerate()
    {
        for (range, kind) in tokens {
            let style = match kind {
                TokenKind::Keyword => t.accent().add_modifier(Modifier::BOLD),
                TokenKind::String => t.text_ok(),
                TokenKind::Number => t.text_warning(),
                TokenKind::Comment => t.text_dim(),
                TokenKind::Placeholder => t.title(),
                TokenKind::Other => continue,
            };
            let Some(before) = line.get(..range.start) else {
                continue;
            };
            let Some(token) = line.get(range.clone()) else {
                continue;
            };
            let start = display_width(before);
            for x in start..start + display_width(token) {
                let Some(x) = x.checked_sub(usize::from(left)) else {
                    continue;
                };
                let (Ok(x), Ok(y)) = (u16::try_from(x), u16::try_from(y)) else {
                    continue;
                };
                if x >= area.width {
                    break;
                }
                if let Some(cell) = buffer.cell_mut((area.x + x, area.y + y)) {
                    let reversed = cell.modifier.contains(Modifier::REVERSED);
                    cell.set_style(Style::default().fg(style.fg.unwrap_or_default()));
                    cell.modifier |= style.add_modifier;
                    if reversed {
                        cell.modifier |= Modifier::REVERSED;
                    }
                }
            }
        }
    }
}

/// The result grid, or a hint when there is none.
fn draw_grid(frame: &mut Frame<'_>, area: Rect, app: &App, db: &DbConsole) {
    let t = &app.theme;
    let Some(view) = &db.result else {
        let lines = if let Some(said) = &db.no_result {
            vec![Line::styled(said.clone(), t.text())]
        } else if app.mode == RunMode::Replay {
            vec![Line::styled(
                "Result rows are not journaled: the line below says what the statement did.",
                t.text_dim(),
            )]
        } else {
            vec![
                Line::styled("No result yet.", t.text_dim()),
                Line::styled(
                    "Writes run inside a transaction the console opens; nothing is committed \
                 until you answer. UPDATE/DELETE without WHERE, DROP, TRUNCATE and ALTER \
                 need the database's name typed.",
                    t.text_dim(),
                ),
            ]
        };
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    };
    let rows_shown = u64::from(area.height.saturating_sub(1));
    let rows = view.window(view.top..view.top + rows_shown);
    let lines = grid_lines(
        app,
        view.columns(),
        view.natural_widths(),
        rows,
        view.left,
        usize::from(area.width),
    );
    frame.render_widget(Paragraph::new(lines), area);
}

/// What the last action did, or where the grid is.
fn message_line(app: &App, db: &DbConsole, rows_shown: u64) -> Line<'static> {
    let t = &app.theme;
    let mut spans = Vec::new();
    if let Some(view) = &db.result {
        let state = if view.complete {
            ""
        } else {
            " · receiving…"
        };
        let first = if view.is_empty() { 0 } else { view.top + 1 };
        spans.push(Span::styled(
            format!(
                "rows {first}–{} of {}{state} · col {}/{} ",
                (view.top + rows_shown).min(view.len()),
                view.len(),
                view.left + 1,
                view.columns().len()
            ),
            t.text_dim(),
        ));
        if let Some(failure) = &view.failure {
            spans.push(Span::styled(format!("{failure} "), t.text_danger()));
        }
    }
    if let Some(m) = &db.message {
        spans.push(Span::styled(
            crate::ui::text::printable(&app.redactor.redact(&m.text)),
            if m.error { t.text_danger() } else { t.text() },
        ));
    }
    Line::from(spans)
}
