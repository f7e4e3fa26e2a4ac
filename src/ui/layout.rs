//! Where things sit on the screen, for a terminal of a given size: the one geometry drawing
//! and the mouse's hit-testing both read, so a click lands where a row is seen. Pure
//! arithmetic over [`Rect`]s; it knows no app state.

use crate::ui::pane::Pane;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

/// The smallest terminal the four panes fit in.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal height.
pub const MIN_HEIGHT: u16 = 20;

/// The status line, the body and the hint line of a screen of this size.
pub fn screen_areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Where each pane is drawn in the body (only the focused one when zoomed).
pub fn pane_areas(body: Rect, zoomed: bool, focus: Pane) -> Vec<(Pane, Rect)> {
    if zoomed {
        return vec![(focus, body)];
    }
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
    let [hosts, logs] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    let [playbook, sql] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(bottom);
    vec![
        (Pane::Hosts, hosts),
        (Pane::Logs, logs),
        (Pane::Playbook, playbook),
        (Pane::Sql, sql),
    ]
}

/// The panes of a whole screen of this size, each with its inside (within the border); none
/// when the terminal is too small to show them.
pub fn pane_insides(screen: Rect, zoomed: bool, focus: Pane) -> Vec<(Pane, Rect, Rect)> {
    if screen.width < MIN_WIDTH || screen.height < MIN_HEIGHT {
        return Vec::new();
    }
    let [_, body, _] = screen_areas(screen);
    pane_areas(body, zoomed, focus)
        .into_iter()
        .map(|(pane, outer)| {
            (
                pane,
                outer,
                Block::default().borders(Borders::ALL).inner(outer),
            )
        })
        .collect()
}

/// Host rows the Hosts pane's inside `area` shows (below the table's header).
pub fn host_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(1))
}

/// The Playbook pane's inside `area` with an incident open: the incident's title line, the
/// checklist of steps, the selected step's details.
pub fn playbook_areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(55),
        Constraint::Min(3),
    ])
    .areas(area)
}

/// Steps the checklist shows in the Playbook pane's inside `area`.
pub fn checklist_rows(area: Rect) -> usize {
    usize::from(playbook_areas(area)[1].height)
}

/// The line (from the top of a list of `rows` lines showing items from `first` on) where item
/// `index` is drawn, if it is in view.
pub fn line_in_view(index: usize, first: usize, rows: usize) -> Option<u16> {
    let line = index.checked_sub(first).filter(|line| *line < rows)?;
    u16::try_from(line).ok()
}

/// The first row shown so `cursor` is among `rows` rows shown from `offset` on, moving
/// `offset` as little as possible (as ratatui's lists and tables do when drawn).
pub fn in_view(offset: usize, cursor: usize, rows: usize) -> usize {
    if rows == 0 || cursor < offset {
        cursor
    } else if cursor >= offset + rows {
        cursor + 1 - rows
    } else {
        offset
    }
}
